"""Which files a scan reads, and their text.

Directories are walked in a stable order; the same file reached twice is read once.  Nothing
here knows a format beyond file extensions (which files must be readable and which may be
skipped): what a file is, is decided by :func:`policylint.parsers.detect`.
"""

from __future__ import annotations

import fnmatch
import os
from typing import Sequence

from policylint.model import ParseError
from policylint.parsers import TERRAFORM_EXTENSIONS, YAML_EXTENSIONS

SKIP_DIRS = {".git", ".terraform", "node_modules", ".hg", ".svn", "__pycache__", ".venv", ".tox"}
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
        if fnmatch.fnmatch(normalized, pattern) or fnmatch.fnmatch(name, pattern):
            return True
        if fnmatch.fnmatch(normalized, f"*/{pattern}") or fnmatch.fnmatch(normalized, f"{pattern}/*") or fnmatch.fnmatch(normalized, f"*/{pattern}/*"):
            return True
    return False


def discover(paths: Sequence[str], exclude: Sequence[str] = ()) -> tuple[list[str], list[ParseError]]:
    """Files under ``paths`` in a stable order, as reached from the arguments."""
    files: list[str] = []
    errors: list[ParseError] = []
    for path in paths:
        if os.path.isfile(path):
            if not _excluded(path, exclude):
                files.append(os.path.normpath(path))
            continue
        if not os.path.isdir(path):
            errors.append(ParseError(path, None, "no such file or directory", kind="unreadable"))
            continue
        for root, dirs, names in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not _excluded(os.path.join(root, d), exclude))
            for name in sorted(names):
                full = os.path.normpath(os.path.join(root, name))
                if not _excluded(full, exclude):
                    files.append(full)
    # The same file reached twice (`scan infra ./infra`, a symlink) is scanned once.
    seen: set[str] = set()
    unique = [f for f in files if not (os.path.realpath(f) in seen or seen.add(os.path.realpath(f)))]
    return unique, errors


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


class Unreadable(Exception):
    """An infrastructure file that cannot be read as text: reported, never skipped silently."""


def read_text(path: str) -> str | None:
    """The file as text; None for files that are not worth scanning (binary, or large files that
    are not infrastructure code).  Raises :class:`Unreadable` for an infrastructure file (by its
    extension) that cannot be read or decoded, so that the scan says so."""
    iac = path.lower().endswith(IAC_EXTENSIONS)
    if os.path.splitext(path)[1].lower() in BINARY_EXTENSIONS:
        return None
    try:
        size = os.path.getsize(path)
        if size > (MAX_IAC_BYTES if iac else MAX_TEXT_BYTES):
            if iac:
                raise Unreadable(f"file is larger than {MAX_IAC_BYTES // (1024 * 1024)} MiB; not scanned")
            return None
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        if iac:
            raise Unreadable(f"cannot read the file: {exc.strerror or exc}") from None
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
