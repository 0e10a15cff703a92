"""Synthetic SARA-like training data: 3-D skeletons, characters, a motion library with characteristic
variations, camera views and the training sampler (docs/method.md §1, §4, §8).

Names load on first use (`motionsim._lazy`): importing the package, as the command line does, is free."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

__all__ = [
    "CHARACTERS",
    "FRONT",
    "MOTION_LIBRARY",
    "TRAIN_CHARACTERS",
    "VAL_CHARACTERS",
    "VARIATION_LEVELS",
    "VIEW_GRID",
    "Character",
    "MotionSpec",
    "SaraSampler",
    "SynthSampler",
    "TrainingBatch",
    "TrainingItem",
    "View",
    "get_character",
    "get_motion",
    "list_motions",
    "load_clip",
    "motion_3d",
    "part_effects",
    "part_motion",
    "project",
    "random_character",
    "random_motion_spec",
    "random_motion_specs",
    "random_views",
    "read_sara",
    "render",
    "variation_grid",
    "variation_score",
    "write_sara",
]

_HOMES = {
    "CHARACTERS": "characters",
    "FRONT": "camera",
    "MOTION_LIBRARY": "motions",
    "TRAIN_CHARACTERS": "characters",
    "VAL_CHARACTERS": "characters",
    "VARIATION_LEVELS": "motion_base",
    "VIEW_GRID": "camera",
    "Character": "characters",
    "MotionSpec": "motion_base",
    "SaraSampler": "sara",
    "SynthSampler": "sampler",
    "TrainingBatch": "sampler",
    "TrainingItem": "sampler",
    "View": "camera",
    "get_character": "characters",
    "get_motion": "motions",
    "list_motions": "motions",
    "load_clip": "sara",
    "motion_3d": "motions",
    "part_effects": "motions",
    "part_motion": "motions",
    "project": "camera",
    "random_character": "characters",
    "random_motion_spec": "random_motion",
    "random_motion_specs": "random_motion",
    "random_views": "camera",
    "read_sara": "sara",
    "render": "sampler",
    "variation_grid": "motions",
    "variation_score": "motion_base",
    "write_sara": "sara",
}


if TYPE_CHECKING:  # pragma: no cover
    from .camera import FRONT, VIEW_GRID, View, project, random_views
    from .characters import CHARACTERS, TRAIN_CHARACTERS, VAL_CHARACTERS, Character, get_character, random_character
    from .motion_base import VARIATION_LEVELS, MotionSpec, variation_score
    from .motions import MOTION_LIBRARY, get_motion, list_motions, motion_3d, part_effects, part_motion, variation_grid
    from .random_motion import random_motion_spec, random_motion_specs
    from .sampler import SynthSampler, TrainingBatch, TrainingItem, render
    from .sara import SaraSampler, load_clip, read_sara, write_sara

__getattr__ = lazy_exports(__name__, _HOMES)
