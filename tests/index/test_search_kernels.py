"""The compiled scan kernel alone: Algorithm 1 of `motionsim.similarity`, read from a shared window table."""

from __future__ import annotations

import numpy as np
import pytest

from motionsim.embed import SequenceEmbedding
from motionsim.similarity import part_scores
from motionsim.skeleton import BODY_PARTS


def unit_rows(rng: np.random.Generator, n: int, dim: int = 16) -> np.ndarray:
    rows = rng.normal(size=(n, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def embedding(rows: dict[str, np.ndarray]) -> SequenceEmbedding:
    n = len(next(iter(rows.values())))
    return SequenceEmbedding(rows, n_frames=32 + 8 * (n - 1), window=32, stride=8)


@pytest.mark.parametrize("step", [1, 2, 3])
def test_scan_part_is_algorithm_1_of_each_clip(step):
    from motionsim.index.scan_kernel import scan_part

    rng = np.random.default_rng(7)
    lengths = [1, 2, 5, 9, 14]
    firsts = np.array([3, 4, 6, 11, 20], dtype=np.int64)  # clips anywhere in the table, gaps between them
    tables = {p: unit_rows(rng, 40) for p in BODY_PARTS}
    query = embedding({p: unit_rows(rng, 6) for p in BODY_PARTS})
    for p in BODY_PARTS:
        out = np.full(len(lengths), 0.5)  # the kernel adds to ``out``
        scan_part(query.parts[p], tables[p], firsts, np.array(lengths, dtype=np.int64), step, out)
        for c, (first, n) in enumerate(zip(firsts, lengths)):
            picked = sorted({*range(0, n, step), n - 1})  # every step-th window and the last
            clip = embedding({q: tables[q][first:first + n][picked] for q in BODY_PARTS})
            assert out[c] - 0.5 == pytest.approx(part_scores(query, clip)[p], abs=1e-6)
