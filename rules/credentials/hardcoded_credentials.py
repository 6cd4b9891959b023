"""
## What it does
Finds AWS access keys written into any file of the scan: Terraform provider and backend blocks,
variable defaults and `.tfvars`, CloudFormation parameter defaults, Lambda/ECS/CodeBuild
environment variables, EC2 user data (also when it is base64-encoded), Terraform plans, and any
other text file such as `.py`, `.sh`, `.env` or `~/.aws/credentials`-style ini files.

An access key id (`AKIA…`, `ASIA…`, `ABIA…`, `ACCA…`) is always reported: `critical` when a
40-character secret key is within a few lines of it, `high` alone. A secret key is reported
(`critical`) when it is assigned to a credential-named key (`secret_key`,
`aws_secret_access_key`, `AWS_SECRET_ACCESS_KEY`, `SecretAccessKey`, `secretKey`, …) or sits
next to an access key id. Each line holding a credential gets one finding. References
(`var.x`, `${…}`, `{{resolve:…}}`, `Ref`), placeholders (`xxxx`, `<…>`) and git hashes are not
credentials. AWS's documented example keys (`…EXAMPLE`, `…EXAMPLEKEY`) are reported as `info`.
Messages show at most four characters of a key.

## Why is this bad?
Anyone who can read the repository, the template, the plan or the instance's user data can use
the key, with all the permissions of its IAM user, until it is rotated. Keys in git history stay
readable after the line is deleted. "Never ever store AWS credentials in your code": an IAM role
(instance profile, Lambda execution role, task role) gives short-lived credentials automatically,
and the default credential provider chain picks them up without any configuration.

## Example
```hcl
provider "aws" {
  region     = "us-east-1"
  access_key = "AKIAIOSFODNN7EXAMPLE"
  secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
}
```

## Use instead
```hcl
# Credentials come from the environment (AWS_PROFILE, AWS_ACCESS_KEY_ID ...), an SSO session or
# the instance profile; CI assumes a role.
provider "aws" {
  region = "us-east-1"
  assume_role {
    role_arn = "arn:aws:iam::123456789012:role/deploy"
  }
}
```

## References
- [Best practices for managing AWS access keys](https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles)
- [IAM roles for Amazon EC2](https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html)
- [What to do if you inadvertently expose an AWS access key](https://aws.amazon.com/blogs/security/what-to-do-if-you-inadvertently-expose-an-aws-access-key/)
- [Terraform AWS provider authentication](https://registry.terraform.io/providers/hashicorp/aws/latest/docs#authentication-and-configuration)
"""

from __future__ import annotations

from itertools import groupby

from policylint.model import Location, TextFile
from policylint.report import SEVERITIES
from policylint.rule import Rule
from policylint.secrets import ACCESS_KEY_ID, Credential, find_credentials

USE = "use an IAM role, environment variables or a secrets manager instead"
FIX = f"rotate the key and {USE}"


class HardcodedAwsCredentials(Rule):
    code = "PL201"
    slug = "hardcoded-aws-credentials"
    severity = "critical"
    title = "AWS access keys are hardcoded"
    formats = frozenset({"cloudformation", "terraform", "plan", "policy", "text"})
    on = TextFile

    def check(self, text_file, scan):
        for line, group in groupby(find_credentials(text_file.text), key=lambda c: c.line):
            credentials = list(group)
            yield self.finding(
                _message(credentials),
                at=Location(text_file.path, line, line),
                severity=_worst(credentials),
                format=text_file.format,  # a place in a file names no resource to take it from
            )
        # User data written as literal base64 is decoded by the parsers: keys in it are invisible
        # in the raw text, so look at the decoded text and report at the user data.
        for launch in scan.user_data_in(text_file.path):
            node = launch.user_data
            if not isinstance(node.value, str):
                continue
            hidden = [c for c in find_credentials(node.value) if c.value not in text_file.text]
            if hidden:
                yield self.finding(
                    _message(hidden, where=" in base64 user data"),
                    at=node,
                    resource=launch,
                    severity=_worst(hidden),
                )


def _worst(credentials: list[Credential]) -> str:
    return max((c.severity for c in credentials), key=SEVERITIES.index)


def _message(credentials: list[Credential], where: str = "") -> str:
    """One line's credentials in a sentence.  ``where`` is set for decoded user data, whose
    line numbers mean nothing in the file."""
    if all(c.example for c in credentials):
        values = " and ".join(f"`{c.masked}`" for c in credentials)
        return f"AWS documentation example key {values}{where}: a placeholder, but real keys never belong in code: {USE}"
    real = [c for c in credentials if not c.example]
    ids = [c for c in real if c.kind == ACCESS_KEY_ID]
    secrets = [c for c in real if c.kind != ACCESS_KEY_ID]
    if ids and secrets:
        return f"Access key id `{ids[0].masked}` and secret key `{secrets[0].masked}` are hardcoded{where}: {FIX}"
    if ids:
        key = ids[0]
        pair = "" if key.partner is None else " with its secret key" if where else f" with its secret key on line {key.partner}"
        return f"Access key id `{key.masked}` is hardcoded{pair}{where}: {FIX}"
    secret = secrets[0]
    if secret.name is not None:
        return f"Secret access key `{secret.masked}` is hardcoded in `{secret.name}`{where}: {FIX}"
    near = "" if secret.partner is None or where else f" next to the access key id on line {secret.partner}"
    return f"Secret access key `{secret.masked}` is hardcoded{near}{where}: {FIX}"
