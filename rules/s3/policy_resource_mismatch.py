"""
## What it does
Finds S3 actions that can never match the resources of their statement: object actions
(`s3:GetObject`, `s3:PutObject`, `s3:DeleteObject`, ...) whose statement lists only bucket ARNs
(`arn:aws:s3:::bucket`), and bucket actions (`s3:ListBucket`, `s3:GetBucketLocation`, ...) whose
statement lists only object ARNs (`arn:aws:s3:::bucket/*`). Wildcard actions (`s3:Get*`) are
reported only when none of the known actions they cover can match. Applies to bucket policies and
identity policies alike, `Allow` and `Deny`.

Each mismatched action is reported on its own line in `Action`. A statement is skipped when one of
its resources is not a plain S3 bucket or object ARN (`*`, access points, other services) or
cannot be resolved, when it uses `NotAction`/`NotResource`, and for actions policylint does not
know.

## Why is this bad?
The statement silently has no effect for those actions: an `Allow` grants nothing (the
application gets `AccessDenied`), and a `Deny` protects nothing. An object ARN needs `/*` (or
`/key`); a bucket ARN must not have it.

## Example
```yaml
Resources:
  Reader:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action:
              - s3:ListBucket
              - s3:GetObject
            Resource: arn:aws:s3:::example-data
```

## Use instead
```yaml
Resources:
  Reader:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action:
              - s3:ListBucket
              - s3:GetObject
            Resource:
              - arn:aws:s3:::example-data
              - arn:aws:s3:::example-data/*
```

## References
- [Policy resources for Amazon S3](https://docs.aws.amazon.com/AmazonS3/latest/userguide/security_iam_service-with-iam.html#security_iam_service-with-iam-id-based-policies-resources)
- [Actions, resources, and condition keys for Amazon S3](https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html)
"""

from __future__ import annotations

from policylint.model import PolicyDocument
from policylint.rule import Rule

_KIND_WORDS = {"object": ("objects", "object ARNs such as `arn:aws:s3:::bucket/*`"), "bucket": ("buckets", "the bucket ARN `arn:aws:s3:::bucket`")}


class S3PolicyResourceMismatch(Rule):
    code = "PL115"
    slug = "s3-policy-resource-mismatch"
    severity = "high"
    title = "S3 actions that can never match the statement's resources"
    formats = frozenset({"cloudformation", "terraform", "plan", "policy"})
    on = PolicyDocument

    def check(self, document, scan):
        if document.kind == "trust":
            return
        from policylint.policy.document import policy_of
        from policylint.policy.evaluate import NAME
        from policylint.policy.resource_kinds import never_matching, resource_kinds
        from policylint.policy.targets import reference_resolver

        resolve = reference_resolver(scan, unnamed=NAME, attached=document)
        for statement in policy_of(document).statements:
            never = never_matching(statement, resolve)
            if not never:
                continue
            listed = "bucket" if "bucket" in (resource_kinds(statement, resolve) or ()) else "object"
            for value in statement.action.values:
                need = never.get(value.text) if value.text is not None else None
                if need is None:
                    continue
                plural, fix = _KIND_WORDS[need]
                yield self.finding(
                    f"`{value.text}` acts on {plural}, but {statement.label} lists only {listed} ARNs, so it never "
                    f"matches and the statement does not {'deny' if statement.effect_text == 'Deny' else 'grant'} it; "
                    f"add {fix}",
                    at=value.node,
                    resource=document,
                )

