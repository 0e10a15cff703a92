"""Real-motion validation: do a method's scores rank pairs of real motion capture the way their labels do?

The synthetic benchmark does not predict real motion (issue 17), so this one scores renderings of real mocap
(built by ``tools/build_real_motion.py`` into a cache folder; nothing is downloaded here). Every pair of
renderings is labelled like the hidden set of issue 17: 4 = the same segment seen from another camera and
body, 2.5 = a related motion (same family, or a related label pair of the manifest), 1 = anything else.
Reported per method, with the body flip by default: Spearman with the labels, same > rest AUC, related >
other AUC and same-segment retrieval mAP; for BPE-type methods also each body part alone and the minimum
over the parts; and the related > other AUC of each kind of related pair. Methods with part scores are
also scored on the set's part changes (one part turned by a known angle, `real_parts`).
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import rankdata
from tqdm import tqdm

from ..errors import MotionsimError
from ..io import load_pose
from ..pose import PoseSequence
from ..skeleton import BODY_PARTS
from .bpe_method import BPEMethod
from .method_base import Method, runnable
from .metrics import auc, mean_average_precision, spearman
from .real_parts import PartChangeScores, evaluate_part_changes, format_part_changes, has_part_scores

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
MANIFEST_VERSION = 2
SAME, RELATED, OTHER = 4.0, 2.5, 1.0
#: Methods of ``motionsim evaluate real`` by default: the model, its random twin and the baselines.
DEFAULT_REAL_METHODS: tuple[str, ...] = ("bpe", "random_weights", "joint_distance", "whole_body", "lstm")
BUILD_HINT = "build it with: python tools/build_real_motion.py"


def default_cache_dir() -> Path:
    """Where the builder writes the set and the evaluation reads it: the user's cache folder."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("motionsim")) / "real_motion"


@dataclass
class RealSet:
    """The manifest of a built set: segments (id, label, family, ...), renderings (id, segment, path, ...)
    and extra related label pairs."""

    root: Path
    segments: list[dict[str, Any]]
    renderings: list[dict[str, Any]]
    related_labels: list[tuple[str, str]] = field(default_factory=list)
    part_changes: list[dict[str, Any]] = field(default_factory=list)

    def load_clips(self) -> list[PoseSequence]:
        return [load_pose(self.root / r["path"]) for r in self.renderings]

    def load_part_changes(self) -> list[PoseSequence]:
        return [load_pose(self.root / r["path"]) for r in self.part_changes]


def load_real_set(cache_dir: str | Path | None = None) -> RealSet:
    """Read the manifest the builder wrote; a missing or stale set raises `MotionsimError` saying how to build it."""
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    path = root / MANIFEST
    if not path.is_file():
        raise MotionsimError(f"no real-motion set in {root} ({MANIFEST} not found); {BUILD_HINT}"
                             + ("" if cache_dir is None else f" --cache {root}"))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MotionsimError(f"{path}: unreadable ({exc}); rebuild it: {BUILD_HINT}") from exc
    if data.get("version") != MANIFEST_VERSION:
        raise MotionsimError(f"{path}: version {data.get('version')!r}, expected {MANIFEST_VERSION}; "
                             f"rebuild it: {BUILD_HINT}")
    missing = [r["path"] for r in data["renderings"] + data.get("part_changes", [])
               if not (root / r["path"]).is_file()]
    if missing:
        raise MotionsimError(f"{root}: {len(missing)} renderings missing (e.g. {missing[0]}); rebuild it: "
                             f"{BUILD_HINT}")
    return RealSet(root, data["segments"], data["renderings"],
                   [(a, b) for a, b in data.get("related_labels", [])], data.get("part_changes", []))


@dataclass
class RealPairs:
    """All pairs i < j of renderings with their label (4 same segment, 2.5 related, 1 other)."""

    i: np.ndarray
    j: np.ndarray
    target: np.ndarray
    kind: np.ndarray  # "label~label" of each pair (sorted), to break related pairs down by kind

    def counts(self) -> dict[str, int]:
        return {"same": int((self.target == SAME).sum()), "related": int((self.target == RELATED).sum()),
                "other": int((self.target == OTHER).sum()), "total": len(self.target)}


def pair_labels(segment_of: Sequence[str], segments: Sequence[dict[str, Any]],
                related_labels: Sequence[tuple[str, str]] = ()) -> RealPairs:
    """Label every pair of renderings (``segment_of[k]`` = segment id of rendering k).

    Related: other segment, and the same family, or the same label, or a label pair in ``related_labels``
    (either order).
    """
    by_id = {s["id"]: s for s in segments}
    unknown = sorted(set(segment_of) - set(by_id))
    if unknown:
        raise MotionsimError(f"renderings of unknown segments: {', '.join(unknown[:5])}")
    related = {frozenset(p) for p in related_labels}
    seg = np.array(segment_of)
    label = np.array([by_id[s]["label"] for s in segment_of])
    family = np.array([by_id[s]["family"] for s in segment_of])
    i, j = np.triu_indices(len(seg), k=1)
    same = seg[i] == seg[j]
    rel = (family[i] == family[j]) | (label[i] == label[j])
    rel |= np.array([frozenset((a, b)) in related for a, b in zip(label[i], label[j])], dtype=bool)
    target = np.where(same, SAME, np.where(rel, RELATED, OTHER))
    kind = np.array(["~".join(sorted((a, b))) for a, b in zip(label[i], label[j])])
    return RealPairs(i, j, target, kind)


def related_by_kind(scores: np.ndarray, pairs: RealPairs) -> dict[str, float]:
    """Related > other AUC of each kind of related pair alone (e.g. ``dance~dance``, ``walk~walk_aim``):
    which relations a method sees and which it misses."""
    other = scores[pairs.target == OTHER]
    kinds = sorted(set(pairs.kind[pairs.target == RELATED]))
    return {k: auc(scores[(pairs.target == RELATED) & (pairs.kind == k)], other) for k in kinds}


def best_spearman(target: np.ndarray) -> float:
    """Spearman of a perfect ranking with distinct scores: the ceiling a method can reach with tied labels."""
    return spearman(rankdata(target, method="ordinal"), target)


@dataclass
class RealScores:
    """One ranking's numbers: Spearman with the labels, same > rest AUC, related > other AUC, same-segment mAP."""

    spearman: float
    same_auc: float
    related_auc: float
    retrieval_map: float

    def to_dict(self) -> dict[str, float | None]:
        return {k: None if math.isnan(v) else round(float(v), 4) for k, v in vars(self).items()}


def score_ranking(scores: np.ndarray, pairs: RealPairs, segment_of: Sequence[str]) -> RealScores:
    """The four numbers of one set of pair scores (the metric functions are `motionsim.evaluate.metrics`')."""
    t = pairs.target
    n = len(segment_of)
    sim = np.full((n, n), -np.inf)
    sim[pairs.i, pairs.j] = sim[pairs.j, pairs.i] = scores
    return RealScores(spearman(scores, t), auc(scores[t == SAME], scores[t != SAME]),
                      auc(scores[t == RELATED], scores[t == OTHER]),
                      mean_average_precision(sim, np.array(segment_of)))


@dataclass
class RealResult:
    """A method's row, plus per-part rows (each part alone, and the minimum over parts) when it has parts."""

    name: str
    label: str
    detail: str
    scores: RealScores
    seconds: float
    parts: dict[str, RealScores] = field(default_factory=dict)
    related_by_kind: dict[str, float] = field(default_factory=dict)
    pair_scores: np.ndarray | None = None
    part_change: PartChangeScores | None = None  # methods with part scores, when the set has part changes

    def to_dict(self) -> dict[str, Any]:
        out = {"label": self.label, "detail": self.detail, **self.scores.to_dict(),
               "seconds": round(self.seconds, 2), "parts": {k: v.to_dict() for k, v in self.parts.items()},
               "related_by_kind": {k: round(v, 4) for k, v in self.related_by_kind.items()}}
        if self.part_change is not None:
            out["part_change"] = self.part_change.to_dict()
        return out


@dataclass
class RealEvaluation:
    """Rows per method, skipped methods, the set's sizes and the best Spearman the labels allow."""

    root: Path
    flip: bool
    sizes: dict[str, int]
    best_spearman: float
    results: list[RealResult] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"methods": {r.name: r.to_dict() for r in self.results}, "skipped": dict(self.skipped),
                "sizes": dict(self.sizes), "best_spearman": round(self.best_spearman, 4), "flip": self.flip,
                "cache": str(self.root), "seconds": {k: round(v, 2) for k, v in self.seconds.items()}}


def _pair_scores(method: Method, feats: list[Any], mirrored: list[Any] | None, pairs: RealPairs,
                 progress: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Overall score of every pair and, for a method with parts, the (pairs, 5) part scores; with the body
    flip the better of A and mirrored A (overall and the minimum over parts decide nothing for the parts:
    each part alone takes its own better side, as any one-number method would)."""
    part_fn: Callable[[Any, Any], dict[str, float]] | None = (method.part_scores if isinstance(method, BPEMethod)
                                                               else None)
    overall = np.empty(len(pairs.i))
    parts = np.empty((len(pairs.i), 2 if mirrored is not None else 1, len(BODY_PARTS))) if part_fn else None
    for k in tqdm(range(len(pairs.i)), desc=f"{method.name}: real pairs", disable=not progress, leave=False):
        a, b = pairs.i[k], pairs.j[k]
        sides = [feats[a]] + ([mirrored[a]] if mirrored is not None else [])
        if part_fn is None:
            overall[k] = max(method.score(s, feats[b]) for s in sides)
            continue
        side_scores = []
        for side, fa in enumerate(sides):  # one DTW per part and side serves the parts and the overall score
            d = part_fn(fa, feats[b])
            parts[k, side] = [d[p] for p in BODY_PARTS]
            side_scores.append(method.overall(fa, feats[b], d))
        overall[k] = max(side_scores)
    return overall, parts


def evaluate_real(methods: Sequence[Method], cache_dir: str | Path | None = None, flip: bool = True,
                  progress: bool = False, keep_scores: bool = False) -> RealEvaluation:
    """Score every pair of renderings of the real-motion set with each method and compare with the labels.

    ``cache_dir``: where ``tools/build_real_motion.py`` built the set (None: the default cache folder).
    ``flip``: body flip (max over A and mirrored A, as ``evaluate ntu``'s flip column). Methods that cannot
    run are skipped. ``keep_scores`` keeps each method's pair scores on its row.
    """
    t0 = time.perf_counter()
    real = load_real_set(cache_dir)
    clips = real.load_clips()
    segment_of = [r["segment"] for r in real.renderings]
    pairs = pair_labels(segment_of, real.segments, real.related_labels)
    ev = RealEvaluation(real.root, flip, {"segments": len(real.segments), "renderings": len(clips),
                                          **pairs.counts()}, best_spearman(pairs.target))
    changed_clips = real.load_part_changes()
    ev.seconds["load"] = time.perf_counter() - t0
    for _, method in runnable(methods, ev.skipped):
        t = time.perf_counter()
        feats = method.prepare(clips)
        mirrored = method.prepare(clips, mirrored=True) if flip else None
        overall, parts = _pair_scores(method, feats, mirrored, pairs, progress)
        row = RealResult(method.name, method.label or method.name, method.describe(),
                         score_ranking(overall, pairs, segment_of), 0.0,
                         related_by_kind=related_by_kind(overall, pairs), pair_scores=overall if keep_scores else None)
        if parts is not None:
            for k, part in enumerate(BODY_PARTS):
                row.parts[part] = score_ranking(parts[:, :, k].max(axis=1), pairs, segment_of)
            row.parts["min_over_parts"] = score_ranking(parts.min(axis=2).max(axis=1), pairs, segment_of)
        if changed_clips and has_part_scores(method):
            references = {r["id"]: f for r, f in zip(real.renderings, feats)}
            row.part_change = evaluate_part_changes(method, references, changed_clips, real.part_changes)
        row.seconds = time.perf_counter() - t
        ev.results.append(row)
        log.info("real-motion set: %s done in %.1f s", method.name, row.seconds)
    ev.seconds["total"] = time.perf_counter() - t0
    return ev


def format_real_table(ev: RealEvaluation) -> str:
    """The plain-text report: a row per method, indented rows per body part, sizes and the label ceiling."""
    def cell(x: float) -> str:
        return "—" if math.isnan(x) else f"{x:.3f}"

    names = [r.name for r in ev.results] + [f"  {p}" for r in ev.results for p in r.parts]
    width = max([len("method"), *map(len, names)]) + 2
    head = f"{'method':<{width}}{'Spearman':>10}{'same>rest':>11}{'related>other':>15}{'mAP':>8}{'seconds':>9}"
    lines = [f"Real-motion validation set ({'body flip' if ev.flip else 'original pairs'}; labels 4 same segment, "
             f"2.5 related, 1 other)", "", head, "-" * len(head)]
    for r in ev.results:
        s = r.scores
        lines.append(f"{r.name:<{width}}{cell(s.spearman):>10}{cell(s.same_auc):>11}{cell(s.related_auc):>15}"
                     f"{cell(s.retrieval_map):>8}{r.seconds:>9.1f}")
        for part, p in r.parts.items():
            lines.append(f"{'  ' + part:<{width}}{cell(p.spearman):>10}{cell(p.same_auc):>11}"
                         f"{cell(p.related_auc):>15}{cell(p.retrieval_map):>8}")
    lines.append(f"{'best possible':<{width}}{cell(ev.best_spearman):>10}{'1.000':>11}{'1.000':>15}{'1.000':>8}")
    lines += format_part_changes([(r.name, r.part_change) for r in ev.results if r.part_change is not None])
    lines.append("")
    lines += [f"{r.name}: {r.label} — {r.detail}" for r in ev.results if r.detail]
    lines += [f"skipped {name}: {why}" for name, why in ev.skipped.items()]
    s = ev.sizes
    lines.append(f"{s['segments']} segments, {s['renderings']} renderings, {s['total']} pairs ({s['same']} same, "
                 f"{s['related']} related, {s['other']} other); {ev.seconds.get('total', 0.0):.1f} s; set: {ev.root}")
    return "\n".join(lines) + "\n"
