"""
## What it does
Finds Route 53 `CNAME` records whose name is the hosted zone's own name (the zone apex). The zone
is found through the record's reference to a hosted zone declared in the scan (CloudFormation
`HostedZoneId: !Ref Zone`, Terraform `zone_id = aws_route53_zone.main.zone_id`) or through
CloudFormation's `HostedZoneName`. Trailing dots and letter case are ignored, and Terraform's
relative names are qualified as the AWS provider does (`""` and `"example.com"` in zone
`example.com` are both the apex). Records inside `AWS::Route53::RecordSetGroup` are checked too.

## Why is this bad?
DNS forbids a CNAME next to any other record of the same name, and the apex always holds the
zone's SOA and NS records. Route 53 rejects the change (`InvalidChangeBatch`), so the deployment
fails.

## Example
```yaml
Resources:
  Zone:
    Type: AWS::Route53::HostedZone
    Properties:
      Name: example.com
  Apex:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneId: !Ref Zone
      Name: example.com.
      Type: CNAME
      TTL: "300"
      ResourceRecords:
        - d111111abcdef8.cloudfront.net
```

## Use instead
```yaml
Resources:
  Zone:
    Type: AWS::Route53::HostedZone
    Properties:
      Name: example.com
  Apex:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneId: !Ref Zone
      Name: example.com.
      Type: A
      AliasTarget:
        DNSName: d111111abcdef8.cloudfront.net
        HostedZoneId: Z2FDTNDATAQYW2
```

## References
- [Choosing between alias and non-alias records](https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html)
- [RFC 1034 §3.6.2: a CNAME cannot coexist with other data](https://www.rfc-editor.org/rfc/rfc1034#section-3.6.2)
"""

from __future__ import annotations

from policylint.model import DnsRecord, text_of
from policylint.rule import Rule


class Route53CnameAtApex(Rule):
    code = "PL401"
    slug = "route53-cname-at-apex"
    severity = "high"
    title = "CNAME record at the hosted zone apex"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = DnsRecord

    def check(self, record, scan):
        if (text_of(record.record_type) or "").upper() != "CNAME":
            return
        apex = record.zone_fqdn
        if not apex or record.fqdn != apex:
            return
        yield self.finding(
            f"CNAME at the zone apex `{apex}` is rejected by Route 53; use an alias `A`/`AAAA` record instead",
            at=record.name,
            resource=record,
        )
