"""The Terraform parser: HCL module directory -> located model objects.

Every input is real HCL written to a temporary module directory; lines are pinned because rules
report at the most specific line and suppressions match on it.
"""

from __future__ import annotations

import base64
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from policylint.model import (
    AccountPublicAccessBlock,
    BucketPart,
    CacheGroup,
    ComputeLaunch,
    Database,
    DnsRecord,
    HostedZone,
    Node,
    Ref,
    S3Bucket,
    S3Object,
    Unknown,
)
from policylint.parsers import hcl_tree, terraform
from policylint.scan import Scan

SHARED_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "terraform"


def parse(tmp_path: Path, files: dict[str, str] | None = None, **named: str):
    """Write the files (dedented) into tmp_path and parse them as one module."""
    contents = dict(files or {}, **{k.replace("__", "."): v for k, v in named.items()})
    written = []
    for name, text in contents.items():
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        written.append((str(path), path.read_text(encoding="utf-8-sig")))
    return terraform.parse_module(str(tmp_path), written)


def resource(document, address: str):
    found = [r for r in document.resources if r.address == address]
    assert len(found) == 1, f"{address} not in {[r.address for r in document.resources]}"
    return found[0]


def attributes(tmp_path: Path, address: str) -> Node:
    """The evaluated attributes of a resource of the module in ``tmp_path``: what the canonical
    builders of :mod:`policylint.parsers.tf_resources` receive."""
    from policylint.parsers import tf_blocks
    from policylint.parsers.tf_eval import Evaluator

    files = [hcl_tree.parse_file(str(p), p.read_text(encoding="utf-8-sig")) for p in sorted(tmp_path.glob("*.tf"))]
    return tf_blocks.resource_values(Evaluator(terraform.Module(str(tmp_path), files)), address)


def uid(tmp_path: Path, address: str) -> str:
    return f"tf:{tmp_path}::{address}"


def values(node: Node) -> list[tuple[int, object]]:
    """(line, value) of every scalar in a Node tree, in document order."""
    return [(n.line, n.value) for n in node.walk() if not isinstance(n.value, (dict, list))]


# --------------------------------------------------------------------------- lines


def test_lines_of_resources_attributes_and_nested_blocks(tmp_path):
    doc = parse(
        tmp_path,
        main__tf="""\
        # a comment
        resource "aws_s3_bucket" "logs" {
          bucket = "acme-logs"

          logging {
            target_bucket = "acme-audit"
            target_prefix = "logs/"
          }
          tags = {
            Team = "storage"
          }
        }
        """,
    )
    assert not doc.errors
    bucket = resource(doc, "aws_s3_bucket.logs")
    assert isinstance(bucket, S3Bucket)
    assert (bucket.location.file, bucket.location.line, bucket.location.end_line) == (str(tmp_path / "main.tf"), 2, 12)
    assert (bucket.name.value, bucket.name.line) == ("acme-logs", 3)
    assert (bucket.logging.location.line, bucket.logging.location.end_line) == (5, 8)
    assert (bucket.logging.target.value, bucket.logging.target.line) == ("acme-audit", 6)
    # Blocks have the plan JSON shape: a list of dict Nodes.
    logging = attributes(tmp_path, "aws_s3_bucket.logs").get("logging")
    assert isinstance(logging.value, list) and logging.get(0, "target_prefix").line == 7
    assert attributes(tmp_path, "aws_s3_bucket.logs").get("tags", "Team").line == 10


def test_jsonencode_keys_keep_their_own_lines(tmp_path):
    doc = parse(
        tmp_path,
        main__tf="""\
        resource "aws_s3_bucket" "b" {
          bucket = "acme-data"
        }

        resource "aws_s3_bucket_policy" "b" {
          bucket = aws_s3_bucket.b.id
          policy = jsonencode({
            Version = "2012-10-17"
            Statement = [
              {
                Sid       = "Public"
                Effect    = "Allow"
                Principal = "*"
                Action    = ["s3:GetObject"]
                Resource  = "${aws_s3_bucket.b.arn}/*"
              },
            ]
          })
        }
        """,
    )
    [policy] = doc.policies
    assert policy.kind == "resource"
    assert policy.attached_to.value == Ref(uid(tmp_path, "aws_s3_bucket.b"), "id", "aws_s3_bucket.b.id")
    assert values(policy.body) == [
        (8, "2012-10-17"),
        (11, "Public"),
        (12, "Allow"),
        (13, "*"),
        (14, "s3:GetObject"),
        (15, "arn:aws:s3:::acme-data/*"),  # the bucket's literal name, resolved
    ]
    assert policy.body.get("Statement", 0).line == 10


@pytest.mark.parametrize("marker", ["<<EOF", "<<-EOF"])
def test_heredoc_policy_statements_have_file_lines(tmp_path, marker):
    doc = parse(
        tmp_path,
        main__tf=f"""\
        resource "aws_iam_policy" "admin" {{
          name   = "admin"
          policy = {marker}
            {{
              "Version": "2012-10-17",
              "Statement": [
                {{
                  "Effect": "Allow",
                  "Action": "*",
          \t        "Resource": "*"
                }}
              ]
            }}
          EOF
        }}
        """,
    )
    [policy] = doc.policies
    assert policy.kind == "identity" and policy.address == "aws_iam_policy.admin"
    assert values(policy.body) == [(5, "2012-10-17"), (8, "Allow"), (9, "*"), (10, "*")]
    assert policy.body.line == 4
    assert policy.body.get("Statement", 0).line == 7


def test_heredoc_with_unknown_interpolation_keeps_the_known_parts(tmp_path):
    doc = parse(
        tmp_path,
        main__tf="""\
        variable "bucket" {}

        resource "aws_s3_bucket_policy" "p" {
          bucket = var.bucket
          policy = <<-POLICY
            {
              "Statement": [{
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "arn:aws:s3:::${var.bucket}/*",
                "Condition": {"StringLike": {"aws:userid": "$${aws:username}"}}
              }]
            }
          POLICY
        }
        """,
    )
    [policy] = doc.policies
    statement = policy.body.get("Statement", 0)
    assert (statement.get("Effect").value, statement.get("Effect").line) == ("Deny", 8)
    resource_arn = statement.get("Resource")
    assert isinstance(resource_arn.value, Unknown) and resource_arn.value.text == "arn:aws:s3:::${var.bucket}/*"
    assert resource_arn.line == 11
    # An escaped policy variable is literal text, not an unknown.
    assert statement.get("Condition", "StringLike", "aws:userid").value == "${aws:username}"


# --------------------------------------------------------------------------- variables, locals, interpolation


def test_variable_default_overridden_by_tfvars_then_auto_tfvars(tmp_path):
    doc = parse(
        tmp_path,
        {
            "variables.tf": """\
            variable "a" { default = "from-default" }
            variable "b" { default = "from-default" }
            variable "c" { default = "from-default" }
            variable "d" { default = "from-default" }
            """,
            "main.tf": """\
            resource "aws_s3_bucket" "b" {
              bucket = "${var.a}.${var.b}.${var.c}.${var.d}"
            }
            """,
            "terraform.tfvars": 'b = "tfvars"\nc = "tfvars"\n',
            "b.auto.tfvars": 'c = "auto-b"\n',
            "a.auto.tfvars": 'c = "auto-a"\n',
            "prod.tfvars": 'd = "only-with-var-file"\n',  # not loaded automatically
        },
    )
    assert not doc.errors
    name = resource(doc, "aws_s3_bucket.b").name
    assert name.value == "from-default.tfvars.auto-b.from-default"
    assert (name.file, name.line) == (str(tmp_path / "main.tf"), 2)


def test_locals_are_lazy_and_cycles_are_unknown(tmp_path):
    doc = parse(
        tmp_path,
        main__tf="""\
        resource "aws_s3_bucket" "b" {
          bucket = local.name
          tags = {
            loop = local.ping
          }
        }

        locals {
          name   = "${local.prefix}-data"
          prefix = lower("ACME-${var.env}")
          ping   = local.pong
          pong   = local.ping
        }

        variable "env" {
          default = "Prod"
        }
        """,
    )
    bucket = resource(doc, "aws_s3_bucket.b")
    assert (bucket.name.value, bucket.name.line) == ("acme-prod-data", 2)
    assert isinstance(attributes(tmp_path, "aws_s3_bucket.b").get("tags", "loop").value, Unknown)


def test_one_line_values_are_placed_where_used_multi_line_ones_where_written(tmp_path):
    doc = parse(
        tmp_path,
        main__tf="""\
        variable "origins" {
          default = ["*"]
        }

        locals {
          statement = {
            Effect = "Deny"
          }
        }

        resource "aws_s3_bucket_cors_configuration" "c" {
          bucket = "acme"
          cors_rule {
            allowed_origins = var.origins
            allowed_methods = ["GET"]
          }
        }

        resource "aws_iam_policy" "p" {
          policy = jsonencode({ Statement = [local.statement] })
        }
        """,
    )
    [rule] = resource(doc, "aws_s3_bucket_cors_configuration.c").updates["cors_rules"]
    assert [(n.line, n.value) for n in rule.origins.value] == [(14, "*")]
    [policy] = doc.policies
    assert policy.body.get("Statement", 0, "Effect").line == 7


def test_references_to_module_resources_are_refs(tmp_path):
    doc = parse(
        tmp_path,
        main__tf="""\
        resource "aws_s3_bucket" "logs" {
          bucket_prefix = "logs-"
          count         = 1
        }

        resource "aws_s3_bucket" "data" {
          bucket = "acme-data"
          logging {
            target_bucket = aws_s3_bucket.logs[0].id
          }
        }

        resource "aws_s3_bucket_logging" "l" {
          bucket        = aws_s3_bucket.data.bucket
          target_bucket = "${aws_s3_bucket.logs[0].id}"
          target_prefix = "${aws_s3_bucket.data.id}/"
        }
        """,
    )
    logs_uid = uid(tmp_path, "aws_s3_bucket.logs")
    data = resource(doc, "aws_s3_bucket.data")
    assert data.logging.target.value == Ref(logs_uid, "id", "aws_s3_bucket.logs[0].id")
    part = resource(doc, "aws_s3_bucket_logging.l")
    assert isinstance(part, BucketPart)
    # A bare reference stays a Ref even when the name is known ...
    assert part.bucket.value == Ref(uid(tmp_path, "aws_s3_bucket.data"), "bucket", "aws_s3_bucket.data.bucket")
    # ... "${x}" is x itself, and inside a longer string a literal bucket name is substituted.
    assert part.updates["logging"].target.value == Ref(logs_uid, "id", "aws_s3_bucket.logs[0].id")
    assert attributes(tmp_path, "aws_s3_bucket_logging.l").get("target_prefix").value == "acme-data/"


def test_instances_of_a_counted_resource_are_distinct_identities(tmp_path):
    doc = parse(
        tmp_path,
        main__tf="""\
        variable "n" {}
        locals {
          primary = "app"
        }

        resource "aws_s3_bucket" "b" {
          for_each = toset(["app", "logs"])
          bucket   = "acme-${each.key}"
        }

        resource "aws_s3_bucket" "c" {
          count  = var.n
          bucket = "acme-c-${count.index}"
        }

        resource "aws_s3_bucket_logging" "b" {
          bucket        = aws_s3_bucket.b[local.primary].id
          target_bucket = aws_s3_bucket.b["logs"].id
        }

        resource "aws_s3_bucket_logging" "c" {
          bucket        = aws_s3_bucket.c[0].id
          target_bucket = "arn:aws:s3:::${aws_s3_bucket.c["1"].id}"
        }

        resource "aws_s3_bucket_logging" "each" {
          for_each      = aws_s3_bucket.c
          bucket        = aws_s3_bucket.b[each.key].id
          target_bucket = aws_s3_bucket.c[count.index].bucket
        }
        """,
    )
    b, c = uid(tmp_path, "aws_s3_bucket.b"), uid(tmp_path, "aws_s3_bucket.c")
    part = resource(doc, "aws_s3_bucket_logging.b")
    # A known key is part of the identity: one instance is neither another nor the whole.
    assert part.bucket.value == Ref(b + '["app"]', "id", "aws_s3_bucket.b[local.primary].id")
    assert part.updates["logging"].target.value == Ref(b + '["logs"]', "id", 'aws_s3_bucket.b["logs"].id')
    part = resource(doc, "aws_s3_bucket_logging.c")
    assert part.bucket.value == Ref(c + "[0]", "id", "aws_s3_bucket.c[0].id")
    target = part.updates["logging"].target.value
    assert isinstance(target, Unknown) and target.refs == (Ref(c + "[1]", "id", 'aws_s3_bucket.c["1"].id'),)
    # An unknown key (the instances of aws_s3_bucket.c are not known): which instance is not known.
    part = resource(doc, "aws_s3_bucket_logging.each")
    assert isinstance(part.bucket.value, Unknown)
    assert [r.uid for r in part.bucket.value.refs] == [b + "[each.key]"]
    assert isinstance(part.updates["logging"].target.value, Unknown)
    # A known for_each gives one resource per instance, which a reference with a known key links
    # to; the instances of an unknown count are not known, so a reference to one of them is at
    # most the undeclared stand-in of that one instance, never the resource as a whole.
    scan = Scan([doc])
    part = resource(doc, "aws_s3_bucket_logging.b")
    assert scan.bucket_for(part.bucket) is resource(doc, 'aws_s3_bucket.b["app"]')
    assert scan.bucket_for(part.updates["logging"].target) is resource(doc, 'aws_s3_bucket.b["logs"]')
    assert resource(doc, 'aws_s3_bucket.b["logs"]').name.value == "acme-logs"
    declared = {r for r in scan.resources if getattr(r, "declared", False)}
    for address in ("aws_s3_bucket_logging.c", "aws_s3_bucket_logging.each"):
        part = resource(doc, address)
        assert scan.bucket_for(part.bucket) not in declared, address
        assert scan.bucket_for(part.updates["logging"].target) not in declared, address


def test_a_resource_with_at_most_one_instance_is_one_identity(tmp_path):
    doc = parse(
        tmp_path,
        main__tf="""\
        variable "create" {}

        resource "aws_s3_bucket" "optional" {
          count  = var.create ? 1 : 0
          bucket = "acme-optional"
        }

        resource "aws_s3_bucket" "one" {
          for_each = toset(["only"])
          bucket   = "acme-one"
        }

        resource "aws_s3_bucket" "more" {
          count  = var.create ? 2 : 1
          bucket = "acme-more"
        }

        resource "aws_s3_bucket_logging" "l" {
          for_each      = toset(["only"])
          bucket        = aws_s3_bucket.optional[0].id
          target_bucket = aws_s3_bucket.one[each.key].id
        }

        resource "aws_s3_bucket_acl" "a" {
          bucket = aws_s3_bucket.more[0].id
          acl    = "private"
        }
        """,
    )
    part = resource(doc, "aws_s3_bucket_logging.l")
    assert part.bucket.value == Ref(uid(tmp_path, "aws_s3_bucket.optional"), "id", "aws_s3_bucket.optional[0].id")
    # One key at most: whatever each.key is, it is that instance.
    target = part.updates["logging"].target.value
    assert target == Ref(uid(tmp_path, "aws_s3_bucket.one"), "id", "aws_s3_bucket.one[each.key].id")
    scan = Scan([doc])
    assert scan.bucket_for(part.bucket) is resource(doc, "aws_s3_bucket.optional")
    # Up to two instances: [0] is one of them.
    assert resource(doc, "aws_s3_bucket_acl.a").bucket.value.uid == uid(tmp_path, "aws_s3_bucket.more") + "[0]"


def test_unresolvable_values_are_unknown_never_guessed(tmp_path):
    parse(
        tmp_path,
        main__tf="""\
        variable "no_default" {}
        variable "names" {}
        variable "on" { default = true }

        data "aws_caller_identity" "me" {}

        resource "aws_iam_role" "r" {
          name = "role"
        }

        resource "aws_s3_bucket" "b" {
          for_each = toset(var.names)
          tags = {
            data     = data.aws_caller_identity.me.account_id
            module   = module.network.vpc_id
            var      = var.no_default
            count    = count.index
            each     = each.key
            function = timestamp()
            try      = try(var.no_default, "fallback")
            for      = [for s in var.no_default : upper(s)]
            cond     = var.no_default ? "a" : "b"
            known    = var.on ? "yes" : "no"
            partial  = "arn:aws:iam::${data.aws_caller_identity.me.account_id}:role/${aws_iam_role.r.name}"
            splat    = aws_iam_role.r[*].arn
          }
        }
        """,
    )
    tags = attributes(tmp_path, "aws_s3_bucket.b").get("tags")
    for name in ("data", "module", "var", "count", "each", "function", "try", "for", "cond", "splat"):
        assert isinstance(tags.get(name).value, Unknown), name
    assert tags.get("module").value.text == "module.network.vpc_id"
    assert tags.get("known").value == "yes"
    partial = tags.get("partial").value
    assert isinstance(partial, Unknown)
    assert partial.text == "arn:aws:iam::${data.aws_caller_identity.me.account_id}:role/${aws_iam_role.r.name}"
    assert partial.refs == (Ref(uid(tmp_path, "aws_iam_role.r"), "name", "aws_iam_role.r.name"),)
    assert tags.get("splat").value.refs[0].uid == uid(tmp_path, "aws_iam_role.r")


def test_references_to_literal_zone_names_read_as_the_name(tmp_path):
    doc = parse(
        tmp_path,
        main__tf="""\
        variable "domain" {}

        resource "aws_route53_zone" "z" {
          name = "example.com"
        }

        resource "aws_route53_zone" "v" {
          name = var.domain
        }

        resource "aws_route53_record" "apex" {
          zone_id = aws_route53_zone.z.id
          name    = aws_route53_zone.z.name
          type    = "CNAME"
        }

        resource "aws_route53_record" "www" {
          zone_id = aws_route53_zone.v.zone_id
          name    = "www.${aws_route53_zone.z.name}"
          records = [aws_route53_zone.v.name]
          type    = "CNAME"
        }
        """,
    )
    apex = resource(doc, "aws_route53_record.apex")
    assert (apex.name.line, apex.name.value) == (13, "example.com")  # where the reference is
    assert apex.zone.value == Ref(uid(tmp_path, "aws_route53_zone.z"), "id", "aws_route53_zone.z.id")
    www = resource(doc, "aws_route53_record.www")
    assert www.name.value == "www.example.com"
    # A name that is not known keeps the reference.
    [record] = www.records.value
    assert record.value == Ref(uid(tmp_path, "aws_route53_zone.v"), "name", "aws_route53_zone.v.name")


def test_pure_functions_on_known_values(tmp_path):
    doc = parse(
        tmp_path,
        main__tf="""\
        locals {
          base = { a = "1" }
        }

        resource "aws_s3_bucket" "b" {
          bucket = format("%s-%d", upper("acme"), 7)
          tags = merge(local.base, { b = join(",", concat(["x"], tolist(["y"]))) })
          grant {
            permissions = toset(compact(["READ", "", "READ"]))
            uri         = base64decode(base64encode("http://acs.amazonaws.com/groups/global/AllUsers"))
          }
        }
        """,
    )
    bucket = resource(doc, "aws_s3_bucket.b")
    assert bucket.name.value == "ACME-7"
    assert attributes(tmp_path, "aws_s3_bucket.b").get("tags").plain() == {"a": "1", "b": "x,y"}
    [grant] = bucket.grants
    assert (grant.grantee_uri.value, grant.permission.value) == ("http://acs.amazonaws.com/groups/global/AllUsers", "READ")


# --------------------------------------------------------------------------- files


def test_bom_file_parses(tmp_path):
    path = tmp_path / "main.tf"
    path.write_bytes('\ufeffresource "aws_s3_bucket" "b" {\n  bucket = "acme-bom"\n}\n'.encode("utf-8"))
    text = path.read_bytes().decode("utf-8")  # the BOM is still there
    doc = terraform.parse_module(str(tmp_path), [(str(path), text)])
    assert not doc.errors
    assert resource(doc, "aws_s3_bucket.b").name.line == 2


def test_broken_file_reports_its_line_and_the_module_is_still_parsed(tmp_path):
    doc = parse(
        tmp_path,
        {
            "broken.tf": """\
            resource "aws_s3_bucket" "broken" {
              bucket = "acme"
              acl = = "private"
            }
            """,
            "good.tf": """\
            resource "aws_s3_bucket" "good" {
              bucket = "acme-good"
            }
            """,
        },
    )
    [error] = doc.errors
    assert (error.file, error.line) == (str(tmp_path / "broken.tf"), 3)
    assert error.message.startswith("invalid HCL")
    assert [r.address for r in doc.resources] == ["aws_s3_bucket.good"]


def test_unclosed_block_is_reported_where_it_opened(tmp_path):
    doc = parse(tmp_path, main__tf='resource "aws_s3_bucket" "b" {\n  bucket = "x"\n')
    [error] = doc.errors
    assert error.line == 1 and "never closed (a missing `}`)" in error.message


def test_a_resource_declared_twice_is_reported_and_the_first_kept(tmp_path):
    doc = parse(
        tmp_path,
        {
            "a.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "first"\n}\n',
            "b.tf": '\nresource "aws_s3_bucket" "b" {\n  bucket = "second"\n}\n',
            "a_override.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "override"\n}\n',
        },
    )
    [error] = doc.errors
    assert (error.file, error.line) == (str(tmp_path / "b.tf"), 2)
    assert "declared twice (first at a.tf:1)" in error.message
    assert resource(doc, "aws_s3_bucket.b").name.value == "first"


def test_comments_have_their_lines_and_strings_are_not_comments():
    text = textwrap.dedent(
        """\
        # policylint:ignore PL102
        resource "aws_s3_bucket" "b" {
          bucket = "a#b" // trailing
          website = "http://x" /* block
          comment */
          policy = <<EOF
        # not a comment
        EOF
          enabled = var.x # before continuation
            ? true : false
        }
        """
    )
    parsed = hcl_tree.parse_file("main.tf", text)
    assert parsed.comments == [
        (1, "# policylint:ignore PL102"),
        (3, "// trailing"),
        (4, "/* block\n  comment */"),
        (9, "# before continuation"),
    ]


def test_file_function_reads_json_documents_inside_the_module_only(tmp_path):
    (tmp_path / "policy.json").write_text('{\n  "Version": "2012-10-17",\n  "Statement": []\n}\n')
    outside = tmp_path.parent / f"{tmp_path.name}-outside.json"
    outside.write_text('{"Statement": []}')
    doc = parse(
        tmp_path,
        main__tf=f"""\
        resource "aws_iam_policy" "inside" {{
          policy = file("${{path.module}}/policy.json")
        }}

        resource "aws_iam_policy" "outside" {{
          policy = file("../{outside.name}")
        }}
        """,
    )
    inside, escaped = doc.policies
    assert inside.body.file == str(tmp_path / "policy.json")
    assert inside.body.get("Version").line == 2
    assert isinstance(escaped.body.value, Unknown)


# --------------------------------------------------------------------------- resources


def test_count_zero_and_empty_for_each_declare_nothing(tmp_path):
    doc = parse(
        tmp_path,
        main__tf="""\
        resource "aws_s3_bucket" "off" {
          count = 0
        }
        resource "aws_s3_bucket" "none" {
          for_each = {}
        }
        resource "aws_s3_bucket" "maybe" {
          count = var.create ? 1 : 0
        }
        """,
    )
    assert [r.address for r in doc.resources] == ["aws_s3_bucket.maybe"]


def test_dynamic_blocks_are_unknown(tmp_path):
    doc = parse(
        tmp_path,
        main__tf="""\
        resource "aws_s3_bucket" "b" {
          bucket = "acme"
          cors_rule {
            allowed_origins = ["https://acme.example"]
            allowed_methods = ["GET"]
          }
          dynamic "cors_rule" {
            for_each = var.rules
            content {
              allowed_origins = ["*"]
              allowed_methods = ["PUT"]
            }
          }
        }
        """,
    )
    bucket = resource(doc, "aws_s3_bucket.b")
    [rule] = bucket.cors_rules
    assert isinstance(rule.origins.value, Unknown) and rule.location.line == 7


def test_v3_inline_bucket_configuration(tmp_path):
    doc = parse(
        tmp_path,
        main__tf="""\
        resource "aws_s3_bucket" "b" {
          bucket = "acme-v3"
          acl    = "public-read"
          versioning {
            enabled    = true
            mfa_delete = false
          }
          replication_configuration {
            role = aws_iam_role.replication.arn
            rules {
              status = "Enabled"
              destination {
                bucket = "arn:aws:s3:::acme-replica"
              }
            }
          }
          server_side_encryption_configuration {
            rule {
              apply_server_side_encryption_by_default {
                sse_algorithm = "aws:kms"
              }
            }
          }
          website {
            index_document = "index.html"
          }
          object_lock_configuration {
            object_lock_enabled = "Enabled"
          }
          policy = jsonencode({ Statement = [] })
        }

        resource "aws_iam_role" "replication" {
          assume_role_policy = jsonencode({ Statement = [] })
        }
        """,
    )
    bucket = resource(doc, "aws_s3_bucket.b")
    assert (bucket.acl.value, bucket.acl.line) == ("public-read", 3)
    assert (bucket.versioning.value, bucket.versioning.line) == ("Enabled", 5)
    assert (bucket.mfa_delete.value, bucket.mfa_delete.line) == ("Disabled", 6)
    assert bucket.replication.role.value == Ref(uid(tmp_path, "aws_iam_role.replication"), "arn", "aws_iam_role.replication.arn")
    [rule] = bucket.replication.rules
    assert (rule.status.value, rule.destination.value, rule.destination.line) == ("Enabled", "arn:aws:s3:::acme-replica", 13)
    assert (bucket.encryption.value, bucket.encryption.line) == ("aws:kms", 20)
    assert (bucket.website.location.line, bucket.website.redirects_all) == (24, False)
    assert bucket.object_lock.value is True
    scan = Scan([doc])
    [policy] = [p for p in scan.policies if p.kind == "resource"]
    assert policy.owner is bucket and scan.bucket_for(policy.attached_to) is bucket
    assert bucket.policies == [policy]


def test_v4_split_resources_are_merged_onto_their_bucket(tmp_path):
    doc = parse(
        tmp_path,
        {
            "bucket.tf": """\
            resource "aws_s3_bucket" "b" {
              bucket = "acme-v4"
            }
            """,
            "parts.tf": """\
            resource "aws_s3_bucket_logging" "b" {
              bucket        = aws_s3_bucket.b.id
              target_bucket = "acme-logs"
            }
            resource "aws_s3_bucket_versioning" "b" {
              bucket = aws_s3_bucket.b.bucket
              versioning_configuration {
                status     = "Suspended"
                mfa_delete = "Disabled"
              }
            }
            resource "aws_s3_bucket_public_access_block" "b" {
              bucket            = aws_s3_bucket.b.id
              block_public_acls = true
            }
            resource "aws_s3_bucket_acl" "b" {
              bucket = "acme-v4"
              access_control_policy {
                grant {
                  grantee {
                    type = "Group"
                    uri  = "http://acs.amazonaws.com/groups/global/AllUsers"
                  }
                  permission = "READ"
                }
                owner {
                  id = "abc"
                }
              }
            }
            resource "aws_s3_bucket_ownership_controls" "b" {
              bucket = aws_s3_bucket.b.id
              rule {
                object_ownership = "BucketOwnerEnforced"
              }
            }
            resource "aws_s3_bucket_server_side_encryption_configuration" "b" {
              bucket = aws_s3_bucket.b.id
              rule {
                apply_server_side_encryption_by_default {
                  sse_algorithm = "AES256"
                }
              }
            }
            resource "aws_s3_bucket_cors_configuration" "b" {
              bucket = aws_s3_bucket.b.id
              cors_rule {
                allowed_origins = ["*"]
                allowed_methods = ["GET"]
              }
            }
            resource "aws_s3_bucket_website_configuration" "b" {
              bucket = aws_s3_bucket.b.id
              index_document {
                suffix = "index.html"
              }
            }
            resource "aws_s3_bucket_replication_configuration" "b" {
              bucket = aws_s3_bucket.b.id
              role   = "arn:aws:iam::123456789012:role/replication"
              rule {
                status = "Enabled"
                destination {
                  bucket = "arn:aws:s3:::acme-replica"
                }
              }
            }
            resource "aws_s3_bucket_policy" "b" {
              bucket = "arn:aws:s3:::acme-v4"
              policy = jsonencode({ Statement = [] })
            }
            """,
        },
    )
    scan = Scan([doc])
    bucket = resource(doc, "aws_s3_bucket.b")
    assert [b.address for b in scan.buckets] == ["aws_s3_bucket.b"]  # no stand-in: every part found it
    assert len(bucket.parts) == 10
    parts = str(tmp_path / "parts.tf")
    assert (bucket.logging.target.value, bucket.logging.location.file, bucket.logging.location.line) == ("acme-logs", parts, 1)
    assert (bucket.versioning.value, bucket.versioning.line, bucket.mfa_delete.value) == ("Suspended", 8, "Disabled")
    block = bucket.public_access_block
    assert block.settings["block_public_acls"].value is True and block.settings["ignore_public_acls"] is None
    assert block.owner.address == "aws_s3_bucket_public_access_block.b"
    [grant] = bucket.grants
    assert (grant.grantee_uri.value, grant.permission.value, grant.grantee_uri.line) == ("http://acs.amazonaws.com/groups/global/AllUsers", "READ", 22)
    assert bucket.ownership.value == "BucketOwnerEnforced"
    assert bucket.encryption.value == "AES256"
    assert [n.value for n in bucket.cors_rules[0].origins.value] == ["*"]
    assert bucket.website.redirects_all is False and bucket.website.location.file == parts
    assert bucket.replication.rules[0].destination.value == "arn:aws:s3:::acme-replica"
    [policy] = bucket.policies
    assert policy.owner.address == "aws_s3_bucket_policy.b" and policy.kind == "resource"
    assert doc.policies == [policy]


def test_account_public_access_block(tmp_path):
    doc = parse(
        tmp_path,
        main__tf="""\
        resource "aws_s3_account_public_access_block" "a" {
          block_public_acls   = true
          block_public_policy = false
        }
        """,
    )
    account = resource(doc, "aws_s3_account_public_access_block.a")
    assert isinstance(account, AccountPublicAccessBlock)
    settings = account.block.settings
    assert settings["block_public_policy"].value is False and settings["block_public_policy"].line == 3
    assert settings["restrict_public_buckets"] is None
    assert account.key("block_public_policy") == "block_public_policy"


def test_s3_website_prefix_and_objects(tmp_path):
    doc = parse(
        tmp_path,
        main__tf="""\
        resource "aws_s3_bucket" "redirect" {
          bucket_prefix = "acme-"
          website {
            redirect_all_requests_to = "https://example.com"
          }
        }
        resource "aws_s3_bucket_website_configuration" "site" {
          bucket = "acme-site"
          index_document {
            suffix = "index.html"
          }
        }
        resource "aws_s3_object" "o" {
          bucket = "acme-site"
          key    = "a"
          tags   = { a = "1" }
        }
        """,
    )
    bucket = resource(doc, "aws_s3_bucket.redirect")
    assert bucket.website.redirects_all is True and bucket.website.location.line == 3
    assert (bucket.name_prefix.value, bucket.name_prefix.line) == ("acme-", 2)
    assert resource(doc, "aws_s3_bucket_website_configuration.site").updates["website"].redirects_all is False
    obj = resource(doc, "aws_s3_object.o")
    assert isinstance(obj, S3Object) and obj.tags is obj.own_tags and obj.tags.line == 16


def test_route53_records(tmp_path):
    doc = parse(
        tmp_path,
        main__tf="""\
        resource "aws_route53_zone" "main" {
          name = "example.com"
        }

        resource "aws_route53_record" "www" {
          zone_id = aws_route53_zone.main.zone_id
          name    = "www"
          type    = "CNAME"
          ttl     = 300
          records = ["lb.example.net"]
          health_check_id = "hc-1"
          failover_routing_policy {
            type = "PRIMARY"
          }
          set_identifier = "primary"
        }

        resource "aws_route53_record" "apex" {
          zone_id = "Z123"
          name    = ""
          type    = "A"
          alias {
            name                   = "d111.cloudfront.net"
            zone_id                = "Z2FDTNDATAQYW2"
            evaluate_target_health = false
          }
          multivalue_answer_routing_policy = true
        }
        """,
    )
    zone = resource(doc, "aws_route53_zone.main")
    assert isinstance(zone, HostedZone) and zone.name.value == "example.com"
    www = resource(doc, "aws_route53_record.www")
    assert isinstance(www, DnsRecord) and www.names_relative
    assert www.zone.value == Ref(uid(tmp_path, "aws_route53_zone.main"), "zone_id", "aws_route53_zone.main.zone_id")
    assert Scan([doc]).zone_for(www) is zone
    assert (www.zone_fqdn, www.fqdn) == ("example.com", "www.example.com")
    assert (www.name.value, www.record_type.value, www.ttl.value, www.ttl.line) == ("www", "CNAME", 300, 9)
    assert [n.value for n in www.records.value] == ["lb.example.net"]
    assert www.health_check.value == "hc-1"
    assert (www.routing.line, www.routing.get("type").value) == (12, "PRIMARY")
    assert www.alias is None
    apex = resource(doc, "aws_route53_record.apex")
    assert apex.alias.line == 22 and apex.alias.get("name").value == "d111.cloudfront.net"
    assert apex.routing.value is True and apex.ttl is None and apex.records is None
    # A literal zone id: the zone's name is unknown, so whether "" means the apex is too.
    assert (apex.zone_fqdn, apex.fqdn, apex.written_name) == (None, None, "")


def test_user_data_is_decoded_and_keeps_its_lines(tmp_path):
    (tmp_path / "init.sh.tpl").write_text("#!/bin/bash\necho ${greeting}\nexport TOKEN=${token}\n")
    encoded = base64.b64encode(b"#!/bin/bash\necho literal\n").decode()
    doc = parse(
        tmp_path,
        main__tf=f"""\
        resource "aws_instance" "heredoc" {{
          user_data = <<-EOT
            #!/bin/bash
            echo hello
          EOT
          metadata_options {{
            http_tokens = "required"
          }}
        }}

        resource "aws_launch_template" "encoded" {{
          user_data = base64encode(<<-EOT
            #!/bin/bash
            echo encoded
          EOT
          )
        }}

        resource "aws_instance" "literal_base64" {{
          user_data_base64 = "{encoded}"
        }}

        resource "aws_launch_configuration" "template" {{
          user_data = templatefile("${{path.module}}/init.sh.tpl", {{ greeting = "hi", token = var.token }})
        }}
        """,
    )
    heredoc = resource(doc, "aws_instance.heredoc")
    assert isinstance(heredoc, ComputeLaunch)
    assert (heredoc.user_data.value, heredoc.user_data.text_line) == ("#!/bin/bash\necho hello\n", 3)
    assert (heredoc.metadata_http_tokens.value, heredoc.metadata_http_tokens.line) == ("required", 7)
    assert heredoc.metadata_options.line == 6
    encoded_lt = resource(doc, "aws_launch_template.encoded")
    assert (encoded_lt.user_data.value, encoded_lt.user_data.text_line) == ("#!/bin/bash\necho encoded\n", 13)
    assert resource(doc, "aws_instance.literal_base64").user_data.value == "#!/bin/bash\necho literal\n"
    template = resource(doc, "aws_launch_configuration.template").user_data
    assert isinstance(template.value, Unknown)
    assert template.value.text == "#!/bin/bash\necho hi\nexport TOKEN=${token}\n"
    assert resource(doc, "aws_launch_configuration.template").metadata_http_tokens is None


def test_iam_policy_document_data_source_becomes_the_policy_tree(tmp_path):
    doc = parse(
        tmp_path,
        main__tf="""\
        data "aws_iam_policy_document" "bucket" {
          statement {
            sid       = "DenyInsecure"
            effect    = "Deny"
            actions   = ["s3:*"]
            resources = ["arn:aws:s3:::acme", "arn:aws:s3:::acme/*"]
            principals {
              type        = "*"
              identifiers = ["*"]
            }
            condition {
              test     = "Bool"
              variable = "aws:SecureTransport"
              values   = ["false"]
            }
          }
          statement {
            not_actions = ["iam:*"]
            principals {
              type        = "AWS"
              identifiers = ["arn:aws:iam::111122223333:root"]
            }
            principals {
              type        = "AWS"
              identifiers = ["arn:aws:iam::444455556666:root"]
            }
          }
        }

        data "aws_iam_policy_document" "merged" {
          source_policy_documents = [data.aws_iam_policy_document.bucket.json]
        }

        data "aws_iam_policy_document" "generated" {
          dynamic "statement" {
            for_each = var.statements
            content {
              actions = statement.value
            }
          }
        }

        resource "aws_s3_bucket_policy" "p" {
          bucket = "acme"
          policy = data.aws_iam_policy_document.bucket.json
        }

        resource "aws_iam_role_policy" "merged" {
          policy = data.aws_iam_policy_document.merged.json
        }

        resource "aws_iam_user_policy" "generated" {
          policy = data.aws_iam_policy_document.generated.minified_json
        }
        """,
    )
    bucket_policy, merged, generated = doc.policies
    body = bucket_policy.body
    assert body.plain() == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecure",
                "Effect": "Deny",
                "Action": ["s3:*"],
                "Resource": ["arn:aws:s3:::acme", "arn:aws:s3:::acme/*"],
                "Principal": "*",
                "Condition": {"Bool": {"aws:SecureTransport": ["false"]}},
            },
            {
                "Effect": "Allow",
                "NotAction": ["iam:*"],
                "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"]},
            },
        ],
    }
    first, second = body.get("Statement").value
    assert (first.line, first.get("Sid").line, first.get("Principal").line, first.get("Condition").line) == (2, 3, 7, 11)
    assert first.get("Condition", "Bool", "aws:SecureTransport").line == 14
    assert (second.get("Effect").line, second.get("Principal").line) == (17, 19)
    # Merged as the provider merges: the source document's statements, with their own lines.
    assert merged.kind == "identity"
    assert merged.body.plain()["Statement"] == body.plain()["Statement"]
    assert merged.body.get("Statement").value[0].line == 2
    # Statements generated over an unknown collection: unknown.
    assert isinstance(generated.body.value, Unknown)


def test_iam_role_trust_and_inline_policies(tmp_path):
    doc = parse(
        tmp_path,
        main__tf="""\
        resource "aws_iam_role" "r" {
          assume_role_policy = jsonencode({
            Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
          })
          inline_policy {
            name   = "inline"
            policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }] })
          }
        }
        resource "aws_iam_group_policy" "g" {
          policy = var.unknown_policy
        }
        """,
    )
    trust, inline, group = doc.policies
    assert (trust.kind, trust.body.get("Statement", 0, "Principal", "Service").value) == ("trust", "ec2.amazonaws.com")
    assert (inline.kind, inline.body.get("Statement", 0, "Action").line) == ("identity", 7)
    assert group.kind == "identity" and isinstance(group.body.value, Unknown)


def test_elasticache_replication_groups_and_clusters(tmp_path):
    doc = parse(
        tmp_path,
        main__tf="""\
        resource "aws_elasticache_replication_group" "written" {
          replication_group_id       = "written"
          description                = "written"
          engine                     = "valkey"
          transit_encryption_enabled = true
          at_rest_encryption_enabled = false
          auth_token                 = var.token
          automatic_failover_enabled = true
          multi_az_enabled           = true
          user_group_ids             = []
        }

        resource "aws_elasticache_replication_group" "bare" {
          replication_group_id = "bare"
          description          = "bare"
        }

        resource "aws_elasticache_replication_group" "secondary" {
          replication_group_id        = "secondary"
          description                 = "secondary"
          global_replication_group_id = "ldgnf-global"
        }

        resource "aws_elasticache_cluster" "standalone" {
          cluster_id = "standalone"
          engine     = "redis"
        }

        resource "aws_elasticache_cluster" "member" {
          cluster_id           = "member"
          replication_group_id = aws_elasticache_replication_group.written.id
        }
        """,
    )
    written = resource(doc, "aws_elasticache_replication_group.written")
    assert isinstance(written, CacheGroup) and written.kind == "replication_group" and written.format == "terraform"
    assert (written.engine.value, written.engine.line) == ("valkey", 4)
    assert (written.transit_encryption.value, written.transit_encryption.line) == (True, 5)
    assert (written.at_rest_encryption.value, written.at_rest_encryption.line) == (False, 6)
    assert isinstance(written.auth_token.value, Unknown) and written.auth_token.line == 7
    assert (written.automatic_failover.line, written.multi_az.line) == (8, 9)
    assert written.user_groups is None  # an empty set says nothing

    # What the provider sends when nothing is written is materialised at the resource; what AWS
    # decides stays absent.
    bare = resource(doc, "aws_elasticache_replication_group.bare")
    assert (bare.transit_encryption.value, bare.transit_encryption.line) == (False, 13)
    assert (bare.automatic_failover.value, bare.automatic_failover.line) == (False, 13)
    assert bare.engine is None and bare.at_rest_encryption is None and bare.multi_az is None
    assert bare.auth_token is None and bare.user_groups is None

    # A secondary of a global datastore inherits engine, encryption and failover.
    secondary = resource(doc, "aws_elasticache_replication_group.secondary")
    for inherited in (secondary.engine, secondary.transit_encryption, secondary.at_rest_encryption, secondary.automatic_failover):
        assert isinstance(inherited.value, Unknown) and inherited.line == 21

    standalone = resource(doc, "aws_elasticache_cluster.standalone")
    assert isinstance(standalone, CacheGroup) and standalone.kind == "cluster"
    assert standalone.engine.value == "redis" and standalone.transit_encryption is None and standalone.replication_group is None
    member = resource(doc, "aws_elasticache_cluster.member")
    assert member.engine is None
    assert member.replication_group.value == Ref(
        uid(tmp_path, "aws_elasticache_replication_group.written"), "id", "aws_elasticache_replication_group.written.id"
    )


def test_rds_instances_clusters_and_cluster_instances(tmp_path):
    doc = parse(
        tmp_path,
        main__tf="""\
        resource "aws_db_instance" "written" {
          engine                              = "postgres"
          storage_encrypted                   = true
          publicly_accessible                 = true
          iam_database_authentication_enabled = false
          backup_retention_period             = 0
          multi_az                            = true
        }

        resource "aws_db_instance" "bare" {
          engine = "mysql"
        }

        resource "aws_db_instance" "replica" {
          replicate_source_db = aws_db_instance.written.identifier
        }

        resource "aws_db_instance" "point_in_time" {
          restore_to_point_in_time {
            source_db_instance_identifier = "app"
          }
        }

        resource "aws_rds_cluster" "aurora" {
          engine_mode         = "serverless"
          storage_encrypted   = false
          snapshot_identifier = "final"
        }

        resource "aws_rds_cluster_instance" "writer" {
          cluster_identifier = aws_rds_cluster.aurora.id
          engine             = "aurora-mysql"
        }
        """,
    )
    written = resource(doc, "aws_db_instance.written")
    assert isinstance(written, Database) and written.kind == "instance" and written.format == "terraform"
    fields = (written.engine, written.storage_encrypted, written.publicly_accessible, written.iam_auth, written.backup_retention, written.multi_az)
    assert [(n.value, n.line) for n in fields] == [("postgres", 2), (True, 3), (True, 4), (False, 5), (0, 6), (True, 7)]
    assert written.cluster is None and written.restored_from is None and written.engine_mode is None

    # publicly_accessible is a schema default the provider sends; the rest is AWS's to decide.
    bare = resource(doc, "aws_db_instance.bare")
    assert (bare.publicly_accessible.value, bare.publicly_accessible.line) == (False, 10)
    assert bare.storage_encrypted is None and bare.iam_auth is None and bare.backup_retention is None and bare.multi_az is None

    replica = resource(doc, "aws_db_instance.replica")
    assert replica.engine is None and isinstance(replica.restored_from.value, Ref) and replica.restored_from.line == 15
    assert resource(doc, "aws_db_instance.point_in_time").restored_from.line == 19

    aurora = resource(doc, "aws_rds_cluster.aurora")
    assert isinstance(aurora, Database) and aurora.kind == "cluster"
    assert aurora.engine is None  # not guessed: older providers defaulted it, newer ones require it
    assert (aurora.engine_mode.value, aurora.storage_encrypted.value, aurora.restored_from.value) == ("serverless", False, "final")
    assert aurora.multi_az is None

    writer = resource(doc, "aws_rds_cluster_instance.writer")
    assert isinstance(writer, Database) and writer.kind == "cluster_instance"
    assert writer.cluster.value == Ref(uid(tmp_path, "aws_rds_cluster.aurora"), "id", "aws_rds_cluster.aurora.id")
    assert (writer.engine.value, writer.publicly_accessible.value, writer.publicly_accessible.line) == ("aurora-mysql", False, 30)
    assert writer.storage_encrypted is None and writer.iam_auth is None


def test_databases_caches_and_launches_spell_settings_as_terraform_does(tmp_path):
    doc = parse(
        tmp_path,
        main__tf="""\
        resource "aws_db_instance" "db" {
          engine = "Aurora-MySQL"
        }

        resource "aws_elasticache_replication_group" "cache" {
          description = "c"
        }

        resource "aws_instance" "web" {
          user_data_base64 = "ZWNobyBoaQ=="
        }
        """,
    )
    db = resource(doc, "aws_db_instance.db")
    assert db.assignment("iam_auth", True) == "`iam_database_authentication_enabled = true`"
    assert db.key("backup_retention") == "backup_retention_period"
    assert (db.engine_name, db.is_aurora, db.is_cluster_member) == ("aurora-mysql", True, True)
    cache = resource(doc, "aws_elasticache_replication_group.cache")
    assert cache.assignment("transit_encryption", True) == "`transit_encryption_enabled = true`"
    assert cache.key("user_groups") == "user_group_ids"
    assert (cache.engine_name, cache.is_redis_or_valkey, cache.judged_by_its_group) == ("redis", True, False)
    web = resource(doc, "aws_instance.web")
    assert (web.user_data.value, web.key("user_data"), web.key("metadata_http_tokens")) == ("echo hi", "user_data_base64", "http_tokens")


def test_plan_unset_nullable_booleans_and_sets_are_absent():
    from policylint.parsers import plan

    text = """{
      "planned_values": {"root_module": {"resources": [
        {"address": "aws_elasticache_replication_group.g", "mode": "managed",
         "type": "aws_elasticache_replication_group", "name": "g",
         "values": {"engine": "valkey", "at_rest_encryption_enabled": "", "user_group_ids": [],
                    "transit_encryption_enabled": true, "automatic_failover_enabled": false}}
      ]}}
    }"""
    [group] = plan.parse(text, "plan.json").resources
    assert isinstance(group, CacheGroup) and group.format == "plan"
    assert group.at_rest_encryption is None and group.user_groups is None
    assert (group.transit_encryption.value, group.automatic_failover.value, group.automatic_failover.line) == (True, False, 3)


def test_other_resources_keep_their_evaluated_values(tmp_path):
    doc = parse(
        tmp_path,
        main__tf="""\
        resource "aws_ebs_volume" "data" {
          encrypted            = false
          multi_attach_enabled = true
          lifecycle {
            prevent_destroy = true
          }
          depends_on = [aws_s3_bucket.b]
        }
        """,
    )
    volume = resource(doc, "aws_ebs_volume.data")
    assert type(volume).__name__ == "Resource" and volume.format == "terraform" and volume.type == "aws_ebs_volume"
    attrs = attributes(tmp_path, "aws_ebs_volume.data")
    assert attrs.get("encrypted").value is False and attrs.get("multi_attach_enabled").line == 3
    assert attrs.get("lifecycle") is None and attrs.get("depends_on") is None  # meta-arguments


def test_importing_the_parser_does_not_import_hcl2():
    code = "import sys, policylint.parsers.terraform; print('hcl2' in sys.modules or 'lark' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


@pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_real_world_modules_parse_without_errors():
    from policylint.discover import read_text

    modules: dict[Path, list[tuple[str, str]]] = {}
    for path in sorted(SHARED_CORPUS.rglob("*")):
        if path.suffix in (".tf", ".tfvars"):
            modules.setdefault(path.parent, []).append((str(path), read_text(str(path)) or ""))
    errors = []
    for directory, files in modules.items():
        errors.extend(terraform.parse_module(str(directory), files).errors)
    assert sum(len(f) for f in modules.values()) > 500
    assert not errors, errors[:5]


def test_grammar_cache_moves_to_the_user_cache_when_site_packages_is_read_only(tmp_path, monkeypatch):
    import os

    from policylint.parsers import hcl_tree

    package_cache = tmp_path / "site-packages" / "hcl2" / ".lark_cache.bin"
    package_cache.parent.mkdir(parents=True)
    assert hcl_tree.grammar_cache(str(package_cache)) == str(package_cache)  # writable: keep it
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    moved = hcl_tree.grammar_cache(str(package_cache))
    assert moved.startswith(str(tmp_path / "cache" / "policylint")) and moved.endswith(".lark")
    package_cache.write_bytes(b"")  # an existing cache is used wherever it is
    assert hcl_tree.grammar_cache(str(package_cache)) == str(package_cache)


def test_template_lines_are_counted_incrementally():
    """#11 item 6: a big heredoc with an interpolation on every line parses in linear time,
    each part on its own line."""
    import time

    from policylint.parsers import hcl_tree

    def parse(count: int) -> tuple[float, object]:
        body = "".join(f"line {i} ${{var.x}} %{{ if true }}y%{{ endif }}\n" for i in range(count))
        start = time.perf_counter()
        template = hcl_tree.parse_template(body, 3)
        return time.perf_counter() - start, template

    small, _ = parse(2_000)
    big, template = parse(16_000)
    lines = [p.line for p in template.parts if not isinstance(p, str)]
    assert lines[:3] == [3, 3, 3] and lines[-1] == 3 + 16_000 - 1
    assert big < 30 * max(small, 0.01)  # 8 times the text; a quadratic count takes 64 times
