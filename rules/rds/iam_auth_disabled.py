"""
## What it does
Finds databases that support IAM database authentication but do not turn it on:
- RDS DB instances running MySQL (5.6.34, 5.7.16, 8.0.16 and later), MariaDB (10.11 and later)
  or PostgreSQL (9.5.15, 9.6.11, 10.6 and later), as AWS lists them (`Engine` / `engine` =
  `mysql`, `mariadb`, `postgres`; a version left out is the engine's current default, which
  supports it);
- Aurora MySQL and Aurora PostgreSQL clusters (`aurora`, `aurora-mysql`, `aurora-postgresql`),
  where the setting lives: Aurora DB instances are not checked (CloudFormation rejects the
  property on them, and `aws_rds_cluster_instance` has none). A Terraform `aws_rds_cluster`
  without `engine` is the provider's default, Aurora MySQL (CloudFormation requires `Engine` on
  `AWS::RDS::DBCluster`).

The setting is CloudFormation `EnableIAMDatabaseAuthentication`, Terraform
`iam_database_authentication_enabled`. **Left out counts as off**, and is reported at the
resource: that is AWS's default, and Terraform sends nothing when it is not written. Aurora
Serverless v1 clusters (`serverless` engine mode), which do not support IAM authentication,
Multi-AZ DB clusters, other engines (Oracle, SQL Server, Db2, RDS Custom), engine versions
without IAM authentication (MariaDB 10.2 to 10.6, MySQL 5.5), and databases whose engine, version
or engine mode cannot be resolved statically (a read replica that does not repeat its source's
engine, `engine = var.engine`) are not reported.

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
from policylint.patterns import lazy
from policylint.rule import Rule

AURORA_ENGINES = frozenset({"aurora", "aurora-mysql", "aurora-postgresql"})
# By engine and release line (the version's first two numbers; PostgreSQL 10 and later: its first),
# the oldest version with IAM database authentication, from AWS's list of supported engines and
# versions. A line newer than all of them supports it; an older one does not (MySQL 5.5,
# MariaDB 10.2 to 10.6).
MINIMUM_VERSIONS = {
    "mysql": {(5, 6): (5, 6, 34), (5, 7): (5, 7, 16), (8, 0): (8, 0, 16)},
    "mariadb": {(10, 11): (10, 11, 0)},
    "postgres": {(9, 5): (9, 5, 15), (9, 6): (9, 6, 11), (10,): (10, 6, 0)},
}
_VERSION = lazy(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?")
_LATEST = 10**6  # a part left out of a version is the newest one AWS offers


def _supports_iam_auth(db: Database) -> bool:
    engine = db.engine_name
    if db.kind == "instance":
        return engine in MINIMUM_VERSIONS and not db.is_cluster_member and _version_supported(engine, db)
    if db.kind != "cluster" or engine not in AURORA_ENGINES:
        return False
    if db.engine_mode is None:
        return True  # provisioned, the default
    mode = text_of(db.engine_mode)
    return mode is not None and mode.lower() != "serverless"


def _version_supported(engine: str, db: Database) -> bool:
    """Whether the engine version supports IAM authentication; a version left out is the engine's
    current default (it does), one that cannot be resolved is not judged."""
    if db.engine_version is None:
        return True
    match = _VERSION.match(text_of(db.engine_version) or "")
    if match is None:
        return False
    version = tuple(int(part) if part is not None else _LATEST for part in match.groups())
    line = version[:1] if engine == "postgres" and version[0] >= 10 else version[:2]
    minimums = MINIMUM_VERSIONS[engine]
    if line in minimums:
        return version >= minimums[line]
    return line > max(minimums)


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
