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
    return Wildcard(tuple(re.compile("".join(s), flags) for s in segments), tuple(len(s) for s in segments))


def compile_literals(pieces: Sequence[str], flags: int = 0) -> Wildcard:
    """Literal strings with any string between two of them: ``["", "-logs"]`` for ``*-logs``."""
    out: list[Optional[str]] = []
    for number, piece in enumerate(pieces):
        if number:
            out.append(STAR)
        out.extend(re.escape(char) for char in piece)
    return compile_pieces(out, flags)
