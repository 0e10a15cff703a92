import numpy as np
import pytest

import motionsim
from helpers import make_motion
from motionsim.embed import window_starts
from motionsim.errors import SequenceTooShortError
from motionsim.model.checkpoint import untrained_checkpoint
from motionsim.skeleton import BODY_PARTS, COCO17_SWAP

CKPT = untrained_checkpoint(seed=0)


def test_identical_sequences_score_one_for_every_part(wave):
    result = motionsim.compare(wave, wave, model=CKPT, stride=4)
    assert result.similarity == pytest.approx(1.0, abs=1e-5)
    assert set(result.body_parts) == set(BODY_PARTS)
    assert all(v == pytest.approx(1.0, abs=1e-5) for v in result.body_parts.values())


def test_scores_are_cosines_and_deterministic(wave, kick):
    first = motionsim.compare(wave, kick, model=CKPT, stride=2).to_dict()
    second = motionsim.compare(wave, kick, model=CKPT, stride=2).to_dict()
    assert first == second
    assert all(-1.0 <= v <= 1.0 for v in first["body_parts"].values())
    weights = first["part_weights"]  # the overall score weighs the parts by their movement
    assert sum(weights.values()) == pytest.approx(1.0) and min(weights.values()) >= 0
    assert first["similarity"] == pytest.approx(sum(weights[p] * s for p, s in first["body_parts"].items()))


def test_different_motion_scores_lower_than_same_motion():
    wave_a, wave_b = make_motion(80, seed=3, kind="wave"), make_motion(80, seed=4, kind="wave")
    kick = make_motion(80, seed=5, kind="kick")
    same = motionsim.compare(wave_a, wave_b, model=CKPT, stride=2)
    other = motionsim.compare(wave_a, kick, model=CKPT, stride=2)
    assert same.body_parts["right_arm"] > other.body_parts["right_arm"]
    assert same.body_parts["right_leg"] > other.body_parts["right_leg"]


def test_json_contract_keys(wave, kick):
    d = motionsim.compare(wave, kick, model=CKPT, stride=8).to_dict()
    assert {"similarity", "body_parts", "part_weights", "flipped", "windows"} <= set(d)
    assert list(d["body_parts"]) == ["right_arm", "left_arm", "right_leg", "left_leg", "torso"]
    assert isinstance(d["flipped"], bool)
    assert len(d["windows"]) == len(window_starts(64, 32, 8))
    w = d["windows"][1]
    assert (w["start_frame"], w["end_frame"]) == (8, 40)
    assert set(w["body_parts"]) == set(BODY_PARTS)


def test_body_flip_recovers_a_mirrored_performance(wave):
    mirrored = wave.copy()
    mirrored[..., 0] = 2000 - mirrored[..., 0]
    mirrored = mirrored[:, list(COCO17_SWAP)]  # the same person filmed in a mirror
    plain = motionsim.compare(mirrored, wave, model=CKPT, stride=4)
    flipped = motionsim.compare(mirrored, wave, model=CKPT, stride=4, flip=True)
    assert flipped.flipped is True
    assert flipped.similarity == pytest.approx(1.0, abs=1e-4)
    assert flipped.similarity > plain.similarity


def test_flip_not_used_when_original_is_better(wave):
    result = motionsim.compare(wave, wave, model=CKPT, stride=4, flip=True)
    assert result.flipped is False


def test_short_sequence_behaviour(wave):
    with pytest.raises(SequenceTooShortError):
        motionsim.compare(wave[:20], wave, model=CKPT)
    result = motionsim.compare(wave[:20], wave, model=CKPT, pad_short=True)
    assert result.padded == {"a": True, "b": False} and len(result.windows) == 1


def test_accepts_paths_and_arrays_alike(tmp_path, wave, kick):
    np.save(tmp_path / "a.npy", wave)
    np.save(tmp_path / "b.npy", kick)
    from_paths = motionsim.compare(tmp_path / "a.npy", str(tmp_path / "b.npy"), model=CKPT).similarity
    assert from_paths == pytest.approx(motionsim.compare(wave, kick, model=CKPT).similarity, abs=1e-6)


def test_long_motions_prepared_side_by_side_equal_one_after_another(monkeypatch):
    from motionsim import embed
    from motionsim.io import as_pose_sequence

    seqs = [as_pose_sequence(make_motion(1500, seed=s, kind=k)) for s, k in ((1, "wave"), (2, "kick"))]
    flips = [(None, "body"), (None,)]
    together = embed.prepare_motions(seqs, CKPT, 32, flips)  # 3,000 frames: in two threads
    monkeypatch.setattr(embed, "SIDE_BY_SIDE_FRAMES", 10**9)
    alone = embed.prepare_motions(seqs, CKPT, 32, flips)
    for x, y in zip(together, alone):
        assert len(x.variants) == len(y.variants) and x.n_frames == y.n_frames
        assert all(np.array_equal(p, q) for p, q in zip(x.variants + x.movements, y.variants + y.movements))


def test_a_too_short_motion_still_raises_when_prepared_side_by_side():
    from motionsim import embed
    from motionsim.io import as_pose_sequence

    short, long_ = as_pose_sequence(make_motion(10, seed=1)), as_pose_sequence(make_motion(2500, seed=2))
    with pytest.raises(SequenceTooShortError):
        embed.prepare_motions([long_, short], CKPT, 32, [(None,), (None,)])


def test_windows_cut_into_batches_embed_as_one_batch():
    from motionsim.embed import embed_windows

    class Recorder:  # returns each window's own numbers, so any mix-up of windows shows
        def embed(self, windows):
            return {"w": windows.reshape(len(windows), -1)[:, :5].copy() + 1.0}

    rng = np.random.default_rng(0)
    channels = [rng.normal(size=(38, n)) for n in (40, 33, 90, 32)]
    whole = embed_windows(Recorder(), channels, 32, 3)
    for batch_size in (1, 4, 7, 50):
        for got, want in zip(embed_windows(Recorder(), channels, 32, 3, batch_size=batch_size), whole):
            assert np.array_equal(got["w"], want["w"])
    for c, emb in zip(channels, whole):  # window k of a sequence starts at frame 3k
        starts = window_starts(c.shape[1], 32, 3)
        expected = np.stack([c[:, s:s + 32].astype(np.float32).reshape(-1)[:5] + 1.0 for s in starts])
        assert np.allclose(emb["w"] * np.linalg.norm(expected, axis=1, keepdims=True), expected, atol=1e-5)
