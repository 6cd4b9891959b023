"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

``::error file=infra/main.tf,line=12,endLine=14,title=PL101::message`` — ``error`` for critical
and high findings, ``warning`` for medium, ``notice`` for low and info (the same split as the SARIF
levels).  Paths are relative to ``root`` (the repository root: by default the current directory,
which is the checkout in a workflow).  Values are escaped as the Actions toolkit does: ``%``, CR
and LF everywhere, and also ``:`` and ``,`` inside properties.  A summary line closes the output.
"""

from __future__ import annotations

from policylint.reporters import RenderOptions
from policylint.reporters.sarif import display_path
from policylint.reporters.text import summary

LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "notice", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **properties) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value is not None)
    return f"::{level} {props}::{escape_data(message)}" if props else f"::{level}::{escape_data(message)}"


def render(report, options: RenderOptions = RenderOptions()) -> str:
    root = options.base()
    lines = []
    for f in report.findings:
        resource = f" ({f.resource})" if f.resource else ""
        lines.append(command(
            LEVELS[f.severity],
            f"[{f.severity}] {f.message}{resource}",
            file=display_path(f.file, root),
            line=f.line,
            endLine=max(f.line, f.end_line),
            title=f"{f.rule_id} {f.rule}",
        ))
    for e in report.errors:
        lines.append(command("error", e.message, file=display_path(e.file, root), line=e.line, title="policylint: cannot read file"))
    lines.append(f"policylint: {summary(report)}")
    return "\n".join(lines) + "\n"
