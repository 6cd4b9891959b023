"""The import layers of docs/ARCHITECTURE.md, checked from the source (no module is imported).

Every ``import`` counts, at the top of a module or inside a function: a lazy import is still a
dependency, only a cheaper one.  ``if TYPE_CHECKING:`` imports are for type hints and are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "policylint"
RULES = ROOT / "rules"


def module_name(path: Path) -> str:
    if path.is_relative_to(RULES):
        parts = ("policylint", "rules", *path.relative_to(RULES).with_suffix("").parts)
    else:
        parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _type_checking_block(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def imports_of(path: Path) -> set[str]:
    """The project modules ``path`` imports (``from a import b`` counts as ``a.b`` when that is a
    module, else ``a``)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if _type_checking_block(node):
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {name for name in found if name in MODULES}


MODULES = {module_name(p): p for p in [*PACKAGE.rglob("*.py"), *RULES.rglob("*.py")]}
GRAPH = {name: imports_of(path) - {name} for name, path in MODULES.items()}


def under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def violations(source: str, forbidden: str) -> list[str]:
    return [f"{m} imports {i}" for m in sorted(GRAPH) if under(m, source) for i in sorted(GRAPH[m]) if under(i, forbidden)]


def test_graph_is_read():
    assert "policylint.rules.s3.logging_loop" in GRAPH and "policylint.engine" in GRAPH
    assert "policylint.model" in GRAPH["policylint.rule"]


def test_rules_import_no_parser_and_no_other_rule():
    problems = violations("policylint.rules", "policylint.parsers")
    for module, imported in GRAPH.items():
        if under(module, "policylint.rules"):
            problems += [f"{module} imports {i}" for i in imported if under(i, "policylint.rules") and i != "policylint.rules"]
    assert not problems


def test_parsers_import_no_rule():
    assert not violations("policylint.parsers", "policylint.rules")


def test_reporters_import_no_parser_and_no_engine():
    assert not violations("policylint.reporters", "policylint.parsers")
    assert not violations("policylint.reporters", "policylint.engine")


def test_policy_layer_imports_no_scan_and_no_parser():
    assert not violations("policylint.policy", "policylint.scan")
    assert not violations("policylint.policy", "policylint.parsers")


def test_model_imports_nothing_of_the_project():
    """Except :mod:`policylint.records`, its class decorator, which imports nothing itself."""
    assert GRAPH["policylint.model"] <= {"policylint.records"}
    assert not GRAPH["policylint.records"]


def test_no_import_cycle():
    """Inside ``policylint`` (rules excluded: they are leaves by the tests above)."""
    graph = {m: {i for i in deps if not under(i, "policylint.rules")} for m, deps in GRAPH.items() if not under(m, "policylint.rules")}
    state: dict[str, int] = {}  # 1 visiting, 2 done
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)
