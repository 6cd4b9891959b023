"""Bad input never crashes a scan: mutated fixtures give parse errors or findings, never an
internal error or a traceback."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylint.engine import lint_paths

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SAMPLES = sorted(p for p in FIXTURES.glob("PL*/*") if p.is_file() and p.suffix in (".tf", ".yaml", ".json"))
TOKENS = ["{", "}", "[", "]", ":", ",", '"', "- ", "!Ref", "!Sub", "${", "null", "= null", "= []", "\t", "*", "&a", "\n"]


@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sample=st.sampled_from(SAMPLES),
    cut=st.floats(0, 1),
    token=st.sampled_from(TOKENS),
    where=st.floats(0, 1),
)
def test_mutated_inputs_never_cause_internal_errors(tmp_path, sample, cut, token, where):
    text = sample.read_text(encoding="utf-8")
    position = int(len(text) * where)
    mutated = (text[:position] + token + text[position:])[: max(1, int(len(text) * (0.5 + cut / 2)))]
    case = tmp_path / f"{sample.parent.name}-{abs(hash((cut, token, where)))}"
    case.mkdir()
    (case / sample.name).write_text(mutated, encoding="utf-8")
    report = lint_paths([str(case)])
    internal = [e for e in report.errors if e.kind == "internal"]
    assert not internal, internal
