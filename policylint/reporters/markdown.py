"""Markdown for a pull-request comment or ``$GITHUB_STEP_SUMMARY``: a summary heading, one table
row per finding (worst first), the errors, and with ``--statistics`` a table per rule.

Paths are relative to ``root``.  Cell text is escaped so that a message cannot break the table
or inject HTML: ``|`` is escaped, line breaks become spaces, and ``<``, ``>`` and ``&`` outside
backtick code spans become entities (inside code spans they are shown as written).
"""

from __future__ import annotations

from policylint.report import SEVERITIES
from policylint.reporters import RenderOptions
from policylint.reporters.sarif import display_path
from policylint.reporters.text import full_summary, rule_counts


def cell(text: str) -> str:
    text = " ".join(text.split())
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unmatched backtick: treat it as plain text
        parts = [text.replace("`", "\\`")]
    for i in range(0, len(parts), 2):
        parts[i] = parts[i].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "`".join(parts).replace("|", "\\|")


def render(report, options: RenderOptions = RenderOptions()) -> str:
    root = options.base()
    lines = [f"### policylint: {full_summary(report)}", ""]
    findings = sorted(report.findings, key=lambda f: (-SEVERITIES.index(f.severity), f.sort_key()))
    if findings:
        lines += ["| Severity | Rule | Location | Message |", "|---|---|---|---|"]
        for f in findings:
            resource = f" ({f.resource})" if f.resource else ""
            where = cell(f"`{display_path(f.file, root)}:{f.line}`")
            lines.append(f"| {f.severity} | `{f.rule_id}` {f.rule} | {where} | {cell(f.message + resource)} |")
        lines.append("")
    if report.errors:
        lines += ["**Files that could not be read or parsed**", "", "| Location | Error |", "|---|---|"]
        for e in report.errors:
            where = display_path(e.file, root) + (f":{e.line}" if e.line else "")
            lines.append(f"| {cell(f'`{where}`')} | {cell(e.message)} |")
        lines.append("")
    if options.statistics and findings:
        lines += ["| Findings | Rule | Severity |", "|---:|---|---|"]
        for (code, slug, severity), n in rule_counts(findings):
            lines.append(f"| {n} | `{code}` {slug} | {severity} |")
        lines.append("")
    return "\n".join(lines)
