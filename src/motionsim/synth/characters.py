"""Character bank: body shapes (bone lengths, widths) and posture habits that the skeleton encoder must ignore.

The paper renders every motion on 18 Adobe Fuse characters (12 for training, 6 for validation). Ours are 18
hand-made rows of plain data spanning short/tall, long/short legs, narrow/broad shoulders, slim/brute builds;
`random_character` draws unlimited extra bodies for training.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .kinematics import CH, FACE, JOINTS, N_CHANNELS, J


@dataclass(frozen=True)
class Character:
    """One body shape. Lengths in metres; ratios scale textbook proportions of the stature (Drillis & Contini).

    Attributes
    ----------
    stature : standing height to the top of the head; the nose-to-ankle height is about 0.87 of it
    leg, torso, arm, head : multipliers of the average segment lengths for that stature
    shoulder_width, hip_width : distances between the two shoulder / hip joint centres
    arm_rest_abd, elbow_rest, lean, head_forward : posture habits in degrees (arms held out, slouch...)
    """

    name: str
    stature: float
    leg: float = 1.0
    torso: float = 1.0
    arm: float = 1.0
    head: float = 1.0
    shoulder_width: float = 0.36
    hip_width: float = 0.18
    arm_rest_abd: float = 8.0
    elbow_rest: float = 12.0
    lean: float = 0.0
    head_forward: float = 0.0

    @property
    def nose_to_ankle(self) -> float:
        """Height of the nose above the ankles when standing straight (the preprocessing's height measure)."""
        offsets, face, _ = skeleton_arrays([self])
        return float(rest_nose_height(offsets[0], face[0]))


# name, stature, leg, torso, arm, head, shoulder_width, hip_width, arm_rest_abd, elbow_rest, lean, head_forward
_TABLE: tuple[tuple, ...] = (
    ("ada", 1.62, 1.00, 1.00, 1.00, 1.00, 0.31, 0.19, 6, 14, 0, 0),
    ("bruno", 1.84, 1.00, 1.02, 1.02, 0.98, 0.42, 0.19, 16, 18, 2, 4),
    ("chloe", 1.70, 1.06, 0.96, 1.00, 0.97, 0.32, 0.20, 5, 10, -2, 0),
    ("dmitri", 1.92, 1.03, 0.98, 1.05, 0.96, 0.40, 0.18, 10, 12, 4, 6),
    ("emi", 1.53, 0.95, 1.02, 0.97, 1.06, 0.30, 0.18, 6, 16, 0, 2),
    ("farid", 1.76, 0.96, 1.05, 0.98, 1.00, 0.38, 0.19, 12, 15, 3, 5),
    ("greta", 1.80, 1.04, 1.00, 1.03, 0.98, 0.34, 0.21, 7, 10, 0, 0),
    ("hugo", 1.68, 0.93, 1.06, 0.95, 1.03, 0.39, 0.20, 18, 20, 5, 8),
    ("ines", 1.58, 1.02, 0.97, 1.04, 1.02, 0.31, 0.20, 5, 12, 0, 0),
    ("jonas", 1.99, 1.06, 0.97, 1.04, 0.95, 0.41, 0.19, 9, 14, 6, 10),
    ("kemal", 1.72, 0.98, 1.00, 1.00, 1.00, 0.37, 0.18, 14, 25, 8, 6),
    ("lena", 1.66, 1.00, 0.99, 0.97, 1.01, 0.33, 0.22, 6, 12, -3, 0),
    # validation characters
    ("mateo", 1.79, 1.01, 1.01, 1.01, 0.99, 0.39, 0.19, 11, 14, 2, 3),
    ("nora", 1.60, 1.03, 0.98, 0.99, 1.03, 0.31, 0.20, 6, 12, 0, 1),
    ("omar", 1.88, 0.97, 1.04, 1.03, 0.97, 0.43, 0.20, 17, 18, 4, 6),
    ("petra", 1.74, 1.05, 0.96, 1.02, 0.98, 0.33, 0.21, 6, 10, -1, 0),
    ("quinn", 1.55, 0.96, 1.01, 0.96, 1.05, 0.32, 0.19, 8, 16, 3, 4),
    ("ravi", 1.69, 0.99, 1.02, 1.00, 1.00, 0.37, 0.18, 10, 13, 5, 7),
)
_FIELDS = ("name", "stature", "leg", "torso", "arm", "head", "shoulder_width", "hip_width", "arm_rest_abd",
           "elbow_rest", "lean", "head_forward")

CHARACTERS: tuple[Character, ...] = tuple(Character(**dict(zip(_FIELDS, row))) for row in _TABLE)
#: Disjoint training / validation characters, like the paper's 12 / 6 split.
TRAIN_CHARACTERS: tuple[Character, ...] = CHARACTERS[:12]
VAL_CHARACTERS: tuple[Character, ...] = CHARACTERS[12:]
CHARACTER_BY_NAME: dict[str, Character] = {c.name: c for c in CHARACTERS}


def get_character(name_or_char: str | Character) -> Character:
    """Look a character up by name (a `Character` passes through)."""
    if isinstance(name_or_char, Character):
        return name_or_char
    if name_or_char not in CHARACTER_BY_NAME:
        raise ValueError(f"unknown character {name_or_char!r}; known: {', '.join(CHARACTER_BY_NAME)}")
    return CHARACTER_BY_NAME[name_or_char]


def random_character(random_state: np.random.Generator, name: str = "random") -> Character:
    """Draw a plausible adult body (stature 1.50-2.02 m, proportions within about +-8 %)."""
    rng = random_state
    ratio = lambda sd: float(np.clip(rng.normal(1.0, sd), 1 - 2.2 * sd, 1 + 2.2 * sd))  # noqa: E731
    stature = float(rng.uniform(1.50, 2.02))
    broad = float(rng.uniform(0, 1))
    return Character(
        name=name, stature=stature, leg=ratio(0.035), torso=ratio(0.035), arm=ratio(0.03), head=ratio(0.035),
        shoulder_width=stature * float(rng.uniform(0.175, 0.225)) * (0.95 + 0.1 * broad),
        hip_width=stature * float(rng.uniform(0.10, 0.125)),
        arm_rest_abd=float(rng.uniform(4, 10 + 10 * broad)), elbow_rest=float(rng.uniform(8, 24)),
        lean=float(rng.uniform(-3, 8)), head_forward=float(rng.uniform(0, 10)),
    )


def skeleton_arrays(characters: list[Character] | tuple[Character, ...]) -> tuple[np.ndarray, np.ndarray,
                                                                                  np.ndarray]:
    """Rest-pose offsets (n, len(JOINTS), 3), face offsets (n, 5, 3) and ankle heights (n,) of characters."""
    n = len(characters)
    off = np.zeros((n, len(JOINTS), 3), dtype=np.float32)
    face = np.zeros((n, len(FACE), 3), dtype=np.float32)
    ankle = np.zeros(n, dtype=np.float32)
    for i, c in enumerate(characters):
        h = c.stature
        chest = 0.155 * h * c.torso
        off[i, J["chest"]] = (0, 0.13 * h * c.torso, 0)
        off[i, J["neck"]] = (0, chest, 0)
        off[i, J["head"]] = (0, 0.06 * h * c.head, 0)
        for s, sg in (("l", 1.0), ("r", -1.0)):
            off[i, J[f"{s}_clav"]] = (0, chest - 0.015 * h, 0)
            off[i, J[f"{s}_shoulder"]] = (sg * c.shoulder_width / 2, 0, 0)
            off[i, J[f"{s}_elbow"]] = (0, -0.186 * h * c.arm, 0)
            off[i, J[f"{s}_wrist"]] = (0, -0.146 * h * c.arm, 0)
            off[i, J[f"{s}_hip"]] = (sg * c.hip_width / 2, -0.03 * h, 0)
            off[i, J[f"{s}_knee"]] = (0, -0.245 * h * c.leg, 0)
            off[i, J[f"{s}_ankle"]] = (0, -0.246 * h * c.leg, 0)
        hs = h * c.head
        face[i] = np.array([(0, 0.005, 0.055), (0.018, 0.028, 0.047), (-0.018, 0.028, 0.047),
                            (0.043, 0.018, -0.004), (-0.043, 0.018, -0.004)]) * hs
        ankle[i] = 0.039 * h
    return off, face, ankle


def rest_channels(characters: list[Character] | tuple[Character, ...]) -> np.ndarray:
    """Posture habits of each character as additive channel offsets (n, N_CHANNELS), degrees."""
    out = np.zeros((len(characters), N_CHANNELS), dtype=np.float32)
    for i, c in enumerate(characters):
        for s in ("l", "r"):
            out[i, CH[f"{s}_sh_abd"]] = c.arm_rest_abd
            out[i, CH[f"{s}_elbow"]] = c.elbow_rest
        out[i, CH["spine_flex"]] = c.lean
        out[i, CH["neck_flex"]] = c.head_forward
    return out


def rest_nose_height(offsets: np.ndarray, face: np.ndarray) -> float:
    """Nose height above the ankles in the rest pose (all joints straight)."""
    chain = ("lumbar", "chest", "neck", "head")
    up = sum(offsets[J[j], 1] for j in chain) + face[0, 1]
    down = -(offsets[J["l_hip"], 1] + offsets[J["l_knee"], 1] + offsets[J["l_ankle"], 1])
    return float(up + down)
