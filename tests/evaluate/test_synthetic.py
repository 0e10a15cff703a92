"""Synthetic validation benchmark: metrics against hand-computed values, task construction, determinism,
the joint-distance baseline above chance, the random-weights twin, and `motionsim evaluate synth`."""

import dataclasses
import itertools
import json

import numpy as np
import pytest

from helpers import run_cli as run
from motionsim.evaluate.baselines import JointDistance
from motionsim.evaluate.metrics import auc, expected_random_ap, masked_retrieval
from motionsim.evaluate.synth_methods import build_synth_methods, random_weights_method
from motionsim.evaluate.synth_tasks import SIZES, SynthConfig, build_tasks
from motionsim.evaluate.synthetic import evaluate_synthetic
from motionsim.model import save_model
from motionsim.model.checkpoint import untrained_checkpoint
from motionsim.preprocess import NormStats
from motionsim.skeleton import BODY_PARTS
from motionsim.synth import VAL_CHARACTERS, get_motion, list_motions
from motionsim.synth.motions import VAL_FAMILIES

SMALL = SIZES["small"]
TINY = dataclasses.replace(SMALL, motions=SMALL.motions[:3], n_variation_values=3)


# ---------------------------------------------------------------- metrics on hand-made inputs
def test_masked_retrieval_matches_hand_computed_average_precision():
    sim = np.array([
        [0.0, 0.9, 0.8, 0.7, 0.6],
        [0.9, 0.0, 0.1, 0.2, 0.3],
        [0.8, 0.1, 0.0, 0.5, 0.5],
        [0.7, 0.2, 0.5, 0.0, 0.4],
        [0.6, 0.3, 0.5, 0.4, 0.0],
    ])
    relevant = np.zeros((5, 5), bool)
    relevant[0, [2, 4]] = True  # query 0 ranks 1, 2, 3, 4: hits at ranks 2 and 4 -> (1/2 + 2/4) / 2 = 0.5
    relevant[1, 0] = True       # query 1 ranks 0 first -> AP 1, hit@1
    relevant[2, 3] = True       # query 2 ranks 0, 3, 4 (1 excluded; 3 before 4 on a tie) -> AP 1/2
    candidates = ~np.eye(5, dtype=bool)
    candidates[2, 1] = False
    candidates[0, 3] = False    # query 0 now ranks 1, 2, 4: hits at ranks 2, 3 -> (1/2 + 2/3) / 2
    ap, hit = masked_retrieval(sim, relevant, candidates)
    assert ap.tolist() == pytest.approx([(1 / 2 + 2 / 3) / 2, 1.0, 0.5])  # queries 3, 4: nothing relevant
    assert hit.tolist() == [False, True, False]


def test_masked_retrieval_ignores_relevant_items_outside_the_candidates():
    sim = np.array([[0, .9, .1], [.9, 0, .1], [.1, .1, 0]])
    relevant = np.array([[0, 1, 1], [0, 0, 0], [0, 0, 0]], bool)
    candidates = np.array([[0, 0, 1], [1, 0, 1], [1, 1, 0]], bool)
    ap, hit = masked_retrieval(sim, relevant, candidates)
    assert ap.tolist() == [1.0] and hit.tolist() == [True]


@pytest.mark.parametrize("n, r", [(2, 1), (4, 2), (5, 1), (5, 3), (6, 6)])
def test_expected_random_ap_is_the_mean_over_all_rankings(n, r):
    aps = []
    for order in itertools.permutations(range(n)):
        rel = np.array([i < r for i in order])
        aps.append((np.cumsum(rel) / np.arange(1, n + 1))[rel].mean())
    assert expected_random_ap(r, n) == pytest.approx(np.mean(aps))


def test_auc_counts_ties_half_and_is_nan_without_one_side():
    assert auc(np.array([3.0, 2.0]), np.array([1.0, 2.0])) == pytest.approx(0.875)
    assert auc(np.array([5.0]), np.array([1.0, 2.0])) == 1.0
    assert auc(np.array([0.0]), np.array([1.0, 2.0])) == 0.0
    assert np.isnan(auc(np.array([]), np.array([1.0])))


def test_joint_distance_part_scores_point_at_the_changed_part():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(20, 15, 2))
    b = a.copy()
    b[:, 3:5] += 0.3  # right elbow and wrist
    same = JointDistance().part_scores(a.reshape(20, -1), a.reshape(20, -1))
    assert all(v == pytest.approx(0.0) for v in same.values())
    scores = JointDistance().part_scores(a.reshape(20, -1), b.reshape(20, -1))
    assert min(scores, key=scores.get) == "right_arm" and scores["right_arm"] < -0.1
    assert all(scores[p] == pytest.approx(0.0) for p in BODY_PARTS if p != "right_arm")


# ---------------------------------------------------------------- tasks
def test_tasks_use_only_validation_motions_and_characters():
    tasks = build_tasks(SIZES["default"])
    val_chars = {c.name for c in VAL_CHARACTERS}
    assert {r.character for r in tasks.renderings} <= val_chars
    assert {r.motion for r in tasks.renderings} == set(list_motions(split="val"))
    assert all(get_motion(r.motion).family in VAL_FAMILIES for r in tasks.renderings)


def test_task_structure_of_the_small_size():
    cfg = SMALL
    tasks = build_tasks(cfg)
    n_m = len(cfg.motions)
    assert len(tasks.gallery) == n_m * cfg.n_values * cfg.n_characters * cfg.n_views
    assert len({tasks.renderings[i] for i in tasks.gallery}) == len(tasks.gallery)
    gallery_views = {tasks.renderings[i].view for i in tasks.gallery}
    assert len(gallery_views) == cfg.n_views
    k = cfg.n_variation_values
    assert len(tasks.variation_pairs) == n_m * (2 * k * (k - 1) // 2 + k * k)
    for a, b, var, motion, same in tasks.variation_pairs:
        ra, rb = tasks.renderings[a], tasks.renderings[b]
        assert ra.motion == rb.motion == motion and 0.0 <= var <= 1.0
        assert same == (ra.character == rb.character and ra.view == rb.view)
        assert var == pytest.approx(np.abs(np.subtract(ra.values, rb.values)).sum() / (2 * len(ra.values)))
    assert tasks.part_trials, "the small size has one-part variables (raise arm, salute, ...)"
    for a, b, part, motion, variable, same in tasks.part_trials:
        ra, rb = tasks.renderings[a], tasks.renderings[b]
        changed = [v for v, x, y in zip(get_motion(motion).variables, ra.values, rb.values) if x != y]
        assert changed == [variable] and abs(rb.values[get_motion(motion).variables.index(variable)]) == 1.0
        assert part in get_motion(motion).parts and variable != "Speed"
        assert same == (ra.character == rb.character and ra.view == rb.view)


def test_tasks_are_seeded():
    a, b = build_tasks(TINY), build_tasks(TINY)
    assert a.renderings == b.renderings and a.variation_pairs == b.variation_pairs
    assert build_tasks(dataclasses.replace(TINY, seed=1)).renderings != a.renderings


# ---------------------------------------------------------------- the benchmark
@pytest.fixture(scope="module")
def small_eval():
    methods = build_synth_methods(["random_weights", "joint_distance"], seed=0)
    return evaluate_synthetic(methods, SMALL)


def test_output_structure(small_eval):
    d = json.loads(json.dumps(small_eval.to_dict()))
    assert set(d["methods"]) == {"random_weights", "joint_distance"}
    for row in d["methods"].values():
        for key in ("retrieval_map", "recall_at_1", "variation_spearman", "part_localisation", "related_auc"):
            assert key in row
        assert 0.0 <= row["retrieval_map"] <= 1.0 and 0.0 <= row["recall_at_1"] <= 1.0
        assert -1.0 <= row["variation_spearman"] <= 1.0 and 0.0 <= row["related_auc"] <= 1.0
    sizes = d["sizes"]
    assert sizes["gallery_items"] == 48 and sizes["motions"] == 6 and sizes["retrieval_queries"] == 48
    assert sizes["related_pairs"] > 0 and sizes["unrelated_pairs"] > 0
    assert d["chance"]["part_localisation"] == 0.2


def test_joint_distance_retrieves_well_above_chance(small_eval):
    row = small_eval.to_dict()["methods"]["joint_distance"]
    chance = small_eval.chance
    assert row["retrieval_map"] > 1.5 * chance["retrieval_map"]
    assert row["recall_at_1"] > 2 * chance["recall_at_1"]
    assert row["part_localisation_same_view"] > 0.5  # one part changes, nothing else: easy for joint distance


def test_results_are_deterministic(small_eval):
    def numbers(ev):
        return {k: {m: v for m, v in row.items() if m != "seconds"} for k, row in ev.to_dict()["methods"].items()}

    again = evaluate_synthetic(build_synth_methods(["random_weights", "joint_distance"], seed=0), SMALL)
    assert numbers(again) == numbers(small_eval)


def test_random_weights_keep_the_reference_normalisation_but_not_its_weights():
    ref = untrained_checkpoint(seed=7)
    ref = dataclasses.replace(ref, stats=NormStats(ref.stats.mean + 0.5, ref.stats.std * 2), target_height=3.0)
    twin = random_weights_method(ref, seed=0).checkpoint
    assert np.array_equal(twin.stats.mean, ref.stats.mean) and np.array_equal(twin.stats.std, ref.stats.std)
    assert twin.target_height == 3.0 and twin.model.config == ref.model.config
    ref_w, twin_w = ref.model.state_dict(), twin.model.state_dict()
    assert ref_w.keys() == twin_w.keys()
    assert any(not np.array_equal(ref_w[k].numpy(), twin_w[k].numpy()) for k in ref_w if ref_w[k].is_floating_point())
    again = random_weights_method(ref, seed=0).checkpoint.model.state_dict()
    assert all(np.array_equal(again[k].numpy(), twin_w[k].numpy()) for k in twin_w)


# ---------------------------------------------------------------- CLI


def test_cli_json_with_a_named_checkpoint(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(SIZES, "small", TINY)  # keep the CLI test quick
    path = save_model(untrained_checkpoint(seed=3), tmp_path / "m.safetensors")
    code, out, err = run(["evaluate", "synth", "--size", "small", "--methods", "joint_distance",
                          "--model", f"mine={path}", "--json", "--seed", "2"], capsys)
    assert code == 0, err
    d = json.loads(out)
    assert list(d["methods"]) == ["joint_distance", "mine"] and d["seed"] == 2
    assert d["methods"]["mine"]["part_localisation"] is not None
    code, table, err = run(["evaluate", "synth", "--size", "small", "--methods", "joint_distance"], capsys)
    assert code == 0 and "joint_distance" in table and "chance" in table and "mAP" in table


@pytest.mark.parametrize("argv, message", [
    (["--methods", "joint_distance,nope"], "unknown method nope"),
    (["--model", "missing.safetensors"], "model file not found"),
    (["--seed", "-1"], "integer >= 0"),
])
def test_cli_bad_input_exits_2_with_one_line(argv, message, capsys):
    code, _, err = run(["evaluate", "synth", *argv], capsys)
    assert code == 2 and message in err and "Traceback" not in err


def test_joint_distance_is_the_existing_baseline():
    (method,) = build_synth_methods(["joint_distance"])
    assert isinstance(method, JointDistance)


def test_small_config_is_a_subset_of_the_validation_split():
    assert set(SMALL.motions) <= set(list_motions(split="val"))
    assert isinstance(SMALL, SynthConfig)
