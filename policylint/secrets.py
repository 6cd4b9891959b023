"""Find AWS credentials in raw text, precisely enough to run over every file of a repository.

What counts (see ``AWS-SEMANTICS.md`` §7):

* an **access key id**: ``AKIA``/``ASIA``/``ABIA``/``ACCA``/``A3T?`` followed by 16 upper-case
  letters or digits (modern ids are base32; older ones also used 0, 1, 8, 9), word-bounded, with a
  Shannon entropy of at least 3.0 bits per character (gitleaks' floor);
* a **secret access key**: exactly 40 characters of the base64 alphabet, word-bounded, with upper
  and lower case letters and a digit or ``/``/``+``, an entropy of at least 4.25 bits per character
  (trufflehog's floor), and *either* assigned to a credential-named key (``secret_key``,
  ``aws_secret_access_key``, ``SecretAccessKey`` ..., in HCL, YAML, JSON, shell, ``.env``, ini,
  Python or ``aws configure set``) *or* within :data:`PAIR_LINES` lines of an access key id
  (:data:`PAIR_CHARS` characters when both are on one line, as in minified JSON).
  A bare 40-character string is far too common (hashes, ids, tokens) to be reported on its own.

Skipped: references and placeholders (``var.x``, ``${...}``, ``{{resolve:...}}``, ``Ref``,
``<...>``, ``xxxx``, one repeated character, counting sequences such as ``123456``), and
all-lower-case hex (git SHA-1 hashes).  AWS's documented example keys (``...EXAMPLE`` ids,
``...EXAMPLEKEY`` secrets) are found but marked ``example``, so that rules report them as ``info``.

Severity policy, one :class:`Credential` per value found (rules report one finding per line):

* access key id with a real secret key nearby: ``critical`` (``partner`` is the secret's line);
* secret key assigned to a credential-named key, or next to a real access key id: ``critical``;
* access key id alone: ``high``;
* documentation example values, and secrets whose only evidence is an example id: ``info``.

Show values only through :func:`mask` (``Credential.masked``), which keeps four characters.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass

ACCESS_KEY_ID = "access key id"
SECRET_ACCESS_KEY = "secret access key"

PAIR_LINES = 5  # an id and a secret this many lines apart (or fewer) are one credential
PAIR_CHARS = 400  # on one line, this close in characters, so that minified JSON does not pair everything
NAME_LOOKBACK_LINES = 3  # `default =` / `Value:` lines look this far up for the credential name
ID_MIN_ENTROPY = 3.0
SECRET_MIN_ENTROPY = 4.25

_ID_PREFIXES = ("AKIA", "ASIA", "ABIA", "ACCA", "A3T")
_ID = re.compile(r"(?<![A-Za-z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])")
_SECRET = re.compile(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_SECRET_WORD = re.compile(r"secret", re.IGNORECASE)  # pre-filter for credential-named keys
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
# The key a value is assigned to, at the end of the text before the value:
# `secret_key = "`, `"SecretAccessKey": "`, `export AWS_SECRET_ACCESS_KEY=`, `secretKey: '`,
# `aws configure set aws_secret_access_key `, `aws_secret_access_key='` (a Python keyword argument).
_ASSIGNED_TO = re.compile(r"""([A-Za-z_][A-Za-z0-9_.\-]*)["'`\]]?\s*(?::=|=>|[:=]|(?<=[A-Za-z0-9_])\s)\s*[\[(]?["'`]?$""")
# Keys whose value is named elsewhere: `variable "aws_secret_key" { default = ...`,
# `- Name: AWS_SECRET_ACCESS_KEY / Value: ...`, CloudFormation parameter `Default:`.
_INDIRECT_KEYS = {"value", "default", "defaultvalue", "parametervalue"}
_OTHER_NAME = re.compile(r"""^\s*[-{]?\s*["']?(?:name|key)["']?\s*[:=]""", re.IGNORECASE)
_OTHER_HEADER = re.compile(r"""^\s*(?:(?:variable|resource|provider|locals|module|data)\b.*\{|-?\s*["']?[\w.\-]+["']?\s*:\s*\{?)\s*$""")
_CFN_REFERENCE = re.compile(r"""(?:!Ref|!GetAtt|!ImportValue|!FindInMap|["']?(?:Ref|Fn::GetAtt|Fn::ImportValue)["']?\s*:)\s*\[?\s*["']?$""")
_PLACEHOLDER_WORDS = ("xxxx", "your", "dummy", "fake", "changeme", "placeholder", "redacted", "sample")
_SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LOWER_HEX = re.compile(r"[0-9a-f]+")
_BRACES = tuple(re.compile(p) for p in (r"\$\{", r"\}", r"(?=\{\{)", r"(?=\}\})"))
_WINDOW = 100  # how far back from a value its key and reference syntax are looked for


@dataclass(frozen=True)
class Credential:
    """A credential found in a text, where it is and how to show it masked."""

    kind: str  # ACCESS_KEY_ID | SECRET_ACCESS_KEY
    value: str  # never print it: use `masked`
    line: int  # 1-based
    column: int  # 1-based
    severity: str
    example: bool  # AWS's documented example value
    name: str | None = None  # the credential-named key a secret is assigned to
    partner: int | None = None  # line of the other half of the pair, when one is near

    @property
    def masked(self) -> str:
        return mask(self.value, self.kind)


def mask(value: str, kind: str = SECRET_ACCESS_KEY) -> str:
    """Four characters of a credential and an ellipsis.  An access key id keeps its public type
    prefix and its last four characters (``AKIA…MPLE``), as the IAM console shows it; anything
    else keeps only its first four."""
    if kind == ACCESS_KEY_ID and len(value) == 20:
        return f"{value[:4]}…{value[-4:]}"
    return f"{value[:4]}…"


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    length = len(value)
    return -sum(n / length * math.log2(n / length) for n in Counter(value).values())


def is_example(value: str) -> bool:
    """AWS's documented examples end with EXAMPLE (ids) or EXAMPLEKEY (secrets)."""
    return value.endswith("EXAMPLE") or value.endswith("EXAMPLEKEY")


def find_credentials(text: str) -> list[Credential]:
    """Every access key id and secret access key in ``text``, in order of appearance."""
    has_ids = any(prefix in text for prefix in _ID_PREFIXES)
    if not has_ids and not _SECRET_WORD.search(text):
        return []
    index = _LineIndex(text)

    lines_of = _LineFacts(text, index)
    ids = []  # (offset, line, value)
    if has_ids:
        for match in _ID.finditer(text):
            value = match.group(0)
            line = index.line_of(match.start())
            if _plausible_id(value) and not lines_of.inside_reference(line, match.start(), match.end()):
                ids.append((match.start(), line, value))
    all_ids = _Nearby([i[0] for i in ids], index)
    real_ids = _Nearby([i[0] for i in ids if not is_example(i[2])], index)

    # Lines worth looking at for secrets: those near an id, and those that mention a secret name
    # (with the few lines after them, for `default =` / `Value:` under the name).
    lines: set[int] = set()
    for _, line, _ in ids:
        lines.update(range(line - PAIR_LINES, line + PAIR_LINES + 1))
    for match in _SECRET_WORD.finditer(text):
        line = index.line_of(match.start())
        lines.update(range(line, line + NAME_LOOKBACK_LINES + 1))

    secrets = []  # (offset, line, value, name)
    for line in sorted(n for n in lines if 1 <= n <= index.count):
        start, end = index.span(line)
        for match in _SECRET.finditer(text, start, end):
            value = match.group(0)
            if not _plausible_secret(value) or lines_of.inside_reference(line, match.start(), match.end()):
                continue
            name = lines_of.credential_name_for(line, match.start())
            if name is None and all_ids.nearest(match.start(), line) is None:
                continue
            secrets.append((match.start(), line, value, name))
    real_secrets = [s for s in secrets if not is_example(s[2])]
    near_secrets = _Nearby([s[0] for s in real_secrets], index)

    found: list[Credential] = []
    for offset, line, value in ids:
        nearest = near_secrets.nearest(offset, line)
        example = is_example(value)
        severity = "info" if example else "critical" if nearest is not None else "high"
        partner = real_secrets[nearest][1] if nearest is not None else None
        found.append(Credential(ACCESS_KEY_ID, value, line, index.column_of(offset), severity, example, partner=partner))
    for offset, line, value, name in secrets:
        nearest = all_ids.nearest(offset, line)
        real_near = real_ids.nearest(offset, line) is not None
        example = is_example(value)
        severity = "info" if example or (name is None and not real_near) else "critical"
        partner = ids[nearest][1] if nearest is not None else None
        found.append(Credential(SECRET_ACCESS_KEY, value, line, index.column_of(offset), severity, example, name, partner))
    return sorted(found, key=lambda c: (c.line, c.column))


# --------------------------------------------------------------------------- helpers


class _LineIndex:
    """Offsets of line starts, so that the text is searched whole but reported by line."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.count = len(self.starts)

    def line_of(self, offset: int) -> int:
        return bisect_right(self.starts, offset)

    def column_of(self, offset: int) -> int:
        return offset - self.starts[self.line_of(offset) - 1] + 1

    def span(self, line: int) -> tuple[int, int]:
        start = self.starts[line - 1]
        end = self.starts[line] - 1 if line < self.count else len(self.text)
        return start, end


class _Nearby:
    """Places (offsets, in increasing order) near a given place: within :data:`PAIR_LINES` lines,
    or :data:`PAIR_CHARS` characters on the same line.  Found by bisection, so that a minified
    file with thousands of keys on one line is not compared pair by pair."""

    def __init__(self, offsets: list[int], index: _LineIndex):
        self.offsets = offsets
        self.index = index

    def _start_of(self, line: int) -> int:
        if line < 1:
            return 0
        return self.index.starts[line - 1] if line <= self.index.count else len(self.index.text) + 1

    def nearest(self, offset: int, line: int) -> int | None:
        """The position in the list of the nearest place (the first of equally near ones)."""
        offsets = self.offsets
        if not offsets:
            return None
        before_lines = bisect_left(offsets, self._start_of(line - PAIR_LINES))
        line_start = bisect_left(offsets, self._start_of(line))
        line_end = bisect_left(offsets, self._start_of(line + 1))
        after_lines = bisect_left(offsets, self._start_of(line + PAIR_LINES + 1))
        close_start = max(line_start, bisect_left(offsets, offset - PAIR_CHARS))
        close_end = min(line_end, bisect_right(offsets, offset + PAIR_CHARS))
        candidates = []
        if line_start > before_lines:
            candidates.append(line_start - 1)
        if close_end > close_start:
            middle = bisect_left(offsets, offset, close_start, close_end)
            candidates += [i for i in (middle - 1, middle) if close_start <= i < close_end]
        if after_lines > line_end:
            candidates.append(line_end)
        if not candidates:
            return None
        return min(candidates, key=lambda i: (abs(offsets[i] - offset), i))


def _placeholder(value: str) -> bool:
    lower = value.lower()
    if any(word in lower for word in _PLACEHOLDER_WORDS):
        return True
    return any(sequence[i : i + 6] in value for sequence in _SEQUENCES for i in range(len(sequence) - 5))


def _plausible_id(value: str) -> bool:
    if is_example(value):
        return True
    return entropy(value) >= ID_MIN_ENTROPY and not _placeholder(value)


def _plausible_secret(value: str) -> bool:
    if is_example(value):
        return True
    if _LOWER_HEX.fullmatch(value):  # a git SHA-1
        return False
    has_upper = any(c.isupper() for c in value)
    has_lower = any(c.islower() for c in value)
    has_other = any(c.isdigit() or c in "/+" for c in value)
    if not (has_upper and has_lower and has_other):
        return False
    return entropy(value) >= SECRET_MIN_ENTROPY and not _placeholder(value)


def is_credential_name(name: str) -> bool:
    """``secret_key``, ``aws_secret_access_key``, ``AWS_SECRET_ACCESS_KEY``, ``SecretAccessKey``,
    ``secretKey``, ``default.aws_secret_access_key``, ``TF_VAR_aws_secret_key``,
    ``DeployerSecretAccessKey`` ...; a ``..._secret_key`` of something else needs ``aws`` in it."""
    normal = re.sub(r"[^a-z0-9]", "", name.lower())
    if normal.startswith("tfvar"):
        normal = normal[len("tfvar") :]
    if normal in ("secretkey", "awssecret") or normal.endswith("secretaccesskey"):
        return True
    # `stripe_secret_key`, `recaptcha_secret_key` ...: other services' keys can be 40 characters.
    return "aws" in normal and normal.endswith("secretkey")


class _LineFacts:
    """What the credential finder asks about a line, worked out once per line: where its
    ``${``/``{{`` and ``}``/``}}`` are, which credential names it holds, whether it names
    something else.  Text before a value is read only :data:`_WINDOW` characters back, so that
    every value of a long minified line costs the same."""

    def __init__(self, text: str, index: _LineIndex):
        self.text = text
        self.index = index
        self._braces: dict[int, tuple[list[int], ...]] = {}
        self._names: dict[int, tuple[list[tuple[int, str]], bool]] = {}

    def _window(self, line: int, offset: int) -> str:
        """The text before a value on its line: :data:`_WINDOW` characters before the blanks
        that precede it (each value's blanks are its own, so this stays linear)."""
        line_start = self.index.span(line)[0]
        blank = offset
        while blank > line_start and self.text[blank - 1] in " \t":
            blank -= 1
        return self.text[max(line_start, blank - _WINDOW) : offset]

    def braces(self, line: int) -> tuple[list[int], ...]:
        if line not in self._braces:
            start, end = self.index.span(line)
            self._braces[line] = tuple(
                [m.start() for m in pattern.finditer(self.text, start, end)] for pattern in _BRACES
            )
        return self._braces[line]

    def inside_reference(self, line: int, start: int, end: int) -> bool:
        """``${...}``, ``{{resolve:...}}``, ``<...>``, ``var.x``, ``Ref: X`` are not literal values."""
        before = self._window(line, start)
        after = self.text[end : end + 2]
        if before.endswith(("{", "<", ".", "$", "%")) or after.startswith(("}", ">")):
            return True
        opens, closes, double_opens, double_closes = self.braces(line)
        if _last(opens, start - 2) > _last(closes, start - 1) or _last(double_opens, start - 2) > _last(double_closes, start - 2):
            return True
        return bool(_CFN_REFERENCE.search(before))

    def names(self, line: int) -> tuple[list[tuple[int, str]], bool]:
        """The credential names of a line (end offset, word), and whether it names something else."""
        if line not in self._names:
            start, end = self.index.span(line)
            words = [(m.end(), m.group(0)) for m in _IDENTIFIER.finditer(self.text, start, end) if is_credential_name(m.group(0))]
            chunk = self.text[start:end]
            self._names[line] = (words, bool(_OTHER_NAME.search(chunk) or _OTHER_HEADER.search(chunk)))
        return self._names[line]

    def credential_name_for(self, line: int, offset: int) -> str | None:
        """The credential-named key the value at ``offset`` is assigned to, if any."""
        before = self._window(line, offset)
        match = _ASSIGNED_TO.search(before)
        if match is None:
            return None
        key = match.group(1)
        if is_credential_name(key):
            return key
        if re.sub(r"[^a-z]", "", key.lower()) not in _INDIRECT_KEYS:
            return None
        # The name sits earlier: on the same line (`{"name": "AWS_SECRET_ACCESS_KEY", "value": "`),
        # or a few lines up (a Terraform variable label, a CloudFormation parameter, `- Name: ...`),
        # unless a line in between names something else (the previous item of a list of variables).
        words, _ = self.names(line)
        key_start = offset - len(before) + match.start()
        if words and words[0][0] <= key_start:
            return words[0][1]
        for previous in range(line - 1, max(0, line - 1 - NAME_LOOKBACK_LINES), -1):
            words, other = self.names(previous)
            if words:
                return words[0][1]
            if other:
                return None
        return None


def _last(positions: list[int], limit: int) -> int:
    """The last position at or before ``limit``, -1 when there is none."""
    found = bisect_right(positions, limit)
    return positions[found - 1] if found else -1


# --------------------------------------------------------------------------- messages

# In a message, shapes are looked for loosely: a value may be glued to other text (`s3:AKIA...`,
# an ARN ending in `/*`, a Sid made of an id and a secret).
_ID_SHAPE = re.compile(r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{12,16}")
_KEY_RUN = re.compile(r"[A-Za-z0-9/+]{40,}")
_SUSPECT = re.compile(r"[A-Za-z0-9/+]{8,}")
_GRAM = 8  # a piece of a credential this long, quoted anywhere in a message, is masked


def _masked_run(run: str) -> str:
    return mask(run, ACCESS_KEY_ID if run.startswith(_ID_PREFIXES) else SECRET_ACCESS_KEY)


def might_quote_a_credential(message: str) -> bool:
    """Cheap pre-filter: a run of key characters with an upper-case letter and a digit or ``/+``."""
    for match in _SUSPECT.finditer(message):
        run = match.group(0)
        if any(c.isupper() for c in run) and any(c.isdigit() or c in "/+" for c in run):
            return True
    return False


def mask_message(message: str, credentials: list[Credential] | tuple[Credential, ...] = ()) -> str:
    """A message with every credential it quotes masked as PL201 shows them (:func:`mask`):
    the ``credentials`` found in the file the message is about, also where the message quotes
    only a piece of one (an excerpt cut at a line's end), and anything shaped like an access key
    id or a secret access key, wherever it comes from (a Sid, a bucket name, a syntax error)."""
    if not might_quote_a_credential(message):
        return message
    covered = [False] * len(message)
    grams = {c.value[i : i + _GRAM] for c in credentials for i in range(len(c.value) - _GRAM + 1)}
    if grams:
        for start in range(len(message) - _GRAM + 1):
            if message[start : start + _GRAM] in grams:
                covered[start : start + _GRAM] = [True] * _GRAM
    for match in _ID_SHAPE.finditer(message):
        covered[match.start() : match.end()] = [True] * (match.end() - match.start())
    for match in _KEY_RUN.finditer(message):
        run = match.group(0)
        for offset in range(len(run) - 39):
            if _plausible_secret(run[offset : offset + 40]):  # AWS's documented examples included
                start = match.start() + offset
                covered[start : start + 40] = [True] * 40
    if not any(covered):
        return message
    out = []
    start = 0
    while start < len(message):
        if not covered[start]:
            end = start
            while end < len(message) and not covered[end]:
                end += 1
            out.append(message[start:end])
        else:
            end = start
            while end < len(message) and covered[end]:
                end += 1
            out.append(_masked_run(message[start:end]))
        start = end
    return "".join(out)
