"""The loaders leave unbuilt what nothing reads in a CloudFormation template (``unread``): the
top-level sections the parser skips and the ``Properties`` of resource types no rule reads.  The
rest of each tree is the full load's, node for node; what is left unbuilt keeps its lines; both
JSON readers agree; and every error a full load reports is still reported, at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from policylint.model import UNREAD
from policylint.parsers import json_fast, located_yaml
from policylint.parsers.cloudformation import _UNREAD, _properties_unread, _sections_read
from policylint.parsers.located_yaml import MAX_VALUES, LoadError, load, load_json, load_valid_json, plain_scalar

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")


def _outcome(loader, text: str, path: str, unread=None):
    try:
        return loader(text, path, unread)
    except LoadError as exc:
        return ("LoadError", exc.message, exc.line, exc.kind)


def _loader(path: Path):
    return load_json if path.suffix == ".json" or path.read_text(encoding="utf-8", errors="replace").lstrip().startswith("{") else load


def _unbuilt(full, partial, where: str = "", read=None) -> int:
    """How many values ``partial`` leaves unbuilt, asserting that everything else is ``full`` and
    that only top-level sections not ``read`` and resources' Properties are unbuilt."""
    if read is None:
        read = _sections_read(set(full.value) if isinstance(full.value, dict) else set())
    assert (partial.file, partial.line, partial.end_line, partial.text_line) == (full.file, full.line, full.end_line, full.text_line), where
    if partial.value is UNREAD:
        parts = where.split(".")
        assert (len(parts) == 4 and parts[1] == "Resources" and parts[3] == "Properties") or (len(parts) == 2 and parts[1] not in read), where
        assert isinstance(full.value, (dict, list)), where
        return 1
    if isinstance(full.value, dict):
        assert list(partial.value) == list(full.value), where
        return sum(_unbuilt(full.value[key], partial.value[key], f"{where}.{key}", read) for key in full.value)
    if isinstance(full.value, list):
        assert len(partial.value) == len(full.value), where
        return sum(_unbuilt(f, p, f"{where}[{i}]", read) for i, (f, p) in enumerate(zip(full.value, partial.value)))
    assert repr(partial.value) == repr(full.value), where
    return 0


def _only_unread_types(tree) -> None:
    resources = tree.get("Resources") if isinstance(tree.value, dict) else None
    for resource in (resources.value.values() if resources is not None and isinstance(resources.value, dict) else ()):
        properties = resource.get("Properties") if isinstance(resource.value, dict) else None
        if properties is not None and properties.value is UNREAD:
            assert _properties_unread(resource.get("Type").value)


def _templates(root: Path) -> list[Path]:
    return [p for p in sorted(root.rglob("*")) if p.is_file() and p.suffix in TEMPLATE_SUFFIXES and p.stat().st_size < 5_000_000]


def _assert_unbuilt_only(paths: list[Path]) -> int:
    unbuilt = 0
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        loader = _loader(path)
        full = _outcome(loader, text, str(path))
        partial = _outcome(loader, text, str(path), _UNREAD)
        if isinstance(full, tuple):
            assert partial == full, path
            continue
        unbuilt += _unbuilt(full, partial)
        _only_unread_types(partial)
    return unbuilt


def test_fixtures_lose_nothing_but_unread_properties():
    assert _assert_unbuilt_only(_templates(ROOT / "fixtures")) > 0


def test_corpus_templates_lose_nothing_but_unread_properties():
    if not (CORPUS / "cloudformation").is_dir():
        pytest.skip("../shared/corpus is not beside this checkout")
    assert _assert_unbuilt_only(_templates(CORPUS / "cloudformation")) > 500


def test_both_json_readers_leave_the_same_properties_unbuilt():
    roots = [ROOT / "fixtures"] + ([CORPUS / "cloudformation"] if (CORPUS / "cloudformation").is_dir() else [])
    compared = 0
    for path in (p for root in roots for p in _templates(root)):
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            decoded = json_fast.decode(text)
        except (ValueError, RecursionError):
            continue
        fast = json_fast.tree(text, str(path), decoded, plain_scalar, MAX_VALUES, _UNREAD)
        if fast is None:
            continue
        compared += 1
        assert repr(fast) == repr(_outcome(load_valid_json, text, str(path), _UNREAD)), path
    assert compared > 10


VPC = "Resources:\n  Network:\n    Type: AWS::EC2::VPC\n    Properties:\n{body}\n  Logs:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: logs\n"


def _both(text: str):
    return _outcome(load, text, "t.yaml"), _outcome(load, text, "t.yaml", _UNREAD)


def test_unread_properties_keep_their_lines_and_read_ones_are_built():
    full, partial = _both(VPC.format(body="      CidrBlock: 10.0.0.0/16\n      Tags:\n        - Key: a\n          Value: b"))
    properties, built = partial.get("Resources", "Network", "Properties"), full.get("Resources", "Network", "Properties")
    assert properties.value is UNREAD and properties.line == 4 and properties.end_line == built.end_line
    assert partial.get("Resources", "Logs", "Properties") == full.get("Resources", "Logs", "Properties")
    assert _unbuilt(full, partial) == 1


@pytest.mark.parametrize(
    "body, message",
    [
        ("      CidrBlock: a\n      CidrBlock: b", "duplicate key `CidrBlock` (first on line 5)"),
        ("      Tags:\n        - {Key: a, Key: b}", "duplicate key `Key`"),
        ("      base: &base {A: 1}\n      copy:\n        <<: *base", "merge keys"),
        ("      ? [a, b]\n      : c", "a mapping key must be a plain value"),
        ("      A: *nowhere", "undefined alias"),
    ],
)
def test_errors_inside_unread_properties_are_still_reported(body, message):
    full, partial = _both(VPC.format(body=body))
    assert isinstance(full, tuple) and message in full[1]
    assert partial == full


def test_json_properties_the_fast_reader_cannot_vouch_for_read_as_in_a_full_load():
    # (a duplicate key: the fast reader leaves it to the reference, whose last resort keeps the last)
    text = '{"Resources": {"Network": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "a",\n "CidrBlock": "b"}}}}'
    full, partial = _outcome(load_json, text, "t.json"), _outcome(load_json, text, "t.json", _UNREAD)
    assert repr(partial) == repr(full) and full.get("Resources", "Network", "Properties", "CidrBlock").value == "b"


def test_too_many_values_inside_unread_properties_is_still_reported(monkeypatch):
    monkeypatch.setattr(located_yaml, "MAX_VALUES", 20)
    body = "\n".join(f"      K{i}: v" for i in range(30))
    full, partial = _both(VPC.format(body=body))
    assert isinstance(full, tuple) and "more than 20 values" in full[1]
    assert partial[:2] == full[:2]


def test_deep_unread_properties_are_built_as_the_builder_decides():
    deep = "      A: " + "[" * 150 + "]" * 150
    full, partial = _both(VPC.format(body=deep))
    assert partial.get("Resources", "Network", "Properties").value is not UNREAD
    assert repr(partial) == repr(full)


def test_an_alias_of_unread_properties_elsewhere_is_built():
    text = VPC.format(body="      &props\n      CidrBlock: 10.0.0.0/16") + "Outputs:\n  Copy:\n    Value: *props\n"
    full, partial = _both(text)
    assert partial.get("Resources", "Network", "Properties").value is UNREAD
    assert partial.get("Outputs", "Copy", "Value") == full.get("Outputs", "Copy", "Value")


def test_tagged_properties_are_built():
    text = VPC.format(body="      !If [Cond, {A: 1}, {A: 2}]").replace("Properties:\n      !If", "Properties: !If")
    full, partial = _both(text)
    assert repr(partial) == repr(full)


def test_sections_the_parser_skips_are_left_unbuilt():
    text = "Metadata:\n  Interface: {Groups: [a, b]}\nDescription: d\n" + VPC.format(body="      A: 1")
    full, partial = _both(text)
    assert partial.get("Metadata").value is UNREAD and partial.get("Description").value == "d"
    assert partial.get("Resources", "Logs") == full.get("Resources", "Logs")
    assert _unbuilt(full, partial) == 2


def test_without_resources_no_section_is_read():
    text = '{"ResourceTypes": {"AWS::X::Y": {"Attributes": {}}},\n "PropertyTypes": [1, 2]}'
    full, partial = _outcome(load_json, text, "t.json"), _outcome(load_json, text, "t.json", _UNREAD)
    assert partial.get("ResourceTypes").value is UNREAD and partial.get("PropertyTypes").value is UNREAD
    assert _unbuilt(full, partial) == 2
    assert repr(partial) == repr(_outcome(load_valid_json, text, "t.json", _UNREAD))
