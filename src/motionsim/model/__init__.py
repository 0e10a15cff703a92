"""The BPE network and its checkpoints."""

from .bpe import BPEConfig, BPEModel, count_parameters
from .checkpoint import Checkpoint, default_model_path, load_model, save_model

__all__ = ["BPEConfig", "BPEModel", "Checkpoint", "count_parameters", "default_model_path", "load_model", "save_model"]
