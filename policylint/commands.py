"""The commands: glue between click and :func:`policylint.engine.lint_paths`.

Only click and the standard library are imported here; parsers and reporters load when a command
needs them.
"""

from __future__ import annotations

import os
import sys

import click

SEVERITY_CHOICES = ("info", "low", "medium", "high", "critical")
EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _split(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policylint", prog_name="policylint", message="%(prog)s %(version)s")
def cli() -> None:
    """A static linter for AWS CloudFormation, Terraform and IAM / bucket policies."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Report format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report to FILE instead of stdout.")
@click.option("--select", multiple=True, metavar="CODES", help="Only these rules (codes, slugs or code prefixes; comma-separated).")
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rules (codes, slugs or code prefixes; comma-separated).")
@click.option("--fail-on", type=click.Choice(SEVERITY_CHOICES), default="low", show_default=True, help="Exit 1 when a finding is at or above this severity.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files and directories matching GLOB (repeatable).")
def scan(paths, output_format, output, select, ignore, fail_on, exclude) -> None:
    """Lint files and directories (walked recursively)."""
    from policylint.engine import UsageError, lint_paths
    from policylint.rule import severity_rank

    try:
        report = lint_paths(paths, select=_split(select), ignore=_split(ignore), exclude=_split(exclude))
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    if output_format == "json":
        from policylint.reporters import json_report

        text = json_report.render(report)
    else:
        from policylint.reporters import text as text_report

        colour = output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        text = text_report.render(report, colour=colour)
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        click.echo(text, nl=False)
    if report.errors:
        sys.exit(EXIT_ERROR)
    threshold = severity_rank(fail_on)
    sys.exit(EXIT_FINDINGS if any(severity_rank(f.severity) >= threshold for f in report.findings) else EXIT_OK)


@cli.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_rules(output_format) -> None:
    """List every rule with its code, name, severity and formats."""
    from policylint.engine import all_rules

    rules = all_rules()
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
    from policylint.engine import UsageError, find_rule

    try:
        found = find_rule(rule)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    header = f"{found.code} {found.slug} [{found.severity}]\n{found.title}\nFormats: {', '.join(sorted(found.formats))}\n"
    click.echo(header)
    click.echo(found.docs())
