"""Training items of the paper (§III-A2): motions (m, m'', m') x skeletons (s, s') x views (c, c') in 2-D.

``SynthSampler`` draws them on the fly from the motion library; `motionsim.synth.sara.SaraSampler` draws them
from a SARA folder. Both share `sample_item` / `sample_batch` and the projection, so the trainer takes either.

>>> import numpy as np
>>> s = SynthSampler(random_state=0)
>>> b = s.sample_batch(4, np.random.default_rng(0))
>>> b.renderings.shape, b.variation.shape
((4, 3, 2, 2, 32, 17, 2), (4,))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .camera import FRONT, VIEW_GRID, View, as_view_array, project, random_views
from .characters import TRAIN_CHARACTERS, Character, get_character, random_character
from .motion_base import VARIATION_LEVELS, MotionSpec
from .motions import body_arrays, channels_to_3d, get_motion, list_motions, part_distances, part_poses
from .random_motion import random_floor_motion_specs, random_motion_specs


@dataclass(frozen=True)
class TrainingBatch:
    """A batch of training items, stacked.

    Attributes
    ----------
    renderings : float32 (N, 3, 2, 2, T, 17, 2): [motion m/m''/m', skeleton s/s', view c/c', time, joint, xy],
        COCO-17 order, image y down, metre-like units, root translation kept
    variation : float32 (N,), var(m, m'') of eq. 2
    motions : (N, 3) base motion names of m, m'', m' (m and m'' always equal)
    values : list of N triples of characteristic vectors (v_m, v_m'', v_m')
    characters : (N, 2) character names of s, s'
    views : float32 (N, 2, 4): (pitch, yaw, roll, distance) of c, c'
    starts : int (N, 2): first frame of the window of m (and m'') and of m'
    joints : float32 (N, 3, 2, T, 17, 3) or None: the 3-D joints (metres) behind the renderings
    part_change : float32 (N, 5): how much each body part (`BODY_PARTS` order) differs between m and m''
        in 3-D (`part_distances`, mean over both bodies): which parts a variation actually touched
    part_negative : float32 (N, 5): the same between m and m' (body s'): parts the two motions share
    part_pairwise : float32 (N, N, 5): between m of item a (body s) and m of item b (body s')
    The three part_* labels are computed from ``joints`` on first use (None without joints), so callers
    that only want the renderings do not pay for them.
    """

    renderings: np.ndarray
    variation: np.ndarray
    motions: np.ndarray
    values: list
    characters: np.ndarray
    views: np.ndarray
    starts: np.ndarray
    joints: np.ndarray | None = field(default=None, repr=False)

    @cached_property
    def _part_labels(self) -> dict[str, np.ndarray | None]:
        if self.joints is None:
            return dict.fromkeys(("part_change", "part_negative", "part_pairwise"))
        return part_labels(self.joints)

    @property
    def part_change(self) -> np.ndarray | None:
        return self._part_labels["part_change"]

    @property
    def part_negative(self) -> np.ndarray | None:
        return self._part_labels["part_negative"]

    @property
    def part_pairwise(self) -> np.ndarray | None:
        return self._part_labels["part_pairwise"]

    def __len__(self) -> int:
        return int(self.renderings.shape[0])

    def item(self, i: int) -> TrainingItem:
        """The i-th item of the batch."""
        return TrainingItem(self.renderings[i], float(self.variation[i]), tuple(self.motions[i]), self.values[i],
                            tuple(self.characters[i]), self.views[i], tuple(int(x) for x in self.starts[i]))


@dataclass(frozen=True)
class TrainingItem:
    """One training item: ``renderings`` (3, 2, 2, T, 17, 2) plus the labels of `TrainingBatch`, unstacked."""

    renderings: np.ndarray
    variation: float
    motions: tuple[str, str, str]
    values: tuple
    characters: tuple[str, str]
    views: np.ndarray
    starts: tuple[int, int]


class TripletSampler:
    """Shared part of the samplers: draws 3-D windows (subclass hook `_draw_3d`), then views and projection."""

    def __init__(self, views: Sequence[View] | str = "grid", window: int = 32, random_view_prob: float = 0.0,
                 perspective_prob: float = 0.0) -> None:
        if window < 2:
            raise ValueError(f"window must be at least 2 frames, got {window}")
        if isinstance(views, str):
            if views != "grid":
                raise ValueError(f"views must be 'grid' or a list of View, got {views!r}")
            views = VIEW_GRID
        if len(views) < 2:
            raise ValueError("need at least two views to pick a pair (c, c')")
        self.view_table = as_view_array(list(views))
        self.window = int(window)
        self.random_view_prob = float(random_view_prob)
        self.perspective_prob = float(perspective_prob)

    def _draw_3d(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
        raise NotImplementedError

    def _draw_views(self, n: int, rng: np.random.Generator) -> np.ndarray:
        pick = np.argsort(rng.random((n, len(self.view_table))), axis=1)[:, :2]
        views = self.view_table[pick].copy()
        if self.random_view_prob > 0 or self.perspective_prob > 0:
            rand = random_views(rng, 2 * n, perspective=self.perspective_prob).reshape(n, 2, 4)
            use = rng.random((n, 2)) < self.random_view_prob
            views = np.where(use[..., None], rand, views)
            views[..., 3] = rand[..., 3]
        return views

    def sample_batch(self, n: int, random_state: np.random.Generator | int | None = None) -> TrainingBatch:
        """Draw ``n`` training items; reproducible for a given generator state."""
        rng = np.random.default_rng(random_state)
        joints, meta = self._draw_3d(int(n), rng)  # (n, 3, 2, T, 17, 3)
        views = self._draw_views(int(n), rng)
        full = np.broadcast_to(joints[:, :, :, None], joints.shape[:3] + (2,) + joints.shape[3:])
        rend = project(full, views[:, None, None, :, :])
        return TrainingBatch(rend, meta["variation"].astype(np.float32), meta["motions"], meta["values"],
                             meta["characters"], views.astype(np.float32), meta["starts"], joints)

    def sample_item(self, random_state: np.random.Generator | int | None = None) -> TrainingItem:
        """Draw one training item."""
        return self.sample_batch(1, random_state).item(0)


def part_labels(joints: np.ndarray) -> dict[str, np.ndarray]:
    """Per-part ground truth of a batch from its 3-D joints (n, 3, 2, T, 17, 3): which parts m'' changed,
    which parts m' shares with m, and which parts every pair of items shares (see `TrainingBatch`)."""
    poses = part_poses(joints)

    def pick(motion: int, body: int, axis: int | None = None) -> dict[str, np.ndarray]:
        out = {p: v[:, motion, body] for p, v in poses.items()}
        # every pair of items: every 4th frame is plenty to tell shared parts and 4x cheaper
        return out if axis is None else {p: np.expand_dims(v[:, ::4], axis) for p, v in out.items()}

    change = (part_distances(pick(0, 0), pick(1, 0)) + part_distances(pick(0, 1), pick(1, 1))) / 2
    return {"part_change": change.astype(np.float32),
            "part_negative": part_distances(pick(0, 1), pick(2, 1)).astype(np.float32),
            "part_pairwise": part_distances(pick(0, 0, 1), pick(0, 1, 0)).astype(np.float32)}


class SynthSampler(TripletSampler):
    """Training items drawn from the synthetic motion library, rendered on the character bank.

    Parameters
    ----------
    characters : bodies to draw s, s' from (default: the 12 training characters)
    motions : base motion names or specs (default: the training split of the library)
    views : "grid" (the paper's 27 views) or a list of `View`
    window : frames per rendering (the paper's 32)
    n_random_motions : random smooth base motions added to the library (drawn from ``random_state``)
    n_random_floor_motions : random motions on the floor, on all fours, upside down or rolling over, added
        after them (`random_motion.random_floor_motion_spec`)
    random_character_prob : chance that a skeleton is a freshly drawn random body instead of a bank character
    random_view_prob, perspective_prob : chance of a random (off-grid, rolled) view / of a perspective camera
    random_state : seed or generator for the random motions; sampling itself takes its own generator
    """

    def __init__(self, characters: Sequence[Character | str] = TRAIN_CHARACTERS,
                 motions: Sequence[str | MotionSpec] | None = None, views: Sequence[View] | str = "grid",
                 window: int = 32, n_random_motions: int = 0, n_random_floor_motions: int = 0,
                 random_character_prob: float = 0.0,
                 random_view_prob: float = 0.0, perspective_prob: float = 0.0,
                 random_state: np.random.Generator | int | None = None) -> None:
        super().__init__(views, window, random_view_prob, perspective_prob)
        rng = np.random.default_rng(random_state)
        specs = [get_motion(m) for m in (list_motions(split="train") if motions is None else motions)]
        specs += random_motion_specs(n_random_motions, rng)
        if n_random_floor_motions:
            specs += random_floor_motion_specs(n_random_floor_motions, rng)
        if len(specs) < 2:
            raise ValueError("need at least two base motions (m and a different m')")
        short = [s.name for s in specs if s.n_frames < window]
        if short:
            raise ValueError(f"motions shorter than the {window}-frame window: {short}")
        self.motions: list[MotionSpec] = specs
        self.characters: list[Character] = [get_character(c) for c in characters]
        if len(self.characters) < 2:
            raise ValueError("need at least two characters to pick a pair (s, s')")
        self.random_character_prob = float(random_character_prob)
        self._bodies = body_arrays(self.characters)
        self._cache: dict[tuple[int, tuple[float, ...]], np.ndarray] = {}

    def channels(self, motion_index: int, values: tuple[float, ...]) -> np.ndarray:
        """Channel curves of one (motion, characteristic vector), computed once and cached."""
        key = (motion_index, values)
        if key not in self._cache:
            self._cache[key] = self.motions[motion_index].channels(values)
        return self._cache[key]

    def _values(self, rng: np.random.Generator, n_v: int) -> tuple[float, ...]:
        return tuple(float(x) for x in rng.choice(VARIATION_LEVELS, n_v))

    def _draw_3d(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
        n_m, w = len(self.motions), self.window
        ch = np.empty((n, 3, w, self.channels(0, (0.0,) * self.motions[0].n_variables).shape[1]), np.float32)
        names, vals, starts = [], [], np.zeros((n, 2), np.int64)
        variation = np.zeros(n)
        chars: list[list[Character]] = []
        body_idx = np.zeros((n, 2), np.int64)
        extra: dict[tuple[int, int], Character] = {}
        for i in range(n):
            a = int(rng.integers(n_m))
            b = int(rng.integers(n_m - 1))
            b += b >= a
            spec_a, spec_b = self.motions[a], self.motions[b]
            va = self._values(rng, spec_a.n_variables)
            vs = va
            while vs == va:
                vs = self._values(rng, spec_a.n_variables)
            vb = self._values(rng, spec_b.n_variables)
            s0 = int(rng.integers(spec_a.n_frames - w + 1))
            s1 = int(rng.integers(spec_b.n_frames - w + 1))
            ch[i, 0] = self.channels(a, va)[s0:s0 + w]
            ch[i, 1] = self.channels(a, vs)[s0:s0 + w]
            ch[i, 2] = self.channels(b, vb)[s1:s1 + w]
            variation[i] = np.abs(np.subtract(va, vs)).sum() / (2 * len(va))
            names.append((spec_a.name, spec_a.name, spec_b.name))
            vals.append((va, vs, vb))
            starts[i] = (s0, s1)
            pair = rng.choice(len(self.characters), 2, replace=False)
            body_idx[i] = pair
            row = []
            for k, j in enumerate(pair):
                if self.random_character_prob > 0 and rng.random() < self.random_character_prob:
                    extra[(i, k)] = random_character(rng, f"random_{i}_{k}")
                    row.append(extra[(i, k)])
                else:
                    row.append(self.characters[int(j)])
            chars.append(row)
        seq = np.broadcast_to(body_idx[:, None, :], (n, 3, 2)).reshape(-1)
        bodies = [a[seq] for a in self._bodies]
        for (i, k), c in extra.items():
            one = body_arrays([c])
            for m in range(3):
                for a, b in zip(bodies, one):
                    a[(i * 3 + m) * 2 + k] = b[0]
        seq_ch = np.broadcast_to(ch[:, :, None], (n, 3, 2) + ch.shape[2:]).reshape((n * 6,) + ch.shape[2:])
        joints = channels_to_3d(seq_ch, [], tuple(bodies)).reshape((n, 3, 2, w, 17, 3))
        meta = {"variation": variation, "motions": np.array(names), "values": vals, "starts": starts,
                "characters": np.array([[c.name for c in cs] for cs in chars])}
        return joints, meta


def render(motion_name: str | MotionSpec, variation_values: Sequence[float] | dict | None,
           character: Character | str, view: View | Sequence[float] = FRONT,
           n_frames: int | None = None) -> np.ndarray:
    """A whole base motion rendered in 2-D: (T, 17, 2), COCO-17, image y down (for evaluation and demos)."""
    spec = get_motion(motion_name)
    joints = channels_to_3d(spec.channels(variation_values, n_frames)[None], [character])[0]
    return project(joints, as_view_array(view))
