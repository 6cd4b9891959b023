"""
## What it does
Finds buckets whose ACL makes them public: a canned ACL `public-read`, `public-read-write` or
`authenticated-read` (CloudFormation `AccessControl: PublicRead | PublicReadWrite |
AuthenticatedRead`; Terraform `acl` on `aws_s3_bucket` or `aws_s3_bucket_acl`), or an explicit
grant to the `AllUsers` or `AuthenticatedUsers` groups. Write access for everyone (`public-read-write`,
or a `WRITE`, `WRITE_ACP` or `FULL_CONTROL` grant) is reported as critical.

## Why is this bad?
`AllUsers` is anyone on the internet; `AuthenticatedUsers` is anyone with any AWS account. ACLs are
a legacy mechanism that AWS now disables by default (Object Ownership `BucketOwnerEnforced`).
Bucket policies are easier to audit; most buckets need neither.

## Example
```yaml
Resources:
  Assets:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: PublicRead
```

## Use instead
```yaml
Resources:
  Assets:
    Type: AWS::S3::Bucket
    Properties:
      OwnershipControls:
        Rules:
          - ObjectOwnership: BucketOwnerEnforced
```

## References
- [Access control list (ACL) overview: canned ACLs](https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl)
- [Controlling ownership of objects and disabling ACLs](https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html)
"""

from __future__ import annotations

from policylint.model import PUBLIC_CANNED_ACLS, PUBLIC_GROUPS, S3Bucket, text_of
from policylint.rule import Rule, origin_note

CANNED_SEVERITY = {"public-read": "high", "public-read-write": "critical", "authenticated-read": "high"}
WRITE_PERMISSIONS = {"WRITE", "WRITE_ACP", "FULL_CONTROL"}


class S3PublicAcl(Rule):
    code = "PL111"
    slug = "s3-public-acl"
    severity = "high"
    title = "S3 bucket ACL grants access to everyone or to every AWS account"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = S3Bucket

    def check(self, bucket, scan):
        canned = text_of(bucket.acl)
        if canned in PUBLIC_CANNED_ACLS:
            origin = origin_note(bucket.acl)
            ownership = "`ObjectOwnership: BucketOwnerEnforced`" if bucket.format == "cloudformation" else "`BucketOwnerEnforced` ownership"
            yield self.finding(
                f"Canned ACL `{bucket.acl_as_written(canned)}`{origin} makes the bucket public; use `{bucket.acl_as_written('private')}` "
                f"(or no ACL with {ownership}) and grant access in a bucket policy",
                at=bucket.acl,
                resource=bucket,
                severity=CANNED_SEVERITY[canned],
            )
        for grant in bucket.grants:
            who = PUBLIC_GROUPS.get(text_of(grant.grantee_uri) or "")
            if who is None:
                continue
            permissions = [text_of(p) for p in grant.permission.items()] if grant.permission is not None else []
            if None in permissions:
                continue  # a permission that cannot be resolved: say nothing
            severity = "critical" if WRITE_PERMISSIONS.intersection(permissions) else "high"
            granted = ", ".join(f"`{p}`" for p in permissions) or "access"
            yield self.finding(
                f"ACL grant gives {who} {granted} on the bucket; remove the grant",
                at=grant.grantee_uri or grant,
                resource=bucket,
                severity=severity,
            )
