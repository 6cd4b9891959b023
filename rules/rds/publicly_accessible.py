"""
## What it does
Finds databases made publicly accessible: `PubliclyAccessible: true` on `AWS::RDS::DBInstance`
(Aurora instances included) or on a Multi-AZ `AWS::RDS::DBCluster`, `publicly_accessible = true`
on `aws_db_instance`, `aws_rds_cluster_instance` or `aws_rds_cluster`.

Only an explicit `true` is reported. Terraform sends `false` when the argument is left out. In
CloudFormation, leaving it out lets AWS decide from the network (a DB instance in a VPC with an
internet gateway, such as the default VPC, may come out public), which this rule does not guess;
write `PubliclyAccessible: false` to make the template say what it means. Values that cannot be
resolved statically are not reported.

## Why is this bad?
A publicly accessible database gets a DNS name that resolves to a public IP address, so the only
thing between the internet and the database's login prompt is its security group and the
subnet's route table. One rule opened to `0.0.0.0/0` for a quick test exposes it to credential
stuffing, brute force and exploits of the engine. Keep databases private and reach them through
the application, a bastion, Session Manager port forwarding or a VPN.

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
  publicly_accessible         = true
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
  publicly_accessible         = false
}
```

## References
- [Hiding a DB instance in a VPC from the internet](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html#USER_VPC.Hiding)
- [Security in Amazon RDS](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.html)
- [AWS::RDS::DBInstance PubliclyAccessible](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-rds-dbinstance.html)
- [Terraform aws_db_instance](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/db_instance)
"""

from __future__ import annotations

from policylint.model import Database, truth
from policylint.rule import Rule, origin_note


class RdsPubliclyAccessible(Rule):
    code = "PL602"
    slug = "rds-publicly-accessible"
    severity = "high"
    title = "RDS database publicly accessible"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = Database

    def check(self, db, scan):
        public = db.publicly_accessible
        if public is None or truth(public) is not True:
            return
        fix = db.assignment("publicly_accessible", False)
        yield self.finding(
            f"Database is publicly accessible{origin_note(public)}: its endpoint resolves to a public IP, guarded only by its security group; set {fix}",
            at=public,
            resource=db,
        )
