"""SARA's folder layout: write our synthetic motions in it, read it back (ours or the real SARA).

Layout (from the authors' ``preprocess.py`` and dataset code)::

    <root>/<train|test>/<character>/<motion>/<n_frames>/<Var1_v1|Var2_v2...>/motion.npy      (17, 3, T)
    <root>/<train|test>/<character>/<motion>/<n_frames>/<Var1_v1|...>/motions/<i>.npy         (17, 3, 32)

``motion.npy`` holds the 17 COCO joints x (x, y, z) x frames, y up; the windows are 32 frames every 16, named
1.npy, 2.npy... Variable names contain no underscore (the value is what follows it).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import PoseFormatError
from .characters import TRAIN_CHARACTERS, VAL_CHARACTERS, Character
from .motion_base import variation_score
from .motions import get_motion, list_motions, motion_3d, variation_grid
from .sampler import TripletSampler

log = logging.getLogger(__name__)
PHASES = ("train", "test")


def variation_dirname(variables: Sequence[str], values: Sequence[float]) -> str:
    """``Energy_0.5|Height_-1``: SARA's name of a characteristic vector."""
    return "|".join(f"{k}_{float(x):g}" for k, x in zip(variables, values))


def parse_variation_dirname(name: str) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Inverse of `variation_dirname`."""
    try:
        pairs = [part.rsplit("_", 1) for part in name.split("|")]
        return tuple(p[0] for p in pairs), tuple(float(p[1]) for p in pairs)
    except (IndexError, ValueError) as exc:
        raise PoseFormatError(f"{name!r} is not a SARA variation folder name (Var_value|Var_value...)") from exc


def window_starts(n_frames: int, window: int = 32, max_frame: int | None = 300) -> list[int]:
    """Window starts of SARA's split: every window/2 frames, (T // (window/2)) - 1 windows, up to max_frame."""
    half = window // 2
    starts = [i * half for i in range(n_frames // half - 1)]
    return [s for s in starts if max_frame is None or s + window <= max_frame]


def write_sara(out_dir: str | Path, motions: dict[str, Sequence[str]] | None = None,
               characters: dict[str, Sequence[Character | str]] | None = None, n_variations: int | None = 8,
               window: int = 32, random_state: np.random.Generator | int | None = None) -> int:
    """Write synthetic motions in SARA's layout; returns the number of motion.npy files written.

    Parameters
    ----------
    motions : phase -> base motion names (default: training split -> train, validation split -> test)
    characters : phase -> characters (default: the 12 training / 6 validation characters)
    n_variations : characteristic vectors per base motion (the neutral one plus random others from the grid);
        None writes the whole grid. SARA has about 23 per base motion.
    """
    rng = np.random.default_rng(random_state)
    motions = motions or {"train": list_motions(split="train"), "test": list_motions(split="val")}
    characters = characters or {"train": TRAIN_CHARACTERS, "test": VAL_CHARACTERS}
    root = Path(out_dir)
    count = 0
    for phase in PHASES:
        for name in motions.get(phase, ()):
            spec = get_motion(name)
            grid = variation_grid(spec)
            if n_variations is not None and n_variations < len(grid):
                neutral = int(np.flatnonzero((grid == 0).all(axis=1))[0])
                others = rng.permutation(np.delete(np.arange(len(grid)), neutral))[: n_variations - 1]
                grid = grid[np.concatenate([[neutral], others])]
            for char in characters.get(phase, ()):
                for values in grid:
                    joints = motion_3d(spec, values, char)  # (T, 17, 3)
                    arr = np.ascontiguousarray(joints.transpose(1, 2, 0)).astype(np.float32)
                    cname = char if isinstance(char, str) else char.name
                    d = root / phase / cname / spec.name / str(arr.shape[-1]) / variation_dirname(spec.variables,
                                                                                                   values)
                    (d / "motions").mkdir(parents=True, exist_ok=True)
                    np.save(d / "motion.npy", arr)
                    for i, s in enumerate(window_starts(arr.shape[-1], window), start=1):
                        np.save(d / "motions" / f"{i}.npy", arr[:, :, s:s + window])
                    count += 1
    log.info("wrote %d SARA motions under %s", count, root)
    return count


@dataclass(frozen=True)
class SaraClip:
    """One ``motion.npy`` of a SARA tree."""

    phase: str
    character: str
    motion: str
    n_frames: str
    variables: tuple[str, ...]
    values: tuple[float, ...]
    path: Path

    @property
    def group(self) -> tuple[str, str]:
        """Clips of one group are variations of one base motion (same motion and length folder)."""
        return self.motion, self.n_frames


def read_sara(root: str | Path, phase: str = "train") -> list[SaraClip]:
    """Index a SARA tree (ours or the real one) without loading the arrays."""
    if phase not in PHASES:
        raise ValueError(f"phase must be one of {PHASES}, got {phase!r}")
    base = Path(root) / phase
    if not base.is_dir():
        raise PoseFormatError(f"{base} is not a folder: expected <root>/{phase}/<character>/<motion>/...")
    clips = []
    for path in sorted(base.glob("*/*/*/*/motion.npy")):
        var, frames, motion, char = path.parts[-2], path.parts[-3], path.parts[-4], path.parts[-5]
        names, values = parse_variation_dirname(var)
        clips.append(SaraClip(phase, char, motion, frames, names, values, path))
    if not clips:
        raise PoseFormatError(f"no <character>/<motion>/<frames>/<variation>/motion.npy under {base}")
    return clips


def load_clip(clip: SaraClip | str | Path) -> np.ndarray:
    """Joint positions (T, 17, 3) of a SARA ``motion.npy`` (stored as (17, 3, T))."""
    path = clip.path if isinstance(clip, SaraClip) else Path(clip)
    arr = np.load(path)
    if arr.ndim != 3 or arr.shape[:2] != (17, 3):
        raise PoseFormatError(f"{path}: expected an array of shape (17, 3, T), got {arr.shape}")
    return np.ascontiguousarray(arr.transpose(2, 0, 1)).astype(np.float32)


class SaraSampler(TripletSampler):
    """Training items from a SARA tree, with the same interface and projection as `SynthSampler`.

    m, m'' are two variations of one base motion (same length folder, same window start); m' is another base
    motion; s, s' two characters that have both; arrays are loaded lazily and kept in memory.
    """

    def __init__(self, root: str | Path, phase: str = "train", views="grid", window: int = 32,
                 random_view_prob: float = 0.0, perspective_prob: float = 0.0) -> None:
        super().__init__(views, window, random_view_prob, perspective_prob)
        by_group: dict[tuple[str, str], dict[tuple[float, ...], dict[str, SaraClip]]] = defaultdict(
            lambda: defaultdict(dict))
        for c in read_sara(root, phase):
            if not c.n_frames.isdigit() or int(c.n_frames) >= window:  # the real SARA's folder may not be a count
                by_group[c.group][c.values][c.character] = c
        self.groups = {g: {v: chars for v, chars in d.items() if len(chars) >= 2} for g, d in by_group.items()}
        self.groups = {g: d for g, d in self.groups.items() if len(d) >= 2}
        self.group_keys = sorted(self.groups)
        if len(self.group_keys) < 2:
            raise PoseFormatError(f"{root}/{phase}: need two base motions with two variations on two characters")
        self._arrays: dict[Path, np.ndarray] = {}

    def _load(self, clip: SaraClip) -> np.ndarray:
        if clip.path not in self._arrays:
            self._arrays[clip.path] = load_clip(clip)
        return self._arrays[clip.path]

    def _draw_3d(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
        w = self.window
        joints = np.empty((n, 3, 2, w, 17, 3), np.float32)
        names, vals, chars, starts, variation = [], [], [], np.zeros((n, 2), np.int64), np.zeros(n)
        for i in range(n):
            a = int(rng.integers(len(self.group_keys)))
            b = int(rng.integers(len(self.group_keys) - 1))
            b += b >= a
            ga, gb = self.groups[self.group_keys[a]], self.groups[self.group_keys[b]]
            keys_a = sorted(ga)
            ia, isp = rng.choice(len(keys_a), 2, replace=False)
            va, vs = keys_a[ia], keys_a[isp]
            common = sorted(set(ga[va]) & set(ga[vs]))
            if len(common) < 2:
                common = sorted(ga[va])
                vs = va
            pair = [common[int(k)] for k in rng.choice(len(common), 2, replace=False)]
            keys_b = sorted(gb)
            vb = keys_b[int(rng.integers(len(keys_b)))]
            first_b = gb[vb].get(pair[0]) or next(iter(gb[vb].values()))
            t_a = min(len(self._load(ga[v][ch])) for v in (va, vs) for ch in pair if ch in ga[v])
            t_b = len(self._load(first_b))
            if min(t_a, t_b) < w:
                raise PoseFormatError(f"{ga[va][pair[0]].path.parent}: clips shorter than the {w}-frame window")
            s0, s1 = int(rng.integers(t_a - w + 1)), int(rng.integers(t_b - w + 1))
            for k, ch in enumerate(pair):
                joints[i, 0, k] = self._load(ga[va][ch])[s0:s0 + w]
                joints[i, 1, k] = self._load(ga[vs].get(ch, ga[va][ch]))[s0:s0 + w]
                cb = gb[vb].get(ch) or next(iter(gb[vb].values()))
                joints[i, 2, k] = self._load(cb)[s1:s1 + w]
            variation[i] = variation_score(va, vs)
            names.append((self.group_keys[a][0], self.group_keys[a][0], self.group_keys[b][0]))
            vals.append((va, vs, vb))
            chars.append(pair)
            starts[i] = (s0, s1)
        return joints, {"variation": variation, "motions": np.array(names), "values": vals,
                        "characters": np.array(chars), "starts": starts}
