"""pre-commit: the hook manifest, `--changed-only` (a changed Terraform file is evaluated with its
module, findings are reported for the changed files), and a real `pre-commit try-repo` run.

The try-repo test installs policylint from a throwaway copy of this checkout into a hook
environment, so it needs PyPI (or a configured index); it skips when pre-commit, git or the
network is missing, and runs in CI where they are present.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from policylint.commands import cli
from policylint.engine import lint_paths

ROOT = Path(__file__).resolve().parent.parent

BUCKETS = """\
resource "aws_s3_bucket" "app" {
  bucket = "${var.prefix}-app"
}

resource "aws_s3_bucket" "audit" {
  bucket = "${var.prefix}-audit"
}

variable "prefix" {
  default = "acme"
}
"""
LOGGING = """\
resource "aws_s3_bucket_logging" "app" {
  bucket        = aws_s3_bucket.app.id
  target_bucket = "${var.prefix}-audit"
}

resource "aws_s3_bucket_logging" "audit" {
  bucket        = aws_s3_bucket.audit.id
  target_bucket = aws_s3_bucket.app.bucket
}
"""
CLEAN = """\
resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}

resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}

resource "aws_s3_bucket_logging" "data" {
  bucket        = aws_s3_bucket.data.id
  target_bucket = aws_s3_bucket.logs.id
}
"""
KEYS = 'export AWS_ACCESS_KEY_ID=AKIA4POLICYLINTFIX08\nexport AWS_SECRET_ACCESS_KEY="Zr7Kp2Wm/Tq9Lx4Bv+Nc6Hs1Jd8Fg3Ay5Ue0Oi2R"\n'


def module(tmp_path) -> Path:
    directory = tmp_path / "infra"
    directory.mkdir()
    (directory / "buckets.tf").write_text(BUCKETS)
    (directory / "logging.tf").write_text(LOGGING)
    return directory


# --------------------------------------------------------------------------- the manifest


def test_manifest():
    hooks = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    main, credentials = hooks["policylint"], hooks["policylint-credentials"]
    assert main["language"] == credentials["language"] == "python"
    assert main["entry"] == "policylint scan --changed-only"
    assert set(main["types_or"]) == {"terraform", "json", "yaml"}
    assert credentials["types"] == ["text"] and set(credentials["exclude_types"]) == {"terraform", "json", "yaml"}
    assert "--select PL201" in credentials["entry"]
    assert main["require_serial"] and credentials["require_serial"]
    assert main.get("pass_filenames", True) and credentials.get("pass_filenames", True)


def test_manifest_is_valid_for_pre_commit():
    pytest.importorskip("pre_commit")
    result = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# --------------------------------------------------------------------------- --changed-only


def test_changed_file_is_evaluated_with_its_module(tmp_path):
    directory = module(tmp_path)
    report = lint_paths([str(directory / "logging.tf")], select=["PL101"], changed_only=True)
    assert [(Path(f.file).name, f.line) for f in report.findings] == [("logging.tf", 3), ("logging.tf", 8)]
    # Without the module, `aws_s3_bucket.app` does not resolve: no cycle is visible.
    assert lint_paths([str(directory / "logging.tf")], select=["PL101"]).findings == []


def test_findings_are_reported_for_the_changed_files_only(tmp_path):
    directory = module(tmp_path)
    (directory / "broken.tf").write_text("resource {\n")
    report = lint_paths([str(directory / "buckets.tf")], select=["PL101"], changed_only=True)
    assert report.findings == [] and report.errors == []


def test_changed_only_on_the_command_line(tmp_path, monkeypatch):
    directory = module(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["scan", "--changed-only", "--select", "PL101", "--no-config", "--format", "json", "infra/logging.tf"])
    assert result.exit_code == 1
    assert {f["file"] for f in json.loads(result.output)["findings"]} == {os.path.join("infra", "logging.tf")}
    assert directory.exists()


# --------------------------------------------------------------------------- pre-commit try-repo


def _network() -> bool:
    try:
        socket.create_connection(("pypi.org", 443), timeout=5).close()
        return True
    except OSError:
        return False


def _git(cwd: Path, *args: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def _hook_repo(tmp_path: Path) -> Path:
    """This checkout as it is on disk (uncommitted and untracked files included), committed into a
    throwaway repository: try-repo would leave out untracked files of the real one."""
    repo = tmp_path / "hook-repo"
    ignore = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".pytest_cache", ".hypothesis", "*.egg-info", "build", "dist")
    shutil.copytree(ROOT, repo, ignore=ignore)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "hook")
    return repo


def _try_repo(target: Path, hook_repo: Path, home: Path, *files: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never")
    env.pop("PYTHONPATH", None)  # the hook must run from its own environment
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "--verbose", "--files", *files],
        cwd=target, env=env, capture_output=True, text=True, timeout=1800,
    )


def test_pre_commit_try_repo(tmp_path):
    pytest.importorskip("pre_commit")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if not _network():
        pytest.skip("PyPI is not reachable: pre-commit cannot build the hook environment")
    hook_repo = _hook_repo(tmp_path)
    target = tmp_path / "target"
    (target / "infra").mkdir(parents=True)
    (target / "clean").mkdir()
    (target / "infra" / "buckets.tf").write_text(BUCKETS)
    (target / "infra" / "logging.tf").write_text(LOGGING)
    (target / "clean" / "main.tf").write_text(CLEAN)
    (target / "deploy.sh").write_text(KEYS)
    (target / "notes.txt").write_text("nothing to see\n")
    # The project's configuration is found from the changed files upwards.
    (target / ".policylint.toml").write_text(textwrap.dedent("""\
        select = ["PL101", "PL201"]
    """))
    _git(target, "init", "-q")
    _git(target, "add", "-A")

    failing = _try_repo(target, hook_repo, tmp_path / "pc-home", "infra/logging.tf", "deploy.sh")
    output = failing.stdout + failing.stderr
    assert failing.returncode == 1, output
    assert "infra/logging.tf:3: PL101 [high]" in output and "infra/logging.tf:8: PL101 [high]" in output
    assert "deploy.sh:1: PL201" in output
    assert "buckets.tf:" not in output  # evaluated for context, not reported

    passing = _try_repo(target, hook_repo, tmp_path / "pc-home", "clean/main.tf", "notes.txt")
    assert passing.returncode == 0, passing.stdout + passing.stderr
