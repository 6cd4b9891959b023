"""The reporters: one registry of output formats, each a module with ``render(report, options) -> str``.

The CLI only chooses a name from :data:`REPORTERS`; everything a format shows (summary lines,
suppressed findings, extra JSON keys) is decided by its reporter.  Modules are imported when
chosen, so that start-up stays lean.
"""

from __future__ import annotations

import os

from policylint.records import record, field

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Mapping
    from policylint.report import Report

# Name -> module; the order is the order of ``--format``'s choices.
REPORTERS = {
    "text": "policylint.reporters.text",
    "json": "policylint.reporters.json_report",
    "sarif": "policylint.reporters.sarif",
    "junit": "policylint.reporters.junit",
    "github": "policylint.reporters.github",
    "gitlab": "policylint.reporters.gitlab",
    "markdown": "policylint.reporters.markdown",
}


@record(frozen=True)
class RenderOptions:
    """What a reporter may be told besides the report; each reads the fields it needs."""

    root: str | None = None  # sarif, junit, github: paths relative to this (None: the current directory)
    colour: bool = False  # text: ANSI colours
    quiet: bool = False  # text: no summary line
    show_suppressed: bool = False  # text, json, sarif, junit: also list suppressed findings
    severities: Mapping[str, str] = field(default_factory=dict)  # sarif: the config's severity overrides by code
    rules: Mapping[str, type] | None = None  # sarif: rule classes by code (None: the catalogue)
    statistics: bool = False  # text, markdown: also the number of findings per rule

    def base(self) -> str:
        """The directory that report paths are relative to."""
        return self.root if self.root is not None else os.getcwd()


def render(name: str, report: Report, options: RenderOptions = RenderOptions()) -> str:
    """``report`` in the format ``name`` (a key of :data:`REPORTERS`)."""
    # (__import__ with a fromlist returns the module itself; importlib would be one more import)
    return __import__(REPORTERS[name], fromlist=["render"]).render(report, options)
