"""Parse errors with context: reported at the line of the cause, in plain words."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from policylint.commands import cli
from policylint.parsers.hcl_unclosed import unclosed


def scan_error(tmp_path, name: str, text: str) -> tuple[int, str]:
    (tmp_path / name).write_text(text)
    result = CliRunner().invoke(cli, ["scan", str(tmp_path / name), "--format", "json", "--no-config"])
    assert result.exit_code == 2, result.output
    (error,) = json.loads(result.stdout)["errors"]
    return error["line"], error["message"]


@pytest.mark.parametrize("text, line, message", [
    ("Resources:\n  A:\n\tType: AWS::S3::Bucket\n", 3, "a tab character: YAML indents with spaces only"),
    ("Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties: [unclosed\n", 4, "unclosed `[`: the list that starts on this line has no `]`"),
    ("Resources:\n  A: {Type: AWS::S3::Bucket\n  B:\n    Type: AWS::SNS::Topic\n", 2, "unclosed `{`: the mapping that starts on this line has no `}`"),
    ('Resources:\n  A:\n    Type: "AWS::S3::Bucket\n    Properties: {}\n', 3, "unclosed quote: the quoted string that starts on this line is not closed"),
    ("Resources:\n  A:\n    Type: AWS::S3::Bucket\n   Properties: {}\n", 4, "bad indentation: this line does not line up with the mapping that starts on line 2"),
    ("Resources:\n  A:\n    Type: AWS::S3::Bucket\n      Properties: {}\n", 4, "`:` is not allowed here: check the indentation of this line"),
    ("Resources:\n  A:\n    Type: @bucket\n", 3, "`@` cannot start a value here: put the value in quotes"),
], ids=["tab", "unclosed-list", "unclosed-mapping", "unclosed-quote", "dedent", "indent", "reserved-char"])
def test_yaml_errors(tmp_path, text, line, message):
    assert scan_error(tmp_path, "t.yaml", text)[0] == line
    assert scan_error(tmp_path, "t.yaml", text)[1].startswith(message)


@pytest.mark.parametrize("text, line, message", [
    ('resource "aws_s3_bucket" "a" {\n  bucket = "a"\n\nresource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n\n\n', 1,
     "invalid HCL: the block or object `{` opened on this line is never closed (a missing `}`)"),
    ('resource "aws_s3_bucket" "a" {\n  bucket = "a\n  acl    = "private"\n}\n', 2,
     'invalid HCL: the string that starts on this line is not closed (a missing `"`)'),
], ids=["unclosed-block", "unclosed-string"])
def test_hcl_errors_at_the_line_where_the_construct_began(tmp_path, text, line, message):
    assert scan_error(tmp_path, "main.tf", text) == (line, message)


def test_unclosed_scanner():
    assert unclosed('a = "${x}" # {\nb = [1, 2]\n') is None
    assert unclosed("a = {\n  b = <<EOT\n  }\n  EOT\n") == (1, "the block or object `{` opened on this line is never closed (a missing `}`)")
    assert unclosed("a = <<-EOT\n  x\n")[0] == 1
    assert unclosed('x {\n  a = "${b"\n')[0] == 2
    assert unclosed("a = [1]\n/* open\n") == (2, "the `/*` comment that starts on this line is not closed (a missing `*/`)")
    assert unclosed("a = (1]\n") is None  # a mismatch is left to the parser's message
    assert unclosed("{" * 100_000) == (1, "the block or object `{` opened on this line is never closed (a missing `}`)")
