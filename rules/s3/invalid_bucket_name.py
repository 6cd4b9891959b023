"""
## What it does
Checks the names of the buckets a template or module creates (CloudFormation `BucketName`,
Terraform `bucket`) against the S3 naming rules for general purpose buckets: 3 to 63 characters;
only lowercase letters, digits, periods and hyphens; a letter or digit first and last; no two
adjacent periods; not shaped like an IP address; none of the prefixes (`xn--`, `sthree-`,
`amzn-s3-demo-`) or suffixes (`-s3alias`, `--ol-s3`, `.mrap`, `--x-s3`, `--table-s3`) that AWS
reserves. A Terraform `bucket_prefix` is checked too, for what the provider keeps of it: at most
37 characters (a 26-digit suffix is appended), the allowed characters, the first character, and the
reserved prefixes.

Only names known in full are checked: a name built from an unknown variable or parameter is
skipped, and so are names of buckets the scan merely refers to (they may be legacy names from
before March 2018, when us-east-1 still accepted uppercase letters and underscores). A legacy
bucket imported into a template or state keeps its old name: suppress the finding for it.

## Why is this bad?
S3 rejects the bucket (`InvalidBucketName`), so the stack or the apply fails, often after other
resources were already created.

## Example
```yaml
Resources:
  Reports:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: Acme_Reports
```

## Use instead
```yaml
Resources:
  Reports:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-reports
```

## References
- [General purpose bucket naming rules](https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html)
- [Terraform aws_s3_bucket: bucket and bucket_prefix](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket#bucket)
"""

from __future__ import annotations

from policylint.model import S3Bucket, text_of
from policylint.patterns import lazy
from policylint.rule import Rule

RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
MAX_PREFIX_LENGTH = 37  # 63 minus the 26 characters Terraform appends
_ALLOWED = lazy(r"[a-z0-9.-]")
_IP_SHAPED = lazy(r"\d{1,3}(?:\.\d{1,3}){3}")


class S3InvalidBucketName(Rule):
    code = "PL113"
    slug = "s3-invalid-bucket-name"
    severity = "high"
    title = "S3 bucket name breaks the naming rules"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = S3Bucket

    def check(self, bucket, scan):
        if not bucket.declared:
            return  # a name the scan only refers to: the bucket exists elsewhere
        name = text_of(bucket.name)
        if name:  # (Terraform generates a name for an empty one)
            problems = name_problems(name)
            if problems:
                yield self.finding(
                    f"Bucket name `{name}` {'; '.join(problems)}, so S3 rejects it",
                    at=bucket.name,
                    resource=bucket,
                )
            return
        prefix = text_of(bucket.name_prefix)
        if not prefix:
            return
        problems = prefix_problems(prefix)
        if problems:
            yield self.finding(
                f"`bucket_prefix` `{prefix}` {'; '.join(problems)}, so the generated name is invalid",
                at=bucket.name_prefix,
                resource=bucket,
            )


def name_problems(name: str) -> list[str]:
    """What a full bucket name breaks, in words; empty when it is valid."""
    problems = []
    if not 3 <= len(name) <= 63:
        problems.append(f"is {len(name)} characters long (3 to 63 allowed)")
    problems.extend(_characters(name))
    if name and not (name[0].isascii() and name[0].isalnum() and name[-1].isascii() and name[-1].isalnum()):
        problems.append("must start and end with a letter or digit")
    if ".." in name:
        problems.append("has two adjacent periods")
    if _IP_SHAPED.fullmatch(name):
        problems.append("is formatted like an IP address")
    problems.extend(f"starts with the reserved prefix `{p}`" for p in RESERVED_PREFIXES if name.startswith(p))
    problems.extend(f"ends with the reserved suffix `{s}`" for s in RESERVED_SUFFIXES if name.endswith(s))
    return problems


def prefix_problems(prefix: str) -> list[str]:
    """What a Terraform ``bucket_prefix`` breaks whatever digits the provider appends."""
    problems = []
    if len(prefix) > MAX_PREFIX_LENGTH:
        problems.append(f"is {len(prefix)} characters long ({MAX_PREFIX_LENGTH} allowed)")
    problems.extend(_characters(prefix))
    if not (prefix[0].isascii() and prefix[0].isalnum()):
        problems.append("must start with a letter or digit")
    if ".." in prefix:
        problems.append("has two adjacent periods")
    problems.extend(f"starts with the reserved prefix `{p}`" for p in RESERVED_PREFIXES if prefix.startswith(p))
    return problems


def _characters(text: str) -> list[str]:
    bad = sorted({c for c in text if not _ALLOWED.fullmatch(c)})
    if not bad:
        return []
    kinds = []
    if any(c.isupper() for c in bad):
        kinds.append("uppercase letters")
    others = [c for c in bad if not c.isupper()]
    if others:
        kinds.append(" ".join(f"`{c}`" if not c.isspace() else "spaces" for c in others))
    return [f"contains {' and '.join(kinds)} (allowed: lowercase letters, digits, `.`, `-`)"]
