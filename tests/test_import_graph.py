"""Data flows one way (DESIGN §7): no module of motionsim imports, directly or not, a module that imports it
back, and no subpackage (io, model, evaluate...) does so either. Checked on the static import graph (grimp),
which includes imports inside functions.

The root package's own lazy imports (``motionsim.compare`` and friends, resolved on first use) are left out:
it is the public facade over everything, and a module may import ``motionsim`` for ``__version__``.
"""

from __future__ import annotations

import pytest

grimp = pytest.importorskip("grimp")  # in the dev extra

FACADE = "motionsim"
#: Subpackage cycles known and waiting for a fix. Remove an entry once fixed; the test fails if a listed cycle
#: is gone or any other appears.
KNOWN_SUBPACKAGE_CYCLES: list[list[str]] = []


def _graph() -> dict[str, set[str]]:
    graph = grimp.build_graph("motionsim", cache_dir=None)
    return {m: (set() if m == FACADE else set(graph.find_modules_directly_imported_by(m))) for m in graph.modules}


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def _subpackage(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_modules() -> None:
    assert _cycles(_graph()) == []


def test_no_import_cycle_between_subpackages() -> None:
    edges: dict[str, set[str]] = {}
    for module, imported in _graph().items():
        edges.setdefault(_subpackage(module), set()).update(
            _subpackage(m) for m in imported if _subpackage(m) != _subpackage(module))
    assert _cycles(edges) == KNOWN_SUBPACKAGE_CYCLES
