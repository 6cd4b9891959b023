"""Human output: one finding per line, ``path:line: CODE [severity] message (resource)``."""

from __future__ import annotations

_COLOURS = {"critical": "\033[1;31m", "high": "\033[31m", "medium": "\033[33m", "low": "\033[36m", "info": "\033[2m"}
_RESET = "\033[0m"
_BOLD = "\033[1m"


def render(report, colour: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if colour else text

    lines = []
    for f in report.findings:
        where = paint(f"{f.file}:{f.line}:", _BOLD)
        severity = paint(f"[{f.severity}]", _COLOURS[f.severity])
        resource = f" ({f.resource})" if f.resource else ""
        lines.append(f"{where} {f.rule_id} {severity} {f.message}{resource}")
    for e in report.errors:
        where = f"{e.file}:{e.line}:" if e.line else f"{e.file}:"
        lines.append(f"{paint(where, _BOLD)} {paint('error', _COLOURS['critical'])}: {e.message}")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def summary(report) -> str:
    n = len(report.findings)
    parts = [f"{n} finding{'s' if n != 1 else ''}"]
    if report.findings:
        counts = {}
        for f in report.findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
        order = ("critical", "high", "medium", "low", "info")
        parts[0] += " (" + ", ".join(f"{counts[s]} {s}" for s in order if s in counts) + ")"
    if report.errors:
        e = len(report.errors)
        parts.append(f"{e} error{'s' if e != 1 else ''}")
    files = report.files
    return f"{', '.join(parts)} in {files} file{'s' if files != 1 else ''}."
