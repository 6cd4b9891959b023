"""Human output: one finding per line, ``path:line: CODE [severity] message (resource)``, then
the errors, the suppressed findings when asked, and a summary line (left out when quiet).  Control
characters and undecodable bytes in paths are escaped (:func:`policylint.report.printable`), so
that a file name cannot split or colour a line."""

from __future__ import annotations

from policylint.report import KIND_LABELS, SEVERITIES, printable
from policylint.reporters import RenderOptions

_COLOURS = {"critical": "\033[1;31m", "high": "\033[31m", "medium": "\033[33m", "low": "\033[36m", "info": "\033[2m"}
_RESET = "\033[0m"
_BOLD = "\033[1m"


def render(report, options: RenderOptions = RenderOptions()) -> str:
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if options.colour else text

    lines = []
    for f in report.findings:
        where = paint(f"{printable(f.file)}:{f.line}:", _BOLD)
        severity = paint(f"[{f.severity}]", _COLOURS[f.severity])
        lines.append(f"{where} {f.rule_id} {severity} {f.message}{_resource(f)}")
    for e in report.errors:
        where = f"{printable(e.file)}:{e.line}:" if e.line else f"{printable(e.file)}:"
        lines.append(f"{paint(where, _BOLD)} {paint('error', _COLOURS['critical'])}: {e.message}")
    # A line break of any kind in these messages (`\r`, `\u2028`, ...) is printed as a plain one.
    lines = "".join(line + "\n" for line in lines).splitlines()
    if options.show_suppressed:
        for item in report.suppressed:
            f = item.finding
            lines.append(f"{printable(f.file)}:{f.line}: {f.rule_id} [{f.severity}] {f.message}{_resource(f)} [suppressed by {item.suppression.describe()}]")
    if options.statistics:
        lines.extend(statistics(report).splitlines())
    if not options.quiet:
        lines.append(full_summary(report))
    return "\n".join(lines) + "\n" if lines else ""


def _resource(finding) -> str:
    return f" ({finding.resource})" if finding.resource else ""


def summary(report) -> str:
    """``7 findings (3 critical, 1 high), 2 errors in 6 files.``"""
    n = len(report.findings)
    parts = [f"{n} finding{'s' if n != 1 else ''}"]
    if report.findings:
        counts = {}
        for f in report.findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
        parts[0] += " (" + ", ".join(f"{counts[s]} {s}" for s in reversed(SEVERITIES) if s in counts) + ")"
    if report.errors:
        e = len(report.errors)
        parts.append(f"{e} error{'s' if e != 1 else ''}")
    files = report.files
    return f"{', '.join(parts)} in {files} file{'s' if files != 1 else ''}."


def full_summary(report) -> str:
    """The summary line with what suppressions and the baseline hid."""
    return _with_suppressions(summary(report), report)


def rule_counts(findings) -> list[tuple[tuple[str, str, str], int]]:
    """((code, slug, severity), number of findings), most frequent first."""
    counts: dict[tuple[str, str, str], int] = {}
    for f in findings:
        key = (f.rule_id, f.rule, f.severity)
        counts[key] = counts.get(key, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def statistics(report) -> str:
    """Findings per rule, most frequent first: ``   3  PL101  s3-logging-loop  [high]``."""
    ordered = rule_counts(report.findings)
    if not ordered:
        return ""
    width = len(str(ordered[0][1]))
    return "".join(f"{n:>{width}}  {code}  {slug}  [{severity}]\n" for (code, slug, severity), n in ordered)


def _with_suppressions(summary: str, report) -> str:
    """The summary, plus how many findings suppressions and the baseline hid."""
    extras = []
    if report.suppressed:
        kinds: dict[str, int] = {}
        for item in report.suppressed:
            kinds[item.suppression.kind] = kinds.get(item.suppression.kind, 0) + 1
        detail = ", ".join(f"{kinds[k]} by {KIND_LABELS[k]}" for k in KIND_LABELS if k in kinds)
        extras.append(f"{len(report.suppressed)} suppressed ({detail})")
    if report.baselined:
        extras.append(f"{report.baselined} in the baseline")
    if not extras:
        return summary
    return summary.rstrip(".") + "; " + "; ".join(extras) + "."
