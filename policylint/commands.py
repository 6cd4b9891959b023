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
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise ConfigFailure(f"cannot write {path}: {exc.strerror or exc}") from None


def _split(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policylint", prog_name="policylint", message="%(prog)s %(version)s")
def cli() -> None:
    """A static linter for AWS CloudFormation, Terraform and IAM / bucket policies."""


def _remember(context: click.Context, parameter: click.Parameter, value):
    context.meta[f"policylint.{parameter.name}"] = value


def _cache_options() -> dict:
    context = click.get_current_context(silent=True)
    meta = context.meta if context is not None else {}
    return {"cache": not meta.get("policylint.no_cache", False), "cache_dir": meta.get("policylint.cache_dir")}


def _selection_options(function):
    """Options shared by `scan` and `baseline`."""
    options = [
        click.option("--select", multiple=True, metavar="CODES", help="Only these rules (codes, slugs or code prefixes; comma-separated)."),
        click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rules (codes, slugs or code prefixes; comma-separated)."),
        click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files and directories matching GLOB (repeatable)."),
        click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Read this configuration file instead of searching for one."),
        click.option("--no-config", is_flag=True, help="Ignore configuration files."),
        click.option("--jobs", "-j", type=click.IntRange(min=0), default=1, show_default=True, help="Parse files in N processes (0: one per CPU when the scan is large enough to gain from it)."),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary."),
        # The cache options reach `_lint` through the context (see `_cache_options`).
        click.option("--cache-dir", type=click.Path(file_okay=False), metavar="DIR", envvar="POLICYLINT_CACHE_DIR", show_envvar=True, expose_value=False, callback=_remember, help="Keep the cache of parsed files in DIR.  [default: .policylint_cache at the project root]"),
        click.option("--no-cache", is_flag=True, expose_value=False, callback=_remember, help="Neither read nor write the cache of parsed files."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _load_config(paths, config_file: str | None, no_config: bool):
    if no_config:
        return None
    from policylint import config as config_module

    try:
        if config_file:
            return config_module.load(config_file)
        return config_module.discover(paths)
    except config_module.ConfigError as exc:
        raise ConfigFailure(str(exc)) from None


def _lint(paths, select, ignore, exclude, config, jobs: int, quiet: bool, changed_only: bool = False, baseline: str | None = None):
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
            **_cache_options(),
        )
    except BaselineError as exc:
        raise ConfigFailure(str(exc)) from None
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    finally:
        if progress is not None:
            progress.close()


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(FORMAT_CHOICES), default="text", show_default=True, help="Report format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report to FILE instead of stdout.")
@click.option("--fail-on", type=click.Choice(SEVERITY_CHOICES), default=None, help="Exit 1 when a finding is at or above this severity.  [default: low, or the config's fail-on]")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), help="Report only findings that are not in this baseline file.")
@click.option("--show-suppressed", is_flag=True, help="Also list suppressed findings and what suppressed them.")
@click.option("--changed-only", is_flag=True, help="PATHS are changed files (pre-commit): evaluate each with its Terraform module, report only findings in PATHS.")
@click.option("--root", type=click.Path(file_okay=False), metavar="DIR", default=None, help="Paths in sarif, junit and github reports are relative to DIR.  [default: current directory]")
@_selection_options
def scan(paths, output_format, output, fail_on, baseline_file, show_suppressed, changed_only, root, select, ignore, exclude, config_file, no_config, jobs, quiet) -> None:
    """Lint files and directories (walked recursively)."""
    from policylint.catalogue import at_least

    config = _load_config(paths, config_file, no_config)
    report = _lint(paths, select, ignore, exclude, config, jobs, quiet, changed_only, baseline_file)
    options = RenderOptions(
        root=root,
        colour=output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ,
        quiet=quiet,
        show_suppressed=show_suppressed,
        severities=config.severity if config else {},
    )
    text = render(output_format, report, options)
    if output:
        _write(output, text)
    else:
        click.echo(text, nl=False)
    if report.errors:
        sys.exit(EXIT_ERROR)
    threshold = fail_on or (config.fail_on if config and config.fail_on else "low")
    sys.exit(EXIT_FINDINGS if any(at_least(f.severity, threshold) for f in report.findings) else EXIT_OK)


@cli.command("baseline")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, writable=True), help="The baseline file to write.")
@_selection_options
def write_baseline(paths, output, select, ignore, exclude, config_file, no_config, jobs, quiet) -> None:
    """Record the current findings, so that `scan --baseline FILE` reports only new ones."""
    from policylint import baseline

    config = _load_config(paths, config_file, no_config)
    report = _lint(paths, select, ignore, exclude, config, jobs, quiet)
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
    """List every rule with its code, name, severity and formats."""
    from policylint.catalogue import catalogue

    rules = catalogue().checks
    if output_format == "json":
        import json

        data = [
            {"code": r.code, "slug": r.slug, "severity": r.severity, "title": r.title, "formats": sorted(r.formats)}
            for r in rules
        ]
        click.echo(json.dumps(data, indent=2))
        return
    for r in rules:
        click.echo(f"{r.code}  {r.slug:<40} {r.severity:<9} {r.title}")


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
    colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    title = f"{found.code} {found.slug} [{found.severity}]"
    header = f"{BOLD}{title}{RESET}" if colour else title
    click.echo(f"{header}\n{found.title}\nFormats: {', '.join(sorted(found.formats))}\n")
    click.echo(render_markdown(found.docs(), colour))
