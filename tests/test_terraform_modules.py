"""Terraform module calls: units, instances, arguments, outputs, downloaded modules, var files."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from policylint import parsers
from policylint.commands import cli
from policylint.engine import UsageError, lint_paths
from policylint.model import TextFile

SITE = """
variable "acl" {
  default = "private"
}

variable "block_public_acls" {
  default = false
}

resource "aws_s3_bucket" "this" {
  bucket = "acme-site"
  acl    = var.acl
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = var.block_public_acls
  ignore_public_acls      = true
  block_public_policy     = true
  restrict_public_buckets = true
}

output "bucket_id" {
  value = aws_s3_bucket.this.id
}
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


def findings(path: Path, *codes: str, **options):
    report = lint_paths([str(path)], select=codes, **options)
    return report, sorted((Path(f.file).relative_to(path).as_posix(), f.line, f.rule_id, f.resource) for f in report.findings)


def test_caller_argument_reaches_the_module_line_and_names_the_call(tmp_path):
    write(tmp_path, {
        "main.tf": """
            module "site" {
              source = "./modules/site"
              acl    = "public-read"
            }
        """,
        "modules/site/main.tf": SITE,
    })
    report, found = findings(tmp_path, "PL111")
    assert found == [("modules/site/main.tf", 11, "PL111", "module.site.aws_s3_bucket.this")]
    message = report.findings[0].message
    assert "`acl` set by `module.site` at" in message and "main.tf:3" in message


def test_default_of_a_variable_is_named_in_the_message(tmp_path):
    write(tmp_path, {"main.tf": 'module "site" {\n  source = "./modules/site"\n}\n', "modules/site/main.tf": SITE})
    report, found = findings(tmp_path, "PL109")
    assert found == [("modules/site/main.tf", 16, "PL109", "module.site.aws_s3_bucket_public_access_block.this")]
    assert "(default of `var.block_public_acls`)" in report.findings[0].message


def test_instances_of_count_and_for_each_are_named(tmp_path):
    write(tmp_path, {
        "main.tf": """
            module "counted" {
              count  = 2
              source = "./modules/site"
              acl    = count.index == 1 ? "public-read" : "private"
            }

            module "keyed" {
              for_each = toset(["a", "b"])
              source   = "./modules/site"
              acl      = each.key == "b" ? "public-read-write" : "private"
            }

            module "none" {
              count  = 0
              source = "./modules/site"
              acl    = "public-read"
            }
        """,
        "modules/site/main.tf": SITE,
    })
    _, found = findings(tmp_path, "PL111")
    assert {f[3] for f in found} == {"module.counted[1].aws_s3_bucket.this", 'module.keyed["b"].aws_s3_bucket.this'}


def test_nested_modules_and_outputs_link_up(tmp_path):
    write(tmp_path, {
        "main.tf": """
            module "outer" {
              source = "./modules/outer"
              acl    = "public-read"
            }

            resource "aws_s3_bucket" "data" {
              bucket = "acme-data"
            }

            resource "aws_s3_bucket_logging" "data" {
              bucket        = aws_s3_bucket.data.id
              target_bucket = module.outer.logs_id
            }
        """,
        "modules/outer/main.tf": """
            variable "acl" {}

            module "inner" {
              source = "../inner"
              acl    = var.acl
            }

            output "logs_id" {
              value = module.inner.bucket_id
            }
        """,
        "modules/inner/main.tf": SITE,
    })
    _, found = findings(tmp_path, "PL111", "PL102")
    # the inner bucket is the data bucket's log target (so PL102 does not ask it for logging of
    # its own... it has none, and it is a log bucket); the ACL came down two levels
    assert ("modules/inner/main.tf", 11, "PL111", "module.outer.module.inner.aws_s3_bucket.this") in found
    assert not any(f[2] == "PL102" and f[3] == "aws_s3_bucket.data" for f in found)


def test_module_called_by_a_scanned_example_is_judged_only_through_it(tmp_path):
    write(tmp_path, {
        "main.tf": SITE,
        "examples/complete/main.tf": 'module "site" {\n  source            = "../../"\n  block_public_acls = true\n}\n',
    })
    _, found = findings(tmp_path, "PL109")
    assert found == []
    # the module alone (nothing in the scan calls it) is a root, judged with its defaults
    report = lint_paths([str(tmp_path / "main.tf")], select=["PL109"])
    assert [f.resource for f in report.findings] == ["aws_s3_bucket_public_access_block.this"]


def test_units_group_roots_sharing_a_module(tmp_path):
    texts = [
        TextFile("repo/main.tf", "", "terraform"),
        TextFile("repo/examples/a/main.tf", 'module "m" {\n  source = "../../"\n}\n', "terraform"),
        TextFile("repo/examples/b/main.tf", 'module "m" {\n  source = "../.."\n}\n', "terraform"),
        TextFile("other/main.tf", "", "terraform"),
    ]
    units = parsers.units(texts)
    assert [(u.path, u.roots) for u in units] == [("repo/examples/a", ("repo/examples/a", "repo/examples/b")), ("other", ("other",))]
    assert {p for p, _ in units[0].sources} == {"repo/main.tf", "repo/examples/a/main.tf", "repo/examples/b/main.tf"}


def test_module_outside_the_scanned_paths_is_read_from_disk(tmp_path):
    write(tmp_path, {
        "live/main.tf": 'module "site" {\n  source = "../modules/site"\n  acl    = "public-read"\n}\n',
        "modules/site/main.tf": SITE,
    })
    report = lint_paths([str(tmp_path / "live")], select=["PL111"])
    assert [(os.path.relpath(f.file, tmp_path), f.line) for f in report.findings] == [(os.path.join("modules", "site", "main.tf"), 11)]


def test_downloaded_module_is_reported_at_the_users_module_block(tmp_path):
    write(tmp_path, {
        "main.tf": """
            module "site" {
              source  = "acme/site/aws"
              version = "1.2.0"
              acl     = "public-read"
            }
        """,
        ".terraform/modules/site/main.tf": SITE,
        ".terraform/modules/site/broken.tf": 'resource "aws_s3_bucket" "x" {\n',
    })
    modules = {"Modules": [{"Key": "", "Source": "", "Dir": "."}, {"Key": "site", "Source": "registry.terraform.io/acme/site/aws", "Version": "1.2.0", "Dir": ".terraform/modules/site"}]}
    (tmp_path / ".terraform/modules/modules.json").write_text(json.dumps(modules), encoding="utf-8")
    report, found = findings(tmp_path, "PL111", "PL109")
    assert found == [
        ("main.tf", 1, "PL109", "module.site.aws_s3_bucket_public_access_block.this"),
        ("main.tf", 1, "PL111", "module.site.aws_s3_bucket.this"),
    ]
    assert all(".terraform" not in e.file for e in report.errors)
    assert [(os.path.basename(e.file), e.line) for e in report.errors] == [("main.tf", 1)]
    assert ".terraform" in report.errors[0].message  # which file of the module is broken


def test_module_cycle_is_an_error_naming_both_calls(tmp_path):
    write(tmp_path, {
        "a/main.tf": 'module "b" {\n  source = "../b"\n}\n',
        "b/main.tf": 'module "a" {\n  source = "../a"\n}\n',
    })
    report = lint_paths([str(tmp_path)])
    cycles = [e for e in report.errors if "module cycle" in e.message]
    assert len(cycles) == 1
    assert "`module.a`" in cycles[0].message and "`module.b`" in cycles[0].message
    assert "a/main.tf:1" in cycles[0].message.replace(os.sep, "/") and "b/main.tf:1" in cycles[0].message.replace(os.sep, "/")


def test_self_call_and_missing_source_are_handled(tmp_path):
    write(tmp_path, {
        "main.tf": 'module "me" {\n  source = "./"\n}\n\nmodule "gone" {\n  source = "./nowhere"\n  acl    = "public-read"\n}\n',
    })
    report = lint_paths([str(tmp_path)])
    assert not report.findings
    assert [e.kind for e in report.errors] == ["syntax"] and "module cycle" in report.errors[0].message


def test_deep_and_wide_module_trees_stay_bounded(tmp_path):
    files = {"main.tf": 'module "m" {\n  source = "./m0"\n}\n'}
    for depth in range(60):  # deeper than MAX_DEPTH
        files[f"m{depth}/main.tf"] = f'module "m" {{\n  source = "../m{depth + 1}"\n}}\n'
    files["m60/main.tf"] = SITE
    write(tmp_path / "deep", files)
    report = lint_paths([str(tmp_path / "deep")])
    assert any("nested more than" in e.message for e in report.errors)
    wide = {"main.tf": 'module "w" {\n  count  = 100\n  source = "./w"\n}\n', "w/main.tf": 'module "v" {\n  count  = 100\n  source = "../v"\n}\n', "v/main.tf": 'resource "aws_sqs_queue" "q" {}\n'}
    write(tmp_path / "wide", wide)
    report = lint_paths([str(tmp_path / "wide")])
    assert any("module instances" in e.message for e in report.errors)


def test_var_file_applies_to_roots_after_tfvars(tmp_path):
    write(tmp_path, {
        "main.tf": 'variable "acl" {\n  default = "private"\n}\n\nresource "aws_s3_bucket" "b" {\n  bucket = "acme-vf"\n  acl    = var.acl\n}\n',
        "terraform.tfvars": 'acl = "public-read"\n',
        "prod.tfvars": 'acl = "private"\n',
        "public.tfvars": 'acl = "public-read-write"\n',
    })
    assert [f.line for f in lint_paths([str(tmp_path)], select=["PL111"]).findings] == [7]
    assert lint_paths([str(tmp_path)], select=["PL111"], var_files=(str(tmp_path / "prod.tfvars"),)).findings == []
    later = lint_paths([str(tmp_path)], select=["PL111"], var_files=(str(tmp_path / "prod.tfvars"), str(tmp_path / "public.tfvars")))
    assert ["public-read-write" in f.message for f in later.findings] == [True]
    with pytest.raises(UsageError):
        lint_paths([str(tmp_path)], var_files=(str(tmp_path / "missing.tfvars"),))
    result = CliRunner().invoke(cli, ["scan", "--no-cache", "--no-config", "--select", "PL111", "--var-file", str(tmp_path / "prod.tfvars"), str(tmp_path)])
    assert result.exit_code == 0, result.output
    (tmp_path / ".policylint.toml").write_text('var-files = ["public.tfvars"]\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["scan", "--no-cache", "--select", "PL111", str(tmp_path)])
    assert "public-read-write" in result.output


def test_cache_key_covers_the_called_module(tmp_path):
    write(tmp_path, {"main.tf": 'module "site" {\n  source = "./modules/site"\n  acl    = "public-read"\n}\n', "modules/site/main.tf": SITE})
    options = dict(select=["PL111"], cache=True, cache_dir=str(tmp_path / ".cache"))
    assert len(lint_paths([str(tmp_path / "main.tf"), str(tmp_path / "modules")], **options).findings) == 1
    (tmp_path / "modules/site/main.tf").write_text(SITE.replace("acl    = var.acl", "acl    = \"private\""), encoding="utf-8")
    assert lint_paths([str(tmp_path / "main.tf"), str(tmp_path / "modules")], **options).findings == []


def test_resource_a_caller_turns_off_declares_nothing(tmp_path):
    write(tmp_path, {
        "main.tf": """
            module "off" {
              source = "./modules/bucket"
              create = false
              acl    = "public-read"
            }

            module "on" {
              source = "./modules/bucket"
              acl    = "public-read"
            }
        """,
        "modules/bucket/main.tf": """
            variable "create" {
              default = true
            }

            variable "acl" {}

            resource "aws_s3_bucket" "this" {
              count  = var.create ? 1 : 0
              bucket = "acme-optional"
              acl    = var.acl
            }
        """,
    })
    _, found = findings(tmp_path, "PL111")
    assert found == [("modules/bucket/main.tf", 10, "PL111", "module.on.aws_s3_bucket.this")]


def test_unknown_collection_gives_one_instance_with_unknown_values(tmp_path):
    write(tmp_path, {
        "main.tf": """
            variable "sites" {}

            module "sites" {
              for_each = var.sites
              source   = "./modules/site"
              acl      = each.value
            }

            module "fixed" {
              for_each = var.sites
              source   = "./modules/site"
              acl      = "public-read"
            }
        """,
        "modules/site/main.tf": SITE,
    })
    _, found = findings(tmp_path, "PL111")
    assert found == [("modules/site/main.tf", 11, "PL111", "module.fixed.aws_s3_bucket.this")]
