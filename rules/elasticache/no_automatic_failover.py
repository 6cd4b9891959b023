"""
## What it does
Finds Redis OSS and Valkey replication groups without automatic failover: CloudFormation
`AutomaticFailoverEnabled`, Terraform `automatic_failover_enabled`, set to `false` or left out
(the default of AWS and of the provider is off). Multi-AZ (`MultiAZEnabled`, `multi_az_enabled`)
requires automatic failover, so such a group has no Multi-AZ either. A group with failover on and
Multi-AZ off is not reported: a replica is still promoted when the primary fails.

Standalone cache clusters cannot fail over and are not checked (a Redis OSS or Valkey cluster
should be a replication group: see PL502), nor is Memcached. A Terraform replication group that
joins a global datastore (`global_replication_group_id`) and does not set failover itself is not
reported, and neither is a value that cannot be resolved statically.

## Why is this bad?
Without automatic failover, when the primary node or its Availability Zone fails, the group stays
without a writable primary until someone promotes a replica by hand: writes fail for the whole
outage. With failover on (and at least one replica, ideally in another AZ with Multi-AZ),
ElastiCache promotes a replica within seconds to minutes and keeps the same endpoint. Cluster-mode
enabled groups cannot even be created without it.

## Example
```hcl
resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id       = "sessions"
  description                = "sessions"
  node_type                  = "cache.t4g.small"
  num_cache_clusters         = 2
  automatic_failover_enabled = false
}
```

## Use instead
```hcl
resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id       = "sessions"
  description                = "sessions"
  node_type                  = "cache.t4g.small"
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  multi_az_enabled           = true
}
```

## References
- [Minimizing downtime in ElastiCache by using Multi-AZ](https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/AutoFailover.html)
- [AWS::ElastiCache::ReplicationGroup](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-elasticache-replicationgroup.html)
- [Terraform aws_elasticache_replication_group](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/elasticache_replication_group)
"""

from __future__ import annotations

from policylint.model import CacheGroup
from policylint.rule import Rule


class ElastiCacheNoAutomaticFailover(Rule):
    code = "PL504"
    slug = "elasticache-no-automatic-failover"
    severity = "low"
    title = "ElastiCache replication group without automatic failover"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = CacheGroup

    def check(self, group, scan):
        if group.kind != "replication_group" or group.engine_name == "memcached":
            return
        yield from self.setting_off(
            group,
            "automatic_failover",
            when_absent="Automatic failover is off by default: a failed primary stays down until a replica is promoted by hand; "
            "add a replica and set {fix}",
            when_false="Automatic failover is off: a failed primary stays down until a replica is promoted by hand; "
            "add a replica and set {fix}",
        )
