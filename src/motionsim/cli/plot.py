"""``motionsim plot timeline|embeddings``: pictures of results: a comparison's timeline, and a map of many
clips' embeddings."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import TextIO

from ..errors import MotionsimError
from ..skeleton import PART_LABELS
from .options import PART_CHOICES, add_model_choice, add_video_args, add_window_args, load_input, unit_float

_FIGURE_SUFFIXES = (".png", ".svg")


def register(sub: argparse._SubParsersAction) -> None:
    plot = sub.add_parser("plot", help="draw a comparison's timeline or a map of motion embeddings")
    kinds = plot.add_subparsers(dest="plot_command", metavar="KIND", required=True)

    t = kinds.add_parser("timeline", help="per-part similarity over time, from `compare --json` output",
                       description="Draw each body part's score over A's time from the JSON that "
                       "`motionsim compare --json` prints (or writes with --out).")
    t.add_argument("result", metavar="RESULT.json")
    t.add_argument("-o", "--out", required=True, metavar="FILE.png|svg", help="picture to write")
    t.add_argument("--threshold", type=unit_float, default=0.4, help="similar/different line (default 0.4)")
    t.set_defaults(func=cmd_plot_timeline)

    e = kinds.add_parser("embeddings", help="t-SNE map of the window embeddings of several clips (paper Fig. 10)",
                       description="Embed every window of every clip and place them on a 2-D t-SNE map, coloured "
                       "by label: clips that move alike cluster together.")
    e.add_argument("files", nargs="+", metavar="FILE", help="keypoint files or videos")
    e.add_argument("--labels", metavar="CSV", help="CSV with columns file,label (file: a path, name or stem); "
                   "default: each clip is its own label")
    e.add_argument("--part", default="overall", choices=PART_CHOICES,
                   help="whole body (default) or one body part's embedding space")
    e.add_argument("-o", "--out", required=True, metavar="FILE.png|svg", help="picture to write")
    add_window_args(e, default_stride=8)
    add_model_choice(e)
    e.add_argument("--seed", type=int, default=0, help="t-SNE seed (default 0)")
    add_video_args(e)
    e.set_defaults(func=cmd_plot_embeddings)


def _check_out(path: str) -> Path:
    out = Path(path)
    if out.suffix.lower() not in _FIGURE_SUFFIXES:
        raise MotionsimError(f"{out}: give a .png or .svg file name")
    return out


def cmd_plot_timeline(args: argparse.Namespace, out: TextIO) -> int:
    from ..render.plots import save_figure, timeline_figure

    target = _check_out(args.out)
    try:
        result = json.loads(Path(args.result).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MotionsimError(f"{args.result}: not JSON ({exc})") from None
    if not isinstance(result, dict) or not isinstance(result.get("windows"), list) or not result["windows"]:
        raise MotionsimError(f"{args.result}: not the output of `motionsim compare --json` (no 'windows' timeline)")
    save_figure(timeline_figure(result, threshold=args.threshold), target)
    out.write(f"wrote {target}\n")
    return 0


def read_labels(path: str, files: list[str]) -> list[str]:
    """The label of each file from a CSV with columns file,label (matched by path, then name, then stem)."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if not rows or not {"file", "label"} <= set(rows[0]):
        raise MotionsimError(f"{path}: needs the columns file,label")
    table = {r["file"].strip(): r["label"].strip() for r in rows}
    labels = []
    for f in files:
        p = Path(f)
        label = next((table[k] for k in (f, p.name, p.stem) if k in table), None)
        if label is None:
            raise MotionsimError(f"{path}: no label for {f}")
        labels.append(label)
    return labels


def cmd_plot_embeddings(args: argparse.Namespace, out: TextIO) -> int:
    from ..embed import embed_sequences
    from ..embedding_map import embedding_map
    from ..model.runtime import resolve_model
    from ..render.plots import embedding_map_figure, save_figure

    target = _check_out(args.out)
    labels = read_labels(args.labels, args.files) if args.labels else [Path(f).stem for f in args.files]
    seqs = [load_input(f, args, i) for i, f in enumerate(args.files)]
    embeddings = embed_sequences(seqs, resolve_model(args.model, args.backend), args.window, args.stride)
    points, point_labels = embedding_map(embeddings, labels, part=args.part, seed=args.seed)
    title = f"t-SNE of {len(points)} windows ({PART_LABELS.get(args.part, args.part)})"
    save_figure(embedding_map_figure(points, point_labels, title), target)
    out.write(f"{len(points)} windows of {len(seqs)} clips -> {target}\n")
    return 0
