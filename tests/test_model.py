import numpy as np
import pytest
import torch

from motionsim.errors import CheckpointError
from motionsim.model import BPEConfig, BPEModel, count_parameters, load_model, save_model
from motionsim.model.checkpoint import Checkpoint, untrained_checkpoint
from motionsim.preprocess import NormStats
from motionsim.skeleton import BODY_PARTS


def test_parameter_counts_match_the_paper_network():
    model = BPEModel()
    # docs/method.md §3: about 753k in total (ours lacks the authors' unused 1x1 convs), 184k in the motion encoders
    assert 740_000 < count_parameters(model) < 760_000
    assert 180_000 < count_parameters(model.motion_encoders) < 188_000


@pytest.mark.parametrize("t", [32, 64])
def test_shapes(t):
    model = BPEModel().eval()
    x = torch.randn(3, 38, t)
    emb = model.embed(x)
    assert {p: tuple(v.shape) for p, v in emb.items()} == {
        "right_arm": (3, 64 * t // 8), "left_arm": (3, 64 * t // 8), "right_leg": (3, 64 * t // 8),
        "left_leg": (3, 64 * t // 8), "torso": (3, 128 * t // 8)}
    recon = model(x)
    assert all(recon[p].shape == (3, 14 if p == "torso" else 6, t) for p in BODY_PARTS)
    assert model.encode_skeleton(x, "torso").shape == (3, 32, 1)
    assert model.encode_view(x).shape == (3, 64, 1)


def test_view_and_skeleton_encoders_ignore_velocity():
    model = BPEModel().eval()
    x = torch.randn(2, 38, 32)
    y = x.clone()
    y[:, 36:38] += 5.0  # torso velocity channels
    assert torch.equal(model.encode_view(x), model.encode_view(y))
    assert torch.equal(model.encode_skeleton(x, "torso"), model.encode_skeleton(y, "torso"))


def test_checkpoint_round_trip_gives_identical_embeddings(tmp_path):
    ckpt = untrained_checkpoint(seed=3)
    ckpt = Checkpoint(ckpt.model, NormStats(np.arange(38, dtype=np.float32), np.full(38, 2.0, np.float32)),
                      target_height=1.5, training={"steps": 7})
    path = save_model(ckpt, tmp_path / "m.safetensors")
    loaded = load_model(path)
    x = torch.randn(4, 38, 32)
    a, b = ckpt.model.eval().embed(x), loaded.model.embed(x)
    assert all(torch.equal(a[p], b[p]) for p in BODY_PARTS)
    np.testing.assert_array_equal(loaded.stats.mean, ckpt.stats.mean)
    assert loaded.target_height == 1.5 and loaded.training == {"steps": 7}


def test_config_survives_round_trip(tmp_path):
    cfg = BPEConfig(motion_limb=(8, 16, 24), motion_torso=(8, 16, 32))
    ckpt = Checkpoint(BPEModel(cfg), NormStats.identity())
    loaded = load_model(save_model(ckpt, tmp_path / "small.safetensors"))
    assert loaded.model.config.motion_limb == (8, 16, 24)


@pytest.mark.parametrize("content", [b"", b"not a model at all", b"\x00" * 64])
def test_corrupt_file_raises_clear_error(tmp_path, content):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match="bad.safetensors"):
        load_model(path)


def test_foreign_safetensors_rejected(tmp_path):
    from safetensors.torch import save_file

    path = tmp_path / "other.safetensors"
    save_file({"w": torch.zeros(2)}, str(path))
    with pytest.raises(CheckpointError, match="not a motionsim model"):
        load_model(path)


def test_missing_file(tmp_path):
    with pytest.raises(CheckpointError, match="not found"):
        load_model(tmp_path / "nope.safetensors")


def test_untrained_checkpoint_is_deterministic():
    x = torch.randn(2, 38, 32)
    a = untrained_checkpoint(seed=0).model.embed(x)
    b = untrained_checkpoint(seed=0).model.embed(x)
    assert all(torch.equal(a[p], b[p]) for p in BODY_PARTS)
