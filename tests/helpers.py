"""Helpers the tests import: toy motions, the real demo video, the CLI run in process. (Kept out of conftest.py:
tests/web has a conftest.py of its own, and `from helpers import` would then depend on collection order.)"""

from __future__ import annotations

from motionsim.evaluate.toy import make_motion

__all__ = ["demo_video", "make_motion", "run_cli"]


def demo_video():
    """The real two-person video in the sports2d wheel (installed without dependencies by `make test`)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("Sports2D")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "Demo" / "demo.mp4"
    return path if path.is_file() else None


def run_cli(argv, capsys):
    """(exit code, stdout, stderr) of `motionsim.cli.main(argv)`, in process as the console script runs it."""
    import io

    from motionsim.cli import main

    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue(), capsys.readouterr().err

