"""The Body Part Embedding network (paper Fig. 8, docs/method.md §3).

Five motion encoders (one per body part, no weight sharing), five skeleton encoders, one shared view
encoder and five decoders. Only the motion encoders are used to measure similarity; the rest exist so the
network can be trained by cross reconstruction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from ..skeleton import BODY_PARTS, PART_CHANNELS, PART_SLICES
from .layers import Decoder, MotionEncoder, StaticEncoder

#: Position channels only (the torso's velocity is excluded): what the skeleton and view encoders see.
VELOCITY_CHANNELS = 2


@dataclass(frozen=True)
class BPEConfig:
    """Channel widths of every sub-network; the defaults are the authors' (about 753k parameters)."""

    motion_limb: tuple[int, ...] = (16, 32, 64)
    motion_torso: tuple[int, ...] = (32, 64, 128)
    skeleton_hidden: tuple[int, ...] = (16, 32, 64)
    skeleton_limb_out: int = 16
    skeleton_torso_out: int = 32
    view_hidden: tuple[int, ...] = (32, 48)
    view_out: int = 64
    decoder_hidden: tuple[int, ...] = (64, 32)
    dropout: float = 0.2
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_dict(d: dict) -> BPEConfig:
        known = {k: tuple(v) if isinstance(v, list) else v for k, v in d.items() if k in BPEConfig.__annotations__}
        return BPEConfig(**known)

    def motion_channels(self, part: str) -> tuple[int, ...]:
        hidden = self.motion_torso if part == "torso" else self.motion_limb
        return (PART_CHANNELS[part], *hidden)

    def skeleton_out(self, part: str) -> int:
        return self.skeleton_torso_out if part == "torso" else self.skeleton_limb_out


def position_channels(part: str) -> int:
    """Channels of a part without the torso velocity (input width of its skeleton encoder)."""
    return PART_CHANNELS[part] - (VELOCITY_CHANNELS if part == "torso" else 0)


class BPEModel(nn.Module):
    """BPE network. Inputs are normalised part channels, shape=(N, 38, T) with T a multiple of 8."""

    def __init__(self, config: BPEConfig | None = None):
        super().__init__()
        self.config = config or BPEConfig()
        cfg = self.config
        self.motion_encoders = nn.ModuleDict({p: MotionEncoder(cfg.motion_channels(p)) for p in BODY_PARTS})
        self.skeleton_encoders = nn.ModuleDict(
            {p: StaticEncoder((position_channels(p), *cfg.skeleton_hidden), cfg.skeleton_out(p), "max")
             for p in BODY_PARTS}
        )
        n_positions = sum(position_channels(p) for p in BODY_PARTS)  # 36
        self.view_encoder = StaticEncoder((n_positions, *cfg.view_hidden), cfg.view_out, "avg")
        self.decoders = nn.ModuleDict(
            {p: Decoder((cfg.motion_channels(p)[-1] + cfg.skeleton_out(p) + cfg.view_out,
                         *cfg.decoder_hidden, PART_CHANNELS[p]), cfg.dropout)
             for p in BODY_PARTS}
        )

    # ------------------------------------------------------------------ encoders
    def encode_motion(self, x: torch.Tensor, part: str) -> torch.Tensor:
        """Motion embedding of one part, shape=(N, C, T/8); ``x`` is the full (N, 38, T) input."""
        return self.motion_encoders[part](x[:, PART_SLICES[part]])

    def encode_skeleton(self, x: torch.Tensor, part: str) -> torch.Tensor:
        """Skeleton embedding of one part, shape=(N, h2, 1)."""
        sl = PART_SLICES[part]
        return self.skeleton_encoders[part](x[:, sl.start: sl.start + position_channels(part)])

    def encode_view(self, x: torch.Tensor) -> torch.Tensor:
        """View embedding of the whole body, shape=(N, h3, 1)."""
        return self.view_encoder(positions_only(x))

    def decode(self, motion: torch.Tensor, skeleton: torch.Tensor, view: torch.Tensor, part: str) -> torch.Tensor:
        """Reconstruct one part's channels from (motion, skeleton, view) embeddings; shape=(N, C_part, T)."""
        t = motion.shape[-1]
        z = torch.cat([motion, skeleton.expand(-1, -1, t), view.expand(-1, -1, t)], dim=1)
        return self.decoders[part](z)

    def embed(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Flattened motion embeddings of every part: {part: (N, C*T/8)} (what Algorithm 1 compares)."""
        return {p: self.encode_motion(x, p).flatten(1) for p in BODY_PARTS}

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Auto-encode: every part from its own motion, skeleton and view (the training code crosses them)."""
        view = self.encode_view(x)
        return {p: self.decode(self.encode_motion(x, p), self.encode_skeleton(x, p), view, p) for p in BODY_PARTS}


def positions_only(x: torch.Tensor) -> torch.Tensor:
    """Drop the torso velocity channels: (N, 38, T) -> (N, 36, T)."""
    end = PART_SLICES["torso"].stop
    return torch.cat([x[:, : end - VELOCITY_CHANNELS], x[:, end:]], dim=1)


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
