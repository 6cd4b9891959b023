"""The rule catalogue: every rule, and the one reading of rule names and severities.

Rules are found by walking the ``policylint.rules`` package (adding a rule means adding a file).
Every "which rules does this name select" and "is this severity at least that" question of the
engine, config, suppressions, baseline, reporters and CLI is answered here, so that a name means
the same thing everywhere: a code (``PL101``, any case), a slug (``s3-logging-loop``), a code
prefix (``PL1``: a whole family, like ruff's selectors) or ``ALL``.
"""

from __future__ import annotations

import importlib
import os
from functools import lru_cache

from policylint.report import SEVERITIES
from policylint.rule import FORMATS, Rule

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Iterable


class UsageError(ValueError):
    """A bad rule name or option: the CLI turns it into exit code 2."""


def at_least(severity: str, threshold: str) -> bool:
    """Whether ``severity`` is ``threshold`` or worse."""
    return SEVERITIES.index(severity) >= SEVERITIES.index(threshold)


class Catalogue:
    """``checks`` are the rules the engine runs; ``meta`` rules (PL000) are emitted by a later
    step of the pipeline but are named, selected and documented like any other rule."""

    def __init__(self, rules: Iterable[type[Rule]]):
        ordered = sorted(rules, key=lambda r: r.code)
        self.every: tuple[type[Rule], ...] = tuple(ordered)
        self.checks: tuple[type[Rule], ...] = tuple(r for r in ordered if not r.meta)
        self.meta: tuple[type[Rule], ...] = tuple(r for r in ordered if r.meta)
        self._by_name = {r.code.lower(): r for r in ordered} | {r.slug: r for r in ordered}

    def find(self, name: str) -> type[Rule]:
        """A rule by code (any case) or slug; :class:`UsageError` when there is none."""
        rule = self._by_name.get(name.strip().lower())
        if rule is None:
            raise UsageError(f"unknown rule `{name}`{self.suggest(name)} (see `policylint rules`)")
        return rule

    def suggest(self, name: str) -> str:
        """``; did you mean `PL101`?`` for a name close to a code or slug, else an empty string."""
        import difflib

        key = name.strip().lower()
        hints = difflib.get_close_matches(key, list(self._by_name), n=1, cutoff=0.75)
        if not hints:
            return ""
        rule = self._by_name[hints[0]]
        return f"; did you mean `{rule.code if hints[0] == rule.code.lower() else rule.slug}`?"

    def codes(self, names: Iterable[str]) -> set[str]:
        """The codes that ``names`` stand for (blank names are ignored); an unknown name is a
        :class:`UsageError`."""
        codes: set[str] = set()
        for name in names:
            name = name.strip()
            upper = name.upper()
            if not name:
                continue
            if upper == "ALL":
                codes.update(r.code for r in self.every)
                continue
            prefixed = [r.code for r in self.every if r.code.startswith(upper)] if upper.startswith("PL") else []
            codes.update(prefixed or [self.find(name).code])
        return codes

    def selected_codes(self, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> set[str]:
        """Codes enabled by ``select`` (every rule when it names none) minus ``ignore``."""
        chosen = self.codes(select)
        if not chosen:
            chosen = {r.code for r in self.every}
        return chosen - self.codes(ignore)

    def select(self, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[type[Rule]]:
        """The rules the engine runs for ``select`` / ``ignore``, by code."""
        codes = self.selected_codes(select, ignore)
        return [r for r in self.checks if r.code in codes]

    def is_selected(self, rule: type[Rule], select: Iterable[str] = (), ignore: Iterable[str] = ()) -> bool:
        return rule.code in self.selected_codes(select, ignore)


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """Every Rule subclass under the ``policylint.rules`` package, checked and sorted by code."""
    import policylint.rules as package

    found: dict[str, type[Rule]] = {}
    for name in _modules_under(package.__path__, package.__name__):
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and value is not Rule and value.__module__ == module.__name__:
                _check_metadata(value)
                if value.code in found:
                    raise RuntimeError(f"rule code {value.code} is defined twice")
                found[value.code] = value
    return Catalogue(found.values())


def _modules_under(directories, prefix: str) -> list[str]:
    """The modules and packages under a package, as ``pkgutil.walk_packages`` lists them, read
    from the directories alone (pkgutil imports ``inspect``, a tenth of a one-file scan's start)."""
    names: list[str] = []
    for directory in directories:
        try:
            entries = sorted(os.listdir(directory))
        except OSError:
            continue
        for entry in entries:
            path = os.path.join(directory, entry)
            if entry.endswith(".py") and entry != "__init__.py" and entry[:-3].isidentifier():
                names.append(f"{prefix}.{entry[:-3]}")
            elif entry.isidentifier() and os.path.isfile(os.path.join(path, "__init__.py")):
                names.append(f"{prefix}.{entry}")
                names += _modules_under([path], f"{prefix}.{entry}")
    return names


def _check_metadata(rule: type[Rule]) -> None:
    for attr in ("code", "slug", "severity", "title", "formats"):
        if not hasattr(rule, attr):
            raise RuntimeError(f"rule {rule.__name__} lacks `{attr}`")
    if rule.severity not in SEVERITIES:
        raise RuntimeError(f"rule {rule.code} has unknown severity {rule.severity!r}")
    if not set(rule.formats) <= FORMATS:
        raise RuntimeError(f"rule {rule.code} names unknown formats {set(rule.formats) - FORMATS}")
