"""motionsim: how similar are two human motions, body part by body part (BPE, IEEE Access 2021)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports
from ._version import __version__

__all__ = ["__version__", "PoseSequence", "load_pose", "compare", "LiveSession", "BPEModel", "load_model"]

if TYPE_CHECKING:  # pragma: no cover
    from .io import load_pose
    from .live.session import LiveSession
    from .model import BPEModel
    from .model.checkpoint import load_model
    from .pose import PoseSequence
    from .similarity import compare

# `import motionsim` stays cheap: each public name loads its module (and torch, for the last two) on first use.
__getattr__ = lazy_exports(__name__, {"PoseSequence": "pose", "load_pose": "io", "compare": "similarity",
                                      "LiveSession": "live.session",
                                      "BPEModel": "model", "load_model": "model.checkpoint"})
