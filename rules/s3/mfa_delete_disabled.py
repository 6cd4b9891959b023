"""
## What it does
Finds buckets with versioning `Enabled` that do not have MFA delete enabled: Terraform v3
`versioning { mfa_delete = true }` or v4+ `aws_s3_bucket_versioning`
`versioning_configuration { mfa_delete = "Enabled" }` is missing or off. CloudFormation cannot
set MFA delete, so the rule does not apply there. Reported as information: MFA delete can only be
turned on by the root user with an MFA code, which Terraform passes in the `mfa` argument, so many
teams enable it out of band; check that it is.

## Why is this bad?
With MFA delete, permanently deleting an object version or changing the bucket's versioning state
requires the root user's MFA code. Without it, anyone holding `s3:DeleteObjectVersion` (a leaked
key, a compromised role) can erase every version that versioning was keeping.

## Example
```hcl
resource "aws_s3_bucket" "ledger" {
  bucket = "acme-ledger"
}

resource "aws_s3_bucket_versioning" "ledger" {
  bucket = aws_s3_bucket.ledger.id
  versioning_configuration {
    status = "Enabled"
  }
}
```

## Use instead
```hcl
variable "root_mfa" {
  description = "serial number of the root user's MFA device, a space, and its current code"
  type        = string
}

resource "aws_s3_bucket" "ledger" {
  bucket = "acme-ledger"
}

resource "aws_s3_bucket_versioning" "ledger" {
  bucket = aws_s3_bucket.ledger.id
  mfa    = var.root_mfa
  versioning_configuration {
    status     = "Enabled"
    mfa_delete = "Enabled"
  }
}
```

## References
- [Configuring MFA delete](https://docs.aws.amazon.com/AmazonS3/latest/userguide/MultiFactorAuthenticationDelete.html)
- [Terraform aws_s3_bucket_versioning](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_versioning)
"""

from __future__ import annotations

from policylint.model import S3Bucket, text_of
from policylint.rule import Rule


class S3MfaDeleteDisabled(Rule):
    code = "PL108"
    slug = "s3-mfa-delete-disabled"
    severity = "info"
    title = "Versioned S3 bucket without MFA delete"
    formats = frozenset({"terraform", "plan"})
    on = S3Bucket

    def check(self, bucket, scan):
        # Versioning written as `Enabled`: Object Lock alone (versioned, with no versioning
        # configuration to carry MFA delete) is left alone.
        if text_of(bucket.versioning) != "Enabled":
            return
        mfa_delete = bucket.mfa_delete
        if mfa_delete is not None and (not mfa_delete.known or text_of(mfa_delete) == "Enabled"):
            return
        yield self.finding(
            "Versioning without MFA delete: anyone allowed `s3:DeleteObjectVersion` can erase old "
            "versions; enable it with the root user's MFA code (`mfa`), or check it is enabled out of band",
            at=mfa_delete or bucket.versioning,
            resource=bucket,
        )
