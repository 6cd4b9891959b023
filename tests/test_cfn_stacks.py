"""Nested stacks and StackSets (issue 8, item 3)."""

from __future__ import annotations

import textwrap

from policylint import parsers
from policylint.cache import Cache
from policylint.engine import lint_paths, read
from policylint.parsers import cfn_stacks

PARENT = """\
Parameters:
  Acl: {Type: String, Default: PublicRead}
Conditions:
  Never: !Equals [a, b]
Resources:
  Child:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: child.yaml
      Parameters: {BucketAcl: !Ref Acl}
"""
CHILD = """\
Parameters:
  BucketAcl: {Type: String, Default: Private}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: !Ref BucketAcl
"""


def write(tmp_path, files: dict[str, str]):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def scan(*paths, **options):
    report = lint_paths([str(p) for p in paths], select=["PL111"], **options)
    return sorted((f.file.rsplit("/", 1)[1], f.line) for f in report.findings), report.errors


def test_parent_and_children_are_one_unit(tmp_path):
    write(tmp_path, {"parent.yaml": PARENT, "child.yaml": CHILD, "other.yaml": CHILD})
    texts, _, _ = read([str(tmp_path / n) for n in ("child.yaml", "other.yaml", "parent.yaml")])
    units = parsers.units(texts)
    assert [(u.path.rsplit("/", 1)[1], [p.rsplit("/", 1)[1] for p, _ in u.sources]) for u in units] == [
        ("other.yaml", ["other.yaml"]),
        ("parent.yaml", ["parent.yaml", "child.yaml"]),
    ]


def test_child_is_evaluated_with_the_parents_values_and_not_alone(tmp_path):
    write(tmp_path, {"parent.yaml": PARENT, "child.yaml": CHILD})
    assert scan(tmp_path) == ([("child.yaml", 7)], [])
    # The parent's own parameter, overridden: the child is private.
    assert scan(tmp_path, parameters=(("Acl", "Private"),)) == ([], [])
    # Scanned alone, the child has its defaults.
    assert scan(tmp_path / "child.yaml") == ([], [])


def test_a_child_outside_the_scan_is_read_from_its_relative_path(tmp_path):
    write(tmp_path, {"infra/parent.yaml": PARENT.replace("child.yaml", "../shared/child.yaml"), "shared/child.yaml": CHILD})
    assert scan(tmp_path / "infra") == ([("child.yaml", 7)], [])


def test_a_childs_edit_changes_the_parents_cache_key(tmp_path):
    write(tmp_path, {"parent.yaml": PARENT, "child.yaml": CHILD})
    cache = Cache(str(tmp_path / "c"))
    before = cache.key(parsers.units(read([str(tmp_path / "parent.yaml")])[0])[0])
    (tmp_path / "child.yaml").write_text(CHILD.replace("Private", "PublicRead"))
    after = cache.key(parsers.units(read([str(tmp_path / "parent.yaml")])[0])[0])
    assert before != after


def test_a_child_of_a_stack_that_is_not_created_is_not_judged(tmp_path):
    write(tmp_path, {"parent.yaml": PARENT.replace("    Type: AWS::CloudFormation::Stack\n", "    Type: AWS::CloudFormation::Stack\n    Condition: Never\n"),
                     "child.yaml": CHILD.replace("Private", "PublicRead")})
    assert scan(tmp_path) == ([], [])


def test_a_template_url_that_is_not_a_stack_leaves_the_file_alone(tmp_path):
    parent = """\
        Resources:
          Product:
            Type: Custom::Catalog
            Properties:
              TemplateURL: child.yaml
        """
    write(tmp_path, {"parent.yaml": parent, "child.yaml": CHILD.replace("Private", "PublicRead")})
    assert scan(tmp_path) == ([("child.yaml", 7)], [])


def test_missing_and_remote_children_are_unknown(tmp_path):
    write(tmp_path, {"parent.yaml": PARENT.replace("child.yaml", "gone/child.yaml") + textwrap.dedent("""\
          Remote:
            Type: AWS::CloudFormation::Stack
            Properties:
              TemplateURL: https://s3.amazonaws.com/bucket/child.yaml
        """)})
    assert scan(tmp_path) == ([], [])


def test_a_cycle_is_an_error_naming_both_templates(tmp_path):
    loop = """\
        Resources:
          Back:
            Type: AWS::CloudFormation::Stack
            Properties:
              TemplateURL: a.yaml
        """
    write(tmp_path, {"a.yaml": loop.replace("a.yaml", "b.yaml"), "b.yaml": loop})
    findings, errors = scan(tmp_path)
    (error,) = errors
    assert "nested stack cycle" in error.message and "a.yaml" in error.message and "b.yaml" in error.message
    assert error.line == 5


def test_deep_and_wide_stack_trees_are_bounded(tmp_path):
    files = {}
    for i in range(cfn_stacks.MAX_TEMPLATES + 20):
        files[f"t{i}.yaml"] = f"Resources:\n  S:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: t{i + 1}.yaml\n"
    write(tmp_path, files)
    texts, _, _ = read([str(tmp_path / "t0.yaml")])
    (unit,) = parsers.units(texts)
    assert len(unit.sources) == cfn_stacks.MAX_TEMPLATES
    assert scan(tmp_path / "t0.yaml") == ([], [])


def test_stack_set_template_body_lines_are_the_outer_files(tmp_path):
    outer = """\
        Resources:
          Fleet:
            Type: AWS::CloudFormation::StackSet
            Properties:
              StackSetName: fleet
              PermissionModel: SELF_MANAGED
              TemplateBody: |
                Resources:
                  Share:
                    Type: AWS::S3::Bucket
                    Properties:
                      AccessControl: PublicRead
                  Broken: [
        """
    write(tmp_path, {"outer.yaml": outer})
    report = lint_paths([str(tmp_path / "outer.yaml")], select=["PL111"])
    (error,) = report.errors
    assert 13 <= error.line <= 14 and error.kind == "syntax"
    write(tmp_path, {"outer.yaml": outer.replace("      Broken: [\n", "")})
    report = lint_paths([str(tmp_path / "outer.yaml")], select=["PL111"])
    assert [(f.line, f.resource) for f in report.findings] == [(12, "Fleet/Share")]


def test_foreach_copies_are_bounded_with_a_notice(tmp_path):
    from policylint.parsers import cfn_foreach

    values = ", ".join(f"v{i}" for i in range(200))
    text = f"""\
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Outer:
    - A
    - [{values}]
    - Fn::ForEach::Inner:
        - B
        - [{values}]
        - R${{A}}${{B}}:
            Type: AWS::S3::Bucket
            Properties:
              AccessControl: PublicRead
"""
    (tmp_path / "t.yaml").write_text(text)
    report = lint_paths([str(tmp_path / "t.yaml")], select=["PL111"])
    assert not report.errors
    assert len(report.findings) == cfn_foreach.MAX_RESOURCES
    (notice,) = report.notices
    assert notice.kind == "skipped" and f"{cfn_foreach.MAX_RESOURCES:,}" in notice.message
    from policylint.parsers import cloudformation

    doc = cloudformation.parse(text, "t.yaml")
    assert len(doc.resources) == cfn_foreach.MAX_RESOURCES


def test_foreach_duplicate_logical_ids_are_an_error(tmp_path):
    text = """\
Resources:
  Fn::ForEach::Twice:
    - A
    - [x, x]
    - Same${A}:
        Type: AWS::S3::Bucket
"""
    (tmp_path / "t.yaml").write_text(text)
    (error,) = lint_paths([str(tmp_path / "t.yaml")]).errors
    assert "`Samex` twice" in error.message and error.line == 5


def test_children_are_found_in_every_spelling_of_the_key():
    text = textwrap.dedent("""\
        A: {"TemplateURL": "a.json", 'Location': 'b.yaml'}
        TemplateURL: c.yaml
        Location:d.yaml
        x-Location: not.yaml
        MyLocation: not-either.yaml
        """)
    assert cfn_stacks.children("/t/parent.yaml", text) == ["/t/a.json", "/t/c.yaml", "/t/b.yaml", "/t/d.yaml"]
