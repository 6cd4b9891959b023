"""CloudFormation Conditions, `Fn::If`, parameter values and `--parameter` (issue 8, item 1)."""

from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner

from policylint import parsers
from policylint.cache import Cache
from policylint.commands import cli
from policylint.engine import lint_paths
from policylint.model import TextFile, Unknown
from policylint.parsers import cloudformation

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Environment: {Type: String, Default: dev}
  Acl: {Type: String, Default: PublicRead}
Conditions:
  IsProd: !Equals [!Ref Environment, prod]
Resources:
  Site:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: !If [IsProd, Private, !Ref Acl]
  Share:
    Type: AWS::S3::Bucket
    Condition: IsProd
    Properties:
      AccessControl: PublicReadWrite
"""


def parse(text: str, **parameters):
    return cloudformation.parse(textwrap.dedent(text), "t.yaml", parameters)


def bucket(doc, address):
    return next(r for r in doc.resources if r.address == address)


def findings(tmp_path, text=TEMPLATE, **options):
    path = tmp_path / "t.yaml"
    path.write_text(text)
    return sorted((f.rule_id, f.line) for f in lint_paths([str(path)], select=["PL111"], **options).findings)


def test_defaults_decide_and_a_parameter_override_makes_it_safe(tmp_path):
    assert findings(tmp_path) == [("PL111", 11)]
    assert findings(tmp_path, parameters=(("Acl", "Private"),)) == []
    # prod: the private branch, and the share exists
    assert findings(tmp_path, parameters=(("Environment", "prod"),)) == [("PL111", 16)]


def test_a_value_from_a_default_says_so():
    doc = parse(TEMPLATE)
    acl = bucket(doc, "Site").acl
    assert acl.value == "public-read"
    assert acl.origin == "default of parameter `Acl`"
    given = parse(TEMPLATE, Acl="AuthenticatedRead", Environment="dev")
    assert bucket(given, "Site").acl.origin is None


def test_a_branch_chosen_by_a_default_names_it():
    doc = parse(
        """\
        Parameters:
          Environment: {Type: String, Default: dev}
        Conditions:
          IsProd: !Equals [!Ref Environment, prod]
        Resources:
          Site:
            Type: AWS::S3::Bucket
            Properties:
              AccessControl: !If [IsProd, Private, PublicRead]
        """
    )
    acl = bucket(doc, "Site").acl
    assert acl.line == 9
    assert acl.origin == "default of parameter `Environment`, through condition `IsProd`"


@pytest.mark.parametrize(("condition", "expected"), [
    ("!Equals [a, a]", True),
    ("!Equals [a, b]", False),
    ("!Equals [!Ref Count, 3]", True),  # compared as text
    ("!Equals [!Ref Flag, true]", True),
    ("!Not [!Equals [a, b]]", True),
    ("!And [!Equals [a, a], !Condition Other]", False),
    ("!Or [!Equals [a, b], !Condition Other]", False),
    ("!Or [!Equals [a, a], !Equals [!Ref Unset, x]]", True),  # decided whatever Unset is
    ("!And [!Equals [a, b], !Equals [!Ref Unset, x]]", False),
    ("!And [!Equals [a, a], !Equals [!Ref Unset, x]]", None),
    ("!Equals [!Ref Unset, x]", None),
    ("!Equals [!Ref AWS::Region, eu-west-1]", None),
    ("!Condition Loop", None),  # circular: CloudFormation refuses it, here unknown
    ("!Condition Undeclared", None),
    ("!Equals [!Join [',', !Ref List], 'a,b']", True),
])
def test_condition_functions(condition, expected):
    doc = parse(
        f"""\
        Parameters:
          Count: {{Type: Number, Default: 3}}
          Flag: {{Type: String, Default: "true"}}
          Unset: {{Type: String}}
          List: {{Type: CommaDelimitedList, Default: "a,b"}}
        Conditions:
          Tested: {condition}
          Other: !Equals [x, y]
          Loop: !Condition Loop2
          Loop2: !Condition Loop
        Resources:
          Site:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: !If [Tested, "yes", "no"]
        """
    )
    name = bucket(doc, "Site").name.value
    if expected is None:
        assert isinstance(name, Unknown)
    else:
        assert name == ("yes" if expected else "no")


def test_pseudo_parameters_only_when_given():
    text = """\
        Conditions:
          China: !Equals [!Ref AWS::Partition, aws-cn]
        Resources:
          Site:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: !Sub "site-${AWS::Region}-${AWS::URLSuffix}"
              AccessControl: !If [China, Private, PublicRead]
        """
    unknown = bucket(parse(text), "Site")
    assert isinstance(unknown.name.value, Unknown) and isinstance(unknown.acl.value, Unknown)
    china = bucket(parse(text, **{"AWS::Region": "cn-north-1"}), "Site")
    assert china.name.value == "site-cn-north-1-amazonaws.com.cn"
    assert china.acl.value == "private"
    ireland = bucket(parse(text, **{"AWS::Region": "eu-west-1"}), "Site")
    assert ireland.name.value == "site-eu-west-1-amazonaws.com" and ireland.acl.value == "public-read"


def test_undecided_if_keeps_what_both_branches_agree_on():
    doc = parse(
        """\
        Parameters:
          Unset: {Type: String}
        Conditions:
          Maybe: !Equals [!Ref Unset, x]
        Resources:
          Site:
            Type: AWS::S3::Bucket
            Properties:
              PublicAccessBlockConfiguration: !If
                - Maybe
                - {BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true}
                - {BlockPublicAcls: true, IgnorePublicAcls: false}
        """
    )
    settings = bucket(doc, "Site").public_access_block.settings
    assert settings["block_public_acls"].value is True
    assert isinstance(settings["ignore_public_acls"].value, Unknown)
    assert isinstance(settings["block_public_policy"].value, Unknown)  # in one branch only
    assert settings["restrict_public_buckets"] is None


def test_list_parameters_are_split_at_commas():
    doc = parse(
        """\
        Parameters:
          Origins: {Type: CommaDelimitedList, Default: "https://a.example, https://b.example"}
        Resources:
          Site:
            Type: AWS::S3::Bucket
            Properties:
              CorsConfiguration:
                CorsRules:
                  - AllowedOrigins: !Ref Origins
                    AllowedMethods: [GET]
        """,
        Origins="*",
    )
    (rule,) = bucket(doc, "Site").cors_rules
    assert [o.value for o in rule.origins.value] == ["*"]


def test_outputs_and_references_of_resources_that_are_not_created():
    doc = parse(
        """\
        Conditions:
          Never: !Equals [a, b]
        Resources:
          Logs:
            Type: AWS::S3::Bucket
            Condition: Never
          Site:
            Type: AWS::S3::Bucket
            Properties:
              LoggingConfiguration:
                DestinationBucketName: !Ref Logs
        Outputs:
          LogsName:
            Condition: Never
            Value: !Ref Logs
            Export: {Name: logs-bucket}
          Fixed:
            Value: constant
            Export: {Name: fixed}
        """
    )
    assert [r.address for r in doc.resources] == ["Site"]
    assert isinstance(bucket(doc, "Site").logging.target.value, Unknown)
    assert list(doc.exports) == ["fixed"]


def test_parameters_are_part_of_the_cache_key(tmp_path):
    texts = [TextFile("t.yaml", TEMPLATE, "cloudformation")]
    cache = Cache(str(tmp_path / "c"))
    plain, = parsers.units(texts)
    given, = parsers.units(texts, (("Acl", "Private"),))
    assert cache.key(plain) != cache.key(given)
    assert given.parameters == (("Acl", "Private"),)


def test_cli_parameter_option(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(TEMPLATE)
    runner = CliRunner()
    unsafe = runner.invoke(cli, ["scan", "--no-cache", "--select", "PL111", str(path)])
    assert unsafe.exit_code == 1 and "t.yaml:11" in unsafe.output
    safe = runner.invoke(cli, ["scan", "--no-cache", "--select", "PL111", "--parameter", "Acl=Private", "--parameter", "Environment=dev", str(path)])
    assert safe.exit_code == 0, safe.output
    bad = runner.invoke(cli, ["scan", "--no-cache", "--parameter", "Acl", str(path)])
    assert bad.exit_code == 2 and "is not KEY=VALUE" in bad.output


def test_config_parameters_and_the_command_line_over_them(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(TEMPLATE)
    (tmp_path / ".policylint.toml").write_text('parameters = { Acl = "Private" }\n')
    runner = CliRunner()
    from_config = runner.invoke(cli, ["scan", "--no-cache", "--select", "PL111", str(path)])
    assert from_config.exit_code == 0, from_config.output
    overridden = runner.invoke(cli, ["scan", "--no-cache", "--select", "PL111", "--parameter", "Acl=PublicRead", str(path)])
    assert overridden.exit_code == 1
