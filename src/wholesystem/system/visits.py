"""Visit schedules of a visits service, shared by the aggregate model and the journeys.

A person of a visits service (home care, discharge to assess at home) stays a number of
days and needs a number of visits each day, falling in a straight line from the profile's
``first`` to its ``last`` over their own stay, rounded to whole visits (numpy's rounding,
half to even, as R's ``round`` does). The journeys simulation books each person's whole
schedule into the days' visit capacity; the aggregate model carries people and turns the
visit capacity into place equivalents with the mean visits per person-day
(:func:`mean_visits_per_day`), so that the two agree on visits made while capacity does
not bind.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from wholesystem.system.spec import Duration, VisitProfile
from wholesystem.system.stays import step_probabilities

__all__ = ["schedule", "scheduled_visits", "daily_visit_chances", "mean_visits_per_day"]

_SPREAD_LIMIT = 3.0
"""Draws more than this many standard deviations above the mean are drawn again."""


def schedule(first: int, last: int, days: int) -> NDArray[np.int64]:
    """Visits on each day of a stay of ``days`` days (at least one).

    Day ``i`` of ``n + 1`` needs ``first + (last - first) i / n`` visits, rounded half to
    even in exact integer arithmetic, so that a value such as 2.5 is a tie on every
    platform and :func:`scheduled_visits` can count the same schedule in closed form.
    """
    n = max(1, days) - 1
    if n == 0:
        return np.array([first], dtype=np.int64)
    scaled = first * n + (last - first) * np.arange(n + 1, dtype=np.int64)
    whole, rest = np.divmod(scaled, n)  # floor division: rest in [0, n)
    up = (2 * rest > n) | ((2 * rest == n) & (whole % 2 == 1))
    return (whole + up).astype(np.int64)


def scheduled_visits(first: int, last: int, days: NDArray[np.int64]) -> NDArray[np.int64]:
    """Total visits of :func:`schedule` for each stay length in ``days``, without building
    the schedules (a long-tailed stay has thousands of possible lengths).

    With ``d = last - first`` and ``n = days - 1``, the schedule adds to ``first`` one visit
    for each step ``j = 1..|d|`` on the days whose straight-line value has passed
    ``first + j - 1/2`` (``d i / n > j - 1/2``, counted as ``n - floor(n (2j - 1) / 2d)``),
    plus the day exactly at ``j - 1/2`` when half-to-even rounds it that way.
    """
    k = np.maximum(np.asarray(days, dtype=np.int64), 1)
    n = k - 1
    total = k * first
    d = last - first
    size = abs(d)
    sign = 1 if d > 0 else -1
    for j in range(1, size + 1):
        numerator = n * (2 * j - 1)
        passed = n - numerator // (2 * size)
        tie = (numerator % (2 * size) == 0) & (n > 0)
        # The tie value first + sign (j - 1/2) rounds away from first when the integer
        # on that side (first + sign j) is even.
        away = (first + sign * j) % 2 == 0
        total = total + sign * (np.where(n > 0, passed, 0) + (tie & away))
    return total


def daily_visit_chances(mean: float, spread: float) -> tuple[NDArray[np.int64],
                                                             NDArray[np.float64]]:
    """Whole numbers of visits a day and their probabilities, for one end of a profile.

    A normal draw (mean, spread) rounded to whole visits, drawn again when below one or
    above ``mean + 3 spread``; without a spread, ``mean`` rounded (at least one).
    """
    if spread <= 0:
        return np.array([max(1, round(mean))]), np.array([1.0])
    top = math.floor(mean + _SPREAD_LIMIT * spread + 1e-9)
    values = np.arange(1, max(1, top) + 1)
    phi = np.vectorize(lambda x: 0.5 * (1.0 + math.erf(x / math.sqrt(2.0))), otypes=[float])
    upper = phi((values + 0.5 - mean) / spread)
    lower = phi((values - 0.5 - mean) / spread)
    p = np.maximum(upper - lower, 0.0)
    if not p.sum() > 0:
        return np.array([max(1, round(mean))]), np.array([1.0])
    return values, p / p.sum()


def mean_visits_per_day(profile: VisitProfile, stay: Duration, step: float = 1.0) -> float:
    """Expected visits per person-day: expected visits of a stay over its expected length.

    Exact over the stay distribution on the step grid and the first and last visits'
    distributions (the three are drawn independently).
    """
    p_days = step_probabilities(stay, step)
    firsts, p_first = daily_visit_chances(profile.first, profile.spread)
    lasts, p_last = daily_visit_chances(profile.last, profile.spread)
    days = np.flatnonzero(p_days > 1e-12)
    expected_days = float(np.sum(p_days[days] * days))
    expected_visits = 0.0
    for f, pf in zip(firsts, p_first, strict=True):
        for last, pl in zip(lasts, p_last, strict=True):
            totals = scheduled_visits(int(f), int(last), days)
            expected_visits += pf * pl * float(np.sum(p_days[days] * totals))
    return expected_visits / expected_days
