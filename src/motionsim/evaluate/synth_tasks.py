"""The synthetic validation benchmark's clips and ground truth: which renderings it draws (validation motions
on validation characters, from several cameras), what each check compares, and which pairs count as the
same, related or unrelated motion (docs/method.md §4, §8).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from ..pose import PoseSequence, from_array
from ..synth.camera import VIEW_GRID, random_views
from ..synth.characters import VAL_CHARACTERS
from ..synth.motion_base import VARIATION_LEVELS, variation_score
from ..synth.motions import get_motion, list_motions, part_effects
from ..synth.sampler import render

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
        out.append(from_array(arr, source=f"synth{k}:{r.motion}"))
    return out


def gallery_masks(tasks: SynthTasks) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
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
