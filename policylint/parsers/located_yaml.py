"""Line-aware YAML/JSON loading into :class:`Node` trees.

PyYAML's composer (the C one when libyaml is present) gives node marks; we build Nodes from them
ourselves so that: every value knows its line (a mapping value takes its *key's* line, which is
where users look), CloudFormation short-form tags become their long form, YAML 1.1 timestamps stay
the text that was written (``Version: 2012-10-17``), and duplicate keys are errors.
"""

from __future__ import annotations

import operator

from policylint.model import Node, Unknown
from policylint.parsers.pyyaml import yaml

_Loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader  # the C one unless libyaml is missing
_SCALARS = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_DEFAULT_TAGS = {yaml.SequenceNode: "tag:yaml.org,2002:seq", yaml.MappingNode: "tag:yaml.org,2002:map"}
_PLAIN_TAGS: dict[str, str] = {}  # plain scalar -> its implicit tag, shared by all loads
_MERGE = "tag:yaml.org,2002:merge"
_SCALAR, _MAPPING = yaml.ScalarNode, yaml.MappingNode
_BLOCK_STYLES = ("|", ">")


class _TemplateLoader(_Loader):  # type: ignore[misc, valid-type]
    """The safe loader, minus Python work the C composer asks for on every node: it calls
    ``resolve`` for each scalar (regular expressions per plain scalar) and ``descend_resolver`` /
    ``ascend_resolver`` around each node, which only matter with path resolvers, and no one adds
    those to the safe loader.  ``yaml.resolver.Resolver.resolve`` is the reference: the tags are
    the same, plain scalars' tags are remembered."""

    # No-ops called around every node: C callables that ignore their arguments, as a Python
    # function's frame costs more than the rest of the call (builtins do not bind ``self``).
    descend_resolver = operator.is_  # (parent, index) -> a bool nobody reads
    ascend_resolver = tuple  # () -> the empty tuple

    def resolve(self, kind, value, implicit):
        if kind is not yaml.ScalarNode:
            return _DEFAULT_TAGS[kind]
        if not implicit[0]:
            return _STR  # quoted or `!`-tagged: a string
        tag = _PLAIN_TAGS.get(value)
        return tag if tag is not None else _plain_tag(value)


class LoadError(Exception):
    """A document that cannot be loaded; ``kind`` as in :class:`policylint.model.ParseError`."""

    def __init__(self, message: str, line: int | None, kind: str = "syntax"):
        super().__init__(message)
        self.message = message
        self.line = line
        self.kind = kind


def _short_form(tag: str, node: yaml.Node, value):
    """``!Ref X`` → ``{"Ref": X}``; ``!GetAtt A.B`` → ``{"Fn::GetAtt": ["A", "B"]}``."""
    name = tag[1:]
    if name == "Ref" or name == "Condition":
        key = name
    else:
        key = f"Fn::{name}"
    if name == "GetAtt" and isinstance(value.value, str):
        first, _, rest = value.value.partition(".")
        value = Node([Node(first, value.file, value.line), Node(rest, value.file, value.line)], value.file, value.line, value.end_line)
    return {key: value}


MAX_VALUES = 1_000_000  # far above any real template; stops YAML alias "bombs" in about a second


class _TooManyValues(Exception):
    def __init__(self, line: int):
        self.line = line


class _Builder:
    def __init__(self, path: str):
        self.path = path
        self.built = 0

    def build(self, node: yaml.Node, line: int | None = None) -> Node:
        # Runs once per value of every YAML template: attributes are read once, node kinds
        # compared by identity (the composer makes exactly these classes).
        self.built += 1
        if self.built > MAX_VALUES:
            # Aliases (`*name`) can make a few hundred bytes expand to billions of values; load()
            # tells whether they did.
            raise _TooManyValues(node.start_mark.line + 1)
        start_line = node.start_mark.line
        start = start_line + 1
        line = line or start
        end_mark = node.end_mark
        # The end mark sits just past the node: at column 0 of the next line for block nodes.
        end = end_mark.line
        if end_mark.column or end <= start_line:
            end += 1
        if end < line:
            end = line
        tag = node.tag
        kind = node.__class__
        text_line = None
        if kind is _SCALAR:
            value = node.value if tag == _STR else self._scalar(node)
            if node.style in _BLOCK_STYLES:
                text_line = start + 1
        elif kind is _MAPPING:
            value = self._mapping(node)
        else:
            build = self.build
            value = [build(item) for item in node.value]
        if tag and tag[0] == "!":
            inner = Node(value, self.path, line, end, text_line)
            return Node(_short_form(tag, node, inner), self.path, line, end)
        return Node(value, self.path, line, end, text_line)

    def _mapping(self, node: yaml.MappingNode) -> dict[str, Node]:
        out: dict[str, Node] = {}
        build = self.build
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                raise LoadError("YAML merge keys (`<<`) are not supported in templates", key_node.start_mark.line + 1, "unsupported")
            if key_node.__class__ is not _SCALAR:
                raise LoadError("a mapping key must be a plain value", key_node.start_mark.line + 1)
            key = key_node.value
            if key.__class__ is not str:
                key = str(key)
            key_line = key_node.start_mark.line + 1
            if key in out:
                raise LoadError(f"duplicate key `{key}` (first on line {out[key].line})", key_line)
            out[key] = build(value_node, key_line)
        return out

    @staticmethod
    def _scalar(node: yaml.ScalarNode):
        tag = node.tag
        if tag == "tag:yaml.org,2002:str" or tag.startswith("!"):
            return node.value
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return _SCALARS.construct_yaml_bool(node)
        if tag == "tag:yaml.org,2002:int":
            try:
                return _SCALARS.construct_yaml_int(node)
            except ValueError:  # over 4,300 digits: Python will not convert it
                return Unknown(node.value)
        if tag == "tag:yaml.org,2002:float":
            value = _SCALARS.construct_yaml_float(node)
            if value in (float("inf"), float("-inf")) and "inf" not in node.value.lower():
                return Unknown(node.value)  # digits beyond a float's range
            return value
        # timestamps, binary, ...: keep the text as written (CloudFormation does the same)
        return node.value


_PLAIN_RESOLVER = yaml.resolver.Resolver()  # the safe loaders' resolver: the same implicit tags
# The first characters of the values its implicit tags may match (`t` of true, digits...): a
# plain scalar that starts with another is a string, as the resolver would say after its lookup
# (unless some tag may match any first character: the None key).
_TYPED_FIRST = frozenset(_PLAIN_RESOLVER.yaml_implicit_resolvers)
_UNTYPED_BY_FIRST = None not in _TYPED_FIRST


def _plain_tag(text: str) -> str:
    """The implicit tag of a plain scalar, remembered (templates repeat the same few values)."""
    tag = _PLAIN_TAGS.get(text)
    if tag is None:
        if _UNTYPED_BY_FIRST and text and text[0] not in _TYPED_FIRST:
            tag = _STR
        else:
            tag = _PLAIN_RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
        if len(_PLAIN_TAGS) < 100_000 and len(text) < 100:  # bounded memory
            _PLAIN_TAGS[text] = tag
    return tag


def plain_scalar(text: str):
    """The value of ``text`` written as a plain YAML scalar (for JSON: a number, NaN, Infinity)."""
    return _Builder._scalar(yaml.ScalarNode(_plain_tag(text), text))


def explain(exc: yaml.MarkedYAMLError, text: str = "") -> tuple[str, int | None]:
    """A YAML error in plain words, at the line of its cause: an unclosed bracket or quote where
    it opened (PyYAML reports where it gave up), a tab or a bad indentation where it is."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    problem, context = exc.problem or "", exc.context or ""
    opened = exc.context_mark.line + 1 if exc.context_mark else line
    if "'\t'" in problem or _char_at(text, exc.problem_mark) == "\t":
        return "a tab character: YAML indents with spaces only; replace the tab with spaces", line
    if "cannot start any token" in problem and _char_at(text, exc.problem_mark).strip():
        return f"`{_char_at(text, exc.problem_mark)}` cannot start a value here: put the value in quotes", line
    if context.startswith("while parsing a flow") and "expected ','" in problem:
        bracket = "[" if "sequence" in context else "{"
        closing = "]" if bracket == "[" else "}"
        return f"unclosed `{bracket}`: the {'list' if bracket == '[' else 'mapping'} that starts on this line has no `{closing}` (YAML expected `,` or `{closing}` on line {line})", opened
    if context.startswith("while scanning a quoted scalar"):
        return "unclosed quote: the quoted string that starts on this line is not closed", opened
    if context.startswith("while parsing a block") and ("<block end>" in problem or "expected key" in problem or "expected '-'" in problem):
        return f"bad indentation: this line does not line up with the {'list' if 'collection' in context else 'mapping'} that starts on line {opened}", line
    if problem.startswith("mapping values are not allowed"):
        return "`:` is not allowed here: check the indentation of this line, a missing `:` on the line above, or quote a value that contains `: `", line
    return problem or context or "invalid YAML", line


def _char_at(text: str, mark) -> str:
    if mark is None:
        return ""
    start = 0
    for _ in range(mark.line):  # bounded by the error's line
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    index = start + mark.column
    return text[index] if index < len(text) else ""


def load(text: str, path: str) -> Node:
    """Parse one YAML or JSON document into a Node tree; raises LoadError with a line."""
    try:
        root = yaml.compose(text, Loader=_TemplateLoader)
    except yaml.MarkedYAMLError as exc:
        problem, line = explain(exc, text)
        raise LoadError(problem, line) from None
    except yaml.YAMLError as exc:
        raise LoadError(str(exc).splitlines()[0], None) from None
    if root is None:
        return Node(None, path, 1, 1)
    try:
        return _Builder(path).build(root)
    except RecursionError:
        raise LoadError("the document is nested too deeply to be read", None, "unsupported") from None
    except _TooManyValues as exc:
        raise LoadError(_too_many_values(text), exc.line, "unsupported") from None


def _too_many_values(text: str) -> str:
    """The message for a document over :data:`MAX_VALUES`, blaming aliases only when it has any
    (their expansion is what makes a small file huge)."""
    aliased = any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=_Loader))
    if aliased:
        return f"the document expands through YAML aliases (`*name`) to more than {MAX_VALUES:,} values; not scanned"
    return f"the document has more than {MAX_VALUES:,} values, the most policylint reads in one file; not scanned"


def load_json(text: str, path: str) -> Node:
    """One JSON document into the Node tree the YAML loader builds; raises LoadError with a line."""
    import json

    from policylint.parsers import json_fast

    try:
        decoded = json_fast.decode(text)  # strict JSON first, for JSON's own error messages
    except json.JSONDecodeError as exc:
        raise LoadError(f"invalid JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise LoadError("the document is nested too deeply to be read", None, "unsupported") from None
    # The same tree as the YAML path (the reference), without YAML, for nearly all JSON.
    fast = json_fast.tree(text, path, decoded, plain_scalar, MAX_VALUES)
    return fast if fast is not None else load_valid_json(text, path)


def load_valid_json(text: str, path: str) -> Node:
    """JSON known to be valid, through the YAML loader: the reference for ``json_fast``.  Literal
    tabs cannot occur inside JSON strings, so replacing them keeps the meaning and avoids YAML's
    ban on tab indentation."""
    try:
        return load(text.replace("\t", " "), path)
    except LoadError as exc:
        if exc.kind == "unsupported":  # over a limit: the other reader would be over it too
            raise
        # Valid JSON that YAML cannot read (surrogate-pair escapes, keys over 1024 characters):
        # the slower pure-Python reader, which keeps lines too.
        from policylint.parsers.located_json import json_to_node

        try:
            return json_to_node(text, path, 1, aligned=True)
        except RecursionError:
            raise LoadError("the document is nested too deeply to be read", None, "unsupported") from None
        except ValueError:  # it reads no NaN/Infinity: YAML's own complaint (a duplicate key) stands
            raise exc from None
