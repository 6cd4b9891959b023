"""
## What it does
Finds resource policies other than bucket policies that grant access to everyone, by the same
meaning of public as PL110 (AWS's "meaning of public", which IAM Access Analyzer applies to
every resource policy): an `Allow` to `"*"`, `{"AWS": "*"}`, a `Federated` principal, or any
`NotPrincipal`, with no condition that limits it to fixed values of a key the caller cannot
forge. It reads the policies of SQS queues, SNS topics, KMS keys, Secrets Manager secrets, ECR
repositories and registries, OpenSearch (Elasticsearch) domains, S3 access points, EventBridge
event buses and Glacier vaults, in templates, Terraform, plans and raw policy files, and Lambda
permissions (`aws_lambda_permission`, `AWS::Lambda::Permission`), whose `principal = "*"` without
a source ARN, source account or organization lets anyone invoke the function. API Gateway
resource policies are not judged: a public API is often what is meant.

A fixed `aws:SourceArn`, `aws:SourceAccount`, `aws:SourceOwner`, `aws:PrincipalOrgID`,
`aws:PrincipalAccount`, `aws:SourceVpce`, `aws:SourceVpc`, `aws:SourceIp` of /8 or narrower (and
for KMS keys `kms:CallerAccount`) makes a statement not public; so does a source ARN pattern
whose account is fixed (`arn:aws:execute-api:eu-west-1:123456789012:api-id/*`). An OpenSearch
domain or access point that is reachable from a VPC only is not reported. Service principals
(`sns.amazonaws.com`) and account principals are not public. Values that cannot be resolved
statically are not reported.

The finding points at the public principal and names the statement and the actions it opens.

## Why is this bad?
Anyone on the internet with an AWS account (or none) gets the access: messages are read from or
injected into a queue, a topic is used to spam subscribers, a key encrypts and decrypts for
strangers, a secret is read, container images are pulled or replaced, a function is invoked at
your cost.

## Example
```yaml
Resources:
  JobsPolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Jobs]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: sqs:SendMessage
            Resource: !GetAtt Jobs.Arn
```

## Use instead
```yaml
Resources:
  JobsPolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Jobs]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: sns.amazonaws.com
            Action: sqs:SendMessage
            Resource: !GetAtt Jobs.Arn
            Condition:
              ArnEquals:
                aws:SourceArn: !Ref Topic
```

## References
- [IAM Access Analyzer: resource types and what makes them public](https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-resources.html)
- [Blocking public access to your Amazon S3 storage: The meaning of "public"](https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status)
- [Lambda: granting function access to other accounts and services (`source_arn`, `source_account`)](https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-services.html)
- [AWS global condition context keys](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html)
"""

from __future__ import annotations

import re

from policylint.model import PolicyDocument, PolicyHolder, Ref
from policylint.rule import Rule

# What a raw policy file governs, from the service of its resource ARNs or actions.
_SERVICES = {
    "sqs": "SQS queue",
    "sns": "SNS topic",
    "kms": "KMS key",
    "secretsmanager": "Secrets Manager secret",
    "ecr": "ECR repository",
    "lambda": "Lambda function",
    "es": "OpenSearch domain",
    "events": "EventBridge event bus",
    "glacier": "Glacier vault",
    "execute-api": "API Gateway",
}
_LAMBDA_PRINCIPAL = {"hcl": '`principal = "*"`', "yaml": '`Principal: "*"`', "json": '`"Principal": "*"`'}
_LAMBDA_FIX = {"hcl": "`source_arn` or `source_account`", "yaml": "`SourceArn` or `SourceAccount`", "json": "`SourceArn` or `SourceAccount`"}


class ResourcePolicyPublic(Rule):
    code = "PL207"
    slug = "resource-policy-public"
    severity = "critical"
    title = "Resource policy grants access to everyone"
    formats = frozenset({"cloudformation", "terraform", "plan", "policy"})
    on = PolicyDocument

    def check(self, document, scan):
        if document.kind != "resource":
            return
        # Imported here: the policy engine loads only when the scan has a policy.
        from policylint.policy.document import policy_of
        from policylint.policy.grammar import effective_kind
        from policylint.policy.public import meaning_for, mitigating_denies, public_grant
        from policylint.policy.targets import is_bucket_policy

        policy = policy_of(document)
        if is_bucket_policy(document) or effective_kind(policy, document) != "resource":
            return  # PL110 judges bucket policies; a raw trust policy is not a resource policy
        if self._vpc_only(document, scan) is not False:
            return  # reachable from a VPC only, or cannot be known
        service = document.service or _service_of(policy)
        if service == "API Gateway":
            return  # a public API is often meant; PL204 and PL205 still judge the document
        meaning = meaning_for(service)
        denies = mitigating_denies(policy.statements, meaning=meaning)
        if denies is None:
            return  # too many conditional Denies to weigh each grant against: no conclusion
        for statement in policy.statements:
            grant = public_grant(statement, denies, meaning=meaning)
            if grant is None:
                continue
            if document.synthetic and service == "Lambda function":
                owner = document.owner
                syntax = owner.syntax if owner is not None else "hcl"
                yield self.finding(
                    f"Lambda permission lets everyone ({_LAMBDA_PRINCIPAL[syntax]}) invoke the function, with no "
                    f"source ARN, source account or organization: set {_LAMBDA_FIX[syntax]} to what calls it, "
                    "or name the account or service principal",
                    at=grant.at,
                    resource=document,
                )
                continue
            if statement.not_action is not None:
                exposed = "every action except those in `NotAction`"
            else:
                actions = statement.action.texts if statement.action is not None else []
                if not actions:
                    continue  # actions cannot be resolved: what is exposed is unknown
                exposed = ", ".join(f"`{a}`" for a in actions)
            what = f"{service} policy" if service else "resource policy"
            yield self.finding(
                f"{statement.label[0].upper()}{statement.label[1:]} of the {what} allows {exposed} to {grant.audience} "
                "with no condition that limits it to a fixed source ARN, source account, organization or VPC "
                "endpoint; name the principals, or add such a condition "
                "(e.g. `StringEquals: {\"aws:SourceAccount\": \"123456789012\"}`)",
                at=grant.at,
                resource=document,
            )

    @staticmethod
    def _vpc_only(document: PolicyDocument, scan) -> bool | None:
        """Whether the governed resource is reachable from a VPC only (OpenSearch domains and
        access points); False for other resources, None when it cannot be known."""
        holder = document.owner
        if document.service not in ("OpenSearch domain", "S3 access point"):
            return False
        if not isinstance(holder, PolicyHolder):  # a separate policy resource: find its target
            target = document.attached_to.value if document.attached_to is not None else None
            holder = scan.resource(target.uid) if isinstance(target, Ref) else None
            if not isinstance(holder, PolicyHolder):
                return None
        return holder.vpc_only


def _service_of(policy) -> str | None:
    """A raw file's service, when its resource ARNs (else its actions) name a single one."""
    services = set()
    for statement in policy.statements:
        for element in (statement.resource, statement.not_resource):
            for text in element.texts if element is not None else []:
                match = re.match(r"arn:[\w-]+:([\w-]+):|(execute-api):/", text)
                if match:
                    services.add(match.group(1) or match.group(2))
    if not services:
        for statement in policy.statements:
            for text in statement.action.texts if statement.action is not None else []:
                services.add(text.split(":", 1)[0].lower())
    return _SERVICES.get(services.pop()) if len(services) == 1 else None
