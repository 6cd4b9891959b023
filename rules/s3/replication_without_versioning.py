"""
## What it does
Finds S3 replication configured on a bucket whose versioning is not `Enabled`, or towards a
destination bucket (declared anywhere in the scan) that is not versioned. Both the Terraform v3
inline `replication_configuration` / `versioning` blocks and the v4+ split
`aws_s3_bucket_replication_configuration` / `aws_s3_bucket_versioning` resources are understood,
as is CloudFormation's `ReplicationConfiguration`. A bucket with Object Lock enabled counts as
versioned. Versioning that cannot be resolved statically is not reported.

## Why is this bad?
S3 replication requires versioning on the source and on every destination. The deployment fails
(`PutBucketReplication` is rejected), usually after the buckets were already created.

## Example
```yaml
Resources:
  Source:
    Type: AWS::S3::Bucket
    Properties:
      ReplicationConfiguration:
        Role: arn:aws:iam::123456789012:role/replication
        Rules:
          - Status: Enabled
            Destination:
              Bucket: arn:aws:s3:::acme-replica
```

## Use instead
```yaml
Resources:
  Source:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration:
        Status: Enabled
      ReplicationConfiguration:
        Role: arn:aws:iam::123456789012:role/replication
        Rules:
          - Status: Enabled
            Destination:
              Bucket: arn:aws:s3:::acme-replica
```

## References
- [Requirements and considerations for replication](https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-requirements.html)
- [AWS::S3::Bucket ReplicationConfiguration](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-s3-bucket-replicationconfiguration.html)
"""

from __future__ import annotations

from policylint.model import S3Bucket
from policylint.rule import Rule


class S3ReplicationWithoutVersioning(Rule):
    code = "PL105"
    slug = "s3-replication-without-versioning"
    severity = "high"
    title = "S3 replication on or to a bucket without versioning enabled"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = S3Bucket

    def check(self, bucket, scan):
        replication = bucket.replication
        if replication is None:
            return
        if scan.versioning_of(bucket) == "off":
            explicit = bucket.versioning is not None and bucket.versioning.known
            at = bucket.versioning if explicit else replication
            state = f"`{bucket.versioning.value}`" if explicit else "not configured"
            yield self.finding(
                f"Replication needs versioning on the source bucket, but it is {state}; "
                "set versioning status to `Enabled` or the replication call fails",
                at=at,
                resource=bucket,
            )
        for rule in replication.rules:
            destination = scan.bucket_for(rule.destination, near=bucket.location.file)
            if destination is None or destination is bucket or scan.versioning_of(destination) != "off":
                continue
            yield self.finding(
                f"Replication destination `{destination.address}` is not versioned; "
                "enable versioning on every destination bucket",
                at=rule.destination,
                resource=bucket,
            )
