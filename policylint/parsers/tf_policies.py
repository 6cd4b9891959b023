"""Terraform resources that carry a policy document -> resources and :class:`PolicyDocument` s.

Shared by the HCL and plan parsers through :mod:`policylint.parsers.tf_resources`, whose builder
table takes :data:`BUILDERS`.  A builder receives that module's context (``attrs``, ``plain()``,
``common()``, ``add_policy(...)``); this module imports nothing of it, so either can load first.

Each document knows its kind (identity, resource, trust, service-control), what it governs
(``service``, for messages) and, when its owner carries several, its ``label``.  A Lambda
permission is not a document but one statement written as attributes: it becomes a ``synthetic``
document whose nodes are the attributes, so the policy evaluator reads it like any other.
"""

from __future__ import annotations


from policylint.model import Node, PolicyHolder, Resource, Unknown, text_of

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Any, Callable


def _attr(node: Node | None, name: str) -> Node | None:
    child = node.get(name) if node is not None else None
    return None if child is None or child.value is None else child


def _blocks(node: Node | None, name: str) -> list[Node]:
    child = _attr(node, name)
    if child is None:
        return []
    if isinstance(child.value, list):
        return [item for item in child.value if item.value is not None]
    return [child]


def _named(unnamed: str, name: Node | None, what: str | None = None) -> str:
    """``inline policy `read` `` when the name is known, else ``unnamed`` (``inline policy 2``)."""
    text = text_of(name)
    return f"{what or unnamed} `{text}`" if text else unnamed


def _identity(attribute: str, label: str | None = None) -> Callable[[Any], Resource]:
    """``aws_iam_policy``, ``aws_iam_role_policy`` ..., SSO inline policies: one identity policy."""

    def build(ctx) -> Resource:
        resource = ctx.plain()
        name = _named(label, _attr(ctx.attrs, "name")) if label else None
        ctx.add_policy(_attr(ctx.attrs, attribute), "identity", resource, label=name)
        return resource

    return build


def _iam_role(ctx) -> Resource:
    resource = ctx.plain()
    ctx.add_policy(_attr(ctx.attrs, "assume_role_policy"), "trust", resource, label="trust policy")
    for number, inline in enumerate(_blocks(ctx.attrs, "inline_policy"), start=1):
        if inline.known:
            ctx.add_policy(_attr(inline, "policy"), "identity", resource, label=_named(f"inline policy {number}", _attr(inline, "name"), "inline policy"))
    return resource


def _organizations_policy(ctx) -> Resource:
    """Only service control policies: the other Organizations policy types are not IAM documents
    (tag, backup, AI opt-out policies) or follow other rules (resource control policies)."""
    resource = ctx.plain()
    policy_type = _attr(ctx.attrs, "type")
    if policy_type is None or text_of(policy_type) == "SERVICE_CONTROL_POLICY":
        ctx.add_policy(_attr(ctx.attrs, "content"), "service-control", resource)
    return resource


def _resource_policy(service: str, attribute: str = "policy", vpc_block: str | None = None, target: str | None = None) -> Callable[[Any], Resource]:
    """A resource with its resource policy in ``attribute`` (``aws_sqs_queue.policy``), or a
    separate policy resource (``aws_sqs_queue_policy``) whose ``target`` attribute names what it
    applies to.  ``vpc_block``: the block that makes the resource reachable from a VPC only."""

    def build(ctx) -> Resource:
        if vpc_block is None:
            resource = ctx.plain()
        else:
            resource = PolicyHolder(**ctx.common(), vpc_only=_vpc_only(_blocks(ctx.attrs, vpc_block)))
        ctx.add_policy(_attr(ctx.attrs, attribute), "resource", resource, attached_to=_attr(ctx.attrs, target) if target else None, service=service)
        return resource

    return build


def _vpc_only(blocks: list[Node]) -> bool | None:
    if not blocks:
        return False
    return True if all(block.known for block in blocks) else None


def _lambda_permission(ctx) -> Resource:
    resource = ctx.plain()
    body = lambda_statement(
        ctx.attrs,
        at=Node(None, ctx.location.file, ctx.location.line, ctx.location.end_line),
        keys={
            "principal": "principal",
            "action": "action",
            "function": "function_name",
            "source_arn": "source_arn",
            "source_account": "source_account",
            "org": "principal_org_id",
            "token": "event_source_token",
        },
    )
    if body is not None:
        ctx.add_policy(body, "resource", resource, service="Lambda function", synthetic=True)
    return resource


def lambda_statement(props: Node, at: Node, keys: dict[str, str]) -> Node | None:
    """The one-statement document a Lambda permission stands for, built of its own attribute
    nodes (``keys`` maps principal, action, function, source_arn, source_account, org, token to
    the format's spelling).  None without a principal (the permission is broken, not open)."""
    get = props.get if isinstance(props.value, dict) else (lambda name: None)
    principal = get(keys["principal"])
    if principal is None or principal.value is None:
        return None

    def located(value: Any, node: Node) -> Node:
        return Node(value, node.file, node.line, node.end_line)

    text = text_of(principal)
    if not principal.known:
        principal_node = principal
    elif text is not None and (text.endswith(".amazonaws.com") or text.endswith(".amazon.com")):
        principal_node = located({"Service": principal}, principal)
    else:
        principal_node = located({"AWS": principal}, principal)
    statement: dict[str, Node] = {"Effect": located("Allow", principal), "Principal": principal_node}
    action = get(keys["action"])
    statement["Action"] = action if action is not None and action.value is not None else located(Unknown("action"), principal)
    function = get(keys["function"])
    statement["Resource"] = function if function is not None and function.value is not None else located(Unknown("function"), principal)
    conditions: dict[str, dict[str, Node]] = {}
    for key, operator, condition_key in (
        ("source_arn", "ArnLike", "aws:SourceArn"),
        ("source_account", "StringEquals", "aws:SourceAccount"),
        ("org", "StringEquals", "aws:PrincipalOrgID"),
        ("token", "StringEquals", "lambda:EventSourceToken"),
    ):
        node = get(keys[key])
        if node is not None and node.value not in (None, ""):
            conditions.setdefault(operator, {})[condition_key] = node
    if conditions:
        first = next(iter(next(iter(conditions.values())).values()))
        statement["Condition"] = located({op: located(block, first) for op, block in conditions.items()}, first)
    return located({"Statement": located([located(statement, principal)], principal)}, at)


BUILDERS: dict[str, Callable[[Any], Resource]] = {
    "aws_iam_role": _iam_role,
    "aws_iam_policy": _identity("policy"),
    "aws_iam_role_policy": _identity("policy", "inline policy"),
    "aws_iam_user_policy": _identity("policy", "inline policy"),
    "aws_iam_group_policy": _identity("policy", "inline policy"),
    "aws_ssoadmin_permission_set_inline_policy": _identity("inline_policy"),
    "aws_organizations_policy": _organizations_policy,
    "aws_s3_access_point": _resource_policy("S3 access point", vpc_block="vpc_configuration"),
    "aws_s3control_access_point_policy": _resource_policy("S3 access point", target="access_point_arn"),
    "aws_kms_key": _resource_policy("KMS key"),
    "aws_kms_replica_key": _resource_policy("KMS key"),
    "aws_kms_key_policy": _resource_policy("KMS key", target="key_id"),
    "aws_sqs_queue": _resource_policy("SQS queue"),
    "aws_sqs_queue_policy": _resource_policy("SQS queue", target="queue_url"),
    "aws_sns_topic": _resource_policy("SNS topic"),
    "aws_sns_topic_policy": _resource_policy("SNS topic", target="arn"),
    "aws_secretsmanager_secret": _resource_policy("Secrets Manager secret"),
    "aws_secretsmanager_secret_policy": _resource_policy("Secrets Manager secret", target="secret_arn"),
    "aws_ecr_repository_policy": _resource_policy("ECR repository", target="repository"),
    "aws_ecr_registry_policy": _resource_policy("ECR registry"),
    "aws_lambda_permission": _lambda_permission,
    "aws_opensearch_domain": _resource_policy("OpenSearch domain", "access_policies", vpc_block="vpc_options"),
    "aws_elasticsearch_domain": _resource_policy("OpenSearch domain", "access_policies", vpc_block="vpc_options"),
    "aws_opensearch_domain_policy": _resource_policy("OpenSearch domain", "access_policies", target="domain_name"),
    "aws_elasticsearch_domain_policy": _resource_policy("OpenSearch domain", "access_policies", target="domain_name"),
    "aws_cloudwatch_event_bus_policy": _resource_policy("EventBridge event bus", target="event_bus_name"),
    "aws_glacier_vault": _resource_policy("Glacier vault", "access_policy"),
    "aws_glacier_vault_lock": _resource_policy("Glacier vault", "policy", target="vault_name"),
}
