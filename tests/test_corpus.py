"""Robustness: every file of the shared real-world corpus scans without a crash.

The corpus sits beside the repository in ../shared (CI has it, a user's clone does not: skip).
Broken or non-template files may give parse errors; an *internal* error never.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policylint.engine import lint_paths

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")


@pytest.mark.parametrize("part", ["cloudformation", "terraform"])
def test_corpus_scans_without_internal_errors(part):
    report = lint_paths([str(CORPUS / part)])
    internal = [e for e in report.errors if e.kind == "internal"]
    assert not internal, "\n".join(f"{e.file}:{e.line}: {e.message}" for e in internal[:20])
    assert report.files > 100
