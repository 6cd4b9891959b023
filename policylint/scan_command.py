"""What ``policylint scan`` and ``policylint baseline`` do once their options are parsed, without
click.

Two front ends call it: :mod:`policylint.commands` (click: help, completion, every spelling of an
option) and :mod:`policylint.scan_argv` (the fast path of a plain ``policylint scan``, which
pre-commit and CI run many times a day and which must not pay click's ~40 ms import).  Problems
are raised as :class:`Failure` ("Error: ..." and exit 2) or :class:`BadUsage` (the usage text
too); each front end shows them its way.
"""

from __future__ import annotations

import os
import sys

from policylint.reporters import REPORTERS, RenderOptions, render

FORMAT_CHOICES = tuple(REPORTERS)
EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
DEFAULT_MAX_FILE_SIZE = "256M"  # `--max-file-size`, as both front ends show and read it
CACHE_DIR_VARIABLE = "POLICYLINT_CACHE_DIR"  # `--cache-dir` from the environment


class Failure(Exception):
    """A bad configuration or baseline file, or an output that cannot be written: exit 2 without
    the usage text."""


class BadUsage(Exception):
    """A wrong option value found after parsing (``param_hint`` names the option) or an unknown
    rule code: exit 2 with the usage text."""

    def __init__(self, message: str, param_hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.param_hint = param_hint


def echo(text: str, err: bool = False, nl: bool = True) -> None:
    stream = sys.stderr if err else sys.stdout
    if stream is None:  # pythonw, or a closed stream: nothing to show, the exit code still counts
        return
    stream.write(text + ("\n" if nl else ""))
    stream.flush()


def split_codes(values) -> list[str]:
    """``--select a,b --select c`` as ``[a, b, c]``."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def parse_parameters(values) -> tuple[tuple[str, str], ...]:
    """``--parameter KEY=VALUE`` values as (key, value) pairs; the last one given for a key wins.
    Raises ValueError with the message for the user."""
    import re

    out: dict[str, str] = {}
    for value in values:
        key, sep, text = value.partition("=")
        key = key.strip()
        if not sep or not re.fullmatch(r"[A-Za-z0-9:]+", key):
            raise ValueError(f"`{value}` is not KEY=VALUE (example: --parameter Environment=prod)")
        out[key] = text
    return tuple(out.items())


def write_file(path: str, text: str) -> None:
    try:
        # backslashreplace: a file name that is not UTF-8 (`\udce9`) cannot make the write fail
        with open(path, "w", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(text)
    except OSError as exc:
        raise Failure(f"cannot write {path}: {exc.strerror or exc}") from None


def load_config(paths, config_file: str | None, no_config: bool, warn: bool = True):
    if no_config:
        return None
    from policylint import config as config_module

    try:
        if config_file:
            return config_module.load(config_file)
        config = config_module.discover(paths)
    except config_module.ConfigError as exc:
        raise Failure(str(exc)) from None
    for other in config.shadowed if config and warn else ():
        echo(f"policylint: warning: using {config.path}; {other} is not read ({shadow_reason(config.path)})", err=True)
    return config


def shadow_reason(path: str) -> str:
    return f"{os.path.basename(path)} comes first in the same directory; settings are not merged"


def lint(paths, select, ignore, exclude, config, jobs: int, quiet: bool, cache_dir: str | None, no_cache: bool,
         changed_only: bool = False, baseline: str | None = None, max_file_size: int | None = None, parameters=(), var_files=()):
    from policylint.catalogue import UsageError
    from policylint.engine import lint_paths

    progress = None
    if not quiet and sys.stderr is not None and sys.stderr.isatty():
        from policylint.terminal import Progress

        progress = Progress(sys.stderr)
    try:
        return lint_paths(
            paths,
            select=split_codes(select),
            ignore=split_codes(ignore),
            exclude=split_codes(exclude),
            config=config,
            suppress=True,
            changed_only=changed_only,
            baseline=baseline,
            jobs=jobs,
            progress=progress,
            **({"max_file_size": max_file_size} if max_file_size else {}),
            cache=not no_cache,
            cache_dir=cache_dir,
            parameters=tuple(parameters),
            var_files=tuple(var_files),
        )
    except _baseline_errors(baseline) as exc:
        raise Failure(str(exc)) from None
    except UsageError as exc:
        raise BadUsage(str(exc)) from None
    finally:
        if progress is not None:
            progress.close()


def _baseline_errors(baseline: str | None) -> tuple[type[Exception], ...]:
    """What a bad baseline file raises; nothing without one (its module is not imported)."""
    if baseline is None:
        return ()
    from policylint.baseline import BaselineError

    return (BaselineError,)


def show_notices(report, quiet: bool) -> None:
    """Paths left out on purpose (FIFOs, sockets, devices), on stderr: they do not fail the scan."""
    if quiet:
        return
    from policylint.report import printable

    for notice in report.notices:
        echo(f"{printable(notice.file)}: note: {notice.message}", err=True)


def targets(formats, output: str | None) -> list[tuple[str, str | None]]:
    """``--format FORMAT[:FILE]`` values as (format, file or None for stdout)."""
    found: list[tuple[str, str | None]] = []
    for value in formats or ("text",):
        name, _, path = value.partition(":")
        name = name.strip().lower()
        if name not in REPORTERS:
            import difflib

            hint = difflib.get_close_matches(name, FORMAT_CHOICES, n=1)
            suggestion = f"; did you mean `{hint[0]}`?" if hint else ""
            raise BadUsage(f"unknown format `{name}`{suggestion} (choose from {', '.join(FORMAT_CHOICES)})", "'--format'")
        found.append((name, path or None))
    to_stdout = [name for name, path in found if path is None]
    if len(to_stdout) > 1:
        raise BadUsage(f"only one format can go to stdout (got {', '.join(to_stdout)}); give the others a file: `--format {to_stdout[-1]}:FILE`", "'--format'")
    if output:
        if len(found) > 1 or not to_stdout:
            raise BadUsage("--output goes with a single --format; use `--format FORMAT:FILE` for several outputs", "'--output'")
        found = [(found[0][0], output)]
    return found


def scan(paths, formats, output, fail_on, min_severity, exit_zero, statistics, baseline_file, show_suppressed, changed_only, root, select, ignore, exclude, config_file, no_config, jobs, quiet, max_file_size, cache_dir, no_cache, parameters, var_files) -> int:
    """Lint, render, and return the exit code."""
    from policylint.catalogue import at_least

    if not paths and not changed_only:
        paths = (".",)
    chosen = targets(formats, output)
    config = load_config(paths, config_file, no_config)
    report = lint(paths, select, ignore, exclude, config, jobs, quiet, cache_dir, no_cache, changed_only, baseline_file, max_file_size, parameters, var_files) if paths else _empty_report()
    show_notices(report, quiet)
    if min_severity:
        report = _at_least(report, min_severity)
    to_stdout = any(path is None for _, path in chosen)
    for name, path in chosen:
        options = RenderOptions(
            root=root,
            colour=path is None and colour(sys.stdout),
            quiet=quiet,
            show_suppressed=show_suppressed,
            severities=config.severity if config else {},
            statistics=statistics,
        )
        text = render(name, report, options)
        if path:
            write_file(path, text)
        else:
            echo(text, nl=False)
    if not to_stdout and not quiet:
        from policylint.reporters import text as text_reporter

        written = ", ".join(path for _, path in chosen)
        echo(f"policylint: {text_reporter.full_summary(report)} Report written to {written}.", err=True)
        if statistics:
            echo(text_reporter.statistics(report), err=True, nl=False)
    empty = [] if changed_only else _nothing_under(paths, report, exclude, config)
    for path in empty:
        echo(f"policylint: error: nothing to scan under {path} (no Terraform, CloudFormation, plan, policy or text file)", err=True)
    if report.errors or empty:
        return EXIT_ERROR
    if exit_zero:
        return EXIT_OK
    threshold = fail_on or (config.fail_on if config and config.fail_on else "low")
    return EXIT_FINDINGS if any(at_least(f.severity, threshold) for f in report.findings) else EXIT_OK


def colour(stream) -> bool:
    """Colour on a terminal; ``NO_COLOR`` turns it off and ``FORCE_COLOR`` on (NO_COLOR wins)."""
    if "NO_COLOR" in os.environ:
        return False
    if os.environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    return stream is not None and stream.isatty()


def _at_least(report, severity: str):
    """The report without the findings (and suppressed findings) below ``severity``."""
    from policylint.catalogue import at_least
    from policylint.records import replace

    return replace(
        report,
        findings=[f for f in report.findings if at_least(f.severity, severity)],
        suppressed=[s for s in report.suppressed if at_least(s.finding.severity, severity)],
    )


def _empty_report():
    from policylint.report import Report

    return Report()


def _nothing_under(paths, report, exclude, config) -> list[str]:
    """The PATHS that gave the scan no file to read: a mistyped CI path must not pass."""
    if report.files == 0:
        return [] if report.errors else [p for p in paths if os.path.exists(p)]
    if len(paths) < 2:
        return []
    from policylint.discover import discover

    patterns = split_codes(exclude) or (config.exclude if config else [])
    return [p for p in paths if os.path.isdir(p) and not discover([p], patterns)[0]]


def write_baseline(paths, output, select, ignore, exclude, config_file, no_config, jobs, quiet, max_file_size, cache_dir, no_cache, parameters, var_files) -> int:
    """Record the current findings; return the exit code."""
    from policylint import baseline

    config = load_config(paths, config_file, no_config)
    report = lint(paths, select, ignore, exclude, config, jobs, quiet, cache_dir, no_cache, max_file_size=max_file_size, parameters=parameters, var_files=var_files)
    show_notices(report, quiet)
    write_file(output, baseline.render(report, output))
    count = len(report.findings)
    for error in report.errors:
        where = f"{error.file}:{error.line}" if error.line else error.file
        echo(f"{where}: error: {error.message}", err=True)
    if not quiet:
        echo(f"policylint: wrote {count} finding{'s' if count != 1 else ''} to {output}", err=True)
    return EXIT_ERROR if report.errors else EXIT_OK
