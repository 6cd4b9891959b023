"""The common model every parser produces and every rule reads.

Values found in a file are wrapped in :class:`Node` so that each one knows where it came from.
A value that cannot be decided statically is an :class:`Unknown`; a value that names another
resource is a :class:`Ref`.  Rules never report on an ``Unknown``.

Canonical resources (``S3Bucket``, ``DnsRecord`` ...) are the same whichever format they were
written in: parsers do the translation, rules only ever see these classes.
"""

from __future__ import annotations

from policylint.records import field, record

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Any, Iterator


class Unknown:
    """A value that cannot be resolved statically (variable without default, data source, ...).

    ``text`` is the best human rendering (e.g. ``arn:aws:s3:::${var.name}/*``) and ``refs`` the
    resources it mentions, so a partly-known string can still be linked to a bucket.
    """

    __slots__ = ("text", "refs")

    def __init__(self, text: str = "", refs: tuple[Ref, ...] = ()):
        self.text = text
        self.refs = tuple(refs)

    def __repr__(self) -> str:
        return f"Unknown({self.text!r})"

    def __eq__(self, other: object) -> bool:  # an unknown is never equal to anything
        return False

    __hash__ = object.__hash__


class Imported(Unknown):
    """A CloudFormation ``Fn::ImportValue`` of a literal export name: unknown in its template,
    resolvable when the exporting template is part of the scan."""

    __slots__ = ("export",)

    def __init__(self, export: str):
        super().__init__(f"${{ImportValue:{export}}}")
        self.export = export


# The value of what the loaders leave unbuilt in a CloudFormation template as nothing reads it (a
# resource's ``Properties``, a section; see ``located_yaml.load``): unknown to anything that would.
UNREAD = Unknown("(a part of the template that no rule reads)")


@record(frozen=True)
class Ref:
    """A reference to another resource of the same template/module (``Ref``, ``aws_x.y.id``)."""

    uid: str  # Resource.uid of the target
    attr: str | None  # "id", "arn", "Arn", None for a bare CFN Ref
    text: str  # as written, for messages

    def __str__(self) -> str:
        return self.text


@record(slots=True)
class Node:
    """A value with its origin.  ``value`` is a str/int/float/bool/None, a ``dict[str, Node]``,
    a ``list[Node]``, an :class:`Unknown` or a :class:`Ref`."""

    value: Any
    file: str
    line: int
    end_line: int | None = None
    # For multi-line strings (YAML block scalars, heredocs): the line of the string's first
    # character, so that rules can point at a line inside user data or an embedded document.
    text_line: int | None = None
    # Where the value came from when it was not written at this place but taken from a default,
    # e.g. "default of `var.acl`" or "default of parameter `AccessControl`", so that messages
    # do not state a default as the user's decision.  ``None``: written here (or passed in).
    origin: str | None = None

    def __reduce__(self):
        # The cache pickles documents made mostly of Nodes: as constructor arguments they are
        # written ~25 % faster and read back ~2.5x faster than as attribute dictionaries.
        return (Node, (self.value, self.file, self.line, self.end_line, self.text_line, self.origin))

    @property
    def known(self) -> bool:
        return not isinstance(self.value, (Unknown, Ref))

    def get(self, *path: str | int) -> Node | None:
        """Walk into dicts/lists; ``None`` when any step is missing or not a container."""
        node: Node | None = self
        for step in path:
            if node is None:
                return None
            value = node.value
            if isinstance(step, int):
                node = value[step] if isinstance(value, list) and -len(value) <= step < len(value) else None
            else:
                node = value.get(step) if isinstance(value, dict) else None
        return node

    def items(self) -> list[Node]:
        """The node as a list: a list's items, a scalar as a one-item list, nothing for None."""
        if isinstance(self.value, list):
            return self.value
        if self.value is None:
            return []
        return [self]

    def plain(self) -> Any:
        """The value with all Node wrappers removed (Unknown/Ref kept as they are)."""
        value = self.value
        if isinstance(value, dict):
            return {k: v.plain() for k, v in value.items()}
        if isinstance(value, list):
            return [v.plain() for v in value]
        return value

    def walk(self) -> Iterator[Node]:
        """The node and every node inside it, parents before children, in document order (with
        a stack rather than nested generators, which cost a frame per level for every node)."""
        stack = [self]
        pop, push = stack.pop, stack.extend
        while stack:
            node = pop()
            yield node
            value = node.value
            if isinstance(value, dict):
                push(reversed(value.values()))
            elif isinstance(value, list):
                push(reversed(value))

    def with_origin(self, origin: str) -> Node:
        """A copy of the tree in which every node without an origin has ``origin``: the first
        origin is where the user wrote the value (an argument passed on through modules, a
        default), so a later one never replaces it."""
        value = self.value
        if isinstance(value, dict):
            value = {key: child.with_origin(origin) for key, child in value.items()}
        elif isinstance(value, list):
            value = [child.with_origin(origin) for child in value]
        return Node(value, self.file, self.line, self.end_line, self.text_line, self.origin or origin)

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.end_line or self.line)


@record(frozen=True)
class Location:
    """Where a value is: its file and lines."""

    file: str
    line: int
    end_line: int

    @property
    def location(self) -> Location:
        return self


def is_known(node: Node | None) -> bool:
    return node is not None and node.known


def text_of(node: Node | None) -> str | None:
    """The node's value if it is a known string (numbers and bools rendered), else None."""
    if node is None or not node.known or isinstance(node.value, (dict, list)) or node.value is None:
        return None
    if isinstance(node.value, bool):
        return "true" if node.value else "false"
    return str(node.value)


# --------------------------------------------------------------------------- resources


@record(eq=False)
class Resource:
    """Anything declared in a template or module.  ``uid`` is unique in a scan; ``address`` is what
    users read (``aws_s3_bucket.logs``, ``LogsBucket``, ``module.x.aws_s3_bucket.y``).

    ``keys`` maps a canonical field name (``storage_encrypted``) to the property as the user's
    format spells it (``StorageEncrypted``); parsers fill it so that rules can name a setting, even
    an absent one, in the user's own words (:meth:`key`, :meth:`assignment`)."""

    uid: str
    address: str
    type: str  # as written: aws_s3_bucket, AWS::S3::Bucket
    format: str  # cloudformation | terraform | plan | policy
    location: Location
    keys: dict[str, str] = field(default_factory=dict, repr=False)
    # Attributes holding a DNS name that a Route 53 alias can target (as a reference to them is
    # written: `DNSName`, `dns_name`) -> the kind of endpoint: elb, cloudfront, s3-website,
    # api-gateway, beanstalk, global-accelerator.  Filled by the parsers for those resource types.
    dns_endpoints: dict[str, str] = field(default_factory=dict, repr=False)
    # Properties where a secret belongs (a master password, an auth token, a secret string, an
    # environment variable named like a secret), filled by the parsers for the resource types
    # that have them; a rule reports the literal ones.
    secrets: list[SecretSetting] = field(default_factory=list, repr=False)
    # Terraform provisioners of the resource, in order (what they run or upload on a machine).
    provisioners: list[Provisioner] = field(default_factory=list, repr=False)
    # CloudFormation: whether the template is written in JSON (a `.template` may be either), as the
    # parser read it; None where the file name tells.
    written_in_json: bool | None = field(default=None, repr=False)

    def key(self, name: str) -> str:
        """The user's spelling of a canonical field (the field name itself when none is known)."""
        return self.keys.get(name, name)

    def assignment(self, name: str, value: Any) -> str:
        """A setting as the user would write it, for fix suggestions: `StorageEncrypted: true`
        in a template, `storage_encrypted = true` in HCL."""
        return f"`{assignment(self.key(name), value, self.syntax)}`"

    @property
    def syntax(self) -> str:
        """How fixes are written: ``yaml`` for YAML templates, ``json`` for JSON templates, ``hcl``
        for Terraform and plans."""
        if self.format != "cloudformation":
            return "hcl"
        if self.written_in_json is not None:
            return "json" if self.written_in_json else "yaml"
        return "json" if self.location.file.lower().endswith(".json") else "yaml"


@record(frozen=True)
class SecretSetting:
    """A value in a property where a secret belongs.  ``name`` is the property as the user's
    format spells it (``MasterUserPassword``, ``master_password``), or the variable's name for an
    environment variable (every one is recorded: rules judge the names); ``what`` says what it
    holds in words ("master password", "environment variable"); ``value``
    is the Node written (a CloudFormation ``Ref`` to a parameter: the parameter's ``Default``, and
    ``parameter`` its name)."""

    name: str
    what: str
    value: Node
    parameter: str | None = None


@record(frozen=True)
class Provisioner:
    """A Terraform ``provisioner "<kind>"`` block: ``kind`` is ``remote-exec``, ``file``,
    ``local-exec``...; ``settings`` its arguments as a dict Node (``inline``, ``content``,
    ``destination``...)."""

    kind: str
    settings: Node


def assignment(key: str, value: Any, syntax: str) -> str:
    """``key: value`` (YAML), ``"key": value`` (JSON) or ``key = value`` (HCL), with the value in
    that syntax."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str) and syntax in ("hcl", "json"):
        text = f'"{value}"'
    else:
        text = str(value)
    if syntax == "json":
        return f'"{key}": {text}'
    return f"{key} = {text}" if syntax == "hcl" else f"{key}: {text}"


@record(eq=False)
class PolicyDocument:
    """An IAM / resource policy document.  ``body`` is the located JSON tree (a dict Node) or an
    Unknown Node when the document is computed.  ``kind`` is resource | identity | trust |
    service-control (an AWS Organizations SCP)."""

    body: Node
    kind: str
    owner: Resource | None  # the resource that carries the document (None for raw files)
    attached_to: Node | None = None  # e.g. the bucket a bucket policy applies to (Ref or name)
    format: str = "policy"
    # A bucket policy resource or attribute (True even when its bucket cannot be named); raw
    # policy files are recognised by their statements instead.
    on_bucket: bool = False
    # How messages tell this document from the other documents of its owner ("trust policy",
    # "inline policy `s3-read`"); None when the owner carries one document only.
    label: str | None = None
    # What a resource policy governs, in words ("SQS queue", "KMS key"); None for a bucket
    # policy, an identity or trust policy, a raw file.
    service: str | None = None
    # Built from a resource's attributes (a Lambda permission), not written as a document: the
    # grammar (PL204, PL205) does not judge what the user did not write.
    synthetic: bool = False

    @property
    def location(self) -> Location:
        return self.body.location

    @property
    def address(self) -> str | None:
        return self.owner.address if self.owner else None


@record(eq=False)
class PolicyHolder(Resource):
    """A resource whose resource policy may be reachable from a VPC only (an OpenSearch domain or
    an S3 access point with VPC options): then a public principal is not public.  ``vpc_only``
    is None when it cannot be known."""

    vpc_only: bool | None = False


@record(eq=False)
class S3Logging:
    """A bucket's access logging: where its logs go."""

    target: Node | None  # bucket name, ARN or Ref; None means "the bucket itself" (CFN default)
    location: Location


@record(eq=False)
class ReplicationRule:
    """One rule of a bucket's replication configuration."""

    status: Node | None
    destination: Node | None  # destination bucket ARN / Ref
    location: Location


@record(eq=False)
class S3Replication:
    """A bucket's replication configuration: its role and rules."""

    role: Node | None
    rules: list[ReplicationRule]
    location: Location


@record(eq=False)
class PublicAccessBlock:
    """Bucket- or account-level block.  ``settings`` maps the four canonical names
    (block_public_acls, ignore_public_acls, block_public_policy, restrict_public_buckets) to the
    Node written, or None when the key was omitted (AWS then stores false)."""

    settings: dict[str, Node | None]
    location: Location
    owner: Resource | None = None


PUBLIC_ACCESS_BLOCK_SETTINGS = (
    "block_public_acls",
    "ignore_public_acls",
    "block_public_policy",
    "restrict_public_buckets",
)


# Canned ACLs that open a bucket, and the grantee groups that do (with whom they reach).
PUBLIC_CANNED_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})
PUBLIC_GROUPS = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "everyone",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "every AWS account",
}


@record(eq=False)
class AclGrant:
    """One grant of a bucket ACL."""

    grantee_uri: Node | None
    permission: Node | None
    location: Location


@record(eq=False)
class CorsRule:
    """One CORS rule of a bucket."""

    origins: Node | None
    methods: Node | None
    location: Location


@record(eq=False)
class S3Website:
    """Static website hosting.  ``redirects_all`` is True when every request is redirected
    (CFN ``RedirectAllRequestsTo``, TF ``redirect_all_requests_to``: no object is ever read),
    None when the configuration cannot be known."""

    redirects_all: bool | None
    location: Location


@record(eq=False)
class S3Bucket(Resource):
    """One bucket, whatever the format: CFN ``AWS::S3::Bucket``, TF ``aws_s3_bucket`` with its
    v3 inline blocks and v4+ ``aws_s3_bucket_*`` resources merged in, or a plan entry."""

    name: Node | None = None
    logging: S3Logging | None = None
    versioning: Node | None = None  # "Enabled" | "Suspended" | "Disabled"
    mfa_delete: Node | None = None  # "Enabled" | "Disabled"
    replication: S3Replication | None = None
    public_access_block: PublicAccessBlock | None = None
    acl: Node | None = None  # canned ACL in the S3 API spelling: public-read, private, ...
    grants: list[AclGrant] = field(default_factory=list)
    ownership: Node | None = None
    encryption: Node | None = None  # default SSE algorithm
    cors_rules: list[CorsRule] = field(default_factory=list)
    website: S3Website | None = None
    object_lock: Node | None = None
    policies: list[PolicyDocument] = field(default_factory=list)
    parts: list[Resource] = field(default_factory=list)  # split TF resources merged into this bucket
    # False for a stand-in built from split resources whose bucket is not in the scan (e.g.
    # `bucket = var.name`): what they configure is still checked, but absence proves nothing.
    declared: bool = True
    # TF `bucket_prefix`: the bucket's name is this prefix plus digits the provider appends.
    name_prefix: Node | None = None
    # The canned ACL as the user's format spells it (CloudFormation `PublicRead`), for messages;
    # None when it is spelled as ``acl`` holds it.
    acl_written: str | None = None

    def acl_as_written(self, canned: str) -> str:
        """A canned ACL (S3 API spelling) as the user's format spells it."""
        if self.format != "cloudformation":
            return canned
        if self.acl_written is not None and text_of(self.acl) == canned:
            return self.acl_written
        return "".join(part.capitalize() for part in canned.split("-"))

    @property
    def versioning_state(self) -> str | None:
        """'enabled', 'off' (absent, Suspended, Disabled) or None when it cannot be known.  A
        bucket with Object Lock is versioned; a stand-in's missing versioning proves nothing."""
        if truth(self.object_lock):
            return "enabled"
        status = self.versioning
        if status is None:
            return "off" if self.declared else None
        if not status.known:
            return None
        return "enabled" if str(status.value) == "Enabled" else "off"

    def blocks(self, setting: str) -> bool | None:
        """The effective bucket-level public access block ``setting``: AWS's default (on) when
        the bucket has no block, false when the block omits it, None when unknown."""
        block = self.public_access_block
        if block is None:
            return True
        node = block.settings.get(setting)
        return False if node is None else truth(node)

    @property
    def public_acl(self) -> bool | None:
        """Whether the ACL (canned or granted) opens the bucket to everyone or every AWS
        account; None when part of it cannot be known."""
        if self.acl is not None and not self.acl.known:
            return None
        if text_of(self.acl) in PUBLIC_CANNED_ACLS:
            return True
        uris = [text_of(g.grantee_uri) for g in self.grants]
        if None in uris:
            return None
        return any(uri in PUBLIC_GROUPS for uri in uris)


@record(eq=False)
class BucketPart(Resource):
    """A Terraform v4+ ``aws_s3_bucket_*`` resource (or a CFN ``AWS::S3::BucketPolicy``): it
    configures one aspect of the bucket named by ``bucket``.  The scan merges ``updates`` (field
    name of :class:`S3Bucket` -> value; list fields are extended) onto that bucket."""

    bucket: Node | None = None
    updates: dict[str, Any] = field(default_factory=dict)


@record(eq=False)
class AccountPublicAccessBlock(Resource):
    """The account-wide S3 public access block."""

    block: PublicAccessBlock | None = None


def dns_name(text: str | None) -> str | None:
    """A DNS name as Route 53 compares it: lower case, without the trailing dot."""
    return text.strip().rstrip(".").lower() if text is not None else None


@record(eq=False)
class S3Object(Resource):
    """An object uploaded by Terraform (``aws_s3_object``, ``aws_s3_bucket_object``,
    ``aws_s3_object_copy``)."""

    tags: Node | None = None  # what S3 receives: a plan's `tags_all` (with default_tags) when known
    own_tags: Node | None = None  # the tags written on the object itself


@record(eq=False)
class HostedZone(Resource):
    """A Route 53 hosted zone."""

    name: Node | None = None


@record(eq=False)
class DnsRecord(Resource):
    """A Route 53 record.  ``fqdn`` and ``zone_fqdn`` are set when the scan links records to
    their zones (the zone may be declared in another file)."""

    name: Node | None = None  # as written (may be relative to the zone, see names_relative)
    record_type: Node | None = None
    zone: Node | None = None  # Ref to a HostedZone, or a literal zone id
    ttl: Node | None = None
    records: Node | None = None
    alias: Node | None = None
    health_check: Node | None = None
    routing: Node | None = None  # the routing-policy element, when any
    # weighted | latency | failover | geolocation | geoproximity | cidr | multivalue; None = simple
    routing_policy: str | None = None
    failover: Node | None = None  # PRIMARY | SECONDARY (failover routing)
    geo_country: Node | None = None  # geolocation country code; "*" is the default location
    evaluate_target_health: Node | None = None  # of the alias target; None when not written
    # Set by the parser: a name that does not end with the zone's name is relative to the zone
    # (the Terraform provider appends the zone's name to it).
    names_relative: bool = False
    # The zone's name (see dns_name), as far as the file tells it without the zone (a template's
    # HostedZoneName); the scan replaces it with the name of the zone resource referenced.
    zone_fqdn: str | None = None
    fqdn: str | None = None  # the record's full name (see dns_name); None when unknown

    @property
    def written_name(self) -> str | None:
        """The name as written, in the form of dns_name: the full name, or when ``fqdn`` is None
        perhaps a name relative to a zone whose name is unknown."""
        return dns_name(text_of(self.name))


@record(eq=False)
class ComputeLaunch(Resource):
    """An EC2 instance, launch template or launch configuration: where user data and instance
    metadata options live."""

    user_data: Node | None = None  # decoded text (base64 undone where it was literal)
    metadata_http_tokens: Node | None = None
    metadata_http_endpoint: Node | None = None  # "disabled" turns the metadata service off
    metadata_options: Node | None = None
    # An instance launched from a launch template: the template's metadata options apply where
    # the instance sets none.
    launch_template: Node | None = None


@record(eq=False)
class LogDelivery(Resource):
    """A resource that has an AWS service deliver logs into a bucket: a CloudTrail trail, a load
    balancer's access logs, a CloudFront distribution's standard logs.  ``bucket`` is the
    bucket's name, ARN or a reference to it (a CloudFront bucket domain name is reduced to the
    name by the parser)."""

    service: str = ""  # "CloudTrail", "load-balancer access logs", "CloudFront standard logs"
    bucket: Node | None = None


@record(eq=False)
class InstanceMetadataDefaults(Resource):
    """The account's instance metadata defaults for a Region (TF
    ``aws_ec2_instance_metadata_defaults``): they apply to launches that set no metadata options."""

    http_tokens: Node | None = None  # "required" | "optional" | "no-preference"
    http_endpoint: Node | None = None


@record(eq=False)
class CacheGroup(Resource):
    """An ElastiCache replication group (``kind`` "replication_group") or cache cluster
    ("cluster").  Booleans are the Nodes written, None when absent."""

    kind: str = "replication_group"
    engine: Node | None = None
    transit_encryption: Node | None = None
    at_rest_encryption: Node | None = None
    auth_token: Node | None = None
    user_groups: Node | None = None
    automatic_failover: Node | None = None
    multi_az: Node | None = None
    replication_group: Node | None = None  # a TF cluster that joins a replication group

    @property
    def engine_name(self) -> str | None:
        """The engine in lower case; a replication group that names none is Redis OSS (the default
        of AWS and of the provider).  None when unknown."""
        if self.engine is None:
            return "redis" if self.kind == "replication_group" else None
        engine = text_of(self.engine)
        return engine.lower() if engine else None

    @property
    def is_redis_or_valkey(self) -> bool:
        """Redis OSS or Valkey (they share AUTH, RBAC and TLS); False for Memcached or unknown."""
        return self.engine_name in ("redis", "valkey")

    @property
    def judged_by_its_group(self) -> bool:
        """A Terraform cache cluster that joins a replication group: the group carries the settings."""
        return self.kind == "cluster" and self.replication_group is not None


@record(eq=False)
class Database(Resource):
    """An RDS DB instance ("instance"), an RDS/Aurora cluster ("cluster") or a TF
    ``aws_rds_cluster_instance`` ("cluster_instance")."""

    kind: str = "instance"
    engine: Node | None = None
    storage_encrypted: Node | None = None
    publicly_accessible: Node | None = None
    iam_auth: Node | None = None
    backup_retention: Node | None = None
    multi_az: Node | None = None
    cluster: Node | None = None  # the cluster an instance belongs to
    restored_from: Node | None = None  # snapshot / replica source: encryption is inherited
    engine_mode: Node | None = None
    engine_version: Node | None = None
    # The engine AWS or the provider uses when ``engine`` is left out (TF ``aws_rds_cluster``:
    # "aurora", i.e. Aurora MySQL); None when the engine must be written.
    default_engine: str | None = None

    @property
    def engine_name(self) -> str | None:
        """The engine in lower case (the default engine when none is written); None when unknown."""
        if self.engine is None:
            return self.default_engine
        engine = text_of(self.engine)
        return engine.lower() if engine else None

    @property
    def is_aurora(self) -> bool:
        engine = self.engine_name
        return engine is not None and engine.startswith("aurora")

    @property
    def is_cluster_member(self) -> bool:
        """An Aurora DB instance: its storage, backups and IAM authentication are its cluster's, and
        its cluster, not the instance, is Multi-AZ."""
        if self.kind == "cluster_instance":
            return True
        return self.kind == "instance" and (self.cluster is not None or self.is_aurora)


# --------------------------------------------------------------------------- documents


ERROR_KINDS = ("syntax", "unreadable", "unsupported", "internal", "skipped")


@record(frozen=True)
class ParseError:
    """A problem with an input (or with policylint itself) that kept something from being
    checked.  ``kind`` is one of :data:`ERROR_KINDS`: ``syntax`` (the file does not parse or is
    not a valid template/module), ``unreadable`` (missing, not text, too large), ``unsupported``
    (a construct policylint cannot evaluate), ``internal`` (a parser or rule bug) or, for a
    notice rather than an error, ``skipped`` (a FIFO, socket or device that is not read)."""

    file: str
    line: int | None
    message: str
    kind: str = "syntax"


@record
class TextFile:
    """Any file read by the scan, kept as text for rules that look at raw text (credentials)."""

    path: str
    text: str
    format: str  # cloudformation | terraform | plan | policy | text

    @property
    def location(self) -> Location:  # where a rule that fails on this file is reported
        return Location(self.path, 1, 1)


@record(frozen=True)
class SourceComment:
    """A comment as written: its first and last line, its text (delimiters included) and
    whether nothing but white space stands before it on its first line."""

    line: int
    end_line: int
    text: str
    alone: bool


@record
class SourceMap:
    """What suppressions need of a parsed file, so that nothing parses it twice: its comments,
    the last line of each construct (attribute, object item, block) by its first line, and the
    resource each top-level block header declares, as (scope, address)."""

    comments: list[SourceComment] = field(default_factory=list)
    ends: dict[int, int] = field(default_factory=dict)
    resources: dict[int, tuple[str, str]] = field(default_factory=dict)


@record
class Document:
    """What one parser returns for one input (a file, or a Terraform module directory)."""

    format: str
    resources: list[Resource] = field(default_factory=list)
    policies: list[PolicyDocument] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    exports: dict[str, Node] = field(default_factory=dict)  # CloudFormation Outputs' Export names
    # Files that mention policylint (suppressions), by path: kept by parsers that read comments.
    source_maps: dict[str, SourceMap] = field(default_factory=dict)
    # What was left out on purpose, past a limit (kind ``skipped``): reported, not a failure.
    notices: list[ParseError] = field(default_factory=list)
    # CloudFormation parameters with a literal string ``Default``: name -> the Default Node.
    parameter_defaults: dict[str, Node] = field(default_factory=dict)


def truth(node: Node | None, ignore_case: bool = True) -> bool | None:
    """A known boolean (CFN and JSON also write them as strings), else None.  Terraform's own
    conversion accepts only lower-case strings: ``ignore_case=False``."""
    if node is None or not node.known:
        return None
    value = node.value
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.lower() if ignore_case else value
        if text in ("true", "false"):
            return text == "true"
    return None
