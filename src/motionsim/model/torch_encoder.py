"""A PyTorch network behind the numpy `motionsim.embed.WindowEncoder` interface, so the windowing and the
similarity code never import torch (inference runs on onnxruntime unless PyTorch is asked for)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn


class TorchEncoder:
    """Runs ``encode`` (default ``net.embed``) in eval mode without autograd on numpy batches."""

    def __init__(self, net: nn.Module, encode: Callable[[torch.Tensor], dict[str, torch.Tensor]] | None = None):
        self.net = net
        self.encode = encode or net.embed

    def embed(self, windows: np.ndarray) -> dict[str, np.ndarray]:
        was_training = self.net.training
        self.net.eval()
        try:
            with torch.inference_mode():
                out = self.encode(torch.from_numpy(np.ascontiguousarray(windows, dtype=np.float32)))
        finally:
            self.net.train(was_training)
        return {name: emb.numpy() for name, emb in out.items()}
