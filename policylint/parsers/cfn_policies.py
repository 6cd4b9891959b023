"""CloudFormation resources that carry a policy document -> resources and policy documents.

Builders for :mod:`policylint.parsers.cloudformation`, whose builder table takes
:data:`BUILDERS`.  A builder receives the template (``t.policy(...)`` adds a document written as
an object or a JSON string), the resource's common fields, its resolved properties and the
document under construction.  See :mod:`policylint.parsers.tf_policies` for the Terraform side;
both say the same things about each kind of document.
"""

from __future__ import annotations


from policylint.model import Document, Node, PolicyHolder, Resource, Unknown, text_of
from policylint.parsers.tf_policies import lambda_statement

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Any, Callable
    Builder = Callable[[Any, dict, Node, Document], None]



def _named(unnamed: str, name: Node | None, what: str | None = None) -> str:
    """``inline policy `read` `` when the name is known, else ``unnamed`` (``inline policy 2``)."""
    text = text_of(name)
    return f"{what or unnamed} `{text}`" if text else unnamed


def _principal(t, common: dict, props: Node, doc: Document) -> None:
    """IAM roles, users and groups: inline policies, and a role's trust policy."""
    owner = Resource(**common)
    doc.resources.append(owner)
    t.policy(props.get("AssumeRolePolicyDocument"), "trust", owner, doc, label="trust policy")
    policies = props.get("Policies")
    for number, item in enumerate(policies.items() if policies is not None else [], start=1):
        t.policy(item.get("PolicyDocument"), "identity", owner, doc, label=_named(f"inline policy {number}", item.get("PolicyName"), "inline policy"))


def _identity(property_name: str, label: str | None = None) -> Builder:
    """``AWS::IAM::Policy``, ``AWS::IAM::ManagedPolicy``, ``AWS::IAM::RolePolicy`` ... and an SSO
    permission set's inline policy: one identity policy."""

    def build(t, common: dict, props: Node, doc: Document) -> None:
        owner = Resource(**common)
        doc.resources.append(owner)
        name = _named(label, props.get("PolicyName")) if label else None
        t.policy(props.get(property_name), "identity", owner, doc, label=name)

    return build


def _organizations_policy(t, common: dict, props: Node, doc: Document) -> None:
    """Service control policies only (``Type: SERVICE_CONTROL_POLICY``)."""
    owner = Resource(**common)
    doc.resources.append(owner)
    if text_of(props.get("Type")) == "SERVICE_CONTROL_POLICY":
        t.policy(props.get("Content"), "service-control", owner, doc)


def _resource_policy(service: str, property_name: str, vpc: str | None = None, target: str | None = None) -> Builder:
    """A resource policy in ``property_name``; ``vpc`` names the property that makes the
    resource reachable from a VPC only, ``target`` the one naming what a separate policy
    resource applies to."""

    def build(t, common: dict, props: Node, doc: Document) -> None:
        if vpc is None:
            owner = Resource(**common)
        else:
            setting = props.get(vpc)
            owner = PolicyHolder(**common, vpc_only=None if setting is not None and not setting.known else setting is not None)
        doc.resources.append(owner)
        t.policy(props.get(property_name), "resource", owner, doc, attached_to=props.get(target) if target else None, service=service)

    return build


def _lambda_permission(t, common: dict, props: Node, doc: Document) -> None:
    owner = Resource(**common)
    doc.resources.append(owner)
    location = common["location"]
    body = lambda_statement(
        props,
        at=Node(None, location.file, location.line, location.end_line),
        keys={
            "principal": "Principal",
            "action": "Action",
            "function": "FunctionName",
            "source_arn": "SourceArn",
            "source_account": "SourceAccount",
            "org": "PrincipalOrgID",
            "token": "EventSourceToken",
        },
    )
    if body is not None:
        t.policy(body, "resource", owner, doc, service="Lambda function", synthetic=True)


def _event_bus_policy(t, common: dict, props: Node, doc: Document) -> None:
    """``AWS::Events::EventBusPolicy``: one statement in ``Statement`` (a synthetic document
    holds it, since the template has no place for `Version`), or the legacy ``Principal`` /
    ``Action`` / ``Condition`` properties."""
    owner = Resource(**common)
    doc.resources.append(owner)
    statement = props.get("Statement")
    if statement is None:
        statement = _legacy_bus_statement(props)
    if statement is None:
        return
    body = Node({"Statement": Node([statement], statement.file, statement.line, statement.end_line)}, statement.file, statement.line, statement.end_line)
    t.policy(body, "resource", owner, doc, attached_to=props.get("EventBusName"), service="EventBridge event bus", synthetic=True)


def _legacy_bus_statement(props: Node) -> Node | None:
    principal = props.get("Principal")
    if principal is None or principal.value is None:
        return None

    def at(value: Any, node: Node) -> Node:
        return Node(value, node.file, node.line, node.end_line)

    principal_node = at({"AWS": principal}, principal) if principal.known else principal
    statement = {
        "Effect": at("Allow", principal),
        "Principal": principal_node,
        "Action": props.get("Action") or at(Unknown("Action"), principal),
        "Resource": at(Unknown("the event bus"), principal),
    }
    condition = props.get("Condition")
    if condition is not None and condition.value is not None:
        key, value, kind = condition.get("Key"), condition.get("Value"), condition.get("Type")
        if condition.known and text_of(kind) == "StringEquals" and text_of(key):
            statement["Condition"] = at({"StringEquals": at({text_of(key): value or at(Unknown("Value"), condition)}, condition)}, condition)
        else:
            statement["Condition"] = at(Unknown("Condition"), condition)
    return at(statement, principal)


BUILDERS: dict[str, Builder] = {
    "AWS::IAM::Role": _principal,
    "AWS::IAM::User": _principal,
    "AWS::IAM::Group": _principal,
    "AWS::IAM::Policy": _identity("PolicyDocument"),
    "AWS::IAM::ManagedPolicy": _identity("PolicyDocument"),
    "AWS::IAM::RolePolicy": _identity("PolicyDocument", "inline policy"),
    "AWS::IAM::UserPolicy": _identity("PolicyDocument", "inline policy"),
    "AWS::IAM::GroupPolicy": _identity("PolicyDocument", "inline policy"),
    "AWS::SSO::PermissionSet": _identity("InlinePolicy"),
    "AWS::Organizations::Policy": _organizations_policy,
    "AWS::S3::AccessPoint": _resource_policy("S3 access point", "Policy", vpc="VpcConfiguration"),
    "AWS::KMS::Key": _resource_policy("KMS key", "KeyPolicy"),
    "AWS::KMS::ReplicaKey": _resource_policy("KMS key", "KeyPolicy"),
    "AWS::SQS::QueuePolicy": _resource_policy("SQS queue", "PolicyDocument", target="Queues"),
    "AWS::SNS::TopicPolicy": _resource_policy("SNS topic", "PolicyDocument", target="Topics"),
    "AWS::SNS::TopicInlinePolicy": _resource_policy("SNS topic", "PolicyDocument", target="TopicArn"),
    "AWS::SecretsManager::ResourcePolicy": _resource_policy("Secrets Manager secret", "ResourcePolicy", target="SecretId"),
    "AWS::ECR::Repository": _resource_policy("ECR repository", "RepositoryPolicyText"),
    "AWS::ECR::RegistryPolicy": _resource_policy("ECR registry", "PolicyText"),
    "AWS::Lambda::Permission": _lambda_permission,
    "AWS::OpenSearchService::Domain": _resource_policy("OpenSearch domain", "AccessPolicies", vpc="VPCOptions"),
    "AWS::Elasticsearch::Domain": _resource_policy("OpenSearch domain", "AccessPolicies", vpc="VPCOptions"),
    "AWS::Events::EventBusPolicy": _event_bus_policy,
    "AWS::Glacier::Vault": _resource_policy("Glacier vault", "AccessPolicy"),
    "AWS::ApiGateway::RestApi": _resource_policy("API Gateway", "Policy"),
}
