"""
## What it does
Finds RDS DB instances (not Aurora) that run in a single Availability Zone: CloudFormation
`MultiAZ` on `AWS::RDS::DBInstance`, Terraform `multi_az` on `aws_db_instance`, set to `false` or
left out (AWS's default is a single AZ, and Terraform sends nothing when it is not written).

Not reported:
- Aurora DB instances and clusters: Aurora's storage always spans three AZs and its availability
  comes from the number of instances in the cluster;
- SQL Server Express Edition (`sqlserver-ex`), which cannot be Multi-AZ;
- instances whose engine is not written or cannot be resolved (a read replica that does not repeat
  its source's engine, a variable), and a `MultiAZ` value that cannot be resolved statically.

Suppress the finding where a single AZ is a deliberate choice (development, test).

## Why is this bad?
A single-AZ instance is down for the whole duration of an instance failure, an AZ outage, or
maintenance that needs a reboot (OS patching, instance class changes), and recovering from a
storage failure means a restore from backup with data loss up to the last transaction log upload.
Multi-AZ keeps a synchronous standby in another AZ and fails over automatically, usually within
one or two minutes, on the same endpoint.

## Example
```yaml
Resources:
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.m7g.large
      AllocatedStorage: "100"
      MasterUsername: app
      ManageMasterUserPassword: true
      StorageEncrypted: true
      MultiAZ: false
```

## Use instead
```yaml
Resources:
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.m7g.large
      AllocatedStorage: "100"
      MasterUsername: app
      ManageMasterUserPassword: true
      StorageEncrypted: true
      MultiAZ: true
```

## References
- [Multi-AZ DB instance deployments](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZSingleStandby.html)
- [Configuring and managing a Multi-AZ deployment](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.html)
- [AWS::RDS::DBInstance MultiAZ](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-rds-dbinstance.html)
- [Terraform aws_db_instance](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/db_instance)
"""

from __future__ import annotations

from policylint.model import Database
from policylint.rule import Rule

NO_MULTI_AZ_ENGINES = frozenset({"sqlserver-ex"})


class RdsSingleAz(Rule):
    code = "PL605"
    slug = "rds-single-az"
    severity = "low"
    title = "RDS DB instance in a single Availability Zone"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = Database

    def check(self, db, scan):
        if db.kind != "instance" or db.is_cluster_member:
            return
        engine = db.engine_name
        if engine is None or engine in NO_MULTI_AZ_ENGINES:
            return
        yield from self.setting_off(
            db,
            "multi_az",
            when_absent="DB instance runs in a single Availability Zone (the default): an AZ or instance failure takes it down; set {fix}",
            when_false="DB instance runs in a single Availability Zone: an AZ or instance failure takes it down; set {fix}",
        )
