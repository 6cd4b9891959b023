"""HCL text to plain, located blocks, attributes and expressions.

This is the only module that knows python-hcl2's internals: its grammar's rule names and the
positions lark records on the parse tree (TOOLING-NOTES §1).  Everything it returns is made of
the small classes below, so the evaluator in ``terraform.py`` never sees a lark or hcl2 object.

Expressions are kept as a tree, not evaluated: evaluation needs the whole module (variables,
locals, other resources).  Each expression knows its lines and its source text, the latter for
rendering unknown values as the user wrote them.

hcl2 and lark are imported inside functions: importing them costs more than the rest of
policylint, and ``policylint --version`` must not pay for it.
"""

from __future__ import annotations

import functools

import math
import re
from typing import Any, Union

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
Step = tuple[str, Any]


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
    comments: list[tuple[int, str]]  # (line, comment text with its #, // or /* */ marker)

    def __init__(self, path: str, body: Body, comments: list[tuple[int, str]]):
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


@functools.lru_cache(maxsize=64)
def parse_file(path: str, text: str) -> HclFile:
    """Parse one .tf/.tfvars text.  Raises :class:`HclSyntaxError` with the offending line.

    Cached: the module evaluator and the suppression reader both need a file's tree, and parsing
    is most of the cost of a Terraform scan.  The result is treated as read-only."""
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
        parts = _split_template(body, line + 1)
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
_SIMPLE_REFERENCE = re.compile(r"\s*([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\.\d+|\[\d+\]|\[\"[^\"\\$%]*\"\])*)\s*")
_REFERENCE_STEP = re.compile(r"\.([A-Za-z_][\w-]*)|\.(\d+)|\[(\d+)\]|\[\"([^\"]*)\"\]")


def _split_template(body: str, first_line: int) -> list[Union[str, Expr]]:
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
            parts.append(_parse_interpolation(body, j + 2, close, line))
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


def _parse_interpolation(text: str, start: int, end: int, line: int) -> Expr:
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
    return _parse_expression(inner, line) or Opaque(line, line + inner.count("\n"), text, start, end)


def _parse_expression(text: str, line: int) -> Expr | None:
    """Parse a standalone expression (a heredoc interpolation); None when it is not valid HCL."""
    from lark.exceptions import LarkError

    snippet = f"x=(\n{text}\n)\n"  # parentheses allow newlines inside the expression
    try:
        tree = _lark().parse(snippet + "\n")
    except (LarkError, RecursionError):
        return None
    attributes = [c for c in tree.children[0].children if c.data == "attribute"]
    if len(attributes) != 1:
        return None
    return _Converter(snippet, line - 2).expr(attributes[0].children[2])


def _number(kind: type, text: str) -> Any:
    """A number literal's value; None when it is too long for one (over 4,300 digits, which
    Python refuses to convert, or beyond a float's range), so that it stays its text, unknown."""
    try:
        value = kind(text)
    except (ValueError, OverflowError):
        return None
    return value if kind is int or math.isfinite(value) else None
