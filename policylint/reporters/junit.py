"""JUnit XML for GitLab and Jenkins test reports (TOOLING-NOTES §4c).

One ``testcase`` per finding, failing, named ``CODE resource file:line`` (unique: GitLab drops
repeated names, so a clash gets a `` #2`` suffix), with ``classname`` ``policylint.CODE`` (GitLab
shows it as the suite) and GitLab's ``file`` attribute plus ``line``.  Files that could not be
parsed are ``error`` testcases.  A clean scan is one passing testcase, so that the report is never
empty.  The shape is the lenient junit-10 schema plus ``file``/``line``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from policylint.patterns import lazy
from policylint.reporters import RenderOptions
from policylint.reporters.sarif import display_path, help_uri

_INVALID_XML = lazy("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def render(report, options: RenderOptions = RenderOptions()) -> str:
    root = options.base()
    suite = ET.Element("testsuite")
    names: dict[str, int] = {}

    def testcase(name: str, classname: str, file: str | None, line: int | None) -> ET.Element:
        count = names.get(name, 0) + 1
        names[name] = count
        attributes = {"name": _clean(name if count == 1 else f"{name} #{count}"), "classname": classname}
        if file is not None:
            attributes["file"] = _clean(file)
        if line:
            attributes["line"] = str(line)
        attributes["time"] = "0"
        return ET.SubElement(suite, "testcase", attributes)

    shown = [(f, None) for f in report.findings]
    if options.show_suppressed:
        shown += [(s.finding, s.suppression) for s in report.suppressed]
        shown.sort(key=lambda pair: pair[0].sort_key())
    failures = skipped = 0
    for finding, suppression in shown:
        path = display_path(finding.file, root)
        resource = f" {finding.resource}" if finding.resource else ""
        case = testcase(f"{finding.rule_id}{resource} {path}:{finding.line}", f"policylint.{finding.rule_id}", path, finding.line)
        body = (
            f"{path}:{finding.line}: {finding.rule_id} [{finding.severity}] {finding.message}"
            + (f" ({finding.resource})" if finding.resource else "")
            + f"\nrule: {finding.rule} ({help_uri(finding.rule_id)})"
        )
        if suppression is None:
            failures += 1
            element = ET.SubElement(case, "failure", {"type": finding.severity, "message": _clean(finding.message)})
        else:
            skipped += 1
            element = ET.SubElement(case, "skipped", {"type": "suppressed", "message": _clean(f"suppressed by {suppression.describe()}")})
        element.text = _clean(body)
    for error in report.errors:
        path = display_path(error.file, root)
        where = f"{path}:{error.line}" if error.line else path
        case = testcase(f"error {where}", "policylint.errors", path, error.line)
        element = ET.SubElement(case, "error", {"type": "error", "message": _clean(error.message)})
        element.text = _clean(f"{where}: {error.message}")
    if not shown and not report.errors:
        testcase(f"policylint: no findings in {report.files} file{'s' if report.files != 1 else ''}", "policylint", None, None)

    tests = len(suite)
    counts = {"tests": str(tests), "failures": str(failures), "errors": str(len(report.errors))}
    suite.attrib.update({"name": "policylint", **counts, "skipped": str(skipped), "time": "0"})
    suites = ET.Element("testsuites", {"name": "policylint", **counts, "time": "0"})
    suites.append(suite)
    ET.indent(suites, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
