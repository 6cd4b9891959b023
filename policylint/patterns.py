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
