"""The credential detector behind PL201 and how its findings are shown.

Every key below is made up for these tests (the ``…EXAMPLE`` ones are AWS's documented examples).
"""

from __future__ import annotations

import base64
import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixture_cases import FIXTURES, Case
from policylint import secrets
from policylint.patterns import Needles
from policylint.secrets import (
    ACCESS_KEY_ID,
    PAIR_LINES,
    SECRET_ACCESS_KEY,
    entropy,
    find_credentials,
    is_example,
    is_credential_name,
    mask,
)

KEY_ID = "AKIA4POLICYLINTTST01"
SECRET = "s8Kq2cE/7rTz1LmNw5VbX9yH3pQfA0uJ+dGk4oWi"
EXAMPLE_ID = "AKIAIOSFODNN7EXAMPLE"
EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def found(text: str) -> list[tuple[str, int, str]]:
    return [(c.kind, c.line, c.severity) for c in find_credentials(text)]


# --------------------------------------------------------------------------- access key ids


@pytest.mark.parametrize("prefix", ["AKIA", "ASIA", "ABIA", "ACCA", "A3T7"])
def test_every_key_id_prefix(prefix):
    value = prefix + KEY_ID[len(prefix):]
    assert found(f"key: {value}\n") == [(ACCESS_KEY_ID, 1, "high")]


@pytest.mark.parametrize(
    "text",
    [
        f"X{KEY_ID}",  # part of a longer word
        f"{KEY_ID}9",
        "AKIA4POLICYLINTTST0",  # 19 characters
        "akia4policylinttst01",  # lower case
        "AKIAAAAAAAAAAAAAAAAA",  # no entropy
        "AKIAXXXXXXXXXXXXXXXX",
        "AKIA1234567890ABCDEF",  # a counting placeholder
        "AIDA4POLICYLINTTST01",  # an IAM user unique id is not a secret
        'key = "${AKIA4POLICYLINTTST01}"',
    ],
)
def test_what_is_not_a_key_id(text):
    assert found(text) == []


def test_entropy():
    assert entropy("") == 0.0
    assert entropy("aaaa") == 0.0
    assert entropy("abcd") == 2.0
    assert entropy(SECRET) > 4.25


# --------------------------------------------------------------------------- secret keys


@pytest.mark.parametrize(
    "text, line",
    [
        (f'secret_key = "{SECRET}"', 1),  # HCL provider / backend
        (f'  secret_key     = "{SECRET}" # trailing comment', 1),
        (f"aws_secret_access_key: {SECRET}", 1),  # YAML
        (f'{{"SecretAccessKey": "{SECRET}"}}', 1),  # JSON
        (f'{{"aws":{{"secretAccessKey":"{SECRET}"}}}}', 1),  # minified JSON
        (f"export AWS_SECRET_ACCESS_KEY={SECRET}", 1),  # shell
        (f'export AWS_SECRET_ACCESS_KEY="{SECRET}"', 1),
        (f"AWS_SECRET_ACCESS_KEY={SECRET}", 1),  # .env
        (f"[default]\naws_secret_access_key = {SECRET}", 2),  # ini / ~/.aws/credentials
        (f"s3 = boto3.client('s3', aws_secret_access_key='{SECRET}')", 1),  # Python keyword argument
        (f'SECRET_KEY = "{SECRET}"', 1),  # Python constant
        (f"secretKey: '{SECRET}'", 1),  # JavaScript / cfn-init Authentication
        (f"aws configure set aws_secret_access_key {SECRET}", 1),
        (f"aws configure set profile.ci.aws_secret_access_key {SECRET}", 1),
        (f"TF_VAR_aws_secret_key={SECRET}", 1),
        (f'variable "aws_secret_key" {{\n  type    = string\n  default = "{SECRET}"\n}}', 3),  # TF variable default
        (f"Parameters:\n  DeployerSecretAccessKey:\n    Type: String\n    NoEcho: true\n    Default: {SECRET}", 5),  # CFN parameter
        (f"Environment:\n  - Name: AWS_SECRET_ACCESS_KEY\n    Value: {SECRET}", 3),  # ECS / CodeBuild
        (f'environment_variable {{\n  name  = "AWS_SECRET_ACCESS_KEY"\n  value = "{SECRET}"\n}}', 3),
        (f'[{{"name": "AWS_SECRET_ACCESS_KEY", "value": "{SECRET}"}}]', 1),  # container_definitions JSON
    ],
)
def test_secret_assigned_to_a_credential_name_is_critical(text, line):
    assert found(text) == [(SECRET_ACCESS_KEY, line, "critical")]


@pytest.mark.parametrize(
    "text",
    [
        f'token = "{SECRET}"',  # not a credential name, no key id near
        f"checksum: {SECRET}",
        f'stripe_secret_key = "{SECRET}"',  # another service's key
        f"Environment:\n  - Name: AWS_SECRET_ACCESS_KEY\n    Value: placeholder\n  - Name: BUILD_TOKEN\n    Value: {SECRET}",
        f'secret_key = "{SECRET}A"',  # 41 characters
        f'secret_key = "{SECRET[:-1]}"',  # 39 characters
        f'secret_key = "{SECRET}=="',  # the end of a longer base64 blob
        'secret_key = "3f786850e387550fdab836ed7e6dc881de23001b"',  # git SHA-1
        'secret_key = "ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJ"',  # one letter case, no digit
        'secret_key = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
        'secret_key = "YourSecretAccessKeyGoesHere1234567890abc"',
        "secret_key = var.aws_secret_key",
        'secret_key = "${var.aws_secret_key}"',
        "AWS_SECRET_ACCESS_KEY: '{{resolve:secretsmanager:deployer:SecretString:secret}}'",
        "AWS_SECRET_ACCESS_KEY: '{{resolve:ssm-secure:/deployer/s8Kq2cE7rTz1LmNw5VbX9yH3pQfA0uJdGk4oWiQQ}}'",
        "SecretAccessKey: !Ref DeployerSecretAccessKeyParameterXyz2A",
        "SecretAccessKey: !GetAtt DeployerKey.SecretAccessKey",
        "aws_secret_access_key = <s8Kq2cE/7rTz1LmNw5VbX9yH3pQfA0uJ+dGk4oWi>",
    ],
)
def test_what_is_not_a_secret_key(text):
    assert found(text) == []


def test_unnamed_secret_next_to_a_key_id_pairs_with_it():
    text = f"aws configure <<EOF\n{KEY_ID}\n{SECRET}\nus-east-1\nEOF\n"
    assert found(text) == [(ACCESS_KEY_ID, 2, "critical"), (SECRET_ACCESS_KEY, 3, "critical")]
    key, secret = find_credentials(text)
    assert key.partner == 3 and secret.partner == 2


def test_pairing_is_limited_to_a_few_lines():
    far = f"{KEY_ID}\n" + "\n" * PAIR_LINES + f"{SECRET}\n"
    assert found(far) == [(ACCESS_KEY_ID, 1, "high")]
    near = f"{KEY_ID}\n" + "\n" * (PAIR_LINES - 1) + f"{SECRET}\n"
    assert found(near) == [(ACCESS_KEY_ID, 1, "critical"), (SECRET_ACCESS_KEY, PAIR_LINES + 1, "critical")]


def test_pairing_on_one_long_line_is_limited_in_characters():
    minified = f'{{"id":"{KEY_ID}",' + '"pad":"' + "a" * 2000 + f'","blob":"{SECRET}"}}'
    assert found(minified) == [(ACCESS_KEY_ID, 1, "high")]


def test_both_halves_on_one_line():
    assert found(f"{KEY_ID}:{SECRET}") == [(ACCESS_KEY_ID, 1, "critical"), (SECRET_ACCESS_KEY, 1, "critical")]


def test_credential_names():
    for name in ("secret_key", "aws_secret_access_key", "AWS_SECRET_ACCESS_KEY", "SecretAccessKey", "secretKey",
                 "secret_access_key", "default.aws_secret_access_key", "TF_VAR_aws_secret_key", "AwsSecretKey",
                 "DeployerSecretAccessKey", "aws-secret-key"):
        assert is_credential_name(name), name
    for name in ("secret", "secret_key_base", "stripe_secret_key", "client_secret", "access_key", "SecretString"):
        assert not is_credential_name(name), name


# --------------------------------------------------------------------------- examples and severity


def test_documented_example_keys_are_info():
    text = f'access_key = "{EXAMPLE_ID}"\nsecret_key = "{EXAMPLE_SECRET}"\n'
    assert found(text) == [(ACCESS_KEY_ID, 1, "info"), (SECRET_ACCESS_KEY, 2, "info")]
    assert all(c.example for c in find_credentials(text))
    assert found("AKIAI44QH8DHBEXAMPLE je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY") == [
        (ACCESS_KEY_ID, 1, "info"),
        (SECRET_ACCESS_KEY, 1, "info"),
    ]


def test_real_secret_next_to_an_example_id():
    # The id is a placeholder; the named secret is still a secret, an unnamed one is documentation.
    assert found(f"{EXAMPLE_ID}\nsecret_key = {SECRET}") == [(ACCESS_KEY_ID, 1, "info"), (SECRET_ACCESS_KEY, 2, "critical")]
    assert found(f"{EXAMPLE_ID}\n{SECRET}") == [(ACCESS_KEY_ID, 1, "info"), (SECRET_ACCESS_KEY, 2, "info")]


def test_real_id_next_to_an_example_secret_is_an_id_alone():
    assert found(f"{KEY_ID}\n{EXAMPLE_SECRET}") == [(ACCESS_KEY_ID, 1, "high"), (SECRET_ACCESS_KEY, 2, "info")]


def test_files_without_candidates_are_skipped_early():
    assert find_credentials("resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n" * 1000) == []


def _without_the_quick_look(text: str):
    from unittest import mock

    with mock.patch.object(secrets, "_may_hold_a_secret", secrets._mentions_secret):
        return find_credentials(text)


# `_may_hold_a_secret` only skips texts the secret search would find nothing in: the same
# credentials as with the plain "mentions secret" check it stands in front of.
@pytest.mark.parametrize("gap", range(5))
@pytest.mark.parametrize("name, value", [("DeployerSecretAccessKey:", "Default: "), ("- Name: AWS_SECRET_ACCESS_KEY", "  Value: ")])
def test_the_quick_look_for_secrets_keeps_the_lines_the_search_reads(name, value, gap):
    text = f"x: 1\n{name}\n" + "  Type: String\n" * gap + f"{value}{SECRET}\ny: 2\n"
    assert find_credentials(text) == _without_the_quick_look(text)
    assert bool(find_credentials(text)) == (gap <= 2)  # the name at most three lines up


_PIECES = [SECRET, EXAMPLE_SECRET, SECRET[:39], SECRET + "=", KEY_ID, "secret", "aws_secret_access_key = ", "Value: ", "\n", " ", "x", "é"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12))
def test_the_quick_look_for_secrets_changes_no_result(pieces):
    text = "".join(pieces)
    assert find_credentials(text) == _without_the_quick_look(text)


# --------------------------------------------------------------------------- masking


def test_mask_keeps_four_characters():
    assert mask(KEY_ID, ACCESS_KEY_ID) == "AKIA…ST01"  # the public type prefix and four characters
    assert mask(SECRET, SECRET_ACCESS_KEY) == "s8Kq…"
    assert mask(SECRET) == "s8Kq…"
    for credential in find_credentials(f"{KEY_ID}\nsecret_key = {SECRET}"):
        assert credential.value not in credential.masked


def _all_values_in(case_dir: Path) -> list[str]:
    """Every key in the files, including those inside base64 user data."""
    values = []
    for path in sorted(case_dir.iterdir()):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            for blob in re.findall(r"[A-Za-z0-9+/]{60,}={0,2}", text):
                text += "\n" + base64.b64decode(blob + "=" * (-len(blob) % 4)).decode("utf-8", "replace")
            values += [c.value for c in find_credentials(text)]
    return values


def _leaks(output: str, values: list[str]) -> list[str]:
    """Values of which more than four characters (beyond an id's public prefix) appear together."""
    leaked = []
    for value in values:
        body = value[4:] if re.fullmatch(r"(?:AKIA|ASIA|ABIA|ACCA|A3T.)[A-Z0-9]{16}", value) else value
        if any(body[i : i + 5] in output for i in range(len(body) - 4)):
            leaked.append(value)
    return leaked


def _reporters():
    import policylint.reporters as package

    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        if hasattr(module, "render"):
            yield info.name, module.render


def test_no_output_shows_more_than_four_characters_of_a_key(tmp_path):
    from policylint.engine import lint_paths

    cases = [Case("PL201", p) for p in sorted((FIXTURES / "PL201").iterdir())]
    scanned = tmp_path / "scan"
    scanned.mkdir()
    for case in cases:
        case.materialise(scanned)
    values = _all_values_in(scanned)
    assert len(values) >= 20
    report = lint_paths([str(scanned)], select=["PL201"])
    assert report.findings
    messages = "\n".join(f.message for f in report.findings)
    assert _leaks(messages, values) == []
    rendered = dict(_reporters())
    assert {"text", "json_report"} <= set(rendered)
    # Reporters that embed the rule's documentation (SARIF) quote AWS's public example keys.
    real = [v for v in values if not is_example(v)]
    for name, render in rendered.items():
        assert _leaks(render(report), real) == [], name


# --------------------------------------------------------------------------- the rule on fixtures


def _severities(tmp_path, name: str) -> dict[int, str]:
    from policylint.engine import lint_paths

    into = tmp_path / name
    into.mkdir()
    scanned = Case("PL201", FIXTURES / "PL201" / name).materialise(into)
    report = lint_paths([str(scanned)], select=["PL201"])
    assert not report.errors, report.errors
    return {f.line: f.severity for f in report.findings}


def test_example_keys_fixture_is_info_only(tmp_path):
    assert _severities(tmp_path, "example_keys_info.tf") == {4: "info", 5: "info"}


def test_text_fixture_severities(tmp_path):
    assert _severities(tmp_path, "credentials.ini") == {3: "critical", 4: "critical", 7: "critical"}
    assert _severities(tmp_path, "plan_lambda_env_and_provider_keys.json") == {18: "critical", 19: "critical", 36: "high"}


# --------------------------------------------------------------------------- hostile sizes (#11 item 6)


def _minified(count: int) -> str:
    import random
    import string

    rng = random.Random(count)

    def secret() -> str:
        return "".join(rng.choice(string.ascii_letters + string.digits + "/+") for _ in range(40))

    def key_id() -> str:
        return "AKIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))

    return "{" + ",".join(f'"k{i}":"{key_id()}","aws_secret_access_key":"{secret()}","x":"{secret()} {secret()}"' for i in range(count)) + "}"


def test_a_long_minified_line_is_scanned_in_linear_time():
    import time

    small, big = _minified(100), _minified(800)
    timings = []
    for text in (small, big):
        start = time.perf_counter()
        found = find_credentials(text)
        timings.append(time.perf_counter() - start)
        assert sum(c.kind == SECRET_ACCESS_KEY for c in found) >= len(text) // 400
    # 8 times the text: well under the 64 times a quadratic scan would take
    assert timings[1] < 20 and timings[1] < 20 * max(timings[0], 0.005)


# ------------------------------------------------------------------ needles (the texts' pre-filter)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text("ab.-_", min_size=1, max_size=4), min_size=1, max_size=6), st.text("ab.-_\n", max_size=30))
def test_needles_find_what_in_finds(needles, text):
    assert Needles(needles).found_in(text) == any(needle in text for needle in needles)


@pytest.mark.parametrize("needles", [secrets._ID_PREFIXES, secrets._NEEDLE_TEXTS], ids=["key ids", "tokens"])
def test_needles_of_the_detectors(needles):
    found = Needles(needles)
    for needle in needles:
        assert found.found_in(f"x {needle} y") and found.found_in(needle)
        assert not found.found_in(f"x {needle[:-1]} y")


@settings(max_examples=500, deadline=None)
@given(st.text("aZ09/+ .é", max_size=40))
def test_might_quote_a_credential_is_its_definition(message):
    # A run of 8+ key characters with an upper-case letter, and a digit or `/` or `+`.
    runs = re.findall(r"[A-Za-z0-9/+]{8,}", message)
    expected = any(any(c.isupper() for c in run) and any(c.isdigit() or c in "/+" for c in run) for run in runs)
    assert secrets.might_quote_a_credential(message) == expected
