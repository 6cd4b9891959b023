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

import re

from policylint.model import Node, Ref, Unknown, text_of
from policylint.rule import Rule

_REGION = r"[a-z]{2}(?:-[a-z]+)+-\d"
_ELB = "an Elastic Load Balancing load balancer"
_CLOUDFRONT = "a CloudFront distribution"
_S3_WEBSITE = "an S3 website endpoint"
_API_GATEWAY = "an API Gateway custom domain"
_BEANSTALK = "an Elastic Beanstalk environment"
_ACCELERATOR = "a Global Accelerator"
_VPC_ENDPOINT = "a VPC interface endpoint"

_ENDPOINTS = [
    (re.compile(rf"\.elb(?:\.{_REGION})?\.amazonaws\.com(?:\.cn)?$"), _ELB),
    (re.compile(r"\.cloudfront\.net$"), _CLOUDFRONT),
    (re.compile(rf"\.s3-website[.-]{_REGION}\.amazonaws\.com(?:\.cn)?$"), _S3_WEBSITE),
    (re.compile(rf"^d-[a-z0-9]+\.execute-api\.{_REGION}\.amazonaws\.com(?:\.cn)?$"), _API_GATEWAY),
    (re.compile(rf"\.{_REGION}\.elasticbeanstalk\.com(?:\.cn)?$"), _BEANSTALK),
    (re.compile(r"\.awsglobalaccelerator\.com$"), _ACCELERATOR),
    (re.compile(r"\.vpce\.amazonaws\.com(?:\.cn)?$"), _VPC_ENDPOINT),
]

# Attributes of resources declared in the scan that hold an alias-capable DNS name.
_ATTRIBUTES = {
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", "DNSName"): _ELB,
    ("AWS::ElasticLoadBalancing::LoadBalancer", "DNSName"): _ELB,
    ("AWS::ElasticLoadBalancing::LoadBalancer", "CanonicalHostedZoneName"): _ELB,
    ("AWS::CloudFront::Distribution", "DomainName"): _CLOUDFRONT,
    ("AWS::ApiGateway::DomainName", "RegionalDomainName"): _API_GATEWAY,
    ("AWS::ApiGateway::DomainName", "DistributionDomainName"): _CLOUDFRONT,
    ("AWS::ApiGatewayV2::DomainName", "RegionalDomainName"): _API_GATEWAY,
    ("AWS::GlobalAccelerator::Accelerator", "DnsName"): _ACCELERATOR,
    ("AWS::GlobalAccelerator::Accelerator", "DualStackDnsName"): _ACCELERATOR,
    ("aws_lb", "dns_name"): _ELB,
    ("aws_alb", "dns_name"): _ELB,
    ("aws_elb", "dns_name"): _ELB,
    ("aws_cloudfront_distribution", "domain_name"): _CLOUDFRONT,
    ("aws_api_gateway_domain_name", "regional_domain_name"): _API_GATEWAY,
    ("aws_api_gateway_domain_name", "cloudfront_domain_name"): _CLOUDFRONT,
    ("aws_globalaccelerator_accelerator", "dns_name"): _ACCELERATOR,
    ("aws_globalaccelerator_accelerator", "dual_stack_dns_name"): _ACCELERATOR,
    ("aws_s3_bucket", "website_endpoint"): _S3_WEBSITE,
    ("aws_s3_bucket_website_configuration", "website_endpoint"): _S3_WEBSITE,
    ("aws_elastic_beanstalk_environment", "cname"): _BEANSTALK,
}

_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")
_SINGLE_PLACEHOLDER = re.compile(r'^"?\$\{[^}]*\}"?$')


class Route53CnameToAwsResource(Rule):
    code = "PL407"
    slug = "route53-cname-to-aws-resource"
    severity = "low"
    title = "CNAME to an AWS endpoint that an alias can target"
    formats = frozenset({"cloudformation", "terraform", "plan"})

    def check(self, scan):
        for record in scan.records:
            if (text_of(record.record_type) or "").upper() != "CNAME" or record.records is None:
                continue
            for value in record.records.items():
                found = _endpoint(scan, value)
                if found is None:
                    continue
                what, shown = found
                yield self.finding(
                    f"CNAME points at {what} (`{shown}`): use an alias record instead (free queries, works at the apex, "
                    "follows the target's addresses)",
                    at=value,
                    resource=record,
                )


_INSTANCE_KEY = re.compile(r"\[[^\]]*\]$")


def _endpoint(scan, value: Node) -> tuple[str, str] | None:
    """(what the value is, how to show it) when it is an alias-capable AWS endpoint."""
    target = value.value
    if isinstance(target, Unknown) and len(target.refs) == 1 and _SINGLE_PLACEHOLDER.match(target.text):
        target = target.refs[0]  # "${aws_lb.web.dns_name}", !Sub "${Lb.DNSName}"
    if isinstance(target, Ref):
        # One instance of a counted resource (`aws_lb.web[0]`) has the type of the resource.
        resource = scan.resource(target.uid) or scan.resource(_INSTANCE_KEY.sub("", target.uid))
        what = _ATTRIBUTES.get((resource.type, target.attr)) if resource is not None else None
        return (what, target.text) if what else None
    if isinstance(target, Unknown):
        # A name built around unknown parts ("${Name}.${AWS::Region}.elb.amazonaws.com") is still
        # known to end in an AWS domain.
        text = _PLACEHOLDER.sub("x", target.text.strip('"'))
        shown = target.text.strip('"')
    elif isinstance(target, str):
        text = shown = target
    else:
        return None
    host = text.strip().rstrip(".").lower()
    for pattern, what in _ENDPOINTS:
        if pattern.search(host):
            return what, shown
    return None
