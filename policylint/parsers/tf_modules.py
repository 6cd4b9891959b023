"""Terraform module calls: the module tree of one root, its instances, arguments and outputs.

A unit (see :func:`policylint.parsers.units`) is a root directory plus every directory its
``module`` blocks reach: local sources (``./x``, ``../x``) and the modules ``terraform init``
downloaded (``.terraform/modules/modules.json`` maps each call key, ``a.b`` for ``module.b``
inside ``module.a``, to its directory).  :class:`Tree` parses each directory once and evaluates
one :class:`Instance` per module instance:

* a call with ``count``/``for_each`` gives one instance per known key (``module.a[0]``,
  ``module.a["x"]``), none for ``count = 0``; an unknown collection gives one instance whose
  ``count.index``/``each`` are unknown (as a resource's does), addressed ``module.a``;
* an instance's variables are the caller's arguments (evaluated lazily in the caller, with the
  instance's ``each``/``count``), else their defaults; a passed value's ``Node.origin`` names the
  call and the argument's line, so that messages can say where a value came from;
* ``module.a.out`` in the caller is the child's ``output "out"`` value; references to the child's
  resources stay :class:`~policylint.model.Ref` to the child's uids, so buckets, logging targets
  and policies link up across modules in the scan;
* a source that is neither local nor downloaded, or a directory without files, leaves the
  instance out: its outputs are unknown, and it gives no finding and no error;
* a call that leads back to a directory already in the chain is a module cycle: an error naming
  both calls, and the repeated call left out.  Depth and the number of instances are bounded.

Resources declared in a module under ``.terraform/`` (downloaded code the user does not edit) are
reported at the user's ``module`` block: :meth:`Instance.anchored` moves their locations there.
"""

from __future__ import annotations

import json
import os

from policylint.model import Location, Node, ParseError, Unknown
from policylint.parsers import hcl_tree as hcl
from policylint.parsers.tf_eval import Evaluator, instances_of
from policylint.parsers.tf_units import MODULES_JSON, canonical, downloaded_dirs, is_downloaded, local_source

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Any, Callable
    from policylint.parsers.terraform import Module

MAX_INSTANCES = 2000  # module instances in one unit
MAX_DEPTH = 40  # modules nested in one another


class Call:
    """One ``module`` block of an instance: where its source is and its instances."""

    def __init__(self, parent: Instance, name: str, block: hcl.Block, file: str):
        self.parent = parent
        self.name = name
        self.block = block
        self.file = file
        self.instances: dict[Any, Instance] = {}  # key (None, int or str) -> instance
        self.keyed = False  # count/for_each: instances are reached through a key

    @property
    def location(self) -> str:
        return f"{self.file}:{self.block.line}"


class Instance:
    """One module instance: the declarations of its directory seen under its address."""

    def __init__(self, tree: Tree, root: str, declarations: Module, prefix: str, key_path: str, chain: tuple[Call, ...], anchor: Location | None):
        self.tree = tree
        self.root = root
        self.declarations = declarations
        self.prefix = prefix  # "" for the root, 'module.a["x"].' for a child
        self.key_path = key_path  # modules.json key: "a.b"
        self.chain = chain  # the calls that lead here, outermost first
        self.anchor = anchor  # where findings of a downloaded module are reported
        self.directory = declarations.directory
        self.variables = declarations.variables
        self.locals = declarations.locals
        self.resources = declarations.resources
        self.data = declarations.data
        self.tfvars: dict[str, Any] = declarations.tfvars if not prefix else {}
        self.calls: dict[str, Call] = {}
        self.call: Call | None = None  # the call that made this instance, and its each/count
        self.instance_values: dict[str, Node] = {}
        self.evaluator = Evaluator(self, declarations.source_size)  # type: ignore[arg-type]
        self.evaluator.module_reference = self._module_reference

    def uid(self, address: str) -> str:
        return f"tf:{self.root}::{self.prefix}{address}"

    def address(self, address: str) -> str:
        return self.prefix + address

    # ---- arguments from the caller

    def argument(self, name: str) -> Node | None:
        """The value the call passes for ``var.<name>``, evaluated once in the caller with this
        instance's ``each``/``count``; None when the call does not pass it.  Its origin names the
        argument (file:line), unless it has one already (a default, an outer call's argument)."""
        call = self.call
        attribute = call.block.body.attributes.get(name) if call is not None else None
        if attribute is None or name in _META_ARGUMENTS:
            return None
        ev = call.parent.evaluator  # type: ignore[union-attr]

        def compute() -> Node:
            saved = ev.instance_values
            ev.instance_values = self.instance_values
            try:
                value = ev.eval(attribute.expr, call.file)
            finally:
                ev.instance_values = saved
            origin = f"`{name}` set by `{self.prefix.rstrip('.')}` at {call.file}:{attribute.line}"
            return _with_origin(ev, value, origin, call.file, attribute.expr)

        unknown = lambda: Node(Unknown(f"var.{name}"), call.file, attribute.line)  # noqa: E731
        return ev._once(("module argument", self.prefix, name), compute, unknown)

    # ---- outputs seen by the caller

    def output(self, name: str, file: str, at: hcl.Expr) -> Node:
        declared = self.declarations.outputs.get(name)
        value = declared[0].body.attributes.get("value") if declared else None
        if value is None:
            return Node(Unknown(f"module output `{name}`"), file, at.line)
        ev = self.evaluator
        return ev._once(("output", name), lambda: ev.eval(value.expr, declared[1]), lambda: Node(Unknown(f"output.{name}"), file, at.line))  # type: ignore[index]

    def _module_reference(self, ev: Evaluator, expr: hcl.Traversal, file: str) -> Node:
        """``module.<name>[key].<output>...`` in this instance's expressions."""
        steps = expr.steps
        call = self.calls.get(steps[0][1]) if steps and steps[0][0] == "attr" else None
        if call is None:
            return ev.unknown(expr, file)
        rest = steps[1:]
        if call.keyed:
            if not rest or rest[0][0] != "index":
                return ev.unknown(expr, file)
            key = ev.eval(rest[0][1], file).value
            instance = call.instances.get(key) if isinstance(key, (str, int)) and not isinstance(key, bool) else None
            if instance is None and isinstance(key, str) and key.isdigit():
                instance = call.instances.get(int(key))
            rest = rest[1:]
        else:
            instance = call.instances.get(None)
        if instance is None or not rest or rest[0][0] != "attr":
            return ev.unknown(expr, file)
        value = instance.output(rest[0][1], file, expr)
        return ev.relocated(ev._walk(value, rest[1:], expr, file, None), file, expr)

    # ---- downloaded modules

    def anchored(self, node: Node) -> Node:
        """``node`` with every value located in downloaded code moved to the user's module call."""
        anchor = self.anchor
        if anchor is None:
            return node

        def moved(item: Node) -> Node:
            value = item.value
            if isinstance(value, dict):
                value = {key: moved(child) for key, child in value.items()}
            elif isinstance(value, list):
                value = [moved(child) for child in value]
            if is_downloaded(item.file):
                return Node(value, anchor.file, anchor.line, None, origin=item.origin)
            if value is item.value:
                return item
            return Node(value, item.file, item.line, item.end_line, item.text_line, item.origin)

        return moved(node)

    def anchored_error(self, error: ParseError) -> ParseError:
        if self.anchor is None or not is_downloaded(error.file):
            return error
        return ParseError(self.anchor.file, self.anchor.line, f"in `{self.prefix.rstrip('.')}` ({error.file}:{error.line}): {error.message}", error.kind)


class Tree:
    """The module trees of the roots of one unit: each directory parsed once, every instance
    evaluated."""

    def __init__(self, files: list[tuple[str, str]], declare: Callable[[str, list[tuple[str, str]]], Module], errors: list[ParseError]):
        self._declare = declare
        self.errors = errors
        self._files: dict[str, list[tuple[str, str]]] = {}
        self._downloaded: dict[str, dict[str, str]] = {}  # root -> its modules.json
        for path, text in files:
            if path.endswith(MODULES_JSON) and is_downloaded(path):
                root = canonical(path[: -len(MODULES_JSON)])
                self._downloaded[root] = downloaded_dirs(root, text)
                continue
            self._files.setdefault(canonical(os.path.dirname(path)), []).append((path, text))
        self._declarations: dict[str, Module | None] = {}
        self.instances: list[Instance] = []
        self._budget_noted = False
        self._created = 0  # instances created for the root being evaluated

    def declarations(self, directory: str) -> Module | None:
        if directory not in self._declarations:
            files = self._files.get(directory)
            self._declarations[directory] = self._declare(directory, files) if files else None
        return self._declarations[directory]

    def evaluate(self, root: str, var_files: list[tuple[hcl.Attribute, str]]) -> list[Instance]:
        """Every instance of the root module ``root``, the root first, callers before the
        modules they call."""
        declarations = self.declarations(canonical(root))
        if declarations is None:
            return []
        for attribute, path in var_files:  # after terraform.tfvars and *.auto.tfvars: they win
            declarations.tfvars[attribute.name] = (attribute, path)
        self.downloaded = self._downloaded.get(canonical(root), {})
        first = len(self.instances)
        self._created, self._budget_noted = 1, False
        pending = [Instance(self, root, declarations, "", "", (), None)]
        while pending:
            instance = pending.pop(0)
            self.instances.append(instance)
            pending.extend(self._expand(instance))
        return self.instances[first:]

    def close(self) -> None:
        """Break the references between instances, evaluators and calls, so that the unit's
        trees are freed when it is done rather than left to the cyclic garbage collector, whose
        every pass would walk them again."""
        for instance in self.instances:
            instance.calls.clear()
            instance.call, instance.chain = None, ()
            instance.evaluator = None  # type: ignore[assignment]  # it refers back to the instance
        self.instances.clear()
        self._declarations.clear()

    def _expand(self, parent: Instance) -> list[Instance]:
        """The instances of the module calls of ``parent``."""
        children: list[Instance] = []
        for name, (block, file) in parent.declarations.calls.items():
            call = Call(parent, name, block, file)
            parent.calls[name] = call
            directory = self._source_directory(parent, call)
            if directory is None:
                continue
            looping = next((c for c in parent.chain if c.parent.directory == directory), None)
            if looping is not None or parent.directory == directory:
                first = looping or call
                self.errors.append(ParseError(
                    file, block.line,
                    f"module cycle: `module.{name}` ({call.location}) calls `{directory or '.'}`, which `module.{first.name}` "
                    f"({first.location}) leads back to: the repeated call is not evaluated",
                ))
                continue
            if len(parent.chain) >= MAX_DEPTH:
                self.errors.append(ParseError(file, block.line, f"modules nested more than {MAX_DEPTH} deep: `module.{name}` not evaluated", "unsupported"))
                continue
            declarations = self.declarations(directory)
            if declarations is None:  # a missing or empty directory: unknown
                continue
            for key, values in self._keys(parent, call):
                if self._created >= MAX_INSTANCES:
                    if not self._budget_noted:
                        self._budget_noted = True
                        self.errors.append(ParseError(file, block.line, f"more than {MAX_INSTANCES} module instances: the others are not evaluated", "unsupported"))
                    return children
                self._created += 1
                children.append(self._instance(parent, call, declarations, key, values))
        return children

    def _source_directory(self, parent: Instance, call: Call) -> str | None:
        key_path = f"{parent.key_path}.{call.name}" if parent.key_path else call.name
        downloaded = self.downloaded.get(key_path)
        if downloaded is not None and downloaded in self._files:
            return downloaded
        source = call.block.body.attributes.get("source")
        text = source.expr.value if source is not None and isinstance(source.expr, hcl.Literal) else None
        if not isinstance(text, str) or not local_source(text):
            return None
        return canonical(os.path.join(parent.directory, text))

    def _keys(self, parent: Instance, call: Call) -> list[tuple[Any, dict[str, Node]]]:
        """(key, each/count values) of each instance of a call, expanded as resources are
        (:func:`~policylint.parsers.tf_eval.instances_of`); an unknown collection gives one
        instance with unknown values, ``count = 0`` or an empty collection none."""
        attributes = call.block.body.attributes
        count, for_each = attributes.get("count"), attributes.get("for_each")
        found = instances_of(parent.evaluator, count and count.expr, for_each and for_each.expr, call.file)
        call.keyed = found is not None and (count is not None or for_each is not None)
        if found is not None:
            return found
        file, line = call.file, (count or for_each).line  # type: ignore[union-attr]
        if count is not None:
            return [(None, {"count": Node({"index": Node(Unknown("count.index"), file, line)}, file, line)})]
        unknown = Node(Unknown("each"), file, line)
        return [(None, {"each": Node({"key": Node(Unknown("each.key"), file, line), "value": unknown}, file, line)})]

    def _instance(self, parent: Instance, call: Call, declarations: Module, key: Any, values: dict[str, Node]) -> Instance:
        index = "" if key is None else f"[{key}]" if isinstance(key, int) else f"[{json.dumps(key)}]"
        prefix = f"{parent.prefix}module.{call.name}{index}."
        key_path = f"{parent.key_path}.{call.name}" if parent.key_path else call.name
        anchor = parent.anchor
        if anchor is None and is_downloaded(declarations.directory):
            anchor = Location(call.file, call.block.line, call.block.line)
        child = Instance(self, parent.root, declarations, prefix, key_path, parent.chain + (call,), anchor)
        call.instances[key] = child
        child.call, child.instance_values = call, values
        child.evaluator.inputs = child.argument
        return child


_META_ARGUMENTS = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})


def _with_origin(ev: Evaluator, node: Node, origin: str, file: str, expr: hcl.Expr) -> Node:
    """A copy of ``node`` whose values name the argument that passed them, unless they already
    name an origin of their own."""
    if not ev.spend(ev.size(node), file, expr):
        return ev.unknown(expr, file)
    return node.with_origin(origin)
