"""Every template file is recognised, whatever its extension and syntax (issue 8, item 5)."""

from __future__ import annotations

import pytest

from policylint.engine import lint_paths
from policylint.parsers import detect

JSON_TEMPLATE = """\
{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Site": {
      "Type": "AWS::S3::Bucket",
      "Properties": {"AccessControl": "PublicRead"}
    }
  }
}
"""
YAML_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Site:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: PublicRead
"""
TEMPLATES = {"json": (JSON_TEMPLATE, 6), "yaml": (YAML_TEMPLATE, 6)}
TEMPLATE_EXTENSIONS = (".template", ".json", ".yaml", ".yml", ".cfn.json", ".cfn.yaml", ".template.json", ".TEMPLATE")


@pytest.mark.parametrize("extension", TEMPLATE_EXTENSIONS)
@pytest.mark.parametrize("syntax", sorted(TEMPLATES))
def test_every_extension_and_syntax_is_a_template(tmp_path, extension, syntax):
    text, line = TEMPLATES[syntax]
    path = tmp_path / f"site{extension}"
    path.write_text(text)
    assert detect(str(path), text) == "cloudformation"
    report = lint_paths([str(path)], select=["PL111"])
    assert not report.errors
    assert [(f.rule_id, f.line) for f in report.findings] == [("PL111", line)]


@pytest.mark.parametrize("syntax", sorted(TEMPLATES))
def test_txt_is_not_a_template(tmp_path, syntax):
    text, _ = TEMPLATES[syntax]
    path = tmp_path / "site.txt"
    path.write_text(text)
    assert detect(str(path), text) == "text"
    assert not lint_paths([str(path)], select=["PL111"]).findings


@pytest.mark.parametrize("extension", (".template", ".yaml", ".yml", ".json"))
def test_non_templates_are_not_templates(extension):
    assert detect(f"x{extension}", "name: web\nreplicas: 3\n") == "text"
    assert detect(f"x{extension}", '{"name": "web", "replicas": 3}') == "text"


def test_plans_and_policies_are_json_files_only():
    policy = '{"Version": "2012-10-17", "Statement": []}'
    assert detect("p.json", policy) == "policy"
    assert detect("p.yaml", policy) == "text"
    assert detect("p.template", policy) == "text"
    plan = '{"format_version": "1.2", "terraform_version": "1.6.0", "planned_values": {}}'
    assert detect("plan.json", plan) == "plan"


@pytest.mark.parametrize(("extension", "text", "line"), [
    (".template", '{\n  "Resources": {\n    "Site": {"Type": "AWS::S3::Bucket",}\n  }\n}\n', 3),
    (".yaml", '{\n  "Resources": {\n    "Site": {"Type": "AWS::S3::Bucket",}\n  }\n}\n', 3),
    (".json", "Resources:\n  Site:\n    Type: [AWS::S3::Bucket\n", 3),
    (".template", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Site:\n   Type: x\n  - y\n", 5),
])
def test_a_template_that_does_not_parse_is_an_error_with_file_and_line(tmp_path, extension, text, line):
    path = tmp_path / f"broken{extension}"
    path.write_text(text)
    report = lint_paths([str(path)])
    assert [(e.file, e.line, e.kind) for e in report.errors] == [(str(path), line, "syntax")]
