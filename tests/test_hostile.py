"""Hostile input: special files, size limits, deep and looping directories, oversized numbers,
odd file names, unreadable directories, Ctrl-C and broken template structure (issue #11).

Every case is generated here at a small size and sits beside a healthy Terraform module or
template whose finding (a bucket with a public ACL: PL111) must still be reported.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from policylint import discover
from policylint.engine import lint_paths

HEALTHY_TF = """\
resource "aws_s3_bucket" "b" {
  bucket = "my-bucket"
}
resource "aws_s3_bucket_acl" "b" {
  bucket = aws_s3_bucket.b.id
  acl    = "public-read"
}
"""
HEALTHY_YAML = """\
Resources:
  B:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: PublicRead
"""
BIG = "9" * 5000

pytestmark = pytest.mark.skipif(os.name != "posix", reason="FIFOs, sockets, devices, byte file names and signals are POSIX")
POLICYLINT = [sys.executable, "-m", "policylint"]
ROOT = Path(__file__).resolve().parent.parent


def healthy(directory: Path, name: str = "healthy.tf") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(HEALTHY_TF if name.endswith(".tf") else HEALTHY_YAML, encoding="utf-8")
    return path


def public_acls(report) -> list[tuple[str, int]]:
    return sorted((f.file, f.line) for f in report.findings if f.rule_id == "PL111")


def run(*args: str, cwd: Path, timeout: float = 60, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([*POLICYLINT, *args], cwd=cwd, capture_output=True, timeout=timeout, env=env, **kwargs)


# --------------------------------------------------------------------------- 1. special files


def test_fifo_in_a_module_is_skipped_with_a_notice_and_never_blocks(tmp_path):
    healthy(tmp_path / "infra")
    os.mkfifo(tmp_path / "infra" / "main.tf")
    done = run("scan", "infra", cwd=tmp_path, timeout=30)  # before the fix: blocked forever
    assert done.returncode == 1, done.stderr
    assert b"infra/healthy.tf:6: PL111" in done.stdout
    assert b"infra/main.tf: note: skipped: a FIFO (named pipe), not a regular file" in done.stderr
    quiet = run("scan", "-q", "infra", cwd=tmp_path, timeout=30)
    assert quiet.returncode == 1 and b"note:" not in quiet.stderr


def test_fifo_given_as_an_argument_is_skipped_not_missing(tmp_path):
    healthy(tmp_path)
    os.mkfifo(tmp_path / "pipe.json")
    report = lint_paths([str(tmp_path / "pipe.json"), str(tmp_path / "healthy.tf")])
    assert report.errors == [] and public_acls(report) == [(str(tmp_path / "healthy.tf"), 6)]
    assert [(n.file, n.kind) for n in report.notices] == [(str(tmp_path / "pipe.json"), "skipped")]


def test_symlink_to_a_device_is_never_read(tmp_path):
    healthy(tmp_path)
    os.symlink("/dev/zero", tmp_path / "x.json")  # before the fix: a MemoryError after 3.7 GiB
    os.symlink("/dev/null", tmp_path / "notes.txt")
    report = lint_paths([str(tmp_path)])
    assert report.errors == [] and public_acls(report) == [(str(tmp_path / "healthy.tf"), 6)]
    assert sorted((Path(n.file).name, n.message) for n in report.notices) == [
        ("notes.txt", "skipped: a character device, not a regular file"),
        ("x.json", "skipped: a character device, not a regular file"),
    ]


def test_socket_is_skipped_with_a_notice(tmp_path):
    healthy(tmp_path)
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(tmp_path / "agent.sock"))
        report = lint_paths([str(tmp_path)])
    finally:
        server.close()
    assert report.errors == [] and len(public_acls(report)) == 1
    assert [n.message for n in report.notices] == ["skipped: a socket, not a regular file"]


def test_descriptor_is_checked_after_opening(tmp_path, monkeypatch):
    """The type is checked again on the opened descriptor: a regular file swapped for a FIFO
    after the first check is not read, and (opened non-blocking) the open cannot block."""
    target = tmp_path / "main.tf"
    os.mkfifo(target)
    regular = os.stat(__file__)
    real_stat = os.stat
    monkeypatch.setattr(discover.os, "stat", lambda path, *a, **k: regular if os.fspath(path) == str(target) else real_stat(path, *a, **k))

    def hung(signum, frame):
        raise TimeoutError("opening the FIFO blocked")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(5)
    try:
        with pytest.raises(discover.Skipped, match="FIFO"):
            discover.read_text(str(target))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_file_over_the_size_limit_is_an_error_naming_the_limit(tmp_path):
    healthy(tmp_path)
    (tmp_path / "big.tf.json").write_text("{}" + " " * 3000, encoding="utf-8")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "large.tf").write_text("# padding\n" * 300, encoding="utf-8")
    done = run("scan", "--max-file-size", "2K", ".", cwd=tmp_path)
    assert done.returncode == 2
    assert b"healthy.tf:6: PL111" in done.stdout
    assert b"big.tf.json: error: file is larger than the size limit (2 KiB); not scanned (raise it with `--max-file-size`)" in done.stdout
    assert b"large.tf: error: file is larger than the size limit (2 KiB)" in done.stdout
    assert run("scan", "--max-file-size", "1M", ".", cwd=tmp_path).returncode == 1
    bad = run("scan", "--max-file-size", "lots", ".", cwd=tmp_path)
    assert bad.returncode == 2 and b"is not a size" in bad.stderr and b"Traceback" not in bad.stderr


def test_read_stops_after_the_limit(tmp_path):
    path = tmp_path / "x.tf"
    path.write_bytes(b"#" * 101)
    assert discover._read_bounded(str(path), 100) == 101
    assert discover._read_bounded(str(path), 101) == b"#" * 101
    with pytest.raises(discover.Unreadable, match=r"size limit \(100 bytes\)"):
        discover.read_text(str(path), max_file_size=100)


@pytest.mark.parametrize(("text", "size"), [("500000", 500000), ("64M", 64 << 20), ("64MiB", 64 << 20), ("1g", 1 << 30), ("2 KB", 2048), ("7b", 7)])
def test_sizes(text, size):
    assert discover.parse_size(text) == size


@pytest.mark.parametrize("text", ["", "0", "-1", "1T", "1.5M", "M", "9" * 40])
def test_bad_sizes(text):
    with pytest.raises(ValueError):
        discover.parse_size(text)


# --------------------------------------------------------------------------- 4. deep and looping directories


@pytest.fixture
def nested(tmp_path):
    """1,200 nested directories, removed bottom-up afterwards (shutil.rmtree, and so pytest's
    own clean-up, recurse too deeply for them; so does os.makedirs)."""
    levels = [tmp_path]
    for _ in range(1200):
        levels.append(levels[-1] / "d")
        levels[-1].mkdir()
    yield levels[-1]
    for level in reversed(levels[1:]):
        for child in level.iterdir():
            child.unlink()
        level.rmdir()


def test_1200_nested_directories_are_walked_without_recursion(tmp_path, nested):
    healthy(tmp_path)
    healthy(nested, "deep.tf")
    done = run("scan", ".", cwd=tmp_path)  # before the fix: RecursionError traceback, exit 1
    assert done.returncode == 1 and b"Traceback" not in done.stderr, done.stderr[-2000:]
    lines = [line for line in done.stdout.decode().splitlines() if " PL111 " in line]
    assert sorted(line.split(" ")[0] for line in lines) == ["d/" * 1200 + "deep.tf:6:", "healthy.tf:6:"]


def test_walk_order_is_that_of_os_walk(tmp_path):
    for path in ["b/z.tf", "b/a/y.tf", "a.tf", "a/c/x.tf", "a/b.yaml", "c/.git/skip.tf", "c/ok.tf"]:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("", encoding="utf-8")
    files, errors = discover.discover([str(tmp_path)])
    expected = [os.path.normpath(os.path.join(root, name)) for root, dirs, names in _sorted_walk(str(tmp_path)) for name in names]
    assert errors == [] and files == expected and len(files) == 6


def _sorted_walk(top):
    for root, dirs, names in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d not in discover.SKIP_DIRS)
        yield root, dirs, sorted(names)


def test_symlink_loops_end_and_each_file_is_read_once(tmp_path):
    healthy(tmp_path / "infra")
    os.symlink("..", tmp_path / "infra" / "up")
    os.symlink(".", tmp_path / "infra" / "self")
    os.symlink(tmp_path / "infra", tmp_path / "alias")
    os.symlink("loop-b.txt", tmp_path / "infra" / "loop-a.txt")
    os.symlink("loop-a.txt", tmp_path / "infra" / "loop-b.txt")
    report = lint_paths([str(tmp_path / "infra"), str(tmp_path / "alias"), str(tmp_path)])
    assert public_acls(report) == [(str(tmp_path / "infra" / "healthy.tf"), 6)]
    assert report.errors == []  # a looping symlink that is not infrastructure code is skipped
    os.symlink("loop-d.tf", tmp_path / "infra" / "loop-c.tf")
    os.symlink("loop-c.tf", tmp_path / "infra" / "loop-d.tf")
    report = lint_paths([str(tmp_path / "infra")])
    assert len(public_acls(report)) == 1
    assert sorted(Path(e.file).name for e in report.errors) == ["loop-c.tf", "loop-d.tf"]
    assert all("symbolic links" in e.message and e.kind == "unreadable" for e in report.errors)


# --------------------------------------------------------------------------- 8. oversized numbers


def test_5000_digit_integer_in_terraform_keeps_the_module(tmp_path):
    healthy(tmp_path)
    (tmp_path / "numbers.tf").write_text(textwrap.dedent(f"""\
        locals {{
          big   = {BIG}
          float = 1{"0" * 400}.5
          list  = [1, 2]
        }}
        resource "aws_s3_bucket" "n" {{
          bucket        = "numbers"
          object_lock   = local.big
          a             = local.list[{BIG}]
          b             = local.list["{BIG}"]
          c             = "${{local.list[{BIG}]}}"
          d             = local.list.{BIG}
          e             = local.float
        }}
    """), encoding="utf-8")
    report = lint_paths([str(tmp_path)])
    assert report.errors == [], report.errors  # before the fix: one ValueError, no findings at all
    assert public_acls(report) == [(str(tmp_path / "healthy.tf"), 6)]
    from policylint.model import Unknown
    from policylint.parsers import Unit, terraform
    from policylint.parsers.tf_blocks import resource_values
    from policylint.parsers.tf_eval import Evaluator

    path = str(tmp_path / "numbers.tf")
    module = terraform.Module(str(tmp_path), [terraform.hcl.parse_file(path, Path(path).read_text())])
    values = resource_values(Evaluator(module), "aws_s3_bucket.n").value
    assert isinstance(values["object_lock"].value, Unknown) and values["object_lock"].value.text == BIG  # as written
    assert all(isinstance(values[k].value, Unknown) for k in "abcde")
    assert terraform.parse_unit(Unit("terraform", str(tmp_path), ((path, Path(path).read_text()),))).errors == []


def test_5000_digit_integer_in_yaml_and_json_templates(tmp_path):
    healthy(tmp_path, "healthy.yaml")
    (tmp_path / "big.yaml").write_text(HEALTHY_YAML.replace("      AccessControl", f"      Size: {BIG}\n      Float: 1{'0' * 400}.5\n      AccessControl"), encoding="utf-8")
    body = {"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"AccessControl": "PublicRead", "Size": 0}}}}
    (tmp_path / "big.json").write_text(json.dumps(body, indent=2).replace('"Size": 0', f'"Size": {BIG}, "Float": 1e999'), encoding="utf-8")
    (tmp_path / "policy.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Sid": 0}]}).replace('"Sid": 0', f'"Sid": {BIG}'), encoding="utf-8")
    report = lint_paths([str(tmp_path)])
    assert report.errors == [], report.errors  # before the fix: "internal error" without a line
    assert [(Path(f).name, line) for f, line in public_acls(report)] == [("big.json", 6), ("big.yaml", 7), ("healthy.yaml", 5)]
    from policylint.model import Unknown
    from policylint.parsers.located_json import json_to_node
    from policylint.parsers.located_yaml import load, load_json

    def text(node):
        assert isinstance(node.value, Unknown), node
        return node.value.text

    loaded = load(f"a: {BIG}\nb: 1{'0' * 400}.5\nc: .inf\nd: 12\n", "t.yaml").value
    assert text(loaded["a"]) == BIG and text(loaded["b"]) == f"1{'0' * 400}.5"
    assert loaded["c"].value == float("inf") and loaded["d"].value == 12
    assert text(load_json(f'{{"a": {BIG}}}', "t.json").value["a"]) == BIG
    loaded = json_to_node(f'{{"a": {BIG}, "b": 1e999, "c": 2}}', "t.json", 1).value
    assert text(loaded["a"]) == BIG and text(loaded["b"]) == "1e999" and loaded["c"].value == 2


def test_5000_digit_integer_in_a_plan(tmp_path):
    healthy(tmp_path / "module")
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.5.0",
        "planned_values": {"root_module": {"resources": [
            {"address": "aws_s3_bucket.b", "mode": "managed", "type": "aws_s3_bucket", "name": "b", "values": {"bucket": "my-b", "size": 0}},
            {"address": "aws_s3_bucket_acl.b", "mode": "managed", "type": "aws_s3_bucket_acl", "name": "b", "values": {"bucket": "my-b", "acl": "public-read"}},
        ]}},
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan, indent=1).replace('"size": 0', f'"size": {BIG}, "f": 1e999'), encoding="utf-8")
    report = lint_paths([str(tmp_path)])
    assert report.errors == [], report.errors
    assert [Path(f).name for f, _ in public_acls(report)] == ["healthy.tf", "plan.json"]


def test_an_error_in_one_terraform_file_or_resource_keeps_the_others(tmp_path, monkeypatch):
    healthy(tmp_path)
    (tmp_path / "broken.tf").write_text('resource "aws_s3_bucket" "x" {\n  bucket = "x"\n}\n', encoding="utf-8")
    (tmp_path / "other.tf").write_text('resource "aws_s3_bucket" "y" {\n  bucket = "y"\n}\n', encoding="utf-8")
    from policylint.parsers import terraform, tf_resources

    real_parse, real_build = terraform.hcl.parse_file, tf_resources.build

    def parse_file(path, text, **options):
        if path.endswith("broken.tf"):
            raise ValueError("a parser bug")
        return real_parse(path, text, **options)

    def build(tf_type, address, *args, **kwargs):
        if address == "aws_s3_bucket.y":
            raise ValueError("an evaluator bug")
        return real_build(tf_type, address, *args, **kwargs)

    monkeypatch.setattr(terraform.hcl, "parse_file", parse_file)
    monkeypatch.setattr(terraform.tf_resources, "build", build)
    report = lint_paths([str(tmp_path)])
    assert public_acls(report) == [(str(tmp_path / "healthy.tf"), 6)]
    assert sorted((Path(e.file).name, e.line, e.kind) for e in report.errors) == [("broken.tf", None, "internal"), ("other.tf", 1, "internal")]


# --------------------------------------------------------------------------- 9. file names


@pytest.fixture
def odd_names(tmp_path):
    """A module whose file name is not UTF-8 and a template with a newline and an escape
    sequence in its name."""
    directory = tmp_path / "infra"
    directory.mkdir()
    with open(os.path.join(os.fsencode(directory), b"caf\xe9.tf"), "wb") as handle:
        handle.write(HEALTHY_TF.encode())
    (directory / "new\nline\x1b[31m.yaml").write_text(HEALTHY_YAML, encoding="utf-8")
    return tmp_path


def test_sarif_uris_come_from_the_name_bytes(odd_names):
    done = run("scan", "--format", "sarif", "infra", cwd=odd_names)
    assert done.returncode == 1, done.stderr  # before the fix: UnicodeEncodeError in quote()
    sarif = json.loads(done.stdout)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {"infra/caf%E9.tf", "infra/new%0Aline%1B%5B31m.yaml"}
    written = run("scan", "--format", "sarif", "-o", "out.sarif", "infra", cwd=odd_names)
    assert written.returncode == 1 and json.loads((odd_names / "out.sarif").read_text(encoding="utf-8")) == sarif


@pytest.mark.parametrize("output", ["text", "github", "junit"])
def test_control_characters_and_bytes_in_names_are_escaped(odd_names, output):
    done = run("scan", "--format", output, "-q", "infra", cwd=odd_names)
    assert done.returncode == 1, done.stderr
    text = done.stdout.decode("utf-8")  # strict: no raw byte of the name is written
    assert "\x1b" not in text
    if output == "junit":
        cases = ET.fromstring(done.stdout).iter("testcase")
        assert sorted({c.get("file") for c in cases}) == ["infra/caf\\xe9.tf", "infra/new\\nline\\x1b[31m.yaml"]
        return
    lines = [line for line in text.splitlines() if not line.startswith("policylint: ")]
    assert len(lines) == 8 and all(line.startswith(("infra/caf\\xe9.tf:", "infra/new\\nline\\x1b[31m.yaml:", "::")) for line in lines)
    assert sum("PL111" in line for line in lines) == 2
    if output == "github":
        assert all("file=infra/caf\\xe9.tf," in line or "file=infra/new\\nline\\x1b[31m.yaml," in line for line in lines)


def test_baseline_and_json_with_a_name_that_is_not_utf8(odd_names):
    done = run("baseline", "-o", "baseline.json", "infra", cwd=odd_names)
    assert done.returncode == 0, done.stderr
    assert json.loads((odd_names / "baseline.json").read_text(encoding="utf-8"))["findings"]
    again = run("scan", "--baseline", "baseline.json", "--format", "json", "infra", cwd=odd_names)
    assert again.returncode == 0 and json.loads(again.stdout)["summary"]["findings"] == 0


def test_printable():
    from policylint.report import printable

    assert printable("infra/main.tf") == "infra/main.tf"
    assert printable("a\nb\r\tc\x1b\x7f\x85\u2028d") == "a\\nb\\r\\tc\\x1b\\x7f\\x85\\u2028d"
    assert printable(os.fsdecode(b"caf\xe9.tf")) == "caf\\xe9.tf"
    assert printable("café.tf") == "café.tf"


# --------------------------------------------------------------------------- 10. unreadable directories


def test_unreadable_directory_is_an_error(tmp_path, monkeypatch):
    healthy(tmp_path)
    locked = tmp_path / "locked"
    healthy(locked, "hidden.tf")
    real = os.scandir

    def scandir(path="."):
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(discover.os, "scandir", scandir)
    report = lint_paths([str(tmp_path)])
    assert public_acls(report) == [(str(tmp_path / "healthy.tf"), 6)]
    assert [(e.file, e.message, e.kind) for e in report.errors] == [(str(locked), "cannot read the directory: Permission denied", "unreadable")]


def test_unreadable_directory_exits_2(tmp_path):
    """chmod 000 for real.  Root reads any directory (the DAC override capabilities), so as root
    the scan runs without them (`setpriv`); where neither works the case is skipped."""
    healthy(tmp_path / "infra")
    locked = tmp_path / "infra" / "locked"
    healthy(locked, "hidden.tf")
    secret = tmp_path / "infra" / "notes.txt"
    secret.write_text("a file we may not read may hold a key\n", encoding="utf-8")
    prefix: list[str] = []
    locked.chmod(0)
    secret.chmod(0)
    try:
        if os.geteuid() == 0:
            import shutil

            setpriv = shutil.which("setpriv")
            if setpriv is None:
                pytest.skip("running as root without setpriv: a chmod 000 directory stays readable")
            prefix = [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]
        elif os.access(locked, os.R_OK):
            pytest.skip("this user can read a chmod 000 directory")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = subprocess.run([*prefix, *POLICYLINT, "scan", "infra"], cwd=tmp_path, capture_output=True, timeout=60, env=env)
    finally:
        locked.chmod(0o755)
    assert done.returncode == 2, (done.stdout, done.stderr)  # before the fix: skipped silently
    assert b"infra/healthy.tf:6: PL111" in done.stdout
    assert b"infra/locked: error: cannot read the directory: Permission denied" in done.stdout
    assert b"infra/notes.txt: error: cannot read the file: Permission denied" in done.stdout


# --------------------------------------------------------------------------- 11. Ctrl-C

# The parse is replaced by a slow one, so that the test does not depend on how fast the real
# parser is: each unit writes a marker, then loops (pure Python, as a parser does).
_SLOW_SCAN = """
import os, sys, time
import policylint.parsers as parsers

def slow_parse(unit):
    open(os.path.join(sys.argv[1], "started-%d" % os.getpid()), "w").close()
    deadline = time.time() + 60
    while time.time() < deadline:
        sum(range(1000))
    raise SystemExit("not interrupted")

parsers.parse = slow_parse
from policylint.cli import main
main(["scan", *sys.argv[2:]])
"""


@pytest.mark.parametrize(("jobs", "group"), [(1, False), (2, False), (2, True)])
def test_sigint_stops_promptly_with_exit_130(tmp_path, jobs, group):
    for name in "abc":
        healthy(tmp_path / "infra" / name)
    markers = tmp_path / "markers"
    markers.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", _SLOW_SCAN, str(markers), "--jobs", str(jobs), "infra"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        deadline = time.time() + 30
        while len(list(markers.iterdir())) < jobs and time.time() < deadline:
            time.sleep(0.05)
        assert len(list(markers.iterdir())) >= jobs, "the scan never started parsing"
        started = time.time()
        if group:  # Ctrl-C in a terminal reaches every process of the group, workers included
            os.killpg(process.pid, signal.SIGINT)
        else:  # `kill -INT` reaches the main process only
            process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
        elapsed = time.time() - started
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, err
    assert b"Traceback" not in err and b"policylint: interrupted" in err
    assert elapsed < 10, elapsed  # prompt; generous for a loaded CI machine
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):  # no worker is left parsing
        os.killpg(process.pid, 0)


# --------------------------------------------------------------------------- 12. template structure and limits


def test_template_structure_errors_have_lines(tmp_path):
    healthy(tmp_path, "healthy.yaml")
    (tmp_path / "list.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  - Type: AWS::S3::Bucket\n", encoding="utf-8")
    (tmp_path / "scalar.json").write_text('{\n  "Resources": "none"\n}\n', encoding="utf-8")
    (tmp_path / "types.yaml").write_text(textwrap.dedent("""\
        Resources:
          NoType:
            Properties: {}
          ListType:
            Type: [AWS::S3::Bucket]
          NumberType:
            Type: 5
          RainModule:
            Type: !Rain::Module bucket.yml
          Good:
            Type: AWS::S3::Bucket
            Properties:
              AccessControl: PublicRead
    """), encoding="utf-8")
    report = lint_paths([str(tmp_path)])
    assert sorted((Path(f).name, line) for f, line in public_acls(report)) == [("healthy.yaml", 5), ("types.yaml", 13)]
    assert sorted((Path(e.file).name, e.line, e.message) for e in report.errors) == [
        ("list.yaml", 2, "`Resources` must be a mapping of logical IDs to resources, not a list"),
        ("scalar.json", 2, "`Resources` must be a mapping of logical IDs to resources, not a single value"),
        ("types.yaml", 2, "resource `NoType` has no `Type`; add one such as `Type: AWS::S3::Bucket`"),
        ("types.yaml", 5, "the `Type` of resource `ListType` must be a string such as `AWS::S3::Bucket`, not a list"),
        ("types.yaml", 7, "the `Type` of resource `NumberType` must be a string such as `AWS::S3::Bucket`, not a single value"),
    ]


def test_templates_for_a_macro_or_pre_processor_are_not_structure_errors(tmp_path):
    """A macro may rewrite the whole template (the ShortHand example lists its resources), and a
    pre-processor's module (Rain) is a resource whose `Type` is a directive."""
    (tmp_path / "short.yaml").write_text("Transform: ShortHand\nResources:\n  - S3::Bucket\n", encoding="utf-8")
    (tmp_path / "rain.json").write_text(json.dumps({"Resources": {"Storage": {"Type": {"Rain::Module": "bucket.yml"}}}}), encoding="utf-8")
    report = lint_paths([str(tmp_path)])
    assert report.errors == [] and report.findings == []


def test_value_limit_blames_aliases_only_when_there_are_some(monkeypatch):
    from policylint.parsers import located_yaml

    monkeypatch.setattr(located_yaml, "MAX_VALUES", 50)
    plain = "items:\n" + "".join(f"  - {i}\n" for i in range(60))
    with pytest.raises(located_yaml.LoadError) as error:
        located_yaml.load(plain, "t.yaml")
    assert "alias" not in error.value.message and "more than 50 values" in error.value.message
    assert error.value.kind == "unsupported" and error.value.line is not None
    with pytest.raises(located_yaml.LoadError) as error:
        located_yaml.load_json(json.dumps({"items": list(range(60))}), "t.json")
    assert "alias" not in error.value.message
    bomb = "a: &a [1, 2, 3, 4, 5, 6, 7, 8]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b]\n"
    with pytest.raises(located_yaml.LoadError) as error:
        located_yaml.load(bomb, "t.yaml")
    assert "through YAML aliases (`*name`) to more than 50 values" in error.value.message
