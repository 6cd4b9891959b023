"""Terminal output helpers: a progress bar for long scans and Markdown rendering for
``policylint explain``.  Standard library only."""

from __future__ import annotations

import re
import sys
import time

from policylint.patterns import lazy

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import TextIO

BOLD, DIM, UNDERLINE, CYAN, RESET = "\033[1m", "\033[2m", "\033[4m", "\033[36m", "\033[0m"


class Progress:
    """``progress(done, total)`` callback drawing ``policylint: parsing [####    ] 12/40`` on a
    terminal.  Nothing is drawn for a scan that is small (fewer than ``min_total`` units) or fast
    (done within ``delay`` seconds); the line is erased when the scan is done."""

    def __init__(self, stream: TextIO | None = None, min_total: int = 20, delay: float = 0.5, width: int = 30):
        self.stream = stream or sys.stderr
        self.min_total = min_total
        self.delay = delay
        self.width = width
        self.started = time.monotonic()
        self.last = 0.0
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if total < self.min_total or now - self.started < self.delay:
            return
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        filled = self.width * done // max(total, 1)
        bar = "#" * filled + " " * (self.width - filled)
        self.stream.write(f"\rpolicylint: parsing [{bar}] {done}/{total}")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.drawn = False


_INLINE_CODE = lazy(r"`([^`]+)`")
_LINK = lazy(r"\[([^\]]+)\]\(([^)\s]+)\)")
_STRONG = lazy(r"\*\*([^*]+)\*\*")


def render_markdown(text: str, colour: bool) -> str:
    """A rule's Markdown docs for the terminal.  Without colour (not a terminal, or NO_COLOR) the
    Markdown is returned as it is, which reads well and pipes into files; with colour, headings are
    bold and underlined, code blocks are indented and coloured without their fences, inline code is
    coloured and links show their address."""
    if not colour:
        return text
    out: list[str] = []
    in_code = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            out.append(f"    {CYAN}{line}{RESET}" if line else "")
            continue
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            out.append(f"{BOLD}{UNDERLINE}{heading.group(2)}{RESET}")
            continue
        line = _LINK.sub(lambda m: f"{m.group(1)} {DIM}<{m.group(2)}>{RESET}", line)
        line = _STRONG.sub(lambda m: f"{BOLD}{m.group(1)}{RESET}", line)
        line = _INLINE_CODE.sub(lambda m: f"{CYAN}{m.group(1)}{RESET}", line)
        out.append(line)
    return "\n".join(out)
