"""The policy evaluator: AWS's evaluation logic, condition operators, unknowns, and invariants."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy_nodes import COMPUTED, computed, policy

import policylint.policy.evaluate as walk_module
from policylint.model import Ref, Unknown
from policylint.policy.evaluate import (
    ABSENT,
    ANONYMOUS,
    ANY,
    EVERYONE,
    FREE,
    NAME,
    VAR,
    Caller,
    Decision,
    Match,
    Request,
    denies,
    evaluate,
    evaluation,
    match,
    parse_operator,
    to_pattern,
)

ROLE = Caller("AWS", "arn:aws:iam::111122223333:role/app")
OTHER = Caller("AWS", "arn:aws:iam::444455556666:role/app")
OBJECT = "arn:aws:s3:::b/k"


def doc(*statements, kind="resource"):
    return policy({"Version": "2012-10-17", "Statement": list(statements)}, kind)


def stmt(effect="Allow", action="s3:GetObject", resource="arn:aws:s3:::b/*", principal="*", condition=None, **extra):
    out = {"Effect": effect}
    if principal is not None:
        out["Principal"] = principal
    if action is not None:
        out["Action"] = action
    if resource is not None:
        out["Resource"] = resource
    if condition is not None:
        out["Condition"] = condition
    out.update(extra)
    return out


def decide(document, action="s3:GetObject", resource=OBJECT, caller=ANONYMOUS, context=None, **kw):
    return evaluate(document, Request(action, resource, caller, context or {}, **kw))


# --------------------------------------------------------------------------- evaluation logic


def test_no_statement_is_implicit_deny():
    assert decide(doc()) is Decision.IMPLICIT_DENY


def test_allow_then_explicit_deny_wins():
    allow = stmt()
    deny = stmt("Deny")
    assert decide(doc(allow)) is Decision.ALLOW
    assert decide(doc(allow, deny)) is Decision.EXPLICIT_DENY
    assert decide(doc(deny, allow)) is Decision.EXPLICIT_DENY


def test_single_statement_object_and_scalar_elements():
    single = policy({"Version": "2012-10-17", "Statement": stmt()})
    assert decide(single) is Decision.ALLOW


def test_several_documents_apply_together():
    assert evaluate([doc(stmt()), doc(stmt("Deny"))], Request("s3:GetObject", OBJECT, ANONYMOUS)) is Decision.EXPLICIT_DENY


@pytest.mark.parametrize(
    "pattern, action, allowed",
    [
        ("s3:GetObject", "s3:getobject", True),  # case-insensitive
        ("S3:GETOBJECT", "s3:GetObject", True),
        ("s3:Get*", "s3:GetObjectAcl", True),
        ("s3:Get*", "s3:PutObject", False),
        ("s3:?etObject", "s3:GetObject", True),
        ("s3:?etObject", "s3:GGetObject", False),
        ("*", "iam:PassRole", True),
        ("s3:*", "s3express:CreateSession", False),
        ("s3:Get*Acl", "s3:GetObjectVersionAcl", True),
    ],
)
def test_action_matching(pattern, action, allowed):
    result = decide(doc(stmt(action=pattern)), action=action)
    assert result is (Decision.ALLOW if allowed else Decision.IMPLICIT_DENY)


@pytest.mark.parametrize(
    "pattern, resource, allowed",
    [
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b/a/b/c", True),  # * crosses /
        ("arn:aws:s3:::b/*", "arn:aws:s3:::B/k", False),  # case-sensitive
        ("arn:aws:s3:::b/K", "arn:aws:s3:::b/k", False),
        ("arn:aws:s3:::b", "arn:aws:s3:::b/k", False),
        ("arn:aws:s3:::b*", "arn:aws:s3:::b/k", True),
        ("arn:aws:s3:::b/?", "arn:aws:s3:::b/k", True),
        ("arn:aws:s3:::b/?", "arn:aws:s3:::b/kk", False),
        ("*", "arn:aws:s3:::anything", True),
        ("arn:aws:s3:::b/${*}", "arn:aws:s3:::b/*", True),  # ${*} is a literal asterisk
        ("arn:aws:s3:::b/${*}", "arn:aws:s3:::b/k", False),
    ],
)
def test_resource_matching(pattern, resource, allowed):
    result = decide(doc(stmt(resource=pattern)), resource=resource)
    assert result is (Decision.ALLOW if allowed else Decision.IMPLICIT_DENY)


def test_not_action_not_resource():
    everything_but_put = doc(stmt(action=None, NotAction="s3:Put*"))
    assert decide(everything_but_put, action="s3:GetObject") is Decision.ALLOW
    assert decide(everything_but_put, action="s3:PutObject") is Decision.IMPLICIT_DENY
    not_secret = doc(stmt(resource=None, NotResource="arn:aws:s3:::b/secret/*"))
    assert decide(not_secret, resource="arn:aws:s3:::b/public/x") is Decision.ALLOW
    assert decide(not_secret, resource="arn:aws:s3:::b/secret/x") is Decision.IMPLICIT_DENY


@pytest.mark.parametrize(
    "principal, caller, applies",
    [
        ("*", ANONYMOUS, True),
        ({"AWS": "*"}, ANONYMOUS, True),
        ({"AWS": "*"}, ROLE, True),
        ({"AWS": "111122223333"}, ROLE, True),
        ({"AWS": "arn:aws:iam::111122223333:root"}, ROLE, True),
        ({"AWS": "arn:aws:iam::111122223333:root"}, OTHER, False),
        ({"AWS": "arn:aws:iam::111122223333:role/app"}, ROLE, True),
        ({"AWS": "arn:aws:iam::111122223333:role/other"}, ROLE, False),
        ({"AWS": ["arn:aws:iam::444455556666:root", "arn:aws:iam::111122223333:role/app"]}, ROLE, True),
        ({"Service": "cloudtrail.amazonaws.com"}, Caller("Service", "cloudtrail.amazonaws.com"), True),
        ({"Service": "cloudtrail.amazonaws.com"}, ROLE, False),
        ({"AWS": "arn:aws:iam::111122223333:root"}, ANONYMOUS, False),
    ],
)
def test_principal_matching(principal, caller, applies):
    assert decide(doc(stmt(principal=principal)), caller=caller) is (Decision.ALLOW if applies else Decision.IMPLICIT_DENY)


def test_not_principal():
    document = doc(stmt(principal=None, NotPrincipal={"AWS": "arn:aws:iam::111122223333:root"}))
    assert decide(document, caller=ROLE) is Decision.IMPLICIT_DENY
    assert decide(document, caller=OTHER) is Decision.ALLOW
    assert decide(document, caller=ANONYMOUS) is Decision.ALLOW


def test_identity_policy_applies_to_its_holder():
    document = doc(stmt(principal=None), kind="identity")
    assert evaluate(document, Request("s3:GetObject", OBJECT)) is Decision.ALLOW


# --------------------------------------------------------------------------- condition operators

OPERATOR_CASES = [
    # operator, request value, policy values, expected
    ("StringEquals", "vpce-1", "vpce-1", True),
    ("StringEquals", "VPCE-1", "vpce-1", False),
    ("StringEquals", "vpce-1", ["vpce-2", "vpce-1"], True),  # values OR
    ("StringEquals", "vpce-1", "vpce-*", False),  # no wildcards in Equals
    ("StringNotEquals", "vpce-1", ["vpce-2", "vpce-1"], False),  # none of the values
    ("StringNotEquals", "vpce-3", ["vpce-2", "vpce-1"], True),
    ("StringEqualsIgnoreCase", "VPCE-1", "vpce-1", True),
    ("StringNotEqualsIgnoreCase", "VPCE-1", "vpce-1", False),
    ("StringLike", "home/alice/x", "home/*", True),
    ("StringLike", "home/alice/x", "home/?lice/x", True),
    ("StringLike", "other/x", "home/*", False),
    ("StringNotLike", "other/x", "home/*", True),
    ("NumericEquals", "10", "10", True),
    ("NumericEquals", "10", 10, True),
    ("NumericNotEquals", "10", "11", True),
    ("NumericLessThan", "1.1", "1.2", True),
    ("NumericLessThan", "1.2", "1.2", False),
    ("NumericLessThanEquals", "1.2", "1.2", True),
    ("NumericGreaterThan", "3", "2", True),
    ("NumericGreaterThanEquals", "2", "3", False),
    ("DateGreaterThan", "2024-01-02T00:00:00Z", "2024-01-01T00:00:00Z", True),
    ("DateLessThan", "2024-01-02T00:00:00Z", "2024-01-01T00:00:00Z", False),
    ("DateEquals", "1704067200", "2024-01-01T00:00:00Z", True),  # epoch seconds
    ("DateNotEquals", "2024-01-01", "2024-01-01T00:00:00Z", False),
    ("DateLessThanEquals", "2023-12-31T23:59:59+00:00", "2024-01-01T00:00:00Z", True),
    ("DateGreaterThanEquals", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", True),
    ("Bool", "true", "true", True),
    ("Bool", "false", True, False),  # YAML writes booleans unquoted
    ("Bool", "false", False, True),
    ("BinaryEquals", "QmluYXJ5VmFsdWU=", "QmluYXJ5VmFsdWU=", True),
    ("BinaryEquals", "QmluYXJ5VmFsdWU=", "T3RoZXI=", False),
    ("IpAddress", "203.0.113.7", "203.0.113.0/24", True),
    ("IpAddress", "203.0.114.7", "203.0.113.0/24", False),
    ("IpAddress", "203.0.113.7", "203.0.113.7", True),  # a bare address is a /32
    ("IpAddress", "2001:db8::1", "2001:db8::/32", True),
    ("IpAddress", "2001:db8::1", "203.0.113.0/24", False),
    ("NotIpAddress", "198.51.100.1", ["203.0.113.0/24", "192.0.2.0/24"], True),
    ("NotIpAddress", "192.0.2.1", ["203.0.113.0/24", "192.0.2.0/24"], False),
    ("ArnEquals", "arn:aws:sns:us-east-1:111122223333:topic", "arn:aws:sns:us-east-1:111122223333:topic", True),
    ("ArnLike", "arn:aws:sns:us-east-1:111122223333:topic", "arn:aws:sns:*:111122223333:*", True),
    ("ArnLike", "arn:aws:sns:us-east-1:444455556666:topic", "arn:aws:sns:*:111122223333:*", False),
    ("ArnLike", "arn:aws:sns:us-east-1:111122223333:topic", "arn:aws:sns:*", False),  # six parts each
    ("ArnNotLike", "arn:aws:sns:us-east-1:444455556666:topic", "arn:aws:sns:*:111122223333:*", True),
    ("ArnNotEquals", "arn:aws:sns:us-east-1:111122223333:topic", "arn:aws:sns:us-east-1:111122223333:topic", False),
]


@pytest.mark.parametrize("operator, value, values, expected", OPERATOR_CASES)
def test_condition_operators(operator, value, values, expected):
    document = doc(stmt(condition={operator: {"aws:Key": values}}))
    result = decide(document, context={"aws:Key": value})
    assert result is (Decision.ALLOW if expected else Decision.IMPLICIT_DENY)


@pytest.mark.parametrize(
    "operator, values, expected",
    [
        ("StringEquals", "x", False),  # positive operator on a missing key
        ("StringLike", "*", False),
        ("NumericLessThan", "5", False),
        ("IpAddress", "0.0.0.0/0", False),
        ("ArnLike", "*", False),  # whatever the value, even the whole-value wildcard
        ("StringNotEquals", "x", True),  # negated operator on a missing key
        ("NotIpAddress", "203.0.113.0/24", True),
        ("ArnNotLike", "arn:aws:sns:*:*:*", True),
        ("StringEqualsIfExists", "x", True),
        ("NumericLessThanIfExists", "5", True),
        ("ForAllValues:StringEquals", "x", True),
        ("ForAnyValue:StringEquals", "x", False),
        ("ForAnyValue:StringNotEquals", "x", False),
        ("Null", "true", True),
        ("Null", "false", False),
    ],
)
def test_missing_key(operator, values, expected):
    document = doc(stmt(condition={operator: {"aws:Key": values}}))
    assert decide(document) is (Decision.ALLOW if expected else Decision.IMPLICIT_DENY)
    assert decide(document, context={"aws:Key": ABSENT}) is (Decision.ALLOW if expected else Decision.IMPLICIT_DENY)


def test_null_on_present_key():
    assert decide(doc(stmt(condition={"Null": {"aws:Key": "true"}})), context={"aws:Key": "v"}) is Decision.IMPLICIT_DENY
    assert decide(doc(stmt(condition={"Null": {"aws:Key": "false"}})), context={"aws:Key": "v"}) is Decision.ALLOW


@pytest.mark.parametrize(
    "operator, request_values, expected",
    [
        ("ForAllValues:StringEquals", ["a", "b"], True),
        ("ForAllValues:StringEquals", ["a", "z"], False),
        ("ForAllValues:StringEquals", [], True),  # vacuously true
        ("ForAnyValue:StringEquals", ["z", "b"], True),
        ("ForAnyValue:StringEquals", ["y", "z"], False),
        ("ForAnyValue:StringEquals", [], False),
        ("ForAllValues:StringNotEquals", ["y", "z"], True),
        ("ForAnyValue:StringNotEquals", ["a", "z"], True),
        ("ForAnyValue:StringNotEquals", ["a", "b"], False),
        ("ForAnyValue:StringLike", ["team-x"], True),
    ],
)
def test_set_operators(operator, request_values, expected):
    values = ["a", "b", "team-*"] if "Like" in operator else ["a", "b"]
    document = doc(stmt(condition={operator: {"aws:TagKeys": values}}))
    assert decide(document, context={"aws:TagKeys": request_values}) is (Decision.ALLOW if expected else Decision.IMPLICIT_DENY)


def test_keys_and_operators_are_anded_and_keys_case_insensitive():
    document = doc(stmt(condition={
        "StringEquals": {"aws:SourceVpce": "vpce-1", "aws:PrincipalOrgID": "o-1"},
        "Bool": {"aws:SecureTransport": "true"},
    }))
    context = {"aws:sourcevpce": "vpce-1", "AWS:PRINCIPALORGID": "o-1", "aws:SecureTransport": "true"}
    assert decide(document, context=context) is Decision.ALLOW
    assert decide(document, context={**context, "aws:SecureTransport": "false"}) is Decision.IMPLICIT_DENY
    assert decide(document, context={**context, "AWS:PRINCIPALORGID": "o-2"}) is Decision.IMPLICIT_DENY


def test_operator_names():
    assert parse_operator("ForAnyValue:StringNotEqualsIfExists").negated
    assert parse_operator("NullIfExists") is None
    assert parse_operator("StringEqual") is None
    assert parse_operator("stringequals") is None  # operator names are case-sensitive


# --------------------------------------------------------------------------- unknowns


def test_policy_variable_is_unknown():
    document = doc(stmt(resource="arn:aws:s3:::b/${aws:username}/*"))
    assert decide(document, resource="arn:aws:s3:::b/alice/x") is Decision.UNKNOWN
    assert decide(document, resource="arn:aws:s3:::c/alice/x") is Decision.IMPLICIT_DENY  # cannot match anyway
    condition = doc(stmt(condition={"StringEquals": {"aws:userid": "${aws:username}"}}))
    assert decide(condition, context={"aws:userid": "x"}) is Decision.UNKNOWN


def test_unresolved_values_are_unknown_and_never_a_deny():
    assert decide(doc(stmt("Deny", resource=COMPUTED))) is Decision.UNKNOWN
    assert decide(doc(stmt("Deny", principal=COMPUTED))) is Decision.UNKNOWN
    assert decide(doc(stmt("Deny", condition={"StringEquals": {"aws:SourceVpce": COMPUTED}})), context={"aws:SourceVpce": "v"}) is Decision.UNKNOWN
    assert decide(doc(stmt("Deny", condition=COMPUTED))) is Decision.UNKNOWN
    assert decide(doc(stmt(effect=COMPUTED))) is Decision.UNKNOWN
    assert decide(policy({"Statement": COMPUTED})) is Decision.UNKNOWN
    # an unknown that cannot matter stays out of the way
    assert decide(doc(stmt(), stmt("Deny", resource=computed("arn:aws:s3:::${var.x}")), )) is Decision.UNKNOWN
    assert decide(doc(stmt("Deny"), stmt(resource=COMPUTED))) is Decision.EXPLICIT_DENY
    assert decide(doc(stmt(), stmt("Deny", action="iam:*", resource=COMPUTED))) is Decision.ALLOW


def test_unknown_context_value():
    document = doc(stmt(condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}}))
    assert decide(document, context={"aws:SourceVpce": Unknown("x")}) is Decision.UNKNOWN
    assert decide(document, unlisted=Unknown("any key")) is Decision.UNKNOWN


def test_partly_known_iac_values_resolve_through_references():
    bucket = Ref("cfn:t.yaml::Bucket", "Arn", "${Bucket.Arn}")
    value = Unknown("${Bucket.Arn}/*", (bucket,))
    assert to_pattern(value, lambda ref: "arn:aws:s3:::my-bucket") == "arn:aws:s3:::my-bucket/*"
    assert to_pattern(value) == VAR + "/*"
    assert to_pattern(Unknown("Fn::If")) == VAR
    assert to_pattern(bucket, lambda ref: None) == VAR


# --------------------------------------------------------------------------- universal requests

SSE = "s3:x-amz-server-side-encryption"


def universal_put(value):
    return Request("s3:PutObject", f"arn:aws:s3:::b/{ANY}", EVERYONE, {SSE: value}, unlisted=FREE)


def test_one_if_exists_deny_covers_both_sse_cases():
    document = doc(stmt("Deny", "s3:PutObject", condition={"StringNotEqualsIfExists": {SSE: ["AES256", "aws:kms"]}}))
    assert denies(document, universal_put(ABSENT)) is True
    assert denies(document, universal_put("BOGUS")) is True
    assert denies(document, universal_put("AES256")) is False


def test_null_deny_covers_only_the_missing_header():
    document = doc(stmt("Deny", "s3:PutObject", condition={"Null": {SSE: "true"}}))
    assert denies(document, universal_put(ABSENT)) is True
    assert denies(document, universal_put("BOGUS")) is False


def test_a_partial_deny_does_not_cover_everyone():
    prefix_only = doc(stmt("Deny", "s3:PutObject", "arn:aws:s3:::b/uploads/*", condition={"Null": {SSE: "true"}}))
    assert denies(prefix_only, universal_put(ABSENT)) is False
    one_account = doc(stmt("Deny", "s3:PutObject", principal={"AWS": "arn:aws:iam::111122223333:root"}, condition={"Null": {SSE: "true"}}))
    assert denies(one_account, universal_put(ABSENT)) is False
    extra_key = doc(stmt("Deny", "s3:PutObject", condition={"Null": {SSE: "true"}, "StringNotEquals": {"aws:SourceVpce": "vpce-1"}}))
    assert denies(extra_key, universal_put(ABSENT)) is False  # callers through vpce-1 escape
    not_principal = doc(stmt("Deny", "s3:PutObject", principal=None, NotPrincipal={"AWS": "arn:aws:iam::111122223333:root"}, condition={"Null": {SSE: "true"}}))
    assert denies(not_principal, universal_put(ABSENT)) is False


def test_unknown_bucket_name_reads_the_same_on_both_sides():
    request = Request("s3:PutObject", f"arn:aws:s3:::{NAME}/{ANY}", EVERYONE, {SSE: ABSENT}, unlisted=FREE)
    ref = Ref("uid", "Arn", "${Bucket.Arn}")
    document = doc(stmt("Deny", "s3:PutObject", Unknown("${Bucket.Arn}/*", (ref,)), condition={"Null": {SSE: "true"}}))
    assert denies(document, request, lambda r: f"arn:aws:s3:::{NAME}") is True
    assert denies(document, request) is None  # unresolved: unknown, not "not denied"
    literal = doc(stmt("Deny", "s3:PutObject", "arn:aws:s3:::some-bucket/*", condition={"Null": {SSE: "true"}}))
    assert denies(literal, request) is None  # the unknown name might be some-bucket


@pytest.mark.parametrize(
    "pattern, subject, expected",
    [
        ("s3:*", f"s3:{ANY}", Match.ALL),
        ("s3:Get*", f"s3:{ANY}", Match.SOME),
        ("iam:*", f"s3:{ANY}", Match.NONE),
        ("arn:aws:s3:::b/*", f"arn:aws:s3:::b/{ANY}", Match.ALL),
        ("arn:aws:s3:::b/uploads/*", f"arn:aws:s3:::b/{ANY}", Match.SOME),
        ("arn:aws:s3:::b", f"arn:aws:s3:::b/{ANY}", Match.NONE),
        ("arn:aws:s3:::c/*", f"arn:aws:s3:::{NAME}/{ANY}", Match.UNKNOWN),
        (f"arn:aws:s3:::{NAME}/*", f"arn:aws:s3:::{NAME}/{ANY}", Match.ALL),
        ("arn:aws:s3:::c", f"arn:aws:s3:::{NAME}/{ANY}", Match.NONE),
        (f"arn:aws:s3:::{NAME}/*", f"arn:aws:s3:::{NAME}", Match.NONE),  # a bucket name holds no "/"
        ("arn:aws:s3:::c/*", f"arn:aws:s3:::{NAME}", Match.NONE),
        ("arn:aws:s3:::c*", f"arn:aws:s3:::{NAME}", Match.UNKNOWN),
        (f"arn:aws:s3:::{VAR}/*", "arn:aws:s3:::b/k", Match.UNKNOWN),
        (f"arn:aws:sqs:{VAR}", "arn:aws:s3:::b/k", Match.NONE),
    ],
)
def test_match_relations(pattern, subject, expected):
    assert match(pattern, subject, ignore_case=pattern.startswith(("s3:", "iam:"))) is expected


def test_not_action_with_universal_action():
    document = doc(stmt("Deny", action=None, NotAction="s3:GetObject", condition={"Bool": {"aws:SecureTransport": "false"}}))
    request = Request(f"s3:{ANY}", f"arn:aws:s3:::b/{ANY}", EVERYONE, {"aws:SecureTransport": "false"}, unlisted=FREE)
    assert denies(document, request) is False  # GetObject over HTTP escapes


# --------------------------------------------------------------------------- properties

ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:Get*", "s3:*", "*", "iam:PassRole", "s3:?etObject", "S3:getobject", "s3:List*"]
RESOURCES = ["arn:aws:s3:::b", "arn:aws:s3:::b/*", "arn:aws:s3:::b/k", "*", "arn:aws:s3:::c/*", "arn:aws:s3:::b/${aws:username}", "arn:aws:s3:::b*"]
PRINCIPALS = ["*", "*", {"AWS": "*"}, {"AWS": "arn:aws:iam::111122223333:root"}, {"AWS": "444455556666"}, {"Service": "s3.amazonaws.com"}]
CONDITIONS = [
    {"Bool": {"aws:SecureTransport": "false"}},
    {"BoolIfExists": {"aws:SecureTransport": "false"}},
    {"StringEquals": {"aws:SourceVpce": "vpce-1"}},
    {"StringNotEquals": {"aws:SourceVpce": ["vpce-1", "vpce-2"]}},
    {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    {"Null": {SSE: "true"}},
    {"StringNotEqualsIfExists": {SSE: ["AES256", "aws:kms"]}},
    {"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}},
    {"ForAnyValue:StringLike": {"aws:TagKeys": ["a*"]}},
    {"StringLike": {"aws:userid": "AIDA*:${aws:username}"}},
    {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
]


@st.composite
def statements(draw, effect=None):
    out = {"Effect": effect or draw(st.sampled_from(["Allow", "Deny"]))}
    principal = draw(st.sampled_from(PRINCIPALS))
    out["NotPrincipal" if draw(st.integers(0, 5)) == 0 else "Principal"] = principal
    actions = draw(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=3))
    out["NotAction" if draw(st.integers(0, 4)) == 0 else "Action"] = actions if len(actions) > 1 else actions[0]
    resources = draw(st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=3))
    out["NotResource" if draw(st.integers(0, 5)) == 0 else "Resource"] = resources
    conditions = draw(st.lists(st.sampled_from(CONDITIONS), max_size=2)) if draw(st.booleans()) else []
    if conditions:
        merged: dict = {}
        for condition in conditions:
            for operator, block in condition.items():
                merged.setdefault(operator, {}).update(block)
        out["Condition"] = merged
    return out


@st.composite
def requests(draw):
    context = {}
    for key, values in (
        ("aws:SecureTransport", ["true", "false", ABSENT]),
        ("aws:SourceVpce", ["vpce-1", "vpce-3", ABSENT]),
        ("aws:SourceIp", ["203.0.113.9", "198.51.100.1", ABSENT]),
        (SSE, ["AES256", "BOGUS", ABSENT]),
        ("aws:TagKeys", [["a"], ["a", "z"], [], ABSENT]),
        ("aws:userid", ["AIDAX:alice", ABSENT]),
        ("s3:TlsVersion", ["1.1", "1.3", ABSENT]),
    ):
        context[key] = draw(st.sampled_from(values))
    return Request(
        draw(st.sampled_from(["s3:GetObject", "s3:PutObject", "iam:PassRole", "s3:ListBucket", "s3:getobjectacl"])),
        draw(st.sampled_from(["arn:aws:s3:::b", "arn:aws:s3:::b/k", "arn:aws:s3:::b/alice", "arn:aws:s3:::c/x", "arn:aws:s3:::bb"])),
        draw(st.sampled_from([ANONYMOUS, ROLE, OTHER, Caller("Service", "s3.amazonaws.com")])),
        context,
    )


PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.lists(statements(), max_size=4), requests())
def test_a_matching_deny_always_wins(body, request):
    deny = {"Effect": "Deny", "Principal": "*", "Action": request.action, "Resource": request.resource}
    for position in (0, len(body)):
        statements_ = body[:position] + [deny] + body[position:]
        assert evaluate(policy({"Version": "2012-10-17", "Statement": statements_}), request) is Decision.EXPLICIT_DENY


@PROPERTY
@given(st.lists(statements(), max_size=5), requests(), st.randoms(use_true_random=False))
def test_statement_order_never_matters(body, request, rnd):
    before = evaluation(policy({"Version": "2012-10-17", "Statement": body}), request)
    shuffled = list(body)
    rnd.shuffle(shuffled)
    after = evaluation(policy({"Version": "2012-10-17", "Statement": shuffled}), request)
    assert (before.denied, before.allowed) == (after.denied, after.allowed)


@PROPERTY
@given(st.lists(statements(), max_size=4), statements(effect="Allow"), requests())
def test_adding_an_allow_never_removes_access(body, extra, request):
    before = evaluate(policy({"Version": "2012-10-17", "Statement": body}), request)
    after = evaluate(policy({"Version": "2012-10-17", "Statement": body + [extra]}), request)
    if before is Decision.ALLOW:
        assert after is Decision.ALLOW
    if before is Decision.EXPLICIT_DENY:
        assert after is Decision.EXPLICIT_DENY


@PROPERTY
@given(st.lists(statements(), max_size=4), statements(effect="Deny"), requests())
def test_adding_a_deny_never_adds_access(body, extra, request):
    before = evaluate(policy({"Version": "2012-10-17", "Statement": body}), request)
    after = evaluate(policy({"Version": "2012-10-17", "Statement": body + [extra]}), request)
    if after is Decision.ALLOW:
        assert before is Decision.ALLOW
    if before is not Decision.ALLOW:
        assert after is not Decision.ALLOW


@PROPERTY
@given(statements(), requests())
def test_not_elements_are_complements(statement, request):
    """On a concrete request, ``Action`` X and ``NotAction`` X never both match (nor neither)."""
    from policylint.policy.evaluate import action_match

    plain = dict(statement)
    actions = plain.pop("Action", None) or plain.pop("NotAction")
    with_action = policy({"Statement": [{**plain, "Action": actions}]}).statements[0]
    with_not_action = policy({"Statement": [{**plain, "NotAction": actions}]}).statements[0]
    a, b = action_match(with_action, request.action), action_match(with_not_action, request.action)
    assert {a, b} == {Match.ALL, Match.NONE}


@PROPERTY
@given(st.lists(statements(), max_size=4), requests())
def test_unknowns_only_ever_widen_to_unknown(body, request):
    """Replacing any element with an unresolved value never turns a decision into a different
    definite decision: the result is the same or UNKNOWN."""
    if not body:
        return
    before = evaluate(policy({"Version": "2012-10-17", "Statement": body}), request)
    rng = random.Random(len(body))
    index = rng.randrange(len(body))
    key = rng.choice(sorted(body[index]))
    changed = [dict(s) for s in body]
    changed[index][key] = COMPUTED
    after = evaluate(policy({"Version": "2012-10-17", "Statement": changed}), request)
    assert after in (before, Decision.UNKNOWN)


# --------------------------------------------------------------------------- rules decided by the evaluator


def _messages(tmp_path, code, text, name="policy.json"):
    from policylint.engine import lint_paths

    path = tmp_path / name
    path.write_text(text)
    report = lint_paths([str(path)], select=[code])
    assert not report.errors
    return [f.message for f in report.findings]


SSE_POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*", "Condition": %s}
  ]
}"""


@pytest.mark.parametrize(
    "condition, open_case",
    [
        ('{"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": ["AES256", "aws:kms"]}}', None),
        ('{"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}}', None),
        ('{"Null": {"s3:x-amz-server-side-encryption": "true"}}', "is not `AES256` or `aws:kms`"),
        ('{"ForAnyValue:StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}', "without the"),
        ('{"StringEquals": {"s3:x-amz-server-side-encryption": "BOGUS"}}', "and uploads asking"),
    ],
)
def test_pl103_says_which_case_is_open(tmp_path, condition, open_case):
    messages = _messages(tmp_path, "PL103", SSE_POLICY % condition)
    if open_case is None:
        assert messages == []
    else:
        assert len(messages) == 1 and open_case in messages[0], messages


def test_pl104_says_which_part_is_open(tmp_path):
    text = """{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
      "Resource": "arn:aws:s3:::b/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}"""
    [message] = _messages(tmp_path, "PL104", text)
    assert "to the bucket;" in message and "its objects" not in message


def possible_walk(pattern: str, subject: str) -> bool:
    """``evaluate._possible`` by dynamic programming over the pattern's tokens and the subject, a
    cell at a time: the reference for ``evaluate._possible_rows``."""
    ANY, NAME, _NAME_CHARS = walk_module.ANY, walk_module.NAME, walk_module._NAME_CHARS
    tokens = walk_module._tokens(pattern)
    m, n = len(tokens), len(subject)
    # reach[i][j]: tokens[i:] and subject[j:] can describe a common string
    reach = [[False] * (n + 1) for _ in range(m + 1)]
    reach[m][n] = True
    for j in range(n - 1, -1, -1):
        reach[m][j] = subject[j] == ANY and reach[m][j + 1]
    for i in range(m - 1, -1, -1):
        kind, char = tokens[i]
        for j in range(n, -1, -1):
            here = subject[j] if j < n else None
            if kind == "star":
                value = reach[i + 1][j] or (j < n and reach[i][j + 1])
            elif here is None:
                value = False
            elif kind == "name":
                if here == NAME:
                    value = reach[i + 1][j + 1]
                elif here == ANY:
                    value = reach[i][j + 1] or reach[i + 1][j] or reach[i + 1][j + 1]
                else:
                    value = here in _NAME_CHARS and (reach[i][j + 1] or reach[i + 1][j + 1])
            elif here == ANY:
                value = reach[i][j + 1] or reach[i + 1][j] or reach[i + 1][j + 1]
            elif here == NAME:
                value = (kind == "one" or char in _NAME_CHARS) and (reach[i + 1][j] or reach[i + 1][j + 1])
            elif kind == "one":
                value = reach[i + 1][j + 1]
            else:
                value = char == here and reach[i + 1][j + 1]
            reach[i][j] = value
    return reach[0][0]


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(alphabet=["a", "b", ".", "/", "*", "?", walk_module.VAR, walk_module.NAME, walk_module._LIT_STAR], max_size=8),
    st.text(alphabet=["a", "b", ".", "/", "*", walk_module.ANY, walk_module.NAME], max_size=8),
)
def test_the_literal_ends_shortcut_agrees_with_the_walk(pattern, subject):
    """_possible rejects on disagreeing literal prefixes or suffixes before its walk."""
    assert walk_module._possible.__wrapped__(pattern, subject) == possible_walk(pattern, subject)


@settings(max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(alphabet=["a", "B", "-", "/", "*", "?", walk_module.VAR, walk_module.NAME, walk_module._LIT_STAR, walk_module._LIT_QUESTION], max_size=10),
    st.text(alphabet=["a", "B", "-", "/", "*", "?", walk_module.ANY, walk_module.NAME], max_size=14),
)
def test_the_row_parallel_walk_agrees_with_the_cell_walk(pattern, subject):
    """_possible_rows computes the walk's table a row at a time, on ints."""
    assert walk_module._possible_rows(pattern, subject) == possible_walk(pattern, subject)


@settings(max_examples=1000, deadline=None)
@given(
    st.text(alphabet=["a", "B", "-", ".", "/", walk_module.ANY, walk_module.NAME], max_size=40),
    st.sets(st.sampled_from(["a", "B", "-", "z", walk_module.ANY, walk_module.NAME])),
)
def test_long_subjects_get_the_same_bits(subject, wanted):
    """The whole-string reading of a long subject's bits agrees with the loop over a short one."""
    holes, names, name_chars, at = walk_module._subject_bits(subject, wanted)
    long = walk_module._subject_bits(subject, wanted, short=0)
    assert long[:3] == (holes, names, name_chars)
    assert all(long[3].get(char, 0) == at.get(char, 0) for char in wanted)


def test_a_huge_subject_is_read_in_linear_time():
    # Setting bit after bit of a growing int would take minutes at this size.
    subject = "arn:aws:s3:::" + "a" * 400_000 + walk_module.ANY + "/x"
    assert walk_module._possible_rows("arn:aws:s3:::a*/x", subject)
    assert not walk_module._possible_rows("arn:aws:s3:::b*/x", subject)


def test_the_row_parallel_walk_on_long_runs():
    """Runs longer than one step of the carry: name characters and ANYs by the dozen."""
    name, any_, var = walk_module.NAME, walk_module.ANY, walk_module.VAR
    for pattern, subject in [
        ("arn:aws:s3:::" + name + "/x", "arn:aws:s3:::" + "a" * 40 + "/x"),
        ("arn:aws:s3:::" + name + "/x", "arn:aws:s3:::" + "a" * 40 + "B/x"),
        ("a" * 30 + "?b", any_ * 37 + "b"),
        (var + "c" + "a" * 20, "c" + any_ * 33 + "a"),
        ("?" * 50, any_ + "a" * 48),
    ]:
        assert walk_module._possible_rows(pattern, subject) == possible_walk(pattern, subject), (pattern, subject)
