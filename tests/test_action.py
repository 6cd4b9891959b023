"""action.yml (the composite GitHub Action): its shape, its inputs, and its scan script run on
examples/demo the way the runner runs it (bash, inputs as environment variables)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def action() -> dict:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def steps() -> dict:
    return {step["name"]: step for step in action()["runs"]["steps"]}


def test_action_shape():
    data = action()
    assert {"name", "description", "inputs", "outputs", "runs"} <= set(data)
    assert data["runs"]["using"] == "composite"
    assert set(data["inputs"]) == {"paths", "format", "fail-on", "sarif-file"}
    for name, spec in data["inputs"].items():
        assert spec["description"] and "default" in spec, name
    for step in data["runs"]["steps"]:
        assert step["shell"] == "bash" and step["run"], step["name"]  # composite run steps need a shell
    install = steps()["Install policylint"]["run"]
    assert 'install --quiet --disable-pip-version-check "${{ github.action_path }}"' in install
    for output in data["outputs"].values():
        assert output["value"].startswith("${{ steps.scan.outputs.")


def test_every_input_is_used_and_every_reference_declared():
    text = ACTION.read_text(encoding="utf-8")
    referenced = {m.group(1).removeprefix("inputs.") for m in EXPRESSION.finditer(text) if m.group(1).startswith("inputs.")}
    assert referenced == set(action()["inputs"])
    for step in action()["runs"]["steps"]:
        # inputs are passed through `env:`, never spliced into the script (shell injection)
        assert "inputs." not in step["run"], step["name"]
    formats = action()["inputs"]["format"]["default"]
    from policylint.reporters import REPORTERS

    assert formats in REPORTERS


def run_scan(tmp_path, **inputs) -> tuple[subprocess.CompletedProcess, dict]:
    step = steps()["Scan"]
    defaults = {name: spec["default"] for name, spec in action()["inputs"].items()}
    values = {**defaults, **inputs}
    env = {key: EXPRESSION.sub(lambda m: values[m.group(1).removeprefix("inputs.")], value) for key, value in step["env"].items()}
    output = tmp_path / "github_output"
    summary = tmp_path / "step_summary.md"
    environment = {
        **os.environ,
        **env,
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    result = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines()) if output.exists() else {}
    return result, outputs


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not available")
def test_scan_script_on_the_demo(tmp_path):
    if not (Path(sys.executable).parent / "policylint").exists():
        pytest.skip("the policylint console script is not installed next to this Python")
    sarif = tmp_path / "out.sarif"
    result, outputs = run_scan(tmp_path, paths="examples/demo", **{"sarif-file": str(sarif)})
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("::error file=examples/demo/")
    assert outputs == {"sarif-file": str(sarif), "exit-code": "1"}
    log = json.loads(sarif.read_text())
    assert log["version"] == "2.1.0" and log["runs"][0]["results"]
    assert (tmp_path / "step_summary.md").read_text().startswith("### policylint: ")
    # fail-on above every finding: the step passes; a missing path fails with exit code 2
    assert run_scan(tmp_path, paths="examples/demo", **{"fail-on": "critical", "sarif-file": str(sarif)})[1]["exit-code"] in ("0", "1")
    missing, outputs = run_scan(tmp_path, paths="examples/nope", **{"sarif-file": str(sarif)})
    assert missing.returncode == 2 and outputs["exit-code"] == "2"


def test_readme_pins_a_commit_that_has_the_hooks_and_the_action():
    """The README's pre-commit `rev` and action ref are commit SHAs of this repository."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    revs = set(re.findall(r"rev: ([0-9a-f]{40})", readme))
    assert revs, "the pre-commit recipe pins a commit SHA"
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    for rev in revs:
        found = subprocess.run(["git", "cat-file", "-e", f"{rev}:.pre-commit-hooks.yaml"], cwd=ROOT, capture_output=True)
        if found.returncode != 0 and subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=ROOT, capture_output=True, text=True).stdout.strip() == "true":
            pytest.skip("shallow clone: the pinned commit is not fetched")
        assert found.returncode == 0, f"{rev} is not a commit of this repository with .pre-commit-hooks.yaml"
