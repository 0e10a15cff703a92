"""Toy COCO-17 motions for tests, benchmarks and first-time users, and a toy rated-pairs benchmark in the
NTU refined-skeleton format, with known ground truth.

`make_motion` (a waving, kicking or still figure) and `random_motion` (every joint oscillating) are quick
hand-made motions around `REST_POSE`; `pose_frames` is a parametric stick figure doing an action.

The NTU skeletons cannot be redistributed, so tests, benchmarks and first-time users run the harness on
this: a few parametric "actions" (2D forward kinematics of a stick figure), each performed by several
bodies at different speeds, phases, sizes and positions, some mirrored (done with the other side), written
as ``DIR/<action>/<sample>.json`` with sample names in NTU's ``S...C...P...R...A...`` form. The rating of a
pair is 4 for the same action and 1 otherwise, plus a little noise, like the AMT scores' two clusters.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..io import save_pose
from ..pose import PoseSequence, mirror_points

#: A standing person in image coordinates (pixels, y down, centred on the origin), COCO-17 order.
REST_POSE = np.array([
    [0, -160], [-6, -166], [6, -166], [-14, -162], [14, -162],  # nose, eyes, ears
    [-40, -130], [40, -130], [-50, -80], [50, -80], [-55, -35], [55, -35],  # shoulders, elbows, wrists
    [-20, -20], [20, -20], [-22, 60], [22, 60], [-24, 140], [24, 140],  # hips, knees, ankles
], dtype=np.float32)


def make_motion(n_frames: int = 64, seed: int = 0, kind: str = "wave", fps: float = 30.0) -> np.ndarray:
    """A (T, 17, 2) motion around `REST_POSE` at (640, 400): "wave" raises and swings the right arm, "kick"
    swings the right leg, "still" stands; small per-seed differences in speed and phase."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_frames) / fps
    speed = 1.0 + 0.2 * rng.standard_normal()
    phase = rng.uniform(0, 2 * np.pi)
    poses = np.repeat(REST_POSE[None], n_frames, axis=0).copy()
    swing = np.sin(2 * np.pi * speed * t + phase)
    if kind == "wave":  # raise and swing the right arm (COCO right = index 6, 8, 10)
        poses[:, 8] += np.stack([30 + 20 * swing, -80 + 0 * swing], axis=1)
        poses[:, 10] += np.stack([60 + 50 * swing, -150 + 20 * swing], axis=1)
    elif kind == "kick":
        poses[:, 14] += np.stack([40 * np.maximum(swing, 0), -30 * np.maximum(swing, 0)], axis=1)
        poses[:, 16] += np.stack([90 * np.maximum(swing, 0), -60 * np.maximum(swing, 0)], axis=1)
    elif kind != "still":
        raise ValueError(f"kind must be 'wave', 'kick' or 'still', got {kind!r}")
    poses += rng.normal(scale=0.5, size=poses.shape)
    return poses + np.array([640, 400], dtype=np.float32)


def random_motion(n_frames: int, rng: np.random.Generator) -> np.ndarray:
    """(T, 17, 3) with confidences: every joint of `REST_POSE` oscillates with random frequencies and
    amplitudes."""
    t = np.arange(n_frames)[:, None, None] / 30.0
    freq = rng.uniform(0.2, 2.0, size=(1, 17, 2))
    amp = rng.uniform(0, 30, size=(1, 17, 2))
    phase = rng.uniform(0, 2 * np.pi, size=(1, 17, 2))
    xy = REST_POSE[None] + amp * np.sin(2 * np.pi * freq * t + phase) + np.array([640, 400])
    scores = np.ones((n_frames, 17, 1), np.float32)
    return np.concatenate([xy, scores], axis=2).astype(np.float32)


#: action -> {angle name: (mean, amplitude)} in degrees; each angle is mean + amplitude * sin(phase).
ACTIONS: dict[str, dict[str, tuple[float, float]]] = {
    "wave": {"r_shoulder": (150, 10), "r_elbow": (20, 35)},
    "raise_arms": {"r_shoulder": (85, 80), "l_shoulder": (85, 80)},
    "kick": {"r_hip": (30, 30), "r_knee": (10, 10)},
    "squat": {"r_hip": (-25, 25), "l_hip": (-25, 25), "r_knee": (50, 50), "l_knee": (50, 50), "drop": (0.12, 0.12)},
    "punch": {"r_shoulder": (80, 10), "r_elbow": (60, 60)},
    "side_bend": {"lean": (0, 20), "r_shoulder": (20, 10), "l_shoulder": (20, 10)},
    "jump": {"lift": (0.15, 0.15), "r_shoulder": (60, 50), "l_shoulder": (60, 50)},
}

# COCO-17 indices
_NOSE, _LEYE, _REYE, _LEAR, _REAR = 0, 1, 2, 3, 4
_SH, _EL, _WR, _HIP, _KNEE, _ANK = {"l": 5, "r": 6}, {"l": 7, "r": 8}, {"l": 9, "r": 10}, \
    {"l": 11, "r": 12}, {"l": 13, "r": 14}, {"l": 15, "r": 16}


def pose_frames(action: str, n_frames: int, rng: np.random.Generator, mirrored: bool = False) -> np.ndarray:
    """One clip of ``action``, shape=(T, 17, 2) in image pixels (y down); random body, speed, phase, place."""
    spec = ACTIONS[action]
    height = rng.uniform(250, 420)  # pixels, nose to ankle
    seg = {"spine": 0.30, "neck": 0.12, "upper_arm": 0.17, "forearm": 0.15, "thigh": 0.25, "shin": 0.24,
           "shoulder": 0.11, "hip": 0.07}
    seg = {k: v * height * rng.uniform(0.9, 1.1) for k, v in seg.items()}
    cycles = rng.uniform(1.0, 2.0)
    phase = 2 * np.pi * cycles * np.arange(n_frames) / n_frames + rng.uniform(0, 2 * np.pi)
    amp = rng.uniform(0.8, 1.2)
    angle = {k: np.radians(m + amp * a * np.sin(phase)) for k, (m, a) in spec.items() if k not in ("drop", "lift")}
    drop = spec.get("drop", (0.0, 0.0))
    lift = spec.get("lift", (0.0, 0.0))
    root = np.stack([np.full(n_frames, rng.uniform(500, 1400)) + rng.normal(0, 1.0, n_frames).cumsum(),
                     np.full(n_frames, rng.uniform(550, 700)) + height * (drop[0] + drop[1] * np.sin(phase))
                     - height * np.maximum(0, lift[0] + lift[1] * np.sin(phase))], axis=1)

    def get(name: str) -> np.ndarray:
        return angle.get(name, np.zeros(n_frames))

    def direction(theta: np.ndarray, side: float) -> np.ndarray:  # 0 = straight down, + = outwards
        return np.stack([side * np.sin(theta), np.cos(theta)], axis=1)

    lean = get("lean")
    up = np.stack([np.sin(lean), -np.cos(lean)], axis=1)
    across = np.stack([np.cos(lean), np.sin(lean)], axis=1)  # towards the person's left = image right
    out = np.zeros((n_frames, 17, 2))
    neck = root + seg["spine"] * up
    head = neck + seg["neck"] * up
    out[:, _NOSE] = head
    out[:, _LEYE], out[:, _REYE] = head + [4, -5], head + [-4, -5]
    out[:, _LEAR], out[:, _REAR] = head + [9, -2], head + [-9, -2]
    for side, sign in (("l", 1.0), ("r", -1.0)):
        sh = neck + sign * seg["shoulder"] * across
        el = sh + seg["upper_arm"] * direction(get(f"{side}_shoulder"), sign)
        wr = el + seg["forearm"] * direction(get(f"{side}_shoulder") + get(f"{side}_elbow"), sign)
        hip = root + sign * seg["hip"] * across
        knee = hip + seg["thigh"] * direction(get(f"{side}_hip"), sign)
        ank = knee + seg["shin"] * direction(get(f"{side}_hip") - get(f"{side}_knee"), sign)
        out[:, _SH[side]], out[:, _EL[side]], out[:, _WR[side]] = sh, el, wr
        out[:, _HIP[side]], out[:, _KNEE[side]], out[:, _ANK[side]] = hip, knee, ank
    if mirrored:  # the same action done with the other side: mirror about the body's mean x
        out = mirror_points(out, about_x=root[:, 0].mean())
    return (out + rng.normal(0, 1.0, out.shape)).astype(np.float32)


@dataclass(frozen=True)
class ToyBenchmark:
    """Where the toy data went: the clip folder, the pairs CSV, and each sample's action."""

    skeletons: Path
    pairs: Path
    actions: dict[str, str]


def write_toy_benchmark(directory: str | Path, clips_per_action: int = 4, actions: tuple[str, ...] | None = None,
                        n_pairs: int | None = None, frames: tuple[int, int] = (60, 120), mirrored_share: float = 0.25,
                        noise: float = 0.2, seed: int = 0) -> ToyBenchmark:
    """Write clips (NTU JSON) and a rated pairs CSV (num, sample1, sample2, AMT_score) under ``directory``.

    ``n_pairs``: None for every pair of distinct clips, else that many random pairs (with repeats allowed
    across rows, never a clip with itself).
    """
    rng = np.random.default_rng(seed)
    directory = Path(directory)
    actions = tuple(actions or ACTIONS)
    labels: dict[str, str] = {}
    for a_idx, action in enumerate(actions):
        for k in range(clips_per_action):
            name = f"S{k // 3 + 1:03d}C{k % 3 + 1:03d}P{k + 1:03d}R001A{a_idx + 1:03d}"
            n_frames = int(rng.integers(frames[0], frames[1] + 1))
            points = pose_frames(action, n_frames, rng, mirrored=rng.random() < mirrored_share)
            seq = PoseSequence(points, np.ones(points.shape[:2], np.float32), fps=30.0, source=name)
            path = directory / "skeletons" / f"A{a_idx + 1:03d}" / f"{name}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            save_pose(seq, path)
            labels[name] = action
    names = list(labels)
    if n_pairs is None:
        pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]]
    else:
        first = rng.integers(0, len(names), n_pairs)
        second = (first + rng.integers(1, len(names), n_pairs)) % len(names)
        pairs = [(names[i], names[j]) for i, j in zip(first, second)]
    pairs_path = directory / "pairs.csv"
    with pairs_path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["num", "sample1", "sample2", "AMT_score"])
        for num, (a, b) in enumerate(pairs, start=1):
            score = (4.0 if labels[a] == labels[b] else 1.0) + rng.normal(0, noise)
            writer.writerow([num, a, b, f"{float(np.clip(score, 1, 4)):.4f}"])
    return ToyBenchmark(directory / "skeletons", pairs_path, labels)
