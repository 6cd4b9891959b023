"""Terraform blocks -> values: a resource's body, and ``data "aws_iam_policy_document"``.

* a resource's body becomes a dict of Nodes, the shape of plan JSON ``values``: nested blocks
  are lists of dict Nodes, meta-arguments (``count``, ``lifecycle``, ...) are left out, and
  ``dynamic`` blocks are expanded over a known collection (one Unknown Node, "present, contents
  unknown", when it is not known);
* an ``aws_iam_policy_document`` data block becomes the equivalent policy JSON tree, located at
  the block's lines, merged with its source and override documents as the provider does, or an
  Unknown when an input is not known;
* a resource written with ``count = 0`` or ``for_each = {}`` declares nothing.

Expressions inside the blocks are evaluated by :class:`~policylint.parsers.tf_eval.Evaluator`.
"""

from __future__ import annotations


from policylint.model import Node, Provisioner, Unknown
from policylint.parsers import hcl_tree as hcl

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Any
    from policylint.parsers.tf_eval import Evaluator

_META_ARGUMENTS = frozenset({"count", "for_each", "depends_on", "provider"})
_META_BLOCKS = frozenset({"lifecycle", "provisioner", "connection"})
_POLICY_INPUTS = ("source_json", "source_policy_documents", "override_policy_documents", "override_json")


def declares_nothing(block: hcl.Block) -> bool:
    """``count = 0`` or ``for_each = {}`` written literally: the resource does not exist."""
    attributes = block.body.attributes
    count = attributes.get("count")
    if count is not None and isinstance(count.expr, hcl.Literal) and count.expr.value == 0:
        return True
    for_each = attributes.get("for_each")
    if for_each is not None and isinstance(for_each.expr, (hcl.ObjectExpr, hcl.TupleExpr)):
        return not for_each.expr.items
    return False


def resource_values(ev: Evaluator, address: str, key: Any = None) -> Node:
    """A resource's arguments and blocks (of its instance ``key``), located at the resource."""
    block, file = ev.module.resources[address]
    with ev.bound(ev.instance_bindings(address, key)):
        return Node(_body_values(ev, block.body, file, address, key), file, block.line, block.end_line)


def _body_values(ev: Evaluator, body: hcl.Body, file: str, address: str | None = None, key: Any = None) -> dict[str, Node]:
    """Attributes and nested blocks of a body, blocks as lists of dict Nodes."""
    values: dict[str, Node] = {}
    for name, attribute in body.attributes.items():
        if address is not None:
            if name in _META_ARGUMENTS:
                continue
            values[name] = ev.resource_attr(address, name, key)  # type: ignore[assignment]
        else:
            values[name] = ev.eval(attribute.expr, file)
    names: list[str] = []
    for block in body.blocks:
        if address is not None and block.type in _META_BLOCKS:
            continue
        name = block.labels[0] if block.type == "dynamic" and block.labels else block.type
        if name not in names and name not in values:  # an attribute and blocks of one name: invalid, keep the attribute
            names.append(name)
    for name in names:
        expanded = expanded_blocks(ev, body, name, file)
        if expanded is None:
            # Generated blocks over an unknown collection: present, contents unknown.  Static
            # blocks of the same name are only part of the truth, so they are not kept either.
            first = next(b for b in body.blocks if b.type == "dynamic" and b.labels[:1] == [name])
            values[name] = Node(Unknown(f'dynamic "{name}" block'), file, first.line, first.end_line)
            continue
        items = []
        for content, bindings in expanded:
            with ev.bound(bindings):
                items.append(Node(_body_values(ev, content.body, file), file, content.line, content.end_line))
        if items:
            values[name] = Node(items, file, items[0].line, max(item.end_line or item.line for item in items))
        else:  # dynamic blocks over an empty collection: none
            values[name] = Node([], file, body.blocks[0].line)
    return values


def expanded_blocks(ev: Evaluator, body: hcl.Body, name: str, file: str) -> list[tuple[hcl.Block, dict[str, Node]]] | None:
    """The blocks ``name`` of a body in source order, ``dynamic "name"`` ones expanded over their
    collection: (the block or the ``content`` block generated, the names visible in it).  None
    when a dynamic block's collection is not known (how many blocks, and what they hold, is not
    known), or holds too many."""
    out: list[tuple[hcl.Block, dict[str, Node]]] = []
    for block in body.blocks:
        if block.type == name:
            out.append((block, ev.bindings))
            continue
        if block.type != "dynamic" or block.labels[:1] != [name]:
            continue
        for_each = block.body.attributes.get("for_each")
        content = next((b for b in block.body.blocks if b.type == "content"), None)
        if for_each is None or content is None:
            return None
        collection = ev.eval(for_each.expr, file)
        pairs = ev.bounded_pairs(collection, file, for_each.expr, f'`dynamic "{name}"`')
        if pairs is None:
            return None
        iterator = block.body.attributes.get("iterator")
        iterator_name = name
        if iterator is not None:
            named = iterator.expr
            if isinstance(named, hcl.Traversal) and isinstance(named.root, str) and not named.steps:
                iterator_name = named.root
            elif isinstance(named, hcl.Literal) and isinstance(named.value, str) and named.value:  # JSON syntax
                iterator_name = named.value
            else:
                return None
        for key, value in pairs:
            bound = dict(ev.bindings)
            bound[iterator_name] = Node({"key": key, "value": value}, collection.file, collection.line)
            out.append((content, bound))
    return out
def provisioners(ev: Evaluator, address: str) -> list[Provisioner]:
    """The resource's ``provisioner`` blocks with their arguments evaluated."""
    block, file = ev.module.resources[address]
    return [
        Provisioner(b.labels[0], Node(_body_values(ev, b.body, file), file, b.line, b.end_line))
        for b in block.body.blocks
        if b.type == "provisioner" and b.labels
    ]


def policy_document(ev: Evaluator, address: str) -> Node:
    """``data.aws_iam_policy_document.<address>.json`` as the policy's JSON tree, merged as the
    provider merges it: the statements of ``source_json`` and ``source_policy_documents``, then
    the block's own statements, then ``override_policy_documents`` and ``override_json``, each
    replacing an earlier statement with the same non-empty ``Sid`` or appended.  Unknown when an
    input document, a ``Sid`` that decides a merge, or a generated block is not known."""
    block, file = ev.module.data[address]
    body = block.body
    unknown = Node(Unknown(f"data.{address}.json"), file, block.line, block.end_line)
    expanded = expanded_blocks(ev, body, "statement", file)
    if expanded is None:
        return unknown
    own = []
    for statement_block, bindings in expanded:
        with ev.bound(bindings):
            own.append(_statement(ev, statement_block, file))
    statements: list[Node] | None = []
    for name in ("source_json", "source_policy_documents"):
        statements = _merge_documents(statements, body, name, ev, file)
    statements = _merge_statements(statements, own)
    for name in ("override_policy_documents", "override_json"):
        statements = _merge_documents(statements, body, name, ev, file)
    if statements is None:
        return unknown
    document: dict[str, Node] = {}
    version = body.attributes.get("version")
    document["Version"] = ev.eval(version.expr, file) if version else Node("2012-10-17", file, block.line)
    policy_id = body.attributes.get("policy_id")
    if policy_id is not None:
        document["Id"] = ev.eval(policy_id.expr, file)
    # Where the statements are written: the first statement block, else the merged documents.
    first = next((b.line for b in body.blocks if b.type == "statement" or b.type == "dynamic" and b.labels[:1] == ["statement"]), None)
    inputs = [body.attributes[name].line for name in _POLICY_INPUTS if name in body.attributes]
    first_line = first if first is not None else min(inputs, default=block.line)
    document["Statement"] = Node(statements, file, first_line, block.end_line if statements else None)
    return Node(document, file, block.line, block.end_line)


def _merge_documents(statements: list[Node] | None, body: hcl.Body, name: str, ev: Evaluator, file: str) -> list[Node] | None:
    """``statements`` with those of the documents of the attribute ``name`` merged in."""
    from policylint.parsers.tf_resources import policy_body

    attribute = body.attributes.get(name)
    if attribute is None or statements is None:
        return statements
    value = ev.eval(attribute.expr, file)
    if value.value is None:
        return statements
    documents = [value] if name.endswith("_json") else value.value
    if not isinstance(documents, list):
        return None
    for document in documents:
        tree = policy_body(document)
        if tree is None:  # null or "": nothing to merge
            continue
        if not isinstance(tree.value, dict):
            return None
        found = tree.value.get("Statement")
        if found is None:
            continue
        items = found.value if isinstance(found.value, list) else [found] if isinstance(found.value, dict) else None
        if items is None or not all(isinstance(item.value, dict) for item in items):
            return None
        statements = _merge_statements(statements, items)
        if statements is None:
            return None
    return statements


def _merge_statements(statements: list[Node] | None, added: list[Node]) -> list[Node] | None:
    """A statement with a non-empty ``Sid`` replaces the earlier one with that ``Sid`` in place;
    any other is appended.  None when a ``Sid`` is not known."""
    if statements is None:
        return None
    merged = list(statements)
    for statement in added:
        sid = statement.value.get("Sid")
        if sid is not None and not isinstance(sid.value, (str, type(None))):
            return None
        if sid is not None and sid.value:
            place = next((i for i, s in enumerate(merged) if _sid(s) == sid.value), None)
            if place is not None:
                merged[place] = statement
                continue
        merged.append(statement)
    return merged


def _sid(statement: Node) -> str | None:
    sid = statement.value.get("Sid") if isinstance(statement.value, dict) else None
    return sid.value if sid is not None and isinstance(sid.value, str) else None


def _statement(ev: Evaluator, block: hcl.Block, file: str) -> Node:
    attributes = block.body.attributes
    statement: dict[str, Node] = {}
    if "sid" in attributes:
        statement["Sid"] = ev.eval(attributes["sid"].expr, file)
    effect = attributes.get("effect")
    statement["Effect"] = ev.eval(effect.expr, file) if effect else Node("Allow", file, block.line)
    for tf_name, json_name in (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"), ("not_resources", "NotResource")):
        if tf_name in attributes:
            statement[json_name] = ev.eval(attributes[tf_name].expr, file)
    for tf_name, json_name in (("principals", "Principal"), ("not_principals", "NotPrincipal"), ("condition", "Condition")):
        expanded = expanded_blocks(ev, block.body, tf_name, file)
        if expanded is None:
            first = next(b for b in block.body.blocks if b.type == "dynamic" and b.labels[:1] == [tf_name])
            statement[json_name] = Node(Unknown(f'dynamic "{tf_name}" block'), file, first.line, first.end_line)
        elif expanded:
            convert = _conditions if tf_name == "condition" else _principals
            statement[json_name] = convert(ev, expanded, file)
    return Node(statement, file, block.line, block.end_line)


def _principals(ev: Evaluator, expanded: list[tuple[hcl.Block, dict[str, Node]]], file: str) -> Node:
    where = _span(expanded, file)
    principals: dict[str, Node] = {}
    for block, bindings in expanded:
        with ev.bound(bindings):
            kind = _block_attr(ev, block, "type", file)
            identifiers = _block_attr(ev, block, "identifiers", file)
        if not isinstance(kind.value, str) or not identifiers.known:
            return Node(Unknown("principals"), *where)
        if kind.value == "*":  # rendered as "Principal": "*"
            return Node("*", file, block.line, block.end_line if block.end_line > block.line else None)
        previous = principals.get(kind.value)
        if previous is None:
            principals[kind.value] = identifiers
        else:  # several blocks of one type: their identifiers are merged
            principals[kind.value] = Node(previous.items() + identifiers.items(), previous.file, previous.line, previous.end_line)
    return Node(principals, *where)


def _conditions(ev: Evaluator, expanded: list[tuple[hcl.Block, dict[str, Node]]], file: str) -> Node:
    where = _span(expanded, file)
    conditions: dict[str, Node] = {}
    for block, bindings in expanded:
        with ev.bound(bindings):
            test = _block_attr(ev, block, "test", file)
            variable = _block_attr(ev, block, "variable", file)
            values = _block_attr(ev, block, "values", file)
        if not isinstance(test.value, str) or not isinstance(variable.value, str):
            return Node(Unknown("condition"), *where)
        operator = conditions.setdefault(test.value, Node({}, file, block.line, block.end_line if block.end_line > block.line else None))
        operator.value[variable.value] = values
    return Node(conditions, *where)


def _span(expanded: list[tuple[hcl.Block, dict[str, Node]]], file: str) -> tuple[str, int, int | None]:
    """File, first line and last line (None: one line) of the blocks a statement field came from."""
    first, last = expanded[0][0], expanded[-1][0]
    return file, first.line, last.end_line if last.end_line > first.line else None


def _block_attr(ev: Evaluator, block: hcl.Block, name: str, file: str) -> Node:
    attribute = block.body.attributes.get(name)
    if attribute is None:
        return Node(None, file, block.line)
    return ev.eval(attribute.expr, file)
