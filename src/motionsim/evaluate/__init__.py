"""Benchmarks of similarity methods against human ratings: the paper's Table 2 and Table 3 (``motionsim
evaluate ntu``), the baselines it compares against, and retrieval metrics.

Names load on first use (`motionsim._lazy`): importing the package, as the command line does, is free."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

__all__ = [
    "BPEMethod",
    "BaselineCheckpoint",
    "DEFAULT_METHODS",
    "Evaluation",
    "JointAngles",
    "JointDistance",
    "METHODS",
    "Method",
    "MethodOptions",
    "MethodResult",
    "WindowEmbeddingMethod",
    "build_methods",
    "default_pairs_path",
    "evaluate_ntu",
    "evaluate_pairs",
    "load_baseline",
    "load_clips",
    "mean_average_precision",
    "recall_at_k",
    "save_baseline",
    "spearman",
    "untrained_baseline",
]

_HOMES = {
    "BPEMethod": "bpe_method",
    "BaselineCheckpoint": "learned",
    "DEFAULT_METHODS": "methods",
    "Evaluation": "harness",
    "JointAngles": "baselines",
    "JointDistance": "baselines",
    "METHODS": "methods",
    "Method": "method_base",
    "MethodOptions": "methods",
    "MethodResult": "harness",
    "WindowEmbeddingMethod": "learned",
    "build_methods": "methods",
    "default_pairs_path": "harness",
    "evaluate_ntu": "harness",
    "evaluate_pairs": "harness",
    "load_baseline": "learned",
    "load_clips": "harness",
    "mean_average_precision": "metrics",
    "recall_at_k": "metrics",
    "save_baseline": "learned",
    "spearman": "metrics",
    "untrained_baseline": "learned",
}

if TYPE_CHECKING:  # pragma: no cover
    from .baselines import JointAngles, JointDistance
    from .bpe_method import BPEMethod
    from .harness import Evaluation, MethodResult, default_pairs_path, evaluate_ntu, evaluate_pairs, load_clips
    from .learned import BaselineCheckpoint, WindowEmbeddingMethod, load_baseline, save_baseline, untrained_baseline
    from .method_base import Method
    from .methods import DEFAULT_METHODS, METHODS, MethodOptions, build_methods
    from .metrics import mean_average_precision, recall_at_k, spearman

__getattr__ = lazy_exports(__name__, _HOMES)
