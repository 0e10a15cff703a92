"""A searchable motion library: every clip embedded once, a scan (exact, or on window sketches for large
libraries) proposing candidates, and exact Algorithm 1 re-ranking of them (`MotionIndex`); a library split
into shards searched as one, in parallel or one Ray actor per shard (`ShardedIndex`); `open_library` opens
either.

Building, opening and searching a library need nothing beyond the plain install; libraries of the former
format 1 need the ``index`` extra (faiss-cpu) to grow or when too large to scan. Names load on first use, so
importing is free."""

from __future__ import annotations

from .._lazy import lazy_exports

__all__ = ["KEYS", "IndexFormatError", "MotionIndex", "Proposers", "SearchHit", "ShardedIndex", "open_library"]

__getattr__ = lazy_exports(__name__, {"KEYS": "store", "IndexFormatError": "store", "MotionIndex": "library",
                                      "Proposers": "search", "SearchHit": "search", "ShardedIndex": "sharded",
                                      "open_library": "sharded"})
