"""Find files, parse them into the common model, run the rules, collect a report.

``lint_paths`` is the library API: the CLI, the pre-commit hook and the tests all call it.
Parsers are imported only when a file of their format is found, to keep start-up lean.
"""

from __future__ import annotations

import fnmatch
import importlib
import os
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from policylint.model import Document, ParseError, TextFile
from policylint.catalogue import UsageError, catalogue
from policylint.rule import Finding, Rule, severity_rank

if TYPE_CHECKING:
    from policylint.config import Config
    from policylint.suppressions import SuppressedFinding

SKIP_DIRS = {".git", ".terraform", "node_modules", ".hg", ".svn", "__pycache__", ".venv", ".tox"}
MAX_TEXT_BYTES = 2 * 1024 * 1024
TERRAFORM_EXTENSIONS = (".tf", ".tfvars")
YAML_EXTENSIONS = (".yaml", ".yml", ".template")
BINARY_EXTENSIONS = {
    ".png", ".jpg", ".jpeg", ".gif", ".ico", ".pdf", ".zip", ".gz", ".tgz", ".bz2", ".xz", ".jar",
    ".whl", ".pyc", ".so", ".dll", ".exe", ".bin", ".woff", ".woff2", ".ttf", ".otf", ".mp3",
    ".mp4", ".mov", ".db", ".sqlite", ".lock",
}


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    files: int = 0
    # Findings silenced by an inline comment, CloudFormation Metadata or a config per-path ignore
    # (``lint_paths(..., suppress=True)`` or a config with per-path-ignores), and how many findings
    # a baseline file hid (set by :func:`policylint.baseline.apply`).
    suppressed: list[SuppressedFinding] = field(default_factory=list)
    baselined: int = 0

    def worst(self) -> str | None:
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=severity_rank)


# --------------------------------------------------------------------------- files


def _excluded(path: str, patterns: Sequence[str]) -> bool:
    normalized = path.replace(os.sep, "/")
    name = os.path.basename(normalized)
    for pattern in patterns:
        if fnmatch.fnmatch(normalized, pattern) or fnmatch.fnmatch(name, pattern):
            return True
        if fnmatch.fnmatch(normalized, f"*/{pattern}") or fnmatch.fnmatch(normalized, f"{pattern}/*") or fnmatch.fnmatch(normalized, f"*/{pattern}/*"):
            return True
    return False


def discover(paths: Sequence[str], exclude: Sequence[str] = ()) -> tuple[list[str], list[ParseError]]:
    """Files under ``paths`` in a stable order, as reached from the arguments."""
    files: list[str] = []
    errors: list[ParseError] = []
    for path in paths:
        if os.path.isfile(path):
            if not _excluded(path, exclude):
                files.append(os.path.normpath(path))
            continue
        if not os.path.isdir(path):
            errors.append(ParseError(path, None, "no such file or directory", kind="unreadable"))
            continue
        for root, dirs, names in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not _excluded(os.path.join(root, d), exclude))
            for name in sorted(names):
                full = os.path.normpath(os.path.join(root, name))
                if not _excluded(full, exclude):
                    files.append(full)
    # The same file reached twice (`scan infra ./infra`, a symlink) is scanned once.
    seen: set[str] = set()
    unique = [f for f in files if not (os.path.realpath(f) in seen or seen.add(os.path.realpath(f)))]
    return unique, errors


def with_module_context(files: Sequence[str], exclude: Sequence[str] = ()) -> list[str]:
    """``files`` plus the other Terraform files of each one's directory (its module), so that
    references across files resolve when only some files of a module are scanned (pre-commit)."""
    out = list(files)
    seen = set(out)
    for directory in sorted({os.path.dirname(f) for f in files if f.lower().endswith(TERRAFORM_EXTENSIONS)}):
        try:
            names = sorted(os.listdir(directory or "."))
        except OSError:
            continue
        for name in names:
            path = os.path.normpath(os.path.join(directory, name))
            if name.lower().endswith(TERRAFORM_EXTENSIONS) and path not in seen and os.path.isfile(path) and not _excluded(path, exclude):
                seen.add(path)
                out.append(path)
    return out


IAC_EXTENSIONS = TERRAFORM_EXTENSIONS + YAML_EXTENSIONS + (".json",)
MAX_IAC_BYTES = 256 * 1024 * 1024  # plans of large estates run to hundreds of MB


class Unreadable(Exception):
    """An infrastructure file that cannot be read as text: reported, never skipped silently."""


def read_text(path: str) -> str | None:
    """The file as text; None for files that are not worth scanning (binary, or large files that
    are not infrastructure code).  Raises :class:`Unreadable` for an infrastructure file (by its
    extension) that cannot be read or decoded, so that the scan says so."""
    iac = path.lower().endswith(IAC_EXTENSIONS)
    if os.path.splitext(path)[1].lower() in BINARY_EXTENSIONS:
        return None
    try:
        size = os.path.getsize(path)
        if size > (MAX_IAC_BYTES if iac else MAX_TEXT_BYTES):
            if iac:
                raise Unreadable(f"file is larger than {MAX_IAC_BYTES // (1024 * 1024)} MiB; not scanned")
            return None
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        if iac:
            raise Unreadable(f"cannot read the file: {exc.strerror or exc}") from None
        return None
    if iac and raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a byte-order mark (Windows editors)
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in raw:
        if iac:
            raise Unreadable("file is not text (it contains NUL bytes)")
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if iac:
            line = raw[: exc.start].count(b"\n") + 1
            raise Unreadable(f"not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}); save the file as UTF-8") from None
        return None


def classify(path: str, text: str) -> str:
    """The format of a file: terraform, cloudformation, plan, policy, or text (credentials only)."""
    lower = path.lower()
    if lower.endswith(TERRAFORM_EXTENSIONS):
        return "terraform"
    if lower.endswith(".json"):
        from policylint.parsers import sniff

        return sniff.json_kind(text)
    if lower.endswith(YAML_EXTENSIONS):
        from policylint.parsers import sniff

        return "cloudformation" if sniff.looks_like_cfn_yaml(text) else "text"
    return "text"


# --------------------------------------------------------------------------- scan


def parse_files(
    files: Sequence[str],
    read_errors: list[ParseError],
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Document], list[TextFile]]:
    """Read and parse ``files``.  With ``jobs`` > 1 the parsing runs in that many processes; the
    documents come back in the same order as in a serial run.  ``progress(done, total)`` is called
    after each parsed unit (a file, or a Terraform module directory)."""
    texts: list[TextFile] = []
    units: list[tuple] = []
    terraform_dirs: dict[str, list[tuple[str, str]]] = {}
    for path in files:
        try:
            text = read_text(path)
        except Unreadable as exc:
            read_errors.append(ParseError(path, None, str(exc), kind="unreadable"))
            continue
        if text is None:
            continue
        kind = classify(path, text)
        texts.append(TextFile(path, text, kind))
        if kind == "terraform":
            terraform_dirs.setdefault(os.path.dirname(path), []).append((path, text))
        elif kind in _PARSER_MODULES:
            units.append((kind, path, text))
    units.extend(("terraform", directory, module_files) for directory, module_files in terraform_dirs.items())
    return _parse_all(units, jobs, progress), texts


_PARSER_MODULES = {"cloudformation": "cloudformation", "plan": "plan", "policy": "policy_json"}


def _parse_unit(unit: tuple) -> Document:
    kind, path, payload = unit
    if kind == "terraform":
        from policylint.parsers import terraform

        try:
            return terraform.parse_module(path, payload)
        except Exception as exc:  # a parser bug must not end the scan
            return Document("terraform", errors=[ParseError(path, None, f"internal error while evaluating the module: {exc!r}", kind="internal")])
    parser = importlib.import_module(f"policylint.parsers.{_PARSER_MODULES[kind]}")
    return _guarded(parser.parse, payload, path)


def _unit_size(unit: tuple) -> int:
    kind, _, payload = unit
    return sum(len(text) for _, text in payload) if kind == "terraform" else len(payload)


def _parse_all(units: list[tuple], jobs: int, progress: Callable[[int, int], None] | None) -> list[Document]:
    total = len(units)
    if jobs > 1 and total > 1:
        import pickle
        from concurrent.futures import ProcessPoolExecutor, as_completed
        from concurrent.futures.process import BrokenProcessPool

        try:
            with ProcessPoolExecutor(max_workers=min(jobs, total)) as pool:
                # Largest units first keeps the workers evenly busy; the documents are then taken
                # in the original order, so the result is the serial one.
                order = sorted(range(total), key=lambda i: -_unit_size(units[i]))
                futures = {i: pool.submit(_parse_unit, units[i]) for i in order}
                for done, _ in enumerate(as_completed(futures.values()), start=1):
                    if progress:
                        progress(done, total)
                return [futures[i].result() for i in range(total)]
        except (BrokenProcessPool, pickle.PickleError, OSError, TypeError, AttributeError):
            # No processes on this platform, or a document that cannot be pickled back (parser
            # errors never get here: _parse_unit turns them into ParseErrors).  Parse serially.
            pass
    documents = []
    for unit in units:
        documents.append(_parse_unit(unit))
        if progress:
            progress(len(documents), total)
    return documents


def _guarded(parse, text: str, path: str) -> Document:
    try:
        return parse(text, path)
    except Exception as exc:  # a parser bug must not end the scan
        return Document("unknown", errors=[ParseError(path, None, f"internal error while parsing: {exc!r}", kind="internal")])


def lint_paths(
    paths: Sequence[str],
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    exclude: Sequence[str] = (),
    *,
    config: Config | None = None,
    suppress: bool = False,
    changed_only: bool = False,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Scan files and directories and return every finding and error, sorted.

    - ``config``: a :class:`policylint.config.Config`; its select/ignore/exclude apply where the
      argument of the same name is empty, and its severity overrides and per-path ignores apply.
    - ``suppress``: honour inline ``policylint:ignore`` comments and CloudFormation Metadata;
      suppressed findings move to ``report.suppressed`` and stale suppressions are reported (PL000).
    - ``changed_only``: ``paths`` are changed files (pre-commit): each Terraform file is evaluated
      with the rest of its module directory, and only findings in ``paths`` are reported.
    - ``jobs``: parse in that many processes (same, deterministically ordered results).
    """
    from policylint.scan import Scan

    select = list(select)
    ignore = list(ignore)
    if config is not None:
        select = select or list(config.select)
        ignore = ignore or list(config.ignore)
        exclude = exclude or config.exclude
    rules = catalogue().select(select, ignore)
    files, errors = discover(paths, exclude)
    wanted = set(files)
    if changed_only:
        files = with_module_context(files, exclude)
    documents, texts = parse_files(files, errors, jobs=jobs, progress=progress)
    scan = Scan(documents, texts)
    errors.extend(e for d in documents for e in d.errors)
    findings, rule_errors = run_rules(scan, rules)
    errors.extend(rule_errors)
    if config is not None and config.severity:
        findings = {replace(f, severity=config.severity.get(f.rule_id, f.severity)) for f in findings}
    report = Report(
        findings=sorted(findings, key=Finding.sort_key),
        errors=sorted(set(errors), key=lambda e: (e.file, e.line or 0, e.message)),
        files=len(texts),
    )
    if suppress or (config is not None and config.per_path_ignores):
        from policylint import suppressions

        suppressions.apply(report, texts, rules, select=select, ignore=ignore, config=config, inline=suppress, changed_only=changed_only)
    if changed_only:
        _keep_only(report, wanted)
    return report


def run_rules(scan, rules: Sequence[type[Rule]]) -> tuple[set[Finding], list[ParseError]]:
    """Every finding of ``rules``.  A rule with ``on`` is handed each item of that class in its
    formats; a rule that raises is reported as an internal error at the item it was looking at
    (or, for a scan-wide rule, without a place), and the other rules still run."""
    findings: set[Finding] = set()
    errors: list[ParseError] = []
    for rule_class in rules:
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


def _keep_only(report: Report, files: set[str]) -> None:
    """Drop findings and errors outside ``files`` (errors of a whole module directory stay)."""
    directories = {os.path.dirname(f) for f in files}
    report.findings = [f for f in report.findings if f.file in files]
    report.suppressed = [s for s in report.suppressed if s.finding.file in files]
    report.errors = [e for e in report.errors if e.file in files or e.file in directories]
