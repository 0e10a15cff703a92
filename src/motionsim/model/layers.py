"""Building blocks of the BPE network (docs/method.md §3): 1-D temporal convolutions with reflection padding."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

KERNEL = 7


def _conv_block(c_in: int, c_out: int, stride: int) -> list[nn.Module]:
    return [
        nn.ReflectionPad1d((KERNEL - 1) // 2),
        nn.Conv1d(c_in, c_out, kernel_size=KERNEL, stride=stride),
        nn.BatchNorm1d(c_out),
        nn.LeakyReLU(0.2),
    ]


class MotionEncoder(nn.Module):
    """E_M: strided convs (T -> T/8) then a 1x1 conv without bias. Output (N, C_last, T/8).

    ``channels`` e.g. (6, 16, 32, 64) for a limb.
    """

    def __init__(self, channels: Sequence[int]):
        super().__init__()
        layers: list[nn.Module] = []
        for c_in, c_out in zip(channels[:-1], channels[1:]):
            layers += _conv_block(c_in, c_out, stride=2)
        self.convs = nn.Sequential(*layers)
        self.project = nn.Conv1d(channels[-1], channels[-1], kernel_size=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.project(self.convs(x))


class StaticEncoder(nn.Module):
    """E_S / E_C: stride-1 convs each followed by pooling, a global pool over time, then a 1x1 conv.

    Used for the skeleton encoders (max pooling) and the view encoder (average pooling). Output (N, C, 1),
    i.e. one vector per window whatever the motion does over time.
    """

    def __init__(self, channels: Sequence[int], out_channels: int, pool: str):
        super().__init__()
        pool_cls = {"max": nn.MaxPool1d, "avg": nn.AvgPool1d}[pool]
        layers: list[nn.Module] = []
        for c_in, c_out in zip(channels[:-1], channels[1:]):
            layers += _conv_block(c_in, c_out, stride=1)
            layers.append(pool_cls(kernel_size=2, stride=2))
        self.convs = nn.Sequential(*layers)
        self.global_pool = nn.AdaptiveMaxPool1d(1) if pool == "max" else nn.AdaptiveAvgPool1d(1)
        self.project = nn.Conv1d(channels[-1], out_channels, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.project(self.global_pool(self.convs(x)))


class Decoder(nn.Module):
    """D: 3 x (nearest upsample x2, conv k=7); dropout 0.2 after the first two convs; no activation last."""

    def __init__(self, channels: Sequence[int], dropout: float = 0.2):
        super().__init__()
        layers: list[nn.Module] = []
        n = len(channels) - 1
        for i, (c_in, c_out) in enumerate(zip(channels[:-1], channels[1:])):
            layers += [
                nn.Upsample(scale_factor=2, mode="nearest"),
                nn.ReflectionPad1d((KERNEL - 1) // 2),
                nn.Conv1d(c_in, c_out, kernel_size=KERNEL),
            ]
            if i < 2:
                layers.append(nn.Dropout(dropout))
            if i < n - 1:
                layers.append(nn.LeakyReLU(0.2))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)
