"""Nested stacks and StackSets: child templates evaluated with the values their parent passes.

A child template is reached by a local ``TemplateURL`` (a path relative to the parent template,
as ``aws cloudformation package`` and ``sam build`` take it), or by a SAM application's local
``Location`` (``AWS::Serverless::Application``, which ``sam build`` turns into a nested stack; a
``Location`` naming a Serverless Application Repository app, S3 or HTTPS is unknown).  :func:`group` puts a parent and
all its descendants into one unit (so the parse cache keys on all of them), reading a child from
disk when it is not in the scan; a child evaluated through its parent is not judged again alone
with its defaults.  A StackSet's inline ``TemplateBody`` is a template whose lines are those of
the outer file.  A missing child is unknown; a cycle is an error naming both templates.
"""

from __future__ import annotations

import os
import re

from policylint.model import Document, Node, ParseError, Resource
from policylint.patterns import lazy
from policylint.records import field, record

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Any, Callable, Sequence
    Parse = Callable[..., Document]

# The property naming each stack type's child template.
CHILD_PROPERTY = {
    "AWS::CloudFormation::Stack": "TemplateURL",
    "AWS::CloudFormation::StackSet": "TemplateURL",
    "AWS::Serverless::Application": "Location",
}
MAX_TEMPLATES = 200  # templates in one stack tree; far above real ones
MAX_EVALUATIONS = 1000  # evaluations of children in one unit (a child shared by many parents)
MAX_CHILD_BYTES = 16 * 1024 * 1024
_REMOTE = lazy(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
# `TemplateURL: child.yaml`, `"TemplateURL": "child.json"`: found before parsing, to group units.
# Both patterns start with their key's literal name, which the regex engine finds fast (an optional
# quote before it would make it try every position; only group 1 is used).
_TEMPLATE_URL = lazy(r"""TemplateURL["']?\s*:\s*["']?([^"'\s#,{}\[\]]+)""")
# `Location: app/template.yaml` on one line (a SAM application's; a mapping on the next lines
# names a published app).  Other `Location` keys may match: grouping them is harmless, only
# `claim` decides what is evaluated through a parent.
_LOCATION = lazy(r"""Location(?<![\w-]Location)["']?[ \t]*:[ \t]*["']?([^"'\s#,{}\[\]]+)""")


def local_path(parent: str, url: str) -> str | None:
    """The file a ``TemplateURL`` names, relative to the parent template; None for a URL (S3,
    HTTPS) or a value that is not a plain path."""
    url = url.strip()
    if not url or _REMOTE.match(url) or "${" in url or url.startswith(("!", "{")):
        return None
    return os.path.normpath(os.path.join(os.path.dirname(parent), url))


def children(path: str, text: str) -> list[str]:
    """The local child templates a template names, in order (a cheap look at the text)."""
    matches = []
    if "TemplateURL" in text:
        matches.extend(_TEMPLATE_URL.finditer(text))
    if "Location" in text:
        matches.extend(_LOCATION.finditer(text))
    out = []
    for match in matches:
        child = local_path(path, match.group(1))
        if child is not None and child != path and child not in out:
            out.append(child)
    return out


def _read(path: str) -> str | None:
    """A child template that is not in the scan, or None when it cannot be read (unknown)."""
    try:
        if not os.path.isfile(path) or os.path.getsize(path) > MAX_CHILD_BYTES:
            return None
        with open(path, encoding="utf-8-sig") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def group(templates: Sequence[tuple[str, str]]) -> list[tuple[tuple[str, str], ...]]:
    """The templates grouped into stack trees, in the order of ``templates``: each root (a
    template that no other template of the scan names as its child) with its descendants; a
    template reached only through a cycle is a root of its own."""
    texts = dict(templates)
    named: dict[str, list[str]] = {}
    referenced: set[str] = set()
    for path, text in templates:
        kids = children(path, text)
        if kids:
            named[path] = kids
            referenced.update(k for k in kids if k in texts)
    if not named:
        return [((path, text),) for path, text in templates]
    covered: set[str] = set()
    out = []
    for roots in ([p for p, _ in templates if p not in referenced], [p for p, _ in templates]):
        for root in roots:
            if root in covered:
                continue
            tree = _tree(root, named, texts)
            covered.update(path for path, _ in tree)
            out.append(tree)
    return out


def _tree(root: str, named: dict[str, list[str]], texts: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """``root`` and its descendants (read from disk where not in the scan), breadth first."""
    tree = [(root, texts[root])]
    seen = {root}
    for path, text in tree:  # grows while walked; bounded by MAX_TEMPLATES
        kids = named.get(path) if path in texts else children(path, text)
        for kid in kids or ():
            if kid in seen or len(tree) >= MAX_TEMPLATES:
                continue
            seen.add(kid)
            kid_text = texts.get(kid)
            if kid_text is None:
                kid_text = _read(kid)
            if kid_text is not None:
                tree.append((kid, kid_text))
    return tuple(tree)


@record
class Stacks:
    """The templates of one unit and what has been evaluated through a parent."""

    sources: dict[str, str]
    parameters: dict[str, Any]
    claimed: set[str] = field(default_factory=set)
    evaluations: int = 0

    def at(self, path: str, chain: tuple[str, ...] = ()) -> StackContext:
        return StackContext(self, chain + (path,))


@record(frozen=True)
class StackContext:
    """Where a template sits in its unit's stack tree: ``chain`` is the root, ..., itself."""

    stacks: Stacks
    chain: tuple[str, ...]


@record(frozen=True)
class Embedded:
    """A template written inside another file (a StackSet's ``TemplateBody``): its lines are
    the outer file's, and its resources are named after the outer resource."""

    body: Node
    owner: str  # the outer resource's logical ID

    def line(self, line: int | None) -> int:
        if self.body.text_line is not None and line is not None:
            return self.body.text_line + line - 1  # a block scalar: one line per line
        return self.body.line  # a quoted string: all on the string's line

    def place(self, root: Node) -> Node:
        for node in root.walk():
            node.line = self.line(node.line)
            if node.end_line is not None:
                node.end_line = self.line(node.end_line)
            node.text_line = None if node.text_line is None else self.line(node.text_line)
        return root


def claim(stack: StackContext | None, resources: dict[str, Node], path: str) -> None:
    """Children named by this template's stack resources are evaluated through it (or not at
    all, when their resource is not created): none is judged alone."""
    if stack is None:
        return
    for raw in resources.values():
        if not isinstance(raw.value, dict):
            continue
        type_node = raw.get("Type")
        url_property = CHILD_PROPERTY.get(type_node.value) if type_node is not None and isinstance(type_node.value, str) else None
        url = raw.get("Properties", url_property) if url_property is not None else None
        if url is not None and isinstance(url.value, str):
            child = local_path(path, url.value)
            if child is not None:
                stack.stacks.claimed.add(child)


def merge(into: Document, other: Document) -> None:
    into.resources.extend(other.resources)
    into.policies.extend(other.policies)
    into.errors.extend(other.errors)
    into.exports.update(other.exports)
    into.source_maps.update(other.source_maps)
    into.notices.extend(other.notices)




def evaluate_child(parse: Parse, stack: StackContext | None, parent: str, url: Node | None, given: dict[str, Any], owner: str, doc: Document) -> None:
    """Evaluate the child template a stack resource names, with the values it passes; nothing
    (unknown) when the child is remote, missing or not in this unit."""
    if stack is None or url is None or not isinstance(url.value, str):
        return
    child = local_path(parent, url.value)
    text = stack.stacks.sources.get(child) if child is not None else None
    if text is None:
        return
    if child in stack.chain:
        doc.errors.append(ParseError(parent, url.line, f"nested stack cycle: `{owner}` in {parent} includes {child}, which includes {parent} again; a stack cannot contain itself"))
        return
    stacks = stack.stacks
    if stacks.evaluations >= MAX_EVALUATIONS:
        return  # a child shared by very many parents: the rest stay unknown
    stacks.evaluations += 1
    values = {**stacks.parameters, **given}
    merge(doc, parse(text, child, values, stack=stacks.at(child, stack.chain)))


def passed(parameters: Node | None) -> dict[str, Any]:
    """A nested stack's ``Parameters`` (a mapping) or a StackSet's (a list of ParameterKey /
    ParameterValue), as name -> value Node."""
    if parameters is None:
        return {}
    if isinstance(parameters.value, dict):
        return dict(parameters.value)
    out = {}
    for item in parameters.items():
        key, value = item.get("ParameterKey"), item.get("ParameterValue")
        if key is not None and isinstance(key.value, str) and value is not None:
            out[key.value] = value
    return out


def parse_group(unit, parse: Parse) -> Document:
    """A unit of several templates: the root, its children through it, and any template of the
    unit that no evaluated parent claimed, alone."""
    stacks = Stacks(dict(unit.sources), dict(unit.parameters))
    doc = parse(unit.text, unit.path, dict(unit.parameters), stack=stacks.at(unit.path))
    for path, text in unit.sources[1:]:
        if path not in stacks.claimed:
            merge(doc, parse(text, path, dict(unit.parameters), stack=stacks.at(path)))
    return doc


def builders(parse: Parse) -> dict[str, Callable]:
    """Builders for the stack resource types, for the template parser's table."""

    def nested_stack(t, common: dict, props: Node, doc: Document) -> None:
        doc.resources.append(Resource(**common))
        evaluate_child(parse, t.stack, t.path, props.get("TemplateURL"), passed(props.get("Parameters")), common["address"], doc)

    def stack_set(t, common: dict, props: Node, doc: Document) -> None:
        doc.resources.append(Resource(**common))
        given = passed(props.get("Parameters"))
        body = props.get("TemplateBody")
        if body is not None and isinstance(body.value, str):
            values = {**(t.stack.stacks.parameters if t.stack else {}), **given}
            merge(doc, parse(body.value, t.path, values, stack=t.stack, embedded=Embedded(body, common["address"])))
        else:
            evaluate_child(parse, t.stack, t.path, props.get("TemplateURL"), given, common["address"], doc)

    def application(t, common: dict, props: Node, doc: Document) -> None:
        """A SAM application: a nested stack once ``sam build`` has packaged a local ``Location``."""
        doc.resources.append(Resource(**common))
        evaluate_child(parse, t.stack, t.path, props.get("Location"), passed(props.get("Parameters")), common["address"], doc)

    return {"AWS::CloudFormation::Stack": nested_stack, "AWS::CloudFormation::StackSet": stack_set, "AWS::Serverless::Application": application}
