"""The Terraform built-in functions the evaluator reproduces, as a table of small functions.

Each takes the evaluator, the evaluated arguments, the call and the file it is written in, and
returns a :class:`Node`, or None when the result is not known (the call then evaluates to an
:class:`Unknown`).  A function missing from :data:`FUNCTIONS` is unknown whatever its arguments.
``file``, ``filebase64`` and ``templatefile`` read files of the module directory only.
This module also holds the value conversions Terraform's functions share with its templates and
operators (:func:`scalar_text`, :func:`is_number`).
"""

from __future__ import annotations

import binascii
import json
import os
import re

from policylint.model import Node, Ref, Unknown
from policylint.parsers import hcl_tree as hcl
from policylint.parsers.located_json import json_to_node
from policylint.patterns import lazy

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Any, Callable
    Function = Callable[["Evaluator", list[Node], hcl.Call, str], "Node | None"]
    from policylint.parsers.tf_eval import Evaluator


_MAX_READ_BYTES = 1024 * 1024


def scalar_text(value: Any) -> str | None:
    """How Terraform renders a known primitive inside a string; None otherwise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return None


def is_number(value: Any) -> bool:
    """An HCL number (a bool is not one)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def refs_of(value: Any) -> tuple[Ref, ...]:
    """The references to resources a value carries."""
    if isinstance(value, Ref):
        return (value,)
    if isinstance(value, Unknown):
        return value.refs
    return ()


def collection_pairs(node: Node, sets: bool) -> list[tuple[Node, Node]] | None:
    """(key, value) Nodes of a known collection: a map's keys; a list's elements as keys and
    values when ``sets`` (Terraform's ``for_each`` takes sets of strings, and ``toset`` gives a
    list here), else its indexes.  None when unknown or when a key is not a known string."""
    value = node.value
    if isinstance(value, dict):
        return [(Node(key, node.file, node.line), item) for key, item in value.items()]
    if not isinstance(value, list):
        return None
    if not sets:
        return [(Node(index, item.file, item.line), item) for index, item in enumerate(value)]
    pairs: dict[str, tuple[Node, Node]] = {}
    for item in value:
        text = scalar_text(item.value) if not isinstance(item.value, bool) else None
        if text is None:
            return None
        key = Node(text, item.file, item.line, item.end_line)
        pairs.setdefault(text, (key, key))
    return list(pairs.values())


def _fully_known(node: Node) -> bool:
    return all(n.known for n in node.walk())


def json_text(node: Node) -> str | None:
    """``jsonencode`` output for a fully known value (Terraform sorts object keys)."""
    if not _fully_known(node):
        return None
    return json.dumps(node.plain(), separators=(",", ":"), sort_keys=True)


def _fn_jsonencode(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 1:
        return None
    value = args[0]
    if isinstance(value.value, (dict, list)):
        return value  # documents stay located trees (see policylint.parsers.terraform)
    if not ev.spend(ev.size(value), file, expr):
        return None
    text = json_text(value)
    return None if text is None else ev.node(text, file, expr)


def _fn_jsondecode(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 1:
        return None
    value = args[0]
    if isinstance(value.value, (dict, list)):  # jsondecode(jsonencode(x))
        return value
    if not isinstance(value.value, str):
        return None
    try:
        return json_to_node(value.value, file, expr.line)
    except ValueError:
        return None


def _fn_base64encode(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 1:
        return None
    value = args[0]
    if not ev.spend(ev.size(value), file, expr):
        return None
    text = value.value if isinstance(value.value, str) else json_text(value) if isinstance(value.value, (dict, list)) else None
    if text is not None and not ev.fits_length(len(text) * 4 // 3 + 4, file, expr):
        return None
    if text is not None:
        import base64  # here: a Terraform scan rarely calls these
        encoded = ev.node(base64.b64encode(text.encode("utf-8")).decode("ascii"), file, expr)
    elif isinstance(value.value, Unknown):
        # Unknown either way; keep the text being encoded so user data stays readable.
        encoded = ev.node(Unknown(value.value.text, value.value.refs), file, expr)
    else:
        return None
    encoded.text_line = value.text_line  # where the text that was encoded starts, for decoders
    return encoded


def _fn_base64decode(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 1 or not isinstance(args[0].value, str):
        return None
    try:
        import base64  # here: a Terraform scan rarely calls these
        return ev.node(base64.b64decode(args[0].value, validate=True).decode("utf-8"), file, expr)
    except (binascii.Error, UnicodeDecodeError):
        return None


def _fn_case(convert: Callable[[str], str]) -> Function:
    def function(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
        if len(args) != 1 or not isinstance(args[0].value, str):
            return None
        return ev.node(convert(args[0].value), file, expr)

    return function


_FORMAT_VERB = lazy(r"%(%|s|d|v)")


def _fn_format(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if not args or not isinstance(args[0].value, str):
        return None
    template = args[0].value
    if re.search(r"%(?![%sdv])", template):  # widths, flags, other verbs: not reproduced
        return None
    if not ev.fits_length(len(template) + sum(len(a.value) for a in args[1:] if isinstance(a.value, str)), file, expr):
        return None
    values = iter(args[1:])
    out = []
    position = 0
    for match in _FORMAT_VERB.finditer(template):
        out.append(template[position:match.start()])
        position = match.end()
        if match.group(1) == "%":
            out.append("%")
            continue
        value = next(values, None)
        if value is None:
            return None
        if match.group(1) == "d" and not (is_number(value.value) and float(value.value).is_integer()):
            return None
        text = scalar_text(value.value)
        if text is None:
            return None
        out.append(text)
    out.append(template[position:])
    return ev.node("".join(out), file, expr)


def _fn_concat(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if not all(isinstance(a.value, list) for a in args):
        return None
    if not ev.spend(sum(len(a.value) for a in args), file, expr):
        return None
    return ev.node([item for a in args for item in a.value], file, expr)


def _fn_merge(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    merged: dict[str, Node] = {}
    if not ev.spend(sum(len(a.value) for a in args if isinstance(a.value, dict)), file, expr):
        return None
    for arg in args:
        if arg.value is None:
            continue
        if not isinstance(arg.value, dict):
            return None
        merged.update(arg.value)
    return ev.node(merged, file, expr)


def _fn_tolist(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 1 or not isinstance(args[0].value, list):
        return None
    return args[0]


def _fn_toset(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 1 or not isinstance(args[0].value, list):
        return None
    items = args[0].value
    if not all(isinstance(i.value, (str, int, float, bool)) for i in items):
        return None  # elements that cannot be compared: unknown duplicates
    seen: dict[Any, Node] = {}
    for item in items:
        seen.setdefault((type(item.value), item.value), item)
    return Node(list(seen.values()), args[0].file, args[0].line, args[0].end_line)


def _fn_join(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) < 2 or not isinstance(args[0].value, str) or not all(isinstance(a.value, list) for a in args[1:]):
        return None
    if not ev.spend(sum(len(a.value) for a in args[1:]), file, expr):
        return None
    texts = [scalar_text(item.value) for a in args[1:] for item in a.value]
    if any(t is None for t in texts):
        return None
    if not ev.fits_length(sum(map(len, texts)) + len(args[0].value) * len(texts), file, expr):  # type: ignore[arg-type]
        return None
    return ev.node(args[0].value.join(texts), file, expr)  # type: ignore[arg-type]


def _fn_compact(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 1 or not isinstance(args[0].value, list):
        return None
    items = args[0].value
    if not all(isinstance(i.value, str) or i.value is None for i in items):
        return None
    return ev.node([i for i in items if i.value], file, expr)


def _fn_lookup(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) not in (2, 3) or not isinstance(args[0].value, dict) or not isinstance(args[1].value, str):
        return None
    found = args[0].value.get(args[1].value)
    if found is not None:
        return found
    return args[2] if len(args) == 3 else None


def _fn_file(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    """A text file of the module: a JSON document becomes its located tree, other text a string."""
    read = _read_module_file(ev, args[0]) if len(args) == 1 else None
    if read is None:
        return None
    path, raw = read
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if text.lstrip()[:1] not in ("{", "["):
        return ev.node(text, file, expr)
    try:
        return json_to_node(text.replace("\r\n", "\n"), path, 1, aligned=True)
    except ValueError:  # looks like JSON but is not: the plain text
        return ev.node(text, file, expr)


def _fn_filebase64(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    read = _read_module_file(ev, args[0]) if len(args) == 1 else None
    if read is None:
        return None
    import base64  # here: a Terraform scan rarely calls these
    return ev.node(base64.b64encode(read[1]).decode("ascii"), file, expr)


def _fn_templatefile(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    """The template rendered with the known variables; unknown parts stay ``${...}``."""
    read = _read_module_file(ev, args[0]) if len(args) == 2 else None
    if read is None:
        return None
    try:
        text = read[1].decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError:
        return None
    variables = args[1].value if isinstance(args[1].value, dict) else {}
    if read[0] in ev.including:  # a template that renders itself, directly or not
        ev.notice(file, expr.line, f"`templatefile` includes `{os.path.basename(read[0])}` inside itself")
        return None
    template = hcl.parse_template(text)
    ev.including.append(read[0])
    try:
        rendered = ev.eval(template, read[0], dict(variables))
    finally:
        ev.including.pop()
    if isinstance(rendered.value, Unknown):
        refs = tuple(dict.fromkeys(rendered.value.refs + refs_of(args[1].value) + ev.refs_in(expr)))
        return ev.node(Unknown(rendered.value.text, refs), file, expr)
    if not isinstance(rendered.value, str):
        return None
    return ev.node(rendered.value, file, expr)


def _read_module_file(ev: Evaluator, path_node: Node) -> tuple[str, bytes] | None:
    """The bytes of a file named relative to the module directory, when the path is known
    and stays inside the directory."""
    value = path_node.value
    if isinstance(value, Unknown):
        # "${path.module}/x.json": path.module is the module directory itself.
        match = re.fullmatch(r"\$\{path\.(?:module|root)\}/([^$%]+)", value.text)
        value = match.group(1) if match else None
    if not isinstance(value, str) or not value:
        return None
    base = os.path.realpath(ev.module.directory or ".")
    full = os.path.realpath(os.path.join(base, value))
    if os.path.commonpath([base, full]) != base or not os.path.isfile(full):
        return None
    try:
        if os.path.getsize(full) > _MAX_READ_BYTES:
            return None
        with open(full, "rb") as handle:
            return os.path.join(ev.module.directory, os.path.relpath(full, base)), handle.read()
    except OSError:
        return None


def _plain_scalar(node: Node) -> Any:
    """A known primitive as a comparable value; _NOT_SCALAR otherwise."""
    value = node.value
    if value is None or isinstance(value, (str, bool)) or is_number(value):
        return (type(value) if not is_number(value) else float, value)
    return _NOT_SCALAR


_NOT_SCALAR = object()


def _fn_try(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    """The first argument, when it is wholly known.  An unknown one may be unknown or an
    error, which only Terraform can tell: the result is unknown."""
    if not args or not _fully_known(args[0]):
        return None
    return args[0]


def _fn_can(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 1 or not _fully_known(args[0]):
        return None
    return ev.node(True, file, expr)


def _fn_coalesce(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    for arg in args:
        if not arg.known:
            return None
        if arg.value is not None and arg.value != "":
            return arg
    return None  # every argument null or empty: an error


def _fn_length(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 1 or not isinstance(args[0].value, (list, dict, str)):
        return None
    return ev.node(len(args[0].value), file, expr)


def _fn_element(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 2 or not isinstance(args[0].value, list) or not args[0].value:
        return None
    index = args[1].value
    if not is_number(index) or index < 0 or not float(index).is_integer():
        return None
    items = args[0].value
    return items[int(index) % len(items)]


def _fn_keys(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 1 or not isinstance(args[0].value, dict):
        return None
    return ev.node([Node(key, args[0].file, args[0].line) for key in sorted(args[0].value)], file, expr)


def _fn_values(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 1 or not isinstance(args[0].value, dict):
        return None
    mapping = args[0].value
    return ev.node([mapping[key] for key in sorted(mapping)], file, expr)


def _fn_zipmap(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 2 or not isinstance(args[0].value, list) or not isinstance(args[1].value, list):
        return None
    keys, items = args[0].value, args[1].value
    texts = [scalar_text(key.value) for key in keys]
    if len(keys) != len(items) or any(text is None for text in texts):
        return None
    return ev.node(dict(zip(texts, items)), file, expr)  # type: ignore[arg-type]


def _fn_one(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 1 or not isinstance(args[0].value, list) or len(args[0].value) > 1:
        return None
    return args[0].value[0] if args[0].value else ev.node(None, file, expr)


def _fn_contains(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 2 or not isinstance(args[0].value, list):
        return None
    wanted = _plain_scalar(args[1])
    if wanted is _NOT_SCALAR:
        return None
    if not ev.spend(len(args[0].value), file, expr):
        return None
    found = [_plain_scalar(item) for item in args[0].value]
    if wanted in found:
        return ev.node(True, file, expr)
    if _NOT_SCALAR in found:  # an unknown element may be the one
        return None
    return ev.node(False, file, expr)


def _fn_flatten(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 1 or not isinstance(args[0].value, list):
        return None
    if not ev.spend(ev.size(args[0]), file, expr):
        return None
    out: list[Node] = []
    stack = list(reversed(args[0].value))
    while stack:
        item = stack.pop()
        if isinstance(item.value, list):
            stack.extend(reversed(item.value))
        elif isinstance(item.value, (Unknown, Ref)):  # it may be a list: how many items is unknown
            return None
        else:
            out.append(item)
    return ev.node(out, file, expr)


def _fn_split(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 2 or not isinstance(args[0].value, str) or not isinstance(args[1].value, str) or not args[0].value:
        return None
    return ev.node([Node(part, file, expr.line) for part in args[1].value.split(args[0].value)], file, expr)


def _fn_replace(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 3 or not all(isinstance(a.value, str) for a in args):
        return None
    text, search, replacement = (a.value for a in args)
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        return None  # a regular expression (RE2 syntax): not reproduced
    if not search:
        return None
    count = text.count(search)
    if not ev.fits_length(len(text) + count * len(replacement), file, expr):
        return None
    return ev.node(text.replace(search, replacement), file, expr)


def _fn_tomap(ev: Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 1 or not isinstance(args[0].value, dict):
        return None
    return args[0]


FUNCTIONS: dict[str, Function] = {
    "try": _fn_try,
    "can": _fn_can,
    "coalesce": _fn_coalesce,
    "length": _fn_length,
    "element": _fn_element,
    "keys": _fn_keys,
    "values": _fn_values,
    "zipmap": _fn_zipmap,
    "one": _fn_one,
    "contains": _fn_contains,
    "flatten": _fn_flatten,
    "split": _fn_split,
    "replace": _fn_replace,
    "tomap": _fn_tomap,
    "jsonencode": _fn_jsonencode,
    "jsondecode": _fn_jsondecode,
    "base64encode": _fn_base64encode,
    "base64decode": _fn_base64decode,
    "lower": _fn_case(str.lower),
    "upper": _fn_case(str.upper),
    "format": _fn_format,
    "concat": _fn_concat,
    "merge": _fn_merge,
    "tolist": _fn_tolist,
    "toset": _fn_toset,
    "join": _fn_join,
    "compact": _fn_compact,
    "lookup": _fn_lookup,
    "file": _fn_file,
    "filebase64": _fn_filebase64,
    "templatefile": _fn_templatefile,
}
