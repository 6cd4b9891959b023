"""GitLab Code Quality report: a JSON array of issues, shown in merge requests
(``artifacts: reports: codequality``).

Each finding is an issue with the fields GitLab documents: ``description``, ``check_name``,
``fingerprint`` (unique in the report, stable when lines move: :func:`policylint.report.fingerprint`),
``severity`` (``info``, ``minor``, ``major``, ``critical``, ``blocker``), ``location.path``
(relative to ``root``, the repository root) and ``location.lines.begin``.  A file that cannot be
read or parsed is an issue too (``check_name`` ``policylint-error``, severity ``major``), so that
it is not lost in the merge request.
"""

from __future__ import annotations

import hashlib
import json

from policylint.report import fingerprint
from policylint.reporters import RenderOptions
from policylint.reporters.sarif import display_path

SEVERITIES = {"info": "info", "low": "minor", "medium": "major", "high": "critical", "critical": "blocker"}


def to_list(report, options: RenderOptions = RenderOptions()) -> list[dict]:
    root = options.base()
    issues: list[dict] = []
    seen: set[str] = set()

    def unique(value: str) -> str:
        # Two findings may share an identity (same rule, resource and message in one file);
        # GitLab needs every fingerprint once, so later ones are numbered.
        candidate, n = value, 1
        while candidate in seen:
            n += 1
            candidate = hashlib.sha256(f"{value}#{n}".encode()).hexdigest()[:32]
        seen.add(candidate)
        return candidate

    for f in report.findings:
        resource = f" ({f.resource})" if f.resource else ""
        issues.append({
            "description": f"{f.rule_id} {f.message}{resource}",
            "check_name": f"{f.rule_id} {f.rule}",
            "fingerprint": unique(fingerprint(f, root)),
            "severity": SEVERITIES[f.severity],
            "location": {"path": display_path(f.file, root), "lines": {"begin": f.line}},
        })
    for e in report.errors:
        path = display_path(e.file, root)
        identity = hashlib.sha256(f"error\x1f{path}\x1f{e.message}".encode()).hexdigest()[:32]
        issues.append({
            "description": f"policylint could not read this file: {e.message}",
            "check_name": "policylint-error",
            "fingerprint": unique(identity),
            "severity": "major",
            "location": {"path": path, "lines": {"begin": e.line or 1}},
        })
    return issues


def render(report, options: RenderOptions = RenderOptions()) -> str:
    return json.dumps(to_list(report, options), indent=2, ensure_ascii=False) + "\n"
