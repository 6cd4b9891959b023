"""Is a policy document well formed?  A JSON Schema for its shape, plus what a schema cannot say.

``policy-schema.json`` (beside this file) holds the shape of the language: the elements a policy
and a statement may have, their types, ``Effect`` and ``Version`` values, the exclusive pairs
(``Action``/``NotAction``, ``Resource``/``NotResource``, ``Principal``/``NotPrincipal``) and the
principal types.  The checks here need context or parsing: whether a ``Principal`` or a
``Resource`` belongs in this kind of policy, condition operator names, ARN syntax, wildcards
inside principal ARNs, ``Sid`` characters in IAM policies, and the version (PL205).

Each problem carries the node of the element at fault, so a finding points at its line, and a
message that names the element and says how to fix it.  Computed values (``Unknown``) are never
judged.  ``jsonschema`` is imported only when a document is validated.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache

from policylint.model import Node, PolicyDocument, Ref, Unknown
from policylint.patterns import lazy
from policylint.policy.document import Element, Policy, Statement, from_body, is_intrinsic, policy_of
from policylint.policy.evaluate import OPERATORS, parse_operator
from policylint.records import record

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Any, Iterator

SCHEMA_PATH = os.path.join(os.path.dirname(__file__), "policy-schema.json")
TOP_ELEMENTS = ("Version", "Id", "Statement")
STATEMENT_ELEMENTS = ("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition")
PARTITIONS = frozenset({"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"})
TRUST_ACTIONS = lazy(r"^sts:(AssumeRole\w*|TagSession|SetSourceIdentity|SetContext)$", re.IGNORECASE)
ALL_OPERATORS = tuple(OPERATORS) + tuple(f"{op}IfExists" for op in OPERATORS if op != "Null")


@record(frozen=True)
class Problem:
    code: str  # PL204 (grammar) or PL205 (version)
    node: Node
    message: str
    severity: str | None = None  # None: the rule's own


# --------------------------------------------------------------------------- entry points


def problems(document: PolicyDocument) -> list[Problem]:
    """Every grammar problem (PL204) of the document, in line order."""
    if isinstance(document.body.value, str):
        return [_not_json(document.body, document.format)]
    if not isinstance(document.body.value, dict):
        if document.body.known and not document.synthetic:  # a list, a number, nothing at all
            return [Problem("PL204", document.body, "policy must be a JSON object with `Version` and `Statement`")]
        return []
    policy = policy_of(document)
    found = list(_schema_problems(document.body, policy)) + list(_semantic_problems(policy, effective_kind(policy, document), document.service))
    unique = {(p.node.line, p.message): p for p in found}
    return sorted(unique.values(), key=lambda p: (p.node.line, p.message))


def _not_json(body: Node, format: str = "terraform") -> Problem:
    """A policy attribute holding text that is not a JSON object (a broken heredoc, say)."""
    text = body.value
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        lineno, what = exc.lineno, f"{exc.msg}, line {exc.lineno} column {exc.colno} of the document"
        before = text[: exc.pos].rstrip()
        if before.endswith(",") and exc.msg.startswith(("Expecting property name", "Expecting value")):
            lineno, what = before.count("\n") + 1, f"a trailing comma on line {before.count(chr(10)) + 1} of the document"
        line = body.text_line + lineno - 1 if body.text_line else body.line
        where = Node(text, body.file, line)
        fix = (
            "fix it, or write the document as a YAML mapping instead of a string" if format == "cloudformation"
            else "fix it, or build it with `jsonencode()` or an `aws_iam_policy_document` data source"
        )
        return Problem("PL204", where, f"policy is not valid JSON ({what}): {fix}")
    return Problem("PL204", body, "policy must be a JSON object with `Version` and `Statement`")


def validate_body(body: Node, kind: str = "resource") -> list[Problem]:
    """The same checks for a bare body (tests, callers without a PolicyDocument)."""
    return problems(PolicyDocument(body=body, kind=kind, owner=None))


def version_problem(document: PolicyDocument) -> Problem | None:
    """PL205: ``Version`` missing, or the legacy ``2008-10-17``."""
    body = document.body
    if not isinstance(body.value, dict):
        return None
    version = body.value.get("Version")
    if version is not None and version.value != "2008-10-17":
        return None
    variables = _uses_variables(body)  # walks the whole document: only for a problem's message
    consequence = (
        "its `${...}` policy variables are matched as literal text" if variables
        else "policy variables such as `${aws:username}` would not work"
    )
    severity = "medium" if variables else None
    if version is None:
        return Problem("PL205", body, f"policy has no `Version`, so IAM reads it as the 2008-10-17 language and {consequence}: add `\"Version\": \"2012-10-17\"`", severity)
    return Problem("PL205", version, f"`Version` 2008-10-17 is the legacy policy language ({consequence}): use `2012-10-17`", severity)


def effective_kind(policy: Policy, document: PolicyDocument | None = None) -> str:
    """The document's kind, except that a raw resource policy whose every action assumes a role
    is a role trust policy (raw files do not say which they are)."""
    if policy.kind != "resource" or (document is not None and document.owner is not None):
        return policy.kind
    actions = [v.text for s in policy.statements if s.action is not None for v in s.action.values]
    if actions and all(a is not None and TRUST_ACTIONS.match(a) for a in actions):
        return "trust"
    return policy.kind


# --------------------------------------------------------------------------- schema


class _Computed:
    """Stands for an unresolved value inside the instance handed to jsonschema."""

    def __repr__(self) -> str:
        return "<computed>"


_COMPUTED = _Computed()


@lru_cache(maxsize=1)
def _validator():
    import jsonschema

    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        schema = json.load(handle)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _instance(node: Node) -> Any:
    value = node.value
    if isinstance(value, dict) and not is_intrinsic(value):
        return {key: _instance(child) for key, child in value.items()}
    if isinstance(value, list):
        return [_instance(child) for child in value]
    if isinstance(value, (Unknown, Ref)) or is_intrinsic(value):
        return _COMPUTED
    return value


def _schema_problems(body: Node, policy: Policy) -> Iterator[Problem]:
    instance = _instance(body)
    if conforms(instance):
        return  # the schema would find nothing to say: jsonschema is neither imported nor run
    for error in _validator().iter_errors(instance):
        if error.instance is _COMPUTED:
            continue
        path = list(error.absolute_path)
        node = body.get(*path) or body
        yield from _explain(error, path, node, body, policy)


# The schema's verdict, reached directly.  The schema stays the definition of the grammar (every
# problem is found and explained through it); this is only the quick "nothing to say" for the
# common well-formed document.  ``conforms(x)`` is true exactly when jsonschema reports no error
# about a value other than a computed one: tests/test_policy_grammar.py proves it on generated
# documents with hypothesis, so a change to the schema that is not mirrored here fails there.
_STATEMENT_KEYS = frozenset(STATEMENT_ELEMENTS)
_PRINCIPAL_TYPES = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})
_VERSIONS = ("2012-10-17", "2008-10-17")


def _scalar(value: Any) -> bool:
    """A JSON string, number or boolean (jsonschema's "string", "number", "boolean")."""
    return isinstance(value, (str, int, float)) or value is _COMPUTED


def conforms(instance: Any) -> bool:
    """Whether ``policy-schema.json`` accepts the instance (``_COMPUTED`` standing for any value)."""
    if instance is _COMPUTED:
        return True
    if not isinstance(instance, dict) or "Statement" not in instance:
        return False
    for key, value in instance.items():
        if value is _COMPUTED:
            if key not in TOP_ELEMENTS:
                return False
            continue
        if key == "Version":
            if not (isinstance(value, str) and value in _VERSIONS):
                return False
        elif key == "Id":
            if not isinstance(value, str):
                return False
        elif key == "Statement":
            statements = value if isinstance(value, list) else [value]
            if not all(_statement_conforms(s) for s in statements):
                return False
        else:
            return False
    return True


def _statement_conforms(statement: Any) -> bool:
    if statement is _COMPUTED:
        return True
    if not isinstance(statement, dict) or "Effect" not in statement:
        return False
    if not _STATEMENT_KEYS.issuperset(statement):
        return False
    for first, second in (("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal")):
        if first in statement and second in statement:
            return False
    if "Action" not in statement and "NotAction" not in statement:
        return False
    for key, value in statement.items():
        if value is _COMPUTED:
            continue
        if key == "Sid":
            ok = isinstance(value, (str, int, float)) and not isinstance(value, bool)
        elif key == "Effect":
            ok = isinstance(value, str) and value in ("Allow", "Deny")
        elif key in ("Principal", "NotPrincipal"):
            ok = _principal_conforms(value)
        elif key == "Condition":
            ok = _condition_conforms(value)
        else:
            ok = _strings_conform(value)
        if not ok:
            return False
    return True


def _strings_conform(value: Any) -> bool:
    if isinstance(value, list):
        return all(_scalar(item) for item in value)
    return _scalar(value)


def _principal_conforms(value: Any) -> bool:
    if isinstance(value, str):
        return value == "*"
    if not isinstance(value, dict) or not _PRINCIPAL_TYPES.issuperset(value):
        return False
    return all(_strings_conform(v) for v in value.values())


def _condition_conforms(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    for block in value.values():
        if block is _COMPUTED:
            continue
        if not isinstance(block, dict) or not all(_strings_conform(v) for v in block.values()):
            return False
    return True


def _statement_label(path: list, policy: Policy) -> str:
    if path[:1] != ["Statement"]:
        return "the policy"
    index = path[1] if len(path) > 1 and isinstance(path[1], int) else 0
    for statement in policy.statements:
        if statement.index == index:
            return statement.label
    return f"statement {index + 1}"


def _element_name(path: list) -> str:
    names = [step for step in path if isinstance(step, str)]
    return names[-1] if names else "Statement"


_TYPE_WORDS = {"string": "a string", "array": "a list", "object": "an object", "number": "a number", "boolean": "a boolean"}


def _explain(error, path: list, node: Node, body: Node, policy: Policy) -> Iterator[Problem]:
    validator = error.validator
    where = _statement_label(path, policy)
    name = _element_name(path)
    if validator == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        for extra in [k for k in error.instance if k not in allowed]:
            at = node.get(extra) or node
            if path == []:
                what, owner = f"unknown top-level element `{extra}`", "a policy has only `Version`, `Id` and `Statement`"
            elif "Principal" in path or "NotPrincipal" in path:
                what, owner = f"unknown principal type `{extra}` in `{name}`", "use `AWS`, `Service`, `Federated` or `CanonicalUser`"
            else:
                what, owner = f"unknown element `{extra}` in {where}", "a statement has only " + ", ".join(f"`{a}`" for a in allowed)
            yield Problem("PL204", at, f"{what}: {_did_you_mean(extra, allowed) or owner}")
    elif validator == "required":
        for missing in [k for k in error.validator_value if k not in error.instance]:
            if _misspelled(error.instance, missing):
                continue  # the unknown-element problem already says it
            if missing == "Statement":
                yield Problem("PL204", node, "policy has no `Statement`: add the list of statements it is made of")
            elif missing == "Effect":
                yield Problem("PL204", node, f"{where} has no `Effect`: add `Effect: Allow` or `Effect: Deny`")
            else:
                yield Problem("PL204", node, f"{where} has no `{missing}`")
    elif validator == "anyOf" and path[:1] == ["Statement"]:
        if _misspelled(error.instance, "Action") or _misspelled(error.instance, "NotAction"):
            return
        yield Problem("PL204", node, f"{where} has neither `Action` nor `NotAction`: list the actions it allows or denies")
    elif validator == "not":
        first, second = error.validator_value.get("required", ["", ""])
        at = node.get(second) or node
        yield Problem("PL204", at, f"{where} has both `{first}` and `{second}`, which IAM rejects: keep one of them")
    elif validator == "enum" and name == "Effect":
        yield Problem("PL204", node, f"`Effect` must be `Allow` or `Deny` (case-sensitive), not `{error.instance}`")
    elif validator == "enum" and name == "Version":
        yield Problem("PL204", node, f"`Version` `{error.instance}` is not a policy language version: use `2012-10-17`")
    elif validator == "const":
        yield Problem("PL204", node, f"`{name}` must be `\"*\"` or an object such as `{{\"AWS\": \"arn:aws:iam::123456789012:root\"}}`, not the string `{error.instance}`")
    elif validator == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in expected if t not in ("number", "boolean") or "string" not in expected)
        if "Condition" in path:
            depth = len(path) - path.index("Condition") - 1
            subject = ("`Condition`", "the operator `%s` in `Condition`" % name, "the value of condition key `%s`" % path[-1] if isinstance(path[-1], str) else "a condition value")[min(depth, 2)]
            if depth == 0:
                words = "an object such as `{\"StringEquals\": {\"aws:SourceVpce\": \"vpce-1a2b3c4d\"}}`"
            elif depth == 1:
                words = "an object mapping condition keys to values"
            else:
                words = "a string or a list of strings"
        elif isinstance(path[-1] if path else None, int) and name != "Statement":
            subject = f"each entry of `{name}`"
        elif name == "Statement" and path and isinstance(path[-1], int):
            yield Problem("PL204", node, f"{where} must be an object with `Effect`, `Action` and the other statement elements")
            return
        else:
            subject = f"`{name}`"
        yield Problem("PL204", node, f"{subject} in {where} must be {words}" if where != "the policy" else f"{subject} must be {words}")
    else:
        yield Problem("PL204", node, f"{where}: {error.message}")


def _misspelled(instance: dict, name: str) -> bool:
    """Does the object hold an unknown element that the unknown-element message will correct to
    ``name``?"""
    known = TOP_ELEMENTS + STATEMENT_ELEMENTS
    return any(
        key not in known and (key.lower() == name.lower() or _close_matches(key, [name], n=1, cutoff=0.6))
        for key in instance
    )


def _did_you_mean(word: str, choices: list[str]) -> str | None:
    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered:
        return f"element names are case-sensitive: write `{lowered[word.lower()]}`"
    close = _close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


# --------------------------------------------------------------------------- what a schema cannot say


# Resource policies whose statements may leave `Resource` out: the policy applies to the
# repository it is set on.
RESOURCE_OPTIONAL = frozenset({"ECR repository"})


def _semantic_problems(policy: Policy, kind: str, service: str | None = None) -> Iterator[Problem]:
    if kind in ("identity", "trust", "service-control"):
        yield from _duplicate_sids(policy)
    for statement in policy.statements:
        if statement.unknown:
            continue
        yield from _kind_problems(statement, kind, service)
        yield from _sid_problems(statement, kind)
        for element in (statement.principal, statement.not_principal):
            if element is not None and not element.unknown:
                for type_name, values in element.by_type.items():
                    if values is not None:
                        yield from _principal_value_problems(element.name, type_name, values)
        for element in (statement.resource, statement.not_resource):
            if element is not None:
                yield from _arn_problems(element, kind, service)
        if statement.condition_node is not None and isinstance(statement.condition_node.value, dict):
            for operator, block in statement.condition_node.value.items():
                message = _operator_problem(operator)
                if message:
                    yield Problem("PL204", block, message)


def _kind_problems(statement: Statement, kind: str, service: str | None = None) -> Iterator[Problem]:
    label = statement.label
    principal = statement.principal or statement.not_principal
    if kind == "identity" and principal is not None:
        yield Problem("PL204", principal.node, f"`{principal.name}` is not allowed in an identity policy ({label}): remove it; the policy applies to whoever it is attached to")
    if kind == "service-control" and principal is not None:
        yield Problem("PL204", principal.node, f"`{principal.name}` is not allowed in a service control policy ({label}): remove it; the policy applies to the accounts it is attached to")
    if kind in ("resource", "trust") and principal is None:
        yield Problem("PL204", statement.node, f"{label} has no `Principal`: a {'role trust' if kind == 'trust' else 'resource'} policy must say whom it applies to")
    if kind == "trust" and statement.not_principal is not None:
        yield Problem("PL204", statement.not_principal.node, f"`NotPrincipal` is not allowed in a role trust policy ({label}): name the principals in `Principal`")
    resource = statement.resource or statement.not_resource
    if kind == "trust" and resource is not None:
        yield Problem("PL204", resource.node, f"`{resource.name}` is not allowed in a role trust policy ({label}): remove it; the role itself is the resource")
    if kind in ("identity", "resource", "service-control") and resource is None and (statement.action or statement.not_action) and service not in RESOURCE_OPTIONAL:
        yield Problem("PL204", statement.node, f"{label} has no `Resource`: add the ARNs it applies to (or `NotResource`)")


def _sid_problems(statement: Statement, kind: str) -> Iterator[Problem]:
    sid = statement.sid
    if kind in ("identity", "trust") and sid is not None and sid.text is not None and not re.fullmatch(r"[A-Za-z0-9]*", sid.text):
        yield Problem("PL204", sid.node, f"`Sid` `{sid.text}` is rejected by IAM, which accepts only letters and digits in a Sid: write it as `{re.sub(r'[^A-Za-z0-9]', '', sid.text) or 'Statement1'}`")


def _duplicate_sids(policy: Policy) -> Iterator[Problem]:
    """IAM requires a Sid to be unique within a policy."""
    seen: dict[str, int] = {}
    for statement in policy.statements:
        sid = statement.sid.text if statement.sid is not None and not statement.unknown else None
        if not sid:
            continue
        if sid in seen:
            yield Problem("PL204", statement.sid.node, f"`Sid` `{sid}` is also the Sid of statement {seen[sid] + 1}: IAM requires each Sid to be unique within a policy, rename one")
        else:
            seen[sid] = statement.index


_AWS_PRINCIPAL = lazy(
    r"^(?:\d{12}"
    r"|arn:aws[\w-]*:iam::\d{12}:(?:root|user/.+|role/.+|federated-user/.+)"
    r"|arn:aws[\w-]*:sts::\d{12}:(?:assumed-role/.+|federated-user/.+)"
    r"|arn:aws[\w-]*:iam::cloudfront:user/CloudFront Origin Access Identity .+"
    r"|A[A-Z0-9]{15,127})$"  # unique ids, as IAM shows them after a principal is deleted
)


def _principal_value_problems(element: str, type_name: str, values: Element) -> Iterator[Problem]:
    for value in values.values:
        text = value.text
        if text is None or text == "*" or "${" in text:
            continue
        if "*" in text or "?" in text:
            yield Problem("PL204", value.node, f"`{text}` in `{element}`: IAM does not accept wildcards inside a principal; name the account (`arn:aws:iam::123456789012:root`) and narrow it with a condition such as `aws:PrincipalArn`")
        elif type_name == "AWS" and not _AWS_PRINCIPAL.match(text):
            yield Problem("PL204", value.node, f"`{text}` is not a valid `AWS` principal in `{element}`: use an account id, `arn:aws:iam::123456789012:root`, or a user or role ARN")


# API Gateway's resource policies may name the API's own methods without the ARN prefix.
_API_SHORTHAND = lazy(r"execute-api:/.*")


def _arn_problems(element: Element, kind: str, service: str | None = None) -> Iterator[Problem]:
    shorthand = kind == "resource" and service in ("API Gateway", None)  # None: a raw file
    for value in element.values:
        text = value.text
        if text is None or text == "*" or (shorthand and _API_SHORTHAND.fullmatch(text)):
            continue
        message = arn_problem(text)
        if message:
            yield Problem("PL204", value.node, f"`{text}` in `{element.name}` {message}")


def arn_problem(text: str) -> str | None:
    """Why a Resource value is not an ARN IAM accepts, or None."""
    plain = re.sub(r"\$\{[^}]*\}", "x", text)
    if not plain.startswith("arn:"):
        if re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?", plain):
            return f"is not an ARN: for a bucket or its objects write `arn:aws:s3:::{plain}`"
        return "is not an ARN: write a full ARN (`arn:partition:service:region:account:resource`) or `*`"
    parts = plain.split(":", 5)
    if len(parts) < 6:
        if "*" in plain:
            return None  # a wildcard may stand for the missing parts
        return f"is not a valid ARN: it has {len(parts)} of the six parts `arn:partition:service:region:account:resource` (S3 buckets: `arn:aws:s3:::bucket`)"
    partition, service = parts[1], parts[2]
    if "*" not in partition and "?" not in partition and partition not in PARTITIONS:
        return f"has an unknown partition `{partition}`: use `aws` (or `aws-cn`, `aws-us-gov`)"
    if not service:
        return "has no service part: write it as `arn:aws:<service>:...`"
    return None


def _operator_problem(operator: str) -> str | None:
    if parse_operator(operator) is not None:
        return None
    qualifier, _, rest = operator.rpartition(":")
    if qualifier and qualifier not in ("ForAllValues", "ForAnyValue"):
        fix = _close_matches(qualifier, ["ForAllValues", "ForAnyValue"], n=1, cutoff=0.5)
        return f"unknown set qualifier `{qualifier}:` in condition operator `{operator}`: use `ForAllValues:` or `ForAnyValue:`" + (f" (did you mean `{fix[0]}:`?)" if fix else "")
    if rest == "NullIfExists":
        return "`NullIfExists` is not an operator: `Null` already tests whether the key exists, use `Null`"
    close = _close_matches(rest, ALL_OPERATORS, n=1, cutoff=0.6)
    lowered = {op.lower(): op for op in ALL_OPERATORS}
    if rest.lower() in lowered:
        hint = f"operator names are case-sensitive: write `{lowered[rest.lower()]}`"
    elif close:
        hint = f"did you mean `{close[0]}`?"
    else:
        hint = "see the IAM condition operators (String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress, Arn*, Null)"
    return f"unknown condition operator `{operator}`: {hint}"


def _close_matches(word: str, choices, n: int = 1, cutoff: float = 0.6) -> list[str]:
    """``difflib.get_close_matches``, imported only when a document has a typo to explain."""
    import difflib

    return difflib.get_close_matches(word, choices, n=n, cutoff=cutoff)


def _uses_variables(body: Node) -> bool:
    return any(isinstance(n.value, str) and "${" in n.value and _POLICY_VARIABLE.search(n.value) for n in body.walk())


_POLICY_VARIABLE = lazy(r"\$\{(?![*?$]\})[^}]+\}")  # `${aws:username}`; not the escapes `${*}`, `${?}`, `${$}`


__all__ = ["Problem", "problems", "validate_body", "version_problem", "effective_kind", "arn_problem", "from_body"]
