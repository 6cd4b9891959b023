"""
## What it does
Finds replication chains: bucket `A` replicates to `B`, and `B` replicates on to `C`, while `A`
has no rule of its own towards `C`. Only enabled rules count. The middle bucket must be declared in
the scan; the last one may be any known bucket name or ARN. Two buckets replicating to each other
(`A` → `B` → `A`) are not a chain.

## Why is this bad?
S3 replication is not transitive: objects that arrive in `B` as replicas of `A` are not replicated
again by `B`'s rules. `C` receives only what is written to `B` directly, never `A`'s objects, which
is rarely what the chain was built for.

## Example
```yaml
Resources:
  Primary:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration:
        Status: Enabled
      ReplicationConfiguration:
        Role: arn:aws:iam::123456789012:role/replication
        Rules:
          - Status: Enabled
            Destination:
              Bucket: !GetAtt Secondary.Arn
  Secondary:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration:
        Status: Enabled
      ReplicationConfiguration:
        Role: arn:aws:iam::123456789012:role/replication
        Rules:
          - Status: Enabled
            Destination:
              Bucket: arn:aws:s3:::acme-archive
```

## Use instead
```yaml
Resources:
  Primary:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration:
        Status: Enabled
      ReplicationConfiguration:
        Role: arn:aws:iam::123456789012:role/replication
        Rules:
          - Id: to-secondary
            Priority: 1
            Status: Enabled
            Filter: {}
            DeleteMarkerReplication:
              Status: Disabled
            Destination:
              Bucket: !GetAtt Secondary.Arn
          - Id: to-archive
            Priority: 2
            Status: Enabled
            Filter: {}
            DeleteMarkerReplication:
              Status: Disabled
            Destination:
              Bucket: arn:aws:s3:::acme-archive
  Secondary:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration:
        Status: Enabled
```

## References
- [Replicating objects within and across Regions](https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication.html)
- [What does Amazon S3 replicate?](https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-what-is-isnot-replicated.html)
"""

from __future__ import annotations

from policylint.model import ReplicationRule, S3Bucket, text_of
from policylint.rule import Rule
from policylint.scan import bucket_name_from


class S3ReplicationChain(Rule):
    code = "PL106"
    slug = "s3-replication-chain"
    severity = "medium"
    title = "S3 replication chained through a bucket that replicates further"
    formats = frozenset({"cloudformation", "terraform", "plan"})

    def check(self, scan):
        for source in scan.buckets:
            reached = _reached(scan, source)
            if reached is None:
                continue
            for middle, rule in _destinations(scan, source):
                if not isinstance(middle, S3Bucket) or middle is source:
                    continue
                onward = {
                    _label(target): None
                    for target, _ in _destinations(scan, middle)
                    if target is not None and _key(target) not in reached and _key(target) != _key(source)
                }
                if not onward:
                    continue
                names = ", ".join(f"`{label}`" for label in onward)
                yield self.finding(
                    f"Replicates to `{middle.address}`, which replicates on to {names}; replication is "
                    "not transitive, so this bucket's objects never get there: replicate to them directly",
                    at=rule.destination,
                    resource=source,
                )


def _destinations(scan, bucket: S3Bucket, enabled_only: bool = True) -> list[tuple[S3Bucket | str | None, ReplicationRule]]:
    """(destination, rule) for each rule with a destination (enabled ones, or all but the
    disabled ones): the declared bucket when the scan has it, else the literal bucket name, else
    None when the destination is unknown."""
    out = []
    replication = bucket.replication
    if replication is None:
        return out
    for rule in replication.rules:
        status = text_of(rule.status)
        if rule.destination is None or status == "Disabled" or (enabled_only and status != "Enabled"):
            continue
        target = scan.bucket_for(rule.destination, near=bucket.location.file)
        if target is None:
            literal = text_of(rule.destination)
            target = bucket_name_from(literal) if literal else None
        out.append((target, rule))
    return out


def _reached(scan, source: S3Bucket) -> set[object] | None:
    """Every destination the source may replicate to directly (rules of unknown status count);
    None when one of them is unknown, since it could be any bucket."""
    reached = set()
    for target, _ in _destinations(scan, source, enabled_only=False):
        if target is None:
            return None
        reached.add(_key(target))
    return reached


def _key(target: S3Bucket | str) -> object:
    """What identifies a destination: its name when known (a declared bucket and an ARN of the
    same name are one bucket), else the bucket itself."""
    if isinstance(target, S3Bucket):
        name = text_of(target.name)
        return name if name is not None else target
    return target


def _label(target: S3Bucket | str) -> str:
    return target.address if isinstance(target, S3Bucket) else target
