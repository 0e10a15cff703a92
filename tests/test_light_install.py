"""The light install: `pip install motionsim` without PyTorch runs the demo and compare on onnxruntime.

`make test` builds `.venv-light` from this source tree with the core dependencies only (no extras); these
tests run the installed console script there, as a user would. Without that folder (a by-hand pytest run)
they are skipped.
"""

import json
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from helpers import make_motion

LIGHT = Path(__file__).resolve().parents[1] / ".venv-light" / "bin"
pytestmark = pytest.mark.skipif(not (LIGHT / "motionsim").exists(), reason="no .venv-light: run `make test`")


def _run(*args, check=True):
    return subprocess.run([str(LIGHT / "motionsim"), *args], capture_output=True, text=True, timeout=120,
                          check=check)


def test_no_pytorch_there():
    probe = subprocess.run([str(LIGHT / "python"), "-c", "import torch"], capture_output=True, timeout=60)
    assert probe.returncode != 0


def test_demo_and_compare_run_on_onnxruntime(tmp_path):
    demo = _run("demo")
    assert "bpe_default.onnx" in demo.stdout and "same squat" in demo.stdout
    a, b = tmp_path / "a.npy", tmp_path / "b.npy"
    np.save(a, make_motion(70, seed=1))
    np.save(b, make_motion(60, seed=2, kind="kick"))
    started = time.perf_counter()
    result = json.loads(_run("compare", str(a), str(b), "--json").stdout)
    assert time.perf_counter() - started < 30  # generous: start-up time is measured in benchmarks/
    assert result["model"] == "bpe_default.onnx"
    assert set(result["body_parts"]) == {"right_arm", "left_arm", "right_leg", "left_leg", "torso"}


def test_torch_only_requests_name_the_extra(tmp_path):
    a = tmp_path / "a.npy"
    np.save(a, make_motion(48))
    for args in (["compare", str(a), str(a), "--backend", "torch"], ["export-onnx", "-o", str(tmp_path / "m.onnx")],
                 ["train", "--out", str(tmp_path / "run"), "--preset", "tiny"]):
        proc = _run(*args, check=False)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "motionsim[train]" in proc.stderr and "Traceback" not in proc.stderr
