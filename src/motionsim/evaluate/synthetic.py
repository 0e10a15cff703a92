"""Synthetic validation benchmark: what a method has learned, measured on motions and bodies it never saw.

Every number here is computed on the validation split of the motion library (base motions of held-out
families) worn by the validation characters, so a trained model cannot have memorised any of it (DESIGN §4,
§8). Renderings go through `as_pose_sequence` and each method's normal preprocessing, like any user clip.

Four checks, each with a known ground truth:

- retrieval: does a motion find itself again when worn by another body and seen from another camera?
- variation ranking: within one base motion, do larger characteristic changes (eq. 2) score as less similar?
- part localisation: when only one body part changes, does that part get the lowest part score?
- related motions: are different motions of the same family / category closer than unrelated ones?
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import rankdata
from tqdm import tqdm

from ..dtw import dtw_path
from ..model.checkpoint import Checkpoint, untrained_checkpoint
from ..pose import PoseSequence, as_pose_sequence
from ..similarity import part_scores, resolve_model
from ..skeleton import BODY_PARTS, PART_JOINTS, PART_REFERENCE
from ..synth.camera import VIEW_GRID, random_views
from ..synth.characters import VAL_CHARACTERS
from ..synth.motion_base import VARIATION_LEVELS, variation_score
from ..synth.motions import get_motion, list_motions, part_effects
from ..synth.sampler import render
from .baselines import JointDistance
from .bpe_method import BPEMethod
from .methods import METHODS, Method, MethodOptions
from .metrics import spearman

log = logging.getLogger(__name__)

#: Methods of this benchmark: the learned model, the same network untrained, and the hand-made baseline.
DEFAULT_SYNTH_METHODS: tuple[str, ...] = ("bpe", "random_weights", "joint_distance")
#: Every name `--methods` accepts (the NTU methods plus ``random_weights``).
SYNTH_METHOD_NAMES: tuple[str, ...] = (*METHODS, "random_weights")
#: Variables that only change timing: DTW is built to absorb them, so they say nothing about localisation.
TEMPO_VARIABLES: frozenset[str] = frozenset({"Speed"})
#: The motions of the "small" size (tests, quick looks): two categories share a pair of related motions.
SMALL_MOTIONS: tuple[str, ...] = ("raise_right_arm", "raise_left_arm", "salute", "hook", "side_kick", "can_can")


@dataclass(frozen=True)
class SynthConfig:
    """How big the benchmark is. The default takes about a minute per method on 2 CPU cores.

    ``n_values``: characteristic vectors per motion in the retrieval gallery (the first all zero);
    ``n_characters`` / ``n_views``: bodies and cameras of the gallery (the first view on the training grid,
    the others off-grid with camera roll); ``n_variation_values``: vectors per motion for the variation
    ranking (the first all zero); ``n_part_setups``: other bodies + cameras each one-part change is also
    compared from (besides its own); ``concentration``: share of a variable's effect one part must carry to
    count for part localisation; ``motions``: None = the whole validation split.
    """

    n_values: int = 3
    n_characters: int = 3
    n_views: int = 3
    n_variation_values: int = 6
    n_part_setups: int = 3
    concentration: float = 0.6
    motions: tuple[str, ...] | None = None
    seed: int = 0

    def motion_names(self) -> list[str]:
        return list(self.motions) if self.motions is not None else list_motions(split="val")


#: Named sizes of the CLI's ``--size``.
SIZES: Mapping[str, SynthConfig] = {
    "default": SynthConfig(),
    "small": SynthConfig(n_values=2, n_characters=2, n_views=2, n_variation_values=4, n_part_setups=1,
                         motions=SMALL_MOTIONS),
}


@dataclass(frozen=True)
class Rendering:
    """One clip of the benchmark: a base motion at characteristic values, worn by a body, seen by a camera."""

    motion: str
    values: tuple[float, ...]
    character: str
    view: tuple[float, float, float, float]


@dataclass
class SynthTasks:
    """The renderings and, by index into them, what each check compares."""

    renderings: list[Rendering]
    gallery: list[int]  # retrieval gallery
    gallery_character: np.ndarray  # index of the gallery body of each gallery item
    gallery_view: np.ndarray  # index of the gallery camera of each gallery item
    variation_pairs: list[tuple[int, int, float, str, bool]]  # (a, b, var, motion, same character+view)
    part_trials: list[tuple[int, int, str, str, str, bool]]  # (v = 0, v = +-1, changed part, motion, variable,
    #                                                          same character+view)

    def sizes(self) -> dict[str, int]:
        return {"motions": len({self.renderings[i].motion for i in self.gallery}),
                "gallery_items": len(self.gallery), "renderings": len(self.renderings),
                "variation_pairs": len(self.variation_pairs),
                "part_trials": sum(not t[5] for t in self.part_trials),
                "part_trials_same_view": sum(t[5] for t in self.part_trials)}


def _levels(rng: np.random.Generator, n_v: int, taken: set[tuple[float, ...]]) -> tuple[float, ...]:
    """A characteristic vector on SARA's levels not in ``taken`` (falls back to a repeat when all are)."""
    for _ in range(100):
        vec = tuple(float(x) for x in rng.choice(VARIATION_LEVELS, n_v))
        if vec not in taken:
            return vec
    return vec


def _view_tuple(row: np.ndarray) -> tuple[float, float, float, float]:
    return tuple(round(float(x), 6) for x in row)  # type: ignore[return-value]


def _off_grid_views(rng: np.random.Generator, n: int) -> np.ndarray:
    """Cameras within the training yaw range but off its grid, with some roll and elevation."""
    return random_views(rng, n, max_yaw=np.pi / 2, max_pitch=np.pi / 8, max_roll=np.pi / 18)


def build_tasks(config: SynthConfig) -> SynthTasks:
    """Draw every rendering of the benchmark from ``config.seed`` (the same seed gives the same clips)."""
    rng = np.random.default_rng(config.seed)
    motions = config.motion_names()
    if len(motions) < 2:
        raise ValueError("the synthetic benchmark needs at least two base motions")
    if not 2 <= config.n_characters <= len(VAL_CHARACTERS) or config.n_views < 2 or \
            not 1 <= config.n_part_setups < len(VAL_CHARACTERS):
        raise ValueError(f"need 2..{len(VAL_CHARACTERS)} characters, at least 2 views and 1..{len(VAL_CHARACTERS) - 1} "
                         "part setups")
    renderings: list[Rendering] = []
    index: dict[Rendering, int] = {}

    def add(r: Rendering) -> int:
        if r not in index:
            index[r] = len(renderings)
            renderings.append(r)
        return index[r]

    chars = [VAL_CHARACTERS[i].name for i in rng.permutation(len(VAL_CHARACTERS))[: config.n_characters]]
    grid_view = VIEW_GRID[int(rng.integers(len(VIEW_GRID)))].as_array()
    views = [_view_tuple(grid_view)] + [_view_tuple(v) for v in _off_grid_views(rng, config.n_views - 1)]
    gallery, g_char, g_view = [], [], []
    for name in motions:
        spec = get_motion(name)
        vectors = [(0.0,) * spec.n_variables]
        while len(vectors) < config.n_values:
            vectors.append(_levels(rng, spec.n_variables, set(vectors)))
        for vec in vectors:
            for ci, c in enumerate(chars):
                for vi, v in enumerate(views):
                    gallery.append(add(Rendering(name, vec, c, v)))
                    g_char.append(ci)
                    g_view.append(vi)

    variation_pairs: list[tuple[int, int, float, str, bool]] = []
    for name in motions:
        spec = get_motion(name)
        vectors = [(0.0,) * spec.n_variables]
        while len(vectors) < config.n_variation_values:
            vectors.append(_levels(rng, spec.n_variables, set(vectors)))
        pick = rng.permutation(len(VAL_CHARACTERS))[:2]
        setups = [(VAL_CHARACTERS[int(k)].name, _view_tuple(v)) for k, v in zip(pick, _off_grid_views(rng, 2))]
        ids = [[add(Rendering(name, vec, c, v)) for vec in vectors] for c, v in setups]
        for s in range(2):  # same body and camera, other values
            for i in range(len(vectors)):
                for j in range(i + 1, len(vectors)):
                    variation_pairs.append((ids[s][i], ids[s][j], variation_score(vectors[i], vectors[j]), name, True))
        for i in range(len(vectors)):  # other body and camera (equal values included: var = 0)
            for j in range(len(vectors)):
                variation_pairs.append((ids[0][i], ids[1][j], variation_score(vectors[i], vectors[j]), name, False))

    part_trials: list[tuple[int, int, str, str, str, bool]] = []
    for name in motions:
        spec = get_motion(name)
        n_setups = 1 + config.n_part_setups
        pick = rng.permutation(len(VAL_CHARACTERS))[:n_setups]
        setups = [(VAL_CHARACTERS[int(k)].name, _view_tuple(v)) for k, v in zip(pick, _off_grid_views(rng, n_setups))]
        zero = (0.0,) * spec.n_variables
        for k, var in enumerate(spec.variables):
            if var in TEMPO_VARIABLES:
                continue
            effects = part_effects(spec, var, setups[0][0])
            total = sum(effects.values())
            part = max(effects, key=lambda p: effects[p])
            if total <= 0 or effects[part] / total <= config.concentration:
                continue
            for level in (-1.0, 1.0):
                vec = tuple(level if i == k else 0.0 for i in range(spec.n_variables))
                for c_b, v_b in setups:
                    same = (c_b, v_b) == setups[0]
                    part_trials.append((add(Rendering(name, zero, *setups[0])), add(Rendering(name, vec, c_b, v_b)),
                                        part, name, var, same))
    return SynthTasks(renderings, gallery, np.array(g_char), np.array(g_view), variation_pairs, part_trials)


def render_all(renderings: Sequence[Rendering], progress: bool = False) -> list[PoseSequence]:
    """The 2-D clips (T, 17, 2) of every rendering, as the pose sequences any user input becomes."""
    out = []
    for k, r in enumerate(tqdm(renderings, desc="rendering", disable=not progress, leave=False)):
        arr = render(r.motion, r.values, r.character, r.view)
        out.append(as_pose_sequence(arr, source=f"synth{k}:{r.motion}"))
    return out


# ---------------------------------------------------------------- metrics
def expected_random_ap(n_relevant: int, n_candidates: int) -> float:
    """Mean average precision of a random ranking of ``n_candidates`` items of which ``n_relevant`` count.

    Each relevant item sits at a uniform rank k, where the expected precision is (1 + (k-1)(R-1)/(N-1)) / k.

    Examples
    --------
    >>> expected_random_ap(1, 2)  # first or second: AP 1 or 1/2
    0.75
    """
    r, n = n_relevant, n_candidates
    if r < 1 or n < r:
        return float("nan")
    if n == 1:
        return 1.0
    h = float(np.sum(1.0 / np.arange(1, n + 1)))
    return h / n + (r - 1) / (n - 1) * (1 - h / n)


def masked_retrieval(similarity: np.ndarray, relevant: np.ndarray, candidates: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Average precision and hit@1 of every query (row) that has a relevant candidate.

    Row i ranks the items j with ``candidates[i, j]`` by decreasing ``similarity[i, j]`` (ties in index
    order); ``relevant[i, j]`` marks the ones it should find. Items outside ``candidates`` take no part.

    Examples
    --------
    >>> sim = np.array([[0, .9, .5, .1], [.9, 0, .2, .3], [.5, .2, 0, .8], [.1, .3, .8, 0]])
    >>> rel = np.array([[0, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]], bool)
    >>> ap, hit = masked_retrieval(sim, rel, ~np.eye(4, dtype=bool))
    >>> ap.round(3).tolist(), hit.tolist()
    ([0.5, 0.5, 0.5, 0.5], [False, False, False, False])
    """
    similarity = np.asarray(similarity, dtype=float)
    relevant = np.asarray(relevant, dtype=bool) & np.asarray(candidates, dtype=bool)
    aps, hits = [], []
    for i in range(len(similarity)):
        cand = np.flatnonzero(candidates[i])
        if not relevant[i, cand].any():
            continue
        order = cand[np.argsort(-similarity[i, cand], kind="stable")]
        rel = relevant[i, order]
        precision = np.cumsum(rel) / np.arange(1, len(rel) + 1)
        aps.append(float(precision[rel].mean()))
        hits.append(bool(rel[0]))
    return np.array(aps, dtype=float), np.array(hits, dtype=bool)


def auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """Probability that a positive scores above a negative (ties count half): the ROC AUC, NaN if a side is empty.

    Examples
    --------
    >>> auc(np.array([3.0, 2.0]), np.array([1.0, 2.0]))
    0.875
    """
    pos, neg = np.asarray(positive, dtype=float), np.asarray(negative, dtype=float)
    if not len(pos) or not len(neg):
        return float("nan")
    ranks = rankdata(np.concatenate([pos, neg]))
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


# ---------------------------------------------------------------- per-part scores
def _joint_distance_parts(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """Joint distance + DTW on each body part alone (joints relative to the part's reference joint)."""
    pa, pb = a.reshape(len(a), -1, 2), b.reshape(len(b), -1, 2)
    out = {}
    for part in BODY_PARTS:
        idx, ref = list(PART_JOINTS[part]), PART_REFERENCE[part]
        fa = (pa[:, idx] - pa[:, ref: ref + 1]).reshape(len(pa), -1)
        fb = (pb[:, idx] - pb[:, ref: ref + 1]).reshape(len(pb), -1)
        cost = np.sqrt(((fa[:, None, :] - fb[None, :, :]) ** 2).sum(-1) / len(idx))
        path, total = dtw_path(cost)
        out[part] = -total / len(path)
    return out


def method_part_scores(method: Method) -> Callable[[Any, Any], dict[str, float]] | None:
    """The per-part scorer of a method (None if it has no notion of body parts)."""
    if isinstance(method, BPEMethod):
        return part_scores
    if isinstance(method, JointDistance):
        return _joint_distance_parts
    return None


# ---------------------------------------------------------------- methods
def random_weights_method(reference: Checkpoint, seed: int = 0, window: int = 32, stride: int = 2) -> BPEMethod:
    """The reference network with seeded random weights but the reference's normalisation statistics and
    target height, so that only the learning differs (DESIGN §8: report a model next to its random twin)."""
    twin = untrained_checkpoint(seed=seed, config=reference.model.config)
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


# ---------------------------------------------------------------- the benchmark
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


def _relevance(tasks: SynthTasks) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Retrieval masks (relevant, candidates) and related/unrelated pair masks over the gallery.

    Same motion + other body + other camera is relevant; same motion sharing the body or the camera is left
    out; other motions are distractors. Related pairs: other motion of the same family or category, with
    other body and camera (unrelated: other category, other body and camera).
    """
    specs = [get_motion(tasks.renderings[i].motion) for i in tasks.gallery]
    motion = np.array([s.name for s in specs])
    family = np.array([s.family for s in specs])
    category = np.array([s.category for s in specs])
    same_motion = motion[:, None] == motion[None, :]
    other_setup = ((tasks.gallery_character[:, None] != tasks.gallery_character[None, :])
                   & (tasks.gallery_view[:, None] != tasks.gallery_view[None, :]))
    relevant = same_motion & other_setup
    candidates = relevant | ~same_motion
    related_kind = (family[:, None] == family[None, :]) | (category[:, None] == category[None, :])
    upper = np.triu(np.ones_like(same_motion), 1)
    related = upper & ~same_motion & other_setup & related_kind
    unrelated = upper & ~same_motion & other_setup & ~related_kind
    return relevant, candidates, related, unrelated


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


def evaluate_synthetic(methods: Sequence[Method], config: SynthConfig = SynthConfig(),
                       progress: bool = False) -> SynthEvaluation:
    """Run the four checks for every method on the same renderings; methods that cannot run are skipped."""
    t0 = time.perf_counter()
    tasks = build_tasks(config)
    seqs = render_all(tasks.renderings, progress)
    t_render = time.perf_counter() - t0
    relevant, candidates, related, unrelated = _relevance(tasks)
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
    for method in methods:
        reason = method.unavailable_reason()
        if reason:
            ev.skipped[method.name] = reason
            continue
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


_COLUMNS = (("retrieval_map", "mAP"), ("recall_at_1", "R@1"), ("variation_spearman", "var rho"),
            ("variation_spearman_same_view", "var rho same"), ("variation_spearman_per_motion", "var rho/motion"),
            ("part_localisation", "parts"), ("part_localisation_same_view", "parts same"),
            ("related_auc", "related AUC"))


def format_synth_table(ev: SynthEvaluation) -> str:
    """The plain-text report: one row per method, the chance row, sizes and timings."""
    def cell(x: float | None) -> str:
        return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3f}"

    names = [r.name for r in ev.results] + ["chance"]
    width = max(len(n) for n in names) + 2
    head = "method".ljust(width) + "".join(f"{h:>15}" for _, h in _COLUMNS) + f"{'seconds':>10}"
    lines = ["Synthetic validation benchmark (validation motions and characters, never trained on)", "", head,
             "-" * len(head)]
    for r in ev.results:
        lines.append(r.name.ljust(width) + "".join(f"{cell(getattr(r, k)):>15}" for k, _ in _COLUMNS)
                     + f"{r.seconds:>10.1f}")
    lines.append("chance".ljust(width) + "".join(f"{cell(ev.chance.get(k)):>15}" for k, _ in _COLUMNS))
    lines.append("")
    for r in ev.results:
        if r.detail:
            lines.append(f"{r.name}: {r.label} — {r.detail}")
    for name, why in ev.skipped.items():
        lines.append(f"skipped {name}: {why}")
    s = ev.sizes
    lines.append(f"{s['motions']} motions x {s['values_per_motion']} value vectors x {s['characters']} characters x "
                 f"{s['views']} views = {s['gallery_items']} gallery clips; {s['variation_pairs']} variation pairs; "
                 f"{s['part_trials']} + {s['part_trials_same_view']} part trials; "
                 f"{s['related_pairs']} related / {s['unrelated_pairs']} unrelated pairs; "
                 f"{s['renderings']} renderings in {ev.seconds['render']:.1f} s; "
                 f"total {ev.seconds['total']:.1f} s (seed {ev.config.seed})")
    return "\n".join(lines) + "\n"
