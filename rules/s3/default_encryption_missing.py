"""
## What it does
Finds buckets declared in the scan that have no default encryption configuration
(CloudFormation `BucketEncryption`, Terraform v3 `server_side_encryption_configuration` or v4+
`aws_s3_bucket_server_side_encryption_configuration`). Reported as information: since January
2023 S3 encrypts every new object with SSE-S3 (`AES256`) when nothing is configured, so the data is
encrypted at rest either way. A bucket known only through split `aws_s3_bucket_*` resources is not
reported (its encryption may be configured elsewhere), nor is a bucket that an encryption resource
aimed at an unresolved bucket (a module's `var.bucket`) might configure.

## Why is this bad?
With the implicit SSE-S3 default, the keys belong to S3: there is no key policy to restrict who can
decrypt, and no CloudTrail record of each use of the key. Choosing SSE-KMS (`aws:kms`, ideally with
a customer managed key and an S3 Bucket Key to keep costs down) gives both, and writing the
configuration down makes the intent explicit.

## Example
```yaml
Resources:
  Records:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-records
```

## Use instead
```yaml
Resources:
  Records:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-records
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
            BucketKeyEnabled: true
```

## References
- [Setting default server-side encryption behavior for Amazon S3 buckets](https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html)
- [Amazon S3 now automatically encrypts all new objects](https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html)
- [Using server-side encryption with AWS KMS keys (SSE-KMS)](https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html)
"""

from __future__ import annotations

from policylint.model import S3Bucket
from policylint.rule import Rule


class S3DefaultEncryptionMissing(Rule):
    code = "PL118"
    slug = "s3-default-encryption-missing"
    severity = "info"
    title = "S3 bucket without a default encryption configuration"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = S3Bucket

    def check(self, bucket, scan):
        if bucket.declared and bucket.encryption is None and not scan.configured_elsewhere(bucket, "encryption"):
            yield self.finding(
                "No default encryption configured: S3 applies SSE-S3 (`AES256`) since January 2023; "
                "configure SSE-KMS (`aws:kms`) for control over the key and an audit trail of its use",
                at=bucket,
            )
