"""
## What it does
Finds S3 public access blocks, at bucket level (CloudFormation `PublicAccessBlockConfiguration`,
Terraform `aws_s3_bucket_public_access_block`) or account level (Terraform
`aws_s3_account_public_access_block`), that turn any of the four settings off. A setting that is
omitted from a configured block is off too: AWS stores `false` for it. A bucket with no
configuration at all keeps AWS's default since April 2023 (all four on) and is not reported.

## Why is this bad?
Block Public Access is the safety net under every bucket policy and ACL: with it on, a mistaken
public grant is rejected or ignored. Turning a setting off, or forgetting one, removes that net.

## Example
```hcl
resource "aws_s3_bucket_public_access_block" "assets" {
  bucket                  = "acme-assets"
  block_public_acls       = true
  block_public_policy     = false
  ignore_public_acls      = true
  restrict_public_buckets = true
}
```

## Use instead
```hcl
resource "aws_s3_bucket_public_access_block" "assets" {
  bucket                  = "acme-assets"
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
```

## References
- [Blocking public access to your Amazon S3 storage](https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html)
- [Default settings for new S3 buckets (April 2023)](https://aws.amazon.com/blogs/aws/heads-up-amazon-s3-security-changes-are-coming-in-april-of-2023/)
"""

from __future__ import annotations

from policylint.model import PUBLIC_ACCESS_BLOCK_SETTINGS, AccountPublicAccessBlock, truth
from policylint.rule import Rule


class S3PublicAccessBlockDisabled(Rule):
    code = "PL109"
    slug = "s3-public-access-block-disabled"
    severity = "high"
    title = "S3 Block Public Access setting turned off or omitted"
    formats = frozenset({"cloudformation", "terraform", "plan"})

    def check(self, scan):
        for block in scan.public_access_blocks():
            owner = block.owner
            omitted = []
            scope = "buckets of this account" if isinstance(owner, AccountPublicAccessBlock) else "this bucket"
            for name in PUBLIC_ACCESS_BLOCK_SETTINGS:
                node = block.settings.get(name)
                if node is None:
                    omitted.append(name)
                elif truth(node) is False:
                    origin = f" ({node.origin})" if node.origin else ""
                    yield self.finding(
                        f"`{owner.key(name)}` is false{origin}; set it to true unless {scope} must be public",
                        at=node,
                        resource=owner,
                    )
            if omitted:
                names = ", ".join(f"`{owner.key(n)}`" for n in omitted)
                yield self.finding(
                    f"Public access block omits {names}, which AWS then sets to false; set all four to true",
                    at=block,
                    resource=owner,
                )
