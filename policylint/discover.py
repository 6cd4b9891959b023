"""Which files a scan reads, and their text.

Directories are walked in a stable order, without recursion (any depth), without following
symbolic links to directories, and each directory once (so a loop through a bind mount or a
symlink given as an argument ends); the same file reached twice is read once.  Only regular files
are read: a FIFO, socket or device is skipped with a notice, checked on the opened descriptor so
that a symlink swapped in after the check is never read either.  Nothing here knows a format
beyond file extensions (which files must be readable and which may be skipped): what a file is,
is decided by :func:`policylint.parsers.detect`.
"""

from __future__ import annotations

import fnmatch
import os
import stat

from policylint.model import ParseError
from policylint.parsers import TERRAFORM_EXTENSIONS, YAML_EXTENSIONS

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Sequence

SKIP_DIRS = {".git", ".terraform", "node_modules", ".hg", ".svn", "__pycache__", ".venv", ".tox", ".policylint_cache"}
MAX_TEXT_BYTES = 2 * 1024 * 1024
BINARY_EXTENSIONS = {
    ".png", ".jpg", ".jpeg", ".gif", ".ico", ".pdf", ".zip", ".gz", ".tgz", ".bz2", ".xz", ".jar",
    ".whl", ".pyc", ".so", ".dll", ".exe", ".bin", ".woff", ".woff2", ".ttf", ".otf", ".mp3",
    ".mp4", ".mov", ".db", ".sqlite", ".lock",
}



def _excluded(path: str, patterns: Sequence[str]) -> bool:
    normalized = path.replace(os.sep, "/")
    name = os.path.basename(normalized)
    for pattern in patterns:
        pattern = pattern.rstrip("/") or pattern  # `legacy/` names a directory, as in .gitignore
        if fnmatch.fnmatch(normalized, pattern) or fnmatch.fnmatch(name, pattern):
            return True
        if fnmatch.fnmatch(normalized, f"*/{pattern}") or fnmatch.fnmatch(normalized, f"{pattern}/*") or fnmatch.fnmatch(normalized, f"*/{pattern}/*"):
            return True
    return False


def discover(paths: Sequence[str], exclude: Sequence[str] = ()) -> tuple[list[str], list[ParseError]]:
    """Files under ``paths`` in a stable order, as reached from the arguments, and the errors
    (a missing path, a directory that cannot be listed)."""
    files: list[str] = []
    errors: list[ParseError] = []
    walked: set[tuple[int, int]] = set()
    for path in paths:
        if os.path.isdir(path):
            files.extend(_walk(path, exclude, walked, errors))
        elif os.path.lexists(path):  # a file, a dangling symlink, a FIFO...: read_text decides
            if not _excluded(path, exclude):
                files.append(os.path.normpath(path))
        else:
            errors.append(ParseError(path, None, "no such file or directory", kind="unreadable"))
    # The same file reached twice (`scan infra ./infra`, a symlink, a hard link) is scanned once.
    seen: set[object] = set()
    unique = []
    for f in files:
        key = _identity(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, errors


def _identity(path: str) -> object:
    try:
        info = os.stat(path)
    except OSError:  # dangling or looping symlink: read_text reports it
        return os.path.abspath(path)
    return (info.st_dev, info.st_ino)


def _walk(top: str, exclude: Sequence[str], walked: set[tuple[int, int]], errors: list[ParseError]) -> list[str]:
    """The files under ``top`` in the order of a top-down ``os.walk`` (each directory's files by
    name, then its subdirectories by name), with an explicit stack instead of recursion."""
    out: list[str] = []
    stack = [top]
    while stack:
        directory = stack.pop()
        try:
            info = os.stat(directory)
            if (info.st_dev, info.st_ino) in walked:
                continue  # reached twice (an argument repeated, or a loop): walked once
            walked.add((info.st_dev, info.st_ino))
            with os.scandir(directory) as listing:
                entries = list(listing)
        except OSError as exc:
            errors.append(ParseError(os.path.normpath(directory), None, f"cannot read the directory: {exc.strerror or exc}", kind="unreadable"))
            continue
        subdirectories = []
        assembly = _cloud_assembly(directory, entries)
        for entry in sorted(entries, key=lambda e: e.name):
            if assembly and _cdk_bookkeeping(entry.name):
                continue
            full = os.path.join(directory, entry.name)
            try:
                is_directory = entry.is_dir()  # follows a symlink, as os.walk lists it ...
                is_link = is_directory and entry.is_symlink()  # ... but does not descend into it
            except OSError:
                is_directory = is_link = False
            if is_directory:
                if not is_link and entry.name not in SKIP_DIRS and not _excluded(full, exclude):
                    subdirectories.append(full)
            elif not _excluded(os.path.normpath(full), exclude):
                out.append(os.path.normpath(full))
        stack.extend(reversed(subdirectories))
    return out


# A CDK cloud assembly (`cdk synth` output, `cdk.out/`): its `*.template.json` files are scanned;
# the manifests, the construct tree and the bundled assets (code, Docker contexts) are not templates.
_CDK_FILES = ("manifest.json", "tree.json", "cdk.out")


def _cloud_assembly(directory: str, entries) -> bool:
    names = {entry.name for entry in entries}
    return "manifest.json" in names and ("cdk.out" in names or "tree.json" in names or os.path.basename(os.path.normpath(directory)) == "cdk.out")


def _cdk_bookkeeping(name: str) -> bool:
    return name in _CDK_FILES or name.endswith(".assets.json") or name.startswith("asset.")


def with_module_context(files: Sequence[str], exclude: Sequence[str] = ()) -> list[str]:
    """``files`` plus the other Terraform files of each one's directory (its module), so that
    references across files resolve when only some files of a module are scanned (pre-commit)."""
    out = list(files)
    seen = set(out)
    for directory in sorted({os.path.dirname(f) for f in files if f.lower().endswith(TERRAFORM_EXTENSIONS)}):
        try:
            names = sorted(os.listdir(directory or "."))
        except OSError:
            continue
        for name in names:
            path = os.path.normpath(os.path.join(directory, name))
            if name.lower().endswith(TERRAFORM_EXTENSIONS) and path not in seen and os.path.isfile(path) and not _excluded(path, exclude):
                seen.add(path)
                out.append(path)
    return out


IAC_EXTENSIONS = TERRAFORM_EXTENSIONS + YAML_EXTENSIONS + (".json",)
MAX_IAC_BYTES = 256 * 1024 * 1024  # plans of large estates run to hundreds of MB
DEFAULT_MAX_FILE_SIZE = MAX_IAC_BYTES  # `--max-file-size`
_CHUNK = 1024 * 1024


class Unreadable(Exception):
    """An infrastructure file that cannot be read as text: reported, never skipped silently."""


class Skipped(Exception):
    """A path that is not a regular file (a FIFO, socket or device): not read, with a notice."""


def size_text(size: int) -> str:
    """``268435456`` → ``256 MiB``; sizes that are not whole MiB or KiB in bytes."""
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size:,} bytes"


def parse_size(text: str) -> int:
    """``--max-file-size``: bytes, or a number with ``K``/``M``/``G`` (binary: ``KiB``, ``MiB``,
    ``GiB``; the ``i``, ``B`` and case are optional).  Raises ValueError."""
    import re

    match = re.fullmatch(r"\s*(\d{1,15})\s*(?:([kmg])(?:i?b)?|b)?\s*", text, re.IGNORECASE)
    if not match:
        raise ValueError(f"`{text}` is not a size (examples: 500000, 64M, 1G)")
    number = int(match.group(1))
    factor = {"k": 1024, "m": 1024**2, "g": 1024**3}.get((match.group(2) or "").lower(), 1)
    if number * factor < 1:
        raise ValueError("the size must be at least 1 byte")
    return number * factor


_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a directory"))


def _not_regular(mode: int) -> str | None:
    """What a non-regular file is, for the notice; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def open_regular(path: str) -> tuple[int, os.stat_result]:
    """A descriptor open for reading on ``path`` and its stat, only for a regular file: the type
    is checked before opening (so that no device is even opened) and again on the descriptor
    (opened non-blocking, so that a FIFO swapped in between cannot block).  Raises
    :class:`Skipped` for anything else, OSError when the file cannot be opened."""
    kind = _not_regular(os.stat(path).st_mode)
    if kind:
        raise Skipped(f"skipped: {kind}, not a regular file")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    try:
        info = os.fstat(descriptor)
        kind = _not_regular(info.st_mode)
        if kind:
            raise Skipped(f"skipped: {kind}, not a regular file")
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor, info


def _read_bounded(path: str, limit: int) -> bytes | int:
    """The file's bytes, or its size (at least ``limit + 1``) when it is larger than ``limit``.
    Only a regular file is read (:func:`open_regular`), and the read stops after ``limit + 1``
    bytes whatever the file claims."""
    descriptor, info = open_regular(path)
    try:
        if info.st_size > limit:
            return info.st_size
        chunks = []
        total = 0
        while total <= limit:
            chunk = os.read(descriptor, min(_CHUNK, limit + 1 - total) or 1)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            return total
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def read_text(path: str, max_file_size: int = DEFAULT_MAX_FILE_SIZE) -> str | None:
    """The file as text; None for files that are not worth scanning (binary, or large files that
    are not infrastructure code).  Raises :class:`Unreadable` for an infrastructure file (by its
    extension) that cannot be read, is larger than ``max_file_size`` bytes or cannot be decoded,
    and for any file that we lack the permission to read, so that the scan says so; and
    :class:`Skipped` for a FIFO, socket or device (any extension)."""
    iac = path.lower().endswith(IAC_EXTENSIONS)
    if os.path.splitext(path)[1].lower() in BINARY_EXTENSIONS:
        return None
    limit = max_file_size if iac else min(MAX_TEXT_BYTES, max_file_size)
    try:
        raw = _read_bounded(path, limit)
    except OSError as exc:
        # Any file we may not read is an error (it may hold a credential); other text files
        # that are gone or loop (a dangling symlink) are skipped quietly.
        if iac or isinstance(exc, PermissionError):
            raise Unreadable(f"cannot read the file: {exc.strerror or exc}") from None
        return None
    if isinstance(raw, int):
        if iac:
            raise Unreadable(f"file is larger than the size limit ({size_text(max_file_size)}); not scanned (raise it with `--max-file-size`)")
        return None
    if iac and raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a byte-order mark (Windows editors)
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in raw:
        if iac:
            raise Unreadable("file is not text (it contains NUL bytes)")
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if iac:
            line = raw[: exc.start].count(b"\n") + 1
            raise Unreadable(f"not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}); save the file as UTF-8") from None
        return None
