"""Everyday motions: waving, raising arms, clapping, bowing, sitting, turning, walking... (angles in degrees)."""

from __future__ import annotations

import numpy as np

from .motion_base import (
    ALL_PARTS,
    ARMS,
    LA,
    LEGS,
    RA,
    TO,
    Pose,
    cycle,
    fade,
    hold,
    lerp3,
    mirrored,
    motion,
    osc,
    ramp,
    tempo,
)


@motion("wave_right", "everyday", ("Height", "Energy", "Speed"), (RA,), family="wave")
def wave_right(p: Pose, v) -> None:
    """Raise the right arm to the side and wave the forearm."""
    e = fade(p, 0.5)
    f = 1.9 * (1 + 0.2 * v["Speed"])
    wave = lerp3(v["Energy"], 10, 24, 40) * osc(p.t - p.duration / 2, f)
    p.arm("r", abd=e * lerp3(v["Height"], 55, 90, 130), rot=-80 * e, elbow=e * (80 + wave),
          clav=e * lerp3(v["Height"], 0, 5, 14))
    p["neck_tilt"] = -4 * e


@motion("wave_both", "everyday", ("Height", "Energy", "Speed"), ARMS)
def wave_both(p: Pose, v) -> None:
    """Both arms up to the sides, forearms waving in mirror."""
    e = fade(p, 0.5)
    f = 1.6 * (1 + 0.2 * v["Speed"])
    wave = lerp3(v["Energy"], 10, 24, 40) * osc(p.t - p.duration / 2, f)
    for s, sg in (("l", 1), ("r", -1)):
        p.arm(s, abd=e * lerp3(v["Height"], 60, 100, 140), rot=-80 * e, elbow=e * (75 + sg * wave),
              clav=e * lerp3(v["Height"], 0, 6, 15))


def _raise(p: Pose, v, sides: tuple[str, ...]) -> None:
    tt = tempo(p, v["Speed"], 0.3)
    up = hold(tt, 0.3, 2.8, 0.8)
    elev = lerp3(v["Height"], 70, 120, 170)
    plane = np.deg2rad(lerp3(v["Direction"] if "Direction" in v else v["Spacing"], 0, 45, 90))
    for s in sides:
        p.arm(s, flex=up * elev * np.cos(plane), abd=up * elev * np.sin(plane),
              rot=-up * elev * np.sin(plane) / 4, elbow=6 * up, clav=up * max(0.0, elev - 90) / 5)


@motion("raise_right_arm", "everyday", ("Height", "Direction", "Speed"), (RA,), family="raise_arm")
def raise_right_arm(p: Pose, v) -> None:
    """Raise the straight right arm (forward ... sideways), hold, lower."""
    _raise(p, v, ("r",))


@motion("raise_both_arms", "everyday", ("Height", "Spacing", "Speed"), ARMS)
def raise_both_arms(p: Pose, v) -> None:
    """Raise both straight arms forward (narrow) or sideways (wide), hold, lower."""
    _raise(p, v, ("l", "r"))


@motion("clap", "everyday", ("Height", "Width", "Speed"), ARMS)
def clap(p: Pose, v) -> None:
    """Clap the hands in front of the body."""
    e = fade(p, 0.4)
    f = 2.0 * (1 + 0.2 * v["Speed"])
    opened = (0.5 + 0.5 * osc(p.t - p.duration / 2, f)) ** 1.5
    p.both_arms(flex=e * lerp3(v["Height"], 40, 65, 95), abd=e * (-12 + lerp3(v["Width"], 8, 20, 36) * opened),
                rot=e * 25, elbow=e * 35)


@motion("bow", "everyday", ("Depth", "Speed"), (TO, *ARMS), duration=3.5)
def bow(p: Pose, v) -> None:
    """Bow from the hips, hold, straighten up."""
    tt = tempo(p, v["Speed"], 0.3)
    b = hold(tt, 0.4, 3.1, 0.8)
    lean = lerp3(v["Depth"], 20, 42, 70)
    p["pitch"] = b * lean
    p["spine_flex"] = b * lerp3(v["Depth"], 4, 10, 18)
    p["neck_flex"] = b * 12
    p.both_arms(flex=b * (lean * 0.8), elbow=5 * b)


@motion("reach_right", "everyday", ("Height", "Distance"), (RA, TO))
def reach_right(p: Pose, v) -> None:
    """Reach forward with the right hand for something, then take the hand back."""
    r = hold(p.t, 0.4, 2.7, 0.9)
    dist = v["Distance"]
    p.arm("r", flex=r * lerp3(v["Height"], 35, 85, 140), abd=r * 12, elbow=r * lerp3(dist, 55, 25, 4) + 8,
          clav=r * 6)
    p["r_clav_prot"] = r * lerp3(dist, 0, 8, 18)
    p["pitch"] = r * lerp3(dist, 0, 10, 28)
    p["spine_twist"] = r * lerp3(dist, 0, 10, 22)


@motion("pick_up", "everyday", ("Depth", "Speed"), ALL_PARTS, duration=3.5)
def pick_up(p: Pose, v) -> None:
    """Crouch and bend to pick something up from the floor with both hands, stand up again."""
    tt = tempo(p, v["Speed"], 0.3)
    d = hold(tt, 0.4, 3.1, 0.9)
    knee = lerp3(v["Depth"], 25, 65, 115)
    lean = lerp3(v["Depth"], 60, 48, 35)
    p.both_legs(flex=d * knee * 0.75, knee=d * knee, abd=d * 8)
    p["pitch"] = d * lean
    p["neck_flex"] = d * 12
    p.both_arms(flex=d * (lean + 25), abd=d * 6, elbow=d * 10)


def _sit(p: Pose, v, down: bool) -> None:
    tt = tempo(p, v["Speed"], 0.35)
    s = ramp(tt, 0.9, 2.3) if down else 1 - ramp(tt, 1.0, 2.4)
    lean = hold(tt, 0.8, 2.6, 0.7)
    knee = lerp3(v["Depth"], 70, 90, 112)
    p.both_legs(flex=s * lerp3(v["Depth"], 72, 90, 102), knee=s * knee, abd=s * 6)
    p["pitch"] = lean * lerp3(v["Lean"], 12, 26, 42) + s * 4
    p.both_arms(flex=lean * 20 + s * 25, elbow=s * 45, abd=6 * s)


@motion("sit_down", "everyday", ("Depth", "Speed", "Lean"), ALL_PARTS, duration=3.5)
def sit_down(p: Pose, v) -> None:
    """Sit down on a chair (seat height = Depth) and stay seated."""
    _sit(p, v, True)


@motion("stand_up", "everyday", ("Depth", "Speed", "Lean"), ALL_PARTS, duration=3.5)
def stand_up(p: Pose, v) -> None:
    """Stand up from a chair, leaning forward to get up."""
    _sit(p, v, False)


@motion("turn", "everyday", ("Angle", "Speed"), (TO, *LEGS), duration=3.5)
def turn(p: Pose, v) -> None:
    """Turn on the spot to the left in small steps; the head leads."""
    tt = tempo(p, v["Speed"], 0.25)
    p["yaw"] = ramp(tt, 0.5, 3.0) * lerp3(v["Angle"], 60, 120, 200)
    act = hold(tt, 0.4, 3.1, 0.3)
    step = osc(tt, 1.3)
    for s, sg in (("l", 1), ("r", -1)):
        lift = act * np.clip(sg * step, 0, None)
        p.leg(s, flex=24 * lift, knee=45 * lift)
    p["neck_turn"] = act * 15


_WALK_HIP = (25, 18, 8, -3, -12, -5, 15, 27)
_WALK_KNEE = (3, 15, 8, 4, 25, 58, 45, 12)


def gait(p: Pose, t: np.ndarray, freq: float, step: float, knee_scale: float = 1.0, swing: float = 20.0,
         elbow: float = 15.0) -> None:
    """Alternating leg cycle of walking (the floor contact turns it into forward travel) with arm swing."""
    e = fade(p, 0.4)
    for s, ph in (("r", 0.0), ("l", 0.5)):
        p.leg(s, flex=e * step * cycle(t, freq, _WALK_HIP, ph), knee=e * knee_scale * cycle(t, freq, _WALK_KNEE, ph))
        p.arm(s, flex=e * swing * osc(t, freq, ph + 0.5 - 0.2), elbow=elbow + e * swing * 0.4, abd=4)


@motion("walk", "everyday", ("StepLength", "Speed", "ArmSwing"), ALL_PARTS)
def walk(p: Pose, v) -> None:
    """Walk forward."""
    f = 0.95 * (1 + 0.2 * v["Speed"])
    gait(p, p.t - p.duration / 2, f, lerp3(v["StepLength"], 0.6, 1.0, 1.35), 1.0,
         lerp3(v["ArmSwing"], 6, 18, 34))


@motion("shrug", "everyday", ("Height", "Speed"), (TO, *ARMS))
def shrug(p: Pose, v) -> None:
    """Shrug the shoulders with palms up ("I don't know"), twice."""
    tt = tempo(p, v["Speed"], 0.3)
    s = hold(tt, 0.4, 1.4, 0.35) + hold(tt, 1.7, 2.7, 0.35)
    for side in ("l", "r"):
        p.arm(side, clav=s * lerp3(v["Height"], 10, 20, 32), abd=s * 15, rot=-s * 40, elbow=s * 75)
    p["neck_tilt"] = s * 6
    p["neck_flex"] = -s * 5


@motion("drink", "everyday", ("Tilt", "Speed"), (RA, TO), duration=3.5)
def drink(p: Pose, v) -> None:
    """Bring a cup to the mouth with the right hand, sip with the head tilted back, put it down."""
    tt = tempo(p, v["Speed"], 0.3)
    d = hold(tt, 0.4, 3.1, 0.8)
    sip = hold(tt, 1.3, 2.3, 0.35)
    tilt = lerp3(v["Tilt"], 0, 22, 45)
    p["pitch"] = -sip * tilt * 0.25
    p.arm("r", flex=d * 55 + sip * tilt * 0.9, abd=d * 12, rot=d * 28, elbow=d * 140, clav=d * 4)
    p["neck_flex"] = -sip * tilt


@motion("salute", "everyday", ("Angle", "Speed"), (RA,))
def salute(p: Pose, v) -> None:
    """Military salute with the right hand to the brow."""
    tt = tempo(p, v["Speed"], 0.3)
    s = hold(tt, 0.4, 2.6, 0.45)
    p.arm("r", flex=s * lerp3(v["Angle"], 55, 38, 20), abd=s * lerp3(v["Angle"], 45, 70, 92), rot=-s * 15,
          elbow=s * 138, clav=s * 8)


@motion("check_watch", "everyday", ("Height", "Speed"), (LA, TO))
def check_watch(p: Pose, v) -> None:
    """Lift the left wrist in front of the body and look at the watch."""
    tt = tempo(p, v["Speed"], 0.3)
    s = hold(tt, 0.4, 2.6, 0.6)
    p.arm("l", flex=s * lerp3(v["Height"], 25, 45, 68), abd=s * 8, rot=s * 65, elbow=s * 105)
    p["neck_flex"] = s * lerp3(v["Height"], 30, 22, 10)
    p["neck_turn"] = s * 10


@motion("cheer", "everyday", ("Height", "Spacing", "Energy"), (*ARMS, *LEGS))
def cheer(p: Pose, v) -> None:
    """Cheer: both arms up in a V, pumping, knees bouncing."""
    e = fade(p, 0.4)
    pump = 0.5 + 0.5 * osc(p.t - p.duration / 2, 2.0)
    amp = lerp3(v["Energy"], 5, 15, 28)
    elev = lerp3(v["Height"], 125, 150, 172) - amp * pump
    plane = np.deg2rad(lerp3(v["Spacing"], 25, 50, 75))
    p.both_arms(flex=e * elev * np.cos(plane), abd=e * elev * np.sin(plane), rot=-e * elev / 5,
                elbow=e * (8 + amp * pump), clav=e * 12)
    knee = e * lerp3(v["Energy"], 0, 8, 18) * pump
    p.both_legs(flex=knee * 0.75, knee=knee)


@motion("stretch", "everyday", ("Height", "Lean", "Speed"), (*ARMS, TO), duration=4.0)
def stretch(p: Pose, v) -> None:
    """Stretch oneself: arms overhead, lean back, relax."""
    tt = tempo(p, v["Speed"], 0.3)
    s = hold(tt, 0.5, 3.5, 1.0)
    p.both_arms(flex=s * lerp3(v["Height"], 135, 155, 172), abd=s * 15, elbow=s * 12, clav=s * 16)
    lean = lerp3(v["Lean"], 0, -12, -26)
    p["spine_flex"] = s * lean
    p["neck_flex"] = s * lean * 0.8


MOTIONS = (
    wave_right, mirrored(wave_right, "wave_left"), wave_both,
    raise_right_arm, mirrored(raise_right_arm, "raise_left_arm"), raise_both_arms,
    clap, bow, reach_right, mirrored(reach_right, "reach_left"), pick_up, sit_down, stand_up, turn, walk,
    shrug, drink, salute, check_watch, cheer, stretch,
)
