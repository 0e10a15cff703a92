"""BPE (Algorithm 1) as an evaluation method: the same embeddings and scores as `motionsim score-pairs`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..dtw import BULK
from ..embed import SequenceEmbedding, embed_sequences
from ..model.runtime import InferenceModel, resolve_model
from ..pose import PoseSequence
from ..similarity import check_weighting, overall_score, part_scores, part_weights
from .method_base import Method

log = logging.getLogger(__name__)


class BPEMethod(Method):
    """Body Part Embedding: per-part window embeddings, DTW per part, mean cosine, the 5 parts combined as
    ``compare`` combines them (weighted by their movement; ``weighting="equal"``: the paper's plain mean).

    Every clip's windows are embedded in shared batches; the mirrored clip uses the model's own body flip
    of the input channels (docs/method.md §5), which is what ``compare(..., flip=True)`` does.
    """

    label = "BPE"
    reference = "Park et al., IEEE Access 9, 2021 (this package)"

    def __init__(self, model: InferenceModel | str | Path | None = None, window: int = 32, stride: int = 2,
                 pad_short: bool = True, name: str = "bpe", weighting: str = "movement"):
        check_weighting(weighting)
        self.name, self.weighting = name, weighting
        self.label = "BPE" if name == "bpe" else f"BPE [{name}]"
        self.window, self.stride, self.pad_short = window, stride, pad_short
        self._model_ref = model
        self._ckpt: InferenceModel | None = None if model is None or isinstance(model, (str, Path)) else model

    @property
    def checkpoint(self) -> InferenceModel:
        if self._ckpt is None:
            self._ckpt = resolve_model(self._model_ref)
        return self._ckpt

    def describe(self) -> str:
        ckpt = self.checkpoint
        trained = ckpt.training.get("trained", True)
        return ckpt.name + ("" if trained or "untrained" in ckpt.name else " (untrained)")

    def training_record(self) -> dict[str, Any]:
        """The checkpoint's record of how it was trained (``evaluate ntu --json`` reports it)."""
        return dict(self.checkpoint.training)

    def prepare(self, seqs: Sequence[PoseSequence], mirrored: bool = False) -> list[SequenceEmbedding]:
        flip = "body" if mirrored else None
        return embed_sequences(list(seqs), self.checkpoint, self.window, self.stride, flip, self.pad_short)

    def part_scores(self, a: SequenceEmbedding, b: SequenceEmbedding) -> dict[str, float]:
        """Algorithm 1's score of each body part."""
        return part_scores(a, b, kernel=BULK)

    def score(self, a: SequenceEmbedding, b: SequenceEmbedding) -> float:
        return self.overall(a, b, part_scores(a, b, kernel=BULK))

    def overall(self, a: SequenceEmbedding, b: SequenceEmbedding, scores: dict[str, float]) -> float:
        """The overall score of ``a`` and ``b`` from their part scores (callers that have them skip the DTW)."""
        return overall_score(scores, part_weights(a, b, self.weighting))
