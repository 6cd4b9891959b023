"""``Scan.lines``: a file's lines as ``text.split("\\n")`` gives them, split once while the rules
read that file's findings, and only the last file's kept."""

from __future__ import annotations

from policylint.model import TextFile
from policylint.scan import Scan


def test_the_last_files_lines_are_split_once_and_only_they_are_kept():
    scan = Scan([], [TextFile("a.yaml", "one\ntwo\n", "cloudformation"), TextFile("b.yaml", "x", "cloudformation")])
    first = scan.lines("a.yaml")
    assert first == ["one", "two", ""] and scan.lines("a.yaml") is first
    assert scan.lines("b.yaml") == ["x"]
    assert scan.lines("a.yaml") == first and scan.lines("a.yaml") is not first  # split again
    assert scan.lines("unread.yaml") == [""]  # a file the scan did not read
