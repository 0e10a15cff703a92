"""The interface every similarity method of the evaluation implements (the registry of methods by name is
`motionsim.evaluate.methods`; the methods themselves import only this).

A method turns each clip into features once (``prepare``) and scores two prepared clips (``score``), so the
harness can reuse a clip's features across all the pairs it appears in: 20,093 pairs share 1,583 clips.
Higher scores mean "more similar"; only the ranking matters for Spearman's correlation.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any

from ..errors import MotionsimError
from ..io import as_pose_sequence
from ..pose import PoseSequence, mirror_sequence


class MethodUnavailableError(MotionsimError):
    """A method cannot run here (e.g. it needs a trained checkpoint that does not exist yet)."""


class Method(ABC):
    """A motion-similarity method: ``prepare`` features of each clip once, then ``score`` pairs of them.

    Subclasses fill in ``_features`` (one clip) and ``score``; a method that can batch clips (a network)
    overrides ``prepare`` instead. ``unavailable_reason`` says why a method cannot run (None when it can).
    """

    name: str = ""
    label: str = ""
    reference: str = ""

    def unavailable_reason(self) -> str | None:
        return None

    def describe(self) -> str:
        """Extra detail for reports (e.g. which checkpoint)."""
        return ""

    def training_record(self) -> dict[str, Any]:
        """How a learned method's checkpoint was trained (empty for a method that does not learn)."""
        return {}

    def prepare(self, seqs: Sequence[PoseSequence], mirrored: bool = False) -> list[Any]:
        """Features of every clip (of its mirror image when ``mirrored``), in order."""
        return [self._features(mirror_sequence(s) if mirrored else s) for s in seqs]

    def _features(self, seq: PoseSequence) -> Any:
        raise NotImplementedError

    @abstractmethod
    def score(self, a: Any, b: Any) -> float:
        """Similarity of two prepared clips; higher is more similar."""

    def compare(self, a: Any, b: Any, flip: bool = False) -> float:
        """Score two motions (paths, arrays (T, 17, 2|3) or PoseSequences) directly.

        With ``flip``, the better of A and the mirror image of A, as in the paper's body-flip column.
        """
        reason = self.unavailable_reason()
        if reason:
            raise MethodUnavailableError(f"{self.name}: {reason}")
        seq_a, seq_b = as_pose_sequence(a, source="A"), as_pose_sequence(b, source="B")
        fa, fb = self.prepare([seq_a, seq_b])
        value = self.score(fa, fb)
        if flip:
            value = max(value, self.score(self.prepare([seq_a], mirrored=True)[0], fb))
        return float(value)


class UnavailableMethod(Method):
    """A method that cannot run in this installation (e.g. a PyTorch baseline without PyTorch): the harness
    lists it as skipped, with ``reason``, instead of failing."""

    def __init__(self, name: str, reason: str, label: str = "") -> None:
        self.name, self._reason, self.label = name, reason, label or name

    def unavailable_reason(self) -> str | None:
        return self._reason

    def score(self, a: Any, b: Any) -> float:
        raise MethodUnavailableError(f"{self.name}: {self._reason}")


#: Why the PyTorch-only methods are skipped in a light install.
NEEDS_TORCH = "needs PyTorch: pip install 'motionsim[train]'"


def torch_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("torch") is not None


def runnable(methods: Sequence[Method], skipped: dict[str, str]) -> Iterator[tuple[int, Method]]:
    """(position, method) of each method that can run here; the others go to ``skipped`` with their reason
    (every benchmark lists them instead of failing)."""
    for k, method in enumerate(methods):
        reason = method.unavailable_reason()
        if reason:
            skipped[method.name] = reason
            continue
        yield k, method

