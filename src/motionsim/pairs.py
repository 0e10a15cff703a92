"""Score many pairs of sequences (`motionsim score-pairs`): each sequence is loaded and embedded once,
however many pairs use it; a pair whose sequence cannot be read is reported and skipped, never fatal.

The pieces every pairs command shares live here (`motionsim evaluate ntu` uses them too): finding samples
by name, reading the pairs file, loading each named sample once, and writing the result atomically.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from .atomic import atomic_output
from .dtw import warm_up
from .errors import MotionsimError, PoseFormatError
from .io import load_pose
from .pose import PoseSequence
from .similarity import (
    InferenceModel,
    SequenceEmbedding,
    check_weighting,
    compare_embeddings,
    embed_inputs,
    model_inputs,
)
from .skeleton import BODY_PARTS

log = logging.getLogger(__name__)

SAMPLE_EXTENSIONS = (".json", ".npy", ".npz")
SCORE_COLUMNS = ("similarity", *BODY_PARTS)


@dataclass
class PairsSummary:
    """What happened: how many pairs were scored, which failed and why."""

    n_pairs: int = 0
    n_scored: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)
    n_sequences: int = 0

    @property
    def n_failed(self) -> int:
        return len(self.failed)


def index_samples(directory: str | Path) -> dict[str, Path]:
    """Map sample name -> file for every .json/.npy/.npz under ``directory`` (first one wins on clashes)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise PoseFormatError(f"{directory}: skeleton directory not found")
    index: dict[str, Path] = {}
    for path in sorted(directory.rglob("*")):
        if path.suffix.lower() in SAMPLE_EXTENSIONS and path.is_file():
            if path.stem in index:
                log.warning("sample %s found twice; using %s, ignoring %s", path.stem, index[path.stem], path)
                continue
            index[path.stem] = path
    return index


def read_pairs(path: str | Path) -> tuple[list[str], list[dict[str, str]]]:
    """Rows of a pairs CSV; it must have sample1 and sample2 columns (other columns are kept)."""
    path = Path(path)
    if not path.is_file():
        raise PoseFormatError(f"{path}: pairs file not found")
    try:
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            columns = list(reader.fieldnames or [])
            rows = list(reader)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise PoseFormatError(f"{path}: not a readable CSV file: {exc}") from exc
    missing = [c for c in ("sample1", "sample2") if c not in columns]
    if missing:
        raise PoseFormatError(f"{path}: needs columns sample1 and sample2, missing {', '.join(missing)}")
    return columns, rows


def load_samples(
    names: Sequence[str],
    index: Mapping[str, Path],
    check: Callable[[PoseSequence], Any] | None = None,
    missing: str = "sample {name} not found",
    progress: bool = True,
) -> tuple[dict[str, PoseSequence], dict[str, str]]:
    """Load each named sample once. Returns (sequences, errors by name): a sample that is not in ``index``,
    cannot be read or fails ``check`` goes to the errors (``missing`` formats the first case), never raises."""
    seqs: dict[str, PoseSequence] = {}
    errors: dict[str, str] = {}
    for name in tqdm(names, desc="loading", unit="seq", disable=not progress):
        if name not in index:
            errors[name] = missing.format(name=name)
            continue
        try:
            seq = load_pose(index[name])
            if check is not None:
                check(seq)
        except MotionsimError as exc:
            errors[name] = str(exc)
            continue
        seqs[name] = seq
    return seqs, errors


def embed_samples(
    names: list[str],
    index: dict[str, Path],
    ckpt: InferenceModel,
    window: int,
    stride: int,
    flip: bool,
    pad_short: bool,
    progress: bool = True,
) -> tuple[dict[str, tuple[SequenceEmbedding, SequenceEmbedding | None]], dict[str, str]]:
    """Load, preprocess and embed every named sample once. Returns (embeddings, errors by name)."""
    flips = (None, "body") if flip else (None,)
    seqs, errors = load_samples(names, index, progress=progress)
    kept: list[tuple[str, PoseSequence]] = []
    inputs: list[np.ndarray] = []
    for name, seq in seqs.items():
        try:
            variants = model_inputs(seq, ckpt, window, flips, pad_short)
        except MotionsimError as exc:
            errors[name] = str(exc)
            continue
        kept.append((name, seq))
        inputs.extend(variants)
    per = len(flips)
    embs = embed_inputs(inputs, [seq for _, seq in kept for _ in flips], ckpt, window, stride)
    out = {name: (embs[k * per], embs[k * per + 1] if flip else None) for k, (name, _) in enumerate(kept)}
    return out, errors


def open_pairs_job(pairs_csv: str | Path, skeletons: str | Path, out_csv: str | Path,
                   ) -> tuple[list[str], list[dict[str, str]], dict[str, Path], list[str]]:
    """What every score-pairs run starts with: the pairs (columns, rows), the sample index and the sample names
    the rows use; refuses to overwrite the pairs file and loads the compiled DTW kernels (thousands of small
    alignments follow)."""
    warm_up()
    if Path(out_csv).resolve() == Path(pairs_csv).resolve():
        raise PoseFormatError(f"{out_csv}: refusing to overwrite the pairs file; choose another --out")
    columns, rows = read_pairs(pairs_csv)
    index = index_samples(skeletons)
    names = sorted({r["sample1"] for r in rows} | {r["sample2"] for r in rows})
    return columns, rows, index, names


def score_pairs(
    pairs_csv: str | Path,
    skeletons: str | Path,
    out_csv: str | Path,
    ckpt: InferenceModel,
    window: int = 32,
    stride: int = 2,
    flip: bool = False,
    pad_short: bool = False,
    progress: bool = True,
    weighting: str = "movement",
) -> PairsSummary:
    """Score every row of ``pairs_csv`` and write ``out_csv`` (input columns + scores + flipped + error);
    ``weighting`` combines the part scores into the overall one (`similarity.part_weights`).
    `motionsim.engine.jobs.score_pairs_on` does the same in shards on an engine (Ray), with the same output."""
    check_weighting(weighting)
    columns, rows, index, names = open_pairs_job(pairs_csv, skeletons, out_csv)
    out_csv = Path(out_csv)
    embeddings, errors = embed_samples(names, index, ckpt, window, stride, flip, pad_short, progress)
    summary = PairsSummary(n_pairs=len(rows), n_sequences=len(embeddings))
    out_columns = columns + [c for c in (*SCORE_COLUMNS, "flipped", "error") if c not in columns]
    for row_no, row in enumerate(tqdm(rows, desc="scoring", unit="pair", disable=not progress), start=1):
        bad = [errors.get(row[k], "") for k in ("sample1", "sample2") if row[k] not in embeddings]
        if bad:
            reason = "; ".join(b for b in bad if b) or "sample not embedded"
            summary.failed.append((row_no, reason))
            row.update({c: "" for c in SCORE_COLUMNS}, flipped="", error=reason)
            continue
        row.update(score_row(embeddings[row["sample1"]], embeddings[row["sample2"]], weighting))
        summary.n_scored += 1
    write_csv_atomically(out_csv, out_columns, rows)
    return summary


def score_row(a: tuple[SequenceEmbedding, SequenceEmbedding | None],
              b: tuple[SequenceEmbedding, SequenceEmbedding | None], weighting: str = "movement") -> dict[str, str]:
    """The output columns of one scored pair: (A, mirrored A or None) against (B, _)."""
    result = compare_embeddings(a[0], b[0], a[1], timeline=False, weighting=weighting)
    cells = {"similarity": f"{result.similarity:.6f}", "flipped": str(result.flipped).lower(), "error": ""}
    cells.update({p: f"{result.body_parts[p]:.6f}" for p in BODY_PARTS})
    return cells


def write_csv_atomically(path: Path, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> None:
    """Write a CSV table so that a crash never leaves half a file (`atomic_output`); makes the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(path) as tmp, tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
