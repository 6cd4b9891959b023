"""Build located policy documents for the policy tests.

``located(text)`` parses JSON text with the real loader (so lines are real); ``nodes(obj)`` wraps a
Python dict quickly (every node on line 1) for property tests; :data:`COMPUTED` inside either
stands for a value the IaC parser could not resolve.
"""

from __future__ import annotations

import json
from typing import Any

from policylint.model import Location, Node, PolicyDocument, Ref, Resource, Unknown
from policylint.parsers.located_yaml import load_json
from policylint.policy.document import Policy, from_body


class _Computed:
    def __init__(self, text: str = "${var.x}"):
        self.text = text


COMPUTED = _Computed()


def computed(text: str) -> _Computed:
    return _Computed(text)


def nodes(obj: Any, file: str = "policy.json", line: int = 1) -> Node:
    if isinstance(obj, _Computed):
        return Node(Unknown(obj.text), file, line)
    if isinstance(obj, (Unknown, Ref)):
        return Node(obj, file, line)
    if isinstance(obj, dict):
        return Node({k: nodes(v, file, line) for k, v in obj.items()}, file, line)
    if isinstance(obj, list):
        return Node([nodes(v, file, line) for v in obj], file, line)
    return Node(obj, file, line)


def located(text: str, file: str = "policy.json") -> Node:
    return load_json(text, file)


def policy(obj: Any, kind: str = "resource") -> Policy:
    """A normalised policy from a dict (fast) or JSON text (real lines)."""
    body = located(obj) if isinstance(obj, str) else nodes(obj)
    return from_body(body, kind)


def document(obj: Any, kind: str = "resource", owner_type: str | None = None) -> PolicyDocument:
    """A document as a raw policy file gives it, or as a template resource of ``owner_type``."""
    body = located(obj if isinstance(obj, str) else json.dumps(obj, indent=2))
    owner = None
    if owner_type is not None:
        owner = Resource("owner", "Owner", owner_type, "cloudformation", Location("policy.json", 1, 1))
    return PolicyDocument(body=body, kind=kind, owner=owner)
