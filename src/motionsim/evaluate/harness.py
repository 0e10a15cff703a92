"""Run similarity methods over rated pairs of clips and correlate their scores with the ratings (Table 2/3).

Every clip is loaded once and every method prepares each clip once (plus the mirror image of each query
clip for the body-flip column), so the cost grows with the number of clips, and the per-pair work is only
the DTW of already-embedded sequences.
"""

from __future__ import annotations

import logging
import math
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import MotionsimError
from ..pairs import index_samples, load_samples, read_pairs, write_csv_atomically
from ..pose import PoseSequence
from ..preprocess import prepare_points
from .method_base import Method, runnable
from .methods import DEFAULT_METHODS, MethodOptions, build_methods
from .metrics import spearman
from .sharded import METHOD_PAIR_SHARD, METHOD_PREP_SHARD, score_method_on

log = logging.getLogger(__name__)

DEFAULT_TARGET = "AMT_score"
PAIRS_FILE = "ntu_amt_similarity_annotations.csv"


def default_pairs_path() -> Path:
    """The NTU RGB+D 120 AMT similarity annotations shipped with the package (Park et al. 2021, MIT)."""
    return Path(str(resources.files("motionsim") / "data" / PAIRS_FILE))


@dataclass
class MethodResult:
    """One row of the table: a method's correlation with the ratings, and its per-pair scores."""

    name: str
    label: str
    detail: str
    original: float
    body_flip: float
    pairs: int
    seconds: float
    scores_original: np.ndarray
    scores_flip: np.ndarray
    training: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        def num(x: float) -> float | None:
            return None if math.isnan(x) else round(float(x), 6)

        return {"label": self.label, "detail": self.detail, "original": num(self.original),
                "body_flip": num(self.body_flip), "pairs": self.pairs, "seconds": round(self.seconds, 3),
                "training": dict(self.training)}


@dataclass
class Evaluation:
    """Everything an evaluation produced: rows per method, skipped methods, unusable clips and pairs."""

    columns: list[str]
    rows: list[dict[str, str]]
    target_column: str
    results: list[MethodResult] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # method -> why it did not run
    bad_clips: dict[str, str] = field(default_factory=dict)  # sample -> why it is not usable
    pair_errors: list[str] = field(default_factory=list)  # "" for a used pair, else the reason
    n_clips: int = 0
    work_dir: Path | None = None  # finished shards of a sharded run: removed once the CSV is written

    @property
    def n_pairs(self) -> int:
        return len(self.rows)

    @property
    def n_used(self) -> int:
        return sum(not e for e in self.pair_errors)

    def to_dict(self) -> dict[str, Any]:
        """The JSON report: ``{"methods": {name: {"original", "body_flip", "pairs", "seconds", ...}}, ...}``."""
        return {
            "methods": {r.name: r.to_dict() for r in self.results},
            "skipped": dict(self.skipped),
            "pairs": {"total": self.n_pairs, "used": self.n_used, "skipped": self.n_pairs - self.n_used},
            "clips": {"used": self.n_clips, "missing_or_bad": len(self.bad_clips)},
            "target": self.target_column,
        }

    def write_csv(self, path: str | Path) -> Path:
        """Per-pair scores: the input columns, ``<method>_original`` and ``<method>_body_flip``, and ``error``."""
        path = Path(path)
        score_cols = [f"{r.name}_{k}" for r in self.results for k in ("original", "body_flip")]
        columns = self.columns + [c for c in (*score_cols, "error") if c not in self.columns]
        out_rows = []
        for i, row in enumerate(self.rows):
            out = dict(row, error=self.pair_errors[i])
            for r in self.results:
                for key, values in (("original", r.scores_original), ("body_flip", r.scores_flip)):
                    out[f"{r.name}_{key}"] = "" if np.isnan(values[i]) else f"{values[i]:.6f}"
            out_rows.append(out)
        write_csv_atomically(path, columns, out_rows)
        if self.work_dir is not None:
            shutil.rmtree(self.work_dir, ignore_errors=True)
        return path


def load_clips(names: Sequence[str], index: Mapping[str, Path],
               progress: bool = True) -> tuple[dict[str, PoseSequence], dict[str, str]]:
    """Load each named clip once; a missing or unusable clip goes to the errors dict, never raises. Every
    method needs `prepare_points` to succeed, so a clip where it fails is found out now, once."""
    return load_samples(names, index, check=prepare_points, missing="not found", progress=progress)


def _targets(rows: Sequence[Mapping[str, str]], column: str) -> np.ndarray:
    values = np.full(len(rows), np.nan)
    for i, row in enumerate(rows):
        try:
            values[i] = float(row[column])
        except (TypeError, ValueError):
            pass
    return values


def evaluate_pairs(columns: list[str], rows: list[dict[str, str]], clips: Mapping[str, PoseSequence],
                   methods: Sequence[Method], target_column: str = DEFAULT_TARGET,
                   bad_clips: Mapping[str, str] | None = None, progress: bool = True, engine: Any = None,
                   methods_ref: Any = None, paths: Mapping[str, Path] | None = None, store: Any = None,
                   prep_shard: int = METHOD_PREP_SHARD, pair_shard: int = METHOD_PAIR_SHARD) -> Evaluation:
    """Score every usable pair with every available method, original and body flip, and correlate.

    A pair is usable when both clips are in ``clips`` and its target is a number. A method whose
    ``unavailable_reason`` is set is skipped (listed in ``Evaluation.skipped``).

    The work runs in shards on ``engine`` (`motionsim.engine`; None: in this process) through
    `motionsim.evaluate.sharded.score_method_on`, the same shards and shard functions on every engine, so every
    engine gives the same scores. An engine of other processes needs ``methods_ref`` (a
    `motionsim.evaluate.sharded.MethodsRef` that builds ``methods`` again); ``paths`` (clip files by name) lets
    its tasks reload clips instead of receiving them; ``store`` (a `motionsim.engine.ShardStore`) keeps
    finished shards so an interrupted run resumes. ``prep_shard`` clips are prepared and ``pair_shard`` pairs
    scored per shard (the scores do not depend on either).
    """
    if target_column not in columns:
        raise MotionsimError(f"the pairs file has no {target_column!r} column (columns: {', '.join(columns)})")
    bad_clips = dict(bad_clips or {})
    target = _targets(rows, target_column)
    errors = []
    for row, t in zip(rows, target):
        bad = [f"{row[k]}: {bad_clips.get(row[k], 'not loaded')}" for k in ("sample1", "sample2")
               if row[k] not in clips]
        errors.append("; ".join(bad) if bad else ("" if np.isfinite(t) else f"{target_column} is not a number"))
    used = [i for i, e in enumerate(errors) if not e]
    names = sorted({rows[i][k] for i in used for k in ("sample1", "sample2")})
    queries = sorted({rows[i]["sample1"] for i in used})
    result = Evaluation(columns, rows, target_column, bad_clips=bad_clips, pair_errors=errors, n_clips=len(names))
    if engine is None:
        from ..engine import LocalEngine

        engine = LocalEngine()
    shared_methods = list(methods) if methods_ref is None else methods_ref
    for k, method in runnable(methods, result.skipped):
        result.results.append(_run_method(engine, k, method, shared_methods, rows, used, names, queries, clips,
                                          target, paths, store, progress, (prep_shard, pair_shard)))
    for name, reason in result.skipped.items():
        log.warning("%s skipped: %s", name, reason)
    return result


def _run_method(engine: Any, k: int, method: Method, methods: Any, rows: Sequence[Mapping[str, str]],
                used: Sequence[int], names: Sequence[str], queries: Sequence[str], clips: Mapping[str, PoseSequence],
                target: np.ndarray, paths: Mapping[str, Path] | None, store: Any, progress: bool,
                shard_sizes: tuple[int, int]) -> MethodResult:
    log.info("%s: preparing %d clips (+%d mirrored)", method.name, len(names), len(queries))
    pairs = [(i, rows[i]["sample1"], rows[i]["sample2"]) for i in used]
    scores, seconds = score_method_on(engine, k, methods, f"scoring {method.name}", pairs, names, queries, clips,
                                      paths, store, progress, *shard_sizes)
    original = np.full(len(rows), np.nan)
    flip = np.full(len(rows), np.nan)
    for i, (o, f) in scores.items():
        original[i], flip[i] = o, f
    return MethodResult(method.name, method.label, method.describe(), spearman(original, target),
                        spearman(flip, target), len(used), seconds, original, flip, method.training_record())


def evaluate_ntu(skeletons: str | Path, pairs: str | Path | None = None,
                 methods: Sequence[str] | Sequence[Method] = DEFAULT_METHODS,
                 options: MethodOptions | None = None, target_column: str = DEFAULT_TARGET,
                 progress: bool = True, engine: Any = None, work_dir: str | Path | None = None,
                 prep_shard: int = METHOD_PREP_SHARD, pair_shard: int = METHOD_PAIR_SHARD) -> Evaluation:
    """The paper's NTU evaluation on whatever skeletons are at hand.

    Parameters
    ----------
    skeletons : folder searched recursively for ``<sample>.json`` (NTU refined format) or .npy/.npz
    pairs : CSV with sample1, sample2 and ``target_column``; None for the bundled AMT annotations
    methods : names from `METHODS` (built with ``options``) or ready `Method` objects
    engine : where the scoring runs (a `motionsim.engine` engine; None: in this process). An engine of
        other processes (Ray) needs method names: each worker builds the methods from ``options``.
    work_dir : keep finished shards there so an interrupted run resumes (removed by `Evaluation.write_csv`)
    prep_shard, pair_shard : clips prepared and pairs scored per shard (the numbers do not depend on them)
    """
    columns, rows = read_pairs(pairs if pairs is not None else default_pairs_path())
    if not rows:
        raise MotionsimError("the pairs file has no rows")
    if target_column not in columns:
        raise MotionsimError(f"the pairs file has no {target_column!r} column (columns: {', '.join(columns)})")
    methods_ref = None
    if all(isinstance(m, Method) for m in methods):
        built = list(methods)
        if engine is not None and engine.name != "local":
            raise MotionsimError(f"the {engine.name} engine builds the methods on its workers: pass method names "
                                 "and MethodOptions, not Method objects")
    elif any(isinstance(m, Method) for m in methods):
        raise TypeError("methods: pass method names or Method objects, not a mix")
    else:
        from .sharded import MethodsRef

        options = options or MethodOptions()
        built = build_methods([str(m) for m in methods], options)
        if engine is not None and engine.name != "local":
            methods_ref = MethodsRef(tuple(str(m) for m in methods), options)
    index = index_samples(skeletons)
    names = sorted({r["sample1"] for r in rows} | {r["sample2"] for r in rows})
    clips, bad = load_clips(names, index, progress)
    if not clips:
        raise MotionsimError(f"{skeletons}: none of the {len(names)} clips named in the pairs file was found "
                             f"or readable (looked for <sample>.json/.npy/.npz anywhere below it)")
    if bad:
        log.warning("%d of %d clips missing or unreadable; their pairs are skipped", len(bad), len(names))
    store = None
    if work_dir is not None:
        from ..engine import ShardStore, fingerprint

        store = ShardStore(work_dir, fingerprint(
            "evaluate-ntu", "part movement", columns, rows, target_column, sorted((n, index[n]) for n in clips),
            [m.name for m in built], [m.describe() for m in built], repr(options), _model_files(options),
            prep_shard, pair_shard))
    ev = evaluate_pairs(columns, rows, clips, built, target_column, bad, progress, engine=engine,
                        methods_ref=methods_ref, paths={n: index[n] for n in clips}, store=store,
                        prep_shard=prep_shard, pair_shard=pair_shard)
    ev.work_dir = Path(work_dir) if work_dir is not None else None
    return ev


def _model_files(options: MethodOptions | None) -> list[Path]:
    """The checkpoint files the methods read (a changed file is another job)."""
    if options is None:
        return []
    files = [options.bpe_model, options.whole_body_model, options.lstm_model, *options.variants.values()]
    return [Path(f) for f in files if f is not None and Path(f).is_file()]
