"""Live coaching: score a motion against a reference while it happens (a camera, or a video standing in for one).

- `LiveSession` (session.py): the streaming scorer; push a pose per frame, get the five part scores and the
  overall of each new window against the matching part of the reference ("follow" or "free" practice);
- `open_source` (source.py): a camera or a video file as live frames, dropped rather than queued when the
  pipeline falls behind;
- `LiveTake`, `run_take` / `take_result` (take.py): a take fed frame by frame (from a source, or from anywhere),
  through a pose estimator, and its `compare` result;
- `StreamPreprocessor` (preprocess.py), `OnlineAligner` (align.py): the causal preprocessing and the online
  alignment they use.

Nothing heavy is imported here: each name loads its module on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

__all__ = ["LiveScore", "LiveSession", "LiveTake", "OnlineAligner", "StreamPreprocessor", "Take", "open_source",
           "run_take", "take_result"]

if TYPE_CHECKING:  # pragma: no cover
    from .align import OnlineAligner
    from .preprocess import StreamPreprocessor
    from .session import LiveScore, LiveSession
    from .source import open_source
    from .take import LiveTake, Take, run_take, take_result

__getattr__ = lazy_exports(__name__, {"LiveScore": "session", "LiveSession": "session", "OnlineAligner": "align",
                                      "StreamPreprocessor": "preprocess", "open_source": "source", "LiveTake": "take",
                                      "Take": "take", "run_take": "take", "take_result": "take"})
