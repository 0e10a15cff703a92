"""How many cores this process may use (its CPU affinity where the system tells, else the machine's count)."""

from __future__ import annotations

import os


def cores() -> int:
    """The cores this process may run on: a container or ``taskset`` may allow fewer than the machine has."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
