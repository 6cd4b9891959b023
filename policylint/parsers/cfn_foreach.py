"""``Fn::ForEach`` (the ``AWS::LanguageExtensions`` transform) in ``Resources``: expanded when its
collection is known.

``Fn::ForEach::Name: [Identifier, Collection, {OutputKey: Fragment}]`` makes one copy of each
fragment per value of the collection: ``${Identifier}`` (and ``&{Identifier}``, which keeps only
letters and digits) in the logical IDs and in ``Fn::Sub`` strings, and ``Ref: Identifier``, take
the value; loops nest.  A copy keeps the lines of the fragment, where its values are written.  A
collection that is not known leaves its resources unknown (they are not built), as before.  The
copies are bounded: past :data:`MAX_RESOURCES` generated resources (or :data:`MAX_VALUES` copied
values) the rest are left out with a notice.
"""

from __future__ import annotations

import re

from policylint.model import Document, Node, ParseError

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Any, Callable

PREFIX = "Fn::ForEach::"
MAX_RESOURCES = 10_000
MAX_VALUES = 1_000_000


class _Budget:
    def __init__(self):
        self.resources = 0
        self.values = 0
        self.exceeded = False


def expand(resources: dict[str, Node], resolve: Callable[[Node], Any], path: str, doc: Document) -> dict[str, Node]:
    """``resources`` with every loop whose collection is known replaced by its copies."""
    if not any(key.startswith(PREFIX) for key in resources):
        return resources
    budget = _Budget()
    out: dict[str, Node] = {}
    for key, node in resources.items():
        if key.startswith(PREFIX):
            _loop(key, node, {}, resolve, path, doc, out, budget)
        else:
            out[key] = node
    if budget.exceeded:
        doc.notices.append(ParseError(path, None, f"`Fn::ForEach` generates more than {MAX_RESOURCES:,} resources (or {MAX_VALUES:,} values); the rest are not scanned", kind="skipped"))
    return out


def _loop(key: str, node: Node, bound: dict[str, str], resolve, path: str, doc: Document, out: dict[str, Node], budget: _Budget) -> None:
    items = node.value if isinstance(node.value, list) else None
    if not items or len(items) != 3 or not isinstance(items[0].value, str) or not isinstance(items[2].value, dict):
        doc.errors.append(ParseError(path, node.line, f"`{key}` must be a list of an identifier, a collection and a mapping of output keys to resources"))
        return
    identifier = items[0].value
    values = _collection(_substitute(items[1], bound, budget), resolve)
    if values is None:
        return  # not known: its resources stay unknown
    for value in values:
        scope = {**bound, identifier: value}
        for output_key, fragment in items[2].value.items():
            if budget.exceeded:
                return
            if output_key.startswith(PREFIX):
                _loop(output_key, fragment, scope, resolve, path, doc, out, budget)
                continue
            logical_id = _replace_names(output_key, scope)
            if logical_id in out:
                doc.errors.append(ParseError(path, fragment.line, f"`{key}` generates the logical ID `{logical_id}` twice (for `{value}`); CloudFormation refuses a duplicate logical ID"))
                continue
            if budget.resources >= MAX_RESOURCES:
                budget.exceeded = True
                return
            budget.resources += 1
            out[logical_id] = _substitute(fragment, scope, budget)


def _collection(node: Node, resolve) -> list[str] | None:
    """The collection's values as text, or None when any is not known."""
    resolved = resolve(node)
    if not isinstance(resolved, Node) or not isinstance(resolved.value, list):
        return None
    values = []
    for item in resolved.value:
        value = item.value if isinstance(item, Node) else None
        if isinstance(value, bool):
            value = "true" if value else "false"
        if not isinstance(value, (str, int, float)):
            return None
        values.append(str(value))
    return values


def _replace_names(text: str, scope: dict[str, str]) -> str:
    for identifier, value in scope.items():
        text = text.replace("${" + identifier + "}", value).replace("&{" + identifier + "}", re.sub(r"[^A-Za-z0-9]", "", value))
    return text


def _substitute(node: Node, scope: dict[str, str], budget: _Budget) -> Node:
    """A copy of ``node`` with the loop identifiers in ``scope`` replaced by their values."""
    if not scope:
        return node
    budget.values += 1
    if budget.values > MAX_VALUES:
        budget.exceeded = True
        return node
    value = node.value
    if isinstance(value, dict):
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref" and isinstance(arg.value, str) and arg.value in scope:
                return Node(scope[arg.value], node.file, node.line, node.end_line)
            if key == "Fn::Sub":
                return Node({key: _sub_strings(arg, scope)}, node.file, node.line, node.end_line, node.text_line)
        return Node({_replace_names(k, scope): _substitute(v, scope, budget) for k, v in value.items()}, node.file, node.line, node.end_line, node.text_line)
    if isinstance(value, list):
        return Node([_substitute(item, scope, budget) for item in value], node.file, node.line, node.end_line, node.text_line)
    return node


def _sub_strings(arg: Node, scope: dict[str, str]) -> Node:
    """An ``Fn::Sub`` argument with ``${Identifier}`` replaced in its template string."""
    if isinstance(arg.value, str):
        return Node(_replace_names(arg.value, scope), arg.file, arg.line, arg.end_line, arg.text_line)
    if isinstance(arg.value, list) and arg.value and isinstance(arg.value[0].value, str):
        first = arg.value[0]
        return Node([Node(_replace_names(first.value, scope), first.file, first.line, first.end_line, first.text_line), *arg.value[1:]], arg.file, arg.line, arg.end_line, arg.text_line)
    return arg
