"""Writing a library folder of format 2 clip by clip: each clip's window rows are appended to the folder's
tables as it arrives (memory holds one clip, not the library: 200,000 clips are ~23 GB of float32 windows),
then `LibraryWriter.finish` writes the sketches and, last, the metadata that makes the folder a library.

Appending to an existing library (`index add`) appends to its tables in place; rows beyond the metadata's
windows, left by an interrupted add, are cut first, so an interrupted add leaves the library as it was.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..atomic import atomic_output
from ..clips import EmbeddedClip
from ..skeleton import BODY_PARTS
from .embedding import record_of
from .sketch import fit_basis, needs_refit, project
from .store import (
    SKETCH_DIMS,
    LibraryMeta,
    TableWriter,
    basis_file,
    embeddings_file,
    read_embeddings,
    read_sketches,
    sketch_file,
    write_meta,
)


class LibraryWriter:
    """Adds embedded clips to a format-2 library folder (a new one when ``meta`` has no clips)."""

    def __init__(self, folder: str | Path, meta: LibraryMeta) -> None:
        self.folder, self.meta = Path(folder), meta
        self.start = meta.n_windows  # rows of the library before this writer
        self.fresh = not meta.clips
        self.added = 0
        self._rows = self.start
        self._tables: dict[str, TableWriter] = {}
        self._sketches: dict[str, TableWriter] = {}
        self._bases: dict[str, np.ndarray] = {}

    def _open(self, dims: dict[str, int]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        keep = None if self.fresh else self.start
        self._tables = {p: TableWriter(embeddings_file(self.folder, p), self.meta.dtype, dims[p], keep)
                        for p in BODY_PARTS}
        if not self.fresh:  # sketches of the new rows with the library's projections (unless refitted)
            _, self._bases = read_sketches(self.folder, self.meta)
            self._sketches = {p: TableWriter(sketch_file(self.folder, p), np.float16, self.meta.sketch["dims"], keep)
                              for p in BODY_PARTS}

    def add(self, clip: EmbeddedClip) -> None:
        """Append one clip (its first variant: as filmed) after the clips written so far."""
        parts = clip.variants[0].parts
        if not self._tables:
            self._open({p: parts[p].shape[1] for p in BODY_PARTS})
        record = record_of(clip, self._rows)
        for p in BODY_PARTS:
            stored = np.asarray(parts[p], dtype=self.meta.dtype)
            self._tables[p].append(stored)
            if self._sketches:
                self._sketches[p].append(project(stored, self._bases[p]))
        self.meta.clips.append(record)
        self._rows += record.n_windows
        self.added += 1

    def finish(self) -> None:
        """Close the tables, write the sketches (all of them again when the projections are fitted anew) and
        then the metadata. Writes nothing when no clip was added."""
        if not self.added:
            return
        for writer in (*self._tables.values(), *self._sketches.values()):
            writer.close()
        fitted_on = self.meta.sketch.get("fitted_on", 0)
        if self.fresh or needs_refit(fitted_on, self.meta.n_windows):
            parts = read_embeddings(self.folder, self.meta)
            for p in BODY_PARTS:
                basis = fit_basis(parts[p])
                with atomic_output(sketch_file(self.folder, p)) as tmp:
                    writer = TableWriter(tmp, np.float16, SKETCH_DIMS)
                    writer.append(project(parts[p], basis))
                    writer.close()
                with atomic_output(basis_file(self.folder, p)) as tmp, tmp.open("wb") as f:
                    np.save(f, basis)
            self.meta.sketch = {"dims": SKETCH_DIMS, "fitted_on": self.meta.n_windows}
        write_meta(self.folder, self.meta)
