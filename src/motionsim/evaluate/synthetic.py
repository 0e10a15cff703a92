"""Synthetic validation benchmark: what a method has learned, measured on motions and bodies it never saw.

Every number here is computed on the validation split of the motion library (base motions of held-out
families) worn by the validation characters, so a trained model cannot have memorised any of it (docs/method.md §4,
§8). Renderings go through `as_pose_sequence` and each method's normal preprocessing, like any user clip.

Four checks, each with a known ground truth:

- retrieval: does a motion find itself again when worn by another body and seen from another camera?
- variation ranking: within one base motion, do larger characteristic changes (eq. 2) score as less similar?
- part localisation: when only one body part changes, does that part get the lowest part score?
- related motions: are different motions of the same family / category closer than unrelated ones?

This module runs the checks; the clips and their ground truth are `synth_tasks`', the methods
`synth_methods`', the metrics `metrics`' and the table `report.format_synth_table`.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tqdm import tqdm

from ..skeleton import BODY_PARTS
from .method_base import Method, runnable
from .metrics import auc, expected_random_ap, masked_retrieval, spearman
from .synth_tasks import SynthConfig, SynthTasks, build_tasks, gallery_masks, render_all

log = logging.getLogger(__name__)


def method_part_scores(method: Method) -> Callable[[Any, Any], dict[str, float]] | None:
    """The per-part scorer of a method (None if it has no notion of body parts)."""
    return getattr(method, "part_scores", None)


@dataclass
class SynthResult:
    """One method's numbers (NaN where a check does not apply)."""

    name: str
    label: str
    detail: str
    retrieval_map: float
    recall_at_1: float
    variation_spearman: float
    variation_spearman_same_view: float
    variation_spearman_per_motion: float
    part_localisation: float
    part_localisation_same_view: float
    related_auc: float
    seconds: float

    METRICS = ("retrieval_map", "recall_at_1", "variation_spearman", "variation_spearman_same_view",
               "variation_spearman_per_motion", "part_localisation", "part_localisation_same_view", "related_auc")

    def to_dict(self) -> dict[str, Any]:
        def num(x: float) -> float | None:
            return None if math.isnan(x) else round(float(x), 4)

        return {"label": self.label, "detail": self.detail, **{k: num(getattr(self, k)) for k in self.METRICS},
                "seconds": round(self.seconds, 2)}


@dataclass
class SynthEvaluation:
    """Everything the benchmark produced: rows per method, skipped methods, sizes, chance levels, timings."""

    config: SynthConfig
    results: list[SynthResult] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    chance: dict[str, float] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"methods": {r.name: r.to_dict() for r in self.results}, "skipped": dict(self.skipped),
                "sizes": dict(self.sizes), "chance": {k: round(v, 4) for k, v in self.chance.items()},
                "seed": self.config.seed, "seconds": {k: round(v, 2) for k, v in self.seconds.items()}}


def _gallery_similarity(method: Method, feats: list[Any], gallery: list[int], progress: bool) -> np.ndarray:
    """Similarity matrix of the gallery; scores are symmetric, so each pair is scored once."""
    n = len(gallery)
    sim = np.zeros((n, n))
    for i in tqdm(range(n), desc=f"{method.name}: gallery", disable=not progress, leave=False):
        for j in range(i + 1, n):
            sim[i, j] = sim[j, i] = method.score(feats[gallery[i]], feats[gallery[j]])
    return sim


def _variation_scores(method: Method, feats: list[Any], tasks: SynthTasks) -> tuple[float, float, float]:
    """Spearman of var (eq. 2) with 1 - similarity: other body+camera pooled, same body+camera pooled, and
    the mean over motions of the other-body+camera Spearman."""
    pairs = tasks.variation_pairs
    var = np.array([p[2] for p in pairs])
    dissim = np.array([1.0 - method.score(feats[p[0]], feats[p[1]]) for p in pairs])
    same = np.array([p[4] for p in pairs], dtype=bool)
    motion = np.array([p[3] for p in pairs])
    per_motion = [spearman(dissim[~same & (motion == m)], var[~same & (motion == m)]) for m in dict.fromkeys(motion)]
    per_motion = [x for x in per_motion if not math.isnan(x)]
    return (spearman(dissim[~same], var[~same]), spearman(dissim[same], var[same]),
            float(np.mean(per_motion)) if per_motion else float("nan"))


def _part_localisation(method: Method, feats: list[Any], tasks: SynthTasks) -> tuple[float, float]:
    """Share of one-part changes where the changed part gets the lowest of the five part scores: with the
    other clip worn by another body and seen by another camera, and with the same body and camera."""
    scorer = method_part_scores(method)
    if scorer is None or not tasks.part_trials:
        return float("nan"), float("nan")
    ok = {True: [], False: []}
    for a, b, part, _, _, same in tasks.part_trials:
        scores = scorer(feats[a], feats[b])
        ok[same].append(min(scores, key=lambda p: scores[p]) == part)
    return (float(np.mean(ok[False])) if ok[False] else float("nan"),
            float(np.mean(ok[True])) if ok[True] else float("nan"))


def evaluate_synthetic(methods: Sequence[Method], config: SynthConfig | None = None,
                       progress: bool = False) -> SynthEvaluation:
    """Run the four checks for every method on the same renderings (``config``: None for the default size);
    methods that cannot run are skipped."""
    config = config or SynthConfig()
    t0 = time.perf_counter()
    tasks = build_tasks(config)
    seqs = render_all(tasks.renderings, progress)
    t_render = time.perf_counter() - t0
    relevant, candidates, related, unrelated = gallery_masks(tasks)
    ev = SynthEvaluation(config)
    ev.sizes = {**tasks.sizes(), "characters": config.n_characters, "views": config.n_views,
                "values_per_motion": config.n_values, "variation_values_per_motion": config.n_variation_values,
                "related_pairs": int(related.sum()), "unrelated_pairs": int(unrelated.sum())}
    n_rel, n_cand = relevant.sum(axis=1), candidates.sum(axis=1)
    ev.sizes["retrieval_queries"] = int((n_rel > 0).sum())
    keep = n_rel > 0
    ev.chance = {"retrieval_map": float(np.mean([expected_random_ap(int(r), int(c))
                                                 for r, c in zip(n_rel[keep], n_cand[keep])])),
                 "recall_at_1": float(np.mean(n_rel[keep] / n_cand[keep])),
                 "variation_spearman": 0.0, "variation_spearman_same_view": 0.0,
                 "variation_spearman_per_motion": 0.0, "part_localisation": 1 / len(BODY_PARTS),
                 "part_localisation_same_view": 1 / len(BODY_PARTS), "related_auc": 0.5}
    for _, method in runnable(methods, ev.skipped):
        t = time.perf_counter()
        feats = method.prepare(seqs)
        sim = _gallery_similarity(method, feats, tasks.gallery, progress)
        aps, hits = masked_retrieval(sim, relevant, candidates)
        rho, rho_same, rho_motion = _variation_scores(method, feats, tasks)
        parts, parts_same = _part_localisation(method, feats, tasks)
        ev.results.append(SynthResult(
            name=method.name, label=method.label or method.name, detail=method.describe(),
            retrieval_map=float(aps.mean()), recall_at_1=float(hits.mean()), variation_spearman=rho,
            variation_spearman_same_view=rho_same, variation_spearman_per_motion=rho_motion,
            part_localisation=parts, part_localisation_same_view=parts_same,
            related_auc=auc(sim[related], sim[unrelated]), seconds=time.perf_counter() - t))
        log.info("synthetic benchmark: %s done in %.1f s", method.name, ev.results[-1].seconds)
    ev.seconds = {"render": t_render, "total": time.perf_counter() - t0}
    return ev
