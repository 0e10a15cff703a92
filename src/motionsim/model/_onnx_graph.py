"""The five motion encoders rewritten for onnxruntime: the same numbers as `BPEModel.embed`, laid out so each
layer is one long convolution instead of one small convolution per window.

onnxruntime convolves a batch one window at a time, and a window here is tiny (6-14 channels x 32 frames),
so its per-window overhead dominates. Here the windows of a batch are laid end to end, each with its own
reflection padding, and one convolution runs over the whole line; the outputs that straddle two windows are
dropped. Channels stay first (C, N, T) so no layer needs a transpose, and batch normalisation is folded into
the convolution weights (inference only). Used by `export_onnx`; never for training.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..skeleton import BODY_PARTS
from .bpe import PART_SLICES, BPEModel
from .layers import KERNEL, MotionEncoder

_PAD = (KERNEL - 1) // 2


class _LineEncoder(nn.Module):
    def __init__(self, encoder: MotionEncoder) -> None:
        super().__init__()
        blocks = list(encoder.convs)
        self.n_layers = len(blocks) // 4  # (pad, conv, batch norm, activation) per layer
        for i in range(self.n_layers):
            _, conv, norm, act = blocks[4 * i: 4 * i + 4]
            scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
            self.register_buffer(f"weight{i}", (conv.weight * scale[:, None, None]).detach().clone())
            self.register_buffer(f"bias{i}", ((conv.bias - norm.running_mean) * scale + norm.bias).detach().clone())
            self.slope = act.negative_slope
        self.register_buffer("project", encoder.project.weight.detach().clone())

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        """(C, N, T) -> (N, C_out * T / 8), exactly as MotionEncoder(...).flatten(1) on (N, C, T)."""
        n, t = h.shape[1], h.shape[2]
        for i in range(self.n_layers):
            h = F.pad(h, (_PAD, _PAD), mode="reflect")  # each window padded on its own
            line = F.pad(h.reshape(1, h.shape[0], -1), (0, KERNEL - 1))  # so the line yields (T + 6) / 2 each
            out = F.conv1d(line, getattr(self, f"weight{i}"), getattr(self, f"bias{i}"), stride=2)
            out = F.leaky_relu(out, self.slope)
            h = out.reshape(out.shape[1], n, -1)[:, :, : t // 2 ** (i + 1)]  # drop outputs across windows
        h = F.conv1d(h.reshape(1, h.shape[0], -1), self.project)
        return h.reshape(h.shape[1], n, -1).transpose(0, 1).flatten(1)


class LineEncoders(nn.Module):
    """windows (N, 38, w) -> the five parts' motion embeddings, in `BODY_PARTS` order."""

    def __init__(self, model: BPEModel) -> None:
        super().__init__()
        self.parts = nn.ModuleDict({p: _LineEncoder(model.motion_encoders[p]) for p in BODY_PARTS})

    def forward(self, windows: torch.Tensor) -> tuple[torch.Tensor, ...]:
        channels_first = windows.transpose(0, 1)
        return tuple(self.parts[p](channels_first[PART_SLICES[p]]) for p in BODY_PARTS)


def encoders_for_export(model: BPEModel) -> LineEncoders:
    """The motion encoders of ``model`` (read in eval mode: running batch-norm statistics) ready to export."""
    return LineEncoders(model).eval()
