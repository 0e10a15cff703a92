"""The motion library as one read-only registry, the train/validation split, and channels -> 3-D joints.

>>> spec = get_motion("wave_right")
>>> spec.category, spec.variables
('everyday', ('Height', 'Energy', 'Speed'))
>>> motion_3d("wave_right", [0, 0, 1], "ada").shape
(90, 17, 3)
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np

from ..skeleton import BODY_PARTS
from . import library_combat, library_dance, library_everyday, library_exercise, library_floor, library_sport
from .characters import Character, get_character, rest_channels, skeleton_arrays
from .kinematics import clip_to_limits, forward_kinematics, place_on_ground
from .motion_base import CATEGORIES, VARIATION_LEVELS, MotionSpec

_ALL: tuple[MotionSpec, ...] = (*library_everyday.MOTIONS, *library_exercise.MOTIONS, *library_combat.MOTIONS,
                                *library_sport.MOTIONS, *library_dance.MOTIONS, *library_floor.MOTIONS)
#: Every base motion class by name (read-only).
MOTION_LIBRARY: Mapping[str, MotionSpec] = MappingProxyType({m.name: m for m in _ALL})

#: Motion families held out for validation (never trained on): a few per category, as in the paper's split
#: by base motions. Everything else is training data.
VAL_FAMILIES: frozenset[str] = frozenset({
    "raise_arm", "sit_down", "salute", "side_bend", "high_knees", "hook", "side_kick", "climb", "tennis_forehand",
    "bowling", "twist_dance", "can_can", "bridge", "backward_roll",
})


def get_motion(name: str | MotionSpec) -> MotionSpec:
    """Look a base motion up by name (a `MotionSpec` passes through)."""
    if isinstance(name, MotionSpec):
        return name
    if name not in MOTION_LIBRARY:
        raise ValueError(f"unknown motion {name!r}; see motionsim.synth.list_motions()")
    return MOTION_LIBRARY[name]


def list_motions(category: str | None = None, split: str | None = None) -> list[str]:
    """Names of the base motions, optionally of one category and/or one split ("train" or "val")."""
    if category is not None and category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}; known: {', '.join(CATEGORIES)}")
    if split not in (None, "train", "val"):
        raise ValueError(f"split must be 'train' or 'val', got {split!r}")
    out = []
    for m in MOTION_LIBRARY.values():
        if category is not None and m.category != category:
            continue
        if split is not None and (m.family in VAL_FAMILIES) != (split == "val"):
            continue
        out.append(m.name)
    return out


def variation_grid(spec: MotionSpec | str) -> np.ndarray:
    """All characteristic vectors of a motion on SARA's levels, shape (5 ** n_v, n_v)."""
    spec = get_motion(spec)
    return np.array(list(itertools.product(VARIATION_LEVELS, repeat=spec.n_variables)), dtype=np.float32)


def channels_to_3d(channels: np.ndarray, characters: Sequence[Character | str],
                   bodies: tuple[np.ndarray, ...] | None = None) -> np.ndarray:
    """Joint positions (B, T, 17, 3) in metres (y up, feet on the floor) of channel curves (B, T, C).

    Each sequence b is worn by ``characters[b]``: its posture habits are added, joint limits applied, then FK
    and floor contact. Sequences are independent, so the caller may pass any time window of a motion.
    ``bodies`` = (offsets, face, ankle, rest) of the characters, precomputed by `body_arrays` (saves time
    in a sampler that reuses the same bank).
    """
    if bodies is None:
        bodies = body_arrays([get_character(c) for c in characters])
    offsets, face, ankle, rest = bodies
    if channels.ndim != 3 or channels.shape[0] != len(offsets):
        raise ValueError(f"channels must be (B, T, C) with B = {len(offsets)} characters, got {channels.shape}")
    ch = clip_to_limits(channels + rest[:, None, :])
    joints = forward_kinematics(ch, offsets[:, None], face[:, None])
    return place_on_ground(joints, ch, ankle[:, None]).astype(np.float32)


def body_arrays(characters: Sequence[Character]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(offsets, face, ankle heights, posture channels) of characters, as `channels_to_3d` takes them."""
    return (*skeleton_arrays(characters), rest_channels(characters))


def motion_3d(name: str | MotionSpec, values: Sequence[float] | Mapping[str, float] | None,
              character: Character | str, n_frames: int | None = None) -> np.ndarray:
    """One base motion with the given characteristic values, worn by one character: (T, 17, 3) metres."""
    spec = get_motion(name)
    return channels_to_3d(spec.channels(values, n_frames)[None], [character])[0]


_PART_COCO = {"right_arm": (6, 8, 10), "left_arm": (5, 7, 9), "right_leg": (12, 14, 16),
              "left_leg": (11, 13, 15), "torso": (0, 5, 6, 11, 12)}
_PART_REF = {"right_arm": 6, "left_arm": 5, "right_leg": 12, "left_leg": 11, "torso": None}


def part_motion(joints: np.ndarray) -> dict[str, float]:
    """How much each body part moves in its own frame: mean distance (m) from its mean relative pose.

    The torso is taken relative to the hip centre; limbs relative to their shoulder / hip joint, so a wave
    moves the right arm and nothing else.
    """
    out = {}
    hip = joints[:, (11, 12)].mean(axis=1, keepdims=True)
    for part in BODY_PARTS:
        ref = hip if _PART_REF[part] is None else joints[:, _PART_REF[part]][:, None]
        rel = joints[:, _PART_COCO[part]] - ref
        out[part] = float(np.linalg.norm(rel - rel.mean(axis=0), axis=-1).mean())
    return out


def part_poses(joints: np.ndarray) -> dict[str, np.ndarray]:
    """Each body part's pose in its own frame, per frame, in body units: (..., T, k, 3) per part.

    Limbs are taken relative to their shoulder / hip joint, the torso relative to the hip centre plus the
    hip centre's path around its mean (the root motion the torso channels carry). Everything is divided by
    the body's leg + trunk length, so bodies of different sizes doing the same thing give the same poses.
    ``joints``: (..., T, 17, 3) COCO-17 metres.
    """
    def bone(a: int, b: int) -> np.ndarray:
        return np.linalg.norm(joints[..., a, :] - joints[..., b, :], axis=-1).mean(-1)

    size = (bone(11, 13) + bone(12, 14) + bone(13, 15) + bone(14, 16) + bone(5, 11) + bone(6, 12)) / 2
    size = np.maximum(size, 1e-6)[..., None, None, None]
    hip = joints[..., (11, 12), :].mean(axis=-2, keepdims=True)
    out = {}
    for part in BODY_PARTS:
        ref = hip if _PART_REF[part] is None else joints[..., _PART_REF[part], :][..., None, :]
        rel = joints[..., _PART_COCO[part], :] - ref
        if part == "torso":
            rel = np.concatenate([rel, hip - hip.mean(axis=-3, keepdims=True)], axis=-2)
        out[part] = rel / size
    return out


def part_distances(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> np.ndarray:
    """Mean joint distance (body units) between two sets of `part_poses`, frame by frame: (..., 5) in
    `BODY_PARTS` order. Broadcasts, so a (n, 1) and a (1, n) set give every pair."""
    return np.stack([np.linalg.norm(a[p] - b[p], axis=-1).mean(axis=(-1, -2)) for p in BODY_PARTS], axis=-1)


def part_effects(name: str | MotionSpec, variable: str, character: Character | str = "ada") -> dict[str, float]:
    """How much moving one characteristic variable from -1 to 1 changes each body part (mean metres).

    Useful for part-localisation checks: a variation of ``wave_right`` only changes the right arm.
    """
    spec = get_motion(name)
    if variable not in spec.variables:
        raise ValueError(f"motion {spec.name!r} has no variable {variable!r}; it has {list(spec.variables)}")
    lo = motion_3d(spec, {variable: -1.0}, character)
    hi = motion_3d(spec, {variable: 1.0}, character)
    out = {}
    for part in BODY_PARTS:
        idx = _PART_COCO[part]
        ref_lo = lo[:, (11, 12)].mean(1, keepdims=True) if _PART_REF[part] is None else lo[:, _PART_REF[part]][:, None]
        ref_hi = hi[:, (11, 12)].mean(1, keepdims=True) if _PART_REF[part] is None else hi[:, _PART_REF[part]][:, None]
        out[part] = float(np.linalg.norm((lo[:, idx] - ref_lo) - (hi[:, idx] - ref_hi), axis=-1).mean())
    return out
