"""Terraform expressions -> values, statically and conservatively.

:class:`Evaluator` evaluates the expressions of one module (see :mod:`policylint.parsers.terraform`
for what is known and what becomes an :class:`Unknown`): literals, templates and their
interpolations, tuples and objects, operators and conditionals, ``for`` expressions and splats,
references (``var.*``, ``local.*``, resources of the module and their instances,
``data.aws_iam_policy_document.*``, the ``count``/``each``/iterator names bound where they are
visible) and their scopes (a template file sees only its own variables), and calls of the
built-in functions of :mod:`~policylint.parsers.tf_functions`.  :func:`instances_of` expands
``count``/``for_each`` (resources here; module calls may reuse it).  Blocks are turned into values by
:mod:`~policylint.parsers.tf_blocks`.
"""

from __future__ import annotations

import json
from contextlib import contextmanager

from policylint.model import Node, ParseError, Ref, Unknown
from policylint.parsers import hcl_tree as hcl
from policylint.parsers import tf_blocks
from policylint.parsers.tf_functions import FUNCTIONS, collection_pairs, is_number, json_text, refs_of, scalar_text

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Any, Callable
    from policylint.parsers.terraform import Module

_OPAQUE_ROOTS = frozenset({"module", "count", "each", "path", "terraform", "self"})
# A reference to one of these attributes reads as the value written on the resource, when that is
# a known string: what the provider stores after apply is that value, up to what the rules that
# read it ignore.  Others stay a Ref (their value may be computed or transformed), and so does a
# bare ``aws_s3_bucket.b.bucket``, kept as the bucket's identity (inside a string, a literal
# bucket name is substituted, see ``Evaluator._interpolated``).
_LITERAL_ATTRIBUTES = frozenset({
    ("aws_route53_zone", "name"),  # the provider only strips a trailing dot (PL401 ignores it)
})

# Budgets, so that no module makes evaluation exponential (each doubling local, concat or product
# of the one before) or deep: over one, the value is unknown and a notice names the place.
MAX_STRING = 4_000_000  # characters of a computed string (literals are bounded by the file)
MAX_ITEMS = 20_000  # values in a computed collection, nested values included
MAX_INTEGER_BITS = 4096  # an integer product larger than this is unknown
MAX_DEPTH = 60  # named values (locals, variables, template files) evaluated inside one another
STEPS_PER_CHARACTER = 20  # evaluation steps allowed per character of the module's source ...
MIN_STEPS = 2_000_000  # ... and at least this many
MAX_INSTANCES = 10_000  # instances of one resource (or dynamic blocks of one block): beyond, unknown
MAX_MODULE_INSTANCES = 20_000  # resource instances (and dynamic blocks) of one module: beyond, unknown

Scope = dict[str, Node] | None  # names visible as bare identifiers (templatefile vars); None = module scope
_ISOLATED: dict[str, Node] = {}  # variable defaults and tfvars may not refer to anything


class Evaluator:
    """Evaluates the expressions of one module: named values are memoised, a reference cycle is
    unknown, and a reference to a resource of the module is a :class:`Ref`."""

    def __init__(self, module: Module, source_size: int = 0):
        self.module = module
        self._cache: dict[tuple[str, ...], Node] = {}
        self._active: set[tuple[str, ...]] = set()
        self.steps_left = max(MIN_STEPS, STEPS_PER_CHARACTER * source_size)
        self.including: list[str] = []  # template files being rendered, innermost last
        self.notices: dict[tuple[str, int], ParseError] = {}  # budgets exceeded, by place
        self._sizes: dict[int, tuple[Node, int]] = {}  # id -> (node, number of values in it)
        # Names bound where they are visible in module scope: ``count``/``each`` of the instance
        # being evaluated, ``dynamic`` block iterators, ``for`` expression variables.
        self.bindings: dict[str, Node] = {}
        self._instances: dict[str, tuple[list[Instance] | None, dict[str, dict[str, Node]]]] = {}
        self.instances_built = 0
        self.blocks_generated = 0
        # Hooks for module calls (:mod:`~policylint.parsers.tf_modules`): the value a caller
        # passes for a variable (None: not passed), ``each``/``count`` of the module instance whose
        # arguments are being evaluated, and how ``module.<name>...`` references resolve.
        self.inputs: Callable[[str], Node | None] | None = None
        self.instance_values: dict[str, Node] = {}
        self.module_reference: Callable[[Evaluator, hcl.Traversal, str], Node] | None = None

    @contextmanager
    def bound(self, bindings: dict[str, Node]):
        """Evaluate with exactly ``bindings`` visible (not merged with the current ones)."""
        saved = self.bindings
        self.bindings = bindings
        try:
            yield
        finally:
            self.bindings = saved

    def _once(self, key: tuple[str, ...], compute: Callable[[], Node], on_cycle: Callable[[], Node]) -> Node:
        """Memoised evaluation of a named value; a reference cycle evaluates to unknown."""
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if key in self._active:
            return on_cycle()
        if len(self._active) + len(self.including) >= MAX_DEPTH:
            value = on_cycle()
            self.notice(value.file, value.line, f"values nested more than {MAX_DEPTH} deep (locals, variables, template files)")
            return value
        self._active.add(key)
        saved, self.bindings = self.bindings, {}  # a named value sees no instance or iterator
        try:
            value = compute()
        finally:
            self._active.discard(key)
            self.bindings = saved
        self._cache[key] = value
        return value

    # ---- budgets

    def notice(self, file: str, line: int, what: str) -> None:
        """Record that a value was left unknown because it exceeded a budget."""
        if (file, line) not in self.notices:
            self.notices[(file, line)] = ParseError(file, line, f"{what}: not evaluated, treated as unknown", "unsupported")

    def spend(self, steps: int, file: str, expr: hcl.Expr) -> bool:
        """Take ``steps`` from the module's budget; False (and a notice) once it is spent."""
        self.steps_left -= steps
        if self.steps_left >= 0:
            return True
        self.notice(file, expr.line, "evaluation budget of the module spent")
        return False

    def size(self, node: Node) -> int:
        """How many values ``node`` holds, itself included (shared values counted each time)."""
        value = node.value
        if not isinstance(value, (dict, list)):
            return 1
        known = self._sizes.get(id(node))
        if known is not None and known[0] is node:
            return known[1]
        children = value.values() if isinstance(value, dict) else value
        total = 1
        for child in children:
            total += self.size(child)
            if total > MAX_ITEMS:
                break
        self._sizes[id(node)] = (node, total)
        return total

    def fits(self, value: Any, file: str, expr: hcl.Expr) -> bool:
        """Whether a computed value is within the size budgets (a notice when it is not)."""
        if isinstance(value, str) and len(value) > MAX_STRING:
            self.notice(file, expr.line, f"string longer than {MAX_STRING:,} characters")
            return False
        if isinstance(value, (list, dict)):
            children = value.values() if isinstance(value, dict) else value
            total = 1
            for child in children:
                total += self.size(child)
                if total > MAX_ITEMS:
                    self.notice(file, expr.line, f"collection of more than {MAX_ITEMS:,} values")
                    return False
        return True

    def fits_length(self, length: int, file: str, expr: hcl.Expr) -> bool:
        """Whether a string of ``length`` characters may be built (checked before building it)."""
        if length > MAX_STRING:
            self.notice(file, expr.line, f"string longer than {MAX_STRING:,} characters")
            return False
        return True

    def relocated(self, node: Node, file: str, expr: hcl.Expr) -> Node:
        """:func:`_relocated`, paid for from the budget (it copies one-line values)."""
        size = self.size(node)
        if not self.spend(size, file, expr):
            return self.unknown(expr, file)
        moved = _relocated(node, file, expr)
        if moved is not node and isinstance(moved.value, (dict, list)):
            self._sizes[id(moved)] = (moved, size)
        return moved

    # ---- named values

    def variable(self, name: str, file: str, at: hcl.Expr) -> Node:
        def compute() -> Node:
            passed = self.inputs(name) if self.inputs is not None else None
            if passed is not None:
                return passed
            given = self.module.tfvars.get(name)
            if given is not None:
                return self.eval(given[0].expr, given[1], _ISOLATED)
            declared = self.module.variables.get(name)
            default = declared[0].body.attributes.get("default") if declared else None
            if default is None:
                return Node(Unknown(f"var.{name}"), file, at.line)
            value = self.eval(default.expr, declared[1], _ISOLATED)  # type: ignore[index]
            for node in value.walk():  # a fresh tree: the default's own nodes
                node.origin = f"default of `var.{name}`"
            return value

        return self._once(("var", name), compute, lambda: Node(Unknown(f"var.{name}"), file, at.line))

    def local(self, name: str, file: str, at: hcl.Expr) -> Node:
        declared = self.module.locals.get(name)
        if declared is None:
            return Node(Unknown(f"local.{name}"), file, at.line)
        return self._once(("local", name), lambda: self.eval(declared[0].expr, declared[1]), lambda: Node(Unknown(f"local.{name}"), file, at.line))

    def resource_attr(self, address: str, name: str, key: Any = None) -> Node | None:
        """An argument of a resource, evaluated for its instance ``key`` (the only instance when
        None and it has one; with unknown ``count``/``each`` when the instance is not known)."""
        block, file = self.module.resources[address]
        attribute = block.body.attributes.get(name)
        if attribute is None:
            return None
        bindings = self.instance_bindings(address, key)

        def compute() -> Node:
            with self.bound(bindings):
                return self.eval(attribute.expr, file)

        return self._once(
            ("resource", address, _key_text(key) if bindings else "", name),
            compute,
            lambda: Node(Unknown(f"{address}.{name}"), file, attribute.line),
        )

    def bounded_pairs(self, node: Node, file: str, expr: hcl.Expr, what: str) -> list[tuple[Node, Node]] | None:
        """:func:`collection_pairs` of a collection to expand (``dynamic`` blocks), None when it
        is not known or holds more than :data:`MAX_INSTANCES` (with a notice)."""
        pairs = collection_pairs(node, sets=False)
        if pairs is None:
            return None
        self.blocks_generated += len(pairs)
        if self.blocks_generated > MAX_MODULE_INSTANCES:
            self.notice(file, expr.line, f"{what}: more than {MAX_MODULE_INSTANCES:,} dynamic blocks in the module")
            return None
        if len(pairs) > MAX_INSTANCES or not self.spend(len(pairs), file, expr):
            self.notice(file, expr.line, f"{what} of more than {MAX_INSTANCES:,} items")
            return None
        return pairs

    # ---- instances of resources

    def instances(self, address: str) -> list[Instance] | None:
        """The instances of a resource (see :func:`instances_of`), memoised; None when unknown."""
        return self._instances_by_key(address)[0]

    def _instances_by_key(self, address: str) -> tuple[list[Instance] | None, dict[str, dict[str, Node]]]:
        cached = self._instances.get(address)
        if cached is None:
            block, file = self.module.resources[address]
            attributes = block.body.attributes
            count, for_each = attributes.get("count"), attributes.get("for_each")
            self._instances[address] = cached = (None, {})  # a resource whose count refers to itself
            with self.bound({}):
                found = instances_of(self, count.expr if count else None, for_each.expr if for_each else None, file)
            by_key = {_key_text(key): bindings for key, bindings in found or ()}
            self._instances[address] = cached = (found, by_key)
        return cached

    def instance_bindings(self, address: str, key: Any = None) -> dict[str, Node]:
        """``count``/``each`` of the instance ``key`` of a resource; empty when not known."""
        found, by_key = self._instances_by_key(address)
        if not found:
            return {}
        if key is None:
            return found[0][1] if len(found) == 1 else {}
        return by_key.get(_key_text(key), {})

    def resource_instances(self, address: str) -> list[tuple[str, str, Any]]:
        """(address users read, uid, key) of each instance to build: none for ``count = 0``, one
        with key None when the resource has at most one instance or its instances are unknown."""
        found = self.instances(address)
        if found is not None and len(found) > 1:
            self.instances_built += len(found)
            if self.instances_built > MAX_MODULE_INSTANCES:
                block, file = self.module.resources[address]
                self.notice(file, block.line, f"more than {MAX_MODULE_INSTANCES:,} resource instances in the module")
                found = None
        if found is None:
            return [(address, self.module.uid(address), None)]
        if len(found) <= 1 and self.at_most_one_instance(address):
            return [(address, self.module.uid(address), key) for key, _ in found]
        return [(f"{address}[{_key_text(key)}]", f"{self.module.uid(address)}[{_key_text(key)}]", key) for key, _ in found]

    # ---- expressions

    def eval(self, expr: hcl.Expr, file: str, scope: Scope = None) -> Node:
        handler = _HANDLERS.get(type(expr))
        if handler is None or not self.spend(1, file, expr):
            return self.unknown(expr, file)
        return handler(self, expr, file, scope)

    def node(self, value: Any, file: str, expr: hcl.Expr) -> Node:
        """A computed value at ``expr``; unknown when it exceeds a size budget."""
        if isinstance(value, (str, list, dict)) and not self.fits(value, file, expr):
            return self.unknown(expr, file)
        return self._located(value, file, expr)

    def _located(self, value: Any, file: str, expr: hcl.Expr) -> Node:
        return Node(value, file, expr.line, expr.end_line if expr.end_line > expr.line else None)

    def _text(self, value: Any, file: str, expr: hcl.Literal | hcl.Template) -> Node:
        """A string; a heredoc's also records the line its body starts on."""
        node = self._located(value, file, expr) if isinstance(expr, hcl.Literal) else self.node(value, file, expr)
        if isinstance(node.value, Unknown) and not isinstance(value, Unknown):
            return node
        if _is_heredoc(expr):
            node.text_line = expr.line + 1
        return node

    def unknown(self, expr: hcl.Expr, file: str, text: str | None = None) -> Node:
        return self._located(Unknown(expr.text if text is None else text, self.refs_in(expr)), file, expr)

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
                key_text = scalar_text(self.eval(key, file, scope).value)
                if key_text is None:  # the object's shape is unknown
                    return self.unknown(expr, file)
                key = key_text
            values[key] = self.eval(item.value, file, scope)
        return self.node(values, file, expr)

    def _template(self, expr: hcl.Template, file: str, scope: Scope) -> Node:
        parts = expr.parts
        if len(parts) == 1 and not isinstance(parts[0], (str, hcl.Directive)):
            # "${x}" is x itself, whatever its type (Terraform drops the template).
            return self.relocated(self._interpolated(parts[0], file, scope), file, expr)
        known: list[str] = []
        shown: list[str] = []  # the template with unknown parts kept as ${...}
        refs: list[Ref] = []
        complete = True
        length = 0
        for part in parts:
            if isinstance(part, str):
                known.append(part)
                shown.append(_escape_template(part))
                continue
            value = None if isinstance(part, hcl.Directive) else self._interpolated(part, file, scope).value
            text = scalar_text(value)
            if text is None and isinstance(value, (dict, list)) and isinstance(part, hcl.Call) and part.name == "jsonencode":
                # jsonencode keeps a document as its tree; inside a string it is its JSON text.
                text = json_text(self._interpolated(part, file, scope))
            length += len(text) if text is not None else 0
            if not self.fits_length(length, file, expr):
                return self.unknown(expr, file)
            if text is None:
                complete = False
                shown.append(part.text if isinstance(part, hcl.Directive) else "${" + part.text + "}")
                refs.extend(refs_of(value))
            else:
                known.append(text)
                shown.append(_escape_template(text))
        if complete:
            return self._text("".join(known), file, expr)
        return self._text(Unknown("".join(shown), tuple(dict.fromkeys(refs))), file, expr)

    def _interpolated(self, expr: hcl.Expr, file: str, scope: Scope) -> Node:
        """An interpolated value.  A bucket's id/bucket/arn is its name (or S3 ARN) here when the
        name is a known literal, so that ``"${aws_s3_bucket.b.arn}/*"`` is a known string.  A
        literal name is the name of every instance of a counted bucket, so an unknown instance
        key does not matter; a name that depends on the instance is known for a known key."""
        if isinstance(expr, hcl.Traversal) and scope is None and expr.root == "aws_s3_bucket":
            found = self._reference(expr)
            if found is not None and len(found[1]) == 1 and found[0].attr in ("id", "bucket", "arn"):
                ref = found[0]
                name = self.resource_attr(f"{expr.root}.{expr.steps[0][1]}", "bucket", found[3])
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
                return self.relocated(self._walk(scope[root], steps, expr, file, scope), file, expr)
            return self.unknown(expr, file)
        bound = self.bindings.get(root)
        if bound is not None:
            return self.relocated(self._walk(bound, steps, expr, file, scope), file, expr)
        name = steps[0][1] if steps and steps[0][0] == "attr" else None
        if root == "var" and name is not None:
            value = self.variable(name, file, expr)
            return self.relocated(self._walk(value, steps[1:], expr, file, scope), file, expr)
        if root == "local" and name is not None:
            value = self.local(name, file, expr)
            return self.relocated(self._walk(value, steps[1:], expr, file, scope), file, expr)
        if root == "data":
            return self._data(expr, file)
        if root in self.instance_values:
            return self.relocated(self._walk(self.instance_values[root], steps, expr, file, scope), file, expr)
        if root == "module" and self.module_reference is not None:
            return self.module_reference(self, expr, file)
        found = self._reference(expr)
        if found is None:
            return self.unknown(expr, file)
        collection = self._instances_collection(expr, file)
        if collection is not None:
            return self._walk(collection, expr.steps[1:], expr, file, scope)
        ref, rest, instance_known, _ = found
        if not instance_known:  # aws_x.y[each.key]: which instance is not known
            return self.node(Unknown(expr.text, (ref,)), file, expr)
        if not rest or (len(rest) == 1 and rest[0][0] == "attr"):
            literal = self._literal_attribute(expr, ref, file, found[3])
            if literal is not None:
                return literal
            return self.node(ref, file, expr)
        return self.node(Unknown(expr.text, (ref,)), file, expr)  # deeper into an attribute, or a splat

    def _walk(self, node: Node, steps: list[hcl.Step], expr: hcl.Expr, file: str, scope: Scope) -> Node:
        """Follow ``.attr`` / ``[index]`` steps into a value; unknown as soon as a step cannot be
        followed."""
        for position, (kind, arg) in enumerate(steps):
            value = node.value
            if kind == "splat" and (isinstance(value, list) or value is None or isinstance(value, dict)):
                # x[*].a: the rest of the steps applied to each element (a single value is a
                # one-element list, null an empty one).
                elements = value if isinstance(value, list) else [] if value is None else [node]
                if not self.spend(len(elements), file, expr):
                    return self.unknown(expr, file)
                rest = steps[position + 1:]
                return self.node([self._walk(element, rest, expr, file, scope) for element in elements], file, expr)
            if kind == "attr" and isinstance(value, Ref) and value.attr is None:
                # an instance from a resource's collection, and one of its attributes
                node = Node(Ref(value.uid, arg, f"{value.text}.{arg}"), node.file, node.line, node.end_line)
                continue
            if kind == "attr" and isinstance(value, dict) and arg in value:
                node = value[arg]
                continue
            if kind == "index" and isinstance(value, (list, dict)):
                key = self.eval(arg, file, scope).value
                index = _list_index(key) if isinstance(value, list) else None
                if index is not None and index < len(value):
                    node = value[index]
                    continue
                if isinstance(value, dict) and isinstance(key, str) and key in value:
                    node = value[key]
                    continue
            refs = refs_of(value) + self.refs_in(expr)
            return self.node(Unknown(expr.text, tuple(dict.fromkeys(refs))), file, expr)
        return node

    def _data(self, expr: hcl.Traversal, file: str) -> Node:
        steps = expr.steps
        if len(steps) >= 3 and steps[0] == ("attr", "aws_iam_policy_document") and steps[1][0] == "attr":
            address = f"aws_iam_policy_document.{steps[1][1]}"
            rest = _skip_instance_keys(steps[2:])
            if address in self.module.data and rest in ([("attr", "json")], [("attr", "minified_json")]):
                return self._once(("data", address), lambda: tf_blocks.policy_document(self, address), lambda: self.unknown(expr, file))
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
        if expr.op == "-" and is_number(value):
            return self.node(-value, file, expr)
        return self.unknown(expr, file)

    def _binary(self, expr: hcl.Binary, file: str, scope: Scope) -> Node:
        left = self.eval(expr.left, file, scope)
        right = self.eval(expr.right, file, scope)
        if not self.spend(self.size(left) + self.size(right), file, expr):
            return self.unknown(expr, file)
        a, b = left.value, right.value
        if expr.op == "*" and isinstance(a, int) and isinstance(b, int) and a.bit_length() + b.bit_length() > MAX_INTEGER_BITS:
            self.notice(file, expr.line, f"integer larger than {MAX_INTEGER_BITS} bits")
            return self.unknown(expr, file)
        try:
            result = _operate(expr.op, left, right)
        except OverflowError:  # a huge integer mixed with a float
            self.notice(file, expr.line, "number too large")
            return self.unknown(expr, file)
        return self.unknown(expr, file) if result is _UNKNOWN else self.node(result, file, expr)

    def _for(self, expr: hcl.ForExpr, file: str, scope: Scope) -> Node:
        """A ``for`` expression over a known collection (a map in key order); unknown when the
        collection, a condition or a key is not known."""
        collection = self.eval(expr.collection, file, scope)
        pairs = collection_pairs(collection, sets=False)
        if pairs is None or not self.spend(len(pairs), file, expr):
            return self.unknown(expr, file)
        if isinstance(collection.value, dict):
            pairs.sort(key=lambda pair: pair[0].value)
        items: list[Node] = []
        entries: dict[str, Node] = {}
        for key, value in pairs:
            names = {expr.value_var: value}
            if expr.key_var is not None:
                names[expr.key_var] = key
            if scope is None:
                with self.bound({**self.bindings, **names}):
                    produced = self._for_item(expr, file, None)
            else:
                produced = self._for_item(expr, file, {**scope, **names})
            if produced is None:
                return self.unknown(expr, file)
            if produced is _SKIPPED:
                continue
            item_key, item = produced
            if expr.key is None:
                items.append(item)
            elif expr.grouping:
                group = entries.setdefault(item_key, self._located([], file, expr))
                group.value.append(item)
            elif item_key in entries:  # a duplicate key is an error in Terraform
                return self.unknown(expr, file)
            else:
                entries[item_key] = item
        return self.node(items if expr.key is None else entries, file, expr)

    def _for_item(self, expr: hcl.ForExpr, file: str, scope: Scope) -> Any:
        """(key text or None, value) of one iteration; _SKIPPED when its condition is false,
        None when it is not known."""
        if expr.condition is not None:
            truth = _truth(self.eval(expr.condition, file, scope).value)
            if truth is None:
                return None
            if not truth:
                return _SKIPPED
        key = None
        if expr.key is not None:
            key = scalar_text(self.eval(expr.key, file, scope).value)
            if key is None:
                return None
        return key, self.eval(expr.value, file, scope)

    def _call(self, expr: hcl.Call, file: str, scope: Scope) -> Node:
        function = FUNCTIONS.get(expr.name)
        if function is None or expr.expand:
            return self.unknown(expr, file)
        args = [self.eval(arg, file, scope) for arg in expr.args]
        result = function(self, args, expr, file)
        return self.unknown(expr, file) if result is None else result

    # ---- references to resources and their instances

    def _instances_collection(self, expr: hcl.Traversal, file: str) -> Node | None:
        """``aws_x.y`` without an instance key, for a resource whose (several) instances are
        known: a list (``count``) or map (``for_each``) of Refs to each instance, so that
        ``for_each = aws_x.y`` and ``aws_x.y[*].id`` follow them.  None otherwise."""
        address = f"{expr.root}.{expr.steps[0][1]}"
        rest = expr.steps[1:]
        if rest and rest[0][0] == "index" or self.at_most_one_instance(address):
            return None
        found = self.instances(address)
        if found is None:
            return None
        uid = self.module.uid(address)
        refs = {key: Node(Ref(f"{uid}[{_key_text(key)}]", None, f"{address}[{_key_text(key)}]"), file, expr.line) for key, _ in found}
        counted = "count" in self.module.resources[address][0].body.attributes
        return self.node(list(refs.values()) if counted else refs, file, expr)

    def _literal_attribute(self, expr: hcl.Traversal, ref: Ref, file: str, key: Any = None) -> Node | None:
        """The value of ``aws_x.y.attr`` when ``attr`` is one of :data:`_LITERAL_ATTRIBUTES` and
        is written on the resource as a known string; None otherwise (the reference stays a
        Ref).  Placed where the reference is written, as values read through variables are."""
        address = f"{expr.root}.{expr.steps[0][1]}"
        if (expr.root, ref.attr) not in _LITERAL_ATTRIBUTES:
            return None
        value = self.resource_attr(address, ref.attr, key)  # type: ignore[arg-type]
        if value is None or not isinstance(value.value, str) or not value.value:
            return None
        return self.relocated(value, file, expr)

    def _resource_ref(self, expr: hcl.Traversal) -> Ref | None:
        """``aws_x.name[...].attr...`` as a Ref to that resource, when the module declares it."""
        found = self._reference(expr)
        return None if found is None else found[0]

    def _reference(self, expr: hcl.Traversal) -> tuple[Ref, list[hcl.Step], bool, Any] | None:
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
        instance = None
        if self.at_most_one_instance(address):
            rest = _skip_instance_keys(rest)
        elif rest and rest[0][0] == "index":
            key = self._instance_key(address, rest[0][1])
            known = key is not None
            uid += f"[{key if known else rest[0][1].text}]"
            instance = json.loads(key) if known else None
            rest = rest[1:]
        attr = rest[0][1] if rest and rest[0][0] == "attr" else None
        return Ref(uid, attr, expr.text), rest, known, instance

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
                most = self._most(count.expr, file, lambda v: int(v) if is_number(v) and float(v).is_integer() else None)
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
            if is_number(key) and float(key).is_integer():
                return str(int(key))
            if isinstance(key, str) and key.isdigit():
                return str(int(key))
            return None
        text = scalar_text(key)
        return None if text is None else json.dumps(text)


Instance = tuple  # (key: an int for count, a string for for_each; bindings: dict[str, Node])


def instances_of(ev: Evaluator, count: hcl.Expr | None, for_each: hcl.Expr | None, file: str) -> list[Instance] | None:
    """The instances ``count``/``for_each`` give, each with the ``count``/``each`` it binds, in
    Terraform's order (indexes; keys sorted); ``[(None, {})]`` for neither, ``[]`` for none, None
    when the collection (or its keys) is not known or holds more than :data:`MAX_INSTANCES`.
    Evaluated with the evaluator's current bindings (a module call passes its caller's)."""
    if count is not None and for_each is not None:  # invalid in Terraform
        return None
    if count is None and for_each is None:
        return [(None, {})]
    if count is not None:
        node = ev.eval(count, file)
        value = node.value
        if not is_number(value) or isinstance(value, float) and not value.is_integer() or value < 0:
            return None
        if value > MAX_INSTANCES:
            ev.notice(file, count.line, f"`count` of more than {MAX_INSTANCES:,} instances")
            return None
        return [(index, {"count": Node({"index": Node(index, node.file, node.line)}, node.file, node.line)}) for index in range(int(value))]
    node = ev.eval(for_each, file)  # type: ignore[arg-type]
    pairs = collection_pairs(node, sets=True)
    if pairs is None:
        return None
    if len(pairs) > MAX_INSTANCES:
        ev.notice(file, for_each.line, f"`for_each` of more than {MAX_INSTANCES:,} instances")  # type: ignore[union-attr]
        return None
    return [(key.value, {"each": Node({"key": key, "value": value}, node.file, node.line)}) for key, value in sorted(pairs, key=lambda p: p[0].value)]


def _key_text(key: Any) -> str:
    """An instance key as written in an address: ``0``, ``"logs"``."""
    return str(key) if isinstance(key, int) else json.dumps(key)


def _relocated(node: Node, file: str, expr: hcl.Expr) -> Node:
    """A value read through a reference: a one-line value (``default = ["*"]``) is reported
    where it is used, items included; a multi-line one (a policy in a local) where it is
    written, so that each statement keeps its own line."""
    if node.end_line is not None and node.end_line > node.line:
        return node
    if node.file == file and node.line == expr.line:
        return node
    return _moved(node, file, expr.line, expr.end_line if expr.end_line > expr.line else None)


def _moved(item: Node, file: str, line: int, end_line: int | None) -> Node:
    # Not a closure: a recursive closure is a reference cycle, left for the collector.
    value = item.value
    if isinstance(value, dict):
        value = {key: _moved(child, file, line, end_line) for key, child in value.items()}
    elif isinstance(value, list):
        value = [_moved(child, file, line, end_line) for child in value]
    return Node(value, file, line, end_line, origin=item.origin)


def _is_heredoc(expr: hcl.Expr) -> bool:
    return isinstance(expr, hcl.Template) and expr.heredoc or isinstance(expr, hcl.Literal) and expr.text.startswith("<<")


def _skip_instance_keys(steps: list[hcl.Step]) -> list[hcl.Step]:
    """Drop the ``[0]`` / ``["key"]`` of a resource with at most one instance: it is the resource."""
    index = 0
    while index < len(steps) and steps[index][0] == "index":
        index += 1
    return steps[index:]


def _escape_template(text: str) -> str:
    """Literal text inside an unknown's rendering, where ${...} marks the unknown parts."""
    return text.replace("${", "$${").replace("%{", "%%{")


def _truth(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    return None


_UNKNOWN = object()
_SKIPPED = object()


def _operate(op: str, left: Node, right: Node) -> Any:
    a = left.plain()
    b = right.plain()
    if any(not n.known for n in (*left.walk(), *right.walk())):
        return _UNKNOWN
    if op in ("==", "!="):
        same = type(a) is type(b) and a == b or (is_number(a) and is_number(b) and a == b)
        return same if op == "==" else not same
    if op in ("&&", "||"):
        if isinstance(a, bool) and isinstance(b, bool):
            return (a and b) if op == "&&" else (a or b)
        return _UNKNOWN
    if not (is_number(a) and is_number(b)):
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


_HANDLERS: dict[type, Callable[[Evaluator, Any, str, Scope], Node]] = {
    hcl.Literal: Evaluator._literal,
    hcl.Template: Evaluator._template,
    hcl.TupleExpr: Evaluator._tuple,
    hcl.ObjectExpr: Evaluator._object,
    hcl.Traversal: Evaluator._traversal,
    hcl.Call: Evaluator._call,
    hcl.Conditional: Evaluator._conditional,
    hcl.Binary: Evaluator._binary,
    hcl.Unary: Evaluator._unary,
    hcl.ForExpr: Evaluator._for,
}


def _list_index(key: Any) -> int | None:
    """``1`` or ``"1"`` as a list index; None for anything else, a key too long to be an index
    (a 5,000-digit string) included."""
    if isinstance(key, bool):
        return None
    if isinstance(key, int):
        return key if key >= 0 else None
    if isinstance(key, str) and key.isascii() and key.isdigit() and len(key) <= 18:
        return int(key)
    return None
