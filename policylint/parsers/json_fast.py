"""JSON templates into the same :class:`Node` trees as the YAML loader, about ten times faster.

``located_yaml.load_json`` reads JSON through PyYAML's composer, which is the reference: values,
lines, end lines as YAML gives them (a JSON number is resolved as a YAML plain scalar: ``1e5``
stays text).  Here the C ``json`` decoder gives the structure and a few string operations on the
text give the line of every token; the two are walked together, in document order.

Whenever YAML could read the text differently or not at all (characters it rejects or counts as
line breaks, surrogate escapes, a key far from its colon, duplicate keys, deep
nesting, a huge document) :func:`tree` returns ``None`` and the caller takes the reference path.
``tests/test_json_fast.py`` compares both paths on every JSON fixture and corpus template.
"""

from __future__ import annotations

import json
from itertools import accumulate, compress, islice

from policylint.model import UNREAD, Node
from policylint.patterns import lazy

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Any, Callable


class _Number(str):
    """A number, NaN or Infinity as written; the caller converts it as YAML would."""


def decode(text: str) -> Any:
    """``json.loads`` keeping what the walk needs: objects as tuples of (key, value) pairs (in
    order, duplicates kept), numbers as their text.  Raises what ``json.loads`` raises."""
    return json.loads(text, object_pairs_hook=tuple, parse_int=_Number, parse_float=_Number, parse_constant=_Number)


# Characters the YAML reader rejects (controls, DEL, surrogates, BOM) or counts as a line break.
_NOT_YAML = lazy("[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_YAML_ASCII = bytes([9, 10, *range(0x20, 0x7F)])  # the ASCII characters YAML reads as themselves
# translate: each character of a word (a number, true, false, null, NaN, Infinity) to `w`
_WORD_CHARACTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+."
_WORDS_TO_W = bytes.maketrans(_WORD_CHARACTERS, b"w" * len(_WORD_CHARACTERS))
_BREAKS = bytes(int(byte == 10) for byte in range(256))  # translate: 1 for a line break, else 0
_TOKENS = bytes(int(byte != 10) for byte in range(256))  # and the other way round
_SURROGATE_ESCAPE = lazy(r"\\u[dD][89a-fA-F]")  # YAML fails on surrogate pairs
_KEY_FAR_FROM_COLON = lazy(rb'"[ \t]*\n[ \t\n]*:|"[ \t]{100,}:')  # YAML: then not a key
MAX_DEPTH = 100  # deeper documents take the reference path, which has its own limits
MAX_KEY = 150  # YAML drops a key 1,024 characters before its colon: 150 \uXXXX escapes + 99 spaces stay under


def _token_lines(text: str) -> list[int] | None:
    """The line of every token of valid JSON, in document order (a token: a string, number,
    literal, opening or closing bracket); ``None`` when a key is far from its colon.

    Done with string methods, much faster than a tokenising regular expression: without its
    escaped backslashes and quotes, JSON text splits at `"` into the parts outside strings and
    the strings' contents (neither holds a line break inside a string).  With each string shrunk
    to one `"` and each word to one `w`, every token is one byte of this skeleton."""
    if "\\" in text:
        text = text.replace("\\\\", "__").replace('\\"', "__")  # same length, same lines
    outside = '"'.join(text.split('"')[::2]).encode("ascii")  # JSON is ASCII outside strings
    compact = outside.translate(None, b" \t\r")
    # The search only where it may match: a line break before a colon, or a long blank run.
    if (b"\n:" in compact or b" " * 100 in outside.replace(b"\t", b" ")) and _KEY_FAR_FROM_COLON.search(outside):
        return None
    # Each word shrunk to one `w` (halving runs: a handful of passes for the longest number);
    # commas stay until then: they separate words.
    skeleton = compact.translate(_WORDS_TO_W, b":")
    while b"ww" in skeleton:
        skeleton = skeleton.replace(b"ww", b"w")
    skeleton = skeleton.translate(None, b",")
    # A token's line is one more than the line breaks before it: running sums of the breaks,
    # kept where the skeleton holds a token (all in C, no object per line).
    lines = accumulate(skeleton.translate(_BREAKS), initial=1)
    return list(compress(lines, skeleton.translate(_TOKENS) + b"\0"))


class _Unsure(Exception):
    pass


class _Unread:
    """An object or array left unbuilt (see :func:`_without_unread`): the number of its tokens,
    to skip their lines."""

    __slots__ = ("tokens",)

    def __init__(self, tokens: int):
        self.tokens = tokens


def _without_unread(decoded: Any, unread: Any) -> Any:
    """``decoded`` with what ``unread`` (a ``located_yaml.Unread``) says nothing reads as
    :class:`_Unread` markers, unless building it would be unsure (see ``located_yaml.load``)."""
    if type(decoded) is not tuple:
        return decoded
    members = list(decoded)
    read = unread.read_sections({key for key, _ in members})
    changed = False
    for position, (key, value) in enumerate(members):
        if key not in read:
            left = _unread(value, 1)
        elif key == "Resources":
            left = _without_unread_properties(value, unread.unread_properties)
        else:
            continue
        if left is not value:
            members[position] = (key, left)
            changed = True
    return tuple(members) if changed else decoded


def _without_unread_properties(resources: Any, unread: Callable[[str], bool]) -> Any:
    if type(resources) is not tuple:
        return resources
    entries = list(resources)
    changed = False
    for index, (logical_id, resource) in enumerate(entries):
        type_name = _member(resource, "Type")
        if type(type_name) is not str or not unread(type_name):
            continue
        fields = list(resource)
        for position, (key, value) in enumerate(fields):
            if key == "Properties":
                left = _unread(value, 3)  # (root, Resources, the resource)
                if left is not value:
                    fields[position] = (key, left)
                    entries[index] = (logical_id, tuple(fields))
                    changed = True
                break  # (a second `Properties` is a duplicate key: the builder is unsure)
    return tuple(entries) if changed else resources


def _unread(value: Any, depth: int) -> Any:
    """An :class:`_Unread` in place of an object or array at ``depth`` that builds surely; else
    ``value`` itself."""
    if type(value) is tuple or type(value) is list:
        tokens = _tokens(value, depth)
        if tokens is not None:
            return _Unread(tokens)
    return value


def _member(value: Any, name: str) -> Any:
    """The value of the first ``name`` member of a decoded object; None for anything else."""
    if type(value) is tuple:
        for key, item in value:
            if key == name:
                return item
    return None


def _tokens(value: Any, depth: int) -> int | None:
    """The number of tokens of a decoded value at ``depth``; None when building it would be
    unsure (a duplicate or long key, deep nesting)."""
    count = 0
    stack = [(value, depth)]
    while stack:  # bounded by the decoded document
        item, depth = stack.pop()
        kind = type(item)
        if kind is tuple:
            if depth > MAX_DEPTH:
                return None
            keys = set()
            for key, member in item:
                if len(key) > MAX_KEY:
                    return None
                keys.add(key)
                kind = type(member)
                if kind is tuple or kind is list:
                    stack.append((member, depth + 1))
                else:
                    count += 1
            if len(keys) != len(item):
                return None
            count += 2 + len(item)  # the braces and the keys
        elif kind is list:
            if depth > MAX_DEPTH:
                return None
            for member in item:
                kind = type(member)
                if kind is tuple or kind is list:
                    stack.append((member, depth + 1))
                else:
                    count += 1
            count += 2
        else:
            count += 1
    return count


def tree(text: str, path: str, decoded: Any, scalar: Callable[[str], Any], max_values: int, unread: Any = None) -> Node | None:
    """The Node tree of ``text``, whose :func:`decode` is ``decoded``, as ``load(text)`` builds
    it; ``None`` when the YAML reader might not (then the caller uses it).  ``scalar``: the value
    of a plain YAML scalar; ``unread`` as for ``load``."""
    if text.isascii():
        yaml_reads_all = not text.encode("ascii").translate(None, _YAML_ASCII)  # faster than a search
    else:
        yaml_reads_all = not _NOT_YAML.search(text)
    if not yaml_reads_all:
        return None
    if "\\u" in text and _SURROGATE_ESCAPE.search(text):
        return None
    line_of_tokens = _token_lines(text)
    if line_of_tokens is None:
        return None
    if len(line_of_tokens) > max_values:
        return None
    lines = iter(line_of_tokens)
    next_line = lines.__next__

    def build(value: Any, line: int, depth: int) -> Node:
        """``line``: the key's line for an object member (1-based), else 0."""
        start = next_line()
        kind = type(value)
        if kind is tuple:
            if depth > MAX_DEPTH:
                raise _Unsure
            members: dict[str, Node] = {}
            for key, item in value:
                key_line = next_line()
                if key in members or len(key) > MAX_KEY:
                    raise _Unsure  # the reference reports or rereads these
                if type(item) is str:  # the most common member, built here for speed
                    item_line = next_line()
                    members[key] = Node(item, path, key_line, item_line if item_line > key_line else key_line)
                else:
                    members[key] = build(item, key_line, depth + 1)
            value = members
            end = next_line()
        elif kind is list:
            if depth > MAX_DEPTH:
                raise _Unsure
            items = []
            for item in value:
                if type(item) is str:  # strings in lists (Fn::Join parts, actions) built here too
                    item_line = next_line()
                    items.append(Node(item, path, item_line, item_line))
                else:
                    items.append(build(item, 0, depth + 1))
            value = items
            end = next_line()
        elif kind is _Unread:
            if value.tokens > 2:
                next(islice(lines, value.tokens - 3, None))  # those between its first and last
            end = next_line()
            value = UNREAD
        else:
            if kind is _Number:
                value = scalar(value)
            end = start  # a JSON scalar is on one line
        line = line or start
        return Node(value, path, line, end if end > line else line)

    if unread is not None:
        decoded = _without_unread(decoded, unread)
    try:
        root = build(decoded, 0, 0)
    except _Unsure:
        return None
    finally:
        # `build` calls itself through its closure: a reference cycle that would keep the token
        # lines alive until the garbage collector's next pass.  Emptying the cell breaks it.
        del build
    if next(lines, None) is not None:  # pragma: no cover - the token pass and the decoder disagree
        return None
    return root
