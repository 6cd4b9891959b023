"""AWS's "meaning of public" (S3 User Guide, Block Public Access) for bucket-policy statements."""

from __future__ import annotations

import pytest

from policy_nodes import COMPUTED, computed, policy
from policylint.model import Ref, Unknown
from policylint.policy.evaluate import NAME
from policylint.policy.public import is_public, public_grant


def statement(condition=None, principal="*", effect="Allow", action="s3:GetObject", resource="arn:aws:s3:::b/*", **extra):
    out = {"Effect": effect, "Action": action, "Resource": resource}
    if principal is not None:
        out["Principal"] = principal
    if condition is not None:
        out["Condition"] = condition
    out.update(extra)
    return policy({"Version": "2012-10-17", "Statement": [out]}).statements[0]


@pytest.mark.parametrize(
    "principal, public",
    [
        ("*", True),
        ({"AWS": "*"}, True),
        ({"AWS": ["arn:aws:iam::111122223333:root", "*"]}, True),
        ({"CanonicalUser": "*"}, True),
        ({"Federated": "graph.facebook.com"}, True),  # AWS's own example of a public policy
        ({"AWS": "arn:aws:iam::111122223333:root"}, False),
        ({"AWS": "111122223333"}, False),
        ({"AWS": "arn:aws:iam::111122223333:role/app"}, False),
        ({"Service": "cloudtrail.amazonaws.com"}, False),
        (COMPUTED, None),
        ({"AWS": [COMPUTED]}, None),
        ({"AWS": [COMPUTED, "*"]}, True),
    ],
)
def test_principals(principal, public):
    assert is_public(statement(principal=principal)) is public


def test_allow_with_not_principal_is_public():
    assert is_public(statement(principal=None, NotPrincipal={"AWS": "arn:aws:iam::111122223333:root"})) is True


def test_deny_is_never_public():
    assert is_public(statement(effect="Deny")) is False


@pytest.mark.parametrize(
    "condition, public",
    [
        # fixed values of a trusted key restrict
        ({"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}, False),
        ({"StringEquals": {"aws:sourcevpce": "vpce-1a2b3c4d"}}, False),  # key names are case-insensitive
        ({"StringEquals": {"aws:SourceVpc": "vpc-91237329"}}, False),  # AWS's example
        ({"StringLike": {"aws:SourceVpc": "vpc-*"}}, True),  # ... and its wildcard twin
        ({"StringEquals": {"aws:SourceVpce": "vpce-*"}}, True),
        ({"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}, False),
        ({"StringEquals": {"aws:PrincipalAccount": ["111122223333", "444455556666"]}}, False),
        ({"ArnEquals": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/t"}}, False),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:111122223333:trail/*"}}, True),
        ({"StringEquals": {"aws:SourceAccount": "111122223333"}}, False),
        ({"StringEquals": {"aws:SourceOwner": "111122223333"}}, False),
        ({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/app"}}, False),
        ({"StringEquals": {"aws:userid": "AIDAEXAMPLE"}}, False),
        ({"StringLike": {"aws:userid": "AROAEXAMPLE:*"}}, True),
        ({"StringEquals": {"s3:DataAccessPointAccount": "111122223333"}}, False),
        ({"ArnLike": {"s3:DataAccessPointArn": "arn:aws:s3:us-west-2:111122223333:accesspoint/*"}}, False),
        ({"ArnLike": {"s3:DataAccessPointArn": "arn:aws:s3:us-west-2:*:accesspoint/*"}}, True),
        ({"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}, False),
        # forms that are true when the key is missing, or for every other value, do not
        ({"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"}}, True),
        ({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}, True),
        ({"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}, True),
        ({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, True),
        # keys the caller controls do not
        ({"Bool": {"aws:SecureTransport": "true"}}, True),
        ({"StringLike": {"aws:Referer": "https://www.example.com/*"}}, True),
        ({"StringEquals": {"aws:Referer": "https://www.example.com/"}}, True),
        ({"StringEquals": {"s3:prefix": "home/"}}, True),
        # policy variables are not fixed values
        ({"StringEquals": {"aws:PrincipalOrgID": "${aws:ResourceOrgID}"}}, True),
        # one restricting key is enough, whatever else is there
        ({"Bool": {"aws:SecureTransport": "true"}, "StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}, False),
        # unresolved values: unknown, never public
        ({"StringEquals": {"aws:SourceVpce": COMPUTED}}, None),
        ({"StringEquals": {"aws:SourceVpce": [computed("${var.vpce}")]}}, None),
        (COMPUTED, None),
    ],
)
def test_conditions(condition, public):
    assert is_public(statement(condition)) is public


@pytest.mark.parametrize(
    "cidrs, public",
    [
        ("0.0.0.0/0", True),
        ("0.0.0.0/1", True),
        ("1.0.0.0/7", True),
        ("12.0.0.0/8", False),
        ("203.0.113.0/24", False),
        ("203.0.113.7", False),
        ("10.0.0.0/8", False),
        ("192.168.0.0/16", False),
        (["203.0.113.0/24", "0.0.0.0/0"], True),
        ("::/0", True),
        ("2001:db8::/31", True),
        ("2001:db8::/32", False),
        ("2001:db8::/64", False),
    ],
)
def test_source_ip_breadth(cidrs, public):
    assert is_public(statement({"IpAddress": {"aws:SourceIp": cidrs}})) is public


def deny(condition, action="s3:*", resource=("arn:aws:s3:::b", "arn:aws:s3:::b/*"), principal="*"):
    return {"Effect": "Deny", "Principal": principal, "Action": action, "Resource": list(resource), "Condition": condition}


def statements(*items):
    return policy({"Version": "2012-10-17", "Statement": list(items)}).statements


ALLOW = {"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::b/*"}


@pytest.mark.parametrize(
    "deny_statement, public",
    [
        (deny({"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}), False),
        (deny({"StringNotEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"}}), False),
        (deny({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, action="*", resource=["*"]), False),
        (deny({"StringNotEquals": {"aws:SourceVpce": "vpce-*"}}), True),  # wildcard: not fixed
        (deny({"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}, action="s3:GetObject"), True),  # PutObject left
        (deny({"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}, resource=["arn:aws:s3:::b"]), True),  # objects left
        (deny({"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}, principal={"AWS": "arn:aws:iam::111122223333:root"}), True),
        (deny({"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}, "Bool": {"aws:SecureTransport": "false"}}), True),
        (deny({"Bool": {"aws:SecureTransport": "false"}}), True),
        (deny({"StringNotEquals": {"aws:Referer": "https://example.com/"}}), True),
    ],
)
def test_a_deny_unless_trusted_restricts_the_allow(deny_statement, public):
    allow, other = statements(ALLOW, deny_statement)
    assert is_public(allow, [allow, other]) is public


def test_references_are_resolved_for_deny_coverage():
    ref = Ref("uid", "Arn", "${Bucket.Arn}")
    allow = dict(ALLOW, Resource=Unknown("${Bucket.Arn}/*", (ref,)))
    guard = deny({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}, resource=[ref, Unknown("${Bucket.Arn}/*", (ref,))])
    items = statements(allow, guard)
    assert is_public(items[0], items, lambda r: f"arn:aws:s3:::{NAME}") is False
    assert is_public(items[0], items) is True  # unresolved: the deny cannot be shown to cover it


def test_public_grant_points_at_the_public_principal():
    text = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Mixed",
      "Effect": "Allow",
      "Principal": {
        "AWS": [
          "arn:aws:iam::111122223333:root",
          "*"
        ]
      },
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::b/*"
    }
  ]
}"""
    grant = public_grant(policy(text).statements[0])
    assert grant is not None and grant.at.line == 10 and grant.audience == 'everyone (`{"AWS": "*"}`)'
    assert grant.statement.label == "statement `Mixed`"


def test_pl110_severity_and_message_name_the_statement_and_actions():
    from fixture_cases import FIXTURES
    from policylint.engine import lint_paths

    report = lint_paths([str(FIXTURES / "PL110" / "public_read_and_write.yaml")], select=["PL110"])
    found = {(f.line, f.severity): f.message for f in report.findings}
    assert set(found) == {(15, "high"), (21, "critical")}
    assert found[(15, "high")].startswith('Statement `PublicRead` allows `s3:GetObject` to everyone (`"*"`)')
    assert "`s3:PutObject`, `s3:PutObjectAcl`" in found[(21, "critical")]
    assert '`{"AWS": "*"}`' in found[(21, "critical")]
