"""
## What it does
Validates every policy document (identity, resource and role trust policies, and service control
policies, in templates, Terraform, plans and raw JSON files) against the IAM policy grammar, each by
the rules of its kind: IAM users', groups' and roles' inline and managed policies, IAM Identity
Center permission set inline policies, bucket, access point, KMS key, SQS, SNS, Secrets Manager,
ECR, OpenSearch, EventBridge and Glacier resource policies. It uses a JSON Schema of the policy
language (`policylint/policy/policy-schema.json`) plus the checks a schema cannot express. It
reports unknown top-level or statement elements (`Actions`, `effect`), a missing `Statement`,
`Effect` or `Action`, an `Effect` other than `Allow`/`Deny`, both `Action` and `NotAction` (same
for `Resource` and `Principal`), a `Principal` in an identity or service control policy or none
in a resource or trust policy, a `Resource` missing from an identity or resource policy (ECR
repository policies may leave it out) or present in a trust policy, unknown condition operators (`StringEqual`, `NullIfExists`, `ForAnyValues:`), resource ARNs that
are not ARNs (`my-bucket/*`), wildcards inside principal ARNs (`arn:aws:iam::*:root`), a `Sid`
with characters IAM rejects, and a `Version` that is not a policy language version.

Each finding points at the element at fault, names the document when its resource has several
(the trust policy, an inline policy), and says how to fix it. A policy written as a string that is
not JSON is a finding at the line where the JSON breaks. Values computed by the template (`!Ref`,
variables) are not judged, nor are Lambda permissions (attributes, not a document).

## Why is this bad?
IAM (and S3 for bucket policies) rejects the document with `MalformedPolicyDocument`, so the
stack or the apply fails, often after other resources were already changed. Some mistakes are
silent in a linter that only pattern-matches: `Actions` instead of `Action` is not a typo AWS
forgives.

## Example
```json
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Actions": ["s3:GetObject"],
      "Resource": "arn:aws:s3:::example-data/*"
    }
  ]
}
```

## Use instead
```json
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject"],
      "Resource": "arn:aws:s3:::example-data/*"
    }
  ]
}
```

## References
- [Grammar of the IAM JSON policy language](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html)
- [IAM JSON policy element reference](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html)
- [IAM JSON policy elements: Condition operators](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)
- [IAM Access Analyzer policy check reference](https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html)
"""

from __future__ import annotations

from policylint.model import PolicyDocument
from policylint.rule import Rule


class IamInvalidPolicy(Rule):
    code = "PL204"
    slug = "iam-invalid-policy"
    severity = "high"
    title = "Policy document breaks the IAM policy grammar"
    formats = frozenset({"cloudformation", "terraform", "plan", "policy"})
    on = PolicyDocument

    def check(self, document, scan):
        if document.synthetic:
            return  # built from a resource's attributes: there is no document to correct
        # Imported here: the policy engine loads only when the scan has a policy.
        from policylint.policy.document import named
        from policylint.policy.grammar import problems

        for problem in problems(document):
            yield self.finding(named(problem.message, document), at=problem.node, resource=document, severity=problem.severity)
