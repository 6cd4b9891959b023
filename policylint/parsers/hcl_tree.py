"""HCL text to plain, located blocks, attributes and expressions.

This is the only module that knows python-hcl2's internals (its typed rule classes and the private
``_meta`` positions, see TOOLING-NOTES §1).  Everything it returns is made of the small classes
below, so the evaluator in ``terraform.py`` never sees a lark or hcl2 object.

Expressions are kept as a tree, not evaluated: evaluation needs the whole module (variables,
locals, other resources).  Each expression knows its lines and its source text, the latter for
rendering unknown values as the user wrote them.

hcl2 and lark are imported inside functions: importing them costs more than the rest of
policylint, and ``policylint --version`` must not pay for it.
"""

from __future__ import annotations

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


def parse_file(path: str, text: str) -> HclFile:
    """Parse one .tf/.tfvars text.  Raises :class:`HclSyntaxError` with the offending line."""
    from lark.exceptions import UnexpectedInput, VisitError

    import hcl2

    if text.startswith("\ufeff"):  # python-hcl2 chokes on a BOM (TOOLING-NOTES §1d)
        text = text[1:]
    try:
        lark_tree = hcl2.parses_to_tree(text)
    except UnexpectedInput as exc:
        raise HclSyntaxError(_describe(exc), _line_of(exc, text)) from None
    comments = _comments(lark_tree)
    try:
        start = hcl2.transform(lark_tree)
        body = _Converter(text, 0).body(start.body)
    except VisitError as exc:  # an error raised inside the transformer, e.g. unterminated %{if}
        raise HclSyntaxError(f"invalid HCL: {exc.orig_exc}", _meta_line(exc.obj)) from None
    except RuntimeError as exc:
        raise HclSyntaxError(f"invalid HCL: {exc}", None) from None
    return HclFile(path, body, comments)


def _describe(exc: Exception) -> str:
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    if isinstance(exc, UnexpectedCharacters):
        return f"invalid HCL: unexpected character `{exc.char}`"
    if isinstance(exc, UnexpectedToken):
        if exc.token.type == "$END":
            return "invalid HCL: unexpected end of file (unclosed block, bracket or string?)"
        value = str(exc.token.value).strip() or repr(str(exc.token.value))
        return f"invalid HCL: unexpected `{value[:40]}`"
    if isinstance(exc, UnexpectedEOF):
        return "invalid HCL: unexpected end of file (unclosed block, bracket or string?)"
    return f"invalid HCL: {exc}"


def _line_of(exc: Any, text: str) -> int | None:
    line = getattr(exc, "line", None)
    if not isinstance(line, int) or line < 1:
        return text.count("\n") + 1 if text else None
    # The parser sees text + "\n": an error on that extra line is an error at the end of the file.
    return min(line, text.count("\n") + 1)


def _meta_line(obj: Any) -> int | None:
    meta = getattr(obj, "meta", None)
    return getattr(meta, "line", None) if meta is not None and not meta.empty else None


_OPERATOR_TOKENS = frozenset(
    {"DOUBLE_EQ", "NEQ", "LT", "GT", "LEQ", "GEQ", "ASTERISK", "SLASH", "PERCENT", "DOUBLE_AMP", "DOUBLE_PIPE", "PLUS", "QMARK"}
)


def _comments(lark_tree: Any) -> list[tuple[int, str]]:
    """Comments with their lines, read from the token stream: the typed tree keeps no lines for
    them, and a text regex would also match ``#`` inside strings and heredocs."""
    from lark import Token

    found: list[tuple[int, str]] = []
    for token in lark_tree.scan_values(lambda v: isinstance(v, Token)):
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


class _Converter:
    """Typed hcl2 rule tree -> the plain classes above.  ``offset`` shifts lines for snippets
    parsed out of a heredoc."""

    def __init__(self, source: str, offset: int):
        self.source = source
        self.offset = offset

    def position(self, rule: Any) -> tuple[int, int, str, int, int]:
        meta = rule._meta
        return (meta.line + self.offset, meta.end_line + self.offset, self.source, meta.start_pos, meta.end_pos)

    # ---- structure

    def body(self, rule: Any) -> Body:
        body = Body()
        for child in rule.children:
            kind = type(child).__name__
            if kind == "AttributeRule":
                name = str(child.identifier.token.value)
                expr = self.expr(child.expression)
                line = child._meta.line + self.offset
                # A heredoc's meta ends on the next attribute's line (TOOLING-NOTES §1b).
                body.attributes[name] = Attribute(name, expr, line, max(line, expr.end_line))
            elif kind == "BlockRule":
                body.blocks.append(self.block(child))
        return body

    def block(self, rule: Any) -> Block:
        labels = [self.label(label) for label in rule.labels]
        meta = rule._meta
        return Block(labels[0], labels[1:], self.body(rule.body), meta.line + self.offset, meta.end_line + self.offset)

    def label(self, rule: Any) -> str:
        if type(rule).__name__ != "StringRule":
            return str(rule.token.value)
        from hcl2.rules.abstract import LarkToken

        text = []
        for part in rule.string_parts:
            if isinstance(part.content, LarkToken):
                text.append(self._literal_part(part))
            else:  # an interpolation in a label is invalid Terraform: keep it as written
                meta = part._meta
                text.append(self.source[meta.start_pos:meta.end_pos])
        return "".join(text)

    # ---- expressions

    def expr(self, rule: Any) -> Expr:
        handler = getattr(self, "_" + type(rule).__name__, None)
        if handler is None:
            return Opaque(*self.position(rule))
        return handler(rule)

    def _ExprTermRule(self, rule: Any) -> Expr:
        return self.expr(rule.expression)

    def _LiteralValueRule(self, rule: Any) -> Expr:
        value = {"true": True, "false": False, "null": None}.get(str(rule.token.value))
        return Literal(value, *self.position(rule))

    def _IntLitRule(self, rule: Any) -> Expr:
        return Literal(int(rule.token.value), *self.position(rule))

    def _FloatLitRule(self, rule: Any) -> Expr:
        return Literal(float(rule.token.value), *self.position(rule))

    def _IdentifierRule(self, rule: Any) -> Expr:
        return Traversal(str(rule.token.value), [], *self.position(rule))

    def _StringRule(self, rule: Any) -> Expr:
        parts: list[Union[str, Expr]] = []
        for part in rule.string_parts:
            content = part.content
            kind = type(content).__name__
            if kind == "InterpolationRule":
                parts.append(self.expr(content.expression))
            elif kind in ("TemplateIfRule", "TemplateForRule"):
                parts.append(Directive(*self.position(content)))
            else:
                text = self._literal_part(part)
                if parts and isinstance(parts[-1], str):
                    parts[-1] += text
                else:
                    parts.append(text)
        if all(isinstance(p, str) for p in parts):
            return Literal("".join(parts), *self.position(rule))  # type: ignore[arg-type]
        return Template(parts, False, *self.position(rule))

    def _literal_part(self, part: Any) -> str:
        from hcl2.utils import process_escape_sequences

        token = part.content
        value = str(token.value)
        name = token.lark_name()
        if name == "STRING_CHARS":
            return process_escape_sequences(value)
        if name in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
            return value[1:]  # $${x} is the literal text ${x}
        return value

    def _HeredocTemplateRule(self, rule: Any) -> Expr:
        return self._heredoc(rule, trim=False)

    def _HeredocTrimTemplateRule(self, rule: Any) -> Expr:
        return self._heredoc(rule, trim=True)

    def _heredoc(self, rule: Any, trim: bool) -> Expr:
        raw = str(rule.heredoc.value).replace("\r\n", "\n")
        line, _, source, start, end = self.position(rule)
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

    def _TupleRule(self, rule: Any) -> Expr:
        return TupleExpr([self.expr(e) for e in rule.elements], *self.position(rule))

    def _ObjectRule(self, rule: Any) -> Expr:
        items = []
        for element in rule.elements:
            key_rule = element.key
            if type(key_rule).__name__ == "ObjectElemKeyRule":
                inner = key_rule.value
                kind = type(inner).__name__
                if kind == "IdentifierRule":
                    key: Union[str, Expr] = str(inner.token.value)
                elif kind in ("IntLitRule", "FloatLitRule"):
                    key = str(inner.token.value)
                else:
                    converted = self.expr(inner)
                    key = converted.value if isinstance(converted, Literal) and isinstance(converted.value, str) else converted
            else:  # (expression) key
                key = self.expr(key_rule.expression)
            meta = element._meta
            value = self.expr(element.expression)
            items.append(ObjectItem(key, value, meta.line + self.offset, max(meta.end_line + self.offset, value.end_line)))
        return ObjectExpr(items, *self.position(rule))

    def _FunctionCallRule(self, rule: Any) -> Expr:
        name = "::".join(str(i.token.value) for i in rule.identifiers)
        arguments = rule.arguments
        args = [self.expr(a) for a in arguments.arguments] if arguments is not None else []
        expand = arguments.has_ellipsis if arguments is not None else False
        return Call(name, args, expand, *self.position(rule))

    def _ConditionalRule(self, rule: Any) -> Expr:
        return Conditional(self.expr(rule.condition), self.expr(rule.if_true), self.expr(rule.if_false), *self.position(rule))

    def _BinaryOpRule(self, rule: Any) -> Expr:
        term = rule.binary_term
        op = str(term.binary_operator.token.value).strip()
        return Binary(op, self.expr(rule.expr_term), self.expr(term.expr_term), *self.position(rule))

    def _UnaryOpRule(self, rule: Any) -> Expr:
        return Unary(rule.operator.strip(), self.expr(rule.expr_term), *self.position(rule))

    def _traverse(self, base_rule: Any, steps: list[Step], rule: Any) -> Expr:
        base = self.expr(base_rule)
        if isinstance(base, Traversal):
            return Traversal(base.root, base.steps + steps, *self.position(rule))
        return Traversal(base, steps, *self.position(rule))

    def _step(self, rule: Any) -> Step:
        kind = type(rule).__name__
        if kind == "GetAttrRule":
            return ("attr", str(rule.identifier.token.value))
        if kind == "ShortIndexRule":  # legacy `.0`
            return ("index", Literal(int(rule.index.value), *self.position(rule)))
        return ("index", self.expr(rule.index_expression))

    def _GetAttrExprTermRule(self, rule: Any) -> Expr:
        return self._traverse(rule.expr_term, [self._step(rule.get_attr)], rule)

    def _IndexExprTermRule(self, rule: Any) -> Expr:
        return self._traverse(rule.children[0], [self._step(rule.children[1])], rule)

    def _AttrSplatExprTermRule(self, rule: Any) -> Expr:
        steps = [("splat", None)] + [self._step(s) for s in rule.attr_splat.get_attrs]
        return self._traverse(rule.expr_term, steps, rule)

    _FullSplatExprTermRule = _AttrSplatExprTermRule


# --------------------------------------------------------------------------- heredoc templates

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
    while i < n:
        j = _next_marker(body, i)
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
        line = first_line + body.count("\n", 0, j)
        end_line = line + body.count("\n", j, close)
        if body[j] == "%":
            parts.append(Directive(line, end_line, body, j, close + 1))
        else:
            parts.append(_parse_interpolation(body, j + 2, close, line))
        i = close + 1
    if literal:
        parts.append("".join(literal))
    return parts


def _next_marker(text: str, start: int) -> int:
    dollar = text.find("${", start)
    percent = text.find("%{", start)
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
            else:
                steps.append(("index", Literal(int(short or index), line, line, text, start, end)))
        lead = len(inner) - len(inner.lstrip())
        trail = len(inner.rstrip())
        return Traversal(match.group(1), steps, line, line + inner.count("\n"), text, start + lead, start + trail)
    return _parse_expression(inner, line) or Opaque(line, line + inner.count("\n"), text, start, end)


def _parse_expression(text: str, line: int) -> Expr | None:
    """Parse a standalone expression (a heredoc interpolation); None when it is not valid HCL."""
    from lark.exceptions import LarkError

    import hcl2

    snippet = f"x=(\n{text}\n)\n"  # parentheses allow newlines inside the expression
    try:
        start = hcl2.transform(hcl2.parses_to_tree(snippet))
    except (LarkError, RuntimeError):
        return None
    attributes = [c for c in start.body.children if type(c).__name__ == "AttributeRule"]
    if len(attributes) != 1:
        return None
    return _Converter(snippet, line - 2).expr(attributes[0].expression)
