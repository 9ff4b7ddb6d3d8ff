"""Lengths of stay on the time-step grid, shared by the aggregate model and the journeys.

An individual's stay (or delay) is drawn from its distribution and rounded to whole time
steps, at least one: :func:`step_probabilities` gives the probability of each number of
steps. Exponential and Erlang stays are the exception: the aggregate model carries them
through an Erlang cascade of stocks, so individuals take the cascade's own number of steps
(negative binomial, with exactly the mean). The aggregate model turns the probabilities
into a few fixed (pipeline) delays with :func:`pipeline_mixture`; the mixture keeps the
mean exactly, so mean occupancies of the two simulations agree.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from wholesystem.system.spec import Distribution, Duration

__all__ = ["cdf", "step_probabilities", "cascade_order", "PipelineTerm",
           "pipeline_mixture", "length_biased"]

_TAIL = 1e-9
_MAX_STEPS = 200_000


def cdf(duration: Duration, x: NDArray[np.floating]) -> NDArray[np.float64]:
    """P(duration <= x), element by element."""
    x = np.asarray(x, dtype=float)
    positive = np.maximum(x, 1e-300)
    kind = duration.distribution
    if kind is Distribution.FIXED:
        return (x >= duration.mean).astype(float)
    if kind is Distribution.LOGNORMAL:
        z = (np.log(positive) - duration.mu) / (duration.sigma * math.sqrt(2.0))
        erf = np.vectorize(math.erf, otypes=[float])
        return np.where(x > 0, 0.5 * (1.0 + erf(z)), 0.0)
    order = duration.order if kind is Distribution.ERLANG else 1
    rate = order / duration.mean
    scaled = rate * np.maximum(x, 0.0)
    term = np.exp(-scaled)
    total = term.copy()
    for i in range(1, order):
        term = term * scaled / i
        total += term
    return np.where(x > 0, 1.0 - total, 0.0)


def step_probabilities(duration: Duration, step: float) -> NDArray[np.float64]:
    """``p[k]`` = P(a stay lasts k steps), k = 0, 1, 2...; ``p[0]`` is always 0.

    A drawn stay L lasts ``max(1, round(L / step))`` steps; like every distribution's
    tail, stays past ``_MAX_STEPS`` steps are held at it (a fixed stay of 1e9 days once
    asked for 8 GB here).
    """
    if duration.distribution is Distribution.FIXED:
        steps = max(1, round(min(duration.mean / step, _MAX_STEPS)))
        p = np.zeros(steps + 1)
        p[steps] = 1.0
        return p
    if duration.distribution in (Distribution.EXPONENTIAL, Distribution.ERLANG):
        return _cascade_probabilities(duration, step)
    size = 64
    while True:
        edges = (np.arange(size + 1) + 0.5) * step
        upper = cdf(duration, edges)
        if upper[-1] >= 1.0 - _TAIL or size >= _MAX_STEPS:
            break
        size *= 2
    p = np.zeros(size + 1)
    p[1] = upper[1]
    p[2:] = np.diff(upper[1:])
    p[-1] += 1.0 - upper[-1]
    if duration.longest is not None:
        # A redrawing model draws again stays that round to zero as well as long ones.
        p[1] -= upper[0]
        p = _truncated(p, duration.longest, step)
    last = int(np.flatnonzero(p > 0)[-1])
    return p[: last + 1]


def _truncated(p: NDArray[np.float64], longest: float, step: float) -> NDArray[np.float64]:
    """Stays of ``longest`` or more drawn again: the rest keep their relative chances."""
    kept = np.arange(len(p)) * step < longest - 1e-9
    kept[0] = False
    if not (p * kept).sum() > 0:
        kept[1] = True  # nothing shorter than one step is left: everyone stays one step
        return kept.astype(float)
    q = np.where(kept, p, 0.0)
    return q / q.sum()


def cascade_order(duration: Duration, step: float) -> int:
    """Stages of the Erlang cascade that carries ``duration`` (0: shorter than a step).

    Each stage must last at least one step, so the order is capped at mean / step.
    """
    order = duration.order if duration.distribution is Distribution.ERLANG else 1
    return min(order, math.floor(duration.mean / step + 1e-9))


def _cascade_probabilities(duration: Duration, step: float) -> NDArray[np.float64]:
    """Steps spent in an Euler-integrated Erlang cascade: each of ``order`` stages keeps
    a person for a geometric number of steps (leaving with probability step / stage time
    each step), so the total is negative binomial with exactly the mean stay."""
    order = cascade_order(duration, step)
    if order < 1:
        return np.array([0.0, 1.0])
    leave = order * step / duration.mean
    size = 64
    while True:
        m = np.arange(size + 1, dtype=float)
        log_p = np.full(size + 1, -np.inf)
        ok = m >= order
        k = m[ok]
        lgamma = np.vectorize(math.lgamma, otypes=[float])
        if leave >= 1:
            p = np.zeros(size + 1)
            p[order] = 1.0
        else:
            log_p[ok] = (lgamma(k) - lgamma(np.full_like(k, order)) - lgamma(k - order + 1)
                         + order * math.log(leave) + (k - order) * math.log1p(-leave))
            p = np.exp(log_p)
        if p.sum() >= 1.0 - _TAIL or size >= _MAX_STEPS:
            break
        size *= 2
    p[-1] += max(0.0, 1.0 - p.sum())
    last = int(np.flatnonzero(p > 0)[-1])
    return p[: last + 1]


@dataclass(frozen=True, slots=True)
class PipelineTerm:
    """One fixed delay of a mixture: a share of the people leave after ``steps`` steps."""

    steps: int
    """Delay in whole time steps (at least 1)."""
    weight: float
    """Share of the people who take this delay."""
    initial_rate: float
    """Leaving rate (per time unit, per person in service at the start, per unit of
    weight) before ``steps`` have passed: how people already in service at time 0 leave."""


def pipeline_mixture(duration: Duration, step: float, horizon_steps: int,
                     remaining: str = "residual", groups: int = 12
                     ) -> tuple[PipelineTerm, ...]:
    """A few pipeline delays whose mixture has the same mean number of steps.

    Steps are grouped into about ``groups`` runs of equal probability; each group becomes
    the two whole-step delays around its mean, weighted to keep the mean. Stays longer
    than the horizon are one term (nobody takes them within the run anyway).
    ``remaining`` says how people in service at time 0 leave: ``residual`` (as in a
    steady state) or ``uniform`` (a uniform share of a fresh stay). Their leaving rate is
    a staircase that falls at each term's delay and delivers each of them exactly once.
    """
    p = step_probabilities(duration, step)
    steps = np.arange(len(p), dtype=float)
    mean_steps = float(np.sum(p * steps))
    within = p[: horizon_steps + 1]
    tail = float(p[horizon_steps + 1:].sum())
    terms: list[tuple[float, float]] = []  # (steps, weight)
    for group in _groups(within, groups):
        weight = float(within[group].sum())
        if weight <= 0:
            continue
        mean = float(np.sum(within[group] * steps[group]) / weight)
        low, high = math.floor(mean), math.ceil(mean)
        upper_share = mean - low if high != low else 0.0
        for k, part in ((low, 1.0 - upper_share), (high, upper_share)):
            if part > 1e-12:
                terms.append((k, weight * part))
    if tail > 0:
        terms.append((horizon_steps + 1, tail))
    merged = _merge(terms)
    rates = _initial_staircase(p, [k for k, _ in merged], mean_steps, remaining)
    return tuple(PipelineTerm(max(1, k), w, rate / (w * step))
                 for (k, w), rate in zip(merged, rates, strict=True))


def _groups(p: NDArray[np.float64], groups: int) -> list[NDArray[np.intp]]:
    support = np.flatnonzero(p > 1e-15)
    if len(support) <= 2 * groups:
        return [np.array([k]) for k in support]
    cumulative = np.cumsum(p[support]) / p[support].sum()
    cuts = np.searchsorted(cumulative, np.arange(1, groups) / groups, side="left")
    return [g for g in np.split(support, np.unique(cuts + 1)) if len(g)]


def _merge(terms: list[tuple[float, float]]) -> list[tuple[int, float]]:
    merged: dict[int, float] = {}
    for k, weight in terms:
        merged[int(k)] = merged.get(int(k), 0.0) + weight
    return sorted(merged.items())


def _initial_staircase(p: NDArray[np.float64], delays: list[int], mean_steps: float,
                       remaining: str) -> list[float]:
    """Per term, the share of the people in service at time 0 leaving per step.

    A person with a stay of j steps found in service leaves at step m < j; the share
    leaving at step m is ``r(m)`` = sum over j > m of p_j / j (``uniform``: any point of
    a fresh stay) or p_j / mean (``residual``: stays found in progress). Term g
    contributes for steps before its delay, so the terms add up to a staircase; each
    stair is the average of r over its steps, so everyone leaves exactly once.
    """
    j = np.arange(len(p), dtype=float)
    per_stay = np.divide(p, j, out=np.zeros_like(p), where=j > 0)
    if remaining != "uniform":
        per_stay = p / mean_steps
    # r(m) for m = 0 .. len(p) - 1: tail sums of per_stay over j > m
    r = np.concatenate([np.cumsum(per_stay[::-1])[::-1][1:], [0.0]])
    bounds = [0, *delays]
    levels = [float(r[a:b].sum()) / (b - a) for a, b in itertools.pairwise(bounds)]
    # stays longer than the last delay leave within the last stair
    levels[-1] += float(r[bounds[-1]:].sum()) / (bounds[-1] - bounds[-2])
    levels.append(0.0)
    return [levels[g] - levels[g + 1] for g in range(len(delays))]


def length_biased(duration: Duration) -> Duration:
    """The stays of people found in service in a steady state (longer stays are more
    likely to be found): their remaining stay is a uniform share of one of these."""
    from dataclasses import replace

    if duration.distribution is Distribution.LOGNORMAL:
        mean = math.exp(duration.mu + 1.5 * duration.sigma ** 2)
        return replace(duration, mean=mean)
    if duration.distribution in (Distribution.EXPONENTIAL, Distribution.ERLANG):
        order = duration.order if duration.distribution is Distribution.ERLANG else 1
        return Duration(duration.mean * (order + 1) / order, Distribution.ERLANG,
                        order=order + 1, span=duration.span)
    return duration
