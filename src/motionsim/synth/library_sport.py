"""Sport and adventure motions: throwing, swinging, kicking a ball, jumping, climbing, running... (degrees)."""

from __future__ import annotations

import numpy as np

from .library_everyday import gait
from .motion_base import (
    ALL_PARTS,
    ARMS,
    LEGS,
    LL,
    RA,
    RL,
    TO,
    Pose,
    cycle,
    fade,
    hold,
    key_times,
    keyframes,
    lerp3,
    motion,
    osc,
    tempo,
)


# ---------------------------------------------------------------- sport
@motion("throw_overhand", "sport", ("Energy", "Height", "Speed"), (RA, LL, TO))
def throw_overhand(p: Pose, v) -> None:
    """Overhand throw with the right arm, stepping onto the left foot."""
    t, k = key_times(p, v, (0.4, 1.2, 1.55, 1.9, 2.7))
    en, h = v["Energy"], lerp3(v["Height"], 95, 125, 155)
    p.arm("r", flex=keyframes(t, k, (0, -25 * (1 + 0.3 * en), h, 40, 0)),
          abd=keyframes(t, k, (8, 85, 45, -10, 8)), rot=keyframes(t, k, (0, -70, 25, 30, 0)),
          elbow=keyframes(t, k, (10, 95, 25, 30, 10)))
    p.arm("l", flex=keyframes(t, k, (0, 70, 30, -10, 0)), abd=keyframes(t, k, (8, 30, 20, 10, 8)),
          elbow=keyframes(t, k, (10, 40, 60, 40, 10)))
    p["spine_twist"] = keyframes(t, k, (0, -25, 15, lerp3(en, 15, 28, 42), 0))
    p["pitch"] = keyframes(t, k, (0, -5, 12, lerp3(en, 10, 22, 35), 0))
    p.leg("l", flex=keyframes(t, k, (0, 35, 25, 22, 0)), knee=keyframes(t, k, (0, 50, 18, 22, 0)))
    p.leg("r", flex=keyframes(t, k, (0, -5, -12, -15, 0)), knee=keyframes(t, k, (0, 12, 20, 30, 0)))


@motion("golf_swing", "sport", ("Energy", "StanceWidth", "Speed"), (*ARMS, TO), duration=3.5)
def golf_swing(p: Pose, v) -> None:
    """Golf swing: address, backswing to the right, strike, high finish to the left."""
    t, k = key_times(p, v, (0.4, 1.4, 1.8, 2.3, 3.2))
    top = lerp3(v["Energy"], 70, 100, 130)
    p["spine_twist"] = keyframes(t, k, (0, -lerp3(v["Energy"], 30, 45, 58), 0, 50, 45))
    p["pitch"] = keyframes(t, k, (28, 26, 28, 8, 5))
    p.arm("l", flex=keyframes(t, k, (30, top * 0.8, 25, 70, 80)), abd=keyframes(t, k, (-15, -35, -12, 30, 40)),
          elbow=keyframes(t, k, (5, 5, 5, 60, 90)))
    p.arm("r", flex=keyframes(t, k, (30, top * 0.7, 25, top * 0.8, 90)), abd=keyframes(t, k, (-15, 40, -12, -30, -20)),
          elbow=keyframes(t, k, (15, 90, 10, 10, 40)))
    width = lerp3(v["StanceWidth"], 4, 10, 18)
    p.both_legs(abd=width, knee=15, flex=12)


@motion("tennis_forehand", "sport", ("Height", "Energy", "Speed"), (RA, TO))
def tennis_forehand(p: Pose, v) -> None:
    """Tennis forehand: take the racket back, swing low to high across the body."""
    t, k = key_times(p, v, (0.3, 1.1, 1.5, 1.9, 2.7))
    h = lerp3(v["Height"], 35, 60, 90)
    p.arm("r", flex=keyframes(t, k, (25, -15, h, h + 50, 25)), abd=keyframes(t, k, (20, 60, 35, -20, 20)),
          rot=keyframes(t, k, (20, -30, 10, 50, 20)), elbow=keyframes(t, k, (70, 30, 20, 100, 70)))
    p.arm("l", flex=keyframes(t, k, (25, 70, 40, 10, 25)), elbow=keyframes(t, k, (70, 30, 50, 80, 70)))
    p["spine_twist"] = keyframes(t, k, (0, -lerp3(v["Energy"], 20, 32, 45), 5, lerp3(v["Energy"], 20, 35, 50), 0))
    p.both_legs(knee=22, flex=16, abd=10)
    p["pitch"] = 10


@motion("basketball_shot", "sport", ("JumpHeight", "ArmHeight", "Speed"), ALL_PARTS)
def basketball_shot(p: Pose, v) -> None:
    """Jump shot: dip with the ball at the chest, jump and release overhead."""
    t, k = key_times(p, v, (0.4, 1.0, 1.3, 1.55, 1.85, 2.6))
    jump = lerp3(v["JumpHeight"], 0.0, 0.15, 0.35)
    dip = lerp3(v["JumpHeight"], 35, 55, 78)
    arm = lerp3(v["ArmHeight"], 130, 152, 172)
    p["lift"] = keyframes(t, k, (0, 0, 0, jump, 0, 0))
    knee = keyframes(t, k, (5, dip, 5, 10, dip * 0.6, 5))
    p.both_legs(knee=knee, flex=knee * 0.75)
    p["pitch"] = knee * 0.25
    p.both_arms(flex=keyframes(t, k, (10, 55, 120, arm, arm * 0.6, 10)), abd=keyframes(t, k, (8, 5, 10, 12, 10, 8)),
                elbow=keyframes(t, k, (10, 115, 100, 15, 30, 10)))


@motion("soccer_kick", "sport", ("Energy", "Height", "Speed"), (RL, LL, *ARMS))
def soccer_kick(p: Pose, v) -> None:
    """Kick a ball with the right foot: back-swing, strike, follow-through; left arm out for balance."""
    t, k = key_times(p, v, (0.4, 1.1, 1.4, 1.75, 2.6))
    en = v["Energy"]
    p.leg("r", flex=keyframes(t, k, (0, -lerp3(en, 15, 28, 40), 25, lerp3(v["Height"], 45, 70, 95), 0)),
          knee=keyframes(t, k, (0, lerp3(en, 60, 85, 105), 35, 10, 0)))
    p.leg("l", knee=keyframes(t, k, (5, 20, 25, 15, 5)), flex=keyframes(t, k, (0, 15, 20, 10, 0)))
    p.arm("l", abd=keyframes(t, k, (8, 55, 70, 60, 8)), flex=keyframes(t, k, (0, 10, 20, 30, 0)))
    p.arm("r", flex=keyframes(t, k, (0, 30, -10, -30, 0)), abd=keyframes(t, k, (8, 25, 30, 20, 8)), elbow=25)
    p["pitch"] = keyframes(t, k, (0, 5, -5, -lerp3(en, 5, 12, 20), 0))


@motion("baseball_swing", "sport", ("Energy", "Height", "Speed"), (*ARMS, TO))
def baseball_swing(p: Pose, v) -> None:
    """Baseball bat swing from the right shoulder across the body."""
    t, k = key_times(p, v, (0.4, 1.2, 1.5, 1.85, 2.7))
    h = lerp3(v["Height"], 45, 70, 95)
    p["spine_twist"] = keyframes(t, k, (-15, -30, 10, lerp3(v["Energy"], 30, 45, 58), -15))
    p.arm("r", flex=keyframes(t, k, (40, 45, h, h, 40)), abd=keyframes(t, k, (45, 55, 10, -25, 45)),
          elbow=keyframes(t, k, (110, 115, 30, 60, 110)), rot=keyframes(t, k, (0, 0, 20, 40, 0)))
    p.arm("l", flex=keyframes(t, k, (65, 70, h, h + 10, 65)), abd=keyframes(t, k, (-30, -35, -5, 30, -30)),
          elbow=keyframes(t, k, (80, 85, 10, 30, 80)))
    p.leg("l", flex=keyframes(t, k, (0, 20, 15, 5, 0)), knee=keyframes(t, k, (15, 35, 15, 10, 15)), abd=10)
    p.leg("r", knee=20, flex=10, abd=10)
    p["pitch"] = 15


@motion("bowling", "sport", ("Energy", "Depth", "Speed"), ALL_PARTS, duration=3.5)
def bowling(p: Pose, v) -> None:
    """Bowling delivery: pendulum back-swing, slide into a lunge, release low, follow through high."""
    t, k = key_times(p, v, (0.4, 1.3, 1.9, 2.3, 3.2))
    depth = lerp3(v["Depth"], 40, 65, 90)
    p.arm("r", flex=keyframes(t, k, (35, -lerp3(v["Energy"], 35, 50, 60), 10, lerp3(v["Energy"], 90, 120, 150), 20)),
          elbow=keyframes(t, k, (80, 5, 5, 15, 20)), abd=8)
    p.arm("l", abd=keyframes(t, k, (10, 40, 65, 60, 10)), elbow=20)
    p.leg("l", flex=keyframes(t, k, (0, 30, depth * 0.8, depth * 0.8, 0)),
          knee=keyframes(t, k, (0, 40, depth, depth, 0)))
    p.leg("r", flex=keyframes(t, k, (0, -10, -20, -20, 0)), knee=keyframes(t, k, (0, 15, 35, 35, 0)))
    p["pitch"] = keyframes(t, k, (0, 15, 30, 25, 0))


_SWIM_FLEX = (170, 120, 60, 0, -40, -20, 60, 140)
_SWIM_ABD = (10, 10, 5, 10, 30, 80, 100, 50)
_SWIM_ELBOW = (10, 40, 70, 40, 20, 90, 90, 40)


@motion("swim", "sport", ("Reach", "Speed", "Roll"), (*ARMS, TO))
def swim(p: Pose, v) -> None:
    """Freestyle arm strokes while standing, trunk rolling with each stroke."""
    e = fade(p, 0.4)
    t = tempo(p, v["Speed"], 0.25) - p.duration / 2
    reach = lerp3(v["Reach"], 0.75, 0.9, 1.0)
    for s, ph in (("r", 0.0), ("l", 0.5)):
        p.arm(s, flex=e * reach * cycle(t, 0.6, _SWIM_FLEX, ph), abd=e * cycle(t, 0.6, _SWIM_ABD, ph),
              elbow=e * cycle(t, 0.6, _SWIM_ELBOW, ph), clav=e * 8)
    p["spine_twist"] = e * lerp3(v["Roll"], 5, 15, 28) * osc(t, 0.6, 0.25)
    p["pitch"] = 12 * e


@motion("jump_rope", "sport", ("Height", "Speed"), ALL_PARTS)
def jump_rope(p: Pose, v) -> None:
    """Skipping rope: small two-footed hops, hands turning by the hips."""
    e = fade(p, 0.3)
    ph = 2 * np.pi * 1.9 * (1 + 0.15 * v["Speed"]) * (p.t - p.duration / 2)
    air = np.clip(np.sin(ph), 0, None)
    p["lift"] = e * lerp3(v["Height"], 0.02, 0.07, 0.16) * air
    knee = e * (8 + lerp3(v["Height"], 8, 18, 32) * (1 - air) ** 2)
    p.both_legs(knee=knee, flex=knee * 0.6)
    p.both_arms(abd=e * 25, flex=e * (12 + 10 * np.cos(ph)), elbow=e * (75 + 15 * np.sin(ph)), rot=e * 10)


# ---------------------------------------------------------------- adventure
@motion("jump", "adventure", ("Height", "Crouch", "ArmSwing"), ALL_PARTS)
def jump(p: Pose, v) -> None:
    """Vertical jump: crouch with the arms back, take off swinging the arms up, land softly."""
    h = lerp3(v["Height"], 0.12, 0.28, 0.45)
    flight = 2 * np.sqrt(2 * h / 9.81)
    t0, t1 = 1.15, 1.15 + flight
    x = np.clip((p.t - t0) / flight, 0, 1)
    p["lift"] = h * 4 * x * (1 - x)
    c = lerp3(v["Crouch"], 40, 65, 95)
    k = (0.4, 0.95, t0, (t0 + t1) / 2, t1, t1 + 0.2, t1 + 0.7)
    knee = keyframes(p.t, k, (5, c, 5, 25, 10, c * 0.7, 5))
    p.both_legs(knee=knee, flex=knee * 0.8)
    p["pitch"] = knee * 0.35
    sw = lerp3(v["ArmSwing"], 60, 120, 165)
    p.both_arms(flex=keyframes(p.t, k, (0, -45, sw, sw * 0.8, 40, 20, 0)), abd=10, elbow=15)


@motion("hop", "adventure", ("Height", "Speed"), (*LEGS, TO))
def hop(p: Pose, v) -> None:
    """Hop on the right leg, the left knee bent, arms out for balance."""
    e = fade(p, 0.3)
    ph = 2 * np.pi * 1.5 * (1 + 0.2 * v["Speed"]) * (p.t - p.duration / 2)
    air = np.clip(np.sin(ph), 0, None)
    p["lift"] = e * lerp3(v["Height"], 0.03, 0.09, 0.18) * air
    knee = e * (10 + lerp3(v["Height"], 12, 25, 42) * (1 - air) ** 2)
    p.leg("r", knee=knee, flex=knee * 0.6)
    p.leg("l", flex=e * 35, knee=e * 85)
    p.both_arms(abd=e * 35, elbow=e * 40)


@motion("climb", "adventure", ("Reach", "KneeHeight", "Speed"), ALL_PARTS)
def climb(p: Pose, v) -> None:
    """Climb a ladder on the spot: hand over hand, knees coming up in turn."""
    e = fade(p, 0.4)
    ph = 2 * np.pi * 0.75 * (1 + 0.2 * v["Speed"]) * (p.t - p.duration / 2)
    reach = lerp3(v["Reach"], 120, 145, 168)
    kh = lerp3(v["KneeHeight"], 35, 55, 80)
    for s, sg in (("r", 1), ("l", -1)):
        up = 0.5 + 0.5 * sg * np.sin(ph)
        p.arm(s, flex=e * (reach - 55 * (1 - up)), abd=e * 15, elbow=e * (15 + 60 * (1 - up)), clav=e * 10 * up)
        p.leg(s, flex=e * kh * (1 - up), knee=e * kh * 1.2 * (1 - up))


@motion("sneak", "adventure", ("Depth", "StepLength", "Speed"), ALL_PARTS, duration=3.5)
def sneak(p: Pose, v) -> None:
    """Sneak forward crouched, arms bent in front."""
    f = 0.6 * (1 + 0.2 * v["Speed"])
    depth = lerp3(v["Depth"], 20, 38, 60)
    gait(p, p.t - p.duration / 2, f, lerp3(v["StepLength"], 0.5, 0.8, 1.1), 1.0, swing=8, elbow=70)
    e = fade(p, 0.4)
    for s in ("l", "r"):
        p.add(f"{s}_knee", e * depth)
        p.add(f"{s}_hip_flex", e * depth * 0.75)
        p.add(f"{s}_sh_flex", e * 35)
    p["pitch"] = e * depth * 0.6


@motion("look_around", "adventure", ("Angle", "Speed"), (TO, RA), duration=4.0)
def look_around(p: Pose, v) -> None:
    """Scan the horizon left and right, a hand shading the eyes."""
    s = hold(p.t, 0.3, 3.7, 0.5)
    t = tempo(p, v["Speed"], 0.3) - p.duration / 2
    scan = s * lerp3(v["Angle"], 25, 45, 70) * np.sin(2 * np.pi * 0.4 * t)
    p["neck_turn"] = scan * 0.8
    p["spine_twist"] = scan * 0.5
    p.arm("r", flex=s * 80, abd=s * 55, rot=s * 20, elbow=s * 125, clav=s * 8)


@motion("push", "adventure", ("Energy", "Height"), ALL_PARTS, duration=3.5)
def push(p: Pose, v) -> None:
    """Push a heavy object forward: lean in, arms extended, short steps."""
    e = fade(p, 0.5)
    lean = lerp3(v["Energy"], 10, 22, 36)
    gait(p, p.t - p.duration / 2, 0.6, 0.55, 1.0, swing=0, elbow=0)
    p["pitch"] = e * lean
    p.both_arms(flex=e * (lerp3(v["Height"], 55, 78, 100) - lean * 0.3), abd=e * 5,
                elbow=e * lerp3(v["Energy"], 35, 20, 8) + 5)


@motion("pull_rope", "adventure", ("Energy", "Height", "Speed"), (*ARMS, TO, *LEGS))
def pull_rope(p: Pose, v) -> None:
    """Pull a rope hand over hand, leaning back with the feet braced forward."""
    e = fade(p, 0.4)
    ph = 2 * np.pi * 0.7 * (1 + 0.2 * v["Speed"]) * (p.t - p.duration / 2)
    h = lerp3(v["Height"], 35, 60, 85)
    for s, sg in (("r", 1), ("l", -1)):
        pull = 0.5 + 0.5 * sg * np.sin(ph)
        p.arm(s, flex=e * (h - 30 * pull), abd=e * (5 + 15 * pull), elbow=e * (10 + 80 * pull))
    lean = lerp3(v["Energy"], 5, 15, 26)
    p["pitch"] = -e * lean
    p.both_legs(flex=e * lean, knee=e * (15 + lean))


@motion("run", "adventure", ("Speed", "StepLength", "ArmSwing"), ALL_PARTS, duration=2.5)
def run(p: Pose, v) -> None:
    """Run forward, elbows bent, with short flights."""
    f = 1.3 * (1 + 0.2 * v["Speed"])
    t = p.t - p.duration / 2
    e = fade(p, 0.3)
    step = lerp3(v["StepLength"], 0.9, 1.2, 1.5)
    for s, ph in (("r", 0.0), ("l", 0.5)):
        p.leg(s, flex=e * step * cycle(t, f, (30, 20, 5, -10, -15, 5, 30, 45), ph),
              knee=e * cycle(t, f, (15, 35, 20, 30, 70, 100, 80, 35), ph))
        p.arm(s, flex=e * lerp3(v["ArmSwing"], 15, 35, 55) * osc(t, f, ph + 0.3), elbow=85, abd=8)
    p["lift"] = e * 0.05 * np.clip(np.sin(4 * np.pi * f * t), 0, None)
    p["pitch"] = 10 * e


MOTIONS = (
    throw_overhand, golf_swing, tennis_forehand, basketball_shot, soccer_kick, baseball_swing, bowling, swim,
    jump_rope, jump, hop, climb, sneak, look_around, push, pull_rope, run,
)
