"""Where training items come from: the synthetic generator (default) or a SARA-layout folder.

Training and validation never share characters or base motion families (docs/method.md §4).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import MotionsimError

# Synthetic data settings of the shipped model: the motion library's training families plus an open-ended
# family of random smooth motions, on bank characters and freshly drawn bodies, from grid and random views.
SYNTH_TRAIN = {"n_random_motions": 200, "random_character_prob": 0.3, "random_view_prob": 0.3,
               "perspective_prob": 0.2}
#: Categories of the floor and acrobatic motions, and the random floor motions added with them: only with
#: ``floor_motions`` (issue 17's widening; a fifth of the shipped model's weights come from a run with them,
#: docs/training.md).
FLOOR_CATEGORIES = ("floor", "acrobatic")
N_RANDOM_FLOOR_MOTIONS = 100
SYNTH_VAL = {"n_random_motions": 0, "random_character_prob": 0.0, "random_view_prob": 0.3,
             "perspective_prob": 0.2}


def make_sources(data: str, window: int, seed: int, floor_motions: bool = False) -> tuple[Any, Any, dict[str, Any]]:
    """(train sampler, validation sampler, record of what the data was) for ``data`` = "synth" or a folder.

    ``floor_motions`` (synth only) adds the floor and acrobatic motions to both splits and
    `N_RANDOM_FLOOR_MOTIONS` random floor motions to training."""
    if data == "synth":
        from ..synth.characters import TRAIN_CHARACTERS, VAL_CHARACTERS
        from ..synth.motions import get_motion, list_motions
        from ..synth.sampler import SynthSampler

        def keep(names: list[str]) -> list[str]:
            return [n for n in names if floor_motions or get_motion(n).category not in FLOOR_CATEGORIES]

        train_motions, val_motions = keep(list_motions(split="train")), keep(list_motions(split="val"))
        settings = {**SYNTH_TRAIN, "n_random_floor_motions": N_RANDOM_FLOOR_MOTIONS if floor_motions else 0}
        train = SynthSampler(TRAIN_CHARACTERS, train_motions, window=window, random_state=seed, **settings)
        val = SynthSampler(VAL_CHARACTERS, val_motions, window=window, random_state=seed + 1, **SYNTH_VAL)
        record = {"data": "synth", "train_motions": len(train_motions), "val_motions": len(val_motions),
                  "train_characters": len(TRAIN_CHARACTERS), "val_characters": len(VAL_CHARACTERS), **settings}
        return train, val, record
    root = Path(data)
    if not root.is_dir():
        raise MotionsimError(f"{root}: training data folder not found (use --data synth or a SARA folder)")
    from ..synth.sara import SaraSampler

    train = SaraSampler(root, "train", window=window, random_view_prob=0.3)
    val = SaraSampler(root, "test", window=window, random_view_prob=0.3)
    return train, val, {"data": str(root), "train_groups": len(train.group_keys), "val_groups": len(val.group_keys)}
