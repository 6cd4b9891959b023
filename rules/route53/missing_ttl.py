"""
## What it does
Finds Route 53 records that are not aliases and lack a TTL (`TTL` / `ttl`) or values
(`ResourceRecords` / `records`, or an empty list). Records inside
`AWS::Route53::RecordSetGroup` are checked too. An alias record, or one whose alias, TTL or
values come from something that cannot be resolved (a condition, a parameter without default,
a `dynamic` block), is not reported.

## Why is this bad?
Route 53 accepts exactly one of an alias target or a TTL together with values. A non-alias record
without both is rejected (`InvalidInput: Expected exactly one of [AliasTarget, all of [TTL, and
ResourceRecords], or TrafficPolicyInstanceId]`), so the stack or apply fails. The CloudFormation
schema does not mark `TTL` as required, so the template validates and the mistake only shows at
deploy time.

## Example
```yaml
Resources:
  Www:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneName: example.com.
      Name: www.example.com.
      Type: A
      ResourceRecords:
        - 192.0.2.10
```

## Use instead
```yaml
Resources:
  Www:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneName: example.com.
      Name: www.example.com.
      Type: A
      TTL: "300"
      ResourceRecords:
        - 192.0.2.10
```

## References
- [ChangeResourceRecordSets: ResourceRecordSet (TTL and ResourceRecords are required for non-alias records)](https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html)
- [AWS::Route53::RecordSet](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-route53-recordset.html)
- [Terraform aws_route53_record](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/route53_record)
"""

from __future__ import annotations

from policylint.model import DnsRecord, text_of
from policylint.rule import Rule


class Route53MissingTtl(Rule):
    code = "PL402"
    slug = "route53-missing-ttl"
    severity = "high"
    title = "Non-alias record without TTL or values"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = DnsRecord

    def check(self, record, scan):
        if record.alias is not None and record.alias.value is not None:
            return  # an alias, or possibly one
        missing = []
        if record.ttl is None or record.ttl.value is None:
            missing.append("TTL")
        if record.records is None or record.records.value is None or record.records.value == []:
            missing.append("values")
        if not missing:
            return
        kind = text_of(record.record_type)
        what = f"`{kind.upper()}` record" if kind else "Record"
        yield self.finding(
            f"{what} has no {' and no '.join(missing)} and is not an alias: Route 53 rejects it; "
            "set a TTL and values, or make it an alias",
            at=record,
        )
