"""
## What it does
Finds buckets declared in the scan that do not record server access logs (CloudFormation
`LoggingConfiguration`, Terraform v3 `logging {}` or v4+ `aws_s3_bucket_logging`).

Buckets that receive access logs are exempt (the last bucket of a log chain must not log): the
target of any bucket's logging in the scan, found through references, names and ARNs; a bucket
with the `log-delivery-write` ACL; and a bucket whose policy lets `logging.s3.amazonaws.com` write.
When a log target cannot be resolved (an unknown variable, an imported value) every bucket it might
name is exempt too, and so is every bucket that an `aws_s3_bucket_logging` aimed at an unresolved
bucket (a module's `var.bucket`) might configure. A bucket that only appears through split
`aws_s3_bucket_*` resources (the `aws_s3_bucket` itself is outside the scan) is not reported: its
logging may be configured elsewhere.

## Why is this bad?
Without access logs there is no record of who read, wrote or deleted objects, which auditors and
incident responders need. CloudTrail data events can replace them, at a price.

## Example
```yaml
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-data
```

## Use instead
```yaml
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-data
      LoggingConfiguration:
        DestinationBucketName: !Ref AccessLogs
        LogFilePrefix: data/
  AccessLogs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-access-logs
```

## References
- [Logging requests with server access logging](https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html)
- [Logging options for Amazon S3](https://docs.aws.amazon.com/AmazonS3/latest/userguide/logging-with-S3.html)
"""

from __future__ import annotations

from policylint.model import Node, S3Bucket, text_of
from policylint.rule import Rule

LOG_DELIVERY_SERVICE = "logging.s3.amazonaws.com"


class S3AccessLoggingDisabled(Rule):
    code = "PL102"
    slug = "s3-access-logging-disabled"
    severity = "low"
    title = "S3 bucket without server access logging"
    formats = frozenset({"cloudformation", "terraform", "plan"})

    def check(self, scan):
        exempt: set[S3Bucket] = set()
        unresolved: list[Node] = []  # log targets that name no declared bucket
        for bucket in scan.buckets:
            if bucket.logging is None:
                continue
            target = bucket.logging.target
            destination = bucket if target is None else scan.bucket_for(target, near=bucket.location.file)
            if destination is not None:
                exempt.add(destination)
            else:
                unresolved.append(target)

        for bucket in scan.buckets:
            if not bucket.declared or bucket.logging is not None or bucket in exempt or receives_logs(bucket):
                continue
            if any(scan.may_designate(target, bucket) for target in unresolved) or scan.configured_elsewhere(bucket, "logging"):
                continue
            yield self.finding("Bucket has no server access logging; send its logs to a dedicated log bucket", at=bucket)


def receives_logs(bucket: S3Bucket) -> bool:
    """Set up to receive access logs from buckets outside the scan: the legacy log-delivery ACL,
    or a policy that allows the log-delivery service (or cannot be read)."""
    if text_of(bucket.acl) == "log-delivery-write":
        return True
    if not bucket.policies:
        return False
    from policylint.policy.document import policy_of

    for document in bucket.policies:
        policy = policy_of(document)
        if policy.unknown:
            return True
        for statement in policy.statements:
            if statement.unknown or statement.effect_text == "Deny" or statement.principal is None:
                continue
            services = statement.principal.by_type.get("Service")
            if statement.principal.unknown:
                return True
            if services is not None and any(not v.known or v.text == LOG_DELIVERY_SERVICE for v in services.values):
                return True
    return False
