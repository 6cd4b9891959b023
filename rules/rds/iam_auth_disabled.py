"""
## What it does
Finds databases that support IAM database authentication but do not turn it on:
- RDS DB instances running MySQL, MariaDB or PostgreSQL (`Engine` / `engine` = `mysql`, `mariadb`,
  `postgres`);
- Aurora MySQL and Aurora PostgreSQL clusters (`aurora`, `aurora-mysql`, `aurora-postgresql`),
  where the setting lives: Aurora DB instances are not checked (CloudFormation rejects the
  property on them, and `aws_rds_cluster_instance` has none).

The setting is CloudFormation `EnableIAMDatabaseAuthentication`, Terraform
`iam_database_authentication_enabled`. **Left out counts as off**, and is reported at the
resource: that is AWS's default, and Terraform sends nothing when it is not written. Aurora
Serverless v1 clusters (`serverless` engine mode), which do not support IAM authentication,
Multi-AZ DB clusters, other engines (Oracle, SQL Server, Db2, RDS Custom), and databases whose
engine is not written or cannot be resolved statically (a read replica that does not repeat its
source's engine, a module's `engine = var.engine`), or whose engine mode cannot, are not
reported.

## Why is this bad?
Without IAM authentication every client logs in with a long-lived database password that has to be
distributed, stored and rotated, and that keeps working for whoever copies it. With IAM
authentication, applications log in with a 15-minute token generated from their IAM role: no
password to leak, access granted and revoked through IAM policies (`rds-db:connect`), and every
token request recorded in CloudTrail. Enabling it does not disable password logins, so existing
users keep working while clients migrate.

## Example
```yaml
Resources:
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: mysql
      DBInstanceClass: db.t4g.micro
      AllocatedStorage: "20"
      MasterUsername: admin
      ManageMasterUserPassword: true
      StorageEncrypted: true
      EnableIAMDatabaseAuthentication: false
```

## Use instead
```yaml
Resources:
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: mysql
      DBInstanceClass: db.t4g.micro
      AllocatedStorage: "20"
      MasterUsername: admin
      ManageMasterUserPassword: true
      StorageEncrypted: true
      EnableIAMDatabaseAuthentication: true
```

## References
- [IAM database authentication for MariaDB, MySQL and PostgreSQL](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.html)
- [IAM database authentication for Aurora](https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.html)
- [AWS::RDS::DBCluster EnableIAMDatabaseAuthentication](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-rds-dbcluster.html)
- [Terraform aws_rds_cluster](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/rds_cluster)
"""

from __future__ import annotations

from policylint.model import Database, text_of
from policylint.rule import Rule

INSTANCE_ENGINES = frozenset({"mysql", "mariadb", "postgres"})
AURORA_ENGINES = frozenset({"aurora", "aurora-mysql", "aurora-postgresql"})


def _supports_iam_auth(db: Database) -> bool:
    engine = db.engine_name
    if db.kind == "instance":
        return engine in INSTANCE_ENGINES and not db.is_cluster_member
    if db.kind != "cluster" or engine not in AURORA_ENGINES:
        return False
    if db.engine_mode is None:
        return True  # provisioned, the default
    mode = text_of(db.engine_mode)
    return mode is not None and mode.lower() != "serverless"


class RdsIamAuthDisabled(Rule):
    code = "PL603"
    slug = "rds-iam-auth-disabled"
    severity = "low"
    title = "RDS/Aurora IAM database authentication not enabled"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = Database

    def check(self, db, scan):
        if not _supports_iam_auth(db):
            return
        yield from self.setting_off(
            db,
            "iam_auth",
            when_absent="IAM database authentication is off by default: clients log in with long-lived passwords; set {fix}",
            when_false="IAM database authentication is off: clients log in with long-lived passwords; set {fix}",
        )
