"""The shape of the package (docs/architecture.md), checked on the static import graph (grimp), which includes
imports inside functions: data flows one way (no module imports, directly or not, a module that imports it
back, nor does any subpackage), and the layers keep to their side (the core never imports a feature; only the
command line imports the command line; rendering never runs a model; engines stay generic).

The root package's own lazy imports (``motionsim.compare`` and friends, resolved on first use) are left out:
it is the public facade over everything, and a module may import ``motionsim`` for ``__version__``.
"""

from __future__ import annotations

from pathlib import Path

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


#: The core: input -> skeleton -> preprocess -> model -> similarity (and the values they share).
CORE = ("pose", "skeleton", "errors", "atomic", "digest", "values", "person_spec", "cores", "io", "video", "resample",
        "preprocess", "embed", "dtw", "pair_kernel", "similarity", "model")
#: Features built on the core.
FEATURES = ("cli", "web", "render", "index", "engine", "evaluate", "train", "synth", "pairs", "clips", "demo",
            "embedding_map", "live")
#: Layer rules: (importers, modules they must never reach, why).
RULES = [
    (CORE, FEATURES, "the core never depends on a feature"),
    (tuple(f for f in FEATURES if f != "cli"), ("cli",), "only the command line imports the command line"),
    (("render",), ("model", "embed", "similarity", "dtw", "preprocess", "clips", "pairs", "video"),
     "rendering draws results; it never runs a model or a pose estimator"),
    (("engine",), tuple(f for f in FEATURES if f != "engine") + ("similarity", "embed", "video", "io"),
     "engines stay generic: the jobs live with their features"),
    (("live",), ("web", "render"), "live scoring is a library: the front ends draw and serve what it scores"),
]


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("motionsim", cache_dir=None)


def _modules(graph, name: str) -> list[str]:
    root = f"{FACADE}.{name}"
    return [m for m in graph.modules if m == root or m.startswith(root + ".")]


@pytest.mark.parametrize("importers,forbidden,why", RULES, ids=[r[2] for r in RULES])
def test_layers_keep_to_their_side(graph, importers, forbidden, why) -> None:
    broken = []
    for a in importers:
        for b in forbidden:
            for importer in _modules(graph, a):
                for imported in _modules(graph, b):
                    chain = graph.find_shortest_chain(importer=importer, imported=imported)
                    if chain:
                        broken.append(" -> ".join(chain))
    assert not broken, f"{why}: " + "; ".join(broken[:5])


def test_the_layer_check_sees_a_forbidden_import(graph) -> None:
    """The rule above can fail: the command line does import the core."""
    assert graph.find_shortest_chain(importer="motionsim.cli.compare", imported="motionsim.similarity")


def test_no_module_is_too_long_to_read() -> None:
    root = Path(__file__).resolve().parents[1] / "src" / "motionsim"
    long = {str(p.relative_to(root)): n for p in root.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert not long, f"modules over 400 lines: {long}"
