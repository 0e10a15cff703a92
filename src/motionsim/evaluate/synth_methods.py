"""The methods of the synthetic benchmark: the NTU registry's methods plus ``random_weights``, the
reference network with seeded random weights (docs/method.md §8: report a model next to its random twin)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..model.runtime import InferenceModel, resolve_model
from .bpe_method import BPEMethod
from .method_base import NEEDS_TORCH, Method, UnavailableMethod, torch_available
from .methods import METHODS, MethodOptions

if TYPE_CHECKING:  # pragma: no cover
    from ..model.checkpoint import Checkpoint

#: Methods of this benchmark: the learned model, the same network untrained, and the hand-made baseline.
DEFAULT_SYNTH_METHODS: tuple[str, ...] = ("bpe", "random_weights", "joint_distance")
#: Every name `--methods` accepts (the NTU methods plus ``random_weights``).
SYNTH_METHOD_NAMES: tuple[str, ...] = (*METHODS, "random_weights")


def random_weights_method(reference: InferenceModel, seed: int = 0, window: int = 32, stride: int = 2) -> Method:
    """The reference network with seeded random weights but the reference's normalisation statistics and
    target height, so that only the learning differs (docs/method.md §8: report a model next to its random twin).
    Building the random network needs PyTorch; without it the method is listed as unavailable."""
    if not torch_available():
        return UnavailableMethod("random_weights", NEEDS_TORCH, "BPE network, random weights")
    from ..model.bpe import BPEConfig
    from ..model.checkpoint import untrained_checkpoint

    config = (reference.model.config if hasattr(reference, "model")
              else BPEConfig.from_dict(json.loads(reference.metadata["config"])))
    twin = untrained_checkpoint(seed=seed, config=config)
    twin = dataclasses.replace(twin, stats=reference.stats, target_height=reference.target_height,
                               training={"trained": False, "seed": seed, "stats_from": reference.name})
    return _RandomTwin(twin, reference.name, seed, window=window, stride=stride)


class _RandomTwin(BPEMethod):
    """`BPEMethod` on a random-weight twin; says whose normalisation it borrows."""

    def __init__(self, twin: Checkpoint, reference_name: str, seed: int, window: int, stride: int) -> None:
        super().__init__(twin, window=window, stride=stride, name="random_weights")
        self.label = "BPE network, random weights"
        self._detail = f"seed {seed}, architecture and normalisation of {reference_name}"

    def describe(self) -> str:
        return self._detail


def build_synth_methods(names: Sequence[str], model: str | Path | None = None,
                        variants: Mapping[str, str | Path] | None = None, seed: int = 0,
                        window: int = 32, stride: int = 2) -> list[Method]:
    """Methods by name (``SYNTH_METHOD_NAMES``) plus one BPE row per named checkpoint in ``variants``.

    ``model`` is the checkpoint of ``bpe`` (None: the bundled one); ``random_weights`` copies its
    architecture and normalisation statistics.
    """
    unknown = [n for n in names if n not in SYNTH_METHOD_NAMES]
    if unknown:
        raise ValueError(f"unknown method {', '.join(unknown)}; known: {', '.join(SYNTH_METHOD_NAMES)}")
    options = MethodOptions(window=window, stride=stride, bpe_model=model)
    out: list[Method] = []
    for name in dict.fromkeys(names):
        if name == "random_weights":
            out.append(random_weights_method(resolve_model(model), seed, window, stride))
        else:
            out.append(METHODS[name](options))
    out += [BPEMethod(path, window=window, stride=stride, name=n) for n, path in (variants or {}).items()]
    return out
