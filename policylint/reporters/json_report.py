"""The JSON report: a public contract (documented in the README), version 1."""

from __future__ import annotations

import json

from policylint import __version__
from policylint.reporters import RenderOptions


def _row(f) -> dict:
    return {
        "rule_id": f.rule_id,
        "rule": f.rule,
        "severity": f.severity,
        "message": f.message,
        "file": f.file,
        "line": f.line,
        "end_line": f.end_line,
        "resource": f.resource,
        "format": f.format,
    }


def to_dict(report, options: RenderOptions = RenderOptions()) -> dict:
    data = {
        "version": 1,
        "tool": {"name": "policylint", "version": __version__},
        "summary": {"files": report.files, "findings": len(report.findings), "errors": len(report.errors)},
        "findings": [_row(f) for f in report.findings],
        "errors": [{"file": e.file, "line": e.line, "message": e.message} for e in report.errors],
    }
    if report.suppressed or report.baselined or options.show_suppressed:
        # Keys added only when used, so that the version-1 shape of plain scans never changes.
        data["summary"]["suppressed"] = len(report.suppressed)
        data["summary"]["baselined"] = report.baselined
    if options.show_suppressed:
        data["suppressed"] = [
            dict(_row(s.finding), suppression={"kind": s.suppression.kind, "file": s.suppression.file, "line": s.suppression.line, "reason": s.suppression.reason})
            for s in report.suppressed
        ]
    return data


def render(report, options: RenderOptions = RenderOptions()) -> str:
    return json.dumps(to_dict(report, options), indent=2) + "\n"
