"""A searchable motion library: every clip embedded once, window embeddings in a vector index per body part
and for the whole body, and exact Algorithm 1 re-ranking of the candidates it proposes (`MotionIndex`).

Building a library and the vote of libraries too large to scan need the ``index`` extra (faiss-cpu); opening
and searching a library that the exact scans answer do not. Names load on first use, so importing is free."""

from __future__ import annotations

from .._lazy import lazy_exports

__all__ = ["KEYS", "IndexFormatError", "MotionIndex", "SearchHit"]

__getattr__ = lazy_exports(__name__, {"KEYS": "store", "IndexFormatError": "store", "MotionIndex": "library",
                                      "SearchHit": "search"})
