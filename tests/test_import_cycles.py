"""No two modules of matchmaker import each other, directly or through others.

The graph is grimp's (the library import-linter is built on): every import statement of
the package, those inside functions too. Imports under `if TYPE_CHECKING:` are left out:
they never run, and two models related both ways name each other's class there for the
type checker.
"""
from __future__ import annotations

from collections import deque

import grimp
import pytest

PACKAGE = "matchmaker"


pytestmark = pytest.mark.database_independent


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(PACKAGE, cache_dir=None, exclude_type_checking_imports=True)


def strongly_connected(modules: set[str], imports: dict[str, set[str]]) -> list[set[str]]:
    """The groups of two or more modules that reach each other (Tarjan's algorithm, without
    recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    for root in sorted(modules):
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(sorted(imports[root])))]
        while work:
            module, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(imports[successor]))))
                    break
                if successor in on_stack:
                    low[module] = min(low[module], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[module])
                if low[module] == index[module]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == module:
                            break
                    if len(group) > 1:
                        groups.append(group)
    return groups


def shortest_cycle(start: str, group: set[str], imports: dict[str, set[str]]) -> list[str]:
    """start -> ... -> start, through modules of `group` only."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        module = queue.popleft()
        for successor in sorted(imports[module] & group):
            if successor == start:
                path = [module]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if successor not in came_from:
                came_from[successor] = module
                queue.append(successor)
    raise AssertionError(f"{start} is in no cycle of {sorted(group)}")


def describe(cycle: list[str], graph: grimp.ImportGraph) -> str:
    lines = []
    for importer, imported in zip(cycle, cycle[1:]):
        details = graph.get_import_details(importer=importer, imported=imported)
        where = ", ".join(f"line {d['line_number']}: {d['line_contents']}" for d in details)
        lines.append(f"  {importer} -> {imported} ({where})")
    return "\n".join(lines)


def import_cycles(graph: grimp.ImportGraph) -> list[str]:
    modules = set(graph.modules)
    imports = {m: set(graph.find_modules_directly_imported_by(m)) for m in modules}
    groups = strongly_connected(modules, imports)
    return [f"{', '.join(sorted(group))}:\n" + describe(shortest_cycle(min(group), group, imports),
                                                        graph)
            for group in sorted(groups, key=min)]


def test_matchmaker_has_no_import_cycle(graph):
    cycles = import_cycles(graph)
    assert not cycles, "Import cycles (one cycle shown per group of modules):\n" + "\n".join(
        cycles)


def test_the_graph_holds_imports_inside_functions(graph):
    # `matchmaker.cli` imports the demo inside its seed command only.
    details = graph.get_import_details(importer="matchmaker.cli", imported="matchmaker.demo")
    assert details and all(d["line_contents"].startswith("from .demo import") for d in details)


def test_a_cycle_is_found_and_shown_with_its_lines():
    graph = grimp.ImportGraph()
    for module in ("pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.d"):
        graph.add_module(module)
    for importer, imported, line in (("pkg.a", "pkg.b", 3), ("pkg.b", "pkg.c", 4),
                                     ("pkg.c", "pkg.a", 5), ("pkg.d", "pkg.a", 6)):
        graph.add_import(importer=importer, imported=imported, line_number=line,
                         line_contents=f"from . import {imported[4:]}")
    cycles = import_cycles(graph)
    assert len(cycles) == 1
    assert cycles[0].startswith("pkg.a, pkg.b, pkg.c:")
    assert "pkg.c -> pkg.a (line 5: from . import a)" in cycles[0]
    assert "pkg.d" not in cycles[0]
