"""Terraform plan JSON (``terraform show -json plan.out``) into the common model.

``planned_values`` holds the resources (child modules recursively) with the values Terraform will
apply; values only known after apply are absent there.  ``configuration`` tells which resource an
expression referred to, which is how a split ``aws_s3_bucket_*`` resource finds its bucket when
the bucket's name is computed.  Plan files have no source ranges, so every value points at the
line of its resource's ``"address"`` in the plan.  The resources themselves are normalised by the
same code as HCL (:mod:`policylint.parsers.tf_resources`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from policylint.model import Document, Location, Node, ParseError, Ref, Unknown

FORMAT = "plan"
_ADDRESS = re.compile(r'"address"\s*:\s*"((?:[^"\\]|\\.)*)"')
_INDEX = re.compile(r"\[[^\]]*\]$")


def parse(text: str, path: str) -> Document:
    doc = Document(FORMAT)
    try:
        plan = json.loads(text)
    except json.JSONDecodeError as exc:
        doc.errors.append(ParseError(path, exc.lineno, f"invalid JSON: {exc.msg}"))
        return doc
    if not isinstance(plan, dict):
        doc.errors.append(ParseError(path, 1, "a Terraform plan must be a JSON object"))
        return doc
    lines = _address_lines(text)
    after_unknown = {
        change.get("address"): (change.get("change") or {}).get("after_unknown") or {}
        for change in plan.get("resource_changes", []) or []
        if isinstance(change, dict)
    }
    references = _configuration_references(plan.get("configuration", {}).get("root_module", {}), "")
    root = plan.get("planned_values", {}).get("root_module", {})
    from policylint.parsers import tf_resources

    for module_address, resource in _walk_modules(root):
        if resource.get("mode") != "managed" or not isinstance(resource.get("values"), dict):
            continue
        address = resource.get("address", "")
        line = lines.get(address, 1)
        scope = f"plan:{path}::"
        values = _to_node(resource["values"], path, line)
        _add_references(values, references.get(_INDEX.sub("", address), {}), scope, module_address, path, line)
        _mark_unknown(values, after_unknown.get(address, {}), path, line)
        built = tf_resources.build(
            tf_type=resource.get("type", ""),
            address=address,
            uid=scope + address,
            attrs=values,
            location=Location(path, line, line),
            format=FORMAT,
            scope=scope + (module_address + "." if module_address else ""),
        )
        doc.resources.extend(built.resources)
        for policy in built.policies:
            # A policy string has no lines of its own in a plan: everything is at the resource.
            for node in policy.body.walk():
                node.line = node.end_line = line
                node.text_line = None
            doc.policies.append(policy)
    return doc


def _address_lines(text: str) -> dict[str, int]:
    """The first line on which each resource address appears (planned_values comes first)."""
    out: dict[str, int] = {}
    line = 1
    position = 0
    for match in _ADDRESS.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        out.setdefault(json.loads(f'"{match.group(1)}"'), line)
    return out


def _walk_modules(module: dict, prefix: str = ""):
    for resource in module.get("resources", []) or []:
        yield prefix, resource
    for child in module.get("child_modules", []) or []:
        yield from _walk_modules(child, child.get("address", prefix))


def _configuration_references(module: dict, prefix: str) -> dict[str, dict[str, list[str]]]:
    """resource address (no index) -> attribute -> the references its expression used."""
    out: dict[str, dict[str, list[str]]] = {}
    for resource in module.get("resources", []) or []:
        address = f"{prefix}{resource.get('address', '')}"
        expressions = resource.get("expressions", {}) or {}
        out[address] = {
            name: expr["references"]
            for name, expr in expressions.items()
            if isinstance(expr, dict) and isinstance(expr.get("references"), list)
        }
    for name, call in (module.get("module_calls", {}) or {}).items():
        out.update(_configuration_references(call.get("module", {}) or {}, f"{prefix}module.{name}."))
    return out


def _add_references(values: Node, references: dict[str, list[str]], scope: str, module_address: str, path: str, line: int) -> None:
    """Attributes computed at apply time are absent from the values: when the configuration says
    they came from another resource, record that as a reference so resources can still be linked."""
    for name, refs in references.items():
        if name in values.value:
            continue
        resource_refs = [r for r in refs if not r.startswith(("var.", "local.", "data.", "module.", "each.", "count.", "path."))]
        if not resource_refs:
            continue
        target = resource_refs[0]  # Terraform lists `aws_s3_bucket.b.id` before `aws_s3_bucket.b`
        parts = target.split(".")
        base = ".".join(parts[:2])
        attr = parts[2] if len(parts) > 2 else None
        prefix = module_address + "." if module_address else ""
        uid = f"{scope}{prefix}{base}"
        values.value[name] = Node(Ref(uid, attr, target), path, line, line)


def _mark_unknown(values: Node, unknown: Any, path: str, line: int, text: str = "") -> None:
    """Values known only after apply are absent from ``planned_values``; ``after_unknown`` says
    which.  Make them explicit unknowns so that no rule mistakes them for "not set"."""
    if isinstance(unknown, dict) and isinstance(values.value, dict):
        for key, flag in unknown.items():
            if flag is True and key not in values.value:
                values.value[key] = Node(Unknown(f"(known after apply: {text}{key})"), path, line, line)
            elif key in values.value:
                _mark_unknown(values.value[key], flag, path, line, f"{text}{key}.")
    elif isinstance(unknown, list) and isinstance(values.value, list):
        for index, flag in enumerate(unknown):
            if flag is True and index >= len(values.value):
                values.value.append(Node(Unknown(f"(known after apply: {text}{index})"), path, line, line))
            elif index < len(values.value):
                _mark_unknown(values.value[index], flag, path, line, f"{text}{index}.")


def _to_node(value: Any, path: str, line: int) -> Node:
    if isinstance(value, dict):
        return Node({k: _to_node(v, path, line) for k, v in value.items()}, path, line, line)
    if isinstance(value, list):
        return Node([_to_node(v, path, line) for v in value], path, line, line)
    return Node(value, path, line, line)
