"""``located_yaml``: the C composer builds the loader's own node classes, swapped in only for the
call, and a PyYAML the swap does not reach (the pure-Python composer) gives the same trees."""

from __future__ import annotations

from pathlib import Path

import pytest

from policylint.parsers import located_yaml
from policylint.parsers.located_yaml import LoadError, load
from policylint.parsers.pyyaml import yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
C_COMPOSER = located_yaml._C_COMPOSER is not None
needs_libyaml = pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML without libyaml")


def _outcome(text: str, path: str = "t.yaml") -> str:
    try:
        return repr(load(text, path))
    except LoadError as exc:
        return f"LoadError({exc.message!r}, {exc.line}, {exc.kind})"


def _yaml_files(root: Path) -> list[tuple[Path, str]]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".yaml", ".yml", ".template") and path.stat().st_size < 2_000_000:
            try:
                found.append((path, path.read_text(encoding="utf-8")))
            except UnicodeDecodeError:
                continue
    return found


def _assert_both_composers_agree(files: list[tuple[Path, str]], monkeypatch) -> None:
    fast = [_outcome(text, str(path)) for path, text in files]
    monkeypatch.setattr(located_yaml, "_C_COMPOSER", None)
    for (path, text), expected in zip(files, fast):
        assert _outcome(text, str(path)) == expected, path


@needs_libyaml
def test_the_c_composer_builds_the_loaders_nodes():
    assert C_COMPOSER  # else every YAML template pays for PyYAML's Python node classes
    root = located_yaml._compose_fast("a: [b, 1]\nc: {d: e}\n", located_yaml._C_COMPOSER)
    assert root.__class__ is located_yaml._Mapping
    (key, sequence), (_, mapping) = root.value
    assert key.__class__ is located_yaml._Scalar and key.value == "a" and key.start_mark.line == 0
    assert sequence.__class__ is located_yaml._Sequence and mapping.__class__ is located_yaml._Mapping
    assert [item.tag for item in sequence.value] == ["tag:yaml.org,2002:str", "tag:yaml.org,2002:int"]
    assert root.end_mark.line == 2


@needs_libyaml
def test_the_loaders_nodes_are_pyyamls_too():
    """Another PyYAML user composing while they are swapped in gets nodes its constructor reads."""
    text = "a: [1, 2.5, true, null]\nb: {c: d}\n"
    root = located_yaml._compose_fast(text, located_yaml._C_COMPOSER)
    assert isinstance(root, yaml.MappingNode) and isinstance(root.value[0][0], yaml.ScalarNode)
    assert yaml.constructor.SafeConstructor().construct_document(root) == yaml.safe_load(text)


def test_threads_loading_at_once_get_their_own_trees():
    """The swap is one call at a time (without the lock, this fails)."""
    import sys
    import threading

    texts = [f"Resources:\n  B{i}:\n    Type: AWS::S3::Bucket\n    Properties: {{BucketName: b{i}, Tags: [{{Key: k, Value: {i}}}]}}\n" for i in range(8)]
    expected = [_outcome(text) for text in texts]
    results: dict[int, list[str]] = {}

    def work(worker: int) -> None:
        results[worker] = [_outcome(text) for text in texts * 25]

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: inside the composer too
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert all(results[w] == expected * 25 for w in range(4))


@needs_libyaml
@pytest.mark.parametrize("text", ["a: 1\n", "a: [1\n", "a: 1\n---\nb: 2\n", "a: &x 1\nb: &x 2\n", "a: *missing\n"])
def test_the_swap_is_undone_whatever_happens(text):
    _outcome(text)
    assert yaml._yaml.ScalarNode is yaml.nodes.ScalarNode
    assert yaml._yaml.SequenceNode is yaml.nodes.SequenceNode
    assert yaml._yaml.MappingNode is yaml.nodes.MappingNode
    assert isinstance(yaml.compose("a: [1]", Loader=yaml.CSafeLoader), yaml.nodes.MappingNode)  # others get PyYAML's nodes


def test_pyyamls_own_errors_still_read_the_nodes():
    """The composer reads a node's ``start_mark`` when it meets a second document or a reused anchor."""
    assert _outcome("a: 1\n---\nb: 2\n") == "LoadError('but found another document', 2, syntax)"
    assert _outcome("a: &x 1\nb: &x 2\n") == (
        "LoadError('duplicate anchor: an anchor (`&name`) of this name is already defined on line 1; give each anchor its own name', 2, syntax)"
    )
    assert _outcome("a: 1\nb: *missing\n") == "LoadError('undefined alias: no anchor (`&name`) before this alias (`*name`) defines its name', 2, syntax)"


def test_the_converted_tree_is_the_same(monkeypatch):
    texts = [
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub '${AWS::StackName}-x'\n",
        "a: &anchor [1, 2.5, true, null, 2012-10-17]\nb: *anchor\nc: |\n  block\n  text\n",
        "k: !GetAtt A.Arn\nl: !If [c, 1, 2]\n",
        "dup: 1\ndup: 2\n",
        "<<: {a: 1}\n",
        "? [a]\n: 1\n",
        "",
    ]
    files = [(Path(f"t{i}.yaml"), text) for i, text in enumerate(texts)]
    _assert_both_composers_agree(files, monkeypatch)


def test_every_yaml_fixture_gives_the_same_tree_from_both_composers(monkeypatch):
    files = _yaml_files(ROOT / "fixtures")
    assert len(files) > 50
    _assert_both_composers_agree(files, monkeypatch)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_every_yaml_file_of_the_corpus_gives_the_same_tree_from_both_composers(monkeypatch):
    files = _yaml_files(CORPUS)
    assert len(files) > 100
    _assert_both_composers_agree(files, monkeypatch)


def test_pyyaml_without_libyaml_gives_the_same_trees(monkeypatch):
    """Without libyaml, PyYAML's pure-Python composer makes its own nodes: converted, they give
    the same trees (errors may be worded differently by the other parser: only their lines and
    kinds are compared)."""
    overrides = {name: located_yaml._TemplateLoader.__dict__[name] for name in ("resolve", "descend_resolver", "ascend_resolver")}
    pure_loader = type("_PureTemplateLoader", (yaml.SafeLoader,), overrides)
    files = _yaml_files(ROOT / "fixtures")
    assert len(files) > 50

    def outcomes() -> list[str]:
        found = []
        for path, text in files:
            try:
                found.append(repr(load(text, str(path))))
            except LoadError as exc:
                found.append(f"LoadError({exc.line}, {exc.kind})")
        return found

    expected = outcomes()
    monkeypatch.setattr(located_yaml, "_TemplateLoader", pure_loader)
    monkeypatch.setattr(located_yaml, "_C_COMPOSER", None)
    assert outcomes() == expected
