"""The cfn-lint rule pack, run by the real cfn-lint, and the PL → cfn-lint id mapping."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("cfnlint")

from policylint import cfnlint_pack  # noqa: E402

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: PublicRead
      LoggingConfiguration:
        LogFilePrefix: self/
      OwnershipControls:
        Rules:
          - ObjectOwnership: ObjectWriter
      VersioningConfiguration:
        Status: Enabled
  Quiet:
    Type: AWS::S3::Bucket
    Metadata:
      policylint:
        ignore: [{rule: PL111, reason: "public website"}]
    Properties:
      AccessControl: PublicRead
      OwnershipControls:
        Rules:
          - ObjectOwnership: ObjectWriter
      VersioningConfiguration:
        Status: Enabled
"""


def cfn_lint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    executable = shutil.which("cfn-lint", path=str(Path(sys.executable).parent)) or shutil.which("cfn-lint")
    if executable is None:
        pytest.skip("cfn-lint is not installed")
    return subprocess.run([executable, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def matches(result) -> list[tuple[str, int, int, list]]:
    data = json.loads(result.stdout)
    return sorted((m["Rule"]["Id"], m["Location"]["Start"]["LineNumber"], m["Location"]["Start"]["ColumnNumber"], m["Location"]["Path"]) for m in data if m["Rule"]["Id"][1] == "9")


def test_id_mapping():
    table = {code: (cfn_id, severity) for code, cfn_id, _, severity in cfnlint_pack.mapping()}
    assert table["PL101"] == ("E9101", "high")
    assert table["PL000"] == ("I9000", "info")
    letters = {"critical": "E", "high": "E", "medium": "W", "low": "W", "info": "I"}
    for code, (cfn_id, severity) in table.items():
        assert re.fullmatch(r"[EWI]9\d{3}", cfn_id)
        assert cfn_id == letters[severity] + "9" + code[2:]
    assert len({cfn_id for cfn_id, _ in table.values()}) == len(table)


def test_only_cloudformation_rules_are_in_the_pack():
    from policylint.catalogue import catalogue

    codes = {code for code, *_ in cfnlint_pack.mapping()}
    assert codes == {r.code for r in catalogue().checks if "cloudformation" in r.formats} | {"PL000"}


@pytest.mark.parametrize("mode", ["module", "directory"])
def test_real_cfn_lint_runs_the_pack(tmp_path, mode):
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    pack = "policylint.cfnlint_pack" if mode == "module" else str(Path(cfnlint_pack.__file__).parent)
    result = cfn_lint("--append-rules", pack, "--format", "json", "--", "template.yaml", cwd=tmp_path)
    found = matches(result)
    assert ("E9111", 6, 7, ["Resources", "Logs", "Properties", "AccessControl"]) in found, result.stdout + result.stderr
    assert ("E9101", 7, 7, ["Resources", "Logs", "Properties", "LoggingConfiguration"]) in found
    assert not [m for m in found if m[0] == "E9111" and m[1] == 20], "the Metadata suppression holds inside cfn-lint"
    assert result.returncode & 2, "cfn-lint's exit code has its error bit set"


def test_cfn_lint_switches_apply_to_the_pack(tmp_path):
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    result = cfn_lint("--append-rules", "policylint.cfnlint_pack", "--ignore-checks", "E9111", "--format", "json", "--", "template.yaml", cwd=tmp_path)
    ids = {m[0] for m in matches(result)}
    assert "E9101" in ids and "E9111" not in ids


def test_scanning_never_imports_cfnlint(tmp_path):
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    code = (
        "import sys\nfrom policylint.cli import main\n"
        f"try:\n    main(['scan', {str(tmp_path)!r}, '--format', 'sarif'])\nexcept SystemExit:\n    pass\n"
        "print('cfnlint' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path).stdout
    assert out.strip().endswith("False"), out


def test_readme_mapping_table_is_in_sync():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert cfnlint_pack.readme_with_mapping(readme) == readme, "run `python -m policylint.docs`"


def test_readme_pack_command_runs_on_the_demo():
    """The command the README shows, as written, on examples/demo (it once swallowed the name)."""
    root = Path(__file__).resolve().parent.parent
    section = (root / "README.md").read_text(encoding="utf-8").split("## cfn-lint rule pack", 1)[1]
    (command,) = [line for line in section.splitlines() if line.startswith("cfn-lint template.yaml")]
    args = command.split()[1:]
    args[args.index("template.yaml")] = str(root / "examples" / "demo" / "dns.yaml")
    result = cfn_lint(*args, "--format", "json", cwd=root)
    assert result.returncode != 32 and "error:" not in result.stderr, result.stderr
    assert any(m[0][1] == "9" for m in matches(result)), result.stdout


def test_pack_without_cfn_lint_says_how_to_install():
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'cfnlint' or name.startswith('cfnlint.'):\n"
        "            raise ImportError('No module named ' + repr(name))\n"
        "sys.meta_path.insert(0, Block())\n"
        "try:\n    import policylint.cfnlint_pack\nexcept ImportError as exc:\n    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert "pip install 'policylint[cfn-lint]'" in out, out
