"""
## What it does
Finds buckets configured for static website hosting whose content cannot be read publicly, so
that every visitor of the website endpoint gets `403 Forbidden`:

- Block Public Access keeps public bucket policies out (`BlockPublicPolicy` or
  `RestrictPublicBuckets` on; a bucket with no public access block configuration has all four
  settings on, AWS's default since April 2023) and no public ACL can apply either; or
- no bucket policy allows everyone `s3:GetObject` on the bucket's objects, and no public ACL does.

A website that only redirects every request (`RedirectAllRequestsTo`) reads no object and is not
reported. Settings and policies that cannot be resolved statically are never reported, nor are
buckets that a split Terraform resource aimed at an unresolved bucket may be configuring.

## Why is this bad?
Website endpoints serve objects anonymously. With reads blocked, the site is broken on the day
it ships, usually discovered by users. Either the bucket should really be public (then say so
explicitly and narrowly), or the site should be served through CloudFront with origin access
control from a private bucket, without website hosting.

## Example
```hcl
resource "aws_s3_bucket" "site" {
  bucket = "acme-www"
}

resource "aws_s3_bucket_website_configuration" "site" {
  bucket = aws_s3_bucket.site.id
  index_document {
    suffix = "index.html"
  }
}
```

## Use instead
```hcl
resource "aws_s3_bucket" "site" {
  bucket = "acme-www"
}

resource "aws_s3_bucket_website_configuration" "site" {
  bucket = aws_s3_bucket.site.id
  index_document {
    suffix = "index.html"
  }
}

resource "aws_s3_bucket_public_access_block" "site" {
  bucket                  = aws_s3_bucket.site.id
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = false
  restrict_public_buckets = false
}

resource "aws_s3_bucket_policy" "site" {
  bucket = aws_s3_bucket.site.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "PublicRead"
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::acme-www/*"
    }]
  })
}
```

## References
- [Setting permissions for website access](https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteAccessPermissionsReqd.html)
- [Blocking public access to your Amazon S3 storage](https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html)
- [Restricting access to an Amazon S3 origin with CloudFront origin access control](https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html)
"""

from __future__ import annotations

from policylint.model import S3Bucket, text_of
from policylint.rule import Rule


class S3WebsiteBlocked(Rule):
    code = "PL114"
    slug = "s3-website-blocked"
    severity = "medium"
    title = "S3 website hosting on a bucket whose objects cannot be read publicly"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = S3Bucket

    def check(self, bucket, scan):
        website = bucket.website
        # A website that redirects every request reads no object (None: cannot be known).
        if website is None or website.redirects_all is not False or not bucket.declared:
            return
        if scan.configured_elsewhere(bucket, "public_access_block") or scan.configured_elsewhere(bucket, "acl"):
            return
        reason = self._blocked(scan, bucket)
        if reason:
            yield self.finding(
                f"Website hosting is configured but {reason}, so visitors get 403 Forbidden; serve the site "
                "through CloudFront with origin access control, or allow public `s3:GetObject` explicitly",
                at=website,
                resource=bucket,
            )

    def _blocked(self, scan, bucket: S3Bucket) -> str | None:
        acl = bucket.public_acl
        acls_blocked = bucket.blocks("ignore_public_acls") is True or text_of(bucket.ownership) in (None, "BucketOwnerEnforced")
        if acl is None or (acl and not acls_blocked):
            return None  # a public ACL may serve the site, or we cannot tell
        # A public ACL that AWS disregards is the first cause to name: it is what the user relied on.
        acl_cause = self._acl_ignored(bucket) if acl else None
        policy_blocked = [bucket.blocks(n) for n in ("block_public_policy", "restrict_public_buckets")]
        if True in policy_blocked:
            configured = "Block Public Access" if bucket.public_access_block else "Block Public Access (on by default for new buckets)"
            policy_cause = f"{configured} keeps public bucket policies out"
        elif None in policy_blocked or self._unlinked_policies_may_apply(scan, bucket):
            return None
        elif self._public_read(scan, bucket) is False:
            policy_cause = "no bucket policy allows everyone `s3:GetObject` on its objects"
        else:
            return None
        return f"{acl_cause}, and {policy_cause}" if acl_cause else policy_cause

    @staticmethod
    def _acl_ignored(bucket: S3Bucket) -> str:
        """Why the bucket's public ACL does not make its objects readable."""
        canned = text_of(bucket.acl)
        what = f"its public ACL `{bucket.acl_as_written(canned)}`" if canned else "its public ACL grant"
        if text_of(bucket.ownership) in (None, "BucketOwnerEnforced"):
            default = " (the default for new buckets)" if bucket.ownership is None else ""
            return f"{what} has no effect: Object Ownership `BucketOwnerEnforced`{default} disables ACLs"
        key = bucket.keys.get("ignore_public_acls") or ("IgnorePublicAcls" if bucket.format == "cloudformation" else "ignore_public_acls")
        return f"{what} is ignored: Block Public Access `{key}` is on"

    @staticmethod
    def _unlinked_policies_may_apply(scan, bucket: S3Bucket) -> bool:
        linked = {id(d) for b in scan.resources if isinstance(b, S3Bucket) for d in b.policies}
        return any(
            p.attached_to is not None and id(p) not in linked and scan.may_designate(p.attached_to, bucket)
            for p in scan.policies
        )

    @staticmethod
    def _public_read(scan, bucket: S3Bucket) -> bool | None:
        """Does a policy of the bucket grant everyone `s3:GetObject` on its objects?"""
        from policylint.policy.document import policy_of
        from policylint.policy.evaluate import ANY, Match, action_match, resource_match
        from policylint.policy.public import public_grant
        from policylint.policy.targets import reference_resolver

        name = text_of(bucket.name)
        objects = f"arn:aws:s3:::{name}/{ANY}" if name else None
        resolve = reference_resolver(scan, bucket, name) if name else None
        unknown = False
        for document in bucket.policies:
            policy = policy_of(document)
            if policy.unknown:
                return None
            statements = policy.statements
            for statement in statements:
                if statement.unknown:
                    unknown = True
                    continue
                if objects is None or public_grant(statement, statements, resolve) is None:
                    continue
                action = action_match(statement, "s3:GetObject", resolve)
                resource = resource_match(statement, objects, resolve)
                if Match.UNKNOWN in (action, resource):
                    unknown = True
                elif action is not Match.NONE and resource is not Match.NONE:
                    return True  # some or all objects are public: the site (partly) works
        if bucket.policies and objects is None:
            return None
        return None if unknown else False
