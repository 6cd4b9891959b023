"""HCL text to plain, located blocks, attributes and expressions.

This is the only module that knows an HCL parser.  Files are parsed with tree-sitter-hcl (fast,
exact byte positions); a file in which tree-sitter finds a syntax error, or a construct this
adapter does not read, goes to python-hcl2's lark parser instead, which explains errors well
(expected tokens, line) and whose tree this module also converts (TOOLING-NOTES §1).  Both
adapters return the small classes below, the same for the same file (``tests/test_hcl_parsers.py``
compares them), so the evaluator in ``terraform.py`` never sees a parser's object.

Expressions are kept as a tree, not evaluated: evaluation needs the whole module (variables,
locals, other resources).  Each expression knows its lines and its source text, the latter for
rendering unknown values as the user wrote them.

The parsers are imported inside functions: lark costs more than the rest of policylint, and
``policylint --version`` must not pay for either; a valid file never imports lark or hcl2.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
import sys

from policylint.patterns import lazy

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Any, Union
    Step = tuple[str, Any]

# --------------------------------------------------------------------------- expressions


class Expr:
    """An expression with its first/last line and its source text."""

    __slots__ = ("line", "end_line", "_source", "_start", "_end")

    def __init__(self, line: int, end_line: int, source: str = "", start: int = 0, end: int = 0):
        self.line = line
        self.end_line = end_line
        self._source = source
        self._start = start
        self._end = end

    @property
    def text(self) -> str:
        """The expression as written."""
        return self._source[self._start:self._end]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.text!r}@{self.line})"


class Literal(Expr):
    """``"abc"`` (without interpolation), ``1``, ``2.5``, ``true``, ``null``."""

    __slots__ = ("value",)

    def __init__(self, value: Any, *position: Any):
        super().__init__(*position)
        self.value = value


class Directive(Expr):
    """A ``%{ if }`` / ``%{ for }`` template directive: never evaluated."""

    __slots__ = ()


class Template(Expr):
    """A string with interpolations (quoted or heredoc).  ``parts`` holds literal text (escapes
    already undone) and :class:`Expr` for each ``${...}`` (a :class:`Directive` for ``%{...}``).
    For a heredoc, ``line`` is the ``<<EOF`` line and the body starts on the next line."""

    __slots__ = ("parts", "heredoc")

    def __init__(self, parts: list[Union[str, Expr]], heredoc: bool, *position: Any):
        super().__init__(*position)
        self.parts = parts
        self.heredoc = heredoc


class TupleExpr(Expr):
    __slots__ = ("items",)

    def __init__(self, items: list[Expr], *position: Any):
        super().__init__(*position)
        self.items = items


class ObjectItem:
    """One ``key = value`` of an object; ``key`` is a name, or an expression to evaluate."""

    __slots__ = ("key", "value", "line", "end_line")

    def __init__(self, key: Union[str, Expr], value: Expr, line: int, end_line: int):
        self.key = key
        self.value = value
        self.line = line
        self.end_line = end_line


class ObjectExpr(Expr):
    __slots__ = ("items",)

    def __init__(self, items: list[ObjectItem], *position: Any):
        super().__init__(*position)
        self.items = items


# Traversal steps: ("attr", name), ("index", Expr), ("splat", None)


class Traversal(Expr):
    """``var.x``, ``aws_s3_bucket.b[0].arn``, ``data.x.y.*.id``, a bare identifier ``x``.
    ``root`` is the first identifier, or an expression (``jsondecode(x).a``)."""

    __slots__ = ("root", "steps")

    def __init__(self, root: Union[str, Expr], steps: list[Step], *position: Any):
        super().__init__(*position)
        self.root = root
        self.steps = steps


class Call(Expr):
    __slots__ = ("name", "args", "expand")

    def __init__(self, name: str, args: list[Expr], expand: bool, *position: Any):
        super().__init__(*position)
        self.name = name
        self.args = args
        self.expand = expand  # f(list...) spreads its last argument


class Conditional(Expr):
    __slots__ = ("condition", "if_true", "if_false")

    def __init__(self, condition: Expr, if_true: Expr, if_false: Expr, *position: Any):
        super().__init__(*position)
        self.condition = condition
        self.if_true = if_true
        self.if_false = if_false


class Binary(Expr):
    __slots__ = ("op", "left", "right")

    def __init__(self, op: str, left: Expr, right: Expr, *position: Any):
        super().__init__(*position)
        self.op = op
        self.left = left
        self.right = right


class Unary(Expr):
    __slots__ = ("op", "operand")

    def __init__(self, op: str, operand: Expr, *position: Any):
        super().__init__(*position)
        self.op = op
        self.operand = operand


class ForExpr(Expr):
    """``[for k, v in coll : value if cond]`` (``key`` None) or ``{for ... : key => value...}``
    (``grouping`` for the ``...`` of an object that groups values by key)."""

    __slots__ = ("key_var", "value_var", "collection", "key", "value", "condition", "grouping")

    def __init__(self, key_var: Union[str, None], value_var: str, collection: Expr, key: Union[Expr, None],
                 value: Expr, condition: Union[Expr, None], grouping: bool, *position: Any):
        super().__init__(*position)
        self.key_var = key_var
        self.value_var = value_var
        self.collection = collection
        self.key = key
        self.value = value
        self.condition = condition
        self.grouping = grouping


class Opaque(Expr):
    """Anything the evaluator does not attempt (``for`` expressions, malformed interpolations)."""

    __slots__ = ()


def iter_subexpressions(expr: Expr):
    """Every expression inside ``expr``, itself included (for collecting references)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, Template):
            stack.extend(p for p in node.parts if isinstance(p, Expr))
        elif isinstance(node, TupleExpr):
            stack.extend(node.items)
        elif isinstance(node, ObjectExpr):
            for item in node.items:
                stack.append(item.value)
                if isinstance(item.key, Expr):
                    stack.append(item.key)
        elif isinstance(node, Traversal):
            if isinstance(node.root, Expr):
                stack.append(node.root)
            stack.extend(arg for kind, arg in node.steps if kind == "index")
        elif isinstance(node, Call):
            stack.extend(node.args)
        elif isinstance(node, Conditional):
            stack.extend((node.condition, node.if_true, node.if_false))
        elif isinstance(node, Binary):
            stack.extend((node.left, node.right))
        elif isinstance(node, Unary):
            stack.append(node.operand)
        elif isinstance(node, ForExpr):
            stack.extend(e for e in (node.collection, node.key, node.value, node.condition) if e is not None)


# --------------------------------------------------------------------------- structure


class Attribute:
    __slots__ = ("name", "expr", "line", "end_line")

    def __init__(self, name: str, expr: Expr, line: int, end_line: int):
        self.name = name
        self.expr = expr
        self.line = line
        self.end_line = end_line


class Body:
    """Attributes by name (a repeated name keeps the last, as python-hcl2 does) and blocks in
    source order."""

    __slots__ = ("attributes", "blocks")

    def __init__(self) -> None:
        self.attributes: dict[str, Attribute] = {}
        self.blocks: list[Block] = []


class Block:
    __slots__ = ("type", "labels", "body", "line", "end_line")

    def __init__(self, type: str, labels: list[str], body: Body, line: int, end_line: int):
        self.type = type
        self.labels = labels
        self.body = body
        self.line = line
        self.end_line = end_line

    def __repr__(self) -> str:
        return f"Block({self.type} {self.labels}@{self.line}-{self.end_line})"


class HclFile:
    path: str
    body: Body
    # (line, comment text with its #, // or /* */ marker); None when not asked for (see parse_file)
    comments: list[tuple[int, str]] | None

    def __init__(self, path: str, body: Body, comments: list[tuple[int, str]] | None):
        self.path = path
        self.body = body
        self.comments = comments


class HclSyntaxError(Exception):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.message = message
        self.line = line


# --------------------------------------------------------------------------- reading


def grammar_cache(package_cache: str) -> str:
    """Where lark keeps the compiled HCL grammar.  python-hcl2 writes it beside itself on first
    use, which fails silently in a read-only site-packages (a system or container install), and
    then every run pays ~1.4 s to rebuild it; a per-user cache file avoids that."""
    import os

    if os.path.exists(package_cache) or os.access(os.path.dirname(package_cache), os.W_OK):
        return package_cache
    import hcl2

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "policylint")
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, f"hcl2-{getattr(hcl2, '__version__', 'unknown')}.lark")


@functools.lru_cache(maxsize=1)
def _lark():
    """python-hcl2's LALR parser, with its grammar cache somewhere writable."""
    import hcl2.parser
    from lark import Lark

    cache = grammar_cache(str(hcl2.parser.PARSER_FILE))
    if cache == str(hcl2.parser.PARSER_FILE):
        return hcl2.parser.parser()
    return Lark.open("hcl2.lark", parser="lalr", cache=cache, rel_to=hcl2.parser.__file__,
                     propagate_positions=True, postlex=hcl2.parser.PostLexer())


def parse_file(path: str, text: str, comments: bool = True) -> HclFile:
    """Parse one .tf/.tfvars text.  Raises :class:`HclSyntaxError` with the offending line.
    ``comments``: also collect the comments (only inline suppressions read them; tree-sitter's
    query for them costs about 6 % of a Terraform scan); else ``HclFile.comments`` is None.

    Not cached: the module evaluator is its only reader (suppressions use the parser's
    :class:`~policylint.model.SourceMap`), and a cache would keep large trees alive."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return _parse_file_tree_sitter(path, text, comments=comments)
    except _Unsupported:
        return parse_file_lark(path, text)  # (lark's comments come with its tree, at no cost)


@functools.lru_cache(maxsize=64)
def parse_file_lark(path: str, text: str) -> HclFile:
    """:func:`parse_file` through python-hcl2's lark parser: the diagnostician for files with a
    syntax error, and the reference the tree-sitter adapter is tested against."""
    from lark.exceptions import UnexpectedInput

    if text.startswith("\ufeff"):  # python-hcl2 chokes on a BOM (TOOLING-NOTES §1d)
        text = text[1:]
    try:
        tree = _lark().parse(text + "\n")  # the newline: what hcl2.parses_to_tree adds (lark #237)
        body = _Converter(text, 0).body(tree.children[0])
    except UnexpectedInput as exc:
        message = _describe(exc)
        if "unexpected end of file" in message:  # say where the unclosed construct began
            from policylint.parsers.hcl_unclosed import unclosed

            found = unclosed(text)
            if found:
                raise HclSyntaxError(f"invalid HCL: {found[1]}", found[0]) from None
        raise HclSyntaxError(message, _line_of(exc, text)) from None
    except RecursionError:
        raise HclSyntaxError("invalid HCL: expressions nested too deeply to read", None) from None
    return HclFile(path, body, _comments(tree))


def _describe(exc: Exception) -> str:
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    from policylint.secrets import mask_message

    if isinstance(exc, UnexpectedCharacters):
        char = exc.char if exc.char.strip() else repr(exc.char)
        return f"invalid HCL: unexpected character `{char}`"
    if isinstance(exc, UnexpectedToken):
        if exc.token.type == "$END":
            return "invalid HCL: unexpected end of file (unclosed block, bracket or string?)"
        value = str(exc.token.value).strip() or repr(str(exc.token.value))
        return f"invalid HCL: unexpected `{mask_message(value)[:40]}`"  # masked before it is cut
    if isinstance(exc, UnexpectedEOF):
        return "invalid HCL: unexpected end of file (unclosed block, bracket or string?)"
    return f"invalid HCL: {exc}"


def _line_of(exc: Any, text: str) -> int | None:
    last = text.count("\n") + 1
    line = getattr(exc, "line", None)
    if not isinstance(line, int) or line < 1:
        return last
    # The parser reads text + "\n": an error on that extra line is at the end of the file.
    return min(line, last)


_OPERATOR_TOKENS = frozenset(
    {"DOUBLE_EQ", "NEQ", "LT", "GT", "LEQ", "GEQ", "ASTERISK", "SLASH", "PERCENT", "DOUBLE_AMP", "DOUBLE_PIPE", "PLUS", "QMARK"}
)


def _comments(tree: Any) -> list[tuple[int, str]]:
    """Comments with their lines, read from the token stream: a text regex would also match
    ``#`` inside strings and heredocs."""
    from lark import Token

    found: list[tuple[int, str]] = []
    for token in tree.scan_values(lambda v: isinstance(v, Token)):
        if token.type == "NL_OR_COMMENT":
            value = str(token.value)
            if value[0] != "\n":
                found.append((token.line, value.rstrip("\r\n")))
        elif token.type in _OPERATOR_TOKENS and len(token.value) > 2:
            # The post-lexer glues a comment preceding a continuation line onto the operator
            # (`# note\n?`); the token keeps the operator's line, the comment is above it.
            value = str(token.value)
            prefix = value[: len(value.rstrip("=!<>*/%&|+?"))]
            stripped = prefix.lstrip("\n \t")
            if stripped:
                found.append((token.line - stripped.count("\n"), stripped.rstrip("\r\n")))
    found.sort()
    return found


# --------------------------------------------------------------------------- conversion

# Grammar rules (hcl2.lark) whose children are layout only.
_LAYOUT = "new_line_or_comment"
_NAME_RULES = frozenset({"identifier", "keyword", "literal_value"})
_DIRECTIVE_RULES = frozenset({"template_if_start", "template_else", "template_endif", "template_for_start", "template_endfor"})


class _Converter:
    """python-hcl2's lark parse tree -> the plain classes above.  The raw tree is converted
    directly: hcl2's own typed-tree transform costs more than half as much as the parse and
    adds nothing needed here.  ``offset`` shifts lines for snippets cut out of a heredoc."""

    def __init__(self, source: str, offset: int):
        self.source = source
        self.offset = offset

    def position(self, item: Any) -> tuple[int, int, str, int, int]:
        meta = getattr(item, "meta", item)  # a Tree's meta, or a Token (same fields)
        return (meta.line + self.offset, meta.end_line + self.offset, self.source, meta.start_pos, meta.end_pos)

    # ---- structure

    def body(self, tree: Any) -> Body:
        body = Body()
        for child in tree.children:
            kind = child.data
            if kind == "attribute":
                name_tree, _, value = child.children
                name = str(name_tree.children[0])
                expr = self.expr(value)
                line = child.meta.line + self.offset
                # A heredoc's meta ends on the next attribute's line (TOOLING-NOTES §1b).
                body.attributes[name] = Attribute(name, expr, line, max(line, expr.end_line))
            elif kind == "block":
                body.blocks.append(self.block(child))
        return body

    def block(self, tree: Any) -> Block:
        labels = []
        body = None
        for child in tree.children:
            kind = getattr(child, "data", None)
            if kind in _NAME_RULES:
                labels.append(str(child.children[0]))
            elif kind == "string":
                labels.append(self._label(child))
            elif kind == "body":
                body = self.body(child)
        meta = tree.meta
        return Block(labels[0], labels[1:], body or Body(), meta.line + self.offset, meta.end_line + self.offset)

    def _label(self, tree: Any) -> str:
        converted = self._string(tree)
        if isinstance(converted, Literal):
            return str(converted.value)
        return converted.text.strip('"')  # interpolation in a label is invalid: keep as written

    # ---- expressions

    def expr(self, tree: Any) -> Expr:
        handler = _HANDLERS.get(tree.data)
        if handler is None:  # for expressions, template_string, ...
            return Opaque(*self.position(tree))
        return handler(self, tree)

    def _inner(self, tree: Any) -> list[Any]:
        """The child rules, without tokens and newlines/comments."""
        return [c for c in tree.children if getattr(c, "data", _LAYOUT) != _LAYOUT]

    def _expr_term(self, tree: Any) -> Expr:
        return self.expr(self._inner(tree)[0])  # `( expr )` or a single term

    def _literal_value(self, tree: Any) -> Expr:
        value = {"true": True, "false": False, "null": None}.get(str(tree.children[0]))
        return Literal(value, *self.position(tree))

    def _int_lit(self, tree: Any) -> Expr:
        value = _number(int, tree.children[0])
        return Opaque(*self.position(tree)) if value is None else Literal(value, *self.position(tree))

    def _float_lit(self, tree: Any) -> Expr:
        value = _number(float, tree.children[0])
        return Opaque(*self.position(tree)) if value is None else Literal(value, *self.position(tree))

    def _identifier(self, tree: Any) -> Expr:
        return Traversal(str(tree.children[0]), [], *self.position(tree))

    def _string(self, tree: Any) -> Expr:
        from hcl2.utils import process_escape_sequences

        pieces = [c.children[0] for c in tree.children if getattr(c, "data", None) == "string_part"]
        directives = [i for i, p in enumerate(pieces) if getattr(p, "data", None) in _DIRECTIVE_RULES]
        parts: list[Union[str, Expr]] = []
        index = 0
        while index < len(pieces):
            piece = pieces[index]
            if directives and index == directives[0]:
                # %{if}...%{endif} / %{for}...%{endfor}: one opaque part, from the first
                # directive to the last (nesting is not reproduced, nothing in it is evaluated).
                last = pieces[directives[-1]]
                parts.append(Directive(piece.meta.line + self.offset, last.meta.end_line + self.offset, self.source, piece.meta.start_pos, last.meta.end_pos))
                index = directives[-1] + 1
                continue
            index += 1
            if getattr(piece, "data", None) == "interpolation":
                parts.append(self.expr(self._inner(piece)[0]))
                continue
            text = str(piece)
            if piece.type == "STRING_CHARS":
                text = process_escape_sequences(text)
            elif piece.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                text = text[1:]  # $${x} is the literal text ${x}
            if parts and isinstance(parts[-1], str):
                parts[-1] += text
            else:
                parts.append(text)
        if all(isinstance(p, str) for p in parts):
            return Literal("".join(parts), *self.position(tree))  # type: ignore[arg-type]
        return Template(parts, False, *self.position(tree))

    def _heredoc(self, tree: Any, trim: bool) -> Expr:
        token = tree.children[0]
        raw = str(token).replace("\r\n", "\n")
        line, _, source, start, end = self.position(token)
        end_line = line + raw.count("\n") - 1  # the closing marker's line
        lines = raw.split("\n")[1:-2]  # between the `<<EOF` line and the closing marker
        if trim:
            widths = [len(text) - len(text.lstrip(" ")) for text in lines if text.strip()]
            cut = min(widths, default=0)
            lines = [text[cut:] for text in lines]
        body = "".join(text + "\n" for text in lines)
        parts = _split_template(body, line + 1, _parse_expression_lark)
        if all(isinstance(p, str) for p in parts):
            return Literal("".join(parts), line, end_line, source, start, end)  # type: ignore[arg-type]
        return Template(parts, True, line, end_line, source, start, end)

    def _heredoc_template(self, tree: Any) -> Expr:
        return self._heredoc(tree, trim=False)

    def _heredoc_template_trim(self, tree: Any) -> Expr:
        return self._heredoc(tree, trim=True)

    def _tuple(self, tree: Any) -> Expr:
        items = [self.expr(c) for c in tree.children if hasattr(c, "data") and c.data != _LAYOUT]
        return TupleExpr(items, *self.position(tree))

    def _object(self, tree: Any) -> Expr:
        items = []
        for element in tree.children:
            if getattr(element, "data", None) != "object_elem":
                continue
            key_tree, _, value_tree = element.children
            key = self._object_key(key_tree.children[0])
            value = self.expr(value_tree)
            meta = element.meta
            items.append(ObjectItem(key, value, meta.line + self.offset, max(meta.end_line + self.offset, value.end_line)))
        return ObjectExpr(items, *self.position(tree))

    def _object_key(self, tree: Any) -> Union[str, Expr]:
        """A bare name (``Version = ...``, even ``true``/``in``), a literal, or an expression."""
        if tree.data == "keyword":
            return str(tree.children[0])
        if tree.data == "expr_term" and len(tree.children) == 1:
            inner = tree.children[0]
            if inner.data in _NAME_RULES or inner.data in ("int_lit", "float_lit"):
                return str(inner.children[0])
            converted = self.expr(inner)
            if isinstance(converted, Literal) and isinstance(converted.value, str):
                return converted.value
            return converted
        return self.expr(tree)

    def _function_call(self, tree: Any) -> Expr:
        name = "::".join(str(c.children[0]) for c in tree.children if getattr(c, "data", None) == "identifier")
        args: list[Expr] = []
        expand = False
        for child in tree.children:
            if getattr(child, "data", None) == "arguments":
                args = [self.expr(a) for a in self._inner(child) if hasattr(a, "data")]
                expand = any(getattr(a, "type", None) == "ELLIPSIS" for a in child.children)
        return Call(name, args, expand, *self.position(tree))

    def _conditional(self, tree: Any) -> Expr:
        condition, if_true, if_false = (c for c in self._inner(tree) if hasattr(c, "data"))
        return Conditional(self.expr(condition), self.expr(if_true), self.expr(if_false), *self.position(tree))

    def _binary_op(self, tree: Any) -> Expr:
        left, term = tree.children[0], tree.children[1]
        operator_tree, right = [c for c in self._inner(term)]
        # The post-lexer may have glued a preceding newline/comment onto the operator token.
        op = str(operator_tree.children[0]).split()[-1]
        return Binary(op, self.expr(left), self.expr(right), *self.position(tree))

    def _unary_op(self, tree: Any) -> Expr:
        op, operand = tree.children
        return Unary(str(op).strip(), self.expr(operand), *self.position(tree))

    def _traverse(self, base_tree: Any, steps: list[Step], tree: Any) -> Expr:
        base = self.expr(base_tree)
        if isinstance(base, Traversal):
            return Traversal(base.root, base.steps + steps, *self.position(tree))
        return Traversal(base, steps, *self.position(tree))

    def _step(self, tree: Any) -> Step:
        if tree.data == "get_attr":
            return ("attr", str(tree.children[1].children[0]))
        if tree.data == "short_index":  # legacy `.0`
            token = tree.children[1]
            value = _number(int, token)
            return ("index", Opaque(*self.position(token)) if value is None else Literal(value, *self.position(token)))
        return ("index", self.expr(self._inner(tree)[0]))  # braces_index: [ expr ]

    def _get_attr_expr_term(self, tree: Any) -> Expr:
        return self._traverse(tree.children[0], [self._step(tree.children[1])], tree)

    _index_expr_term = _get_attr_expr_term

    def _for_expr(self, tree: Any) -> Expr:
        parts = [c for c in tree.children if hasattr(c, "data") and c.data != _LAYOUT]
        intro = [c for c in parts[0].children if hasattr(c, "data") and c.data != _LAYOUT]
        names = [str(c.children[0]) for c in intro[:-1]]
        condition = self.expr(self._inner(parts[-1])[0]) if parts[-1].data == "for_cond" else None
        exprs = [self.expr(c) for c in parts[1:] if c.data != "for_cond"]
        is_object = tree.data == "for_object_expr"
        grouping = is_object and any(str(c) == "..." for c in tree.children if not hasattr(c, "data"))
        return ForExpr(names[0] if len(names) == 2 else None, names[-1], self.expr(intro[-1]),
                       exprs[0] if is_object else None, exprs[-1], condition, grouping, *self.position(tree))

    def _splat_expr_term(self, tree: Any) -> Expr:
        splat = tree.children[1]
        steps: list[Step] = [("splat", None)] + [self._step(c) for c in splat.children[1:] if hasattr(c, "data")]
        return self._traverse(tree.children[0], steps, tree)


_HANDLERS: dict[str, Any] = {
    "expr_term": _Converter._expr_term,
    "literal_value": _Converter._literal_value,
    "int_lit": _Converter._int_lit,
    "float_lit": _Converter._float_lit,
    "identifier": _Converter._identifier,
    "string": _Converter._string,
    "heredoc_template": _Converter._heredoc_template,
    "heredoc_template_trim": _Converter._heredoc_template_trim,
    "tuple": _Converter._tuple,
    "object": _Converter._object,
    "function_call": _Converter._function_call,
    "conditional": _Converter._conditional,
    "binary_op": _Converter._binary_op,
    "unary_op": _Converter._unary_op,
    "get_attr_expr_term": _Converter._get_attr_expr_term,
    "index_expr_term": _Converter._index_expr_term,
    "attr_splat_expr_term": _Converter._splat_expr_term,
    "full_splat_expr_term": _Converter._splat_expr_term,
    "for_tuple_expr": _Converter._for_expr,
    "for_object_expr": _Converter._for_expr,
}


# --------------------------------------------------------------------------- heredoc templates


def parse_template(text: str, first_line: int = 1) -> Expr:
    """A template file's text (``templatefile()``) as a :class:`Template`, or a :class:`Literal`
    when it has no interpolation."""
    parts = _split_template(text, first_line)
    end_line = first_line + text.count("\n")
    if all(isinstance(p, str) for p in parts):
        return Literal("".join(parts), first_line, end_line, text, 0, len(text))  # type: ignore[arg-type]
    return Template(parts, False, first_line, end_line, text, 0, len(text))


# A plain reference inside `${...}`: parsed here without a second trip through lark.
_SIMPLE_REFERENCE = lazy(r"\s*([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\.\d+|\[\d+\]|\[\"[^\"\\$%]*\"\])*)\s*")
_REFERENCE_STEP = lazy(r"\.([A-Za-z_][\w-]*)|\.(\d+)|\[(\d+)\]|\[\"([^\"]*)\"\]")


def _split_template(body: str, first_line: int, parse: Any = None) -> list[Union[str, Expr]]:
    """Split a heredoc body into literal text and ``${...}``/``%{...}`` parts.  The grammar
    keeps a heredoc as one opaque token, so its interpolations are found here."""
    parts: list[Union[str, Expr]] = []
    literal: list[str] = []
    i = 0
    n = len(body)
    found = {"${": -2, "%{": -2}  # where each marker was last found: each is searched for once per occurrence
    counted, line = 0, first_line  # lines are counted from the previous part, not from the start
    while i < n:
        j = _next_marker(body, i, found)
        if j < 0:
            literal.append(body[i:])
            break
        literal.append(body[i:j])
        if body.startswith(("$${", "%%{"), j):  # escapes: the literal text ${ / %{
            literal.append(body[j + 1:j + 3])
            i = j + 3
            continue
        close = _closing_brace(body, j + 2)
        if close < 0:  # unterminated: Terraform rejects it; keep the rest as text
            literal.append(body[j:])
            break
        if literal:
            parts.append("".join(literal))
            literal = []
        line += body.count("\n", counted, j)
        counted = j
        end_line = line + body.count("\n", j, close)
        if body[j] == "%":
            parts.append(Directive(line, end_line, body, j, close + 1))
        else:
            parts.append(_parse_interpolation(body, j + 2, close, line, parse or _parse_expression))
        i = close + 1
    if literal:
        parts.append("".join(literal))
    return parts


def _next_marker(text: str, start: int, found: dict[str, int] | None = None) -> int:
    found = {"${": -2, "%{": -2} if found is None else found
    for marker in found:
        if -1 < found[marker] < start or found[marker] == -2:
            found[marker] = text.find(marker, start)
    dollar, percent = found["${"], found["%{"]
    candidates = [p for p in (dollar, percent) if p >= 0]
    if not candidates:
        return -1
    first = min(candidates)
    # `$${` / `%%{`: report the escape at its first character.
    if first > start and text[first - 1] == text[first] and text[first - 1] in "$%":
        return first - 1
    return first


def _closing_brace(text: str, start: int) -> int:
    """Index of the `}` closing an interpolation opened just before ``start``."""
    depth = 0
    i = start
    n = len(text)
    while i < n:
        char = text[i]
        if char == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


def _parse_interpolation(text: str, start: int, end: int, line: int, parse: Any) -> Expr:
    inner = text[start:end]
    match = _SIMPLE_REFERENCE.fullmatch(inner)
    if match:
        steps: list[Step] = []
        for step in _REFERENCE_STEP.finditer(match.group(2)):
            name, short, index, key = step.groups()
            if name is not None:
                steps.append(("attr", name))
            elif key is not None:
                steps.append(("index", Literal(key, line, line, text, start, end)))
            elif _number(int, short or index) is not None:
                steps.append(("index", Literal(int(short or index), line, line, text, start, end)))
            else:
                steps.append(("index", Opaque(line, line, text, start, end)))
        lead = len(inner) - len(inner.lstrip())
        trail = len(inner.rstrip())
        return Traversal(match.group(1), steps, line, line + inner.count("\n"), text, start + lead, start + trail)
    return parse(inner, line) or Opaque(line, line + inner.count("\n"), text, start, end)


def _parse_expression_lark(text: str, line: int) -> Expr | None:
    """:func:`_parse_expression` through lark."""
    from lark.exceptions import LarkError

    snippet = f"x=(\n{text}\n)\n"  # parentheses allow newlines inside the expression
    try:
        tree = _lark().parse(snippet + "\n")
    except (LarkError, RecursionError):
        return None
    attributes = [c for c in tree.children[0].children if c.data == "attribute"]
    if len(attributes) != 1:
        return None
    try:
        return _Converter(snippet, line - 2).expr(attributes[0].children[2])
    except RecursionError:
        return None


def _parse_expression(text: str, line: int) -> Expr | None:
    """Parse a standalone expression (a heredoc interpolation); None when it is not valid HCL."""
    stripped = text.strip()
    if stripped.startswith("~") or stripped.endswith("~"):
        return None  # `${~ x ~}`: strip markers, which lark does not read either (opaque)
    snippet = f"x=(\n{text}\n)\n"  # parentheses allow newlines inside the expression
    try:
        converter = _TreeSitterConverter(snippet, line - 2)
        attribute = converter.only_attribute()
        return converter.expr(attribute.children[2])
    except RecursionError:
        return None
    except _Unsupported:
        return _parse_expression_lark(text, line)


# --------------------------------------------------------------------------- tree-sitter


class _Unsupported(Exception):
    """tree-sitter found a syntax error, or a construct this adapter does not read: the file goes
    to the lark adapter, which reads it or explains the error."""


_KINDS: list[str] = []  # filled when tree-sitter is loaded


@functools.lru_cache(maxsize=1)
def _tree_sitter() -> Any:
    """tree-sitter's parser for HCL, a query for comments and tree-sitter's classes; None when
    it is not installed."""
    try:
        tree_sitter = _tree_sitter_classes()
        import tree_sitter_hcl
    except ImportError:  # pragma: no cover - a platform without the wheels: lark reads everything
        return None
    language = tree_sitter.Language(tree_sitter_hcl.language())
    # A node's type by its kind id: `node.type` decodes a new string at every call.
    _KINDS[:] = [sys.intern(language.node_kind_for_id(kind) or "") for kind in range(language.node_kind_count)]
    source = "(comment) @comment"
    query = tree_sitter.Query(language, source) if hasattr(tree_sitter, "QueryCursor") else language.query(source)
    return tree_sitter.Parser(language), query, tree_sitter


def _tree_sitter_classes() -> Any:
    """The module with tree-sitter's classes.  The package's ``__init__`` re-exports them from its
    ``_binding`` extension and adds a ``typing.Protocol``, and importing ``typing`` costs a one-file
    scan 6 % of its CPU: so the extension is loaded by itself, unless the package is imported
    already or is not laid out so (then the package, as usual)."""
    if "tree_sitter" in sys.modules:
        return sys.modules["tree_sitter"]
    try:
        from importlib import machinery

        package = machinery.PathFinder.find_spec("tree_sitter")
        spec = machinery.PathFinder.find_spec("tree_sitter._binding", package.submodule_search_locations)
        binding = spec.loader.create_module(spec)
        binding.__spec__, binding.__loader__, binding.__file__, binding.__package__ = spec, spec.loader, spec.origin, "tree_sitter"
        spec.loader.exec_module(binding)
        binding.Language, binding.Parser, binding.Query  # what we use, else the package
    except Exception:
        import tree_sitter

        return tree_sitter
    sys.modules["tree_sitter._binding"] = binding  # the package's own import finds it there
    return binding


def _comment_nodes(root: Any) -> list[Any]:
    _, query, tree_sitter = _tree_sitter()
    if hasattr(tree_sitter, "QueryCursor"):  # tree-sitter >= 0.25
        captures: Any = tree_sitter.QueryCursor(query).captures(root)
    else:  # pragma: no cover - 0.23/0.24
        captures = query.captures(root)
    if isinstance(captures, dict):
        return list(captures.get("comment", []))
    return [node for node, _ in captures]  # pragma: no cover - older form


# A syntax tree costs about 100 times its text: a larger file is read a run of top-level blocks
# at a time, so that memory follows the largest run, not the file.
CHUNK_CHARS = 1 << 20


def _parse_file_tree_sitter(path: str, text: str, chunk_chars: int = CHUNK_CHARS, comments: bool = True) -> HclFile:
    chunks = _chunks(text, chunk_chars) if len(text) > chunk_chars else None
    if not chunks:
        chunks = [(text, 0)]
    body, found = Body(), []
    for chunk, line_offset in chunks:
        converter = _TreeSitterConverter(chunk, line_offset)
        try:
            part = converter.body(converter.root_body())
        except RecursionError:
            raise _Unsupported("nested too deeply") from None
        body.attributes.update(part.attributes)  # a repeated name keeps the last, as in one piece
        body.blocks.extend(part.blocks)
        if comments:
            found.extend(converter.comments())
        del converter  # free the syntax tree before the next run is parsed
    return HclFile(path, body, found if comments else None)


def _chunks(text: str, size: int) -> list[tuple[str, int]] | None:
    """``text`` cut at top-level construct boundaries into runs of about ``size`` characters,
    each with the number of lines before it; None when it cannot be cut safely."""
    from policylint.parsers.hcl_unclosed import top_level_lines

    starts = top_level_lines(text)
    if not starts:
        return None
    out: list[tuple[str, int]] = []
    begin, begin_line = 0, 1
    for offset, line in starts:
        if offset - begin >= size:
            out.append((text[begin:offset], begin_line - 1))
            begin, begin_line = offset, line
    out.append((text[begin:], begin_line - 1))
    return out


# The operators python-hcl2's post-lexer glues a preceding newline/comment onto (MINUS is not one).
_GLUED_OPERATORS = ("==", "!=", "<", ">", "*", "/", "%", "&&", "||", "+", "?")
_BINARY_OPERATORS = frozenset({"==", "!=", "<", ">", "<=", ">=", "-", "*", "/", "%", "&&", "||", "+"})
_POSTFIX = frozenset({"get_attr", "index", "splat"})
_INT = lazy(r"[0-9]+")
_FLOAT = lazy(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_ESCAPES = lazy(r"\$\$\{[^}]*\}|%%\{[^}]*\}|\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.S)
_UNFINISHED_TEMPLATE = lazy(r"(?<![$%])[$%]\{")  # `${`/`%{` read as text: not closed
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _plain(raw: str) -> bool:
    """Whether a string's text is its value: no escape and no template, so that neither
    :data:`_ESCAPES` nor :data:`_UNFINISHED_TEMPLATE` can match it."""
    return "\\" not in raw and "$" not in raw and "%" not in raw


def _unescape(match: "re.Match[str]") -> str:
    token = match.group()
    if token[0] != "\\":
        return token[1:]  # $${x} is the literal text ${x}
    marker = token[1]
    if marker in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[marker]
    if marker in "uU" and len(token) > 2:
        codepoint = int(token[2:], 16)
        if codepoint <= 0x10FFFF and not 0xD800 <= codepoint < 0xE000:
            return chr(codepoint)
    return token  # unknown escapes are kept, as python-hcl2 keeps them


_NON_ASCII = lazy(r"[^\x00-\x7f]+")


def _char_offsets(source: str) -> list[int]:
    """For each byte offset of ``source`` in UTF-8 (and its end), the offset of the character
    that byte belongs to.  ASCII runs are ranges (in C); only non-ASCII characters take a step
    of Python each (a file with a few in its comments costs little more than an ASCII file)."""
    chars: list[int] = []
    done = 0
    for match in _NON_ASCII.finditer(source):
        start, end = match.span()
        chars.extend(range(done, start))
        for index in range(start, end):
            code = ord(source[index])
            chars += (index,) * (2 if code < 0x800 else 3 if code < 0x10000 else 4)  # (a lone surrogate: 3)
        done = end
    chars.extend(range(done, len(source) + 1))
    return chars


class _TreeSitterConverter:
    """tree-sitter-hcl's syntax tree -> the plain classes above, with the values, lines and
    source spans the lark adapter gives (including where lark's spans are odd: a binary
    operation keeps the newlines and comments that follow it), so that both agree."""

    def __init__(self, source: str, offset: int):
        loaded = _tree_sitter()
        if loaded is None:
            raise _Unsupported("tree-sitter is not installed")
        parser = loaded[0]
        self.source = source
        self.offset = offset
        data = source.encode("utf-8", "surrogatepass")
        self.tree = parser.parse(data)
        if self.tree.root_node.has_error:
            raise _Unsupported("syntax error")
        # Non-ASCII: byte offsets -> character offsets.
        self.chars: list[int] | None = _char_offsets(source) if len(data) != len(source) else None
        self.line_starts: list[int] | None = None
        self.trailing: dict[int, int] = {}  # lark_trailing by position: nested operations share an end

    # ---- positions

    def char(self, byte: int) -> int:
        return byte if self.chars is None else self.chars[byte]

    def line_at(self, char: int) -> int:
        """1-based line of a character offset (of ``source + "\\n"``)."""
        if self.line_starts is None:
            self.line_starts = [0] + [m.end() for m in re.finditer("\n", self.source)] + [len(self.source) + 1]
        return bisect.bisect_right(self.line_starts, char) + self.offset

    def span(self, first: Any, last: Any) -> tuple[int, int, str, int, int]:
        chars = self.chars  # (`char` inlined: spans and texts are the converter's commonest calls)
        start, end = (first.start_byte, last.end_byte) if chars is None else (chars[first.start_byte], chars[last.end_byte])
        return first.start_point[0] + 1 + self.offset, last.end_point[0] + 1 + self.offset, self.source, start, end

    def position(self, node: Any) -> tuple[int, int, str, int, int]:
        return self.span(node, node)

    def text(self, node: Any) -> str:
        chars = self.chars
        if chars is None:
            return self.source[node.start_byte:node.end_byte]
        return self.source[chars[node.start_byte]:chars[node.end_byte]]

    # ---- structure

    def root_body(self) -> Any:
        root = self.tree.root_node
        bodies = [c for c in root.named_children if _KINDS[c.kind_id] != "comment"]
        if not bodies:
            return None
        if len(bodies) != 1 or _KINDS[bodies[0].kind_id] != "body":
            raise _Unsupported(_KINDS[root.kind_id])
        return bodies[0]

    def only_attribute(self) -> Any:
        body = self.root_body()
        children = [c for c in body.named_children if _KINDS[c.kind_id] != "comment"] if body is not None else []
        if len(children) != 1 or _KINDS[children[0].kind_id] != "attribute":
            raise _Unsupported("not one attribute")
        return children[0]

    def comments(self) -> list[tuple[int, str]]:
        found = [(node.start_point[0] + 1 + self.offset, self.text(node).rstrip("\r\n")) for node in _comment_nodes(self.tree.root_node)]
        found.sort()
        return found

    def body(self, node: Any) -> Body:
        body = Body()
        if node is None:
            return body
        for child in node.named_children:
            kind = _KINDS[child.kind_id]
            if kind == "attribute":
                name_node = child.children[0]
                expr = self.expr(child.children[2])
                name = self.text(name_node)
                line = child.start_point[0] + 1 + self.offset
                body.attributes[name] = Attribute(name, expr, line, max(line, expr.end_line))
            elif kind == "block":
                body.blocks.append(self.block(child))
            elif kind != "comment":
                raise _Unsupported(kind)
        return body

    def block(self, node: Any) -> Block:
        labels: list[str] = []
        body = None
        row = node.start_point[0]
        for child in node.named_children:
            kind = _KINDS[child.kind_id]
            if kind in ("identifier", "string_lit") and child.start_point[0] != row:
                raise _Unsupported("block label on another line")  # HCL (and lark) reject it
            if kind == "identifier":
                labels.append(self.text(child))
            elif kind == "string_lit":
                converted = self.string(child)
                labels.append(str(converted.value) if isinstance(converted, Literal) else converted.text.strip('"'))
            elif kind == "body":
                body = self.body(child)
            elif kind not in ("block_start", "block_end", "comment"):
                raise _Unsupported(kind)
        line, end_line = node.start_point[0] + 1 + self.offset, node.end_point[0] + 1 + self.offset
        return Block(labels[0], labels[1:], body or Body(), line, end_line)

    # ---- expressions

    def expr(self, node: Any) -> Expr:
        """An ``expression`` node, or any node that is one expression on its own."""
        children = node.children if _KINDS[node.kind_id] == "expression" else [node]
        if len(children) == 1 and _KINDS[children[0].kind_id] not in ("comment", "("):
            return self.primary(children[0])  # most expressions: one term and no step
        return self.sequence(children)

    def sequence(self, children: list[Any]) -> Expr:
        """A primary expression (or ``( expr )``) followed by attribute/index/splat steps."""
        children = [c for c in children if _KINDS[c.kind_id] != "comment"]
        if not children:
            raise _Unsupported("empty expression")
        first = children[0]
        if _KINDS[first.kind_id] == "(":
            if len(children) < 3 or _KINDS[children[2].kind_id] != ")":
                raise _Unsupported("parenthesis")
            base = self.expr(children[1])
            rest = children[3:]
        else:
            base = self.primary(first)
            rest = children[1:]
        if not rest:
            return base
        steps: list[Step] = []
        for step in rest:
            if _KINDS[step.kind_id] not in _POSTFIX:
                raise _Unsupported(_KINDS[step.kind_id])
            steps.extend(self.steps(step))
        position = self.span(first, rest[-1])
        if isinstance(base, Traversal):
            return Traversal(base.root, base.steps + steps, *position)
        return Traversal(base, steps, *position)

    def steps(self, node: Any) -> list[Step]:
        kind = _KINDS[node.kind_id]
        if kind == "get_attr":
            return [("attr", self.text(node.named_children[0]))]
        if kind == "index":
            inner = node.named_children[0]
            if _KINDS[inner.kind_id] == "legacy_index":  # `.0`
                digits = self.source[self.char(inner.start_byte) + 1:self.char(inner.end_byte)]
                if not _INT.fullmatch(digits) or _number(int, digits) is None:
                    raise _Unsupported("legacy index")
                line = inner.start_point[0] + 1 + self.offset
                return [("index", Literal(int(digits), line, line, self.source, self.char(inner.start_byte) + 1, self.char(inner.end_byte)))]
            if _KINDS[inner.kind_id] != "new_index":
                raise _Unsupported(_KINDS[inner.kind_id])
            return [("index", self.expr(inner.named_children[0]))]
        if kind == "splat":
            splat = node.named_children[0]
            if _KINDS[splat.kind_id] not in ("attr_splat", "full_splat"):
                raise _Unsupported(_KINDS[splat.kind_id])
            steps: list[Step] = [("splat", None)]
            for child in splat.named_children:
                if _KINDS[child.kind_id] not in ("get_attr", "index"):
                    raise _Unsupported(_KINDS[child.kind_id])
                steps.extend(self.steps(child))
            return steps
        raise _Unsupported(kind)

    def primary(self, node: Any) -> Expr:
        kind = _KINDS[node.kind_id]
        if kind == "literal_value":
            return self.literal(node.named_children[0])
        if kind == "variable_expr":
            return Traversal(self.text(node), [], *self.position(node))
        if kind == "collection_value":
            return self.collection(node.named_children[0])
        if kind == "template_expr":
            inner = node.named_children[0]
            if _KINDS[inner.kind_id] == "quoted_template":
                return self.string(inner)
            if _KINDS[inner.kind_id] == "heredoc_template":
                return self.heredoc(inner)
            raise _Unsupported(_KINDS[inner.kind_id])
        if kind == "function_call":
            return self.call(node)
        if kind == "for_expr":
            return self.for_expr(node)
        if kind == "conditional":
            pieces = self.conditional_chain(node)
            converted = [self.expr(piece) for piece in pieces]
            for i in range(0, len(pieces) - 1, 2):
                self.check_gap(pieces[i], converted[i])
            result = converted[-1]
            last: Any = pieces[-1]  # `(...)` around the last branch is part of lark's span
            for i in range(len(pieces) - 3, -1, -2):
                result = Conditional(converted[i], converted[i + 1], result, *self.span_to(pieces[i], result, last))
                last = None
            return result
        if kind == "operation":
            inner = node.named_children[0]
            if _KINDS[inner.kind_id] == "binary_operation":
                return self.binary(inner)
            if _KINDS[inner.kind_id] == "unary_operation":
                return self.unary(inner)
            raise _Unsupported(_KINDS[inner.kind_id])
        if kind == "expression":
            return self.expr(node)
        raise _Unsupported(kind)

    def for_expr(self, node: Any) -> Expr:
        inner = node.named_children[0]
        if _KINDS[inner.kind_id] not in ("for_tuple_expr", "for_object_expr"):
            raise _Unsupported(_KINDS[inner.kind_id])
        intro = next(c for c in inner.named_children if _KINDS[c.kind_id] == "for_intro")
        names = [self.text(c) for c in intro.named_children if _KINDS[c.kind_id] == "identifier"]
        collection = next(c for c in intro.named_children if _KINDS[c.kind_id] == "expression")
        exprs = [self.expr(c) for c in inner.named_children if _KINDS[c.kind_id] == "expression"]
        cond = next((c for c in inner.named_children if _KINDS[c.kind_id] == "for_cond"), None)
        condition = self.expr(next(c for c in cond.named_children if _KINDS[c.kind_id] == "expression")) if cond is not None else None
        is_object = _KINDS[inner.kind_id] == "for_object_expr"
        grouping = is_object and any(_KINDS[c.kind_id] == "ellipsis" for c in inner.children)
        if len(names) not in (1, 2) or len(exprs) != (2 if is_object else 1):
            raise _Unsupported("for expression")
        return ForExpr(names[0] if len(names) == 2 else None, names[-1], self.expr(collection),
                       exprs[0] if is_object else None, exprs[-1], condition, grouping, *self.position(node))

    def conditional_chain(self, node: Any) -> list[Any]:
        """``a ? b : c ? d : e`` as ``[a, b, c, d, e]``.  tree-sitter-hcl groups such a chain to
        the left, ``(a ? b : c) ? d : e``; HCL (and lark) to the right, ``a ? b : (c ? d : e)``,
        which the caller rebuilds."""
        condition, if_true, if_false = (c for c in node.named_children if _KINDS[c.kind_id] != "comment")
        if condition.child_count == 1 and _KINDS[condition.children[0].kind_id] == "conditional":
            return self.conditional_chain(condition.children[0]) + [if_true, if_false]
        return [condition, if_true, if_false]

    def span_to(self, node: Any, last: Expr, last_node: Any = None) -> tuple[int, int, str, int, int]:
        """From ``node``'s start to the end of ``last`` (or of ``last_node``, whichever is later)."""
        line = node.start_point[0] + 1 + self.offset
        end_line, end = max(line, last.end_line), last._end
        if last_node is not None:
            end_line = max(end_line, last_node.end_point[0] + 1 + self.offset)
            end = max(end, self.char(last_node.end_byte))
        # lark's span ends where the last token ends: after a heredoc's newline
        return (line, max(end_line, self.line_at(end)), self.source, self.char(node.start_byte), end)

    def literal(self, node: Any) -> Expr:
        kind = _KINDS[node.kind_id]
        if kind == "numeric_lit":
            value = self.number(self.text(node))
            return Opaque(*self.position(node)) if value is None else Literal(value, *self.position(node))
        if kind == "bool_lit":
            return Literal(self.text(node) == "true", *self.position(node))
        if kind == "null_lit":
            return Literal(None, *self.position(node))
        if kind == "string_lit":
            return self.string(node)
        raise _Unsupported(kind)

    @staticmethod
    def number(text: str) -> Union[int, float, None]:
        """The literal's value; None when it is too large for one (it stays unknown)."""
        if _INT.fullmatch(text):
            return _number(int, text)
        if _FLOAT.fullmatch(text):
            return _number(float, text)
        raise _Unsupported(f"number {text[:20]}")

    def string(self, node: Any) -> Expr:
        """A quoted string or template: literal text, ``${...}`` and ``%{...}`` parts."""
        if _KINDS[node.kind_id] == "string_lit":  # no interpolation or directive: the text between the quotes
            raw = self.text(node)
            if len(raw) < 2 or raw[0] != '"' or raw[-1] != '"':
                raise _Unsupported("string")
            if _plain(raw):  # most strings
                return Literal(raw[1:-1], *self.position(node))
            if _UNFINISHED_TEMPLATE.search(raw):
                raise _Unsupported("string")
            return Literal(_ESCAPES.sub(_unescape, raw[1:-1]), *self.position(node))
        parts: list[Union[str, Expr]] = []
        children = node.children
        if len(children) < 2 or _KINDS[children[0].kind_id] != "quoted_template_start" or _KINDS[children[-1].kind_id] != "quoted_template_end":
            raise _Unsupported("string")
        inner = children[1:-1]
        directives = [i for i, c in enumerate(inner) if _KINDS[c.kind_id] == "template_directive"]
        literal_start = children[0].end_byte
        index = 0

        def flush(upto: int) -> None:
            raw = self.source[self.char(literal_start):self.char(upto)]
            plain = _plain(raw)
            if not plain and _UNFINISHED_TEMPLATE.search(raw):
                raise _Unsupported("string")
            if raw:
                text = raw if plain else _ESCAPES.sub(_unescape, raw)
                if parts and isinstance(parts[-1], str):
                    parts[-1] += text
                else:
                    parts.append(text)

        while index < len(inner):
            child = inner[index]
            kind = _KINDS[child.kind_id]
            if kind in ("template_literal", "escape_sequence"):
                index += 1
                continue
            flush(child.start_byte)
            if kind == "template_directive":
                # %{if}...%{endif} / %{for}...%{endfor}: one opaque part, from the first
                # directive to the end of the last (nothing in it is evaluated).
                last = inner[directives[-1]]
                parts.append(Directive(*self.span(child, last)))
                index = directives[-1] + 1
                literal_start = last.end_byte
                continue
            if kind != "template_interpolation":
                raise _Unsupported(kind)
            expressions = [c for c in child.named_children if _KINDS[c.kind_id] == "expression"]
            if len(expressions) != 1 or any(_KINDS[c.kind_id] == "strip_marker" for c in child.children):
                raise _Unsupported("interpolation")
            parts.append(self.expr(expressions[0]))
            literal_start = child.end_byte
            index += 1
        flush(children[-1].start_byte)
        if all(isinstance(p, str) for p in parts):
            return Literal("".join(parts), *self.position(node))  # type: ignore[arg-type]
        return Template(parts, False, *self.position(node))

    def heredoc(self, node: Any) -> Expr:
        """Read as python-hcl2 does: its token runs to the newline after the closing marker."""
        start = self.char(node.start_byte)
        end = self.char(node.end_byte)
        identifiers = [c for c in node.children if _KINDS[c.kind_id] == "heredoc_identifier"]
        if len(identifiers) != 2:
            raise _Unsupported("heredoc")
        after_open = self.char(identifiers[0].end_byte)
        if not self.source.startswith(("\n", "\r\n"), after_open):
            raise _Unsupported("heredoc opening line")
        if self.source.startswith("\n", end):
            end += 1
        elif self.source.startswith("\r\n", end):
            end += 2
        elif end == len(self.source):
            end += 1  # lark reads the text with a newline added
        else:
            raise _Unsupported("heredoc closing line")
        raw = (self.source + "\n")[start:end].replace("\r\n", "\n")
        line = node.start_point[0] + 1 + self.offset
        end_line = line + raw.count("\n") - 1
        lines = raw.split("\n")[1:-2]
        if self.source.startswith("<<-", start):
            widths = [len(text) - len(text.lstrip(" ")) for text in lines if text.strip()]
            cut = min(widths, default=0)
            lines = [text[cut:] for text in lines]
        body = "".join(text + "\n" for text in lines)
        parts = _split_template(body, line + 1)
        if all(isinstance(p, str) for p in parts):
            return Literal("".join(parts), line, end_line, self.source, start, end)  # type: ignore[arg-type]
        return Template(parts, True, line, end_line, self.source, start, end)

    def collection(self, node: Any) -> Expr:
        kind = _KINDS[node.kind_id]
        if kind == "tuple":
            items = [self.expr(c) for c in node.named_children if _KINDS[c.kind_id] == "expression"]
            return TupleExpr(items, *self.position(node))
        if kind == "object":
            items = []
            for element in node.named_children:
                if _KINDS[element.kind_id] != "object_elem":
                    continue
                key_node = element.child_by_field_name("key")
                value_node = element.child_by_field_name("val")
                if key_node is None or value_node is None:
                    raise _Unsupported("object element")
                value = self.expr(value_node)
                line = element.start_point[0] + 1 + self.offset
                # lark's element ends where the value's last token ends: after a heredoc's newline
                end_line = max(element.end_point[0] + 1 + self.offset, value.end_line, self.line_at(value._end))
                items.append(ObjectItem(self.object_key(key_node), value, line, end_line))
            return ObjectExpr(items, *self.position(node))
        raise _Unsupported(kind)

    def object_key(self, node: Any) -> Union[str, Expr]:
        """A bare name (``Version = ...``, even ``true``), a literal, or an expression."""
        children = [c for c in node.children if _KINDS[c.kind_id] != "comment"]
        if len(children) == 1:
            only = children[0]
            if _KINDS[only.kind_id] == "variable_expr":
                return self.text(only)
            if _KINDS[only.kind_id] == "literal_value" and _KINDS[only.named_children[0].kind_id] in ("bool_lit", "null_lit", "numeric_lit"):
                return self.text(only)
            if _KINDS[only.kind_id] == "operation" and self.negative_number(only.named_children[0]):
                return self.text(only)
        converted = self.expr(node)
        if isinstance(converted, Literal) and isinstance(converted.value, str) and len(children) == 1:
            return converted.value
        return converted

    def call(self, node: Any) -> Expr:
        name = self.text(node.named_children[0])
        args: list[Expr] = []
        expand = False
        for child in node.named_children[1:]:
            if _KINDS[child.kind_id] == "function_arguments":
                args = [self.expr(a) for a in child.named_children if _KINDS[a.kind_id] == "expression"]
                expand = any(_KINDS[a.kind_id] == "ellipsis" for a in child.children)
            elif _KINDS[child.kind_id] != "comment":
                raise _Unsupported(_KINDS[child.kind_id])
        return Call(name, args, expand, *self.position(node))

    def negative_number(self, node: Any) -> bool:
        """``-1.5``: python-hcl2 reads a minus glued to a fractional number as part of the number
        (but ``-1`` as a minus and ``1``)."""
        if _KINDS[node.kind_id] != "unary_operation" or node.child_count != 2:
            return False
        sign, operand = node.children
        return (_KINDS[sign.kind_id] == "-" and _KINDS[operand.kind_id] == "literal_value" and sign.end_byte == operand.start_byte
                and _KINDS[operand.named_children[0].kind_id] == "numeric_lit" and not _INT.fullmatch(self.text(operand)))

    def unary(self, node: Any) -> Expr:
        if self.negative_number(node):
            value = self.number(self.text(node)[1:])
            return Opaque(*self.position(node)) if value is None else Literal(value * -1, *self.position(node))
        sign = node.children[0]
        if _KINDS[sign.kind_id] not in ("-", "!"):
            raise _Unsupported(_KINDS[sign.kind_id])
        if _KINDS[node.children[1].kind_id] == "operation":  # `!!x`, `- -1`: HCL (and lark) reject them
            raise _Unsupported("unary operator on an operation")
        operand = self.sequence(node.children[1:])
        return Unary(_KINDS[sign.kind_id], operand, *self.position(node))

    def binary(self, node: Any) -> Expr:
        children = [c for c in node.children if _KINDS[c.kind_id] != "comment"]
        split = self.operator_index(children)
        op = _KINDS[children[split].kind_id]
        left = self.sequence(children[:split])
        self.check_gap(children[split - 1], left)
        right = self.sequence(children[split + 1:])
        start = self.position(node)
        # A heredoc's token (the right operand's span) runs on to the newline after its marker.
        end = self.lark_trailing(max(self.char(node.end_byte), right._end))
        return Binary(op, left, right, start[0], self.line_at(end), self.source, start[3], end)

    @staticmethod
    def operator_index(children: list[Any]) -> int:
        """Where the operator is: after the left operand (a primary or ``( expr )`` and steps)."""
        index = 3 if _KINDS[children[0].kind_id] == "(" else 1
        while index < len(children) and _KINDS[children[index].kind_id] in _POSTFIX:
            index += 1
        if index >= len(children) - 1 or _KINDS[children[index].kind_id] not in _BINARY_OPERATORS:
            raise _Unsupported("binary operation")
        return index

    def lark_trailing(self, end: int) -> int:
        """Where lark's binary operation ends: its rule takes the newlines and comments that
        follow (``x + y  # note\\n``), except the last one when an operator follows it, which
        the post-lexer glues onto that operator."""
        known = self.trailing.get(end)
        if known is None:
            known = self.trailing[end] = self._lark_trailing(end)
        return known

    def _lark_trailing(self, end: int) -> int:
        ends = self.layout(end)
        if ends:
            text, j = self.source + "\n", ends[-1]
            while j < len(text) and text[j] in " \t\r":
                j += 1
            if text.startswith(_GLUED_OPERATORS, j) and not text.startswith(("//", "/*"), j):
                ends.pop()
        return ends[-1] if ends else end

    def layout(self, start: int) -> list[int]:
        """The ends of lark's newline/comment tokens from ``start`` on, up to the next token."""
        text = self.source + "\n"
        n = len(text)
        ends: list[int] = []
        i = start
        while True:
            while i < n and text[i] in " \t\r":
                i += 1
            if i >= n:
                break
            if text[i] == "\n":
                i += 1
                while i < n and text[i] in " \t":
                    i += 1
            elif text.startswith(("#", "//"), i):
                i = text.find("\n", i) + 1
            elif text.startswith("/*", i):
                close = text.find("*/", i + 2)
                if close < 0:
                    break
                i = close + 2
            else:
                break
            ends.append(i)
        return ends

    def check_gap(self, operand_node: Any, operand: Expr) -> None:
        """lark's post-lexer carries one newline or comment over to a following operator
        (``x\n  + y``); with more between them (``x\n  # note\n  + y``) lark rejects the file,
        unless an operation before took them.  Such a file goes to lark."""
        start = max(self.char(operand_node.end_byte), operand._end)
        if len(self.layout(start)) > 1:
            raise _Unsupported("newlines and comments before an operator")


def _number(kind: type, text: str) -> Any:
    """A number literal's value; None when it is too long for one (over 4,300 digits, which
    Python refuses to convert, or beyond a float's range), so that it stays its text, unknown."""
    try:
        value = kind(text)
    except (ValueError, OverflowError):
        return None
    return value if kind is int or math.isfinite(value) else None
