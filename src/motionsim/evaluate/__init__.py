"""Benchmarks of similarity methods against human ratings: the paper's Table 2 and Table 3 (``motionsim
evaluate ntu``), the baselines it compares against, and retrieval metrics."""

from ..pose import mirror_sequence
from .baselines import JointAngles, JointDistance
from .bpe_method import BPEMethod
from .harness import Evaluation, MethodResult, default_pairs_path, evaluate_ntu, evaluate_pairs, load_clips
from .learned import (
    BaselineCheckpoint,
    WindowEmbeddingMethod,
    load_baseline,
    save_baseline,
    untrained_baseline,
)
from .method_base import Method
from .methods import DEFAULT_METHODS, METHODS, MethodOptions, build_methods
from .metrics import mean_average_precision, recall_at_k, spearman

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
    "mirror_sequence",
    "recall_at_k",
    "save_baseline",
    "spearman",
    "untrained_baseline",
]
