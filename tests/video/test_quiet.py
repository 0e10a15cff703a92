"""Native log lines are kept off the terminal while videos are estimated, also two at a time in two threads,
and the terminal gets its stderr back afterwards (error messages must never be lost)."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import os, sys, threading, time
from motionsim.video.quiet import native_stderr_silenced

def work(seconds):
    with native_stderr_silenced() as terminal:
        os.write(2, b"NATIVE NOISE\\n")
        terminal.write("progress bar\\n")
        time.sleep(seconds)

first, second = threading.Thread(target=work, args=(0.2,)), threading.Thread(target=work, args=(0.5,))
first.start(); time.sleep(0.05); second.start(); first.join(); second.join()
print("an error after both", file=sys.stderr)
"""


def test_overlapping_silences_restore_stderr():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "NATIVE NOISE" not in done.stderr
    assert done.stderr.count("progress bar") == 2 and "an error after both" in done.stderr
