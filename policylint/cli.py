"""Entry point.  ``--version`` is answered before anything else is imported (pre-commit and CI
call us often); the commands live in :mod:`policylint.commands`."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):  # answered before importing click: pre-commit calls us often
        from policylint import __version__

        print(f"policylint {__version__}")
        sys.exit(0)
    from policylint.commands import cli

    cli.main(args=args, prog_name="policylint")
