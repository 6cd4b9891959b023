"""Policy documents of every resource type, found once each, named in messages, with unique
SARIF fingerprints; malformed and huge documents stay findings, fast."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from policylint.engine import lint_paths
from policylint.reporters import RenderOptions
from policylint.reporters.sarif import to_dict

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"

ROLE_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Worker:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              Service: ec2.amazonaws.com
            Action: sts:AssumeRole
      Policies:
        - PolicyName: read
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: "*"
                Resource: "*"
        - PolicyName: write
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: "*"
                Resource: "*"
"""


def _fingerprints(report, root) -> list[str]:
    results = to_dict(report, RenderOptions(root=str(root)))["runs"][0]["results"]
    return [r["partialFingerprints"]["policylint/v1"] for r in results]


def test_messages_name_the_policy_and_fingerprints_differ(tmp_path):
    (tmp_path / "role.yaml").write_text(ROLE_TEMPLATE)
    report = lint_paths([str(tmp_path)])
    versions = sorted(f.message.split(" has no")[0] for f in report.findings if f.rule_id == "PL205")
    assert versions == ["Inline policy `read`", "Inline policy `write`", "Trust policy"]
    wildcards = sorted(f.message.split(" allows")[0] for f in report.findings if f.rule_id == "PL203")
    assert wildcards == ["Statement 1 of the inline policy `read`", "Statement 1 of the inline policy `write`"]
    fingerprints = _fingerprints(report, tmp_path)
    assert len(fingerprints) == len(set(fingerprints)) == len(report.findings)


def test_sarif_fingerprints_are_unique_even_for_equal_messages(tmp_path):
    """Two findings with the same rule, file, resource and message on different lines."""
    from policylint.report import Finding, Report

    same = dict(rule_id="PL205", rule="iam-policy-version", severity="low", message="Policy has no `Version`", file=str(tmp_path / "a.json"), end_line=1, resource=None, format="policy")
    report = Report(findings=[Finding(line=1, **same), Finding(line=9, **same)])
    first, second = _fingerprints(report, tmp_path)
    assert first != second and second.startswith(first)


def test_a_policy_file_read_by_a_module_is_checked_once(tmp_path):
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_policy" "admin" {\n  name   = "admin"\n  policy = file("${path.module}/admin.json")\n}\n'
    )
    (tmp_path / "admin.json").write_text(json.dumps({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}, indent=2))
    report = lint_paths([str(tmp_path)])
    found = Counter((f.rule_id, Path(f.file).name, f.line) for f in report.findings)
    assert found == {("PL205", "admin.json", 1): 1, ("PL203", "admin.json", 5): 1}
    assert {f.resource for f in report.findings} == {"aws_iam_policy.admin"}


def test_a_cloudformation_policy_string_that_is_not_json_is_a_finding_not_an_error(tmp_path):
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: |\n"
        '        {"Version": "2012-10-17",\n         "Statement": [{"Effect": "Allow" "Action": "s3:GetObject", "Resource": "*"}]}\n'
    )
    report = lint_paths([str(tmp_path)])
    assert not report.errors
    assert [(f.rule_id, f.line) for f in report.findings] == [("PL204", 7)]


@pytest.mark.parametrize(
    "principal, conditions, public",
    [
        ('"*"', "", True),
        ('"*"', 'source_account = "123456789012"', False),
        ('"*"', 'source_arn = "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3/*/GET/"', False),
        ('"*"', 'source_arn = "arn:aws:s3:::*"', True),
        ('"*"', 'principal_org_id = "o-a1b2c3d4e5"', False),
        ('"events.amazonaws.com"', "", False),
        ('"123456789012"', "", False),
        ("var.caller", "", False),
    ],
)
def test_lambda_permission(tmp_path, principal, conditions, public):
    (tmp_path / "main.tf").write_text(
        'variable "caller" {}\n'
        f'resource "aws_lambda_permission" "p" {{\n  action = "lambda:InvokeFunction"\n  function_name = "f"\n  principal = {principal}\n  {conditions}\n}}\n'
    )
    report = lint_paths([str(tmp_path)])
    assert not report.errors
    assert [f.line for f in report.findings if f.rule_id == "PL207"] == ([5] if public else [])
    assert not [f for f in report.findings if f.rule_id in ("PL204", "PL205")]


def test_an_opensearch_domain_policy_follows_its_domain(tmp_path):
    policy = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "es:*", "Resource": "*"}]}'
    domains = {"open": "", "private": 'vpc_options {\n    subnet_ids = ["subnet-1"]\n  }'}
    text = "".join(
        f'resource "aws_opensearch_domain" "{name}" {{\n  domain_name = "{name}"\n  {block}\n}}\n'
        f'resource "aws_opensearch_domain_policy" "{name}" {{\n  domain_name = aws_opensearch_domain.{name}.domain_name\n  access_policies = {json.dumps(policy)}\n}}\n'
        for name, block in domains.items()
    )
    text += f'resource "aws_opensearch_domain_policy" "unknown" {{\n  domain_name = var.domain\n  access_policies = {json.dumps(policy)}\n}}\nvariable "domain" {{}}\n'
    (tmp_path / "main.tf").write_text(text)
    report = lint_paths([str(tmp_path)])
    assert [f.resource for f in report.findings if f.rule_id == "PL207"] == ["aws_opensearch_domain_policy.open"]


def _run(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "policylint", "scan", "--no-cache", "--format", "json", "--max-file-size", str(10**9), str(path)],
        capture_output=True, text=True, timeout=600,
    )


def test_huge_policies_stay_linear(tmp_path):
    """Hang guard (not a timing test): 10,000 statements, half of them conditional Denies that
    each public Allow could be weighed against, and a 100,000-entry principal list."""
    statements = []
    for i in range(5000):
        statements.append({"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": f"arn:aws:sqs:eu-west-1:123456789012:q{i}"})
        statements.append({"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:SourceVpce": f"vpce-{i}"}}})
    (tmp_path / "queue.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": statements}))
    principals = [f"arn:aws:iam::{100000000000 + i}:root" for i in range(100_000)]
    (tmp_path / "bucket.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": principals + ["*"]}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-big/*"},
    ]}))
    result = _run(tmp_path)
    assert result.returncode in (0, 1), result.stderr
    findings = json.loads(result.stdout)["findings"]
    by_rule = Counter((Path(f["file"]).name, f["rule_id"]) for f in findings)
    assert by_rule[("bucket.json", "PL110")] == 1
    assert by_rule[("queue.json", "PL207")] == 0  # too many Denies to weigh: no conclusion


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_no_two_sarif_results_share_a_fingerprint_on_the_corpus():
    """Distinct by what they say, not by the SARIF writer's `:2` for a repeated fingerprint."""
    from policylint.report import fingerprint

    root = CORPUS / "cloudformation"
    report = lint_paths([str(root)])
    fingerprints = [fingerprint(f, str(root)) for f in report.findings]
    assert len(fingerprints) > 100
    assert [f for f, n in Counter(fingerprints).items() if n > 1] == []


@pytest.mark.parametrize("written", ["42", "[]", "", "[{Effect: Allow}]"])
def test_a_policy_that_is_not_an_object_is_a_finding(tmp_path, written):
    (tmp_path / "t.yaml").write_text(f"Resources:\n  Q:\n    Type: AWS::SQS::QueuePolicy\n    Properties:\n      Queues: [q]\n      PolicyDocument: {written}\n")
    report = lint_paths([str(tmp_path)])
    assert not report.errors
    assert [(f.rule_id, f.line) for f in report.findings] == [("PL204", 6)]


def test_a_policy_file_is_not_a_bucket_policy_when_the_bucket_has_one(tmp_path):
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: example-b\n"
        "  P:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref B\n      PolicyDocument:\n"
        "        Version: '2012-10-17'\n        Statement:\n          - Effect: Deny\n            Principal: '*'\n"
        "            Action: 's3:*'\n            Resource: ['arn:aws:s3:::example-b', 'arn:aws:s3:::example-b/*']\n"
        "            Condition: {Bool: {'aws:SecureTransport': 'false'}}\n"
    )
    (tmp_path / "copy.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-b/*"},
    ]}))
    report = lint_paths([str(tmp_path)])
    # The file is judged on its own (no TLS deny in it), the template's policy with its bucket.
    assert sorted((Path(f.file).name, f.resource) for f in report.findings if f.rule_id == "PL104") == [("copy.json", None)]


def test_a_raw_trust_policy_open_to_everyone_is_not_a_resource_policy_finding(tmp_path):
    (tmp_path / "trust.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "x"}}},
    ]}))
    assert not [f for f in lint_paths([str(tmp_path)]).findings if f.rule_id == "PL207"]


def test_a_policy_names_its_bucket_by_the_same_unresolved_expression(tmp_path):
    (tmp_path / "t.yaml").write_text(
        "Parameters:\n  AppName: {Type: String}\nResources:\n"
        "  Data:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub ${AppName}-data\n"
        "  Other:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub ${AppName}-other\n"
        "  DataPolicy:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Sub ${AppName}-data\n"
        "      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n"
        "            Principal: '*'\n            Action: s3:GetObject\n            Resource: !Sub arn:aws:s3:::${AppName}-data/*\n"
    )
    report = lint_paths([str(tmp_path)])
    assert [(f.line, f.resource) for f in report.findings if f.rule_id == "PL110"] == [(20, "Data")]
