"""Dance motions: sways, points, bounces, twists, spins, kicks, arm waves (degrees)."""

from __future__ import annotations

import numpy as np

from .motion_base import ALL_PARTS, ARMS, LEGS, RA, TO, Pose, cycle, fade, lerp3, motion, osc, ramp, tempo


def _t(p: Pose, v, spread: float = 0.2) -> np.ndarray:
    return tempo(p, v["Speed"], spread) - p.duration / 2 if "Speed" in v else p.t - p.duration / 2


@motion("sway", "dance", ("Energy", "ArmHeight", "Speed"), ALL_PARTS, duration=4.0)
def sway(p: Pose, v) -> None:
    """Sway side to side, shifting the weight from knee to knee, arms raised and swaying."""
    e, t = fade(p, 0.4), _t(p, v)
    s = osc(t, 0.5)
    en = lerp3(v["Energy"], 4, 9, 16)
    p["roll"] = e * en * 0.5 * s
    p["spine_bend"] = e * en * s
    for leg, sg in (("l", 1), ("r", -1)):
        p.leg(leg, knee=e * (6 + en * np.clip(-sg * s, 0, None)), flex=e * en * 0.5 * np.clip(-sg * s, 0, None))
    p.both_arms(flex=e * lerp3(v["ArmHeight"], 30, 80, 150), abd=e * (30 + 2 * en * s), elbow=e * 35)


@motion("disco_point", "dance", ("Height", "Energy", "Speed"), (RA, TO, *LEGS))
def disco_point(p: Pose, v) -> None:
    """Disco: point the right hand up to the sky, then down across the body; left hand on the hip."""
    e, t = fade(p, 0.3), _t(p, v)
    up = 0.5 + 0.5 * osc(t, 0.8)
    h = lerp3(v["Height"], 110, 140, 168)
    p.arm("r", flex=e * (40 + (h * 0.4 - 40) * up), abd=e * (-30 + (h * 0.9 + 30) * up), rot=-e * 20 * up,
          elbow=e * 8)
    p.arm("l", abd=e * 45, flex=-e * 10, rot=-e * 10, elbow=e * 95)
    en = lerp3(v["Energy"], 2, 12, 26)
    p["spine_bend"] = -e * en * (up - 0.5)
    p["r_elbow"] = e * (8 + en * (1 - up))
    p.leg("l", knee=e * (5 + en * up), flex=e * en * 0.5 * up)
    p.leg("r", knee=e * (5 + en * (1 - up)), flex=e * en * 0.5 * (1 - up))


@motion("hiphop_bounce", "dance", ("Depth", "Energy", "Speed"), ALL_PARTS)
def hiphop_bounce(p: Pose, v) -> None:
    """Hip-hop bounce: knees bouncing on the beat, arms pumping, head nodding."""
    e, t = fade(p, 0.3), _t(p, v)
    b = 0.5 + 0.5 * osc(t, 1.8)
    knee = e * lerp3(v["Depth"], 5, 22, 45) * b
    p.both_legs(knee=knee + 6 * e, flex=knee * 0.7, abd=8 * e)
    p["pitch"] = knee * 0.3
    p["neck_flex"] = e * 12 * b
    pump = lerp3(v["Energy"], 10, 25, 45)
    p.arm("r", flex=e * (35 + pump * osc(t, 0.9)), abd=e * 15, elbow=e * 95)
    p.arm("l", flex=e * (35 - pump * osc(t, 0.9)), abd=e * 15, elbow=e * 95)


@motion("twist_dance", "dance", ("Depth", "Angle", "Speed"), ALL_PARTS)
def twist_dance(p: Pose, v) -> None:
    """The Twist: knees bent, hips and shoulders twisting against each other, arms swinging."""
    e, t = fade(p, 0.3), _t(p, v)
    s = osc(t, 1.2)
    ang = lerp3(v["Angle"], 12, 22, 32)
    p["yaw"] = e * ang * 0.6 * s
    p["spine_twist"] = -e * ang * 1.3 * s
    depth = lerp3(v["Depth"], 10, 25, 45)
    p.both_legs(knee=e * depth, flex=e * depth * 0.7, rot=e * ang * 0.5 * s)
    p.both_arms(abd=e * 55, flex=e * (25 - 25 * s), elbow=e * 85)


@motion("salsa_basic", "dance", ("StepLength", "Energy", "Speed"), ALL_PARTS, duration=4.0)
def salsa_basic(p: Pose, v) -> None:
    """Salsa basic: left foot steps forward and back, right foot steps back and forward; hips sway."""
    e, t = fade(p, 0.3), _t(p, v)
    f = 0.45
    step = lerp3(v["StepLength"], 14, 22, 32)
    p.leg("l", flex=e * step * cycle(t, f, (0, 1, 0.6, 0, 0, 0, 0, 0)),
          knee=e * (8 + 20 * np.clip(cycle(t, f, (0, 1, 0, 0, 0, 0, 0, 0)), 0, None)))
    p.leg("r", flex=-e * step * 0.7 * cycle(t, f, (0, 0, 0, 0, 0, 1, 0.6, 0)),
          knee=e * (8 + 25 * np.clip(cycle(t, f, (0, 0, 0, 0, 1, 0, 0, 0)), 0, None)))
    en = lerp3(v["Energy"], 4, 9, 16)
    p["roll"] = e * en * osc(t, 2 * f)
    p["spine_bend"] = -e * en * 1.5 * osc(t, 2 * f)
    p.both_arms(abd=e * 35, flex=e * (30 + en * osc(t, 2 * f)), elbow=e * 90)


@motion("spin", "dance", ("Angle", "Speed", "ArmHeight"), ALL_PARTS)
def spin(p: Pose, v) -> None:
    """Spin on the left foot, the right foot drawn up to the knee, arms rounded."""
    t = tempo(p, v["Speed"], 0.25)
    s = ramp(t, 0.9, 2.2)
    prep = ramp(t, 0.4, 0.9) * (1 - ramp(t, 2.2, 2.7))
    p["yaw"] = s * lerp3(v["Angle"], 270, 360, 450)
    p.leg("r", flex=prep * 45, abd=prep * 40, rot=-prep * 30, knee=prep * 105)
    p.leg("l", knee=(1 - prep) * 15)
    arm = lerp3(v["ArmHeight"], 45, 75, 120)
    p.both_arms(flex=prep * arm, abd=prep * 30, rot=prep * 35, elbow=prep * 55)


@motion("can_can", "dance", ("Height", "Speed"), (*LEGS, TO))
def can_can(p: Pose, v) -> None:
    """Can-can: knee lift then a high kick, alternating legs, hands on the hips."""
    e, t = fade(p, 0.3), _t(p, v)
    for s, ph in (("r", 0.0), ("l", 0.5)):
        p.leg(s, flex=e * np.clip(cycle(t, 0.55, (0, 40, 0, lerp3(v["Height"], 55, 80, 105), 0, 0, 0, 0), ph), 0,
                                  None),
              knee=e * np.clip(cycle(t, 0.55, (0, 90, 0, 5, 0, 0, 0, 0), ph), 0, None))
    p.both_arms(abd=e * 40, flex=-e * 10, rot=-e * 10, elbow=e * 95)
    p["pitch"] = -4 * e


@motion("arm_wave", "dance", ("Size", "Speed"), (*ARMS, TO))
def arm_wave(p: Pose, v) -> None:
    """A wave rippling through the arms held out sideways, from the left hand to the right hand."""
    e, t = fade(p, 0.4), _t(p, v)
    a = lerp3(v["Size"], 10, 22, 36)
    f = 0.7
    p.arm("l", abd=e * (90 + a * osc(t, f, 0.0)), elbow=e * (30 + a * osc(t, f, 0.12)), rot=-e * 10)
    p.arm("r", abd=e * (90 + a * osc(t, f, -0.36)), elbow=e * (30 + a * osc(t, f, -0.48)), rot=-e * 10)
    p["l_clav_elev"] = e * a * 0.5 * (1 + osc(t, f, -0.12))
    p["r_clav_elev"] = e * a * 0.5 * (1 + osc(t, f, -0.24))
    p["spine_bend"] = e * a * 0.2 * osc(t, f, -0.18)


@motion("charleston", "dance", ("Energy", "Speed"), ALL_PARTS)
def charleston(p: Pose, v) -> None:
    """Charleston: kick forward and back, arms swinging against the legs."""
    e, t = fade(p, 0.3), _t(p, v)
    en = lerp3(v["Energy"], 0.6, 1.0, 1.4)
    f = 0.7
    p.leg("r", flex=e * en * cycle(t, f, (0, 30, 0, -15, 0, 0, 0, 0)),
          knee=e * (10 + np.clip(cycle(t, f, (0, 10, 0, 60, 0, 0, 0, 0)), 0, None)))
    p.leg("l", flex=e * en * cycle(t, f, (0, 0, 0, 0, 0, 30, 0, -15)),
          knee=e * (10 + np.clip(cycle(t, f, (0, 0, 0, 0, 0, 10, 0, 60)), 0, None)))
    swing = e * en * 35 * osc(t, 2 * f)
    p.arm("r", flex=20 + swing, abd=e * 30, elbow=e * 40)
    p.arm("l", flex=20 - swing, abd=e * 30, elbow=e * 40)
    p["pitch"] = 8 * e


MOTIONS = (sway, disco_point, hiphop_bounce, twist_dance, salsa_basic, spin, can_can, arm_wave, charleston)
