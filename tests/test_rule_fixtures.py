"""Every fixture case: the findings of its rule are exactly the marked (file, line) pairs."""

from __future__ import annotations

import pytest

from fixture_cases import Case, all_cases, relative
from policylint.engine import lint_paths

CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fixture(case: Case, tmp_path):
    scanned = case.materialise(tmp_path)
    report = lint_paths([str(scanned)])
    assert not report.errors, f"fixture must parse cleanly: {report.errors}"
    actual = {
        (relative(f.file, scanned), f.line, f.rule_id)
        for f in report.findings
        if f.rule_id == case.code
    }
    expected = {e for e in case.expected() if e[2] == case.code}
    if actual != expected:
        lines = [f"fixture {case.id}:"]
        for file in case.files():
            rel = file.relative_to(case.path).as_posix() if case.path.is_dir() else file.name
            lines.append(f"--- {rel}")
            for number, text in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
                got = sorted(f.message for f in report.findings if f.rule_id == case.code and relative(f.file, scanned) == rel and f.line == number)
                mark = "  <== " + " | ".join(got) if got else ""
                lines.append(f"{number:4} {text}{mark}")
        lines.append(f"missing (expected, not found): {sorted(expected - actual)}")
        lines.append(f"unexpected (found, not expected): {sorted(actual - expected)}")
        pytest.fail("\n".join(lines))


def test_every_rule_has_fixtures():
    from policylint.catalogue import catalogue

    codes = {c.code for c in CASES}
    missing = [r.code for r in catalogue().checks if r.code not in codes]
    assert not missing, f"rules without fixtures: {missing}"


def test_every_fixture_dir_names_a_rule():
    from policylint.catalogue import catalogue

    known = {r.code for r in catalogue().checks}
    assert {c.code for c in CASES} <= known


def test_each_rule_has_a_bad_and_a_good_case_per_format():
    """A rule fires on a bad fixture and stays silent on a good one in every format it applies to."""
    from policylint import parsers
    from policylint.catalogue import catalogue

    def formats(case: Case) -> set[str]:
        # By content: a .json file is a plan, a policy or a CloudFormation template.
        return {parsers.detect(f.name, f.read_text(encoding="utf-8")) for f in case.files()}

    case_formats = {case: formats(case) for case in CASES}
    problems = []
    for rule in catalogue().checks:
        cases = [c for c in CASES if c.code == rule.code]
        for fmt in sorted(rule.formats & {"terraform", "cloudformation", "plan", "policy"}):
            kinds = {bool(c.expected()) for c in cases if fmt in case_formats[c]}
            if kinds != {True, False}:
                problems.append(f"{rule.code} {fmt}: needs both a bad and a good fixture")
    assert not problems, "\n".join(problems)
