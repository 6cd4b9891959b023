"""
## What it does
Finds S3 replication configurations that cannot be applied: no IAM role for S3 to assume, no
replication rule at all, or a rule without a destination bucket. CloudFormation
`ReplicationConfiguration`, Terraform v3 `replication_configuration` and v4+
`aws_s3_bucket_replication_configuration` are all read; parts that cannot be resolved statically
(a `dynamic` block, a computed role ARN) are not reported.

## Why is this bad?
S3 needs all three to replicate: the role it assumes to read the source and write the replicas,
at least one rule, and each rule's destination bucket. Without them the replication call is
rejected and the deployment fails.

## Example
```yaml
Resources:
  Source:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration:
        Status: Enabled
      ReplicationConfiguration:
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
        Role: !GetAtt ReplicationRole.Arn
        Rules:
          - Status: Enabled
            Destination:
              Bucket: arn:aws:s3:::acme-replica
  ReplicationRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: s3.amazonaws.com
            Action: sts:AssumeRole
```

## References
- [Setting up permissions for live replication](https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html)
- [Replication configuration file elements](https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-add-config.html)
"""

from __future__ import annotations

from policylint.model import S3Bucket
from policylint.rule import Rule


class S3ReplicationIncomplete(Rule):
    code = "PL117"
    slug = "s3-replication-incomplete"
    severity = "high"
    title = "S3 replication without a role, rules or destination"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = S3Bucket

    def check(self, bucket, scan):
        replication = bucket.replication
        if replication is None:
            return
        if _missing(replication.role):
            yield self.finding(
                "Replication has no IAM role; give it the ARN of a role that `s3.amazonaws.com` can "
                "assume, or S3 rejects the configuration",
                at=replication,
                resource=bucket,
            )
        if not replication.rules:
            yield self.finding(
                "Replication has no rules; add at least one rule with a destination bucket",
                at=replication,
                resource=bucket,
            )
        for rule in replication.rules:
            if _missing(rule.destination):
                yield self.finding(
                    "Replication rule has no destination bucket; set the destination bucket ARN",
                    at=rule,
                    resource=bucket,
                )


def _missing(node) -> bool:
    return node is None or (node.known and node.value in (None, ""))
