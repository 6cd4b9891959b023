"""
## What it does
Finds S3 CORS rules that allow any origin: `*`, or any origin of a scheme (`https://*`). Reported
as high when the same rule also allows `PUT`, `POST` or `DELETE`. CloudFormation
`CorsConfiguration.CorsRules`, Terraform v3 `cors_rule` blocks and v4+
`aws_s3_bucket_cors_configuration` are all read. Origins scoped to a domain (`https://*.example.com`)
and values that cannot be resolved statically are not reported.

## Why is this bad?
CORS decides which web pages a browser lets read S3 responses and send cross-origin requests. It
grants no permission by itself, but a wildcard lets any site on the internet use a visitor's access
(pre-signed URLs, cookies of a website bucket, an intranet-only source IP) to read the data, and
with write methods to upload or delete objects.

## Example
```yaml
Resources:
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      CorsConfiguration:
        CorsRules:
          - AllowedOrigins: ["*"]
            AllowedMethods: [GET, PUT]
```

## Use instead
```yaml
Resources:
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      CorsConfiguration:
        CorsRules:
          - AllowedOrigins: ["https://app.example.com"]
            AllowedMethods: [GET, PUT]
```

## References
- [Using cross-origin resource sharing (CORS)](https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html)
- [CORS configuration elements](https://docs.aws.amazon.com/AmazonS3/latest/userguide/ManageCorsUsing.html)
"""

from __future__ import annotations

import re

from policylint.model import S3Bucket, text_of
from policylint.patterns import lazy
from policylint.rule import Rule

ANY_ORIGIN = lazy(r"(?:[a-z][a-z0-9+.-]*://)?\*", re.IGNORECASE)
WRITE_METHODS = ("PUT", "POST", "DELETE")


class S3CorsWildcardOrigin(Rule):
    code = "PL112"
    slug = "s3-cors-wildcard-origin"
    severity = "medium"
    title = "S3 CORS rule allows any origin"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = S3Bucket

    def check(self, bucket, scan):
        for rule in bucket.cors_rules:
            if rule.origins is None:
                continue
            wildcard = next((o for o in rule.origins.items() if ANY_ORIGIN.fullmatch(text_of(o) or "")), None)
            if wildcard is None:
                continue
            methods = [text_of(m) for m in rule.methods.items()] if rule.methods is not None else []
            writes = [m for m in WRITE_METHODS if m in methods]
            if writes:
                listed = ", ".join(f"`{m}`" for m in writes)
                message = (
                    f"CORS rule lets any origin (`{text_of(wildcard)}`) send {listed} requests; "
                    "list the origins of your own web applications instead"
                )
            else:
                message = f"CORS rule allows any origin (`{text_of(wildcard)}`); list the origins that need access instead"
            yield self.finding(message, at=wildcard, resource=bucket, severity="high" if writes else None)
