"""Where in the reference is a user who practises at their own pace: an online alignment for free practice.

Each new window of the take brings a cost against every window of the reference (1 - cosine, parts weighted
as in the overall score). A dynamic-time-warping recurrence over those rows follows the best path through the
reference, one row at a time:

    D_i[j] = c_i[j] + decay * min(D_{i-1}[j], D_{i-1}[j-1], D_{i-1}[j-2], min(D_{i-1}) + jump)

- steps of 0, 1 or 2 reference windows per take frame: the user may hold still (a pause) or go at up to twice
  the reference's speed;
- ``jump`` lets a path start again anywhere (open begin: the first row is the cost itself), for a user who
  repeats a passage or skips one, at a price, so that one odd frame does not throw the position around;
- ``decay`` < 1 forgets old rows (about ``1 / (1 - decay)`` frames of memory), so the position follows the
  recent motion and the values stay bounded however long the take.

The position is the argmin of the last row. A row costs O(reference windows): the cost of a frame does not grow
with the length of the take.
"""

from __future__ import annotations

import numpy as np


class OnlineAligner:
    """Track the position of a stream in a fixed sequence of ``n`` reference windows.

    Parameters
    ----------
    n : reference windows
    max_step : the most reference windows one take frame may advance (2: up to twice the reference's speed)
    decay : weight of the past against the newest row (memory of about 1 / (1 - decay) rows)
    jump : the price, in cost units (a cost is in [0, 2]), of starting again elsewhere in the reference

    Examples
    --------
    >>> costs = 1.0 - np.eye(6)  # the stream goes through the reference one window per frame
    >>> tracker = OnlineAligner(6)
    >>> [tracker.update(c) for c in costs]
    [0, 1, 2, 3, 4, 5]
    """

    def __init__(self, n: int, max_step: int = 2, decay: float = 0.95, jump: float = 1.0) -> None:
        if n < 1:
            raise ValueError(f"the reference needs at least one window, got {n}")
        self.n, self.max_step, self.decay, self.jump = int(n), int(max_step), float(decay), float(jump)
        self._row: np.ndarray | None = None
        self.position: int | None = None

    def update(self, cost: np.ndarray) -> int:
        """Add the cost of the newest take window against every reference window, shape=(n,); return the
        reference window it is aligned with."""
        cost = np.asarray(cost, dtype=np.float64)
        if cost.shape != (self.n,):
            raise ValueError(f"expected {self.n} costs, got shape {cost.shape}")
        if self._row is None:
            row = cost.copy()
        else:
            prev = self._row
            best = prev.copy()
            for step in range(1, self.max_step + 1):
                np.minimum(best[step:], prev[:-step], out=best[step:])
            best = np.minimum(best, prev.min() + self.jump)
            row = cost + self.decay * best
        row -= row.min()  # only differences matter; keeps the values small
        self._row = row
        self.position = int(np.argmin(row))
        return self.position

    def reset(self) -> None:
        """Forget the path (the next row starts anywhere)."""
        self._row, self.position = None, None
