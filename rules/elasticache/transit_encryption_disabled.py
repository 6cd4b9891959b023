"""
## What it does
Finds Redis OSS and Valkey replication groups and cache clusters without in-transit encryption:
CloudFormation `TransitEncryptionEnabled` (`AWS::ElastiCache::ReplicationGroup`,
`AWS::ElastiCache::CacheCluster`), Terraform `transit_encryption_enabled`
(`aws_elasticache_replication_group`, `aws_elasticache_cluster`). Memcached is not checked, and a
Terraform cluster that joins a replication group (`replication_group_id`) is judged through that
group.

When the setting is left out:
- a Redis OSS replication group or cluster is reported: AWS's default is off. A replication group
  that names no engine is Redis OSS.
- a Terraform replication group is reported whatever its engine: the provider sends `false`.
- a Valkey group or cluster in CloudFormation, or a Valkey `aws_elasticache_cluster`, is not
  reported: CloudFormation requires the property for Valkey (the stack fails without it) and AWS
  does not document the default.

A Terraform replication group that joins a global datastore (`global_replication_group_id`)
inherits its encryption from the primary and is not reported. Values that cannot be resolved
statically (a parameter without default, a variable) are not reported either.

## Why is this bad?
Without TLS, every command, every value read or written and the `AUTH` password cross the network
in plaintext, between clients and nodes and between the primary and its replicas. Anyone who can
capture traffic in the VPC can read the cache or replay the password. An AUTH token can only be
set when in-transit encryption is on.

Turning TLS on in place needs engine 7.0.5 or later (first in `preferred` mode, then `required`);
on older engines the group must be replaced.

## Example
```yaml
Resources:
  Cache:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      ReplicationGroupDescription: sessions
      Engine: redis
      CacheNodeType: cache.t4g.small
      NumCacheClusters: 2
      TransitEncryptionEnabled: false
```

## Use instead
```yaml
Resources:
  Cache:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      ReplicationGroupDescription: sessions
      Engine: redis
      CacheNodeType: cache.t4g.small
      NumCacheClusters: 2
      TransitEncryptionEnabled: true
      TransitEncryptionMode: required
```

## References
- [ElastiCache in-transit encryption (TLS)](https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption.html)
- [Enabling in-transit encryption](https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption-enable.html)
- [AWS::ElastiCache::ReplicationGroup](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-elasticache-replicationgroup.html)
- [Terraform aws_elasticache_replication_group](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/elasticache_replication_group)
"""

from __future__ import annotations

from policylint.model import CacheGroup
from policylint.rule import Rule


class ElastiCacheTransitEncryptionDisabled(Rule):
    code = "PL501"
    slug = "elasticache-transit-encryption-disabled"
    severity = "medium"
    title = "ElastiCache Redis/Valkey without in-transit encryption"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = CacheGroup

    def check(self, group, scan):
        if not group.is_redis_or_valkey or group.judged_by_its_group:
            return
        # Valkey: CloudFormation requires the property; AWS's default is undocumented.
        absent = None if group.engine_name == "valkey" else (
            "In-transit encryption is off by default: commands, data and the AUTH password travel in plaintext; set {fix}"
        )
        yield from self.setting_off(
            group,
            "transit_encryption",
            when_absent=absent,
            when_false="In-transit encryption is off: commands, data and the AUTH password travel in plaintext; set {fix}",
        )
