"""``motionsim export-onnx``: a model's motion encoders as ONNX, so inference needs no PyTorch."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from ..errors import MissingExtraError, MotionsimError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export-onnx", help="export a model's motion encoders to ONNX (inference without PyTorch)",
                       description="Write the five motion encoders of a .safetensors model (what inference uses) and "
                       "its normalisation statistics as one ONNX file that onnxruntime runs; checks that both "
                       "give the same embeddings. Needs PyTorch and onnx: pip install 'motionsim[train]'.")
    p.add_argument("model", nargs="?", metavar="MODEL", help=".safetensors model (default: the bundled weights)")
    p.add_argument("-o", "--out", required=True, metavar="OUT.onnx", help="ONNX file to write")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    import numpy as np

    from ..model.onnx import OnnxModel, export_onnx

    if Path(args.out).suffix.lower() != ".onnx":
        raise MotionsimError(f"{args.out}: expected an .onnx file name")
    try:
        from ..model.checkpoint import default_model_path, load_model
    except ImportError as exc:
        raise MissingExtraError("export-onnx reads PyTorch weights: pip install 'motionsim[train]'") from exc
    source = args.model or default_model_path()
    ckpt = load_model(source)
    export_onnx(ckpt, args.out, source=source)
    windows = np.random.default_rng(0).normal(size=(64, ckpt.stats.mean.shape[0], 32)).astype(np.float32)
    exported, reference = OnnxModel(args.out).embed(windows), ckpt.embed(windows)
    gap = max(float(np.abs(exported[p] - reference[p]).max()) for p in reference)
    out.write(f"wrote {args.out} ({Path(args.out).stat().st_size / 1e6:.1f} MB) from {Path(source).name}; "
              f"largest difference from PyTorch on random windows: {gap:.1e}\n")
    return 0
