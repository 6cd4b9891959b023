"""The commands: glue between click and :mod:`policylint.scan_command`, which does the work.

Only click, the standard library and the reporter registry are imported here; parsers, reporters,
the configuration loader and jsonschema load when a command needs them.  A plain ``policylint
scan`` does not come here at all: :mod:`policylint.scan_argv` parses it without click, and falls
back to this module for help, errors and any spelling it does not know.
"""

from __future__ import annotations

import sys

import click

from policylint import scan_command
from policylint.report import SEVERITIES as SEVERITY_CHOICES
from policylint.scan_command import EXIT_ERROR, FORMAT_CHOICES


class ConfigFailure(click.ClickException):
    """A bad configuration or baseline file, or an output that cannot be written: exit 2 without
    the usage text."""

    exit_code = EXIT_ERROR


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policylint", prog_name="policylint", message="%(prog)s %(version)s")
def cli() -> None:
    """A static linter for AWS CloudFormation, Terraform and IAM / bucket policies."""


def _parameters(ctx, param, values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    try:
        return scan_command.parse_parameters(values)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


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
        click.option("--max-file-size", type=_Size(), default=scan_command.DEFAULT_MAX_FILE_SIZE, show_default=True, metavar="SIZE", help="An infrastructure file larger than SIZE (bytes, or with K, M, G) is an error, not read."),
        click.option("--cache-dir", type=click.Path(file_okay=False), metavar="DIR", envvar=scan_command.CACHE_DIR_VARIABLE, show_envvar=True, help="Keep the cache of parsed files in DIR.  [default: .policylint_cache at the project root]"),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the cache of parsed files."),
        click.option("--parameter", "parameters", multiple=True, metavar="KEY=VALUE", callback=_parameters,
                     help="A CloudFormation parameter value for every template that declares KEY, over its default (repeatable; `AWS::Region=eu-west-1` too)."),
        click.option("--var-file", "var_files", multiple=True, type=click.Path(dir_okay=False), metavar="FILE", help="Terraform variable values for the root modules, as `terraform plan -var-file` (repeatable; after terraform.tfvars and *.auto.tfvars).  [default: the config's var-files]"),
    ]
    for option in reversed(options):
        function = option(function)
    return function


class _Shown:
    """Turns :mod:`policylint.scan_command`'s problems into click's: the same texts and exit codes
    as before the work moved there."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if isinstance(exc, scan_command.Failure):
            raise ConfigFailure(str(exc)) from None
        if isinstance(exc, scan_command.BadUsage):
            if exc.param_hint:
                raise click.BadParameter(exc.message, param_hint=exc.param_hint) from None
            raise click.UsageError(exc.message) from None
        return False


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
    with _Shown():
        code = scan_command.scan(paths, formats, output, fail_on, min_severity, exit_zero, statistics, baseline_file, show_suppressed, changed_only, root, select, ignore, exclude, config_file, no_config, jobs, quiet, max_file_size, cache_dir, no_cache, parameters, var_files)
    sys.exit(code)


@cli.command("baseline")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, writable=True), help="The baseline file to write.")
@_selection_options
def write_baseline(paths, output, select, ignore, exclude, config_file, no_config, jobs, quiet, max_file_size, cache_dir, no_cache, parameters, var_files) -> None:
    """Record the current findings, so that `scan --baseline FILE` reports only new ones."""
    with _Shown():
        code = scan_command.write_baseline(paths, output, select, ignore, exclude, config_file, no_config, jobs, quiet, max_file_size, cache_dir, no_cache, parameters, var_files)
    sys.exit(code)


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

    with _Shown():
        config = scan_command.load_config([path], config_file, False, warn=False)
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
        click.echo(f"not read: {other} ({scan_command.shadow_reason(config.path)})")
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
    colour = scan_command.colour(sys.stdout)
    title = f"{found.code} {found.slug} [{found.severity}]"
    header = f"{BOLD}{title}{RESET}" if colour else title
    click.echo(f"{header}\n{found.title}\nFormats: {', '.join(sorted(found.formats))}\n", color=colour or None)
    click.echo(render_markdown(found.docs(), colour), color=colour or None)
