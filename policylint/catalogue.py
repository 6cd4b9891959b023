"""The rule catalogue: every rule, and the one reading of rule names and severities.

Rules are found by walking the ``policylint.rules`` package (adding a rule means adding a file).
A scan imports only the rules it runs: their metadata comes from :mod:`policylint.rule_index`,
which ``python -m policylint.docs`` writes from the rules themselves (a test keeps it in sync, and
a rule module the index does not list makes the catalogue import them all, as before).
Every "which rules does this name select" and "is this severity at least that" question of the
engine, config, suppressions, baseline, reporters and CLI is answered here, so that a name means
the same thing everywhere: a code (``PL101``, any case), a slug (``s3-logging-loop``), a code
prefix (``PL1``: a whole family, like ruff's selectors) or ``ALL``.
"""

from __future__ import annotations

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


class RuleEntry:
    """A rule's metadata, as the class has it, and the way to its class: ``load()`` imports it.
    ``on`` is the name of the model class the rule checks (None: the whole scan)."""

    __slots__ = ("code", "slug", "severity", "title", "formats", "meta", "on", "module", "name", "_class")

    def __init__(self, code, slug, severity, title, formats, meta, on, module, name, rule_class=None):
        self.code, self.slug, self.severity, self.title = code, slug, severity, title
        self.formats, self.meta, self.on, self.module, self.name = frozenset(formats), meta, on, module, name
        self._class = rule_class

    @classmethod
    def of(cls, rule: type[Rule]) -> RuleEntry:
        on = rule.on.__name__ if rule.on is not None else None
        return cls(rule.code, rule.slug, rule.severity, rule.title, rule.formats, rule.meta, on, rule.__module__, rule.__name__, rule)

    def load(self) -> type[Rule]:
        if self._class is None:
            self._class = getattr(_module(self.module), self.name)
        return self._class

    def as_row(self) -> tuple:
        return (self.code, self.slug, self.severity, self.title, tuple(sorted(self.formats)), self.meta, self.on, self.module, self.name)

    def __repr__(self) -> str:
        return f"RuleEntry({self.code})"


class Catalogue:
    """``checks`` are the rules the engine runs; ``meta`` rules (PL000) are emitted by a later
    step of the pipeline but are named, selected and documented like any other rule.  Names and
    selections are answered from the entries; ``every``, ``checks``, ``meta``, ``find`` and
    ``select`` give rule classes, importing them on demand (``entries`` gives them unimported)."""

    def __init__(self, rules: Iterable[type[Rule] | RuleEntry]):
        entries = [r if isinstance(r, RuleEntry) else RuleEntry.of(r) for r in rules]
        self.entries: tuple[RuleEntry, ...] = tuple(sorted(entries, key=lambda r: r.code))
        self._by_name = {r.code.lower(): r for r in self.entries} | {r.slug: r for r in self.entries}

    @property
    def every(self) -> tuple[type[Rule], ...]:
        return tuple(r.load() for r in self.entries)

    @property
    def checks(self) -> tuple[type[Rule], ...]:
        return tuple(r.load() for r in self.entries if not r.meta)

    @property
    def meta(self) -> tuple[type[Rule], ...]:
        return tuple(r.load() for r in self.entries if r.meta)

    def find(self, name: str) -> type[Rule]:
        """A rule by code (any case) or slug; :class:`UsageError` when there is none."""
        return self.entry(name).load()

    def entry(self, name: str) -> RuleEntry:
        """:meth:`find` without importing the rule."""
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
                codes.update(r.code for r in self.entries)
                continue
            prefixed = [r.code for r in self.entries if r.code.startswith(upper)] if upper.startswith("PL") else []
            codes.update(prefixed or [self.entry(name).code])
        return codes

    def selected_codes(self, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> set[str]:
        """Codes enabled by ``select`` (every rule when it names none) minus ``ignore``."""
        chosen = self.codes(select)
        if not chosen:
            chosen = {r.code for r in self.entries}
        return chosen - self.codes(ignore)

    def select(self, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[type[Rule]]:
        """The rules the engine runs for ``select`` / ``ignore``, by code."""
        return [r.load() for r in self.select_entries(select, ignore)]

    def select_entries(self, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[RuleEntry]:
        """:meth:`select` without importing the rules (the engine imports those it runs)."""
        codes = self.selected_codes(select, ignore)
        return [r for r in self.entries if not r.meta and r.code in codes]

    def is_selected(self, rule: type[Rule] | RuleEntry, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> bool:
        return rule.code in self.selected_codes(select, ignore)


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """Every rule under the ``policylint.rules`` package, sorted by code: from the index when it
    lists exactly the package's modules, else by importing them all."""
    from policylint import rule_index

    modules = rule_modules()
    if set(modules) == set(rule_index.MODULES):
        return Catalogue(RuleEntry(*row) for row in rule_index.RULES)
    return Catalogue(imported_rules(modules))


def rule_modules() -> list[str]:
    """The modules and packages of ``policylint.rules``, found without importing them."""
    import policylint.rules as package

    return _modules_under(package.__path__, package.__name__)


def imported_rules(modules: Iterable[str]) -> list[type[Rule]]:
    """Every Rule subclass in ``modules``, checked."""
    found: dict[str, type[Rule]] = {}
    for name in modules:
        module = _module(name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and value is not Rule and value.__module__ == module.__name__:
                _check_metadata(value)
                if value.code in found:
                    raise RuntimeError(f"rule code {value.code} is defined twice")
                found[value.code] = value
    return list(found.values())


def _module(name: str):
    """The module ``name``, imported (``importlib`` would be one more module at every start)."""
    return __import__(name, fromlist=["__name__"])


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
