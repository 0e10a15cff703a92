"""Plain-text report of an evaluation, laid out like the paper's Table 2 (and Table 3 for BPE variants)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .harness import Evaluation

_ABLATION_WORDS = ("variation", "recon")


def ablation_flags(training: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Entries of a training record that say which losses were on (keys naming variation / reconstruction).

    Examples
    --------
    >>> ablation_flags({"losses": {"variation": False, "reconstruction": 1.0}, "epochs": 3})
    {'losses.variation': False, 'losses.reconstruction': 1.0}
    """
    flags: dict[str, Any] = {}
    for key, value in training.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flags.update(ablation_flags(value, prefix=f"{name}."))
        elif any(w in str(key).lower() for w in _ABLATION_WORDS) and isinstance(value, (bool, int, float, str)):
            flags[name] = value
    return flags


def _num(x: float) -> str:
    return "     n/a" if math.isnan(x) else f"{x:8.4f}"


def format_table(ev: Evaluation, csv_path: str | None = None, max_listed: int = 5) -> str:
    """The correlation table, then what was skipped and why."""
    lines = [f"Spearman's rank correlation with {ev.target_column}: {ev.n_used} of {ev.n_pairs} pairs used "
             f"({ev.n_clips} clips)", ""]
    width = max([len("method")] + [len(r.label) for r in ev.results])
    lines.append(f"{'method':<{width}}  original  body flip   pairs  seconds  model")
    for r in ev.results:
        detail = r.detail
        flags = ablation_flags(r.training)
        if flags:
            detail += "  [" + ", ".join(f"{k}={v}" for k, v in flags.items()) + "]"
        lines.append(f"{r.label:<{width}}  {_num(r.original)}  {_num(r.body_flip)}   {r.pairs:>5}  "
                     f"{r.seconds:7.1f}  {detail}".rstrip())
    if ev.skipped:
        lines += ["", "skipped methods:"] + [f"  {name}: {reason}" for name, reason in ev.skipped.items()]
    if ev.bad_clips:
        listed = list(ev.bad_clips.items())[:max_listed]
        more = len(ev.bad_clips) - len(listed)
        n_bad = len(ev.bad_clips)
        lines += ["", f"{n_bad} clip{'s' if n_bad > 1 else ''} missing or unreadable; "
                      f"{ev.n_pairs - ev.n_used} pairs skipped:"]
        lines += [f"  {name}: {why}" for name, why in listed]
        if more:
            lines.append(f"  ... and {more} more (see the error column of the CSV)")
    elif ev.n_used < ev.n_pairs:
        lines += ["", f"{ev.n_pairs - ev.n_used} pairs skipped (see the error column of the CSV)"]
    if csv_path:
        lines += ["", f"per-pair scores: {csv_path}"]
    return "\n".join(lines) + "\n"
