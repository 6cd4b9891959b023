"""A Terraform module directory -> :class:`Document`.

All ``.tf``/``.tfvars`` files of one directory are one module: variables (their default, overridden
by ``terraform.tfvars`` then ``*.auto.tfvars`` in name order), locals, resources and data sources
are evaluated together.  Evaluation is static and conservative: literals, interpolation of known
values, a handful of pure functions; everything else (``module.*``, most ``data.*``,
``count.index``, unknown variables, other functions) becomes an :class:`Unknown`, and a reference
to a resource of the module becomes a :class:`Ref`.  Nothing is guessed.

The instances of a resource that may have several (``count``/``for_each``) are distinct
identities: ``aws_x.y["a"]`` is a Ref to the uid ``tf:<dir>::aws_x.y["a"]``, which no Resource
has (so the scan treats it as unknown), and ``aws_x.y[each.key]`` is unknown.  A resource with at
most one instance is one identity whatever its index.

Conventions the normaliser (``tf_resources``) relies on:

* blocks are lists of dict Nodes, the shape of plan JSON ``values``; a ``dynamic`` block is one
  Unknown Node (present, contents unknown);
* a JSON document stays a located tree: ``jsonencode(x)`` evaluates to ``x`` itself, and so do
  ``data.aws_iam_policy_document.d.json`` (the data block converted to the equivalent policy) and
  ``file()`` of a JSON file;
* a value read through ``var.x``/``local.x`` is placed where it is used when it is written on one
  line, and keeps its own lines when it spans several (a policy in a local keeps its statements'
  lines).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from typing import Any, Callable

from policylint.model import Document, Location, Node, ParseError, Ref, Unknown
from policylint.parsers import hcl_tree as hcl
from policylint.parsers import tf_resources
from policylint.parsers.located_json import json_to_node

FORMAT = "terraform"

_META_ARGUMENTS = frozenset({"count", "for_each", "depends_on", "provider"})
_META_BLOCKS = frozenset({"lifecycle", "provisioner", "connection"})
_OPAQUE_ROOTS = frozenset({"module", "count", "each", "path", "terraform", "self"})
_POLICY_INPUTS = ("source_json", "override_json", "source_policy_documents", "override_policy_documents")
_MAX_READ_BYTES = 1024 * 1024
# A reference to one of these attributes reads as the value written on the resource, when that is
# a known string: what the provider stores after apply is that value, up to what the rules that
# read it ignore.  Others stay a Ref (their value may be computed or transformed), and so does a
# bare ``aws_s3_bucket.b.bucket``, kept as the bucket's identity (inside a string, a literal
# bucket name is substituted, see ``_Evaluator._interpolated``).
_LITERAL_ATTRIBUTES = frozenset({
    ("aws_route53_zone", "name"),  # the provider only strips a trailing dot (PL401 ignores it)
})


def parse_module(directory: str, files: list[tuple[str, str]]) -> Document:
    """Parse and evaluate the ``(path, text)`` files of one directory.  A file that does not
    parse gives a :class:`ParseError` and the others are still evaluated."""
    document = Document(FORMAT)
    parsed = []
    for path, text in files:
        try:
            parsed.append(hcl.parse_file(path, text))
        except hcl.HclSyntaxError as exc:
            document.errors.append(ParseError(path, exc.line, exc.message))
            continue
    module = _Module(directory, parsed)
    document.errors.extend(module.errors)
    evaluator = _Evaluator(module)
    for address, (block, file) in module.resources.items():
        if _declares_nothing(block):
            continue
        attrs = evaluator.resource_values(address)
        location = Location(file, block.line, block.end_line)
        built = tf_resources.build(block.labels[0], address, module.uid(address), attrs, location, FORMAT)
        document.resources.extend(built.resources)
        document.policies.extend(built.policies)
    return document


def _declares_nothing(block: hcl.Block) -> bool:
    """``count = 0`` or ``for_each = {}`` written literally: the resource does not exist."""
    attributes = block.body.attributes
    count = attributes.get("count")
    if count is not None and isinstance(count.expr, hcl.Literal) and count.expr.value == 0:
        return True
    for_each = attributes.get("for_each")
    if for_each is not None and isinstance(for_each.expr, (hcl.ObjectExpr, hcl.TupleExpr)):
        return not for_each.expr.items
    return False


# --------------------------------------------------------------------------- module


class _Module:
    """The declarations of one directory, by name.  A name declared twice keeps the first and
    is reported, as Terraform rejects it.  Override files (``override.tf``, ``*_override.tf``)
    may redeclare; their content is not merged in."""

    def __init__(self, directory: str, files: list[hcl.HclFile]):
        self.directory = directory
        self.errors: list[ParseError] = []
        self.variables: dict[str, tuple[hcl.Block, str]] = {}
        self.tfvars: dict[str, tuple[hcl.Attribute, str]] = {}
        self.locals: dict[str, tuple[hcl.Attribute, str]] = {}
        self.resources: dict[str, tuple[hcl.Block, str]] = {}
        self.data: dict[str, tuple[hcl.Block, str]] = {}
        tfvars_files = []
        # Override files last, so that the declarations they override are the ones kept.
        for parsed in sorted(files, key=lambda f: _is_override(f.path)):
            name = os.path.basename(parsed.path)
            if name.endswith(".tfvars"):
                if name == "terraform.tfvars" or name.endswith(".auto.tfvars"):
                    tfvars_files.append(parsed)
                continue  # other .tfvars are only read with -var-file
            self._declare(parsed)
        # terraform.tfvars first, then *.auto.tfvars in lexical order: later files win.
        tfvars_files.sort(key=lambda f: (os.path.basename(f.path) != "terraform.tfvars", os.path.basename(f.path)))
        for parsed in tfvars_files:
            for attribute in parsed.body.attributes.values():
                self.tfvars[attribute.name] = (attribute, parsed.path)

    def _declare(self, parsed: hcl.HclFile) -> None:
        path = parsed.path
        override = _is_override(path)
        for block in parsed.body.blocks:
            kind, labels = block.type, block.labels
            if kind == "variable" and len(labels) == 1:
                self._add(self.variables, labels[0], (block, path), f"variable `{labels[0]}`", override)
            elif kind == "locals":
                for attribute in block.body.attributes.values():
                    self._add(self.locals, attribute.name, (attribute, path), f"local value `{attribute.name}`", override)
            elif kind == "resource" and len(labels) == 2:
                address = f"{labels[0]}.{labels[1]}"
                self._add(self.resources, address, (block, path), f"resource `{address}`", override)
            elif kind == "data" and len(labels) == 2:
                address = f"{labels[0]}.{labels[1]}"
                self._add(self.data, address, (block, path), f"data source `data.{address}`", override)

    def _add(self, table: dict[str, Any], name: str, entry: tuple[Any, str], what: str, override: bool) -> None:
        first = table.get(name)
        if first is None:
            table[name] = entry
        elif not override:
            where = f"{os.path.basename(first[1])}:{first[0].line}"
            self.errors.append(ParseError(entry[1], entry[0].line, f"{what} is declared twice (first at {where}): rename one"))

    def uid(self, address: str) -> str:
        return f"tf:{self.directory}::{address}"


def _is_override(path: str) -> bool:
    name = os.path.basename(path)
    return name == "override.tf" or name.endswith("_override.tf")


# --------------------------------------------------------------------------- evaluation

Scope = dict[str, Node] | None  # names visible as bare identifiers (templatefile vars); None = module scope
_ISOLATED: dict[str, Node] = {}  # variable defaults and tfvars may not refer to anything


class _Evaluator:
    def __init__(self, module: _Module):
        self.module = module
        self._cache: dict[tuple[str, ...], Node] = {}
        self._active: set[tuple[str, ...]] = set()

    def _once(self, key: tuple[str, ...], compute: Callable[[], Node], on_cycle: Callable[[], Node]) -> Node:
        """Memoised evaluation of a named value; a reference cycle evaluates to unknown."""
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if key in self._active:
            return on_cycle()
        self._active.add(key)
        try:
            value = compute()
        finally:
            self._active.discard(key)
        self._cache[key] = value
        return value

    # ---- named values

    def variable(self, name: str, file: str, at: hcl.Expr) -> Node:
        def compute() -> Node:
            given = self.module.tfvars.get(name)
            if given is not None:
                return self.eval(given[0].expr, given[1], _ISOLATED)
            declared = self.module.variables.get(name)
            default = declared[0].body.attributes.get("default") if declared else None
            if default is None:
                return Node(Unknown(f"var.{name}"), file, at.line)
            return self.eval(default.expr, declared[1], _ISOLATED)  # type: ignore[index]

        return self._once(("var", name), compute, lambda: Node(Unknown(f"var.{name}"), file, at.line))

    def local(self, name: str, file: str, at: hcl.Expr) -> Node:
        declared = self.module.locals.get(name)
        if declared is None:
            return Node(Unknown(f"local.{name}"), file, at.line)
        return self._once(("local", name), lambda: self.eval(declared[0].expr, declared[1]), lambda: Node(Unknown(f"local.{name}"), file, at.line))

    def resource_attr(self, address: str, name: str) -> Node | None:
        block, file = self.module.resources[address]
        attribute = block.body.attributes.get(name)
        if attribute is None:
            return None
        return self._once(
            ("resource", address, name),
            lambda: self.eval(attribute.expr, file),
            lambda: Node(Unknown(f"{address}.{name}"), file, attribute.line),
        )

    def resource_values(self, address: str) -> Node:
        block, file = self.module.resources[address]
        values = self._body_values(block.body, file, address)
        return Node(values, file, block.line, block.end_line)

    def _body_values(self, body: hcl.Body, file: str, address: str | None = None) -> dict[str, Node]:
        """Attributes and nested blocks of a body, blocks as lists of dict Nodes."""
        values: dict[str, Node] = {}
        for name, attribute in body.attributes.items():
            if address is not None:
                if name in _META_ARGUMENTS:
                    continue
                values[name] = self.resource_attr(address, name)  # type: ignore[assignment]
            else:
                values[name] = self.eval(attribute.expr, file)
        groups: dict[str, list[hcl.Block]] = {}
        dynamic: dict[str, hcl.Block] = {}
        for block in body.blocks:
            if address is not None and block.type in _META_BLOCKS:
                continue
            if block.type == "dynamic" and block.labels:
                dynamic.setdefault(block.labels[0], block)
            else:
                groups.setdefault(block.type, []).append(block)
        for name, blocks in groups.items():
            if name in values:  # an attribute and blocks of one name: invalid, keep the attribute
                continue
            items = [Node(self._body_values(b.body, file), file, b.line, b.end_line) for b in blocks]
            values[name] = Node(items, file, blocks[0].line, blocks[-1].end_line)
        for name, block in dynamic.items():
            # Generated blocks: present, contents unknown.  Static blocks of the same name are
            # only part of the truth, so they are not kept either.
            values[name] = Node(Unknown(f'dynamic "{name}" block'), file, block.line, block.end_line)
        return values

    # ---- expressions

    def eval(self, expr: hcl.Expr, file: str, scope: Scope = None) -> Node:
        handler = _HANDLERS.get(type(expr))
        if handler is None:
            return self.unknown(expr, file)
        return handler(self, expr, file, scope)

    def node(self, value: Any, file: str, expr: hcl.Expr) -> Node:
        return Node(value, file, expr.line, expr.end_line if expr.end_line > expr.line else None)

    def _text(self, value: Any, file: str, expr: hcl.Literal | hcl.Template) -> Node:
        """A string; a heredoc's also records the line its body starts on."""
        node = self.node(value, file, expr)
        if _is_heredoc(expr):
            node.text_line = expr.line + 1
        return node

    def unknown(self, expr: hcl.Expr, file: str, text: str | None = None) -> Node:
        return self.node(Unknown(expr.text if text is None else text, self.refs_in(expr)), file, expr)

    def refs_in(self, expr: hcl.Expr) -> tuple[Ref, ...]:
        """References to resources of the module written anywhere inside ``expr``."""
        refs = []
        for sub in hcl.iter_subexpressions(expr):
            if isinstance(sub, hcl.Traversal) and isinstance(sub.root, str):
                ref = self._resource_ref(sub)
                if ref is not None and ref not in refs:
                    refs.append(ref)
        return tuple(refs)

    def _literal(self, expr: hcl.Literal, file: str, scope: Scope) -> Node:
        if isinstance(expr.value, str):
            return self._text(expr.value, file, expr)
        return self.node(expr.value, file, expr)

    def _tuple(self, expr: hcl.TupleExpr, file: str, scope: Scope) -> Node:
        return self.node([self.eval(item, file, scope) for item in expr.items], file, expr)

    def _object(self, expr: hcl.ObjectExpr, file: str, scope: Scope) -> Node:
        values: dict[str, Node] = {}
        for item in expr.items:
            key = item.key
            if isinstance(key, hcl.Expr):
                key_text = _scalar_text(self.eval(key, file, scope).value)
                if key_text is None:  # the object's shape is unknown
                    return self.unknown(expr, file)
                key = key_text
            values[key] = self.eval(item.value, file, scope)
        return self.node(values, file, expr)

    def _template(self, expr: hcl.Template, file: str, scope: Scope) -> Node:
        parts = expr.parts
        if len(parts) == 1 and not isinstance(parts[0], (str, hcl.Directive)):
            # "${x}" is x itself, whatever its type (Terraform drops the template).
            return _relocated(self._interpolated(parts[0], file, scope), file, expr)
        known: list[str] = []
        shown: list[str] = []  # the template with unknown parts kept as ${...}
        refs: list[Ref] = []
        complete = True
        for part in parts:
            if isinstance(part, str):
                known.append(part)
                shown.append(_escape_template(part))
                continue
            value = None if isinstance(part, hcl.Directive) else self._interpolated(part, file, scope).value
            text = _scalar_text(value)
            if text is None:
                complete = False
                shown.append(part.text if isinstance(part, hcl.Directive) else "${" + part.text + "}")
                refs.extend(_refs_of(value))
            else:
                known.append(text)
                shown.append(_escape_template(text))
        if complete:
            return self._text("".join(known), file, expr)
        return self._text(Unknown("".join(shown), tuple(dict.fromkeys(refs))), file, expr)

    def _interpolated(self, expr: hcl.Expr, file: str, scope: Scope) -> Node:
        """An interpolated value.  A bucket's id/bucket/arn is its name (or S3 ARN) here when the
        name is a known literal, so that ``"${aws_s3_bucket.b.arn}/*"`` is a known string.  A
        literal name is the name of every instance of a counted bucket, so the instance key does
        not matter."""
        if isinstance(expr, hcl.Traversal) and scope is None and expr.root == "aws_s3_bucket":
            found = self._reference(expr)
            if found is not None and len(found[1]) == 1 and found[0].attr in ("id", "bucket", "arn"):
                ref = found[0]
                name = self.resource_attr(f"{expr.root}.{expr.steps[0][1]}", "bucket")
                if name is not None and isinstance(name.value, str) and name.value:
                    text = f"arn:aws:s3:::{name.value}" if ref.attr == "arn" else name.value
                    return self.node(text, file, expr)
        return self.eval(expr, file, scope)

    def _traversal(self, expr: hcl.Traversal, file: str, scope: Scope) -> Node:
        root, steps = expr.root, expr.steps
        if isinstance(root, hcl.Expr):
            return self._walk(self.eval(root, file, scope), steps, expr, file, scope)
        if scope is not None:  # a template file or a variable default: only its own names
            if root in scope:
                return _relocated(self._walk(scope[root], steps, expr, file, scope), file, expr)
            return self.unknown(expr, file)
        name = steps[0][1] if steps and steps[0][0] == "attr" else None
        if root == "var" and name is not None:
            value = self.variable(name, file, expr)
            return _relocated(self._walk(value, steps[1:], expr, file, scope), file, expr)
        if root == "local" and name is not None:
            value = self.local(name, file, expr)
            return _relocated(self._walk(value, steps[1:], expr, file, scope), file, expr)
        if root == "data":
            return self._data(expr, file)
        found = self._reference(expr)
        if found is None:
            return self.unknown(expr, file)
        ref, rest, instance_known = found
        if not instance_known:  # aws_x.y[each.key]: which instance is not known
            return self.node(Unknown(expr.text, (ref,)), file, expr)
        if not rest or (len(rest) == 1 and rest[0][0] == "attr"):
            literal = self._literal_attribute(expr, ref, file)
            if literal is not None:
                return literal
            return self.node(ref, file, expr)
        return self.node(Unknown(expr.text, (ref,)), file, expr)  # deeper into an attribute, or a splat

    def _literal_attribute(self, expr: hcl.Traversal, ref: Ref, file: str) -> Node | None:
        """The value of ``aws_x.y.attr`` when ``attr`` is one of :data:`_LITERAL_ATTRIBUTES` and
        is written on the resource as a known string; None otherwise (the reference stays a
        Ref).  Placed where the reference is written, as values read through variables are."""
        address = f"{expr.root}.{expr.steps[0][1]}"
        if (expr.root, ref.attr) not in _LITERAL_ATTRIBUTES:
            return None
        value = self.resource_attr(address, ref.attr)  # type: ignore[arg-type]
        if value is None or not isinstance(value.value, str) or not value.value:
            return None
        return _relocated(value, file, expr)

    def _resource_ref(self, expr: hcl.Traversal) -> Ref | None:
        """``aws_x.name[...].attr...`` as a Ref to that resource, when the module declares it."""
        found = self._reference(expr)
        return None if found is None else found[0]

    def _reference(self, expr: hcl.Traversal) -> tuple[Ref, list[hcl.Step], bool] | None:
        """``aws_x.name[...].attr...`` as (Ref, the steps after the resource and its instance
        key, whether the instance referred to is known), when the module declares the resource.

        A resource that has at most one instance is one identity: ``aws_x.y[0]`` is ``aws_x.y``.
        The instances of a resource that may have several (``count``/``for_each``) are distinct
        identities: ``aws_x.y["a"]`` and ``aws_x.y[1]`` refer to the uid of the resource followed
        by the key (``tf:dir::aws_x.y["a"]``), which no Resource has, so that no two instances,
        and no instance and the resource as a whole, are taken for one; a key that is not known
        (``[each.key]``, ``[count.index]``) makes the reference unknown."""
        if not isinstance(expr.root, str) or expr.root in _OPAQUE_ROOTS or expr.root in ("var", "local", "data"):
            return None
        steps = expr.steps
        if not steps or steps[0][0] != "attr":
            return None
        address = f"{expr.root}.{steps[0][1]}"
        if address not in self.module.resources:
            return None
        uid = self.module.uid(address)
        rest = steps[1:]
        known = True
        if self.at_most_one_instance(address):
            rest = _skip_instance_keys(rest)
        elif rest and rest[0][0] == "index":
            key = self._instance_key(address, rest[0][1])
            known = key is not None
            uid += f"[{key if known else rest[0][1].text}]"
            rest = rest[1:]
        attr = rest[0][1] if rest and rest[0][0] == "attr" else None
        return Ref(uid, attr, expr.text), rest, known

    def at_most_one_instance(self, address: str) -> bool:
        """Whether the resource has no ``count``/``for_each``, or one known to give at most one
        instance (``count = 1``, ``count = var.create ? 1 : 0``, ``for_each`` of one key)."""

        def compute() -> Node:
            block, file = self.module.resources[address]
            count = block.body.attributes.get("count")
            for_each = block.body.attributes.get("for_each")
            if count is None and for_each is None:
                return Node(True, file, block.line)
            if count is not None and for_each is not None:  # invalid: unknown
                return Node(False, file, block.line)
            if count is not None:
                most = self._most(count.expr, file, lambda v: int(v) if _is_number(v) and float(v).is_integer() else None)
            else:
                most = self._most(for_each.expr, file, lambda v: len(v) if isinstance(v, (dict, list)) else None)  # type: ignore[union-attr]
            return Node(most is not None and most <= 1, file, block.line)

        return bool(self._once(("instances", address), compute, lambda: Node(False, "", 0)).value)

    def _most(self, expr: hcl.Expr, file: str, measure: Callable[[Any], int | None]) -> int | None:
        """The largest number of instances ``count``/``for_each`` may give; None when unknown.
        Both branches of a conditional are measured, so that ``var.on ? 1 : 0`` is at most 1
        whatever ``var.on`` is."""
        if isinstance(expr, hcl.Conditional):
            truth = _truth(self.eval(expr.condition, file).value)
            if truth is not None:
                return self._most(expr.if_true if truth else expr.if_false, file, measure)
            branches = [self._most(e, file, measure) for e in (expr.if_true, expr.if_false)]
            return None if None in branches else max(branches)  # type: ignore[type-var]
        value = self.eval(expr, file).value
        return None if isinstance(value, (bool, Unknown, Ref)) else measure(value)

    def _instance_key(self, address: str, key_expr: hcl.Expr) -> str | None:
        """How an instance key is written in a uid (``0``, ``"app"``); None when not known."""
        block, file = self.module.resources[address]
        key = self.eval(key_expr, file).value
        if "count" in block.body.attributes:
            if _is_number(key) and float(key).is_integer():
                return str(int(key))
            if isinstance(key, str) and key.isdigit():
                return str(int(key))
            return None
        text = _scalar_text(key)
        return None if text is None else json.dumps(text)

    def _walk(self, node: Node, steps: list[hcl.Step], expr: hcl.Expr, file: str, scope: Scope) -> Node:
        """Follow ``.attr`` / ``[index]`` steps into a value; unknown as soon as a step cannot be
        followed."""
        for kind, arg in steps:
            value = node.value
            if kind == "attr" and isinstance(value, dict) and arg in value:
                node = value[arg]
                continue
            if kind == "index" and isinstance(value, (list, dict)):
                key = self.eval(arg, file, scope).value
                if isinstance(value, list) and not isinstance(key, bool) and isinstance(key, (int, str)) and str(key).isdigit() and int(key) < len(value):
                    node = value[int(key)]
                    continue
                if isinstance(value, dict) and isinstance(key, str) and key in value:
                    node = value[key]
                    continue
            refs = _refs_of(value) + self.refs_in(expr)
            return self.node(Unknown(expr.text, tuple(dict.fromkeys(refs))), file, expr)
        return node

    def _data(self, expr: hcl.Traversal, file: str) -> Node:
        steps = expr.steps
        if len(steps) >= 3 and steps[0] == ("attr", "aws_iam_policy_document") and steps[1][0] == "attr":
            address = f"aws_iam_policy_document.{steps[1][1]}"
            rest = _skip_instance_keys(steps[2:])
            if address in self.module.data and rest in ([("attr", "json")], [("attr", "minified_json")]):
                return self._once(("data", address), lambda: self._policy_document(address), lambda: self.unknown(expr, file))
        return self.unknown(expr, file)

    def _conditional(self, expr: hcl.Conditional, file: str, scope: Scope) -> Node:
        truth = _truth(self.eval(expr.condition, file, scope).value)
        if truth is None:
            return self.unknown(expr, file)
        return self.eval(expr.if_true if truth else expr.if_false, file, scope)

    def _unary(self, expr: hcl.Unary, file: str, scope: Scope) -> Node:
        value = self.eval(expr.operand, file, scope).value
        if expr.op == "!" and isinstance(value, bool):
            return self.node(not value, file, expr)
        if expr.op == "-" and _is_number(value):
            return self.node(-value, file, expr)
        return self.unknown(expr, file)

    def _binary(self, expr: hcl.Binary, file: str, scope: Scope) -> Node:
        left = self.eval(expr.left, file, scope)
        right = self.eval(expr.right, file, scope)
        result = _operate(expr.op, left, right)
        return self.unknown(expr, file) if result is _UNKNOWN else self.node(result, file, expr)

    def _call(self, expr: hcl.Call, file: str, scope: Scope) -> Node:
        function = _FUNCTIONS.get(expr.name)
        if function is None or expr.expand:
            return self.unknown(expr, file)
        args = [self.eval(arg, file, scope) for arg in expr.args]
        result = function(self, args, expr, file)
        return self.unknown(expr, file) if result is None else result

    def _unknown_expr(self, expr: hcl.Expr, file: str, scope: Scope) -> Node:
        return self.unknown(expr, file)

    # ---- data "aws_iam_policy_document"

    def _policy_document(self, address: str) -> Node:
        block, file = self.module.data[address]
        body = block.body
        merged_inputs = [name for name in _POLICY_INPUTS if name in body.attributes]
        if merged_inputs or any(b.type == "dynamic" for b in body.blocks):
            # Merged with other documents or generated statements: not reproduced.
            return Node(Unknown(f"data.{address}.json"), file, block.line, block.end_line)
        document: dict[str, Node] = {}
        version = body.attributes.get("version")
        document["Version"] = self.eval(version.expr, file) if version else Node("2012-10-17", file, block.line)
        policy_id = body.attributes.get("policy_id")
        if policy_id is not None:
            document["Id"] = self.eval(policy_id.expr, file)
        statements = [self._statement(b, file) for b in body.blocks if b.type == "statement"]
        first = next((b for b in body.blocks if b.type == "statement"), block)
        document["Statement"] = Node(statements, file, first.line, block.end_line if statements else None)
        return Node(document, file, block.line, block.end_line)

    def _statement(self, block: hcl.Block, file: str) -> Node:
        attributes = block.body.attributes
        statement: dict[str, Node] = {}
        if "sid" in attributes:
            statement["Sid"] = self.eval(attributes["sid"].expr, file)
        effect = attributes.get("effect")
        statement["Effect"] = self.eval(effect.expr, file) if effect else Node("Allow", file, block.line)
        for tf_name, json_name in (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"), ("not_resources", "NotResource")):
            if tf_name in attributes:
                statement[json_name] = self.eval(attributes[tf_name].expr, file)
        dynamic = {b.labels[0] for b in block.body.blocks if b.type == "dynamic" and b.labels}
        for tf_name, json_name in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            blocks = [b for b in block.body.blocks if b.type == tf_name]
            if tf_name in dynamic:
                first = next(b for b in block.body.blocks if b.type == "dynamic" and b.labels[:1] == [tf_name])
                statement[json_name] = Node(Unknown(f'dynamic "{tf_name}" block'), file, first.line, first.end_line)
            elif blocks:
                statement[json_name] = self._principals(blocks, file)
        conditions = [b for b in block.body.blocks if b.type == "condition"]
        if "condition" in dynamic:
            first = next(b for b in block.body.blocks if b.type == "dynamic" and b.labels[:1] == ["condition"])
            statement["Condition"] = Node(Unknown('dynamic "condition" block'), file, first.line, first.end_line)
        elif conditions:
            statement["Condition"] = self._conditions(conditions, file)
        return Node(statement, file, block.line, block.end_line)

    def _principals(self, blocks: list[hcl.Block], file: str) -> Node:
        where = (file, blocks[0].line, blocks[-1].end_line if blocks[-1].end_line > blocks[0].line else None)
        principals: dict[str, Node] = {}
        for block in blocks:
            kind = self._block_attr(block, "type", file)
            identifiers = self._block_attr(block, "identifiers", file)
            if not isinstance(kind.value, str) or not identifiers.known:
                return Node(Unknown("principals"), *where)
            if kind.value == "*":  # rendered as "Principal": "*"
                return Node("*", file, block.line, block.end_line if block.end_line > block.line else None)
            previous = principals.get(kind.value)
            if previous is None:
                principals[kind.value] = identifiers
            else:  # several blocks of one type: their identifiers are merged
                principals[kind.value] = Node(previous.items() + identifiers.items(), previous.file, previous.line, previous.end_line)
        return Node(principals, *where)

    def _conditions(self, blocks: list[hcl.Block], file: str) -> Node:
        where = (file, blocks[0].line, blocks[-1].end_line if blocks[-1].end_line > blocks[0].line else None)
        conditions: dict[str, Node] = {}
        for block in blocks:
            test = self._block_attr(block, "test", file)
            variable = self._block_attr(block, "variable", file)
            values = self._block_attr(block, "values", file)
            if not isinstance(test.value, str) or not isinstance(variable.value, str):
                return Node(Unknown("condition"), *where)
            operator = conditions.setdefault(test.value, Node({}, file, block.line, block.end_line if block.end_line > block.line else None))
            operator.value[variable.value] = values
        return Node(conditions, *where)

    def _block_attr(self, block: hcl.Block, name: str, file: str) -> Node:
        attribute = block.body.attributes.get(name)
        if attribute is None:
            return Node(None, file, block.line)
        return self.eval(attribute.expr, file)

    # ---- files

    def read_module_file(self, path_node: Node) -> tuple[str, bytes] | None:
        """The bytes of a file named relative to the module directory, when the path is known
        and stays inside the directory."""
        value = path_node.value
        if isinstance(value, Unknown):
            # "${path.module}/x.json": path.module is the module directory itself.
            match = re.fullmatch(r"\$\{path\.(?:module|root)\}/([^$%]+)", value.text)
            value = match.group(1) if match else None
        if not isinstance(value, str) or not value:
            return None
        base = os.path.realpath(self.module.directory or ".")
        full = os.path.realpath(os.path.join(base, value))
        if os.path.commonpath([base, full]) != base or not os.path.isfile(full):
            return None
        try:
            if os.path.getsize(full) > _MAX_READ_BYTES:
                return None
            with open(full, "rb") as handle:
                return os.path.join(self.module.directory, os.path.relpath(full, base)), handle.read()
        except OSError:
            return None


def _relocated(node: Node, file: str, expr: hcl.Expr) -> Node:
    """A value read through a reference: a one-line value (``default = ["*"]``) is reported
    where it is used, items included; a multi-line one (a policy in a local) where it is
    written, so that each statement keeps its own line."""
    if node.end_line is not None and node.end_line > node.line:
        return node
    if node.file == file and node.line == expr.line:
        return node
    end_line = expr.end_line if expr.end_line > expr.line else None

    def moved(item: Node) -> Node:
        value = item.value
        if isinstance(value, dict):
            value = {key: moved(child) for key, child in value.items()}
        elif isinstance(value, list):
            value = [moved(child) for child in value]
        return Node(value, file, expr.line, end_line)

    return moved(node)


def _is_heredoc(expr: hcl.Expr) -> bool:
    return isinstance(expr, hcl.Template) and expr.heredoc or isinstance(expr, hcl.Literal) and expr.text.startswith("<<")


def _skip_instance_keys(steps: list[hcl.Step]) -> list[hcl.Step]:
    """Drop the ``[0]`` / ``["key"]`` of a resource with at most one instance: it is the resource."""
    index = 0
    while index < len(steps) and steps[index][0] == "index":
        index += 1
    return steps[index:]


def _refs_of(value: Any) -> tuple[Ref, ...]:
    if isinstance(value, Ref):
        return (value,)
    if isinstance(value, Unknown):
        return value.refs
    return ()


def _escape_template(text: str) -> str:
    """Literal text inside an unknown's rendering, where ${...} marks the unknown parts."""
    return text.replace("${", "$${").replace("%{", "%%{")


def _scalar_text(value: Any) -> str | None:
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


def _truth(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_UNKNOWN = object()


def _operate(op: str, left: Node, right: Node) -> Any:
    a = left.plain()
    b = right.plain()
    if any(not n.known for n in (*left.walk(), *right.walk())):
        return _UNKNOWN
    if op in ("==", "!="):
        same = type(a) is type(b) and a == b or (_is_number(a) and _is_number(b) and a == b)
        return same if op == "==" else not same
    if op in ("&&", "||"):
        if isinstance(a, bool) and isinstance(b, bool):
            return (a and b) if op == "&&" else (a or b)
        return _UNKNOWN
    if not (_is_number(a) and _is_number(b)):
        return _UNKNOWN
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return a / b if b else _UNKNOWN
    if op == "%":
        return a % b if b else _UNKNOWN
    comparisons = {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}
    return comparisons.get(op, _UNKNOWN)


# --------------------------------------------------------------------------- functions
# Each takes the evaluated arguments and returns a Node, or None for "unknown".

Function = Callable[[_Evaluator, list[Node], hcl.Call, str], "Node | None"]


def _fully_known(node: Node) -> bool:
    return all(n.known for n in node.walk())


def _json_text(node: Node) -> str | None:
    """``jsonencode`` output for a fully known value (Terraform sorts object keys)."""
    if not _fully_known(node):
        return None
    return json.dumps(node.plain(), separators=(",", ":"), sort_keys=True)


def _fn_jsonencode(ev: _Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 1:
        return None
    value = args[0]
    if isinstance(value.value, (dict, list)):
        return value  # documents stay located trees (see the module docstring)
    text = _json_text(value)
    return None if text is None else ev.node(text, file, expr)


def _fn_jsondecode(ev: _Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
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


def _fn_base64encode(ev: _Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 1:
        return None
    value = args[0]
    text = value.value if isinstance(value.value, str) else _json_text(value) if isinstance(value.value, (dict, list)) else None
    if text is not None:
        encoded = ev.node(base64.b64encode(text.encode("utf-8")).decode("ascii"), file, expr)
    elif isinstance(value.value, Unknown):
        # Unknown either way; keep the text being encoded so user data stays readable.
        encoded = ev.node(Unknown(value.value.text, value.value.refs), file, expr)
    else:
        return None
    encoded.text_line = value.text_line  # where the text that was encoded starts, for decoders
    return encoded


def _fn_base64decode(ev: _Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 1 or not isinstance(args[0].value, str):
        return None
    try:
        return ev.node(base64.b64decode(args[0].value, validate=True).decode("utf-8"), file, expr)
    except (binascii.Error, UnicodeDecodeError):
        return None


def _fn_case(convert: Callable[[str], str]) -> Function:
    def function(ev: _Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
        if len(args) != 1 or not isinstance(args[0].value, str):
            return None
        return ev.node(convert(args[0].value), file, expr)

    return function


_FORMAT_VERB = re.compile(r"%(%|s|d|v)")


def _fn_format(ev: _Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if not args or not isinstance(args[0].value, str):
        return None
    template = args[0].value
    if re.search(r"%(?![%sdv])", template):  # widths, flags, other verbs: not reproduced
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
        if match.group(1) == "d" and not (_is_number(value.value) and float(value.value).is_integer()):
            return None
        text = _scalar_text(value.value)
        if text is None:
            return None
        out.append(text)
    out.append(template[position:])
    return ev.node("".join(out), file, expr)


def _fn_concat(ev: _Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if not all(isinstance(a.value, list) for a in args):
        return None
    return ev.node([item for a in args for item in a.value], file, expr)


def _fn_merge(ev: _Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    merged: dict[str, Node] = {}
    for arg in args:
        if arg.value is None:
            continue
        if not isinstance(arg.value, dict):
            return None
        merged.update(arg.value)
    return ev.node(merged, file, expr)


def _fn_tolist(ev: _Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 1 or not isinstance(args[0].value, list):
        return None
    return args[0]


def _fn_toset(ev: _Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 1 or not isinstance(args[0].value, list):
        return None
    items = args[0].value
    if not all(isinstance(i.value, (str, int, float, bool)) for i in items):
        return None  # elements that cannot be compared: unknown duplicates
    seen: dict[Any, Node] = {}
    for item in items:
        seen.setdefault((type(item.value), item.value), item)
    return Node(list(seen.values()), args[0].file, args[0].line, args[0].end_line)


def _fn_join(ev: _Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) < 2 or not isinstance(args[0].value, str) or not all(isinstance(a.value, list) for a in args[1:]):
        return None
    texts = [_scalar_text(item.value) for a in args[1:] for item in a.value]
    if any(t is None for t in texts):
        return None
    return ev.node(args[0].value.join(texts), file, expr)  # type: ignore[arg-type]


def _fn_compact(ev: _Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) != 1 or not isinstance(args[0].value, list):
        return None
    items = args[0].value
    if not all(isinstance(i.value, str) or i.value is None for i in items):
        return None
    return ev.node([i for i in items if i.value], file, expr)


def _fn_lookup(ev: _Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    if len(args) not in (2, 3) or not isinstance(args[0].value, dict) or not isinstance(args[1].value, str):
        return None
    found = args[0].value.get(args[1].value)
    if found is not None:
        return found
    return args[2] if len(args) == 3 else None


def _fn_file(ev: _Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    """A text file of the module: a JSON document becomes its located tree, other text a string."""
    read = ev.read_module_file(args[0]) if len(args) == 1 else None
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


def _fn_filebase64(ev: _Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    read = ev.read_module_file(args[0]) if len(args) == 1 else None
    if read is None:
        return None
    return ev.node(base64.b64encode(read[1]).decode("ascii"), file, expr)


def _fn_templatefile(ev: _Evaluator, args: list[Node], expr: hcl.Call, file: str) -> Node | None:
    """The template rendered with the known variables; unknown parts stay ``${...}``."""
    read = ev.read_module_file(args[0]) if len(args) == 2 else None
    if read is None:
        return None
    try:
        text = read[1].decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError:
        return None
    variables = args[1].value if isinstance(args[1].value, dict) else {}
    template = hcl.parse_template(text)
    rendered = ev.eval(template, read[0], dict(variables))
    if isinstance(rendered.value, Unknown):
        refs = tuple(dict.fromkeys(rendered.value.refs + _refs_of(args[1].value) + ev.refs_in(expr)))
        return ev.node(Unknown(rendered.value.text, refs), file, expr)
    if not isinstance(rendered.value, str):
        return None
    return ev.node(rendered.value, file, expr)


_FUNCTIONS: dict[str, Function] = {
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

_HANDLERS: dict[type, Callable[[_Evaluator, Any, str, Scope], Node]] = {
    hcl.Literal: _Evaluator._literal,
    hcl.Template: _Evaluator._template,
    hcl.TupleExpr: _Evaluator._tuple,
    hcl.ObjectExpr: _Evaluator._object,
    hcl.Traversal: _Evaluator._traversal,
    hcl.Call: _Evaluator._call,
    hcl.Conditional: _Evaluator._conditional,
    hcl.Binary: _Evaluator._binary,
    hcl.Unary: _Evaluator._unary,
}
