"""The content-hash cache of parsed units: reuse, invalidation, robustness, identical findings."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from policylint import cache as cache_module
from policylint import engine, parsers
from policylint.commands import cli
from policylint.model import Document

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus"

TEMPLATE = """\
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: logs
      AccessControl: PublicRead
"""
MODULE = """\
resource "aws_s3_bucket" "b" {
  bucket = "data"
}
resource "aws_s3_bucket_acl" "b" {
  bucket = aws_s3_bucket.b.id
  acl    = "public-read"
}
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "cfn").mkdir()
    (tmp_path / "cfn" / "a.yaml").write_text(TEMPLATE)
    (tmp_path / "cfn" / "b.yaml").write_text(TEMPLATE.replace("logs", "other"))
    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "main.tf").write_text(MODULE)
    (tmp_path / "tf" / "more.tf").write_text('variable "x" {\n  default = "y"\n}\n')
    return tmp_path


@pytest.fixture
def parsed(monkeypatch):
    """The paths of the units actually parsed (not read back from the cache)."""
    seen: list[str] = []
    real = parsers.parse

    def counting(unit):
        seen.append(unit.path)
        return real(unit)

    monkeypatch.setattr(parsers, "parse", counting)
    return seen


@pytest.fixture
def checked(monkeypatch):
    """How many times the rules ran (a whole scan read back from the cache runs none)."""
    calls: list[int] = []
    real = engine.check

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "check", counting)
    return calls


def pack_of(cache_dir) -> Path:
    """The one pack in ``cache_dir``."""
    [pack] = Path(cache_dir).glob("*" + cache_module._SUFFIX)
    return pack


def read_pack(pack: Path) -> list[tuple[str, bytes]]:
    """(key, pickle) of each entry of a pack, in its order."""
    with open(pack, "rb") as handle:
        index = cache_module._read_index(handle)
    data = pack.read_bytes()
    return [(key, data[offset : offset + size]) for key, (offset, size) in index.items()]


def write_pack(pack: Path, entries: list[tuple[str, bytes]]) -> None:
    """A pack of these entries, as the cache writes one (for tests that damage one)."""
    header = cache_module._MAGIC + f"{cache_module.FORMAT} {len(entries)}\n".encode()
    header += b"".join(f"{key} {len(data)}\n".encode() for key, data in entries)
    pack.write_bytes(header + b"".join(data for _, data in entries))


def kinds(pack: Path) -> dict[str, str]:
    """key -> "unit" or "scan" for each entry of a pack."""
    import io

    out = {}
    for key, data in read_pack(pack):
        value = cache_module._ModelUnpickler(io.BytesIO(data)).load()
        out[key] = "scan" if isinstance(value, cache_module.ScanResult) else "unit"
    return out


def run(paths, cache_dir, **options):
    return engine.lint([str(p) for p in paths], engine.Options(cache=True, cache_dir=str(cache_dir), **options))


def as_json(report):
    return json.dumps(
        {
            "findings": [(f.rule_id, f.file, f.line, f.message, f.severity) for f in report.findings],
            "errors": [(e.file, e.line, e.message, e.kind) for e in report.errors],
        },
        sort_keys=True,
    )


def test_unchanged_rescan_reuses_every_unit(project, tmp_path, parsed):
    cold = run([project], tmp_path / "c")
    assert sorted(parsed) == sorted([str(project / "cfn" / "a.yaml"), str(project / "cfn" / "b.yaml"), str(project / "tf")])
    assert cold.findings
    parsed.clear()
    warm = run([project], tmp_path / "c")
    assert parsed == []
    assert as_json(warm) == as_json(cold)


def test_hits_are_counted(project, tmp_path):
    texts, _, _ = engine.read([str(project / "cfn" / "a.yaml"), str(project / "tf" / "main.tf")])
    units = parsers.units(texts)
    first = cache_module.Cache(str(tmp_path / "c"))
    first.parse_all(units, lambda todo: [parsers.parse(u) for u in todo])
    assert (first.hits, first.misses, first.written) == (0, 2, 2)
    first.save()
    second = cache_module.Cache(str(tmp_path / "c"))
    second.parse_all(units, lambda todo: [parsers.parse(u) for u in todo])
    assert (second.hits, second.misses, second.written) == (2, 0, 0)


def test_editing_one_file_reparses_only_its_unit(project, tmp_path, parsed):
    run([project], tmp_path / "c")
    parsed.clear()
    (project / "tf" / "more.tf").write_text('variable "x" {\n  default = "z"\n}\n')
    run([project], tmp_path / "c")
    assert parsed == [str(project / "tf")]
    parsed.clear()
    (project / "cfn" / "b.yaml").write_text(TEMPLATE.replace("PublicRead", "Private"))
    report = run([project], tmp_path / "c")
    assert parsed == [str(project / "cfn" / "b.yaml")]
    assert as_json(report) == as_json(engine.lint([str(project)]))


def test_file_read_by_terraform_is_part_of_the_key(tmp_path, parsed):
    module = tmp_path / "m"
    module.mkdir()
    (module / "main.tf").write_text(
        'resource "aws_s3_bucket_policy" "p" {\n  bucket = "data"\n  policy = file("${path.module}/policy.json")\n}\n'
    )
    (module / "policy.json").write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}')
    first = run([module / "main.tf"], tmp_path / "c")
    (module / "policy.json").write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}')
    parsed.clear()
    second = run([module / "main.tf"], tmp_path / "c")
    assert parsed == [str(module)]
    assert as_json(first) != as_json(second)
    assert as_json(second) == as_json(engine.lint([str(module / "main.tf")]))


def test_a_computed_file_path_keys_on_every_file_of_the_module(tmp_path, parsed):
    module = tmp_path / "m"
    (module / "policies").mkdir(parents=True)
    (module / "main.tf").write_text(
        'variable "name" {\n  default = "read"\n}\n'
        'resource "aws_s3_bucket_policy" "p" {\n  bucket = "data"\n  policy = file("${path.module}/policies/${var.name}.json")\n}\n'
    )
    policy = module / "policies" / "read.json"
    policy.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}')
    first = run([module / "main.tf"], tmp_path / "c")
    run([module / "main.tf"], tmp_path / "c")
    assert parsed == [str(module)]  # the second run read it back
    policy.write_text(policy.read_text().replace("Allow", "Deny") + " ")
    parsed.clear()
    second = run([module / "main.tf"], tmp_path / "c")
    assert parsed == [str(module)]
    assert as_json(first) != as_json(second)
    assert as_json(second) == as_json(engine.lint([str(module / "main.tf")]))


def test_file_function_names_in_text_do_not_matter(tmp_path, parsed):
    module = tmp_path / "m"
    module.mkdir()
    (module / "main.tf").write_text('variable "x" {\n  description = "a Fargate profile(s), see filemd5(\\"path\\")"\n}\n')
    run([module], tmp_path / "c")
    run([module], tmp_path / "c")
    assert parsed == [str(module)]


@pytest.mark.parametrize("kind", ["unit", "scan"])
@pytest.mark.parametrize("damage", ["truncate", "garbage", "foreign", "not a document", "empty"])
def test_a_damaged_entry_is_a_miss_and_is_replaced(project, tmp_path, parsed, checked, damage, kind):
    import pickle

    target = project / "cfn" / "a.yaml"
    cold = run([target], tmp_path / "c")
    pack = pack_of(tmp_path / "c")
    assert sorted(kinds(pack).values()) == ["scan", "unit"]
    # Damaged, the entry is the pack's last (a truncated file cuts it); the scan's result is
    # dropped when the unit is the one damaged, else it is read back and the unit never looked at.
    entries = [(key, data) for key, data in read_pack(pack) if kinds(pack)[key] == kind]
    [(key, data)] = entries
    if kind == "scan":
        entries = [e for e in read_pack(pack) if e[0] != key] + entries
    if damage == "truncate":
        write_pack(pack, entries)
        pack.write_bytes(pack.read_bytes()[: -(len(data) // 2)])
    elif damage == "garbage":
        write_pack(pack, entries[:-1] + [(key, os.urandom(len(data)))])
    elif damage == "foreign":
        write_pack(pack, entries[:-1] + [("f" * 40, data)])  # under another key: never this one's
    elif damage == "not a document":
        write_pack(pack, entries[:-1] + [(key, pickle.dumps({"resources": []}))])
    else:
        write_pack(pack, entries[:-1] + [(key, b"")])
    parsed.clear()
    checked.clear()
    warm = run([target], tmp_path / "c")
    assert parsed == ([str(target)] if kind == "unit" else [])
    assert checked == [1]
    assert as_json(warm) == as_json(cold)
    parsed.clear()
    checked.clear()
    again = run([target], tmp_path / "c")
    assert parsed == [] and checked == []  # replaced by a good entry
    assert as_json(again) == as_json(cold)


@pytest.mark.parametrize("header", [b"", b"garbage\n", cache_module._MAGIC, cache_module._MAGIC + b"1 1\n", cache_module._MAGIC + b"2 99\nab", cache_module._MAGIC + b"2 1\nab -5\n"])
def test_a_damaged_pack_is_empty_and_is_replaced(project, tmp_path, parsed, checked, header):
    target = project / "cfn" / "a.yaml"
    cold = run([target], tmp_path / "c")
    pack = pack_of(tmp_path / "c")
    pack.write_bytes(header)
    parsed.clear()
    warm = run([target], tmp_path / "c")
    assert parsed == [str(target)] and as_json(warm) == as_json(cold)
    parsed.clear()
    checked.clear()
    run([target], tmp_path / "c")
    assert parsed == [] and checked == []


def test_a_scan_writes_one_pack_holding_what_it_used(project, tmp_path, parsed):
    run([project], tmp_path / "c")
    pack = pack_of(tmp_path / "c")
    assert sorted(kinds(pack).values()) == ["scan", "unit", "unit", "unit"]
    (project / "cfn" / "b.yaml").write_text(TEMPLATE.replace("logs", "edited"))
    parsed.clear()
    run([project], tmp_path / "c")
    assert parsed == [str(project / "cfn" / "b.yaml")]
    # The edited unit's old entry and the old scan's result are gone: the pack follows the tree.
    assert pack_of(tmp_path / "c") == pack and sorted(kinds(pack).values()) == ["scan", "unit", "unit", "unit"]
    (project / "cfn" / "b.yaml").unlink()
    run([project], tmp_path / "c")
    assert sorted(kinds(pack).values()) == ["scan", "unit", "unit"]


def test_other_paths_have_their_own_pack(project, tmp_path, parsed):
    """A pack is named after the scanned paths: a scan of a sub-tree parses its units once, and
    then each scan reads its own pack."""
    run([project], tmp_path / "c")
    parsed.clear()
    run([project / "cfn"], tmp_path / "c")
    assert sorted(parsed) == [str(project / "cfn" / "a.yaml"), str(project / "cfn" / "b.yaml")]
    parsed.clear()
    run([project], tmp_path / "c")
    run([project / "cfn"], tmp_path / "c")
    assert parsed == [] and len(list((tmp_path / "c").glob("*" + cache_module._SUFFIX))) == 2


def test_an_unwritable_cache_directory_only_costs_the_cache(project, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    report = run([project], blocker / "c")
    assert as_json(report) == as_json(engine.lint([str(project)]))


def test_pruning_removes_least_recently_used_packs_first(tmp_path):
    packs = []
    for i in range(10):
        store = cache_module.Cache(str(tmp_path / "c"), scope=[f"tree{i}"])
        store.put("a" * 40, Document("cloudformation", exports={"x": "y" * 1500}))
        store.save()
        packs.append(Path(store.pack_path()))
        os.utime(packs[-1], (1000 + i, 1000 + i))
    os.utime(packs[0], (5000, 5000))  # read recently
    assert cache_module.Cache(str(tmp_path / "c"), max_bytes=10_000).prune() > 0
    left = [pack.exists() for pack in packs]
    total = sum(p.stat().st_size for p in (tmp_path / "c").glob("*" + cache_module._SUFFIX))
    assert total <= 8_000
    assert left[0] and not left[1] and left[9]


def test_pruning_bounds_the_number_of_packs(tmp_path):
    packs = []
    for i in range(12):
        store = cache_module.Cache(str(tmp_path / "c"), scope=[f"tree{i}"])
        store.put("a" * 40, Document("cloudformation"))
        store.save()
        packs.append(Path(store.pack_path()))
        os.utime(packs[-1], (1000 + i, 1000 + i))
    assert cache_module.Cache(str(tmp_path / "c"), max_packs=10).prune() == 4
    assert [pack.exists() for pack in packs] == [False] * 4 + [True] * 8


def test_reading_a_pack_marks_it_recently_used(project, tmp_path):
    run([project], tmp_path / "c")
    pack = pack_of(tmp_path / "c")
    os.utime(pack, (1000, 1000))
    run([project], tmp_path / "c")
    assert pack.stat().st_mtime > 1000


def test_entries_from_before_packs_are_removed_and_nothing_else(project, tmp_path):
    old = tmp_path / "c" / "ab"
    old.mkdir(parents=True)
    (old / ("ab" + "0" * 38 + ".pickle")).write_bytes(b"policylint-cache\n1 ...")
    others = [tmp_path / "c" / "cd" / "data.pickle", tmp_path / "c" / "notes.pack", tmp_path / "c" / ("f" * 40 + ".pickle")]
    for other in others:
        other.parent.mkdir(parents=True, exist_ok=True)
        other.write_text("not ours")
    store = cache_module.Cache(str(tmp_path / "c"), scope=[str(project)], max_bytes=1)
    store.put("a" * 40, Document("cloudformation"))
    store.save()  # over its bound: every pack of ours goes
    assert not old.exists() and not Path(store.pack_path()).exists()
    assert all(other.read_text() == "not ours" for other in others)


def test_the_cache_directory_ignores_itself_in_git(project, tmp_path):
    run([project], tmp_path / "c")
    assert (tmp_path / "c" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_project_root_is_the_nearest_marked_directory(tmp_path):
    (tmp_path / "repo" / "a" / "b").mkdir(parents=True)
    (tmp_path / "repo" / ".git").mkdir()
    assert cache_module.project_root(str(tmp_path / "repo" / "a" / "b")) == str(tmp_path / "repo")
    (tmp_path / "repo" / "a" / "pyproject.toml").write_text("")
    assert cache_module.project_root(str(tmp_path / "repo" / "a" / "b")) == str(tmp_path / "repo" / "a")


def test_the_key_changes_with_path_text_and_format(tmp_path):
    store = cache_module.Cache(str(tmp_path))
    unit = parsers.Unit("cloudformation", "a.yaml", (("a.yaml", TEMPLATE),))
    keys = {
        store.key(unit),
        store.key(parsers.Unit("cloudformation", "b.yaml", (("b.yaml", TEMPLATE),))),
        store.key(parsers.Unit("cloudformation", "a.yaml", (("a.yaml", TEMPLATE + " "),))),
        store.key(parsers.Unit("policy", "a.yaml", (("a.yaml", TEMPLATE),))),
    }
    assert len(keys) == 4
    assert store.key(unit) == cache_module.Cache(str(tmp_path)).key(unit)


def test_library_default_is_no_cache(project, tmp_path, monkeypatch):
    monkeypatch.chdir(project)
    engine.lint_paths([str(project)])
    assert not (project / cache_module.DIRECTORY_NAME).exists()


def test_cli_caches_at_the_project_root_and_no_cache_bypasses(project, monkeypatch, parsed):
    monkeypatch.delenv("POLICYLINT_CACHE_DIR", raising=False)
    (project / ".git").mkdir()
    monkeypatch.chdir(project / "cfn")
    runner = CliRunner()
    first = runner.invoke(cli, ["scan", "--no-config", "-q", "a.yaml"])
    assert (project / cache_module.DIRECTORY_NAME / ".gitignore").exists()
    parsed.clear()
    second = runner.invoke(cli, ["scan", "--no-config", "-q", "a.yaml"])
    assert parsed == [] and second.output == first.output
    third = runner.invoke(cli, ["scan", "--no-config", "-q", "--no-cache", "a.yaml"])
    assert parsed == ["a.yaml"] and third.output == first.output
    parsed.clear()
    runner.invoke(cli, ["scan", "--no-config", "-q", "--cache-dir", str(project / "elsewhere"), "a.yaml"])
    assert parsed == ["a.yaml"] and list((project / "elsewhere").glob("*" + cache_module._SUFFIX))


def _trees():
    trees = [FIXTURES]
    for name in ("terraform", "cloudformation"):
        if (CORPUS / name).is_dir():
            trees.append(CORPUS / name)
    return trees


@pytest.mark.parametrize("tree", _trees(), ids=lambda p: p.name)
def test_findings_are_identical_cold_and_warm(tree, tmp_path):
    uncached = as_json(engine.lint([str(tree)]))
    cold = as_json(run([tree], tmp_path / "c"))
    warm = as_json(run([tree], tmp_path / "c"))
    assert uncached == cold == warm


def test_a_warm_one_file_scan_imports_no_parser(tmp_path):
    """Lean start: a unit read back from the cache needs neither lark nor jsonschema (nor
    importlib.metadata, which the cache key does not use)."""
    import subprocess
    import sys

    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "main.tf").write_text(MODULE)
    code = (
        "import sys\n"
        "from policylint.commands import cli\n"
        "try:\n"
        f"    cli(['scan', '--no-config', '-q', '--cache-dir', {str(tmp_path / 'c')!r}, {str(tmp_path / 'm')!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('lark', 'hcl2', 'jsonschema', 'importlib.metadata') if m in sys.modules))\n"
    )
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path) for _ in range(2)]
    # Cold, tree-sitter reads the file (no lark); warm, nothing is parsed at all.
    assert [run.stdout.splitlines()[-1] for run in runs] == ["[]", "[]"], [run.stderr for run in runs]


def test_jobs_zero_parses_small_scans_in_this_process(project, monkeypatch):
    seen = []
    real = parsers.parse_all
    monkeypatch.setattr(parsers, "parse_all", lambda todo, jobs=1, progress=None: seen.append(jobs) or real(todo, jobs, progress))
    engine.lint([str(project)], engine.Options(jobs=0))
    monkeypatch.setattr(engine, "PARALLEL_MIN_BYTES", 0)
    engine.lint([str(project)], engine.Options(jobs=0))
    engine.lint([str(project)], engine.Options(jobs=3))
    assert seen == [1, os.cpu_count() or 1, 3]


def test_an_entry_that_would_run_code_is_refused(project, tmp_path, parsed):
    """A cache file planted in a scanned repository must not execute anything."""
    import pickle

    target = project / "cfn" / "a.yaml"
    run([target], tmp_path / "c")
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    pack = pack_of(tmp_path / "c")
    write_pack(pack, [(key, pickle.dumps(Evil())) for key, _ in read_pack(pack)])
    parsed.clear()
    run([target], tmp_path / "c")
    assert not marker.exists()
    assert parsed == [str(target)]


def test_nodes_come_back_from_an_entry_with_every_field():
    """Node pickles as its constructor's arguments (faster than a dictionary): nothing is lost,
    and the cache's restricted reader accepts it."""
    import io
    import pickle

    from policylint.model import Node, Unknown

    leaf = Node("x", "a.tf", 3, 4, 5, "default of `var.x`")
    tree = Node({"k": leaf, "l": Node([Node(Unknown("${var.y}"), "a.tf", 6)], "a.tf", 6)}, "a.tf", 2, 7)
    back = cache_module._ModelUnpickler(io.BytesIO(pickle.dumps(tree, protocol=-1))).load()
    assert repr(back) == repr(tree) and back.get("k") == leaf  # an Unknown equals nothing: repr
    assert isinstance(back.get("l", 0).value, Unknown) and back.get("l", 0).value.text == "${var.y}"


def test_an_unchanged_scan_runs_no_rule_and_reports_the_same(project, tmp_path, parsed, checked):
    cold = run([project], tmp_path / "c")
    assert checked == [1]
    parsed.clear()
    checked.clear()
    warm = run([project], tmp_path / "c")
    assert parsed == [] and checked == []
    assert warm == cold  # the whole report: findings, errors, notices, file count


def test_what_changes_a_scan_result_misses_it(project, tmp_path, parsed, checked):
    run([project], tmp_path / "c")
    parsed.clear()
    run([project], tmp_path / "c", select=("PL1",))  # other rules
    (project / "notes.txt").write_text("not infrastructure, but read for credentials")
    run([project], tmp_path / "c")  # one more file read
    (project / "cfn" / "b.yaml").unlink()
    run([project], tmp_path / "c")  # one file fewer
    assert checked == [1] * 4
    assert parsed == []  # each unit was read back: only the whole scan's result missed
    run([project], tmp_path / "c", max_file_size=10)  # other read errors
    assert checked == [1] * 5
    run([project], tmp_path / "c", max_file_size=10)
    assert checked == [1] * 5


def test_suppressions_and_severities_apply_to_a_stored_scan(project, tmp_path, checked, monkeypatch):
    """Suppressions (whose expiry depends on the date), severity overrides and the baseline are
    applied on every run, after the stored result."""
    import datetime

    from policylint import suppressions
    from policylint.config import Config

    template = project / "cfn" / "a.yaml"
    template.write_text(TEMPLATE.replace("  Bucket:", "  Bucket:  # policylint:ignore PL102 until=2030-01-01 -- a test"))
    monkeypatch.setattr(suppressions, "today", lambda: datetime.date(2029, 12, 31))
    before = run([template], tmp_path / "c", suppress=True)
    assert before.suppressed and checked == [1]
    monkeypatch.setattr(suppressions, "today", lambda: datetime.date(2030, 1, 2))
    after = run([template], tmp_path / "c", suppress=True)
    assert checked == [1]  # read back ...
    assert not after.suppressed and len(after.findings) > len(before.findings)  # ... and expired today
    assert as_json(after) == as_json(engine.lint([str(template)], engine.Options(suppress=True)))
    checked.clear()
    config = Config(severity={f.rule_id: "info" for f in after.findings})
    overridden = run([template], tmp_path / "c", suppress=True, config=config)
    assert checked == [] and {f.severity for f in overridden.findings} == {"info"}


def test_the_rules_sources_are_part_of_a_scan_key(tmp_path, monkeypatch):
    import policylint.rules

    folder = tmp_path / "rules"
    (folder / "s3").mkdir(parents=True)
    rule = folder / "s3" / "a_rule.py"
    rule.write_text("# a rule\n")
    monkeypatch.setattr(policylint.rules, "__path__", [str(folder)])
    first = cache_module._rules_stamp()
    rule.write_text("# a rule, edited\n")
    assert cache_module._rules_stamp() != first


@pytest.mark.parametrize("name", [".policylint_cache", "elsewhere"])
def test_the_cache_directory_is_not_scanned(project, name):
    """Its `.gitignore` would otherwise count as a scanned file from the second run on."""
    first = run([project], project / name)
    second = run([project], project / name)
    assert (project / name / ".gitignore").exists()
    assert first.files == second.files == 4


def test_a_fifo_in_place_of_a_pack_is_not_read(project, tmp_path, parsed):
    """Every read is of a regular file: opening a FIFO for reading would wait for a writer."""
    store = cache_module.Cache(str(tmp_path / "c"), scope=[str(project)])
    (tmp_path / "c").mkdir()
    os.mkfifo(store.pack_path())
    report = run([project], tmp_path / "c")
    assert len(parsed) == 3 and as_json(report) == as_json(engine.lint([str(project)]))
