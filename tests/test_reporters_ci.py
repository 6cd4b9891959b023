"""The markdown and gitlab reporters: golden files, escaping, GitLab's documented fields."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from click.testing import CliRunner
from test_reporters import LOOP, check_golden, in_root, sample_report  # noqa: F401 (in_root is a fixture)

from policylint.commands import cli
from policylint.report import Finding, Report, fingerprint
from policylint.reporters import RenderOptions, gitlab, markdown

SCHEMA = Path(__file__).resolve().parent / "schemas" / "gitlab-codequality.schema.json"


def gitlab_validator():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def test_gitlab_golden(in_root):
    check_golden("report.gitlab.json", gitlab.render(sample_report(), RenderOptions(root=in_root)))


def test_gitlab_matches_the_documented_format(in_root):
    issues = json.loads(gitlab.render(sample_report(), RenderOptions(root=in_root)))
    errors = sorted(gitlab_validator().iter_errors(issues), key=str)
    assert not errors, errors[0]
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    by_check = {i["check_name"]: i for i in issues}
    assert by_check["PL101 s3-logging-loop"]["severity"] == "critical"
    assert by_check["PL107 s3-versioning-disabled"]["severity"] == "minor"
    assert by_check["PL101 s3-logging-loop"]["location"] == {"path": "infra/main.tf", "lines": {"begin": 12}}
    first = sample_report().findings[0]
    assert issues[0]["fingerprint"] == fingerprint(first, in_root)
    assert by_check["policylint-error"]["location"]["lines"]["begin"] >= 1


def test_gitlab_schema_rejects_what_gitlab_rejects():
    validator = gitlab_validator()
    good = {"description": "d", "check_name": "c", "fingerprint": "f", "severity": "major", "location": {"path": "a.tf", "lines": {"begin": 1}}}
    assert validator.is_valid([good])
    assert not validator.is_valid([{**good, "severity": "high"}])
    assert not validator.is_valid([{**good, "location": {"path": "a.tf"}}])


def test_gitlab_fingerprints_are_unique_and_survive_line_moves(in_root):
    f = Finding("PL107", "s3-versioning-disabled", "low", "No versioning", "a.tf", 3, 3, "r", "terraform")
    twice = json.loads(gitlab.render(Report(findings=[f, f]), RenderOptions(root=in_root)))
    assert twice[0]["fingerprint"] != twice[1]["fingerprint"]
    moved = Finding(**{**f.__dict__, "line": 40, "end_line": 40})
    assert json.loads(gitlab.render(Report(findings=[moved]), RenderOptions(root=in_root)))[0]["fingerprint"] == twice[0]["fingerprint"]


def test_markdown_golden(in_root):
    check_golden("report.md", markdown.render(sample_report(), RenderOptions(root=in_root, statistics=True)))


def test_markdown_cells_cannot_break_the_table():
    assert markdown.cell("a | b\nc") == "a \\| b c"
    assert markdown.cell("<img src=x> `a<b` & c") == "&lt;img src=x&gt; `a<b` &amp; c"
    assert markdown.cell("odd ` tick <x>") == "odd \\` tick &lt;x&gt;"


def test_cli_writes_gitlab_and_markdown(tmp_path):
    (tmp_path / "t.yaml").write_text(LOOP)
    quality, summary = tmp_path / "gl-code-quality.json", tmp_path / "summary.md"
    result = CliRunner().invoke(cli, ["scan", str(tmp_path / "t.yaml"), "--select", "PL101", "--no-config", "--root", str(tmp_path),
                                      "--format", f"gitlab:{quality}", "--format", f"markdown:{summary}"])
    assert result.exit_code == 1
    (issue,) = json.loads(quality.read_text())
    assert issue["location"] == {"path": "t.yaml", "lines": {"begin": 6}} and issue["severity"] == "critical"
    table = summary.read_text().splitlines()
    assert table[0] == "### policylint: 1 finding (1 high) in 1 file."
    assert table[4].startswith("| high | `PL101` s3-logging-loop | `t.yaml:6` | The bucket delivers")
