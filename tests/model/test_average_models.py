"""tools/average_models.py: the weight average the shipped model is made by."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from motionsim.model.checkpoint import load_model, save_model, untrained_checkpoint  # noqa: E402
from motionsim.preprocess import NormStats  # noqa: E402

TOOL = Path(__file__).resolve().parents[2] / "tools" / "average_models.py"


def _tool():
    spec = importlib.util.spec_from_file_location("average_models", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def two_models(tmp_path):
    paths = []
    for seed in (1, 2):
        ckpt = untrained_checkpoint(seed=seed)
        ckpt.training = {"trained": True, "data": "synth", "step": seed}
        paths.append(str(save_model(ckpt, tmp_path / f"m{seed}.safetensors")))
    return paths


def test_average_blends_every_tensor_and_keeps_both_records(two_models, tmp_path):
    out = tmp_path / "avg.safetensors"
    done = subprocess.run([sys.executable, str(TOOL), f"{two_models[0]}:0.8", f"{two_models[1]}:0.2", "-o", str(out)],
                          capture_output=True, text=True, check=True)
    assert "wrote" in done.stdout
    a, b, avg = (load_model(p) for p in (*two_models, out))
    sa, sb, savg = a.model.state_dict(), b.model.state_dict(), avg.model.state_dict()
    for key, value in savg.items():
        if value.is_floating_point():
            torch.testing.assert_close(value, 0.8 * sa[key] + 0.2 * sb[key], rtol=1e-5, atol=1e-6)
    assert [m["weight"] for m in avg.training["members"]] == [0.8, 0.2]
    assert [m["training"]["step"] for m in avg.training["members"]] == [1, 2]
    assert avg.training["data"] == "synth" and avg.training["trained"] is True
    windows = np.random.default_rng(0).normal(size=(3, 38, 32)).astype(np.float32)
    assert not np.allclose(avg.embed(windows)["torso"], a.embed(windows)["torso"])


def test_refuses_weights_not_summing_to_one_and_other_statistics(two_models, tmp_path):
    tool = _tool()
    with pytest.raises(SystemExit, match="sum to 1"):
        tool.average([(two_models[0], 0.5), (two_models[1], 0.4)])
    other = untrained_checkpoint(seed=3)
    other.stats = NormStats(np.ones(38, np.float32), np.ones(38, np.float32))
    save_model(other, tmp_path / "other.safetensors")
    with pytest.raises(SystemExit, match="normalisation statistics"):
        tool.average([(two_models[0], 0.5), (str(tmp_path / "other.safetensors"), 0.5)])
