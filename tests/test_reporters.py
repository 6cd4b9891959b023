"""Reporters (SARIF, JUnit, GitHub annotations) against golden files and the official schemas;
exit codes for every format; terminal output (explain, progress, quiet); parallel parsing.

Golden files live in tests/golden/; regenerate them with ``POLICYLINT_UPDATE_GOLDEN=1 pytest``.
Schema checks use ../shared/schemas (or $POLICYLINT_SHARED) and skip when it is absent.
"""

from __future__ import annotations

import io
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from policylint.commands import cli
from policylint.engine import Report, lint_paths
from policylint.model import ParseError
from policylint.reporters import REPORTERS, RenderOptions, github, junit, render, sarif
from policylint.rule import Finding, Rule
from policylint.suppressions import SuppressedFinding, Suppression
from samples import LOOP

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
SHARED = Path(os.environ.get("POLICYLINT_SHARED", ROOT.parent / "shared")) / "schemas"
UPDATE = os.environ.get("POLICYLINT_UPDATE_GOLDEN") == "1"

CLEAN = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Data:\n    Type: AWS::S3::Bucket\n'
BROKEN = "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties: [unclosed\n"


def _fake_rule(code: str, slug: str, severity: str, title: str) -> type[Rule]:
    doc = f"""
    ## What it does
    Finds {title.lower()}. A second
    line of the first paragraph.

    More detail.

    ## Why is this bad?
    Because.

    ## Example
    ```hcl
    resource "x" "y" {{}}
    ```

    ## Use instead
    ```hcl
    resource "x" "z" {{}}
    ```

    ## References
    - [Docs](https://example.com/{code})
    """
    return type(f"Fake{code}", (Rule,), {"__doc__": doc, "code": code, "slug": slug, "severity": severity, "title": title, "formats": frozenset({"terraform"})})


RULES = {
    "PL101": _fake_rule("PL101", "s3-logging-loop", "high", "Logging loops"),
    "PL107": _fake_rule("PL107", "s3-versioning-disabled", "low", "Unversioned buckets"),
    "PL110": _fake_rule("PL110", "s3-public-bucket-policy", "critical", "Public bucket policies"),
    "PL112": _fake_rule("PL112", "s3-cors-wildcard-origin", "medium", "Wildcard CORS origins"),
    "PL118": _fake_rule("PL118", "s3-default-encryption-missing", "info", "Buckets without default encryption"),
    "PL201": _fake_rule("PL201", "hardcoded-aws-credentials", "critical", "Hardcoded credentials"),
}


def finding(code, severity, message, file, line, end_line=None, resource=None, fmt="terraform"):
    return Finding(code, RULES[code].slug, severity, message, file, line, end_line or line, resource, fmt)


def sample_report() -> Report:
    findings = [
        finding("PL101", "high", "Access logs go round a cycle (`a` → `b` → `a`); the last bucket must not log", "infra/main.tf", 12, 14, "aws_s3_bucket.logs"),
        finding("PL107", "low", "Bucket has no versioning", "infra/main.tf", 3, 3, "aws_s3_bucket.logs"),
        finding("PL110", "critical", "Policy allows `s3:*` to everyone", "infra/policy.tf", 5, 9, "aws_s3_bucket_policy.p"),
        finding("PL110", "critical", "Policy allows `s3:GetObject` to everyone", "infra/policy.tf", 5, 9, "aws_s3_bucket_policy.p"),
        finding("PL112", "medium", "CORS allows origin `*`: 100% of sites, including <evil> & co", "templates/a,b:c.yaml", 7, None, "Site", "cloudformation"),
        finding("PL118", "info", "No default encryption\nconfigured", "templates/a,b:c.yaml", 4, None, "Site", "cloudformation"),
        finding("PL201", "critical", "Access key id `AKIA…MPLE` with its secret key", "scripts/deploy.sh", 2, None, None, "text"),
    ]
    errors = [ParseError("infra/broken.tf", 3, "invalid HCL: unexpected `}`"), ParseError("unreadable.json", None, "invalid JSON: Expecting value")]
    findings.sort(key=Finding.sort_key)
    return Report(findings=findings, errors=errors, files=6)


@pytest.fixture()
def in_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return str(tmp_path)


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if not path.exists():
        pytest.fail(f"{name} is missing; create it with POLICYLINT_UPDATE_GOLDEN=1")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; rerun with POLICYLINT_UPDATE_GOLDEN=1 if intended"


def stable_sarif(report, root, **options) -> dict:
    data = sarif.to_dict(report, RenderOptions(root=root, rules=RULES, **options))
    data["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///SRCROOT/"
    return data


def sarif_validator():
    schema_file = SHARED / "sarif-schema-2.1.0.json"
    if not schema_file.exists():
        pytest.skip("../shared/schemas is not available (a user's clone)")
    import jsonschema

    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


# --------------------------------------------------------------------------- SARIF


def test_sarif_golden(in_root):
    check_golden("report.sarif", json.dumps(stable_sarif(sample_report(), in_root), indent=2, ensure_ascii=False) + "\n")


def test_sarif_is_valid_against_the_official_schema(in_root, tmp_path):
    validator = sarif_validator()
    validator.validate(json.loads(sarif.render(sample_report(), RenderOptions(root=in_root, rules=RULES))))
    # A real scan with real rules, a suppressed finding, an error and a file outside the root.
    (tmp_path / "scan").mkdir()
    (tmp_path / "scan" / "loop.yaml").write_text(LOOP)
    (tmp_path / "scan" / "quiet.yaml").write_text(LOOP.replace("  Logs:", "  # policylint:ignore PL101\n  Logs:"))
    (tmp_path / "scan" / "broken.yaml").write_text(BROKEN)
    report = lint_paths([str(tmp_path / "scan")], select=["PL101", "PL000"], suppress=True)
    assert report.suppressed and report.errors
    for root in (in_root, str(tmp_path / "scan" / "elsewhere")):
        log = json.loads(sarif.render(report, RenderOptions(root=root, show_suppressed=True)))
        errors = sorted(validator.iter_errors(log), key=str)
        assert not errors, errors[0]


def test_sarif_rules_and_results(in_root):
    run = stable_sarif(sample_report(), in_root)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["PL101", "PL107", "PL110", "PL112", "PL118", "PL201"]
    by_id = {r["id"]: r for r in rules}
    assert {c: r["properties"].get("security-severity") for c, r in by_id.items()} == {
        "PL101": "8.0", "PL107": "3.0", "PL110": "9.5", "PL112": "5.5", "PL118": None, "PL201": "9.5",
    }
    assert by_id["PL118"]["defaultConfiguration"] == {"level": "note"}
    assert by_id["PL101"]["fullDescription"]["text"] == "Finds logging loops. A second line of the first paragraph."
    assert by_id["PL101"]["help"]["markdown"].startswith("## What it does")
    assert by_id["PL101"]["helpUri"].endswith("/docs/rules.md#pl101")
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1
        assert "primaryLocationLineHash" not in result["partialFingerprints"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert run["invocations"][0]["executionSuccessful"] is False


def test_sarif_fingerprints_ignore_line_moves(in_root):
    report = sample_report()
    moved = Report(findings=[Finding(**{**f.__dict__, "line": f.line + 40, "end_line": f.end_line + 40}) for f in report.findings])
    prints = [r["partialFingerprints"] for r in stable_sarif(report, in_root)["runs"][0]["results"]]
    assert prints == [r["partialFingerprints"] for r in stable_sarif(moved, in_root)["runs"][0]["results"]]
    assert len({p["policylint/v1"] for p in prints}) == len(prints)


def test_sarif_severity_override_changes_the_rule_descriptor(in_root):
    run = stable_sarif(sample_report(), in_root, severities={"PL107": "high"})["runs"][0]
    pl107 = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "PL107")
    assert pl107["properties"]["security-severity"] == "8.0" and pl107["defaultConfiguration"]["level"] == "error"


def test_sarif_suppressed_only_when_asked(in_root):
    report = sample_report()
    hidden = report.findings.pop(0)
    report.suppressed = [SuppressedFinding(hidden, Suppression("comment", hidden.file, 2, (hidden.rule_id,), "reviewed"))]
    assert len(stable_sarif(report, in_root)["runs"][0]["results"]) == len(report.findings)
    results = stable_sarif(report, in_root, show_suppressed=True)["runs"][0]["results"]
    (marked,) = [r for r in results if "suppressions" in r]
    assert marked["suppressions"] == [{"kind": "inSource", "status": "accepted", "justification": "reviewed"}]


# --------------------------------------------------------------------------- JUnit


def test_junit_golden(in_root):
    check_golden("report.junit.xml", junit.render(sample_report(), RenderOptions(root=in_root)))


def test_junit_parses_with_unique_names_and_locations(in_root):
    tree = ET.fromstring(junit.render(sample_report(), RenderOptions(root=in_root)))
    cases = tree.findall("./testsuite/testcase")
    names = [c.get("name") for c in cases]
    assert len(names) == len(set(names)) == 9
    assert "PL101 aws_s3_bucket.logs infra/main.tf:12" in names and "PL201 scripts/deploy.sh:2" in names
    assert "PL110 aws_s3_bucket_policy.p infra/policy.tf:5 #2" in names
    first = next(c for c in cases if c.get("name").startswith("PL101"))
    assert (first.get("classname"), first.get("file"), first.get("line")) == ("policylint.PL101", "infra/main.tf", "12")
    assert first.find("failure").get("type") == "high"
    assert tree.get("tests") == "9" and tree.get("failures") == "7" and tree.get("errors") == "2"


def test_junit_clean_report_has_one_passing_testcase(in_root):
    tree = ET.fromstring(junit.render(Report(files=2), RenderOptions(root=in_root)))
    (case,) = tree.iter("testcase")
    assert list(case) == [] and tree.get("failures") == "0"


@pytest.mark.parametrize("report", [sample_report(), Report(files=1)], ids=["findings", "clean"])
def test_junit_is_valid_against_junit_10_without_file_and_line(in_root, report):
    schema_file = SHARED / "junit-10.xsd"
    if not schema_file.exists():
        pytest.skip("../shared/schemas is not available (a user's clone)")
    xmlschema = pytest.importorskip("xmlschema")
    tree = ET.fromstring(junit.render(report, RenderOptions(root=in_root)))
    for case in tree.iter("testcase"):  # GitLab's extensions, not in the schema
        case.attrib.pop("file", None)
        case.attrib.pop("line", None)
    xmlschema.XMLSchema(str(schema_file)).validate(ET.tostring(tree, encoding="unicode"))


# --------------------------------------------------------------------------- GitHub


def test_github_golden(in_root):
    check_golden("report.github.txt", github.render(sample_report(), RenderOptions(root=in_root)))


@given(st.text(max_size=30))
def test_github_escaping_round_trips(value):
    def unescape(text: str) -> str:
        for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
            text = text.replace(code, char)
        return text

    escaped = github.escape_property(value)
    assert not set("\r\n:,") & set(escaped) and unescape(escaped) == value


def test_github_commands_and_escaping(in_root):
    lines = github.render(sample_report(), RenderOptions(root=in_root)).splitlines()
    assert lines[0] == "::notice file=infra/main.tf,line=3,endLine=3,title=PL107 s3-versioning-disabled::[low] Bucket has no versioning (aws_s3_bucket.logs)"
    assert lines[1].startswith("::error file=infra/main.tf,line=12,endLine=14,title=PL101 s3-logging-loop::[high] Access logs")
    cors = next(line for line in lines if "PL112" in line)
    assert cors.startswith("::warning file=templates/a%2Cb%3Ac.yaml,line=7,endLine=7,title=PL112 s3-cors-wildcard-origin::")
    assert "100%25 of sites" in cors
    assert any(line.startswith("::notice ") and "No default encryption%0Aconfigured" in line for line in lines)
    assert "::error file=unreadable.json,title=policylint%3A cannot read file::invalid JSON: Expecting value" in lines
    assert lines[-1] == "policylint: 7 findings (3 critical, 1 high, 1 medium, 1 low, 1 info), 2 errors in 6 files."


# --------------------------------------------------------------------------- the registry; text


def test_every_reporter_is_render_report_options(in_root):
    import inspect

    from policylint.commands import FORMAT_CHOICES

    assert FORMAT_CHOICES == tuple(REPORTERS) == ("text", "json", "sarif", "junit", "github", "gitlab", "markdown")
    for name, module in REPORTERS.items():
        reporter = __import__(module, fromlist=["render"]).render
        assert list(inspect.signature(reporter).parameters) == ["report", "options"], name
        assert render(name, sample_report(), RenderOptions(root=in_root, rules=RULES)).endswith("\n")


def test_text_lists_suppressed_findings_and_counts_them():
    report = sample_report()
    hidden = report.findings.pop(0)
    report.suppressed = [SuppressedFinding(hidden, Suppression("comment", hidden.file, 2, (hidden.rule_id,), "reviewed"))]
    report.baselined = 2
    lines = render("text", report, RenderOptions(show_suppressed=True)).splitlines()
    assert lines[-2] == "infra/main.tf:3: PL107 [low] Bucket has no versioning (aws_s3_bucket.logs) [suppressed by inline comment at infra/main.tf:2: reviewed]"
    assert lines[-1] == "6 findings (3 critical, 1 high, 1 medium, 1 info), 2 errors in 6 files; 1 suppressed (1 by inline comment); 2 in the baseline."
    assert "suppressed by" not in render("text", report, RenderOptions())
    assert render("text", report, RenderOptions(quiet=True)).splitlines()[-1] == "unreadable.json: error: invalid JSON: Expecting value"
    assert render("text", Report(files=1), RenderOptions(quiet=True)) == ""


def test_text_prints_every_line_break_as_a_plain_one():
    report = Report(findings=[finding("PL107", "low", "one\rtwo\u2028three", "a.tf", 1)], files=1)
    assert render("text", report, RenderOptions(quiet=True)) == "a.tf:1: PL107 [low] one\ntwo\nthree\n"


# --------------------------------------------------------------------------- CLI: every format


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github", "gitlab", "markdown"])
@pytest.mark.parametrize("content, code", [(CLEAN, 0), (LOOP, 1), (BROKEN, 2)], ids=["clean", "finding", "error"])
def test_exit_codes_for_every_format(tmp_path, fmt, content, code):
    (tmp_path / "t.yaml").write_text(content)
    out = tmp_path / "report.out"
    result = CliRunner().invoke(cli, ["scan", str(tmp_path / "t.yaml"), "--select", "PL101", "--no-config", "--format", fmt, "--output", str(out)])
    assert result.exit_code == code, result.output
    text = out.read_text()
    if fmt == "json":
        json.loads(text)
    elif fmt == "sarif":
        assert json.loads(text)["version"] == "2.1.0"
    elif fmt == "junit":
        ET.fromstring(text)
    elif fmt == "github" and code:
        assert text.startswith("::error file=")


def test_fail_on_applies_to_every_format(tmp_path):
    (tmp_path / "t.yaml").write_text(LOOP)
    for fmt in ("sarif", "junit", "github"):
        result = CliRunner().invoke(cli, ["scan", str(tmp_path), "--select", "PL101", "--no-config", "--format", fmt, "--fail-on", "critical"])
        assert result.exit_code == 0, (fmt, result.output)


def test_json_gains_suppression_keys_only_when_used(tmp_path):
    (tmp_path / "t.yaml").write_text(LOOP.replace("LoggingConfiguration:", "LoggingConfiguration: # policylint:ignore PL101 -- sink"))
    plain = json.loads(CliRunner().invoke(cli, ["scan", str(tmp_path), "--select", "PL101", "--no-config", "--format", "json"]).output)
    assert plain["summary"] == {"files": 1, "findings": 0, "errors": 0, "suppressed": 1, "baselined": 0}
    assert "suppressed" not in plain
    shown = json.loads(CliRunner().invoke(cli, ["scan", str(tmp_path), "--select", "PL101", "--no-config", "--format", "json", "--show-suppressed"]).output)
    (item,) = shown["suppressed"]
    assert item["rule_id"] == "PL101" and item["suppression"]["reason"] == "sink" and item["suppression"]["kind"] == "comment"


def test_root_option_makes_paths_relative(tmp_path):
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "t.yaml").write_text(LOOP)
    result = CliRunner().invoke(cli, ["scan", str(tmp_path / "infra"), "--select", "PL101", "--no-config", "--format", "github", "--root", str(tmp_path)])
    assert result.output.startswith("::error file=infra/t.yaml,line=6,")


# --------------------------------------------------------------------------- terminal output


def test_explain_is_plain_markdown_when_not_a_terminal():
    result = CliRunner().invoke(cli, ["explain", "PL101"])
    assert "\033[" not in result.output and "## What it does" in result.output and "```hcl" in result.output


def test_explain_knows_the_meta_rule():
    result = CliRunner().invoke(cli, ["explain", "unused-suppression"])
    assert result.exit_code == 0 and result.output.startswith("PL000 unused-suppression [info]")


def test_markdown_rendering_for_a_terminal():
    from policylint.terminal import render_markdown

    docs = "## Example\nSee [the guide](https://x.example) and `acl`.\n```hcl\nacl = \"private\"\n```\n"
    coloured = render_markdown(docs, colour=True)
    assert "##" not in coloured and "```" not in coloured
    assert '    \033[36macl = "private"\033[0m' in coloured
    assert "the guide \033[2m<https://x.example>\033[0m" in coloured
    assert render_markdown(docs, colour=False) == docs


def test_progress_bar_draws_only_for_large_slow_scans():
    from policylint.terminal import Progress

    stream = io.StringIO()
    small = Progress(stream, min_total=20, delay=0)
    small(1, 5)
    assert stream.getvalue() == ""
    large = Progress(stream, min_total=20, delay=0)
    for done in range(1, 41):
        large(done, 40)
    assert "\rpolicylint: parsing [" in stream.getvalue() and stream.getvalue().endswith(" 40/40")
    large.close()
    assert stream.getvalue().endswith("\r\033[K")
    waiting = Progress(io.StringIO(), min_total=1, delay=60)
    waiting(1, 100)
    assert not waiting.drawn


def test_no_progress_when_stderr_is_not_a_terminal_and_quiet_drops_the_summary(tmp_path):
    (tmp_path / "t.yaml").write_text(LOOP)
    result = CliRunner().invoke(cli, ["scan", str(tmp_path), "--select", "PL101", "--no-config"])
    assert result.stderr == ""
    quiet = CliRunner().invoke(cli, ["scan", str(tmp_path), "--select", "PL101", "--no-config", "--quiet"])
    assert quiet.exit_code == 1 and len(quiet.output.splitlines()) == 1 and "PL101" in quiet.output


# --------------------------------------------------------------------------- parallel parsing


def test_parallel_parsing_gives_the_serial_result():
    paths = [str(ROOT / "fixtures"), str(ROOT / "examples")]
    serial = lint_paths(paths, suppress=True)
    parallel = lint_paths(paths, suppress=True, jobs=3)
    assert serial.findings and parallel.findings == serial.findings
    assert parallel.errors == serial.errors and parallel.files == serial.files
    assert parallel.suppressed == serial.suppressed


def test_parallel_progress_reports_every_unit(tmp_path):
    for index in range(4):
        (tmp_path / f"t{index}.yaml").write_text(LOOP)
    calls = []
    lint_paths([str(tmp_path)], select=["PL101"], jobs=2, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
