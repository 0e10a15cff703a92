"""A library split into shards: a folder of shard folders, each a library of format 2 of its own, and a
manifest (`MANIFEST_FILE`) that makes them one library. One machine opens it as one (`ShardedIndex`); on
Ray each shard is searched by an actor of its own that memory-maps its folder once and stays up between
queries (`engine.actors`), wherever the engine puts it (the folders must be readable there under the same
path: one machine, or a shared file system).

Clips are dealt round-robin: clip number i of the library (in the order clips were given to `index build`
and `index add`, unreadable ones left out) is clip number i // N of shard i % N, so the shards stay balanced
as the library grows, and an `index add` gives the same library as a fresh build of all the clips.

Search: the query is embedded once (here), every shard proposes and re-ranks exactly its own clips (its
`MotionIndex.ranked`: the same proposers and the same exact Algorithm 1 as a library in one folder), and the
shards' best hits are merged by their exact scores, ties by clip number. A clip's exact score does not depend
on the shard it lives in, so the hits are those of one folder holding the same clips, bit for bit, whenever
each shard's proposals hold its share of the true top hits (always for libraries the flat scan reads; see
`search`). A shard that cannot answer is named (`engine.ShardUnavailableError`), never left out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..atomic import atomic_output
from ..clips import EmbeddedClip
from ..cores import cores
from ..embed import SequenceEmbedding
from ..errors import MotionsimError
from .library import MotionIndex, check_key, check_model, check_new_folder, embed_query
from .search import Proposers, SearchHit
from .store import IndexFormatError, LibraryMeta, read_meta
from .writer import LibraryWriter

MANIFEST_FILE = "motionsim-shards.json"
MANIFEST_FORMAT = "motionsim-index-shards"
MANIFEST_VERSION = 1


def shard_name(i: int) -> str:
    return f"shard-{i:03d}"


def is_sharded(folder: str | Path) -> bool:
    return (Path(folder) / MANIFEST_FILE).is_file()


def shard_sizes(n_clips: int, n_shards: int) -> list[int]:
    """Clips per shard when ``n_clips`` are dealt round-robin."""
    return [(n_clips - s + n_shards - 1) // n_shards for s in range(n_shards)]


@dataclass
class Manifest:
    """What makes shard folders one library: the model and windows they share, and their clip counts."""

    model: str
    window: int
    stride: int
    shards: list[dict[str, Any]]  # {"folder": name, "clips": n, "windows": n}, in shard order

    @property
    def n_clips(self) -> int:
        return sum(s["clips"] for s in self.shards)

    @property
    def n_windows(self) -> int:
        return sum(s["windows"] for s in self.shards)

    def to_dict(self) -> dict[str, Any]:
        return {"format": MANIFEST_FORMAT, "version": MANIFEST_VERSION, "model": self.model, "window": self.window,
                "stride": self.stride, "assignment": "round-robin: clip i is clip i // N of shard i % N",
                "n_clips": self.n_clips, "n_windows": self.n_windows, "shards": self.shards}


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != MANIFEST_FORMAT:
            raise IndexFormatError(f"{path}: not a sharded motionsim library (format {data.get('format')!r})")
        if data.get("version") != MANIFEST_VERSION:
            raise IndexFormatError(f"{path}: sharded library version {data.get('version')}, this motionsim reads "
                                   f"{MANIFEST_VERSION}; rebuild it")
        manifest = Manifest(data["model"], int(data["window"]), int(data["stride"]),
                            [{"folder": str(s["folder"]), "clips": int(s["clips"]), "windows": int(s["windows"])}
                             for s in data["shards"]])
    except IndexFormatError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexFormatError(f"{path}: damaged shard manifest ({type(exc).__name__}: {exc})") from exc
    counts = [s["clips"] for s in manifest.shards]
    if not counts or counts != shard_sizes(sum(counts), len(counts)):
        raise IndexFormatError(f"{path}: damaged shard manifest (clip counts {counts} are not dealt round-robin)")
    return manifest


def write_manifest(folder: Path, manifest: Manifest) -> None:
    with atomic_output(folder / MANIFEST_FILE) as tmp:
        tmp.write_text(json.dumps(manifest.to_dict(), indent=1) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class ShardSpec:
    """What a shard's worker opens, and what it must find there; ``shards``: how many shards the library has
    (a worker searches with its share of the cores, `ShardSearcher`)."""

    folder: str
    name: str
    clips: int
    windows: int
    model: str
    shards: int = 1


class ShardSearcher:
    """A shard in its worker: searches with ``threads`` compiled-kernel threads, so that shards searched at
    once share the cores instead of each starting one thread per core (whose OpenMP threads would then wait
    on each other, spinning)."""

    def __init__(self, index: MotionIndex, threads: int) -> None:
        self.index, self.threads = index, threads

    def __len__(self) -> int:
        return len(self.index)

    def ranked(self, *args: Any) -> list[tuple[int, SearchHit]]:
        import numba

        numba.set_num_threads(max(1, min(self.threads, numba.config.NUMBA_NUM_THREADS)))  # this thread only
        return self.index.ranked(*args)


def open_shard(spec: ShardSpec) -> ShardSearcher:
    """A shard opened for search, checked against the manifest (a worker's factory: module-level); it
    searches with this machine's cores shared among the library's shards."""
    shard = MotionIndex.open(spec.folder)
    if shard.meta.model != spec.model:
        raise IndexFormatError(f"{spec.folder}: shard built with model {shard.meta.model}, the library with "
                               f"{spec.model}")
    if len(shard) != spec.clips or shard.meta.n_windows != spec.windows:
        raise IndexFormatError(f"{spec.folder}: shard holds {len(shard)} clips / {shard.meta.n_windows} windows, "
                               f"the manifest says {spec.clips} / {spec.windows} (an interrupted `index add`?); "
                               f"rebuild the library")
    return ShardSearcher(shard, max(1, cores() // spec.shards))


class ShardedWriter:
    """Deals embedded clips round-robin to the shards' writers, then writes the shards and, last, the
    manifest."""

    def __init__(self, folder: Path, manifest: Manifest, metas: Sequence[LibraryMeta]) -> None:
        self.folder, self.manifest = folder, manifest
        self.writers = [LibraryWriter(folder / s["folder"], meta) for s, meta in zip(manifest.shards, metas)]
        self.next = manifest.n_clips  # the library number of the next clip

    @property
    def added(self) -> int:
        return sum(w.added for w in self.writers)

    def add(self, clip: EmbeddedClip) -> None:
        self.writers[self.next % len(self.writers)].add(clip)
        self.next += 1

    def finish(self) -> None:
        if not self.added:
            return
        for shard, writer in zip(self.manifest.shards, self.writers):
            writer.finish()
            shard["clips"], shard["windows"] = len(writer.meta.clips), writer.meta.n_windows
        write_manifest(self.folder, self.manifest)


class ShardedIndex:
    """A sharded library opened as one: searched shard by shard on an engine (in parallel threads here, or one
    Ray actor per shard), built and extended here."""

    def __init__(self, folder: Path, manifest: Manifest, model: Any, engine: Any = None) -> None:
        from ..engine import LocalEngine

        self.folder, self.manifest, self.model = folder, manifest, model
        self.engine = engine or LocalEngine()
        self._pool: Any = None
        self.skipped: dict[str, str] = {}

    def __len__(self) -> int:
        return self.manifest.n_clips

    @property
    def n_shards(self) -> int:
        return len(self.manifest.shards)

    @property
    def window(self) -> int:
        return self.manifest.window

    @property
    def stride(self) -> int:
        return self.manifest.stride

    @property
    def n_windows(self) -> int:
        return self.manifest.n_windows

    def shard_folders(self) -> list[Path]:
        return [self.folder / s["folder"] for s in self.manifest.shards]

    @classmethod
    def build(cls, clips: Sequence[str | Path], folder: str | Path, shards: int, *, window: int = 32,
              stride: int = 8, model: Any = None, backend: str = "auto", engine: Any = None,
              progress: bool = True) -> ShardedIndex:
        """Embed ``clips`` (on ``engine``) and write a new library of ``shards`` shards to ``folder``."""
        from ..model.runtime import resolve_model
        from .embedding import embed_into

        folder = Path(folder)
        if shards < 2:
            raise MotionsimError(f"a sharded library needs at least 2 shards, got {shards}")
        check_new_folder(folder)
        ckpt = resolve_model(model, backend)
        manifest = Manifest(ckpt.name, window, stride,
                            [{"folder": shard_name(i), "clips": 0, "windows": 0} for i in range(shards)])
        writer = ShardedWriter(folder, manifest, [LibraryMeta(ckpt.name, window, stride) for _ in range(shards)])
        skipped = embed_into(clips, ckpt, window, stride, engine, progress, folder.parent, writer.add)
        if writer.next < shards:
            raise MotionsimError(f"{shards} shards need at least {shards} clips; {writer.next} of {len(clips)} "
                                 f"could be read" + (": " + next(iter(skipped.values())) if skipped else ""))
        writer.finish()
        lib = cls.load(folder, ckpt)
        lib.skipped = skipped
        return lib

    @classmethod
    def load(cls, folder: str | Path, model: Any = None, backend: str = "auto", engine: Any = None) -> ShardedIndex:
        """Open a sharded library with the model it was built with; its shards are opened on ``engine`` when
        first searched (`start`)."""
        from ..model.runtime import resolve_model

        folder = Path(folder)
        manifest = read_manifest(folder)
        for shard in manifest.shards:
            if not (folder / shard["folder"]).is_dir():
                raise IndexFormatError(f"{folder / shard['folder']}: shard folder missing; the library is damaged")
        ckpt = resolve_model(model, backend)
        check_model(folder, manifest.model, ckpt)
        return cls(folder, manifest, ckpt, engine)

    def specs(self) -> list[ShardSpec]:
        return [ShardSpec(str((self.folder / s["folder"]).resolve()), s["folder"], s["clips"], s["windows"],
                          self.manifest.model, self.n_shards) for s in self.manifest.shards]

    def start(self) -> None:
        """Open every shard on the engine (once: the workers stay up until `close`)."""
        if self._pool is None:
            specs = self.specs()
            self._pool = self.engine.actors(open_shard, specs, [s.name for s in specs])

    def close(self) -> None:
        """Stop the shards' workers."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def __enter__(self) -> ShardedIndex:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def add(self, clips: Sequence[str | Path], engine: Any = None, progress: bool = True) -> int:
        """Append ``clips`` (embedded on ``engine``), dealt round-robin after the library's clips; returns how
        many were added. Clips already in the library (same path) are left out."""
        from .embedding import embed_into

        self.close()  # the shards change under their workers
        metas = [read_meta(f) for f in self.shard_folders()]
        for spec, meta in zip(self.specs(), metas):
            if len(meta.clips) != spec.clips:
                raise IndexFormatError(f"{spec.folder}: shard holds {len(meta.clips)} clips, the manifest says "
                                       f"{spec.clips}; rebuild the library")
        known = {c.path for meta in metas for c in meta.clips}
        new = [c for c in clips if str(Path(c).resolve()) not in known]
        writer = ShardedWriter(self.folder, self.manifest, metas)
        self.skipped = embed_into(new, self.model, self.window, self.stride, engine, progress, self.folder.parent,
                                  writer.add)
        writer.finish()
        self.manifest = read_manifest(self.folder)
        return writer.added

    def embed_query(self, query: Any, flip: bool = False) -> list[SequenceEmbedding]:
        """The query embedded once, here, for every shard (`library.embed_query`)."""
        return embed_query(query, self.model, self.window, self.stride, flip)

    def search(self, query: Any, part: str = "overall", top: int = 10, flip: bool = False,
               candidates: int | None = None, exhaustive: bool = False,
               proposers: Proposers | None = None) -> list[SearchHit]:
        """As `MotionIndex.search`, over every shard (`ranked`)."""
        check_key(part)
        return [hit for _, hit in self.ranked(self.embed_query(query, flip), part, top, candidates, exhaustive,
                                              proposers)]

    def ranked(self, queries: Sequence[SequenceEmbedding], part: str = "overall", top: int = 10,
               candidates: int | None = None, exhaustive: bool = False,
               proposers: Proposers | None = None) -> list[tuple[int, SearchHit]]:
        """(library clip number, hit) of the ``top`` clips, best first: each shard's own best, merged by exact
        score, ties by clip number (as one folder ranks them)."""
        check_key(part)
        self.start()
        answers = self._pool.call("ranked", list(queries), part, top, candidates, exhaustive, proposers)
        n = self.n_shards
        merged = [(local * n + s, hit) for s, hits in enumerate(answers) for local, hit in hits]
        merged.sort(key=lambda t: (-t[1].score, t[0]))
        return merged[:top]


def open_library(folder: str | Path, model: Any = None, backend: str = "auto",
                 engine: Any = None) -> MotionIndex | ShardedIndex:
    """A library folder opened for search: sharded (searched on ``engine``) or one folder (in this process)."""
    if is_sharded(folder):
        return ShardedIndex.load(folder, model, backend, engine)
    return MotionIndex.load(folder, model, backend)
