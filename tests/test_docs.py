"""Generated documentation is in sync, and every rule documents itself fully."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policylint import docs
from policylint.catalogue import catalogue

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ["## What it does", "## Why is this bad?", "## Example", "## Use instead", "## References"]


def test_readme_rule_table_is_in_sync():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert docs.readme_with_table(readme) == readme, "run `python -m policylint.docs`"


def test_the_rule_index_is_in_sync():
    """The catalogue answers from it without importing the rules; a stale index would hide a rule."""
    assert (ROOT / "policylint" / "rule_index.py").read_text(encoding="utf-8") == docs.rule_index_source(), "run `python -m policylint.docs`"


def test_the_catalogue_falls_back_to_importing_when_the_index_misses_a_module(monkeypatch):
    from policylint import catalogue as catalogue_module
    from policylint import rule_index

    monkeypatch.setattr(rule_index, "MODULES", rule_index.MODULES[:-1])
    catalogue_module.catalogue.cache_clear()
    try:
        fallback = catalogue_module.catalogue()
        assert all(entry._class is not None for entry in fallback.entries)  # imported, not indexed
        assert [e.as_row() for e in fallback.entries] == [tuple(row) for row in rule_index.RULES]
    finally:
        catalogue_module.catalogue.cache_clear()


def test_docs_rules_md_is_in_sync():
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == docs.rules_markdown(), "run `python -m policylint.docs`"


@pytest.mark.parametrize("rule", catalogue().checks, ids=lambda r: r.code)
def test_rule_metadata_and_docs(rule):
    assert re.fullmatch(r"PL\d{3}", rule.code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", rule.slug)
    text = rule.docs()
    positions = [text.find(section) for section in SECTIONS]
    assert all(p >= 0 for p in positions), f"{rule.code} lacks one of {SECTIONS}"
    assert positions == sorted(positions), f"{rule.code}: sections out of order"
    assert "](http" in text.split("## References", 1)[1], f"{rule.code}: references need links"


def test_codes_and_slugs_are_unique():
    rules = catalogue().checks
    assert len({r.code for r in rules}) == len(rules)
    assert len({r.slug for r in rules}) == len(rules)


def test_every_rules_package_is_listed_in_pyproject():
    """Rule folders ship in the wheel only when pyproject lists them."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for folder in sorted((ROOT / "rules").iterdir()):
        if folder.is_dir() and (folder / "__init__.py").exists():
            assert f'"policylint.rules.{folder.name}"' in pyproject, f"add policylint.rules.{folder.name} to pyproject packages"


_FENCE = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)
_SUFFIX = {"hcl": ".tf", "terraform": ".tf", "yaml": ".yaml", "json": ".json", "python": ".py", "sh": ".sh", "bash": ".sh", "dotenv": ".env", "ini": ".ini"}


def _snippet(rule, section: str):
    text = rule.docs().split(section, 1)[1].split("\n## ", 1)[0]
    match = _FENCE.search(text)
    assert match, f"{rule.code}: `{section}` needs a fenced code block"
    return _SUFFIX.get(match.group(1), ".txt"), match.group(2)


@pytest.mark.parametrize("rule", catalogue().checks, ids=lambda r: r.code)
def test_docs_examples_really_fire_and_the_fix_is_silent(rule, tmp_path):
    """The Example and Use instead snippets run through the rule, so the docs cannot rot."""
    from policylint.engine import lint_paths

    for section, should_fire in (("## Example", True), ("## Use instead", False)):
        suffix, code = _snippet(rule, section)
        folder = tmp_path / section.strip("# ").replace(" ", "_")
        folder.mkdir()
        (folder / f"example{suffix}").write_text(code, encoding="utf-8")
        report = lint_paths([str(folder)], select=[rule.code])
        assert not report.errors, report.errors
        # An Example may fire at `info` only: PL201's docs must use AWS's example keys, which it
        # reports as `info`.  "Use instead" must stay free of anything above `info`.
        fired = [f for f in report.findings if f.rule_id == rule.code and (should_fire or f.severity != "info")]
        assert bool(fired) == should_fire, f"{rule.code} {section}: {report.findings}"
