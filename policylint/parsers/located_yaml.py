"""Line-aware YAML/JSON loading into :class:`Node` trees.

PyYAML's composer (the C one when libyaml is present) gives node marks; we build Nodes from them
ourselves so that: every value knows its line (a mapping value takes its *key's* line, which is
where users look), CloudFormation short-form tags become their long form, YAML 1.1 timestamps stay
the text that was written (``Version: 2012-10-17``), and duplicate keys are errors.
"""

from __future__ import annotations

import _thread
import operator

from policylint.model import UNREAD, Node, Unknown
from policylint.parsers.pyyaml import yaml
from policylint.records import record

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Callable, Container

_Loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader  # the C one unless libyaml is missing
_SCALARS = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"


# The nodes the composer makes, as the builder reads them: ``args`` is ``(tag, value, start_mark,
# end_mark, style)``, and a collection's end mark, set once its items are composed, is
# ``end_mark``.  PyYAML's own node classes run a Python ``__init__`` for every value of a
# template; these are built by BaseException's C constructor, which keeps its arguments (3 % of
# the instructions of a CloudFormation scan saved).  They are never raised.  They are PyYAML's node
# classes too, with its attribute names, for PyYAML's own error paths (a second document, a
# duplicate anchor) and for any other PyYAML user that composes while they are swapped in.
class _Composed(BaseException, yaml.Node):
    __slots__ = ()
    tag = property(lambda self: self.args[0])
    value = property(lambda self: self.args[1])
    start_mark = property(lambda self: self.args[2])


class _Scalar(_Composed, yaml.ScalarNode):
    __slots__ = ()
    end_mark = property(lambda self: self.args[3])
    style = property(lambda self: self.args[4])


class _Collection(_Composed, yaml.CollectionNode):
    __slots__ = ("end_mark",)
    flow_style = property(lambda self: self.args[4])


class _Sequence(_Collection, yaml.SequenceNode):
    __slots__ = ()


class _Mapping(_Collection, yaml.MappingNode):
    __slots__ = ()


class _Unread(_Composed):
    """A collection left unbuilt (see :meth:`_Builder.without_unread`), with the marks of its
    lines."""

    __slots__ = ("end_mark",)


_SEQ, _MAP = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_DEFAULT_TAGS = {_Sequence: _SEQ, _Mapping: _MAP, yaml.SequenceNode: _SEQ, yaml.MappingNode: _MAP}  # (theirs: see _compose_converted)
_PLAIN_TAGS: dict[str, str] = {}  # plain scalar -> its implicit tag, shared by all loads
_MERGE = "tag:yaml.org,2002:merge"
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
        if kind is not _Scalar and kind is not yaml.ScalarNode:
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


def _short_form(tag: str, value: Node):
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

    def build(self, node: BaseException, line: int | None = None) -> Node:
        # Runs once per value of every YAML template: the node's parts are read in one step,
        # node kinds compared by identity (the composer makes exactly these classes).
        tag, value, start_mark, end_mark, style = node.args
        kind = node.__class__
        if kind is not _Scalar:
            end_mark = node.end_mark
        start_line = start_mark.line
        start = start_line + 1
        line = line or start
        # The end mark sits just past the node: at column 0 of the next line for block nodes.
        end = end_mark.line
        if end_mark.column or end <= start_line:
            end += 1
        if end < line:
            end = line
        text_line = None
        if kind is _Scalar:
            if tag != _STR:
                value = self._scalar(tag, value)
            if style in _BLOCK_STYLES:
                text_line = start + 1
        elif kind is _Unread:
            value = UNREAD
        else:
            # Counted a collection at a time: aliases (`*name`) can make a few hundred bytes
            # expand to billions of values; load() tells whether they did.
            self.built += len(value)
            if self.built > MAX_VALUES:
                raise _TooManyValues(start_mark.line + 1)
            if kind is _Mapping:
                value = self._mapping(value)
            else:
                build = self.build
                value = [build(item) for item in value]
        if tag and tag[0] == "!":
            inner = Node(value, self.path, line, end, text_line)
            return Node(_short_form(tag, inner), self.path, line, end)
        return Node(value, self.path, line, end, text_line)

    def without_unread(self, root: BaseException, unread: Unread) -> BaseException:
        """``root`` with what ``unread`` says nothing reads as :class:`_Unread` nodes: top-level
        sections, and the ``Properties`` of resources of some types (a fifth of the values of the
        corpus's templates), each unless building it would raise (the builder's
        checks, its limits).  The mappings on the way are copies: the composed tree stays as it
        is, for an alias elsewhere."""
        if not _untagged(root, _Mapping):
            return root
        pairs = list(root.args[1])
        read = unread.read_sections({key.args[1] for key, _ in pairs if key.__class__ is _Scalar})
        changed = False
        for position, (key, value) in enumerate(pairs):
            if key.__class__ is not _Scalar:
                continue  # (the builder says what is wrong with it)
            if key.args[1] not in read:
                left = self._unread(value)
            elif key.args[1] == "Resources":
                left = self._without_unread_properties(value, unread.unread_properties)
            else:
                continue
            if left is not value:
                pairs[position] = (key, left)
                changed = True
        return _replaced(root, pairs) if changed else root

    def _without_unread_properties(self, resources: BaseException, unread: Callable[[str], bool]) -> BaseException:
        if not _untagged(resources, _Mapping):
            return resources  # (what the parser reports: `Resources` must be a mapping)
        changed = False
        entries = list(resources.args[1])
        for index, (logical_id, resource) in enumerate(entries):
            type_node = _plain_mapping_value(resource, "Type")
            if type_node is None or type_node.__class__ is not _Scalar or type_node.args[0] != _STR or not unread(type_node.args[1]):
                continue
            fields = list(resource.args[1])
            for position, (key, value) in enumerate(fields):
                if key.__class__ is _Scalar and key.args[1] == "Properties":
                    left = self._unread(value)
                    if left is not value:
                        fields[position] = (key, left)
                        entries[index] = (logical_id, _replaced(resource, fields))
                        changed = True
                    break  # (a second `Properties` is a duplicate key: the builder says so)
        return _replaced(resources, entries) if changed else resources

    def _unread(self, node: BaseException) -> BaseException:
        """An :class:`_Unread` in place of an untagged collection that builds without an error;
        else ``node`` itself."""
        if (_untagged(node, _Mapping) or _untagged(node, _Sequence)) and self._clean(node):
            left = _Unread(None, None, node.args[2], None, None)
            left.end_mark = node.end_mark
            return left
        return node

    def _clean(self, node: BaseException) -> bool:
        """Whether building ``node`` raises nothing: its keys plain and unique, no merge key, its
        nesting and its values within the builder's limits.  Its values count as built."""
        count = 0
        stack = [(node, 0)]
        while stack:  # bounded: MAX_VALUES values at most
            item, depth = stack.pop()
            if depth > _UNREAD_MAX_DEPTH:
                return False
            kind = item.__class__
            if kind is _Mapping:
                pairs = item.args[1]
                keys = set()
                for key, value in pairs:
                    if key.__class__ is not _Scalar or key.args[0] == _MERGE:
                        return False
                    keys.add(key.args[1])
                    if value.__class__ is not _Scalar:
                        stack.append((value, depth + 1))
                if len(keys) != len(pairs):
                    return False
                count += len(pairs)
            elif kind is _Sequence:
                items = item.args[1]
                stack.extend((value, depth + 1) for value in items if value.__class__ is not _Scalar)
                count += len(items)
            if self.built + count > MAX_VALUES:
                return False
        self.built += count
        return True

    def _mapping(self, pairs: list) -> dict[str, Node]:
        out: dict[str, Node] = {}
        build, path = self.build, self.path
        for key_node, value_node in pairs:
            key_tag, key, key_mark = key_node.args[:3]
            if key_tag == _MERGE:
                raise LoadError("YAML merge keys (`<<`) are not supported in templates", key_mark.line + 1, "unsupported")
            if key_node.__class__ is not _Scalar:
                raise LoadError("a mapping key must be a plain value", key_mark.line + 1)
            if key.__class__ is not str:
                key = str(key)
            key_line = key_mark.line + 1
            if key in out:
                raise LoadError(f"duplicate key `{key}` (first on line {out[key].line})", key_line)
            if value_node.__class__ is _Scalar:
                tag, value, start_mark, end_mark, style = value_node.args
                if tag == _STR and style not in _BLOCK_STYLES:
                    # The commonest value, a string, built here: what build() does, a call less.
                    end = end_mark.line
                    if end_mark.column or end <= start_mark.line:
                        end += 1
                    out[key] = Node(value, path, key_line, end if end > key_line else key_line)
                    continue
            out[key] = build(value_node, key_line)
        return out

    @staticmethod
    def _scalar(tag: str, text: str):
        """The value of a scalar written ``text`` whose tag is ``tag``."""
        if tag == "tag:yaml.org,2002:str" or tag.startswith("!"):
            return text
        if tag == "tag:yaml.org,2002:null":
            return None
        # (PyYAML's constructors read a scalar node: one without marks will do)
        if tag == "tag:yaml.org,2002:bool":
            return _SCALARS.construct_yaml_bool(_Scalar(tag, text, None, None, None))
        if tag == "tag:yaml.org,2002:int":
            try:
                return _SCALARS.construct_yaml_int(_Scalar(tag, text, None, None, None))
            except ValueError:  # over 4,300 digits: Python will not convert it
                return Unknown(text)
        if tag == "tag:yaml.org,2002:float":
            value = _SCALARS.construct_yaml_float(_Scalar(tag, text, None, None, None))
            if value in (float("inf"), float("-inf")) and "inf" not in text.lower():
                return Unknown(text)  # digits beyond a float's range
            return value
        # timestamps, binary, ...: keep the text as written (CloudFormation does the same)
        return text


@record(frozen=True)
class Unread:
    """What the reader of a CloudFormation template never looks at, for the loaders to leave
    unbuilt: the top-level sections but those ``read_sections`` returns for the template's
    top-level keys, and the ``Properties`` of the resource types ``unread_properties`` names."""

    read_sections: Callable[[set[str]], Container[str]]
    unread_properties: Callable[[str], bool]


_UNREAD_MAX_DEPTH = 100  # deeper collections are built, and the builder says whether they are too deep


def _untagged(node: BaseException, kind: type) -> bool:
    """Whether ``node`` is a ``kind`` (:class:`_Mapping` or :class:`_Sequence`) written without a
    tag (a tagged one is an intrinsic function such as ``!If``)."""
    return node.__class__ is kind and node.args[0] == _DEFAULT_TAGS[kind]


def _plain_mapping_value(node: BaseException, name: str) -> BaseException | None:
    """The value of the first ``name`` key of an untagged mapping node; None for anything else."""
    if not _untagged(node, _Mapping):
        return None
    for key, value in node.args[1]:
        if key.__class__ is _Scalar and key.args[1] == name:
            return value
    return None


def _replaced(node: BaseException, pairs: list) -> BaseException:
    """A copy of a mapping node with other pairs."""
    tag, _, start_mark, _, flow_style = node.args
    copy = _Mapping(tag, pairs, start_mark, None, flow_style)
    copy.end_mark = node.end_mark
    return copy


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
    return _Builder._scalar(_plain_tag(text), text)


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
    if context.startswith("found duplicate anchor"):
        return f"duplicate anchor: an anchor (`&name`) of this name is already defined on line {opened}; give each anchor its own name", line
    if problem.startswith("found undefined alias"):
        return "undefined alias: no anchor (`&name`) before this alias (`*name`) defines its name", line
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


def _compose_fast(text: str, module):
    """The C composer's tree, made of :class:`_Scalar`, :class:`_Sequence` and :class:`_Mapping`:
    it looks up the node classes in its ``module``'s globals at each node, so they are swapped
    for the call (and always put back: other PyYAML users, cfn-lint among them, get PyYAML's).
    One call at a time: a thread's call must not put PyYAML's back under another's."""
    with _SWAPPING:
        kept = module.ScalarNode, module.SequenceNode, module.MappingNode
        module.ScalarNode, module.SequenceNode, module.MappingNode = _Scalar, _Sequence, _Mapping
        try:
            return yaml.compose(text, Loader=_TemplateLoader)
        finally:
            module.ScalarNode, module.SequenceNode, module.MappingNode = kept


def _compose_converted(text: str):
    """PyYAML's tree (pure-Python composer, or a C composer that the swap does not reach) made
    into the builder's node classes."""
    root = yaml.compose(text, Loader=_TemplateLoader)
    return None if root is None else _converted(root, {})


def _converted(node, made: dict[int, BaseException]) -> BaseException:
    """``node`` as the builder's class; ``made``: those converted so far, so that an alias stays
    one shared node (recursion as deep as the composer's own: a RecursionError is handled)."""
    known = made.get(id(node))
    if known is not None:
        return known
    if isinstance(node, yaml.ScalarNode):
        known = _Scalar(node.tag, node.value, node.start_mark, node.end_mark, node.style)
    else:
        if isinstance(node, yaml.SequenceNode):
            known = _Sequence(node.tag, [_converted(item, made) for item in node.value], node.start_mark, None, node.flow_style)
        else:
            known = _Mapping(node.tag, [(_converted(k, made), _converted(v, made)) for k, v in node.value], node.start_mark, None, node.flow_style)
        known.end_mark = node.end_mark
    made[id(node)] = known
    return known


def _c_composer():
    """The C composer's module when swapping its node classes works (checked on a small
    document, so that another PyYAML release degrades to :func:`_compose_converted`)."""
    module = getattr(yaml, "_yaml", None)
    if module is None:  # no libyaml
        return None
    try:  # (a module without the classes fails here, before anything is swapped)
        root = _compose_fast("a: [b]\n", module)
        works = root.__class__ is _Mapping and root.args[1][0][1].__class__ is _Sequence and root.end_mark is not None
    except Exception:
        works = False
    return module if works else None


_SWAPPING = _thread.allocate_lock()  # (_thread: built in, unlike threading, which costs a lean start)
_C_COMPOSER = _c_composer()


def load(text: str, path: str, unread: Unread | None = None) -> Node:
    """Parse one YAML or JSON document into a Node tree; raises LoadError with a line.

    ``unread``: for a CloudFormation template, the parts that nothing reads (:class:`Unread`);
    those are left unbuilt, their value :data:`policylint.model.UNREAD` (the same errors are
    reported)."""
    try:
        root = _compose_fast(text, _C_COMPOSER) if _C_COMPOSER is not None else _compose_converted(text)
    except RecursionError:
        raise LoadError("the document is nested too deeply to be read", None, "unsupported") from None
    except yaml.MarkedYAMLError as exc:
        problem, line = explain(exc, text)
        raise LoadError(problem, line) from None
    except yaml.YAMLError as exc:
        raise LoadError(str(exc).splitlines()[0], None) from None
    if root is None:
        return Node(None, path, 1, 1)
    builder = _Builder(path)
    try:
        return builder.build(builder.without_unread(root, unread) if unread is not None else root)
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


def load_json(text: str, path: str, unread: Unread | None = None) -> Node:
    """One JSON document into the Node tree the YAML loader builds; raises LoadError with a line.
    ``unread`` as for :func:`load`."""
    import json

    from policylint.parsers import json_fast

    try:
        decoded = json_fast.decode(text)  # strict JSON first, for JSON's own error messages
    except json.JSONDecodeError as exc:
        raise LoadError(f"invalid JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise LoadError("the document is nested too deeply to be read", None, "unsupported") from None
    # The same tree as the YAML path (the reference), without YAML, for nearly all JSON.
    fast = json_fast.tree(text, path, decoded, plain_scalar, MAX_VALUES, unread)
    return fast if fast is not None else load_valid_json(text, path, unread)


def load_valid_json(text: str, path: str, unread: Unread | None = None) -> Node:
    """JSON known to be valid, through the YAML loader: the reference for ``json_fast``.  Literal
    tabs cannot occur inside JSON strings, so replacing them keeps the meaning and avoids YAML's
    ban on tab indentation."""
    try:
        return load(text.replace("\t", " "), path, unread)
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
