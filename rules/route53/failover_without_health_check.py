"""
## What it does
Finds the `PRIMARY` record of a Route 53 failover pair that Route 53 has no way to find
unhealthy: a record with values and no health check (`HealthCheckId` / `health_check_id`), or an
alias record with no health check whose `EvaluateTargetHealth` / `evaluate_target_health` is not
`true` (CloudFormation's default is `false`). Records inside `AWS::Route53::RecordSetGroup` are
checked too.

`SECONDARY` records are not reported: without a health check the secondary is simply always
considered healthy, which is what a last-resort fallback (a static "sorry" page, say) is meant to
be. Values that cannot be resolved (a parameter without default, a condition) are not reported.

## Why is this bad?
Route 53 treats a record without a health check as healthy. A primary that is always healthy is
always returned, so when its endpoint goes down traffic never moves to the secondary: the
failover configuration deploys, looks right, and does nothing.

## Example
```yaml
Resources:
  Primary:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneName: example.com.
      Name: app.example.com.
      Type: A
      TTL: "60"
      ResourceRecords: [192.0.2.10]
      SetIdentifier: primary
      Failover: PRIMARY
  Secondary:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneName: example.com.
      Name: app.example.com.
      Type: A
      TTL: "60"
      ResourceRecords: [198.51.100.20]
      SetIdentifier: secondary
      Failover: SECONDARY
```

## Use instead
```yaml
Resources:
  PrimaryCheck:
    Type: AWS::Route53::HealthCheck
    Properties:
      HealthCheckConfig:
        Type: HTTP
        IPAddress: 192.0.2.10
        ResourcePath: /health
  Primary:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneName: example.com.
      Name: app.example.com.
      Type: A
      TTL: "60"
      ResourceRecords: [192.0.2.10]
      SetIdentifier: primary
      Failover: PRIMARY
      HealthCheckId: !Ref PrimaryCheck
  Secondary:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneName: example.com.
      Name: app.example.com.
      Type: A
      TTL: "60"
      ResourceRecords: [198.51.100.20]
      SetIdentifier: secondary
      Failover: SECONDARY
```

## References
- [Failover routing](https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-failover.html)
- [Configuring active-passive failover](https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-types.html)
- [AliasTarget: EvaluateTargetHealth](https://docs.aws.amazon.com/Route53/latest/APIReference/API_AliasTarget.html)
"""

from __future__ import annotations

from policylint.model import DnsRecord, Unknown, text_of, truth
from policylint.rule import Rule


class Route53FailoverWithoutHealthCheck(Rule):
    code = "PL405"
    slug = "route53-failover-without-health-check"
    severity = "medium"
    title = "Primary failover record is never considered unhealthy"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = DnsRecord

    def check(self, record, scan):
        role = text_of(record.failover)
        if record.routing_policy != "failover" or role is None or role.upper() != "PRIMARY":
            return
        check = record.health_check
        if check is not None and check.value is not None:
            return  # a health check, or perhaps one
        alias = record.alias
        if alias is None or alias.value is None:
            yield self.finding(
                "Primary failover record has no health check: Route 53 always considers it healthy and never fails over; "
                "attach a health check",
                at=record.failover,
                resource=record,
            )
            return
        if isinstance(alias.value, Unknown):
            return  # perhaps not an alias at all
        evaluate = record.evaluate_target_health
        if evaluate is not None and truth(evaluate) is None:
            return  # unknown, or not a boolean
        if evaluate is None or truth(evaluate) is False:
            yield self.finding(
                "Primary failover alias neither evaluates target health nor has a health check: Route 53 never fails over; "
                "set evaluate target health to `true`, or attach a health check (CloudFront targets need one)",
                at=evaluate if evaluate is not None else record.failover,
                resource=record,
            )
