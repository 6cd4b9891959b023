"""CDK output (`cdk.out/`): templates scanned, findings name the construct (issue 8, item 4)."""

from __future__ import annotations

from fixture_cases import FIXTURES, Case
from policylint.discover import discover
from policylint.engine import lint_paths
from policylint.parsers import cloudformation

CDK_APP = Case("PL110", FIXTURES / "PL110" / "cdk_app")


def test_findings_name_the_construct_path(tmp_path):
    scanned = CDK_APP.materialise(tmp_path)
    report = lint_paths([str(scanned)])
    assert not report.errors
    assert {(f.rule_id, f.resource) for f in report.findings if f.rule_id == "PL110"} == {("PL110", "SiteStack/Assets/Resource")}
    assert all("asset." not in f.file for f in report.findings)


def test_manifests_tree_and_assets_are_skipped(tmp_path):
    scanned = CDK_APP.materialise(tmp_path)
    files, errors = discover([str(scanned)])
    assert not errors
    assert [f.split("cdk.out/")[1] for f in files] == ["SiteStack.template.json"]


def test_a_lookalike_outside_a_cloud_assembly_is_scanned(tmp_path):
    (tmp_path / "manifest.json").write_text('{"name": "app"}')
    (tmp_path / "asset.readme").mkdir()
    (tmp_path / "asset.readme" / "notes.txt").write_text("notes")
    files, _ = discover([str(tmp_path)])
    assert sorted(f.rsplit("/", 1)[1] for f in files) == ["manifest.json", "notes.txt"]


def test_cdk_metadata_is_ignored_and_other_resources_keep_their_path():
    text = (FIXTURES / "PL110" / "cdk_app" / "cdk.out" / "SiteStack.template.json").read_text().replace("// expect: PL110", "")
    doc = cloudformation.parse(text, "SiteStack.template.json")
    assert [r.address for r in doc.resources] == ["SiteStack/Assets/Resource", "SiteStack/Assets/Policy/Resource"]
    assert [r.uid for r in doc.resources] == ["cfn:SiteStack.template.json::Assets5C2C8D6E", "cfn:SiteStack.template.json::AssetsPolicy4A5B6C7D"]
