"""Evaluate a request against policy documents the way IAM does, with "unknown" as an answer.

AWS's rules (IAM User Guide, "Policy evaluation logic"; the per-element pages): an explicit
``Deny`` wins over every ``Allow``; without a matching ``Allow`` the request is implicitly denied.
Actions match case-insensitively, resources case-sensitively, both with ``*`` and ``?``
wildcards; ``NotAction``/``NotResource``/``NotPrincipal`` match everything except what they list.
Condition operators, ``...IfExists`` and the ``ForAllValues:``/``ForAnyValue:`` set forms follow
"IAM JSON policy elements: Condition operators", including AWS's treatment of a key missing from
the request (a positive operator is false, a negated one true, ``IfExists`` and ``ForAllValues:``
true, ``ForAnyValue:`` false).

Unknowns never become conclusions: a policy variable (``${aws:username}``), a value the IaC parser
could not resolve, a computed element, all make the parts of the answer that depend on them
*unknown* (``None`` in the three-valued logic used here).

Two kinds of request are supported:

* a **concrete** request (an action, a resource ARN, a caller, a context) gets a :class:`Decision`
  from :func:`evaluate`;
* a **universal** request stands for a set of requests: the resource or action may contain
  :data:`ANY` ("any string here"), the caller may be :data:`EVERYONE`, and condition keys may be
  :data:`FREE` ("any value or absent, as the caller likes").  :func:`denies` then answers "is
  *every* request of the set explicitly denied?"; this is how rules ask "is PutObject without
  encryption denied to everyone?".  A statement counts when it alone covers the whole set (a set
  covered only by several partial denies is reported as not covered).

Strings may carry three private-use characters that stand for unknown pieces: :data:`ANY` (in a
request: universally any string), :data:`NAME` (the one unknown name of the bucket under test,
the same in the request and in the policy), :data:`VAR` (in a policy value: some unknown string).
"""

from __future__ import annotations

import enum
import re
from datetime import datetime, timezone
from functools import lru_cache

from policylint.model import Ref, Unknown
from policylint.patterns import lazy
from policylint.policy.document import Condition, Element, Policy, PrincipalElement, Statement
from policylint.policy.wildcard import STAR, Wildcard, compile_pieces
from policylint.records import record, field

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Callable, Iterable, Mapping, Optional, Sequence, Union

    from policylint.policy.document import Raw
    Tri = Optional[bool]
    Resolver = Callable[[Ref], Optional[str]]

ANY = "\ue000"
NAME = "\ue001"
VAR = "\ue002"
_LIT_STAR = "\ue003"  # ${*}: a literal asterisk
_LIT_QUESTION = "\ue004"  # ${?}
_HOLES = ANY + NAME + VAR
_STARLIKE = ("*", VAR, NAME)



class Decision(enum.Enum):
    EXPLICIT_DENY = "explicit deny"
    ALLOW = "allow"
    IMPLICIT_DENY = "implicit deny"
    UNKNOWN = "unknown"


class Match(enum.Enum):
    """How a pattern relates to a (possibly universal) string: matches every string it stands
    for, none of them, some of them, or it depends on something unknown."""

    ALL = "all"
    NONE = "none"
    SOME = "some"
    UNKNOWN = "unknown"

    @property
    def tri(self) -> Tri:
        return True if self is Match.ALL else None if self is Match.UNKNOWN else False

    def negate(self) -> Match:
        return {Match.ALL: Match.NONE, Match.NONE: Match.ALL}.get(self, self)


class _Sentinel:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


ABSENT = _Sentinel("ABSENT")  # the key is not in the request
FREE = _Sentinel("FREE")  # any value, or absent: the request set contains them all
EVERYONE = _Sentinel("EVERYONE")  # every caller, including anonymous ones
ANONYMOUS = _Sentinel("ANONYMOUS")  # an unsigned request


@record(frozen=True)
class Caller:
    """A signed caller: ``type`` is a principal type (AWS, Service, Federated, CanonicalUser) and
    ``id`` an ARN, account id, service name or provider."""

    type: str
    id: str


if TYPE_CHECKING:
    ContextValue = Union[str, int, float, bool, Sequence, Unknown, _Sentinel]


@record
class Request:
    action: str
    resource: str | None = None  # None: the statement's resources are not looked at (trust policies)
    caller: Union[Caller, _Sentinel, None] = None  # None: identity policies (no Principal)
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    unlisted: Union[_Sentinel, Unknown] = ABSENT  # what keys missing from ``context`` are

    def __post_init__(self) -> None:
        self._context = {key.lower(): value for key, value in self.context.items()}

    def lookup(self, key: str) -> ContextValue:
        return self._context.get(key.lower(), self.unlisted)




def no_refs(ref: Ref) -> str | None:
    """The default resolver: every reference is unknown."""
    return None


@record
class Evaluation:
    denied: Tri  # some Deny statement applies
    allowed: Tri  # some Allow statement applies

    @property
    def decision(self) -> Decision:
        if self.denied is True:
            return Decision.EXPLICIT_DENY
        if self.denied is None:
            return Decision.UNKNOWN
        if self.allowed is True:
            return Decision.ALLOW
        if self.allowed is False:
            return Decision.IMPLICIT_DENY
        return Decision.UNKNOWN


# --------------------------------------------------------------------------- entry points


def evaluate(policies: Policy | Iterable[Policy], request: Request, resolve: Resolver = no_refs) -> Decision:
    """The decision for a request against one document, or several applying together."""
    return evaluation(policies, request, resolve).decision


def evaluation(policies: Policy | Iterable[Policy], request: Request, resolve: Resolver = no_refs) -> Evaluation:
    denied: Tri = False
    allowed: Tri = False
    for policy in [policies] if isinstance(policies, Policy) else policies:
        if policy.unknown:
            denied = _or(denied, None)
            allowed = _or(allowed, None)
        for statement in policy.statements:
            effect = statement.effect_text
            if effect == "Deny" and denied is True or effect == "Allow" and allowed is True:
                continue
            applies = statement_applies(statement, request, resolve)
            if effect == "Deny":
                denied = _or(denied, applies)
            elif effect == "Allow":
                allowed = _or(allowed, applies)
            elif applies is not False:  # an effect we cannot read could be either
                denied, allowed = _or(denied, None), _or(allowed, None)
    return Evaluation(denied, allowed)


def denies(policies: Policy | Iterable[Policy], request: Request, resolve: Resolver = no_refs) -> Tri:
    """Is every request the (possibly universal) request stands for explicitly denied?"""
    return evaluation(policies, request, resolve).denied


def statement_applies(statement: Statement, request: Request, resolve: Resolver = no_refs) -> Tri:
    """Does the statement apply to the request (to every request of a universal one)?"""
    if statement.unknown:
        return None
    result: Tri = action_match(statement, request.action, resolve).tri
    if result is False:
        return False
    if request.resource is not None:
        result = _and(result, resource_match(statement, request.resource, resolve).tri)
        if result is False:
            return False
    result = _and(result, principal_match(statement, request.caller).tri)
    if result is False:
        return False
    return _and(result, conditions_hold(statement, request, resolve))


# --------------------------------------------------------------------------- elements


def action_match(statement: Statement, action: str, resolve: Resolver = no_refs) -> Match:
    if statement.action is not None and statement.not_action is None:
        return element_match(statement.action, action, resolve, ignore_case=True)
    if statement.not_action is not None and statement.action is None:
        return element_match(statement.not_action, action, resolve, ignore_case=True).negate()
    return Match.UNKNOWN  # missing or both: IAM rejects the policy; nothing to conclude


def resource_match(statement: Statement, resource: str, resolve: Resolver = no_refs) -> Match:
    if statement.resource is not None and statement.not_resource is None:
        return element_match(statement.resource, resource, resolve)
    if statement.not_resource is not None and statement.resource is None:
        return element_match(statement.not_resource, resource, resolve).negate()
    return Match.UNKNOWN


def element_match(element: Element, subject: str, resolve: Resolver = no_refs, ignore_case: bool = False) -> Match:
    return any_of(match(to_pattern(value.raw, resolve), subject, ignore_case) for value in element.values)


def any_of(results: Iterable[Match]) -> Match:
    """Several patterns in one element: the request matches when any of them does."""
    seen = set()
    for result in results:
        if result is Match.ALL:
            return Match.ALL
        seen.add(result)
    if not seen or seen == {Match.NONE}:
        return Match.NONE
    return Match.UNKNOWN if Match.UNKNOWN in seen else Match.SOME


def principal_match(statement: Statement, caller: Union[Caller, _Sentinel, None]) -> Match:
    element = statement.principal or statement.not_principal
    if element is None or caller is None:
        return Match.ALL  # identity policies: the caller is whoever holds the policy
    if statement.principal is not None and statement.not_principal is not None:
        return Match.UNKNOWN
    result = _principal_element_match(element, caller)
    return result.negate() if element is statement.not_principal else result


def _principal_element_match(element: PrincipalElement, caller: Union[Caller, _Sentinel]) -> Match:
    if element.unknown:
        return Match.UNKNOWN
    if element.star:
        return Match.ALL
    results = []
    for kind, values in element.by_type.items():
        for value in values.values:
            text = value.text
            if text is None or "${" in text:
                results.append(Match.UNKNOWN)
            elif kind == "AWS" and text == "*":
                results.append(Match.ALL)  # {"AWS": "*"} is everyone, anonymous callers included
            elif caller is EVERYONE:
                results.append(Match.SOME)
            elif caller is ANONYMOUS:
                results.append(Match.NONE)
            elif isinstance(caller, Caller):
                results.append(Match.ALL if kind == caller.type and _principal_is(text, caller) else Match.NONE)
    return any_of(results)


_ACCOUNT = lazy(r"^(?:(\d{12})|arn:aws[\w-]*:iam::(\d{12}):root)$")
_ARN_ACCOUNT = lazy(r"^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):")


def _principal_is(value: str, caller: Caller) -> bool:
    if value == "*" or value == caller.id:
        return True
    if caller.type == "Service":
        return value.lower() == caller.id.lower()
    account = _ACCOUNT.match(value)
    if account:  # an account principal stands for every principal of the account
        wanted = account.group(1) or account.group(2)
        found = _ARN_ACCOUNT.match(caller.id)
        return caller.id == wanted or bool(found and found.group(1) == wanted)
    return False


# --------------------------------------------------------------------------- patterns


def to_pattern(raw: Raw, resolve: Resolver = no_refs) -> str:
    """A policy value as a pattern: policy variables and unresolved IaC values become VAR,
    ``${*}``/``${?}``/``${$}`` the literal characters, references what ``resolve`` says."""
    if isinstance(raw, str):
        return _variables(raw)
    if isinstance(raw, Ref):
        text = resolve(raw)
        return VAR if text is None else text
    if isinstance(raw, Unknown) and raw.text and "${" in raw.text:
        by_text = {}
        for ref in raw.refs:
            by_text[ref.text if ref.text.startswith("${") else "${" + ref.text + "}"] = ref
        # Unresolved expressions a resolver knows the meaning of (the unknown name of the bucket
        # a policy is attached to: `${var.bucket}` reads as NAME), see targets.placeholder_of.
        known = getattr(resolve, "placeholders", None) or {}

        def substitute(found: re.Match) -> str:
            ref = by_text.get(found.group(0))
            if ref is not None:
                text = resolve(ref)
                return VAR if text is None else text
            if found.group(0) in known:
                return known[found.group(0)]
            return _variable(found)

        return _PLACEHOLDER.sub(substitute, raw.text)
    return VAR


_PLACEHOLDER = lazy(r"\$\{([^}]*)\}")


def _variable(found: re.Match) -> str:
    inner = found.group(1)
    # ${AWS::Partition} (CloudFormation) is the partition of the stack, so of the resources it
    # names: read it as the partition requests are written with.
    return {"*": _LIT_STAR, "?": _LIT_QUESTION, "$": "$", "AWS::Partition": "aws"}.get(inner, VAR)


def _variables(text: str) -> str:
    return _PLACEHOLDER.sub(_variable, text) if "${" in text else text


def literal(pattern: str) -> str:
    """A converted pattern back to the text it stands for (for equality operators)."""
    return pattern.replace(_LIT_STAR, "*").replace(_LIT_QUESTION, "?")


@lru_cache(maxsize=8192)
def _wildcard(pattern: str, ignore_case: bool) -> Wildcard:
    pieces = []
    for char in pattern:
        if char == "*":
            pieces.append(STAR)
        elif char == "?":
            pieces.append(f"[^{_HOLES}]")
        elif char == VAR:
            pieces.append("(?!)")
        elif char == _LIT_STAR:
            pieces.append(r"\*")
        elif char == _LIT_QUESTION:
            pieces.append(r"\?")
        else:
            pieces.append(re.escape(char))
    return compile_pieces(pieces, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def match(pattern: str, subject: str, ignore_case: bool = False) -> Match:
    """How an IAM wildcard pattern relates to a subject that may contain unknown pieces."""
    # A policy variable's piece never matches (see _wildcard): such a pattern matches no subject
    # in full, and is not compiled.
    has_variable = VAR in pattern
    if not has_variable and _wildcard(pattern, ignore_case).fullmatch(subject):
        return Match.ALL
    unknown = has_variable or NAME in pattern or NAME in subject
    if not unknown and ANY not in subject:
        return Match.NONE
    if ignore_case:
        pattern, subject = pattern.lower(), subject.lower()
    if not _possible(pattern, subject):
        return Match.NONE
    return Match.UNKNOWN if unknown else Match.SOME


_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-")


_PATTERN_SPECIALS = ("*", "?", VAR, NAME, _LIT_STAR, _LIT_QUESTION)
_SUBJECT_SPECIALS = (ANY, NAME)


def _literal_ends(text: str, specials: tuple[str, ...]) -> tuple[str, str]:
    """The text before its first special character and after its last one."""
    first, last = len(text), -1
    for special in specials:
        where = text.find(special)
        if where != -1:
            first = min(first, where)
            last = max(last, text.rfind(special))
    return text[:first], text[last + 1:]


@lru_cache(maxsize=4096)
def _possible(pattern: str, subject: str) -> bool:
    """Can some string match the pattern and be one of the strings the subject stands for?
    VAR may be any string and ANY any string; NAME is one non-empty bucket name (lowercase
    letters, digits, dots, hyphens), the same wherever it appears."""
    # Every string both describe starts with both literal prefixes and ends with both literal
    # suffixes: when those disagree (another bucket, another account) the answer is no, without
    # the row-parallel walk below.
    pattern_head, pattern_tail = _literal_ends(pattern, _PATTERN_SPECIALS)
    subject_head, subject_tail = _literal_ends(subject, _SUBJECT_SPECIALS)
    shortest = min(len(pattern_head), len(subject_head))
    if pattern_head[:shortest] != subject_head[:shortest]:
        return False
    shortest = min(len(pattern_tail), len(subject_tail))
    if shortest and pattern_tail[-shortest:] != subject_tail[-shortest:]:
        return False
    return _possible_rows(pattern, subject)


def _tokens(pattern: str) -> list[tuple[str, str | None]]:
    """The pattern as (kind, char) tokens: "star" (``*``, VAR), "name" (NAME), "one" (``?``),
    "lit" (a character, ``${*}`` and ``${?}`` among them)."""
    tokens: list[tuple[str, str | None]] = []
    for char in pattern:
        if char in ("*", VAR):
            tokens.append(("star", None))
        elif char == NAME:
            tokens.append(("name", None))
        elif char == "?":
            tokens.append(("one", None))
        elif char == _LIT_STAR:
            tokens.append(("lit", "*"))
        elif char == _LIT_QUESTION:
            tokens.append(("lit", "?"))
        else:
            tokens.append(("lit", char))
    return tokens


def _possible_rows(pattern: str, subject: str) -> bool:
    """:func:`_possible` by dynamic programming over the pattern's tokens and the subject, a row
    of the table at a time: a row is an int whose bit ``j`` is the cell of ``subject[j:]``, so
    that each token costs a few operations on ints instead of a Python loop over the subject
    (``tests/test_policy_evaluate.py`` keeps the cell-by-cell walk as the reference)."""
    n = len(subject)
    tokens = _tokens(pattern)
    holes, names, name_chars, at = _subject_bits(subject, {char for kind, char in tokens if kind == "lit"})
    plain = ((1 << n) - 1) & ~(holes | names)
    row = _spread_down(1 << n, holes)  # no token left: only ANYs may be left of the subject
    for kind, char in reversed(tokens):
        if kind == "star":  # the cell is true where some cell at or right of it is
            row = (1 << row.bit_length()) - 1
            continue
        after = row >> 1  # bit j: the cell of subject[j + 1:]
        either = row | after
        if kind == "name":  # NAME takes a NAME, shares an ANY, or eats name characters
            row = _spread_down((names & after) | (holes & either) | (name_chars & after), holes | name_chars)
            continue
        if kind == "one":
            first, to_name = plain & after, True
        else:
            first, to_name = at.get(char, 0) & after, char in _NAME_CHARS
        row = _spread_down(first | (names & either if to_name else 0) | (holes & either), holes)
    return bool(row & 1)


_SHORT_SUBJECT = 256  # characters; longer subjects get their bits from whole-string operations


def _subject_bits(subject: str, wanted: set, short: int = _SHORT_SUBJECT) -> tuple[int, int, int, dict[str, int]]:
    """The bits (bit j: ``subject[j]``) of the ANYs, of the NAMEs, of the characters a bucket
    name may hold, and of each ``wanted`` character (holes excluded).  A loop over the subject
    for a short one; for a long one, each set of bits is its positions written as a binary
    number by ``str.translate`` and read by ``int(..., 2)``: linear, where setting bit after bit
    of a growing int in a loop would be quadratic."""
    if len(subject) <= short:
        holes = names = name_chars = 0
        at: dict[str, int] = {}
        for j, char in enumerate(subject):
            bit = 1 << j
            if char == ANY:
                holes |= bit
            elif char == NAME:
                names |= bit
            else:
                at[char] = at.get(char, 0) | bit
                if char in _NAME_CHARS:
                    name_chars |= bit
        return holes, names, name_chars, at
    backwards = subject[::-1]  # the last character is the lowest bit of a binary number
    zeros = dict.fromkeys(map(ord, set(subject)), "0")

    def bits(chars) -> int:
        table = dict(zeros)
        table.update((ord(char), "1") for char in chars if ord(char) in zeros)
        return int(backwards.translate(table), 2)

    present = set(subject)
    return (
        bits(ANY),
        bits(NAME),
        bits(present & _NAME_CHARS),
        {char: bits(char) for char in wanted if char in present and char not in (ANY, NAME)},
    )


def _spread_down(bits: int, through: int) -> int:
    """``bits`` plus every bit ``j`` in ``through`` whose bit ``j + 1`` is (or becomes) set: a
    carry down runs of ``through``, in log2(run) steps (a parallel prefix)."""
    step = 1
    while through:
        bits |= (bits >> step) & through
        through &= through >> step
        step <<= 1
    return bits


# --------------------------------------------------------------------------- conditions

_Family = tuple  # (family, negated, comparison)

OPERATORS: dict[str, _Family] = {
    "StringEquals": ("string", False, "eq"),
    "StringNotEquals": ("string", True, "eq"),
    "StringEqualsIgnoreCase": ("string", False, "eqi"),
    "StringNotEqualsIgnoreCase": ("string", True, "eqi"),
    "StringLike": ("string", False, "like"),
    "StringNotLike": ("string", True, "like"),
    "NumericEquals": ("numeric", False, "eq"),
    "NumericNotEquals": ("numeric", True, "eq"),
    "NumericLessThan": ("numeric", False, "lt"),
    "NumericLessThanEquals": ("numeric", False, "le"),
    "NumericGreaterThan": ("numeric", False, "gt"),
    "NumericGreaterThanEquals": ("numeric", False, "ge"),
    "DateEquals": ("date", False, "eq"),
    "DateNotEquals": ("date", True, "eq"),
    "DateLessThan": ("date", False, "lt"),
    "DateLessThanEquals": ("date", False, "le"),
    "DateGreaterThan": ("date", False, "gt"),
    "DateGreaterThanEquals": ("date", False, "ge"),
    "Bool": ("bool", False, "eq"),
    "BinaryEquals": ("binary", False, "eq"),
    "IpAddress": ("ip", False, "in"),
    "NotIpAddress": ("ip", True, "in"),
    "ArnEquals": ("arn", False, "like"),
    "ArnLike": ("arn", False, "like"),
    "ArnNotEquals": ("arn", True, "like"),
    "ArnNotLike": ("arn", True, "like"),
    "Null": ("null", False, "null"),
}


@record(frozen=True)
class Operator:
    name: str  # as written
    base: str  # without qualifier and IfExists
    qualifier: str | None  # "ForAllValues" | "ForAnyValue" | None
    if_exists: bool
    family: str
    negated: bool
    comparison: str


@lru_cache(maxsize=512)
def parse_operator(name: str) -> Operator | None:
    """The operator's parts, or None when IAM does not know it (``Null`` takes no IfExists)."""
    qualifier = None
    rest = name
    for prefix in ("ForAllValues:", "ForAnyValue:"):
        if rest.startswith(prefix):
            qualifier, rest = prefix[:-1], rest[len(prefix):]
            break
    if_exists = rest.endswith("IfExists")
    base = rest[: -len("IfExists")] if if_exists else rest
    spec = OPERATORS.get(base)
    if spec is None or (if_exists and base == "Null"):
        return None
    return Operator(name, base, qualifier, if_exists, *spec)


def conditions_hold(statement: Statement, request: Request, resolve: Resolver = no_refs) -> Tri:
    """All condition entries hold (AND across operators and keys)."""
    result: Tri = None if statement.conditions_unknown else True
    for condition in statement.conditions:
        result = _and(result, condition_holds(condition, request, resolve))
        if result is False:
            return False
    return result


def condition_holds(condition: Condition, request: Request, resolve: Resolver = no_refs) -> Tri:
    operator = parse_operator(condition.operator)
    if operator is None or condition.unknown:
        return None
    context = request.lookup(condition.key)
    if context is FREE:
        return False  # the caller picks a value (or none) that escapes the condition
    if isinstance(context, Unknown):
        return None
    if operator.family == "null":
        return _null(condition, context)
    if context is ABSENT or (isinstance(context, (list, tuple)) and not context):
        if operator.if_exists or operator.qualifier == "ForAllValues":
            return True
        if operator.qualifier == "ForAnyValue":
            return False
        return operator.negated
    items = list(context) if isinstance(context, (list, tuple)) else [context]
    if any(isinstance(item, Unknown) for item in items):
        return None
    texts = [_context_text(item) for item in items]
    patterns = [to_pattern(value.raw, resolve) for value in condition.values]
    if operator.qualifier == "ForAllValues":
        return _all(_single(operator, text, patterns) for text in texts)
    if operator.qualifier == "ForAnyValue":
        return _any(_single(operator, text, patterns) for text in texts)
    if len(texts) != 1:
        return None  # a multivalued key needs a set operator: IAM's answer is not documented
    return _single(operator, texts[0], patterns)


def _context_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _null(condition: Condition, context: ContextValue) -> Tri:
    absent = context is ABSENT or (isinstance(context, (list, tuple)) and not context)
    results = []
    for value in condition.values:
        text = value.text
        if text is None or "${" in text:
            results.append(None)
        elif text.lower() == "true":
            results.append(absent)
        elif text.lower() == "false":
            results.append(not absent)
        else:
            results.append(None)
    return _any(results)


def _single(operator: Operator, text: str, patterns: list[str]) -> Tri:
    """One context value against the operator's values: any value matches (OR); a negated
    operator holds when none does."""
    hit = _any(_compare(operator, text, pattern) for pattern in patterns)
    if operator.negated:
        return None if hit is None else not hit
    return hit


def _compare(operator: Operator, text: str, pattern: str) -> Tri:
    family, comparison = operator.family, operator.comparison
    if family == "string" and comparison == "like":
        return match(pattern, text).tri
    if VAR in pattern or NAME in pattern:
        return None
    value = literal(pattern)
    if family == "string":
        return text == value if comparison == "eq" else text.lower() == value.lower()
    if family == "bool":
        return text.lower() == value.lower()
    if family == "numeric":
        return _ordered(_number(text), _number(value), comparison)
    if family == "date":
        return _ordered(_date(text), _date(value), comparison)
    if family == "binary":
        return _binary(text) == _binary(value)
    if family == "ip":
        return _in_network(text, value)
    if family == "arn":
        return _arn_like(value, text)
    return None


def _ordered(left: float | None, right: float | None, comparison: str) -> Tri:
    if left is None or right is None:
        return None
    return {"eq": left == right, "lt": left < right, "le": left <= right, "gt": left > right, "ge": left >= right}[comparison]


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _date(text: str) -> float | None:
    try:
        return float(text)  # epoch seconds
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def _binary(text: str) -> bytes:
    try:
        import base64  # here: only a condition on an encoded value needs it

        return base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        return text.encode()


def _in_network(address: str, cidr: str) -> Tri:
    import ipaddress  # here: only an IP condition needs it

    try:
        ip = ipaddress.ip_address(address.split("/")[0])
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None
    return ip.version == network.version and ip in network


def _arn_like(pattern: str, arn: str) -> Tri:
    if pattern == "*":
        return True
    wanted, actual = pattern.split(":", 5), arn.split(":", 5)
    if len(wanted) != 6 or len(actual) != 6:
        return False
    return _all(match(w, a).tri for w, a in zip(wanted, actual))


# --------------------------------------------------------------------------- three-valued logic


def _and(left: Tri, right: Tri) -> Tri:
    if left is False or right is False:
        return False
    if left is None or right is None:
        return None
    return True


def _or(left: Tri, right: Tri) -> Tri:
    if left is True or right is True:
        return True
    if left is None or right is None:
        return None
    return False


def _all(results: Iterable[Tri]) -> Tri:
    out: Tri = True
    for result in results:
        out = _and(out, result)
        if out is False:
            return False
    return out


def _any(results: Iterable[Tri]) -> Tri:
    out: Tri = False
    for result in results:
        out = _or(out, result)
        if out is True:
            return True
    return out
