"""CloudFormation templates (JSON or YAML) into the common model.

Intrinsic functions are resolved once here: parameter values (given, else defaults),
``Ref``/``Fn::GetAtt`` to other resources (kept as :class:`Ref`), ``Fn::Sub``/``Fn::Join`` of
known parts, ``Fn::FindInMap`` of literal keys, ``Fn::Base64``, and ``Fn::If`` and resource
``Condition`` by :mod:`policylint.parsers.cfn_conditions`.  Anything else (imports, pseudo
parameters not given) is :class:`Unknown`.  ``Ref: AWS::NoValue`` removes the property, as
CloudFormation does.
"""

from __future__ import annotations

import operator
import re

from policylint.model import (
    CacheGroup,
    ComputeLaunch,
    CorsRule,
    Database,
    DnsRecord,
    Document,
    HostedZone,
    Imported,
    Location,
    LogDelivery,
    Node,
    ParseError,
    PolicyDocument,
    PublicAccessBlock,
    Ref,
    ReplicationRule,
    Resource,
    S3Bucket,
    S3Logging,
    S3Replication,
    S3Website,
    SecretSetting,
    Unknown,
    dns_name,
    text_of,
    truth,
)
from policylint.parsers import cfn_conditions, cfn_foreach, cfn_policies, cfn_stacks, looks_like_json
from policylint.parsers.located_yaml import LoadError, Unread, load, load_json
from policylint.parsers.sam import BUILDERS as SAM_BUILDERS
from policylint.patterns import lazy

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Any

FORMAT = "cloudformation"
_NO_VALUE = object()  # Ref AWS::NoValue: the property is absent
_SUB_VAR = lazy(r"\$\{([^}]*)\}")

CANNED_ACLS = {
    "Private": "private",
    "PublicRead": "public-read",
    "PublicReadWrite": "public-read-write",
    "AuthenticatedRead": "authenticated-read",
    "AwsExecRead": "aws-exec-read",
    "BucketOwnerRead": "bucket-owner-read",
    "BucketOwnerFullControl": "bucket-owner-full-control",
    "LogDeliveryWrite": "log-delivery-write",
}
PAB_KEYS = {
    "BlockPublicAcls": "block_public_acls",
    "IgnorePublicAcls": "ignore_public_acls",
    "BlockPublicPolicy": "block_public_policy",
    "RestrictPublicBuckets": "restrict_public_buckets",
}


def parse(text: str, path: str, parameters: dict[str, Any] | None = None, stack: cfn_stacks.StackContext | None = None,
          embedded: cfn_stacks.Embedded | None = None) -> Document:
    """The template's Document.  ``parameters``: values given for its parameters (``--parameter``,
    or by a parent stack), over their defaults; pseudo parameters (``AWS::Region``) among them.
    ``stack``: where the template sits in its unit's nested stacks; ``embedded``: the outer
    resource of a template written inside another (a StackSet's ``TemplateBody``)."""
    doc = Document(FORMAT)
    try:
        root = load_json(text, path, _UNREAD) if looks_like_json(text) else load(text, path, _UNREAD)
    except LoadError as exc:
        line = embedded.line(exc.line) if embedded is not None else exc.line
        doc.errors.append(ParseError(path, line, exc.message, exc.kind))
        return doc
    if embedded is not None:
        root = embedded.place(root)
    resources = root.get("Resources") if isinstance(root.value, dict) else None
    if resources is None:
        return doc  # JSON/YAML that only looks like a template: nothing to lint
    # A macro (`Transform: ShortHand`) may rewrite the template: its shape is checked after that.
    macro = root.get("Transform") is not None
    if not isinstance(resources.value, dict):
        if not macro:
            doc.errors.append(ParseError(path, resources.line, f"`Resources` must be a mapping of logical IDs to resources, not {_kind(resources.value)}"))
        return doc
    template = _Template(root, path, parameters, stack, embedded)
    first_built = len(doc.resources)
    for logical_id, raw in template.expand_loops(doc).items():
        if logical_id.startswith("Fn::ForEach::"):
            continue  # an AWS::LanguageExtensions loop over an unknown collection
        if not isinstance(raw.value, dict):
            doc.errors.append(ParseError(path, raw.line, f"resource `{logical_id}` must be a mapping"))
            continue
        type_node = raw.value.get("Type")
        if type_node is None or type_node.value is None:
            if not macro:
                doc.errors.append(ParseError(path, raw.line, f"resource `{logical_id}` has no `Type`; add one such as `Type: AWS::S3::Bucket`"))
            continue
        if type_node.value == "AWS::CDK::Metadata":
            continue  # the CDK's version report (`CDKMetadata`): nothing to lint
        if isinstance(type_node.value, dict):
            continue  # a pre-processor's module (`Type: !Rain::Module bucket.yml`): only exists after it
        if not isinstance(type_node.value, str):
            doc.errors.append(ParseError(path, type_node.line, f"the `Type` of resource `{logical_id}` must be a string such as `AWS::S3::Bucket`, not {_kind(type_node.value)}"))
            continue
        if logical_id in template.conditional and not template.exists(raw):
            continue  # its `Condition` is false: CloudFormation does not create it
        template.build(logical_id, raw, doc)
    in_json = looks_like_json(text)
    for resource in doc.resources[first_built:]:
        if resource.written_in_json is None and resource.location.file == path:
            resource.written_in_json = in_json  # fixes in the template's own syntax, whatever its extension
    template.exports(doc)
    for name, parameter in template.parameters.items():
        default = parameter.get("Default") if isinstance(parameter.value, dict) else None
        if default is not None and isinstance(default.value, str):
            doc.parameter_defaults[name] = default
    return doc


class _Template:
    def __init__(self, root: Node, path: str, given: dict[str, Any] | None = None, stack: cfn_stacks.StackContext | None = None,
                 embedded: cfn_stacks.Embedded | None = None):
        self.path = path
        self.root = root
        self.parameters = _dict(root.get("Parameters"))
        self.mappings = root.get("Mappings")
        self.resources = _dict(root.get("Resources"))
        self.stack = stack
        cfn_stacks.claim(stack, self.resources, path)
        self.conditional = {name for name, raw in self.resources.items() if isinstance(raw.value, dict) and "Condition" in raw.value}
        # A template inside a StackSet: its resources are named after the StackSet's.
        self.uid_scope = f"#{embedded.owner}" if embedded is not None else ""
        self.address_prefix = f"{embedded.owner}/" if embedded is not None else ""
        self.given = {name: value for name, value in (given or {}).items() if name in self.parameters}
        self.pseudo = cfn_conditions.pseudo_values({k: v for k, v in (given or {}).items() if isinstance(v, str)})
        self.conditions = cfn_conditions.Conditions(root.get("Conditions"))

    def expand_loops(self, doc: Document) -> dict[str, Node]:
        """The resources with their ``Fn::ForEach`` loops expanded where the collection is known."""
        expanded = cfn_foreach.expand(self.resources, self.resolve, self.path, doc)
        if expanded is not self.resources:
            self.resources = expanded
            self.conditional = {name for name, raw in expanded.items() if isinstance(raw.value, dict) and "Condition" in raw.value}
        return expanded

    def exists(self, raw: Node) -> bool:
        """False for a resource or output whose `Condition` is known to be false."""
        condition = raw.get("Condition") if isinstance(raw.value, dict) else None
        return condition is None or self.conditions.decide(condition.value, self.resolve).truth is not False

    def exports(self, doc: Document) -> None:
        """Outputs exported under a literal name, so that other templates' imports resolve."""
        for output in _dict(self.root.get("Outputs")).values():
            exported = output.get("Export", "Name")
            if exported is None or not self.exists(output):
                continue  # (most outputs are not exported: their values are not evaluated)
            name = self.resolve(exported)
            value = self.resolve(output.get("Value"))
            if isinstance(name, Node) and isinstance(name.value, str) and isinstance(value, Node):
                doc.exports[name.value] = value

    def uid(self, logical_id: str) -> str:
        return f"cfn:{self.path}{self.uid_scope}::{logical_id}"

    # ------------------------------------------------------------- intrinsic functions

    def resolve(self, node: Node | None) -> Any:
        """The node with intrinsics evaluated: a Node, or _NO_VALUE for ``AWS::NoValue``."""
        if node is None:
            return None
        value = node.value
        if isinstance(value, dict):
            if len(value) == 1:
                (key, arg), = value.items()
                if key == "Ref" or key.startswith("Fn::"):
                    return self._intrinsic(key, arg, node)
            out = {}
            changed = node.origin is not None  # (a copy has none)
            for key, child in value.items():
                resolved = self.resolve(child)
                if resolved is not child:
                    changed = True
                    if resolved is _NO_VALUE:
                        continue
                out[key] = resolved
            # Nothing to evaluate inside (most of a template): the node itself, not a copy.
            return Node(out, node.file, node.line, node.end_line, node.text_line) if changed else node
        if isinstance(value, list):
            items = [self.resolve(child) for child in value]
            if node.origin is None and all(map(operator.is_, items, value)):
                return node
            return Node([i for i in items if i is not _NO_VALUE], node.file, node.line, node.end_line, node.text_line)
        return node

    def _unknown(self, node: Node, text: str, refs=()) -> Node:
        return Node(Unknown(text, refs), node.file, node.line, node.end_line, node.text_line)

    def _intrinsic(self, key: str, arg: Node, node: Node) -> Any:
        if key == "Ref":
            name = arg.value
            if not isinstance(name, str):
                return self._unknown(node, "Ref")
            if name == "AWS::NoValue":
                return _NO_VALUE
            return self._ref(name, None, node)
        if key == "Fn::GetAtt":
            parts = arg.value if isinstance(arg.value, list) else [arg]
            if len(parts) == 1 and isinstance(parts[0].value, str):
                first, _, rest = parts[0].value.partition(".")
            elif len(parts) == 2 and all(isinstance(p.value, str) for p in parts):
                first, rest = parts[0].value, parts[1].value
            else:
                return self._unknown(node, "Fn::GetAtt")
            return self._ref(first, rest, node)
        if key == "Fn::If":
            return self._if(arg, node)
        if key == "Fn::Sub":
            return self._sub(arg, node)
        if key == "Fn::Join":
            return self._join(arg, node)
        if key == "Fn::Base64":
            inner = self.resolve(arg)
            return inner if isinstance(inner, Node) else self._unknown(node, "Fn::Base64")
        if key == "Fn::FindInMap":
            return self._find_in_map(arg, node)
        if key == "Fn::ImportValue" and isinstance(arg.value, str):
            return Node(Imported(arg.value), node.file, node.line, node.end_line)
        if key == "Fn::Select":
            items = arg.value if isinstance(arg.value, list) else []
            if len(items) == 2:
                index, seq = self.resolve(items[0]), self.resolve(items[1])
                if isinstance(index, Node) and isinstance(seq, Node) and isinstance(seq.value, list):
                    try:
                        return seq.value[int(index.value)]
                    except (TypeError, ValueError, IndexError):
                        pass
            return self._unknown(node, "Fn::Select")
        return self._unknown(node, f"{key}(...)")

    def _if(self, arg: Node, node: Node) -> Any:
        """``Fn::If``: the branch of a decided condition; else what both branches agree on."""
        items = arg.value if isinstance(arg.value, list) else []
        if len(items) != 3:
            return self._unknown(node, "Fn::If")
        name = items[0].value
        decision = self.conditions.decide(name, self.resolve)
        if decision.truth is not None:
            return cfn_conditions.chosen(self.resolve(items[1 if decision.truth else 2]), name, decision)
        return cfn_conditions.agreed(self.resolve(items[1]), self.resolve(items[2]), node, _NO_VALUE)

    def _ref(self, name: str, attr: str | None, node: Node) -> Node:
        text = f"${{{name}.{attr}}}" if attr else f"${{{name}}}"
        if attr is None and name in self.parameters:
            declaration = self.parameters[name]
            if name in self.given:
                given = self.given[name]
                if isinstance(given, Node) and not given.known:
                    return self._unknown(node, text)  # a parent stack passes what is not known
                return cfn_conditions.parameter_value(given, declaration, node)
            default = declaration.get("Default") if isinstance(declaration.value, dict) else None
            if default is not None and not isinstance(default.value, dict):
                return cfn_conditions.parameter_value(default, declaration, node, origin=f"default of parameter `{name}`")
            return self._unknown(node, text)
        if attr is None and name in self.pseudo:
            return Node(self.pseudo[name], node.file, node.line, node.end_line)
        if name in self.resources:
            if name in self.conditional and not self.exists(self.resources[name]):
                return self._unknown(node, text)  # a resource that is not created
            return Node(Ref(self.uid(name), attr, text), node.file, node.line, node.end_line)
        return self._unknown(node, text)  # pseudo parameters, undeclared names

    def _string_of(self, value: Node) -> str | None:
        """A resolved value as a string, following references to buckets with a literal name."""
        v = value.value
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (str, int, float)):
            return str(v)
        if isinstance(v, Ref):
            logical_id = v.uid.rsplit("::", 1)[1]
            raw = self.resources.get(logical_id)
            if raw is None or _text(raw.get("Type")) != "AWS::S3::Bucket":
                return None
            name = self.resolve(raw.get("Properties", "BucketName"))
            if not isinstance(name, Node) or not isinstance(name.value, str):
                return None
            if v.attr in (None,):
                return name.value
            if v.attr == "Arn":
                return f"arn:aws:s3:::{name.value}"
            if v.attr == "DomainName":
                return f"{name.value}.s3.amazonaws.com"
        return None

    def _sub(self, arg: Node, node: Node) -> Node:
        if isinstance(arg.value, list) and len(arg.value) == 2:
            template, variables = arg.value[0], _dict(arg.value[1])
        else:
            template, variables = arg, {}
        if not isinstance(template.value, str):
            return self._unknown(node, "Fn::Sub")
        refs: list[Ref] = []
        known = True

        def replace(match: re.Match) -> str:
            nonlocal known
            inner = match.group(1)
            if inner.startswith("!"):
                return "${" + inner[1:] + "}"
            if inner in variables:
                value = self.resolve(variables[inner])
            else:
                name, _, attr = inner.partition(".")
                value = self._ref(name, attr or None, node)
            if isinstance(value, Node):
                if isinstance(value.value, Ref):
                    refs.append(value.value)
                elif isinstance(value.value, Unknown):
                    refs.extend(value.value.refs)
                text = self._string_of(value)
                if text is not None:
                    return text
            known = False
            return match.group(0)

        result = _SUB_VAR.sub(replace, template.value)
        if known:
            return Node(result, node.file, node.line, node.end_line, template.text_line)
        return Node(Unknown(result, tuple(refs)), node.file, node.line, node.end_line, template.text_line)

    def _join(self, arg: Node, node: Node) -> Node:
        parts = arg.value if isinstance(arg.value, list) else []
        if len(parts) != 2 or not isinstance(parts[0].value, str):
            return self._unknown(node, "Fn::Join")
        items = self.resolve(parts[1])
        if not isinstance(items, Node) or not isinstance(items.value, list):
            return self._unknown(node, "Fn::Join")
        texts, refs, known = [], [], True
        for item in items.value:
            text = self._string_of(item)
            if text is None:
                known = False
                if isinstance(item.value, Ref):
                    refs.append(item.value)
                    text = item.value.text
                elif isinstance(item.value, Unknown):
                    refs.extend(item.value.refs)
                    text = item.value.text
                else:
                    text = "${?}"
            texts.append(text)
        joined = parts[0].value.join(texts)
        return Node(joined if known else Unknown(joined, tuple(refs)), node.file, node.line, node.end_line)

    def _find_in_map(self, arg: Node, node: Node) -> Node:
        keys = [self.resolve(k) for k in (arg.value if isinstance(arg.value, list) else [])]
        if len(keys) == 3 and self.mappings is not None and all(isinstance(k, Node) and isinstance(k.value, str) for k in keys):
            found = self.mappings.get(keys[0].value, keys[1].value, keys[2].value)
            if found is not None:
                return Node(found.value, node.file, node.line, node.end_line)
        return self._unknown(node, "Fn::FindInMap")

    # ------------------------------------------------------------- resources

    def build(self, logical_id: str, raw: Node, doc: Document) -> None:
        type_name = _text(raw.get("Type")) or ""
        location = Location(self.path, raw.line, raw.end_line or raw.line)
        common = dict(uid=self.uid(logical_id), address=logical_id, type=type_name, format=FORMAT, location=location)
        if type_name in DNS_ENDPOINTS:
            common["dns_endpoints"] = DNS_ENDPOINTS[type_name]
        builder = _BUILDERS.get(type_name)
        built = len(doc.resources)
        props = None
        if builder is not None or type_name in _HOLD_SECRETS:  # else no rule reads its properties
            props = self.resolve(raw.get("Properties"))
            if not isinstance(props, Node) or not isinstance(props.value, dict):
                props = Node({}, self.path, raw.line, raw.end_line)
        if builder is None:
            doc.resources.append(Resource(**common))
        else:
            builder(self, common, props, doc)
        construct = _text(raw.get("Metadata", "aws:cdk:path")) if "Metadata" in raw.value else None
        if construct:  # CDK output: its user knows the construct, not the generated logical ID
            for resource in doc.resources[built:]:
                if resource.uid.startswith(common["uid"]):  # not a nested stack's resources
                    resource.address = construct + resource.address[len(logical_id):]
        if self.address_prefix:
            for resource in doc.resources[built:]:
                if resource.uid.startswith(common["uid"]):
                    resource.address = self.address_prefix + resource.address
        secrets = self.secrets(type_name, raw.get("Properties"), props) if props is not None else None
        if secrets:
            resource = next((r for r in reversed(doc.resources) if r.uid == common["uid"]), None)
            if resource is not None:
                resource.secrets = secrets

    def secrets(self, type_name: str, raw: Node | None, props: Node) -> list[SecretSetting]:
        """The resource's properties where a secret belongs (see :class:`SecretSetting`)."""
        out = []
        for path, what in _SECRET_PROPERTIES.get(type_name, ()):
            value = self._secret_value(raw, props, path)
            if value is not None:
                out.append(SecretSetting(path[-1], what, value, self._parameter_of(raw, path)))
        environment = _ENVIRONMENTS.get(type_name)
        if environment is not None:
            for name in _dict(props.get(*environment)):
                value = self._secret_value(raw, props, (*environment, name))
                if value is not None:
                    out.append(SecretSetting(name, "environment variable", value, self._parameter_of(raw, (*environment, name))))
        if type_name == "AWS::ECS::TaskDefinition":
            containers = props.get("ContainerDefinitions")
            for i, container in enumerate(containers.items() if containers is not None else []):
                variables = container.get("Environment")
                for j, variable in enumerate(variables.items() if variables is not None else []):
                    name = _text(variable.get("Name"))
                    path = ("ContainerDefinitions", i, "Environment", j, "Value")
                    value = self._secret_value(raw, props, path)
                    if name is not None and value is not None:
                        out.append(SecretSetting(name, "environment variable", value, self._parameter_of(raw, path)))
        return out

    def _secret_value(self, raw: Node | None, props: Node, path: tuple) -> Node | None:
        """The value at ``path``; a ``Ref`` to a parameter is its ``Default``, where it is written."""
        name = self._parameter_of(raw, path)
        default = self.parameters[name].get("Default") if name is not None else None
        if default is not None and isinstance(default.value, str):
            return default
        return props.get(*path)

    def _parameter_of(self, raw: Node | None, path: tuple) -> str | None:
        """The parameter a property is a bare ``Ref`` to."""
        written = raw.get(*path) if raw is not None else None
        if written is not None and isinstance(written.value, dict) and set(written.value) == {"Ref"}:
            name = written.value["Ref"].value
            return name if isinstance(name, str) and name in self.parameters else None
        return None

    def policy(self, node: Node | None, kind: str, owner: Resource, doc: Document, attached_to: Node | None = None, on_bucket: bool = False, **details: Any) -> None:
        """Add a policy document written as an object or as a JSON string."""
        if node is None:
            return
        if isinstance(node.value, str):
            start = node.text_line or node.line  # a block scalar's text starts on the next line
            try:
                body = load_json(node.value, self.path)
            except LoadError:
                body = node  # kept as text: the grammar (PL204) reports where the JSON breaks
            else:
                body = _shift(body, start - 1)
        else:
            body = node
        doc.policies.append(PolicyDocument(body=body, kind=kind, owner=owner, attached_to=attached_to, format=FORMAT, on_bucket=on_bucket, **details))


def _shift(node: Node, offset: int) -> Node:
    """Move the lines of a document parsed from a string to where the string sits."""
    for child in node.walk():
        child.line += offset
        if child.end_line is not None:
            child.end_line += offset
    return node


def _dict(node: Node | None) -> dict[str, Node]:
    return node.value if node is not None and isinstance(node.value, dict) else {}


def _kind(value: Any) -> str:
    """How a message names a value of the wrong kind."""
    if value is None:
        return "empty"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "a single value"


def _text(node: Node | None) -> str | None:
    return node.value if node is not None and isinstance(node.value, str) else None


def _loc(node: Node) -> Location:
    return node.location


def _get(node: Node | None, *path: str | int) -> Node | None:
    """Like ``Node.get``, but an unknown met on the way (``Fn::If``, an imported value) is
    returned instead of None: the property is there, its contents cannot be known."""
    for step in path:
        if node is None or not node.known:
            return node
        node = node.get(step)
    return node


# ------------------------------------------------------------------ per-type builders


def _bucket(t: _Template, common: dict, props: Node, doc: Document) -> None:
    bucket = S3Bucket(**common, name=props.get("BucketName"))
    logging = props.get("LoggingConfiguration")
    if logging is not None and isinstance(logging.value, dict):
        bucket.logging = S3Logging(target=logging.get("DestinationBucketName"), location=_loc(logging))
    elif logging is not None:
        bucket.logging = S3Logging(target=Node(Unknown("LoggingConfiguration"), logging.file, logging.line), location=_loc(logging))
    versioning = props.get("VersioningConfiguration")
    if versioning is not None:
        bucket.versioning = versioning.get("Status") or (versioning if not versioning.known else None)
    replication = props.get("ReplicationConfiguration")
    if replication is not None:
        rules = []
        listed = _get(replication, "Rules")
        for rule in (listed.items() if listed is not None else []):
            rules.append(ReplicationRule(status=_get(rule, "Status"), destination=_get(rule, "Destination", "Bucket"), location=_loc(rule)))
        bucket.replication = S3Replication(role=_get(replication, "Role"), rules=rules, location=_loc(replication))
    block = props.get("PublicAccessBlockConfiguration")
    if block is not None and isinstance(block.value, dict):
        settings = {canonical: block.get(key) for key, canonical in PAB_KEYS.items()}
        bucket.keys.update({canonical: key for key, canonical in PAB_KEYS.items()})
        bucket.public_access_block = PublicAccessBlock(settings=settings, location=_loc(block), owner=bucket)
    acl = props.get("AccessControl")
    if acl is not None:
        canned = CANNED_ACLS.get(acl.value) if isinstance(acl.value, str) else None
        bucket.acl = Node(canned, acl.file, acl.line, acl.end_line, origin=acl.origin) if canned else acl
        bucket.acl_written = acl.value if canned else None
    ownership = props.get("OwnershipControls", "Rules", 0, "ObjectOwnership")
    bucket.ownership = ownership
    encryption = props.get("BucketEncryption")
    if encryption is not None:
        algorithm = _get(encryption, "ServerSideEncryptionConfiguration", 0, "ServerSideEncryptionByDefault", "SSEAlgorithm")
        # A configuration that names no default algorithm is still a configuration.
        bucket.encryption = algorithm or Node(Unknown("BucketEncryption without SSEAlgorithm"), encryption.file, encryption.line, encryption.end_line)
    cors = _get(props, "CorsConfiguration", "CorsRules")
    if cors is not None:
        bucket.cors_rules = [CorsRule(origins=_get(r, "AllowedOrigins"), methods=_get(r, "AllowedMethods"), location=_loc(r)) for r in cors.items()]
    website = props.get("WebsiteConfiguration")
    if website is not None:
        bucket.website = _website(website, "RedirectAllRequestsTo")
    bucket.object_lock = props.get("ObjectLockEnabled")
    doc.resources.append(bucket)


def _website(config: Node, redirect_key: str) -> S3Website:
    """A website configuration; ``redirect_key`` names its redirect-everything setting."""
    if not config.known:
        return S3Website(None, config.location)
    redirect = config.get(redirect_key)
    return S3Website(redirect is not None and redirect.value not in (None, []), config.location)


def _bucket_policy(t: _Template, common: dict, props: Node, doc: Document) -> None:
    owner = Resource(**common)
    doc.resources.append(owner)
    t.policy(props.get("PolicyDocument"), "resource", owner, doc, attached_to=props.get("Bucket"), on_bucket=True)


# Attributes that hold a DNS name an alias record can target (see Resource.dns_endpoints).
DNS_ENDPOINTS = {
    "AWS::ElasticLoadBalancingV2::LoadBalancer": {"DNSName": "elb"},
    "AWS::ElasticLoadBalancing::LoadBalancer": {"DNSName": "elb", "CanonicalHostedZoneName": "elb"},
    "AWS::CloudFront::Distribution": {"DomainName": "cloudfront"},
    "AWS::ApiGateway::DomainName": {"RegionalDomainName": "api-gateway", "DistributionDomainName": "cloudfront"},
    "AWS::ApiGatewayV2::DomainName": {"RegionalDomainName": "api-gateway"},
    "AWS::GlobalAccelerator::Accelerator": {"DnsName": "global-accelerator", "DualStackDnsName": "global-accelerator"},
}


def _hosted_zone(t: _Template, common: dict, props: Node, doc: Document) -> None:
    doc.resources.append(HostedZone(**common, name=props.get("Name")))


_ROUTING_POLICIES = (
    ("Weight", "weighted"),
    ("Region", "latency"),
    ("Failover", "failover"),
    ("GeoLocation", "geolocation"),
    ("GeoProximityLocation", "geoproximity"),
    ("CidrRoutingConfig", "cidr"),
    ("MultiValueAnswer", "multivalue"),
)


def _record(props: Node, common: dict, zone: Node | None, zone_name: Node | None) -> DnsRecord:
    """One record set; ``zone`` and ``zone_name`` are its group's HostedZoneId and HostedZoneName."""
    routing = policy = None
    for key, name in _ROUTING_POLICIES:
        node = props.get(key)
        if node is None or node.value is None or (name == "multivalue" and truth(node) is False):
            continue  # `MultiValueAnswer: false` is simple routing
        routing, policy = node, name
        break
    alias = props.get("AliasTarget")
    return DnsRecord(
        **common,
        name=props.get("Name"),
        record_type=props.get("Type"),
        zone=props.get("HostedZoneId") or zone,
        zone_fqdn=dns_name(text_of(props.get("HostedZoneName") or zone_name)) or None,
        ttl=props.get("TTL"),
        records=props.get("ResourceRecords"),
        alias=alias,
        health_check=props.get("HealthCheckId"),
        routing=routing,
        routing_policy=policy,
        failover=routing if policy == "failover" else None,
        geo_country=_get(routing, "CountryCode") if policy == "geolocation" else None,
        evaluate_target_health=_get(alias, "EvaluateTargetHealth"),
    )


def _record_set(t: _Template, common: dict, props: Node, doc: Document) -> None:
    doc.resources.append(_record(props, common, None, None))


def _record_set_group(t: _Template, common: dict, props: Node, doc: Document) -> None:
    doc.resources.append(Resource(**common))
    sets = props.get("RecordSets")
    for index, item in enumerate(sets.items() if sets is not None else []):
        if not isinstance(item.value, dict):
            continue
        member = dict(common, uid=f"{common['uid']}.RecordSets[{index}]", address=f"{common['address']}.RecordSets[{index}]",
                      type="AWS::Route53::RecordSet", location=_loc(item))
        doc.resources.append(_record(item, member, props.get("HostedZoneId"), props.get("HostedZoneName")))


# How templates spell the canonical fields of each kind (Resource.keys), for rules' messages.
_LAUNCH_KEYS = {
    "user_data": "UserData",
    "metadata_options": "MetadataOptions",
    "metadata_http_tokens": "HttpTokens",
    "metadata_http_endpoint": "HttpEndpoint",
}
_CACHE_KEYS = {
    "engine": "Engine",
    "transit_encryption": "TransitEncryptionEnabled",
    "at_rest_encryption": "AtRestEncryptionEnabled",
    "auth_token": "AuthToken",
    "user_groups": "UserGroupIds",
    "automatic_failover": "AutomaticFailoverEnabled",
    "multi_az": "MultiAZEnabled",
}
_DATABASE_KEYS = {
    "engine": "Engine",
    "storage_encrypted": "StorageEncrypted",
    "publicly_accessible": "PubliclyAccessible",
    "iam_auth": "EnableIAMDatabaseAuthentication",
    "backup_retention": "BackupRetentionPeriod",
    "multi_az": "MultiAZ",
    "cluster": "DBClusterIdentifier",
    "engine_mode": "EngineMode",
    "engine_version": "EngineVersion",
}


def _launch(path: tuple[str, ...]):
    def build(t: _Template, common: dict, props: Node, doc: Document) -> None:
        data = props.get(*path) if path else props
        data = data or Node({}, props.file, props.line)
        raw = t.resources[common["address"]].get("Properties", *path, "UserData")
        user_data = data.get("UserData")
        if raw is not None and user_data is not None and raw.value is user_data.value and isinstance(user_data.value, str):
            user_data = _decoded(user_data)  # written without Fn::Base64: already base64
        doc.resources.append(ComputeLaunch(
            **common,
            keys=_LAUNCH_KEYS,
            user_data=user_data,
            metadata_options=data.get("MetadataOptions"),
            metadata_http_tokens=_get(data, "MetadataOptions", "HttpTokens"),
            metadata_http_endpoint=_get(data, "MetadataOptions", "HttpEndpoint"),
            launch_template=props.get("LaunchTemplate") if common["type"] == "AWS::EC2::Instance" else None,
        ))
    return build


def _decoded(node: Node) -> Node:
    """The text of a literal base64 value; unknown when it is not base64 of UTF-8 text."""
    import base64
    import binascii

    try:
        text = base64.b64decode("".join(node.value.split()), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return Node(Unknown("UserData"), node.file, node.line, node.end_line)
    return Node(text, node.file, node.line, node.end_line)


def _cache(kind: str):
    def build(t: _Template, common: dict, props: Node, doc: Document) -> None:
        group = CacheGroup(
            **common,
            keys=_CACHE_KEYS,
            kind=kind,
            engine=props.get("Engine"),
            transit_encryption=props.get("TransitEncryptionEnabled"),
            at_rest_encryption=props.get("AtRestEncryptionEnabled"),
            auth_token=props.get("AuthToken"),
            user_groups=props.get("UserGroupIds"),
            automatic_failover=props.get("AutomaticFailoverEnabled"),
            multi_az=props.get("MultiAZEnabled"),
        )
        global_id = props.get("GlobalReplicationGroupId")
        if global_id is not None:
            # A secondary of a global datastore: engine, encryption and failover are the primary's.
            inherited = Node(Unknown("inherited from the global datastore"), global_id.file, global_id.line, global_id.end_line)
            group.engine = group.transit_encryption = group.at_rest_encryption = group.automatic_failover = inherited
        doc.resources.append(group)
    return build


def _database(kind: str):
    def build(t: _Template, common: dict, props: Node, doc: Document) -> None:
        # Restored, replicated and global-database members inherit their storage encryption.
        restored = (
            props.get("SourceDBInstanceIdentifier") or props.get("DBSnapshotIdentifier") or props.get("SnapshotIdentifier")
            or props.get("SourceDBClusterIdentifier") or props.get("GlobalClusterIdentifier")
        )
        doc.resources.append(Database(
            **common,
            keys=_DATABASE_KEYS,
            kind=kind,
            engine=props.get("Engine"),
            storage_encrypted=props.get("StorageEncrypted"),
            publicly_accessible=props.get("PubliclyAccessible"),
            iam_auth=props.get("EnableIAMDatabaseAuthentication"),
            backup_retention=props.get("BackupRetentionPeriod"),
            multi_az=props.get("MultiAZ"),
            cluster=props.get("DBClusterIdentifier") if kind == "instance" else None,
            restored_from=restored,
            engine_mode=props.get("EngineMode"),
            engine_version=props.get("EngineVersion"),
        ))
    return build


# Properties where a secret belongs: (path, what it holds).
_PASSWORD = ((("MasterUserPassword",), "master password"),)
_SECRET_PROPERTIES = {
    "AWS::RDS::DBInstance": _PASSWORD,
    "AWS::RDS::DBCluster": _PASSWORD,
    "AWS::DocDB::DBCluster": _PASSWORD,
    "AWS::Redshift::Cluster": _PASSWORD,
    "AWS::RedshiftServerless::Namespace": ((("AdminUserPassword",), "admin password"),),
    "AWS::ElastiCache::ReplicationGroup": ((("AuthToken",), "auth token"),),
    "AWS::SecretsManager::Secret": ((("SecretString",), "secret string"),),
    "AWS::DirectoryService::MicrosoftAD": ((("Password",), "directory admin password"),),
    "AWS::DirectoryService::SimpleAD": ((("Password",), "directory admin password"),),
}
# Where a function's environment variables are (every variable: rules judge the names).
_ENVIRONMENTS = {
    "AWS::Lambda::Function": ("Environment", "Variables"),
    "AWS::Serverless::Function": ("Environment", "Variables"),
}


# Types without a builder whose properties are still read: for the secrets they may hold.
_HOLD_SECRETS = frozenset({*_SECRET_PROPERTIES, *_ENVIRONMENTS, "AWS::ECS::TaskDefinition"})


_BUCKET_DOMAIN = lazy(r"\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$")


def _log_delivery(service: str, *path: str):
    """A resource that has ``service`` deliver logs into the bucket at ``path``."""
    def build(t: _Template, common: dict, props: Node, doc: Document) -> None:
        bucket = props.get(*path)
        if common["type"] == "AWS::ElasticLoadBalancingV2::LoadBalancer":
            attributes = props.get("LoadBalancerAttributes")
            bucket = next((a.get("Value") for a in (attributes.items() if attributes is not None else [])
                           if _text(a.get("Key")) == "access_logs.s3.bucket"), None)
        if bucket is not None and isinstance(bucket.value, str):
            bucket = Node(_BUCKET_DOMAIN.sub("", bucket.value), bucket.file, bucket.line, bucket.end_line)
        doc.resources.append(LogDelivery(**common, service=service, bucket=bucket))
    return build


_BUILDERS = {
    "AWS::CloudTrail::Trail": _log_delivery("CloudTrail", "S3BucketName"),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": _log_delivery("load-balancer access logs"),
    "AWS::ElasticLoadBalancing::LoadBalancer": _log_delivery("load-balancer access logs", "AccessLoggingPolicy", "S3BucketName"),
    "AWS::CloudFront::Distribution": _log_delivery("CloudFront standard logs", "DistributionConfig", "Logging", "Bucket"),
    "AWS::ElastiCache::ReplicationGroup": _cache("replication_group"),
    "AWS::ElastiCache::CacheCluster": _cache("cluster"),
    "AWS::RDS::DBInstance": _database("instance"),
    "AWS::RDS::DBCluster": _database("cluster"),
    "AWS::S3::Bucket": _bucket,
    "AWS::S3::BucketPolicy": _bucket_policy,
    "AWS::Route53::HostedZone": _hosted_zone,
    "AWS::Route53::RecordSet": _record_set,
    "AWS::Route53::RecordSetGroup": _record_set_group,
    "AWS::EC2::Instance": _launch(()),
    "AWS::EC2::LaunchTemplate": _launch(("LaunchTemplateData",)),
    "AWS::AutoScaling::LaunchConfiguration": _launch(()),
}
_BUILDERS.update(SAM_BUILDERS)  # AWS::Serverless::* as the SAM transform expands them


_BUILDERS.update(cfn_stacks.builders(parse))  # nested stacks and StackSets


_BUILDERS.update(cfn_policies.BUILDERS)  # IAM and resource policies (cfn_policies.py)


def _properties_unread(type_name: str) -> bool:
    """Whether nothing reads the ``Properties`` of a resource of this type: no model class is
    built from them, none holds a secret, none names a nested stack."""
    return type_name not in _BUILDERS and type_name not in _HOLD_SECRETS and type_name not in cfn_stacks.CHILD_PROPERTY


_SECTIONS_READ = frozenset({"Resources", "Transform", "Parameters", "Mappings", "Conditions", "Outputs", "Globals"})


def _sections_read(sections: set[str]) -> frozenset[str]:
    """The top-level sections :func:`parse` reads: none without ``Resources`` (not a template)."""
    return _SECTIONS_READ if "Resources" in sections else frozenset()


# What the loaders leave unbuilt (a fifth of the values of the corpus's templates: the properties
# of networking resources, alarms...; `Metadata`).
_UNREAD = Unread(_sections_read, _properties_unread)


def parse_unit(unit) -> Document:
    """The registry's entry point (see :mod:`policylint.parsers`): one template, or a stack tree
    (a parent template and its nested stacks' templates)."""
    if len(unit.sources) > 1:
        return cfn_stacks.parse_group(unit, parse)
    return parse(unit.text, unit.path, dict(getattr(unit, "parameters", ())))
