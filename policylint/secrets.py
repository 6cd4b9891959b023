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
from collections.abc import Iterator

from policylint.patterns import Needles, lazy
from policylint.records import record

ACCESS_KEY_ID = "access key id"
SECRET_ACCESS_KEY = "secret access key"

PAIR_LINES = 5  # an id and a secret this many lines apart (or fewer) are one credential
PAIR_CHARS = 400  # on one line, this close in characters, so that minified JSON does not pair everything
NAME_LOOKBACK_LINES = 3  # `default =` / `Value:` lines look this far up for the credential name
ID_MIN_ENTROPY = 3.0
SECRET_MIN_ENTROPY = 4.25

_ID_PREFIXES = ("AKIA", "ASIA", "ABIA", "ACCA", "A3T")
_ID_NEEDLES = Needles(_ID_PREFIXES)
_ID = lazy(r"(?<![A-Za-z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])")
_SECRET = lazy(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_KEY_CHARACTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+"  # a secret key's
_SECRET_CHARS = bytes(byte in _KEY_CHARACTERS for byte in range(256))  # translate: 1 for those, else 0
_SECRET_WORD = lazy(r"secret", re.IGNORECASE)  # pre-filter for credential-named keys
_IDENTIFIER = lazy(r"[A-Za-z_][A-Za-z0-9_.\-]*")
# The key a value is assigned to, at the end of the text before the value:
# `secret_key = "`, `"SecretAccessKey": "`, `export AWS_SECRET_ACCESS_KEY=`, `secretKey: '`,
# `aws configure set aws_secret_access_key `, `aws_secret_access_key='` (a Python keyword argument).
_ASSIGNED_TO = lazy(r"""([A-Za-z_][A-Za-z0-9_.\-]*)["'`\]]?\s*(?::=|=>|[:=]|(?<=[A-Za-z0-9_])\s)\s*[\[(]?["'`]?$""")
# Keys whose value is named elsewhere: `variable "aws_secret_key" { default = ...`,
# `- Name: AWS_SECRET_ACCESS_KEY / Value: ...`, CloudFormation parameter `Default:`.
_INDIRECT_KEYS = {"value", "default", "defaultvalue", "parametervalue"}
_OTHER_NAME = lazy(r"""^\s*[-{]?\s*["']?(?:name|key)["']?\s*[:=]""", re.IGNORECASE)
_OTHER_HEADER = lazy(r"""^\s*(?:(?:variable|resource|provider|locals|module|data)\b.*\{|-?\s*["']?[\w.\-]+["']?\s*:\s*\{?)\s*$""")
_CFN_REFERENCE = lazy(r"""(?:!Ref|!GetAtt|!ImportValue|!FindInMap|["']?(?:Ref|Fn::GetAtt|Fn::ImportValue)["']?\s*:)\s*\[?\s*["']?$""")
_PLACEHOLDER_WORDS = ("xxxx", "your", "dummy", "fake", "changeme", "placeholder", "redacted", "sample")
_SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LOWER_HEX = lazy(r"[0-9a-f]+")
_BRACES = tuple(lazy(p) for p in (r"\$\{", r"\}", r"(?=\{\{)", r"(?=\}\})"))
_WINDOW = 100  # how far back from a value its key and reference syntax are looked for


@record(frozen=True)
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


def _mentions_secret(text: str) -> bool:
    """``_SECRET_WORD.search(text)`` (the reference), for ASCII text without the slow
    case-insensitive search."""
    if text.isascii():
        return "secret" in text.lower()
    return _SECRET_WORD.search(text) is not None


def _may_hold_a_secret(text: str) -> bool:
    """Whether the secret search of :func:`find_credentials` may find something in a text
    without access key ids: a run of exactly 40 characters of a secret key's alphabet (what
    ``_SECRET`` matches) that starts on a line it reads (one that says "secret", or one of the
    :data:`NAME_LOOKBACK_LINES` after it).  Found in C and in one walk, this spares the line
    index and the searches near each "secret" that a template full of "SecretsManager" costs."""
    if not text.isascii():  # (byte offsets are characters' only in ASCII)
        return _mentions_secret(text)
    words = _secret_word_starts(text)
    word = next(words, None)
    if word is None:
        return False
    runs = _runs_of_key_length(text.encode("ascii").translate(_SECRET_CHARS))
    run = next(runs, None)
    # Both in increasing order, walked together: the lines are counted once, whatever the text.
    line, counted = 1, 0
    word_line = run_line = 0  # the line of the last "secret" and of the last run seen
    while run is not None and (word is not None or line - word_line <= NAME_LOOKBACK_LINES):
        if word is not None and word <= run:
            line += text.count("\n", counted, word)
            counted = word
            if run_line == line:
                return True  # a run before it on its line
            word_line, word = line, next(words, None)
            continue
        line += text.count("\n", counted, run)
        counted = run
        if word_line and line - word_line <= NAME_LOOKBACK_LINES:
            return True
        run_line, run = line, next(runs, None)
    return False


def _runs_of_key_length(marks: bytes) -> Iterator[int]:
    """Where runs of exactly 40 ones start in ``marks`` (``_SECRET`` needs a whole run: a longer
    one, such as a long logical ID, is no key)."""
    run = marks.find(b"\1" * 40)
    while run != -1:
        end = marks.find(b"\0", run)
        if (end if end != -1 else len(marks)) - run == 40:
            yield run
        if end == -1:
            return
        run = marks.find(b"\1" * 40, end)


def _secret_word_starts(text: str) -> Iterator[int]:
    """Where ``_SECRET_WORD`` matches (the reference), found in ASCII text by ``str.find``."""
    if not text.isascii():
        yield from (match.start() for match in _SECRET_WORD.finditer(text))
        return
    lowered = text.lower()  # same offsets: ASCII
    start = lowered.find("secret")
    while start >= 0:
        yield start
        start = lowered.find("secret", start + 6)


def find_credentials(text: str) -> list[Credential]:
    """Every access key id and secret access key in ``text``, in order of appearance."""
    has_ids = _ID_NEEDLES.found_in(text)
    if not has_ids and not _may_hold_a_secret(text):
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
    for start in _secret_word_starts(text):
        line = index.line_of(start)
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
    normal = _NOT_LOWER_ALNUM.sub("", name.lower())
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
        if _NOT_LOWER_LETTER.sub("", key.lower()) not in _INDIRECT_KEYS:
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
_ID_SHAPE = lazy(r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{12,16}")
_KEY_RUN = lazy(r"[A-Za-z0-9/+]{40,}")
_SUSPECT = lazy(r"[A-Za-z0-9/+]{8,}")
_GRAM = 8  # a piece of a credential this long, quoted anywhere in a message, is masked


def _masked_run(run: str) -> str:
    return mask(run, ACCESS_KEY_ID if run.startswith(_ID_PREFIXES) else SECRET_ACCESS_KEY)


def might_quote_a_credential(message: str) -> bool:
    """Cheap pre-filter: a run of key characters with an upper-case letter and a digit or ``/+``."""
    for match in _SUSPECT.finditer(message):
        run = match.group(0)  # ASCII letters, digits, `/`, `+`: string methods tell, in C
        if run != run.lower() and not run.isalpha():
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
    for _, _, pattern in _TOKEN_FORMATS:  # PL206's tokens, wherever a message quotes one
        for match in pattern.finditer(message):
            covered[match.start() : match.end()] = [True] * (match.end() - match.start())
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


# --------------------------------------------------------------------------- other secrets (PL206)
#
# Well-known token formats, found in any text: each has a fixed prefix, so that a random string
# is never taken for one.  A value made of a placeholder (``ghp_xxxx...``, ``ghp_<token>``, a
# counting sequence, one repeated character) or too regular to be random is not a token.

PRIVATE_KEY = "private key"


@record(frozen=True)
class Token:
    kind: str  # "GitHub token", "Slack token", PRIVATE_KEY ...
    value: str  # never print it: use `masked`
    line: int  # 1-based
    column: int  # 1-based

    @property
    def masked(self) -> str:
        if self.kind == PRIVATE_KEY:
            return self.value[: self.value.index("-----", 5) + 5]  # the BEGIN line only
        return mask(self.value)


# (kind, literals one of which every match contains, pattern): the part that must look random is
# group 1.  A pattern runs only on a text that holds one of its literals (most hold none).
_TOKEN_FORMATS = (
    ("GitHub token", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), lazy(r"(?<![A-Za-z0-9_])gh[pousr]_([A-Za-z0-9]{36})(?![A-Za-z0-9_])")),
    ("GitHub token", ("github_pat_",), lazy(r"(?<![A-Za-z0-9_])github_pat_([A-Za-z0-9]{22}_[A-Za-z0-9]{59})(?![A-Za-z0-9_])")),
    ("GitLab token", ("glpat-",), lazy(r"(?<![A-Za-z0-9_\-])glpat-([A-Za-z0-9_\-]{20})(?![A-Za-z0-9_\-])")),
    ("Slack token", ("xox",), lazy(r"(?<![A-Za-z0-9_\-])xox[abposr]-((?:[0-9]{6,20}-){1,3}[A-Za-z0-9\-]{10,100})(?![A-Za-z0-9_\-])")),
    ("Slack webhook URL", ("hooks.slack.com",), lazy(r"https://hooks\.slack\.com/(?:services|workflows)/(T[A-Z0-9]{6,20}/[AB][A-Z0-9]{6,20}/[A-Za-z0-9]{20,40})")),
    ("Stripe secret key", ("k_live_",), lazy(r"(?<![A-Za-z0-9_])(?:sk|rk)_live_([A-Za-z0-9]{24,120})(?![A-Za-z0-9_])")),
    ("Google API key", ("AIza",), lazy(r"(?<![A-Za-z0-9_\-])AIza([0-9A-Za-z_\-]{35})(?![A-Za-z0-9_\-])")),
    ("npm token", ("npm_",), lazy(r"(?<![A-Za-z0-9_])npm_([A-Za-z0-9]{36})(?![A-Za-z0-9_])")),
    ("SendGrid API key", ("SG.",), lazy(r"(?<![A-Za-z0-9_\-])SG\.([A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})(?![A-Za-z0-9_\-])")),
    ("PyPI token", ("pypi-AgEIcHlwaS5vcmc",), lazy(r"(?<![A-Za-z0-9_\-])pypi-AgEIcHlwaS5vcmc([A-Za-z0-9_\-]{50,300})")),
    ("OpenAI API key", ("T3BlbkFJ",), lazy(r"(?<![A-Za-z0-9_\-])sk-(?:proj-)?([A-Za-z0-9_\-]{20,200}T3BlbkFJ[A-Za-z0-9_\-]{20,200})(?![A-Za-z0-9_\-])")),
)
_NEEDLE_TEXTS = tuple(sorted({n for _, needles, _ in _TOKEN_FORMATS for n in needles}))
_TOKEN_NEEDLES = Needles(_NEEDLE_TEXTS)
_NEEDLES = lazy("|".join(sorted(map(re.escape, _NEEDLE_TEXTS), key=len, reverse=True)))
_PEM_BEGIN = lazy(r"-----BEGIN ((?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----")
_PEM_SPAN = 20_000  # a key block is a few kilobytes: its END is looked for this far at most
_PEM_BODY_MIN = 64  # base64 characters a real key body has at the very least
_TOKEN_MIN_ENTROPY = 3.0


def find_tokens(text: str) -> list[Token]:
    """Every well-known token and private key block in ``text``, in order of appearance."""
    # The needles present: one regex pass over the text for every literal, after a much faster
    # look for any of them that rules out most texts (a needle the regex finds is in the text).
    present = set(_NEEDLES.findall(text)) if _TOKEN_NEEDLES.found_in(text) else set()
    formats = [(kind, pattern) for kind, needles, pattern in _TOKEN_FORMATS if present.intersection(needles)]
    if not formats and "-----BEGIN" not in text:  # (every key block begins so; faster to find than its label)
        return []
    index = _LineIndex(text)
    found = []
    for kind, pattern in formats:
        for match in pattern.finditer(text):
            if _random_enough(match.group(1)):
                found.append(Token(kind, match.group(0), index.line_of(match.start()), index.column_of(match.start())))
    ends: dict[str, list[int]] = {}  # the END lines of each label, found once (linear in the text)
    for match in _PEM_BEGIN.finditer(text):
        label = match.group(1)
        if label not in ends:
            ends[label] = [m.start() for m in re.finditer(re.escape(f"-----END {label}-----"), text)]
        following = bisect_left(ends[label], match.end())
        if following == len(ends[label]) or ends[label][following] - match.end() > _PEM_SPAN:
            continue
        end = ends[label][following]
        if "-----" in text[match.end() : end]:
            continue  # another header or block in between: not one key block
        body = re.sub(r"\\[nr]|[^A-Za-z0-9+/=]", "", _pem_body(text[match.end() : end]))
        if len(body) >= _PEM_BODY_MIN and _random_enough(body):
            found.append(Token(PRIVATE_KEY, text[match.start() : end], index.line_of(match.start()), index.column_of(match.start())))
    return sorted(found, key=lambda t: (t.line, t.column))


def _pem_body(block: str) -> str:
    """The base64 of a key block without its headers (``Proc-Type: ...``, ``DEK-Info: ...``)."""
    return "\n".join(line for line in re.split(r"\n|\\n", block) if ":" not in line)


def _random_enough(value: str) -> bool:
    if len(set(value)) <= 2 or _placeholder(value) or "<" in value:
        return False
    return entropy(value) >= _TOKEN_MIN_ENTROPY


# --------------------------------------------------------------------------- secret-named settings

# Words that make a name a secret's (split at `_`, `-`, `.` and camelCase humps).
_SECRET_WORDS = {"PASSWORD", "PASSWD", "PASSPHRASE", "PWD", "SECRET", "TOKEN", "APIKEY", "AUTHTOKEN"}
# A last word that makes the name about a secret rather than the secret itself (`DB_PASSWORD_ARN`,
# `SECRET_NAME`, `TOKEN_TTL`, `API_KEY_HEADER`).
_ABOUT_WORDS = {
    "ARN", "NAME", "ID", "IDS", "PATH", "FILE", "DIR", "URL", "URI", "TTL", "EXPIRY", "EXPIRATION", "EXPIRES",
    "HEADER", "PARAM", "PARAMETER", "LENGTH", "LEN", "ENABLED", "ENABLE", "DISABLED", "REGION", "TYPE", "ENDPOINT",
    "BUCKET", "TABLE", "PREFIX", "VERSION", "MODE", "ROTATION", "FIELD", "LOCATION",
    "SECONDS", "MINUTES", "HOURS", "DAYS", "TIMEOUT", "AGE", "COUNT", "SIZE", "STORE", "PROVIDER", "SOURCE",
    "REF", "REFERENCE", "SSM", "KMS", "ROLE", "USER", "USERNAME", "HOST", "PORT", "METHOD", "FORMAT", "SCOPE",
    "COOKIE", "RULE", "RULES", "REQUIRED", "POLICY", "CHARS", "CHARACTERS",
}
_HUMPS = lazy(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
# Compiled once: these run for every name and value looked at (re.sub("...") would look its
# pattern up in re's cache each time).
_NOT_ALNUM = lazy(r"[^A-Za-z0-9]+")
_NOT_LOWER_ALNUM = lazy(r"[^a-z0-9]")
_NOT_LOWER_LETTER = lazy(r"[^a-z]")


def _name_words(name: str) -> list[str]:
    words = [w.upper() for part in _NOT_ALNUM.split(name) for w in _HUMPS.findall(part)]
    joined = []  # API KEY -> APIKEY, AUTH TOKEN -> AUTHTOKEN
    for word in words:
        if joined and (joined[-1], word) in (("API", "KEY"), ("AUTH", "TOKEN")):
            joined[-1] += word
        else:
            joined.append(word)
    return joined


def is_secret_name(name: str) -> bool:
    """``DB_PASSWORD``, ``dbPassword``, ``GITHUB_TOKEN``, ``StripeApiKey``, ``client-secret``; not
    ``DB_PASSWORD_ARN``, ``SECRET_NAME``, ``TOKEN_TTL`` (they name or describe a secret)."""
    words = _name_words(name)
    if not words or words[-1] in _ABOUT_WORDS and words[-1] not in _SECRET_WORDS:
        return False
    return any(word in _SECRET_WORDS for word in words)


_NOT_SECRET_VALUE = lazy(
    r"(?i)^(?:true|false|yes|no|on|off|none|null|nil|undefined|[0-9.:\-]+|arn:aws[a-z\-]*:.*|/\S*|s3://.*|ssm:.*|secretsmanager:.*"
    r"|\{\{resolve:.*|\$\{.*|%\{.*|\{\{.*\}\}|<.*>|\[.*\]|\*+)$"
)
# Values that are a word rather than a secret, once digits and punctuation are dropped
# (`Password1!`, `mypassword`, `change-me`).
_PLACEHOLDER_VALUES = {
    "password", "passwd", "pass", "secret", "token", "mypassword", "mysecret", "mytoken", "yourpassword", "adminpassword",
    "dbpassword", "changeit", "changeme", "todo", "tbd", "example", "test", "testing", "default", "admin", "none",
}


def literal_secret(value: object, min_length: int = 1) -> bool:
    """A literal value that is a secret, not a placeholder: not empty, not a dynamic reference
    (``{{resolve:secretsmanager:...}}``), not an ARN, path or number naming where the secret is,
    not ``changeme``, ``<password>``, ``xxxx``, ``********`` or a counting sequence."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    if len(text) < max(min_length, 1) or "{{resolve:" in text or "${" in text:
        return False
    if _NOT_SECRET_VALUE.match(text) or _NOT_LOWER_LETTER.sub("", text.lower()) in _PLACEHOLDER_VALUES or len(set(text)) == 1:
        return False
    return not _placeholder(text) and "example" not in text.lower()


def is_aws_key(value: str) -> bool:
    """An AWS access key id or a 40-character secret access key: PL201 reports those."""
    return bool(_ID.search(value) or _SECRET.fullmatch(value.strip()))


def mask_secret(value: str) -> str:
    """A password shown as PL201 shows keys, but never more than a quarter of it: short passwords
    keep fewer than four characters."""
    keep = min(4, len(value) // 4)
    return f"{value[:keep]}…"
