"""
## What it does
Finds Redis OSS and Valkey replication groups without encryption at rest: CloudFormation
`AtRestEncryptionEnabled`, Terraform `at_rest_encryption_enabled`. Set to `false`, it is reported
whatever the engine. Left out, AWS decides by engine (Terraform does not send it either): off for
Redis OSS, which is reported (a group that names no engine is Redis OSS), on for Valkey, which is
not.

Only replication groups are checked: a standalone cache cluster cannot be encrypted at rest at all
(use a single-node replication group instead), and Memcached has no at-rest encryption. A
Terraform replication group that joins a global datastore (`global_replication_group_id`) inherits
the setting from the primary and is not reported; nor is a value that cannot be resolved
statically.

## Why is this bad?
At-rest encryption covers what ElastiCache writes to disk: the data synced to replicas, swap, and
the backups stored in S3. Without it, a snapshot copied or shared outside the account, or a disk
that leaves AWS's control, exposes every key. Encryption also lets you choose a KMS key and audit
its use. It can only be chosen when the group is created: fixing it means creating a new group
(for example from a backup) and moving clients.

## Example
```yaml
Resources:
  Cache:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      ReplicationGroupDescription: sessions
      CacheNodeType: cache.t4g.small
      NumCacheClusters: 2
      TransitEncryptionEnabled: true
```

## Use instead
```yaml
Resources:
  Cache:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      ReplicationGroupDescription: sessions
      CacheNodeType: cache.t4g.small
      NumCacheClusters: 2
      TransitEncryptionEnabled: true
      AtRestEncryptionEnabled: true
```

## References
- [At-rest encryption in ElastiCache](https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/at-rest-encryption.html)
- [CreateReplicationGroup: AtRestEncryptionEnabled](https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html)
- [AWS::ElastiCache::ReplicationGroup](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-elasticache-replicationgroup.html)
- [Terraform aws_elasticache_replication_group](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/elasticache_replication_group)
"""

from __future__ import annotations

from policylint.model import CacheGroup
from policylint.rule import Rule


class ElastiCacheAtRestEncryptionDisabled(Rule):
    code = "PL503"
    slug = "elasticache-at-rest-encryption-disabled"
    severity = "medium"
    title = "ElastiCache replication group not encrypted at rest"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = CacheGroup

    def check(self, group, scan):
        if group.kind != "replication_group":
            return
        engine = group.engine_name
        if engine == "memcached":
            return
        # Valkey: on by default; unknown engine: cannot tell.
        absent = "Data on disk and backups are not encrypted (Redis OSS default); set {fix} when creating the group"
        yield from self.setting_off(
            group,
            "at_rest_encryption",
            when_absent=absent if engine == "redis" else None,
            when_false="Data on disk and backups are not encrypted; set {fix} (it can only be chosen when the group is created)",
        )
