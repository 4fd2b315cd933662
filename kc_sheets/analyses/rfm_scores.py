"""RFM scores: a value becomes a score from 1 to 5, by quintiles of the customer base or by four
cut points, and F and M make one FM score (the rules are in :mod:`kc_sheets.analyses.rfm`)."""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np


def quintile_scores(values: Iterable[float], higher_is_better: bool = True) -> np.ndarray:
    """Scores 1..5 by fifths of the customer base; equal values share the lower score.

    score = 1 + floor(5 x (W + 0.5) / N), W = customers with a strictly worse value, N =
    customers (computed in integers: never on a boundary, so never a rounding question).

    >>> quintile_scores([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]).tolist()
    [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    >>> quintile_scores([1, 1, 1, 1, 1, 1, 2, 2, 3, 7]).tolist()      # ties share a score
    [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]
    >>> quintile_scores([3, 40, 200], higher_is_better=False).tolist()  # fewer days is better
    [5, 3, 1]
    """
    v = np.asarray(values)
    v = v.astype(np.int64 if v.dtype.kind in "biu" else float)
    n = len(v)
    if not higher_is_better:
        v = -v
    worse = _strictly_below(v)
    return 1 + (5 * (2 * worse + 1)) // max(2 * n, 1)


def _strictly_below(v: np.ndarray) -> np.ndarray:
    """For each value, how many values are strictly lower (one sort, or one count for days and
    purchase counts)."""
    if not len(v):
        return np.zeros(0, dtype=np.int64)
    if v.dtype.kind == "i" and int(v.max()) - int(v.min()) <= 4 * len(v) + 10_000:
        offset = v - v.min()
        counts = np.bincount(offset)
        return (np.cumsum(counts) - counts)[offset]
    order = np.argsort(v, kind="stable")
    ordered = v[order]
    starts = np.ones(len(v), dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    below = np.empty(len(v), dtype=np.int64)
    below[order] = np.maximum.accumulate(np.where(starts, np.arange(len(v)), 0))
    return below


def threshold_scores(values: Iterable[float], cut_points: Sequence[float],
                     higher_is_better: bool = True) -> np.ndarray:
    """Scores 1..5 from four cut points; a value equal to a cut point gets the better score.

    >>> threshold_scores([1, 2, 4, 5, 12], [2, 3, 5, 10]).tolist()
    [1, 2, 3, 4, 5]
    >>> threshold_scores([0, 30, 31, 365, 366], [30, 90, 180, 365], False).tolist()
    [5, 5, 4, 2, 1]
    """
    v = np.asarray(values, dtype=float)
    cuts = np.sort(np.asarray(cut_points, dtype=float))
    if higher_is_better:
        return (1 + np.searchsorted(cuts, v, side="right")).astype(np.int64)
    return (5 - np.searchsorted(cuts, v, side="left")).astype(np.int64)


def fm_scores(f_score: Iterable[int], m_score: Iterable[int]) -> np.ndarray:
    """FM = (F + M) / 2 rounded half up (2.5 -> 3, 3.5 -> 4; not Python's round to even).

    >>> fm_scores([2, 3, 1, 5], [3, 4, 1, 4]).tolist()
    [3, 4, 1, 5]
    """
    return (np.asarray(f_score, dtype=np.int64) + np.asarray(m_score, dtype=np.int64) + 1) // 2

