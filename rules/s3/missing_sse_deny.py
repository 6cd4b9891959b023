"""
## What it does
Checks that a bucket policy denies uploads that do not ask for server-side encryption. The rule
asks the policy evaluator two questions about `s3:PutObject` on any object of the bucket, from any
caller: is the upload explicitly denied (a) when the `s3:x-amz-server-side-encryption` header is
absent, and (b) when it carries a value other than `AES256` / `aws:kms`? Any statements that deny
both pass, whatever their shape: AWS's classic pair (a `Deny` with `Null` and a `Deny` with
`StringNotEquals`), or a single `Deny` with `StringNotEqualsIfExists` (or plain
`StringNotEquals`, which is true when the key is missing). The message says which case is still
open. A `Deny` limited to some callers, some objects or some other condition does not count.

The finding points at the policy's `Statement` element, where the missing statement belongs.
A bucket that receives logs from AWS services is not reported: S3 server access logs (another
bucket in the scan logs into it, or its ACL is `log-delivery-write`), CloudTrail, load-balancer
access logs, CloudFront standard logs and VPC flow logs (a trail, load balancer or distribution in
the scan names it, or its policy grants `s3:PutObject` to a log-delivery service principal such as
`logging.s3.amazonaws.com`, `cloudtrail.amazonaws.com`, `delivery.logs.amazonaws.com` or
`logdelivery.elasticloadbalancing.amazonaws.com`). These services do not send the
`s3:x-amz-server-side-encryption` header: they rely on the bucket's default encryption (SSE-S3
is the only one S3 server access logs and load-balancer logs support), so the deny this rule asks
for would block every log delivery.

Buckets are judged on the policies linked to them in the scan; a bucket with no bucket policy in
the scan is not reported (its policy may live in another stack, and since January 2023 S3 encrypts
every new object by default), nor is a policy whose statements cannot be resolved statically.

## Why is this bad?
Without the deny, a client can store objects unencrypted or with an algorithm you did not choose.
(Default bucket encryption now covers header-less uploads; AWS still documents this pair for
buckets that must prove every upload asked for encryption.)

## Example
```yaml
Resources:
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: example-uploads
  UploadsPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Uploads
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Deny
            Principal: "*"
            Action: s3:PutObject
            Resource: arn:aws:s3:::example-uploads/*
            Condition:
              "Null":
                s3:x-amz-server-side-encryption: "true"
```

## Use instead
```yaml
Resources:
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: example-uploads
  UploadsPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Uploads
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: DenyUnencryptedUploads
            Effect: Deny
            Principal: "*"
            Action: s3:PutObject
            Resource: arn:aws:s3:::example-uploads/*
            Condition:
              StringNotEqualsIfExists:
                s3:x-amz-server-side-encryption: [AES256, "aws:kms"]
```

## References
- [How do I enforce server-side encryption for objects in my S3 bucket? (AWS re:Post)](https://repost.aws/knowledge-center/s3-bucket-store-kms-encrypted-objects)
- [Permissions for server access log delivery](https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html#grant-log-delivery-permissions-general)
- [Amazon S3 bucket policy for CloudTrail](https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html)
- [Access logs for your Application Load Balancer: bucket requirements](https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html)
- [Protecting data with server-side encryption](https://docs.aws.amazon.com/AmazonS3/latest/userguide/serv-side-encryption.html)
- [IAM JSON policy elements: Condition operators (`...IfExists`, `Null`)](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)
"""

from __future__ import annotations

from policylint.model import LogDelivery, text_of
from policylint.rule import Rule

HEADER = "s3:x-amz-server-side-encryption"
# The principal and condition of the missing Deny, as the policy's file writes them.
_FIX_SYNTAX = {
    "json": f'`"Principal": "*"` with `"Condition": {{"StringNotEqualsIfExists": {{"{HEADER}": ["AES256", "aws:kms"]}}}}`',
    "yaml": f'`Principal: "*"` with `Condition: {{StringNotEqualsIfExists: {{"{HEADER}": [AES256, "aws:kms"]}}}}`',
    "hcl": f'`Principal = "*"` with `Condition = {{ StringNotEqualsIfExists = {{ "{HEADER}" = ["AES256", "aws:kms"] }} }}`',
    "hcl-data": (
        'a `principals` block with `type = "*"` and `identifiers = ["*"]`, and a `condition` block with '
        f'`test = "StringNotEqualsIfExists"`, `variable = "{HEADER}"` and `values = ["AES256", "aws:kms"]`'
    ),
}
# Stands for "any value other than AES256 / aws:kms": no policy names it, so no statement can
# match it by equality rather than by excluding the accepted algorithms.
OTHER_ALGORITHM = "policylint-unrequested-algorithm"


class S3MissingSseDeny(Rule):
    code = "PL103"
    slug = "s3-missing-sse-deny"
    severity = "medium"
    title = "Bucket policy does not deny uploads without server-side encryption"
    formats = frozenset({"cloudformation", "terraform", "plan", "policy"})

    def check(self, scan):
        if not scan.policies:
            return  # no policy in the scan: do not even load the policy engine
        from policylint.policy.evaluate import ABSENT, EVERYONE, FREE, Request
        from policylint.policy.syntax import policy_syntax
        from policylint.policy.targets import bucket_targets

        receivers = _log_receivers(scan)
        for target in bucket_targets(scan):
            if (target.bucket is not None and id(target.bucket) in receivers) or any(_grants_log_delivery(d) for d in target.documents):
                continue  # the deny would block the service's deliveries (see the docs)
            open_cases = target.undenied(
                (case, Request("s3:PutObject", target.objects_arn, EVERYONE, {HEADER: value}, unlisted=FREE))
                for case, value in (("absent", ABSENT), ("other", OTHER_ALGORITHM))
            )
            if open_cases:  # None (unresolved) and [] (all denied) say nothing
                document = target.documents[0]
                syntax = policy_syntax(document, scan.lines(document.body.file))
                yield self.finding(self._message(open_cases, target.display, syntax), at=target.anchor(), resource=target.resource)

    @staticmethod
    def _message(open_cases: list[str], arn: str, syntax: str = "json") -> str:
        fix = f"add a `Deny` of `s3:PutObject` on `{arn}/*` for {_FIX_SYNTAX.get(syntax, _FIX_SYNTAX['json'])}"
        if open_cases == ["absent", "other"]:
            what = f"uploads without the `{HEADER}` header and uploads asking for another algorithm"
        elif open_cases == ["absent"]:
            what = f"uploads without the `{HEADER}` header"
        else:
            what = f"uploads whose `{HEADER}` is not `AES256` or `aws:kms`"
        return f"Bucket policy does not deny {what} (`s3:PutObject`); {fix}"


# Service principals that deliver logs into buckets (S3 server access logs, CloudTrail, load
# balancers in newer Regions, CloudWatch vended logs such as ALB/NLB and CloudFront v2 logs).
LOG_DELIVERY_PRINCIPALS = frozenset({
    "logging.s3.amazonaws.com",
    "cloudtrail.amazonaws.com",
    "delivery.logs.amazonaws.com",
    "logdelivery.elasticloadbalancing.amazonaws.com",
})


def _log_receivers(scan) -> set[int]:
    """The buckets (by id) that the scan has AWS services deliver logs into."""
    found = set()
    for bucket in scan.buckets:
        if text_of(bucket.acl) == "log-delivery-write":
            found.add(id(bucket))
        logging = bucket.logging
        if logging is not None:
            target = bucket if logging.target is None else scan.bucket_for(logging.target, near=bucket.location.file)
            if target is not None:
                found.add(id(target))
    for delivery in scan.of(LogDelivery):
        target = scan.bucket_for(delivery.bucket, near=delivery.location.file)
        if target is not None:
            found.add(id(target))
    return found


def _grants_log_delivery(document) -> bool:
    """Whether a policy allows a log-delivery service principal to write into the bucket."""
    statements = document.body.get("Statement")
    for statement in statements.items() if statements is not None else []:
        if text_of(statement.get("Effect")) != "Allow":
            continue
        service = statement.get("Principal", "Service")
        names = {text_of(n) for n in service.items()} if service is not None else set()
        if names & LOG_DELIVERY_PRINCIPALS:
            actions = statement.get("Action")
            if actions is None or any((text_of(a) or "").lower() in ("s3:putobject", "s3:*", "*") for a in actions.items()):
                return True
    return False
