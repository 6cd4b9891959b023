"""
## What it does
Finds EC2 instances, launch templates and launch configurations that do not require IMDSv2
tokens:

- `MetadataOptions.HttpTokens: optional` in CloudFormation (under `LaunchTemplateData` for a
  launch template), `metadata_options { http_tokens = "optional" }` in Terraform (severity
  `high`);
- the setting **left out** (no `MetadataOptions`/`metadata_options`, or no `HttpTokens`/
  `http_tokens` in it; severity `medium`). Without it the template does not decide: AWS takes
  the account's IMDS defaults for the Region (`ModifyInstanceMetadataDefaults`, Terraform's
  `aws_ec2_instance_metadata_defaults`), then the AMI (`ImdsSupport: v2.0` means `required`),
  and only then the legacy default `optional`. The message says so; writing `required` makes
  the template self-evidently safe.

Not reported: a disabled metadata service (`HttpEndpoint`/`http_endpoint` = `disabled`); an
absent setting when the same scan sets the account default to `required`
(`aws_ec2_instance_metadata_defaults { http_tokens = "required" }`); an instance without
options of its own that is launched from a launch template (the template is checked); values
that cannot be resolved (a parameter without default, a variable, a `dynamic` block).

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

from policylint.model import ComputeLaunch, InstanceMetadataDefaults, text_of
from policylint.rule import Rule, origin_note

ABSENT_SEVERITY = "medium"  # the template does not decide: the account or the AMI may require tokens


class Ec2Imdsv1Enabled(Rule):
    code = "PL301"
    slug = "ec2-imdsv1-enabled"
    severity = "high"
    title = "IMDSv1 allowed: metadata tokens are not required"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = ComputeLaunch

    def check(self, launch, scan):
        endpoint = launch.metadata_http_endpoint
        if endpoint is not None:
            state = text_of(endpoint)
            if state is None or state.lower() == "disabled":
                return  # the metadata service is off, or may be
        node = launch.metadata_http_tokens
        if node is not None:
            tokens = text_of(node)
            if tokens is not None and tokens.lower() == "optional":
                yield self.finding(
                    f"Instance metadata tokens are `optional`{origin_note(node)}, so IMDSv1 answers any SSRF with the role's credentials; "
                    f"set {launch.assignment('metadata_http_tokens', 'required')}",
                    at=node,
                    resource=launch,
                )
            return  # `required`, or unknown
        options = launch.metadata_options
        if options is not None and not options.known:
            return  # `MetadataOptions: !If ...`, a dynamic block
        if launch.launch_template is not None or _account_requires_tokens(scan) is not False:
            return
        yield self.finding(_absent_message(launch), at=options or launch, resource=launch, severity=ABSENT_SEVERITY)


def _account_requires_tokens(scan) -> bool | None:
    """Whether account defaults in the scan require tokens: True, False (none, or not required),
    None when one of them cannot be known."""
    for defaults in scan.of(InstanceMetadataDefaults):
        if defaults.http_tokens is None:
            continue
        tokens = text_of(defaults.http_tokens)
        if tokens is None:
            return None
        if tokens.lower() == "required":
            return True
    return False


def _absent_message(launch: ComputeLaunch) -> str:
    where = f"`{launch.key('metadata_options')}`"
    if launch.syntax == "yaml":
        fix = f"`{launch.key('metadata_options')}: {{{launch.key('metadata_http_tokens')}: required}}`"
        account = ""
    elif launch.syntax == "json":
        fix = f'`"{launch.key("metadata_options")}": {{"{launch.key("metadata_http_tokens")}": "required"}}`'
        account = ""
    else:
        fix = f'`{launch.key("metadata_options")} {{ {launch.key("metadata_http_tokens")} = "required" }}`'
        account = ', or require them for the account with `aws_ec2_instance_metadata_defaults { http_tokens = "required" }`'
    missing = f"no `{launch.key('metadata_http_tokens')}` in {where}" if launch.metadata_options is not None else f"no {where}"
    return (
        f"Instance metadata tokens are not required by the template ({missing}): whether IMDSv1 answers depends on the "
        f"account's IMDS defaults or the AMI's `ImdsSupport` flag, which the template does not show; set {fix}{account}"
    )
