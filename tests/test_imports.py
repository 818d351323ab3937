"""The package's import structure: no module-level import cycles; a light ``import gwsim``.

The graph has an edge a → b when module a imports module b at import time: import statements at
module level, in module-level ``if``/``try``/``with``/loop blocks and class bodies, but not under
``if TYPE_CHECKING:`` nor inside functions (lazy imports; a second check, expected to fail until
issue 11's modules land, counts those too). ``from p import name`` points to the module ``p.name``
when that is a module, else to ``p``; importing ``p.q`` adds no edge to ``p`` (parents run first,
but a cycle through them shows as an explicit import somewhere).
"""

import ast
import importlib.util
import pkgutil
import subprocess
import sys
from pathlib import Path

import gwsim

REPO = Path(__file__).resolve().parent.parent


def package_modules() -> dict[str, Path]:
    """Every module of the gwsim package (packages as their ``__init__``) and its source file."""
    modules = {"gwsim": Path(gwsim.__file__)}
    for info in pkgutil.walk_packages(gwsim.__path__, prefix="gwsim."):
        modules[info.name] = Path(importlib.util.find_spec(info.name).origin)
    return modules


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def import_statements(body: list[ast.stmt], lazy: bool = False):
    """Import statements that run when the module is imported (see the module docstring); with
    ``lazy``, also those inside functions."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not is_type_checking(node.test):
                yield from import_statements(node.body, lazy)
            yield from import_statements(node.orelse, lazy)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                yield from import_statements(block, lazy)
        elif isinstance(node, ast.With | ast.ClassDef | ast.For | ast.While):
            yield from import_statements(node.body, lazy)
        elif lazy and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from import_statements(node.body, lazy)


def imported_modules(name: str, path: Path, modules: dict[str, Path], lazy: bool) -> set[str]:
    """The gwsim modules that module ``name`` (source ``path``) imports at import time (with
    ``lazy``, also inside its functions)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in import_statements(ast.parse(path.read_text(), str(path)).body, lazy):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            parts = package.split(".")
            anchor = ".".join(parts[: len(parts) - node.level + 1])
            base = f"{anchor}.{base}" if base else anchor
        for alias in node.names:
            found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return {m for m in found if m in modules}


def import_graph(lazy: bool = False) -> dict[str, set[str]]:
    modules = package_modules()
    return {name: imported_modules(name, path, modules, lazy) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (a → … → a) through each strongly connected group of modules (Tarjan)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while v not in group:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
            if len(group) > 1 or v in graph[v]:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [cycle_through(graph, group) for group in groups]


def cycle_through(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest cycle from the group's first module back to itself, inside the group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for v in frontier:
            for w in sorted(graph[v] & group):
                if w == start:
                    return [*paths[v], start]
                if w not in paths:
                    paths[w] = [*paths[v], w]
                    following.append(w)
        frontier = following
    raise AssertionError(f"no cycle in {group}")


def test_cycle_finder_reports_the_path():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert sorted(cycles(graph)) == [["a", "b", "c", "a"], ["e", "e"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_graph_sees_module_level_imports_only():
    graph, with_lazy = import_graph(), import_graph(lazy=True)
    assert "gwsim.errors" in graph["gwsim"]
    assert graph.keys() == with_lazy.keys() and len(graph) > 20
    assert all(graph[m] <= with_lazy[m] for m in graph)
    assert graph != with_lazy


def test_no_import_cycles():
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" → ".join(c) for c in found)


def test_no_import_cycles_through_lazy_imports():
    """Imports inside functions hide a cycle from import time but not from the reader."""
    found = cycles(import_graph(lazy=True))
    assert not found, "import cycles:\n" + "\n".join(" → ".join(c) for c in found)


def test_import_gwsim_does_not_load_matplotlib():
    code = "import sys, gwsim; print(sorted(m for m in sys.modules if m.startswith('matplotlib')))"
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert proc.stdout.strip() == "[]"
