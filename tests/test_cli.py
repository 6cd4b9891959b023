"""The command line: exit codes, the JSON contract, error reporting, start-up imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from policylint import __version__
from policylint.commands import cli
from samples import CLEAN, LOOP

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def scan_loop(*args: str):
    """Scan with the S3 and Route 53 families only: LOOP's one finding is then its PL101."""
    return run("scan", *args, "--select", "PL101,PL401")


def test_clean_scan_exits_0(tmp_path):
    (tmp_path / "t.yaml").write_text(CLEAN)
    result = run("scan", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "0 findings in 1 file." in result.output


def test_finding_exits_1_with_path_line_code(tmp_path):
    (tmp_path / "t.yaml").write_text(LOOP)
    result = run("scan", str(tmp_path), "--select", "PL101")
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.startswith(f"{tmp_path / 't.yaml'}:6: PL101 [high] ")
    assert first.endswith("(Logs)")


def test_fail_on_threshold(tmp_path):
    (tmp_path / "t.yaml").write_text(LOOP)
    assert scan_loop(str(tmp_path), "--fail-on", "critical").exit_code == 0
    assert scan_loop(str(tmp_path), "--fail-on", "high").exit_code == 1


def test_select_and_ignore_accept_codes_slugs_and_prefixes(tmp_path):
    (tmp_path / "t.yaml").write_text(LOOP)
    assert scan_loop(str(tmp_path), "--ignore", "s3-logging-loop").exit_code == 0
    assert scan_loop(str(tmp_path), "--ignore", "pl101").exit_code == 0
    assert run("scan", str(tmp_path), "--select", "PL4").exit_code == 0
    assert run("scan", str(tmp_path), "--select", "PL1").exit_code == 1
    assert run("scan", str(tmp_path), "--select", "PL101", "--select", "PL4").exit_code == 1


def test_unknown_rule_is_a_usage_error(tmp_path):
    (tmp_path / "t.yaml").write_text(CLEAN)
    result = CliRunner().invoke(cli, ["scan", str(tmp_path), "--select", "PL999"])
    assert result.exit_code == 2
    assert "unknown rule `PL999`" in result.output


def test_broken_yaml_is_reported_and_other_files_still_scanned(tmp_path):
    (tmp_path / "broken.yaml").write_text("Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties: [unclosed\n")
    (tmp_path / "good.yaml").write_text(LOOP)
    result = scan_loop(str(tmp_path), "--format", "json")
    assert result.exit_code == 2
    data = json.loads(result.output)
    assert [f["rule_id"] for f in data["findings"]] == ["PL101"]
    assert data["findings"][0]["file"] == str(tmp_path / "good.yaml")
    (error,) = data["errors"]
    assert error["file"] == str(tmp_path / "broken.yaml")
    assert error["line"] == 4  # where the `[` opened, not where PyYAML gave up
    assert error["message"].startswith("unclosed `[`: the list that starts on this line has no `]`")


def test_duplicate_key_is_an_error_with_its_line(tmp_path):
    (tmp_path / "dup.yaml").write_text("Resources:\n  A:\n    Type: AWS::S3::Bucket\n  A:\n    Type: AWS::S3::Bucket\n")
    data = json.loads(run("scan", str(tmp_path), "--format", "json").output)
    assert data["errors"] == [{"file": str(tmp_path / "dup.yaml"), "line": 4, "message": "duplicate key `A` (first on line 2)"}]


def test_json_contract(tmp_path):
    (tmp_path / "t.yaml").write_text(LOOP)
    data = json.loads(scan_loop(str(tmp_path), "--format", "json").output)
    assert data["version"] == 1
    assert data["tool"] == {"name": "policylint", "version": __version__}
    assert data["summary"] == {"files": 1, "findings": 1, "errors": 0}
    (finding,) = data["findings"]
    assert finding == {
        "rule_id": "PL101",
        "rule": "s3-logging-loop",
        "severity": "high",
        "message": finding["message"],
        "file": str(tmp_path / "t.yaml"),
        "line": 6,
        "end_line": 7,
        "resource": "Logs",
        "format": "cloudformation",
    }
    assert data["errors"] == []


def test_paths_are_reported_as_reached_from_the_argument(tmp_path, monkeypatch):
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "t.yaml").write_text(LOOP)
    monkeypatch.chdir(tmp_path)
    data = json.loads(scan_loop("infra", "--format", "json").output)
    assert data["findings"][0]["file"] == "infra/t.yaml"


def test_output_file(tmp_path):
    (tmp_path / "t.yaml").write_text(LOOP)
    out = tmp_path / "report.json"
    result = scan_loop(str(tmp_path / "t.yaml"), "--format", "json", "--output", str(out))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("policylint: 1 finding (1 high) in 1 file. Report written to ")
    assert json.loads(out.read_text())["summary"]["findings"] == 1


def test_missing_path_is_an_error(tmp_path):
    result = run("scan", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert "no such file or directory" in result.output


def test_no_colour_when_not_a_terminal(tmp_path):
    (tmp_path / "t.yaml").write_text(LOOP)
    assert "\033[" not in run("scan", str(tmp_path)).output


def test_rules_and_explain():
    listing = run("rules", "--format", "json")
    rules = json.loads(listing.output)
    assert {"code": "PL101", "slug": "s3-logging-loop"}.items() <= rules[1].items()
    by_code = run("explain", "PL101").output
    assert by_code == run("explain", "s3-logging-loop").output
    assert "## Why is this bad?" in by_code
    assert CliRunner().invoke(cli, ["explain", "nope"]).exit_code == 2


def test_version_imports_no_parser():
    code = (
        "import sys; from policylint.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('hcl2', 'lark', 'yaml', 'cfnlint', 'jsonschema', 'click') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("[]"), out
    assert out.startswith(f"policylint {__version__}")


def test_console_script_version():
    result = subprocess.run([sys.executable, "-m", "policylint", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout == f"policylint {__version__}\n"


def _program(*args: str, cwd=None) -> subprocess.CompletedProcess:
    """policylint as the console script runs it (``python -m policylint`` calls the same run())."""
    return subprocess.run([sys.executable, "-m", "policylint", *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("jobs", [[], ["--jobs", "2"]], ids=["skips the teardown", "with workers: Python's exit"])
def test_the_program_exits_with_main_s_code_and_all_its_output(tmp_path, jobs):
    (tmp_path / "loop.yaml").write_text(LOOP)
    for number in range(60):  # enough output to fill a pipe's buffer many times over
        (tmp_path / f"copy{number}.yaml").write_text(LOOP)
    result = _program("scan", "--no-cache", "--format", "json", *jobs, str(tmp_path))
    assert result.returncode == 1, result.stderr
    assert len(json.loads(result.stdout)["findings"]) >= 61 and result.stderr == ""
    (tmp_path / "loop.yaml").write_text(CLEAN)
    clean = _program("scan", "--no-cache", "-q", *jobs, str(tmp_path / "loop.yaml"))
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, "", "")
    usage = _program("scan", "--no-such-option")
    assert usage.returncode == 2 and "No such option" in usage.stderr


def test_output_that_cannot_be_written_is_exit_2_without_traceback(tmp_path):
    (tmp_path / "t.yaml").write_text(CLEAN)
    result = CliRunner().invoke(cli, ["scan", str(tmp_path), "--output", str(tmp_path / "missing" / "r.json")])
    assert result.exit_code == 2
    assert "cannot write" in result.output and "Traceback" not in result.output
