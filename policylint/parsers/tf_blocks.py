"""Terraform blocks -> values: a resource's body, and ``data "aws_iam_policy_document"``.

* a resource's body becomes a dict of Nodes, the shape of plan JSON ``values``: nested blocks
  are lists of dict Nodes, meta-arguments (``count``, ``lifecycle``, ...) are left out, and a
  ``dynamic`` block is one Unknown Node (present, contents unknown);
* an ``aws_iam_policy_document`` data block becomes the equivalent policy JSON tree, located at
  the block's lines, or an Unknown when it merges other documents or generates statements;
* a resource written with ``count = 0`` or ``for_each = {}`` declares nothing.

Expressions inside the blocks are evaluated by :class:`~policylint.parsers.tf_eval.Evaluator`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from policylint.model import Node, Provisioner, Unknown
from policylint.parsers import hcl_tree as hcl

if TYPE_CHECKING:
    from policylint.parsers.tf_eval import Evaluator

_META_ARGUMENTS = frozenset({"count", "for_each", "depends_on", "provider"})
_META_BLOCKS = frozenset({"lifecycle", "provisioner", "connection"})
_POLICY_INPUTS = ("source_json", "override_json", "source_policy_documents", "override_policy_documents")


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


def resource_values(ev: Evaluator, address: str) -> Node:
    """A resource's arguments and blocks, located at the resource."""
    block, file = ev.module.resources[address]
    return Node(_body_values(ev, block.body, file, address), file, block.line, block.end_line)


def _body_values(ev: Evaluator, body: hcl.Body, file: str, address: str | None = None) -> dict[str, Node]:
    """Attributes and nested blocks of a body, blocks as lists of dict Nodes."""
    values: dict[str, Node] = {}
    for name, attribute in body.attributes.items():
        if address is not None:
            if name in _META_ARGUMENTS:
                continue
            values[name] = ev.resource_attr(address, name)  # type: ignore[assignment]
        else:
            values[name] = ev.eval(attribute.expr, file)
    groups: dict[str, list[hcl.Block]] = {}
    dynamic: dict[str, hcl.Block] = {}
    for block in body.blocks:
        if address is not None and block.type in _META_BLOCKS:
            continue
        if block.type == "dynamic" and block.labels:
            dynamic.setdefault(block.labels[0], block)
        else:
            groups.setdefault(block.type, []).append(block)
    for name, blocks in groups.items():
        if name in values:  # an attribute and blocks of one name: invalid, keep the attribute
            continue
        items = [Node(_body_values(ev, b.body, file), file, b.line, b.end_line) for b in blocks]
        values[name] = Node(items, file, blocks[0].line, blocks[-1].end_line)
    for name, block in dynamic.items():
        # Generated blocks: present, contents unknown.  Static blocks of the same name are
        # only part of the truth, so they are not kept either.
        values[name] = Node(Unknown(f'dynamic "{name}" block'), file, block.line, block.end_line)
    return values


def provisioners(ev: Evaluator, address: str) -> list[Provisioner]:
    """The resource's ``provisioner`` blocks with their arguments evaluated."""
    block, file = ev.module.resources[address]
    return [
        Provisioner(b.labels[0], Node(_body_values(ev, b.body, file), file, b.line, b.end_line))
        for b in block.body.blocks
        if b.type == "provisioner" and b.labels
    ]


def policy_document(ev: Evaluator, address: str) -> Node:
    """``data.aws_iam_policy_document.<address>.json`` as the policy's JSON tree."""
    block, file = ev.module.data[address]
    body = block.body
    merged_inputs = [name for name in _POLICY_INPUTS if name in body.attributes]
    if merged_inputs or any(b.type == "dynamic" for b in body.blocks):
        # Merged with other documents or generated statements: not reproduced.
        return Node(Unknown(f"data.{address}.json"), file, block.line, block.end_line)
    document: dict[str, Node] = {}
    version = body.attributes.get("version")
    document["Version"] = ev.eval(version.expr, file) if version else Node("2012-10-17", file, block.line)
    policy_id = body.attributes.get("policy_id")
    if policy_id is not None:
        document["Id"] = ev.eval(policy_id.expr, file)
    statements = [_statement(ev, b, file) for b in body.blocks if b.type == "statement"]
    first = next((b for b in body.blocks if b.type == "statement"), block)
    document["Statement"] = Node(statements, file, first.line, block.end_line if statements else None)
    return Node(document, file, block.line, block.end_line)


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
    dynamic = {b.labels[0] for b in block.body.blocks if b.type == "dynamic" and b.labels}
    for tf_name, json_name in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        blocks = [b for b in block.body.blocks if b.type == tf_name]
        if tf_name in dynamic:
            first = next(b for b in block.body.blocks if b.type == "dynamic" and b.labels[:1] == [tf_name])
            statement[json_name] = Node(Unknown(f'dynamic "{tf_name}" block'), file, first.line, first.end_line)
        elif blocks:
            statement[json_name] = _principals(ev, blocks, file)
    conditions = [b for b in block.body.blocks if b.type == "condition"]
    if "condition" in dynamic:
        first = next(b for b in block.body.blocks if b.type == "dynamic" and b.labels[:1] == ["condition"])
        statement["Condition"] = Node(Unknown('dynamic "condition" block'), file, first.line, first.end_line)
    elif conditions:
        statement["Condition"] = _conditions(ev, conditions, file)
    return Node(statement, file, block.line, block.end_line)


def _principals(ev: Evaluator, blocks: list[hcl.Block], file: str) -> Node:
    where = (file, blocks[0].line, blocks[-1].end_line if blocks[-1].end_line > blocks[0].line else None)
    principals: dict[str, Node] = {}
    for block in blocks:
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


def _conditions(ev: Evaluator, blocks: list[hcl.Block], file: str) -> Node:
    where = (file, blocks[0].line, blocks[-1].end_line if blocks[-1].end_line > blocks[0].line else None)
    conditions: dict[str, Node] = {}
    for block in blocks:
        test = _block_attr(ev, block, "test", file)
        variable = _block_attr(ev, block, "variable", file)
        values = _block_attr(ev, block, "values", file)
        if not isinstance(test.value, str) or not isinstance(variable.value, str):
            return Node(Unknown("condition"), *where)
        operator = conditions.setdefault(test.value, Node({}, file, block.line, block.end_line if block.end_line > block.line else None))
        operator.value[variable.value] = values
    return Node(conditions, *where)


def _block_attr(ev: Evaluator, block: hcl.Block, name: str, file: str) -> Node:
    attribute = block.body.attributes.get(name)
    if attribute is None:
        return Node(None, file, block.line)
    return ev.eval(attribute.expr, file)
