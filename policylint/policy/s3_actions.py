"""The S3 actions policylint knows: which resource each acts on, and whether it only reads.

From the Service Authorization Reference ("Actions defined by Amazon S3"), restricted to the
actions whose resource is a general-purpose bucket (``arn:aws:s3:::bucket``) or an object in one
(``arn:aws:s3:::bucket/key``).  Actions not listed here (account-level, access points, Batch
Operations jobs, Storage Lens...) are never judged by resource type.
"""

from __future__ import annotations

import re
from functools import lru_cache

from policylint.policy.wildcard import STAR, compile_pieces

# name -> (resource, access): resource "bucket" | "object"; access "read" | "list" | "write" |
# "permissions" | "tagging", as the reference classifies them.
_OBJECT_ACTIONS = {
    "AbortMultipartUpload": "write",
    "BypassGovernanceRetention": "write",
    "DeleteObject": "write",
    "DeleteObjectTagging": "tagging",
    "DeleteObjectVersion": "write",
    "DeleteObjectVersionTagging": "tagging",
    "GetObject": "read",
    "GetObjectAcl": "read",
    "GetObjectAttributes": "read",
    "GetObjectLegalHold": "read",
    "GetObjectRetention": "read",
    "GetObjectTagging": "read",
    "GetObjectTorrent": "read",
    "GetObjectVersion": "read",
    "GetObjectVersionAcl": "read",
    "GetObjectVersionAttributes": "read",
    "GetObjectVersionForReplication": "read",
    "GetObjectVersionTagging": "read",
    "GetObjectVersionTorrent": "read",
    "InitiateReplication": "write",
    "ListMultipartUploadParts": "list",
    "ObjectOwnerOverrideToBucketOwner": "permissions",
    "PutObject": "write",
    "PutObjectAcl": "permissions",
    "PutObjectLegalHold": "write",
    "PutObjectRetention": "write",
    "PutObjectTagging": "tagging",
    "PutObjectVersionAcl": "permissions",
    "PutObjectVersionTagging": "tagging",
    "ReplicateDelete": "write",
    "ReplicateObject": "write",
    "ReplicateTags": "tagging",
    "RestoreObject": "write",
}

_BUCKET_ACTIONS = {
    "CreateBucket": "write",
    "DeleteBucket": "write",
    "DeleteBucketOwnershipControls": "write",
    "DeleteBucketPolicy": "permissions",
    "DeleteBucketWebsite": "write",
    "GetAccelerateConfiguration": "read",
    "GetAnalyticsConfiguration": "read",
    "GetBucketAcl": "read",
    "GetBucketCORS": "read",
    "GetBucketLocation": "read",
    "GetBucketLogging": "read",
    "GetBucketNotification": "read",
    "GetBucketObjectLockConfiguration": "read",
    "GetBucketOwnershipControls": "read",
    "GetBucketPolicy": "read",
    "GetBucketPolicyStatus": "read",
    "GetBucketPublicAccessBlock": "read",
    "GetBucketRequestPayment": "read",
    "GetBucketTagging": "read",
    "GetBucketVersioning": "read",
    "GetBucketWebsite": "read",
    "GetEncryptionConfiguration": "read",
    "GetIntelligentTieringConfiguration": "read",
    "GetInventoryConfiguration": "read",
    "GetLifecycleConfiguration": "read",
    "GetMetricsConfiguration": "read",
    "GetReplicationConfiguration": "read",
    "ListBucket": "list",
    "ListBucketMultipartUploads": "list",
    "ListBucketVersions": "list",
    "PutAccelerateConfiguration": "write",
    "PutAnalyticsConfiguration": "write",
    "PutBucketAcl": "permissions",
    "PutBucketCORS": "write",
    "PutBucketLogging": "write",
    "PutBucketNotification": "write",
    "PutBucketObjectLockConfiguration": "write",
    "PutBucketOwnershipControls": "write",
    "PutBucketPolicy": "permissions",
    "PutBucketPublicAccessBlock": "permissions",
    "PutBucketRequestPayment": "write",
    "PutBucketTagging": "tagging",
    "PutBucketVersioning": "write",
    "PutBucketWebsite": "write",
    "PutEncryptionConfiguration": "write",
    "PutIntelligentTieringConfiguration": "write",
    "PutInventoryConfiguration": "write",
    "PutLifecycleConfiguration": "write",
    "PutMetricsConfiguration": "write",
    "PutReplicationConfiguration": "write",
}

ACTIONS: dict[str, tuple[str, str]] = {
    **{f"s3:{name}": ("object", access) for name, access in _OBJECT_ACTIONS.items()},
    **{f"s3:{name}": ("bucket", access) for name, access in _BUCKET_ACTIONS.items()},
}
_BY_LOWER = {name.lower(): name for name in ACTIONS}
_READ_PREFIXES = ("get", "list", "describe", "head")


@lru_cache(maxsize=1024)
def expand(pattern: str) -> tuple[str, ...]:
    """The known S3 actions an action pattern (``s3:Get*``, ``*``) matches, case-insensitively."""
    matcher = compile_pieces((STAR if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.IGNORECASE)
    return tuple(name for name in ACTIONS if matcher.fullmatch(name))


def may_name_s3(pattern: str) -> bool:
    """Whether an action pattern as written may stand for an S3 action: its service (up to the
    first `:`) is `s3` in any case, or has a wildcard."""
    service = pattern.partition(":")[0]
    return service.lower() == "s3" or "*" in service or "?" in service


def canonical(action: str) -> str | None:
    return _BY_LOWER.get(action.lower())


def resource_kind(action: str) -> str | None:
    """``bucket`` or ``object`` for a known action name, else None."""
    name = canonical(action)
    return ACTIONS[name][0] if name else None


def only_reads(pattern: str) -> bool:
    """Does the pattern grant nothing but reads and listings?  ``*``, ``s3:*`` and any pattern
    reaching a write, delete or permissions action do not.  A name policylint does not know is
    judged by its verb (Get/List/Describe/Head read)."""
    if "*" in pattern or "?" in pattern:
        service, _, name = pattern.partition(":")
        if not name or name.strip("*?") == "" or "*" in service or "?" in service:
            return False
        matched = expand(pattern)
        return all(ACTIONS[m][1] in ("read", "list") for m in matched)
    name = canonical(pattern)
    if name is not None:
        return ACTIONS[name][1] in ("read", "list")
    verb = pattern.partition(":")[2].lower()
    return verb.startswith(_READ_PREFIXES)
