"""Score many pairs of sequences (`motionsim score-pairs`): each sequence is loaded and embedded once,
however many pairs use it; a pair whose sequence cannot be read is reported and skipped, never fatal.

One path for every engine: the clips are embedded in shards (`motionsim.clips`), then the pairs are scored in
shards, in this process by default or as Ray tasks, with byte-identical output. The pieces every pairs
command shares live here too (`motionsim evaluate ntu` uses them): finding samples by name, reading the
pairs file, loading each named sample once, and writing the result atomically.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from .atomic import atomic_output
from .clips import embed_clips
from .dtw import BULK
from .embed import SequenceEmbedding
from .engine import Engine, LocalEngine, ShardStore, fingerprint, run_shards, split
from .errors import MotionsimError, PoseFormatError
from .io import load_pose
from .model.runtime import InferenceModel
from .pose import PoseSequence
from .similarity import check_weighting, compare_embeddings
from .skeleton import BODY_PARTS

log = logging.getLogger(__name__)

SAMPLE_EXTENSIONS = (".json", ".npy", ".npz")
SCORE_COLUMNS = ("similarity", *BODY_PARTS)
PAIR_SHARD = 2000  # pairs per scoring task


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


def score_pairs(
    pairs_csv: str | Path,
    skeletons: str | Path,
    out_csv: str | Path,
    model: InferenceModel,
    window: int = 32,
    stride: int = 2,
    flip: bool = False,
    pad_short: bool = False,
    progress: bool = True,
    weighting: str = "movement",
    engine: Engine | None = None,
    work_dir: str | Path | None = None,
) -> PairsSummary:
    """Score every row of ``pairs_csv`` and write ``out_csv`` (input columns + scores + flipped + error).

    ``weighting`` combines the part scores into the overall one (`similarity.part_weights`); ``engine`` runs
    the shards (default: this process; the output is the same on every engine); ``work_dir`` keeps finished
    shards so an interrupted run resumes (removed on success)."""
    check_weighting(weighting)
    if Path(out_csv).resolve() == Path(pairs_csv).resolve():
        raise PoseFormatError(f"{out_csv}: refusing to overwrite the pairs file; choose another --out")
    columns, rows = read_pairs(pairs_csv)
    index = index_samples(skeletons)
    names = sorted({r["sample1"] for r in rows} | {r["sample2"] for r in rows})
    engine = engine or LocalEngine()
    found = {n: str(index[n]) for n in names if n in index}
    store = None
    if work_dir is not None:
        store = ShardStore(work_dir, fingerprint(rows, sorted((n, index[n]) for n in found), window, stride, flip,
                                                 pad_short, model.name, weighting, "clips v2"))
    with tqdm(total=len(found), desc="embedding", unit="clip", disable=not progress) as bar:
        clips, clip_errors = embed_clips(list(found.values()), model, window, stride,
                                         flips=(None, "body") if flip else (None,), pad_short=pad_short,
                                         engine=engine, store=store, on_shard=bar.update)
    embeddings = {n: clips[p].variants for n, p in found.items() if p in clips}
    errors = {n: clip_errors[p] for n, p in found.items() if p in clip_errors}
    errors.update({n: f"sample {n} not found" for n in names if n not in index})
    summary = PairsSummary(n_pairs=len(rows), n_sequences=len(embeddings))
    todo = []
    for row_no, row in enumerate(rows, start=1):
        bad = [errors.get(row[k], "") for k in ("sample1", "sample2") if row[k] not in embeddings]
        if bad:
            reason = "; ".join(b for b in bad if b) or "sample not embedded"
            summary.failed.append((row_no, reason))
            row.update({c: "" for c in SCORE_COLUMNS}, flipped="", error=reason)
        else:
            todo.append((row_no - 1, row["sample1"], row["sample2"]))
    shards = split(todo, PAIR_SHARD)
    with tqdm(total=len(todo), desc="scoring", unit="pair", disable=not progress) as bar:
        shared = {"embeddings": embeddings, "weighting": weighting}
        scored = run_shards(engine, score_shard, shards, shared, store, "pairs", lambda i: bar.update(len(shards[i])))
    for shard in scored:
        for i, cells in shard:
            rows[i].update(cells)
            summary.n_scored += 1
    out_columns = columns + [c for c in (*SCORE_COLUMNS, "flipped", "error") if c not in columns]
    write_csv_atomically(Path(out_csv), out_columns, rows)
    if store is not None:
        store.remove()
    return summary


def score_shard(shard: Sequence[tuple[int, str, str]], shared: Mapping[str, Any]) -> list[tuple[int, dict[str, str]]]:
    """(row, sample1, sample2) triples -> (row, output cells) with `score_row`."""
    emb = shared["embeddings"]
    return [(i, score_row(emb[a], emb[b], shared["weighting"])) for i, a, b in shard]


def score_row(a: Sequence[SequenceEmbedding], b: Sequence[SequenceEmbedding], weighting: str = "movement",
              ) -> dict[str, str]:
    """The output columns of one scored pair: A's embeddings (as filmed[, mirrored]) against B's."""
    result = compare_embeddings(a[0], b[0], a[1] if len(a) > 1 else None, timeline=False, weighting=weighting,
                                kernel=BULK)
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
