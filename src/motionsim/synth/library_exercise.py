"""Exercise motions: squats, lunges, jumping jacks, arm circles, side bends, marching... (degrees)."""

from __future__ import annotations

import numpy as np

from .motion_base import ALL_PARTS, ARMS, LEGS, TO, Pose, centred_phase, cycle, fade, hold, lerp3, motion, tempo


@motion("squat", "exercise", ("Depth", "StanceWidth", "Speed"), ALL_PARTS, duration=4.0)
def squat(p: Pose, v) -> None:
    """Bodyweight squats with the arms held forward for balance."""
    e = fade(p, 0.4)
    d = e * (0.5 - 0.5 * np.cos(centred_phase(p, 0.55 * (1 + 0.2 * v["Speed"]))))
    knee = d * lerp3(v["Depth"], 45, 85, 125)
    width = lerp3(v["StanceWidth"], 3, 11, 22)
    p.both_legs(flex=knee * 0.78, knee=knee, abd=width, rot=-width * 0.5)
    p["pitch"] = knee * 0.3
    p.both_arms(flex=d * 85, abd=d * 5, elbow=d * 5)


@motion("lunge", "exercise", ("Depth", "StepLength", "Speed"), ALL_PARTS, duration=4.0)
def lunge(p: Pose, v) -> None:
    """Forward lunges, right leg then left leg, hands on the hips."""
    tt = tempo(p, v["Speed"], 0.25)
    for front, back, t0 in (("r", "l", 0.2), ("l", "r", 2.05)):
        lg = hold(tt, t0, t0 + 1.75, 0.6)
        p.add(f"{front}_hip_flex", lg * lerp3(v["StepLength"], 45, 62, 78))
        p.add(f"{front}_knee", lg * lerp3(v["Depth"], 45, 75, 100))
        p.add(f"{back}_hip_flex", -lg * lerp3(v["StepLength"], 8, 16, 24))
        p.add(f"{back}_knee", lg * lerp3(v["Depth"], 25, 55, 85))
    p.both_arms(abd=40, flex=-10, rot=-10, elbow=95)


@motion("jumping_jack", "exercise", ("ArmHeight", "LegWidth", "Speed"), ALL_PARTS)
def jumping_jack(p: Pose, v) -> None:
    """Jumping jacks: jump to a wide stance with the arms up, jump back."""
    e = fade(p, 0.3)
    ph = centred_phase(p, 1.0 * (1 + 0.2 * v["Speed"]))
    c = e * (0.5 - 0.5 * np.cos(ph))
    p.both_arms(abd=c * lerp3(v["ArmHeight"], 100, 145, 172), rot=-c * 40, elbow=8, clav=c * 10)
    p.both_legs(abd=c * lerp3(v["LegWidth"], 10, 17, 26), knee=e * 14 * (1 - np.abs(np.sin(ph))) ** 2,
                flex=e * 10 * (1 - np.abs(np.sin(ph))) ** 2)
    p["lift"] = e * 0.08 * np.abs(np.sin(ph)) ** 2


@motion("arm_circles", "exercise", ("Size", "Speed", "Height"), ARMS)
def arm_circles(p: Pose, v) -> None:
    """Arms out to the sides drawing circles."""
    e = fade(p, 0.4)
    ph = centred_phase(p, 1.1 * (1 + 0.2 * v["Speed"]))
    size = lerp3(v["Size"], 8, 18, 32)
    p.both_arms(abd=e * (lerp3(v["Height"], 65, 88, 112) + size * np.cos(ph)), flex=e * size * np.sin(ph),
                rot=-e * 20, elbow=4)


@motion("side_bend", "exercise", ("Depth", "ArmOverhead", "Speed"), (TO, *ARMS), duration=4.0)
def side_bend(p: Pose, v) -> None:
    """Bend the trunk to the left and to the right, the opposite arm over the head."""
    e = fade(p, 0.5)
    b = e * np.sin(centred_phase(p, 0.45 * (1 + 0.2 * v["Speed"])))
    p["spine_bend"] = b * lerp3(v["Depth"], 14, 25, 38)
    p["roll"] = b * lerp3(v["Depth"], 2, 5, 9)
    over = lerp3(v["ArmOverhead"], 30, 100, 160)
    for s, sg in (("r", 1), ("l", -1)):
        up = np.clip(sg * b, 0, None)
        p.arm(s, abd=up * over, rot=-up * over / 4, elbow=up * 20, clav=up * over / 12)


@motion("march", "exercise", ("KneeHeight", "ArmSwing", "Speed"), ALL_PARTS)
def march(p: Pose, v) -> None:
    """March on the spot, knees up, arms swinging bent."""
    e = fade(p, 0.4)
    ph = centred_phase(p, 0.9 * (1 + 0.2 * v["Speed"]))
    kh = lerp3(v["KneeHeight"], 30, 55, 85)
    swing = lerp3(v["ArmSwing"], 10, 28, 50)
    for s, sg in (("r", 1), ("l", -1)):
        lift = e * np.clip(sg * np.sin(ph), 0, None) ** 1.3
        p.leg(s, flex=kh * lift, knee=kh * 1.15 * lift)
        p.arm(s, flex=-sg * e * swing * np.sin(ph), elbow=30 + e * 40)


@motion("high_knees", "exercise", ("KneeHeight", "Speed", "ArmSwing"), ALL_PARTS)
def high_knees(p: Pose, v) -> None:
    """Run on the spot with high knees and small hops."""
    e = fade(p, 0.3)
    ph = centred_phase(p, 1.35 * (1 + 0.2 * v["Speed"]))
    kh = lerp3(v["KneeHeight"], 45, 70, 95)
    swing = lerp3(v["ArmSwing"], 15, 32, 55)
    for s, sg in (("r", 1), ("l", -1)):
        lift = e * np.clip(sg * np.sin(ph), 0, None) ** 1.2
        p.leg(s, flex=kh * lift, knee=kh * 1.2 * lift + 8 * e)
        p.arm(s, flex=-sg * e * swing * np.sin(ph), elbow=85 * e + 10)
    p["lift"] = e * 0.04 * np.abs(np.sin(ph))
    p["pitch"] = 6 * e


@motion("toe_touch", "exercise", ("Depth", "StanceWidth", "Speed"), ALL_PARTS, duration=4.0)
def toe_touch(p: Pose, v) -> None:
    """Fold forward to touch the toes, straighten up, repeat."""
    e = fade(p, 0.4)
    d = e * (0.5 - 0.5 * np.cos(centred_phase(p, 0.5 * (1 + 0.2 * v["Speed"]))))
    lean = d * lerp3(v["Depth"], 35, 62, 90)
    spine = d * lerp3(v["Depth"], 8, 18, 30)
    p["pitch"], p["spine_flex"], p["neck_flex"] = lean, spine, d * 12
    p.both_legs(abd=lerp3(v["StanceWidth"], 4, 12, 24))
    p.both_arms(flex=lean + spine, abd=d * 6, elbow=5)


@motion("torso_twist", "exercise", ("Angle", "ArmHeight", "Speed"), (TO, *ARMS), duration=4.0)
def torso_twist(p: Pose, v) -> None:
    """Twist the upper body left and right, elbows out."""
    e = fade(p, 0.4)
    tw = e * lerp3(v["Angle"], 18, 34, 55) * np.sin(centred_phase(p, 0.6 * (1 + 0.2 * v["Speed"])))
    p["spine_twist"] = tw
    p["neck_turn"] = tw * 0.4
    p.both_arms(abd=e * lerp3(v["ArmHeight"], 30, 60, 88), flex=e * 25, rot=e * 40, elbow=e * 95)


@motion("leg_raise_side", "exercise", ("Height", "Speed"), LEGS, duration=4.0)
def leg_raise_side(p: Pose, v) -> None:
    """Standing side leg raises, right then left, hands on the hips."""
    e = fade(p, 0.4)
    s = np.sin(centred_phase(p, 0.45 * (1 + 0.2 * v["Speed"])))
    for leg, sg in (("r", 1), ("l", -1)):
        up = e * np.clip(sg * s, 0, None) ** 1.5
        p.leg(leg, abd=up * lerp3(v["Height"], 18, 32, 48), knee=up * 5)
    p["roll"] = e * 6 * s
    p.both_arms(abd=40, flex=-10, rot=-10, elbow=95)


_STEP_R_ABD = (0, .6, 1, 1, .5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
_STEP_R_KNEE = (0, 30, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 30, 10, 0, 0)
_STEP_L_ABD = (0, 0, 0, 0, 0, 0, 0, 0, 0, .6, 1, 1, .5, 0, 0, 0)
_STEP_L_KNEE = (0, 0, 0, 0, 30, 10, 0, 0, 0, 30, 10, 0, 0, 0, 0, 0)


@motion("side_step", "exercise", ("StepWidth", "Speed", "ArmSwing"), ALL_PARTS, duration=4.0)
def side_step(p: Pose, v) -> None:
    """Step-touch to the right, then to the left, arms opening with each step."""
    e = fade(p, 0.3)
    t = p.t - p.duration / 2
    f = 0.42 * (1 + 0.2 * v["Speed"])
    w = lerp3(v["StepWidth"], 12, 20, 30)
    r_abd, l_abd = w * cycle(t, f, _STEP_R_ABD), w * cycle(t, f, _STEP_L_ABD)
    p.leg("r", abd=e * r_abd, knee=e * cycle(t, f, _STEP_R_KNEE) + 8, flex=e * cycle(t, f, _STEP_R_KNEE) * 0.4)
    p.leg("l", abd=e * l_abd, knee=e * cycle(t, f, _STEP_L_KNEE) + 8, flex=e * cycle(t, f, _STEP_L_KNEE) * 0.4)
    p.both_arms(abd=e * lerp3(v["ArmSwing"], 5, 25, 60) * (r_abd + l_abd) / w + 6, elbow=20)


MOTIONS = (
    squat, lunge, jumping_jack, arm_circles, side_bend, march, high_knees, toe_touch, torso_twist,
    leg_raise_side, side_step,
)
