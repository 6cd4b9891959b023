"""Suppressions: findings a user has reviewed and chosen to silence, and where they said so.

Three forms, all matched after the rules have run (``lint_paths(..., suppress=True)``):

* an inline comment in Terraform, YAML or any other text file::

      # policylint:ignore PL101,s3-public-acl -- reason
      # policylint:ignore PL101 until=2027-01-31 -- accepted until the migration

  (``//`` and ``/* */`` work in HCL too).  At the end of a line it covers the findings on that
  line.  Alone on a line it covers the construct that starts on the next line (further comment
  lines in between are skipped, a blank line is not): an attribute or key over all its lines, a
  whole block when that line is a block header (``resource "aws_s3_bucket" "b" {``, a YAML key
  whose value is a mapping or list).  Above a resource it also covers every finding that names
  that resource, wherever the finding points (a Terraform bucket's finding may sit in a split
  ``aws_s3_bucket_*`` resource of another file of the module).
* CloudFormation ``Metadata`` (the only form for JSON templates)::

      Metadata:
        policylint:
          ignore: [PL111, {rule: PL109, reason: "..."}]

  on a resource it covers the findings that name the resource or lie inside it; at the top of
  the template it covers the whole file.
* ``per-path-ignores`` in the configuration (the only form for plan and raw policy JSON).

Each form may carry an expiry date, ``until=YYYY-MM-DD`` (inline and in config entries:
``"PL201 until=2027-01-31"``; in Metadata: ``{rule: CODE, until: 2027-01-31}``).  The
suppression holds through that day; after it the finding is reported again and a PL000 finding
at the suppression says that it expired.  "Today" is :func:`today`, which tests replace.

Comments are found with each format's own tokenizer (for Terraform, the comments and construct
extents the parser keeps in a :class:`~policylint.model.SourceMap`, so no file is parsed twice;
PyYAML's scanner for templates), never with a text search that would also match ``#`` inside a
string or heredoc.  Only files whose text mentions ``policylint`` are looked at, so a scan without
suppressions pays nothing.

Suppressions that cover nothing, and suppressions that name an unknown rule, are reported as
findings of the meta rule PL000 (``unused-suppression``), so that stale ones get cleaned up and a
typo never silently fails to suppress.
"""

from __future__ import annotations

import bisect
import fnmatch
import os
import re

from policylint.catalogue import UsageError, catalogue
from policylint.model import SourceMap
from policylint.patterns import lazy
from policylint.records import record, field, replace
from policylint.report import KIND_LABELS
from policylint.rule import Finding, Rule

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    import datetime
    from typing import Iterable, Mapping, Sequence

    from policylint.config import Config
    from policylint.engine import Options
    from policylint.report import Report
    from policylint.model import TextFile

_DIRECTIVE = lazy(r"policylint\s*:\s*ignore\b(?P<rest>.*)", re.IGNORECASE)
_NAME = lazy(r"[A-Za-z0-9_-]+")
_TEXT_COMMENT = lazy(r"(?:^|(?<=[ \t]))(?:#|//)")
_YAML_COMMENT = lazy(r"(?:^|(?<=[ \t]))#", re.MULTILINE)
_UNTIL = lazy(r"(?:^|[\s,])until\s*=\s*(?P<date>\S*)", re.IGNORECASE)


def today() -> datetime.date:
    """The date expiring suppressions are judged against (the tests' clock replaces it)."""
    import datetime  # only a suppression with `until=` needs it

    return datetime.date.today()


def parse_until(value: str) -> datetime.date | None:
    """``2027-01-31`` as a date; None when it is not a valid ``YYYY-MM-DD`` date."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return None
    import datetime

    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        return None


def split_until(names_part: str) -> tuple[str, str | None]:
    """``PL101 until=2027-01-31`` → (``PL101``, ``2027-01-31``); the date is returned as written."""
    match = _UNTIL.search(names_part)
    if match is None:
        return names_part, None
    return names_part[:match.start()] + " " + names_part[match.end():], match.group("date")




@record(frozen=True)
class Suppression:
    """One suppression as written.  ``codes`` are rule codes.  What it covers:

    * ``target`` + ``lines``: findings in file ``target`` whose line lies in ``lines``
      (``None`` = the whole file);
    * ``resource`` = (scope, address): findings naming that resource (or a member of it, such as
      ``Group.RecordSets[0]``), in files of the directory ``scope`` when it ends with a path
      separator (a Terraform module), else in the file ``scope`` (CloudFormation);
    * ``pattern`` + ``base``: config per-path ignores, a glob relative to the config's directory.
    """

    kind: str  # comment | metadata | config
    file: str  # where the suppression is written
    line: int
    codes: tuple[str, ...]
    reason: str | None = None
    target: str | None = None
    lines: tuple[int, int] | None = None
    resource: tuple[str, str] | None = None
    pattern: str | None = None
    base: str | None = None
    until: datetime.date | None = None  # holds through this day, then expires

    def expired(self) -> bool:
        return self.until is not None and today() > self.until

    def covers(self, finding: Finding) -> bool:
        if finding.rule_id not in self.codes:
            return False
        if self.pattern is not None:
            return path_matches(finding.file, self.pattern, self.base)
        if self.target == finding.file and (self.lines is None or self.lines[0] <= finding.line <= self.lines[1]):
            return True
        if self.resource is None or finding.resource is None:
            return False
        scope, address = self.resource
        if finding.resource != address and not finding.resource.startswith(address + "."):
            return False
        if scope.endswith(os.sep):
            return (os.path.dirname(finding.file) or ".") + os.sep == scope
        return finding.file == scope

    def describe(self) -> str:
        reason = f": {self.reason}" if self.reason else ""
        until = f" (until {self.until.isoformat()})" if self.until else ""
        return f"{KIND_LABELS[self.kind]} at {self.file}:{self.line}{until}{reason}"


@record(frozen=True)
class SuppressedFinding:
    """A finding and the suppression that hid it."""

    finding: Finding
    suppression: Suppression


@record
class _Collected:
    """The suppressions found in a file, and PL000 findings about malformed ones."""

    suppressions: list[Suppression] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)  # PL000 findings about malformed ones


# --------------------------------------------------------------------------- matching


def apply(
    report: Report,
    texts: Sequence[TextFile],
    rules_run: Iterable[type[Rule]],
    options: Options,
    source_maps: Mapping[str, SourceMap] | None = None,
) -> Report:
    """The report with suppressed findings moved to ``suppressed`` and PL000 findings added.
    Inline comments and Metadata count when ``options.suppress`` is set; the config's per-path
    ignores always.  ``source_maps`` are the parsers' comments and structure of Terraform files
    (see :class:`policylint.model.SourceMap`), so that no file is parsed twice."""
    config, select, ignore = options.config, options.select, options.ignore
    changed_only = options.changed_only
    collected = _Collected()
    suppressed: list[SuppressedFinding] = list(report.suppressed)
    if options.suppress:
        for text_file in texts:
            if "policylint" in text_file.text.lower():
                _collect_file(text_file, collected, (source_maps or {}).get(text_file.path))
    if config is not None:
        _collect_config(config, collected)

    used: set[tuple[int, str]] = set()
    kept: list[Finding] = []
    expired = {i for i, s in enumerate(collected.suppressions) if s.expired()}
    for finding in report.findings:
        covering = [i for i, s in enumerate(collected.suppressions) if i not in expired and s.covers(finding)]
        if not covering:
            kept.append(finding)
            continue
        used.update((i, finding.rule_id) for i in covering)
        suppressed.append(SuppressedFinding(finding, collected.suppressions[covering[0]]))

    # Malformed suppressions and unknown rule names are reported unless PL000 is ignored
    # explicitly; stale ones only when PL000 is selected (it is by default).
    unused = catalogue().find("PL000")
    meta: list[Finding] = [] if unused.code in catalogue().codes(ignore) else list(collected.problems)
    ran = {r.code for r in rules_run}
    scanned = [t.path for t in texts]
    for index, suppression in enumerate(collected.suppressions):
        if not catalogue().is_selected(unused, select, ignore):
            break
        if index in expired:
            meta.append(_meta_finding(
                f"This suppression of `{'`, `'.join(suppression.codes)}` expired on {suppression.until.isoformat()}; "
                "its findings are reported again: fix them, or renew the date with a reason",
                suppression.file, suppression.line, "info",
                suppression.resource[1] if suppression.resource and suppression.kind == "metadata" else None,
                _format_of(suppression.file, texts),
            ))
            continue
        if suppression.kind == "config" and (changed_only or not any(path_matches(p, suppression.pattern, suppression.base) for p in scanned)):
            continue  # a pattern outside this scan (or a partial scan) proves nothing
        for code in suppression.codes:
            if code in ran and (index, code) not in used:
                meta.append(_meta_finding(
                    f"This suppression of `{code}` matches no finding; remove it",
                    suppression.file, suppression.line, "info",
                    suppression.resource[1] if suppression.resource and suppression.kind == "metadata" else None,
                    _format_of(suppression.file, texts),
                ))
    config_ignores = [s for s in collected.suppressions if s.kind == "config"]
    override = config.severity.get(unused.code) if config is not None else None
    kept.extend(replace(m, severity=override) if override else m for m in meta if not any(s.covers(m) for s in config_ignores))
    suppressed.sort(key=lambda s: Finding.sort_key(s.finding))
    return replace(report, findings=sorted(set(kept), key=Finding.sort_key), suppressed=suppressed)


def _meta_finding(message: str, file: str, line: int, severity: str, resource: str | None, fmt: str) -> Finding:
    unused = catalogue().find("PL000")
    return Finding(
        rule_id=unused.code,
        rule=unused.slug,
        severity=severity,
        message=message,
        file=file,
        line=line,
        end_line=line,
        resource=resource,
        format=fmt,
    )


def _format_of(path: str, texts: Sequence[TextFile]) -> str:
    for text_file in texts:
        if text_file.path == path:
            return text_file.format
    return "text"


def path_matches(path: str, pattern: str | None, base: str | None) -> bool:
    """``pattern`` (a glob relative to ``base``; ``*`` crosses ``/``; a directory covers what is
    below it; a leading ``**/`` also matches at the top) against a scanned path."""
    if pattern is None:
        return False
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(base or ".")).replace(os.sep, "/")
    pattern = pattern.strip().removeprefix("./")
    candidates = [pattern, pattern.rstrip("/") + "/*"]
    if pattern.startswith("**/"):
        candidates += [pattern[3:], pattern[3:].rstrip("/") + "/*"]
    return any(fnmatch.fnmatchcase(relative, c) for c in candidates)


# --------------------------------------------------------------------------- directives


def _resolve(names: Iterable[str], file: str, line: int, fmt: str, collected: _Collected) -> tuple[str, ...]:
    """Rule codes for the names of a suppression; unknown names become PL000 findings."""
    codes: list[str] = []
    for name in names:
        try:
            rule = catalogue().find(name)
        except UsageError:
            collected.problems.append(_meta_finding(
                f"`{name}` is not a policylint rule (see `policylint rules`); it suppresses nothing",
                file, line, "low", None, fmt,
            ))
            continue
        if rule.code not in codes:
            codes.append(rule.code)
    return tuple(codes)


def parse_directive(comment: str) -> tuple[list[str], str | None] | None:
    """``# policylint:ignore PL101, s3-public-acl -- reason`` → (names, reason); None when the
    comment is not a suppression.  An empty name list means the directive is malformed.  An
    ``until=DATE`` among the names is left out (:func:`directive_until` reads it)."""
    match = _DIRECTIVE.search(comment)
    if match is None:
        return None
    rest = match.group("rest").strip()
    if rest.endswith("*/"):
        rest = rest[:-2].rstrip()
    names_part, separator, reason = rest.partition("--")
    names_part, _ = split_until(names_part)
    names = [n for n in re.split(r"[,\s]+", names_part.strip()) if n]
    if any(not _NAME.fullmatch(n) for n in names):
        return [], None
    return names, (reason.strip() or None) if separator else None


def directive_until(comment: str) -> str | None:
    """The ``until=`` value of a suppression comment as written, or None."""
    match = _DIRECTIVE.search(comment)
    if match is None:
        return None
    return split_until(match.group("rest").partition("--")[0])[1]


@record(frozen=True)
class _Comment:
    """A suppression comment."""

    line: int  # where the directive is
    end_line: int  # last line of the comment (multi-line /* */)
    text: str
    alone: bool  # nothing but whitespace before it on its line


def _collect_file(text_file: TextFile, collected: _Collected, source: SourceMap | None) -> None:
    path, text, fmt = text_file.path, text_file.text, text_file.format
    lines = text.splitlines()
    structure: _Structure | None = None
    comments: list[_Comment] | None = None
    if fmt == "terraform":
        structure, comments = _hcl(source)
    elif fmt == "cloudformation" or path.lower().endswith((".yaml", ".yml", ".template")):
        comments = _yaml_comments(text) if not path.lower().endswith(".json") else []
        structure = _yaml_structure(text, path, collected, fmt)
        if comments is None and fmt != "cloudformation":  # not even YAML: plain text
            comments = _text_comments(lines)
    elif fmt == "text":
        comments = _text_comments(lines)
    if structure is not None:
        collected.suppressions.extend(structure.metadata)
    comment_lines = {c.line for c in comments or () if c.alone}
    for comment in comments or ():
        parsed = parse_directive(comment.text)
        if parsed is None:
            continue
        names, reason = parsed
        if not names:
            collected.problems.append(_meta_finding(
                "Malformed suppression: write `policylint:ignore CODE[,CODE...] [-- reason]`",
                path, comment.line, "low", None, fmt,
            ))
            continue
        written = directive_until(comment.text)
        until = parse_until(written) if written is not None else None
        if written is not None and until is None:
            collected.problems.append(_meta_finding(
                f"Malformed expiry `until={written}`: write a date as `until=YYYY-MM-DD`",
                path, comment.line, "low", None, fmt,
            ))
            continue
        codes = _resolve(names, path, comment.line, fmt, collected)
        if not codes:
            continue
        if not comment.alone:
            collected.suppressions.append(Suppression("comment", path, comment.line, codes, reason, target=path, lines=(comment.line, comment.line), until=until))
            continue
        target = comment.end_line + 1
        while target in comment_lines:
            target += 1
        if target > len(lines) or not lines[target - 1].strip():
            # Covers nothing: the unused check reports it.
            collected.suppressions.append(Suppression("comment", path, comment.line, codes, reason, target=path, lines=(0, 0), until=until))
            continue
        end = structure.ends.get(target, target) if structure else target
        resource = structure.resources.get(target) if structure else None
        collected.suppressions.append(Suppression("comment", path, comment.line, codes, reason, target=path, lines=(target, end), resource=resource, until=until))


def _collect_config(config: Config, collected: _Collected) -> None:
    for pattern, codes in config.per_path_ignores.items():
        expiring = config.per_path_until.get(pattern, {})
        lasting = tuple(c for c in codes if c not in expiring)
        if lasting:
            collected.suppressions.append(Suppression(
                "config", config.path or "<config>", config.line_of(pattern), lasting, pattern=pattern, base=config.root,
            ))
        for code, until in expiring.items():
            collected.suppressions.append(Suppression(
                "config", config.path or "<config>", config.line_of(pattern), (code,), pattern=pattern, base=config.root, until=until,
            ))


# --------------------------------------------------------------------------- structure


@record
class _Structure:
    """Where a file's constructs end and which resource each header line names."""

    ends: dict[int, int] = field(default_factory=dict)  # first line of a construct -> its last line
    resources: dict[int, tuple[str, str]] = field(default_factory=dict)  # header line -> (scope, address)
    metadata: list[Suppression] = field(default_factory=list)


def _hcl(source: SourceMap | None) -> tuple[_Structure | None, list[_Comment] | None]:
    """Structure and comments of a Terraform file, from the source map its parser kept (None
    when the file did not parse: the engine reports why, and there is nothing to suppress)."""
    if source is None:
        return None, None
    structure = _Structure(ends=dict(source.ends), resources=dict(source.resources))
    comments = []
    for comment in source.comments:
        # A directive on a later line of a multi-line comment sits on that line.
        offset = next((i for i, part in enumerate(comment.text.splitlines()) if _DIRECTIVE.search(part)), 0)
        comments.append(_Comment(comment.line + offset, comment.end_line, comment.text, comment.alone))
    return structure, comments


def _yaml_comments(text: str) -> list[_Comment] | None:
    """Comments of a YAML text: a ``#`` at a line start or after a blank that falls outside every
    scalar token (quoted strings, block scalars, plain scalars such as ``a#b``)."""
    from policylint.parsers.pyyaml import yaml

    spans: list[tuple[int, int]] = []
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.ScalarToken):
                spans.append((token.start_mark.index, token.end_mark.index))
    except yaml.YAMLError:
        return None
    spans.sort()
    starts = [s for s, _ in spans]
    comments = []
    for match in _YAML_COMMENT.finditer(text):
        index = match.start()
        i = bisect.bisect_right(starts, index) - 1
        if i >= 0 and spans[i][0] <= index < spans[i][1]:
            continue
        line_start = text.rfind("\n", 0, index) + 1
        line_end = text.find("\n", index)
        line = text.count("\n", 0, index) + 1
        body = text[index:line_end if line_end >= 0 else len(text)].rstrip("\r")
        comments.append(_Comment(line, line, body, not text[line_start:index].strip()))
    return comments


def _text_comments(lines: list[str]) -> list[_Comment]:
    """Plain text files (scripts, .env, ini ...): a ``#`` or ``//`` comment holding the directive;
    these files have no structure, so a suppression covers one line."""
    comments = []
    for number, line in enumerate(lines, start=1):
        if "policylint" not in line.lower():
            continue
        for match in _TEXT_COMMENT.finditer(line):
            if _DIRECTIVE.search(line, match.end()):
                comments.append(_Comment(number, number, line[match.start():], not line[:match.start()].strip()))
                break
    return comments


def _yaml_structure(text: str, path: str, collected: _Collected, fmt: str) -> _Structure | None:
    """Construct ranges of a YAML (or JSON) text, and for a CloudFormation template its resource
    headers and Metadata suppressions."""
    from policylint.parsers.pyyaml import yaml

    try:
        loader = yaml.CSafeLoader
    except AttributeError:  # pragma: no cover - libyaml missing
        loader = yaml.SafeLoader
    source = text.replace("\t", " ") if path.lower().endswith(".json") else text
    try:
        root = yaml.compose(source, Loader=loader)
    except yaml.YAMLError:
        return None
    lines = source.splitlines()
    structure = _Structure()

    def last_line(node) -> int:
        start = node.start_mark.line + 1
        if isinstance(node, yaml.ScalarNode) or node.flow_style or not node.value:
            mark = node.end_mark
            end = mark.line if mark.column == 0 and mark.line + 1 > start else mark.line + 1
            while end > start and end <= len(lines) and not lines[end - 1].strip():
                end -= 1
            return max(start, end)
        children = [v for pair in node.value for v in pair] if isinstance(node, yaml.MappingNode) else node.value
        return max([start] + [last_line(c) for c in children])

    def walk(node) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                start = key.start_mark.line + 1
                structure.ends[start] = max(structure.ends.get(start, start), last_line(value))
                walk(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                start = item.start_mark.line + 1
                structure.ends[start] = max(structure.ends.get(start, start), last_line(item))
                walk(item)

    if root is None:
        return structure
    walk(root)
    if fmt != "cloudformation" or not isinstance(root, yaml.MappingNode):
        return structure
    top = {k.value: v for k, v in root.value if isinstance(k, yaml.ScalarNode)}
    _metadata(top.get("Metadata"), path, None, (1, len(lines) or 1), structure, collected, fmt)
    resources = top.get("Resources")
    if isinstance(resources, yaml.MappingNode):
        for key, value in resources.value:
            if not isinstance(key, yaml.ScalarNode):
                continue
            start = key.start_mark.line + 1
            structure.resources[start] = (path, key.value)
            if isinstance(value, yaml.MappingNode):
                props = {k.value: v for k, v in value.value if isinstance(k, yaml.ScalarNode)}
                _metadata(props.get("Metadata"), path, key.value, (start, last_line(value)), structure, collected, fmt)
    return structure


def _metadata(node, path: str, logical_id: str | None, lines: tuple[int, int], structure: _Structure, collected: _Collected, fmt: str) -> None:
    """``Metadata: {policylint: {ignore: [CODE | {rule: CODE, reason: TEXT}, ...]}}``."""
    from policylint.parsers.pyyaml import yaml

    def child(mapping, name):
        if isinstance(mapping, yaml.MappingNode):
            for key, value in mapping.value:
                if isinstance(key, yaml.ScalarNode) and key.value == name:
                    return value
        return None

    ours = child(node, "policylint")
    if ours is None:
        return
    where = next(k.start_mark.line + 1 for k, v in node.value if v is ours)  # the key's line

    def problem(message: str, line: int) -> None:
        collected.problems.append(_meta_finding(message, path, line, "low", logical_id, fmt))

    extra = [k.value for k, _ in ours.value if k.value != "ignore"] if isinstance(ours, yaml.MappingNode) else []
    ignore = child(ours, "ignore")
    if not isinstance(ours, yaml.MappingNode) or extra or not isinstance(ignore, yaml.SequenceNode):
        problem("Malformed `Metadata.policylint`: write `ignore: [CODE, {rule: CODE, reason: TEXT}]`", where)
        return
    for item in ignore.value:
        line = item.start_mark.line + 1
        until = None
        if isinstance(item, yaml.ScalarNode):
            name, reason = item.value, None
        elif isinstance(item, yaml.MappingNode):
            fields = {k.value: v for k, v in item.value if isinstance(k, yaml.ScalarNode)}
            rule = fields.pop("rule", None) or fields.pop("id", None)
            reason_node = fields.pop("reason", None)
            until_node = fields.pop("until", None)
            if not isinstance(rule, yaml.ScalarNode) or fields or (reason_node is not None and not isinstance(reason_node, yaml.ScalarNode)):
                problem("Malformed ignore entry: write `{rule: CODE, reason: TEXT, until: YYYY-MM-DD}`", line)
                continue
            if until_node is not None:
                until = parse_until(until_node.value) if isinstance(until_node, yaml.ScalarNode) else None
                if until is None:
                    problem("Malformed expiry: write `until: YYYY-MM-DD`", until_node.start_mark.line + 1)
                    continue
            name, reason = rule.value, (reason_node.value if reason_node is not None else None)
        else:
            problem("Malformed ignore entry: write `CODE` or `{rule: CODE, reason: TEXT}`", line)
            continue
        codes = _resolve([str(name)], path, line, fmt, collected)
        if codes:
            resource = (path, logical_id) if logical_id else None
            span = lines if logical_id else None
            structure.metadata.append(Suppression("metadata", path, line, codes, reason, target=path, lines=span, resource=resource, until=until))
