"""Regular expressions compiled on first use.

A module-level ``re.compile`` runs at import, for every scan, whether or not the scan ever
matches it: the secret scanners, the rules and the suppression reader held about 60 of them, a
fifth of a one-file scan's CPU.  ``lazy(pattern, flags)`` has the compiled pattern's interface and
compiles on first use; after that its methods are the compiled pattern's own (no indirection).
"""

from __future__ import annotations

import re

_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "scanner")
_ATTRIBUTES = ("pattern", "flags", "groups", "groupindex")


class LazyPattern:
    __slots__ = ("_source", "_flags", *_METHODS, *_ATTRIBUTES)

    def __init__(self, pattern: str, flags: int = 0):
        self._source = pattern
        self._flags = flags

    def __getattr__(self, name: str):
        # Only reached for a name not set yet: compile once, then bind everything.
        if name not in _METHODS and name not in _ATTRIBUTES:
            raise AttributeError(name)
        compiled = re.compile(self._source, self._flags)
        for attribute in (*_METHODS, *_ATTRIBUTES):
            object.__setattr__(self, attribute, getattr(compiled, attribute))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy({self._source!r})"


def lazy(pattern: str, flags: int = 0) -> LazyPattern:
    """``re.compile(pattern, flags)``, compiled when first used."""
    return LazyPattern(pattern, flags)


class Needles:
    """``any(needle in text for needle in needles)``, in fewer passes over the text.

    Each ``in`` is one pass (about 0.7 ns a character).  Needles that share their first
    character are looked for together, by one pattern that starts with that character: the
    regular-expression engine finds a pattern's literal first character about as fast as ``in``
    finds a needle, and checks the rest only there.  Needles alone in their group stay ``in``.
    """

    __slots__ = ("_alone", "_together")

    def __init__(self, needles):
        groups: dict[str, list[str]] = {}
        for needle in sorted(set(needles)):
            if not needle:
                raise ValueError("an empty needle is in every text")
            groups.setdefault(needle[0], []).append(needle)
        self._alone = tuple(group[0] for group in groups.values() if len(group) == 1)
        self._together = tuple(
            lazy(re.escape(first) + "(?:" + "|".join(re.escape(n[1:]) for n in group) + ")")
            for first, group in groups.items()
            if len(group) > 1
        )

    def found_in(self, text: str) -> bool:
        for needle in self._alone:
            if needle in text:
                return True
        for pattern in self._together:
            if pattern.search(text) is not None:
                return True
        return False
