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

__all__ = ["schedule", "daily_visit_chances", "mean_visits_per_day"]

_SPREAD_LIMIT = 3.0
"""Draws more than this many standard deviations above the mean are drawn again."""


def schedule(first: int, last: int, days: int) -> NDArray[np.int64]:
    """Visits on each day of a stay of ``days`` days (at least one)."""
    return np.round(np.linspace(first, last, max(1, days))).astype(np.int64)


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
            totals = np.array([schedule(int(f), int(last), int(k)).sum() for k in days])
            expected_visits += pf * pl * float(np.sum(p_days[days] * totals))
    return expected_visits / expected_days
