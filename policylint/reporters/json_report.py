"""The JSON report: a public contract (documented in the README), version 1."""

from __future__ import annotations

import json

from policylint import __version__


def to_dict(report) -> dict:
    return {
        "version": 1,
        "tool": {"name": "policylint", "version": __version__},
        "summary": {"files": report.files, "findings": len(report.findings), "errors": len(report.errors)},
        "findings": [
            {
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
            for f in report.findings
        ],
        "errors": [{"file": e.file, "line": e.line, "message": e.message} for e in report.errors],
    }


def render(report) -> str:
    return json.dumps(to_dict(report), indent=2) + "\n"
