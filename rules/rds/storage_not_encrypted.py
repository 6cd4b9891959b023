"""
## What it does
Finds RDS DB instances and DB clusters (Aurora, and Multi-AZ DB clusters) whose storage is not
encrypted: CloudFormation `StorageEncrypted` on `AWS::RDS::DBInstance` / `AWS::RDS::DBCluster`,
Terraform `storage_encrypted` on `aws_db_instance` / `aws_rds_cluster`.

Set to `false`, it is reported. Left out, it is reported too, because AWS's default is off (the
provider sends nothing either), except for an Aurora Serverless v1 cluster (`EngineMode` /
`engine_mode` = `serverless`), which is always encrypted.

Not reported:
- Aurora DB instances (an Aurora engine, a `DBClusterIdentifier`, or `aws_rds_cluster_instance`):
  storage belongs to the cluster, which is checked instead;
- databases restored from a snapshot or a point in time, or created as read replicas
  (`DBSnapshotIdentifier`, `SourceDBInstanceIdentifier`, `SnapshotIdentifier`,
  `SourceDBClusterIdentifier`; `snapshot_identifier`, `replicate_source_db`,
  `replication_source_identifier`, `restore_to_point_in_time`): they inherit the source's
  encryption;
- values that cannot be resolved statically, and an engine mode that cannot.

## Why is this bad?
Unencrypted storage leaves the data, its automated backups, snapshots and read replicas readable
by anyone who gets hold of a snapshot (shared, copied to another account, or made public by
mistake) and fails most compliance baselines. Encryption with KMS is transparent to the
application and lets you control and audit who can use the key. It cannot be switched on in place:
an existing database has to be restored from an encrypted copy of a snapshot.

## Example
```yaml
Resources:
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t4g.micro
      AllocatedStorage: "20"
      MasterUsername: app
      ManageMasterUserPassword: true
      StorageEncrypted: false
```

## Use instead
```yaml
Resources:
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t4g.micro
      AllocatedStorage: "20"
      MasterUsername: app
      ManageMasterUserPassword: true
      StorageEncrypted: true
```

## References
- [Encrypting Amazon RDS resources](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html)
- [Encrypting Amazon Aurora resources](https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Overview.Encryption.html)
- [AWS::RDS::DBInstance StorageEncrypted](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-rds-dbinstance.html)
- [Terraform aws_db_instance](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/db_instance)
"""

from __future__ import annotations

from policylint.model import Database, text_of
from policylint.rule import Rule


class RdsStorageNotEncrypted(Rule):
    code = "PL601"
    slug = "rds-storage-not-encrypted"
    severity = "high"
    title = "RDS/Aurora storage not encrypted"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = Database

    def check(self, db, scan):
        if db.kind not in ("instance", "cluster") or db.is_cluster_member or db.restored_from is not None:
            return
        absent = "Storage, backups and snapshots are not encrypted (the default); set {fix}"
        if db.kind == "cluster" and db.engine_mode is not None:
            mode = text_of(db.engine_mode)
            if mode is None or mode.lower() == "serverless":
                absent = None  # Aurora Serverless v1 is always encrypted; unknown mode: cannot tell
        yield from self.setting_off(
            db,
            "storage_encrypted",
            when_absent=absent,
            when_false="Storage, backups and snapshots are not encrypted; set {fix} (this replaces the database: "
            "migrate through an encrypted snapshot copy)",
        )
