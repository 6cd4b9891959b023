"""SARIF 2.1.0, shaped for GitHub code scanning (TOOLING-NOTES §4b).

- ``tool.driver.rules`` holds every rule with a result: id, name (the slug), short and full
  description, help (text and Markdown: the rule's own documentation), ``helpUri`` (its section of
  ``docs/rules.md`` on the project page, see :func:`help_uri`), the default level, and
  ``properties.tags`` and ``properties["security-severity"]`` from our severity.
- Each result has one location: a URI relative to ``root`` (the repository root in CI, by default
  the current directory) with ``uriBaseId`` ``%SRCROOT%``, and 1-based lines.
- ``partialFingerprints["policylint/v1"]`` is the baseline fingerprint, which ignores line numbers.
  It is unique within a run: a finding whose fingerprint an earlier one (in line order) already
  has gets ``:2``, ``:3`` ... appended, so that code scanning does not merge distinct results.
  ``primaryLocationLineHash`` is deliberately not set: GitHub's upload action computes it from the
  source, and a value from us would stop it from doing so.
- Suppressed findings are left out (GitHub's handling of ``result.suppressions`` is unverified);
  with ``show_suppressed`` they are included with a ``suppressions`` entry.
- The configuration's severity overrides (``options.severities``) set each rule's default level.
- Files that could not be parsed are ``toolExecutionNotifications`` of the invocation.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from policylint import __version__
from policylint.report import fingerprint, printable
from policylint.reporters import RenderOptions

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Mapping

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
PROJECT_URL = "https://github.com/policylint/policylint"
RULES_DOC_URL = PROJECT_URL + "/blob/main/docs/rules.md"
README_URL = PROJECT_URL + "/blob/main/README.md"
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SRCROOT = "%SRCROOT%"


def help_uri(code: str) -> str:
    """Stable link to a rule's documentation: the ``## PLnnn`` section of docs/rules.md on the
    default branch (GitHub's anchor is the lower-cased code).  The meta rule PL000 is documented
    in the README's suppressions section."""
    if code == "PL000":
        return f"{README_URL}#suppressions"
    return f"{RULES_DOC_URL}#{code.lower()}"


def relative_uri(path: str, root: str) -> str | None:
    """``path`` as a URI relative to ``root`` (symlinks resolved), or None when it lies outside."""
    absolute = os.path.realpath(os.path.abspath(path))
    relative = os.path.relpath(absolute, os.path.realpath(os.path.abspath(root)))
    if relative == ".." or relative.startswith(".." + os.sep):
        return None
    return relative.replace(os.sep, "/")


def display_path(path: str, root: str) -> str:
    """Path to show in CI reports: relative to ``root`` when below it, else absolute; control
    characters and undecodable bytes escaped (:func:`policylint.report.printable`)."""
    return printable(relative_uri(path, root) or os.path.realpath(os.path.abspath(path)).replace(os.sep, "/"))


def lookup_rules(codes, rules: Mapping[str, type] | None = None) -> dict[str, type]:
    if rules is not None:
        return {code: rules[code] for code in codes}
    from policylint.catalogue import catalogue

    return {code: catalogue().find(code) for code in codes}


def service_of(rule: type) -> str | None:
    """``policylint.rules.s3.logging_loop`` → ``s3``."""
    parts = rule.__module__.split(".")
    if parts[:2] == ["policylint", "rules"] and len(parts) > 3:
        return parts[2]
    return None


def first_paragraph(docs: str, fallback: str) -> str:
    match = re.search(r"^## What it does\s*\n(.*?)(?:\n\s*\n|\n## |\Z)", docs, re.DOTALL | re.MULTILINE)
    if not match:
        return fallback
    return " ".join(match.group(1).split())


def _descriptor(rule: type, severity: str) -> dict:
    docs = rule.docs()
    tags = ["security"] + [t for t in (service_of(rule),) if t]
    properties: dict = {"tags": tags, "precision": "high"}
    if severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[severity]
    return {
        "id": rule.code,
        "name": rule.slug,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": first_paragraph(docs, rule.title)},
        "help": {"text": docs or rule.title, "markdown": docs or rule.title},
        "helpUri": help_uri(rule.code),
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": properties,
    }


def _location(file: str, line: int | None, end_line: int | None, root: str) -> dict:
    uri = relative_uri(file, root)
    # A URI reference: spaces, `%`, `:` and the like in file names must be percent-encoded; from
    # the name's bytes, so that a name that is not UTF-8 (`caf\xe9.tf`) is `caf%E9.tf`.
    artifact = {"uri": quote(os.fsencode(uri)), "uriBaseId": SRCROOT} if uri is not None else {"uri": Path(os.path.abspath(file)).as_uri()}
    physical: dict = {"artifactLocation": artifact}
    if line:
        start = max(1, line)
        physical["region"] = {"startLine": start, "endLine": max(start, end_line or start)}
    return {"physicalLocation": physical}


def _result(finding, index: int, root: str, suppression=None, seen: Counter | None = None) -> dict:
    location = _location(finding.file, finding.line, finding.end_line, root)
    if finding.resource:
        location["logicalLocations"] = [{"fullyQualifiedName": finding.resource, "kind": "resource"}]
    result = {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [location],
        "partialFingerprints": {"policylint/v1": _unique(fingerprint(finding, root), seen)},
        "properties": {"severity": finding.severity},
    }
    if suppression is not None:
        entry = {"kind": "inSource" if suppression.kind in ("comment", "metadata") else "external", "status": "accepted"}
        if suppression.reason:
            entry["justification"] = suppression.reason
        result["suppressions"] = [entry]
    return result


def _unique(fingerprint: str, seen: Counter | None) -> str:
    if seen is None:
        return fingerprint
    seen[fingerprint] += 1
    return fingerprint if seen[fingerprint] == 1 else f"{fingerprint}:{seen[fingerprint]}"


def to_dict(report, options: RenderOptions = RenderOptions()) -> dict:
    root = options.base()
    shown = [(f, None) for f in report.findings]
    if options.show_suppressed:
        shown += [(s.finding, s.suppression) for s in report.suppressed]
        shown.sort(key=lambda pair: pair[0].sort_key())
    codes = sorted({f.rule_id for f, _ in shown})
    found = lookup_rules(codes, options.rules)
    descriptors = [_descriptor(found[c], options.severities.get(c, found[c].severity)) for c in codes]
    index = {c: i for i, c in enumerate(codes)}
    notifications = []
    for error in report.errors:
        notification = {"level": "error", "message": {"text": error.message}, "locations": [_location(error.file, error.line, error.line, root)]}
        notifications.append(notification)
    seen: Counter = Counter()
    root_uri = Path(os.path.realpath(os.path.abspath(root))).as_uri().rstrip("/") + "/"
    run = {
        "tool": {
            "driver": {
                "name": "policylint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": PROJECT_URL,
                "rules": descriptors,
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": root_uri}},
        "invocations": [{"executionSuccessful": not report.errors, "toolExecutionNotifications": notifications}],
        "results": [_result(f, index[f.rule_id], root, s, seen) for f, s in shown],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report, options: RenderOptions = RenderOptions()) -> str:
    """The SARIF log as text."""
    return json.dumps(to_dict(report, options), indent=2, ensure_ascii=False) + "\n"
