"""A content-hash cache of parsed units, in the style of ruff's.

Each parsed unit (a template, a plan, a policy file, a Terraform module directory) is stored as
the pickle of its :class:`~policylint.model.Document`, under a key that hashes everything the
parse depends on: the unit's format, path and every file's path and text, the files a Terraform
``file()``/``templatefile()`` call reads, the Python and policylint versions, the policylint
sources themselves (so an edited checkout never reads stale entries) and the parser libraries'
versions.  An unchanged unit is then read back instead of parsed; an edited file changes only
its own unit's key.

A whole scan's result (its report before suppressions, severities and baseline, which are
applied afresh on every run) is stored too, under a key made of every unit's key, every scanned
file's path, format and text, the rules run, the errors met before parsing and the rules' own
sources: an unchanged re-scan then reads one entry and neither parses nor runs a rule.

The entries of one scan live together in one *pack* file, named after the scanned paths (as
ruff keeps one file per package): creating a file costs far more than writing it on some
filesystems (0.7 ms each on this project's CI disk, where a template scan wrote 500), so a run
writes at most one.  A pack holds the entries its run used: those it read back and those it made;
the next scan of the same paths reads it.  A pack is never trusted: a wrong header, a truncated
or unpicklable entry, or any error at all is a miss, and the pack is written again.

The cache lives in ``.policylint_cache/`` at the project root (the nearest directory above the
current one holding ``.git``, ``pyproject.toml`` or ``.policylint.toml``; else the current
directory), with a ``.gitignore`` of ``*``, or wherever ``--cache-dir`` says.  Packs are written
to a temporary file and renamed into place, so concurrent runs never see half a pack.  The total
size is bounded: when it grows past :data:`MAX_BYTES`, the least recently used packs are removed
first.

The library (:func:`policylint.engine.lint`) does not cache unless asked
(``Options(cache=True)``); the CLI does unless ``--no-cache``.
"""

from __future__ import annotations

import io
import os
import sys

from policylint.discover import SKIP_DIRS, Skipped, open_regular
from policylint.model import Document, ParseError, SourceMap, TextFile
from policylint.records import field, record
from policylint.report import Report
from policylint.parsers import Unit
from policylint.patterns import lazy

try:  # the C modules behind pickle and hashlib: importing those would cost a one-file scan ~6 ms
    import _pickle as pickle
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python without them
    import pickle  # type: ignore[no-redef]
    from hashlib import blake2b

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Sequence

DIRECTORY_NAME = ".policylint_cache"
PROJECT_MARKERS = (".git", "pyproject.toml", ".policylint.toml")
MAX_BYTES = 256 * 1024 * 1024
MAX_PACKS = 500
FORMAT = 2  # bump when the pack layout changes (1: one file per entry)
_MAGIC = b"policylint-cache\n"
_SUFFIX = ".pack"
_MAX_ENTRIES = 1_000_000  # in one pack's index: a damaged count is not believed
_PARSER_MODULES = ("hcl2", "lark", "yaml", "tree_sitter", "tree_sitter_hcl")

# A call of a Terraform function that reads a file, and its first argument when that is one plain
# string.
# (Without a look-behind for the character before: with one, the pattern is tried at every
# position of the text, five times slower; `_file_calls` checks that character.)
_FILE_CALL = lazy(r"(?:templatefile|file(?:base64(?:sha256|sha512)?|exists|set|md5|sha1|sha256|sha512)?)\s*\(")
_NAME_CHARACTER = lazy(r"[\w.]")
_MAX_READ = 16 * 1024 * 1024  # beyond what the evaluator reads
_MAX_TREE_FILES = 5000
_LITERAL_ARGUMENT = lazy(r'\s*"((?:\$\{path\.(?:module|root)\}/)?[^"\\$%]*)"')
_PATH_PREFIX = lazy(r"^\$\{path\.(?:module|root)\}/")


def project_root(start: str | None = None) -> str:
    """The nearest directory from ``start`` (the current directory) upwards that holds a
    project marker; ``start`` itself when none does."""
    here = os.path.abspath(start or os.getcwd())
    directory = here
    while True:
        if any(os.path.exists(os.path.join(directory, marker)) for marker in PROJECT_MARKERS):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return here
        directory = parent


def default_directory() -> str:
    return os.path.join(project_root(), DIRECTORY_NAME)


class Cache:
    """The cache directory of one run.  ``scope``: the scanned paths, which name the pack this
    run reads and writes.  ``hits``/``misses``/``written`` count this run's lookups and stores;
    what it stores reaches the disk with :meth:`save`."""

    def __init__(self, directory: str | None = None, max_bytes: int = MAX_BYTES, scope: Sequence[str] = (), max_packs: int = MAX_PACKS):
        self.directory = os.path.abspath(directory or default_directory())
        self.max_bytes = max_bytes
        self.max_packs = max_packs
        self.scope = tuple(os.path.abspath(path) for path in scope)
        self.hits = self.misses = self.written = 0
        self._salt: bytes | None = None
        self._salted = None  # a hash of the salt alone, that each unit's key starts from
        self._usable: bool | None = None
        self._digests: dict[str, tuple[str, bytes]] = {}  # path -> (text, its digest), this run's
        self._stored: dict[str, tuple[int, int]] | None = None  # the pack's index: key -> (offset, size)
        self._pack = None  # the open pack file while its entries may be read
        self._kept: dict[str, bytes] = {}  # key -> pickle: what the next pack holds
        self._changed = False

    def _digest(self, path: str, text: str) -> bytes:
        """A text's content hash, computed once per run (a unit's key and the scan's key both
        need it)."""
        known = self._digests.get(path)
        if known is not None and known[0] is text:
            return known[1]
        digest = blake2b(text.encode("utf-8", "surrogatepass")).digest()
        self._digests[path] = (text, digest)
        return digest

    def outside(self, files: Sequence[str], paths: Sequence[str]) -> list[str]:
        """``files`` (found under ``paths``) without those inside the cache directory (its
        ``.gitignore``); each file is looked at only when the cache is under one of ``paths``."""
        inside = self.directory + os.sep
        if not any(inside.startswith(os.path.join(os.path.abspath(p), "")) for p in paths):
            return list(files)
        return [f for f in files if not os.path.abspath(f).startswith(inside)]

    # ------------------------------------------------------------------ keys

    def key(self, unit: Unit) -> str | None:
        """The hex key of a unit; None when it cannot be cached (a Terraform file function
        whose path is not a plain string, so its input cannot be known before parsing)."""
        if self._salted is None:
            self._salted = blake2b(self.salt(), digest_size=20)
        digest = self._salted.copy()  # the salt (~6 KB) hashed once, not once per unit
        for part in (unit.format, unit.path):
            digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
        for path, text in unit.sources:
            digest.update(path.encode("utf-8", "surrogatepass") + b"\0")
            digest.update(self._digest(path, text))
        for name, value in unit.parameters:  # `--parameter` values change what a template means
            digest.update(b"parameter\0" + name.encode("utf-8", "surrogatepass") + b"\0" + value.encode("utf-8", "surrogatepass") + b"\0")
        for path, text in unit.var_files:  # -var-file: what they say changes the document
            digest.update(b"\0var-file\0" + path.encode("utf-8", "surrogatepass") + b"\0")
            digest.update(blake2b(text.encode("utf-8", "surrogatepass")).digest())
        for root in unit.roots:
            digest.update(b"\0root\0" + root.encode("utf-8", "surrogatepass"))
        if unit.format == "terraform":
            extra = _read_files(unit)
            if extra is None:
                return None
            for path, data in extra:
                digest.update(path.encode("utf-8", "surrogatepass") + b"\0" + blake2b(data).digest())
        return digest.hexdigest()

    def scan_key(self, unit_keys: Sequence[str | None], texts: Sequence[TextFile], rule_codes: Sequence[str], problems: Sequence[ParseError]) -> str | None:
        """The key of a whole scan's result: the keys of its units (None when one cannot be
        cached), every file read with its format (rules read raw text too), the rules run, the
        errors and notices of discovery and reading, and the rules' sources."""
        if any(key is None for key in unit_keys):
            return None
        digest = blake2b(self.salt() + _rules_stamp(), digest_size=20)
        digest.update(b"\0scan\0" + " ".join(rule_codes).encode())
        for key in unit_keys:
            digest.update(b"\0unit\0" + key.encode())  # type: ignore[union-attr]
        for text in texts:
            digest.update(b"\0text\0" + text.path.encode("utf-8", "surrogatepass") + b"\0" + text.format.encode() + b"\0")
            digest.update(self._digest(text.path, text.text))
        for problem in problems:
            digest.update(b"\0problem\0" + repr((problem.file, problem.line, problem.message, problem.kind)).encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def salt(self) -> bytes:
        """What every key depends on besides the unit: versions and the policylint sources."""
        if self._salt is None:
            self._salt = _salt()
        return self._salt

    # ------------------------------------------------------------------ entries

    def pack_path(self) -> str:
        """The pack of this run's scope: the same paths, the same pack, whatever the versions
        (its entries' keys tell those apart, and an upgrade then replaces the pack)."""
        scope = "\0".join(self.scope).encode("utf-8", "surrogatepass")
        return os.path.join(self.directory, blake2b(scope, digest_size=20).hexdigest() + _SUFFIX)

    def get(self, key: str) -> Document | None:
        """The stored Document of ``key``; None on any doubt."""
        return self._load(key, Document)

    def get_scan(self, key: str) -> ScanResult | None:
        """The stored result of a whole scan; None on any doubt."""
        return self._load(key, ScanResult)

    def _load(self, key: str, kind: type):
        where = self._index().get(key)
        if where is None:
            return None
        try:
            self._pack.seek(where[0])
            data = self._pack.read(where[1])
            if len(data) != where[1]:
                return None
            value = _ModelUnpickler(io.BytesIO(data)).load()
        except Exception:  # a corrupt, truncated or vanished entry is a miss
            return None
        if not isinstance(value, kind):
            return None
        self._kept[key] = data  # used this run: the next pack keeps it
        return value

    def _index(self) -> dict[str, tuple[int, int]]:
        """The pack's entries, read from its header once (the pack stays open for them)."""
        if self._stored is None:
            self._stored = {}
            try:  # a regular file only: a FIFO planted under the pack's name would block the scan
                descriptor, _ = open_regular(self.pack_path())
            except (OSError, Skipped):
                return self._stored  # no pack yet: every lookup misses
            self._pack = os.fdopen(descriptor, "rb")
            try:
                self._stored = _read_index(self._pack)
            except Exception:  # a damaged header: an empty pack, written again
                self._stored = {}
        return self._stored

    def put(self, key: str, value: Document | ScanResult) -> None:
        """Store a unit's Document or a whole scan's result in this run's pack (unpicklable
        values are not stored)."""
        try:
            self._kept[key] = pickle.dumps(value, protocol=-1)
        except Exception:
            return
        self._changed = True
        self.written += 1

    def save(self) -> None:
        """Write this run's pack when it stored anything new: the entries it read back and those
        it made (not the ones it did not use: the pack follows the tree).  Else mark the pack as
        recently used.  Any failure (read-only disk, full disk) is ignored."""
        if self._pack is not None:
            self._pack.close()
            self._pack = None
        path = self.pack_path()
        if not self._changed:
            if self._stored:
                try:
                    os.utime(path)  # recently used: pruned last
                except OSError:
                    pass  # a read-only cache still serves
            return
        if not self._ensure_directory():
            return
        entries = list(self._kept.items())
        header = [_MAGIC, f"{FORMAT} {len(entries)}\n".encode()]
        header += [f"{key} {len(data)}\n".encode() for key, data in entries]
        try:
            handle, temporary = _create_temporary(self.directory)
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(b"".join(header))
                    out.writelines(data for _, data in entries)
                os.replace(temporary, path)
            except BaseException:
                try:
                    os.unlink(temporary)
                except OSError:
                    pass
                raise
        except Exception:
            return
        self._changed = False
        self.prune()

    def _ensure_directory(self) -> bool:
        if self._usable is None:
            try:
                os.makedirs(self.directory, exist_ok=True)
                ignore = os.path.join(self.directory, ".gitignore")
                if not os.path.exists(ignore):
                    with open(ignore, "w", encoding="utf-8") as out:
                        out.write("# Written by policylint: the cache is never committed.\n*\n")
                self._usable = os.access(self.directory, os.W_OK)
            except OSError:
                self._usable = False
        return self._usable

    def prune(self) -> int:
        """Remove the least recently used packs until the cache holds at most 80 % of its
        bounds (only when it is past one: :data:`MAX_BYTES`, and :data:`MAX_PACKS`, since each
        file set pre-commit passes has a pack and every write looks at them all), and the
        folders of entries from before packs (format 1), which no run reads.  Returns how many
        packs were removed."""
        packs = []
        total = 0
        try:
            with os.scandir(self.directory) as entries:
                for entry in entries:
                    if _named_by_a_key(entry.name, _SUFFIX) and entry.is_file(follow_symlinks=False):
                        stat = entry.stat(follow_symlinks=False)
                        packs.append((stat.st_mtime, stat.st_size, entry.path))
                        total += stat.st_size
                    elif _is_hex(entry.name, 2) and entry.is_dir(follow_symlinks=False):
                        _remove_old_entries(entry.path)
        except OSError:
            return 0
        if total <= self.max_bytes and len(packs) <= self.max_packs:
            return 0
        removed = 0
        for _, size, path in sorted(packs):
            if total <= self.max_bytes * 0.8 and len(packs) - removed <= self.max_packs * 0.8:
                break
            try:
                os.unlink(path)
            except OSError:
                continue
            total -= size
            removed += 1
        return removed

    # ------------------------------------------------------------------ the parse step

    def parse_all(self, todo: Sequence[Unit], parse_all, keys: Sequence[str | None] | None = None) -> list[Document]:
        """The Documents of ``todo`` in its order: stored ones read back, the others parsed
        with ``parse_all(units) -> documents`` and stored (on disk at :meth:`save`).  ``keys``:
        the units' keys, when already computed."""
        if keys is None:
            keys = [self.key(unit) for unit in todo]
        documents: list[Document | None] = [self.get(key) if key is not None else None for key in keys]
        missing = [i for i, document in enumerate(documents) if document is None]
        self.hits += len(todo) - len(missing)
        self.misses += len(missing)
        parsed = parse_all([todo[i] for i in missing])
        for i, document in zip(missing, parsed):
            documents[i] = document
            key = keys[i]
            if key is not None and not any(e.kind == "internal" for e in document.errors):
                self.put(key, document)
        return documents  # type: ignore[return-value]


def _read_index(pack) -> dict[str, tuple[int, int]]:
    """A pack's header: the magic line, ``FORMAT count``, then ``key size`` for each entry, whose
    pickles follow in that order.  Returns key -> (offset in the file, size); raises on any
    doubt."""
    if pack.readline(64) != _MAGIC:
        raise ValueError("not a policylint cache pack")
    layout, count = pack.readline(64).split()
    if int(layout) != FORMAT or not 0 <= int(count) <= _MAX_ENTRIES:
        raise ValueError("another layout")
    sizes = []
    for _ in range(int(count)):
        key, size = pack.readline(128).split()
        if int(size) < 0:
            raise ValueError("a negative size")
        sizes.append((key.decode("ascii"), int(size)))
    index = {}
    offset = pack.tell()
    for key, size in sizes:
        index[key] = (offset, size)
        offset += size
    return index


def _remove_old_entries(folder: str) -> None:
    """A two-character folder of format-1 entries (``<key>.pickle`` files): those removed, then
    the folder if nothing else is in it."""
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if _named_by_a_key(entry.name, ".pickle"):
                    os.unlink(entry.path)
        os.rmdir(folder)
    except OSError:
        pass


def _named_by_a_key(name: str, suffix: str) -> bool:
    """``<40 hex digits><suffix>``: a name this cache gave (a ``--cache-dir`` may hold others)."""
    return name.endswith(suffix) and _is_hex(name[: -len(suffix)], 40)


def _is_hex(text: str, length: int) -> bool:
    return len(text) == length and all(c in "0123456789abcdef" for c in text)


class _ModelUnpickler(pickle.Unpickler):
    """Reads back only model classes and plain data: a cache file planted in a scanned repository
    cannot make the scan run code (a pickle names the callables it calls; none is allowed but the
    model's classes and a few value types)."""

    _ALLOWED = {"datetime": frozenset({"date", "datetime", "time", "timedelta", "timezone"}), "builtins": frozenset({"set", "frozenset", "complex"})}

    def find_class(self, module: str, name: str):
        if module in _MODEL_MODULES:
            found = getattr(sys.modules[module], name, None)  # imported by this module
            if isinstance(found, type):
                return found
        elif module == __name__ and name == "ScanResult":
            return ScanResult
        elif name in self._ALLOWED.get(module, ()):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a cache entry")


_MODEL_MODULES = ("policylint.model", "policylint.report")  # what an entry's classes may come from


@record
class ScanResult:
    """What a whole scan stores: its report as the rules left it (suppressions, severities and
    the baseline are applied on every run: they depend on the configuration and on the date),
    and the source maps of the files that name policylint (all that suppressions read)."""

    report: Report
    source_maps: dict[str, SourceMap] = field(default_factory=dict)


def _read_files(unit: Unit) -> list[tuple[str, bytes]] | None:
    """What a Terraform module may read through a file function besides its own sources: the
    (path, bytes) of each file named by a plain string, and, when a path is computed
    (``file(var.x)``), the size and modification time of every file under the module directory
    (the evaluator reads nothing outside it).  None when that directory is too large to stat."""
    out: list[tuple[str, bytes]] = []
    computed: set[str] = set()  # module directories with a computed path
    for source, text in unit.sources:
        if "file" not in text:
            continue
        directory = os.path.dirname(source) if unit.roots else unit.path
        for call in _file_calls(text):
            argument = _LITERAL_ARGUMENT.match(text, call.end())
            if argument is None:
                computed.add(directory)
                continue
            full = os.path.normpath(os.path.join(directory or ".", _PATH_PREFIX.sub("", argument.group(1))))
            try:
                with open(full, "rb") as handle:
                    data = handle.read(_MAX_READ + 1)
            except OSError:
                data = b"\0missing"
            out.append((full, data))
    for directory in sorted(computed):
        stats = _tree_stats(directory or ".")
        if stats is None:
            return None
        out.append(("\0tree " + directory, stats))
    return out


def _file_calls(text: str):
    """Each call of a file function: a name not preceded by a name character or a dot."""
    for call in _FILE_CALL.finditer(text):
        start = call.start()
        if not (start and _NAME_CHARACTER.match(text, start - 1)):
            yield call


def _tree_stats(top: str) -> bytes | None:
    lines: list[str] = []
    for directory, folders, files in os.walk(top):
        folders[:] = sorted(f for f in folders if f not in SKIP_DIRS and f != DIRECTORY_NAME)
        for name in sorted(files):
            path = os.path.join(directory, name)
            try:
                stat = os.stat(path)
            except OSError:
                continue
            lines.append(f"{path} {stat.st_size} {stat.st_mtime_ns}")
            if len(lines) > _MAX_TREE_FILES:
                return None
    return "\n".join(lines).encode("utf-8", "surrogatepass")


def _salt() -> bytes:
    import policylint

    parts = [f"format {FORMAT}", sys.version, getattr(policylint, "__version__", "")]
    # The parser libraries as installed (finding a module does not import it; importlib.metadata
    # would cost more than a warm scan): an upgrade rewrites the files, changing their stat.
    for name in _PARSER_MODULES:
        try:
            spec = _find_spec(name)
            origin = spec.origin if spec is not None else None
            stat = os.stat(origin) if origin else None
            parts.append(f"{name} {origin} {stat.st_size if stat else '-'} {stat.st_mtime_ns if stat else '-'}")
        except Exception:
            parts.append(f"{name} -")
    # The sources themselves: an edited checkout (or an editable install) never reads entries
    # written by other code.
    package = os.path.dirname(os.path.abspath(policylint.__file__))
    folders = [package, os.path.join(package, "parsers"), os.path.join(package, "policy")]
    parts += _file_stamps(folders, suffixes=(".py", ".json"))  # the policy grammar's schema too
    return "\n".join(parts).encode("utf-8", "surrogatepass")


def _rules_stamp() -> bytes:
    """The rules' sources (every file under ``policylint.rules``, by size and modification
    time): a scan's result depends on them, a parsed unit does not."""
    import policylint.rules as package  # only its docstring: the rules themselves stay unimported

    return "\n".join(_file_stamps(list(package.__path__), recursive=True)).encode("utf-8", "surrogatepass")


def _file_stamps(folders: list[str], recursive: bool = False, suffixes: tuple[str, ...] | None = None) -> list[str]:
    """``path size mtime`` of each file in ``folders`` (and, ``recursive``, their subfolders but
    ``__pycache__``) whose name ends with one of ``suffixes`` (None: every file), by name."""
    lines: list[str] = []
    folders = list(folders)  # grows while walking when recursive (the caller's list stays as it is)
    for folder in folders:  # a handful of folders
        try:
            with os.scandir(folder) as entries:
                for entry in sorted(entries, key=lambda e: e.name):
                    if entry.is_dir():
                        if recursive and entry.name != "__pycache__":
                            folders.append(entry.path)
                    elif suffixes is None or entry.name.endswith(suffixes):
                        stat = entry.stat()
                        lines.append(f"{entry.path} {stat.st_size} {stat.st_mtime_ns}")
        except OSError:
            lines.append(f"{folder} -")
    return lines


def _find_spec(name: str):
    """``importlib.util.find_spec`` for a top-level module, without importing importlib.util."""
    for finder in sys.meta_path:
        spec = getattr(finder, "find_spec", lambda *_: None)(name, None)
        if spec is not None:
            return spec
    return None


def _create_temporary(folder: str) -> tuple[int, str]:
    """A new file of our own beside the entries, as ``tempfile.mkstemp`` makes it (exclusive
    creation, mode 0600), without importing tempfile, shutil and random at every start."""
    for _ in range(100):
        path = os.path.join(folder, f".tmp-{os.getpid()}-{os.urandom(6).hex()}{_SUFFIX}")
        try:
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600), path
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {folder}")
