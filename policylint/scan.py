"""The whole scan as rules see it: every resource from every file, linked together.

Linking happens once, here: split Terraform bucket resources and bucket policies are merged onto
their bucket, found by reference or by literal name/ARN anywhere in the scan.
"""

from __future__ import annotations

import os
from functools import cached_property

from policylint.model import (
    AccountPublicAccessBlock,
    BucketPart,
    ComputeLaunch,
    DnsRecord,
    Document,
    HostedZone,
    Imported,
    Node,
    PolicyDocument,
    PublicAccessBlock,
    Ref,
    Resource,
    S3Bucket,
    TextFile,
    Unknown,
    dns_name,
    text_of,
)
from policylint.patterns import lazy
from policylint.policy.wildcard import Wildcard, compile_literals
from policylint.records import fields

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Iterable, Iterator, TypeVar
    T = TypeVar("T", bound=Resource)


_S3_ARN = lazy(r"^arn:aws[\w-]*:s3:::")
_SINGLE_PLACEHOLDER = lazy(r"^(?:arn:aws[\w-]*:s3:::)?\$\{[^}]+\}$")
_PLACEHOLDER = lazy(r"\$\{[^}]*\}")
_PER_INSTANCE = lazy(r"\b(?:each|count)\.")
_INSTANCE_KEY = lazy(r"\[[^\]]*\]$")
_LIST_FIELDS = {f.name for f in fields(S3Bucket) if f.default_factory is list}  # type: ignore[misc]


def bucket_name_from(text: str) -> str:
    """``arn:aws:s3:::name/key`` and ``name`` both give ``name``."""
    return _S3_ARN.sub("", text).split("/", 1)[0]


class Scan:
    def __init__(self, documents: Iterable[Document], text_files: Iterable[TextFile] = ()):
        self.documents = list(documents)
        self.text_files = list(text_files)
        self._of_kind: dict[type, tuple[int, list]] = {}  # kind -> (len(resources) then, its items)
        self._last_lines: tuple[str | None, list[str]] = (None, [])
        self.resources: list[Resource] = [r for d in self.documents for r in d.resources]
        self.policies: list[PolicyDocument] = reached_once([p for d in self.documents for p in d.policies])
        self._by_uid = {r.uid: r for r in self.resources}
        self.exports: dict[str, Node] = {}
        for document in self.documents:
            for name, value in document.exports.items():
                self.exports.setdefault(name, value)
        self._by_name: dict[str, list[S3Bucket]] = {}
        for bucket in self._all(S3Bucket):
            name = bucket.name.value if bucket.name is not None and bucket.name.known else None
            if isinstance(name, str):
                self._by_name.setdefault(name, []).append(bucket)
        self._setting: dict[str, list[S3Bucket]] = {}
        self._link()
        self._link_records()

    # ----------------------------------------------------------------- linking

    def _link(self) -> None:
        stand_ins: dict[tuple[str, str], S3Bucket] = {}
        for part in self._all(BucketPart):
            bucket = self.bucket_for(part.bucket, near=part.location.file) or self._stand_in(part, stand_ins)
            bucket.parts.append(part)
            for name, value in part.updates.items():
                if name in _LIST_FIELDS:
                    getattr(bucket, name).extend(value)
                else:
                    setattr(bucket, name, value)
        for policy in self.policies:
            if policy.attached_to is None or policy.service is not None:
                continue  # not a bucket policy (a queue's, a key's ... names its own resource)
            bucket = self.bucket_for(policy.attached_to, near=policy.location.file) or self._named_alike(policy.attached_to)
            if bucket is not None:
                bucket.policies.append(policy)
        if any(p.owner is None and p.kind == "resource" for p in self.policies):
            self._link_policy_files()

    def _named_alike(self, node: Node) -> S3Bucket | None:
        """The one bucket of the same template (Terraform: module directory) whose name is the same
        unresolved expression (`Bucket: !Sub ${AppName}-logs` and `BucketName: !Sub ${AppName}-logs`)."""
        if node.known or isinstance(node.value, Imported):
            return None
        text = node.value.text
        if not text:
            return None
        key = _place(node.file, text)
        found = [b for b in self._unknown_names.get(key, []) if b.declared]
        return found[0] if len(found) == 1 else None

    @cached_property
    def _unknown_names(self) -> dict[tuple[str, str], list[S3Bucket]]:
        by_text: dict[tuple[str, str], list[S3Bucket]] = {}
        for bucket in self._all(S3Bucket):
            name = bucket.name
            if name is not None and not name.known and name.value.text and not isinstance(name.value, Imported):
                by_text.setdefault(_place(name.file, name.value.text), []).append(bucket)
        return by_text

    def _link_policy_files(self) -> None:
        """A raw policy file with a `Principal` whose resources name one bucket declared in the
        scan is that bucket's policy (a bucket has at most one), unless the bucket has one."""
        from policylint.policy.document import policy_of
        from policylint.policy.targets import is_bucket_policy, named_buckets

        for document in self.policies:
            if document.owner is not None or not is_bucket_policy(document):
                continue
            names = named_buckets(policy_of(document))
            if len(names) != 1:
                continue
            bucket = self.bucket_for(Node(names.pop(), document.location.file, document.location.line), near=document.location.file)
            if bucket is not None and bucket.declared and not bucket.policies:
                bucket.policies.append(document)

    def _link_records(self) -> None:
        """Give each DNS record its zone's name and its own full name."""
        for record in self._all(DnsRecord):
            zone = self.zone_for(record)
            if zone is not None:
                record.zone_fqdn = dns_name(text_of(zone.name)) or None
            name, zone_name = record.written_name, record.zone_fqdn
            if name is not None and record.names_relative:
                if zone_name is None:
                    name = None  # relative or complete: only the zone's name would tell
                elif not name.endswith(zone_name):
                    name = f"{name}.{zone_name}" if name else zone_name
            record.fqdn = name

    def _stand_in(self, part: BucketPart, stand_ins: dict[tuple[str, str], S3Bucket]) -> S3Bucket:
        """One undeclared bucket per distinct `bucket` expression of a module, so that two split
        resources aimed at the same unknown bucket still meet."""
        value = part.bucket.value if part.bucket is not None else None
        text = value.text if isinstance(value, (Unknown, Ref)) else str(value)
        key = (os.path.dirname(part.location.file), text)
        if _PER_INSTANCE.search(text):
            key = (part.uid, text)  # `each.value` of one for_each is not `each.value` of another
        if key not in stand_ins:
            bucket = S3Bucket(
                uid=f"{part.uid}#bucket",
                address=part.address,
                type=part.type,
                format=part.format,
                location=part.location,
                name=part.bucket,
                declared=False,
            )
            stand_ins[key] = bucket
            self.resources.append(bucket)
            self._by_uid[bucket.uid] = bucket
            if isinstance(value, Ref):
                # An instance of a counted bucket (`aws_s3_bucket.b["a"]`) has no Resource of its
                # own: its stand-in answers for it, so that other references to it meet there.
                self._by_uid.setdefault(value.uid, bucket)
        return stand_ins[key]

    # ----------------------------------------------------------------- lookups

    def resource(self, uid: str) -> Resource | None:
        return self._by_uid.get(uid)

    def text(self, path: str) -> str:
        """The text of a scanned file as read ("" when the scan did not read it)."""
        return self._texts.get(path, "")

    def lines(self, path: str) -> list[str]:
        """The lines of a scanned file (do not change them).  Those of the last file asked for are
        kept: the rules that read lines go through a file's findings one after the other (a
        finding each split the whole file again), and keeping every file's lines until the end
        of the scan was 8 % of a CloudFormation scan's peak memory."""
        if self._last_lines[0] != path:
            self._last_lines = (path, self.text(path).split("\n"))
        return self._last_lines[1]

    def user_data_in(self, path: str) -> list[ComputeLaunch]:
        """The launches whose user data is written in the file ``path``."""
        return self._user_data_by_file.get(path, [])

    @cached_property
    def _texts(self) -> dict[str, str]:
        return {f.path: f.text for f in self.text_files}

    @cached_property
    def _user_data_by_file(self) -> dict[str, list[ComputeLaunch]]:
        by_file: dict[str, list[ComputeLaunch]] = {}
        for launch in self.of(ComputeLaunch):
            if launch.user_data is not None:
                by_file.setdefault(launch.user_data.file, []).append(launch)
        return by_file

    def bucket_for(self, node: Node | None, near: str | None = None) -> S3Bucket | None:
        """The bucket a value designates: a reference, a literal name or ARN of a bucket declared
        anywhere in the scan, or a string built around a single reference.  None when unknown."""
        if node is None:
            return None
        value = node.value
        if isinstance(value, Ref):
            target = self._by_uid.get(value.uid)
            return target if isinstance(target, S3Bucket) else None
        if isinstance(value, Imported):
            exported = self.exports.get(value.export)
            return self.bucket_for(exported, near) if exported is not None and exported is not node else None
        if isinstance(value, Unknown):
            if len(value.refs) == 1 and _SINGLE_PLACEHOLDER.match(value.text):
                return self.bucket_for(Node(value.refs[0], node.file, node.line), near)
            return None
        if isinstance(value, str) and value:
            candidates = self._by_name.get(bucket_name_from(value), [])
            if len(candidates) == 1:
                return candidates[0]
            # The same name declared twice (e.g. per environment): prefer the one beside the user.
            if near is not None and candidates:
                here = os.path.dirname(near)
                local = [b for b in candidates if os.path.dirname(b.location.file) == here]
                if len(local) == 1:
                    return local[0]
        return None

    def configured_elsewhere(self, bucket: S3Bucket, field: str) -> bool:
        """Whether split resources aimed at a bucket the scan could not identify (a stand-in, e.g.
        a module configuring `var.bucket`) set ``field`` and may be aimed at this declared bucket:
        then the bucket's own lack of ``field`` proves nothing."""
        return any(self.may_designate(other.name, bucket) for other in self._stand_ins_setting(field))

    def _stand_ins_setting(self, field: str) -> list[S3Bucket]:
        """The undeclared buckets that set ``field``, indexed once per field (the buckets are all
        linked by then): looking them up per bucket among all resources made the scan grow with
        the square of its size."""
        found = self._setting.get(field)
        if found is None:
            found = self._setting[field] = [b for b in self._undeclared if getattr(b, field)]
        return found

    @cached_property
    def _undeclared(self) -> list[S3Bucket]:
        return [r for r in self.resources if isinstance(r, S3Bucket) and not r.declared]

    def versioning_of(self, bucket: S3Bucket) -> str | None:
        """The bucket's :attr:`~S3Bucket.versioning_state`, except that missing versioning which
        an unresolved split resource may set elsewhere cannot be known (None)."""
        state = bucket.versioning_state
        if state == "off" and bucket.versioning is None and self.configured_elsewhere(bucket, "versioning"):
            return None
        return state

    @staticmethod
    def may_designate(value: Node | None, bucket: S3Bucket) -> bool:
        """Whether a bucket name, ARN or reference that the scan could not resolve may still
        designate this bucket.  A value known in part (`${var.env}-logs`) is matched as a
        pattern; a value not known at all may be any bucket (an imported value, a module input)."""
        pattern = _name_pattern(value)
        if pattern is None:
            return value is None or _may_reach(value, bucket)
        if bucket.name is None:
            return False  # a generated name: no literal or pattern written elsewhere can spell it
        name = bucket.name.value if bucket.name.known else None
        if isinstance(name, str):
            return pattern.fullmatch(name)
        name_pattern = _name_pattern(bucket.name)
        literal = value.value if value is not None and isinstance(value.value, str) else None
        if name_pattern is not None and literal is not None:
            return name_pattern.fullmatch(bucket_name_from(literal))
        return True  # two partly known strings: assume they may meet

    def zone_for(self, record: DnsRecord) -> HostedZone | None:
        """The hosted zone a record references, when it is declared in the scan."""
        if record.zone is not None and isinstance(record.zone.value, Ref):
            zone = self._by_uid.get(record.zone.value.uid)
            return zone if isinstance(zone, HostedZone) else None
        return None

    def dns_endpoint(self, ref: Ref) -> str | None:
        """The kind of alias-capable endpoint (see Resource.dns_endpoints) whose DNS name a
        reference reads; None when it reads something else."""
        # One instance of a counted resource (`aws_lb.web[0]`) is of the type of the resource.
        for uid in (ref.uid, _INSTANCE_KEY.sub("", ref.uid)):
            target = self._by_uid.get(uid)
            if target is not None and ref.attr in target.dns_endpoints:
                return target.dns_endpoints[ref.attr]
        return None

    # ----------------------------------------------------------------- iteration

    def _all(self, kind: type[T]) -> list[T]:
        # Rules ask for the same kinds once per item they check: one pass over the resources per
        # kind (again only if resources were added since).
        cached = self._of_kind.get(kind)
        if cached is None or cached[0] != len(self.resources):
            cached = (len(self.resources), [r for r in self.resources if isinstance(r, kind)])
            self._of_kind[kind] = cached
        return list(cached[1])

    def of(self, kind: type[T]) -> list[T]:
        """Every item of a model class: a kind of resource, ``PolicyDocument`` or ``TextFile``."""
        if issubclass(kind, PolicyDocument):
            return list(self.policies)
        if issubclass(kind, TextFile):
            return list(self.text_files)
        return self._all(kind)

    @property
    def buckets(self) -> list[S3Bucket]:
        return self.of(S3Bucket)

    @property
    def records(self) -> list[DnsRecord]:
        return self.of(DnsRecord)

    @property
    def launches(self) -> list[ComputeLaunch]:
        return self.of(ComputeLaunch)

    def public_access_blocks(self) -> Iterator[PublicAccessBlock]:
        """Every bucket-level and account-level block."""
        for bucket in self.buckets:
            if bucket.public_access_block is not None:
                yield bucket.public_access_block
        for account in self.of(AccountPublicAccessBlock):
            if account.block is not None:
                yield account.block


def _place(file: str, text: str) -> tuple[str, str]:
    """Where an unresolved expression means one thing: its template, or its module directory."""
    return (file if file.lower().endswith(_CFN_SUFFIXES) else os.path.dirname(file), text)


def reached_once(policies: list[PolicyDocument]) -> list[PolicyDocument]:
    """The documents, without a raw policy file that a template or module of the scan also reads
    (`file("policy.json")`): it is checked once, as the document of the resource that carries it."""
    embedded = {os.path.normpath(p.body.file) for p in policies if p.owner is not None}
    if not embedded:
        return policies
    return [p for p in policies if p.owner is not None or os.path.normpath(p.body.file) not in embedded]


def _name_pattern(node: Node | None) -> Wildcard | None:
    """A pattern for the bucket name a value may hold; None when nothing is known."""
    value = node.value if node is not None else None
    if isinstance(value, str):
        return compile_literals([bucket_name_from(value)])
    if not isinstance(value, Unknown) or "${" not in value.text:
        return None
    pieces = _PLACEHOLDER.split(bucket_name_from(value.text))
    if not any(pieces):
        return None
    return compile_literals(pieces)


def _may_reach(value: Node, bucket: S3Bucket) -> bool:
    """Whether a value nothing is known about can come from where the bucket is declared.  A
    Terraform value may be a module input, so it may name any Terraform bucket; a CloudFormation
    parameter of one template says nothing about a bucket of another template unless it is
    imported from another stack.  Neither says anything about a bucket of the other format."""
    if value.file == bucket.location.file:
        return True
    value_format = "cloudformation" if value.file.lower().endswith(_CFN_SUFFIXES) else "terraform"
    bucket_format = "terraform" if bucket.format == "plan" else bucket.format
    if value_format != bucket_format:
        return False
    if bucket_format == "cloudformation":
        # Imports of exports declared in the scan were resolved; others may be any bucket.
        return isinstance(value.value, Imported)
    return True


_CFN_SUFFIXES = (".yaml", ".yml", ".json", ".template")
