"""The harness on a toy benchmark with known ground truth (same action: rating ~4, else ~1)."""

import csv

import numpy as np
import pytest
from evaluate_fixtures import OracleMethod, RandomMethod, spearman_of

from motionsim.errors import MotionsimError
from motionsim.evaluate import BPEMethod, JointAngles, JointDistance, default_pairs_path, evaluate_ntu
from motionsim.evaluate.report import format_table
from motionsim.evaluate.toy import write_toy_benchmark
from motionsim.model.checkpoint import untrained_checkpoint

ACTIONS = ("wave", "kick", "squat", "raise_arms")


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    return write_toy_benchmark(tmp_path_factory.mktemp("toy"), clips_per_action=6, actions=ACTIONS,
                               mirrored_share=0.4, seed=1)


@pytest.fixture(scope="module")
def evaluation(toy):
    methods = [OracleMethod(toy.actions), JointDistance(), JointAngles(), BPEMethod(untrained_checkpoint(seed=0)),
               RandomMethod()]
    return evaluate_ntu(toy.skeletons, toy.pairs, methods, progress=False)


def test_every_pair_is_scored_once_per_method(evaluation, toy):
    n = len(toy.actions)
    assert evaluation.n_pairs == evaluation.n_used == n * (n - 1) // 2
    assert evaluation.n_clips == n and not evaluation.bad_clips
    for r in evaluation.results:
        assert r.pairs == evaluation.n_used
        assert np.isfinite(r.scores_original).all()
        assert (r.scores_flip >= r.scores_original).all()  # body flip = max(original, mirrored query)


def test_methods_are_ranked_as_the_ground_truth_says(evaluation):
    oracle, jd, bpe, rnd = (spearman_of(evaluation, n)[0] for n in ("oracle", "joint_distance", "bpe", "random"))
    assert oracle > 0.7
    assert oracle > jd > abs(rnd)
    assert bpe > abs(rnd) and jd > 0.1 and bpe > 0.1
    assert abs(rnd) < 0.15


def test_body_flip_helps_when_some_clips_are_mirrored(evaluation):
    for name in ("joint_distance", "joint_angles"):
        original, flip = spearman_of(evaluation, name)
        assert flip > original, name


def test_table_json_and_csv(evaluation, tmp_path):
    text = format_table(evaluation, "scores.csv")
    assert "276 of 276 pairs used (24 clips)" in text
    assert "joint distance + DTW" in text and "per-pair scores: scores.csv" in text
    data = evaluation.to_dict()
    assert set(data["methods"]) == {"oracle", "joint_distance", "joint_angles", "bpe", "random"}
    assert set(data["methods"]["bpe"]) >= {"original", "body_flip", "pairs", "seconds"}
    assert data["pairs"] == {"total": 276, "used": 276, "skipped": 0}
    path = evaluation.write_csv(tmp_path / "scores.csv")
    with path.open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 276
    assert {"num", "sample1", "sample2", "AMT_score", "bpe_original", "bpe_body_flip", "error"} <= set(rows[0])
    assert float(rows[0]["joint_distance_body_flip"]) >= float(rows[0]["joint_distance_original"])


def test_missing_and_broken_clips_are_reported_and_skipped(toy, tmp_path):
    import shutil

    skeletons = tmp_path / "skeletons"
    shutil.copytree(toy.skeletons, skeletons)
    files = sorted(skeletons.rglob("*.json"))
    files[0].unlink()
    files[1].write_text("{not json")
    ev = evaluate_ntu(skeletons, toy.pairs, [JointDistance()], progress=False)
    n = len(toy.actions)
    assert len(ev.bad_clips) == 2 and "not found" in ev.bad_clips[files[0].stem]
    assert ev.n_used == (n - 2) * (n - 3) // 2
    assert ev.results[0].pairs == ev.n_used
    assert sum(bool(e) for e in ev.pair_errors) == ev.n_pairs - ev.n_used
    assert "2 clips missing or unreadable" in format_table(ev)


def test_bad_targets_and_missing_columns(toy, tmp_path):
    rows = list(csv.DictReader(toy.pairs.open()))
    rows[0]["AMT_score"] = "n/a"
    bad = tmp_path / "pairs.csv"
    with bad.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    ev = evaluate_ntu(toy.skeletons, bad, [JointDistance()], progress=False)
    assert ev.n_used == ev.n_pairs - 1 and "not a number" in ev.pair_errors[0]
    with pytest.raises(MotionsimError, match="no 'rating' column"):
        evaluate_ntu(toy.skeletons, toy.pairs, [JointDistance()], target_column="rating", progress=False)
    with pytest.raises(MotionsimError, match="none of the"):
        evaluate_ntu(tmp_path, toy.pairs, [JointDistance()], progress=False)


def test_bundled_amt_annotations():
    path = default_pairs_path()
    with path.open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 20093
    assert set(rows[0]) == {"num", "sample1", "sample2", "AMT_score"}
    scores = np.array([float(r["AMT_score"]) for r in rows])
    assert scores.min() >= 1 and scores.max() <= 4
    assert len({r["sample1"] for r in rows} | {r["sample2"] for r in rows}) == 1583
