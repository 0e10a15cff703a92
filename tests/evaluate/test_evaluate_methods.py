"""Each method on its own: identical motions score best, the body flip undoes a mirror image, checkpoints
round-trip, and BPE gives the same numbers as `motionsim.compare`."""

import numpy as np
import pytest
from evaluate_fixtures import rng_clip

import motionsim
from helpers import make_motion
from motionsim.errors import CheckpointError
from motionsim.evaluate import (
    BPEMethod,
    JointAngles,
    JointDistance,
    MethodOptions,
    WindowEmbeddingMethod,
    build_methods,
    load_baseline,
    save_baseline,
    untrained_baseline,
)
from motionsim.evaluate.method_base import MethodUnavailableError
from motionsim.io import as_pose_sequence
from motionsim.model.checkpoint import untrained_checkpoint
from motionsim.pose import mirror_sequence

CKPT = untrained_checkpoint(seed=0)


def all_methods():
    return [JointDistance(), JointAngles(), BPEMethod(CKPT),
            WindowEmbeddingMethod("whole_body", untrained_baseline("whole_body")),
            WindowEmbeddingMethod("lstm", untrained_baseline("lstm"))]


def test_mirror_is_an_involution_that_swaps_sides():
    seq = as_pose_sequence(rng_clip(0))
    m = mirror_sequence(seq)
    assert np.allclose(m.keypoints[:, 5, 0], -seq.keypoints[:, 6, 0])  # left shoulder <- -right shoulder
    assert np.allclose(mirror_sequence(m).keypoints, seq.keypoints)


@pytest.mark.parametrize("method", all_methods(), ids=lambda m: m.name)
def test_identical_motion_scores_at_least_as_high_as_another(method):
    a, b = rng_clip(1), rng_clip(2)
    same = method.compare(a, a)
    assert same >= method.compare(a, b)
    assert same == pytest.approx(0.0 if method.name == "joint_distance" else 1.0, abs=1e-5)


@pytest.mark.parametrize("method", all_methods(), ids=lambda m: m.name)
def test_body_flip_recovers_a_mirrored_copy(method):
    a = as_pose_sequence(rng_clip(3))
    mirrored = mirror_sequence(a)
    assert method.compare(mirrored, a, flip=True) == pytest.approx(method.compare(a, a), abs=1e-4)
    assert method.compare(mirrored, a, flip=True) > method.compare(mirrored, a)


def test_bpe_method_matches_compare():
    a, b = rng_clip(4, 80), rng_clip(5, 90)
    expected = motionsim.compare(a, b, model=CKPT, stride=2, flip=True).similarity
    assert BPEMethod(CKPT, stride=2).compare(a, b, flip=True) == pytest.approx(expected, abs=1e-6)


def test_baseline_checkpoint_round_trip(tmp_path):
    ckpt = untrained_baseline("lstm", seed=3)
    path = save_baseline(ckpt, tmp_path / "lstm.safetensors")
    a, b = rng_clip(6), rng_clip(7)
    before = WindowEmbeddingMethod("lstm", ckpt).compare(a, b)
    assert WindowEmbeddingMethod("lstm", path).compare(a, b) == pytest.approx(before, abs=1e-6)
    with pytest.raises(CheckpointError, match="expected 'whole_body'"):
        load_baseline(path, "whole_body")
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="not a readable"):
        load_baseline(bad, "lstm")


def test_untrained_baselines_are_unavailable_without_checkpoint(monkeypatch):
    from motionsim.evaluate import learned

    monkeypatch.setattr(learned, "default_baseline_path", lambda kind: None)  # as if none shipped
    method = WindowEmbeddingMethod("whole_body")
    assert "no trained checkpoint" in method.unavailable_reason()
    with pytest.raises(MethodUnavailableError, match="whole_body"):
        method.compare(rng_clip(0), rng_clip(1))


def test_build_methods_rejects_unknown_names_and_adds_variants(tmp_path):
    with pytest.raises(motionsim.errors.MotionsimError, match="unknown method 'dance'"):
        build_methods(["dance"])
    methods = build_methods(["joint_distance"], MethodOptions(variants={"no_var": "x.safetensors"}))
    assert [m.name for m in methods] == ["joint_distance", "no_var"]
    assert methods[1].label == "BPE [no_var]"


def test_frame_step_downsamples_and_stays_close():
    a, b = rng_clip(8, 100), rng_clip(9, 100)
    full, half = JointDistance().compare(a, b), JointDistance(frame_step=2).compare(a, b)
    assert half == pytest.approx(full, rel=0.25)
    with pytest.raises(ValueError, match="frame_step"):
        JointDistance(frame_step=0)


@pytest.mark.parametrize("kind", ["whole_body", "lstm"])
def test_bundled_baselines_load_and_score(kind):
    method = WindowEmbeddingMethod(kind)
    assert method.unavailable_reason() is None
    same = method.compare(rng_clip(0), rng_clip(0))
    assert same == pytest.approx(1.0, abs=1e-4)


def test_bpe_equal_row_is_the_papers_plain_mean_and_not_a_default():
    from motionsim.evaluate.methods import DEFAULT_METHODS

    assert "bpe_equal" not in DEFAULT_METHODS and "bpe" in DEFAULT_METHODS
    bpe, equal = build_methods(["bpe_equal", "bpe"])  # Table 2's order whatever the order asked
    assert (bpe.name, equal.name) == ("bpe", "bpe_equal")
    wave, kick = (as_pose_sequence(make_motion(64, seed=s, kind=k)) for s, k in ((1, "wave"), (2, "kick")))
    fa, fb = bpe.prepare([wave, kick])
    parts = bpe.part_scores(fa, fb)
    assert equal.score(fa, fb) == pytest.approx(np.mean(list(parts.values())))
    assert bpe.score(fa, fb) == pytest.approx(motionsim.compare(wave, kick, stride=2).similarity)
    assert bpe.score(fa, fb) != pytest.approx(equal.score(fa, fb), abs=1e-3)


@pytest.mark.parametrize("method", all_methods(), ids=lambda m: m.name)
def test_methods_align_with_the_compiled_kernel_even_on_small_matrices(method, monkeypatch):
    """Benchmarks run thousands of small alignments: the numpy kernel (fine for one comparison) would make
    them minutes long, so every method asks for the bulk kernel; the rule depends on the call only."""
    from motionsim import dtw

    def refuse(*args, **kwargs):
        raise AssertionError("the numpy DTW kernel ran inside a benchmark method")

    monkeypatch.setattr(dtw, "_path_numpy", refuse)
    a, b = rng_clip(6, 48), rng_clip(7, 40)
    assert np.isfinite(method.compare(a, b, flip=True))
