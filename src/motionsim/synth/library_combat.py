"""Combat motions: punches, kicks, blocks, a sword chop, dodging (degrees). Right-handed, mirrored for left."""

from __future__ import annotations

import numpy as np

from .motion_base import ALL_PARTS, ARMS, LL, RA, RL, TO, Pose, cycle, fade, lerp3, mirrored, motion, osc, tempo


def guard(p: Pose, e: np.ndarray | float = 1.0) -> None:
    """Fighting stance: left foot forward, knees soft, fists up by the chin."""
    p.leg("l", flex=14 * e, knee=16 * e, abd=4 * e)
    p.leg("r", flex=-8 * e, knee=12 * e, abd=6 * e, rot=-10 * e)
    p.both_arms(flex=35 * e, abd=20 * e, rot=30 * e, elbow=125 * e, clav=5 * e)
    p["spine_twist"] = 10 * e


_STRIKE = (0, 0.25, 1.0, 0.55, 0.15, 0, 0, 0)  # one strike per cycle: fast out, slower back


def _strike(p: Pose, v, freq: float, phase: float = 0.0) -> np.ndarray:
    t = tempo(p, v["Speed"], 0.25) - p.duration / 2
    return fade(p, 0.3) * np.clip(cycle(t, freq, _STRIKE, phase), 0, 1)


def _punch(p: Pose, side: str, k: np.ndarray, v) -> None:
    sg = 1 if side == "r" else -1
    reach = v["Energy"]
    p.add(f"{side}_sh_flex", k * (lerp3(v["Height"], 55, 80, 105) - 35))
    p.add(f"{side}_sh_abd", -k * 14)
    p.add(f"{side}_sh_rot", k * 15)
    p.add(f"{side}_elbow", -k * (125 - lerp3(reach, 45, 18, 2)))
    p.add(f"{side}_clav_prot", k * lerp3(reach, 4, 12, 22))
    p.add("spine_twist", sg * k * lerp3(reach, 6, 16, 28))


@motion("punch_right", "combat", ("Energy", "Height", "Speed"), (RA, TO), family="punch")
def punch_right(p: Pose, v) -> None:
    """Straight right punches from a guard."""
    guard(p, fade(p, 0.3))
    _punch(p, "r", _strike(p, v, 0.9), v)


@motion("punch_combo", "combat", ("Energy", "Height", "Speed"), (*ARMS, TO))
def punch_combo(p: Pose, v) -> None:
    """Alternating left-right punches (one-two)."""
    guard(p, fade(p, 0.3))
    _punch(p, "l", _strike(p, v, 0.8), v)
    _punch(p, "r", _strike(p, v, 0.8, 0.5), v)


@motion("hook", "combat", ("Energy", "Height", "Speed"), (RA, TO))
def hook(p: Pose, v) -> None:
    """Right hooks: the fist travels round in a horizontal arc, driven by the trunk."""
    guard(p, fade(p, 0.3))
    k = _strike(p, v, 0.8)
    p.add("r_sh_flex", k * (lerp3(v["Height"], 40, 55, 70) - 35))
    p.add("r_sh_abd", k * (lerp3(v["Height"], 45, 62, 80) - 20))
    p.add("r_sh_rot", k * 30)
    p.add("r_elbow", -k * 35)
    p.add("spine_twist", k * lerp3(v["Energy"], 12, 26, 40))
    p["r_hip_rot"] = k * 15


@motion("uppercut", "combat", ("Energy", "Height", "Speed"), (RA, TO, RL))
def uppercut(p: Pose, v) -> None:
    """Right uppercuts: dip the knees, drive the fist up."""
    guard(p, fade(p, 0.3))
    k = _strike(p, v, 0.8)
    dip = _strike(p, v, 0.8, 0.12)
    p.add("r_sh_flex", k * (lerp3(v["Height"], 60, 85, 115) - 35) - dip * 20)
    p.add("r_elbow", -k * 35)
    p.add("r_sh_rot", -k * 20)
    p.add("spine_twist", k * lerp3(v["Energy"], 5, 20, 38))
    knee = dip * lerp3(v["Energy"], 5, 20, 38)
    for s in ("l", "r"):
        p.add(f"{s}_knee", knee)
        p.add(f"{s}_hip_flex", knee * 0.7)
    p["pitch"] = dip * 8 - k * 4


_KICK_HIP = (0, 0.55, 1.0, 1.0, 1.0, 0.55, 0, 0)
_KICK_KNEE = (0, 70, 105, 10, 100, 60, 0, 0)


@motion("front_kick", "combat", ("Height", "Speed", "Chamber"), (RL, LL, TO))
def front_kick(p: Pose, v) -> None:
    """Right front kicks: chamber the knee, snap the leg out, chamber, put it down."""
    e = fade(p, 0.3)
    guard(p, e)
    t = tempo(p, v["Speed"], 0.25) - p.duration / 2
    hip = cycle(t, 0.7, _KICK_HIP)
    ext = np.clip(cycle(t, 0.7, (0, 0, 0, 1, 0, 0, 0, 0)), 0, 1)
    chamber = lerp3(v["Chamber"], 45, 62, 80)
    p.add("r_hip_flex", e * (hip * chamber + ext * (lerp3(v["Height"], 55, 80, 105) - chamber)) + 8 * e)
    p.add("r_knee", e * np.clip(cycle(t, 0.7, _KICK_KNEE), 0, None) * (0.6 + 0.4 * chamber / 62))
    p["pitch"] = -e * ext * 10


@motion("side_kick", "combat", ("Height", "Speed"), (RL, LL, TO))
def side_kick(p: Pose, v) -> None:
    """Right side kicks: lean away to the left and push the leg out sideways."""
    e = fade(p, 0.3)
    t = tempo(p, v["Speed"], 0.25) - p.duration / 2
    hip = cycle(t, 0.6, _KICK_HIP)
    height = lerp3(v["Height"], 35, 50, 66)
    p.leg("r", abd=e * hip * height, flex=e * hip * 30, rot=e * hip * 20,
          knee=e * np.clip(cycle(t, 0.6, _KICK_KNEE), 0, None))
    p.leg("l", knee=12 * e, flex=8 * e)
    p["roll"] = e * hip * height * 0.45
    p.both_arms(flex=30 * e, abd=25 * e, rot=30 * e, elbow=120 * e)


@motion("block", "combat", ("Height", "Speed"), ARMS)
def block(p: Pose, v) -> None:
    """Rising forearm blocks above the head, right then left."""
    guard(p, fade(p, 0.3))
    for s, ph in (("r", 0.0), ("l", 0.5)):
        k = _strike(p, v, 0.6, ph)
        p.add(f"{s}_sh_flex", k * (lerp3(v["Height"], 80, 100, 125) - 35))
        p.add(f"{s}_sh_abd", k * 15)
        p.add(f"{s}_sh_rot", -k * 40)
        p.add(f"{s}_elbow", -k * 35)


@motion("sword_slash", "combat", ("Height", "Energy", "Speed"), (*ARMS, TO))
def sword_slash(p: Pose, v) -> None:
    """Two-handed overhead chops with a sword."""
    e = fade(p, 0.3)
    t = tempo(p, v["Speed"], 0.25) - p.duration / 2
    top = lerp3(v["Height"], 115, 145, 172)
    energy = lerp3(v["Energy"], 10, 25, 42)
    flex = cycle(t, 0.6, (55, 100, top, top, 25, 20, 40, 50))
    chop = cycle(t, 0.6, (0, 0, 0, 0, 1, 0.8, 0.3, 0))
    p.both_arms(flex=e * flex, abd=-8 * e, rot=20 * e, elbow=e * (50 - 35 * chop))
    p["pitch"] = e * energy * chop
    p.leg("l", flex=e * 18, knee=e * (15 + 10 * chop))
    p.leg("r", flex=-e * 10, knee=e * 10)


@motion("dodge", "combat", ("Depth", "Speed"), ALL_PARTS)
def dodge(p: Pose, v) -> None:
    """Bob and weave: duck under a punch to the left, then to the right."""
    e = fade(p, 0.3)
    guard(p, e)
    t = tempo(p, v["Speed"], 0.25) - p.duration / 2
    duck = e * (0.5 - 0.5 * np.cos(2 * np.pi * 1.1 * t))
    side = e * osc(t, 0.55)
    depth = lerp3(v["Depth"], 15, 30, 50)
    for s in ("l", "r"):
        p.add(f"{s}_knee", duck * depth)
        p.add(f"{s}_hip_flex", duck * depth * 0.75)
    p["pitch"] = duck * depth * 0.5
    p["roll"] = side * depth * 0.3


MOTIONS = (
    punch_right, mirrored(punch_right, "punch_left"), punch_combo, hook, uppercut, front_kick,
    mirrored(front_kick, "front_kick_left"), side_kick, block, sword_slash, dodge,
)
