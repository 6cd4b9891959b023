"""Suppressions: inline comments (HCL, YAML, other text), CloudFormation Metadata, config
per-path ignores, and PL000 for stale or unknown ones."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.commands import cli
from policylint.engine import lint_paths
from policylint.suppressions import _yaml_comments, parse_directive

ALWAYS = ["PL000", "PL101", "PL111", "PL109", "PL201"]


def write(tmp_path, files: dict[str, str]):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def lint(tmp_path, files, select=ALWAYS, **options):
    write(tmp_path, files)
    options.setdefault("suppress", True)
    report = lint_paths([str(tmp_path)], select=select, **options)
    assert not report.errors, report.errors
    return report


def found(report, tmp_path):
    return sorted((f.rule_id, str(Path(f.file).relative_to(tmp_path)), f.line, f.severity) for f in report.findings)


def suppressed(report, tmp_path):
    return sorted((s.finding.rule_id, str(Path(s.finding.file).relative_to(tmp_path)), s.finding.line, s.suppression.kind) for s in report.suppressed)


# --------------------------------------------------------------------------- the directive


@pytest.mark.parametrize(
    "comment, expected",
    [
        ("# policylint:ignore PL101", (["PL101"], None)),
        ("# policylint:ignore PL101,s3-public-acl -- reviewed by sec", (["PL101", "s3-public-acl"], "reviewed by sec")),
        ("#policylint: ignore PL101 , PL111", (["PL101", "PL111"], None)),
        ("// POLICYLINT:IGNORE pl101 --", (["pl101"], None)),
        ("/* policylint:ignore PL101 -- why */", (["PL101"], "why")),
        ("# policylint:ignore", ([], None)),
        ("# policylint:ignore PL1$1", ([], None)),
        ("# an ordinary comment", None),
    ],
)
def test_parse_directive(comment, expected):
    assert parse_directive(comment) == expected


def test_yaml_comments_skip_hashes_inside_scalars():
    text = textwrap.dedent('''\
        a: "x # policylint:ignore PL1"   # real one
        b: 'y # no'
        c: z#not-a-comment
        d: |
          # inside a block scalar
          echo "#"

        # own line
        e: [1, 2] # trailing
    ''')
    comments = [(c.line, c.text, c.alone) for c in _yaml_comments(text)]
    assert comments == [(1, "# real one", False), (8, "# own line", True), (9, "# trailing", False)]


# --------------------------------------------------------------------------- Terraform


LOOP_TF = """\
resource "aws_s3_bucket" "a" {
  bucket = "acme-a"
}

resource "aws_s3_bucket_logging" "a" {
  bucket        = aws_s3_bucket.a.id
  target_bucket = aws_s3_bucket.a.id
}
"""


def test_trailing_comment_covers_its_line_only(tmp_path):
    report = lint(tmp_path, {"main.tf": """\
        resource "aws_s3_bucket" "v3" {
          bucket = "acme-v3"
          acl    = "public-read" # policylint:ignore PL111 -- legacy website
        }

        resource "aws_s3_bucket" "other" {
          bucket = "acme-other" # policylint:ignore PL111
          acl    = "public-read"
        }
    """})
    assert suppressed(report, tmp_path) == [("PL111", "main.tf", 3, "comment")]
    assert found(report, tmp_path) == [("PL000", "main.tf", 7, "info"), ("PL111", "main.tf", 8, "high")]
    assert report.suppressed[0].suppression.reason == "legacy website"


def test_own_line_comment_covers_a_multi_line_attribute(tmp_path):
    report = lint(tmp_path, {"main.tf": """\
        resource "aws_s3_bucket" "v3" {
          bucket = "acme-v3"
          # policylint:ignore PL111 -- reviewed
          # (a second comment line is skipped)
          grant {
            type        = "Group"
            uri         = "http://acs.amazonaws.com/groups/global/AllUsers"
            permissions = ["READ"]
          }
        }
    """})
    assert suppressed(report, tmp_path) == [("PL111", "main.tf", 7, "comment")]
    assert found(report, tmp_path) == []


def test_comment_before_block_header_covers_the_resource_in_other_files(tmp_path):
    """A split `aws_s3_bucket_logging` in another file of the module reports on the bucket: an
    ignore above the bucket's header covers it."""
    report = lint(tmp_path, {
        "buckets.tf": """\
            // policylint:ignore PL101 -- the audit trail bucket logs to itself on purpose
            resource "aws_s3_bucket" "a" {
              bucket = "acme-a"
            }
        """,
        "logging.tf": LOOP_TF.split("\n\n", 1)[1],
    })
    assert suppressed(report, tmp_path) == [("PL101", "logging.tf", 3, "comment")]
    assert found(report, tmp_path) == []


def test_blank_line_ends_an_own_line_comment(tmp_path):
    report = lint(tmp_path, {"main.tf": "# policylint:ignore PL101\n\n" + LOOP_TF})
    assert found(report, tmp_path) == [("PL000", "main.tf", 1, "info"), ("PL101", "main.tf", 9, "high")]


def test_hashes_in_strings_and_heredocs_are_not_comments(tmp_path):
    report = lint(tmp_path, {"main.tf": """\
        resource "aws_s3_bucket" "a" {
          bucket = "acme-a"
          tags = {
            note = "see http://x # policylint:ignore PL111"
          }
          policy = <<EOF
        # policylint:ignore PL101
        EOF
        }

        resource "aws_s3_bucket_logging" "a" {
          bucket        = aws_s3_bucket.a.id
          target_bucket = aws_s3_bucket.a.id
        }
    """})
    assert found(report, tmp_path) == [("PL101", "main.tf", 13, "high")]
    assert report.suppressed == []


def test_unknown_rule_name_is_a_warning_even_when_pl000_is_not_selected(tmp_path):
    files = {"main.tf": LOOP_TF.replace("target_bucket = aws_s3_bucket.a.id", "target_bucket = aws_s3_bucket.a.id # policylint:ignore PL101, s3-logging-lop")}
    report = lint(tmp_path, files, select=["PL101"])
    (warning,) = report.findings
    assert (warning.rule_id, warning.severity, warning.line) == ("PL000", "low", 7)
    assert "`s3-logging-lop` is not a policylint rule" in warning.message
    assert suppressed(report, tmp_path) == [("PL101", "main.tf", 7, "comment")]
    assert lint(tmp_path, files, select=["PL101"], ignore=["unused-suppression"]).findings == []


def test_suppression_of_a_rule_that_did_not_run_is_not_stale(tmp_path):
    report = lint(tmp_path, {"main.tf": '# policylint:ignore PL111\nresource "aws_s3_bucket" "a" {\n  bucket = "x"\n}\n'}, select=["PL000", "PL101"])
    assert report.findings == []


def test_malformed_directive_is_reported(tmp_path):
    report = lint(tmp_path, {"main.tf": 'resource "aws_s3_bucket" "a" { # policylint:ignore\n  bucket = "x"\n}\n'})
    assert [(f.rule_id, f.severity, f.line) for f in report.findings] == [("PL000", "low", 1)]
    assert "Malformed suppression" in report.findings[0].message


def test_without_suppress_comments_are_ignored(tmp_path):
    report = lint(tmp_path, {"main.tf": LOOP_TF.replace("target_bucket = aws_s3_bucket.a.id", "target_bucket = aws_s3_bucket.a.id # policylint:ignore PL101")}, suppress=False)
    assert [f.rule_id for f in report.findings] == ["PL101"]


# --------------------------------------------------------------------------- CloudFormation


CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  # policylint:ignore PL101 -- this bucket is a sink
  Sink:
    Type: AWS::S3::Bucket
    Properties:
      LoggingConfiguration:
        LogFilePrefix: self/
  Site:
    Type: AWS::S3::Bucket
    Metadata:
      policylint:
        ignore:
          - PL111
          - {rule: s3-logging-loop, reason: "website logs"}
          - rule: PL109
            reason: never matched
    Properties:
      AccessControl: PublicRead
      LoggingConfiguration:
        LogFilePrefix: self/
  Open:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: PublicRead # policylint:ignore PL111
"""


def test_cloudformation_comments_and_resource_metadata(tmp_path):
    report = lint(tmp_path, {"t.yaml": CFN})
    assert suppressed(report, tmp_path) == [
        ("PL101", "t.yaml", 7, "comment"),
        ("PL101", "t.yaml", 20, "metadata"),
        ("PL111", "t.yaml", 19, "metadata"),
        ("PL111", "t.yaml", 25, "comment"),
    ]
    assert found(report, tmp_path) == [("PL000", "t.yaml", 16, "info")]
    assert report.findings[0].resource == "Site"
    reasons = {s.suppression.line: s.suppression.reason for s in report.suppressed}
    assert reasons[15] == "website logs" and reasons[3] == "this bucket is a sink"


def test_template_metadata_in_json_covers_the_file(tmp_path):
    template = """\
        {
          "Metadata": {"policylint": {"ignore": ["PL109", {"rule": "PL111", "reason": "demo"}, "no-such-rule"]}},
          "Resources": {
            "Site": {
              "Type": "AWS::S3::Bucket",
              "Properties": {
                "AccessControl": "PublicRead",
                "PublicAccessBlockConfiguration": {"BlockPublicAcls": false}
              }
            }
          }
        }
    """
    report = lint(tmp_path, {"t.json": template})
    assert {(s.finding.rule_id, s.suppression.kind) for s in report.suppressed} == {("PL109", "metadata"), ("PL111", "metadata")}
    assert [(f.rule_id, f.severity, f.line) for f in report.findings] == [("PL000", "low", 2)]


def test_malformed_metadata_is_reported(tmp_path):
    report = lint(tmp_path, {"t.yaml": "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Metadata:\n      policylint:\n        ignore: PL111\n"})
    assert [(f.rule_id, f.severity, f.line) for f in report.findings] == [("PL000", "low", 5)]


# --------------------------------------------------------------------------- text files and config


KEYS = 'export AWS_ACCESS_KEY_ID=AKIA4POLICYLINTFIX08\nexport AWS_SECRET_ACCESS_KEY="Zr7Kp2Wm/Tq9Lx4Bv+Nc6Hs1Jd8Fg3Ay5Ue0Oi2R"\n'


def test_plain_text_file_comment(tmp_path):
    lines = KEYS.splitlines()
    text = "#!/bin/sh\n# policylint:ignore PL201 -- rotated test keys\n" + lines[0] + "\n" + lines[1] + "  # policylint:ignore hardcoded-aws-credentials\n"
    report = lint(tmp_path, {"deploy.sh": text})
    assert suppressed(report, tmp_path) == [("PL201", "deploy.sh", 3, "comment"), ("PL201", "deploy.sh", 4, "comment")]
    assert report.findings == []


def test_config_per_path_ignores(tmp_path):
    from policylint.config import load

    write(tmp_path, {
        ".policylint.toml": '[per-path-ignores]\n"plans/*.json" = ["PL201"]\n"gone/**" = ["PL101"]\n"*.sh" = ["PL111"]\n',
        "plans/creds.json": '{"x": "AKIA4POLICYLINTFIX08", "AWS_SECRET_ACCESS_KEY": "Zr7Kp2Wm/Tq9Lx4Bv+Nc6Hs1Jd8Fg3Ay5Ue0Oi2R"}\n',
        "deploy.sh": "echo hi\n",
    })
    config = load(str(tmp_path / ".policylint.toml"))
    report = lint_paths([str(tmp_path)], select=ALWAYS, config=config)
    assert {s.finding.rule_id for s in report.suppressed} == {"PL201"}
    assert {s.suppression.kind for s in report.suppressed} == {"config"}
    # `gone/**` matches no scanned file (nothing to judge); `*.sh` matches one but hides nothing.
    assert [(f.rule_id, f.line) for f in report.findings] == [("PL000", 4)]


def test_cli_counts_and_lists_suppressed(tmp_path):
    write(tmp_path, {"t.yaml": CFN})
    runner = CliRunner()
    plain = runner.invoke(cli, ["scan", str(tmp_path), "--select", ",".join(ALWAYS), "--no-config"])
    assert plain.exit_code == 0, plain.output
    assert plain.output.splitlines()[-1] == "1 finding (1 info) in 1 file; 4 suppressed (2 by inline comment, 2 by CloudFormation Metadata)."
    shown = runner.invoke(cli, ["scan", str(tmp_path), "--select", ",".join(ALWAYS), "--no-config", "--show-suppressed"])
    listed = [line for line in shown.output.splitlines() if "[suppressed by" in line]
    assert len(listed) == 4
    assert listed[0].endswith(f"[suppressed by inline comment at {tmp_path / 't.yaml'}:3: this bucket is a sink]")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='"\\'), max_size=40))
def test_yaml_hash_inside_a_quoted_value_is_never_a_comment(value):
    text = f'key: "{value} # policylint:ignore PL101"  # the real one\n'
    comments = _yaml_comments(text)
    assert comments is not None and [c.text for c in comments] == ["# the real one"]


def test_config_severity_override_applies_to_pl000(tmp_path):
    from policylint.config import load

    write(tmp_path, {".policylint.toml": 'severity = { unused-suppression = "medium" }\n', "main.tf": '# policylint:ignore PL111\nresource "aws_s3_bucket" "a" {\n  bucket = "x"\n}\n'})
    report = lint_paths([str(tmp_path)], select=ALWAYS, config=load(str(tmp_path / ".policylint.toml")), suppress=True)
    assert [(f.rule_id, f.severity) for f in report.findings] == [("PL000", "medium")]
