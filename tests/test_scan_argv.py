"""The click-free fast path of ``policylint scan`` (:mod:`policylint.scan_argv`) reads a command
line exactly as click does, or leaves it to click."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from policylint import scan_argv
from policylint.commands import scan as click_scan

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def click_params(args: list[str]) -> dict:
    with click_scan.make_context("scan", list(args)) as context:
        return dict(context.params)


def test_every_option_click_knows_is_known_to_the_fast_path():
    click_options = {opt for p in click_scan.params if p.param_type_name == "option" for opt in (*p.opts, *p.secondary_opts)}
    click_options -= {"-h", "--help"}  # help is click's: the fast path leaves it to click
    assert click_options == set(scan_argv.FLAGS) | set(scan_argv.VALUES)
    for p in click_scan.params:
        if p.param_type_name != "option" or p.name == "help":
            continue
        for opt in p.opts:
            if p.is_flag:
                assert scan_argv.FLAGS[opt] == p.name
            else:
                assert scan_argv.VALUES[opt] == (p.name, p.multiple), opt


SAME = [
    [],
    ["infra"],
    ["a", "b", "--quiet", "c"],
    ["--format", "json", "--format=sarif:out.sarif", "-o", "report.json"],
    ["--output=r.txt"],
    ["--fail-on", "high", "--severity", "medium"],
    ["--fail-on=critical", "--severity=info"],
    ["--exit-zero", "--statistics", "--show-suppressed", "--changed-only", "--no-config", "--no-cache", "-q"],
    ["--baseline", "b.json", "--root", "..", "--config", "policylint.toml"],
    ["--select", "PL1,PL2", "--select", "PL301", "--ignore=PL111", "--exclude", "legacy/", "--exclude=*.json"],
    ["--jobs", "2"], ["-j", "0"], ["--jobs=3"], ["-j", "+4"],
    ["--max-file-size", "64M"], ["--max-file-size=1000"], ["--max-file-size", "1 GiB"],
    ["--cache-dir", "/tmp/c"], ["--cache-dir=relative"],
    ["--parameter", "Env=prod", "--parameter=AWS::Region=eu-west-1", "--parameter", "Env=dev"],
    ["--var-file", "prod.tfvars", "--var-file=extra.tfvars"],
    ["--", "--format", "-q"],  # paths after --
    ["--format", "json", "--format", "json"],  # repeated: click keeps both, the scan then refuses
    ["--output", "a", "--output", "b"],  # the last one wins
]


@pytest.mark.parametrize("args", SAME, ids=lambda a: " ".join(a) or "(none)")
def test_the_fast_path_reads_what_click_reads(args, monkeypatch):
    monkeypatch.delenv("POLICYLINT_CACHE_DIR", raising=False)
    assert scan_argv.parse(["scan", *args]) == click_params(args)


@pytest.mark.parametrize("value", ["/from/env", ""])
def test_the_cache_directory_variable(value, monkeypatch):
    monkeypatch.setenv("POLICYLINT_CACHE_DIR", value)
    assert scan_argv.parse(["scan", "x"]) == click_params(["x"])
    assert scan_argv.parse(["scan", "--cache-dir", "given"])["cache_dir"] == click_params(["--cache-dir", "given"])["cache_dir"] == "given"


CLICKS = [
    ["--help"], ["-h"], ["x", "--help"],
    ["-qj2"], ["-oFILE"], ["-o=FILE"], ["-"],
    ["--jobs", "-1"], ["--jobs", "two"], ["-j"],
    ["--fail-on", "bogus"], ["--severity=HIGH"],
    ["--max-file-size", "12X"], ["--max-file-size", "0"],
    ["--parameter", "novalue"], ["--parameter", "bad key=1"],
    ["--quiet=1"], ["--format"], ["--format", "-q"], ["--unknown"], ["--form", "json"],
]


@pytest.mark.parametrize("args", CLICKS, ids=" ".join)
def test_what_the_fast_path_leaves_to_click(args):
    assert scan_argv.parse(["scan", *args]) is None


def test_other_commands_go_to_click():
    for args in ([], ["rules"], ["explain", "PL101"], ["--help"], ["baseline", "x", "-o", "b.json"], ["--no-config", "scan"]):
        assert scan_argv.parse(args) is None


def run(args: list[str], cwd, through_click: bool):
    """The whole process: (exit code, stdout, stderr)."""
    code = (
        "import sys\n"
        "from policylint.commands import cli\n"
        "cli.main(sys.argv[1:], prog_name='policylint')\n"
        if through_click
        else "import sys\nfrom policylint.cli import main\nmain(sys.argv[1:])\n"
    )
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("POLICYLINT_CACHE_DIR", None)
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd, env=env)
    return result.returncode, result.stdout, result.stderr


TEMPLATE = """\
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: PublicRead
"""


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "--no-cache", "main.yaml"],
        ["scan", "--no-cache", "--format", "json", "--statistics", "."],
        ["scan", "--no-cache", "--format", "sarif:out.sarif", "main.yaml"],  # summary on stderr
        ["scan", "--no-cache", "--format", "bogus", "main.yaml"],  # a usage error, with click's usage text
        ["scan", "--no-cache", "--select", "PL9999", "main.yaml"],  # an unknown rule: usage error too
        ["scan", "--no-cache", "--format", "json", "--format", "text", "main.yaml"],  # two to stdout
        ["scan", "--no-cache", "--config", "missing.toml", "main.yaml"],  # "Error: ..." and exit 2
        ["scan", "--no-cache", "--baseline", "missing.json", "main.yaml"],
        ["scan", "--no-cache", "--severity", "high", "--exit-zero", "main.yaml"],
        ["scan", "--no-cache", "empty"],  # nothing to scan
        ["scan", "--help"],
    ],
    ids=lambda a: " ".join(a[2:]),
)
def test_the_fast_path_prints_and_exits_as_click(tmp_path, args):
    (tmp_path / "main.yaml").write_text(TEMPLATE)
    (tmp_path / "empty").mkdir()
    fast = run(args, tmp_path, through_click=False)
    (tmp_path / "out.sarif").unlink(missing_ok=True)
    assert fast == run(args, tmp_path, through_click=True)
    assert fast[0] in (0, 1, 2)
