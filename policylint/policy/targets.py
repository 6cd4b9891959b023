"""Which documents are bucket policies, which bucket each applies to, and how references in them
read.  Shared by the rules that ask questions about a bucket's policy (PL103, PL104, PL110).

A bucket declared in the scan is judged on all the policy documents linked to it (CloudFormation
``AWS::S3::BucketPolicy``, Terraform ``aws_s3_bucket_policy`` or v3 ``aws_s3_bucket.policy``, a
plan entry).  A bucket policy whose bucket is not in the scan, and a raw policy file, is judged
on its own, for the bucket(s) its ``Resource`` ARNs name.
"""

from __future__ import annotations

import re

from policylint.model import Imported, PolicyDocument, Ref, S3Bucket, Unknown, text_of
from policylint.patterns import lazy
from policylint.policy.document import Policy, policy_of
from policylint.policy.evaluate import ANY, NAME, denies
from policylint.records import record

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Iterator

    from policylint.policy.evaluate import Resolver
    from policylint.scan import Scan

S3_ARN = lazy(r"^arn:aws[\w-]*:s3:::")


def reference_resolver(scan: Scan, subject: S3Bucket | None = None, subject_name: str | None = None,
                       unnamed: str | None = None, attached: PolicyDocument | None = None) -> Resolver:
    """Read references to buckets of the scan as their name or ARN.  ``subject`` (the bucket under
    test) reads as ``subject_name``, which may be :data:`NAME`; other buckets whose name is
    unknown read as ``unnamed`` (None: unknown).  With ``attached``, a bucket policy whose bucket
    cannot be named, the expression naming its bucket (``${var.bucket}``) reads as :data:`NAME`
    wherever the document writes it."""

    def resolve(ref: Ref) -> str | None:
        target = scan.resource(ref.uid)
        if not isinstance(target, S3Bucket):
            return None
        if target is subject:
            name = subject_name
        else:
            known = text_of(target.name)
            name = known if known else unnamed
        if name is None:
            return None
        attr = (ref.attr or "").lower()
        if attr in ("", "id", "bucket"):
            return name
        if attr == "arn":
            return f"arn:aws:s3:::{name}"
        return None

    placeholder = placeholder_of(attached) if attached is not None else None
    if placeholder is not None:
        resolve.placeholders = {placeholder: NAME}  # type: ignore[attr-defined]
    return resolve


def placeholder_of(document: PolicyDocument) -> str | None:
    """How a bucket policy whose bucket cannot be named writes that bucket's name inside strings:
    ``${var.bucket_name}`` (Terraform `bucket = var.bucket_name`), ``${BucketParam}`` (a
    template's `Bucket: !Ref BucketParam`).  None for other documents, and for an expression with
    more than a name in it."""
    if not document.on_bucket or document.attached_to is None:
        return None
    value = document.attached_to.value
    if not isinstance(value, Unknown) or isinstance(value, Imported) or value.refs:
        return None
    text = value.text.strip()
    if text.startswith("${") and text.endswith("}") and text.count("${") == 1:
        text = text[2:-1]
    if not re.fullmatch(r"[A-Za-z_][\w.-]*", text):
        return None
    return "${" + text + "}"


@record
class BucketTarget:
    """The policy documents that apply to one bucket, with what a request to it looks like."""

    bucket: S3Bucket | None
    name: str  # the bucket name, or NAME when it cannot be known statically
    documents: list[PolicyDocument]
    resolve: Resolver
    written: str | None = None  # how the documents write an unknown name (`${var.bucket}`)

    @property
    def policies(self) -> list[Policy]:
        return [policy_of(d) for d in self.documents]

    @property
    def bucket_arn(self) -> str:
        return f"arn:aws:s3:::{self.name}"

    @property
    def objects_arn(self) -> str:
        """Every object of the bucket (a universal resource)."""
        return f"arn:aws:s3:::{self.name}/{ANY}"

    @property
    def display(self) -> str:
        """The bucket's ARN as users write it, for messages."""
        if self.name == NAME:
            return f"arn:aws:s3:::{self.written or 'BUCKET'}"
        return self.bucket_arn

    @property
    def resource(self):
        return self.bucket or self.documents[0]

    def undenied(self, requests) -> list[str] | None:
        """The labels of ``(label, Request)`` pairs that the target's policies do not deny; None
        when an answer depends on something unresolved (then nothing may be reported)."""
        policies = self.policies
        open_labels = []
        for label, request in requests:
            denied = denies(policies, request, self.resolve)
            if denied is None:
                return None
            if denied is False:
                open_labels.append(label)
        return open_labels

    def anchor(self):
        """Where a finding about a missing statement goes: the first document's ``Statement``."""
        document = self.documents[0]
        statements = document.body.get("Statement")
        return statements if statements is not None else document


def is_bucket_policy(document: PolicyDocument) -> bool:
    if document.kind != "resource":
        return False
    if document.owner is not None:
        return document.on_bucket
    known = [r for r in _resource_texts(policy_of(document)) if r is not None]
    return any(S3_ARN.match(r) for r in known) and all(S3_ARN.match(r) or r == "*" for r in known)


def bucket_targets(scan: Scan) -> Iterator[BucketTarget]:
    linked: set[int] = set()
    for bucket in scan.buckets:
        documents = [d for d in bucket.policies if d.kind == "resource"]
        if not documents:
            continue
        linked.update(id(d) for d in documents)
        name = text_of(bucket.name) or NAME
        yield BucketTarget(bucket, name, documents, reference_resolver(scan, bucket, name))
    resolve = reference_resolver(scan)
    for document in [p for p in scan.policies if id(p) not in linked]:
        if not is_bucket_policy(document):
            continue
        attached = text_of(document.attached_to)
        names = {S3_ARN.sub("", attached).split("/", 1)[0]} if attached else named_buckets(policy_of(document))
        if not names and document.on_bucket and document.attached_to is not None and not document.attached_to.known:
            # A bucket has at most one policy: this one is its bucket's, whatever the bucket.
            yield BucketTarget(None, NAME, [document], reference_resolver(scan, attached=document), placeholder_of(document))
            continue
        for name in sorted(names):
            yield BucketTarget(None, name, [document], resolve)


def _resource_texts(policy: Policy) -> list[str | None]:
    return [
        value.text
        for statement in policy.statements
        for element in (statement.resource, statement.not_resource)
        if element is not None
        for value in element.values
    ]


def named_buckets(policy: Policy) -> set[str]:
    names = set()
    for text in _resource_texts(policy):
        if text and S3_ARN.match(text):
            name = S3_ARN.sub("", text).split("/", 1)[0]
            if name and not any(c in name for c in "*?$"):
                names.add(name)
    return names
