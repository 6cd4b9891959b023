"""Baselines: adopt policylint on an existing code base by recording today's findings, then report
only new ones.

``policylint baseline PATH... --output FILE`` writes the findings; ``policylint scan PATH...
--baseline FILE`` hides every finding recorded there.  A finding is recognised by its
:func:`fingerprint`: the rule, the file (relative to the baseline file's directory, so the scan may
be started from anywhere), the resource and the message, which names the offending property and
value.  Line numbers are left out, so the fingerprint survives edits elsewhere in the file; it
changes when the finding itself changes (another rule, resource, property or value).  Identical
findings are counted: a baseline holding one such finding hides one, and a second copy is new.
"""

from __future__ import annotations

import json
import os
from collections import Counter

from policylint import __version__
from policylint.catalogue import UsageError
from policylint.records import record, replace
from policylint.report import FINGERPRINT_VERSION as VERSION
from policylint.report import fingerprint, relative_path

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Iterable
    from policylint.report import Report
    from policylint.rule import Finding



class BaselineError(UsageError):
    """A baseline file that cannot be used (the CLI exits 2 without the usage text)."""


@record
class Baseline:
    path: str
    counts: Counter  # fingerprint -> how many findings it hides

    @property
    def root(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))


def entries(findings: Iterable[Finding], root: str) -> list[dict]:
    rows = [
        {
            "fingerprint": fingerprint(f, root),
            "rule_id": f.rule_id,
            "file": relative_path(f.file, root),
            "resource": f.resource,
            "message": f.message,
        }
        for f in findings
    ]
    return sorted(rows, key=lambda r: (r["file"], r["rule_id"], r["resource"] or "", r["message"], r["fingerprint"]))


def render(report: Report, path: str) -> str:
    """The baseline file for ``report``'s findings, to be written at ``path``."""
    root = os.path.dirname(os.path.abspath(path))
    document = {
        "version": VERSION,
        "tool": {"name": "policylint", "version": __version__},
        "findings": entries(report.findings, root),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load(path: str) -> Baseline:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise BaselineError(f"cannot read the baseline `{path}`: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"the baseline `{path}` is not valid JSON: {exc.msg} (line {exc.lineno})") from None
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("findings"), list):
        raise BaselineError(f"`{path}` is not a policylint baseline (version {VERSION}); write one with `policylint baseline`")
    counts: Counter = Counter()
    for row in data["findings"]:
        if not isinstance(row, dict) or not isinstance(row.get("fingerprint"), str):
            raise BaselineError(f"the baseline `{path}` has an entry without a fingerprint")
        counts[row["fingerprint"]] += 1
    return Baseline(path, counts)


def apply(report: Report, baseline: Baseline) -> Report:
    """The report without the findings recorded in ``baseline`` (counted in ``baselined``).
    Among identical findings the first ones, in report order, are hidden."""
    remaining = Counter(baseline.counts)
    kept = []
    hidden = 0
    for finding in report.findings:
        key = fingerprint(finding, baseline.root)
        if remaining[key] > 0:
            remaining[key] -= 1
            hidden += 1
        else:
            kept.append(finding)
    return replace(report, findings=kept, baselined=report.baselined + hidden)
