"""Every `>>>` example in the package runs and shows what it says.

A module that needs an optional extra (mediapipe, cv2, av, matplotlib...) that is not installed is skipped,
not failed: the suite must pass on a plain install.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import motionsim

OPTIONAL_EXTRAS = frozenset({"mediapipe", "cv2", "av", "matplotlib", "tensorboard"})
MODULES = sorted(m.name for m in pkgutil.walk_packages(motionsim.__path__, "motionsim.")
                 if m.name != "motionsim.__main__")  # running it would run the CLI


def _import(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] in OPTIONAL_EXTRAS:
            pytest.skip(f"{name} needs the optional {exc.name}")
        raise


@pytest.mark.parametrize("name", MODULES)
def test_examples_in_docstrings(name: str) -> None:
    module = _import(name)
    tests = [t for t in doctest.DocTestFinder().find(module, name) if t.examples]
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed (output above)"


def test_the_examples_are_found() -> None:
    """The finder sees the examples (a guard against a finder that silently finds nothing)."""
    count = sum(len(t.examples) for name in ("motionsim.pose", "motionsim.evaluate.metrics", "motionsim.io")
                for t in doctest.DocTestFinder().find(importlib.import_module(name)))
    assert count >= 10
