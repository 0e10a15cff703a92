"""Plain-text reports: the NTU evaluation laid out like the paper's Table 2 (and Table 3 for BPE variants), and
the synthetic validation benchmark's table."""

from __future__ import annotations

import math

from .harness import Evaluation
from .synthetic import SynthEvaluation


def _num(x: float) -> str:
    return "     n/a" if math.isnan(x) else f"{x:8.4f}"


def format_table(ev: Evaluation, csv_path: str | None = None, max_listed: int = 5) -> str:
    """The correlation table, then what was skipped and why."""
    lines = [f"Spearman's rank correlation with {ev.target_column}: {ev.n_used} of {ev.n_pairs} pairs used "
             f"({ev.n_clips} clips)", ""]
    width = max([len("method")] + [len(r.label) for r in ev.results])
    lines.append(f"{'method':<{width}}  original  body flip   pairs  seconds  model")
    for r in ev.results:  # the model column names the file; its training record is in --json
        lines.append(f"{r.label:<{width}}  {_num(r.original)}  {_num(r.body_flip)}   {r.pairs:>5}  "
                     f"{r.seconds:7.1f}  {r.detail}".rstrip())
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


_COLUMNS = (("retrieval_map", "mAP"), ("recall_at_1", "R@1"), ("variation_spearman", "var rho"),
            ("variation_spearman_same_view", "var rho same"), ("variation_spearman_per_motion", "var rho/motion"),
            ("part_localisation", "parts"), ("part_localisation_same_view", "parts same"),
            ("related_auc", "related AUC"))


def format_synth_table(ev: SynthEvaluation) -> str:
    """The plain-text report: one row per method, the chance row, sizes and timings."""
    def cell(x: float | None) -> str:
        return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3f}"

    names = [r.name for r in ev.results] + ["chance"]
    width = max(len(n) for n in names) + 2
    head = "method".ljust(width) + "".join(f"{h:>15}" for _, h in _COLUMNS) + f"{'seconds':>10}"
    lines = ["Synthetic validation benchmark (validation motions and characters, never trained on)", "", head,
             "-" * len(head)]
    for r in ev.results:
        lines.append(r.name.ljust(width) + "".join(f"{cell(getattr(r, k)):>15}" for k, _ in _COLUMNS)
                     + f"{r.seconds:>10.1f}")
    lines.append("chance".ljust(width) + "".join(f"{cell(ev.chance.get(k)):>15}" for k, _ in _COLUMNS))
    lines.append("")
    for r in ev.results:
        if r.detail:
            lines.append(f"{r.name}: {r.label} — {r.detail}")
    for name, why in ev.skipped.items():
        lines.append(f"skipped {name}: {why}")
    s = ev.sizes
    lines.append(f"{s['motions']} motions x {s['values_per_motion']} value vectors x {s['characters']} characters x "
                 f"{s['views']} views = {s['gallery_items']} gallery clips; {s['variation_pairs']} variation pairs; "
                 f"{s['part_trials']} + {s['part_trials_same_view']} part trials; "
                 f"{s['related_pairs']} related / {s['unrelated_pairs']} unrelated pairs; "
                 f"{s['renderings']} renderings in {ev.seconds['render']:.1f} s; "
                 f"total {ev.seconds['total']:.1f} s (seed {ev.config.seed})")
    return "\n".join(lines) + "\n"
