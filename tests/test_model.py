"""The common model's Node: what every rule walks."""

from __future__ import annotations

from policylint.model import Node


def _node(value, line=1):
    return Node(value, "t.yaml", line)


def test_walk_is_parents_first_in_document_order():
    leaf_a, leaf_b, leaf_c = _node("a", 3), _node("b", 4), _node("c", 6)
    inner = _node([leaf_a, leaf_b], 2)
    root = _node({"x": inner, "y": _node({"z": leaf_c}, 5)})
    assert [n.line for n in root.walk()] == [1, 2, 3, 4, 5, 6]
    assert [n.value for n in root.walk() if isinstance(n.value, str)] == ["a", "b", "c"]


def test_walk_reaches_any_depth():
    # A document nested far deeper than Python's recursion limit is still walked whole.
    node = _node("bottom")
    for _ in range(5000):
        node = _node([node])
    walked = list(node.walk())
    assert len(walked) == 5001 and walked[-1].value == "bottom"
