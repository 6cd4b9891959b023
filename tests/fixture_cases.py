"""Fixture cases with their expectations, shared by the rule tests and the docs tests.

Layout: ``fixtures/<CODE>/<case>.<ext>`` is one case; ``fixtures/<CODE>/<case>/`` (a directory) is
one case scanned as a unit (a Terraform module, a template plus its policy file...).
An offending line carries ``expect: <CODE>`` in a comment at its end, or the line before carries
``expect-next: <CODE>`` (heredocs need it).  JSON has no comments: ``// expect: <CODE>`` is written
anyway and blanked out (same length, so lines and columns stay) before the file is scanned; so
are the markers of ``.tf`` files, which may sit inside a JSON heredoc.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
MARKER = re.compile(r"(?:#|//)\s*expect(-next)?:\s*([A-Za-z0-9_,\- ]+)")
JSON_MARKER = re.compile(r"//\s*expect(?:-next)?:[^\n]*")
# In .tf files markers are blanked too: inside a JSON heredoc a comment would break the JSON.
TF_MARKER = re.compile(r"(?:#|//)\s*expect(?:-next)?:[^\n]*")


@dataclass(frozen=True)
class Case:
    code: str
    path: Path

    @property
    def id(self) -> str:
        return f"{self.code}/{self.path.name}"

    def files(self) -> list[Path]:
        if self.path.is_dir():
            return sorted(p for p in self.path.rglob("*") if p.is_file())
        return [self.path]

    def expected(self) -> set[tuple[str, int, str]]:
        """(relative file, line, code) for every marker."""
        out = set()
        for file in self.files():
            rel = file.relative_to(self.path).as_posix() if self.path.is_dir() else file.name
            for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
                for match in MARKER.finditer(line):
                    target = number + 1 if match.group(1) else number
                    for code in re.split(r"[,\s]+", match.group(2).strip()):
                        if code:
                            out.add((rel, target, code.upper()))
        return out

    def materialise(self, into: Path) -> Path:
        """Copy the case into ``into`` with JSON markers blanked; return the path to scan."""
        target = into / self.path.name
        if self.path.is_dir():
            shutil.copytree(self.path, target)
        else:
            shutil.copy(self.path, target)
        for file in [target] if target.is_file() else target.rglob("*"):
            marker = {".json": JSON_MARKER, ".template": JSON_MARKER, ".tf": TF_MARKER}.get(file.suffix) if file.is_file() else None
            if marker is not None:
                text = file.read_text(encoding="utf-8")
                file.write_text(marker.sub(lambda m: " " * len(m.group(0)), text), encoding="utf-8")
        return target


def all_cases() -> list[Case]:
    cases = []
    if not FIXTURES.is_dir():
        return cases
    for code_dir in sorted(FIXTURES.iterdir()):
        if code_dir.is_dir() and re.fullmatch(r"PL\d{3}", code_dir.name):
            for entry in sorted(code_dir.iterdir()):
                if not entry.name.startswith("."):
                    cases.append(Case(code_dir.name, entry))
    return cases


def relative(finding_file: str, scanned: Path) -> str:
    path = Path(finding_file)
    if scanned.is_dir():
        return path.resolve().relative_to(scanned.resolve()).as_posix()
    return path.name
