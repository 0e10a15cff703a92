"""The ONNX export: same embeddings and scores as PyTorch, the shipped file matches the shipped weights, and
the runtime is chosen as documented."""

import io
import json

import numpy as np
import pytest

from helpers import make_motion
from motionsim.cli import main
from motionsim.digest import file_sha256
from motionsim.errors import CheckpointError
from motionsim.evaluate.synth_tasks import render
from motionsim.model.checkpoint import default_model_path, load_model, save_model, untrained_checkpoint
from motionsim.model.onnx import OnnxModel, default_onnx_path, export_onnx
from motionsim.model.runtime import resolve_model
from motionsim.similarity import compare
from motionsim.skeleton import BODY_PARTS
from motionsim.synth import View

pytest.importorskip("onnx")


def test_shipped_onnx_is_an_export_of_the_shipped_weights():
    """Regenerate with `make onnx` whenever bpe_default.safetensors changes."""
    shipped = OnnxModel(default_onnx_path())
    weights = default_model_path()
    assert shipped.metadata["source"] == weights.name
    assert shipped.metadata["source_sha256"] == file_sha256(weights), "stale ONNX: run `make onnx`"
    torch_model = load_model()
    np.testing.assert_array_equal(shipped.stats.mean, torch_model.stats.mean)
    np.testing.assert_array_equal(shipped.stats.std, torch_model.stats.std)
    assert shipped.target_height == torch_model.target_height and shipped.training == torch_model.training


@pytest.mark.parametrize("window", [32, 64])
def test_embeddings_agree_on_random_windows(window):
    windows = np.random.default_rng(window).normal(size=(300, 38, window)).astype(np.float32)
    onnx_out, torch_out = resolve_model(None, "onnx").embed(windows), resolve_model(None, "torch").embed(windows)
    assert sorted(onnx_out) == sorted(BODY_PARTS)
    for part in BODY_PARTS:
        np.testing.assert_allclose(onnx_out[part], torch_out[part], atol=1e-5)


def _scores(result):
    d = result.to_dict()
    return [d["similarity"], *d["body_parts"].values(), *[w["similarity"] for w in d["windows"]]]


@pytest.mark.parametrize("flip", [False, True])
def test_scores_agree_on_rendered_motion(flip):
    squat = render("squat", None, "nora", View(yaw=0.4))
    lunge = render("lunge", None, "omar", View(yaw=-0.8, pitch=0.15))
    a = compare(squat, lunge, stride=2, flip=flip, backend="onnx")
    b = compare(squat, lunge, stride=2, flip=flip, backend="torch")
    assert a.flipped == b.flipped
    np.testing.assert_allclose(_scores(a), _scores(b), atol=1e-5)


def test_export_round_trip_of_another_model(tmp_path):
    ckpt = untrained_checkpoint(seed=3)
    weights = save_model(ckpt, tmp_path / "m.safetensors")
    out = export_onnx(load_model(weights), tmp_path / "m.onnx", source=weights)
    model = OnnxModel(out)
    assert model.name == "m.onnx" and model.metadata["source_sha256"] == file_sha256(weights)
    a, b = make_motion(70, seed=1), make_motion(60, seed=2, kind="kick")
    np.testing.assert_allclose(_scores(compare(a, b, model=out)), _scores(compare(a, b, model=weights)), atol=1e-5)


def test_backend_choice_and_refusals(tmp_path):
    assert resolve_model(None).backend == "onnx" and resolve_model(None, "torch").backend == "torch"
    assert resolve_model(str(default_model_path())).backend == "torch"  # .safetensors -> PyTorch
    with pytest.raises(CheckpointError, match="export this one to ONNX"):
        resolve_model(str(default_model_path()), "onnx")
    with pytest.raises(CheckpointError, match="runs on onnxruntime"):
        resolve_model(str(default_onnx_path()), "torch")
    not_onnx = tmp_path / "x.onnx"
    not_onnx.write_bytes(b"not a model")
    with pytest.raises(CheckpointError, match="not a readable ONNX model"):
        OnnxModel(not_onnx)


def test_missing_torch_is_exit_2_with_the_extra(tmp_path, monkeypatch, capsys):
    """What a light install (no PyTorch) says when a command needs it."""
    import sys

    from motionsim.model import runtime

    runtime.clear_cache()
    for name in [m for m in sys.modules if m == "torch" or m.startswith("torch.") or m.startswith("motionsim.model.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "torch", None)
    try:
        a = tmp_path / "a.npy"
        np.save(a, make_motion(48))
        code = main(["compare", str(a), str(a), "--backend", "torch"], out=io.StringIO())
        err = capsys.readouterr().err
        assert code == 2 and "pip install 'motionsim[train]'" in err
        out = io.StringIO()
        assert main(["compare", str(a), str(a), "--json"], out=out) == 0  # onnxruntime needs no torch
        assert json.loads(out.getvalue())["model"] == "bpe_default.onnx"
        code = main(["export-onnx", "-o", str(tmp_path / "m.onnx")], out=io.StringIO())
        assert code == 2 and "motionsim[train]" in capsys.readouterr().err
    finally:
        runtime.clear_cache()
