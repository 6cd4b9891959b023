"""The same problem gives the same findings in every format, and messages say what the user wrote
(issue 13, item 9)."""

from __future__ import annotations

import json

import pytest

from policylint.engine import lint_paths

PAB_CFN_YAML = """Resources:
  Site:
    Type: AWS::S3::Bucket
    Properties:
      PublicAccessBlockConfiguration:
        BlockPublicAcls: false
        BlockPublicPolicy: false
        IgnorePublicAcls: true
"""
PAB_CFN_JSON = json.dumps({"Resources": {"Site": {"Type": "AWS::S3::Bucket", "Properties": {"PublicAccessBlockConfiguration": {
    "BlockPublicAcls": False, "BlockPublicPolicy": False, "IgnorePublicAcls": True}}}}}, indent=2)
PAB_TF = """resource "aws_s3_bucket" "site" {
  bucket = "acme-consistent-site"
}

resource "aws_s3_bucket_public_access_block" "site" {
  bucket              = aws_s3_bucket.site.id
  block_public_acls   = false
  block_public_policy = false
  ignore_public_acls  = true
}
"""
PAB_PLAN = json.dumps({
    "format_version": "1.2",
    "planned_values": {"root_module": {"resources": [
        {"address": "aws_s3_bucket.site", "mode": "managed", "type": "aws_s3_bucket", "name": "site", "values": {"bucket": "acme-consistent-site"}},
        {"address": "aws_s3_bucket_public_access_block.site", "mode": "managed", "type": "aws_s3_bucket_public_access_block", "name": "site",
         "values": {"bucket": "acme-consistent-site", "block_public_acls": False, "block_public_policy": False, "ignore_public_acls": True,
                    "restrict_public_buckets": None}},
    ]}},
}, indent=2)


def _findings(tmp_path, name: str, text: str, code: str):
    path = tmp_path / name
    path.write_text(text)
    return [f for f in lint_paths([str(path)], select=[code]).findings if f.rule_id == code]


@pytest.mark.parametrize("name, text", [("t.yaml", PAB_CFN_YAML), ("t.json", PAB_CFN_JSON), ("main.tf", PAB_TF), ("plan.json", PAB_PLAN)])
def test_pl109_one_finding_per_block_listing_every_setting(tmp_path, name, text):
    findings = _findings(tmp_path, name, text, "PL109")
    assert len(findings) == 1, [f.message for f in findings]
    message = findings[0].message.lower().replace("_", "")
    assert all(word in message for word in ("blockpublicacls", "blockpublicpolicy", "restrictpublicbuckets"))
    assert "ignorepublicacls" not in message


def test_pl111_quotes_the_cloudformation_spelling(tmp_path):
    template = "Resources:\n  Site:\n    Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: PublicRead\n"
    (finding,) = _findings(tmp_path, "t.yaml", template, "PL111")
    assert "`PublicRead`" in finding.message and "`Private`" in finding.message
    assert "public-read" not in finding.message


def test_pl114_names_the_ignored_acl(tmp_path):
    template = """Resources:
  Site:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: PublicRead
      WebsiteConfiguration:
        IndexDocument: index.html
"""
    (finding,) = _findings(tmp_path, "t.yaml", template, "PL114")
    assert "public ACL `PublicRead` has no effect" in finding.message
    assert "BucketOwnerEnforced" in finding.message


@pytest.mark.parametrize("name, text, fix", [
    ("t.yaml", "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n"
               "          - Effect: Allow\n            Action: s3:GetObject\n            Resource: '*'\n", '`Version: "2012-10-17"`'),
    ("t.json", json.dumps({"Resources": {"P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}}}}, indent=2), '`"Version": "2012-10-17"`'),
    ("main.tf", 'resource "aws_iam_policy" "p" {\n  policy = jsonencode({\n    Statement = [{\n      Effect = "Allow"\n'
                '      Action = "s3:GetObject"\n      Resource = "*"\n    }]\n  })\n}\n', '`Version = "2012-10-17"`'),
])
def test_pl205_fix_in_the_files_syntax(tmp_path, name, text, fix):
    (finding,) = _findings(tmp_path, name, text, "PL205")
    assert fix in finding.message, finding.message


def test_pl110_does_not_list_what_pl115_says_never_matches(tmp_path):
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "arn:aws:s3:::acme-site/*"}]}
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(policy, indent=2))
    findings = lint_paths([str(path)], select=["PL110", "PL115"]).findings
    (public,) = [f for f in findings if f.rule_id == "PL110"]
    (mismatch,) = [f for f in findings if f.rule_id == "PL115"]
    assert "`s3:ListBucket`" in mismatch.message
    granted = public.message.split(" to ", 1)[0]
    assert "`s3:GetObject`" in granted and "never match" in public.message
    assert public.severity == "high"  # only reads are granted


@pytest.mark.parametrize("name, fix", [
    ("t.yaml", "`PubliclyAccessible: false`"),
    ("t.json", '`"PubliclyAccessible": false`'),
    ("t.template", '`"PubliclyAccessible": false`'),  # a JSON template under the classic extension
    ("yaml.template", "`PubliclyAccessible: false`"),
])
def test_fixes_in_the_templates_own_syntax(tmp_path, name, fix):
    resource = {"Type": "AWS::RDS::DBInstance", "Properties": {"Engine": "postgres", "PubliclyAccessible": True}}
    text = json.dumps({"Resources": {"Db": resource}}, indent=2) if name in ("t.json", "t.template") else (
        "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n      PubliclyAccessible: true\n")
    (finding,) = _findings(tmp_path, name, text, "PL602")
    assert fix in finding.message, finding.message


@pytest.mark.parametrize("fixture, line, fix", [
    ("null_deny_only.yaml", 11, "`Condition: {StringNotEqualsIfExists:"),
    ("endpoint_null_and_wrong_key_denies.tf", 10, "`Condition = { StringNotEqualsIfExists ="),  # jsonencode
    ("endpoint_null_and_wrong_key_denies.tf", 54, "a `condition` block with `test ="),  # aws_iam_policy_document
    ("policy_for_any_value_sse_deny.json", None, '`"Condition": {"StringNotEqualsIfExists":'),
])
def test_pl103_fix_in_the_policys_syntax(tmp_path, fixture, line, fix):
    from fixture_cases import FIXTURES, Case

    scanned = Case("PL103", FIXTURES / "PL103" / fixture).materialise(tmp_path)
    findings = [f for f in lint_paths([str(scanned)], select=["PL103"]).findings if line is None or f.line == line]
    assert findings and all(fix in f.message for f in findings), [f.message for f in findings]


def test_a_value_from_a_default_says_so():
    """Parsers set `Node.origin` when a value came from a variable or parameter default."""
    from policylint.catalogue import catalogue
    from policylint.model import Database, Location, Node

    def check(code, db):
        rule = next(r for r in catalogue().checks if r.code == code)()
        return [f.message for f in rule.check(db, None)]

    origin = "default of `var.iam_auth`"
    db = Database("u", "aws_db_instance.db", "aws_db_instance", "terraform", Location("main.tf", 1, 9),
                  keys={"iam_auth": "iam_database_authentication_enabled", "backup_retention": "backup_retention_period"},
                  engine=Node("mysql", "main.tf", 2), iam_auth=Node(False, "main.tf", 3, origin=origin),
                  backup_retention=Node(0, "main.tf", 4, origin="default of `var.retention`"))
    (iam,) = check("PL603", db)
    (backup,) = check("PL604", db)
    assert origin in iam and "default of `var.retention`" in backup


@pytest.mark.parametrize("fixture, fix", [
    ("objects_only.yaml", '`Condition: {Bool: {"aws:SecureTransport": "false"}}`'),
    ("bucket_arn_only_and_not_principal.tf", '`Condition = { Bool = { "aws:SecureTransport" = "false" } }`'),
])
def test_pl104_fix_in_the_policys_syntax(tmp_path, fixture, fix):
    from fixture_cases import FIXTURES, Case

    scanned = Case("PL104", FIXTURES / "PL104" / fixture).materialise(tmp_path)
    findings = [f for f in lint_paths([str(scanned)], select=["PL104"]).findings if f.rule_id == "PL104"]
    assert findings and fix in findings[0].message, [f.message for f in findings]
