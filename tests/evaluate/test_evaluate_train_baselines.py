"""Training the learned baselines: a few steps on a stand-in sampler produce a loadable, usable checkpoint."""

import numpy as np
import pytest
from evaluate_fixtures import rng_clip

from motionsim.evaluate import WindowEmbeddingMethod, load_baseline, save_baseline
from motionsim.evaluate.toy import pose_frames
from motionsim.evaluate.train_baselines import train_baseline
from motionsim.train.losses import triplet_loss


class ToySampler:
    """The SynthSampler interface on toy actions: m = m'' = one action, m' = another; 2 bodies x 2 'views'."""

    def sample_batch(self, n, rng):
        out = np.empty((n, 3, 2, 2, 32, 17, 2), np.float32)
        for i in range(n):
            a, b = rng.choice(["wave", "kick", "squat"], 2, replace=False)
            for m, action in enumerate((a, a, b)):
                for s in range(2):
                    for c in range(2):
                        out[i, m, s, c] = pose_frames(action, 32, rng)
        return type("Batch", (), {"renderings": out})()


def test_triplet_loss_by_hand():
    import torch

    a = torch.tensor([[1.0, 0.0]])
    p = torch.tensor([[1.0, 0.0]])
    n = torch.tensor([[0.0, 1.0]])  # d(a, p) = 0, d(a, n) = 0.5
    assert float(triplet_loss(a, p, n, margin=0.3)) == pytest.approx(0.0)
    assert float(triplet_loss(a, n, p, margin=0.3)) == pytest.approx(0.8)


@pytest.mark.parametrize("kind", ["lstm", "whole_body"])
def test_train_save_load_and_use(kind, tmp_path):
    ckpt = train_baseline(kind, ToySampler(), steps=3, batch_size=4, progress=False)
    assert ckpt.training["trained"] and ckpt.training["steps"] == 3 and np.isfinite(ckpt.training["final_loss"])
    path = save_baseline(ckpt, tmp_path / f"{kind}.safetensors")
    assert load_baseline(path, kind).training["sampler"] == "ToySampler"
    method = WindowEmbeddingMethod(kind, path)
    assert method.compare(rng_clip(0), rng_clip(0)) == pytest.approx(1.0, abs=1e-5)


def test_default_sampler_is_the_synthetic_library():
    pytest.importorskip("motionsim.synth.sampler")
    ckpt = train_baseline("whole_body", steps=1, batch_size=2, progress=False)
    assert ckpt.training["sampler"] == "SynthSampler"
