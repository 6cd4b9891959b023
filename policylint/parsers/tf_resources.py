"""Terraform resource values -> canonical model objects, shared by the HCL and plan parsers.

Input is one resource's evaluated values as a dict :class:`Node`, in the shape of Terraform plan
JSON ``values``: attributes by name, nested blocks as lists of dict Nodes
(``logging { ... }`` -> ``attrs["logging"] == Node([Node({...})])``), unknown parts as
``Unknown``/``Ref`` Nodes.  A ``None`` value or an empty list means "not set".

A policy attribute may hold a dict Node (HCL ``jsonencode({...})``, a converted
``aws_iam_policy_document``, a JSON file: already a located tree), a JSON string (heredoc, plan
JSON: parsed here), or an unknown.

Entry point: :func:`build`.
"""

from __future__ import annotations

import binascii
import json
import re

from policylint.model import (
    PUBLIC_ACCESS_BLOCK_SETTINGS,
    AccountPublicAccessBlock,
    AclGrant,
    BucketPart,
    CacheGroup,
    ComputeLaunch,
    InstanceMetadataDefaults,
    LogDelivery,
    CorsRule,
    Database,
    DnsRecord,
    HostedZone,
    Location,
    Node,
    PolicyDocument,
    PublicAccessBlock,
    Ref,
    ReplicationRule,
    Resource,
    S3Bucket,
    S3Logging,
    S3Object,
    S3Replication,
    S3Website,
    SecretSetting,
    Unknown,
    truth,
)
from policylint.parsers import tf_policies
from policylint.parsers.located_json import json_to_node
from policylint.patterns import lazy
from policylint.records import record

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Any, Callable


@record
class Built:
    resources: list[Resource]  # exactly one today
    policies: list[PolicyDocument]  # the documents the resource carries


def build(tf_type: str, address: str, uid: str, attrs: Node, location: Location, format: str) -> Built:
    """The model objects for one Terraform resource.

    ``address`` is what users read (``aws_s3_bucket.b``, ``module.m.aws_s3_bucket.b``); ``uid`` is
    the scan-wide id that :class:`Ref` values point at (the HCL parser uses
    ``tf:<directory>::<address>``); ``location`` spans the resource; ``format`` is ``terraform``
    or ``plan`` and is copied onto everything built.  References arrive as :class:`Ref` values
    already, so no builder needs the module's uid prefix.
    """
    if not isinstance(attrs.value, dict):  # a resource whose whole body is unknown
        unknown = Resource(uid, address, tf_type, format, location, dns_endpoints=DNS_ENDPOINTS.get(tf_type, {}))
        return Built([unknown], [])
    ctx = _Context(tf_type, address, uid, attrs, location, format)
    builder = _BUILDERS.get(tf_type)
    resource = ctx.plain() if builder is None else builder(ctx)
    resource.dns_endpoints = DNS_ENDPOINTS.get(tf_type, {})
    resource.secrets = secret_settings(tf_type, attrs)
    return Built([resource], ctx.policies)


# Attributes where a secret belongs: name -> what it holds.
_SECRET_ATTRIBUTES = {
    "aws_db_instance": {"password": "master password"},
    "aws_rds_cluster": {"master_password": "master password"},
    "aws_docdb_cluster": {"master_password": "master password"},
    "aws_redshift_cluster": {"master_password": "master password"},
    "aws_redshiftserverless_namespace": {"admin_user_password": "admin password"},
    "aws_elasticache_replication_group": {"auth_token": "auth token"},
    "aws_secretsmanager_secret_version": {"secret_string": "secret string"},
    "aws_directory_service_directory": {"password": "directory admin password"},
}


def secret_settings(tf_type: str, attrs: Node) -> list[SecretSetting]:
    """The attributes where a secret belongs, and every environment variable of a Lambda function
    or an ECS container definition (see :class:`SecretSetting`)."""
    out = [
        SecretSetting(name, what, node)
        for name, what in _SECRET_ATTRIBUTES.get(tf_type, {}).items()
        if (node := _attr(attrs, name)) is not None
    ]
    environment = _ENVIRONMENTS.get(tf_type)
    return out + environment(attrs) if environment is not None else out


def _lambda_environment(attrs: Node) -> list[SecretSetting]:
    variables = _attr(_block(attrs, "environment"), "variables")
    if variables is None or not isinstance(variables.value, dict):
        return []
    return [SecretSetting(name, "environment variable", node) for name, node in variables.value.items() if node.value is not None]


def _container_environment(attrs: Node) -> list[SecretSetting]:
    out = []
    definitions = policy_body(_attr(attrs, "container_definitions"))  # a JSON document like a policy
    for container in definitions.items() if definitions is not None and isinstance(definitions.value, list) else []:
        environment = container.get("environment")
        for variable in environment.items() if environment is not None and isinstance(environment.value, list) else []:
            name, value = variable.get("name"), variable.get("value")
            if name is not None and isinstance(name.value, str) and value is not None:
                out.append(SecretSetting(name.value, "environment variable", value))
    return out


# Types whose environment variables are read for secrets: type -> reader.
_ENVIRONMENTS = {"aws_lambda_function": _lambda_environment, "aws_ecs_task_definition": _container_environment}


class _Context:
    def __init__(self, tf_type: str, address: str, uid: str, attrs: Node, location: Location, format: str):
        self.type = tf_type
        self.address = address
        self.uid = uid
        self.attrs = attrs
        self.location = location
        self.format = format
        self.policies: list[PolicyDocument] = []

    def plain(self) -> Resource:
        return Resource(self.uid, self.address, self.type, self.format, self.location)

    def common(self) -> dict[str, Any]:
        return dict(uid=self.uid, address=self.address, type=self.type, format=self.format, location=self.location)

    def add_policy(self, value: Node | None, kind: str, owner: Resource, attached_to: Node | None = None, on_bucket: bool = False, **details: Any) -> None:
        body = policy_body(value)
        if body is not None:
            self.policies.append(PolicyDocument(body, kind, owner, attached_to=attached_to, format=self.format, on_bucket=on_bucket, **details))


# --------------------------------------------------------------------------- value helpers


def _attr(node: Node | None, name: str) -> Node | None:
    """An attribute that is set: None when missing or null."""
    child = node.get(name) if node is not None else None
    if child is None or child.value is None:
        return None
    return child


def _blocks(node: Node | None, name: str) -> list[Node]:
    """The blocks ``name`` as dict Nodes.  An unknown block (``dynamic``, a computed plan value)
    comes back as a one-item list holding that unknown Node: "present, contents unknown"."""
    child = _attr(node, name)
    if child is None:
        return []
    if isinstance(child.value, list):
        return [item for item in child.value if item.value is not None]
    return [child]  # a single object (plan JSON sometimes) or an Unknown


def _block(node: Node | None, name: str) -> Node | None:
    found = _blocks(node, name)
    return found[0] if found else None


def _unknown_like(node: Node) -> Node:
    """An unknown at node's place (for a part of a block that is itself unknown)."""
    value = node.value
    if isinstance(value, Ref):
        value = Unknown(value.text, (value,))
    elif not isinstance(value, Unknown):
        value = Unknown(str(value))
    return Node(value, node.file, node.line, node.end_line)


def _inner(node: Node | None, name: str) -> Node | None:
    """``node[name]``, or an unknown at node's place when node itself is unknown."""
    if node is None:
        return None
    if not node.known:
        return _unknown_like(node)
    return _attr(node, name)


def _truth(node: Node | None) -> bool | None:
    """Terraform's bool conversion of a known value; None when unknown or not a bool."""
    return truth(node, ignore_case=False)


def _mapped(node: Node | None, when_true: Any, when_false: Any) -> Node | None:
    """A bool attribute rewritten as the words the model uses (``Enabled``/``Suspended``)."""
    if node is None:
        return None
    truth = _truth(node)
    if truth is None:
        return node if not node.known else _unknown_like(node)
    return Node(when_true if truth else when_false, node.file, node.line, node.end_line)


# --------------------------------------------------------------------------- S3


def _s3_bucket(ctx: _Context) -> Resource:
    attrs = ctx.attrs
    name = _attr(attrs, "bucket")
    if name is None and _attr(attrs, "bucket_prefix") is not None:
        prefix = _attr(attrs, "bucket_prefix")
        name = Node(Unknown(f"{prefix.value if prefix.known else ''}<random suffix>"), prefix.file, prefix.line, prefix.end_line)
    bucket = S3Bucket(**ctx.common(), name=name, name_prefix=_attr(attrs, "bucket_prefix"))

    logging = _block(attrs, "logging")
    if logging is not None:
        bucket.logging = S3Logging(_target_bucket(logging), logging.location)

    versioning = _block(attrs, "versioning")
    if versioning is not None:
        if versioning.known:
            # A versioning block without `enabled` leaves the provider default: false.
            enabled = _attr(versioning, "enabled") or Node(False, versioning.file, versioning.line, versioning.end_line)
            bucket.versioning = _mapped(enabled, "Enabled", "Suspended")
            bucket.mfa_delete = _mapped(_attr(versioning, "mfa_delete"), "Enabled", "Disabled")
        else:
            bucket.versioning = _unknown_like(versioning)

    replication = _block(attrs, "replication_configuration")
    if replication is not None:
        bucket.replication = _replication(replication, "rules")

    acl = _attr(attrs, "acl")
    if acl is not None:
        bucket.acl = acl
    for grant in _blocks(attrs, "grant"):
        bucket.grants.extend(_v3_grants(grant))

    encryption = _block(attrs, "server_side_encryption_configuration")
    if encryption is not None:
        bucket.encryption = _sse_algorithm(encryption)

    for rule in _blocks(attrs, "cors_rule"):
        bucket.cors_rules.append(_cors(rule))

    website = _block(attrs, "website")
    if website is not None:
        bucket.website = _website(website)

    bucket.object_lock = _object_lock(attrs)

    policy = _attr(attrs, "policy")
    if policy is not None:
        itself = Node(Ref(ctx.uid, "id", ctx.address), policy.file, policy.line, policy.end_line)
        ctx.add_policy(policy, "resource", bucket, attached_to=itself, on_bucket=True)
    return bucket


def _replication(config: Node, rules_name: str) -> S3Replication:
    if not config.known:
        unknown = _unknown_like(config)
        return S3Replication(unknown, [ReplicationRule(unknown, unknown, config.location)], config.location)
    rules = []
    for rule in _blocks(config, rules_name):
        destination = _block(rule, "destination") if rule.known else rule
        rules.append(ReplicationRule(_inner(rule, "status"), _inner(destination, "bucket"), rule.location))
    return S3Replication(_attr(config, "role"), rules, config.location)


def _v3_grants(grant: Node) -> list[AclGrant]:
    if not grant.known:
        unknown = _unknown_like(grant)
        return [AclGrant(unknown, unknown, grant.location)]
    uri = _attr(grant, "uri")
    permissions = _attr(grant, "permissions")
    if permissions is None:
        return []
    if not isinstance(permissions.value, list):  # unknown set
        return [AclGrant(uri, permissions, grant.location)]
    return [AclGrant(uri, permission, grant.location) for permission in permissions.value]


def _sse_algorithm(config: Node) -> Node:
    """The default algorithm of an SSE configuration (v3 block or v4 resource alike)."""
    if not config.known:
        return _unknown_like(config)
    for rule in _blocks(config, "rule"):
        by_default = _block(rule, "apply_server_side_encryption_by_default") if rule.known else rule
        algorithm = _inner(by_default, "sse_algorithm")
        if algorithm is not None:
            return algorithm
    # A configuration whose rules name no algorithm: present, but nothing to read.
    return Node(Unknown("server-side encryption without a default algorithm"), config.file, config.line, config.end_line)


def _cors(rule: Node) -> CorsRule:
    return CorsRule(_inner(rule, "allowed_origins"), _inner(rule, "allowed_methods"), rule.location)


def _object_lock(attrs: Node) -> Node | None:
    enabled = _attr(attrs, "object_lock_enabled")
    if enabled is not None:
        return _enabled_word(enabled)
    config = _block(attrs, "object_lock_configuration")
    if config is None:
        return None
    return _enabled_word(_inner(config, "object_lock_enabled") or config)


def _enabled_word(node: Node) -> Node:
    """``object_lock_enabled`` is a bool on the bucket and "Enabled" in the v3/v4 blocks: keep a
    bool."""
    if node.value == "Enabled":
        return Node(True, node.file, node.line, node.end_line)
    return node


def _part(ctx: _Context, updates: dict[str, Any]) -> BucketPart:
    return BucketPart(**ctx.common(), bucket=_attr(ctx.attrs, "bucket"), updates=updates)


def _s3_logging(ctx: _Context) -> Resource:
    return _part(ctx, {"logging": S3Logging(_target_bucket(ctx.attrs), ctx.location)})


def _target_bucket(config: Node) -> Node:
    """Terraform requires ``target_bucket``; never None, which the model reads as "the bucket
    itself" (CloudFormation's default)."""
    target = _inner(config, "target_bucket")
    return target if target is not None else Node(Unknown("target_bucket not set"), config.file, config.line, config.end_line)


def _s3_versioning(ctx: _Context) -> Resource:
    config = _block(ctx.attrs, "versioning_configuration")
    updates: dict[str, Any] = {}
    if config is not None:
        updates["versioning"] = _inner(config, "status")
        mfa_delete = _inner(config, "mfa_delete")
        if mfa_delete is not None:
            updates["mfa_delete"] = mfa_delete
    return _part(ctx, updates)


def _s3_replication(ctx: _Context) -> Resource:
    return _part(ctx, {"replication": _replication(ctx.attrs, "rule")})


def _public_access_block(node: Node, location: Location, owner: Resource) -> PublicAccessBlock:
    settings = {name: _attr(node, name) for name in PUBLIC_ACCESS_BLOCK_SETTINGS}
    owner.keys.update({name: name for name in PUBLIC_ACCESS_BLOCK_SETTINGS})
    return PublicAccessBlock(settings, location, owner)


def _s3_public_access_block(ctx: _Context) -> Resource:
    part = _part(ctx, {})
    part.updates["public_access_block"] = _public_access_block(ctx.attrs, ctx.location, part)
    return part


def _account_public_access_block(ctx: _Context) -> Resource:
    account = AccountPublicAccessBlock(**ctx.common())
    account.block = _public_access_block(ctx.attrs, ctx.location, account)
    return account


def _s3_acl(ctx: _Context) -> Resource:
    updates: dict[str, Any] = {}
    acl = _attr(ctx.attrs, "acl")
    if acl is not None:
        updates["acl"] = acl
    grants: list[AclGrant] = []
    for policy in _blocks(ctx.attrs, "access_control_policy"):
        if not policy.known:
            unknown = _unknown_like(policy)
            grants.append(AclGrant(unknown, unknown, policy.location))
            continue
        for grant in _blocks(policy, "grant"):
            grantee = _block(grant, "grantee") if grant.known else grant
            grants.append(AclGrant(_inner(grantee, "uri"), _inner(grant, "permission"), grant.location))
    if grants:
        updates["grants"] = grants
    return _part(ctx, updates)


def _s3_ownership(ctx: _Context) -> Resource:
    rule = _block(ctx.attrs, "rule")
    updates = {}
    ownership = _inner(rule, "object_ownership")
    if ownership is not None:
        updates["ownership"] = ownership
    return _part(ctx, updates)


def _s3_encryption(ctx: _Context) -> Resource:
    return _part(ctx, {"encryption": _sse_algorithm(ctx.attrs)})


def _s3_cors(ctx: _Context) -> Resource:
    return _part(ctx, {"cors_rules": [_cors(rule) for rule in _blocks(ctx.attrs, "cors_rule")]})


def _s3_website(ctx: _Context) -> Resource:
    return _part(ctx, {"website": _website(Node(ctx.attrs.value, ctx.location.file, ctx.location.line, ctx.location.end_line))})


def _website(config: Node) -> S3Website:
    """A v3 ``website`` block or a v4 website resource (whose redirect is a block)."""
    if not config.known:
        return S3Website(None, config.location)
    redirect = config.get("redirect_all_requests_to")
    return S3Website(redirect is not None and redirect.value not in (None, []), config.location)


def _s3_object_lock(ctx: _Context) -> Resource:
    enabled = _attr(ctx.attrs, "object_lock_enabled")
    if enabled is None:  # the argument defaults to "Enabled"
        enabled = Node(True, ctx.location.file, ctx.location.line, ctx.location.end_line)
    return _part(ctx, {"object_lock": _enabled_word(enabled)})


def _s3_object(ctx: _Context) -> Resource:
    own = _attr(ctx.attrs, "tags")
    every = _attr(ctx.attrs, "tags_all")  # plan: with the provider's default_tags
    tags = every if every is not None and isinstance(every.value, dict) else own
    return S3Object(**ctx.common(), tags=tags, own_tags=own)


def _s3_policy(ctx: _Context) -> Resource:
    part = _part(ctx, {})
    ctx.add_policy(_attr(ctx.attrs, "policy"), "resource", part, attached_to=part.bucket, on_bucket=True)
    return part


# --------------------------------------------------------------------------- Route 53

_ROUTING_BLOCKS = (
    "weighted_routing_policy",
    "latency_routing_policy",
    "failover_routing_policy",
    "geolocation_routing_policy",
    "geoproximity_routing_policy",
    "cidr_routing_policy",
)


# Attributes that hold a DNS name an alias record can target (see Resource.dns_endpoints).
DNS_ENDPOINTS = {
    "aws_lb": {"dns_name": "elb"},
    "aws_alb": {"dns_name": "elb"},
    "aws_elb": {"dns_name": "elb"},
    "aws_cloudfront_distribution": {"domain_name": "cloudfront"},
    "aws_api_gateway_domain_name": {"regional_domain_name": "api-gateway", "cloudfront_domain_name": "cloudfront"},
    "aws_globalaccelerator_accelerator": {"dns_name": "global-accelerator", "dual_stack_dns_name": "global-accelerator"},
    "aws_s3_bucket": {"website_endpoint": "s3-website"},
    "aws_s3_bucket_website_configuration": {"website_endpoint": "s3-website"},
    "aws_elastic_beanstalk_environment": {"cname": "beanstalk"},
}


def _hosted_zone(ctx: _Context) -> Resource:
    return HostedZone(**ctx.common(), name=_attr(ctx.attrs, "name"))


def _dns_record(ctx: _Context) -> Resource:
    attrs = ctx.attrs
    routing = policy = None
    for name in _ROUTING_BLOCKS:
        routing = _block(attrs, name)
        if routing is not None:
            policy = name.removesuffix("_routing_policy")
            break
    if routing is None:
        multivalue = _attr(attrs, "multivalue_answer_routing_policy")
        if multivalue is not None and _truth(multivalue) is not False:
            routing, policy = multivalue, "multivalue"
    alias = _block(attrs, "alias")
    return DnsRecord(
        **ctx.common(),
        name=_attr(attrs, "name"),
        record_type=_attr(attrs, "type"),
        zone=_attr(attrs, "zone_id"),
        ttl=_attr(attrs, "ttl"),
        records=_nonempty(_attr(attrs, "records")),
        alias=alias,
        health_check=_attr(attrs, "health_check_id"),
        routing=routing,
        routing_policy=policy,
        failover=_inner(routing, "type") if policy == "failover" else None,
        geo_country=_inner(routing, "country") if policy == "geolocation" else None,
        evaluate_target_health=_inner(alias, "evaluate_target_health"),
        names_relative=True,  # the provider appends the zone's name to a name not ending with it
    )


def _nonempty(node: Node | None) -> Node | None:
    return None if node is not None and node.value == [] else node


# --------------------------------------------------------------------------- EC2

# Attributes holding user data, and whether the provider expects them base64-encoded.
_USER_DATA = {
    "aws_instance": (("user_data", False), ("user_data_base64", True)),
    "aws_launch_configuration": (("user_data", False), ("user_data_base64", True)),
    "aws_launch_template": (("user_data", True),),
}


# How Terraform spells the canonical fields of each kind (Resource.keys), for rules' messages.
_LAUNCH_KEYS = {
    "user_data": "user_data",
    "metadata_options": "metadata_options",
    "metadata_http_tokens": "http_tokens",
    "metadata_http_endpoint": "http_endpoint",
}


def _compute_launch(ctx: _Context) -> Resource:
    user_data = None
    keys = _LAUNCH_KEYS
    for name, encoded in _USER_DATA[ctx.type]:
        node = _attr(ctx.attrs, name)
        if node is not None:
            user_data = decode_user_data(node, encoded)
            keys = dict(keys, user_data=name)  # user_data or user_data_base64, as written
            break
    options = _block(ctx.attrs, "metadata_options")
    return ComputeLaunch(
        **ctx.common(),
        keys=keys,
        user_data=user_data,
        metadata_options=options,
        metadata_http_tokens=_inner(options, "http_tokens"),
        metadata_http_endpoint=_inner(options, "http_endpoint"),
        launch_template=_block(ctx.attrs, "launch_template") if ctx.type == "aws_instance" else None,
    )


# Resources that have a service deliver logs into a bucket: (service, block or None, attribute).
_LOG_DELIVERIES = {
    "aws_cloudtrail": ("CloudTrail", None, "s3_bucket_name"),
    "aws_lb": ("load-balancer access logs", "access_logs", "bucket"),
    "aws_alb": ("load-balancer access logs", "access_logs", "bucket"),
    "aws_elb": ("load-balancer access logs", "access_logs", "bucket"),
    "aws_cloudfront_distribution": ("CloudFront standard logs", "logging_config", "bucket"),
}
_BUCKET_DOMAIN = lazy(r"\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$")


def _log_delivery(ctx: _Context) -> Resource:
    service, block, name = _LOG_DELIVERIES[ctx.type]
    bucket = _attr(_block(ctx.attrs, block) if block else ctx.attrs, name)
    if bucket is not None and isinstance(bucket.value, str):
        bucket = Node(_BUCKET_DOMAIN.sub("", bucket.value), bucket.file, bucket.line, bucket.end_line)
    return LogDelivery(**ctx.common(), service=service, bucket=bucket)


def _metadata_defaults(ctx: _Context) -> Resource:
    return InstanceMetadataDefaults(
        **ctx.common(),
        http_tokens=_attr(ctx.attrs, "http_tokens"),
        http_endpoint=_attr(ctx.attrs, "http_endpoint"),
    )


def decode_user_data(node: Node, encoded: bool) -> Node:
    """User data as text.  Base64 is undone where the value is a known literal: always for the
    ``*_base64`` / launch template attributes, and for ``aws_instance.user_data`` only when the
    whole value is valid base64 of UTF-8 text (the provider passes encoded data through)."""
    value = node.value
    if isinstance(value, (dict, list)):  # jsonencode(...) / a JSON file
        plain = node.plain()
        if any(isinstance(n.value, (Unknown, Ref)) for n in node.walk()):
            return Node(Unknown(json.dumps(_renderable(plain))), node.file, node.line, node.end_line)
        value = json.dumps(plain)
    if not isinstance(value, str):
        return node
    decoded = _b64_text(value)
    if decoded is not None:
        # text_line survives encoding: base64encode(<<EOT ...) keeps its heredoc's first line.
        return Node(decoded, node.file, node.line, node.end_line, node.text_line)
    if encoded:
        return Node(Unknown("user data that is not base64 text"), node.file, node.line, node.end_line)
    return node


def _b64_text(value: str) -> str | None:
    compact = value.strip()
    if not compact or len(compact) % 4 or not re.fullmatch(r"[A-Za-z0-9+/\s]*={0,2}", compact):
        return None
    try:
        import base64  # here: only user data that looks encoded needs it

        return base64.b64decode(compact, validate=False).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None


def _renderable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _renderable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_renderable(v) for v in value]
    if isinstance(value, Unknown):
        return value.text
    if isinstance(value, Ref):
        return "${" + value.text + "}"
    return value


# --------------------------------------------------------------------------- ElastiCache and RDS
#
# These builders keep to what reaches AWS, so that an absent value means the same in every format:
# "nothing sent, the AWS default applies" (an omitted CloudFormation property).  Where the
# provider sends a value the user did not write (a schema default, or one its create call always
# passes), that value is written in at the resource's own line.  Where AWS takes a value from
# elsewhere (a secondary of a global datastore), it is unknown.  Defaults that AWS applies are
# the rules' business, not the parser's.


def _sent_default(ctx: _Context, node: Node | None, value: Any) -> Node:
    """``node``, or the value the provider sends in its place, located at the resource."""
    if node is not None:
        return node
    return Node(value, ctx.location.file, ctx.location.line, ctx.location.end_line)


def _set(node: Node | None) -> Node | None:
    """A value that says something: not null, not an empty string or list (plan JSON writes unset
    nullable booleans as ``""`` and unset sets as ``[]``)."""
    if node is None or node.value in ("", []):
        return None
    return node


_CACHE_KEYS = {
    "engine": "engine",
    "transit_encryption": "transit_encryption_enabled",
    "at_rest_encryption": "at_rest_encryption_enabled",
    "auth_token": "auth_token",
    "user_groups": "user_group_ids",
    "automatic_failover": "automatic_failover_enabled",
    "multi_az": "multi_az_enabled",
    "replication_group": "replication_group_id",
}


def _cache_group(ctx: _Context) -> Resource:
    attrs = ctx.attrs
    if ctx.type == "aws_elasticache_cluster":
        # A cluster that joins a replication group takes engine and encryption from the group.
        return CacheGroup(
            **ctx.common(),
            keys=_CACHE_KEYS,
            kind="cluster",
            engine=_set(_attr(attrs, "engine")),
            # The provider passes transit encryption only when it is true: absent is AWS's default.
            transit_encryption=_set(_attr(attrs, "transit_encryption_enabled")),
            replication_group=_set(_attr(attrs, "replication_group_id")),
        )
    group = CacheGroup(
        **ctx.common(),
        keys=_CACHE_KEYS,
        kind="replication_group",
        engine=_set(_attr(attrs, "engine")),
        transit_encryption=_set(_attr(attrs, "transit_encryption_enabled")),
        at_rest_encryption=_set(_attr(attrs, "at_rest_encryption_enabled")),
        auth_token=_set(_attr(attrs, "auth_token")),
        user_groups=_set(_attr(attrs, "user_group_ids")),
        automatic_failover=_set(_attr(attrs, "automatic_failover_enabled")),
        multi_az=_set(_attr(attrs, "multi_az_enabled")),  # sent only when true
    )
    global_id = _set(_attr(attrs, "global_replication_group_id"))
    if global_id is not None:
        # A secondary of a global datastore: engine and encryption are the primary's (the
        # provider rejects them here), and the create call leaves automatic failover out too.
        inherited = Node(Unknown(f"inherited from global datastore {_display(global_id)}"), global_id.file, global_id.line, global_id.end_line)
        group.engine = group.engine or inherited
        group.transit_encryption = group.transit_encryption or inherited
        group.at_rest_encryption = group.at_rest_encryption or inherited
        group.automatic_failover = group.automatic_failover or inherited
    else:
        # The create call always passes these two; the engine when unset is "redis", which is
        # also AWS's default, so it stays absent.
        group.transit_encryption = _sent_default(ctx, group.transit_encryption, False)
        group.automatic_failover = _sent_default(ctx, group.automatic_failover, False)
    return group


def _display(node: Node) -> str:
    value = node.value
    if isinstance(value, (Unknown, Ref)):
        return value.text
    return str(value)


# How each resource names the source it is restored or replicated from (encryption is inherited).
_DATABASE_SOURCES = {
    "aws_db_instance": ("replicate_source_db", "snapshot_identifier", "restore_to_point_in_time"),
    "aws_rds_cluster": ("replication_source_identifier", "snapshot_identifier", "restore_to_point_in_time"),
}


_DATABASE_KEYS = {
    "engine": "engine",
    "storage_encrypted": "storage_encrypted",
    "publicly_accessible": "publicly_accessible",
    "iam_auth": "iam_database_authentication_enabled",
    "backup_retention": "backup_retention_period",
    "multi_az": "multi_az",
    "cluster": "cluster_identifier",
    "engine_mode": "engine_mode",
    "engine_version": "engine_version",
}


def _database(ctx: _Context) -> Resource:
    attrs = ctx.attrs
    if ctx.type == "aws_rds_cluster_instance":
        # An Aurora instance: storage, IAM authentication and backups are its cluster's.
        return Database(
            **ctx.common(),
            keys=_DATABASE_KEYS,
            kind="cluster_instance",
            engine=_set(_attr(attrs, "engine")),
            # Not a schema default, but the create call always passes it (false when unset).
            publicly_accessible=_sent_default(ctx, _set(_attr(attrs, "publicly_accessible")), False),
            cluster=_set(_attr(attrs, "cluster_identifier")),
        )
    restored = None
    for name in _DATABASE_SOURCES[ctx.type]:
        restored = _set(_attr(attrs, name))
        if restored is not None:
            break
    db = Database(
        **ctx.common(),
        keys=_DATABASE_KEYS,
        kind="instance" if ctx.type == "aws_db_instance" else "cluster",
        engine=_set(_attr(attrs, "engine")),
        storage_encrypted=_set(_attr(attrs, "storage_encrypted")),
        publicly_accessible=_set(_attr(attrs, "publicly_accessible")),
        iam_auth=_set(_attr(attrs, "iam_database_authentication_enabled")),
        # aws_db_instance: optional and computed (the provider's docs say "default 0", the API's
        # default is 1): absent stays absent, i.e. AWS decides.
        backup_retention=_set(_attr(attrs, "backup_retention_period")),
        restored_from=restored,
        engine_version=_set(_attr(attrs, "engine_version")),
    )
    if db.kind == "instance":
        db.multi_az = _set(_attr(attrs, "multi_az"))
        db.publicly_accessible = _sent_default(ctx, db.publicly_accessible, False)  # schema default
    else:
        # An unset engine stays absent (a module's `engine = var.engine`, default null, is filled
        # by its caller), but it means the provider's default: "aurora" (Aurora MySQL) before 5.0;
        # 5.0 and later refuse a cluster without one.
        db.default_engine = "aurora"
        db.engine_mode = _set(_attr(attrs, "engine_mode"))
    return db


# --------------------------------------------------------------------------- policies


def policy_body(value: Node | None) -> Node | None:
    """The document tree of a policy attribute: a dict Node as given, a JSON string parsed with
    its lines, an unknown kept unknown (a template with unknown parts is parsed around them).
    None when the attribute is unset or empty.  A literal that is not JSON stays a string Node,
    so that a rule can report it."""
    if value is None or value.value is None or value.value == "":
        return None
    content = value.value
    if isinstance(content, (str, Unknown)):
        text = content if isinstance(content, str) else content.text
        refs = None if isinstance(content, str) else content.refs
        start = _text_start(value, text)
        try:
            tree = json_to_node(text, value.file, start or value.line, aligned=start is not None, template_refs=refs)
        except ValueError:
            return value
        if start is None and value.end_line:  # one line for the whole document: the attribute's span
            tree.end_line = value.end_line
        return tree
    if isinstance(content, Ref):
        return Node(Unknown(content.text, (content,)), value.file, value.line, value.end_line)
    return value


def _text_start(node: Node, text: str) -> int | None:
    """The line of the text's first line when the text is laid out in the file line for line (a
    heredoc body whose interpolations did not add lines); None otherwise."""
    if node.text_line is None or node.end_line is None:
        return None
    # A heredoc body ends with a newline, then the closing marker on end_line.
    if node.end_line - node.text_line == text.count("\n"):
        return node.text_line
    return None


_BUILDERS: dict[str, Callable[[_Context], Resource]] = {
    "aws_s3_bucket": _s3_bucket,
    "aws_s3_bucket_logging": _s3_logging,
    "aws_s3_bucket_versioning": _s3_versioning,
    "aws_s3_bucket_replication_configuration": _s3_replication,
    "aws_s3_bucket_public_access_block": _s3_public_access_block,
    "aws_s3_bucket_acl": _s3_acl,
    "aws_s3_bucket_ownership_controls": _s3_ownership,
    "aws_s3_bucket_server_side_encryption_configuration": _s3_encryption,
    "aws_s3_bucket_cors_configuration": _s3_cors,
    "aws_s3_bucket_website_configuration": _s3_website,
    "aws_s3_bucket_object_lock_configuration": _s3_object_lock,
    "aws_s3_bucket_policy": _s3_policy,
    "aws_s3_account_public_access_block": _account_public_access_block,
    "aws_s3_object": _s3_object,
    "aws_s3_bucket_object": _s3_object,
    "aws_s3_object_copy": _s3_object,
    "aws_route53_zone": _hosted_zone,
    "aws_route53_record": _dns_record,
    "aws_instance": _compute_launch,
    "aws_launch_template": _compute_launch,
    "aws_launch_configuration": _compute_launch,
    "aws_ec2_instance_metadata_defaults": _metadata_defaults,
    **{tf_type: _log_delivery for tf_type in _LOG_DELIVERIES},
    "aws_elasticache_replication_group": _cache_group,
    "aws_elasticache_cluster": _cache_group,
    "aws_db_instance": _database,
    "aws_rds_cluster": _database,
    "aws_rds_cluster_instance": _database,
}
_BUILDERS.update(tf_policies.BUILDERS)  # IAM and resource policies (tf_policies.py)


def reads_attributes(tf_type: str) -> bool:
    """Whether :func:`build` reads anything of a resource of this type besides its identity (a
    resource it has no builder for is a plain :class:`Resource`), so that callers need not
    evaluate the attributes of the others."""
    return tf_type in _BUILDERS or tf_type in _SECRET_ATTRIBUTES or tf_type in _ENVIRONMENTS
