"""
## What it does
Finds Route 53 `CNAME` records whose value is an AWS endpoint that an alias record can target:
an Elastic Load Balancing load balancer (`*.elb.amazonaws.com`, `*.elb.<region>.amazonaws.com`),
a CloudFront distribution (`*.cloudfront.net`, which includes edge-optimized API Gateway, AppSync
and Cognito custom domains), an S3 website endpoint (`*.s3-website-<region>.amazonaws.com`,
`*.s3-website.<region>.amazonaws.com`), an API Gateway regional custom domain
(`d-*.execute-api.<region>.amazonaws.com`), an Elastic Beanstalk environment with a regional
domain (`*.<region>.elasticbeanstalk.com`), a Global Accelerator (`*.awsglobalaccelerator.com`)
or a VPC interface endpoint (`*.vpce.amazonaws.com`). The value may also be a reference to such a
resource declared in the scan (`!GetAtt LoadBalancer.DNSName`, `aws_lb.web.dns_name`,
`aws_cloudfront_distribution.cdn.domain_name`, ...).

Default API Gateway (`<api-id>.execute-api...`) and AppSync (`*.appsync-api...`) endpoints are not
reported: an alias cannot target them. Other CNAMEs, such as ACM validation records
(`*.acm-validations.aws`), are never reported.

## Why is this bad?
An alias record to the same endpoint is better in every way: Route 53 does not charge for alias
queries to AWS resources, an alias works at the zone apex where a CNAME cannot, it answers with the
target's current addresses in one lookup instead of two, and it can follow the target's health
(`EvaluateTargetHealth`).

## Example
```yaml
Resources:
  App:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneName: example.com.
      Name: app.example.com.
      Type: CNAME
      TTL: "300"
      ResourceRecords:
        - my-alb-1234567890.eu-west-1.elb.amazonaws.com
```

## Use instead
```yaml
Resources:
  App:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneName: example.com.
      Name: app.example.com.
      Type: A
      AliasTarget:
        DNSName: dualstack.my-alb-1234567890.eu-west-1.elb.amazonaws.com
        HostedZoneId: Z32O12XQLNTSW2
        EvaluateTargetHealth: true
```

## References
- [Choosing between alias and non-alias records](https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html)
- [AliasTarget: the AWS resources an alias can route to](https://docs.aws.amazon.com/Route53/latest/APIReference/API_AliasTarget.html)
- [Route 53 pricing: alias queries to AWS resources are free](https://aws.amazon.com/route53/pricing/)
"""

from __future__ import annotations

from policylint.model import DnsRecord, Node, Ref, Unknown, dns_name, text_of
from policylint.patterns import lazy
from policylint.rule import Rule

_REGION = r"[a-z]{2}(?:-[a-z]+)+-\d"

# What each kind of endpoint (see Resource.dns_endpoints) is called in messages.
_KINDS = {
    "elb": "an Elastic Load Balancing load balancer",
    "cloudfront": "a CloudFront distribution",
    "s3-website": "an S3 website endpoint",
    "api-gateway": "an API Gateway custom domain",
    "beanstalk": "an Elastic Beanstalk environment",
    "global-accelerator": "a Global Accelerator",
    "vpc-endpoint": "a VPC interface endpoint",
}

_ENDPOINTS = [
    (lazy(rf"\.elb(?:\.{_REGION})?\.amazonaws\.com(?:\.cn)?$"), "elb"),
    (lazy(r"\.cloudfront\.net$"), "cloudfront"),
    (lazy(rf"\.s3-website[.-]{_REGION}\.amazonaws\.com(?:\.cn)?$"), "s3-website"),
    (lazy(rf"^d-[a-z0-9]+\.execute-api\.{_REGION}\.amazonaws\.com(?:\.cn)?$"), "api-gateway"),
    (lazy(rf"\.{_REGION}\.elasticbeanstalk\.com(?:\.cn)?$"), "beanstalk"),
    (lazy(r"\.awsglobalaccelerator\.com$"), "global-accelerator"),
    (lazy(r"\.vpce\.amazonaws\.com(?:\.cn)?$"), "vpc-endpoint"),
]

_PLACEHOLDER = lazy(r"\$\{[^}]*\}")
_SINGLE_PLACEHOLDER = lazy(r'^"?\$\{[^}]*\}"?$')


class Route53CnameToAwsResource(Rule):
    code = "PL407"
    slug = "route53-cname-to-aws-resource"
    severity = "low"
    title = "CNAME to an AWS endpoint that an alias can target"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = DnsRecord

    def check(self, record, scan):
        if (text_of(record.record_type) or "").upper() != "CNAME" or record.records is None:
            return
        for value in record.records.items():
            found = _endpoint(scan, value)
            if found is None:
                continue
            kind, shown = found
            yield self.finding(
                f"CNAME points at {_KINDS[kind]} (`{shown}`): use an alias record instead (free queries, works at the apex, "
                "follows the target's addresses)",
                at=value,
                resource=record,
            )


def _endpoint(scan, value: Node) -> tuple[str, str] | None:
    """(kind of endpoint, how to show the value) when it is an alias-capable AWS endpoint."""
    target = value.value
    if isinstance(target, Unknown) and len(target.refs) == 1 and _SINGLE_PLACEHOLDER.match(target.text):
        target = target.refs[0]  # a string that is one reference: "${Lb.DNSName}"
    if isinstance(target, Ref):
        kind = scan.dns_endpoint(target)
        return (kind, target.text) if kind else None
    if isinstance(target, Unknown):
        # A name built around unknown parts ("${Name}.${Region}.elb.amazonaws.com") is still
        # known to end in an AWS domain.
        text = _PLACEHOLDER.sub("x", target.text.strip('"'))
        shown = target.text.strip('"')
    elif isinstance(target, str):
        text = shown = target
    else:
        return None
    host = dns_name(text)
    for pattern, kind in _ENDPOINTS:
        if pattern.search(host):
            return kind, shown
    return None
