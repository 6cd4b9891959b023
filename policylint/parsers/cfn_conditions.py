"""CloudFormation ``Conditions``, parameter values and ``Fn::If``.

A condition is decided when every value it compares is known: a parameter's value given on the
command line (``--parameter KEY=VALUE``) or by a parent stack, else its ``Default``, and pseudo
parameters only where the user gave them (``AWS::Region`` also fixes ``AWS::Partition`` and
``AWS::URLSuffix``).  A decided ``Fn::If`` is its branch; an undecided one is the value both
branches agree on, with :class:`Unknown` wherever they differ, so that what holds in every branch
is still checked and nothing else is.
"""

from __future__ import annotations


from policylint.model import Node, Ref, Unknown
from policylint.records import record

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Any, Callable

# Pseudo parameters whose value depends on where the stack is deployed: known only when given.
PSEUDO_PARAMETERS = ("AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::URLSuffix", "AWS::StackName", "AWS::StackId", "AWS::NotificationARNs")
_PARTITIONS = (("cn-", "aws-cn", "amazonaws.com.cn"), ("us-gov-", "aws-us-gov", "amazonaws.com"), ("us-iso-", "aws-iso", "c2s.ic.gov"), ("us-isob-", "aws-iso-b", "sc2s.sgov.gov"))


def pseudo_values(given: dict[str, str]) -> dict[str, str]:
    """The pseudo parameters fixed by the user's values (``AWS::Region`` fixes the partition and
    the URL suffix, unless given too)."""
    out = {name: value for name, value in given.items() if name in PSEUDO_PARAMETERS}
    region = out.get("AWS::Region")
    if region:
        partition, suffix = "aws", "amazonaws.com"
        # Longest prefix last, so that it wins (us-isob- also starts with us-iso-).
        for prefix, name, url in sorted(_PARTITIONS, key=lambda p: len(p[0])):
            if region.startswith(prefix):
                partition, suffix = name, url
        out.setdefault("AWS::Partition", partition)
        out.setdefault("AWS::URLSuffix", suffix)
    return out


def is_list_type(declaration: Node | None) -> bool:
    """``CommaDelimitedList`` and ``List<...>`` parameters: a text value is split at commas."""
    kind = declaration.get("Type") if declaration is not None else None
    text = kind.value if kind is not None and isinstance(kind.value, str) else ""
    return text == "CommaDelimitedList" or text.startswith("List<") or text.startswith("AWS::SSM::Parameter::Value<List<")


def parameter_value(value: Any, declaration: Node | None, at: Node, origin: str | None = None) -> Node:
    """A parameter's value (a text, or a Node passed by a parent stack) as a Node at ``at``,
    where the template reads it."""
    if isinstance(value, Node):
        origin = origin or value.origin  # a parent stack passes its own parameter's default
        if isinstance(value.value, str) and is_list_type(declaration):
            return Node([Node(part.strip(), at.file, at.line, at.end_line) for part in value.value.split(",")], at.file, at.line, at.end_line, origin=origin)
        return Node(value.value, at.file, at.line, at.end_line, origin=origin)
    if is_list_type(declaration):
        return Node([Node(part.strip(), at.file, at.line, at.end_line, origin=origin) for part in str(value).split(",")], at.file, at.line, at.end_line, origin=origin)
    return Node(value, at.file, at.line, at.end_line, origin=origin)


@record(frozen=True)
class Decision:
    """A condition's truth (None: unknown) and, when defaults decided it, which."""

    truth: bool | None
    origin: str | None = None


UNKNOWN = Decision(None)


class Conditions:
    """The ``Conditions`` section of one template, each evaluated at most once."""

    def __init__(self, section: Node | None):
        self.section = section.value if section is not None and isinstance(section.value, dict) else {}
        self.decided: dict[str, Decision] = {}
        self._evaluating: set[str] = set()

    def decide(self, name: Any, resolve: Callable[[Node], Any]) -> Decision:
        """The named condition; unknown when undeclared, circular or comparing unknown values.
        ``resolve``: the template's intrinsic evaluator, for ``Fn::Equals``.  (Given at each call,
        not kept: a template holding its conditions holding its bound method would be a reference
        cycle, which only the garbage collector frees, and collecting a scan's young objects took
        a sixth of a CloudFormation scan.)"""
        if not isinstance(name, str) or name not in self.section:
            return UNKNOWN
        if name in self.decided:
            return self.decided[name]
        if name in self._evaluating:
            return UNKNOWN  # circular: CloudFormation rejects the template
        self._evaluating.add(name)
        try:
            decision = self._evaluate(self.section[name], resolve)
        finally:
            self._evaluating.discard(name)
        self.decided[name] = decision
        return decision

    def _evaluate(self, node: Node, resolve: Callable[[Node], Any]) -> Decision:
        value = node.value
        if not isinstance(value, dict) or len(value) != 1:
            return UNKNOWN
        (key, arg), = value.items()
        items = arg.value if isinstance(arg.value, list) else None
        if key == "Condition":
            return self.decide(arg.value, resolve)
        if key == "Fn::Equals":
            return self._equals(items, resolve)
        if key == "Fn::Not":
            if not items or len(items) != 1:
                return UNKNOWN
            inner = self._evaluate(items[0], resolve)
            return Decision(None if inner.truth is None else not inner.truth, inner.origin)
        if key in ("Fn::And", "Fn::Or") and items:
            decisive = key == "Fn::Or"  # the value that decides alone: true for Or, false for And
            decisions = [self._evaluate(item, resolve) for item in items]
            for decision in decisions:
                if decision.truth is decisive:
                    return decision
            if any(decision.truth is None for decision in decisions):
                return UNKNOWN
            return Decision(not decisive, _joined(d.origin for d in decisions))
        return UNKNOWN

    def _equals(self, items: list[Node] | None, resolve: Callable[[Node], Any]) -> Decision:
        if not items or len(items) != 2:
            return UNKNOWN
        left, right = (_comparable(resolve(item)) for item in items)
        if left is None or right is None:
            return UNKNOWN
        return Decision(left[0] == right[0], _joined((left[1], right[1])))


def _joined(origins) -> str | None:
    seen = []
    for origin in origins:
        if origin and origin not in seen:
            seen.append(origin)
    return ", ".join(seen) or None


def _comparable(node: Any) -> tuple[Any, str | None] | None:
    """A resolved operand as CloudFormation compares it (as text), with its origin; None when
    unknown."""
    if not isinstance(node, Node):
        return None
    value = node.value
    if isinstance(value, bool):
        return ("true" if value else "false"), node.origin
    if isinstance(value, (str, int, float)):
        return str(value), node.origin
    if isinstance(value, list):
        parts = [_comparable(item) for item in value]
        if any(part is None for part in parts):
            return None
        return tuple(part[0] for part in parts), _joined([node.origin] + [part[1] for part in parts])
    return None


def chosen(branch: Any, condition: str, decision: Decision) -> Any:
    """The branch an ``Fn::If`` takes, marked with the defaults that decided it."""
    if decision.origin is None or not isinstance(branch, Node) or branch.origin is not None:
        return branch
    return branch.with_origin(f"{decision.origin}, through condition `{condition}`")



def agreed(first: Any, second: Any, at: Node, absent: object) -> Any:
    """What two branches of an undecided ``Fn::If`` agree on: equal values as they are, mappings
    and lists of the same shape item by item, and :class:`Unknown` wherever they differ (a
    property present in one branch only included).  ``absent`` is the parser's marker of
    ``AWS::NoValue``."""
    if first is absent and second is absent:
        return absent
    if not isinstance(first, Node) or not isinstance(second, Node):
        return _unknown(first if isinstance(first, Node) else at)
    a, b = first.value, second.value
    if isinstance(a, dict) and isinstance(b, dict):
        merged = {}
        for key, child in a.items():
            merged[key] = agreed(child, b[key], child, absent) if key in b else _unknown(child)
        for key, child in b.items():
            if key not in a:
                merged[key] = _unknown(child)
        return Node({k: v for k, v in merged.items() if v is not absent}, first.file, first.line, first.end_line, first.text_line)
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        items = [agreed(x, y, x, absent) for x, y in zip(a, b)]
        return Node([i for i in items if i is not absent], first.file, first.line, first.end_line, first.text_line)
    if isinstance(a, Ref) and isinstance(b, Ref) and (a.uid, a.attr) == (b.uid, b.attr):
        return first
    if isinstance(a, (Unknown, Ref, dict, list)) or isinstance(b, (Unknown, Ref, dict, list)):
        return _unknown(first)
    if type(a) is type(b) and a == b:
        return first
    return _unknown(first)


def _unknown(node: Node) -> Node:
    return Node(Unknown("Fn::If"), node.file, node.line, node.end_line, node.text_line)
