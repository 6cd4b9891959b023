"""
## What it does
Finds bucket-policy statements that are public by AWS's own definition ("The meaning of public"
in the S3 User Guide): an `Allow` to `"*"`, `{"AWS": "*"}`, a `Federated` principal, or any
`NotPrincipal`, with no condition that limits it to fixed values of a key the caller cannot
forge (`aws:SourceVpce`, `aws:SourceVpc`, `aws:SourceIp` of /8 or narrower, `aws:SourceArn`,
`aws:SourceAccount`, `aws:SourceOwner`, `aws:PrincipalOrgID`, `aws:PrincipalAccount`,
`aws:PrincipalArn`, `aws:userid`...). Wildcard values, `...IfExists` and `ForAllValues:` forms,
negated operators, and conditions on other keys (`aws:SecureTransport`, `aws:Referer`) do not
limit a statement. An `Allow` is not public when a `Deny` for everyone covers all its actions and
resources unless the request comes from fixed values of such a key (for example "deny unless
`aws:SourceVpce` is vpce-1a2b3c4d"). See `docs/policy-semantics.md` for the full algorithm.

Severity is critical when the statement grants a write, delete or permissions action (or `s3:*`,
`*`, or `NotAction`), high when it grants only reads and listings. The finding points at the
public principal (`Principal`, its `AWS`/`Federated` entry, or `NotPrincipal`) and names the
statement (its `Sid`, else its position) and the actions it exposes. Statements whose principal,
actions or conditions cannot be resolved statically are not reported.

## Why is this bad?
A public statement gives every person on the internet the listed access to the bucket: data
leaks through `GetObject`, and `PutObject`/`DeleteObject` let anyone plant or destroy data. With
Block Public Access on (the default for new buckets) S3 refuses the policy, so the deployment
fails; with it off, the bucket is open.

## Example
```yaml
Resources:
  Assets:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: example-assets
  AssetsPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Assets
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: PublicRead
            Effect: Allow
            Principal: "*"
            Action: s3:GetObject
            Resource: arn:aws:s3:::example-assets/*
```

## Use instead
```yaml
Resources:
  Assets:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: example-assets
  AssetsPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Assets
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: ReadFromOurVpcEndpoint
            Effect: Allow
            Principal: "*"
            Action: s3:GetObject
            Resource: arn:aws:s3:::example-assets/*
            Condition:
              StringEquals:
                aws:SourceVpce: vpce-1a2b3c4d
```

## References
- [Blocking public access to your Amazon S3 storage: The meaning of "public"](https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status)
- [IAM JSON policy elements: Principal](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html)
- [IAM Access Analyzer: how findings treat condition keys](https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-concepts.html)
"""

from __future__ import annotations

from policylint.rule import Rule


class S3PublicBucketPolicy(Rule):
    code = "PL110"
    slug = "s3-public-bucket-policy"
    severity = "critical"
    title = "Bucket policy grants access to everyone"
    formats = frozenset({"cloudformation", "terraform", "plan", "policy"})

    def check(self, scan):
        if not scan.policies:
            return  # no policy in the scan: do not even load the policy engine
        from policylint.policy.public import mitigating_denies, public_grant
        from policylint.policy.resource_kinds import never_matching
        from policylint.policy.s3_actions import only_reads
        from policylint.policy.targets import bucket_targets

        for target in bucket_targets(scan):
            statements = [s for policy in target.policies for s in policy.statements]
            denies = mitigating_denies(statements, target.resolve)
            if denies is None:
                continue  # too many conditional Denies to weigh each grant against: no conclusion
            for statement in statements:
                grant = public_grant(statement, denies, target.resolve)
                if grant is None:
                    continue
                if statement.not_action is not None:
                    exposed, reads = "every action except those in `NotAction`", False
                else:
                    actions = statement.action.texts if statement.action is not None else []
                    if not actions:
                        continue  # actions cannot be resolved: severity and scope unknown
                    # Actions that never match the statement's resources grant nothing (PL115).
                    unmatched = never_matching(statement, target.resolve)
                    actions = [a for a in actions if a not in unmatched]
                    if not actions:
                        continue
                    exposed = ", ".join(f"`{a}`" for a in actions)
                    if unmatched:
                        exposed += f" (not {', '.join(f'`{a}`' for a in unmatched)}: {'it never matches' if len(unmatched) == 1 else 'they never match'} the statement's resources)"
                    reads = all(only_reads(a) for a in actions)
                yield self.finding(
                    f"{statement.label[0].upper()}{statement.label[1:]} allows {exposed} to {grant.audience} "
                    "with no condition that limits it to a fixed VPC endpoint, source IP range, account "
                    "or organization; name the principals, or add such a condition "
                    "(e.g. `StringEquals: {\"aws:SourceVpce\": \"vpce-...\"}`)",
                    at=grant.at,
                    resource=target.resource,
                    severity="high" if reads else "critical",
                )
