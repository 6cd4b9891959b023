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

import hashlib
import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from policylint import __version__
from policylint.catalogue import UsageError

if TYPE_CHECKING:
    from policylint.engine import Report
    from policylint.rule import Finding

VERSION = 1
_LINE_MENTION = re.compile(r"\b(lines?) \d+(?:\s*[-–]\s*\d+)?")


def relative_path(path: str, root: str) -> str:
    """``path`` relative to ``root``, with ``/`` separators (absolute when it is not below)."""
    absolute = os.path.realpath(os.path.abspath(path))
    base = os.path.realpath(os.path.abspath(root))
    relative = os.path.relpath(absolute, base)
    if relative.startswith(".."):
        return absolute.replace(os.sep, "/")
    return relative.replace(os.sep, "/")


def fingerprint(finding: Finding, root: str = ".") -> str:
    """A stable identity for ``finding`` that does not depend on line numbers."""
    message = _LINE_MENTION.sub(r"\1 N", finding.message)
    parts = [f"v{VERSION}", finding.rule_id, relative_path(finding.file, root), finding.resource or "", message]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


@dataclass
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
        raise UsageError(f"cannot read the baseline `{path}`: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"the baseline `{path}` is not valid JSON: {exc.msg} (line {exc.lineno})") from None
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("findings"), list):
        raise UsageError(f"`{path}` is not a policylint baseline (version {VERSION}); write one with `policylint baseline`")
    counts: Counter = Counter()
    for row in data["findings"]:
        if not isinstance(row, dict) or not isinstance(row.get("fingerprint"), str):
            raise UsageError(f"the baseline `{path}` has an entry without a fingerprint")
        counts[row["fingerprint"]] += 1
    return Baseline(path, counts)


def apply(report: Report, baseline: Baseline) -> None:
    """Remove the findings recorded in ``baseline`` from ``report`` (counted in
    ``report.baselined``).  Among identical findings the first ones, in report order, are hidden."""
    remaining = Counter(baseline.counts)
    kept = []
    for finding in report.findings:
        key = fingerprint(finding, baseline.root)
        if remaining[key] > 0:
            remaining[key] -= 1
            report.baselined += 1
        else:
            kept.append(finding)
    report.findings = kept
