"""An open-ended family of random smooth motions: random key poses within joint limits, random timing.

Each seed is one base motion with two characteristic variables, so random motions take part in the
m / m'' / m' triplets like the library's: ``Amplitude`` scales every key pose's deviation from the motion's
mean pose, ``Tempo`` warps time around the clip centre.
"""

from __future__ import annotations

import numpy as np

from .kinematics import CH
from .motion_base import ALL_PARTS, MotionSpec, Pose, keyframes

# comfortable sub-ranges (degrees) the key poses are drawn from; joint limits stay the hard bound
_ARM = {"sh_flex": (-40, 170), "sh_abd": (-20, 160), "sh_rot": (-60, 70), "elbow": (0, 140), "clav_elev": (0, 20)}
_TORSO = {"pitch": (-10, 45), "spine_flex": (-15, 30), "spine_bend": (-20, 20), "spine_twist": (-35, 35),
          "neck_flex": (-25, 35), "neck_tilt": (-15, 15), "neck_turn": (-50, 50)}
_SUPPORT = {"hip_flex": (-10, 15), "hip_abd": (0, 10), "hip_rot": (-10, 10), "knee": (0, 25)}
_FREE = {"hip_flex": (-25, 95), "hip_abd": (-10, 45), "hip_rot": (-25, 30), "knee": (0, 110)}
DURATION = 4.0


def _key_times(rng: np.random.Generator, duration: float) -> np.ndarray:
    """3-8 key times spanning the clip with random spacing (random timing, never two keys closer than 0.2 s)."""
    n = int(rng.integers(3, 9))
    gaps = rng.uniform(0.5, 1.5, n - 1)
    return -0.3 + np.concatenate([[0.0], np.cumsum(gaps)]) * (duration + 0.6) / gaps.sum()


def _draw_keys(seed: int, duration: float) -> list[tuple[list[str], np.ndarray, np.ndarray]]:
    """(channels, key times (K,), key values (K, n_channels)) per independent group of the body."""
    rng = np.random.default_rng(seed)
    groups = []
    for side in ("l", "r"):
        names = [f"{side}_{c}" for c in _ARM]
        times = _key_times(rng, duration)
        active = rng.random() < 0.75
        lo, hi = np.array([r[0] for r in _ARM.values()]), np.array([r[1] for r in _ARM.values()])
        vals = rng.uniform(lo, hi, (len(times), len(names))) if active else \
            np.array([0, 8, 0, 15, 0]) + rng.normal(0, 5, (len(times), len(names)))
        groups.append((names, times, vals))
    names = list(_TORSO)
    times = _key_times(rng, duration)
    scale = rng.uniform(0.2, 1.0)
    lo, hi = np.array([r[0] for r in _TORSO.values()]), np.array([r[1] for r in _TORSO.values()])
    groups.append((names, times, scale * rng.uniform(lo, hi, (len(times), len(names)))))
    times = _key_times(rng, duration)
    legs = []
    for _ in times:  # one leg supports the body at every key, the other moves freely
        free = rng.integers(2) if rng.random() < 0.7 else -1
        row = []
        for i in range(2):
            rng_box = _FREE if i == free else _SUPPORT
            row.extend(rng.uniform(r[0], r[1]) for r in rng_box.values())
        legs.append(row)
    names = [f"{s}_{c}" for s in ("l", "r") for c in _SUPPORT]
    groups.append((names, times, np.array(legs)))
    return groups


def random_motion_spec(seed: int, name: str | None = None, duration: float = DURATION) -> MotionSpec:
    """A reproducible random smooth base motion (same seed, same motion)."""
    groups = _draw_keys(seed, duration)

    def build(p: Pose, v) -> None:
        centre = p.duration / 2
        t = centre + (p.t - centre) * (1 + 0.25 * v["Tempo"])
        amp = 1 + 0.35 * v["Amplitude"]
        for names, times, vals in groups:
            mean = vals.mean(axis=0)
            curves = keyframes(t, times, mean + amp * (vals - mean))
            for i, n in enumerate(names):
                p.data[:, CH[n]] = curves[:, i]

    return MotionSpec(name or f"random_{seed}", "random", ("Amplitude", "Tempo"), ALL_PARTS, build, duration,
                      name or f"random_{seed}", "random key poses, smooth monotone-cubic interpolation")


def random_motion_specs(n: int, random_state: np.random.Generator, prefix: str = "random") -> list[MotionSpec]:
    """``n`` random base motions with seeds drawn from ``random_state``."""
    seeds = random_state.integers(0, 2**31 - 1, n)
    return [random_motion_spec(int(s), f"{prefix}_{int(s)}") for s in seeds]
