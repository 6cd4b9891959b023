"""A raw IAM or bucket-policy JSON document.

A document with ``Principal``/``NotPrincipal`` in any statement is a resource policy, without it an
identity policy (IAM forbids Principal in identity policies, so the shape tells which it is).
"""

from __future__ import annotations

from policylint.model import Document, Node, ParseError, PolicyDocument
from policylint.parsers.located_yaml import LoadError, load_json

FORMAT = "policy"


def parse(text: str, path: str) -> Document:
    doc = Document(FORMAT)
    try:
        body = load_json(text, path)
    except LoadError as exc:
        doc.errors.append(ParseError(path, exc.line, exc.message, exc.kind))
        return doc
    if not isinstance(body.value, dict):
        doc.errors.append(ParseError(path, body.line, "a policy document must be a JSON object"))
        return doc
    if not is_policy(body):
        return doc  # `Statement` appears only deeper (a stack configuration's StackPolicy, say)
    doc.policies.append(PolicyDocument(body=body, kind=policy_kind(body), owner=None, format=FORMAT))
    return doc


def is_policy(body: Node) -> bool:
    """A policy has `Statement` at its top level, or at least a policy language `Version` (then a
    misspelt `Statement` is a grammar error to report, not a reason to skip the file)."""
    version = body.get("Version")
    return "Statement" in body.value or (version is not None and version.value in ("2012-10-17", "2008-10-17"))


def policy_kind(body: Node) -> str:
    statements = body.get("Statement")
    for statement in statements.items() if statements is not None else []:
        if isinstance(statement.value, dict) and ("Principal" in statement.value or "NotPrincipal" in statement.value):
            return "resource"
    return "identity"


def parse_unit(unit) -> Document:
    """The registry's entry point (see :mod:`policylint.parsers`)."""
    return parse(unit.text, unit.path)
