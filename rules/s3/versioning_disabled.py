"""
## What it does
Finds buckets whose versioning is not enabled: status `Suspended` or `Disabled` (CloudFormation
`VersioningConfiguration.Status`, Terraform v3 `versioning { enabled = false }`, v4+
`aws_s3_bucket_versioning`), or no versioning configuration at all on a bucket declared in the
scan. A bucket with Object Lock enabled is versioned. A bucket known only through split
`aws_s3_bucket_*` resources is reported only when one of them sets versioning off, a bucket that an
`aws_s3_bucket_versioning` aimed at an unresolved bucket (a module's `var.bucket`) might configure
is not reported as lacking versioning, and a status that cannot be resolved statically is not
reported.

## Why is this bad?
Without versioning an overwrite or a delete destroys the only copy of an object, whether it comes
from a bug, a user mistake or ransomware. Versioning keeps every version and turns deletes into
recoverable delete markers; lifecycle rules can expire old versions to control cost.

## Example
```yaml
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration:
        Status: Suspended
```

## Use instead
```yaml
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration:
        Status: Enabled
```

## References
- [Retaining multiple versions of objects with S3 Versioning](https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html)
- [AWS::S3::Bucket VersioningConfiguration](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-s3-bucket-versioningconfiguration.html)
"""

from __future__ import annotations

from policylint.model import S3Bucket
from policylint.rule import Rule


class S3VersioningDisabled(Rule):
    code = "PL107"
    slug = "s3-versioning-disabled"
    severity = "low"
    title = "S3 bucket versioning not enabled"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = S3Bucket

    def check(self, bucket, scan):
        if scan.versioning_of(bucket) != "off":
            return
        status = bucket.versioning
        if status is not None:
            yield self.finding(
                f"Versioning is `{status.value}`; set the status to `Enabled` so that overwritten "
                "and deleted objects can be recovered",
                at=status,
                resource=bucket,
            )
        else:
            yield self.finding(
                "Bucket has no versioning; enable it so that overwritten and deleted objects can be recovered",
                at=bucket,
            )
