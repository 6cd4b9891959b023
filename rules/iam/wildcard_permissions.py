"""
## What it does
Finds identity policies (attached to users, groups and roles, managed policies, and IAM Identity
Center permission set inline policies) with an `Allow` statement that
grants every action (`*`) or every action of a service (`s3:*`, `iam:*`, `*:*`) on every resource
(`Resource: "*"`). `Allow` with `NotAction` counts: it grants every action of every service it
does not list. The question is put to the policy evaluator (does the statement match any action
of the service, on any resource?), so `"s3:*"`, `"S3:*"` and `"*:*"` are all recognised, and
`"s3:Get*"` is not reported. Service control policies are not identity policies (the default
`FullAWSAccess` SCP allows `*`) and are not reported.

In a SAM template (`Transform: AWS::Serverless-2016-10-31`), the `Policies` of a function or a
state machine are the identity policies of the role SAM generates for it (none when `Role` is
given): inline documents are judged as written, the AWS managed policy `AdministratorAccess` is
`*` on `*`, and of SAM's policy templates only `TextractPolicy` grants a whole service
(`textract:*`); the other templates are scoped to the resource they name, and other managed
policies are not judged (their documents are AWS's, not in the template).

The finding points at the `Action` entry that grants the whole service (or at `NotAction`), or
at the `Policies` entry that brings in a managed policy or template.
Conditions are not taken into account (they limit when the access applies, not what it is), nor
are `Deny` statements elsewhere in the policy. Statements whose actions or resources cannot be
resolved statically are not reported. Resource and trust policies are out of scope (see PL110).

## Why is this bad?
`*` on `*` is administrator access; `service:*` on `*` gives every permission of the service on
every resource of the account, including deleting data and changing its access policies. A leaked
credential or a compromised instance then has all of it. Grant the actions the principal needs, on
the ARNs it needs.

## Example
```yaml
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: ec2.amazonaws.com
            Action: sts:AssumeRole
      Policies:
        - PolicyName: app
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: s3:*
                Resource: "*"
```

## Use instead
```yaml
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: ec2.amazonaws.com
            Action: sts:AssumeRole
      Policies:
        - PolicyName: app
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action:
                  - s3:GetObject
                  - s3:PutObject
                Resource: arn:aws:s3:::example-app-data/*
```

## References
- [Security best practices in IAM: apply least-privilege permissions](https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege)
- [IAM JSON policy elements: NotAction](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html)
- [IAM Access Analyzer policy checks (PASS_ROLE_WITH_STAR_IN_RESOURCE and related)](https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html)
"""

from __future__ import annotations

from policylint.model import PolicyDocument
from policylint.rule import Rule

_UNLISTED_SERVICE = "policylint-unlisted-service"


class IamWildcardPermissions(Rule):
    code = "PL203"
    slug = "iam-wildcard-permissions"
    severity = "high"
    title = "Identity policy allows all actions of a service on all resources"
    formats = frozenset({"cloudformation", "terraform", "plan", "policy"})
    on = PolicyDocument

    def check(self, document, scan):
        if document.kind != "identity":
            return
        # Imported here: the policy engine loads only when the scan has a policy.
        from policylint.policy.document import policy_of
        from policylint.policy.evaluate import ANY, Match, action_match, match, resource_match, to_pattern

        for statement in policy_of(document).statements:
            if statement.unknown or statement.effect_text != "Allow":
                continue
            if resource_match(statement, ANY) is not Match.ALL:
                continue  # not every resource (or unknown)
            if statement.not_action is not None and statement.action is None:
                if action_match(statement, f"{_UNLISTED_SERVICE}:{ANY}") is Match.ALL:
                    yield self.finding(
                        f"{statement.label[0].upper()}{statement.label[1:]} allows every action except those in "
                        "`NotAction` on every resource (`Resource: \"*\"`); list the actions it needs in `Action` instead",
                        at=statement.not_action.node,
                        resource=document,
                    )
                continue
            if statement.action is None:
                continue
            for value in statement.action.values:
                text = value.text
                if text is None or "*" not in text:
                    continue  # unknown, or without the wildcard that alone stands for every action
                pattern = to_pattern(text)
                service = text.split(":", 1)[0] if ":" in text else ""
                if match(pattern, f"{ANY}:{ANY}", ignore_case=True) is Match.ALL:
                    scope = "every action of every service: administrator access"
                elif service and "*" not in service and match(pattern, f"{service}:{ANY}", ignore_case=True) is Match.ALL:
                    scope = f"every `{service}` action"
                else:
                    continue
                yield self.finding(
                    f"{statement.label[0].upper()}{statement.label[1:]} allows `{text}` ({scope}) on every resource "
                    "(`Resource: \"*\"`); grant only the actions it needs, on the ARNs it needs",
                    at=value.node,
                    resource=document,
                )
