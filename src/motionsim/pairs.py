"""Score many pairs of sequences (`motionsim score-pairs`): each sequence is loaded and embedded once,
however many pairs use it; a pair whose sequence cannot be read is reported and skipped, never fatal.

One path for every engine, in blocks: the clips (sorted by name) are cut into blocks of `CLIP_BLOCK`, each
embedded by one task (`motionsim.clips`) whose embeddings stay with the engine (`Engine.map_kept`: in this
process, or as one object per block in Ray's object store, spilled to disk beyond its size); the pairs are
grouped by the blocks of their two clips and scored in shards of at most `PAIR_SHARD` pairs of one group, so a
scoring task fetches the one or two blocks it scores and no process holds every clip's embeddings. The
output is byte-identical on every engine (each pair is scored from the same embeddings by the same code, and
written in the input's row order). The pieces every pairs command shares live here too (`motionsim evaluate
ntu` uses them): finding samples by name, reading the pairs file, loading each named sample once, and
writing the result atomically.
"""

from __future__ import annotations

import csv
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from .atomic import atomic_output
from .clips import embed_clip_shard
from .dtw import BULK
from .embed import SequenceEmbedding
from .engine import Engine, LocalEngine, ShardStore, fetch, fingerprint, split, task_threads
from .engine.model_ref import shareable
from .errors import MotionsimError, PoseFormatError
from .io import load_pose
from .model.runtime import InferenceModel
from .pose import PoseSequence
from .similarity import check_weighting, compare_embeddings
from .skeleton import BODY_PARTS

log = logging.getLogger(__name__)

SAMPLE_EXTENSIONS = (".json", ".npy", ".npz")
SCORE_COLUMNS = ("similarity", *BODY_PARTS)
CLIP_BLOCK = 256  # clips per embedding task, and per block of embeddings a scoring task fetches (default)
PAIR_SHARD = 2000  # pairs per scoring task, at most (all of them from the same one or two blocks; default)
PAIRS_PER_THREAD = 50  # a scoring task starts a thread per this many pairs, at most one per core it may use


@dataclass
class PairsSummary:
    """What happened: how many pairs were scored, which failed and why."""

    n_pairs: int = 0
    n_scored: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)
    n_sequences: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # wall time of each stage: "embedding", "scoring"

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
    clip_block: int = CLIP_BLOCK,
    pair_shard: int = PAIR_SHARD,
) -> PairsSummary:
    """Score every row of ``pairs_csv`` and write ``out_csv`` (input columns + scores + flipped + error).

    ``weighting`` combines the part scores into the overall one (`similarity.part_weights`); ``engine`` runs
    the shards (default: this process; the output is the same on every engine); ``work_dir`` keeps finished
    shards so an interrupted run resumes (removed on success). ``clip_block`` clips are embedded per task and
    fetched together by a scoring task; a scoring task scores at most ``pair_shard`` pairs (the output does
    not depend on either)."""
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
                                                 pad_short, model.name, weighting, clip_block, pair_shard,
                                                 "pair blocks v1"))
    blocks = split(list(found.values()), clip_block)
    shared = {"model": shareable(model, engine), "window": window, "stride": stride,
              "flips": (None, "body") if flip else (None,), "pad_short": pad_short, "threads": task_threads(engine)}
    started = time.perf_counter()
    with tqdm(total=len(found), desc="embedding", unit="clip", disable=not progress) as bar:
        summaries, handles = _embed_blocks(engine, blocks, shared, store, bar.update)
    embedded_at = time.perf_counter()
    embedded = {p for done, _ in summaries for p in done}
    clip_errors = {p: why for _, errs in summaries for p, why in errs.items()}
    errors = {n: clip_errors[p] for n, p in found.items() if p in clip_errors}
    errors.update({n: f"sample {n} not found" for n in names if n not in index})
    summary = PairsSummary(n_pairs=len(rows), n_sequences=sum(p in embedded for p in found.values()),
                           seconds={"embedding": embedded_at - started})
    block_of = {p: b for b, block in enumerate(blocks) for p in block}
    groups: dict[tuple[int, ...], list[tuple[int, str, str]]] = {}
    for row_no, row in enumerate(rows, start=1):
        first, second = found.get(row["sample1"]), found.get(row["sample2"])
        bad = [errors.get(row[k], "") for k, path in (("sample1", first), ("sample2", second)) if path not in embedded]
        if bad:
            reason = "; ".join(why for why in bad if why) or "sample not embedded"
            summary.failed.append((row_no, reason))
            row.update({c: "" for c in SCORE_COLUMNS}, flipped="", error=reason)
        else:
            key = tuple(sorted({block_of[first], block_of[second]}))
            groups.setdefault(key, []).append((row_no - 1, first, second))
    shards = [PairBlock(chunk, key) for key in sorted(groups) for chunk in split(groups[key], pair_shard)]
    with tqdm(total=sum(len(s.pairs) for s in shards), desc="scoring", unit="pair", disable=not progress) as bar:
        scored = _score_blocks(engine, shards, blocks, handles, shared, weighting, store, bar.update)
    summary.seconds["scoring"] = time.perf_counter() - embedded_at
    del handles  # a block's embeddings are released once the last task that scores them is done
    for shard in scored:
        for i, cells in shard:
            rows[i].update(cells)
            summary.n_scored += 1
    out_columns = columns + [c for c in (*SCORE_COLUMNS, "flipped", "error") if c not in columns]
    write_csv_atomically(Path(out_csv), out_columns, rows)
    if store is not None:
        store.remove()
    return summary


@dataclass(frozen=True)
class PairBlock:
    """One scoring task: pairs (row, clip path, clip path) whose clips are all in ``blocks``, and the handles
    of those blocks' embeddings (`Engine.map_kept`), one per block."""

    pairs: list[tuple[int, str, str]]
    blocks: tuple[int, ...]
    handles: tuple[Any, ...] = ()


def embed_block(paths: Sequence[str], shared: Mapping[str, Any],
                ) -> tuple[tuple[list[str], dict[str, str]], dict[str, tuple[SequenceEmbedding, ...]]]:
    """A block of clip files -> ((paths embedded, errors by path), embeddings by path): the first part comes
    back to the caller, the embeddings stay with the engine until the scoring tasks fetch them."""
    embedded, errors = embed_clip_shard(paths, shared)
    return ([c.path for c in embedded], errors), {c.path: c.variants for c in embedded}


def _embed_blocks(engine: Engine, blocks: Sequence[Sequence[str]], shared: Mapping[str, Any],
                  store: ShardStore | None, on_clips: Callable[[int], None],
                  ) -> tuple[list[tuple[list[str], dict[str, str]]], dict[int, Any]]:
    """(summary of each block, handles of the blocks embedded now). A block finished by an earlier run is read
    from ``store`` (its summary now, its embeddings only if a scoring task still needs them)."""
    summaries: list[Any] = [None] * len(blocks)
    todo = []
    for b in range(len(blocks)):
        found, value = store.load("clips", b) if store is not None else (False, None)
        if found:
            summaries[b] = value
            on_clips(len(blocks[b]))
        else:
            todo.append(b)
    handles: dict[int, Any] = {}
    for b, summary, handle in engine.map_kept(embed_block, blocks, shared, todo):
        if store is not None:  # the embeddings first: the summary marks the block done
            store.save("clipdata", b, engine.get(handle))
            store.save("clips", b, summary)
        summaries[b], handles[b] = summary, handle
        on_clips(len(blocks[b]))
    return summaries, handles


def _score_blocks(engine: Engine, shards: list[PairBlock], blocks: Sequence[Sequence[str]], handles: dict[int, Any],
                  shared: Mapping[str, Any], weighting: str, store: ShardStore | None,
                  on_pairs: Callable[[int], None]) -> list[list[tuple[int, dict[str, str]]]]:
    """Each scoring shard's (row, cells), in shard order; shards finished by an earlier run are read from
    ``store``, the others get the handles of their blocks and run on ``engine``."""
    results: list[Any] = [None] * len(shards)
    for i, shard in enumerate(shards):
        found, value = store.load("pairs", i) if store is not None else (False, None)
        if found:
            results[i] = value
            on_pairs(len(shard.pairs))
    todo = [i for i in range(len(shards)) if results[i] is None]
    for b in sorted({b for i in todo for b in shards[i].blocks} - set(handles)):
        handles[b] = engine.put(_stored_block(store, b, blocks[b], shared))  # a block embedded by an earlier run
    runnable: list[PairBlock | None] = [None] * len(shards)
    for i in todo:
        runnable[i] = PairBlock(shards[i].pairs, shards[i].blocks, tuple(handles[b] for b in shards[i].blocks))
    handles.clear()
    for i, value in engine.map(score_block, runnable, {"weighting": weighting, "threads": shared["threads"]}, todo):
        if store is not None:
            store.save("pairs", i, value)
        results[i], runnable[i] = value, None  # the task's handles go with it
        on_pairs(len(shards[i].pairs))
    return results


def _stored_block(store: ShardStore | None, b: int, paths: Sequence[str], shared: Mapping[str, Any]) -> Any:
    """A block's embeddings as an earlier run kept them, or embedded again here if that copy is unreadable."""
    found, value = store.load("clipdata", b) if store is not None else (False, None)
    return value if found else embed_block(paths, shared)[1]


def score_block(shard: PairBlock, shared: Mapping[str, Any]) -> list[tuple[int, dict[str, str]]]:
    """(row, clip path, clip path) triples -> (row, output cells) with `score_row`, the embeddings fetched
    from the shard's blocks; in ``shared["threads"]`` threads (the compiled scoring lets go of the GIL, and a
    pair's scores do not depend on the thread that scores it)."""
    emb: dict[str, tuple[SequenceEmbedding, ...]] = {}
    for handle in shard.handles:
        emb.update(fetch(handle))

    def score(pairs: Sequence[tuple[int, str, str]]) -> list[tuple[int, dict[str, str]]]:
        return [(i, score_row(emb[a], emb[b], shared["weighting"])) for i, a, b in pairs]

    threads = min(int(shared.get("threads", 1)), len(shard.pairs) // PAIRS_PER_THREAD)
    if threads <= 1:
        return score(shard.pairs)
    with ThreadPoolExecutor(threads, thread_name_prefix="motionsim-pairs") as pool:
        chunks = split(shard.pairs, math.ceil(len(shard.pairs) / (4 * threads)))  # 4 each: the slowest waits less
        return [cells for done in pool.map(score, chunks) for cells in done]


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
