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


def _play_keys(p: Pose, v, groups: list[tuple[list[str], np.ndarray, np.ndarray]]) -> np.ndarray:
    """Fill ``p`` with the key groups: ``Amplitude`` scales each key's deviation from the group's mean pose,
    ``Tempo`` warps time around the clip centre. Returns the warped time."""
    centre = p.duration / 2
    t = centre + (p.t - centre) * (1 + 0.25 * v["Tempo"])
    amp = 1 + 0.35 * v["Amplitude"]
    for names, times, vals in groups:
        mean = vals.mean(axis=0)
        curves = keyframes(t, times, mean + amp * (vals - mean))
        for i, n in enumerate(names):
            p.data[:, CH[n]] = curves[:, i]
    return t


def random_motion_spec(seed: int, name: str | None = None, duration: float = DURATION) -> MotionSpec:
    """A reproducible random smooth base motion (same seed, same motion)."""
    groups = _draw_keys(seed, duration)

    def build(p: Pose, v) -> None:
        _play_keys(p, v, groups)

    return MotionSpec(name or f"random_{seed}", "random", ("Amplitude", "Tempo"), ALL_PARTS, build, duration,
                      name or f"random_{seed}", "random key poses, smooth monotone-cubic interpolation")


def random_motion_specs(n: int, random_state: np.random.Generator, prefix: str = "random") -> list[MotionSpec]:
    """``n`` random base motions with seeds drawn from ``random_state``."""
    seeds = random_state.integers(0, 2**31 - 1, n)
    return [random_motion_spec(int(s), f"{prefix}_{int(s)}") for s in seeds]


# ---------------------------------------------------------------- random motion on the floor and upside down
#: Whole-body postures random floor motions start from: body turn (body_pitch, body_roll) and limb pose the
#: random keys scatter around (None: anywhere in the comfortable range, e.g. limbs of a body lying down).
_FLOOR_POSTURES: dict[str, tuple[float, float, dict[str, float] | None]] = {
    "prone": (88.0, 0.0, None),
    "supine": (-90.0, 0.0, None),
    "side": (0.0, 90.0, None),
    "all_fours": (80.0, 0.0, {"sh_flex": 88, "sh_abd": 8, "elbow": 10, "hip_flex": 88, "knee": 92}),
    "kneel": (0.0, 0.0, {"hip_flex": 0, "knee": 95}),
    "plank": (70.0, 0.0, {"sh_flex": 80, "sh_abd": 10, "elbow": 5}),
    "inverted": (180.0, 0.0, {"sh_flex": 175, "sh_abd": 8, "elbow": 5}),
    "crouch": (0.0, 0.0, {"hip_flex": 100, "knee": 120}),
}
_LEG_FLOOR = {"hip_flex": (-20, 125), "hip_abd": (-10, 60), "hip_rot": (-30, 35), "knee": (0, 140)}


def _draw_floor_keys(seed: int, duration: float) -> tuple[str, list[tuple[list[str], np.ndarray, np.ndarray]],
                                                         np.ndarray | None]:
    """(posture, key groups as `_draw_keys` gives them, tumble key curve or None) of one random floor motion."""
    rng = np.random.default_rng(seed)
    posture = list(_FLOOR_POSTURES)[int(rng.integers(len(_FLOOR_POSTURES)))]
    _, _, limb_pose = _FLOOR_POSTURES[posture]
    groups = []
    for side in ("l", "r"):
        for box in (_ARM, _LEG_FLOOR):
            names = [f"{side}_{c}" for c in box]
            times = _key_times(rng, duration)
            lo, hi = np.array([r[0] for r in box.values()]), np.array([r[1] for r in box.values()])
            if limb_pose is None:
                vals = rng.uniform(lo, hi, (len(times), len(names)))
            else:  # scatter around the posture so the body keeps its support
                centre = np.array([limb_pose.get(c, float(np.clip(0.0, *r))) for c, r in box.items()])
                vals = np.clip(centre + rng.normal(0, 20, (len(times), len(names))), lo, hi)
            groups.append((names, times, vals))
    names = list(_TORSO)
    times = _key_times(rng, duration)
    lo, hi = np.array([r[0] for r in _TORSO.values()]), np.array([r[1] for r in _TORSO.values()])
    groups.append((names, times, rng.uniform(0.2, 1.0) * rng.uniform(lo, hi, (len(times), len(names)))))
    tumble = None
    if rng.random() < 0.3:  # roll over: a full forward, backward or sideways turn somewhere in the clip
        t0 = rng.uniform(0.2, duration - 1.8)
        tumble = np.array([t0, t0 + rng.uniform(0.8, 1.6), rng.choice([-360.0, 360.0]), rng.integers(2)])
    return posture, groups, tumble


def random_floor_motion_spec(seed: int, name: str | None = None, duration: float = DURATION) -> MotionSpec:
    """A reproducible random motion of a body on the floor, on all fours, kneeling, upside down or tumbling.

    Like `random_motion_spec` (variables ``Amplitude`` and ``Tempo``), from a random whole-body posture
    (`_FLOOR_POSTURES`); 30 % of them also roll over once (body_pitch or body_roll through 360 degrees).
    """
    posture, groups, tumble = _draw_floor_keys(seed, duration)
    body_pitch, body_roll, _ = _FLOOR_POSTURES[posture]

    def build(p: Pose, v) -> None:
        t = _play_keys(p, v, groups)
        p["body_pitch"] = body_pitch
        p["body_roll"] = body_roll
        if tumble is not None:
            t0, t1, turn, axis = tumble
            p.add("body_roll" if axis else "body_pitch", keyframes(t, (t0, t1), (0.0, turn)))

    label = name or f"random_floor_{seed}"
    return MotionSpec(label, "random", ("Amplitude", "Tempo"), ALL_PARTS, build, duration, label,
                      f"random key poses from the {posture} posture" + (", rolling over once" if tumble is not None
                                                                         else ""))


def random_floor_motion_specs(n: int, random_state: np.random.Generator,
                              prefix: str = "random_floor") -> list[MotionSpec]:
    """``n`` random floor motions with seeds drawn from ``random_state``."""
    seeds = random_state.integers(0, 2**31 - 1, n)
    return [random_floor_motion_spec(int(s), f"{prefix}_{int(s)}") for s in seeds]
