"""`motionsim evaluate ntu` in-process: table, JSON, CSV, Table 3 variants, skipped baselines, bad input."""

import csv
import json

import pytest
from evaluate_fixtures import rng_clip

from helpers import run_cli as run
from motionsim.evaluate import default_pairs_path, save_baseline, untrained_baseline
from motionsim.evaluate.toy import write_toy_benchmark
from motionsim.io import save_pose
from motionsim.model import save_model
from motionsim.model.checkpoint import untrained_checkpoint


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    return write_toy_benchmark(tmp_path_factory.mktemp("toy"), clips_per_action=4, actions=("wave", "kick", "squat"),
                               seed=2)


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    d = tmp_path_factory.mktemp("models")
    variants = d / "variants"
    variants.mkdir()
    for seed, name in ((1, "no_variation"), (2, "no_reconstruction")):
        ckpt = untrained_checkpoint(seed=seed)
        ckpt.training = {"trained": True, "losses": {"variation": name != "no_variation",
                                                     "reconstruction": name != "no_reconstruction"}}
        save_model(ckpt, variants / f"{name}.safetensors")
    return {"bpe": str(save_model(untrained_checkpoint(seed=0), d / "bpe.safetensors")),
            "variants": str(variants),
            "no_var": str(variants / "no_variation.safetensors"),
            "whole_body": str(save_baseline(untrained_baseline("whole_body"), d / "wb.safetensors"))}


def test_table_lists_methods_and_skips_untrained_baselines(toy, models, tmp_path, capsys, monkeypatch):
    from motionsim.evaluate import learned

    monkeypatch.setattr(learned, "default_baseline_path", lambda kind: None)  # as if none shipped
    out_csv = tmp_path / "s.csv"
    code, out, err = run(["evaluate", "ntu", "--skeletons", str(toy.skeletons), "--pairs", str(toy.pairs),
                          "--model", models["bpe"], "--out", str(out_csv)], capsys)
    assert code == 0, err
    assert "66 of 66 pairs used (12 clips)" in out
    for label in ("Kim & Kim (joint angles)", "joint distance + DTW", "BPE"):
        assert label in out
    assert "lstm: not available: no trained checkpoint" in out and "whole_body: not available" in out
    with out_csv.open() as f:
        header = next(csv.reader(f))
    assert "joint_angles_original" in header and "lstm_original" not in header


def test_json_with_table3_variants(toy, models, tmp_path, capsys):
    code, out, err = run(["evaluate", "ntu", "--skeletons", str(toy.skeletons), "--pairs", str(toy.pairs),
                          "--methods", "bpe,whole_body", "--model", models["bpe"], "--checkpoints", models["variants"],
                          "--model", f"mine={models['no_var']}", "--whole-body-model", models["whole_body"],
                          "--out", str(tmp_path / "s.csv"), "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert list(data["methods"]) == ["whole_body", "bpe", "mine", "no_reconstruction", "no_variation"]
    for row in data["methods"].values():
        assert -1 <= row["original"] <= row["body_flip"] + 1 and row["pairs"] == 66 and row["seconds"] >= 0
    assert data["pairs"] == {"total": 66, "used": 66, "skipped": 0}
    assert data["csv"].endswith("s.csv")
    assert data["methods"]["no_variation"]["training"]["losses"] == {"variation": False, "reconstruction": True}


def test_table_names_the_model_file_and_leaves_the_training_record_to_json(toy, models, tmp_path, capsys):
    code, out, err = run(["evaluate", "ntu", "--skeletons", str(toy.skeletons), "--pairs", str(toy.pairs),
                          "--methods", "bpe", "--checkpoints", models["variants"], "--out", str(tmp_path / "s.csv")],
                         capsys)
    assert code == 0, err
    row = next(line for line in out.splitlines() if line.startswith("BPE [no_variation]"))
    assert row.endswith("  no_variation.safetensors") and "losses" not in out and "{" not in out


def test_default_pairs_are_the_bundled_amt_file(tmp_path, capsys):
    # three clips named like NTU samples that appear together in the AMT file: only their pairs are used
    rows = list(csv.DictReader(default_pairs_path().open()))
    first = rows[3]  # S008C002P036R002A022 vs S005C001P016R002A022
    names = {first["sample1"], first["sample2"]}
    for k, name in enumerate(sorted(names)):
        (tmp_path / "skel" / name[-4:]).mkdir(parents=True, exist_ok=True)
        save_pose(rng_clip(k, 60 + 10 * k), tmp_path / "skel" / name[-4:] / f"{name}.json")
    expected = sum(r["sample1"] in names and r["sample2"] in names for r in rows)
    code, out, err = run(["evaluate", "ntu", "--skeletons", str(tmp_path / "skel"), "--methods", "joint_distance",
                          "--out", str(tmp_path / "s.csv"), "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["pairs"]["total"] == 20093 and data["pairs"]["used"] == expected
    assert data["clips"] == {"used": 2, "missing_or_bad": 1581}


@pytest.mark.parametrize("argv, message", [
    (["--methods", "bpe,dance"], "unknown method dance"),
    (["--model", "missing.safetensors"], "missing.safetensors: model file not found"),
    (["--model", "x=missing.safetensors"], "model file not found"),
    (["--lstm-model", "nope.safetensors"], "checkpoint not found"),
    (["--window", "30"], "multiple of 8"),
    (["--pairs", "nope.csv"], "pairs file not found"),
])
def test_bad_input_exits_2_with_one_line(argv, message, toy, tmp_path, capsys):
    base = ["evaluate", "ntu", "--skeletons", str(toy.skeletons), "--out", str(tmp_path / "s.csv")]
    if "--pairs" not in argv:
        base += ["--pairs", str(toy.pairs)]
    code, _, err = run(base + argv, capsys)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_bad_checkpoint_and_missing_dir_exit_2(toy, tmp_path, capsys):
    bad = tmp_path / "bad.safetensors"
    bad.write_text("nope")
    code, _, err = run(["evaluate", "ntu", "--skeletons", str(toy.skeletons), "--pairs", str(toy.pairs),
                        "--methods", "bpe", "--model", str(bad), "--out", str(tmp_path / "s.csv")], capsys)
    assert code == 2 and "not a readable" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(["evaluate", "ntu", "--skeletons", str(tmp_path / "none"), "--pairs", str(toy.pairs),
                        "--out", str(tmp_path / "s.csv")], capsys)
    assert code == 2 and "skeleton directory not found" in err
    code, _, err = run(["evaluate"], capsys)
    assert code == 2 and "evaluate ntu" in err
