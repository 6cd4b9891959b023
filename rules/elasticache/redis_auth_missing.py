"""
## What it does
Finds Redis OSS and Valkey caches that accept commands without authentication: a replication group
with neither an AUTH token (CloudFormation `AuthToken`, Terraform `auth_token`) nor an RBAC user
group (`UserGroupIds`, `user_group_ids`), and a standalone Redis OSS or Valkey cache cluster
(`AWS::ElastiCache::CacheCluster`, `aws_elasticache_cluster`), which CloudFormation and Terraform
give no way to protect with a password. A replication group that names no engine is Redis OSS.
Memcached has no AUTH and is not checked; a Terraform cluster that joins a replication group
(`replication_group_id`) is judged through that group.

A token or user group whose value cannot be resolved statically (a secret reference, a variable)
counts as set. A cache whose engine cannot be resolved is not reported.

## Why is this bad?
Without AUTH or RBAC, anything that can reach the port (a compromised instance or container in the
VPC, a too-wide security group, a peered network) can read every key, overwrite data, or run
`FLUSHALL` and `CONFIG`-style commands. Security groups alone are one mistake away from an open
cache. AUTH and RBAC both require in-transit encryption, so that the password is not sent in
plaintext; RBAC (Redis OSS 6.0 or later, Valkey) also limits what each user may run.

## Example
```hcl
resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id       = "sessions"
  description                = "sessions"
  engine                     = "redis"
  node_type                  = "cache.t4g.small"
  num_cache_clusters         = 2
  transit_encryption_enabled = true
}
```

## Use instead
```hcl
variable "sessions_auth_token" {
  type      = string
  sensitive = true
}

resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id       = "sessions"
  description                = "sessions"
  engine                     = "redis"
  node_type                  = "cache.t4g.small"
  num_cache_clusters         = 2
  transit_encryption_enabled = true
  auth_token                 = var.sessions_auth_token
}
```

## References
- [Authenticating with the Valkey and Redis OSS AUTH command](https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth.html)
- [Role-Based Access Control (RBAC)](https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html)
- [AWS::ElastiCache::ReplicationGroup](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-elasticache-replicationgroup.html)
- [Terraform aws_elasticache_replication_group](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/elasticache_replication_group)
"""

from __future__ import annotations

from policylint.model import CacheGroup, Node
from policylint.rule import Rule


def _set(node: Node | None) -> bool:
    """Written with a value that may be real: not null, not an empty string or list."""
    return node is not None and node.value not in (None, "", [])


class ElastiCacheRedisAuthMissing(Rule):
    code = "PL502"
    slug = "elasticache-redis-auth-missing"
    severity = "medium"
    title = "ElastiCache Redis/Valkey without AUTH token or RBAC user group"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = CacheGroup

    def check(self, group, scan):
        if not group.is_redis_or_valkey or group.judged_by_its_group:
            return
        if group.kind == "cluster":
            yield self.finding(
                "Standalone cache cluster accepts commands without authentication (it cannot use AUTH or RBAC); "
                "use a replication group with an AUTH token or an RBAC user group",
                at=group,
            )
            return
        if _set(group.auth_token) or _set(group.user_groups):
            return
        fix = f"`{group.key('auth_token')}` (from a secret) or `{group.key('user_groups')}`"
        yield self.finding(
            f"Replication group accepts commands without authentication; set {fix}, with in-transit encryption on",
            at=group,
        )
