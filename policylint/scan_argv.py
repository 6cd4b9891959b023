"""The fast path of ``policylint scan``: its command line parsed without click.

Importing click costs a one-file scan about 40 ms of CPU, a third of its budget, and a pre-commit
hook or a CI gate runs the same plain command line again and again.  So :func:`parse` reads the
spellings those use (``--name value``, ``--name=value``, ``-o FILE``, ``-j N``, ``-q``, ``--``)
into exactly the parameters click would give :func:`policylint.scan_command.scan`, and returns
None for anything else (help, an unknown or malformed option, a value click would reject, a
value that looks like an option): click then handles the whole command line as before.  A test
checks that every option click knows is known here and parsed the same way.
"""

from __future__ import annotations

import os
import sys

FLAGS = {
    "--exit-zero": "exit_zero",
    "--statistics": "statistics",
    "--show-suppressed": "show_suppressed",
    "--changed-only": "changed_only",
    "--no-config": "no_config",
    "--quiet": "quiet",
    "-q": "quiet",
    "--no-cache": "no_cache",
}
VALUES = {  # option -> (parameter, repeatable)
    "--format": ("formats", True),
    "--output": ("output", False),
    "-o": ("output", False),
    "--fail-on": ("fail_on", False),
    "--severity": ("min_severity", False),
    "--baseline": ("baseline_file", False),
    "--root": ("root", False),
    "--select": ("select", True),
    "--ignore": ("ignore", True),
    "--exclude": ("exclude", True),
    "--config": ("config_file", False),
    "--jobs": ("jobs", False),
    "-j": ("jobs", False),
    "--max-file-size": ("max_file_size", False),
    "--cache-dir": ("cache_dir", False),
    "--parameter": ("parameters", True),
    "--var-file": ("var_files", True),
}


class _NotMine(Exception):
    """The command line needs click."""


def parse(args: list[str]) -> dict | None:
    """The keyword arguments of :func:`policylint.scan_command.scan` for ``args`` (which start
    with ``scan``), or None when click must read them."""
    if not args or args[0] != "scan":
        return None
    try:
        return _parse(args[1:])
    except _NotMine:
        return None


def _parse(args: list[str]) -> dict:
    params: dict = {name: False for name in FLAGS.values()}
    params.update({name: () if repeatable else None for name, repeatable in VALUES.values()})
    paths: list[str] = []
    given: dict[str, str] = {}
    position = 0
    while position < len(args):
        arg = args[position]
        position += 1
        if arg == "--":
            paths.extend(args[position:])
            break
        if not arg.startswith("-") or arg == "-":
            if arg == "-":
                raise _NotMine
            paths.append(arg)
            continue
        name, equals, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in FLAGS and not equals:
            params[FLAGS[name]] = True
            continue
        if name not in VALUES:
            raise _NotMine  # help, combined short options (-qj2), -oFILE, unknown options: click's
        if not equals:
            if position == len(args) or args[position].startswith("-"):
                raise _NotMine  # a missing value, or one click might read differently
            value = args[position]
            position += 1
        parameter, repeatable = VALUES[name]
        if repeatable:
            params[parameter] += (value,)
        else:
            params[parameter] = value
            given[parameter] = value
    params["paths"] = tuple(paths)
    return _converted(params, given)


def _converted(params: dict, given: dict[str, str]) -> dict:
    """Values as click's types and callbacks make them; a value they would reject is click's."""
    from policylint.report import SEVERITIES
    from policylint.scan_command import CACHE_DIR_VARIABLE, DEFAULT_MAX_FILE_SIZE, parse_parameters

    try:
        params["jobs"] = int(given.get("jobs", "1"))
        from policylint.discover import parse_size

        params["max_file_size"] = parse_size(given.get("max_file_size", DEFAULT_MAX_FILE_SIZE))
        params["parameters"] = parse_parameters(params["parameters"])
    except ValueError:
        raise _NotMine from None
    if params["jobs"] < 0 or any(params[name] not in (None, *SEVERITIES) for name in ("fail_on", "min_severity")):
        raise _NotMine
    if params["cache_dir"] is None:
        params["cache_dir"] = os.environ.get(CACHE_DIR_VARIABLE) or None
    return params


def run(args: list[str]) -> bool:
    """Run ``policylint scan`` from ``args`` and exit; False when click must handle ``args``."""
    params = parse(args)
    if params is None:
        return False
    from policylint import scan_command

    try:
        code = scan_command.scan(**params)
    except scan_command.Failure as exc:
        scan_command.echo(f"Error: {exc}", err=True)
        code = scan_command.EXIT_ERROR
    except scan_command.BadUsage as exc:
        _show_as_click(args, exc)
        code = scan_command.EXIT_ERROR
    sys.exit(code)


def _show_as_click(args: list[str], problem) -> None:
    """A usage problem, printed with the usage text exactly as the click path prints it."""
    import click

    from policylint.commands import cli

    parent = cli.make_context("policylint", list(args), resilient_parsing=True)
    command = cli.get_command(parent, "scan")
    context = command.make_context("scan", list(args[1:]), parent=parent)
    if problem.param_hint:
        click.BadParameter(problem.message, ctx=context, param_hint=problem.param_hint).show()
    else:
        click.UsageError(problem.message, ctx=context).show()
