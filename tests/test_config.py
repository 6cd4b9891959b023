"""Configuration files: discovery, keys, precedence against CLI flags, validation errors."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from policylint.commands import cli
from policylint.config import SCHEMA_FILE, find_config, load
from samples import LOOP


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def project(tmp_path, config: str | None, name: str = ".policylint.toml"):
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "t.yaml").write_text(LOOP)
    if config is not None:
        (tmp_path / name).write_text(textwrap.dedent(config))
    return tmp_path / "infra"


def codes(result) -> list[str]:
    return [f["rule_id"] for f in json.loads(result.output)["findings"]]


def test_schema_is_a_valid_json_schema():
    import jsonschema

    with open(SCHEMA_FILE, encoding="utf-8") as handle:
        jsonschema.Draft7Validator.check_schema(json.load(handle))


def test_found_from_the_scanned_path_upwards(tmp_path):
    scanned = project(tmp_path, "select = ['PL101']\n")
    assert find_config([str(scanned / "t.yaml")]) == str(tmp_path / ".policylint.toml")
    assert codes(run("scan", str(scanned), "--format", "json")) == ["PL101"]


def test_pyproject_without_our_table_is_passed_over(tmp_path):
    scanned = project(tmp_path, "[tool.policylint]\nselect = ['PL101']\n", name="pyproject.toml")
    (scanned / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert find_config([str(scanned)]) == str(tmp_path / "pyproject.toml")
    config = load(find_config([str(scanned)]))
    assert config.select == ["PL101"] and config.root == str(tmp_path)


def test_nearest_file_wins_and_dot_file_before_pyproject(tmp_path):
    scanned = project(tmp_path, "select = ['PL4']\n")
    (scanned / "pyproject.toml").write_text("[tool.policylint]\nselect = ['PL1']\n")
    (scanned / ".policylint.toml").write_text("select = ['PL101']\n")
    assert find_config([str(scanned)]) == str(scanned / ".policylint.toml")


def test_keys_apply(tmp_path):
    scanned = project(tmp_path, """\
        select = ["PL1"]
        ignore = ["s3-versioning-disabled"]
        severity = { PL101 = "medium", "s3-default-encryption-missing" = "low" }
        fail-on = "high"
    """)
    result = run("scan", str(scanned), "--format", "json")
    data = json.loads(result.output)
    severities = {f["rule_id"]: f["severity"] for f in data["findings"]}
    assert severities["PL101"] == "medium"
    assert "PL107" not in severities and all(c.startswith("PL1") for c in severities)
    assert result.exit_code == 0  # nothing at or above `high` once PL101 is medium


def test_exact_severity_override_beats_a_prefix(tmp_path):
    scanned = project(tmp_path, 'severity = { PL101 = "critical", PL1 = "info" }\n')
    result = run("scan", str(scanned), "--format", "json", "--select", "PL101")
    assert [f["severity"] for f in json.loads(result.output)["findings"]] == ["critical"]


def test_exclude(tmp_path):
    scanned = project(tmp_path, 'exclude = ["t.yaml"]\n')
    result = run("scan", str(scanned), "--format", "json")
    assert json.loads(result.stdout)["summary"]["files"] == 0
    assert result.exit_code == 2 and "nothing to scan under" in result.stderr  # everything excluded


def test_cli_flags_override_the_file(tmp_path):
    scanned = project(tmp_path, 'select = ["PL4"]\nfail-on = "critical"\n')
    assert run("scan", str(scanned)).exit_code == 0
    result = run("scan", str(scanned), "--select", "PL101", "--fail-on", "high", "--format", "json")
    assert codes(result) == ["PL101"] and result.exit_code == 1


def test_no_config_and_explicit_config(tmp_path):
    scanned = project(tmp_path, 'select = ["PL4"]\n')
    other = tmp_path / "other.toml"
    other.write_text('select = ["PL101"]\n')
    assert codes(run("scan", str(scanned), "--format", "json")) == []
    assert "PL101" in codes(run("scan", str(scanned), "--format", "json", "--no-config"))
    assert codes(run("scan", str(scanned), "--format", "json", "--config", str(other))) == ["PL101"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ('selct = ["PL101"]\n', "`selct`: unknown key; did you mean `select`?"),
        ('frobnicate = 1\n', "`frobnicate`: unknown key (known keys: exclude, fail-on, ignore, parameters, per-path-ignores, select, severity, var-files)"),
        ('fail-on = "urgent"\n', "`fail-on`: 'urgent' is not one of info, low, medium, high, critical"),
        ('severity = { PL101 = "urgent" }\n', "`severity.PL101`: 'urgent' is not one of"),
        ('select = "PL101"\n', "`select`: expected a list, got 'PL101'"),
        ('select = ["PL999"]\n', "`select`: unknown rule `PL999`"),
        ('severity = { nope = "low" }\n', "`severity.nope`: unknown rule `nope`"),
        ('[per-path-ignores]\n"a/*" = ["PL101", "bogus"]\n', '`per-path-ignores."a/*"`: unknown rule `bogus`'),
        ('select = [\n', "invalid TOML"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path, text, expected):
    scanned = project(tmp_path, text)
    result = run("scan", str(scanned))
    assert result.exit_code == 2
    assert f"Error: {tmp_path / '.policylint.toml'}: " in result.output
    assert expected in result.output
    assert "Usage:" not in result.output


def test_bad_pyproject_table_names_the_table(tmp_path):
    scanned = project(tmp_path, '[tool.policylint]\nignore = ["PL101", 3]\n', name="pyproject.toml")
    result = run("scan", str(scanned))
    assert result.exit_code == 2
    assert "pyproject.toml: `[tool.policylint] ignore[1]`: expected a string, got 3" in result.output


def test_jsonschema_is_imported_only_when_a_config_exists(tmp_path):
    scanned = project(tmp_path, None)
    code = textwrap.dedent(f"""
        import sys
        from policylint.cli import main
        try:
            main(["scan", {str(scanned)!r}, "--select", "PL101"])
        except SystemExit:
            pass
        print("jsonschema" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path).stdout
    assert out.strip().endswith("False"), out
