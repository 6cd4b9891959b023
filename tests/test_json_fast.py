"""The fast JSON path (``json_fast``) builds exactly the trees of the YAML path (the reference):
same values and types, lines, end lines; and leaves every case it cannot vouch for to it.

Trees are compared by ``repr``, which tells ``1`` from ``1.0`` and ``True`` (``==`` would not).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from policylint.parsers import json_fast
from policylint.parsers.located_yaml import MAX_VALUES, LoadError, load_json, load_valid_json, plain_scalar

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


def _fast(text: str):
    return json_fast.tree(text, "t.json", json_fast.decode(text), plain_scalar, MAX_VALUES)


def _outcome(load, text: str, path: str = "t.json") -> str:
    try:
        return repr(load(text, path))
    except LoadError as exc:
        return f"LoadError({exc.message!r}, {exc.line}, {exc.kind})"
    except ValueError as exc:  # the reference's last resort reads no NaN/Infinity (json.loads does)
        return f"ValueError({exc})"


def _json_files(root: Path) -> list[tuple[Path, str]]:
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix in (".tf", ".py", ".md", ".hcl") or path.stat().st_size > 5_000_000:
            continue
        try:
            text = path.read_text(encoding="utf-8")
            json_fast.decode(text)
        except (UnicodeDecodeError, ValueError, RecursionError):
            continue
        found.append((path, text))
    return found


def _assert_same_trees(files: list[tuple[Path, str]]) -> int:
    fast_ones = 0
    for path, text in files:
        fast = json_fast.tree(text, str(path), json_fast.decode(text), plain_scalar, MAX_VALUES)
        if fast is None:
            continue
        fast_ones += 1
        assert repr(fast) == _outcome(load_valid_json, text, str(path)), path
    return fast_ones


def test_every_json_fixture_gives_the_reference_tree():
    files = _json_files(ROOT / "fixtures")
    assert len(files) > 50
    assert _assert_same_trees(files) > 0.9 * len(files)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_every_json_file_of_the_corpus_gives_the_reference_tree():
    files = _json_files(CORPUS)
    assert len(files) > 100
    assert _assert_same_trees(files) > 0.9 * len(files)


TEMPLATE = """{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Bucket": {
      "Type": "AWS::S3::Bucket",
      "Properties": {"BucketName": "b", "Tags": [
        {"Key": "k", "Value": "v"}, "x",
        [], {}
      ]}
    }
  }
}
"""

# Numbers are YAML plain scalars to the reference: `1e5` and `1.0e5` stay text, `1.0e+5` is a float.
SAME_AS_REFERENCE = {
    "template": TEMPLATE,
    "numbers": '{"a": [1, -0, 1.5, -2.50, 1e5, 1E+5, 1.0e5, 1.0e+5, 1.0E-5, 0.0, 10]}',
    "huge numbers": '{"i": ' + "9" * 5000 + ', "f": 1' + "0" * 400 + ".5}",
    "constants": '{"a": NaN, "b": Infinity, "c": -Infinity, "d": [true, false, null]}',
    "escapes": r'{"a\n\"b": "\u00e9\t\\ \" \b\f\r\u0000 \u2028"}',
    "value on the next line": '{"a":\n\n  "b", "c":\n[\n1\n]\n}',
    "minified": '{"a":{"b":[1,2,{"c":"d"}],"e":"f"},"g":[]}',
    "scalar root": '"text"',
    "list root": '[\n  1,\n  "two"\n]',
    "tabs": '{\n\t"a":\t"b"\n}',
    "non-ASCII": '{"Description": "Café – 日本 😀"}',
    "long key": json.dumps({"k" * 2000: 1}),
    "long escaped key": json.dumps({"é" * 300: 1}),
    "key far from its colon": '{"a"' + " " * 1100 + ': 1}',
    "colon on the next line": '{"a"\n: 1}',
    "duplicate keys": '{\n"a": 1,\n"b": {"c": 1, "c": 2},\n"a": 3\n}',
    "surrogate pair": r'{"a": "\ud83d\ude00"}',
    "escaped slash": r'{"a": "x\/y"}',
    "DEL character": '{"a": "x\x7fy"}',
    "next-line character": '{"a": "x\x85y",\n"b": 1}',
    "line separator": '{"a": "x\u2028y",\n"b": 1}',
    "carriage returns": '{\r\n"a": 1,\r"b": 2\r\n}',
    "byte order mark in a string": '{"a": "\ufeff"}',
    "deep nesting": '{"a": ' * 150 + "1" + "}" * 150,
    "deep lists": "[" * 120 + "]" * 120,
}


@pytest.mark.parametrize("text", SAME_AS_REFERENCE.values(), ids=SAME_AS_REFERENCE.keys())
def test_load_json_gives_the_reference_tree(text):
    assert _outcome(load_json, text) == _outcome(load_valid_json, text)


@pytest.mark.parametrize("name", ["template", "numbers", "huge numbers", "constants", "escapes", "value on the next line", "minified",
                                  "scalar root", "list root", "tabs", "non-ASCII", "escaped slash"])
def test_ordinary_json_takes_the_fast_path(name):
    assert _fast(SAME_AS_REFERENCE[name]) is not None


@pytest.mark.parametrize("name", ["long key", "long escaped key", "key far from its colon", "colon on the next line", "duplicate keys",
                                  "surrogate pair", "DEL character", "next-line character", "line separator", "carriage returns",
                                  "byte order mark in a string", "deep nesting", "deep lists"])
def test_what_yaml_may_read_differently_takes_the_reference_path(name):
    assert _fast(SAME_AS_REFERENCE[name]) is None


def test_lines_are_those_of_the_keys_and_closing_brackets():
    root = load_json(TEMPLATE, "t.json")
    properties = root.get("Resources", "Bucket", "Properties")
    assert (properties.line, properties.end_line) == (6, 9)
    tags = properties.get("Tags")
    assert (tags.line, tags.end_line) == (6, 9)
    assert [(item.line, item.end_line) for item in tags.value] == [(7, 7), (7, 7), (8, 8), (8, 8)]
    assert load_json('{"a": [1, 1.5, 1e5]}', "t.json").plain() == {"a": [1, 1.5, "1e5"]}


def test_random_json_gives_the_reference_tree():
    """Seeded random documents: odd spacing and line breaks, YAML-looking strings, numbers."""
    rnd = random.Random(9)
    strings = ["a", "", "!Ref x", "a b", "é", "x\\y", 'q"q', "\\", "true", "null", "~", "2012-10-17", "yes", "0x1F", "<<", "- a", "# c",
               "a: b", "{", "[]", "k" * 160, "\u00a0", "😀"]
    numbers = ["0", "-0", "12", "1.5", "-1.5e+3", "1e5", "1.0e5", "3.25E-2", "99999999999999999999", "NaN", "-Infinity"]
    spaces = [" ", "\n", "\t", "", "\n  "]

    def space() -> str:
        return "".join(rnd.choice(spaces) for _ in range(rnd.randint(0, 2)))

    def value(depth: int) -> str:
        pick = rnd.random()
        if depth > 4 or pick < 0.4:
            return rnd.choice([json.dumps(rnd.choice(strings), ensure_ascii=rnd.random() < 0.5), rnd.choice(numbers), "true", "null"])
        if pick < 0.7:
            members = [json.dumps(rnd.choice(strings)) + space() + ":" + space() + value(depth + 1) for _ in range(rnd.randint(0, 4))]
            return "{" + space() + ("," + space()).join(members) + space() + "}"
        return "[" + space() + ("," + space()).join(value(depth + 1) for _ in range(rnd.randint(0, 4))) + space() + "]"

    fast = 0
    for _ in range(600):
        text = space() + value(0) + space()
        fast += _fast(text) is not None
        assert _outcome(load_json, text) == _outcome(load_valid_json, text), text
    assert fast > 300


def test_a_duplicate_key_beside_nan_is_a_syntax_error_with_its_line(tmp_path):
    """YAML rejects the duplicate, the pure-Python reader the NaN: the duplicate is reported, at
    its line, not an internal error."""
    from policylint.engine import lint_paths

    (tmp_path / "t.json").write_text('{\n  "Resources": {},\n  "x": NaN,\n  "Resources": {}\n}\n')
    report = lint_paths([str(tmp_path)])
    assert [(e.line, e.kind) for e in report.errors] == [(4, "syntax")], report.errors
    assert "Resources" in report.errors[0].message
