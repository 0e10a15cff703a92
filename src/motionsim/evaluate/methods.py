"""The interface every similarity method of the evaluation implements, and the registry of methods by name.

A method turns each clip into features once (``prepare``) and scores two prepared clips (``score``), so the
harness can reuse a clip's features across all the pairs it appears in: 20,093 pairs share 1,583 clips.
Higher scores mean "more similar"; only the ranking matters for Spearman's correlation.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..errors import MotionsimError
from ..pose import PoseSequence, as_pose_sequence
from ..skeleton import COCO17_SWAP

log = logging.getLogger(__name__)


class MethodUnavailableError(MotionsimError):
    """A method cannot run here (e.g. it needs a trained checkpoint that does not exist yet)."""


def mirror_sequence(seq: PoseSequence) -> PoseSequence:
    """The mirror image of a motion: x -> -x and left/right joints swapped (the paper's "body flip").

    Examples
    --------
    >>> import numpy as np
    >>> seq = as_pose_sequence(np.arange(17 * 2, dtype=float).reshape(1, 17, 2) + 1)
    >>> bool(np.array_equal(mirror_sequence(mirror_sequence(seq)).keypoints, seq.keypoints))
    True
    """
    points = seq.keypoints[:, list(COCO17_SWAP)].copy()
    points[..., 0] *= -1
    return PoseSequence(points, seq.scores[:, list(COCO17_SWAP)].copy(), fps=seq.fps,
                        source=f"{seq.source} (mirrored)", meta=dict(seq.meta))


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


@dataclass(frozen=True)
class MethodOptions:
    """Settings the methods are built from (the CLI flags of ``motionsim evaluate ntu``).

    ``bpe_model``: a BPE checkpoint path (None: the bundled model); ``variants``: extra BPE rows
    ``{name: path}`` (Table 3 ablations); ``whole_body_model`` / ``lstm_model``: baseline checkpoints
    (None: the bundled ones if they exist). ``window`` / ``stride``: Algorithm 1's w and r (NTU: 32, 2).
    ``frame_step``: use every n-th frame in the frame-level DTW baselines.
    """

    window: int = 32
    stride: int = 2
    pad_short: bool = True
    bpe_model: str | Path | None = None
    variants: Mapping[str, str | Path] = field(default_factory=dict)
    whole_body_model: str | Path | None = None
    lstm_model: str | Path | None = None
    frame_step: int = 1


def _joint_distance(options: MethodOptions) -> Method:
    from .baselines import JointDistance

    return JointDistance(frame_step=options.frame_step)


def _joint_angles(options: MethodOptions) -> Method:
    from .baselines import JointAngles

    return JointAngles(frame_step=options.frame_step)


def _bpe(options: MethodOptions) -> Method:
    from .bpe_method import BPEMethod

    return BPEMethod(options.bpe_model, window=options.window, stride=options.stride, pad_short=options.pad_short)


def _whole_body(options: MethodOptions) -> Method:
    from .learned import WindowEmbeddingMethod

    return WindowEmbeddingMethod("whole_body", options.whole_body_model, window=options.window,
                                 stride=options.stride, pad_short=options.pad_short)


def _lstm(options: MethodOptions) -> Method:
    from .learned import WindowEmbeddingMethod

    return WindowEmbeddingMethod("lstm", options.lstm_model, window=options.window,
                                 stride=options.stride, pad_short=options.pad_short)


#: Method name -> factory(options). Rows of Table 2, in the paper's order.
METHODS: Mapping[str, Callable[[MethodOptions], Method]] = MappingProxyType({
    "joint_angles": _joint_angles,
    "joint_distance": _joint_distance,
    "lstm": _lstm,
    "whole_body": _whole_body,
    "bpe": _bpe,
})
DEFAULT_METHODS: tuple[str, ...] = tuple(METHODS)


def build_methods(names: Sequence[str], options: MethodOptions | None = None) -> list[Method]:
    """Instantiate methods by name (``METHODS`` keys, in Table 2's order), plus one BPE row per entry of
    ``options.variants`` (Table 3's rows)."""
    options = options or MethodOptions()
    unknown = [n for n in names if n not in METHODS]
    if unknown:
        raise MotionsimError(f"unknown method {', '.join(map(repr, unknown))}; known: {', '.join(METHODS)}")
    methods = [METHODS[n](options) for n in sorted(set(names), key=DEFAULT_METHODS.index)]  # Table 2's order
    if options.variants:
        from .bpe_method import BPEMethod

        methods += [BPEMethod(path, window=options.window, stride=options.stride, pad_short=options.pad_short,
                              name=name) for name, path in options.variants.items()]
    return methods
