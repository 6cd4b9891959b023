"""
## What it does
Checks that a bucket policy denies requests made over plain HTTP. The rule asks the policy
evaluator whether every S3 action, from any caller, is explicitly denied when
`aws:SecureTransport` is `false`, both on the bucket (`arn:aws:s3:::bucket`) and on its objects
(`arn:aws:s3:::bucket/*`); the message says which of the two is still open. Any statement shape
that denies those requests counts (`Bool` or `BoolIfExists`, `Action: "s3:*"` or `"*"`); an
`Allow` conditioned on `aws:SecureTransport: true` does not, since another `Allow` (or an IAM
policy) still grants the same requests over HTTP.

The finding points at the policy's `Statement` element, where the missing statement belongs.
Buckets are judged on the policies linked to them in the scan; a bucket with no bucket policy in
the scan is not reported (its policy may live in another stack), nor is a policy whose statements
cannot be resolved statically.

## Why is this bad?
S3 accepts HTTP as well as HTTPS. Requests over HTTP can be read and altered on the way, including
their credentials-derived signatures and the data itself. Denying `aws:SecureTransport: false`
makes the bucket refuse them.

## Example
```yaml
Resources:
  Reports:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: example-reports
  ReportsPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Reports
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Deny
            Principal: "*"
            Action: s3:*
            Resource: arn:aws:s3:::example-reports/*
            Condition:
              Bool:
                aws:SecureTransport: "false"
```

## Use instead
```yaml
Resources:
  Reports:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: example-reports
  ReportsPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Reports
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: DenyInsecureTransport
            Effect: Deny
            Principal: "*"
            Action: s3:*
            Resource:
              - arn:aws:s3:::example-reports
              - arn:aws:s3:::example-reports/*
            Condition:
              Bool:
                aws:SecureTransport: "false"
```

## References
- [Security best practices for Amazon S3: enforce encryption of data in transit](https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html)
- [What S3 bucket policy should I use to comply with the AWS Config rule s3-bucket-ssl-requests-only? (AWS re:Post)](https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule)
- [AWS global condition context keys: aws:SecureTransport](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-securetransport)
"""

from __future__ import annotations

from policylint.rule import Rule


class S3InsecureTransport(Rule):
    code = "PL104"
    slug = "s3-insecure-transport"
    severity = "medium"
    title = "Bucket policy does not deny requests over plain HTTP"
    formats = frozenset({"cloudformation", "terraform", "plan", "policy"})

    def check(self, scan):
        if not scan.policies:
            return  # no policy in the scan: do not even load the policy engine
        from policylint.policy.evaluate import ANY, EVERYONE, FREE, Request
        from policylint.policy.targets import bucket_targets

        for target in bucket_targets(scan):
            open_parts = target.undenied(
                (part, Request(f"s3:{ANY}", resource, EVERYONE, {"aws:SecureTransport": "false"}, unlisted=FREE))
                for part, resource in (("the bucket", target.bucket_arn), ("its objects", target.objects_arn))
            )
            if open_parts:  # None (unresolved) and [] (all denied) say nothing
                from policylint.policy.syntax import policy_syntax

                document = target.documents[0]
                syntax = policy_syntax(document, scan.lines(document.body.file))
                yield self.finding(self._message(open_parts, target.display, syntax), at=target.anchor(), resource=target.resource)

    @staticmethod
    def _message(open_parts: list[str], arn: str, syntax: str = "json") -> str:
        where = " and ".join(open_parts)
        return (
            f"Bucket policy does not deny plain-HTTP requests (`aws:SecureTransport` false) to {where}; "
            f"add a `Deny` of `s3:*` on `{arn}` and `{arn}/*` for {_FIX_SYNTAX.get(syntax, _FIX_SYNTAX['json'])}"
        )


# The principal and condition of the missing Deny, as the policy's file writes them.
_FIX_SYNTAX = {
    "json": '`"Principal": "*"` with `"Condition": {"Bool": {"aws:SecureTransport": "false"}}`',
    "yaml": '`Principal: "*"` with `Condition: {Bool: {"aws:SecureTransport": "false"}}`',
    "hcl": '`Principal = "*"` with `Condition = { Bool = { "aws:SecureTransport" = "false" } }`',
    "hcl-data": (
        'a `principals` block with `type = "*"` and `identifiers = ["*"]`, and a `condition` block with '
        '`test = "Bool"`, `variable = "aws:SecureTransport"` and `values = ["false"]`'
    ),
}
