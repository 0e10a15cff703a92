"""A searchable motion library: every clip embedded once, window embeddings in a vector index per body part
and for the whole body, and exact Algorithm 1 re-ranking of the candidates it proposes (`MotionIndex`).

Needs the ``index`` extra (faiss-cpu); names load on first use, so importing this package is free."""

from __future__ import annotations

from .._lazy import lazy_exports

__all__ = ["KEYS", "IndexFormatError", "MotionIndex", "SearchHit"]

__getattr__ = lazy_exports(__name__, {"KEYS": "store", "IndexFormatError": "store", "MotionIndex": "library",
                                      "SearchHit": "search"})
