"""Wildcard matching in time linear in the pattern times the text, whatever the pattern.

IAM and S3 patterns (``arn:aws:s3:::*a*a*a*b/*``), action patterns (``s3:*?*?0``) and partly known
names (``${var.env}-logs``) all come from the user.  Translated to one regular expression
(``*`` → ``.*``), a few stars make Python's backtracking matcher exponential.  Here a pattern is
split at its stars into segments that each match a fixed number of characters: the first must
match at the start, the last at the end, and the ones between are placed leftmost, in order (the
classic greedy strategy, which is exact when every star may match any string).  Each segment is
one small regular expression without stars, so a match costs at most O(pattern × text).
"""

from __future__ import annotations

import re

from policylint.records import record

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Iterable, Optional, Sequence

STAR = None  # the piece that stands for any string (possibly empty)


@record(frozen=True)
class Wildcard:
    """Segments of one-character pieces, with any string allowed between two segments."""

    segments: tuple[re.Pattern, ...]
    lengths: tuple[int, ...]

    def fullmatch(self, text: str) -> bool:
        segments, lengths = self.segments, self.lengths
        if len(segments) == 1:
            return segments[0].fullmatch(text) is not None
        if sum(lengths) > len(text):
            return False
        first = segments[0].match(text)
        if first is None:
            return False
        position = first.end()
        tail = len(text) - lengths[-1]
        if segments[-1].fullmatch(text, tail) is None:
            return False
        for segment, length in zip(segments[1:-1], lengths[1:-1]):
            if not length:
                continue
            found = segment.search(text, position, tail)
            if found is None:
                return False
            position = found.end()
        return True


def compile_pieces(pieces: Iterable[Optional[str]], flags: int = 0) -> Wildcard:
    """A matcher from pieces: :data:`STAR`, or the source of a regular expression that matches
    exactly one character (``a``, ``\\*``, ``[^x]``, ``.``; ``(?!)`` never matches)."""
    segments: list[list[str]] = [[]]
    for piece in pieces:
        if piece is STAR:
            if segments[-1] or len(segments) == 1:
                segments.append([])
        else:
            segments[-1].append(piece)
    return Wildcard(tuple(_segment(s, flags) for s in segments), tuple(len(s) for s in segments))


def _segment(pieces: list[str], flags: int):
    """The regular expression of a segment, or for literal characters (most segments: ARNs,
    action names) a :class:`_Literal`, as compiling costs far more than all the matching."""
    if flags & ~(re.DOTALL | re.IGNORECASE) == 0:
        text = "".join(piece[-1] for piece in pieces)
        if all(map(_is_escaped_char, pieces)) and (text.isascii() or not flags & re.IGNORECASE):
            return _Literal(text, flags)
    return re.compile("".join(pieces), flags)


_ESCAPED = frozenset(c for c in map(chr, range(128)) if re.escape(c) != c)  # re.escape changes only these


def _is_escaped_char(piece: str) -> bool:
    """``piece == re.escape(piece[-1])``, without calling it for every character."""
    if len(piece) == 1:
        return piece not in _ESCAPED
    return len(piece) == 2 and piece[0] == "\\" and piece[1] in _ESCAPED


class _Found:
    __slots__ = ("_end",)

    def __init__(self, end: int):
        self._end = end

    def end(self) -> int:
        return self._end


# Private-use characters (the evaluator's markers for unknown pieces) have no case: lowering a
# text whose only other characters are ASCII is still exactly what the regular expression does.
_PRIVATE_USE = dict.fromkeys(range(0xE000, 0xE010))


class _Literal:
    """Literal characters with the ``match``/``fullmatch``/``search`` of their regular expression
    (the reference), by string methods.  Case-insensitive on ASCII text (and the evaluator's
    private-use markers) only: elsewhere the regular expression's case folding (``k`` matches the
    Kelvin sign) takes over."""

    __slots__ = ("text", "flags", "ignore_case", "_regex")

    def __init__(self, text: str, flags: int):
        self.flags = flags
        self.ignore_case = bool(flags & re.IGNORECASE)  # once: `&` on a RegexFlag runs Python code
        self.text = text.lower() if self.ignore_case else text
        self._regex: Optional[re.Pattern] = None

    def _subject(self, subject: str) -> Optional[str]:
        if not self.ignore_case:
            return subject
        if subject.isascii() or subject.translate(_PRIVATE_USE).isascii():
            return subject.lower()
        return None

    def _reference(self) -> re.Pattern:
        if self._regex is None:
            self._regex = re.compile(re.escape(self.text), self.flags)
        return self._regex

    def match(self, subject: str):
        text = self._subject(subject)
        if text is None:
            return self._reference().match(subject)
        return _Found(len(self.text)) if text.startswith(self.text) else None

    def fullmatch(self, subject: str, pos: int = 0):
        text = self._subject(subject)
        if text is None:
            return self._reference().fullmatch(subject, pos)
        return _Found(len(text)) if len(text) - pos == len(self.text) and text.startswith(self.text, pos) else None

    def search(self, subject: str, pos: int, endpos: int):
        text = self._subject(subject)
        if text is None:
            return self._reference().search(subject, pos, endpos)
        found = text.find(self.text, pos, endpos)
        return _Found(found + len(self.text)) if found >= 0 else None


def compile_literals(pieces: Sequence[str], flags: int = 0) -> Wildcard:
    """Literal strings with any string between two of them: ``["", "-logs"]`` for ``*-logs``."""
    out: list[Optional[str]] = []
    for number, piece in enumerate(pieces):
        if number:
            out.append(STAR)
        out.extend(re.escape(char) for char in piece)
    return compile_pieces(out, flags)
