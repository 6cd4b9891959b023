"""What a scan produces: findings, errors, and the report that carries them to the reporters.

A finding's :func:`fingerprint` is its identity across edits (baselines and SARIF use it).
"""

from __future__ import annotations

import os
import re

from policylint.model import ParseError
from policylint.patterns import lazy
from policylint.records import record, field

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from policylint.suppressions import SuppressedFinding

SEVERITIES = ("info", "low", "medium", "high", "critical")  # the one severity order, mildest first
# How each kind of suppression is named to the user (suppressions and reporters both say it).
KIND_LABELS = {"comment": "inline comment", "metadata": "CloudFormation Metadata", "config": "config per-path-ignores"}
FINGERPRINT_VERSION = 1
_LINE_MENTION = lazy(r"\b(lines?) \d+(?:\s*[-–]\s*\d+)?")


@record(frozen=True)
class Finding:
    """One problem a rule found, at a file and line."""

    rule_id: str
    rule: str  # slug
    severity: str
    message: str
    file: str
    line: int
    end_line: int
    resource: str | None
    format: str

    def sort_key(self) -> tuple:
        # The resource too: generated resources (`Fn::ForEach`, `count`) share a line and a message,
        # and reports must not change order from one run to the next.
        return (self.file, self.line, self.rule_id, self.message, self.resource or "")


@record
class Report:
    """Everything a scan produced, for the reporters."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    files: int = 0
    # Findings silenced by an inline comment, CloudFormation Metadata or a config per-path ignore
    # (``lint_paths(..., suppress=True)`` or a config with per-path-ignores), and how many findings
    # a baseline file hid (set by :func:`policylint.baseline.apply`).
    suppressed: list[SuppressedFinding] = field(default_factory=list)
    baselined: int = 0
    # Paths left out with a notice, not an error (FIFOs, sockets, devices): kind ``skipped``.
    notices: list[ParseError] = field(default_factory=list)

    def worst(self) -> str | None:
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=SEVERITIES.index)


_UNPRINTABLE = lazy("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(path: str) -> str:
    """``path`` safe on one line of output: control characters and line separators become
    ``\\n``, ``\\x1b``, ``\\u2028``, and the bytes of a name that is not UTF-8 (which Python keeps
    as surrogate escapes) ``\\xe9``.  Other paths are returned unchanged."""
    return _UNPRINTABLE.sub(_escape, path)


def _escape(match: re.Match) -> str:
    char = match.group(0)
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's escape for an undecodable byte
        return f"\\x{code - 0xDC00:02x}"
    return _ESCAPES.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


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
    import hashlib  # only baselines and some reporters need it; OpenSSL's loading costs a start

    message = _LINE_MENTION.sub(r"\1 N", finding.message)
    parts = [f"v{FINGERPRINT_VERSION}", finding.rule_id, relative_path(finding.file, root), finding.resource or "", message]
    # surrogateescape: a file name that is not UTF-8 hashes as its bytes
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:32]
