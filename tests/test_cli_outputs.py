"""The scan command as CI uses it: empty scans, several outputs, display filter, exit-zero,
statistics, colour, defaults and did-you-mean."""

from __future__ import annotations

import json

from click.testing import CliRunner

from policylint.commands import cli
from samples import CLEAN, LOOP


def run(*args: str, env=None):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)


def loop_dir(tmp_path):
    (tmp_path / "t.yaml").write_text(LOOP)
    return str(tmp_path)


# 1. empty scans


def test_empty_directory_exits_2_with_a_message(tmp_path):
    (tmp_path / "empty").mkdir()
    result = run("scan", str(tmp_path / "empty"))
    assert result.exit_code == 2
    assert f"nothing to scan under {tmp_path / 'empty'}" in result.stderr
    assert result.stdout == "0 findings in 0 files.\n"


def test_one_empty_path_among_several_exits_2(tmp_path):
    loop_dir(tmp_path)
    (tmp_path / "typo").mkdir()
    result = run("scan", str(tmp_path / "t.yaml"), str(tmp_path / "typo"), "--select", "PL101")
    assert result.exit_code == 2
    assert f"nothing to scan under {tmp_path / 'typo'}" in result.stderr
    assert "PL101" in result.stdout


def test_excluded_everything_is_empty(tmp_path):
    loop_dir(tmp_path)
    assert run("scan", str(tmp_path), "--exclude", "*.yaml").exit_code == 2


def test_changed_only_with_nothing_to_read_stays_0(tmp_path):
    (tmp_path / "empty").mkdir()
    assert run("scan", "--changed-only", str(tmp_path / "empty")).exit_code == 0
    assert run("scan", "--changed-only").exit_code == 0


def test_scan_defaults_to_the_current_directory(tmp_path, monkeypatch):
    loop_dir(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = run("scan", "--select", "PL101")
    assert result.exit_code == 1
    assert result.stdout.startswith("t.yaml:6: PL101")


# 2. several outputs


def test_several_formats_in_one_run(tmp_path):
    path = loop_dir(tmp_path)
    sarif, junit = tmp_path / "r.sarif", tmp_path / "r.xml"
    result = run("scan", path, "--select", "PL101", "--format", "text", "--format", f"sarif:{sarif}", "--format", f"junit:{junit}")
    assert result.exit_code == 1
    assert "PL101 [high]" in result.stdout and result.stdout.endswith("1 finding (1 high) in 1 file.\n")
    assert result.stderr == ""
    assert json.loads(sarif.read_text())["runs"][0]["results"][0]["ruleId"] == "PL101"
    assert junit.read_text().startswith("<?xml")


def test_report_only_to_files_prints_a_summary_on_stderr(tmp_path):
    path = loop_dir(tmp_path)
    out = tmp_path / "r.json"
    result = run("scan", path, "--select", "PL101", "--format", f"json:{out}")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"policylint: 1 finding (1 high) in 1 file. Report written to {out}.\n"
    assert json.loads(out.read_text())["summary"]["findings"] == 1
    # --output keeps working for one format, with the same summary; --quiet silences it
    result = run("scan", path, "--select", "PL101", "--format", "json", "--output", str(out))
    assert result.stdout == "" and result.stderr.startswith("policylint: 1 finding")
    assert run("scan", path, "--select", "PL101", "-o", str(out), "-q").stderr == ""


def test_format_usage_errors(tmp_path):
    path = loop_dir(tmp_path)
    two = run("scan", path, "--format", "text", "--format", "json")
    assert two.exit_code == 2 and "only one format can go to stdout" in two.stderr
    typo = run("scan", path, "--format", "sarfi")
    assert typo.exit_code == 2 and "did you mean `sarif`?" in typo.stderr
    both = run("scan", path, "--format", "text", "--format", "json:x.json", "--output", "y")
    assert both.exit_code == 2 and "--output goes with a single --format" in both.stderr


# 3. severity filter and exit-zero


def test_severity_hides_and_does_not_count_milder_findings(tmp_path):
    path = loop_dir(tmp_path)
    hidden = run("scan", path, "--select", "PL101", "--severity", "critical")
    assert hidden.exit_code == 0
    assert hidden.stdout == "0 findings in 1 file.\n"
    shown = run("scan", path, "--select", "PL101", "--severity", "high", "--format", "json")
    assert shown.exit_code == 1 and len(json.loads(shown.stdout)["findings"]) == 1


def test_exit_zero_still_fails_on_errors(tmp_path):
    path = loop_dir(tmp_path)
    assert run("scan", path, "--select", "PL101", "--exit-zero").exit_code == 0
    (tmp_path / "broken.yaml").write_text("Resources: [\n")
    assert run("scan", path, "--select", "PL101", "--exit-zero").exit_code == 2
    assert run("scan", str(tmp_path / "missing"), "--exit-zero").exit_code == 2
    assert run("scan", path, "--exit-zero", "--select", "PL999").exit_code == 2


# 4. summary, statistics, colour, rules


def test_statistics_per_rule(tmp_path):
    path = loop_dir(tmp_path)
    (tmp_path / "u.yaml").write_text(LOOP)
    result = run("scan", path, "--select", "PL101", "--statistics")
    assert result.stdout.splitlines()[-2:] == ["2  PL101  s3-logging-loop  [high]", "2 findings (2 high) in 2 files."]
    to_file = run("scan", path, "--select", "PL101", "--statistics", "--format", f"json:{tmp_path / 'r.json'}")
    assert to_file.stderr.splitlines()[1] == "2  PL101  s3-logging-loop  [high]"


def test_force_color_and_no_color(tmp_path):
    path = loop_dir(tmp_path)
    assert "\033[" in run("scan", path, "--select", "PL101", env={"FORCE_COLOR": "1"}).stdout
    assert "\033[" not in run("scan", path, "--select", "PL101", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    assert "\033[" not in run("scan", path, "--select", "PL101", env={"FORCE_COLOR": "0"}).stdout
    # colour never goes into files
    out = tmp_path / "r.txt"
    run("scan", path, "--select", "PL101", "--format", f"text:{out}", env={"FORCE_COLOR": "1"})
    assert "\033[" not in out.read_text()


def test_rules_lists_pl000_and_formats():
    listing = run("rules").stdout.splitlines()
    assert listing[0].startswith("PL000  unused-suppression")
    assert "cloudformation" in listing[1] or "terraform" in listing[1]
    data = json.loads(run("rules", "--format", "json").stdout)
    assert data[0]["code"] == "PL000" and data[0]["formats"]


# 5. did-you-mean, exclude with a trailing slash


def test_did_you_mean_for_rule_names_codes_and_options(tmp_path):
    path = loop_dir(tmp_path)
    slug = run("scan", path, "--select", "s3-loging-loop")
    assert slug.exit_code == 2 and "did you mean `s3-logging-loop`?" in slug.stderr
    assert "did you mean `s3-logging-loop`?" in run("explain", "s3-logging-lop").stderr
    option = run("scan", path, "--fail-onn", "high")
    assert option.exit_code == 2 and "Did you mean '--fail-on'?" in option.stderr


def test_exclude_with_a_trailing_slash_matches_the_directory(tmp_path):
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "t.yaml").write_text(LOOP)
    (tmp_path / "t.yaml").write_text(CLEAN)
    assert run("scan", str(tmp_path), "--exclude", "legacy/").exit_code == 0
    assert run("scan", str(tmp_path)).exit_code == 1


# 7. policylint config


def test_config_shows_each_setting_and_its_source(tmp_path):
    (tmp_path / "infra").mkdir()
    (tmp_path / ".policylint.toml").write_text('select = ["PL1"]\nfail-on = "medium"\n')
    result = run("config", str(tmp_path / "infra"))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"configuration file: {tmp_path / '.policylint.toml'}"
    assert lines[1].split() == ["select", '["PL1"]', "#", str(tmp_path / ".policylint.toml")]
    assert lines[2].split() == ["ignore", "[]", "#", "default"]
    data = json.loads(run("config", str(tmp_path), "--format", "json").stdout)
    assert data["settings"]["fail-on"] == {"value": "medium", "source": str(tmp_path / ".policylint.toml")}
    assert data["settings"]["exclude"] == {"value": [], "source": "default"}


def test_config_without_a_file_shows_defaults(tmp_path):
    result = run("config", str(tmp_path), "--format", "json")
    data = json.loads(result.stdout)
    if data["file"] is None:  # a config file above the temporary directory would be found
        assert {s["source"] for s in data["settings"].values()} == {"default"}


def test_policylint_toml_beside_a_tool_table_is_named(tmp_path):
    loop_dir(tmp_path)
    (tmp_path / ".policylint.toml").write_text('select = ["PL1"]\n')
    (tmp_path / "pyproject.toml").write_text('[tool.policylint]\nignore = ["PL101"]\n')
    result = run("scan", str(tmp_path), "--format", "json")
    assert result.exit_code == 1  # .policylint.toml is read: PL101 is not ignored
    assert f"using {tmp_path / '.policylint.toml'}; {tmp_path / 'pyproject.toml'} is not read" in result.stderr
    shown = run("config", str(tmp_path))
    assert f"not read: {tmp_path / 'pyproject.toml'}" in shown.stdout and shown.stderr == ""
