"""The scan as a pipeline of steps, each returning new values:

    discover -> read -> parse -> link -> rules -> severities -> suppressions -> baseline -> changed-only

=============  ==============================================
step           owner
=============  ==============================================
discover/read  :mod:`policylint.discover`
parse          :mod:`policylint.parsers` (the registry)
link           :class:`policylint.scan.Scan`
rules          :func:`run_rules` with :mod:`policylint.catalogue`
suppressions   :mod:`policylint.suppressions`
baseline       :mod:`policylint.baseline`
=============  ==============================================

With the cache (:mod:`policylint.cache`), parse reads unchanged units back, and a scan whose
units, files and rules are all unchanged skips parse, link and rules: its stored report goes on
to severities, suppressions and baseline.

:func:`lint` is the library API: the CLI, the pre-commit hook, the cfn-lint pack and the tests all
call it (or :func:`lint_paths`, the same with keyword arguments), so they all get the same result.
"""

from __future__ import annotations

import gc
import os

from policylint import model, parsers
from policylint.catalogue import RuleEntry, UsageError, catalogue
from policylint.discover import DEFAULT_MAX_FILE_SIZE, Skipped, Unreadable, discover, read_text, with_module_context
from policylint.model import Document, ParseError, TextFile
from policylint.records import record, replace
from policylint.report import SEVERITIES, Finding, Report
from policylint.rule import Rule

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Callable, Iterable, Sequence
    from policylint.cache import Cache
    from policylint.config import Config

__all__ = ["Options", "Report", "UsageError", "lint", "lint_paths", "run_rules"]


# Below this much text, worker processes cost more than they save (measured on 2 cores: `--jobs 2`
# added 8-22 % CPU and was never faster on trees of up to 4 MB).
PARALLEL_MIN_BYTES = 8 * 1024 * 1024


@record(frozen=True)
class Options:
    """How to scan.

    - ``select`` / ``ignore`` / ``exclude``: rule names and path globs; where one is empty the
      config's applies.
    - ``config``: a :class:`policylint.config.Config` (severity overrides, per-path ignores ...).
    - ``suppress``: honour inline ``policylint:ignore`` comments and CloudFormation Metadata;
      suppressed findings move to ``report.suppressed`` and stale suppressions are reported (PL000).
    - ``baseline``: a baseline file; the findings it records are hidden (``report.baselined``).
    - ``changed_only``: the paths are changed files (pre-commit): each Terraform file is evaluated
      with the rest of its module directory, and only findings in those files are reported.
    - ``jobs``: parse in that many processes (same, deterministically ordered results); 0: one
      per CPU when the units left to parse hold at least :data:`PARALLEL_MIN_BYTES`, else one.
    - ``progress``: called as ``progress(done, total)`` after each parsed unit.
    - ``max_file_size``: an infrastructure file larger than this many bytes is an error, not read.
    - ``parameters``: CloudFormation parameter values as (name, value) pairs, given to every
      template that declares the parameter (over its default); pseudo parameters such as
      ``AWS::Region`` to every template.  The config's ``parameters`` apply where not given.
    - ``cache``: read and store parsed units in the content-hash cache (:mod:`policylint.cache`)
      under ``cache_dir`` (default: ``.policylint_cache`` at the project root).  Off by default
      for library callers; the CLI turns it on unless ``--no-cache``.
    - ``var_files``: Terraform ``-var-file`` files, applied to every root module of the scan
      after its ``terraform.tfvars`` and ``*.auto.tfvars``; where empty the config's apply.
    """

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    config: Config | None = None
    suppress: bool = False
    baseline: str | None = None
    changed_only: bool = False
    jobs: int = 1
    progress: Callable[[int, int], None] | None = None
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    cache: bool = False
    cache_dir: str | None = None
    parameters: tuple[tuple[str, str], ...] = ()
    var_files: tuple[str, ...] = ()

    def resolved(self) -> Options:
        """The options with the config's select/ignore/exclude filled in where empty."""
        config = self.config
        if config is None:
            return self
        return replace(
            self,
            select=self.select or tuple(config.select),
            ignore=self.ignore or tuple(config.ignore),
            exclude=self.exclude or tuple(config.exclude),
            parameters=tuple({**dict(getattr(config, "parameters", {})), **dict(self.parameters)}.items()),
            var_files=self.var_files or tuple(getattr(config, "var_files", ())),
        )


def lint_paths(paths: Sequence[str], select=(), ignore=(), exclude=(), **options) -> Report:
    """:func:`lint` with the :class:`Options` as keyword arguments."""
    return lint(paths, Options(select=tuple(select), ignore=tuple(ignore), exclude=tuple(exclude), **options))


def lint(paths: Sequence[str], options: Options = Options()) -> Report:
    """Scan files and directories and return every finding and error, sorted.

    The cyclic garbage collector walks every live object at each full collection, and a scan's
    documents live until its end: walking them again and again made the time grow faster than
    the input.  Objects alive so far (and the documents, once parsed) are frozen out of its
    sight, and young collections run less often; all is restored on return.  (A plain
    try/finally: contextlib is a module a template scan would import for this alone.)"""
    threshold = gc.get_threshold()
    ours = gc.get_freeze_count() == 0  # a caller that froze objects itself keeps them frozen
    if ours:
        gc.freeze()
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    try:
        return _lint(paths, options, ours)
    finally:
        gc.set_threshold(*threshold)
        if ours:
            gc.unfreeze()


def _lint(paths: Sequence[str], options: Options, freeze: bool = False) -> Report:
    options = options.resolved()
    rules = catalogue().select_entries(options.select, options.ignore)
    baseline = _load_baseline(options.baseline)  # a bad baseline fails before the scan
    files, errors = discover(paths, options.exclude)
    cache = None
    if options.cache:
        from policylint.cache import Cache

        cache = Cache(options.cache_dir, scope=paths)
        files = cache.outside(files, paths)  # a --cache-dir inside the scanned tree is not scanned
    wanted = set(files)
    if options.changed_only:
        files = with_module_context(files, options.exclude)
    texts, read_errors, notices = read(files, options.max_file_size)
    units = parsers.units(texts, options.parameters, read_var_files(options.var_files))
    naming_us = {t.path for t in texts if "policylint" in t.text.lower()}  # may hold suppressions
    scan_key = stored = None
    if cache is not None:
        unit_keys = [cache.key(unit) for unit in units]
        scan_key = cache.scan_key(unit_keys, texts, [r.code for r in rules], errors + read_errors + notices)
        stored = cache.get_scan(scan_key) if scan_key is not None else None
    if stored is not None:  # an unchanged scan: nothing to parse, no rule to run
        report, source_maps = stored.report, stored.source_maps
    else:
        documents = parse(units, options, cache, unit_keys if cache is not None else None, freeze=freeze)
        if freeze:
            gc.freeze()  # they live until the end of the scan (those read back from the cache too)
        report = replace(check(documents, texts, rules, errors + read_errors), notices=notices + [n for d in documents for n in d.notices])
        source_maps = {path: m for d in documents for path, m in d.source_maps.items() if path in naming_us}
        if scan_key is not None and not any(e.kind == "internal" for e in report.errors):
            from policylint.cache import ScanResult

            cache.put(scan_key, ScanResult(report, source_maps))
    if cache is not None:
        cache.save()
    report = override_severities(report, options.config)
    may_suppress = options.config is not None or bool(naming_us)
    if may_suppress and (options.suppress or (options.config is not None and options.config.per_path_ignores)):
        # Without a configuration and without a file that names us, nothing can be suppressed:
        # the module (and its patterns) stays unimported.
        from policylint import suppressions

        report = suppressions.apply(report, texts, rules, options, source_maps)
    if baseline is not None:
        from policylint import baseline as baselines

        report = baselines.apply(report, baseline)
    if options.changed_only:
        report = keep_only(report, wanted)
    return report


def read_var_files(paths: Sequence[str]) -> list[tuple[str, str]]:
    """(path, text) of each ``-var-file``; one that cannot be read stops the scan, as it stops
    ``terraform plan``."""
    out = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as handle:
                out.append((path, handle.read()))
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read var file {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return out


def read(files: Sequence[str], max_file_size: int = DEFAULT_MAX_FILE_SIZE) -> tuple[list[TextFile], list[ParseError], list[ParseError]]:
    """Each file's text and format; files not worth scanning are left out, infrastructure files
    that cannot be read are errors, and FIFOs, sockets and devices are left out with a notice."""
    texts: list[TextFile] = []
    errors: list[ParseError] = []
    notices: list[ParseError] = []
    for path in files:
        try:
            text = read_text(path, max_file_size)
        except Unreadable as exc:
            errors.append(ParseError(path, None, str(exc), kind="unreadable"))
            continue
        except Skipped as exc:
            notices.append(ParseError(path, None, str(exc), kind="skipped"))
            continue
        if text is not None:
            texts.append(TextFile(path, text, parsers.detect(path, text)))
    return texts, errors, notices


def parse(todo: Sequence[parsers.Unit], options: Options = Options(), cache: Cache | None = None, keys: Sequence[str | None] | None = None,
          freeze: bool = False) -> list[Document]:
    """Each unit's Document, read back from the cache where it holds the unit (``options.cache``;
    ``cache`` and the units' ``keys`` when the caller has them, and then the caller saves the
    cache), else parsed, in ``options.jobs`` processes; with ``jobs=0``, in one per CPU only
    when what is left to parse is large enough to pay for starting them
    (:data:`PARALLEL_MIN_BYTES`).  ``freeze``: move each parsed document out of the garbage
    collector's sight as soon as it is parsed (they live until the end of the scan; storing them
    in the cache allocates enough to start collections).  The parsers leave no reference cycles
    behind, so nothing is frozen that a collection would free."""

    def parse_all(units: Sequence[parsers.Unit]) -> list[Document]:
        jobs = options.jobs
        if jobs == 0:  # automatic: one process per CPU when there is enough to parse
            jobs = (os.cpu_count() or 1) if sum(u.size for u in units) >= PARALLEL_MIN_BYTES else 1
        if not freeze:
            return parsers.parse_all(units, jobs, options.progress)

        def frozen_then_reported(done: int, total: int) -> None:
            # Each document as soon as it is parsed: the young objects a large scan's units leave
            # would otherwise start a collection every 50,000, each walking them all again.
            gc.freeze()
            if options.progress:
                options.progress(done, total)

        documents = parsers.parse_all(units, jobs, frozen_then_reported)
        gc.freeze()
        return documents

    if not options.cache:
        return parse_all(todo)
    if cache is not None:  # the caller saves it
        return cache.parse_all(todo, parse_all, keys)
    from policylint.cache import Cache

    cache = Cache(options.cache_dir, scope=[unit.path for unit in todo])
    documents = cache.parse_all(todo, parse_all, keys)
    cache.save()
    return documents


def check(documents: Sequence[Document], texts: Sequence[TextFile], rules: Sequence[type[Rule] | RuleEntry], errors: Sequence[ParseError] = ()) -> Report:
    """Link the documents into one scan, run the rules, and collect a sorted report."""
    from policylint.scan import Scan

    scan = Scan(documents, texts)
    findings, rule_errors = run_rules(scan, rules)
    every_error = [*errors, *(e for d in documents for e in d.errors), *rule_errors]
    findings, every_error = _masked(findings, every_error, texts)
    return Report(
        findings=sorted(_once(findings), key=Finding.sort_key),
        errors=sorted(set(every_error), key=lambda e: (e.file, e.line or 0, e.message)),
        files=len(texts),
    )


def _once(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per problem: the same rule, place, resource and message reached twice (a
    document read through two paths, whose spans or severities differ) is reported once, the
    most severe first found."""
    kept: dict[tuple, Finding] = {}
    for finding in sorted(findings, key=lambda f: (f.sort_key(), -SEVERITIES.index(f.severity), f.end_line)):
        kept.setdefault((finding.rule_id, finding.file, finding.line, finding.resource, finding.message), finding)
    return list(kept.values())


def _masked(findings: Iterable[Finding], errors: Sequence[ParseError], texts: Sequence[TextFile]) -> tuple[set[Finding], list[ParseError]]:
    """Messages that quote a value (a syntax error's excerpt, a Sid, a bucket name) with every
    credential masked as PL201 shows them (see :func:`policylint.secrets.mask_message`)."""
    from policylint import secrets

    by_path = {t.path: t.text for t in texts}
    found: dict[str, list] = {}

    def masked(message: str, file: str) -> str:
        if not secrets.might_quote_a_credential(message):
            return message
        if file not in found:
            found[file] = secrets.find_credentials(by_path[file]) if file in by_path else []
        return secrets.mask_message(message, found[file])

    def remasked(item):
        message = masked(item.message, item.file)
        return item if message == item.message else replace(item, message=message)

    return {remasked(f) for f in findings}, [remasked(e) for e in errors]


def run_rules(scan, rules: Sequence[type[Rule] | RuleEntry]) -> tuple[set[Finding], list[ParseError]]:
    """Every finding of ``rules``.  A rule with ``on`` is handed each item of that class in its
    formats; a rule that raises is reported as an internal error at the item it was looking at
    (or, for a scan-wide rule, without a place), and the other rules still run.  A catalogue
    entry whose rule has no item to check here is not even imported."""
    findings: set[Finding] = set()
    errors: list[ParseError] = []
    for rule_class in rules:
        if isinstance(rule_class, RuleEntry):
            if rule_class.on is not None and not _has_items(scan, rule_class):
                continue
            rule_class = rule_class.load()
        rule = rule_class()
        if rule.on is None:
            try:
                findings.update(rule.check(scan))
            except Exception as exc:  # one broken rule must not hide the others' findings
                errors.append(ParseError("<scan>", None, f"rule {rule.code} failed: {exc!r}", kind="internal"))
            continue
        for item in scan.of(rule.on):
            if getattr(item, "format", None) not in rule.formats:
                continue
            try:
                findings.update(rule.check(item, scan))
            except Exception as exc:
                where = item.location
                errors.append(ParseError(where.file, where.line, f"rule {rule.code} failed: {exc!r}", kind="internal"))
    return findings, errors


def _has_items(scan, entry: RuleEntry) -> bool:
    kind = getattr(model, entry.on, None)
    if kind is None:  # not a model class: let the rule's own `on` decide
        return True
    return any(getattr(item, "format", None) in entry.formats for item in scan.of(kind))


def override_severities(report: Report, config: Config | None) -> Report:
    """The config's per-rule severities applied."""
    if config is None or not config.severity:
        return report
    findings = {replace(f, severity=config.severity.get(f.rule_id, f.severity)) for f in report.findings}
    return replace(report, findings=sorted(findings, key=Finding.sort_key))


def keep_only(report: Report, files: set[str]) -> Report:
    """Findings and errors in ``files`` only (errors of a whole module directory stay)."""
    directories = {os.path.dirname(f) for f in files}
    return replace(
        report,
        findings=[f for f in report.findings if f.file in files],
        suppressed=[s for s in report.suppressed if s.finding.file in files],
        errors=[e for e in report.errors if e.file in files or e.file in directories],
    )


def _load_baseline(path: str | None):
    if path is None:
        return None
    from policylint import baseline

    return baseline.load(path)
