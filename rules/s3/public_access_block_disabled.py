"""
## What it does
Finds S3 public access blocks, at bucket level (CloudFormation `PublicAccessBlockConfiguration`,
Terraform `aws_s3_bucket_public_access_block`) or account level (Terraform
`aws_s3_account_public_access_block`), that turn any of the four settings off. A setting that is
omitted from a configured block is off too: AWS stores `false` for it. A bucket with no
configuration at all keeps AWS's default since April 2023 (all four on) and is not reported.
Each block gets one finding that lists every setting off, in every format: at the setting when it
is the only one, else at the block.

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
from policylint.rule import Rule, origin_note


class S3PublicAccessBlockDisabled(Rule):
    code = "PL109"
    slug = "s3-public-access-block-disabled"
    severity = "high"
    title = "S3 Block Public Access setting turned off or omitted"
    formats = frozenset({"cloudformation", "terraform", "plan"})

    def check(self, scan):
        # One finding per block (bucket or account), listing every setting that is off, in every
        # format: at the setting when it is the only one, else at the block.
        for block in scan.public_access_blocks():
            owner = block.owner
            scope = "buckets of this account" if isinstance(owner, AccountPublicAccessBlock) else "this bucket"
            off = [(name, node) for name, node in ((n, block.settings.get(n)) for n in PUBLIC_ACCESS_BLOCK_SETTINGS) if node is not None and truth(node) is False]
            omitted = [name for name in PUBLIC_ACCESS_BLOCK_SETTINGS if block.settings.get(name) is None]
            if not off and not omitted:
                continue
            parts = []
            if off:
                parts.append(f"sets {_names(owner, [n for n, _ in off], [node for _, node in off])} to false")
            if omitted:
                parts.append(f"omits {_names(owner, omitted)}, which AWS then sets to false")
            at = off[0][1] if len(off) == 1 and not omitted else block
            yield self.finding(
                f"Public access block {' and '.join(parts)}; set all four to true unless {scope} must be public",
                at=at,
                resource=owner,
            )


def _names(owner, names: list[str], nodes: list | None = None) -> str:
    """`A`, `B` and `C` in the user's spelling, each with where its value came from when it was a default."""
    words = []
    for index, name in enumerate(names):
        node = nodes[index] if nodes else None
        words.append(f"`{owner.key(name)}`{origin_note(node)}")
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
