"""Lean start: a one-file scan imports only what that file's format needs.

Each case runs the real entry point (:func:`policylint.cli.main`) in a fresh interpreter, cold
(with a cache directory, as users run it, and with ``--no-cache``), and lists the modules that
must not have been imported.  A failure names the module; find who imports it with
``python -X importtime -m policylint scan FILE``.  No timing here: the benchmark measures it
(``bench/bench.py``).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from samples import CLEAN

TF = """\
resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id
  versioning_configuration {
    status = "Enabled"
  }
}
"""

TF_WITH_POLICY = TF + """
resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["${aws_s3_bucket.logs.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}
"""

# Parsers of other formats, the diagnostician of HCL syntax errors (lark, hcl2), the policy schema,
# the package metadata, what tempfile brings (the cache writes its entries without it), worker
# processes (the default --jobs parses in this process), click (a plain scan is parsed by
# policylint.scan_argv), dataclasses and inspect (the model is made of policylint.records),
# pkgutil (the rule catalogue lists its directory), TOML (no configuration file here), the
# baseline module (no --baseline) and difflib (only a typo in a policy needs a suggestion).
# (Not listed: pathlib and ipaddress, which an editable install's import hook brings in.)
NEVER = (
    "click",
    "dataclasses",
    "inspect",
    "pkgutil",
    "tomllib",
    "policylint.baseline",
    "policylint.commands",
    "policylint.suppressions",  # no configuration, no file naming policylint: nothing to suppress
    "lark",
    "hcl2",
    "jsonschema",
    "cfnlint",
    "importlib.metadata",
    "tempfile",
    "shutil",
    "random",
    "concurrent.futures",
    "multiprocessing",
    "click.shell_completion",
    "click._termui_impl",
    "click.testing",
    "policylint.terminal",
    "difflib",
)
# Rules about kinds of resource the file does not have are not imported (the samples have no
# database and no DNS record).
NEVER += ("policylint.rules.rds.backup_disabled", "policylint.rules.route53.missing_ttl")
# typing: our annotations are strings and its import is under `if TYPE_CHECKING:`; tree-sitter's
# package would import it, so its classes come from its extension module (hcl_tree).
NOT_FOR_TERRAFORM = NEVER + ("yaml", "policylint.parsers.cloudformation", "policylint.parsers.cfn_stacks", "policylint.parsers.plan", "typing")
NOT_FOR_A_TEMPLATE = NEVER + ("tree_sitter", "tree_sitter_hcl", "policylint.parsers.terraform", "policylint.parsers.hcl_tree", "policylint.parsers.tf_units", "typing")
# json: a YAML template scan reads no JSON (when the report is not JSON either).
NOT_FOR_A_YAML_TEMPLATE = NOT_FOR_A_TEMPLATE + ("json",)

WATCHED = sorted(set(NOT_FOR_TERRAFORM) | set(NOT_FOR_A_YAML_TEMPLATE))


def imported_by_a_scan(path, *options: str, output: str = "json") -> list[str]:
    """The watched modules a whole `policylint scan PATH --format OUTPUT` imported."""
    code = (
        "import sys\n"
        "from policylint.cli import main\n"
        "try:\n"
        f"    main(['scan', {str(path)!r}, '--no-config', '--quiet', '--format', {output!r}, *{list(options)!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in {WATCHED!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=path.parent)
    assert result.stdout, result.stderr
    return eval(result.stdout.splitlines()[-1])  # a printed list of module names


@pytest.mark.parametrize("cache", ["--no-cache", "--cache-dir=cache"])
@pytest.mark.parametrize("text", [TF, TF_WITH_POLICY], ids=["plain", "with a policy"])
def test_a_one_file_terraform_scan_imports_only_what_terraform_needs(tmp_path, text, cache):
    (tmp_path / "main.tf").write_text(text)
    assert set(imported_by_a_scan(tmp_path / "main.tf", cache)) & set(NOT_FOR_TERRAFORM) == set()


@pytest.mark.parametrize("cache", ["--no-cache", "--cache-dir=cache"])
def test_a_one_template_scan_imports_only_what_cloudformation_needs(tmp_path, cache):
    (tmp_path / "template.yaml").write_text(CLEAN)
    assert set(imported_by_a_scan(tmp_path / "template.yaml", cache)) & set(NOT_FOR_A_TEMPLATE) == set()


@pytest.mark.parametrize("cache", ["--no-cache", "--cache-dir=cache"])
def test_a_yaml_template_scan_with_a_text_report_imports_no_json(tmp_path, cache):
    (tmp_path / "template.yaml").write_text(CLEAN)
    assert set(imported_by_a_scan(tmp_path / "template.yaml", cache, output="text")) & set(NOT_FOR_A_YAML_TEMPLATE) == set()


def test_the_guard_sees_an_import(tmp_path):
    """The check can fail: a file with a syntax error is explained by lark, and the list says so."""
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = \n')
    assert {"lark", "hcl2"} <= set(imported_by_a_scan(tmp_path / "main.tf", "--no-cache"))
