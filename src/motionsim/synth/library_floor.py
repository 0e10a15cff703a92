"""Floor and acrobatic motions: push-ups, crawling, sit-ups, getting up, rolls, cartwheels, flips (degrees).

Real motion has what standing motions lack: the body lying, kneeling, crawling or upside down, legs and trunk
moving through large angles (issue 17 measured real leg and trunk windows far outside a standing-only
generator). These motions turn the whole body with ``body_pitch`` (90 = face down, -90 = on the back,
180 = upside down) and ``body_roll`` (sideways, a cartwheel); `kinematics.place_on_ground` puts whichever
joint is lowest on the floor and lets the joints in contact carry the body along.
"""

from __future__ import annotations

import numpy as np

from .motion_base import (
    ALL_PARTS,
    ARMS,
    LEGS,
    LL,
    RL,
    TO,
    Pose,
    centred_phase,
    fade,
    key_times,
    keyframes,
    lerp3,
    mirrored,
    motion,
)


# ---------------------------------------------------------------- floor exercises
@motion("push_up", "floor", ("Depth", "HandWidth", "Speed"), ALL_PARTS, duration=4.0)
def push_up(p: Pose, v) -> None:
    """Push-ups from a straight-arm plank: elbows bend, the chest goes down towards the floor and back up."""
    d = fade(p, 0.4) * (0.5 - 0.5 * np.cos(centred_phase(p, 0.6 * (1 + 0.2 * v["Speed"]))))
    x = d * lerp3(v["Depth"], 0.45, 0.75, 1.0)
    # body pitch per elbow bend chosen so that the hands and the feet both stay on the floor
    p["body_pitch"] = 70 + x * 8
    width = lerp3(v["HandWidth"], 8, 22, 40)
    p.both_arms(flex=80 - x * 45, abd=width + x * 25, elbow=x * 95)
    p["neck_flex"] = -25


@motion("mountain_climber", "floor", ("KneeHeight", "Speed"), (*LEGS, TO), duration=3.0)
def mountain_climber(p: Pose, v) -> None:
    """Mountain climbers: a straight-arm plank, the knees driven in towards the chest one after the other."""
    e = fade(p, 0.3)
    ph = centred_phase(p, 1.2 * (1 + 0.25 * v["Speed"]))
    knee_in = lerp3(v["KneeHeight"], 45, 70, 95)
    p["body_pitch"] = 69  # hands and feet on the floor
    p.both_arms(flex=80, abd=10, elbow=5)
    for s, sg in (("r", 1.0), ("l", -1.0)):
        c = e * np.clip(sg * np.sin(ph), 0.0, None)
        p.leg(s, flex=c * knee_in, knee=c * knee_in * 1.3)
    p["neck_flex"] = -20


@motion("sit_up", "floor", ("Height", "ArmPosition", "Speed"), (*ARMS, TO), duration=4.0)
def sit_up(p: Pose, v) -> None:
    """Sit-ups lying on the back, knees bent: the trunk curls up towards the knees and back down."""
    d = fade(p, 0.4) * (0.5 - 0.5 * np.cos(centred_phase(p, 0.5 * (1 + 0.2 * v["Speed"]))))
    p["body_pitch"] = -90
    p.both_legs(flex=55, knee=100)
    p["pitch"] = d * lerp3(v["Height"], 30, 55, 80)
    p["spine_flex"] = d * 25
    p["neck_flex"] = 15 + d * 20
    a = v["ArmPosition"]  # -1: hands on the chest, +1: hands behind the head
    p.both_arms(flex=lerp3(a, 20, 90, 160), abd=lerp3(a, 10, 30, 55), elbow=lerp3(a, 130, 60, 140))


@motion("lying_leg_raise", "floor", ("Height", "KneeBend", "Speed"), (*LEGS, TO), duration=4.0)
def lying_leg_raise(p: Pose, v) -> None:
    """Lying on the back, arms by the sides: both legs rise together towards vertical and come down."""
    d = fade(p, 0.4) * (0.5 - 0.5 * np.cos(centred_phase(p, 0.45 * (1 + 0.2 * v["Speed"]))))
    p["body_pitch"] = -90
    p.both_legs(flex=d * lerp3(v["Height"], 40, 65, 90), knee=d * lerp3(v["KneeBend"], 0, 20, 60))
    p.both_arms(abd=12, elbow=5)


@motion("bridge", "floor", ("Height", "Speed"), (*LEGS, TO), duration=4.0)
def bridge(p: Pose, v) -> None:
    """Glute bridge: lying on the back, knees bent, the hips lift until the body is a straight line from the
    shoulders to the knees, then lower."""
    d = fade(p, 0.4) * (0.5 - 0.5 * np.cos(centred_phase(p, 0.45 * (1 + 0.3 * v["Speed"]))))
    lift = d * lerp3(v["Height"], 10, 14, 18)
    p["body_pitch"] = -90 - lift
    p.both_legs(flex=38 - 2.1 * lift, knee=95)  # the feet stay flat on the floor
    p.both_arms(abd=15, elbow=5, flex=-lift * 0.5)


@motion("crawl", "floor", ("Stride", "Speed"), ALL_PARTS, duration=4.0)
def crawl(p: Pose, v) -> None:
    """Crawling forward on hands and knees, the opposite arm and leg moving together."""
    e = fade(p, 0.3)
    ph = centred_phase(p, 0.8 * (1 + 0.25 * v["Speed"]))
    stride = e * lerp3(v["Stride"], 8, 16, 26)
    p["body_pitch"] = 82
    for s, sg in (("r", 1.0), ("l", -1.0)):
        swing = sg * np.sin(ph)
        lift = np.clip(sg * np.cos(ph), 0.0, None)
        p.arm(s, flex=88 + stride * swing, abd=8, elbow=5 + e * 15 * lift)
        p.leg(s, flex=88 - stride * swing, knee=92 + e * 10 * lift)
    p["spine_twist"] = 4 * e * np.sin(ph)
    p["neck_flex"] = -30


@motion("burpee", "floor", ("Jump", "Speed"), ALL_PARTS, duration=3.5)
def burpee(p: Pose, v) -> None:
    """Burpee: squat down, hands on the floor, jump the feet back to a plank, back to the squat, jump up."""
    t, k = key_times(p, v, (0.2, 0.7, 1.1, 1.6, 2.0, 2.45, 2.75, 3.2), 0.25)
    jump = lerp3(v["Jump"], 0.02, 0.2, 0.4)
    reach = lerp3(v["Jump"], 110, 170, 178)  # arms overhead at the top of the jump
    p["body_pitch"] = keyframes(t, k, (0, 0, 70, 70, 0, 0, 0, 0))
    p["pitch"] = keyframes(t, k, (0, 60, 5, 5, 60, 10, 0, 0))
    p.both_legs(flex=keyframes(t, k, (0, 110, 5, 5, 110, 30, 0, 0)),
                knee=keyframes(t, k, (0, 125, 5, 5, 125, 30, 0, 0)))
    p.both_arms(flex=keyframes(t, k, (0, 60, 80, 80, 60, 120, reach, 0)), abd=10,
                elbow=keyframes(t, k, (10, 5, 5, 5, 5, 20, 5, 10)))
    p["lift"] = keyframes(t, k, (0, 0, 0, 0, 0, 0, jump, 0))


@motion("get_up_face_down", "floor", ("Speed", "Knees"), ALL_PARTS, duration=4.0)
def get_up_face_down(p: Pose, v) -> None:
    """Getting up from lying face down: push up on the hands, bring the knees under, squat, stand up."""
    t, k = key_times(p, v, (0.3, 1.0, 1.6, 2.3, 3.0, 3.7), 0.25)
    kn = lerp3(v["Knees"], 80, 105, 130)  # how far the knees come under the body
    p["body_pitch"] = keyframes(t, k, (90, 72, 45, 10, 0, 0))
    p["pitch"] = keyframes(t, k, (0, 0, 30, 45, 15, 0))
    p.both_arms(flex=keyframes(t, k, (25, 80, 85, 40, 15, 0)), abd=keyframes(t, k, (45, 20, 15, 10, 8, 8)),
                elbow=keyframes(t, k, (130, 5, 5, 20, 15, 10)))
    p.both_legs(flex=keyframes(t, k, (0, 0, kn, 110, 40, 0)), knee=keyframes(t, k, (0, 0, kn + 20, 125, 40, 0)))
    p["neck_flex"] = keyframes(t, k, (-35, -30, -15, 0, 0, 0))


@motion("get_up_face_up", "floor", ("Speed", "HandSupport"), ALL_PARTS, duration=4.0)
def get_up_face_up(p: Pose, v) -> None:
    """Getting up from lying on the back: sit up, draw the knees in, push off the floor into a squat, stand."""
    t, k = key_times(p, v, (0.3, 1.0, 1.6, 2.3, 3.0, 3.7), 0.25)
    hand = lerp3(v["HandSupport"], 0, 30, 55)  # hands pushing on the floor behind the hips
    p["body_pitch"] = keyframes(t, k, (-90, -90, -90, -30, 0, 0))
    p["pitch"] = keyframes(t, k, (0, 80, 90, 70, 20, 0))
    p.both_legs(flex=keyframes(t, k, (0, 10, 70, 105, 40, 0)), knee=keyframes(t, k, (0, 10, 115, 125, 40, 0)))
    p.both_arms(flex=keyframes(t, k, (0, 30, -hand, 60, 20, 0)), abd=keyframes(t, k, (10, 15, 20, 10, 8, 8)),
                elbow=keyframes(t, k, (5, 30, 10, 10, 15, 10)))
    p["neck_flex"] = keyframes(t, k, (0, 30, 10, 10, 0, 0))


# ---------------------------------------------------------------- acrobatics
def _tuck(p: Pose, t: np.ndarray, k: list[float], tuck: float) -> None:
    """Legs, arms and trunk of a tucked rotation: crouch, curl up through the turn, crouch, stand."""
    p.both_legs(flex=keyframes(t, k, (0, 100, tuck, tuck, 100, 0)),
                knee=keyframes(t, k, (0, 120, tuck + 15, tuck + 15, 120, 0)))
    p["spine_flex"] = keyframes(t, k, (0, 20, 45, 45, 20, 0))
    p["neck_flex"] = keyframes(t, k, (0, 20, 50, 50, 20, 0))


@motion("forward_roll", "acrobatic", ("Tuck", "Speed"), ALL_PARTS, duration=4.0)
def forward_roll(p: Pose, v) -> None:
    """Forward roll: crouch, hands on the floor, roll over the back of the shoulders, come up to standing."""
    t, k = key_times(p, v, (0.3, 1.0, 1.5, 2.5, 3.0, 3.7), 0.25)
    tuck = lerp3(v["Tuck"], 95, 115, 130)
    p["body_pitch"] = keyframes(t, k, (0, 20, 120, 330, 360, 360))
    p["pitch"] = keyframes(t, k, (0, 50, 40, 40, 40, 0))
    _tuck(p, t, k, tuck)
    p.both_arms(flex=keyframes(t, k, (0, 80, 100, 60, 90, 0)), abd=10, elbow=keyframes(t, k, (5, 10, 80, 60, 20, 5)))


@motion("backward_roll", "acrobatic", ("Tuck", "Speed"), ALL_PARTS, duration=4.0)
def backward_roll(p: Pose, v) -> None:
    """Backward roll: sit back from a crouch, roll over the shoulders with the hands beside the ears, stand."""
    t, k = key_times(p, v, (0.3, 1.0, 1.5, 2.5, 3.0, 3.7), 0.25)
    tuck = lerp3(v["Tuck"], 95, 115, 130)
    p["body_pitch"] = keyframes(t, k, (0, -20, -110, -330, -360, -360))
    p["pitch"] = keyframes(t, k, (0, 50, 50, 45, 40, 0))
    _tuck(p, t, k, tuck)
    p.both_arms(flex=keyframes(t, k, (0, 60, 150, 160, 80, 0)), abd=15,
                elbow=keyframes(t, k, (5, 20, 140, 130, 20, 5)))


_CARTWHEEL = motion("cartwheel", "acrobatic", ("LegSpread", "Speed"), ALL_PARTS, duration=3.5)


def _cartwheel(p: Pose, v) -> None:
    """Cartwheel to the right: arms overhead, the body turns sideways over the hands, legs wide, lands."""
    t, k = key_times(p, v, (0.3, 0.9, 1.4, 2.2, 2.7, 3.3), 0.25)
    spread = lerp3(v["LegSpread"], 25, 40, 60)
    p["body_roll"] = keyframes(t, k, (0, 10, 100, 280, 350, 360))
    p.both_arms(abd=keyframes(t, k, (10, 165, 170, 170, 160, 10)), elbow=5)
    p.both_legs(abd=keyframes(t, k, (0, 10, spread, spread, 15, 0)))
    p.leg("r", flex=keyframes(t, k, (0, 20, 10, 0, 0, 0)), knee=keyframes(t, k, (0, 25, 5, 5, 10, 0)))
    p["spine_bend"] = keyframes(t, k, (0, -10, -5, 0, 5, 0))


cartwheel = _CARTWHEEL(_cartwheel)
cartwheel_left = mirrored(cartwheel, "cartwheel_left")


@motion("backflip", "acrobatic", ("Height", "Speed"), ALL_PARTS, duration=3.0)
def backflip(p: Pose, v) -> None:
    """Standing back tuck: swing the arms, jump, turn backwards once in the air tucked, land in a crouch."""
    t, k = key_times(p, v, (0.3, 0.8, 1.15, 1.65, 2.0, 2.7), 0.25)
    height = lerp3(v["Height"], 0.35, 0.55, 0.8)
    p["body_pitch"] = keyframes(t, k, (0, 0, -60, -300, -360, -360))
    p["lift"] = keyframes(t, k, (0, 0, 0.5 * height, height, 0.0, 0.0))
    p["pitch"] = keyframes(t, k, (0, 35, 0, 10, 35, 0))
    p.both_legs(flex=keyframes(t, k, (0, 90, 10, 120, 90, 0)), knee=keyframes(t, k, (0, 100, 10, 130, 100, 0)))
    p.both_arms(flex=keyframes(t, k, (0, -40, 170, 90, 60, 0)), abd=10, elbow=keyframes(t, k, (5, 5, 5, 60, 20, 5)))


@motion("handstand", "acrobatic", ("LegSplit", "Speed"), ALL_PARTS, duration=4.0)
def handstand(p: Pose, v) -> None:
    """Kick up into a handstand, hold it with the legs apart front to back, step down again."""
    t, k = key_times(p, v, (0.3, 0.9, 1.5, 2.5, 3.1, 3.7), 0.25)
    split = lerp3(v["LegSplit"], 0, 20, 45)
    p["body_pitch"] = keyframes(t, k, (0, 60, 180, 180, 60, 0))
    p.both_arms(flex=keyframes(t, k, (0, 175, 178, 178, 175, 0)), abd=8, elbow=5)
    p.leg("r", flex=keyframes(t, k, (0, 60, split, split, 60, 0)), knee=keyframes(t, k, (0, 40, 0, 0, 40, 0)))
    p.leg("l", flex=keyframes(t, k, (0, -20, -split, -split, -20, 0)))
    p["neck_flex"] = keyframes(t, k, (0, -20, -30, -30, -20, 0))


_SPINNING_KICK = motion("spinning_kick", "acrobatic", ("Height", "Speed"), (RL, LL, TO), duration=3.0)


def _spinning_kick(p: Pose, v) -> None:
    """Spinning back kick: turn on the left foot, the right leg swings out high and straight through the turn."""
    t, k = key_times(p, v, (0.3, 0.9, 1.3, 1.7, 2.1, 2.7), 0.25)
    height = lerp3(v["Height"], 45, 70, 95)
    p["yaw"] = keyframes(t, k, (0, -30, -150, -290, -360, -360))
    p.leg("r", flex=keyframes(t, k, (0, 20, 30, 25, 20, 0)), abd=keyframes(t, k, (0, 10, height, height, 20, 0)),
          knee=keyframes(t, k, (0, 60, 10, 10, 60, 0)))
    p.leg("l", knee=keyframes(t, k, (0, 25, 15, 15, 25, 0)))
    p["roll"] = keyframes(t, k, (0, 0, -20, -20, 0, 0))
    p.both_arms(flex=40, abd=keyframes(t, k, (10, 30, 40, 40, 30, 10)), elbow=90)


spinning_kick = _SPINNING_KICK(_spinning_kick)
spinning_kick_left = mirrored(spinning_kick, "spinning_kick_left")

MOTIONS = (push_up, mountain_climber, sit_up, lying_leg_raise, bridge, crawl, burpee, get_up_face_down,
           get_up_face_up, forward_roll, backward_roll, cartwheel, cartwheel_left, backflip, handstand,
           spinning_kick, spinning_kick_left)
