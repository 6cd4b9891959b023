"""No message quotes a credential in full (#11 item 5): an AWS key pair planted in every kind of
syntax error and in every rule message that quotes a value, checked in all five output formats
and in the baseline file."""

from __future__ import annotations

import pytest

from policylint import baseline
from policylint.engine import Options, lint
from policylint.reporters import REPORTERS, RenderOptions, render
from policylint.secrets import mask_message

KEY_ID = "AKIAZ7QW3ERT5YUI2OPL"
SECRET = "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"
assert len(SECRET) == 40

FILES = {
    # an unterminated heredoc whose first line holds the secret
    "heredoc.tf": f'resource "aws_iam_policy" "p" {{\n  policy = <<EOF\n{SECRET} {KEY_ID}\n',
    "heredoc_alone.tf": f'resource "aws_iam_policy" "q" {{\n  policy = <<EOF\n{SECRET}\n',
    "broken.yaml": f"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B: {{Type: [{KEY_ID} {SECRET}\n",
    "broken-policy.json": f'{{"Version": "2012-10-17", "Statement": [{{"Sid": "{KEY_ID}", "Resource": "{SECRET}" "x"}}]}}',
    "broken-plan.json": f'{{"format_version": "1.2", "planned_values": {{"{KEY_ID}": "{SECRET}" {{',
    # rules that quote values: PL110 (a Sid), PL113 (a bucket name), PL204 (a Sid, a Resource)
    "template.yaml": f"""Resources:
  B:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: {SECRET}
  P:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref B
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: "{KEY_ID}{SECRET}"
            Effect: Allow
            Principal: "*"
            Action: "s3:{KEY_ID}"
            Resource: "arn:aws:s3:::{SECRET}/*"
""",
    "identity-policy.json": f'{{"Version": "2012-10-17", "Statement": [{{"Sid": "{SECRET}", "Effect": "Allow", "Action": "s3:{KEY_ID}", "Resource": "{SECRET}"}}]}}\n',
}


def _leaks(text: str) -> list[str]:
    pieces = [KEY_ID[4:], *(SECRET[i : i + 12] for i in range(0, 29))]
    return sorted({p for p in pieces if p in text})


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("planted")
    for name, text in FILES.items():
        (root / name).write_text(text)
    return lint([str(root)], Options()), root


def test_the_planted_values_are_reported(report):
    result, _ = report
    codes = {f.rule_id for f in result.findings}
    assert {"PL110", "PL113", "PL204", "PL201"} <= codes
    broken = {e.file.rsplit("/", 1)[-1] for e in result.errors}
    assert {"heredoc.tf", "heredoc_alone.tf", "broken.yaml", "broken-policy.json", "broken-plan.json"} <= broken


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_no_output_format_quotes_the_keys(report, name):
    result, root = report
    output = render(name, result, RenderOptions(root=str(root)))
    assert KEY_ID[:4] in output or "…" in output
    assert _leaks(output) == []


def test_the_baseline_file_does_not_quote_the_keys(report):
    result, root = report
    assert _leaks(baseline.render(result, str(root / "baseline.json"))) == []


def test_masking_keeps_other_text():
    assert mask_message("Bucket name `my-bucket-2024` is fine") == "Bucket name `my-bucket-2024` is fine"
    assert mask_message(f"Statement `{KEY_ID}` allows") == "Statement `AKIA…2OPL` allows"
    assert mask_message(f"on `arn:aws:s3:::{SECRET}`") == "on `arn:aws:s3:::Xq9L…`"
