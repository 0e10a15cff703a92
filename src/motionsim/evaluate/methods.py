"""The registry of similarity methods by name, and the options they are built from.

Each factory imports its method's module when called, so naming a method costs nothing until it runs; the
methods import only their base class (`motionsim.evaluate.method_base`), never this registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from ..errors import MotionsimError

if TYPE_CHECKING:  # pragma: no cover - the command line lists the names without loading any method
    from .method_base import Method


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


def _bpe_equal(options: MethodOptions) -> Method:
    """BPE with the paper's overall score, the plain mean of the parts (not a default row)."""
    from .bpe_method import BPEMethod

    method = BPEMethod(options.bpe_model, window=options.window, stride=options.stride, pad_short=options.pad_short,
                       name="bpe_equal", weighting="equal")
    method.label = "BPE, parts' plain mean (the paper)"
    return method


def _whole_body(options: MethodOptions) -> Method:
    from .method_base import NEEDS_TORCH, UnavailableMethod, torch_available

    if not torch_available():
        return UnavailableMethod("whole_body", NEEDS_TORCH, "Aberman et al. (whole body)")
    from .learned import WindowEmbeddingMethod

    return WindowEmbeddingMethod("whole_body", options.whole_body_model, window=options.window,
                                 stride=options.stride, pad_short=options.pad_short)


def _lstm(options: MethodOptions) -> Method:
    from .method_base import NEEDS_TORCH, UnavailableMethod, torch_available

    if not torch_available():
        return UnavailableMethod("lstm", NEEDS_TORCH, "Coskun et al. (LSTM)")
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
    "bpe_equal": _bpe_equal,
})
DEFAULT_METHODS: tuple[str, ...] = tuple(n for n in METHODS if n != "bpe_equal")


def build_methods(names: Sequence[str], options: MethodOptions | None = None) -> list[Method]:
    """Instantiate methods by name (``METHODS`` keys, in Table 2's order), plus one BPE row per entry of
    ``options.variants`` (Table 3's rows)."""
    options = options or MethodOptions()
    unknown = [n for n in names if n not in METHODS]
    if unknown:
        raise MotionsimError(f"unknown method {', '.join(map(repr, unknown))}; known: {', '.join(METHODS)}")
    order = list(METHODS)
    methods = [METHODS[n](options) for n in sorted(set(names), key=order.index)]  # Table 2's order
    if options.variants:
        from .bpe_method import BPEMethod

        methods += [BPEMethod(path, window=options.window, stride=options.stride, pad_short=options.pad_short,
                              name=name) for name, path in options.variants.items()]
    return methods
