"""CloudFormation parsing: lines, short-form tags, intrinsic resolution, errors."""

from __future__ import annotations

import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.model import DnsRecord, Ref, S3Bucket, Unknown
from policylint.parsers import cloudformation, located_yaml
from policylint.parsers.pyyaml import yaml


def parse(text: str, path: str = "t.yaml"):
    return cloudformation.parse(textwrap.dedent(text), path)


def resource(doc, address):
    return next(r for r in doc.resources if r.address == address)


def test_resource_and_property_lines():
    doc = parse(
        """\
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Logs:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: acme-logs
              VersioningConfiguration:
                Status: Enabled
        """
    )
    bucket = resource(doc, "Logs")
    assert isinstance(bucket, S3Bucket)
    assert (bucket.location.line, bucket.location.end_line) == (3, 8)
    assert (bucket.name.value, bucket.name.line) == ("acme-logs", 6)
    assert (bucket.versioning.value, bucket.versioning.line) == ("Enabled", 8)


def test_short_form_tags_and_references():
    doc = parse(
        """\
        Parameters:
          Env: {Type: String, Default: prod}
          NoDefault: {Type: String}
        Mappings:
          Names: {prod: {logs: acme-prod-logs}}
        Resources:
          Logs:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: !Sub "acme-${Env}-logs"
          Data:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: !FindInMap [Names, !Ref Env, logs]
              LoggingConfiguration:
                DestinationBucketName: !Ref Logs
          Joined:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: !Join ["-", [acme, !Ref NoDefault]]
              ReplicationConfiguration:
                Role: !GetAtt Role.Arn
                Rules:
                  - Status: Enabled
                    Destination: {Bucket: !Sub "arn:aws:s3:::${Logs}"}
          Role:
            Type: AWS::IAM::Role
        """
    )
    assert resource(doc, "Logs").name.value == "acme-prod-logs"
    data = resource(doc, "Data")
    assert data.name.value == "acme-prod-logs"
    assert data.logging.target.value == Ref("cfn:t.yaml::Logs", None, "${Logs}")
    joined = resource(doc, "Joined")
    assert isinstance(joined.name.value, Unknown) and joined.name.value.text == "acme-${NoDefault}"
    assert joined.replication.role.value == Ref("cfn:t.yaml::Role", "Arn", "${Role.Arn}")
    # a reference to a bucket with a literal name becomes the name inside a string
    assert joined.replication.rules[0].destination.value == "arn:aws:s3:::acme-prod-logs"


def test_no_value_removes_the_property_and_if_is_unknown():
    doc = parse(
        """\
        Resources:
          B:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: !Ref AWS::NoValue
              AccessControl: !If [Public, PublicRead, Private]
        """
    )
    bucket = resource(doc, "B")
    assert bucket.name is None
    assert isinstance(bucket.acl.value, Unknown)


def test_unquoted_version_date_stays_a_string():
    doc = parse(
        """\
        Resources:
          P:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              PolicyDocument:
                Version: 2012-10-17
                Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "*"}]
        """
    )
    (policy,) = doc.policies
    assert policy.body.get("Version").value == "2012-10-17"
    assert policy.kind == "identity"


def test_policy_document_as_a_json_string_keeps_lines():
    doc = parse(
        """\
        Resources:
          Policy:
            Type: AWS::S3::BucketPolicy
            Properties:
              Bucket: acme
              PolicyDocument: |
                {
                  "Version": "2012-10-17",
                  "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme/*"}]
                }
        """
    )
    (policy,) = doc.policies
    assert policy.kind == "resource" and policy.attached_to.value == "acme"
    assert policy.body.get("Statement").line == 9


def test_record_set_group_members_are_records():
    doc = parse(
        """\
        Resources:
          Group:
            Type: AWS::Route53::RecordSetGroup
            Properties:
              HostedZoneName: example.com.
              RecordSets:
                - Name: www.example.com.
                  Type: CNAME
        """
    )
    (record,) = [r for r in doc.resources if isinstance(r, DnsRecord)]
    assert record.address == "Group.RecordSets[0]"
    assert record.zone_fqdn == "example.com" and record.location.line == 7


def test_json_template_with_tabs():
    doc = cloudformation.parse('{\n\t"Resources": {\n\t\t"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "x"}}\n\t}\n}', "t.json")
    assert resource(doc, "B").name.line == 3


def test_errors_name_the_line():
    duplicate = parse("Resources:\n  A:\n    Type: AWS::S3::Bucket\n  A:\n    Type: AWS::S3::Bucket\n")
    assert [(e.line, e.message) for e in duplicate.errors] == [(4, "duplicate key `A` (first on line 2)")]
    two_docs = parse("Resources: {}\n---\nResources: {}\n")
    assert two_docs.errors and two_docs.errors[0].line == 2
    bad_json = cloudformation.parse('{"Resources": {"A": }}', "t.json")
    assert bad_json.errors[0].line == 1 and "invalid JSON" in bad_json.errors[0].message


def test_resources_that_is_not_a_mapping_is_an_error_with_its_line():
    doc = parse("AWSTemplateFormatVersion: '2010-09-09'\nResources: just a string\n")
    assert doc.resources == [] and [(e.line, e.message) for e in doc.errors] == [(2, "`Resources` must be a mapping of logical IDs to resources, not a single value")]


def test_yaml_without_resources_gives_nothing():
    doc = parse("Parameters: {}\n")
    assert doc.resources == [] and doc.errors == []


def test_imports_resolve_to_exports_of_other_templates_in_the_scan():
    from policylint.model import Imported
    from policylint.scan import Scan

    central = parse(
        """\
        Resources:
          Logs:
            Type: AWS::S3::Bucket
        Outputs:
          LogsName:
            Value: !Ref Logs
            Export: {Name: !Sub "central-logs"}
        """,
        "central.yaml",
    )
    consumer = parse(
        """\
        Resources:
          App:
            Type: AWS::S3::Bucket
            Properties:
              LoggingConfiguration:
                DestinationBucketName: !ImportValue central-logs
        """,
        "app.yaml",
    )
    assert set(central.exports) == {"central-logs"}
    target = resource(consumer, "App").logging.target
    assert isinstance(target.value, Imported) and target.value.export == "central-logs"
    scan = Scan([central, consumer])
    assert scan.bucket_for(target) is resource(central, "Logs")
    assert Scan([consumer]).bucket_for(target) is None


def test_no_value_user_data_is_absent():
    doc = parse("Resources:\n  Web:\n    Type: AWS::EC2::Instance\n    Properties:\n      UserData: !Ref AWS::NoValue\n")
    assert doc.errors == [] and resource(doc, "Web").user_data is None


def test_valid_json_that_yaml_cannot_read_still_parses():
    # surrogate-pair escapes (what json.dumps writes for an emoji) and a key over 1024 characters
    text = '{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "b",\n "AccessControl": "\\ud83d\\ude00", "%s": 1}}}}' % ("k" * 1100)
    doc = cloudformation.parse(text, "t.json")
    assert doc.errors == []
    bucket = resource(doc, "B")
    assert (bucket.name.value, bucket.name.line) == ("b", 1)
    assert bucket.acl.value == "\U0001F600"


def test_yaml_alias_bombs_are_refused_quickly():
    lines = ["Resources:", "  B:", "    Type: AWS::S3::Bucket", "x0: &a0 [" + ",".join(["lol"] * 10) + "]"]
    lines += [f"x{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    doc = parse("\n".join(lines) + "\n")
    (error,) = doc.errors
    assert "YAML aliases" in error.message and error.kind == "unsupported"


def test_s3_website_and_public_access_block_keys():
    doc = parse(
        """\
        Parameters:
          Env: {Type: String}
        Conditions:
          Prod: !Equals [!Ref Env, prod]
        Resources:
          Redirect:
            Type: AWS::S3::Bucket
            Properties:
              WebsiteConfiguration:
                RedirectAllRequestsTo:
                  HostName: example.com
              PublicAccessBlockConfiguration:
                BlockPublicAcls: true
          Unknown:
            Type: AWS::S3::Bucket
            Properties:
              WebsiteConfiguration: !If [Prod, {IndexDocument: index.html}, !Ref AWS::NoValue]
        """
    )
    redirect = resource(doc, "Redirect")
    assert redirect.website.redirects_all is True and redirect.website.location.line == 9
    assert redirect.key("restrict_public_buckets") == "RestrictPublicBuckets"
    assert resource(doc, "Unknown").website.redirects_all is None


def test_databases_caches_and_launches_spell_settings_as_templates_do():
    doc = parse(
        """\
        Resources:
          Db:
            Type: AWS::RDS::DBInstance
            Properties:
              Engine: postgres
              DBClusterIdentifier: app
          Cache:
            Type: AWS::ElastiCache::CacheCluster
            Properties:
              Engine: Memcached
          Web:
            Type: AWS::EC2::LaunchTemplate
            Properties:
              LaunchTemplateData:
                MetadataOptions:
                  HttpTokens: optional
        """
    )
    db = resource(doc, "Db")
    assert db.assignment("storage_encrypted", True) == "`StorageEncrypted: true`"
    assert db.key("backup_retention") == "BackupRetentionPeriod"
    assert (db.engine_name, db.is_aurora, db.is_cluster_member) == ("postgres", False, True)
    cache = resource(doc, "Cache")
    assert cache.assignment("automatic_failover", True) == "`AutomaticFailoverEnabled: true`"
    assert (cache.key("auth_token"), cache.key("user_groups")) == ("AuthToken", "UserGroupIds")
    assert (cache.engine_name, cache.is_redis_or_valkey) == ("memcached", False)
    assert resource(doc, "Web").key("metadata_http_tokens") == "HttpTokens"


@settings(max_examples=1000, deadline=None)
@given(st.text(st.sampled_from(list("aeTtYnNoO0123456789.+-_:~<=!&*/ x")), max_size=8))
def test_plain_scalars_get_the_resolver_s_tags(text):
    """The shortcut for plain scalars that cannot be typed agrees with PyYAML's resolver."""
    located_yaml._PLAIN_TAGS.clear()
    assert located_yaml._plain_tag(text) == located_yaml._PLAIN_RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
