"""Building blocks of the motion library: the `Pose` channel builder, timing primitives and `MotionSpec`.

A base motion is a deterministic function of its characteristic values (each in {-1, -0.5, 0, 0.5, 1}, the
values SARA uses) that fills a `Pose` over time. Left-handed versions come from mirroring right-handed ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.interpolate import CubicSpline, PchipInterpolator

from .kinematics import CH, CHANNELS, N_CHANNELS, SIDES

FPS: float = 30.0
#: The characteristic values SARA uses for every variable.
VARIATION_LEVELS: tuple[float, ...] = (-1.0, -0.5, 0.0, 0.5, 1.0)
CATEGORIES: tuple[str, ...] = ("combat", "adventure", "sport", "dance", "everyday", "exercise", "floor", "acrobatic",
                               "random")

_NEGATE_ON_MIRROR = ("yaw", "roll", "body_roll", "travel_x", "spine_bend", "spine_twist", "neck_tilt", "neck_turn")
#: Channel index permutation and sign that mirror a pose left <-> right.
MIRROR_INDEX: np.ndarray = np.array([
    CH[("r_" + c[2:]) if c.startswith("l_") else ("l_" + c[2:]) if c.startswith("r_") else c] for c in CHANNELS
])
MIRROR_SIGN: np.ndarray = np.array([-1.0 if c in _NEGATE_ON_MIRROR else 1.0 for c in CHANNELS], dtype=np.float32)


def mirror_channels(channels: np.ndarray) -> np.ndarray:
    """Mirror a channel array (..., N_CHANNELS) left <-> right (a right-hand wave becomes a left-hand wave)."""
    return channels[..., MIRROR_INDEX] * MIRROR_SIGN


class Pose:
    """Channel curves of one motion over time, all starting at the neutral standing pose (zeros).

    ``pose["r_elbow"] = 90 + 20 * np.sin(...)`` sets a curve (degrees); `arm` / `leg` set several at once.
    """

    def __init__(self, n_frames: int, fps: float = FPS) -> None:
        self.t = np.arange(n_frames, dtype=np.float64) / fps
        self.duration = n_frames / fps
        self.data = np.zeros((n_frames, N_CHANNELS), dtype=np.float64)

    def __setitem__(self, name: str, value: np.ndarray | float) -> None:
        self.data[:, CH[name]] = value

    def __getitem__(self, name: str) -> np.ndarray:
        return self.data[:, CH[name]]

    def add(self, name: str, value: np.ndarray | float) -> None:
        self.data[:, CH[name]] += value

    def arm(self, side: str, flex=None, abd=None, rot=None, elbow=None, clav=None) -> None:
        """Set the shoulder (flexion, abduction, internal rotation), elbow and clavicle elevation of one arm."""
        for key, val in (("sh_flex", flex), ("sh_abd", abd), ("sh_rot", rot), ("elbow", elbow),
                         ("clav_elev", clav)):
            if val is not None:
                self[f"{side}_{key}"] = val

    def leg(self, side: str, flex=None, abd=None, rot=None, knee=None) -> None:
        """Set the hip (flexion, abduction, internal rotation) and knee of one leg."""
        for key, val in (("hip_flex", flex), ("hip_abd", abd), ("hip_rot", rot), ("knee", knee)):
            if val is not None:
                self[f"{side}_{key}"] = val

    def both_arms(self, **kw) -> None:
        for s in SIDES:
            self.arm(s, **kw)

    def both_legs(self, **kw) -> None:
        for s in SIDES:
            self.leg(s, **kw)


# ---------------------------------------------------------------- timing primitives (all vectorised over t)
def ease(x: np.ndarray) -> np.ndarray:
    """Smoothstep of x clipped to [0, 1]: zero velocity at both ends, like a relaxed human movement."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def ramp(t: np.ndarray, t0: float, t1: float) -> np.ndarray:
    """0 before t0, 1 after t1, eased in between."""
    return ease((t - t0) / max(t1 - t0, 1e-6))


def hold(t: np.ndarray, t0: float, t1: float, rise: float) -> np.ndarray:
    """Rises from 0 to 1 over [t0, t0+rise], holds, falls back to 0 over [t1-rise, t1]."""
    return ramp(t, t0, t0 + rise) * (1.0 - ramp(t, t1 - rise, t1))


def fade(p: Pose, rise: float = 0.35) -> np.ndarray:
    """Envelope that brings a repetitive movement in from rest and back to rest at the clip ends."""
    return hold(p.t, 0.0, p.duration, rise)


def osc(t: np.ndarray, freq: float, phase: float = 0.0) -> np.ndarray:
    """sin(2 pi freq t + phase), phase in cycles (0.25 = a quarter period)."""
    return np.sin(2.0 * np.pi * (freq * t + phase))


def lerp3(v: float, lo: float, mid: float, hi: float) -> float:
    """Piecewise-linear map of a characteristic value: -1 -> lo, 0 -> mid, 1 -> hi."""
    return mid + v * (hi - mid) if v >= 0 else mid + v * (mid - lo)


def tempo(p: Pose, v: float, spread: float = 0.3) -> np.ndarray:
    """Time warped by a speed variable around the clip centre (so variations stay aligned mid-clip)."""
    centre = p.duration / 2
    return centre + (p.t - centre) * (1.0 + spread * v)


def centred_phase(p: Pose, freq: float) -> np.ndarray:
    """Angle 2 pi f (t - centre): repetitions aligned on the clip centre, so speed variations stay comparable."""
    return 2 * np.pi * freq * (p.t - p.duration / 2)


def key_times(p: Pose, v: Mapping[str, float], times: Sequence[float],
              spread: float = 0.3) -> tuple[np.ndarray, list[float]]:
    """(clip time warped by the motion's ``Speed`` variable if it has one, the key times) for `keyframes`."""
    return tempo(p, v["Speed"], spread) if "Speed" in v else p.t, list(times)


def cycle(t: np.ndarray, freq: float, keys: Sequence[float] | np.ndarray, phase: float = 0.0) -> np.ndarray:
    """Periodic smooth curve through key values spaced evenly over one cycle (periodic cubic spline).

    ``keys`` may be (K,) or (K, M) for several channels sharing a rhythm; returns (T,) or (T, M).
    """
    k = np.asarray(keys, dtype=np.float64)
    grid = np.linspace(0.0, 1.0, len(k) + 1)
    spline = CubicSpline(grid, np.concatenate([k, k[:1]], axis=0), bc_type="periodic", axis=0)
    return spline(np.mod(freq * t + phase, 1.0))


def keyframes(t: np.ndarray, times: Sequence[float], values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Monotone cubic (PCHIP) curve through (time, value) keys, constant outside: no overshoot past a key."""
    tk = np.asarray(times, dtype=np.float64)
    vk = np.asarray(values, dtype=np.float64)
    return PchipInterpolator(tk, vk, axis=0, extrapolate=False)(np.clip(t, tk[0], tk[-1]))


# ---------------------------------------------------------------- motion specs
Builder = Callable[[Pose, Mapping[str, float]], None]


@dataclass(frozen=True)
class MotionSpec:
    """One base motion class: its category, characteristic variables and the function that animates it.

    Attributes
    ----------
    family : motions that are variants of one another (left/right hand) share a family; the train/validation
        split keeps a family on one side
    parts : body parts (`motionsim.skeleton.BODY_PARTS`) the motion mainly moves
    """

    name: str
    category: str
    variables: tuple[str, ...]
    parts: tuple[str, ...]
    build: Builder = field(repr=False, compare=False)
    duration: float = 3.0
    family: str = ""
    description: str = ""

    @property
    def n_frames(self) -> int:
        return int(round(self.duration * FPS))

    @property
    def n_variables(self) -> int:
        return len(self.variables)

    def values_dict(self, values: Sequence[float] | Mapping[str, float] | None) -> dict[str, float]:
        """Characteristic values as a dict; a sequence is read in `variables` order, None means all zero."""
        if values is None:
            return {k: 0.0 for k in self.variables}
        if isinstance(values, Mapping):
            unknown = set(values) - set(self.variables)
            if unknown:
                raise ValueError(f"motion {self.name!r} has no variable(s) {sorted(unknown)}; "
                                 f"its variables are {list(self.variables)}")
            return {k: float(values.get(k, 0.0)) for k in self.variables}
        vals = [float(x) for x in values]
        if len(vals) != len(self.variables):
            raise ValueError(f"motion {self.name!r} takes {len(self.variables)} characteristic values "
                             f"({', '.join(self.variables)}), got {len(vals)}")
        return dict(zip(self.variables, vals))

    def channels(self, values: Sequence[float] | Mapping[str, float] | None = None,
                 n_frames: int | None = None) -> np.ndarray:
        """Channel curves (T, N_CHANNELS), degrees / metres, before character posture and joint limits."""
        vals = self.values_dict(values)
        bad = [k for k, x in vals.items() if not -1.0 <= x <= 1.0]
        if bad:
            raise ValueError(f"characteristic values must lie in [-1, 1]; got {vals} for {self.name!r}")
        pose = Pose(n_frames or self.n_frames)
        self.build(pose, vals)
        return pose.data.astype(np.float32)


def mirrored(spec: MotionSpec, name: str) -> MotionSpec:
    """The left/right mirror image of a motion (same variables, family and category)."""
    swap = {"right_arm": "left_arm", "left_arm": "right_arm", "right_leg": "left_leg", "left_leg": "right_leg"}

    def build(pose: Pose, v: Mapping[str, float]) -> None:
        spec.build(pose, v)
        pose.data[:] = mirror_channels(pose.data)

    return MotionSpec(name, spec.category, spec.variables, tuple(swap.get(p, p) for p in spec.parts), build,
                      spec.duration, spec.family or spec.name, spec.description)


def variation_score(values_a: Sequence[float], values_b: Sequence[float]) -> float:
    """Motion variation of eq. 2: ||v_a - v_b||_1 / (2 n_v), in [0, 1] for values in [-1, 1]."""
    a = np.asarray(values_a, dtype=np.float64)
    b = np.asarray(values_b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1 or a.size == 0:
        raise ValueError(f"characteristic vectors must have the same non-zero length, got {a.shape} and {b.shape}")
    return float(np.abs(a - b).sum() / (2 * a.size))


def motion(name: str, category: str, variables: Sequence[str], parts: Sequence[str], duration: float = 3.0,
           family: str = "") -> Callable[[Builder], MotionSpec]:
    """Decorator turning a builder ``f(pose, values)`` into a `MotionSpec` (its docstring is the description)."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}")

    def wrap(fn: Builder) -> MotionSpec:
        return MotionSpec(name, category, tuple(variables), tuple(parts), fn, duration, family or name,
                          (fn.__doc__ or "").strip())

    return wrap


RA, LA, RL, LL, TO = "right_arm", "left_arm", "right_leg", "left_leg", "torso"
ARMS, LEGS = (RA, LA), (RL, LL)
ALL_PARTS = (RA, LA, RL, LL, TO)
