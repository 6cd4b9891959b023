"""Entry point.  ``--version`` is answered before anything else is imported (pre-commit and CI
call us often), and a plain ``scan`` is run by :mod:`policylint.scan_argv` without click; the
commands live in :mod:`policylint.commands`.

The console script (and ``python -m policylint``) is :func:`run`: :func:`main`, then out without
tearing the interpreter down when nothing is left to run at exit.

Ctrl-C (SIGINT) ends the run with exit code 130, the shell's convention for "killed by SIGINT",
and one line on stderr instead of a traceback (click would turn it into "Aborted!" and exit 1,
which reads as "findings").  Worker processes of ``--jobs`` ignore SIGINT; the scan stops them
(:func:`policylint.parsers.parse_all`)."""

from __future__ import annotations

import gc
import os
# The C module behind `signal`, whose enum classes cost a one-file scan ~1 ms to build.
import _signal as signal
import sys

EXIT_INTERRUPTED = 128 + signal.SIGINT


class Interrupted(BaseException):
    """Raised by our SIGINT handler.  Not a KeyboardInterrupt, so that click lets it through."""


def _interrupt(signum, frame) -> None:
    raise Interrupted


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):  # answered before importing click: pre-commit calls us often
        from policylint import __version__

        print(f"policylint {__version__}")
        sys.exit(0)
    try:
        previous = signal.signal(signal.SIGINT, _interrupt)
    except ValueError:  # not the main thread (an embedding caller): leave SIGINT alone
        previous = None
    # Start-up creates thousands of classes and functions that live until the end: collecting
    # young objects every 700 allocations only walks them again (about 30 collections).
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    try:
        from policylint import scan_argv

        if not scan_argv.run(args):  # a plain `scan` exits there, without importing click
            from policylint.commands import cli

            cli.main(args=args, prog_name="policylint")
    except (Interrupted, KeyboardInterrupt):
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not print a traceback
        try:
            sys.stderr.write("\npolicylint: interrupted\n")
            sys.stderr.flush()
        except Exception:  # stderr closed: the exit code is what matters
            pass
        # A stopped `--jobs` pool's thread may still write to its closed wake-up pipe while the
        # interpreter shuts down; Python would print that as "Exception ignored in ..." after our line.
        sys.unraisablehook = lambda unraisable: None
        sys.exit(EXIT_INTERRUPTED)
    finally:
        gc.set_threshold(*threshold)
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def run() -> None:
    """:func:`main` as a program: its output flushed, then the process ends with main's exit code
    without the interpreter's teardown, which frees every module, rule and parsed document one by
    one for a process that is ending (2 % of a large scan's CPU, a tenth of a one-file scan's).
    Only when nothing is registered to run at exit and no other thread runs (``--jobs`` starts
    both); otherwise, and when the output cannot be flushed, Python exits as usual."""
    try:
        main()
        code = None
    except SystemExit as exc:
        code = exc.code
    if not _nothing_left_to_run():
        sys.exit(code)
    if code is not None and not isinstance(code, int):  # sys.exit("message"): as Python shows it
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:  # a closed pipe: Python's own exit reports it as usual
        sys.exit(code)
    os._exit(code or 0)


def _nothing_left_to_run() -> bool:
    import atexit

    pending = getattr(atexit, "_ncallbacks", None)  # CPython's count of atexit callbacks
    if pending is None or pending():
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1
