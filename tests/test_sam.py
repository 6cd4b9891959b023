"""The SAM transform as policylint expands it (policylint/parsers/sam.py)."""

from __future__ import annotations

import json
import textwrap
from importlib.util import find_spec
from pathlib import Path

import pytest

from policylint.model import Node
from policylint.parsers import cfn_stacks, cloudformation, sam
from policylint.parsers.located_yaml import load

HEADER = "Transform: AWS::Serverless-2016-10-31\n"


def parse(text: str, path: str = "t.yaml"):
    return cloudformation.parse(HEADER + textwrap.dedent(text), path)


def plain_properties(text: str, logical_id: str):
    """The resource's Properties with Globals merged, as plain values."""
    root = load(HEADER + textwrap.dedent(text), "t.yaml")
    template = cloudformation._Template(root, "t.yaml")
    raw = template.resources[logical_id]
    merged = sam.properties(template, raw, raw.get("Type").value)
    return merged.plain() if merged is not None else None


def statements(doc):
    return [[s.plain() for s in p.body.get("Statement").items()] for p in doc.policies]


def node(value, line=1):
    if isinstance(value, dict):
        return Node({k: node(v, line) for k, v in value.items()}, "t.yaml", line)
    if isinstance(value, list):
        return Node([node(v, line) for v in value], "t.yaml", line)
    return Node(value, "t.yaml", line)


# --------------------------------------------------------------------------- Globals


def test_merge_maps_key_by_key_lists_concatenated_scalars_local():
    merged = sam.merge(
        node({"Environment": {"Variables": {"A": "1", "B": "2"}}, "Layers": ["g"], "Timeout": 3, "Tags": {"t": "g"}}),
        node({"Environment": {"Variables": {"B": "local"}}, "Layers": ["l"], "Timeout": 30}),
    )
    assert merged.plain() == {
        "Environment": {"Variables": {"A": "1", "B": "local"}},
        "Layers": ["g", "l"],
        "Timeout": 30,
        "Tags": {"t": "g"},
    }


def test_merge_treats_intrinsics_and_type_mismatches_as_scalars():
    merged = sam.merge(
        node({"VpcConfig": {"SubnetIds": ["a"]}, "Layers": ["g"], "Environment": {"Ref": "Env"}}),
        node({"VpcConfig": {"Ref": "Vpc"}, "Layers": "one", "Environment": {"Variables": {"X": "1"}}}),
    )
    assert merged.plain() == {"VpcConfig": {"Ref": "Vpc"}, "Layers": "one", "Environment": {"Variables": {"X": "1"}}}


def test_function_globals_merge_but_not_role_policies_or_events():
    text = """
    Globals:
      Function:
        Runtime: python3.12
        Timeout: 3
        Layers: [arn:aws:lambda:us-east-1:111122223333:layer:g:1]
        Role: arn:aws:iam::111122223333:role/not-allowed-here
        Policies: [AdministratorAccess]
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Timeout: 30
          Layers: [arn:aws:lambda:us-east-1:111122223333:layer:l:1]
    """
    assert plain_properties(text, "Fn") == {
        "Runtime": "python3.12",
        "Timeout": 30,
        "Layers": ["arn:aws:lambda:us-east-1:111122223333:layer:g:1", "arn:aws:lambda:us-east-1:111122223333:layer:l:1"],
    }
    doc = parse(text)
    assert doc.policies == []  # SAM refuses Policies in Globals: the function keeps none
    assert not doc.errors


def test_globals_reach_only_their_type_and_ignore_globals_opts_out():
    text = """
    Globals:
      Function:
        Runtime: python3.12
        Timeout: 3
      Api:
        Name: shared
      SimpleTable:
        SSESpecification:
          SSEEnabled: true
    Resources:
      Table:
        Type: AWS::Serverless::SimpleTable
      Api:
        Type: AWS::Serverless::Api
        Properties:
          StageName: prod
      Plain:
        Type: AWS::Lambda::Function
        Properties:
          Runtime: nodejs20.x
      All:
        Type: AWS::Serverless::Function
        IgnoreGlobals: "*"
        Properties:
          CodeUri: src/
      Some:
        Type: AWS::Serverless::Function
        IgnoreGlobals: [Timeout]
    """
    assert plain_properties(text, "Table") == {"SSESpecification": {"SSEEnabled": True}}
    assert plain_properties(text, "Api") == {"Name": "shared", "StageName": "prod"}
    assert plain_properties(text, "Plain") == {"Runtime": "nodejs20.x"}
    assert plain_properties(text, "All") == {"CodeUri": "src/"}
    assert plain_properties(text, "Some") == {"Runtime": "python3.12"}


def test_global_values_keep_their_lines_in_the_globals_section():
    doc = parse("""
    Globals:
      Function:
        AssumeRolePolicyDocument:
          Statement:
            - Effect: Allow
              Principal: {Service: lambda.amazonaws.com}
              Action: sts:AssumeRole
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: src/
    """)
    (trust,) = doc.policies
    assert trust.kind == "trust" and trust.owner.address == "Fn"
    assert trust.body.line == 5  # `AssumeRolePolicyDocument:` under Globals (the header is line 1)


def test_malformed_globals_and_policies_are_not_errors():
    doc = parse("""
    Globals:
      Function: [not, a, mapping]
    Resources:
      A:
        Type: AWS::Serverless::Function
        IgnoreGlobals: 7
        Properties:
          Policies: 42
      B:
        Type: AWS::Serverless::Function
        Properties: [x]
      C:
        Type: AWS::Serverless::Function
        Properties:
          Policies:
            - '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
            - [nested]
            - null
    """)
    assert not doc.errors
    assert doc.policies == []  # a JSON-looking string is a managed policy name to SAM, not a document
    assert [r.address for r in doc.resources] == ["A", "B", "C"]


# --------------------------------------------------------------------------- Policies


def test_inline_documents_are_identity_policies_of_the_function_as_written():
    doc = parse("""
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Policies:
            - Statement:
                - Effect: Allow
                  Action: s3:GetObject
                  Resource: arn:aws:s3:::b/*
            - Version: "2012-10-17"
              Statement:
                Effect: Allow
                Action: sqs:SendMessage
                Resource: "*"
    """)
    first, second = doc.policies
    assert (first.kind, first.owner.address, first.owner.type) == ("identity", "Fn", "AWS::Serverless::Function")
    assert "Version" not in first.body.value  # SAM adds none
    assert first.body.line == 8 and second.body.line == 12
    assert second.body.get("Statement").plain() == {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}


def test_single_inline_document_not_in_a_list():
    doc = parse("""
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Policies:
            Statement:
              - Effect: Allow
                Action: "*"
                Resource: "*"
    """)
    assert statements(doc) == [[{"Effect": "Allow", "Action": "*", "Resource": "*"}]]


@pytest.mark.parametrize("spelling", [
    "AdministratorAccess",
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws-cn:iam::aws:policy/AdministratorAccess",
    "!Sub arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess",
])
def test_administrator_access_is_star_on_star_at_its_line(spelling):
    doc = parse(f"""
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Policies:
            - AWSLambdaBasicExecutionRole
            - {spelling}
    """)
    (admin,) = doc.policies
    assert admin.kind == "identity" and admin.body.line == 9
    assert admin.body.get("Version").value == "2012-10-17"
    assert statements(doc) == [[{"Sid": "AdministratorAccess", "Effect": "Allow", "Action": ["*"], "Resource": "*"}]]


@pytest.mark.parametrize("entry", [
    "AmazonS3ReadOnlyAccess",
    "arn:aws:iam::aws:policy/PowerUserAccessX",
    "arn:aws:iam::111122223333:policy/AdministratorAccess",  # a customer policy of that name
    "!Ref SomeManagedPolicy",
    "!ImportValue shared-policy-arn",
    "S3ReadPolicy: {BucketName: b}",
    "DynamoDBCrudPolicy: {TableName: !Ref Table}",
    "NotASamTemplate: {Anything: x}",
    "!If [IsProd, AdministratorAccess, !Ref AWS::NoValue]",
])
def test_entries_whose_document_is_scoped_or_unknown_give_none(entry):
    doc = parse(f"""
    Parameters:
      Env: {{Type: String}}
    Conditions:
      IsProd: !Equals [!Ref Env, prod]
    Resources:
      SomeManagedPolicy:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Version: "2012-10-17"
            Statement: [{{Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::b/*"}}]
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Policies:
            - {entry}
    """)
    assert not doc.errors
    assert [p.owner.address for p in doc.policies] == ["SomeManagedPolicy"]


def test_textract_template_grants_its_service_with_a_version_left_to_sam():
    doc = parse("""
    Resources:
      Machine:
        Type: AWS::Serverless::StateMachine
        Properties:
          Policies:
            TextractPolicy: {}
    """)
    (generated,) = doc.policies
    assert generated.owner.type == "AWS::Serverless::StateMachine" and generated.body.line == 7
    assert not generated.body.get("Version").known
    assert statements(doc) == [[{"Sid": "TextractPolicy", "Effect": "Allow", "Action": ["textract:*"], "Resource": "*"}]]


def test_a_given_role_means_no_generated_role():
    doc = parse("""
    Parameters:
      RoleArn: {Type: String}
    Conditions:
      HasRole: !Not [!Equals [!Ref RoleArn, ""]]
    Resources:
      Given:
        Type: AWS::Serverless::Function
        Properties:
          Role: !Ref RoleArn
          AssumeRolePolicyDocument:
            Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
          Policies: [AdministratorAccess]
      Machine:
        Type: AWS::Serverless::StateMachine
        Properties:
          Role: arn:aws:iam::111122223333:role/sfn
          Policies: [AdministratorAccess]
      BareNoValue:
        Type: AWS::Serverless::Function
        Properties:
          Role: !Ref AWS::NoValue  # SAM sees a Role (and generates none); CloudFormation then fails
          Policies: [AdministratorAccess]
      Conditional:
        Type: AWS::Serverless::Function
        Properties:
          Role: !If [HasRole, !Ref RoleArn, !Ref AWS::NoValue]  # role generated in one branch only
          Policies: [AdministratorAccess]
      Generated:
        Type: AWS::Serverless::Function
        Properties:
          Policies: [AdministratorAccess]
    """)
    assert [p.owner.address for p in doc.policies] == ["Generated"]


def test_findings_point_at_the_sam_template_lines(tmp_path):
    from policylint.engine import lint_paths

    path = tmp_path / "template.yaml"
    path.write_text(HEADER + textwrap.dedent("""
    Globals:
      Function:
        Runtime: python3.12
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Handler: app.handler
          Policies:
            - Version: "2012-10-17"
              Statement:
                - Effect: Allow
                  Action: dynamodb:*
                  Resource: "*"
            - AdministratorAccess
    """), encoding="utf-8")
    report = lint_paths([str(path)])
    assert not report.errors
    assert sorted((f.line, f.rule_id) for f in report.findings if f.rule_id.startswith("PL2")) == [(15, "PL203"), (17, "PL203")]


# --------------------------------------------------------------------------- the reference


def _translator_templates() -> dict:
    spec = find_spec("samtranslator")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("aws-sam-translator is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "policy_templates_data" / "policy_templates.json"
    if not path.is_file():
        pytest.skip("aws-sam-translator has no policy_templates.json")
    return json.loads(path.read_text(encoding="utf-8"))["Templates"]


def test_template_wildcards_match_aws_sam_translator():
    """Which of SAM's templates grant every action of a service on `Resource: "*"`."""
    expected = {}
    for name, template in _translator_templates().items():
        for statement in template["Definition"]["Statement"]:
            actions = statement.get("Action", [])
            resources = statement.get("Resource", [])
            actions = actions if isinstance(actions, list) else [actions]
            resources = resources if isinstance(resources, list) else [resources]
            assert "NotAction" not in statement
            if statement.get("Effect") == "Allow" and "*" in resources:
                wide = tuple(a for a in actions if isinstance(a, str) and (a == "*" or a.endswith(":*")))
                if wide:
                    expected[name] = expected.get(name, ()) + wide
    assert expected == sam.TEMPLATE_WILDCARDS


# --------------------------------------------------------------------------- Applications


def _lint(tmp_path, files: dict[str, str], select=("PL111",)):
    from policylint.engine import lint_paths

    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    report = lint_paths([str(tmp_path)], select=list(select))
    return sorted((f.file.rsplit("/", 1)[1], f.line) for f in report.findings), report.errors


APP_CHILD = """\
Parameters:
  Acl: {Type: String, Default: Private}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: !Ref Acl
"""


def _app(location: str, acl: str = "PublicRead") -> str:
    return HEADER + textwrap.dedent(f"""\
    Resources:
      App:
        Type: AWS::Serverless::Application
        Properties:
          Location: {location}
          Parameters: {{Acl: {acl}}}
    """)


def test_a_local_application_is_a_nested_stack_evaluated_with_its_parameters(tmp_path):
    assert _lint(tmp_path, {"template.yaml": _app("app/child.yaml"), "app/child.yaml": APP_CHILD}) == ([("child.yaml", 7)], [])


def test_an_application_child_is_one_unit_with_its_parent_and_not_judged_alone(tmp_path):
    from policylint import parsers
    from policylint.engine import read

    files = {"template.yaml": _app("app/child.yaml", "Private"), "app/child.yaml": APP_CHILD.replace("Default: Private", "Default: PublicRead")}
    assert _lint(tmp_path, files) == ([], [])
    texts, _, _ = read([str(tmp_path / "app" / "child.yaml"), str(tmp_path / "template.yaml")])
    assert [[p.rsplit("/", 1)[1] for p, _ in u.sources] for u in parsers.units(texts)] == [["template.yaml", "child.yaml"]]


def test_an_application_child_outside_the_scan_is_read_from_its_location(tmp_path):
    from policylint.engine import lint_paths

    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "child.yaml").write_text(APP_CHILD, encoding="utf-8")
    (tmp_path / "template.yaml").write_text(_app("./app/child.yaml"), encoding="utf-8")
    report = lint_paths([str(tmp_path / "template.yaml")], select=["PL111"])
    assert [(f.file.rsplit("/", 1)[1], f.line) for f in report.findings] == [("child.yaml", 7)]


@pytest.mark.parametrize("location", [
    "s3://bucket/child.yaml",
    "https://bucket.s3.amazonaws.com/child.yaml",
    "{ApplicationId: 'arn:aws:serverlessrepo:us-east-1:123456789012:applications/app', SemanticVersion: 1.0.0}",
    "!Sub '${AWS::Region}/child.yaml'",
    "missing/child.yaml",
])
def test_remote_published_computed_and_missing_locations_are_unknown(tmp_path, location):
    assert _lint(tmp_path, {"template.yaml": _app(location)}) == ([], [])


def test_location_keys_of_other_resources_are_not_children(tmp_path):
    """`CodeLocation`, or a `Location` that is not an application's, leaves the file alone."""
    files = {
        "template.yaml": HEADER + textwrap.dedent("""\
        Resources:
          Other:
            Type: AWS::Custom::Thing
            Properties:
              Location: other.yaml
              CodeLocation: other.yaml
        """),
        "other.yaml": APP_CHILD.replace("Default: Private", "Default: PublicRead"),
    }
    assert _lint(tmp_path, files) == ([("other.yaml", 7)], [])
    assert cfn_stacks.children("/x/t.yaml", "CodeLocation: a.yaml\nLocation:\n  ApplicationId: x\n") == []
    assert cfn_stacks.children("/x/t.yaml", '"Location": "app/t.json", Location: ./b.yaml') == ["/x/app/t.json", "/x/b.yaml"]


def test_an_application_cycle_is_an_error_naming_both_templates(tmp_path):
    files = {
        "template.yaml": _app("app/child.yaml"),
        "app/child.yaml": HEADER + textwrap.dedent("""\
        Resources:
          Back:
            Type: AWS::Serverless::Application
            Properties:
              Location: ../template.yaml
        """),
    }
    findings, errors = _lint(tmp_path, files)
    assert findings == []
    assert len(errors) == 1 and "cycle" in errors[0].message
    assert "template.yaml" in errors[0].message and "child.yaml" in errors[0].message


# --------------------------------------------------------------------------- API resource policies


def test_api_custom_statements_are_the_apis_resource_policy_where_written():
    doc = parse("""\
    Globals:
      Api:
        Auth:
          ResourcePolicy:
            CustomStatements:
              - {Effect: Deny, Principal: "*", Action: execute-api:Invoke, Resource: execute-api:/*/DELETE/*}
    Resources:
      Orders:
        Type: AWS::Serverless::Api
        Properties:
          StageName: prod
          Auth:
            ResourcePolicy:
              IpRangeWhitelist: ["192.0.2.0/24"]
              CustomStatements:
                - Effect: Allow
                  Principal: "*"
                  Action: execute-api:Invoke
                  Resource: execute-api:/prod/*
    """)
    [policy] = doc.policies
    assert (policy.kind, policy.service, policy.owner.address, policy.synthetic) == ("resource", "API Gateway", "Orders", False)
    assert policy.body.get("Version").value == "2012-10-17"
    assert policy.body.get("Version").line == 14  # SAM's Version sits at `ResourcePolicy`
    # Globals' statements first, as SAM concatenates lists; the list keys are SAM's (not modelled).
    assert [s.get("Effect").value for s in policy.body.get("Statement").items()] == ["Deny", "Allow"]
    assert [s.line for s in policy.body.get("Statement").items()] == [7, 17]


@pytest.mark.parametrize("auth", [
    "{ResourcePolicy: {AwsAccountWhitelist: ['123456789012'], SourceVpcBlacklist: [vpc-1]}}",
    "{ResourcePolicy: {CustomStatements: !Ref Statements}}",
    "{ResourcePolicy: !Ref Policy}",
    "{DefaultAuthorizer: AWS_IAM}",
])
def test_api_without_known_custom_statements_has_no_document(auth):
    doc = parse(f"""\
    Parameters:
      Statements: {{Type: String}}
      Policy: {{Type: String}}
    Resources:
      Orders:
        Type: AWS::Serverless::Api
        Properties:
          StageName: prod
          Auth: {auth}
    """)
    assert not doc.errors
    assert [r.address for r in doc.resources] == ["Orders"]
    assert not [p for p in doc.policies if p.body.known]


def test_api_with_an_external_definition_has_no_document():
    doc = parse("""\
    Resources:
      Orders:
        Type: AWS::Serverless::Api
        Properties:
          StageName: prod
          DefinitionUri: openapi.yaml
          Auth:
            ResourcePolicy:
              CustomStatements: [{Effect: Allow, Principal: "*", Action: execute-api:Invoke, Resource: execute-api:/*}]
    """)
    assert doc.policies == []


def test_rest_api_policy_is_an_api_gateway_resource_policy():
    doc = cloudformation.parse(textwrap.dedent("""\
    Resources:
      Legacy:
        Type: AWS::ApiGateway::RestApi
        Properties:
          Policy: '{"Version": "2012-10-17", "Statement": []}'
    """), "t.yaml")
    [policy] = doc.policies
    assert (policy.kind, policy.service, policy.owner.address) == ("resource", "API Gateway", "Legacy")


def test_execute_api_shorthand_is_accepted_only_where_api_gateway_takes_it():
    from policylint.model import PolicyDocument
    from policylint.policy.grammar import problems

    def messages(kind, service, resource="execute-api:/prod/GET/*"):
        statement = {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": resource}
        if kind == "resource":
            statement["Principal"] = "*"
        body = node({"Version": "2012-10-17", "Statement": [statement]})
        return [p.message for p in problems(PolicyDocument(body=body, kind=kind, owner=None, service=service))]

    assert messages("resource", "API Gateway") == []
    assert messages("resource", None) == []  # a raw policy file
    assert messages("resource", "API Gateway", "execute-api:*") != []
    assert messages("resource", "SQS queue") != []
    assert messages("identity", None) != []


def test_pl207_does_not_judge_public_apis_but_the_grammar_does(tmp_path):
    from policylint.engine import lint_paths

    path = tmp_path / "template.yaml"
    path.write_text(HEADER + textwrap.dedent("""\
    Resources:
      Orders:
        Type: AWS::Serverless::Api
        Properties:
          StageName: prod
          Auth:
            ResourcePolicy:
              CustomStatements:
                - {Effect: Allow, Principal: "*", Action: execute-api:Invoke, Resource: execute-api:/*}
                - {Effect: Allow, Action: execute-api:Invoke, Resource: execute-api:/*}
    """), encoding="utf-8")
    report = lint_paths([str(path)], select=["PL204", "PL205", "PL207"])
    assert not report.errors
    assert [(f.rule_id, f.line) for f in report.findings] == [("PL204", 11)]
