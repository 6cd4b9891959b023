"""Terraform JSON syntax (``*.tf.json``, ``*.tfvars.json``) -> the same ``hcl_tree`` structures
as the HCL reader, with the line of every value.

Follows Terraform's JSON configuration syntax: the top-level object holds block types, each
nested one level per label (``{"resource": {"aws_s3_bucket": {"b": {...}}}}``), and any level
may be an array of objects instead (several pieces merged in order).  In an expression, a string
is a template (``"${var.x}"`` is ``var.x`` itself), and arrays and objects are tuples and
objects.  Variable defaults and ``.tfvars.json`` values are literal values, not templates.
A ``"//"`` key is a comment.

Without the provider's schema, a nested object in a resource is ambiguous (a block, or an
attribute holding a map).  It is read as an attribute, which the resource builders accept for
blocks too (a block is a dict or a list of dicts), except where the distinction matters to the
evaluator: ``dynamic`` blocks (and the objects that contain them), the meta blocks
(``lifecycle``, ``provisioner``, ``connection``), and the blocks of an
``aws_iam_policy_document`` (``statement``, ``principals``, ``not_principals``, ``condition``).
"""

from __future__ import annotations

import json
import os

from policylint.model import Node
from policylint.parsers import hcl_tree as hcl
from policylint.parsers.located_json import json_to_node
from policylint.patterns import lazy

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Any

# Block types of the top level and how many labels each has.
_TOP_BLOCKS = {"resource": 2, "data": 2, "variable": 1, "output": 1, "module": 1, "provider": 1, "locals": 0, "terraform": 0, "check": 1, "import": 0, "moved": 0, "removed": 0}
# Nested blocks a body always has as blocks, with their number of labels.
_NESTED_BLOCKS = {"lifecycle": 0, "connection": 0, "provisioner": 1, "dynamic": 1, "content": 0}
_POLICY_DOCUMENT_BLOCKS = frozenset({"statement", "principals", "not_principals", "condition"})
_OFFSET = lazy(r"offset (\d+)")
_MAX_DEPTH = 200  # JSON nesting read into blocks and expressions; deeper is a syntax error


def parse_file(path: str, text: str) -> hcl.HclFile:
    """Parse one ``.tf.json``/``.tfvars.json`` text.  Raises :class:`hcl.HclSyntaxError` with
    the offending line."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        root = json_to_node(text, path, 1, aligned=True)
    except ValueError as exc:
        match = _OFFSET.search(str(exc))
        line = text.count("\n", 0, int(match.group(1))) + 1 if match else None
        raise hcl.HclSyntaxError(f"invalid JSON: {exc}", line) from None
    except RecursionError:
        raise hcl.HclSyntaxError("JSON nested too deeply", None) from None
    if not isinstance(root.value, dict):
        raise hcl.HclSyntaxError("a Terraform JSON file holds one object", root.line)
    reader = _Reader()
    try:
        if os.path.basename(path).lower().endswith(".tfvars.json"):
            return hcl.HclFile(path, reader.literal_body(root), [])
        body = hcl.Body()
        for block_type, value in root.value.items():
            labels = _TOP_BLOCKS.get(block_type)
            if labels is None:
                continue  # "//" comments, and block types Terraform would reject
            if block_type == "locals":
                for piece in _pieces(value):
                    for name, member in _members(piece):
                        body.blocks.append(_locals_block(reader, name, member))
                continue
            body.blocks.extend(reader.blocks(block_type, value, labels, [], top=True))
        return hcl.HclFile(path, body, [])
    except (RecursionError, _TooDeep):
        raise hcl.HclSyntaxError("JSON nested too deeply", None) from None


class _TooDeep(Exception):
    pass


def _pieces(node: Node) -> list[Node]:
    """An object, or the objects of an array (a JSON block may be split into several)."""
    if isinstance(node.value, list):
        return [item for item in node.value if isinstance(item.value, dict)]
    return [node] if isinstance(node.value, dict) else []


def _members(node: Node) -> list[tuple[str, Node]]:
    return [(key, value) for key, value in node.value.items() if key != "//"]


def _locals_block(reader: _Reader, name: str, member: Node) -> hcl.Block:
    body = hcl.Body()
    body.attributes[name] = hcl.Attribute(name, reader.expr(member), member.line, member.end_line or member.line)
    return hcl.Block("locals", [], body, member.line, member.end_line or member.line)


class _Reader:
    def __init__(self) -> None:
        self.depth = 0

    def blocks(self, block_type: str, node: Node, labels_left: int, labels: list[str], top: bool = False,
               kind: str | None = None) -> list[hcl.Block]:
        """The blocks of ``block_type`` under ``node``, one label level at a time."""
        out: list[hcl.Block] = []
        for piece in _pieces(node) if labels_left else [node]:
            if labels_left:
                for label, member in _members(piece):
                    out.extend(self.blocks(block_type, member, labels_left - 1, labels + [label], top, kind))
                continue
            for body_node in _pieces(piece):
                if block_type == "data" and labels[:1] == ["aws_iam_policy_document"]:
                    kind = "policy_document"
                body = self.body(body_node, literal_default=block_type == "variable", kind=kind)
                out.append(hcl.Block(block_type, labels, body, body_node.line, body_node.end_line or body_node.line))
        return out

    def body(self, node: Node, literal_default: bool = False, kind: str | None = None) -> hcl.Body:
        self._enter()
        body = hcl.Body()
        for name, member in _members(node):
            nested = _NESTED_BLOCKS.get(name)
            if kind == "policy_document" and name in _POLICY_DOCUMENT_BLOCKS:
                nested = 0
            if nested is None and _holds_dynamic(member):
                nested = 0
            if nested is not None and (_pieces(member) or isinstance(member.value, list)):
                body.blocks.extend(self.blocks(name, member, nested, [], kind=kind))
                continue
            expr = self.literal(member) if literal_default and name == "default" else self.expr(member)
            body.attributes[name] = hcl.Attribute(name, expr, member.line, member.end_line or member.line)
        self.depth -= 1
        return body

    def literal_body(self, node: Node) -> hcl.Body:
        body = hcl.Body()
        for name, member in _members(node):
            body.attributes[name] = hcl.Attribute(name, self.literal(member), member.line, member.end_line or member.line)
        return body

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise _TooDeep()

    def expr(self, node: Node) -> hcl.Expr:
        """A JSON value in expression mode: strings are templates."""
        self._enter()
        try:
            return self._expr(node)
        finally:
            self.depth -= 1

    def _expr(self, node: Node) -> hcl.Expr:
        value = node.value
        line, end_line = node.line, node.end_line or node.line
        if isinstance(value, str):
            return _template(value, line)
        if isinstance(value, list):
            return hcl.TupleExpr([self.expr(item) for item in value], *_position(value, line, end_line))
        if isinstance(value, dict):
            items = []
            for key, member in value.items():
                key_expr: str | hcl.Expr = key
                if "${" in key:
                    key_expr = _template(key, member.line)
                items.append(hcl.ObjectItem(key_expr, self.expr(member), member.line, member.end_line or member.line))
            return hcl.ObjectExpr(items, *_position(value, line, end_line))
        return _scalar(value, line, end_line)

    def literal(self, node: Node) -> hcl.Expr:
        """A JSON value taken literally (variable defaults, tfvars): no templates."""
        self._enter()
        try:
            value = node.value
            line, end_line = node.line, node.end_line or node.line
            if isinstance(value, list):
                return hcl.TupleExpr([self.literal(item) for item in value], *_position(value, line, end_line))
            if isinstance(value, dict):
                items = [hcl.ObjectItem(key, self.literal(member), member.line, member.end_line or member.line) for key, member in value.items()]
                return hcl.ObjectExpr(items, *_position(value, line, end_line))
            if isinstance(value, str):
                source = json.dumps(value)
                return hcl.Literal(value, line, end_line, source, 0, len(source))
            return _scalar(value, line, end_line)
        finally:
            self.depth -= 1


def _holds_dynamic(node: Node) -> bool:
    """Whether an object (or an array of objects) has a ``dynamic`` block, at any depth: then it
    is a nested block, so that the dynamic block is expanded."""
    stack = [node]
    while stack:
        current = stack.pop()
        for piece in _pieces(current):
            if "dynamic" in piece.value:
                return True
            stack.extend(member for _, member in _members(piece))
    return False


def _scalar(value: Any, line: int, end_line: int) -> hcl.Expr:
    """A number, boolean or null (a number too large to read is opaque)."""
    if value is not None and not isinstance(value, (str, bool, int, float)):
        text = getattr(value, "text", "")
        return hcl.Opaque(line, end_line, text, 0, len(text))
    source = json.dumps(value)
    return hcl.Literal(value, line, end_line, source, 0, len(source))


def _position(value: Any, line: int, end_line: int) -> tuple[int, int, str, int, int]:
    """A collection's lines; its rendering (shown only when it is unknown) is abridged, so that
    nothing is serialised once per level of nesting."""
    source = "[...]" if isinstance(value, list) else "{...}"
    return (line, end_line, source, 0, len(source))


def _template(text: str, line: int) -> hcl.Expr:
    """A JSON string as an HCL template, every part on the string's line."""
    if "${" not in text and "%{" not in text:  # most strings: plain text, read at once
        return hcl.Literal(text, line, line, text, 0, len(text))
    expr = hcl.parse_template(text, line)
    if isinstance(expr, hcl.Template):
        expr.parts = [part for part in expr.parts if part != ""]  # so that "${x}" alone is x
    for sub in hcl.iter_subexpressions(expr):
        sub.line = sub.end_line = line
    return expr
