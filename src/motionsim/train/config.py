"""Training configuration: one frozen dataclass, presets as data, TOML or mapping overrides.

Defaults follow docs/method.md §4 (the authors' values); the presets only change the budget. A config checks its
own fields when built, so a bad TOML value or keyword fails at once with every problem named
(`MotionsimError`), not hours into a run.
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
    contrastive_weight: float = 0.0  # InfoNCE over the batch (docs/method.md §8), 0 = paper losses only
    contrastive_temperature: float = 0.1
    # per-part targets from the generator's 3-D ground truth (sources without it fall back to the paper's)
    part_targets: bool = True  # var per part, no pushing apart of parts that m' moves the same way
    shared_part_below: float = 0.25  # a part is "the same" below this x the batch's median m-vs-m' distance
    shared_part_above: float = 0.5  # ... and "different" above this (linear in between)
    shared_part_weight: float = 20.0  # pulls together parts that two motions move the same way (any pair of items)
    # ablations of Table 3
    no_variation_loss: bool = False
    no_reconstruction: bool = False
    # augmentation (docs/method.md §2 and §8)
    scale_range: tuple[float, float] = (0.7, 1.4)
    noise_max: float = 0.05  # joint noise std, fraction of body height, drawn uniform(0, noise_max)
    roll_deg: float = 10.0  # camera roll std in degrees
    drop_prob: float = 0.3  # chance a rendering loses some joints for a while (filled like the readers do)
    # data
    data: str = "synth"
    floor_motions: bool = False  # synth: add the floor/acrobatic library and 100 random floor motions (issue 17)
    stats_batches: int = 20

    def __post_init__(self) -> None:
        problems = _problems(self)
        if problems:
            raise MotionsimError("invalid training config: " + "; ".join(problems))

    def replace(self, **changes: Any) -> TrainConfig:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


#: (field, lowest allowed, whether the lowest is allowed itself); fields not listed need only the right type.
_BOUNDS: tuple[tuple[str, float, bool], ...] = (
    ("steps", 1, True), ("batch_size", 1, True), ("window", 8, True), ("val_every", 1, True),
    ("val_batches", 1, True), ("seed", 0, True), ("threads", 0, True), ("lr", 0, True),
    ("weight_decay", 0, True), ("lr_decay", 0, False), ("decay_every", 1, True), ("motion_margin", 0, True),
    ("variation_alpha", 0, True), ("variation_beta", 0, True), ("norm_weight", 0, True), ("static_margin", 0, True),
    ("static_weight", 0, True), ("reconstruction_weight", 0, True), ("similarity_weight", 0, True),
    ("foot_weight", 0, True), ("contrastive_weight", 0, True), ("contrastive_temperature", 0, False),
    ("shared_part_below", 0, True), ("shared_part_weight", 0, True), ("noise_max", 0, True), ("roll_deg", 0, True),
    ("drop_prob", 0, True), ("stats_batches", 1, True),
)


def _problems(cfg: TrainConfig) -> list[str]:
    """What is wrong with a config, one phrase each (empty when nothing is): a type, a bound, a relation."""
    out = []
    for f in dataclasses.fields(cfg):
        value, kind = getattr(cfg, f.name), f.type
        if kind == "bool" and not isinstance(value, bool):
            out.append(f"{f.name} must be true or false, got {value!r}")
        elif kind == "int" and (isinstance(value, bool) or not isinstance(value, int)):
            out.append(f"{f.name} must be an integer, got {value!r}")
        elif kind == "float" and (isinstance(value, bool) or not isinstance(value, (int, float))):
            out.append(f"{f.name} must be a number, got {value!r}")
        elif kind == "str" and not (isinstance(value, str) and value):
            out.append(f"{f.name} must be a non-empty string, got {value!r}")
    if out:
        return out
    for name, low, inclusive in _BOUNDS:
        value = getattr(cfg, name)
        if value < low or (value == low and not inclusive):
            out.append(f"{name} must be {'at least' if inclusive else 'greater than'} {low}, got {value}")
    if cfg.window % 8:
        out.append(f"window must be a multiple of 8 (the encoder halves time 3 times), got {cfg.window}")
    if cfg.lr_decay > 1:
        out.append(f"lr_decay must be at most 1, got {cfg.lr_decay}")
    if cfg.drop_prob > 1:
        out.append(f"drop_prob must be at most 1, got {cfg.drop_prob}")
    if not cfg.shared_part_below < cfg.shared_part_above:
        out.append(f"shared_part_below ({cfg.shared_part_below}) must be below shared_part_above "
                   f"({cfg.shared_part_above})")
    lo_hi = cfg.scale_range
    if not (isinstance(lo_hi, tuple) and len(lo_hi) == 2 and all(isinstance(x, (int, float)) for x in lo_hi)
            and 0 < lo_hi[0] <= lo_hi[1]):
        out.append(f"scale_range must be two numbers 0 < low <= high, got {lo_hi!r}")
    return out


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
    if isinstance(values.get("scale_range"), list):
        values["scale_range"] = tuple(values["scale_range"])
    return TrainConfig(**values)
