"""policylint's CloudFormation rules as a cfn-lint rule pack.

    pip install 'policylint[cfn-lint]'
    cfn-lint template.yaml --append-rules policylint.cfnlint_pack

(or ``--append-rules`` with this package's directory; the option takes several values, so the
template goes before it, or after ``--``).  Every policylint rule that applies to
CloudFormation becomes a cfn-lint rule in cfn-lint's range for user rules (9xxx), its letter taken
from the rule's severity: critical and high → ``E``, medium and low → ``W``, info → ``I``; the
digits are the PL code's, so ``PL101`` (high) is ``E9101`` and ``PL118`` (info) is ``I9118``.  The
meta rule ``PL000`` (stale or unknown suppressions) is ``I9000``.  :func:`cfnlint_id` computes it,
:func:`mapping` lists the table.

Each template is linted once by :func:`policylint.engine.lint_paths` (with its inline and
``Metadata`` suppressions honoured); each generated rule then reports its own findings at
policylint's line, with cfn-lint's path of the key on that line.  cfn-lint's own switches
(``--ignore-checks E9101``, ``Metadata: cfn-lint: config: ignore_checks``) apply as usual.
Cross-template facts (a bucket named in another template) are not visible: cfn-lint passes one
template at a time.

This is the only module that imports cfnlint.
"""

from __future__ import annotations

import os

try:
    from cfnlint.rules import CloudFormationLintRule, RuleMatch
except ImportError as exc:  # cfn-lint is an optional extra
    raise ImportError("policylint's cfn-lint rule pack needs cfn-lint: pip install 'policylint[cfn-lint]'") from exc

from policylint.catalogue import catalogue
from policylint.engine import lint_paths
from policylint.reporters.sarif import first_paragraph, help_uri, service_of

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Any

LETTERS = {"critical": "E", "high": "E", "medium": "W", "low": "W", "info": "I"}


def cfnlint_id(rule: Any) -> str:
    """``PL101`` (high) → ``E9101``."""
    return f"{LETTERS[rule.severity]}9{rule.code[2:]}"


def pack_rules() -> list:
    """The policylint rules this pack carries: those for CloudFormation, and PL000."""
    return [r for r in catalogue().checks if "cloudformation" in r.formats] + list(catalogue().meta)


def mapping() -> list[tuple[str, str, str, str]]:
    """(PL code, cfn-lint id, slug, severity) for every rule of the pack."""
    return [(r.code, cfnlint_id(r), r.slug, r.severity) for r in pack_rules()]


MAP_START = "<!-- cfnlint-map:start -->"
MAP_END = "<!-- cfnlint-map:end -->"


def mapping_markdown() -> str:
    """The mapping as the Markdown table kept in the README (``python -m policylint.docs``
    rewrites it; a test fails when it is stale)."""
    lines = ["| policylint | cfn-lint | name | severity |", "|---|---|---|---|"]
    lines += [f"| {code} | {cfn_id} | `{slug}` | {severity} |" for code, cfn_id, slug, severity in mapping()]
    return "\n".join(lines)


def readme_with_mapping(readme: str) -> str:
    start, end = readme.index(MAP_START), readme.index(MAP_END)
    return readme[: start + len(MAP_START)] + "\n" + mapping_markdown() + "\n" + readme[end:]


_results: dict[tuple[str, int, int], list] = {}


def _findings(filename: str) -> list:
    """policylint's findings for one template, computed once per file version."""
    stat = os.stat(filename)
    key = (os.path.abspath(filename), stat.st_mtime_ns, stat.st_size)
    if key not in _results:
        report = lint_paths([filename], suppress=True)
        codes = {r.code for r in pack_rules()}
        _results[key] = [f for f in report.findings if f.rule_id in codes]
    return _results[key]


def _paths_by_line(node: Any, path: list, out: dict[int, list]) -> None:
    """cfn-lint's key paths by (0-based) line; deeper keys win."""
    if isinstance(node, dict):
        for key, value in node.items():
            mark = getattr(key, "start_mark", None)
            here = path + [str(key)]
            if mark is not None:
                out[mark.line] = here
            _paths_by_line(value, here, out)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _paths_by_line(value, path + [index], out)


class _PolicylintRule(CloudFormationLintRule):
    policylint_code = ""

    def match(self, cfn: Any) -> list:
        filename = getattr(cfn, "filename", None)
        if not filename or not os.path.isfile(filename):
            return []  # a template read from stdin: policylint lints files
        found = [f for f in _findings(filename) if f.rule_id == self.policylint_code]
        if not found:
            return []
        by_line: dict[int, list] = {}
        _paths_by_line(cfn.template, [], by_line)
        with open(filename, encoding="utf-8-sig", errors="replace") as handle:
            lines = handle.read().splitlines()
        matches = []
        for finding in found:
            start, end = finding.line - 1, max(finding.end_line, finding.line) - 1
            text = lines[start] if 0 <= start < len(lines) else ""
            end_text = lines[end] if 0 <= end < len(lines) else text
            column = len(text) - len(text.lstrip())
            path = by_line.get(start)
            if path is None:
                resources = cfn.template.get("Resources", {}) if isinstance(cfn.template, dict) else {}
                path = ["Resources", finding.resource] if finding.resource in resources else []
            matches.append(RuleMatch(path, finding.message, location=(start, column, end, max(len(end_text), column + 1))))
        return matches


def _rule_class(rule: Any, base: type = _PolicylintRule) -> type:
    docs = rule.docs()
    attributes = {
        "id": cfnlint_id(rule),
        "shortdesc": rule.title,
        "description": first_paragraph(docs, rule.title),
        "source_url": help_uri(rule.code),
        "tags": ["policylint", rule.code, rule.slug] + [t for t in (service_of(rule),) if t],
        "policylint_code": rule.code,
        "__module__": __name__,
        "__doc__": f"{rule.code} {rule.slug}: {rule.title}",
    }
    return type(f"Policylint{rule.code}", (base,), attributes)


# cfn-lint instantiates every CloudFormationLintRule subclass it finds in this module's namespace:
# one class per rule, and the shared base class hidden from it.
__all__ = []
for _rule in pack_rules():
    _class = _rule_class(_rule)
    globals()[_class.__name__] = _class
    __all__.append(_class.__name__)
del _rule, _class, _PolicylintRule
