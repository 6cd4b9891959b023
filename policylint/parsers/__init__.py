"""The parser registry: what a file is, how files group into units, and one way to parse a unit.

A unit is what one parser call reads: a CloudFormation template, a plan or a policy file, or a
Terraform module directory (all its ``.tf``/``.tfvars`` files, evaluated together).  Every parser
module exposes ``parse_unit(unit) -> Document``; parser modules are imported only when a unit of
their format is found, to keep start-up lean.  Format detection lives here and nowhere else.
"""

from __future__ import annotations

import os
import re

from policylint.model import Document, ParseError, TextFile
from policylint.patterns import lazy
from policylint.records import record

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Callable, Iterable, Sequence

# format -> parser module under policylint.parsers
PARSERS = {"cloudformation": "cloudformation", "terraform": "terraform", "plan": "plan", "policy": "policy_json"}

TERRAFORM_EXTENSIONS = (".tf", ".tfvars")
TERRAFORM_JSON_EXTENSIONS = (".tf.json", ".tfvars.json")  # Terraform JSON syntax, read like .tf
YAML_EXTENSIONS = (".yaml", ".yml", ".template")

_CFN_TOP_KEY = lazy(r"^(AWSTemplateFormatVersion|Resources|Transform)\s*:", re.MULTILINE)
_JSON_KEYS = {
    key: lazy(rf'"{key}"\s*:')
    for key in ("AWSTemplateFormatVersion", "Resources", "planned_values", "format_version", "terraform_version", "resource_changes", "Statement")
}
# A policy whose `Statement` key is misspelt is still a policy (PL204 reports the spelling).
_POLICY_VERSION = lazy(r'"Version"\s*:\s*"20(?:12|08)-10-17"')


def detect(path: str, text: str) -> str:
    """The format of a file: terraform, cloudformation, plan, policy, or text (read by rules
    that look at any text, such as the credentials finder).

    A template is recognised by its contents whatever its syntax, under any template extension
    (``.template``, ``.json``, ``.yaml``, ``.yml``, and so ``.cfn.json``, ``.template.json``...):
    AWS's classic samples are JSON saved as ``.template``, and JSON is valid YAML."""
    lower = path.lower()
    if lower.endswith(TERRAFORM_EXTENSIONS + TERRAFORM_JSON_EXTENSIONS):
        return "terraform"
    if lower.endswith(".json") or lower.endswith(YAML_EXTENSIONS):
        if looks_like_json(text) or (lower.endswith(".json") and not _CFN_TOP_KEY.search(text)):
            kind = _json_kind(text)
            # Plans and policies are JSON files; elsewhere only a template is worth parsing.
            return kind if lower.endswith(".json") or kind == "cloudformation" else "text"
        return "cloudformation" if _CFN_TOP_KEY.search(text) else "text"
    return "text"


def looks_like_json(text: str) -> bool:
    """Whether a file is written in JSON (an object), not in YAML's block style."""
    return text.lstrip(" \t\r\n\ufeff")[:1] == "{"


def _json_kind(text: str) -> str:
    has = _has_json_key
    if has(text, "planned_values") or has(text, "resource_changes") or (has(text, "format_version") and has(text, "terraform_version")):
        return "plan"
    if has(text, "Resources") or has(text, "AWSTemplateFormatVersion"):
        return "cloudformation"
    if has(text, "Statement") or _POLICY_VERSION.search(text):
        return "policy"
    return "text"


def _has_json_key(text: str, key: str) -> bool:
    """Whether ``"key":`` is in the text: looked for as a plain string first (a key is mostly
    absent, and ``in`` skips through text faster than a search for any of the keys)."""
    return f'"{key}"' in text and _JSON_KEYS[key].search(text) is not None


@record(frozen=True)
class Unit:
    """One parser call's input.  ``path`` is the file, or the Terraform module directory;
    ``sources`` the (path, text) of each file in it."""

    format: str
    path: str
    sources: tuple[tuple[str, str], ...]
    # CloudFormation parameter values given by the user (`--parameter KEY=VALUE`), by name.
    parameters: tuple[tuple[str, str], ...] = ()
    # Terraform: the ``-var-file`` files (path, text) applied to a root module after its tfvars,
    # and the root modules among the unit's directories (those of the files in ``sources``).
    var_files: tuple[tuple[str, str], ...] = ()
    roots: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The text of a one-file unit."""
        return self.sources[0][1]

    @property
    def size(self) -> int:
        return sum(len(text) for _, text in self.sources)


def units(texts: Iterable[TextFile], parameters: Sequence[tuple[str, str]] = (), var_files: Sequence[tuple[str, str]] = ()) -> list[Unit]:
    """The units to parse, in the order of ``texts``: one per template (with the nested stacks it
    includes), plan or policy file, then one per Terraform root module: a directory that no
    scanned directory calls, with every directory its module calls reach (see
    :func:`policylint.parsers.tf_units.roots`).  ``parameters`` go to every template,
    ``var_files`` to every Terraform root."""
    texts = list(texts)
    out: list[Unit] = []
    modules: dict[str, list[tuple[str, str]]] = {}
    # A template with nested stacks is one unit with their templates; a child is not a unit alone.
    templates = [(t.path, t.text) for t in texts if t.format == "cloudformation"]
    stack_trees = {}
    if templates:  # the module costs a Terraform-only scan's start otherwise
        from policylint.parsers import cfn_stacks

        stack_trees = {tree[0][0]: tree for tree in cfn_stacks.group(templates)}
    for text_file in texts:
        if text_file.format == "terraform":
            modules.setdefault(os.path.dirname(text_file.path), []).append((text_file.path, text_file.text))
        elif text_file.format == "cloudformation":
            if text_file.path in stack_trees:
                out.append(Unit(text_file.format, text_file.path, stack_trees[text_file.path], parameters=tuple(parameters)))
        elif text_file.format in PARSERS:
            out.append(Unit(text_file.format, text_file.path, ((text_file.path, text_file.text),)))
    if modules:  # (tf_units and the json it imports cost a template scan's start otherwise)
        from policylint.parsers import tf_units

        var_files = tuple(var_files)
        out.extend(Unit("terraform", roots[0], sources, var_files=var_files, roots=roots) for roots, sources in tf_units.roots(modules))
    return out


def parse(unit: Unit) -> Document:
    """The unit's Document; a parser that raises gives an internal error, never a traceback."""
    try:
        parser = __import__(f"policylint.parsers.{PARSERS[unit.format]}", fromlist=["parse_unit"])  # (not importlib: one module less at start)
        return parser.parse_unit(unit)
    except Exception as exc:  # a parser bug must not end the scan
        return Document(unit.format, errors=[ParseError(unit.path, None, f"internal error while parsing: {exc!r}", kind="internal")])


def _ignore_sigint() -> None:
    """Worker processes leave Ctrl-C to the main process, which stops them (no traceback from
    each worker, and no worker left parsing after the scan ended)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop_workers(pool) -> None:
    """Cancel what has not started and end the running workers without waiting for them."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # shutdown forgets them
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()


def parse_all(todo: Sequence[Unit], jobs: int = 1, progress: Callable[[int, int], None] | None = None) -> list[Document]:
    """The Documents of ``todo`` in its order.  With ``jobs`` > 1 the parsing runs in that many
    processes, with the same result as a serial run.  ``progress(done, total)`` is called after
    each unit."""
    total = len(todo)
    if jobs > 1 and total > 1:
        import pickle
        from concurrent.futures import ProcessPoolExecutor, as_completed
        from concurrent.futures.process import BrokenProcessPool

        try:
            with ProcessPoolExecutor(max_workers=min(jobs, total), initializer=_ignore_sigint) as pool:
                try:
                    # Largest units first keeps the workers evenly busy; the documents are then
                    # taken in the original order, so the result is the serial one.
                    order = sorted(range(total), key=lambda i: -todo[i].size)
                    futures = {i: pool.submit(parse, todo[i]) for i in order}
                    for done, _ in enumerate(as_completed(futures.values()), start=1):
                        if progress:
                            progress(done, total)
                    return [futures[i].result() for i in range(total)]
                except BaseException:  # Ctrl-C (or any failure): stop the workers now
                    _stop_workers(pool)
                    raise
        except (BrokenProcessPool, pickle.PickleError, OSError, TypeError, AttributeError):
            # No processes on this platform, or a document that cannot be pickled back (parser
            # errors never get here: parse turns them into ParseErrors).  Parse serially.
            pass
    documents = []
    for unit in todo:
        documents.append(parse(unit))
        if progress:
            progress(len(documents), total)
    return documents
