"""Terraform evaluation has budgets (#11 item 3): values that double from one local to the next,
a template that renders itself, chains of locals nested too deep.  Each case sits beside a
healthy file whose finding must still be reported, finishes in seconds, and names the place
where a value was left unknown."""

from __future__ import annotations

import time

import pytest

from policylint.engine import Options, lint
from policylint.parsers import tf_eval

HEALTHY = 'resource "aws_s3_bucket_acl" "ok" {\n  bucket = "healthy"\n  acl    = "public-read"\n}\n'


def _doubling(first: str, step: str, use: str) -> str:
    lines = [f"  l0 = {first}"] + [f"  l{i} = " + step.format(p=f"local.l{i - 1}") for i in range(1, 41)]
    return "locals {\n" + "\n".join(lines) + "\n}\n" + 'resource "aws_s3_bucket" "b" {\n  bucket = ' + use + "\n}\n"


CASES = {
    "strings": (_doubling('"ab"', '"${{{p}}}${{{p}}}"', "local.l40"), "string longer than"),
    "concat": (_doubling('["a"]', "concat({p}, {p})", 'join("", local.l40)'), "collection of more than"),
    "tuples": (_doubling('["a"]', "[{p}, {p}]", "jsonencode(local.l40)"), "collection of more than"),
    "multiplication": (_doubling("3", "{p} * {p}", '"x${local.l40}"'), "integer larger than"),
    "chain": (
        "locals {\n  l0 = \"a\"\n" + "".join(f'  l{i} = "${{local.l{i - 1}}}x"\n' for i in range(1, 300)) + '}\nresource "aws_s3_bucket" "b" {\n  bucket = local.l299\n}\n',
        "nested more than",
    ),
}


def _scan(directory):
    start = time.perf_counter()
    report = lint([str(directory)], Options())
    return report, time.perf_counter() - start


@pytest.mark.parametrize("name", sorted(CASES))
def test_growing_values_become_unknown_with_a_notice(tmp_path, name):
    text, notice = CASES[name]
    (tmp_path / "main.tf").write_text(text)
    (tmp_path / "healthy.tf").write_text(HEALTHY)
    report, elapsed = _scan(tmp_path)
    assert elapsed < 30
    assert [f.rule_id for f in report.findings if f.file.endswith("healthy.tf")] == ["PL111"]
    notices = [e for e in report.errors if notice in e.message]
    assert notices and all(e.kind == "unsupported" and e.file.endswith("main.tf") and e.line for e in notices)
    assert not [e for e in report.errors if e.kind == "internal"]


def test_a_template_that_renders_itself(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = templatefile("${path.module}/t.tpl", {})\n}\n')
    (tmp_path / "t.tpl").write_text('${templatefile("t.tpl", {})}${templatefile("t.tpl", {})}\n')
    (tmp_path / "healthy.tf").write_text(HEALTHY)
    report, elapsed = _scan(tmp_path)
    assert elapsed < 30
    assert [f.rule_id for f in report.findings if f.file.endswith("healthy.tf")] == ["PL111"]
    assert any("includes `t.tpl` inside itself" in e.message and e.file.endswith("t.tpl") and e.line == 1 for e in report.errors)


def test_two_templates_that_render_each_other(tmp_path):
    (tmp_path / "main.tf").write_text('locals {\n  x = templatefile("a.tpl", {})\n}\nresource "aws_s3_bucket" "b" {\n  bucket = local.x\n}\n')
    (tmp_path / "a.tpl").write_text('${templatefile("b.tpl", {})}${templatefile("b.tpl", {})}\n')
    (tmp_path / "b.tpl").write_text('${templatefile("a.tpl", {})}${templatefile("a.tpl", {})}\n')
    (tmp_path / "healthy.tf").write_text(HEALTHY)
    report, elapsed = _scan(tmp_path)
    assert elapsed < 30
    assert [f.rule_id for f in report.findings if f.file.endswith("healthy.tf")] == ["PL111"]
    assert any("inside itself" in e.message for e in report.errors)


def test_the_step_budget_leaves_the_rest_unknown(tmp_path, monkeypatch):
    monkeypatch.setattr(tf_eval, "MIN_STEPS", 50)
    monkeypatch.setattr(tf_eval, "STEPS_PER_CHARACTER", 0)
    (tmp_path / "main.tf").write_text("locals {\n" + "".join(f'  l{i} = "v{i}"\n' for i in range(100)) + "  all = [" + ", ".join(f"local.l{i}" for i in range(100)) + "]\n}\n"
                                      'resource "aws_s3_bucket" "b" {\n  bucket = join("-", local.all)\n}\n')
    report, _ = _scan(tmp_path)
    assert any("evaluation budget" in e.message and e.kind == "unsupported" for e in report.errors)


def test_healthy_values_are_within_budgets(tmp_path):
    (tmp_path / "main.tf").write_text('locals {\n  big = [for i in range(10) : i]\n  names = concat(["a"], ["b"])\n  n = 6 * 7\n}\n' + HEALTHY)
    report, _ = _scan(tmp_path)
    assert not [e for e in report.errors if e.kind == "unsupported"]
