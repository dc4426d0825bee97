"""Small random-draw and date-format helpers shared by the record builders.

All draws go through a ``numpy.random.Generator`` passed in by the caller; nothing here keeps state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")

EPOCH = dt.date(1970, 1, 1)


def pick(rng: np.random.Generator, items: Sequence[T]) -> T:
    """One item of ``items``, uniformly."""
    return items[int(rng.integers(len(items)))]


def pick_weighted(rng: np.random.Generator, pairs: Sequence[tuple[T, float]]) -> T:
    """One value of ``(value, weight)`` pairs, with probability proportional to its weight."""
    total = sum(w for _, w in pairs)
    u = float(rng.random()) * total
    acc = 0.0
    for value, weight in pairs:
        acc += weight
        if u < acc:
            return value
    return pairs[-1][0]


def sample(rng: np.random.Generator, items: Sequence[T], k: int) -> list[T]:
    """``k`` distinct items of ``items`` in random order (all of them when ``k >= len``)."""
    k = min(k, len(items))
    idx = rng.permutation(len(items))[:k]
    return [items[int(i)] for i in idx]


def chance(rng: np.random.Generator, p: float) -> bool:
    """True with probability ``p``."""
    return bool(rng.random() < p)


def random_date(rng: np.random.Generator, start: dt.date, end: dt.date) -> dt.date:
    """A day uniformly between ``start`` and ``end``, both included."""
    return start + dt.timedelta(days=int(rng.integers((end - start).days + 1)))


def random_time(rng: np.random.Generator) -> dt.time:
    """A time of day between 07:00 and 21:59:59."""
    seconds = int(rng.integers(7 * 3600, 22 * 3600))
    return dt.time(seconds // 3600, seconds // 60 % 60, seconds % 60)


def fmt_date(day: dt.date) -> str:
    """Decision's day-month-year format: "04-05-2021"."""
    return f"{day.day:02d}-{day.month:02d}-{day.year:04d}"


def fmt_datetime(day: dt.date, time: dt.time) -> str:
    """Decision's timestamp format: "10-11-2021 07:29:49"."""
    return f"{fmt_date(day)} {time.hour:02d}:{time.minute:02d}:{time.second:02d}"
