"""Every subcommand of every command group runs through `motionsim.cli.main`, as the console script does.

A handler whose signature does not match what `main` calls, or that crashes on ordinary bad input, shows up
here as exit code 1 ("internal error"). The table must name every subcommand the parser has, so a new one
cannot be added without a run here.
"""

import argparse
import inspect
import io

import numpy as np
import pytest

from helpers import make_motion
from motionsim.cli import build_parser, main


def _leaves(parser, path=()):
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
        return
    for name, child in subs[0].choices.items():
        yield from _leaves(child, (*path, name))


LEAVES = dict(_leaves(build_parser()))


def _argv(command, tmp):
    """Quick arguments for each subcommand: a real run where it is fast, a bad input (exit 2) where not."""
    motion = tmp / "m.npy"
    np.save(motion, make_motion(48))
    (tmp / "r.json").write_text('{"similarity": 1}')
    return {
        ("compare",): ["compare", str(motion), str(motion), "--json"],
        ("score-pairs",): ["score-pairs", str(tmp / "missing.csv"), "--skeletons", str(tmp), "--out",
                           str(tmp / "o.csv")],
        ("demo",): ["demo"],
        ("export-onnx",): ["export-onnx", str(tmp / "missing.safetensors"), "-o", str(tmp / "m.onnx")],
        ("extract",): ["extract", str(tmp / "missing.mp4")],
        ("live",): ["live", str(motion), "--source", str(tmp / "missing.mp4")],
        ("serve",): ["serve", "--data", str(tmp / "no_such_folder"), "--port", "0"],
        ("index", "build"): ["index", "build", str(tmp / "missing.npy"), "-o", str(tmp / "lib")],
        ("index", "add"): ["index", "add", str(tmp / "no_lib"), str(motion)],
        ("search",): ["search", str(motion), "--index", str(tmp / "no_lib")],
        ("plot", "timeline"): ["plot", "timeline", str(tmp / "r.json"), "-o", str(tmp / "t.png")],
        ("plot", "embeddings"): ["plot", "embeddings", str(motion), "-o", str(tmp / "e.txt")],
        ("synth", "preview"): ["synth", "preview", "--out", str(tmp / "p.png"), "--motions", "clap"],
        ("synth", "write-sara"): ["synth", "write-sara", str(tmp / "sara"), "--n-motions", "1",
                                  "--n-variations", "1"],
        ("synth", "list"): ["synth", "list"],
        ("train",): ["train", "--out", str(tmp / "run"), "--data", str(tmp / "no_such_sara")],
        ("evaluate", "ntu"): ["evaluate", "ntu", "--skeletons", str(tmp / "no_such_dir")],
        ("evaluate", "synth"): ["evaluate", "synth", "--model", str(tmp / "missing.safetensors")],
        ("evaluate", "real"): ["evaluate", "real", "--cache", str(tmp / "no_real_set")],
    }[command]


@pytest.mark.parametrize("command", sorted(LEAVES), ids=" ".join)
def test_handler_takes_what_main_passes(command):
    func = LEAVES[command].get_default("func")
    assert callable(func), f"{' '.join(command)} has no handler"
    inspect.signature(func).bind(argparse.Namespace(), io.StringIO())


@pytest.mark.parametrize("command", sorted(LEAVES), ids=" ".join)
def test_every_subcommand_runs_through_main(command, tmp_path, capsys):
    out = io.StringIO()
    code = main(_argv(command, tmp_path), out=out)
    err = capsys.readouterr().err
    assert code in (0, 2), err
    assert "internal error" not in err and "Traceback" not in err
    if code == 2:
        assert err.strip().splitlines()[-1].startswith("motionsim: error:"), err
    else:
        assert out.getvalue().strip(), "a successful command says what it did"


@pytest.mark.parametrize("command", sorted(LEAVES), ids=" ".join)
def test_help_of_every_subcommand(command, capsys):
    assert main([*command, "--help"]) == 0
    assert "usage: motionsim" in capsys.readouterr().out
