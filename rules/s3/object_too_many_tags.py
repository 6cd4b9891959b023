"""
## What it does
Finds Terraform S3 objects (`aws_s3_object`, the older `aws_s3_bucket_object`, and
`aws_s3_object_copy`) that carry more than 10 tags. In a plan, `tags_all` is counted, so tags
added by the provider's `default_tags` count too. A tag map that cannot be resolved statically is
not reported. CloudFormation has no S3 object resource.

## Why is this bad?
S3 accepts at most 10 tags per object: the upload is rejected (`InvalidTag` / `BadRequest`) and
the apply fails.

## Example
```hcl
resource "aws_s3_object" "report" {
  bucket  = "acme-reports"
  key     = "2024/report.csv"
  content = "id,total\\n"

  tags = {
    team        = "finance"
    owner       = "alice"
    project     = "ledger"
    environment = "prod"
    cost_center = "cc-42"
    retention   = "7y"
    data_class  = "internal"
    source      = "etl"
    format      = "csv"
    quarter     = "q1"
    reviewed    = "yes"
  }
}
```

## Use instead
```hcl
resource "aws_s3_object" "report" {
  bucket  = "acme-reports"
  key     = "2024/report.csv"
  content = "id,total\\n"

  tags = {
    team        = "finance"
    project     = "ledger"
    environment = "prod"
    data_class  = "internal"
  }

  metadata = {
    owner  = "alice"
    source = "etl"
  }
}
```

## References
- [Categorizing your storage using tags](https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html)
- [Terraform aws_s3_object: tags and default_tags](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_object#tags)
"""

from __future__ import annotations

from policylint.model import S3Object
from policylint.rule import Rule

MAX_TAGS = 10


class S3ObjectTooManyTags(Rule):
    code = "PL116"
    slug = "s3-object-too-many-tags"
    severity = "high"
    title = "S3 object with more than 10 tags"
    formats = frozenset({"terraform", "plan"})
    on = S3Object

    def check(self, obj, scan):
        tags, own = obj.tags, obj.own_tags
        if tags is None or not isinstance(tags.value, dict):
            return  # no tags, or a map that cannot be known
        count = len(tags.value)
        if count <= MAX_TAGS:
            return
        fix = "remove some or keep them in `metadata`"
        if tags is not own and not (own is not None and isinstance(own.value, dict) and len(own.value) > MAX_TAGS):
            fix = "the provider's `default_tags` push it over: leave them out with `override_provider`"
        yield self.finding(
            f"Object has {count} tags but S3 accepts at most {MAX_TAGS}, so the upload fails; {fix}",
            at=tags,
            resource=obj,
        )
