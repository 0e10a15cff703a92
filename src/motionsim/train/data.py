"""Where training items come from: the synthetic generator (default) or a SARA-layout folder.

Training and validation never share characters or base motion families (DESIGN §4).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import MotionsimError

# Synthetic data settings of the shipped model: the motion library's training families plus open-ended
# families of random smooth motions (standing, and on the floor / upside down / rolling over), on bank
# characters and freshly drawn bodies, from grid and random views.
SYNTH_TRAIN = {"n_random_motions": 200, "n_random_floor_motions": 100, "random_character_prob": 0.3,
               "random_view_prob": 0.3, "perspective_prob": 0.2}
SYNTH_VAL = {"n_random_motions": 0, "random_character_prob": 0.0, "random_view_prob": 0.3,
             "perspective_prob": 0.2}


def make_sources(data: str, window: int, seed: int) -> tuple[Any, Any, dict[str, Any]]:
    """(train sampler, validation sampler, record of what the data was) for ``data`` = "synth" or a folder."""
    if data == "synth":
        from ..synth.characters import TRAIN_CHARACTERS, VAL_CHARACTERS
        from ..synth.motions import list_motions
        from ..synth.sampler import SynthSampler

        train_motions, val_motions = list_motions(split="train"), list_motions(split="val")
        train = SynthSampler(TRAIN_CHARACTERS, train_motions, window=window, random_state=seed, **SYNTH_TRAIN)
        val = SynthSampler(VAL_CHARACTERS, val_motions, window=window, random_state=seed + 1, **SYNTH_VAL)
        record = {"data": "synth", "train_motions": len(train_motions), "val_motions": len(val_motions),
                  "train_characters": len(TRAIN_CHARACTERS), "val_characters": len(VAL_CHARACTERS), **SYNTH_TRAIN}
        return train, val, record
    root = Path(data)
    if not root.is_dir():
        raise MotionsimError(f"{root}: training data folder not found (use --data synth or a SARA folder)")
    from ..synth.sara import SaraSampler

    train = SaraSampler(root, "train", window=window, random_view_prob=0.3)
    val = SaraSampler(root, "test", window=window, random_view_prob=0.3)
    return train, val, {"data": str(root), "train_groups": len(train.group_keys), "val_groups": len(val.group_keys)}
