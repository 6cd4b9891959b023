"""Baselines: record today's findings, report only new ones; fingerprints ignore line moves."""

from __future__ import annotations

import json
from policylint.records import replace

from click.testing import CliRunner

from policylint.baseline import fingerprint
from policylint.commands import cli
from policylint.rule import Finding

TF = """\
resource "aws_s3_bucket" "a" {
  bucket = "acme-a"
  acl    = "public-read"
}

resource "aws_s3_bucket" "b" {
  bucket = "acme-b"
}
"""
SELECT = ("--select", "PL111,PL101", "--no-config")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def make_baseline(tmp_path):
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(TF)
    baseline = tmp_path / "policylint-baseline.json"
    result = run("baseline", str(tmp_path / "infra"), "--output", str(baseline), *SELECT)
    assert result.exit_code == 0, result.output
    return baseline


def scan(tmp_path, baseline, *extra):
    return run("scan", str(tmp_path / "infra"), "--baseline", str(baseline), "--format", "json", *SELECT, *extra)


def test_baseline_file_is_readable_and_relative(tmp_path):
    baseline = make_baseline(tmp_path)
    data = json.loads(baseline.read_text())
    assert data["version"] == 1
    (entry,) = data["findings"]
    assert entry["rule_id"] == "PL111" and entry["file"] == "infra/main.tf" and entry["resource"] == "aws_s3_bucket.a"
    assert len(entry["fingerprint"]) == 32


def test_baselined_findings_are_hidden_and_counted(tmp_path):
    baseline = make_baseline(tmp_path)
    result = scan(tmp_path, baseline)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["findings"] == [] and data["summary"]["baselined"] == 1
    text = run("scan", str(tmp_path / "infra"), "--baseline", str(baseline), *SELECT)
    assert text.output.splitlines()[-1] == "0 findings in 1 file; 1 in the baseline."


def test_moved_lines_and_unrelated_edits_keep_the_fingerprint(tmp_path, monkeypatch):
    baseline = make_baseline(tmp_path)
    moved = "# a new header comment\n\n" + TF.replace('bucket = "acme-b"', 'bucket = "acme-b"\n  tags = { team = "x" }')
    (tmp_path / "infra" / "main.tf").write_text(moved)
    assert scan(tmp_path, baseline).exit_code == 0
    monkeypatch.chdir(tmp_path / "infra")  # scanned from elsewhere: paths are relative to the baseline
    result = run("scan", ".", "--baseline", str(baseline), *SELECT)
    assert result.exit_code == 0, result.output


def test_a_changed_finding_is_new(tmp_path):
    baseline = make_baseline(tmp_path)
    main = tmp_path / "infra" / "main.tf"
    main.write_text(TF.replace('"public-read"', '"public-read-write"'))
    result = scan(tmp_path, baseline)
    assert result.exit_code == 1
    assert [f["rule_id"] for f in json.loads(result.output)["findings"]] == ["PL111"]


def test_a_second_identical_finding_is_new(tmp_path):
    baseline = make_baseline(tmp_path)
    main = tmp_path / "infra" / "main.tf"
    main.write_text(TF + '\nresource "aws_s3_bucket" "c" {\n  bucket = "acme-c"\n  acl    = "public-read"\n}\n')
    data = json.loads(scan(tmp_path, baseline).output)
    assert [f["resource"] for f in data["findings"]] == ["aws_s3_bucket.c"]
    assert data["summary"]["baselined"] == 1


def test_bad_baseline_file_is_exit_2(tmp_path):
    make_baseline(tmp_path)
    broken = tmp_path / "broken.json"
    broken.write_text('{"version": 7}')
    result = run("scan", str(tmp_path / "infra"), "--baseline", str(broken))
    assert result.exit_code == 2 and "is not a policylint baseline" in result.output
    missing = run("scan", str(tmp_path / "infra"), "--baseline", str(tmp_path / "nope.json"))
    assert missing.exit_code == 2 and "cannot read the baseline" in missing.output


def test_fingerprint_ignores_lines_only():
    finding = Finding("PL111", "s3-public-acl", "high", "Canned ACL `public-read` ...", "infra/main.tf", 3, 3, "aws_s3_bucket.a", "terraform")
    same = fingerprint(finding)
    assert fingerprint(replace(finding, line=30, end_line=31)) == same
    assert fingerprint(replace(finding, severity="low")) == same
    assert fingerprint(replace(finding, message="A cycle (first on line 4)")) == fingerprint(replace(finding, message="A cycle (first on line 9)"))
    for change in (dict(rule_id="PL109"), dict(file="infra/other.tf"), dict(resource="aws_s3_bucket.b"), dict(message="Canned ACL `public-read-write`")):
        assert fingerprint(replace(finding, **change)) != same, change
