"""Which S3 actions of a statement can never match its resources: an object action
(`s3:GetObject`) on bucket ARNs only, or a bucket action (`s3:ListBucket`) on object ARNs only.
PL115 reports such actions; PL110 leaves them out of what a public statement grants, so that the
two agree."""

from __future__ import annotations

from policylint.patterns import lazy
from policylint.policy.evaluate import NAME, VAR, to_pattern
from policylint.policy.s3_actions import ACTIONS, canonical, expand, may_name_s3

_S3_PREFIX = lazy(r"^arn:aws[\w-]*:s3:::")


def resource_kinds(statement, resolve) -> set[str] | None:
    """What the statement's `Resource` can match: {"bucket"}, {"object"}, both; None when a value
    is not a plain S3 ARN or depends on an unknown (then nothing is said)."""
    if statement.unknown or statement.resource is None or statement.not_resource:
        return None
    kinds: set[str] = set()
    for value in statement.resource.values:
        kind = arn_kinds(to_pattern(value.raw, resolve), VAR)
        if kind is None:
            return None
        kinds |= kind
    return kinds or None


def never_matching(statement, resolve) -> dict[str, str]:
    """Action as written -> the kind of resource it needs, for each action that no resource of
    the statement can match."""
    if statement.action is None or statement.not_action or not any(value.text is not None and may_name_s3(value.text) for value in statement.action.values):
        return {}  # (before the resources, which take longer to read)
    kinds = resource_kinds(statement, resolve)
    if kinds is None:
        return {}
    found = {}
    for value in statement.action.values:
        text = value.text
        if text is None or "${" in text:
            continue
        matched = expand(text) if ("*" in text or "?" in text) else [canonical(text)]
        if not matched or None in matched:
            continue
        needed = {ACTIONS[name][0] for name in matched}
        if len(needed) == 1 and not needed & kinds:
            found[text] = next(iter(needed))
    return found


def arn_kinds(pattern: str, var: str = VAR) -> set[str] | None:
    """What a Resource pattern can match: {"bucket"}, {"object"}, both, or None when it is not a
    plain S3 bucket/object ARN (or depends on an unknown)."""
    if not _S3_PREFIX.match(pattern):
        return None
    rest = _S3_PREFIX.sub("", pattern, count=1)
    _, slash, _ = rest.partition("/")
    if slash:
        return {"object"}  # bucket names hold no "/": only object ARNs can match
    if var in rest:
        return None  # an unknown piece may hold a "/"
    return {"bucket", "object"} if "*" in rest else {"bucket"}


__all__ = ["NAME", "arn_kinds", "never_matching", "resource_kinds"]
