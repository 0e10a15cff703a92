"""The five motion encoders rewritten for onnxruntime as matrix products: the same numbers as `BPEModel.embed`.

onnxruntime convolves a batch one window at a time, and a window here is tiny (6-14 channels x 32 frames), so
its per-window overhead dominates; its Pad, Transpose and Slice kernels are slow too. So no layer here is a
Conv. Activations are channels last, (N, T, C) flattened to (N * T, C), and each layer is a 2-D Gemm that
onnxruntime fuses with its bias and LeakyReLU (batch normalisation is folded into the weights, inference only):

* layer 1 reads the input (N, 38 * w) as it comes: a dense (C * w, w/2 * C_out) matrix, built in the graph from
  the kernel and the reflection/stride pattern of w, maps a part's channels straight to channels-last outputs.
  It does w/7 times the needed multiplications, yet at w = 32 (the default) beats a transpose plus an im2col
  gather of 1-float blocks (the layer is the smallest of the four); at w = 64 the graph is ~1.2x slower than
  PyTorch, at w = 128 ~1.8x;
* layers 2 and 3 gather the 7 reflected taps of every output frame along time (blocks of C floats, one Gather)
  so (N, T/2 * 7, C) reshapes for free to the (N * T/2, 7 * C) operand of the Gemm;
* the 1x1 projection is a Gemm, and one Gather reorders (N, T/8 * C) to the channels-first (N, C * T/8) that
  ``MotionEncoder(...).flatten(1)`` gives (cheaper than onnxruntime's Transpose).

Frame indices are computed from the input's shape, so any window length w (a multiple of 8) and batch size work.
Used by `export_onnx`; never for training.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..skeleton import BODY_PARTS
from .bpe import PART_SLICES, BPEModel
from .layers import KERNEL, MotionEncoder

_PAD = (KERNEL - 1) // 2


def _taps(t: int) -> torch.Tensor:
    """(t/2, KERNEL) source frames of a stride-2 convolution over t frames reflection-padded by _PAD."""
    i = (torch.arange(0, t, 2)[:, None] + torch.arange(-_PAD, _PAD + 1)[None, :]).abs()
    return (t - 1) - ((t - 1) - i).abs()


class _GemmEncoder(nn.Module):
    def __init__(self, encoder: MotionEncoder, channels: slice) -> None:
        super().__init__()
        self.start, self.stop = channels.start, channels.stop
        blocks = list(encoder.convs)
        self.n_layers = len(blocks) // 4  # (pad, conv, batch norm, activation) per layer
        for i in range(self.n_layers):
            _, conv, norm, act = blocks[4 * i: 4 * i + 4]
            scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
            weight = (conv.weight * scale[:, None, None]).permute(2, 1, 0)  # (tap, in, out)
            # layer 1: (in, tap, out), to build its dense matrix; the others: (tap * in, out) for the Gemm
            weight = weight.transpose(0, 1) if i == 0 else weight.reshape(-1, weight.shape[2])
            self.register_buffer(f"weight{i}", weight.detach().contiguous())
            self.register_buffer(f"bias{i}", ((conv.bias - norm.running_mean) * scale + norm.bias).detach().clone())
            self.slope = act.negative_slope
        self.register_buffer("project", encoder.project.weight[:, :, 0].t().detach().clone())
        self.widths = [conv.out_channels for conv in blocks[1::4]]  # Python ints: fewer shape ops in the graph

    def forward(self, flat: torch.Tensor, t: int, onehot: torch.Tensor, taps: list[torch.Tensor]) -> torch.Tensor:
        """(N, 38 * t) -> (N, C_out * t / 8), exactly as MotionEncoder(...).flatten(1) on the part's (N, C, t).

        ``onehot`` (t * t/2, tap): 1 where a tap of an output frame of layer 1 reads an input frame (rows
        (input frame, output frame)); ``taps[i]``: the frames each tap of layer i + 1 reads.
        """
        c_in = self.stop - self.start  # dense rows (in, frame), columns (out frame, out), no run-time transpose
        dense = torch.matmul(onehot, self.weight0).reshape(c_in * t, -1)
        x = flat[:, self.start * t: self.stop * t]
        h = F.leaky_relu(torch.addmm(self.bias0.repeat(t // 2), x, dense), self.slope)
        for i in range(1, self.n_layers):
            t = t // 2
            c = self.widths[i - 1]
            h = h.reshape(-1, t, c).index_select(1, taps[i - 1]).reshape(-1, KERNEL * c)
            h = F.leaky_relu(torch.addmm(getattr(self, f"bias{i}"), h, getattr(self, f"weight{i}")), self.slope)
        t, c = t // 2, self.widths[-1]
        h = torch.mm(h, self.project).reshape(flat.shape[0], -1)  # (N, t * c), frame major
        order = (torch.arange(c)[:, None] + torch.arange(t)[None, :] * c).reshape(-1)
        return h.index_select(1, order)


class GemmEncoders(nn.Module):
    """windows (N, 38, w) -> the five parts' motion embeddings, in `BODY_PARTS` order."""

    def __init__(self, model: BPEModel) -> None:
        super().__init__()
        self.parts = nn.ModuleList(_GemmEncoder(model.motion_encoders[p], PART_SLICES[p]) for p in BODY_PARTS)

    def forward(self, windows: torch.Tensor) -> tuple[torch.Tensor, ...]:
        t = windows.shape[2]  # frame indices are shared by the parts: fewer small ops per run
        onehot = (torch.arange(t)[:, None, None] == _taps(t)[None]).to(windows.dtype).reshape(-1, KERNEL)
        taps = [_taps(t // 2 ** i).reshape(-1) for i in range(1, max(p.n_layers for p in self.parts))]
        flat = windows.reshape(windows.shape[0], -1)
        return tuple(part(flat, t, onehot, taps) for part in self.parts)


def encoders_for_export(model: BPEModel) -> GemmEncoders:
    """The motion encoders of ``model`` (read in eval mode: running batch-norm statistics) ready to export."""
    return GemmEncoders(model).eval()
