"""
## What it does
Finds EC2 instances, launch templates and launch configurations that explicitly allow IMDSv1:
`MetadataOptions.HttpTokens: optional` in CloudFormation (under `LaunchTemplateData` for a
launch template), `metadata_options { http_tokens = "optional" }` in Terraform. Turning the
metadata service off altogether (`HttpEndpoint`/`http_endpoint` = `disabled`) is compliant.

Leaving the setting out is **not** reported. Without it the token requirement is not decided by
the template: AWS takes the account's IMDS defaults for the Region (set with
`ModifyInstanceMetadataDefaults` or Terraform's `aws_ec2_instance_metadata_defaults`), then the
AMI (`ImdsSupport: v2.0`, which Amazon Linux 2023 and other recent AMIs carry, means
`required`), and only then the legacy default `optional`. None of that can be read from the
template, for any of the three resource types, so reporting it would be a guess. Write
`required` explicitly to make the template self-evidently safe. Values that cannot be resolved
(a parameter without default, a variable) are not reported either.

## Why is this bad?
With IMDSv1 any process that can make the instance send an HTTP GET (a server-side request
forgery in a web application, an open proxy, a misconfigured WAF) can read
`http://169.254.169.254/latest/meta-data/iam/security-credentials/<role>` and walk away with the
instance role's credentials. IMDSv2 requires a session token obtained with a `PUT` and a
response hop limit, which such requests cannot produce.

## Example
```yaml
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-0abcdef1234567890
      InstanceType: t3.micro
      MetadataOptions:
        HttpTokens: optional
```

## Use instead
```yaml
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-0abcdef1234567890
      InstanceType: t3.micro
      MetadataOptions:
        HttpTokens: required
        HttpEndpoint: enabled
```

## References
- [Configure the instance metadata options](https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-options.html)
- [Configure instance metadata options for new instances](https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-new-instances.html)
- [ModifyInstanceMetadataDefaults (account-level defaults)](https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyInstanceMetadataDefaults.html)
"""

from __future__ import annotations

from policylint.model import ComputeLaunch, text_of
from policylint.rule import Rule


class Ec2Imdsv1Enabled(Rule):
    code = "PL301"
    slug = "ec2-imdsv1-enabled"
    severity = "high"
    title = "IMDSv1 allowed: metadata tokens are optional"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = ComputeLaunch

    def check(self, launch, scan):
        tokens = text_of(launch.metadata_http_tokens)
        if tokens is None or tokens.lower() != "optional":
            return  # `required`, absent (account/AMI defaults decide) or unknown
        endpoint = launch.metadata_http_endpoint
        if endpoint is not None:
            state = text_of(endpoint)
            if state is None or state.lower() == "disabled":
                return  # the metadata service is off, or may be
        yield self.finding(
            "Instance metadata tokens are `optional`, so IMDSv1 answers any SSRF with the role's credentials; set them to `required`",
            at=launch.metadata_http_tokens,
            resource=launch,
        )
