"""The commands: glue between click and :func:`policylint.engine.lint_paths`.

Only click, the standard library and the reporter registry are imported here; parsers, reporters,
the configuration loader and jsonschema load when a command needs them.  A report is rendered
wholly by its reporter: the CLI only chooses one.
"""

from __future__ import annotations

import os
import sys

import click

from policylint.report import SEVERITIES as SEVERITY_CHOICES
from policylint.reporters import REPORTERS, RenderOptions, render

FORMAT_CHOICES = tuple(REPORTERS)
EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class ConfigFailure(click.ClickException):
    """A bad configuration or baseline file, or an output that cannot be written: exit 2 without
    the usage text."""

    exit_code = EXIT_ERROR


def _write(path: str, text: str) -> None:
    try:
        # backslashreplace: a file name that is not UTF-8 (`\udce9`) cannot make the write fail
        with open(path, "w", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(text)
    except OSError as exc:
        raise ConfigFailure(f"cannot write {path}: {exc.strerror or exc}") from None


class _Size(click.ParamType):
    """A size in bytes: ``500000``, ``64M``, ``1G`` (see :func:`policylint.discover.parse_size`)."""

    name = "size"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        from policylint.discover import parse_size

        try:
            return parse_size(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def _split(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policylint", prog_name="policylint", message="%(prog)s %(version)s")
def cli() -> None:
    """A static linter for AWS CloudFormation, Terraform and IAM / bucket policies."""


def _parameters(ctx, param, values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """``--parameter KEY=VALUE`` values as (key, value) pairs; the last one given for a key wins."""
    import re

    out: dict[str, str] = {}
    for value in values:
        key, sep, text = value.partition("=")
        key = key.strip()
        if not sep or not re.fullmatch(r"[A-Za-z0-9:]+", key):
            raise click.BadParameter(f"`{value}` is not KEY=VALUE (example: --parameter Environment=prod)", ctx, param)
        out[key] = text
    return tuple(out.items())


def _selection_options(function):
    """Options shared by `scan` and `baseline`."""
    options = [
        click.option("--select", multiple=True, metavar="CODES", help="Only these rules (codes, slugs or code prefixes; comma-separated)."),
        click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rules (codes, slugs or code prefixes; comma-separated)."),
        click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files and directories matching GLOB (repeatable; `legacy/` names a directory)."),
        click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Read this configuration file instead of searching for one."),
        click.option("--no-config", is_flag=True, help="Ignore configuration files."),
        click.option("--jobs", "-j", type=click.IntRange(min=0), default=1, show_default=True, help="Parse files in N processes (0: one per CPU when the scan is large enough to gain from it)."),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar, no summary and no notices."),
        click.option("--max-file-size", type=_Size(), default="256M", show_default=True, metavar="SIZE", help="An infrastructure file larger than SIZE (bytes, or with K, M, G) is an error, not read."),
        click.option("--cache-dir", type=click.Path(file_okay=False), metavar="DIR", envvar="POLICYLINT_CACHE_DIR", show_envvar=True, help="Keep the cache of parsed files in DIR.  [default: .policylint_cache at the project root]"),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the cache of parsed files."),
        click.option("--parameter", "parameters", multiple=True, metavar="KEY=VALUE", callback=_parameters,
                     help="A CloudFormation parameter value for every template that declares KEY, over its default (repeatable; `AWS::Region=eu-west-1` too)."),
        click.option("--var-file", "var_files", multiple=True, type=click.Path(dir_okay=False), metavar="FILE", help="Terraform variable values for the root modules, as `terraform plan -var-file` (repeatable; after terraform.tfvars and *.auto.tfvars).  [default: the config's var-files]"),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _load_config(paths, config_file: str | None, no_config: bool, warn: bool = True):
    if no_config:
        return None
    from policylint import config as config_module

    try:
        if config_file:
            return config_module.load(config_file)
        config = config_module.discover(paths)
    except config_module.ConfigError as exc:
        raise ConfigFailure(str(exc)) from None
    for other in config.shadowed if config and warn else ():
        click.echo(f"policylint: warning: using {config.path}; {other} is not read ({_shadow_reason(config.path)})", err=True)
    return config


def _shadow_reason(path: str) -> str:
    return f"{os.path.basename(path)} comes first in the same directory; settings are not merged"


def _lint(paths, select, ignore, exclude, config, jobs: int, quiet: bool, cache_dir: str | None, no_cache: bool,
          changed_only: bool = False, baseline: str | None = None, max_file_size: int | None = None, parameters=(), var_files=()):
    from policylint.baseline import BaselineError
    from policylint.catalogue import UsageError
    from policylint.engine import lint_paths

    progress = None
    if not quiet and sys.stderr.isatty():
        from policylint.terminal import Progress

        progress = Progress(sys.stderr)
    try:
        return lint_paths(
            paths,
            select=_split(select),
            ignore=_split(ignore),
            exclude=_split(exclude),
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
    except BaselineError as exc:
        raise ConfigFailure(str(exc)) from None
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    finally:
        if progress is not None:
            progress.close()


def _notices(report, quiet: bool) -> None:
    """Paths left out on purpose (FIFOs, sockets, devices), on stderr: they do not fail the scan."""
    if quiet:
        return
    from policylint.report import printable

    for notice in report.notices:
        click.echo(f"{printable(notice.file)}: note: {notice.message}", err=True)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "formats", multiple=True, metavar="FORMAT[:FILE]", help=f"Report format ({', '.join(FORMAT_CHOICES)}), to FILE or stdout; repeatable, at most one to stdout (`--format text --format sarif:results.sarif`).  [default: text]")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report to FILE instead of stdout (one --format only).")
@click.option("--fail-on", type=click.Choice(SEVERITY_CHOICES), default=None, help="Exit 1 when a finding is at or above this severity.  [default: low, or the config's fail-on]")
@click.option("--severity", "min_severity", type=click.Choice(SEVERITY_CHOICES), default=None, help="Show and count only findings at or above this severity.  [default: info (all)]")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings; unreadable or unparseable input still exits 2.")
@click.option("--statistics", is_flag=True, help="End the text report with the number of findings per rule.")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), help="Report only findings that are not in this baseline file.")
@click.option("--show-suppressed", is_flag=True, help="Also list suppressed findings and what suppressed them.")
@click.option("--changed-only", is_flag=True, help="PATHS are changed files (pre-commit): evaluate each with its Terraform module, report only findings in PATHS.")
@click.option("--root", type=click.Path(file_okay=False), metavar="DIR", default=None, help="Paths in sarif, junit, github, gitlab and markdown reports are relative to DIR.  [default: current directory]")
@_selection_options
def scan(paths, formats, output, fail_on, min_severity, exit_zero, statistics, baseline_file, show_suppressed, changed_only, root, select, ignore, exclude, config_file, no_config, jobs, quiet, max_file_size, cache_dir, no_cache, parameters, var_files) -> None:
    """Lint files and directories (walked recursively; default: the current directory)."""
    from policylint.catalogue import at_least

    if not paths and not changed_only:
        paths = (".",)
    targets = _targets(formats, output)
    config = _load_config(paths, config_file, no_config)
    report = _lint(paths, select, ignore, exclude, config, jobs, quiet, cache_dir, no_cache, changed_only, baseline_file, max_file_size, parameters, var_files) if paths else _empty_report()
    _notices(report, quiet)
    if min_severity:
        report = _at_least(report, min_severity)
    to_stdout = any(path is None for _, path in targets)
    for name, path in targets:
        options = RenderOptions(
            root=root,
            colour=path is None and _colour(sys.stdout),
            quiet=quiet,
            show_suppressed=show_suppressed,
            severities=config.severity if config else {},
            statistics=statistics,
        )
        text = render(name, report, options)
        if path:
            _write(path, text)
        else:
            click.echo(text, nl=False, color=options.colour or None)
    if not to_stdout and not quiet:
        from policylint.reporters import text as text_reporter

        written = ", ".join(path for _, path in targets)
        click.echo(f"policylint: {text_reporter.full_summary(report)} Report written to {written}.", err=True)
        if statistics:
            click.echo(text_reporter.statistics(report), err=True, nl=False)
    empty = [] if changed_only else _nothing_under(paths, report, exclude, config)
    for path in empty:
        click.echo(f"policylint: error: nothing to scan under {path} (no Terraform, CloudFormation, plan, policy or text file)", err=True)
    if report.errors or empty:
        sys.exit(EXIT_ERROR)
    if exit_zero:
        sys.exit(EXIT_OK)
    threshold = fail_on or (config.fail_on if config and config.fail_on else "low")
    sys.exit(EXIT_FINDINGS if any(at_least(f.severity, threshold) for f in report.findings) else EXIT_OK)


def _targets(formats: tuple[str, ...], output: str | None) -> list[tuple[str, str | None]]:
    """``--format FORMAT[:FILE]`` values as (format, file or None for stdout)."""
    targets: list[tuple[str, str | None]] = []
    for value in formats or ("text",):
        name, _, path = value.partition(":")
        name = name.strip().lower()
        if name not in REPORTERS:
            import difflib

            hint = difflib.get_close_matches(name, FORMAT_CHOICES, n=1)
            suggestion = f"; did you mean `{hint[0]}`?" if hint else ""
            raise click.BadParameter(f"unknown format `{name}`{suggestion} (choose from {', '.join(FORMAT_CHOICES)})", param_hint="'--format'")
        targets.append((name, path or None))
    to_stdout = [name for name, path in targets if path is None]
    if len(to_stdout) > 1:
        raise click.BadParameter(f"only one format can go to stdout (got {', '.join(to_stdout)}); give the others a file: `--format {to_stdout[-1]}:FILE`", param_hint="'--format'")
    if output:
        if len(targets) > 1 or not to_stdout:
            raise click.BadParameter("--output goes with a single --format; use `--format FORMAT:FILE` for several outputs", param_hint="'--output'")
        targets = [(targets[0][0], output)]
    return targets


def _colour(stream) -> bool:
    """Colour on a terminal; ``NO_COLOR`` turns it off and ``FORCE_COLOR`` on (NO_COLOR wins)."""
    if "NO_COLOR" in os.environ:
        return False
    if os.environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    return stream.isatty()


def _at_least(report, severity: str):
    """The report without the findings (and suppressed findings) below ``severity``."""
    from dataclasses import replace

    from policylint.catalogue import at_least

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

    patterns = _split(exclude) or (config.exclude if config else [])
    return [p for p in paths if os.path.isdir(p) and not discover([p], patterns)[0]]


@cli.command("baseline")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, writable=True), help="The baseline file to write.")
@_selection_options
def write_baseline(paths, output, select, ignore, exclude, config_file, no_config, jobs, quiet, max_file_size, cache_dir, no_cache, parameters, var_files) -> None:
    """Record the current findings, so that `scan --baseline FILE` reports only new ones."""
    from policylint import baseline

    config = _load_config(paths, config_file, no_config)
    report = _lint(paths, select, ignore, exclude, config, jobs, quiet, cache_dir, no_cache, max_file_size=max_file_size, parameters=parameters, var_files=var_files)
    _notices(report, quiet)
    _write(output, baseline.render(report, output))
    count = len(report.findings)
    for error in report.errors:
        where = f"{error.file}:{error.line}" if error.line else error.file
        click.echo(f"{where}: error: {error.message}", err=True)
    if not quiet:
        click.echo(f"policylint: wrote {count} finding{'s' if count != 1 else ''} to {output}", err=True)
    sys.exit(EXIT_ERROR if report.errors else EXIT_OK)


@cli.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_rules(output_format) -> None:
    """List every rule (the meta rule PL000 included) with its code, name, severity and formats."""
    from policylint.catalogue import catalogue

    rules = catalogue().every
    if output_format == "json":
        import json

        data = [
            {"code": r.code, "slug": r.slug, "severity": r.severity, "title": r.title, "formats": sorted(r.formats)}
            for r in rules
        ]
        click.echo(json.dumps(data, indent=2))
        return
    width = max(len(",".join(r.formats)) for r in rules)
    for r in rules:
        formats = ",".join(sorted(r.formats))
        click.echo(f"{r.code}  {r.slug:<40} {r.severity:<9} {formats:<{width}}  {r.title}")


@cli.command("config")
@click.argument("path", required=False, default=".", type=click.Path())
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Show this configuration file instead of the one found for PATH.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def show_config(path, config_file, output_format) -> None:
    """Show the settings in effect for PATH (default: the current directory) and the file each
    comes from.  Precedence: built-in defaults < the configuration file < command-line flags."""
    import json

    from policylint import config as config_module

    config = _load_config([path], config_file, False, warn=False)
    settings = config_module.effective(config)
    if output_format == "json":
        data = {
            "file": config.path if config else None,
            "not_read": list(config.shadowed) if config else [],
            "settings": {key: {"value": value, "source": source} for key, value, source in settings},
        }
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"configuration file: {config.path if config else 'none (built-in defaults)'}")
    for other in config.shadowed if config else ():
        click.echo(f"not read: {other} ({_shadow_reason(config.path)})")
    width = max(len(key) for key, _, _ in settings)
    for key, value, source in settings:
        shown = json.dumps(value)
        if key == "select" and not value:
            shown = "[] (every rule)"
        click.echo(f"{key:<{width}}  {shown:<40}  # {source}")


@cli.command()
@click.argument("rule")
def explain(rule) -> None:
    """Show the documentation of a rule, by code or name."""
    from policylint.catalogue import UsageError, catalogue
    from policylint.terminal import BOLD, RESET, render_markdown

    try:
        found = catalogue().find(rule)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    colour = _colour(sys.stdout)
    title = f"{found.code} {found.slug} [{found.severity}]"
    header = f"{BOLD}{title}{RESET}" if colour else title
    click.echo(f"{header}\n{found.title}\nFormats: {', '.join(sorted(found.formats))}\n", color=colour or None)
    click.echo(render_markdown(found.docs(), colour), color=colour or None)
