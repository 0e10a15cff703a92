"""A 2-D map of motion embeddings (the paper's Fig. 10): every window of every clip, placed by t-SNE.

Windows that the model finds alike land close together, so clusters show which clips (or which parts of
them) move alike. ``part`` picks one body part's embedding space, or ``"overall"`` joins the five
L2-normalised part embeddings, which weighs the parts equally as the overall score does.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .embed import SequenceEmbedding
from .errors import MissingExtraError, MotionsimError
from .skeleton import BODY_PARTS

PARTS = ("overall", *BODY_PARTS)


def window_vectors(embedding: SequenceEmbedding, part: str = "overall") -> np.ndarray:
    """The window embeddings of one clip, shape=(n_windows, D), for ``part`` or all parts joined."""
    if part == "overall":
        return np.concatenate([embedding.parts[p] for p in BODY_PARTS], axis=1) / np.sqrt(len(BODY_PARTS))
    if part not in BODY_PARTS:
        raise MotionsimError(f"unknown part {part!r}; choose one of {', '.join(PARTS)}")
    return embedding.parts[part]


def tsne_map(vectors: np.ndarray, seed: int = 0) -> np.ndarray:
    """t-SNE (cosine metric, PCA start) of the rows of ``vectors``, shape=(N, 2); N must be at least 5."""
    try:
        from sklearn.manifold import TSNE
    except ImportError as exc:
        raise MissingExtraError("embedding maps need scikit-learn: pip install 'motionsim[plot]'") from exc
    n = len(vectors)
    if n < 5:
        raise MotionsimError(f"an embedding map needs at least 5 windows, got {n}; add clips or lower --stride")
    perplexity = float(min(30.0, (n - 1) / 3))
    return TSNE(n_components=2, perplexity=perplexity, metric="cosine", init="pca",
                random_state=seed).fit_transform(np.asarray(vectors, dtype=np.float64))


def embedding_map(embeddings: Sequence[SequenceEmbedding], labels: Sequence[str], part: str = "overall",
                  seed: int = 0) -> tuple[np.ndarray, list[str]]:
    """2-D points of every window of every clip and the label of each point (its clip's label)."""
    if len(embeddings) != len(labels):
        raise ValueError("one label per clip")
    blocks = [window_vectors(e, part) for e in embeddings]
    point_labels = [label for label, block in zip(labels, blocks) for _ in range(len(block))]
    return tsne_map(np.concatenate(blocks, axis=0), seed=seed), point_labels
