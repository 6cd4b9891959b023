"""Resource instances (``count``/``for_each``), ``dynamic`` blocks, ``for`` expressions, splats
and the built-in functions: what is known is evaluated, the rest stays unknown, all bounded."""

from __future__ import annotations

import textwrap
from pathlib import Path

from policylint.model import Node, Unknown
from policylint.parsers import hcl_tree, terraform
from policylint.parsers.tf_eval import MAX_INSTANCES, MAX_MODULE_INSTANCES, Evaluator, instances_of


def parse(tmp_path: Path, text: str):
    path = tmp_path / "main.tf"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return terraform.parse_module(str(tmp_path), [(str(path), path.read_text(encoding="utf-8"))])


def local_values(tmp_path: Path, text: str) -> dict[str, Node]:
    """Every local of the module, evaluated."""
    path = tmp_path / "main.tf"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    module = terraform.Module(str(tmp_path), [hcl_tree.parse_file(str(path), path.read_text(encoding="utf-8"))])
    ev = Evaluator(module)
    out = {}
    for name, (attribute, file) in module.locals.items():
        out[name] = ev.local(name, file, attribute.expr)
    return out


def test_count_instances_are_named_and_see_their_index(tmp_path):
    doc = parse(tmp_path, """\
        resource "aws_s3_bucket" "b" {
          count  = 3
          bucket = "acme-${count.index}"
        }
        resource "aws_s3_bucket" "off" {
          count  = 0
          bucket = "acme-off"
        }
        resource "aws_s3_bucket" "one" {
          count  = 1
          bucket = "acme-one-${count.index}"
        }
        """)
    buckets = {r.address: r for r in doc.resources}
    assert sorted(buckets) == ["aws_s3_bucket.b[0]", "aws_s3_bucket.b[1]", "aws_s3_bucket.b[2]", "aws_s3_bucket.one"]
    assert [buckets[f"aws_s3_bucket.b[{i}]"].name.value for i in range(3)] == ["acme-0", "acme-1", "acme-2"]
    assert buckets["aws_s3_bucket.b[1]"].uid == f'tf:{tmp_path}::aws_s3_bucket.b[1]'
    # At most one instance: one identity, with count.index known.
    assert buckets["aws_s3_bucket.one"].name.value == "acme-one-0"
    assert buckets["aws_s3_bucket.one"].uid == f'tf:{tmp_path}::aws_s3_bucket.one'


def test_for_each_instances_over_maps_and_sets(tmp_path):
    doc = parse(tmp_path, """\
        variable "names" {}
        locals {
          sizes = { small = "a", large = "b" }
        }
        resource "aws_s3_bucket" "m" {
          for_each = local.sizes
          bucket   = "m-${each.key}-${each.value}"
        }
        resource "aws_s3_bucket" "s" {
          for_each = toset(["x", "y", "x"])
          bucket   = "s-${each.key}-${each.value}"
        }
        resource "aws_s3_bucket" "u" {
          for_each = toset(var.names)
          bucket   = "u-${each.key}"
        }
        """)
    names = {r.address: r.name.value for r in doc.resources}
    assert names['aws_s3_bucket.m["large"]'] == "m-large-b"
    assert names['aws_s3_bucket.m["small"]'] == "m-small-a"
    assert names['aws_s3_bucket.s["x"]'] == "s-x-x" and names['aws_s3_bucket.s["y"]'] == "s-y-y"
    # An unknown collection: one evaluation, as before, with each.key unknown.
    assert isinstance(names["aws_s3_bucket.u"], Unknown)
    assert len(names) == 5


def test_too_many_instances_are_unknown_with_a_notice(tmp_path):
    doc = parse(tmp_path, f"""\
        resource "aws_s3_bucket" "b" {{
          count  = {MAX_INSTANCES + 1}
          bucket = "acme-${{count.index}}"
        }}
        """)
    [bucket] = doc.resources
    assert bucket.address == "aws_s3_bucket.b" and isinstance(bucket.name.value, Unknown)
    assert any("count" in e.message and e.kind == "unsupported" for e in doc.errors)


def test_instances_of_is_reusable(tmp_path):
    path = tmp_path / "main.tf"
    path.write_text('locals {\n  m = { b = 2, a = 1 }\n}\n', encoding="utf-8")
    module = terraform.Module(str(tmp_path), [hcl_tree.parse_file(str(path), path.read_text())])
    ev = Evaluator(module)
    count = hcl_tree.parse_file("x.tf", "x = 2\n").body.attributes["x"].expr
    for_each = hcl_tree.parse_file("x.tf", "x = local.m\n").body.attributes["x"].expr
    unknown = hcl_tree.parse_file("x.tf", "x = var.n\n").body.attributes["x"].expr
    assert [key for key, _ in instances_of(ev, count, None, str(path))] == [0, 1]
    found = instances_of(ev, None, for_each, str(path))
    assert [(key, b["each"].get("value").value) for key, b in found] == [("a", 1), ("b", 2)]
    assert instances_of(ev, unknown, None, str(path)) is None
    assert instances_of(ev, None, None, str(path)) == [(None, {})]


def test_dynamic_blocks_expand_with_their_iterator(tmp_path):
    doc = parse(tmp_path, """\
        variable "more" {}
        resource "aws_s3_bucket" "b" {
          bucket = "acme"
          cors_rule {
            allowed_origins = ["https://static.example"]
            allowed_methods = ["GET"]
          }
          dynamic "cors_rule" {
            for_each = { a = "https://a.example", b = "https://b.example" }
            iterator = rule
            content {
              allowed_origins = [rule.value]
              allowed_methods = [rule.key == "a" ? "PUT" : "GET"]
            }
          }
        }
        resource "aws_s3_bucket" "u" {
          bucket = "acme-u"
          cors_rule {
            allowed_origins = ["https://static.example"]
            allowed_methods = ["GET"]
          }
          dynamic "cors_rule" {
            for_each = var.more
            content {
              allowed_origins = [cors_rule.value]
              allowed_methods = ["GET"]
            }
          }
        }
        """)
    bucket = next(r for r in doc.resources if r.address == "aws_s3_bucket.b")
    rules = [(r.origins.plain(), r.methods.plain(), r.location.line) for r in bucket.cors_rules]
    assert rules == [(["https://static.example"], ["GET"], 4), (["https://a.example"], ["PUT"], 11), (["https://b.example"], ["GET"], 11)]
    # Over an unknown collection: present, contents unknown (the static block is not the whole truth).
    unknown = next(r for r in doc.resources if r.address == "aws_s3_bucket.u")
    [rule] = unknown.cors_rules
    assert isinstance(rule.origins.value, Unknown)


def test_for_expressions_splats_and_functions(tmp_path):
    values = local_values(tmp_path, """\
        variable "unknown" {}
        locals {
          names   = ["a", "b", "c"]
          upper   = [for n in local.names : upper(n) if n != "b"]
          by_name = { for i, n in local.names : n => i }
          grouped = { for n in ["x", "y", "x"] : n => n... }
          objects = [{ id = 1 }, { id = 2 }]
          ids     = local.objects[*].id
          merged  = merge({ a = 1 }, { b = 2 }, { a = 3 })
          flat    = flatten([["a"], [["b"]], "c"])
          keys    = keys({ b = 1, a = 2 })
          values  = values({ b = 1, a = 2 })
          zipped  = zipmap(["k1", "k2"], [1, 2])
          picked  = element(local.names, 4)
          length  = length(local.names)
          has     = contains(local.names, "c")
          hasnt   = contains(local.names, "z")
          one     = one(["only"])
          none    = one([])
          split   = split(",", "a,b")
          replace = replace("a-b-c", "-", "_")
          coal    = coalesce("", "x")
          tried   = try(local.names[0], "fallback")
          can     = can(local.names)
          lookup  = lookup({ a = 1 }, "b", 9)
          unknown_for  = [for n in var.unknown : n]
          unknown_cond = [for n in local.names : n if n == var.unknown]
          unknown_try  = try(var.unknown, "fallback")
          unknown_has  = contains([var.unknown], "c")
          regex        = replace("abc", "/b/", "x")
          other        = timestamp()
        }
        """)
    plain = {name: node.plain() for name, node in values.items() if node.known}
    assert plain["upper"] == ["A", "C"]
    assert plain["by_name"] == {"a": 0, "b": 1, "c": 2}
    assert plain["grouped"] == {"x": ["x", "x"], "y": ["y"]}
    assert plain["ids"] == [1, 2]
    assert plain["merged"] == {"a": 3, "b": 2}
    assert plain["flat"] == ["a", "b", "c"]
    assert plain["keys"] == ["a", "b"] and plain["values"] == [2, 1]
    assert plain["zipped"] == {"k1": 1, "k2": 2}
    assert plain["picked"] == "b" and plain["length"] == 3
    assert plain["has"] is True and plain["hasnt"] is False
    assert plain["one"] == "only" and plain["none"] is None
    assert plain["split"] == ["a", "b"] and plain["replace"] == "a_b_c"
    assert plain["coal"] == "x" and plain["tried"] == "a" and plain["can"] is True and plain["lookup"] == 9
    for name in ("unknown_for", "unknown_cond", "unknown_try", "unknown_has", "regex", "other"):
        assert not values[name].known, name


def test_a_for_over_a_huge_collection_is_bounded(tmp_path):
    # Each level multiplies the work: the budget stops it, with a notice, never a hang.
    levels = "\n".join(f"  l{i} = flatten([for a in local.l{i - 1} : [for b in local.l{i - 1} : [a, b]]])" for i in range(1, 8))
    path = tmp_path / "main.tf"
    path.write_text(f'locals {{\n  l0 = ["a", "b", "c", "d", "e", "f", "g", "h"]\n{levels}\n}}\n', encoding="utf-8")
    module = terraform.Module(str(tmp_path), [hcl_tree.parse_file(str(path), path.read_text())])
    ev = Evaluator(module, len(path.read_text()))
    last = module.locals["l7"]
    value = ev.local("l7", str(path), last[0].expr)
    assert not value.known
    assert ev.notices


def test_policy_documents_merge_as_the_provider_does(tmp_path):
    doc = parse(tmp_path, """\
        variable "unknown_sid" {}
        data "aws_iam_policy_document" "source" {
          statement {
            sid     = "A"
            actions = ["s3:GetObject"]
          }
          statement {
            sid     = "B"
            actions = ["s3:PutObject"]
          }
          statement {
            actions = ["s3:ListBucket"]
          }
        }
        data "aws_iam_policy_document" "merged" {
          source_json             = jsonencode({ Statement = { Sid = "Z", Effect = "Allow", Action = "z:*" } })
          source_policy_documents = [data.aws_iam_policy_document.source.json]
          override_policy_documents = [
            jsonencode({ Statement = [{ Sid = "A", Effect = "Deny", Action = "s3:*" }, { Effect = "Allow", Action = "x:*" }] }),
          ]
          override_json = "{\\"Statement\\": [{\\"Sid\\": \\"Own\\", \\"Effect\\": \\"Allow\\", \\"Action\\": \\"y:*\\"}]}"
          dynamic "statement" {
            for_each = ["B", "Own"]
            content {
              sid     = statement.value
              actions = ["own:${statement.value}"]
            }
          }
        }
        data "aws_iam_policy_document" "unknown" {
          source_policy_documents = [data.aws_iam_policy_document.source.json]
          statement {
            sid     = var.unknown_sid
            actions = ["s3:*"]
          }
        }
        resource "aws_iam_role_policy" "merged" {
          policy = data.aws_iam_policy_document.merged.json
        }
        resource "aws_iam_role_policy" "unknown" {
          policy = data.aws_iam_policy_document.unknown.json
        }
        """)
    merged, unknown = doc.policies
    statements = merged.body.plain()["Statement"]
    assert [(s.get("Sid"), s["Effect"], s["Action"]) for s in statements] == [
        ("Z", "Allow", "z:*"),
        ("A", "Deny", "s3:*"),  # the override replaced the source's A in place
        ("B", "Allow", ["own:B"]),  # the block's own B replaced the source's B
        (None, "Allow", ["s3:ListBucket"]),
        ("Own", "Allow", "y:*"),  # override_json replaced the block's own "Own"
        (None, "Allow", "x:*"),  # no sid: appended
    ]
    # The source statements keep their lines.
    assert merged.body.get("Statement").value[1].line != merged.body.get("Statement").value[2].line
    # A sid that decides a merge is not known: the whole document is unknown.
    assert isinstance(unknown.body.value, Unknown)


def test_many_counted_resources_stay_bounded(tmp_path, monkeypatch):
    # Past the module's total of instances, a resource is one evaluation with unknown instance
    # values (and a notice), so that a few lines cannot ask for millions of resources.  (The
    # total is lowered here to keep the test quick.)
    from policylint.parsers import tf_eval

    assert MAX_MODULE_INSTANCES <= 2 * MAX_INSTANCES
    monkeypatch.setattr(tf_eval, "MAX_MODULE_INSTANCES", 250)
    text = "".join(f'resource "aws_s3_bucket" "b{i}" {{\n  count  = 100\n  bucket = "b-${{count.index}}"\n}}\n' for i in range(5))
    doc = parse(tmp_path, text)
    assert len(doc.resources) == 2 * 100 + 3
    assert [r.address for r in doc.resources][-3:] == ["aws_s3_bucket.b2", "aws_s3_bucket.b3", "aws_s3_bucket.b4"]
    assert isinstance(doc.resources[-1].name.value, Unknown)
    assert any("resource instances" in e.message for e in doc.errors)


def test_nested_dynamic_blocks_are_bounded(tmp_path):
    # 20^8 generated blocks if nothing stopped it: the module's total stops it, with a notice.
    inner = 'x = "leaf"\n'
    for depth in range(8):
        inner = f'dynamic "b{depth}" {{\n  for_each = local.items\n  content {{\n    {inner}  }}\n}}\n'
    items = ", ".join(str(i) for i in range(20))
    doc = parse(tmp_path, f'locals {{\n  items = [{items}]\n}}\nresource "aws_s3_bucket" "b" {{\n  bucket = "x"\n{inner}}}\n')
    assert len(doc.resources) == 1
    assert any("dynamic blocks" in e.message for e in doc.errors)


def test_for_each_over_a_resource_and_splats_follow_its_instances(tmp_path):
    doc = parse(tmp_path, """\
        resource "aws_s3_bucket" "b" {
          for_each = toset(["data", "logs"])
          bucket   = "acme-${each.key}"
        }
        resource "aws_s3_bucket_versioning" "b" {
          for_each = aws_s3_bucket.b
          bucket   = each.value.id
          versioning_configuration {
            status = each.key == "logs" ? "Suspended" : "Enabled"
          }
        }
        resource "aws_s3_bucket" "c" {
          count  = 2
          bucket = "acme-c-${count.index}"
        }
        resource "aws_s3_bucket_policy" "c" {
          bucket = "acme-c-0"
          policy = jsonencode({
            Statement = [{ Effect = "Deny", Principal = "*", Action = "s3:*", Resource = aws_s3_bucket.c[*].arn }]
          })
        }
        """)
    parts = {r.address: r for r in doc.resources}
    logs = parts['aws_s3_bucket_versioning.b["logs"]']
    assert logs.bucket.value.uid == f'tf:{tmp_path}::aws_s3_bucket.b["logs"]'
    assert logs.updates["versioning"].value == "Suspended"
    [policy] = doc.policies
    resources = policy.body.get("Statement", 0, "Resource").value
    assert [r.value.uid.rsplit("::", 1)[1] for r in resources] == ["aws_s3_bucket.c[0]", "aws_s3_bucket.c[1]"]
