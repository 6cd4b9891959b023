"""AWS's "meaning of public" for bucket-policy statements, and for other resource policies.

Source: S3 User Guide, "Blocking public access to your Amazon S3 storage", section "The meaning
of public" (the test S3 Block Public Access, the console's "Public" badge and IAM Access Analyzer
apply).  A statement is public when it ``Allow``s a public principal (``"*"``, ``{"AWS": "*"}``,
``{"CanonicalUser": "*"}``, any ``Federated`` principal, or any ``NotPrincipal``) and no
condition restricts it to *fixed values* of a trusted key (:data:`TRUSTED_KEYS`).

A condition restricts only when it can be false for an outside caller: a positive operator
(:data:`RESTRICTING_OPERATORS`, also behind ``ForAnyValue:``) on a trusted key whose values hold
no wildcard and no policy variable.  ``...IfExists`` and ``ForAllValues:`` forms are true when the
key is missing, and negated operators are true for every other value, so they do not restrict.
``aws:SourceIp`` restricts only with ranges of /8 or narrower (IPv4, RFC 1918 ranges always) and
/32 or narrower (IPv6).  Keys the caller controls (``aws:SecureTransport``, ``aws:Referer``,
``aws:UserAgent``, ``s3:prefix``...) never restrict.

One addition, documented in ``docs/policy-semantics.md``: an ``Allow`` is also restricted when a
``Deny`` for every caller covers all its actions and resources under a negated operator on fixed
values of a trusted key ("deny unless from vpce-1"), which is how Access Analyzer reads it.
An unresolved value on which the answer depends makes it unknown (None), never public.

Other resource policies (queues, topics, keys ...: PL207) are read the same way, with the
:class:`Meaning` of :func:`meaning_for` their service: a few more keys restrict (the calling
resource's organisation, ``kms:CallerAccount`` for keys) and a source ARN pattern whose account
is fixed counts as fixed.
"""

from __future__ import annotations

from policylint.model import Node
from policylint.policy.document import Condition, Statement
from policylint.policy.evaluate import (
    ANY,
    EVERYONE,
    VAR,
    Match,
    no_refs,
    action_match,
    parse_operator,
    principal_match,
    resource_match,
    to_pattern,
)
from policylint.records import record

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Iterable, Optional

    from policylint.policy.evaluate import Resolver

    Tri = Optional[bool]


TRUSTED_KEYS = frozenset(
    key.lower()
    for key in (
        "aws:SourceArn",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:SourceOwner",
        "aws:SourceAccount",
        "aws:SourceIp",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:userid",
        "s3:DataAccessPointArn",
        "s3:DataAccessPointAccount",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
    )
)



@record(frozen=True)
class Meaning:
    """Which condition keys restrict a public principal, for one kind of resource policy.
    ``account_arns``: an ARN pattern on ``aws:SourceArn``/``aws:PrincipalArn`` whose partition,
    service, region and account are fixed (``arn:aws:execute-api:...:123456789012:api/*``)
    counts as fixed, since AWS sets the key to the ARN of the calling resource."""

    keys: frozenset[str] = TRUSTED_KEYS
    account_arns: bool = False


BUCKET_POLICY = Meaning()

# Keys that restrict other resource policies as IAM Access Analyzer reads them, besides the
# bucket-policy ones (which apply to every service): organisation of the calling resource, the
# caller's account for KMS, an Alexa event source token for Lambda.
_OTHER_KEYS = frozenset(k.lower() for k in ("aws:SourceOrgID", "aws:SourceOrgPaths"))
_SERVICE_KEYS = {
    "KMS key": frozenset({"kms:calleraccount"}),
    "Lambda function": frozenset({"lambda:eventsourcetoken"}),
}


def meaning_for(service: str | None) -> Meaning:
    """The meaning of public for a resource policy other than a bucket policy."""
    return Meaning(TRUSTED_KEYS | _OTHER_KEYS | _SERVICE_KEYS.get(service or "", frozenset()), account_arns=True)


RESTRICTING_OPERATORS = frozenset({"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike", "IpAddress"})
_EXCLUDING_OPERATORS = frozenset({"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike", "NotIpAddress"})


@record
class PublicGrant:
    """A public ``Allow`` statement: ``at`` is the public principal as written."""

    statement: Statement
    at: Node
    audience: str  # who gets access, for messages: 'everyone (`"*"`)' ...


def public_principal(statement: Statement) -> tuple[Tri, Node | None, str]:
    """(is the principal public?, where, who it lets in)."""
    if statement.not_principal is not None:
        element = statement.not_principal
        return (None if element.unknown else True), element.node, "everyone but the principals in `NotPrincipal`"
    element = statement.principal
    if element is None:
        return False, None, ""
    if element.unknown:
        return None, element.node, ""
    if element.star:
        return True, element.node, 'everyone (`"*"`)'
    unknown = False
    for kind, values in element.by_type.items():
        if kind == "Federated" and values.values:
            provider = ", ".join(f"`{v}`" for v in values.texts) or "a federated identity provider"
            return True, values.node, f"anyone who signs in through {provider} (a `Federated` principal)"
        for value in values.values:
            if value.text == "*" and kind in ("AWS", "CanonicalUser"):
                return True, value.node, f'everyone (`{{"{kind}": "*"}}`)'
            if not value.known:
                unknown = True
    return (None if unknown else False), element.node, ""


def restricted(statement: Statement, resolve: Resolver = no_refs, meaning: Meaning = BUCKET_POLICY) -> Tri:
    """Does a condition of the statement limit it to fixed values of a trusted key?"""
    result: Tri = None if statement.conditions_unknown else False
    for condition in statement.conditions:
        found = restricts(condition, resolve, meaning)
        if found is True:
            return True
        if found is None:
            result = None
    return result


def restricts(condition: Condition, resolve: Resolver = no_refs, meaning: Meaning = BUCKET_POLICY) -> Tri:
    if condition.key.lower() not in meaning.keys:
        return False
    operator = parse_operator(condition.operator)
    if operator is None or operator.if_exists or operator.qualifier == "ForAllValues":
        return False
    if operator.base not in RESTRICTING_OPERATORS:
        return False
    return _fixed(condition, resolve, meaning)


def _fixed(condition: Condition, resolve: Resolver, meaning: Meaning = BUCKET_POLICY) -> Tri:
    """Are all the condition's values fixed (no wildcard, no variable, narrow enough)?"""
    if condition.unknown or not condition.values:
        return None if condition.unknown else False
    key = condition.key.lower()
    result: Tri = True
    for value in condition.values:
        if value.known and "${" in value.raw:
            return False  # a policy variable is not a fixed value
        pattern = to_pattern(value.raw, resolve)
        if VAR in pattern:
            result = None
            continue
        if key == "s3:dataaccesspointarn" and _account_fixed_access_point(pattern):
            continue
        if meaning.account_arns and key in ("aws:sourcearn", "aws:principalarn") and _account_fixed(pattern):
            continue
        if "*" in pattern or "?" in pattern:
            return False
        if key == "aws:sourceip" and not _narrow(pattern):
            return False
    return result


def _account_fixed_access_point(arn: str) -> bool:
    """In a bucket policy, ``arn:aws:s3:region:123456789012:accesspoint/*`` is non-public."""
    parts = arn.split(":", 5)
    return (
        len(parts) == 6
        and not any(c in "".join(parts[:5]) for c in "*?")
        and parts[4].isdigit()
        and parts[5].startswith("accesspoint/")
    )


def _account_fixed(arn: str) -> bool:
    """An ARN pattern whose partition, service, region and account hold no wildcard, with an account."""
    parts = arn.split(":", 5)
    return len(parts) == 6 and not any(c in "".join(parts[:5]) for c in "*?") and parts[4].isdigit() and len(parts[4]) == 12


_RFC1918 = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")


def _narrow(cidr: str) -> bool:
    import ipaddress  # here: only a policy with an IP condition needs it

    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    if network.version == 4:
        return network.prefixlen >= 8 or any(network.subnet_of(ipaddress.ip_network(private)) for private in _RFC1918)
    return network.prefixlen >= 32


def mitigated(statement: Statement, others: Iterable[Statement], resolve: Resolver = no_refs, meaning: Meaning = BUCKET_POLICY) -> bool:
    """Is every request the Allow grants denied unless it comes from fixed trusted values?"""
    if statement.action is None or statement.resource is None:
        return False
    actions = [_universal(v.raw, resolve) for v in statement.action.values]
    resources = [_universal(v.raw, resolve) for v in statement.resource.values]
    if any(a is None for a in actions) or any(r is None for r in resources):
        return False
    for deny in others:
        if deny.unknown or deny.effect_text != "Deny" or not deny.conditions or deny.conditions_unknown:
            continue
        if principal_match(deny, EVERYONE) is not Match.ALL:
            continue
        if not all(action_match(deny, a, resolve) is Match.ALL for a in actions):
            continue
        if not all(resource_match(deny, r, resolve) is Match.ALL for r in resources):
            continue
        if all(_excludes_outsiders(c, resolve, meaning) for c in deny.conditions):
            return True
    return False


# A public Allow is compared with each Deny that may mitigate it: beyond this many such Denies
# the comparison would grow with the square of the policy, and nothing is concluded instead.
MAX_MITIGATING_DENIES = 64


def mitigating_denies(statements: Iterable[Statement], resolve: Resolver = no_refs, meaning: Meaning = BUCKET_POLICY) -> list[Statement] | None:
    """The statements that may make a public Allow not public (see :func:`mitigated`), to pass
    as its ``others``: Denies for everyone whose every condition excludes outsiders.  One pass
    over the policy; None when there are more than :data:`MAX_MITIGATING_DENIES`."""
    found = [
        deny for deny in statements
        if not deny.unknown and deny.effect_text == "Deny" and deny.conditions and not deny.conditions_unknown
        and principal_match(deny, EVERYONE) is Match.ALL
        and all(_excludes_outsiders(c, resolve, meaning) for c in deny.conditions)
    ]
    return found if len(found) <= MAX_MITIGATING_DENIES else None


def _universal(raw, resolve: Resolver) -> str | None:
    """A pattern as the set of strings it matches (its wildcards become ANY)."""
    pattern = to_pattern(raw, resolve)
    if VAR in pattern:
        return None
    return pattern.replace("*", ANY).replace("?", ANY)


def _excludes_outsiders(condition: Condition, resolve: Resolver, meaning: Meaning = BUCKET_POLICY) -> bool:
    if condition.key.lower() not in meaning.keys:
        return False
    operator = parse_operator(condition.operator)
    if operator is None or operator.qualifier is not None or operator.base not in _EXCLUDING_OPERATORS:
        return False
    return _fixed(condition, resolve, meaning) is True


def is_public(statement: Statement, others: Iterable[Statement] = (), resolve: Resolver = no_refs, meaning: Meaning = BUCKET_POLICY) -> Tri:
    """True when the statement is public, False when not, None when it depends on unknowns."""
    if statement.unknown:
        return None
    effect = statement.effect_text
    if effect != "Allow":
        return False if effect == "Deny" else None  # unknown, or invalid (IAM rejects the policy)
    principal, _, _ = public_principal(statement)
    if principal is not True:
        return principal
    limited = restricted(statement, resolve, meaning)
    if limited is not False:
        return None if limited is None else False
    if mitigated(statement, others, resolve, meaning):
        return False
    return True


def public_grant(statement: Statement, others: Iterable[Statement] = (), resolve: Resolver = no_refs, meaning: Meaning = BUCKET_POLICY) -> PublicGrant | None:
    """The statement's public grant, or None when it is not (or not certainly) public."""
    if is_public(statement, others, resolve, meaning) is not True:
        return None
    _, node, reads = public_principal(statement)
    assert node is not None
    return PublicGrant(statement, node, reads)
