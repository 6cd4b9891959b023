"""
## What it does
Finds RDS DB instances whose automated backups are turned off, and DB clusters that ask for it:
a backup retention period of `0` days, CloudFormation `BackupRetentionPeriod` on
`AWS::RDS::DBInstance` or `AWS::RDS::DBCluster`, Terraform `backup_retention_period` on
`aws_db_instance` or `aws_rds_cluster`.

Only an explicit `0` is reported. Left out, AWS keeps backups for one day (Terraform sends
nothing; its documentation's "default 0" is not what AWS applies), so absence is never reported.
A cluster (Aurora or Multi-AZ DB cluster) cannot turn backups off: its retention is 1 to 35 days,
and `0` is rejected when the stack or plan is applied, which the message says. Aurora DB
instances are not checked: their backups are the cluster's. Values that cannot be resolved
statically are not reported.

## Why is this bad?
With retention `0` RDS takes no automated backups and keeps no transaction logs: there is no
point-in-time recovery, so a bad migration, a dropped table or ransomware is recoverable only from
whatever manual snapshot happens to exist. Setting `0` on an existing instance also deletes its
automated backups. The instance cannot serve as a read replica source either.

## Example
```hcl
resource "aws_db_instance" "app" {
  identifier                  = "app"
  engine                      = "postgres"
  instance_class              = "db.t4g.micro"
  allocated_storage           = 20
  username                    = "app"
  manage_master_user_password = true
  storage_encrypted           = true
  backup_retention_period     = 0
}
```

## Use instead
```hcl
resource "aws_db_instance" "app" {
  identifier                  = "app"
  engine                      = "postgres"
  instance_class              = "db.t4g.micro"
  allocated_storage           = 20
  username                    = "app"
  manage_master_user_password = true
  storage_encrypted           = true
  backup_retention_period     = 7
}
```

## References
- [Introduction to backups (Amazon RDS)](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html)
- [Disabling automated backups](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.Disabling.html)
- [AWS::RDS::DBInstance BackupRetentionPeriod](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-rds-dbinstance.html)
- [Terraform aws_db_instance](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/db_instance)
"""

from __future__ import annotations

from policylint.model import Database, text_of
from policylint.rule import Rule, origin_note


def _is_zero(text: str | None) -> bool:
    if text is None or text.lower() in ("true", "false"):
        return False
    try:
        return float(text) == 0
    except ValueError:
        return False


class RdsBackupDisabled(Rule):
    code = "PL604"
    slug = "rds-backup-disabled"
    severity = "medium"
    title = "RDS automated backups disabled"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = Database

    def check(self, db, scan):
        if db.kind not in ("instance", "cluster") or db.is_cluster_member or db.backup_retention is None:
            return
        if not _is_zero(text_of(db.backup_retention)):
            return
        key = db.key("backup_retention")
        origin = origin_note(db.backup_retention)
        if db.kind == "cluster":
            message = (
                f"Backup retention `0`{origin} is rejected for a DB cluster (it keeps 1 to 35 days of backups): "
                f"the deployment fails; set `{key}` to 7 days or more"
            )
        else:
            message = f"Automated backups are disabled{origin}: no point-in-time recovery; set `{key}` to 7 days or more"
        yield self.finding(message, at=db.backup_retention, resource=db)
