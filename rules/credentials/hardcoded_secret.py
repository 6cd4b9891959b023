"""
## What it does
Finds passwords, tokens and private keys written as literals into the code:

- the properties where a secret belongs: the master password of an RDS instance or cluster,
  a DocumentDB or Redshift cluster (`MasterUserPassword`, `password`, `master_password`), a
  Redshift Serverless admin password, an ElastiCache `AuthToken`/`auth_token`, a Secrets Manager
  `SecretString`/`secret_string`, a Directory Service (Microsoft AD, Simple AD) admin `Password`;
- a CloudFormation parameter named like a password, secret or token with a literal `Default`
  (and a secret property that takes such a default through `Ref`);
- Lambda and ECS environment variables named like a secret (`*PASSWORD*`, `*SECRET*`,
  `*TOKEN*`, `*API_KEY*`) with a literal value;
- well-known token formats in any scanned file: PEM private key blocks, GitHub (`ghp_…`,
  `github_pat_…`), GitLab, Slack (`xox?-…`, webhook URLs), Stripe live keys (`sk_live_…`),
  Google API keys, npm, PyPI, SendGrid and OpenAI tokens.

Not reported: dynamic references (`{{resolve:secretsmanager:…}}`, `{{resolve:ssm-secure:…}}`),
generated values (`random_password.db.result`), variables and parameters without a literal
value, empty strings, obvious placeholders (`changeme`, `<password>`, `xxxx`, `********`), names
that point at a secret rather than hold it (`DB_PASSWORD_ARN`, `SECRET_NAME`), and AWS access
keys (PL201 reports those). In a Terraform plan, only values the configuration writes as
literals count: a plan also holds what variables and the environment passed in. Messages show
at most a quarter of a password (never more than four characters) and only the type of a key.

## Why is this bad?
Anyone who can read the repository, a template stored in S3, or the Lambda console sees the
secret, and it stays in git history after the line is removed. A secret written in the code
cannot be rotated without a deployment; one kept in Secrets Manager or SSM Parameter Store can
be rotated, audited and scoped with IAM.

## Example
```yaml
Resources:
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      AllocatedStorage: "20"
      MasterUsername: app
      MasterUserPassword: Sup3rS3cretPassw0rd
```

## Use instead
```yaml
Resources:
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      AllocatedStorage: "20"
      MasterUsername: app
      ManageMasterUserPassword: true  # RDS keeps the password in Secrets Manager
```

## References
- [Password management with Amazon RDS and AWS Secrets Manager](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html)
- [Dynamic references in CloudFormation templates](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html)
- [Pass sensitive data to an Amazon ECS container](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html)
- [Terraform: protect sensitive input variables](https://developer.hashicorp.com/terraform/tutorials/configuration-language/sensitive-variables)
"""

from __future__ import annotations

from itertools import groupby

from policylint.model import Location, Node, Resource, SecretSetting
from policylint.rule import Rule, origin_note
from policylint.secrets import PRIVATE_KEY, find_tokens, is_aws_key, is_secret_name, literal_secret, mask_secret

MIN_VARIABLE_LENGTH = 6  # shorter values of secret-named variables are flags and modes, not secrets

_FIX = {
    "cloudformation": "use a dynamic reference such as `{{resolve:secretsmanager:secret-name}}`",
    "terraform": "pass it in from Secrets Manager or SSM (a `data` source or an `ephemeral` resource), or generate it with `random_password`",
}
# Resources that can keep their master password in Secrets Manager themselves.
_MANAGED_PASSWORD = {
    "AWS::RDS::DBInstance": "ManageMasterUserPassword",
    "AWS::RDS::DBCluster": "ManageMasterUserPassword",
    "AWS::Redshift::Cluster": "ManageMasterPassword",
    "aws_db_instance": "manage_master_user_password",
    "aws_rds_cluster": "manage_master_user_password",
    "aws_redshift_cluster": "manage_master_password",
}
_FIX_BY_WHAT = {
    ("cloudformation", "environment variable"): "read it from Secrets Manager or SSM at run time (ECS: `Secrets` with `ValueFrom`)",
    ("terraform", "environment variable"): "read it from Secrets Manager or SSM at run time (ECS: `secrets` with `valueFrom`)",
    ("cloudformation", "secret string"): "use `GenerateSecretString` or set the value outside the template",
    ("terraform", "secret string"): "generate it with `random_password` or set the value outside Terraform",
}
_ROTATE = "rotate it"


class HardcodedSecret(Rule):
    code = "PL206"
    slug = "hardcoded-secret"
    severity = "high"
    title = "Password, token or private key hardcoded"
    formats = frozenset({"cloudformation", "terraform", "plan", "policy", "text"})

    def check(self, scan):
        reported: set[tuple[str, int]] = set()
        for text_file in scan.text_files:
            for line, group in groupby(find_tokens(text_file.text), key=lambda t: t.line):
                tokens = list(group)
                reported.add((text_file.path, line))
                yield self.finding(_token_message(tokens), at=Location(text_file.path, line, line), format=text_file.format)
        for document in scan.documents:
            for name, default in document.parameter_defaults.items():
                if (default.file, default.line) in reported or not is_secret_name(name) or not _secret_value(default.value):
                    continue
                reported.add((default.file, default.line))
                yield self.finding(
                    f"Parameter `{name}` has a literal `Default` (`{mask_secret(default.value)}`): the secret is in the template; "
                    f"remove the `Default`, {_ROTATE}, and {_FIX['cloudformation']}",
                    at=default,
                    resource=f"Parameters.{name}",
                    format="cloudformation",
                )
        for resource in scan.resources:
            for setting in resource.secrets:
                found = _literal(setting)
                if found is None or (found[1].file, found[1].line) in reported:
                    continue
                value, place = found
                reported.add((place.file, place.line))
                yield self.finding(_setting_message(resource, setting, value), at=place, resource=resource)


def _secret_value(value: object, min_length: int = 1) -> bool:
    return literal_secret(value, min_length) and not is_aws_key(str(value))


def _literal(setting: SecretSetting) -> tuple[str, Node] | None:
    """The literal secret of a setting and where it is written, None when it holds none."""
    node = setting.value
    if setting.what == "environment variable":
        if not is_secret_name(setting.name) or not node.known or not _secret_value(node.value, MIN_VARIABLE_LENGTH):
            return None
        return node.value, node
    if setting.what == "secret string":
        return _secret_in_document(node)
    return (node.value, node) if node.known and _secret_value(node.value) else None


def _secret_in_document(node: Node) -> tuple[str, Node] | None:
    """A secret string: a JSON object holds a secret when a secret-named key has a literal value
    (`{"username": "app", "password": "..."}`); a plain string is the secret itself."""
    if isinstance(node.value, dict):
        for key, child in node.value.items():
            if is_secret_name(key) and child.known and _secret_value(child.value):
                return child.value, child
        return None
    if isinstance(node.value, str) and node.value.lstrip().startswith("{"):
        import json  # only for a secret string that holds an object: a YAML template scan needs no json

        try:
            tree = json.loads(node.value)
        except ValueError:
            tree = None
        if isinstance(tree, dict):
            for key, value in tree.items():
                if is_secret_name(str(key)) and _secret_value(value):
                    return value, node
            return None
    return (node.value, node) if node.known and _secret_value(node.value) else None


def _setting_message(resource: Resource, setting: SecretSetting, value: str) -> str:
    syntax = "cloudformation" if resource.format == "cloudformation" else "terraform"
    fix = _FIX_BY_WHAT.get((syntax, setting.what), _FIX[syntax])
    managed = _MANAGED_PASSWORD.get(resource.type)
    if managed is not None and setting.what == "master password":
        fix = f"set {resource.assignment(managed, True)} (the service keeps the password in Secrets Manager) or {fix}"
    masked = mask_secret(value)
    if setting.what == "environment variable":
        what = f"Environment variable `{setting.name}` of `{resource.address}` holds a literal secret (`{masked}`)"
    else:
        what = f"`{setting.name}` of `{resource.address}` is a literal {setting.what} (`{masked}`)"
    if setting.parameter is not None:
        what += f", the default of parameter `{setting.parameter}`"
    else:
        what += origin_note(setting.value)
    return f"{what}: {_ROTATE} and {fix}"


def _token_message(tokens) -> str:
    token = tokens[0]
    more = f" (and {len(tokens) - 1} more)" if len(tokens) > 1 else ""
    if token.kind == PRIVATE_KEY:
        return f"A private key block (`{token.masked}`) is hardcoded{more}: treat the key as compromised, replace it, and keep keys in Secrets Manager or SSM Parameter Store"
    return f"A {token.kind} (`{token.masked}`) is hardcoded{more}: revoke it and keep it in Secrets Manager, SSM Parameter Store or the CI's secret store"
