"""Terraform JSON syntax (``*.tf.json``, ``*.tfvars.json``): the same module model as HCL, with
exact lines, and a clear error (file and line) for bad input."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from policylint import parsers
from policylint.model import Unknown
from policylint.parsers import hcl_json, hcl_tree, terraform


def parse(tmp_path: Path, files: dict[str, str]):
    written = []
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        written.append((str(path), path.read_text(encoding="utf-8")))
    return terraform.parse_module(str(tmp_path), written)


def test_detected_as_terraform():
    assert parsers.detect("main.tf.json", "{}") == "terraform"
    assert parsers.detect("x/terraform.tfvars.json", "{}") == "terraform"
    assert parsers.detect("policy.json", '{"Version": "2012-10-17", "Statement": []}') == "policy"


def test_blocks_labels_lines_and_pieces():
    text = textwrap.dedent("""\
        {
          "//": "a comment",
          "resource": [
            { "aws_s3_bucket": { "a": { "bucket": "a" } } },
            { "aws_s3_bucket": { "b": [{ "bucket": "b" }] } }
          ],
          "locals": [{ "x": 1 }, { "y": "${local.x}" }],
          "data": {
            "aws_iam_policy_document": {
              "d": {
                "statement": [
                  { "actions": ["s3:*"], "principals": { "type": "*", "identifiers": ["*"] } }
                ]
              }
            }
          }
        }
        """)
    parsed = hcl_json.parse_file("main.tf.json", text)
    blocks = [(b.type, b.labels, b.line) for b in parsed.body.blocks]
    assert blocks == [
        ("resource", ["aws_s3_bucket", "a"], 4),
        ("resource", ["aws_s3_bucket", "b"], 5),
        ("locals", [], 7),
        ("locals", [], 7),
        ("data", ["aws_iam_policy_document", "d"], 10),
    ]
    y = parsed.body.blocks[3].body.attributes["y"].expr
    assert isinstance(y, hcl_tree.Template) and len(y.parts) == 1  # "${x}" alone is x
    [statement] = parsed.body.blocks[4].body.blocks
    assert statement.type == "statement" and [b.type for b in statement.body.blocks] == ["principals"]


def test_a_module_of_tf_and_tf_json_files(tmp_path):
    doc = parse(tmp_path, {
        "main.tf.json": """\
            {
              "variable": { "name": { "default": "${not a template}" } },
              "resource": {
                "aws_s3_bucket": {
                  "b": {
                    "bucket": "${var.name}",
                    "tags": { "Escaped": "$${var.name}", "Joined": "x-${aws_s3_bucket.c.bucket}" }
                  }
                }
              }
            }
            """,
        "other.tf": """\
            resource "aws_s3_bucket" "c" {
              bucket = "c-bucket"
            }
            """,
        "terraform.tfvars.json": '{\n  "name": "${literal}"\n}\n',
    })
    assert not doc.errors
    b = next(r for r in doc.resources if r.address == "aws_s3_bucket.b")
    # tfvars values are literal, not templates; the value is placed where it is used.
    assert b.name.value == "${literal}" and b.name.line == 6
    # Tags are not modelled: the evaluated values are checked instead.
    from policylint.parsers import tf_blocks
    from policylint.parsers.tf_eval import Evaluator

    files = [hcl_json.parse_file(str(tmp_path / "main.tf.json"), (tmp_path / "main.tf.json").read_text()),
             hcl_tree.parse_file(str(tmp_path / "other.tf"), (tmp_path / "other.tf").read_text())]
    values = tf_blocks.resource_values(Evaluator(terraform.Module(str(tmp_path), files)), "aws_s3_bucket.b")
    assert values.get("tags").plain() == {"Escaped": "${var.name}", "Joined": "x-c-bucket"}
    assert values.get("tags", "Joined").line == 7


def test_variable_defaults_are_literal(tmp_path):
    doc = parse(tmp_path, {
        "main.tf.json": json.dumps({
            "variable": {"name": {"default": "${var.other}"}},
            "resource": {"aws_s3_bucket": {"b": {"bucket": "${var.name}"}}},
        }),
    })
    [bucket] = doc.resources
    assert bucket.name.value == "${var.other}"


@pytest.mark.parametrize("text, line", [
    ('{\n  "resource": {\n    "aws_s3_bucket": { "b": { "bucket": "x", } }\n  }\n}\n', 3),
    ('[1, 2]\n', 1),
    ('{\n  "resource": 1,\n', 3),
])
def test_bad_json_is_a_parse_error_with_its_line(tmp_path, text, line):
    doc = parse(tmp_path, {"main.tf.json": text})
    [error] = doc.errors
    assert error.file.endswith("main.tf.json") and error.line == line and error.kind == "syntax"


def test_deep_nesting_is_an_error_not_a_crash(tmp_path):
    deep = '{"locals": {"x": ' + "[" * 5000 + "]" * 5000 + "}}"
    doc = parse(tmp_path, {"main.tf.json": deep})
    assert [e.kind for e in doc.errors] == ["syntax"]


def test_unknowns_stay_unknown(tmp_path):
    doc = parse(tmp_path, {
        "main.tf.json": json.dumps({
            "variable": {"acl": {"type": "string"}},
            "resource": {"aws_s3_bucket": {"b": {"bucket": "b", "acl": "${var.acl}"}}},
        }),
    })
    [bucket] = doc.resources
    assert isinstance(bucket.acl.value, Unknown)
