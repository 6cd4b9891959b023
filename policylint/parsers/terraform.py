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

The work is split by concern: this module reads the files and assembles the module's
declarations into a :class:`Document`; :mod:`~policylint.parsers.tf_eval` evaluates expressions
(references and scopes, templates, operators); :mod:`~policylint.parsers.tf_functions` holds the
built-in functions; :mod:`~policylint.parsers.tf_blocks` turns resource bodies and policy
document data sources into values; :mod:`~policylint.parsers.tf_resources` (shared with plans)
builds the model objects; only :mod:`~policylint.parsers.hcl_tree` knows the HCL parser.
"""

from __future__ import annotations

import os
from typing import Any

from policylint.model import Document, Location, ParseError, SourceComment, SourceMap
from policylint.parsers import hcl_tree as hcl
from policylint.parsers import tf_blocks, tf_resources
from policylint.parsers.tf_eval import Evaluator

FORMAT = "terraform"


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
        except Exception as exc:  # a parser bug in one file must not cost the others their findings
            document.errors.append(ParseError(path, None, f"internal error while parsing: {exc!r}", kind="internal"))
            continue
        if "policylint" in text.lower():
            document.source_maps[path] = source_map(parsed[-1], directory, text)
    module = Module(directory, parsed)
    document.errors.extend(module.errors)
    evaluator = Evaluator(module, sum(len(text) for _, text in files))
    for address, (block, file) in module.resources.items():
        if tf_blocks.declares_nothing(block):
            continue
        location = Location(file, block.line, block.end_line)
        try:
            attrs = tf_blocks.resource_values(evaluator, address)
            built = tf_resources.build(block.labels[0], address, module.uid(address), attrs, location, FORMAT)
            built.resources[0].provisioners = tf_blocks.provisioners(evaluator, address)
        except Exception as exc:  # an evaluator bug at one resource must not cost the others theirs
            document.errors.append(ParseError(file, block.line, f"internal error while evaluating `{address}`: {exc!r}", kind="internal"))
            continue
        document.resources.extend(built.resources)
        document.policies.extend(built.policies)
    document.errors.extend(evaluator.notices.values())
    return document


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


def source_map(parsed: hcl.HclFile, directory: str, text: str) -> SourceMap:
    """Comments and construct extents of a parsed file, for inline suppressions."""
    result = SourceMap()
    module_scope = (directory or ".") + os.sep

    def add(start: int, end: int) -> None:
        result.ends[start] = max(result.ends.get(start, start), end)

    def walk(body: hcl.Body, top: bool) -> None:
        for attribute in body.attributes.values():
            add(attribute.line, attribute.end_line)
            for expr in hcl.iter_subexpressions(attribute.expr):
                if isinstance(expr, hcl.ObjectExpr):
                    for item in expr.items:
                        add(item.line, item.end_line)
        for block in body.blocks:
            add(block.line, block.end_line)
            if top and block.type in ("resource", "data") and len(block.labels) >= 2:
                address = ".".join(block.labels[:2]) if block.type == "resource" else "data." + ".".join(block.labels[:2])
                result.resources[block.line] = (module_scope, address)
            walk(block.body, False)

    walk(parsed.body, True)
    source_lines = text.splitlines()
    for line, comment in parsed.comments:
        first = comment.splitlines()[0] if comment else ""
        line_text = source_lines[line - 1] if 0 < line <= len(source_lines) else ""
        position = line_text.rfind(first)
        alone = position >= 0 and not line_text[:position].strip()
        result.comments.append(SourceComment(line, line + comment.count("\n"), comment, alone))
    return result


def _is_override(path: str) -> bool:
    name = os.path.basename(path)
    return name == "override.tf" or name.endswith("_override.tf")


def parse_unit(unit) -> Document:
    """The registry's entry point (see :mod:`policylint.parsers`): a module directory."""
    return parse_module(unit.path, list(unit.sources))
