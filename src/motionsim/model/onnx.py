"""The BPE motion encoders as an ONNX file, run by onnxruntime: inference without PyTorch.

Inference needs only the five motion encoders (184k parameters), not the skeleton/view encoders and the
decoders that training uses. `export_onnx` (needs PyTorch and ``onnx``: ``motionsim[train]``) writes them as
one graph ``windows (N, 38, w) -> right_arm, left_arm, right_leg, left_leg, torso (N, D)`` with dynamic N and
w, and stores what feeding the model needs as metadata: the normalisation statistics, the target height,
the training record and the SHA-256 of the weights it came from. `OnnxModel` reads it back with the same
interface as a PyTorch `Checkpoint` (``embed``, ``stats``, ``target_height``, ``name``).
"""

from __future__ import annotations

import json
import logging
import warnings
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._version import __version__
from ..digest import file_sha256
from ..errors import CheckpointError, MissingExtraError
from ..preprocess import DEFAULT_TARGET_HEIGHT, NormStats
from ..skeleton import BODY_PARTS

if TYPE_CHECKING:  # pragma: no cover
    from .checkpoint import Checkpoint

log = logging.getLogger(__name__)

FORMAT = "motionsim-bpe-onnx"
DEFAULT_ONNX_NAME = "bpe_default.onnx"
INPUT = "windows"
OPSET = 17


def default_onnx_path() -> Path | None:
    """The ONNX export of the bundled model, if the package ships one."""
    path = Path(str(resources.files("motionsim") / "weights" / DEFAULT_ONNX_NAME))
    return path if path.is_file() else None


class OnnxModel:
    """A BPE motion-encoder graph on onnxruntime (CPU), with the statistics needed to feed it.

    Parameters
    ----------
    path : an .onnx file written by `export_onnx`
    threads : onnxruntime intra-op threads (0: its default, all cores)
    """

    backend = "onnx"

    def __init__(self, path: str | Path, threads: int = 0) -> None:
        try:
            import onnxruntime as ort
        except ImportError as exc:  # a core dependency; only a broken install gets here
            raise MissingExtraError("running the model needs onnxruntime: pip install onnxruntime") from exc
        self.path = str(path)
        self._threads, self._single_threaded = threads, None
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.log_severity_level = 3
        # onnxruntime's threads spin after each run, waiting for the next; here numpy work (DTW, the next clip's
        # preprocessing) or pose estimation follows, and the spinning took its cores (compare of 2 x 5,040
        # frames, r = 32: 165 -> 120 ms wall, 2 busy cores)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self._session = ort.InferenceSession(self.path, options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types for unreadable files
            raise CheckpointError(f"{path}: not a readable ONNX model ({str(exc).splitlines()[0][:200]})") from exc
        meta = self._session.get_modelmeta().custom_metadata_map
        if meta.get("format") != FORMAT:
            raise CheckpointError(f"{path}: not a motionsim BPE ONNX model (format tag {meta.get('format')!r})")
        try:
            self.stats = NormStats(np.asarray(json.loads(meta["norm_mean"]), dtype=np.float32),
                                   np.asarray(json.loads(meta["norm_std"]), dtype=np.float32))
            self.target_height = float(meta.get("target_height", DEFAULT_TARGET_HEIGHT))
            self.training: dict[str, Any] = json.loads(meta.get("training", "{}"))
        except (KeyError, ValueError) as exc:
            raise CheckpointError(f"{path}: ONNX metadata is incomplete ({exc})") from exc
        self.metadata = dict(meta)
        self._outputs = [o.name for o in self._session.get_outputs()]
        if sorted(self._outputs) != sorted(BODY_PARTS):
            raise CheckpointError(f"{path}: outputs {self._outputs} are not the five body parts")

    @property
    def name(self) -> str:
        return Path(self.path).name

    def single_threaded(self) -> OnnxModel:
        """This model on one onnxruntime thread: itself, or a second session made once (the same embeddings bit
        for bit; `runtime.single_threaded` says when to use it)."""
        if self._threads == 1:
            return self
        if self._single_threaded is None:
            self._single_threaded = OnnxModel(self.path, threads=1)
        return self._single_threaded

    def embed(self, windows: np.ndarray) -> dict[str, np.ndarray]:
        """The five motion embeddings of a batch of windows, shape=(N, 38, w) -> {part: (N, D)}."""
        values = self._session.run(self._outputs, {INPUT: np.ascontiguousarray(windows, dtype=np.float32)})
        return dict(zip(self._outputs, values))


def export_onnx(ckpt: Checkpoint, out_path: str | Path, source: str | Path | None = None) -> Path:
    """Write the motion encoders of ``ckpt`` and its statistics as an ONNX file (atomically).

    ``source``: the weights file the checkpoint was read from (its SHA-256 goes into the metadata, so a test
    can tell that a shipped ONNX file still matches the shipped weights). Needs PyTorch and ``onnx``.
    """
    try:
        import onnx
        import torch
    except ImportError as exc:
        raise MissingExtraError("exporting to ONNX needs PyTorch and onnx: pip install 'motionsim[train]'") from exc
    from ..atomic import atomic_output
    from ._onnx_graph import encoders_for_export

    net = encoders_for_export(ckpt.model)
    was_training = ckpt.model.training
    example = torch.zeros(2, ckpt.stats.mean.shape[0], 32)
    with atomic_output(out_path) as tmp:
        with warnings.catch_warnings():
            # the exporter's constant-folding notes and its advice to move to the dynamo exporter, which needs
            # onnxscript and gives the same graph here
            warnings.filterwarnings("ignore", category=UserWarning)
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            try:
                torch.onnx.export(net, (example,), str(tmp), input_names=[INPUT], output_names=list(BODY_PARTS),
                                  dynamic_axes={INPUT: {0: "n", 2: "w"}, **{p: {0: "n"} for p in BODY_PARTS}},
                                  opset_version=OPSET, dynamo=False)
            finally:
                ckpt.model.train(was_training)
        proto = onnx.load(str(tmp))
        metadata = {
            "format": FORMAT,
            "norm_mean": json.dumps([float(v) for v in ckpt.stats.mean]),
            "norm_std": json.dumps([float(v) for v in ckpt.stats.std]),
            "target_height": repr(float(ckpt.target_height)),
            "training": json.dumps(ckpt.training),
            "config": json.dumps(ckpt.model.config.to_dict()),
            "body_parts": json.dumps(list(BODY_PARTS)),
            "exported_by": f"motionsim {__version__}",
        }
        if source is not None:
            metadata.update({"source": Path(source).name, "source_sha256": file_sha256(source)})
        del proto.metadata_props[:]
        for key, value in metadata.items():
            proto.metadata_props.add(key=key, value=value)
        proto.producer_name = "motionsim"
        onnx.save(proto, str(tmp))
    return Path(out_path)
