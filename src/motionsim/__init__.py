"""motionsim: how similar are two human motions, body part by body part (BPE, IEEE Access 2021)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

__all__ = ["__version__", "PoseSequence", "load_pose", "compare", "BPEModel", "load_model"]

if TYPE_CHECKING:  # pragma: no cover
    from .io import load_pose
    from .model import BPEModel
    from .model.checkpoint import load_model
    from .pose import PoseSequence
    from .similarity import compare


def __getattr__(name: str) -> Any:
    """Lazy public API: `import motionsim` stays cheap (no torch import until needed)."""
    if name == "PoseSequence":
        from .pose import PoseSequence

        return PoseSequence
    if name == "load_pose":
        from .io import load_pose

        return load_pose
    if name == "compare":
        from .similarity import compare

        return compare
    if name == "BPEModel":
        from .model import BPEModel

        return BPEModel
    if name == "load_model":
        from .model.checkpoint import load_model

        return load_model
    raise AttributeError(f"module 'motionsim' has no attribute {name!r}")
