"""Grammar validation (PL204) and the version check (PL205): each problem names the element, says
how to fix it, and carries the file and line of the element at fault."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from policy_nodes import COMPUTED, document, nodes
from policylint.model import PolicyDocument
from policylint.policy.grammar import arn_problem, problems, validate_body, version_problem


def lines_of(text: str, kind: str = "resource", owner_type: str | None = None):
    found = problems(document(textwrap.dedent(text), kind, owner_type))
    return [(p.node.file, p.node.line, p.message) for p in found]


def only(text: str, kind: str = "resource", owner_type: str | None = None):
    found = lines_of(text, kind, owner_type)
    assert len(found) == 1, found
    return found[0]


GOOD_RESOURCE = """\
{
  "Version": "2012-10-17",
  "Id": "bucket-policy",
  "Statement": [
    {
      "Sid": "Allow read from our VPC endpoint",
      "Effect": "Allow",
      "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "444455556666", "arn:aws:iam::111122223333:role/path/app"]},
      "Action": ["s3:GetObject", "s3:List*"],
      "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/${aws:username}/*"],
      "Condition": {
        "StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"},
        "ForAnyValue:StringLike": {"aws:TagKeys": ["team-*"]},
        "Null": {"s3:x-amz-server-side-encryption": true},
        "NumericLessThan": {"s3:TlsVersion": 1.2}
      }
    },
    {
      "Effect": "Deny",
      "Principal": "*",
      "NotAction": "s3:GetObject",
      "NotResource": "arn:aws:s3:::b/public/*"
    },
    {
      "Effect": "Allow",
      "Principal": {"Service": "cloudtrail.amazonaws.com", "Federated": "cognito-identity.amazonaws.com", "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
      "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::b/AWSLogs/111122223333/*"
    }
  ]
}
"""


def test_valid_policies_have_no_problems():
    assert lines_of(GOOD_RESOURCE) == []
    identity = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}
    assert problems(document(identity, "identity")) == []
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    assert problems(document(trust, "trust")) == []


def test_unknown_top_level_element():
    file, line, message = only("""\
        {
          "Version": "2012-10-17",
          "Statment": []
        }""", owner_type="AWS::IAM::ManagedPolicy")
    assert (file, line) == ("policy.json", 3)
    assert "`Statment`" in message and "`Statement`" in message


@pytest.mark.parametrize(
    "fragment, expected",
    [
        ('"Actions": "s3:GetObject"', "unknown element `Actions` in statement 1: did you mean `Action`?"),
        ('"action": "s3:GetObject"', "element names are case-sensitive: write `Action`"),
    ],
)
def test_unknown_statement_element(fragment, expected):
    text = f"""\
        {{
          "Version": "2012-10-17",
          "Statement": [{{
            "Effect": "Allow", "Principal": "*", "Resource": "*", "Action": "s3:GetObject",
            {fragment}
          }}]
        }}"""
    file, line, message = only(text)
    assert line == 5 and expected in message


def test_effect_must_be_allow_or_deny():
    file, line, message = only("""\
        {
          "Version": "2012-10-17",
          "Statement": [{
            "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
            "Effect": "allow"
          }]
        }""")
    assert line == 5 and "`Effect` must be `Allow` or `Deny`" in message and "`allow`" in message


def test_missing_effect_action_and_statement():
    assert "has no `Effect`" in only('{"Version": "2012-10-17", "Statement": [{"Principal": "*", "Action": "s3:*", "Resource": "*"}]}')[2]
    assert "neither `Action` nor `NotAction`" in only('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Resource": "*"}]}')[2]
    assert "has no `Statement`" in only('{"Version": "2012-10-17"}', owner_type="AWS::S3::BucketPolicy")[2]


def test_a_raw_file_without_a_top_level_statement_is_not_a_policy():
    """A stack configuration with a `StackPolicy` mentions `Statement` but is no policy."""
    import json

    from policylint.parsers import policy_json

    config = {"Parameters": [], "StackPolicy": {"Statement": [{"Effect": "Allow", "Action": "*", "Principal": "*", "Resource": "*"}]}}
    assert policy_json.parse(json.dumps(config), "config.json").policies == []
    # ... while a policy whose `Statement` is misspelt still is one, so PL204 can say so
    typo = policy_json.parse('{"Version": "2012-10-17", "Statment": []}', "p.json")
    (policy,) = typo.policies
    assert "did you mean `Statement`" in problems(policy)[0].message


def test_cloudformation_intrinsics_left_in_a_raw_file_are_unknown():
    fragment = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": {"Ref": "AdminRoles"}}, "Action": "kms:*", "Resource": "*",
                               "Condition": {"StringEquals": {"kms:CallerAccount": {"Ref": "AWS::AccountId"}}}}]}
    assert problems(document(fragment)) == []


@pytest.mark.parametrize("first, second", [("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal")])
def test_exclusive_pairs(first, second):
    body = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}
    body[second] = "*"
    body[first] = body.get(first, "*")
    text = '{\n"Version": "2012-10-17",\n"Statement": [{\n' + ",\n".join(f'"{k}": "{v}"' for k, v in body.items()) + "\n}]\n}"
    file, line, message = only(text)
    assert f"both `{first}` and `{second}`" in message
    assert line == text.splitlines().index(f'"{second}": "*"') + 1  # points at the second element


def test_principal_depends_on_the_kind_of_policy():
    statement = '{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "*"}'
    text = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    ' + statement + "\n  ]\n}"
    file, line, message = only(text, "identity")
    assert line == 4 and "`Principal` is not allowed in an identity policy" in message
    no_principal = text.replace('"Principal": {"AWS": "arn:aws:iam::111122223333:root"}, ', "")
    bucket = PolicyDocument(body=document(no_principal).body, kind="resource", owner=None)
    assert [p.message for p in problems(bucket)] == ["statement 1 has no `Principal`: a resource policy must say whom it applies to"]


def test_trust_policies():
    text = """\
        {
          "Version": "2012-10-17",
          "Statement": [{
            "Effect": "Allow",
            "NotPrincipal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Resource": "*"
          }]
        }"""
    found = lines_of(text, "trust")
    assert [(line, "NotPrincipal" in m or "Resource" in m) for _, line, m in found] == [(5, True), (7, True)]


def test_raw_trust_policy_is_not_asked_for_a_resource():
    raw = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    assert problems(document(raw, "resource")) == []


def test_missing_resource_in_identity_policy():
    file, line, message = only('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}', "identity")
    assert "has no `Resource`" in message


@pytest.mark.parametrize(
    "operator, expected",
    [
        ("StringEqual", "did you mean `StringEquals`?"),
        ("stringEquals", "operator names are case-sensitive: write `StringEquals`"),
        ("NullIfExists", "`Null` already tests whether the key exists"),
        ("ForAnyValues:StringLike", "use `ForAllValues:` or `ForAnyValue:`"),
        ("StringEqualsIfExist", "did you mean `StringEqualsIfExists`?"),
    ],
)
def test_unknown_condition_operators(operator, expected):
    text = f"""\
        {{
          "Version": "2012-10-17",
          "Statement": [{{
            "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
            "Condition": {{
              "{operator}": {{"aws:SourceVpce": "vpce-1"}}
            }}
          }}]
        }}"""
    file, line, message = only(text)
    assert line == 6 and f"`{operator}`" in message and expected in message


@pytest.mark.parametrize(
    "operator",
    ["StringEquals", "StringNotEqualsIfExists", "ForAllValues:StringLike", "ForAnyValue:NumericLessThanIfExists", "Null", "ForAnyValue:Null", "ArnNotLikeIfExists", "BinaryEquals", "NotIpAddress", "DateGreaterThanEquals", "BoolIfExists"],
)
def test_known_condition_operators(operator):
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*", "Condition": {"%s": {"aws:K": "v"}}}]}' % operator
    assert lines_of(text) == []


@pytest.mark.parametrize(
    "value, expected",
    [
        ("my-bucket/*", "write `arn:aws:s3:::my-bucket/*`"),
        ("arn:aws:s3::my-bucket", "six parts"),
        ("arn:amazon:s3:::b", "unknown partition `amazon`"),
        ("bucket name with spaces", "is not an ARN"),
    ],
)
def test_malformed_resource_arns(value, expected):
    text = '{\n"Version": "2012-10-17",\n"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",\n"Resource": ["arn:aws:s3:::ok/*",\n"%s"]}]}' % value
    file, line, message = only(text)
    assert line == 5 and f"`{value}` in `Resource`" in message and expected in message


@pytest.mark.parametrize("value", ["*", "arn:aws:s3:::b/*", "arn:aws:iam::111122223333:role/x", "arn:aws-cn:s3:::b", "arn:*", "arn:aws:logs:*:*:*", "arn:aws:s3:::b/${aws:username}"])
def test_valid_arns(value):
    assert arn_problem(value) is None or value == "*"


@pytest.mark.parametrize(
    "principal, expected",
    [
        ('{"AWS": "arn:aws:iam::*:root"}', "does not accept wildcards inside a principal"),
        ('{"AWS": "arn:aws:iam::111122223333:role/*"}', "does not accept wildcards"),
        ('{"AWS": "my-role"}', "is not a valid `AWS` principal"),
        ('{"Aws": "*"}', "principal type `Aws`"),
        ('"arn:aws:iam::111122223333:root"', 'must be `"*"` or an object'),
    ],
)
def test_principal_values(principal, expected):
    text = '{\n"Version": "2012-10-17",\n"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",\n"Principal": %s}]}' % principal
    file, line, message = only(text)
    assert line == 4 and expected in message


def test_sid_characters_in_iam_policies():
    text = '{\n"Version": "2012-10-17",\n"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",\n"Sid": "read-data"}]}'
    file, line, message = only(text, "identity")
    assert line == 4 and "`readdata`" in message
    assert lines_of(text.replace('"Effect"', '"Principal": "*", "Effect"'), "resource") == []  # bucket policies accept it


def test_duplicate_sids_in_iam_policies():
    text = '{\n"Version": "2012-10-17",\n"Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},\n{"Sid": "Read", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}'
    file, line, message = only(text, "identity")
    assert line == 4 and "also the Sid of statement 1" in message


def test_type_errors_name_the_element():
    text = '{\n"Version": "2012-10-17",\n"Statement": [{"Effect": "Allow", "Principal": "*", "Resource": "*",\n"Action": {"s3": "GetObject"},\n"Condition": {"StringEquals": "vpce-1"}}]}'
    found = lines_of(text)
    assert [(line, m.split(" must ")[0]) for _, line, m in found] == [(4, "`Action` in statement 1"), (5, "the operator `StringEquals` in `Condition` in statement 1")]


def test_computed_values_are_not_judged():
    body = nodes({"Version": "2012-10-17", "Statement": [
        {"Effect": COMPUTED, "Principal": COMPUTED, "Action": COMPUTED, "Resource": [COMPUTED, "arn:aws:s3:::b/*"], "Condition": {"StringEquals": COMPUTED}},
        COMPUTED,
    ]})
    assert validate_body(body) == []
    assert validate_body(nodes({"Version": COMPUTED, "Statement": COMPUTED})) == []


def test_version():
    assert "2012-10-17" in only('{"Version": "2012-10-18", "Statement": []}')[2]
    missing = version_problem(document('{\n  "Statement": []\n}'))
    assert missing is not None and missing.node.line == 1 and missing.severity is None and "no `Version`" in missing.message
    legacy = version_problem(document('{\n  "Version": "2008-10-17",\n  "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${aws:username}/*"}]\n}'))
    assert legacy is not None and legacy.node.line == 2 and legacy.severity == "medium" and "literal" in legacy.message
    assert version_problem(document('{"Version": "2012-10-17", "Statement": []}')) is None
    assert version_problem(PolicyDocument(nodes({"Version": COMPUTED, "Statement": []}), "identity", None)) is None


def test_grammar_errors_through_lint_paths_carry_file_and_line(tmp_path):
    from policylint.engine import lint_paths

    path = tmp_path / "bucket-policy.json"
    path.write_text(textwrap.dedent("""\
        {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Effect": "Allow",
              "Principal": "*",
              "Action": "s3:GetObject",
              "Resource": "example-bucket/*"
            }
          ]
        }
        """))
    report = lint_paths([str(path)], select=["PL204"])
    assert [(f.file, f.line, f.rule_id) for f in report.findings] == [(str(path), 8, "PL204")]
    assert "arn:aws:s3:::example-bucket/*" in report.findings[0].message


def test_jsonschema_is_imported_only_to_validate():
    code = textwrap.dedent("""\
        import sys
        import importlib
        from policylint.policy import document, evaluate, public, grammar, targets
        for name in ("s3.missing_sse_deny", "s3.insecure_transport", "s3.public_bucket_policy", "s3.policy_resource_mismatch",
                     "iam.wildcard_permissions", "iam.invalid_policy", "iam.policy_version"):
            importlib.import_module("policylint.rules." + name)
        assert "jsonschema" not in sys.modules, "imported at start-up"
        from policylint.parsers.located_yaml import load_json
        from policylint.model import PolicyDocument
        grammar.problems(PolicyDocument(load_json('{"Statement": []}', "p.json"), "identity", None))
        assert "jsonschema" not in sys.modules, "imported for a well-formed policy"
        grammar.problems(PolicyDocument(load_json('{"Statement": [], "Bad": 1}', "p.json"), "identity", None))
        assert "jsonschema" in sys.modules
        """)
    subprocess.run([sys.executable, "-c", code], check=True, cwd="/")


# --------------------------------------------------------------------------- the fast path agrees with the schema

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from policylint.policy import grammar as grammar_module  # noqa: E402

_WORDS = ["Version", "Id", "Statement", "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
          "Resource", "NotResource", "Condition", "AWS", "Service", "Federated", "CanonicalUser",
          "StringEquals", "aws:SourceVpce", "Allow", "Deny", "2012-10-17", "2008-10-17", "*", "s3:GetObject", "x", "effect"]
_SCALARS = st.one_of(st.sampled_from(_WORDS), st.integers(-3, 3), st.floats(allow_nan=False, width=16), st.booleans(), st.none(),
                     st.just(grammar_module._COMPUTED))
_KEYS = st.one_of(st.sampled_from(_WORDS), st.integers(0, 2))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=4)), max_leaves=12)


def _statements():
    principal = st.one_of(st.sampled_from(["*", "x"]), st.dictionaries(st.sampled_from(["AWS", "Service", "Federated", "CanonicalUser", "Bad"]), _VALUES, max_size=2), _VALUES)
    element = {
        "Sid": _VALUES, "Effect": st.one_of(st.sampled_from(["Allow", "Deny", "allow"]), _VALUES),
        "Principal": principal, "NotPrincipal": principal, "Action": _VALUES, "NotAction": _VALUES,
        "Resource": _VALUES, "NotResource": _VALUES, "Other": _VALUES,
        "Condition": st.one_of(st.dictionaries(st.sampled_from(["StringEquals", "Bool"]), st.one_of(st.dictionaries(st.sampled_from(["aws:a", "aws:b"]), _VALUES, max_size=2), _VALUES), max_size=2), _VALUES),
    }
    return st.fixed_dictionaries({}, optional=element)


_DOCUMENTS = st.one_of(
    st.fixed_dictionaries({}, optional={
        "Version": st.one_of(st.sampled_from(["2012-10-17", "2008-10-17", "2012-10-18"]), _VALUES),
        "Id": _VALUES,
        "Statement": st.one_of(_statements(), st.lists(st.one_of(_statements(), _VALUES), max_size=3), _VALUES),
        "Extra": _VALUES,
    }),
    _VALUES,
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_DOCUMENTS)
def test_the_fast_check_reaches_the_schemas_verdict(instance):
    errors = [e for e in grammar_module._validator().iter_errors(instance) if e.instance is not grammar_module._COMPUTED]
    assert grammar_module.conforms(instance) == (not errors), [e.message for e in errors]


def test_a_well_formed_policy_does_not_import_jsonschema():
    code = textwrap.dedent("""
        import sys
        from policy_nodes import document
        from policylint.policy.grammar import problems
        doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Principal": "*"}]}
        assert problems(document(doc)) == []
        assert "jsonschema" not in sys.modules
        doc["Statement"][0]["Effect"] = "allow"
        assert problems(document(doc))
        assert "jsonschema" in sys.modules
    """)
    tests = str(__import__("pathlib").Path(__file__).resolve().parent)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tests, env={**__import__("os").environ, "PYTHONPATH": tests})
    assert result.returncode == 0, result.stderr
