"""
## What it does
Finds Route 53 alias records (`AliasTarget` / `alias {}`) that also set a TTL (`TTL` / `ttl`) or
values (`ResourceRecords` / `records`). Records inside `AWS::Route53::RecordSetGroup` are checked
too. The finding points at the TTL or the values; a TTL or values that cannot be resolved (a
condition that may remove them, a variable that may be null) are not reported.

## Why is this bad?
An alias record answers with the target's own records and TTL (60 seconds for ELB and
CloudFront), so it cannot carry either. Route 53 rejects the change (`InvalidInput: Expected
exactly one of [AliasTarget, all of [TTL, and ResourceRecords], ...]`); cfn-lint reports the TTL as
E3029 and the Terraform provider refuses the configuration at plan time.

## Example
```yaml
Resources:
  Www:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneName: example.com.
      Name: www.example.com.
      Type: A
      TTL: "60"
      AliasTarget:
        DNSName: d111111abcdef8.cloudfront.net
        HostedZoneId: Z2FDTNDATAQYW2
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
      AliasTarget:
        DNSName: d111111abcdef8.cloudfront.net
        HostedZoneId: Z2FDTNDATAQYW2
```

## References
- [Choosing between alias and non-alias records](https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html)
- [ResourceRecordSet: TTL and ResourceRecords are not allowed with AliasTarget](https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html)
"""

from __future__ import annotations

from policylint.model import DnsRecord, Unknown
from policylint.rule import Rule


class Route53AliasWithTtl(Rule):
    code = "PL403"
    slug = "route53-alias-with-ttl"
    severity = "high"
    title = "Alias record with a TTL or values"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = DnsRecord

    def check(self, record, scan):
        alias = record.alias
        if alias is None or not alias.known or not isinstance(alias.value, dict):
            return  # not an alias, or perhaps not one
        ttl = record.ttl
        if ttl is not None and ttl.known and ttl.value is not None:
            yield self.finding(
                f"Alias record sets a TTL (`{ttl.value}`): Route 53 rejects it, an alias uses its target's TTL; remove it",
                at=ttl,
                resource=record,
            )
        values = record.records
        if values is not None and isinstance(values.value, list) and any(v.value is not None and not isinstance(v.value, Unknown) for v in values.value):
            yield self.finding(
                "Alias record also lists values: Route 53 rejects it, an alias answers with its target's records; remove them",
                at=values,
                resource=record,
            )
