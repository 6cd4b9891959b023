"""
## What it does
Finds buckets whose server access logs are delivered to themselves, directly or through a cycle
of buckets of any length (`A` → `B` → `A`, `A` → `B` → `C` → `A`). The log target is followed
through references, literal bucket names and ARNs, and variables with known values. In
CloudFormation a `LoggingConfiguration` without `DestinationBucketName` delivers to the bucket
itself.

## Why is this bad?
Every log object written into a logged bucket is itself an access that gets logged. A loop makes
the log bucket grow without end, costs money, and buries the real access records. AWS recommends
a dedicated log bucket that does not log.

## Example
```hcl
resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}

resource "aws_s3_bucket_logging" "logs" {
  bucket        = aws_s3_bucket.logs.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "self/"
}
```

## Use instead
```hcl
resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}

resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}

resource "aws_s3_bucket_logging" "data" {
  bucket        = aws_s3_bucket.data.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "data/"
}
```

## References
- [Enabling Amazon S3 server access logging](https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html)
- [Logging requests with server access logging](https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html)
"""

from __future__ import annotations

from policylint.rule import Rule


class S3LoggingLoop(Rule):
    code = "PL101"
    slug = "s3-logging-loop"
    severity = "high"
    title = "S3 access logs are delivered to the bucket itself or in a cycle"
    formats = frozenset({"cloudformation", "terraform", "plan"})

    def check(self, scan):
        target_of = {}
        for bucket in scan.buckets:
            if bucket.logging is None:
                continue
            target = bucket.logging.target
            destination = bucket if target is None else scan.bucket_for(target, near=bucket.location.file)
            if destination is not None:
                target_of[bucket] = destination

        reported = set()
        for start in target_of:
            path, seen = [], {}
            node = start
            while node in target_of and node not in seen:
                seen[node] = len(path)
                path.append(node)
                node = target_of[node]
            if node not in seen:
                continue
            cycle = path[seen[node]:]
            if frozenset(cycle) & reported:
                continue
            reported.update(cycle)
            for index, bucket in enumerate(cycle):
                at = bucket.logging.target or bucket.logging
                if len(cycle) == 1:
                    message = (
                        "The bucket delivers its access logs to itself; "
                        "send them to a dedicated log bucket that does not log"
                    )
                else:
                    ring = cycle[index:] + cycle[:index] + [bucket]
                    chain = " → ".join(_label(b, cycle) for b in ring)
                    message = f"Access logs go round a cycle ({chain}); the last bucket of a log chain must not log"
                yield self.finding(message, at=at, resource=bucket)


def _label(bucket, cycle) -> str:
    """The bucket's address, with its file when the cycle spans files (two templates may both
    call their bucket `Logs`)."""
    import os

    if len({b.location.file for b in cycle}) == 1:
        return f"`{bucket.address}`"
    return f"`{bucket.address}` ({os.path.basename(bucket.location.file)})"
