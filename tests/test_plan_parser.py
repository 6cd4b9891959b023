"""Terraform plan JSON: modules, lines, links through `configuration`, values known after apply."""

from __future__ import annotations

import json

from policylint.model import Ref, S3Bucket, Unknown
from policylint.parsers import plan
from policylint.scan import Scan


def _plan(resources, changes=(), configuration=None, children=()):
    return json.dumps(
        {
            "format_version": "1.2",
            "terraform_version": "1.9.5",
            "planned_values": {"root_module": {"resources": list(resources), "child_modules": list(children)}},
            "resource_changes": list(changes),
            "configuration": {"root_module": configuration or {}},
        },
        indent=2,
    )


def _bucket(address, values):
    return {"address": address, "mode": "managed", "type": address.split(".")[-2], "name": address.split(".")[-1], "values": values}


def test_resources_point_at_their_address_line():
    text = _plan([_bucket("aws_s3_bucket.a", {"bucket": "acme-a"})])
    doc = plan.parse(text, "plan.json")
    (bucket,) = doc.resources
    expected = next(i for i, l in enumerate(text.splitlines(), 1) if '"address": "aws_s3_bucket.a"' in l)
    assert isinstance(bucket, S3Bucket)
    assert (bucket.location.file, bucket.location.line) == ("plan.json", expected)
    assert bucket.name.value == "acme-a" and bucket.name.line == expected
    assert bucket.format == "plan"


def test_child_modules_and_data_sources():
    child = {"address": "module.m", "resources": [_bucket("module.m.aws_s3_bucket.b", {"bucket": "acme-b"})]}
    data = {"address": "data.aws_s3_bucket.x", "mode": "data", "type": "aws_s3_bucket", "name": "x", "values": {"bucket": "x"}}
    doc = plan.parse(_plan([data], children=[child]), "plan.json")
    assert [r.address for r in doc.resources] == ["module.m.aws_s3_bucket.b"]


def test_written_values_known_after_apply_are_unknown_not_absent():
    text = _plan(
        [_bucket("aws_s3_bucket.a", {"acl": "private"})],
        changes=[{"address": "aws_s3_bucket.a", "change": {"after_unknown": {"bucket": True, "versioning": True, "logging": [{"target_bucket": True}]}}}],
        configuration={
            "resources": [
                {
                    "address": "aws_s3_bucket.a",
                    "expressions": {
                        "bucket": {"references": ["var.name"]},
                        "logging": [{"target_bucket": {"references": ["random_pet.p.id", "random_pet.p"]}}],
                    },
                }
            ]
        },
    )
    (bucket,) = plan.parse(text, "plan.json").resources
    assert isinstance(bucket.name.value, Unknown)
    # computed by the provider but not written by the user: stays absent
    assert bucket.versioning is None
    # written as a block whose values come after apply: unknown, so no rule calls it missing
    assert bucket.logging is not None and isinstance(bucket.logging.target.value, Unknown)


def test_split_resource_links_to_a_computed_bucket_through_configuration():
    text = _plan(
        [
            _bucket("aws_s3_bucket.a", {"bucket_prefix": "acme-"}),
            _bucket("aws_s3_bucket_versioning.a", {"versioning_configuration": [{"status": "Enabled", "mfa_delete": None}]}),
        ],
        changes=[{"address": "aws_s3_bucket_versioning.a", "change": {"after_unknown": {"bucket": True}}}],
        configuration={
            "resources": [
                {"address": "aws_s3_bucket_versioning.a", "expressions": {"bucket": {"references": ["aws_s3_bucket.a.id", "aws_s3_bucket.a"]}}}
            ]
        },
    )
    doc = plan.parse(text, "plan.json")
    part = doc.resources[1]
    assert part.bucket.value == Ref("plan:plan.json::aws_s3_bucket.a", "id", "aws_s3_bucket.a.id")
    scan = Scan([doc])
    (bucket,) = [b for b in scan.buckets if b.declared]
    assert bucket.versioning.value == "Enabled"


def test_invalid_json_is_an_error_with_a_line():
    doc = plan.parse('{\n  "planned_values": {\n    "root_module": [,]\n  }\n}', "plan.json")
    (error,) = doc.errors
    assert error.file == "plan.json" and error.line == 3


def test_null_sections_are_read_as_empty():
    doc = plan.parse('{"format_version": "1.2", "planned_values": null, "configuration": null, "resource_changes": null}', "plan.json")
    assert doc.errors == [] and doc.resources == []
