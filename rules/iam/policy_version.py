"""
## What it does
Finds policy documents without a `Version`, or with the legacy `2008-10-17`. The finding points at
`Version` when it is written, else at the document itself. It is raised to medium when the
document uses policy variables (`${aws:username}`), which that language version does not support.
A `Version` that is not a policy language version at all is PL204.

## Why is this bad?
Without `"Version": "2012-10-17"`, IAM evaluates the document with the 2008-10-17 language: policy
variables such as `${aws:username}` or `${aws:PrincipalTag/team}` are matched as literal text, so a
statement meant for "the caller's own folder" matches nothing (or, in a `Deny`, protects nothing).
Even without variables, stating the version keeps the meaning from depending on a default.

## Example
```json
{
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-home/${aws:username}/*"
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
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-home/${aws:username}/*"
    }
  ]
}
```

## References
- [IAM JSON policy elements: Version](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html)
- [IAM policy elements: Variables and tags](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html)
"""

from __future__ import annotations

from policylint.model import PolicyDocument
from policylint.rule import Rule


class IamPolicyVersion(Rule):
    code = "PL205"
    slug = "iam-policy-version"
    severity = "low"
    title = "Policy document has no Version, or the legacy 2008-10-17"
    formats = frozenset({"cloudformation", "terraform", "plan", "policy"})
    on = PolicyDocument

    def check(self, document, scan):
        if document.synthetic:
            return  # built from a resource's attributes: there is no document to correct
        # Imported here: the policy engine loads only when the scan has a policy.
        from policylint.policy.document import named
        from policylint.policy.grammar import version_problem

        problem = version_problem(document)
        if problem is not None:
            message = named(problem.message.replace(JSON_FIX, _fix_in_syntax(document, scan)), document)
            yield self.finding(message, at=problem.node, resource=document, severity=problem.severity)


JSON_FIX = '`"Version": "2012-10-17"`'
_FIXES = {"yaml": '`Version: "2012-10-17"`', "hcl": '`Version = "2012-10-17"`', "hcl-data": '`version = "2012-10-17"`'}


def _fix_in_syntax(document: PolicyDocument, scan) -> str:
    """The missing `Version` as the file writes the policy: JSON, YAML, HCL (`jsonencode`), or an
    `aws_iam_policy_document` data source."""
    from policylint.policy.syntax import policy_syntax

    return _FIXES.get(policy_syntax(document, scan.lines(document.body.file)), JSON_FIX)
