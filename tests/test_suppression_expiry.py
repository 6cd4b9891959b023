"""Suppressions with an expiry date (`until=YYYY-MM-DD`): inline, CloudFormation Metadata and
config per-path ignores.  The clock is `policylint.suppressions.today`, replaced here."""

from __future__ import annotations

import datetime
import json

import pytest
from click.testing import CliRunner

from policylint import suppressions
from policylint.commands import cli

LOOP = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      LoggingConfiguration:{comment}
        LogFilePrefix: self/
"""
METADATA = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Logs:
    Type: AWS::S3::Bucket
    Metadata:
      policylint:
        ignore:
          - {rule: PL101, reason: sink bucket, until: 2027-01-31}
    Properties:
      LoggingConfiguration:
        LogFilePrefix: self/
"""


@pytest.fixture()
def clock(monkeypatch):
    def set_today(day: str) -> None:
        monkeypatch.setattr(suppressions, "today", lambda: datetime.date.fromisoformat(day))

    return set_today


def scan(path, *args):
    result = CliRunner().invoke(cli, ["scan", str(path), "--select", "PL101,PL000", "--format", "json", *args])
    return result.exit_code, json.loads(result.stdout)


def codes(data):
    return [(f["rule_id"], f["line"]) for f in data["findings"]]


def test_inline_until_holds_through_the_day_then_the_finding_returns(tmp_path, clock):
    (tmp_path / "t.yaml").write_text(LOOP.format(comment=" # policylint:ignore PL101 until=2027-01-31 -- sink bucket"))
    clock("2027-01-31")
    code, data = scan(tmp_path)
    assert code == 0 and codes(data) == [] and data["summary"]["suppressed"] == 1
    clock("2027-02-01")
    code, data = scan(tmp_path)
    assert code == 1
    assert codes(data) == [("PL000", 6), ("PL101", 6)]
    expired = data["findings"][0]
    assert expired["severity"] == "info"
    assert expired["message"].startswith("This suppression of `PL101` expired on 2027-01-31; its findings are reported again")


def test_show_suppressed_names_the_expiry(tmp_path, clock):
    (tmp_path / "t.yaml").write_text(LOOP.format(comment=" # policylint:ignore PL101 until=2027-01-31 -- sink"))
    clock("2026-06-01")
    result = CliRunner().invoke(cli, ["scan", str(tmp_path), "--select", "PL101", "--show-suppressed"])
    assert "[suppressed by inline comment at" in result.stdout and "(until 2027-01-31): sink]" in result.stdout


def test_malformed_expiry_is_pl000_and_suppresses_nothing(tmp_path, clock):
    clock("2026-06-01")
    (tmp_path / "t.yaml").write_text(LOOP.format(comment=" # policylint:ignore PL101 until=2027-02-30"))
    code, data = scan(tmp_path)
    assert codes(data) == [("PL000", 6), ("PL101", 6)]
    assert "Malformed expiry `until=2027-02-30`" in data["findings"][0]["message"]


def test_metadata_until(tmp_path, clock):
    (tmp_path / "t.yaml").write_text(METADATA)
    clock("2026-12-31")
    assert codes(scan(tmp_path)[1]) == []
    clock("2027-03-01")
    data = scan(tmp_path)[1]
    assert codes(data) == [("PL000", 8), ("PL101", 10)]
    assert "expired on 2027-01-31" in data["findings"][0]["message"]


def test_config_per_path_until(tmp_path, clock):
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "t.yaml").write_text(LOOP.format(comment=""))
    (tmp_path / ".policylint.toml").write_text('[per-path-ignores]\n"infra/*" = ["PL101 until=2027-01-31"]\n')
    clock("2027-01-01")
    assert codes(scan(tmp_path / "infra")[1]) == []
    clock("2027-02-01")
    data = scan(tmp_path / "infra")[1]
    assert codes(data) == [("PL000", 2), ("PL101", 6)]
    assert data["findings"][0]["file"].endswith(".policylint.toml")


def test_config_bad_expiry_is_a_config_error(tmp_path):
    (tmp_path / "t.yaml").write_text(LOOP.format(comment=""))
    (tmp_path / ".policylint.toml").write_text('[per-path-ignores]\n"*" = ["PL101 until=tomorrow"]\n')
    result = CliRunner().invoke(cli, ["scan", str(tmp_path)])
    assert result.exit_code == 2 and "bad expiry `until=tomorrow`" in result.stderr


def test_parse_directive_leaves_the_date_out():
    assert suppressions.parse_directive("# policylint:ignore PL101 until=2027-01-31 -- r") == (["PL101"], "r")
    assert suppressions.directive_until("# policylint:ignore PL101, PL102 until=2027-01-31 -- r") == "2027-01-31"
    assert suppressions.directive_until("# policylint:ignore PL101 -- until=2027-01-31 is in the reason") is None
