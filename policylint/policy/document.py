"""A policy document normalised once into statements that keep their lines.

Every shape the policy language allows is folded into one: a single statement object becomes a
one-item list, scalars become one-item lists, ``Principal: "*"`` stays distinct from
``{"AWS": "*"}`` (``star``), condition blocks become a flat list of (operator, key, values).
Numbers and booleans (YAML writes them unquoted) become the strings IAM compares them as.

A value that cannot be read statically (a variable, ``Fn::If``, a data source) is kept as the
:class:`~policylint.model.Unknown` or :class:`~policylint.model.Ref` it is; an element whose
shape cannot be read at all is marked ``unknown``.  Nothing here decides anything: the evaluator
and the grammar read these objects, and turn unknowns into "unknown" answers.
"""

from __future__ import annotations

import weakref

from policylint.model import Node, PolicyDocument, Ref, Unknown
from policylint.records import record, field

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Union
    Raw = Union[str, Unknown, Ref]


PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")


@record(frozen=True, eq=False)
class Value:
    """One located scalar: a string as IAM reads it, or an Unknown/Ref."""

    raw: Raw
    node: Node

    @property
    def known(self) -> bool:
        return isinstance(self.raw, str)

    @property
    def text(self) -> str | None:
        return self.raw if isinstance(self.raw, str) else None

    def __str__(self) -> str:
        if isinstance(self.raw, str):
            return self.raw
        return str(self.raw.text) if self.raw.text else "<unknown>"


@record(eq=False)
class Element:
    """A list-valued element: Action, Resource, one principal type's identifiers, condition values.
    ``unknown`` means the list itself is computed (its length is unknown); ``values`` then holds a
    single unknown value standing for it."""

    name: str
    node: Node
    values: list[Value]
    unknown: bool = False

    @property
    def texts(self) -> list[str]:
        return [v.raw for v in self.values if isinstance(v.raw, str)]


@record(eq=False)
class PrincipalElement:
    """``Principal`` or ``NotPrincipal``: ``star`` for the bare string ``"*"``, else one Element per
    principal type (``AWS``, ``Service``, ``Federated``, ``CanonicalUser``, or whatever was written)."""

    name: str
    node: Node
    star: bool = False
    by_type: dict[str, Element] = field(default_factory=dict)
    unknown: bool = False
    invalid: bool = False  # a string other than "*", a list...: IAM rejects it


@record(eq=False)
class Condition:
    operator: str
    key: str
    values: list[Value]
    node: Node  # the key's value (its line is the key's line)
    operator_node: Node
    unknown: bool = False


@record(eq=False)
class Statement:
    index: int  # 0-based position in the Statement list
    node: Node
    sid: Value | None = None
    effect: Value | None = None
    principal: PrincipalElement | None = None
    not_principal: PrincipalElement | None = None
    action: Element | None = None
    not_action: Element | None = None
    resource: Element | None = None
    not_resource: Element | None = None
    conditions: list[Condition] = field(default_factory=list)
    condition_node: Node | None = None
    conditions_unknown: bool = False  # a Condition block (or part of it) is computed
    unknown: bool = False  # the statement itself is computed or not an object
    of: str | None = None  # the document's label when its owner has several ("trust policy")

    @property
    def label(self) -> str:
        """How messages name the statement: its Sid, else its 1-based position, and which of
        its owner's documents it belongs to."""
        if self.sid is not None and self.sid.text:
            name = f"statement `{self.sid.text}`"
        else:
            name = f"statement {self.index + 1}"
        return f"{name} of the {self.of}" if self.of else name

    @property
    def effect_text(self) -> str | None:
        return self.effect.text if self.effect is not None else None

    @property
    def principals(self) -> PrincipalElement | None:
        return self.principal or self.not_principal

    @property
    def actions(self) -> Element | None:
        return self.action or self.not_action

    @property
    def resources(self) -> Element | None:
        return self.resource or self.not_resource


@record(eq=False)
class Policy:
    body: Node
    kind: str  # resource | identity | trust | service-control
    version: Value | None
    statements: list[Statement]
    statement_node: Node | None
    unknown: bool = False  # the body or its Statement list is computed: statements may be missing
    document: PolicyDocument | None = None

    @property
    def file(self) -> str:
        return self.body.file


_CACHE: "weakref.WeakKeyDictionary[PolicyDocument, Policy]" = weakref.WeakKeyDictionary()


def policy_of(document: PolicyDocument) -> Policy:
    """The normalised form of a document, computed once per document."""
    policy = _CACHE.get(document)
    if policy is None:
        policy = from_body(document.body, document.kind)
        policy.document = document
        for statement in policy.statements:
            statement.of = document.label
        _CACHE[document] = policy
    return policy


def from_body(body: Node, kind: str = "resource") -> Policy:
    value = body.value
    if not isinstance(value, dict):
        return Policy(body, kind, None, [], None, unknown=True)
    version = _scalar(value.get("Version"))
    statement_node = value.get("Statement")
    statements: list[Statement] = []
    unknown = False
    if statement_node is not None:
        if not statement_node.known or is_intrinsic(statement_node.value):
            unknown = True
        else:
            items = statement_node.value if isinstance(statement_node.value, list) else [statement_node]
            statements = [_statement(index, item) for index, item in enumerate(items)]
    return Policy(body, kind, version, statements, statement_node, unknown=unknown)


def _statement(index: int, node: Node) -> Statement:
    if not isinstance(node.value, dict) or is_intrinsic(node.value):
        return Statement(index, node, unknown=True)
    get = node.value.get
    statement = Statement(
        index,
        node,
        sid=_scalar(get("Sid")),
        effect=_scalar(get("Effect")),
        principal=_principal("Principal", get("Principal")),
        not_principal=_principal("NotPrincipal", get("NotPrincipal")),
        action=_element("Action", get("Action")),
        not_action=_element("NotAction", get("NotAction")),
        resource=_element("Resource", get("Resource")),
        not_resource=_element("NotResource", get("NotResource")),
    )
    condition = get("Condition")
    if condition is not None:
        statement.condition_node = condition
        statement.conditions, statement.conditions_unknown = _conditions(condition)
    return statement


def is_intrinsic(value: object) -> bool:
    """A CloudFormation intrinsic left in a document (a raw policy file that is really a template
    fragment): ``{"Ref": ...}`` or ``{"Fn::Sub": ...}``.  No policy element has that shape."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    (key,) = value
    return key == "Ref" or key.startswith("Fn::")


def as_raw(node: Node) -> Raw | None:
    """The scalar as IAM reads it; None for containers and null."""
    value = node.value
    if isinstance(value, (Unknown, Ref)):
        return value
    if is_intrinsic(value):
        return Unknown("<CloudFormation intrinsic>")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def _scalar(node: Node | None) -> Value | None:
    if node is None:
        return None
    raw = as_raw(node)
    if raw is None:
        raw = Unknown("<not a string>")
    return Value(raw, node)


def _element(name: str, node: Node | None) -> Element | None:
    if node is None:
        return None
    value = node.value
    if isinstance(value, Unknown) or is_intrinsic(value):
        unknown = value if isinstance(value, Unknown) else Unknown("<CloudFormation intrinsic>")
        return Element(name, node, [Value(unknown, node)], unknown=True)
    if isinstance(value, list):
        values = []
        unknown = False
        for item in value:
            raw = as_raw(item)
            if raw is None:  # an object or a list where a string belongs
                raw, unknown = Unknown("<not a string>"), True
            values.append(Value(raw, item))
        return Element(name, node, values, unknown=unknown)
    if value is None:
        return Element(name, node, [])
    raw = as_raw(node)
    if raw is None:
        return Element(name, node, [Value(Unknown("<not a string>"), node)], unknown=True)
    return Element(name, node, [Value(raw, node)])


def _principal(name: str, node: Node | None) -> PrincipalElement | None:
    if node is None:
        return None
    value = node.value
    if isinstance(value, (Unknown, Ref)) or is_intrinsic(value):
        return PrincipalElement(name, node, unknown=True)
    if value == "*":
        return PrincipalElement(name, node, star=True)
    if isinstance(value, dict):
        return PrincipalElement(name, node, by_type={key: _element(key, child) for key, child in value.items()})
    return PrincipalElement(name, node, unknown=True, invalid=True)


def _conditions(node: Node) -> tuple[list[Condition], bool]:
    if not isinstance(node.value, dict):
        return [], True
    out: list[Condition] = []
    unknown = False
    if is_intrinsic(node.value):
        return [], True
    for operator, block in node.value.items():
        if not isinstance(block.value, dict) or is_intrinsic(block.value):
            unknown = True
            continue
        for key, values in block.value.items():
            element = _element(key, values)
            assert element is not None
            out.append(Condition(operator, key, element.values, values, block, unknown=element.unknown))
    return out, unknown


def named(message: str, document: PolicyDocument) -> str:
    """A message about a document that names which of its owner's documents it is (its
    ``label``), capitalised: "Trust policy has no `Version`" rather than "Policy has no ..."."""
    label = document.label
    if label and label not in message:
        if message.startswith("policy "):
            message = label + message[len("policy"):]
        else:
            message = f"{message} (in the {label})"
    return message[:1].upper() + message[1:]
