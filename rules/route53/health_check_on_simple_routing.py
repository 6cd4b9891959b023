"""
## What it does
Finds Route 53 records with simple routing (no weighted, latency, failover, geolocation,
geoproximity, IP-based or multivalue policy) that have a health check attached (`HealthCheckId` /
`health_check_id`). A health check given by a value that cannot be resolved (a parameter without
default, a variable that may be null) is not reported; a reference to a health check resource is.

## Why is this bad?
Route 53 only uses a health check to choose between several records of the same name and type.
A simple record is the only answer there is, so Route 53 returns it whether the endpoint is healthy
or not, and the several values of one simple record are never checked individually. The health
check costs money and suggests a failover that does not exist.

## Example
```yaml
Resources:
  Check:
    Type: AWS::Route53::HealthCheck
    Properties:
      HealthCheckConfig:
        Type: HTTPS
        FullyQualifiedDomainName: origin.example.com
  Www:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneName: example.com.
      Name: www.example.com.
      Type: A
      TTL: "60"
      ResourceRecords: [192.0.2.10]
      HealthCheckId: !Ref Check
```

## Use instead
```yaml
Resources:
  Check:
    Type: AWS::Route53::HealthCheck
    Properties:
      HealthCheckConfig:
        Type: HTTPS
        FullyQualifiedDomainName: origin.example.com
  WwwPrimary:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneName: example.com.
      Name: www.example.com.
      Type: A
      TTL: "60"
      ResourceRecords: [192.0.2.10]
      SetIdentifier: primary
      Failover: PRIMARY
      HealthCheckId: !Ref Check
  WwwSecondary:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneName: example.com.
      Name: www.example.com.
      Type: A
      TTL: "60"
      ResourceRecords: [198.51.100.20]
      SetIdentifier: secondary
      Failover: SECONDARY
```

## References
- [Simple routing](https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-simple.html)
- [How Route 53 determines whether a health check is healthy (checking the health of records)](https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html)
"""

from __future__ import annotations

from policylint.model import DnsRecord, Unknown
from policylint.rule import Rule


class Route53HealthCheckOnSimpleRouting(Rule):
    code = "PL404"
    slug = "route53-health-check-on-simple-routing"
    severity = "medium"
    title = "Health check on a simple-routing record has no effect"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = DnsRecord

    def check(self, record, scan):
        check = record.health_check
        if record.routing is not None or record.routing_policy is not None or check is None or check.value in (None, "") or isinstance(check.value, Unknown):
            return
        yield self.finding(
            "Health check on a simple-routing record is never used: Route 53 returns the record whether it is healthy or not; "
            "use a routing policy with several records (e.g. failover) or remove the health check",
            at=check,
            resource=record,
        )
