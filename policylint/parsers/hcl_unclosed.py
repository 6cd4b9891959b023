"""Where an HCL construct that is never closed began.

The parser reports an unclosed block, bracket, string, heredoc or comment at the end of the file,
where it ran out of text; the user needs the line where the construct opened.  :func:`unclosed`
finds it with one linear pass over the text that tracks brackets, strings (with their ``${ }``
interpolations), heredocs and comments.  It is consulted only after the parser has failed at the
end of the file, so it never decides whether a file is valid.
"""

from __future__ import annotations

import re

from policylint.patterns import lazy

_HEREDOC = lazy(r"<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")
_CLOSERS = {"}": "{", "]": "[", ")": "("}


def top_level_lines(text: str) -> list[tuple[int, int]] | None:
    """(character offset, line) of every line that starts a new top-level construct: nothing is
    open before it (no block, bracket, string, heredoc or comment) and it begins with a name.
    None when the text does not scan cleanly (the parser will say why)."""
    starts: list[tuple[int, int]] = []
    return None if unclosed(text, starts) is not None else starts


def unclosed(text: str, starts: list[tuple[int, int]] | None = None) -> tuple[int, str] | None:
    """(line, message) for the innermost construct still open at the end of ``text``, or None.
    With ``starts``, also collect :func:`top_level_lines` (cleared when the text is unbalanced)."""
    stack: list[tuple[str, int]] = []  # ("{" | "[" | "(" | "str" | "interp", line opened)
    line, i, n = 1, 0, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            if stack and stack[-1][0] == "str":
                return stack[-1][1], 'the string that starts on this line is not closed (a missing `"`)'
            line += 1
            i += 1
            if starts is not None and not stack and i < n and (text[i].isalpha() or text[i] == "_"):
                starts.append((i, line))
            continue
        if stack and stack[-1][0] == "str":
            if c == "\\":
                i += 2
                continue
            if text.startswith(("$${", "%%{"), i):
                i += 3
                continue
            if text.startswith(("${", "%{"), i):
                stack.append(("interp", line))
                i += 2
                continue
            if c == '"':
                stack.pop()
            i += 1
            continue
        if c == "#" or text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                return line, "the `/*` comment that starts on this line is not closed (a missing `*/`)"
            line += text.count("\n", i, end)
            i = end + 2
            continue
        heredoc = _HEREDOC.match(text, i) if c == "<" else None
        if heredoc:
            marker = heredoc.group(1)
            close = re.compile(rf"^[ \t]*{re.escape(marker)}[ \t]*\r?$", re.MULTILINE).search(text, heredoc.end())
            if close is None:
                return line, f"the heredoc `<<{marker}` that starts on this line has no closing `{marker}` line"
            line += text.count("\n", i, close.end())
            i = close.end()
            continue
        if c == '"':
            stack.append(("str", line))
        elif c in "{[(":
            stack.append((c, line))
        elif c in _CLOSERS:
            if not stack:
                if starts is not None:
                    starts.clear()
                return None
            top = stack[-1][0]
            if c == "}" and top == "interp":
                stack.pop()
            elif top == _CLOSERS[c]:
                stack.pop()
            else:
                if starts is not None:
                    starts.clear()
                return None  # a mismatch: the parser's own message is the better one
        i += 1
    if not stack:
        return None
    kind, opened = stack[-1]
    if kind == "interp":
        return opened, "the `${` interpolation that starts on this line is not closed (a missing `}`)"
    if kind == "str":
        return opened, 'the string that starts on this line is not closed (a missing `"`)'
    closing = {"{": "}", "[": "]", "(": ")"}[kind]
    what = "block or object" if kind == "{" else ("list" if kind == "[" else "parenthesis")
    return opened, f"the {what} `{kind}` opened on this line is never closed (a missing `{closing}`)"
