"""
## What it does
Finds EC2 user data (instances, launch templates, launch configurations) and Terraform
provisioners (`remote-exec` `inline` commands, `file` uploads) that put long-term AWS
credentials on a machine: they run `aws configure` interactively or
`aws configure set aws_access_key_id|aws_secret_access_key|aws_session_token`, import a
credentials CSV, write a `.aws/credentials` file (`~`, `$HOME`, `/root`, `/home/<user>`), write
`aws_access_key_id`/`aws_secret_access_key`/`aws_session_token` into `~/.aws/config`, or set
`AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` in the environment (shell or PowerShell).
Writing `~/.aws/config` with only a region or profiles is not reported.

Reading configuration (`aws configure get`, `aws configure list`), `aws sts get-caller-identity`,
and exporting credentials taken from the instance profile (the metadata service) or from
`aws sts assume-role` are not reported. The finding points at the offending line inside the user
data when it can be found in the file, otherwise at the user data itself. User data that is
partly unknown (variables, `Fn::Sub` parameters) is still searched in its known parts.

## Why is this bad?
"Never put your personal credentials on an EC2": anyone who gets onto the instance, or can read
its user data (`ec2:DescribeInstanceAttribute`, the metadata service), gets the keys; if the
instance is compromised or shared, so is the IAM user behind them, and the keys never expire.
An instance profile gives the instance a role whose short-lived credentials the CLI and SDKs
find on their own, with no configuration at all.

## Example
```yaml
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-0abcdef1234567890
      UserData:
        Fn::Base64: |
          #!/bin/bash
          aws configure set aws_access_key_id "$KEY_ID"
          aws configure set aws_secret_access_key "$SECRET"
          aws s3 cp s3://acme-config/app.conf /etc/app.conf
```

## Use instead
```yaml
Resources:
  WebRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: { Service: ec2.amazonaws.com }
            Action: sts:AssumeRole
  WebProfile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      Roles: [!Ref WebRole]
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-0abcdef1234567890
      IamInstanceProfile: !Ref WebProfile
      UserData:
        Fn::Base64: |
          #!/bin/bash
          aws configure set region us-east-1
          aws s3 cp s3://acme-config/app.conf /etc/app.conf
```

## References
- [IAM roles for Amazon EC2](https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html)
- [Using an IAM role to grant permissions to applications running on EC2 instances](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html)
- [AWS CLI: configuration and credential file settings](https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html)
"""

from __future__ import annotations

import re

from policylint.model import ComputeLaunch, Location, Node, Resource, Unknown, text_of
from policylint.patterns import lazy
from policylint.rule import Rule

FIX = "attach an instance profile (IAM role) instead"

_CREDENTIAL_SETTINGS = {"aws_access_key_id", "aws_secret_access_key", "aws_session_token"}
_CONFIGURE = lazy(r"\baws\s+configure\b([^;&|<>)`\n]*)")
_CREDENTIALS_FILE = r"""[^\s"'<>;&|]*\.aws/credentials\b"""
_WRITES_FILE = lazy(
    r"(?:>>?|\btee\s+(?:-a\s+)?|\s-[oO]|--output(?:-document)?=?|\bof=|\bpath:)\s*[\"']?(" + _CREDENTIALS_FILE + ")"
    r"|\b(?:cp|mv|install|ln|rsync)\b[^;&|\n]*\s[\"']?(" + _CREDENTIALS_FILE + r")[\"']?\s*(?:$|[;&|#])"
)
_SETS_ENV = lazy(
    r"(?<![\w$.{:])(AWS_(?:ACCESS_KEY_ID|SECRET_ACCESS_KEY))=(\S*)"  # sh: export X=..., X=... cmd
    r"|(?i:\$env:)(AWS_(?:ACCESS_KEY_ID|SECRET_ACCESS_KEY))\s*=\s*(\S*)"  # PowerShell
    r"|(?i:SetEnvironmentVariable)\(\s*[\"'](AWS_(?:ACCESS_KEY_ID|SECRET_ACCESS_KEY))[\"']\s*,\s*([^,)]*)"
)
# `~/.aws/config` may hold keys too (it usually holds only a region and profiles): writing it is
# reported when what is written assigns a credential setting.
_CONFIG_FILE = r"""[^\s"'<>;&|]*\.aws/config\b"""
_WRITES_CONFIG = lazy(r"(?:>>?|\btee\s+(?:-a\s+)?|\bpath:)\s*[\"']?(" + _CONFIG_FILE + ")")
_HEREDOC = lazy(r"<<-?\s*[\"']?(\w+)")
_INI_CREDENTIAL = lazy(r"\b(aws_access_key_id|aws_secret_access_key|aws_session_token)\s*=\s*[^\s\"']", re.IGNORECASE)
_NEXT_FILE = lazy(r"^\s*-?\s*path:")  # the next file of a cloud-config `write_files`
_CONFIG_BLOCK_LINES = 30  # a cloud-config `content:` under `path: .../.aws/config` is looked at this far
_POWERSHELL_STORE = lazy(r"\b(Set-AWSCredentials?|Initialize-AWSDefaultConfiguration)\b[^\n]*-(?:AccessKey|SecretKey)\b", re.IGNORECASE)
# Values that come from the instance profile or a role: the metadata service, STS responses.
_FROM_ROLE = lazy(
    r"169\.254\.169\.254|169\.254\.170\.2|fd00:ec2::254|security-credentials|ec2-metadata|AccessKeyId|SecretAccessKey"
    r"|\bsts\s+assume-role|\baws\s+configure\s+(?:get|export-credentials)\b",
    re.IGNORECASE,
)


class CredentialsConfiguredOnInstance(Rule):
    code = "PL202"
    slug = "credentials-configured-on-instance"
    severity = "high"
    title = "EC2 user data configures AWS credentials on the instance"
    formats = frozenset({"cloudformation", "terraform", "plan"})
    on = Resource  # user data of instances and launch templates, provisioners of any resource

    def check(self, resource, scan):
        yield from self._provisioned(resource)
        if isinstance(resource, ComputeLaunch):
            yield from self._user_data(resource, scan)

    def _provisioned(self, resource):
        """`remote-exec` commands and `file` uploads of Terraform provisioners."""
        for provisioner in resource.provisioners:
            settings = provisioner.settings
            if provisioner.kind == "remote-exec":
                inline = settings.get("inline")
                for command in inline.items() if inline is not None and isinstance(inline.value, list) else []:
                    text = _text(command)
                    found = _offence_in(text) if text is not None else None
                    if found is not None:
                        yield self.finding(f"{found.replace('User data', 'A `remote-exec` provisioner', 1)}: {FIX}", at=command, resource=resource)
            elif provisioner.kind == "file":
                destination = text_of(settings.get("destination"))
                content = settings.get("content")
                if destination is not None and re.search(r"\.aws/credentials\b", destination):
                    yield self.finding(f"A `file` provisioner uploads the credentials file `{destination}`: {FIX}", at=settings.get("destination"), resource=resource)
                elif content is not None and (text := _text(content)) is not None:
                    match = _INI_CREDENTIAL.search(text)
                    if match is not None and not _FROM_ROLE.search(text):
                        where = f" into `{destination}`" if destination else ""
                        yield self.finding(f"A `file` provisioner uploads `{match.group(1)}`{where}: {FIX}", at=content, resource=resource)

    def _user_data(self, launch, scan):
        node = launch.user_data
        text = _text(node)
        if text is None:
            return
        locator = _Locator(node, scan.lines(node.file))
        by_place: dict[tuple[int, int], list] = {}  # lines that cannot be told apart share one finding
        config = _ConfigWrite()
        for index, line in enumerate(text.split("\n")):
            found = _offence(line) or config.offence(line)
            if found is not None:
                message, fragment = found
                place = locator.find(index, fragment)
                by_place.setdefault((place.location.line, place.location.end_line), [place, []])[1].append(message)
        for place, messages in by_place.values():
            more = f" (and {len(messages) - 1} more line{'s' if len(messages) > 2 else ''})" if len(messages) > 1 else ""
            yield self.finding(f"{messages[0]}{more}: {FIX}", at=place, resource=launch)


def _text(node: Node | None) -> str | None:
    """Known text of the user data; a partly known string keeps its known parts."""
    if node is None:
        return None
    if isinstance(node.value, str):
        return node.value
    if isinstance(node.value, Unknown):
        return node.value.text or None
    return None


def _offence_in(text: str) -> str | None:
    """The first offence of a multi-line text, as a message."""
    config = _ConfigWrite()
    for line in text.split("\n"):
        found = _offence(line) or config.offence(line)
        if found is not None:
            return found[0]
    return None


def _offence(line: str) -> tuple[str, str] | None:
    """(message, text to find the line in the file by) when the line puts keys on the instance."""
    stripped = line.strip()
    if stripped.startswith("#") or stripped.startswith("REM ") or stripped.startswith("::"):
        return None
    # Each pattern runs only on lines holding the literal text every match of it holds: user
    # data is long, and most of its lines hold none.
    for match in _CONFIGURE.finditer(line) if "configure" in line else ():
        if _quoted_in_echo(line, match.start()):
            continue
        words = match.group(1).split()
        while len(words) >= 2 and words[0].startswith("--"):  # --profile dev, --region x
            words = words[2:]
        if not words:
            return "User data runs `aws configure`, which stores an access key on the instance", match.group(0).rstrip()
        if words[0] == "import":
            return "User data runs `aws configure import`, which stores an access key on the instance", match.group(0).rstrip()
        if words[0] == "set":
            settings = [w for w in words[1:] if not w.startswith("-")]
            if settings and settings[0].rsplit(".", 1)[-1].lower() in _CREDENTIAL_SETTINGS and not _FROM_ROLE.search(line):
                setting = settings[0].rsplit(".", 1)[-1]
                return f"User data runs `aws configure set {setting}`, which stores an access key on the instance", setting
    match = _WRITES_FILE.search(line) if ".aws/credentials" in line else None
    if match:
        path = match.group(1) or match.group(2)
        return f"User data writes the credentials file `{path}`", path
    match = _SETS_ENV.search(line) if "AWS_" in line else None
    if match:
        name = match.group(1) or match.group(3) or match.group(5)
        value = (match.group(2) or match.group(4) or match.group(6) or "").strip("\"'")
        if value and not _FROM_ROLE.search(line[match.start():]):
            return f"User data sets `{name}` on the instance", name
    match = _POWERSHELL_STORE.search(line)
    if match:
        return f"User data runs `{match.group(1)}` with an access key", match.group(1)
    return None


class _ConfigWrite:
    """Follows the user data line by line for what it writes into `~/.aws/config`: a line that
    writes it with a credential setting, or the lines of a heredoc (or a cloud-config `content:`)
    that writes it."""

    def __init__(self):
        self.path: str | None = None
        self.terminator: str | None = None
        self.left = 0

    def offence(self, line: str) -> tuple[str, str] | None:
        if self.path is not None:
            next_file = self.terminator is None and _NEXT_FILE.search(line)
            if self.terminator is not None and line.strip() == self.terminator or self.left <= 0 or next_file:
                self.path = None
            else:
                self.left -= 1
                return self._assigns(line, self.path)
        match = _WRITES_CONFIG.search(line) if ".aws/config" in line else None
        if match is None:
            return None
        path = match.group(1)
        found = self._assigns(line, path)
        if found is None:
            heredoc = _HEREDOC.search(line)
            if heredoc is not None or match.group(0).startswith("path:"):
                self.path, self.terminator = path, heredoc.group(1) if heredoc else None
                self.left = 10_000 if heredoc else _CONFIG_BLOCK_LINES
        return found

    @staticmethod
    def _assigns(line: str, path: str) -> tuple[str, str] | None:
        match = _INI_CREDENTIAL.search(line)
        if match is None or _FROM_ROLE.search(line):
            return None
        return f"User data writes `{match.group(1)}` into the AWS config file `{path}`", match.group(1)


def _quoted_in_echo(line: str, position: int) -> bool:
    """`echo "run aws configure first"` mentions the command without running it."""
    head = line.lstrip()
    if not head.startswith(("echo ", "printf ")):
        return False
    before = line[:position]
    return before.count('"') % 2 == 1 or before.count("'") % 2 == 1


class _Locator:
    """Maps a line of the user data back to a line of the file.

    Block scalars and heredocs keep their lines: the parsers record the line of the string's first
    character (``Node.text_line``) and the answer is that plus the offset, confirmed against the
    file.  Otherwise (``Fn::Join`` lists, JSON strings with ``\\n``, folded scalars) the line is
    looked up by its text within the user data's span of the file; when it cannot be found the
    finding points at the user data attribute.
    """

    def __init__(self, node: Node, source: list[str]):
        self.node = node
        self.source = source
        self.after = node.line  # keep findings in order when the same text repeats

    def find(self, index: int, fragment: str) -> Location | Node:
        node, source = self.node, self.source
        if node.text_line is not None:
            line = node.text_line + index
            if 1 <= line <= len(source) and fragment in source[line - 1]:
                return self._found(line)
        last = max(node.end_line or node.line, node.line + index + 2)
        for line in range(max(self.after, node.line), min(last, len(source)) + 1):
            if fragment in source[line - 1]:
                return self._found(line)
        return node

    def _found(self, line: int) -> Location:
        self.after = line + 1
        return Location(self.node.file, line, line)
