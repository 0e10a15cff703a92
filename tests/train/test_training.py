"""A tiny training run on synthetic data: it runs, lowers the loss, writes what it promises, resumes."""

import csv
import io
import json

import numpy as np
import pytest
import torch

from motionsim.cli import main
from motionsim.model import load_model
from motionsim.skeleton import BODY_PARTS
from motionsim.train.batches import renderings_to_channels
from motionsim.train.config import load_config
from motionsim.train.data import make_sources
from motionsim.train.loop import fit


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    cfg = load_config(preset="tiny", steps=60, val_every=20, batch_size=16)
    train, val, record = make_sources("synth", cfg.window, cfg.seed)
    ckpt, history = fit(cfg, train, val, out, progress=False, record=record)
    return out, cfg, ckpt, history


def test_loss_goes_down(tiny_run):
    _, _, _, history = tiny_run
    totals = [r["train_total"] for r in history.rows]
    assert np.mean(totals[-15:]) < 0.8 * np.mean(totals[:5])
    vals = [r["val_total"] for r in history.rows if "val_total" in r]
    assert len(vals) == 3 and min(vals) < vals[0]


def test_outputs_written_and_checkpoint_records_training(tiny_run):
    out, cfg, ckpt, history = tiny_run
    for name in ("best.safetensors", "last.pt", "log.csv", "loss_curve.png"):
        assert (out / name).is_file(), name
    rows = list(csv.DictReader((out / "log.csv").open()))
    assert len(rows) == cfg.steps and float(rows[-1]["step"]) == cfg.steps
    logged_val = [float(r["val_total"]) for r in rows if r["val_total"]]
    assert logged_val == pytest.approx([r["val_total"] for r in history.rows if "val_total" in r])
    assert rows[-1]["val_triplet_acc"] != ""
    assert ckpt.training["step"] == history.best_step and ckpt.training["data"] == "synth"
    assert not np.allclose(ckpt.stats.std, 1.0)  # statistics come from the data


def test_resume_continues_from_last_state(tiny_run, tmp_path):
    out, cfg, _, _ = tiny_run
    import shutil

    shutil.copytree(out, tmp_path / "r", dirs_exist_ok=True)
    train, val, _ = make_sources("synth", cfg.window, cfg.seed)
    _, history = fit(cfg.replace(steps=cfg.steps + 5), train, val, tmp_path / "r", resume=True, progress=False)
    assert [r["step"] for r in history.rows][-5:] == list(range(cfg.steps + 1, cfg.steps + 6))
    assert len(history.rows) == cfg.steps + 5


@pytest.mark.parametrize("flag", ["no_variation_loss", "no_reconstruction"])
def test_ablation_flags_remove_their_loss(flag, tmp_path):
    cfg = load_config(preset="tiny", steps=2, val_every=2, **{flag: True})
    train, val, _ = make_sources("synth", cfg.window, cfg.seed)
    _, history = fit(cfg, train, val, tmp_path, progress=False)
    keys = set(history.rows[-1])
    if flag == "no_reconstruction":
        assert "train_reconstruction" not in keys and "train_foot" not in keys
    else:
        assert "train_reconstruction" in keys


def test_augmented_channels_keep_shape_and_differ():
    train, _, _ = make_sources("synth", 32, 0)
    batch = train.sample_batch(4, np.random.default_rng(0))
    cfg = load_config(preset="tiny")
    plain = renderings_to_channels(batch.renderings, None, None)
    aug = renderings_to_channels(batch.renderings, cfg, np.random.default_rng(1))
    assert plain.shape == aug.shape == (4, 3, 2, 2, 38, 32)
    assert not np.allclose(plain, aug)


def test_train_cli_tiny(tmp_path):
    out = io.StringIO()
    code = main(["train", "--preset", "tiny", "--steps", "4", "--out", str(tmp_path / "cli")], out=out)
    assert code == 0
    summary = json.loads(out.getvalue())
    ckpt = load_model(summary["model"])
    emb = ckpt.model.embed(torch.zeros(1, 38, 32))
    assert set(emb) == set(BODY_PARTS)


def test_train_cli_bad_data_folder(tmp_path, capsys):
    code = main(["train", "--preset", "tiny", "--data", str(tmp_path / "nope"), "--out", str(tmp_path / "o")],
                out=io.StringIO())
    assert code == 2 and "not found" in capsys.readouterr().err


def test_part_targets_follow_the_per_part_labels():
    from types import SimpleNamespace

    from motionsim.train.targets import part_targets

    cfg = load_config(preset="tiny")
    # 5 items; part distances in units where the median m-vs-m' distance of every part is 1
    negative = np.array([[1.0, 1, 1, 1, 1], [1, 1, 1, 1, 1], [0.1, 2, 2, 2, 2], [0.4, 2, 2, 2, 2], [1, 1, 1, 1, 1]])
    change = np.array([[0.5, 0, 0, 0, 0], [0.5, 0.25, 0, 0, 0.5], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0], [1, 1, 1, 1, 1]])
    pairwise = np.ones((5, 5, 5))
    pairwise[0, 1, 2] = 0.1
    batch = SimpleNamespace(part_change=change, part_negative=negative, part_pairwise=pairwise)
    var = torch.tensor([0.8, 0.4, 0.2, 0.6, 0.5])
    t = part_targets(var, batch, cfg)
    # var goes to the parts the variation moved, in proportion; an untouched part gets 0
    assert t.variation[0].tolist() == pytest.approx([0.8, 0, 0, 0, 0])
    assert t.variation[1].tolist() == pytest.approx([0.4, 0.2, 0, 0, 0.4])
    assert t.variation[2].tolist() == pytest.approx([0.2] * 5)
    assert t.variation[3].tolist() == pytest.approx([0.0] * 5)
    # m' with the same part (0.1 < 0.25) is no negative for it; 0.4 is half way to "different" (0.5)
    w = t.negative_weight[:, 0].tolist()
    assert w[2] == 0.0 and w[0] == w[1] == 1.0 and w[3] == pytest.approx((0.4 - 0.25) / 0.25)
    assert t.ignore.shape == (5, 5, 5) and t.ignore.sum() == 1 and bool(t.ignore[0, 1, 2])
    # switched off, or a source without the labels: the paper's whole-body targets
    assert part_targets(var, batch, cfg.replace(part_targets=False)) is None
    assert part_targets(var, SimpleNamespace(part_change=None, part_negative=None, part_pairwise=None), cfg) is None


def test_fine_tune_starts_from_a_model(tiny_run, tmp_path):
    out, cfg, ckpt, _ = tiny_run
    train, val, _ = make_sources("synth", cfg.window, cfg.seed)
    # learning rate 0: the fine-tuned weights must be exactly the ones it started from (batch-norm running
    # statistics still move, so only parameters are compared)
    frozen = cfg.replace(steps=2, val_every=2, lr=0.0, weight_decay=0.0)
    tuned, history = fit(frozen, train, val, tmp_path / "ft", progress=False, init=out / "best.safetensors")
    assert [r["step"] for r in history.rows] == [1, 2]  # a fresh run, not a resume
    assert np.array_equal(tuned.stats.mean, ckpt.stats.mean)  # normalisation kept from the model
    assert tuned.training["initialised_from"]["model"] == str(out / "best.safetensors")
    start, end = dict(ckpt.model.named_parameters()), dict(tuned.model.named_parameters())
    assert start.keys() == end.keys() and all(torch.equal(start[k], end[k]) for k in start)
    # a resumed fine-tune still says where it started
    resumed, _ = fit(frozen.replace(steps=4, val_every=2), train, val, tmp_path / "ft", resume=True, progress=False)
    assert resumed.training["step"] == 4
    assert resumed.training["initialised_from"]["model"] == str(out / "best.safetensors")


def test_train_cli_init_and_resume_conflict(tmp_path, capsys):
    code = main(["train", "--preset", "tiny", "--init", "x.safetensors", "--resume", "--out", str(tmp_path / "o")],
                out=io.StringIO())
    assert code == 2 and "pick one" in capsys.readouterr().err


def test_train_cli_init_missing_model(tmp_path, capsys):
    missing = str(tmp_path / "none.safetensors")
    code = main(["train", "--preset", "tiny", "--init", missing, "--out", str(tmp_path / "o")], out=io.StringIO())
    assert code == 2 and "not found" in capsys.readouterr().err


def test_floor_motions_are_opt_in():
    """The shipped recipe trains on standing motions; `floor_motions` adds the issue-17 widening."""
    from motionsim.synth.motions import get_motion

    plain, plain_val, record = make_sources("synth", 32, 0)
    wide, wide_val, wide_record = make_sources("synth", 32, 0, floor_motions=True)
    floor = {"floor", "acrobatic"}
    assert not {m.category for m in plain.motions} & floor
    assert not {get_motion(m.name).category for m in plain_val.motions} & floor
    assert {m.category for m in wide.motions} >= floor and {m.category for m in wide_val.motions} >= floor
    assert record["n_random_floor_motions"] == 0 and wide_record["n_random_floor_motions"] == 100
    assert sum(m.name.startswith("random_floor_") for m in wide.motions) == 100
    assert len(plain.motions) == record["train_motions"] + 200
    assert len(wide.motions) == wide_record["train_motions"] + 200 + 100
