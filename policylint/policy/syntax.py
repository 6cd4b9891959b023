"""How a policy document is written in its file, so that a fix is suggested in that syntax: JSON
(raw policies, JSON templates, heredocs, plans), YAML (templates), HCL (`jsonencode({...})`) or
the blocks of a `data "aws_iam_policy_document"`."""

from __future__ import annotations

from policylint.model import PolicyDocument
from policylint.patterns import lazy

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Sequence

JSON, YAML, HCL, HCL_DATA = "json", "yaml", "hcl", "hcl-data"

_STATEMENT_LINE = (
    (lazy(r'^\s*[{,]?\s*"Statement"\s*:'), JSON),
    (lazy(r"^\s*-?\s*'?Statement'?\s*:"), YAML),
    (lazy(r'^\s*"?Statement"?\s*='), HCL),
    (lazy(r"^\s*statement\s*\{"), HCL_DATA),
)


def policy_syntax(document: PolicyDocument, lines: Sequence[str]) -> str:
    """The syntax of ``document`` in its file, whose ``lines`` are given, told by the line of its
    ``Statement``; JSON when that line does not tell (a plan, a one-line document)."""
    statements = document.body.get("Statement")
    if statements is None or document.format == "plan":
        return JSON
    if not 1 <= statements.line <= len(lines):
        return JSON
    line = lines[statements.line - 1]
    return next((syntax for pattern, syntax in _STATEMENT_LINE if pattern.match(line)), JSON)
