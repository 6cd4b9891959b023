"""The SAM transform (``Transform: AWS::Serverless-2016-10-31``), expanded as far as rules need it.

SAM resources are rewritten by AWS into plain CloudFormation at deploy time; what rules judge is
what that rewrite produces, located at the lines of the SAM template:

- ``Globals``: the ``Function``/``Api``/``HttpApi``/``SimpleTable``/``StateMachine`` sections are
  merged into each resource of that type as SAM does (maps merged, lists concatenated, scalars
  and intrinsics replaced by the resource's own value; ``IgnoreGlobals`` honoured).
- A function's (or state machine's) generated execution role: each ``Policies`` entry becomes
  what the role would hold.  An inline document (a mapping with ``Statement``) is passed through
  unchanged, so an identity policy document as written; a managed policy (name or ARN) is only
  known when it is ``AdministratorAccess`` (``*`` on ``*``); a policy template
  (``S3ReadPolicy: {BucketName: x}``) grants what SAM's template grants, and only the templates
  that grant a whole service on every resource are modelled (the others are scoped to their
  parameters: nothing a rule reports).  A given ``Role`` means no role is generated.
  A function's ``AssumeRolePolicyDocument`` is the generated role's trust policy.
- ``AWS::Serverless::Api`` ``Auth.ResourcePolicy``: the API's resource policy (service "API
  Gateway").  ``CustomStatements`` are passed through as written, in a document SAM gives
  ``Version: 2012-10-17``.  The list keys (``AwsAccountWhitelist``, ``IpRangeBlacklist``,
  ``SourceVpcWhitelist`` ...) generate statements scoped to the listed accounts, ranges or VPCs
  (an ``Allow`` to ``*`` paired with a ``Deny`` outside them): not modelled, nothing a rule
  reports.  PL207 does not judge API Gateway policies (a public API is often meant), the grammar
  (PL204) does, and accepts API Gateway's ``execute-api:/stage/METHOD/path`` resource shorthand.
  A function's ``Api`` event ``Auth.ResourcePolicy`` (statements added to its API's policy) is
  not modelled.
- ``AWS::Serverless::Application`` with a local ``Location`` is a nested stack (see
  :mod:`policylint.parsers.cfn_stacks`); a published app, S3 or HTTPS ``Location`` is unknown.

Not modelled, because no rule reads what they generate: ``AWS::Serverless::SimpleTable`` (a
DynamoDB table: there is no DynamoDB rule), and a function's S3 ``Events`` (a notification
configuration on the bucket and a Lambda permission for ``s3.amazonaws.com`` limited to the
account: no S3 rule reads a bucket's notifications, and the permission is not public).

The facts come from ``aws-sam-translator`` (``policy_templates.json``, ``role_constructor.py``,
``globals.py``), read, not imported: it would lose lines and pull boto3 and pydantic.
"""

from __future__ import annotations

from policylint.model import Document, Node, PolicyDocument, Resource, Unknown
from policylint.patterns import lazy

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Any

# SAM's template names whose statements grant every action of a service on `Resource: "*"`
# (every other template of aws-sam-translator 1.110 is scoped; tests/test_sam.py re-checks
# this against the installed translator).
TEMPLATE_WILDCARDS = {
    "TextractPolicy": ("textract:*",),
}

# AWS managed policies whose document is known here: `*` on `*`.
_ADMIN_ARN = lazy(r"(?:arn:(?:aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|\$\{AWS::Partition\}):iam::aws:policy/)?AdministratorAccess")

# Globals sections -> resource type, and the properties SAM refuses there (never merged).
GLOBAL_SECTIONS = {
    "Function": "AWS::Serverless::Function",
    "Api": "AWS::Serverless::Api",
    "HttpApi": "AWS::Serverless::HttpApi",
    "SimpleTable": "AWS::Serverless::SimpleTable",
    "StateMachine": "AWS::Serverless::StateMachine",
}
_NOT_GLOBAL = {
    "Function": {"Role", "Policies", "FunctionName", "Events"},
    "Api": {"DefinitionBody", "StageName"},
    "StateMachine": {"Role", "Policies"},
}


def _intrinsic(value: Any) -> bool:
    """SAM's test: a one-key mapping ``Ref``/``Condition``/``Fn::…`` merges like a scalar."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = next(iter(value))
    return key in ("Ref", "Condition") or key.startswith("Fn::")


def merge(global_node: Node, local_node: Node) -> Node:
    """SAM's Globals merge: maps key by key, lists concatenated (globals first), anything else
    (scalars, intrinsics, a type mismatch) the resource's own value."""
    g, local = global_node.value, local_node.value
    if isinstance(g, dict) and isinstance(local, dict) and not _intrinsic(g) and not _intrinsic(local):
        merged = dict(g)
        for key, value in local.items():
            merged[key] = merge(merged[key], value) if key in merged else value
        return Node(merged, local_node.file, local_node.line, local_node.end_line, local_node.text_line)
    if isinstance(g, list) and isinstance(local, list):
        return Node(g + local, local_node.file, local_node.line, local_node.end_line, local_node.text_line)
    return local_node


def properties(t, raw: Node, type_name: str) -> Node | None:
    """The resource's raw ``Properties`` with the template's ``Globals`` merged in."""
    local = raw.get("Properties")
    section = next((name for name, kind in GLOBAL_SECTIONS.items() if kind == type_name), None)
    globals_node = t.root.get("Globals", section) if section else None
    if globals_node is None or not isinstance(globals_node.value, dict) or _intrinsic(globals_node.value):
        return local
    ignored = raw.get("IgnoreGlobals")
    if ignored is not None and ignored.value == "*":
        return local
    skip = set(_NOT_GLOBAL.get(section, ()))
    skip.update(i.value for i in (ignored.items() if ignored is not None else []) if isinstance(i.value, str))
    values = {k: v for k, v in globals_node.value.items() if k not in skip}
    if not values:
        return local
    inherited = Node(values, globals_node.file, globals_node.line, globals_node.end_line)
    if local is None or not isinstance(local.value, dict):
        return inherited if local is None else local
    return merge(inherited, local)


def _generated_role_properties(t, common: dict) -> Node | None:
    """The resource's properties (Globals merged, intrinsics resolved) when SAM generates its
    execution role, else None.  SAM generates one when `Role` is not written, or is an `Fn::If`
    whose chosen branch is `AWS::NoValue` (then resolving removed it); any other `Role`, even a
    bare `AWS::NoValue`, means no role, and `Policies` are ignored."""
    raw = t.resources[common["address"]]
    written = properties(t, raw, common["type"])
    props = t.resolve(written)
    if not isinstance(props, Node) or not isinstance(props.value, dict):
        return None
    role = written.get("Role")
    if role is not None and not (isinstance(role.value, dict) and "Fn::If" in role.value and "Role" not in props.value):
        return None
    return props


def function(t, common: dict, props: Node, doc: Document) -> None:
    """``AWS::Serverless::Function``: its generated role's trust and permission policies."""
    owner = Resource(**common)
    doc.resources.append(owner)
    props = _generated_role_properties(t, common)
    if props is not None:
        t.policy(props.get("AssumeRolePolicyDocument"), "trust", owner, doc)
        _role_policies(t, props.get("Policies"), owner, doc)


def state_machine(t, common: dict, props: Node, doc: Document) -> None:
    """``AWS::Serverless::StateMachine``: its generated role's permission policies."""
    owner = Resource(**common)
    doc.resources.append(owner)
    props = _generated_role_properties(t, common)
    if props is not None:
        _role_policies(t, props.get("Policies"), owner, doc)


def _role_policies(t, policies: Node | None, owner: Resource, doc: Document) -> None:
    """Each ``Policies`` entry as the generated role holds it (see the module docstring)."""
    if policies is None:
        return
    for entry in policies.value if isinstance(policies.value, list) else [policies]:
        value = entry.value
        if isinstance(value, dict) and "Statement" in value:
            t.policy(entry, "identity", owner, doc)  # SAM passes an inline document through
        elif isinstance(value, dict) and len(value) == 1:
            (name, _), = value.items()
            actions = TEMPLATE_WILDCARDS.get(name)
            if actions is not None:
                # SAM inserts the template's statements as a document without a Version; the
                # user cannot write one there, so it is not judged (unknown).
                version = Node(Unknown(f"set by SAM's `{name}` template"), entry.file, entry.line, entry.end_line)
                doc.policies.append(_generated(entry, name, version, list(actions), owner))
            # other templates are scoped to their parameters; unknown names are not judged
        elif isinstance(value, (str, Unknown)) and _ADMIN_ARN.fullmatch(value if isinstance(value, str) else value.text):
            version = Node("2012-10-17", entry.file, entry.line, entry.end_line)
            name = (value if isinstance(value, str) else value.text).rsplit("/", 1)[-1]
            doc.policies.append(_generated(entry, name, version, ["*"], owner))
        # other managed policies (their documents are AWS's), references and intrinsics: unknown


def _generated(at: Node, name: str, version: Node, actions: list[str], owner: Resource) -> PolicyDocument:
    """A document SAM or AWS writes, every value located at the entry that brings it in.  Its
    statement is labelled with the name the user wrote (as a ``Sid``), so messages say which."""
    def node(value: Any) -> Node:
        return Node(value, at.file, at.line, at.end_line)

    statement = node({
        "Sid": node(name),
        "Effect": node("Allow"),
        "Action": node([node(a) for a in actions]),
        "Resource": node("*"),
    })
    body = node({"Version": version, "Statement": node([statement])})
    return PolicyDocument(body=body, kind="identity", owner=owner, format=owner.format)


def api(t, common: dict, props: Node, doc: Document) -> None:
    """``AWS::Serverless::Api``: the resource policy SAM writes from ``Auth.ResourcePolicy``."""
    owner = Resource(**common)
    doc.resources.append(owner)
    props = t.resolve(properties(t, t.resources[common["address"]], common["type"]))
    if not isinstance(props, Node) or not isinstance(props.value, dict) or props.get("DefinitionUri") is not None:
        return  # SAM refuses `Auth` with an external definition: nothing is deployed
    policy = props.get("Auth", "ResourcePolicy")
    statements = policy.get("CustomStatements") if policy is not None and isinstance(policy.value, dict) else None
    if statements is None or not isinstance(statements.value, (list, dict)):
        return  # none, or computed (unknown)
    # Not `synthetic`: the statements are the user's, and the grammar judges them where written.
    version = Node("2012-10-17", policy.file, policy.line, policy.end_line)
    body = Node({"Version": version, "Statement": statements}, policy.file, policy.line, policy.end_line)
    t.policy(body, "resource", owner, doc, service="API Gateway")


BUILDERS = {
    "AWS::Serverless::Function": function,
    "AWS::Serverless::StateMachine": state_machine,
    "AWS::Serverless::Api": api,
}
