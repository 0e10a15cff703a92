"""Training configs and the train CLI refuse impossible values at once, naming each one."""

import io

import pytest

from motionsim.cli import main
from motionsim.errors import MotionsimError
from motionsim.train.config import PRESETS, TrainConfig, load_config


@pytest.mark.parametrize("preset", list(PRESETS))
def test_presets_and_defaults_are_valid(preset):
    assert load_config(preset=preset).steps >= 1


@pytest.mark.parametrize("changes, message", [
    ({"steps": 0}, "steps must be at least 1, got 0"),
    ({"batch_size": -2}, "batch_size must be at least 1"),
    ({"seed": -1}, "seed must be at least 0"),
    ({"lr": -0.1}, "lr must be at least 0"),
    ({"window": 30}, "window must be a multiple of 8"),
    ({"drop_prob": 1.5}, "drop_prob must be at most 1"),
    ({"contrastive_temperature": 0.0}, "contrastive_temperature must be greater than 0"),
    ({"shared_part_below": 0.6}, "shared_part_below (0.6) must be below shared_part_above"),
    ({"scale_range": (1.4, 0.7)}, "scale_range must be two numbers 0 < low <= high"),
    ({"steps": "10"}, "steps must be an integer"),
    ({"steps": True}, "steps must be an integer"),
    ({"part_targets": "no"}, "part_targets must be true or false"),
])
def test_bad_values_raise_one_clear_error(changes, message):
    with pytest.raises(MotionsimError, match="invalid training config") as info:
        TrainConfig(**changes)
    assert message in str(info.value)


def test_every_problem_is_named_and_replace_checks_too():
    with pytest.raises(MotionsimError) as info:
        TrainConfig(steps=0, val_every=0)
    assert "steps" in str(info.value) and "val_every" in str(info.value)
    with pytest.raises(MotionsimError, match="lr_decay must be at most 1"):
        TrainConfig().replace(lr_decay=2.0)


def test_seed_zero_and_a_toml_list_scale_range_are_fine(tmp_path):
    toml = tmp_path / "c.toml"
    toml.write_text("seed = 0\nscale_range = [0.8, 1.2]\n")
    cfg = load_config(toml, preset="tiny")
    assert cfg.seed == 0 and cfg.scale_range == (0.8, 1.2)


def test_a_bad_toml_value_is_a_user_error(tmp_path):
    toml = tmp_path / "c.toml"
    toml.write_text("steps = -5\n")
    with pytest.raises(MotionsimError, match="steps must be at least 1, got -5"):
        load_config(toml)


@pytest.mark.parametrize("option, value", [
    ("--steps", "0"), ("--steps", "-3"), ("--batch-size", "0"), ("--batch-size", "-1"), ("--seed", "-1"),
    ("--steps", "ten"),
])
def test_train_cli_refuses_zero_and_negative_counts(option, value, tmp_path, capsys):
    code = main(["train", "--preset", "tiny", option, value, "--out", str(tmp_path / "o")], out=io.StringIO())
    err = capsys.readouterr().err
    assert code == 2 and option in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_train_cli_bad_toml_value_exits_2(tmp_path, capsys):
    toml = tmp_path / "c.toml"
    toml.write_text("val_every = 0\n")
    code = main(["train", "--config", str(toml), "--out", str(tmp_path / "o")], out=io.StringIO())
    err = capsys.readouterr().err
    assert code == 2 and "val_every must be at least 1" in err and "Traceback" not in err
