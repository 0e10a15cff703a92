"""Training configuration: one frozen dataclass, presets as data, TOML or mapping overrides.

Defaults follow DESIGN §4 (the authors' values); the presets only change the budget.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import MotionsimError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class TrainConfig:
    # budget
    steps: int = 4000
    batch_size: int = 64
    window: int = 32
    val_every: int = 250
    val_batches: int = 8
    seed: int = 0
    threads: int = 0  # 0: torch's default
    # optimiser (Adam + weight decay, x0.98 every `decay_every` steps)
    lr: float = 1e-3
    weight_decay: float = 1e-2
    lr_decay: float = 0.98
    decay_every: int = 200
    # losses (weights and the authors' margins)
    motion_margin: float = 0.5
    variation_alpha: float = 1.0  # alpha of eq. 3
    variation_beta: float = 0.2  # target distance factor (paper 0.1, authors' code 0.2)
    norm_weight: float = 1e-2  # pulls motion embedding norms towards 1 (authors' code)
    static_margin: float = 0.3  # skeleton and view triplets
    static_weight: float = 0.7
    reconstruction_weight: float = 1.0
    similarity_weight: float = 1.0
    foot_weight: float = 0.5
    contrastive_weight: float = 0.0  # InfoNCE over the batch (DESIGN §8), 0 = paper losses only
    contrastive_temperature: float = 0.1
    # per-part targets from the generator's 3-D ground truth (sources without it fall back to the paper's)
    part_targets: bool = True  # var per part, no pushing apart of parts that m' moves the same way
    shared_part_below: float = 0.25  # a part is "the same" below this x the batch's median m-vs-m' distance
    shared_part_above: float = 0.5  # ... and "different" above this (linear in between)
    shared_part_weight: float = 20.0  # pulls together parts that two motions move the same way (any pair of items)
    # ablations of Table 3
    no_variation_loss: bool = False
    no_reconstruction: bool = False
    # augmentation (DESIGN §2 and §8)
    scale_range: tuple[float, float] = (0.7, 1.4)
    noise_max: float = 0.05  # joint noise std, fraction of body height, drawn uniform(0, noise_max)
    roll_deg: float = 10.0  # camera roll std in degrees
    drop_prob: float = 0.3  # chance a rendering loses some joints for a while (filled like the readers do)
    # data
    data: str = "synth"
    stats_batches: int = 20

    def replace(self, **changes: Any) -> TrainConfig:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


PRESETS: dict[str, dict[str, Any]] = {
    "tiny": {"steps": 30, "batch_size": 8, "val_every": 15, "val_batches": 2, "stats_batches": 2, "decay_every": 10},
    "small": {"steps": 600, "batch_size": 32, "val_every": 100, "val_batches": 4},
    "default": {},
}


def load_config(source: str | Path | dict[str, Any] | None = None, preset: str = "default",
                **overrides: Any) -> TrainConfig:
    """Preset -> TOML file or mapping -> keyword overrides (later wins); unknown keys are an error."""
    if preset not in PRESETS:
        raise MotionsimError(f"unknown preset {preset!r}; choose from {', '.join(PRESETS)}")
    values: dict[str, Any] = dict(PRESETS[preset])
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            values.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise MotionsimError(f"{path}: cannot read training config: {exc}") from exc
    elif source:
        values.update(source)
    values.update({k: v for k, v in overrides.items() if v is not None})
    known = {f.name for f in dataclasses.fields(TrainConfig)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise MotionsimError(f"unknown training option(s): {', '.join(unknown)}")
    if "scale_range" in values:
        values["scale_range"] = tuple(values["scale_range"])
    return TrainConfig(**values)
