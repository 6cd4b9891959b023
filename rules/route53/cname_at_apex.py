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

from policylint.model import text_of
from policylint.rule import Rule


def normalise(name: str) -> str:
    return name.strip().rstrip(".").lower()


def qualified_name(record, zone_name: str) -> str | None:
    """The record's fully qualified name, or None when it cannot be known."""
    name = text_of(record.name)
    if name is None:
        return None
    name = normalise(name)
    if record.relative_names and not name.endswith(zone_name):
        # The AWS provider appends the zone to any name that does not already end with it.
        return f"{name}.{zone_name}" if name else zone_name
    return name


def zone_name_of(scan, record) -> str | None:
    zone = scan.zone_for(record)
    text = text_of(zone.name) if zone is not None else text_of(record.zone_name)
    return normalise(text) if text else None


class Route53CnameAtApex(Rule):
    code = "PL401"
    slug = "route53-cname-at-apex"
    severity = "high"
    title = "CNAME record at the hosted zone apex"
    formats = frozenset({"cloudformation", "terraform", "plan"})

    def check(self, scan):
        for record in scan.records:
            if (text_of(record.record_type) or "").upper() != "CNAME":
                continue
            zone_name = zone_name_of(scan, record)
            if not zone_name or qualified_name(record, zone_name) != zone_name:
                continue
            yield self.finding(
                f"CNAME at the zone apex `{zone_name}` is rejected by Route 53; use an alias `A`/`AAAA` record instead",
                at=record.name,
                resource=record,
            )
