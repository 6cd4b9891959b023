"""A Terraform root module, with the modules it calls -> :class:`Document`.

All ``.tf``/``.tfvars`` files of one directory (and their JSON-syntax twins ``.tf.json``/
``.tfvars.json``, read by :mod:`~policylint.parsers.hcl_json`) are one module: variables (their
default, overridden by ``terraform.tfvars`` then ``*.auto.tfvars`` in name order, then
``-var-file`` files, for a root only), locals, resources and data sources are evaluated
together.  ``module`` blocks are followed (:mod:`~policylint.parsers.tf_modules`): each instance
of a called module is evaluated with the caller's arguments, and its resources get the addresses
users read (``module.a["x"].aws_s3_bucket.b``).  Evaluation is static and conservative:
literals, interpolation of known values, ``for`` expressions, pure functions; everything else
(most ``data.*``, unknown variables, outputs of modules that are neither local nor downloaded,
other functions) becomes an :class:`Unknown`, and a reference to a resource of the module
becomes a :class:`Ref`.  Nothing is guessed.

A resource with a known ``count``/``for_each`` is built once per instance (``aws_x.y[1]``,
``aws_x.y["a"]``, uid ``tf:<dir>::aws_x.y["a"]``), each evaluated with its ``count.index`` /
``each.key`` / ``each.value``; with an unknown one, once, with those unknown.  A reference with a
known key (``aws_x.y["a"]``) is a Ref to that instance, ``aws_x.y[each.key]`` in an instance
whose key is unknown is unknown.  A resource with at most one instance is one identity whatever
its index.

Conventions the normaliser (``tf_resources``) relies on:

* blocks are lists of dict Nodes, the shape of plan JSON ``values``; ``dynamic`` blocks are
  expanded over a known collection, and are one Unknown Node (present, contents unknown) over an
  unknown one;
* a JSON document stays a located tree: ``jsonencode(x)`` evaluates to ``x`` itself, and so do
  ``data.aws_iam_policy_document.d.json`` (the data block converted to the equivalent policy) and
  ``file()`` of a JSON file;
* a value read through ``var.x``/``local.x`` is placed where it is used when it is written on one
  line, and keeps its own lines when it spans several (a policy in a local keeps its statements'
  lines).

The work is split by concern: this module reads the files and assembles the module's
declarations into a :class:`Document`; :mod:`~policylint.parsers.tf_eval` evaluates expressions
(references and scopes, templates, operators); :mod:`~policylint.parsers.tf_functions` holds the
built-in functions; :mod:`~policylint.parsers.tf_blocks` turns resource bodies and policy
document data sources into values; :mod:`~policylint.parsers.tf_resources` (shared with plans)
builds the model objects; only :mod:`~policylint.parsers.hcl_tree` knows the HCL parser.
"""

from __future__ import annotations

import gc
import os

from policylint.model import Document, Location, Node, ParseError, SourceComment, SourceMap
from policylint.parsers import hcl_json, tf_blocks, tf_modules, tf_resources
from policylint.parsers import hcl_tree as hcl

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Any

FORMAT = "terraform"


def parse_module(directory: str, files: list[tuple[str, str]], var_files: list[tuple[str, str]] | tuple = (), roots: tuple[str, ...] = ()) -> Document:
    """Parse and evaluate root modules: ``directory`` (and the other ``roots``), given the
    ``(path, text)`` files of their directories and of the directories their module calls reach
    (:mod:`~policylint.parsers.tf_modules`), and the ``var_files`` given as ``-var-file``.  A file that does not parse gives a :class:`ParseError`
    and the others are still evaluated."""
    document = Document(FORMAT)
    own_maps = document.source_maps

    def declare(module_directory: str, module_files: list[tuple[str, str]]) -> Module:
        parsed = []
        for path, text in module_files:
            # Only a file that names us may hold a suppression: only its comments are collected.
            suppressible = "policylint" in text.lower() and not tf_modules.is_downloaded(path)
            try:
                if path.lower().endswith(".json"):
                    parsed.append(hcl_json.parse_file(path, text))
                else:
                    parsed.append(hcl.parse_file(path, text, comments=suppressible))
            except hcl.HclSyntaxError as exc:
                errors.append(ParseError(path, exc.line, exc.message))
                continue
            except Exception as exc:  # a parser bug in one file must not cost the others their findings
                errors.append(ParseError(path, None, f"internal error while parsing: {exc!r}", kind="internal"))
                continue
            if suppressible:
                own_maps[path] = source_map(parsed[-1], module_directory, text)
        module = Module(module_directory, parsed)
        module.source_size = sum(len(text) for _, text in module_files)
        errors.extend(module.errors)
        return module

    errors: list[ParseError] = []
    tree = tf_modules.Tree(files, declare, errors)
    var_attributes = _var_file_attributes(var_files, errors)
    instances = [i for root in (roots or (directory,)) for i in tree.evaluate(root, var_attributes)]
    for instance in instances:
        _declare_resources(document, instance)
    for instance in instances:
        errors.extend(instance.evaluator.notices.values())
    anchors = {}
    for instance in instances:
        if instance.anchor is not None:
            anchors.setdefault(instance.directory, instance)
    for error in errors:  # errors in downloaded code are reported at the user's module call
        owner = anchors.get(tf_modules.canonical(os.path.dirname(error.file)))
        document.errors.append(owner.anchored_error(error) if owner is not None else error)
    tree.close()
    return document


def _declare_resources(document: Document, instance: tf_modules.Instance) -> None:
    """The resources (and policies) of one module instance, at the addresses users read."""
    module, evaluator = instance, instance.evaluator
    for address, (block, file) in module.resources.items():
        if tf_blocks.declares_nothing(block):
            continue
        location = Location(file, block.line, block.end_line) if instance.anchor is None else instance.anchor
        reads = tf_resources.reads_attributes(block.labels[0])
        try:
            # A type no rule reads is one plain Resource whatever its count: its identity is all
            # that references need (the scan finds `aws_lb.x[0]` at `aws_lb.x`), and expanding its
            # instances was a tenth of a module repository's scan.
            instances = evaluator.resource_instances(address) if reads else [(address, module.uid(address), None)]
            provisioners = tf_blocks.provisioners(evaluator, address) if instances else []  # the same for every instance
            for instance_address, uid, key in instances:
                if reads:
                    attrs = instance.anchored(tf_blocks.resource_values(evaluator, address, key))
                else:
                    attrs = Node({}, location.file, location.line)
                built = tf_resources.build(block.labels[0], instance.address(instance_address), uid, attrs, location, FORMAT)
                built.resources[0].provisioners = provisioners
                document.resources.extend(built.resources)
                document.policies.extend(built.policies)
        except Exception as exc:  # an evaluator bug at one resource must not cost the others theirs
            document.errors.append(ParseError(file, block.line, f"internal error while evaluating `{instance.address(address)}`: {exc!r}", kind="internal"))
            continue


def _var_file_attributes(var_files, errors: list[ParseError]) -> list[tuple[hcl.Attribute, str]]:
    """The assignments of the ``-var-file`` files, in order (a later file wins)."""
    out = []
    for path, text in var_files:
        try:
            parsed = hcl_json.parse_file(path, text) if path.lower().endswith(".json") else hcl.parse_file(path, text, comments=False)
        except hcl.HclSyntaxError as exc:
            errors.append(ParseError(path, exc.line, exc.message))
            continue
        out.extend((attribute, path) for attribute in parsed.body.attributes.values())
    return out


class Module:
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
        self.calls: dict[str, tuple[hcl.Block, str]] = {}  # module blocks
        self.outputs: dict[str, tuple[hcl.Block, str]] = {}
        self.source_size = 0
        tfvars_files = []
        # Override files last, so that the declarations they override are the ones kept.
        for parsed in sorted(files, key=lambda f: _is_override(f.path)):
            name = _json_suffix_removed(os.path.basename(parsed.path))
            if name.endswith(".tfvars"):
                if name == "terraform.tfvars" or name.endswith(".auto.tfvars"):
                    tfvars_files.append(parsed)
                continue  # other .tfvars are only read with -var-file
            self._declare(parsed)
        # terraform.tfvars first, then *.auto.tfvars in lexical order: later files win.
        tfvars_files.sort(key=lambda f: (_json_suffix_removed(os.path.basename(f.path)) != "terraform.tfvars", os.path.basename(f.path)))
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
            elif kind == "module" and len(labels) == 1:
                self._add(self.calls, labels[0], (block, path), f"module `{labels[0]}`", override)
            elif kind == "output" and len(labels) == 1:
                self._add(self.outputs, labels[0], (block, path), f"output `{labels[0]}`", override)

    def _add(self, table: dict[str, Any], name: str, entry: tuple[Any, str], what: str, override: bool) -> None:
        first = table.get(name)
        if first is None:
            table[name] = entry
        elif not override:
            where = f"{os.path.basename(first[1])}:{first[0].line}"
            self.errors.append(ParseError(entry[1], entry[0].line, f"{what} is declared twice (first at {where}): rename one"))

    def uid(self, address: str) -> str:
        return f"tf:{self.directory}::{address}"


def source_map(parsed: hcl.HclFile, directory: str, text: str) -> SourceMap:
    """Comments and construct extents of a parsed file, for inline suppressions."""
    result = SourceMap()
    _add_extents(result, parsed.body, (directory or ".") + os.sep, True)
    source_lines = text.splitlines()
    for line, comment in parsed.comments:
        first = comment.splitlines()[0] if comment else ""
        line_text = source_lines[line - 1] if 0 < line <= len(source_lines) else ""
        position = line_text.rfind(first)
        alone = position >= 0 and not line_text[:position].strip()
        result.comments.append(SourceComment(line, line + comment.count("\n"), comment, alone))
    return result


def _add_extents(result: SourceMap, body: hcl.Body, module_scope: str, top: bool) -> None:
    """The lines each attribute, object item and block of ``body`` spans, and the top-level
    resources' addresses.  (A module-level function: a nested one calling itself would be a
    reference cycle, left to the garbage collector.)"""
    for attribute in body.attributes.values():
        _widen(result.ends, attribute.line, attribute.end_line)
        for expr in hcl.iter_subexpressions(attribute.expr):
            if isinstance(expr, hcl.ObjectExpr):
                for item in expr.items:
                    _widen(result.ends, item.line, item.end_line)
    for block in body.blocks:
        _widen(result.ends, block.line, block.end_line)
        if top and block.type in ("resource", "data") and len(block.labels) >= 2:
            address = ".".join(block.labels[:2]) if block.type == "resource" else "data." + ".".join(block.labels[:2])
            result.resources[block.line] = (module_scope, address)
        _add_extents(result, block.body, module_scope, False)


def _widen(ends: dict[int, int], start: int, end: int) -> None:
    """A construct from line ``start`` to ``end``: the widest one starting there is kept."""
    ends[start] = max(ends.get(start, start), end)


def _json_suffix_removed(name: str) -> str:
    """``main.tf.json`` -> ``main.tf``: Terraform JSON files play the part of their HCL twins."""
    return name[:-5] if name.lower().endswith((".tf.json", ".tfvars.json")) else name


def _is_override(path: str) -> bool:
    name = _json_suffix_removed(os.path.basename(path))
    return name == "override.tf" or name.endswith("_override.tf")


def parse_unit(unit) -> Document:
    """The registry's entry point (see :mod:`policylint.parsers`): a module directory."""
    # The unit's trees and values live until it is evaluated (a repository whose examples call
    # its module is one unit): a collection in the middle would walk them all and free nothing.
    # What the unit leaves behind is freed by reference counting (Tree.close).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return parse_module(unit.path, list(unit.sources), unit.var_files, unit.roots)
    finally:
        if collecting:
            gc.enable()
