"""PL206: what counts as a secret's name and value, tokens, and that no output quotes a secret."""

from __future__ import annotations

import pytest

from policylint import baseline
from policylint.engine import Options, lint
from policylint.reporters import REPORTERS, RenderOptions, render
from policylint.secrets import find_tokens, is_secret_name, literal_secret, mask_message, mask_secret

PASSWORD = "Vq8-Lr2x!Nc4Mz"
TOKEN = "ghp_aftVo1i5oplvq6HiPGmiVpr8RBPQtFBhRQJt"
SLACK = "xoxb-155513873107-8818110255622-Vhideg5u6QOSzo7lLIMuxdVh"

FILES = {
    "template.yaml": f"""Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      MasterUserPassword: {PASSWORD}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Environment:
        Variables:
          GITHUB_TOKEN: {TOKEN}
""",
    "main.tf": f'resource "aws_db_instance" "db" {{\n  engine   = "mysql"\n  password = "{PASSWORD}"\n}}\n',
    "notify.sh": f"curl -H 'Authorization: Bearer {SLACK}' https://slack.com/api/chat.postMessage\n",
}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("planted")
    for name, text in FILES.items():
        (root / name).write_text(text)
    return lint([str(root)], Options(select=("PL206",))), root


def _leaks(text: str) -> list[str]:
    pieces = [PASSWORD[3:], TOKEN[8:20], SLACK[10:30]]
    return [p for p in pieces if p in text]


def test_every_planted_secret_is_reported(report):
    result, _ = report
    places = sorted((f.file.rsplit("/", 1)[-1], f.line) for f in result.findings if f.rule_id == "PL206")
    assert places == [("main.tf", 3), ("notify.sh", 1), ("template.yaml", 6), ("template.yaml", 12)]


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_no_output_format_quotes_a_secret(report, name):
    result, root = report
    assert _leaks(render(name, result, RenderOptions(root=str(root)))) == []


def test_the_baseline_file_does_not_quote_a_secret(report):
    result, root = report
    assert _leaks(baseline.render(result, str(root / "baseline.json"))) == []


def test_short_passwords_show_at_most_a_quarter():
    assert mask_secret("Ab3$efgh") == "Ab…"
    assert mask_secret("abc") == "…"
    assert mask_secret(PASSWORD) == "Vq8…"


def test_messages_of_other_rules_mask_tokens():
    assert mask_message(f"Sid `{TOKEN}` allows") == "Sid `ghp_…` allows"


@pytest.mark.parametrize("name", ["DB_PASSWORD", "dbPassword", "GITHUB_TOKEN", "StripeApiKey", "client-secret", "MasterUserPassword", "AUTH_TOKEN"])
def test_secret_names(name):
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ["DB_PASSWORD_ARN", "SECRET_NAME", "TOKEN_TTL", "API_KEY_HEADER", "PasswordLength", "KeyName", "LOG_LEVEL", "SecretsPath"])
def test_names_about_a_secret(name):
    assert not is_secret_name(name)


@pytest.mark.parametrize("value", ["", "   ", "{{resolve:secretsmanager:db:SecretString:password}}", "{{resolve:ssm-secure:/db/pw:1}}",
                                   "${var.password}", "changeme", "CHANGE_ME", "<password>", "xxxxxxxx", "********", "12345678",
                                   "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db", "/prod/db/password", "true", None, 42])
def test_values_that_are_not_secrets(value):
    assert not literal_secret(value)


def test_tokens_need_randomness_and_a_body():
    assert [t.kind for t in find_tokens(f"a={TOKEN}\nb={SLACK}\n")] == ["GitHub token", "Slack token"]
    assert find_tokens("ghp_" + "x" * 36) == []
    assert find_tokens("ghp_" + "0123456789abcdefghijklmnopqrstuvwxyz") == []
    assert find_tokens("-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n") == []
    assert find_tokens('if line.startswith("-----BEGIN PRIVATE KEY-----"):') == []


def test_a_huge_file_stays_fast():
    """Hang guard, not a timing test: many unterminated key headers and near-tokens."""
    text = ("-----BEGIN PRIVATE KEY-----\n" + "ghp_short xoxb-1 sk_live_x AIza\n" * 5) * 4000
    assert find_tokens(text) == []


def test_many_key_headers_with_one_end_stay_fast():
    """Hang guard: every header would otherwise search the text after it for its END line."""
    text = "-----BEGIN RSA PRIVATE KEY-----\n" * 50_000 + "-----END RSA PRIVATE KEY-----\n"
    assert find_tokens(text) == []


@pytest.mark.parametrize("piece", ["xoxb-111111-", "sk_live_", "sk-proj-aaaaaaaaaaaaaaaaaaaaT3BlbkFJ", "pypi-AgEIcHlwaS5vcmc", "ghp_"])
def test_runs_of_near_tokens_stay_fast(piece):
    """Hang guard against backtracking: a long run of one near-token with no end."""
    text = piece * 20_000 + "_"
    find_tokens(text)
    mask_message(text[:5000])
