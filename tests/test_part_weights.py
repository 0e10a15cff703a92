"""The overall score weighs the parts by how much they move (issue 17): movement, weights, every path."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from helpers import make_motion, run_cli
from motionsim.embed import SequenceEmbedding
from motionsim.io import as_pose_sequence
from motionsim.preprocess import NormStats, mirror, part_channels, part_movement, prepare_points
from motionsim.render import frame_overall_scores, frame_part_scores
from motionsim.render._report_page import explanation
from motionsim.similarity import compare, movement_weights, part_weights
from motionsim.skeleton import BODY_PARTS

R_ARM, L_ARM, R_LEG, L_LEG, TORSO = range(5)


def movement_of(poses: np.ndarray) -> np.ndarray:
    return part_movement(part_channels(prepare_points(as_pose_sequence(poses))))


def test_movement_names_the_part_that_moves():
    wave, kick, still = (movement_of(make_motion(64, seed=s, kind=k)) for s, k in ((1, "wave"), (2, "kick"),
                                                                                   (3, "still")))
    assert wave.argmax() == R_ARM and kick.argmax() == R_LEG
    assert wave[R_ARM] > 10 * still[R_ARM] and kick[R_LEG] > 10 * still[R_LEG]
    assert still.max() < 0.2 * min(wave[R_ARM], kick[R_LEG])


def test_movement_ignores_travel_and_follows_the_mirror_image():
    wave = make_motion(64, seed=1, kind="wave")
    drift = np.linspace(0, 300, 64)[:, None, None] * np.array([1.0, 0.2])  # the whole body walks across
    assert np.allclose(movement_of(wave + drift), movement_of(wave), rtol=1e-3, atol=1e-5)
    channels = part_channels(prepare_points(as_pose_sequence(wave)))
    assert np.allclose(part_movement(mirror(channels)), part_movement(channels)[[L_ARM, R_ARM, L_LEG, R_LEG, TORSO]])


def test_denormalize_inverts_normalize():
    x = np.random.default_rng(0).normal(size=(38, 20)).astype(np.float32)
    stats = NormStats(np.linspace(-1, 1, 38).astype(np.float32), np.linspace(0.5, 2, 38).astype(np.float32))
    assert np.allclose(stats.denormalize(stats.normalize(x)), x, atol=1e-5)


def embedding(movement) -> SequenceEmbedding:
    return SequenceEmbedding({p: np.ones((1, 4), np.float32) for p in BODY_PARTS}, 32, 32, 8,
                             movement=None if movement is None else np.asarray(movement, dtype=np.float64))


def test_weights_sum_both_clips_and_fall_back_to_equal():
    a, b = embedding([3, 1, 0, 0, 1]), embedding([1, 1, 2, 0, 1])
    w = part_weights(a, b)
    assert list(w) == list(BODY_PARTS) and sum(w.values()) == pytest.approx(1.0)
    assert [w[p] for p in BODY_PARTS] == pytest.approx([0.4, 0.2, 0.2, 0.0, 0.2])
    assert part_weights(a, b) == part_weights(b, a)
    equal = [0.2] * 5
    assert list(part_weights(a, b, "equal").values()) == pytest.approx(equal)
    assert list(part_weights(a, embedding(None)).values()) == pytest.approx(equal)  # e.g. an old library clip
    assert list(part_weights(embedding([0] * 5), embedding([0] * 5)).values()) == pytest.approx(equal)
    with pytest.raises(ValueError, match="movement, equal"):
        part_weights(a, b, "median")


def test_vectorised_weights_match_one_by_one():
    rng = np.random.default_rng(0)
    query, clips = rng.uniform(0, 1, 5), rng.uniform(0, 1, (6, 5))
    clips[2] = np.nan  # a clip without a recorded movement
    many = movement_weights(query, clips)
    for row, clip in zip(many, clips):
        one = part_weights(embedding(query), embedding(None if np.isnan(clip).any() else clip))
        assert row == pytest.approx(list(one.values()))


def test_compare_weighs_parts_by_movement(wave, kick):
    result = compare(wave, kick, stride=4)
    w, s = result.part_weights, result.body_parts
    assert result.similarity == pytest.approx(sum(w[p] * s[p] for p in BODY_PARTS))
    assert max(w, key=w.get) in ("right_arm", "right_leg") and w["left_leg"] < w["right_leg"]
    for window in result.windows:  # each window's overall uses the same weights
        assert window["similarity"] == pytest.approx(sum(w[p] * window["body_parts"][p] for p in BODY_PARTS))
    plain = compare(wave, kick, stride=4, weighting="equal")
    assert plain.body_parts == pytest.approx(s)
    assert plain.similarity == pytest.approx(np.mean(list(s.values())))
    assert list(plain.part_weights.values()) == pytest.approx([0.2] * 5)
    # a still part agrees with any other still part: equal weights reward that, movement weights do not
    assert result.similarity < plain.similarity
    assert compare(kick, wave, stride=4).part_weights == pytest.approx(w)
    with pytest.raises(ValueError, match="part weighting"):
        compare(wave, kick, weighting="max")


def test_flip_keeps_the_better_weighted_score(wave):
    mirrored = wave.copy()
    mirrored[..., 0] = 1280 - mirrored[..., 0]
    mirrored = mirrored[:, [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]]
    result = compare(wave, mirrored, stride=4, flip=True)
    assert result.flipped
    assert result.similarity > compare(wave, mirrored, stride=4).similarity
    assert max(result.part_weights, key=result.part_weights.get) == "left_arm"  # A as its mirror image


def test_per_frame_overall_uses_the_result_weights():
    result = {"frames": {"a": 40}, "part_weights": dict(zip(BODY_PARTS, [0.5, 0.5, 0, 0, 0])),
              "windows": [{"start_frame": 0, "end_frame": 40,
                           "body_parts": dict(zip(BODY_PARTS, [1.0, 0.0, -1.0, -1.0, -1.0]))}]}
    scores = frame_part_scores(result, 40)
    assert frame_overall_scores(result, scores) == pytest.approx(np.full(40, 0.5))
    del result["part_weights"]  # results saved before weights existed: the plain mean
    assert frame_overall_scores(result, scores) == pytest.approx(np.full(40, -0.4))


def test_report_says_how_the_overall_score_was_formed(wave, kick):
    text = explanation(compare(wave, kick, stride=4).to_dict(), 0.4, "a", "b")
    assert "weighs each part by how much it moves" in text and "right arm" in text and "%" in text
    plain = explanation(compare(wave, kick, stride=4, weighting="equal").to_dict(), 0.4, "a", "b")
    assert "mean of the five parts" in plain


def test_cli_compare_part_weights(tmp_path, capsys, wave, kick):
    a, b = tmp_path / "a.npy", tmp_path / "b.npy"
    np.save(a, wave)
    np.save(b, kick)
    code, out, _ = run_cli(["compare", str(a), str(b), "--json"], capsys)
    moved = json.loads(out)
    code2, out2, _ = run_cli(["compare", str(a), str(b), "--json", "--part-weights", "equal"], capsys)
    plain = json.loads(out2)
    assert code == code2 == 0
    assert sum(moved["part_weights"].values()) == pytest.approx(1.0)
    assert moved["similarity"] == pytest.approx(sum(moved["part_weights"][p] * moved["body_parts"][p]
                                                    for p in BODY_PARTS))
    assert plain["similarity"] == pytest.approx(np.mean(list(plain["body_parts"].values())))
    code, _, err = run_cli(["compare", str(a), str(b), "--part-weights", "median"], capsys)
    assert code == 2 and "invalid choice" in err


def test_score_pairs_part_weights(tmp_path, capsys, wave, kick):
    skeletons = tmp_path / "sk"
    skeletons.mkdir()
    np.save(skeletons / "w.npy", wave)
    np.save(skeletons / "k.npy", kick)
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("sample1,sample2\nw,k\nk,w\n")
    rows = {}
    for how in ("movement", "equal"):
        out = tmp_path / f"{how}.csv"
        code, _, _ = run_cli(["score-pairs", str(pairs), "--skeletons", str(skeletons), "--out", str(out),
                              "--part-weights", how], capsys)
        assert code == 0
        rows[how] = list(csv.DictReader(out.open()))
    direct = compare(wave, kick, stride=2)
    assert float(rows["movement"][0]["similarity"]) == pytest.approx(direct.similarity, abs=1e-5)
    plain = rows["equal"][0]
    assert float(plain["similarity"]) == pytest.approx(np.mean([float(plain[p]) for p in BODY_PARTS]), abs=1e-5)


def test_one_pairs_weights_equal_the_vectorised_rule_bit_for_bit():
    """`part_weights` (one pair, plain floats) and `movement_weights` (many at once, numpy) are the same rule."""
    rng = np.random.default_rng(7)

    def embedding(movement):
        return SequenceEmbedding(parts={}, n_frames=1, window=1, stride=1, movement=movement)

    for _ in range(3000):
        scale_a, scale_b = rng.choice([0, 1e-12, 1e-3, 1, 100, 1e307], size=2)  # 1e307: the sum overflows
        a = rng.random(5) * scale_a
        if scale_a < 1e30 and rng.random() < 0.5:
            a = a.astype(np.float32)
        b = rng.random(5) * scale_b
        if rng.random() < 0.1:
            a[rng.integers(5)] = rng.choice([np.nan, np.inf, -np.inf])
        if rng.random() < 0.05:
            b[rng.integers(5)] = -1.0
        with np.errstate(all="ignore"):
            want = dict(zip(BODY_PARTS, movement_weights(a, b).tolist()))
            assert part_weights(embedding(a), embedding(b)) == want
    assert part_weights(embedding(None), embedding(np.ones(5))) == dict.fromkeys(BODY_PARTS, 0.2)
