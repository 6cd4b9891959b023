"""JSON into :class:`Node` trees with exact lines, in pure Python.

For JSON that PyYAML's loader cannot read (surrogate-pair escapes, very long keys) and for JSON
embedded in Terraform (heredoc policies, `jsonencode` renderings, `file()` of a JSON file), where
``template_refs`` also lets HCL template placeholders stay unknown.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from json.decoder import scanstring

from policylint.model import Node, Ref, Unknown
from policylint.patterns import lazy

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Any

_WHITESPACE = lazy(r"[ \t\n\r]*")
_NUMBER = lazy(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_PLACEHOLDER = lazy(r"\$\$\{|%%\{|\$\{|%\{")


def json_to_node(text: str, file: str, line: int, *, aligned: bool = False, template_refs: tuple[Ref, ...] | None = None) -> Node:
    """Parse JSON into Nodes of ``file``.  ``aligned``: the text is laid out in the file as
    written and its first line is ``line``, so every value gets the line it is written on (an
    object member its key's line).  Otherwise (an escaped one-line string, plan JSON) every Node
    gets ``line``.

    ``template_refs`` marks ``text`` as an HCL template rendering (an ``Unknown``'s text): a string
    holding ``${...}`` becomes an Unknown with the refs it mentions, and ``$${`` escapes are
    undone in the others.  Raises ValueError on malformed JSON."""
    reader = _JsonReader(text, file, line, aligned, template_refs)
    node = reader.value(reader.skip(0))
    end = reader.skip(node[1])
    if end != len(text):
        raise ValueError(f"extra data at offset {end}")
    return node[0]


def _number(text: str, fraction: bool) -> Any:
    """A JSON number; an unknown holding its text when it is too long (an integer over 4,300
    digits, which Python will not convert) or beyond a float's range."""
    try:
        value = float(text) if fraction else int(text)
    except ValueError:
        return Unknown(text)
    return Unknown(text) if value in (float("inf"), float("-inf")) else value


class _JsonReader:
    def __init__(self, text: str, file: str, first_line: int, aligned: bool, template_refs: tuple[Ref, ...] | None):
        self.text = text
        self.file = file
        self.first_line = first_line
        self.aligned = aligned
        self.newlines = [m.start() for m in re.finditer("\n", text)] if self.aligned else []
        self.template_refs = template_refs

    def line(self, pos: int) -> int:
        return self.first_line + bisect_left(self.newlines, pos) if self.aligned else self.first_line

    def skip(self, pos: int) -> int:
        return _WHITESPACE.match(self.text, pos).end()  # type: ignore[union-attr]

    def value(self, pos: int, line: int | None = None) -> tuple[Node, int]:
        text = self.text
        if pos >= len(text):
            raise ValueError("unexpected end of JSON")
        start_line = line if line is not None else self.line(pos)
        char = text[pos]
        if char == "{":
            members: dict[str, Node] = {}
            pos = self.skip(pos + 1)
            if text.startswith("}", pos):
                return self._node(members, start_line, pos), pos + 1
            while True:
                if not text.startswith('"', pos):
                    raise ValueError(f"expected a key at offset {pos}")
                key_line = self.line(pos)
                key, pos = scanstring(text, pos + 1)
                pos = self.skip(pos)
                if not text.startswith(":", pos):
                    raise ValueError(f"expected ':' at offset {pos}")
                member, pos = self.value(self.skip(pos + 1), key_line)
                members[self._unescape(key) if self.template_refs is not None else key] = member
                pos = self.skip(pos)
                if text.startswith(",", pos):
                    pos = self.skip(pos + 1)
                elif text.startswith("}", pos):
                    return self._node(members, start_line, pos), pos + 1
                else:
                    raise ValueError(f"expected ',' or '}}' at offset {pos}")
        if char == "[":
            items: list[Node] = []
            pos = self.skip(pos + 1)
            if text.startswith("]", pos):
                return self._node(items, start_line, pos), pos + 1
            while True:
                item, pos = self.value(pos)
                items.append(item)
                pos = self.skip(pos)
                if text.startswith(",", pos):
                    pos = self.skip(pos + 1)
                elif text.startswith("]", pos):
                    return self._node(items, start_line, pos), pos + 1
                else:
                    raise ValueError(f"expected ',' or ']' at offset {pos}")
        if char == '"':
            string, end = scanstring(text, pos + 1)
            return self._node(self._string(string), start_line, end - 1), end
        for word, literal in (("true", True), ("false", False), ("null", None)):
            if text.startswith(word, pos):
                return self._node(literal, start_line, pos), pos + len(word)
        match = _NUMBER.match(text, pos)
        if match:
            number = match.group(0)
            parsed: Any = _number(number, bool(match.group(1) or match.group(2)))
            return self._node(parsed, start_line, pos), match.end()
        raise ValueError(f"unexpected character at offset {pos}")

    def _node(self, value: Any, line: int, end_pos: int) -> Node:
        end_line = self.line(end_pos)
        return Node(value, self.file, line, end_line if end_line > line else None)

    def _string(self, string: str) -> Any:
        if self.template_refs is None or ("{" not in string):
            return string
        if any(m.group(0) in ("${", "%{") for m in _PLACEHOLDER.finditer(string)):
            refs = tuple(r for r in self.template_refs if r.text in string)
            return Unknown(string, refs)
        return self._unescape(string)

    @staticmethod
    def _unescape(string: str) -> str:
        return string.replace("$${", "${").replace("%%{", "%{")


# --------------------------------------------------------------------------- table
