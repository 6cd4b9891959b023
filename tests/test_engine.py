"""The engine: file discovery, format detection, rule selection, resilience."""

from __future__ import annotations

import gc

import pytest
from fixture_cases import FIXTURES

from policylint import discover, engine, parsers
from policylint.catalogue import UsageError, catalogue
from policylint.engine import lint_paths

LOOP_TF = 'resource "aws_s3_bucket" "a" {\n  bucket = "acme-a"\n  logging {\n    target_bucket = "acme-a"\n  }\n}\n'


def codes(report):
    return sorted({f.rule_id for f in report.findings})


def test_walk_skips_vcs_terraform_cache_node_modules_and_excludes(tmp_path):
    for folder in (".git", ".terraform/modules/x", "node_modules/pkg", "vendor", "infra"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "main.tf").write_text(LOOP_TF)
    report = lint_paths([str(tmp_path)], select=["PL101"], exclude=["vendor"])
    assert sorted({f.file for f in report.findings}) == [str(tmp_path / "infra" / "main.tf")]
    report = lint_paths([str(tmp_path)], select=["PL101"], exclude=["vendor", "*/infra/*"])
    assert report.findings == []


def test_json_is_recognised_by_content(tmp_path):
    (tmp_path / "template.json").write_text('{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"AccessControl": "PublicRead"}}}}')
    (tmp_path / "policy.json").write_text('{"Version": "2012-10-17", "Statement": []}')
    (tmp_path / "package.json").write_text('{"name": "x", "version": "1.0.0"}')
    (tmp_path / "values.yaml").write_text("replicas: 3\nimage: nginx\n")
    report = lint_paths([str(tmp_path)], select=["PL111"])
    assert [(f.file, f.format) for f in report.findings] == [(str(tmp_path / "template.json"), "cloudformation")]
    assert report.errors == []
    assert report.files == 4


def test_classify():
    assert parsers.detect("a.tf", "") == "terraform"
    assert parsers.detect("a.tfvars", "") == "terraform"
    assert parsers.detect("a.json", '{"format_version": "1.2", "terraform_version": "1.9", "planned_values": {}}') == "plan"
    assert parsers.detect("a.json", '{"Statement": []}') == "policy"
    assert parsers.detect("a.yml", "Resources:\n  A: {Type: AWS::S3::Bucket}\n") == "cloudformation"
    assert parsers.detect("a.yml", "steps: []\n") == "text"
    assert parsers.detect("deploy.sh", "echo hi") == "text"


def test_binary_and_undecodable_files_are_skipped(tmp_path):
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "blob.dat").write_bytes(b"\xff\xfe\x00garbage")
    report = lint_paths([str(tmp_path)])
    assert report.files == 0 and report.errors == []


def test_infrastructure_files_that_cannot_be_read_are_errors_not_skipped(tmp_path):
    (tmp_path / "latin1.tf").write_bytes(b'# caf\xe9\nresource "aws_s3_bucket" "b" {\n  acl = "public-read"\n}\n')
    (tmp_path / "windows.tf").write_bytes('resource "aws_s3_bucket" "w" {\n  acl = "public-read"\n}\n'.encode("utf-16"))
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "missing.yaml")
    report = lint_paths([str(tmp_path), str(tmp_path / ".")], select=["PL111"])
    assert [(e.file, e.message) for e in report.errors] == [
        (str(tmp_path / "dangling.yaml"), "cannot read the file: No such file or directory"),
        (str(tmp_path / "latin1.tf"), "not UTF-8 text (byte 0xe9 on line 1); save the file as UTF-8"),
    ]
    # UTF-16 with a byte-order mark is read; the directory given twice is scanned once
    assert [(f.file, f.line) for f in report.findings] == [(str(tmp_path / "windows.tf"), 2)]


def test_large_plans_are_scanned(tmp_path, monkeypatch):
    monkeypatch.setattr(discover, "MAX_TEXT_BYTES", 100)
    plan = '{"format_version": "1.2", "terraform_version": "1.9.5", "planned_values": {"root_module": {"resources": [{"address": "aws_s3_bucket.b", "mode": "managed", "type": "aws_s3_bucket", "name": "b", "values": {"bucket": "acme-b", "acl": "public-read"}}]}}}'
    (tmp_path / "plan.json").write_text(plan + " " * 500)
    (tmp_path / "notes.txt").write_text("x" * 500)
    report = lint_paths([str(tmp_path)], select=["PL111"])
    assert [f.rule_id for f in report.findings] == ["PL111"] and report.files == 1


def test_a_terraform_directory_is_one_module(tmp_path):
    (tmp_path / "buckets.tf").write_text('resource "aws_s3_bucket" "a" {\n  bucket = var.name\n}\n')
    (tmp_path / "variables.tf").write_text('variable "name" {\n  default = "acme-a"\n}\n')
    (tmp_path / "logging.tf").write_text('resource "aws_s3_bucket_logging" "a" {\n  bucket        = aws_s3_bucket.a.id\n  target_bucket = "acme-a"\n}\n')
    report = lint_paths([str(tmp_path)], select=["PL101"])
    assert [(f.file, f.line) for f in report.findings] == [(str(tmp_path / "logging.tf"), 3)]


def test_a_rule_that_raises_becomes_an_error_at_the_item_it_was_checking(tmp_path, monkeypatch):
    from policylint.model import S3Bucket

    (tmp_path / "main.tf").write_text(LOOP_TF)
    rule = catalogue().find("PL111")

    def broken(self, bucket, scan):
        raise RuntimeError("boom")

    monkeypatch.setattr(rule, "on", S3Bucket)
    monkeypatch.setattr(rule, "check", broken)
    report = lint_paths([str(tmp_path)], select=["PL101", "PL111"])
    assert codes(report) == ["PL101"]  # the other rules still run
    assert {(e.file, e.kind) for e in report.errors} == {(str(tmp_path / "main.tf"), "internal")}
    assert all("rule PL111 failed" in e.message and "boom" in e.message for e in report.errors)
    assert all(e.line is not None for e in report.errors)


def test_a_scan_wide_rule_that_raises_is_an_internal_error(tmp_path, monkeypatch):
    (tmp_path / "main.tf").write_text(LOOP_TF)
    rule = catalogue().find("PL101")

    def broken(self, scan):
        raise RuntimeError("boom")

    monkeypatch.setattr(rule, "on", None)
    monkeypatch.setattr(rule, "check", broken)
    report = lint_paths([str(tmp_path)], select=["PL101"])
    (error,) = report.errors
    assert error.kind == "internal" and "rule PL101 failed" in error.message


def test_a_parser_crash_is_an_error_not_a_traceback(tmp_path, monkeypatch):
    from policylint.parsers import cloudformation

    (tmp_path / "t.yaml").write_text("Resources:\n  A:\n    Type: AWS::S3::Bucket\n")
    (tmp_path / "main.tf").write_text(LOOP_TF)
    monkeypatch.setattr(cloudformation, "parse", lambda text, path: 1 / 0)
    report = lint_paths([str(tmp_path)], select=["PL101"])
    assert [e.file for e in report.errors] == [str(tmp_path / "t.yaml")]
    assert report.errors[0].kind == "internal"
    assert codes(report) == ["PL101"]


def test_selectors():
    """One reading of names for the engine, config and suppressions: codes, slugs, prefixes, ALL."""
    every = {r.code for r in catalogue().checks}
    assert {r.code for r in catalogue().select()} == every
    assert {r.code for r in catalogue().select(["PL4"])} == {c for c in every if c.startswith("PL4")}
    assert {r.code for r in catalogue().select(["s3-logging-loop", "pl401"])} == {"PL101", "PL401"}
    assert "PL101" not in {r.code for r in catalogue().select(ignore=["PL101"])}
    assert {r.code for r in catalogue().select(["ALL"], ["PL1"])} == {c for c in every if not c.startswith("PL1")}
    with pytest.raises(UsageError, match="unknown rule `PL999`"):
        catalogue().select(["PL999"])
    with pytest.raises(UsageError):
        catalogue().select(ignore=["not-a-rule"])


def test_findings_are_sorted_and_unique(tmp_path):
    (tmp_path / "b.tf").write_text(LOOP_TF)
    (tmp_path / "a.yaml").write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: PublicRead\n")
    report = lint_paths([str(tmp_path)])
    keys = [f.sort_key() for f in report.findings]
    assert keys == sorted(keys) and len(set(report.findings)) == len(report.findings)


def test_catalogue_answers_severity_and_meta_questions():
    from policylint.catalogue import at_least

    assert at_least("high", "medium") and at_least("low", "low") and not at_least("info", "low")
    every = catalogue()
    assert [r.code for r in every.meta] == ["PL000"]
    assert "PL000" not in {r.code for r in every.checks}
    assert every.is_selected(every.find("PL000")) and not every.is_selected(every.find("PL000"), ignore=["PL0"])
    assert every.codes(["ALL"]) == {r.code for r in every.every}


_FOREACH_BUCKETS = """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Buckets:
    - Name
    - [Alpha, Bravo, Charlie, Delta, Echo]
    - Bucket${Name}:
        Type: AWS::S3::Bucket
"""


def test_findings_keep_one_order_whatever_the_hash_seed(tmp_path):
    # Resources generated from one line share file, line, rule and message: the report must still
    # list them in the same order in every run (baselines, diffs and golden files rely on it).
    import json
    import os
    import subprocess
    import sys

    (tmp_path / "loop.yaml").write_text(_FOREACH_BUCKETS)
    orders = set()
    for seed in ("1", "2", "3"):
        out = subprocess.run(
            [sys.executable, "-m", "policylint", "scan", "--no-cache", "--no-config", "--format", "json", "--exit-zero", "loop.yaml"],
            cwd=tmp_path, env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, text=True, check=True,
        ).stdout
        orders.add(tuple((f["rule_id"], f["resource"]) for f in json.loads(out)["findings"]))
    assert len(orders) == 1, orders
    (order,) = orders
    assert len({resource for _, resource in order}) == 5  # every generated bucket is reported


def test_parsing_leaves_no_reference_cycles():
    """The engine freezes each parsed document out of the garbage collector's sight at once
    (engine.parse): a parser's garbage held in reference cycles would then stay for the whole
    scan.  (Before they left none, collecting it took a sixth of a CloudFormation scan.)"""
    files, _ = discover.discover([str(FIXTURES)], ())
    texts, _, _ = engine.read(files)
    units = parsers.units(texts)
    assert {unit.format for unit in units} >= {"terraform", "cloudformation", "plan", "policy"}
    engine.parse(units)  # imports and one-time tables first: their cycles are not the parsers'
    gc.collect()
    collecting = gc.isenabled()
    gc.disable()
    try:
        documents = engine.parse(units)  # kept alive: cycles inside a document are its own
        assert gc.collect() == 0
    finally:
        if collecting:
            gc.enable()
    assert len(documents) == len(units)


def test_parse_with_freeze_freezes_each_document_and_still_reports_progress(tmp_path):
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.yaml").write_text(f"Resources:\n  {name.upper()}:\n    Type: AWS::S3::Bucket\n")
    texts, _, _ = engine.read(discover.discover([str(tmp_path)], ())[0])
    units = parsers.units(texts)
    seen = []

    def progress(done, total):
        seen.append((done, total, gc.get_count()[0]))

    frozen = gc.get_freeze_count()
    try:
        documents = engine.parse(units, engine.Options(progress=progress), freeze=True)
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()  # (back in the collector's sight: the test's documents are freed as usual)
    assert [(done, total) for done, total, _ in seen] == [(1, 3), (2, 3), (3, 3)]
    assert all(young < 50 for _, _, young in seen)  # frozen before each report: no young objects left
    assert len(documents) == 3
