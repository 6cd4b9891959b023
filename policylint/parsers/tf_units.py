"""Which Terraform directories form one unit, found without parsing.

A root module is a scanned directory that no other scanned directory calls through a local
``module`` source; its unit also holds every directory its calls reach (read from disk when the
scan did not include them) and the modules ``terraform init`` downloaded for it
(``.terraform/modules/modules.json``).  A module called by another scanned directory is judged
only through its callers.  The calls are found with a pattern here; the parser
(:mod:`~policylint.parsers.tf_modules`) then reads them exactly, so a call this pattern misses
only costs that child's files in the unit (it is then unknown), never a wrong value.
"""

from __future__ import annotations

import json
import os

from policylint.patterns import lazy

MODULES_JSON = os.path.join(".terraform", "modules", "modules.json")


def is_downloaded(path: str) -> bool:
    """Whether ``path`` lies under a ``.terraform`` directory (code ``terraform init`` fetched)."""
    return ".terraform" in path.replace("\\", "/").split("/")


def canonical(directory: str) -> str:
    """A directory as units and sources name it: normalised, the current one as ``""``."""
    normal = os.path.normpath(directory) if directory else ""
    return "" if normal == "." else normal


def local_source(source: str) -> bool:
    return source.startswith(("./", "../")) or source in (".", "..")


def downloaded_dirs(root: str, text: str) -> dict[str, str]:
    """``modules.json`` of ``root``: call key (``a.b``) -> directory; empty when unreadable."""
    try:
        entries = json.loads(text).get("Modules")
    except (ValueError, AttributeError):
        return {}
    out: dict[str, str] = {}
    for entry in entries if isinstance(entries, list) else ():
        if isinstance(entry, dict) and isinstance(entry.get("Key"), str) and isinstance(entry.get("Dir"), str) and entry["Key"]:
            out[entry["Key"]] = canonical(os.path.join(root, entry["Dir"]))
    return out


# A module call's literal source, found without parsing (the parser reads the calls exactly).
_MODULE_HEADER = lazy(r'module[ \t]+"[^"\n]*"[ \t]*\{')  # at the start of a line, after indentation
_MODULE_SOURCE = lazy(r'(?:^|[\s{])source[ \t]*=[ \t]*"([^"\n]*)"')
MAX_UNIT_DIRECTORIES = 500  # module directories gathered into one unit
MAX_MODULE_FILE = 8 * 1024 * 1024  # a module file read from disk (not scanned) larger than this is left out


def _module_sources(files: list[tuple[str, str]]) -> list[str]:
    sources = []
    for path, text in files:
        if "module" not in text or not path.lower().endswith(".tf"):
            continue
        for header_end in _module_headers(text):
            end = text.find("\n}", header_end)
            found = _MODULE_SOURCE.search(text, header_end, len(text) if end < 0 else end)
            if found:
                sources.append(found.group(1))
    return sources


def _module_headers(text: str):
    """Where each line ``module "name" {`` ends.  A multi-line ``^`` pattern would try every
    position of the text; the word is looked for first, and its indentation checked."""
    position = 0
    while True:
        found = text.find("module", position)
        if found < 0:
            return
        start = found
        while start and text[start - 1] in " \t":  # only the indentation: each space once in all
            start -= 1
        header = _MODULE_HEADER.match(text, found) if start == 0 or text[start - 1] == "\n" else None
        position = header.end() if header else found + 6
        if header:
            yield position


def roots(modules: dict[str, list[tuple[str, str]]]) -> list[tuple[tuple[str, ...], tuple[tuple[str, str], ...]]]:
    """(roots, sources) of each Terraform unit.  A root of ``modules`` (directory -> scanned
    files) is a directory that no other scanned directory calls, or, in a cycle of calls, its
    first directory; roots that call a common directory share a unit.  A unit holds the root's files, those of each directory its local calls
    reach (read from disk when not scanned) and of the modules ``terraform init`` downloaded for
    it, so that its cache key covers all it reads."""
    scanned = {canonical(directory): files for directory, files in modules.items()}
    named = {canonical(directory): directory for directory in modules}
    calls = {d: [canonical(os.path.join(d, s)) for s in _module_sources(files) if local_source(s)] for d, files in scanned.items()}
    called = {child for d, children in calls.items() for child in children if child != d and child in scanned}
    reached: set[str] = set()
    loaded: dict[str, list[tuple[str, str]]] = {}

    def gather(root: str) -> list[tuple[str, str]]:
        sources = list(scanned[root])
        order, seen = [root], {root}
        downloaded = _read_small(os.path.join(root, MODULES_JSON))
        if downloaded is not None:
            sources.append((os.path.join(named[root], MODULES_JSON), downloaded))
            for directory in downloaded_dirs(root, downloaded).values():
                if directory not in seen:
                    seen.add(directory)
                    order.append(directory)
        index = 0
        while index < len(order) and index < MAX_UNIT_DIRECTORIES:
            directory = order[index]
            index += 1
            if directory != root:
                files = scanned.get(directory)
                if files is None:
                    files = loaded.get(directory)
                    if files is None:
                        files = loaded[directory] = _read_module(directory)
                sources.extend(files)
                reached.add(directory)
                children = calls.get(directory)
                if children is None:
                    children = calls[directory] = [canonical(os.path.join(directory, s)) for s in _module_sources(files) if local_source(s)]
            else:
                children = calls[root]
            for child in children:
                if child not in seen:
                    seen.add(child)
                    order.append(child)
        return sources

    closures: list[tuple[str, list[tuple[str, str]]]] = []
    for root in [d for d in scanned if d not in called]:
        reached.add(root)
        closures.append((root, gather(root)))
    for root in scanned:  # directories that only call one another: the first is a root
        if root not in reached:
            reached.add(root)
            closures.append((root, gather(root)))
    return _merged(closures, named)


def _merged(closures: list[tuple[str, list[tuple[str, str]]]], named: dict[str, str]) -> list[tuple[tuple[str, ...], tuple[tuple[str, str], ...]]]:
    """Roots that share a module directory (the examples of one module) in one unit, so that
    each file is parsed once; in the order of their first root."""
    owner: dict[str, int] = {}  # file -> index of the group holding it
    parent = list(range(len(closures)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for index, (_, sources) in enumerate(closures):
        for path, _ in sources:
            other = owner.setdefault(path, index)
            if other != index:
                a, b = find(other), find(index)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    groups: dict[int, tuple[list[str], dict[str, str]]] = {}
    for index, (root, sources) in enumerate(closures):
        roots, files = groups.setdefault(find(index), ([], {}))
        roots.append(named[root])
        for path, text in sources:
            files.setdefault(path, text)
    return [(tuple(roots), tuple(files.items())) for roots, files in groups.values()]


def _read_small(path: str) -> str | None:
    try:
        if os.path.getsize(path) > MAX_MODULE_FILE:
            return None
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, ValueError):
        return None


def _read_module(directory: str) -> list[tuple[str, str]]:
    """The ``.tf`` files of a module directory that the scan did not include; none when missing."""
    try:
        names = sorted(os.listdir(directory or "."))
    except OSError:
        return []
    files = []
    for name in names:
        path = os.path.join(directory, name)
        if name.lower().endswith(".tf") and os.path.isfile(path):
            text = _read_small(path)
            if text is not None:
                files.append((path, text))
    return files
