"""Occupancy of wards with no bed limit: arrival rates, mean occupancy and a daily audit.

Capacity planning by the probability of delay (Monks et al. 2016, *BMC Health Services
Research* 16:530) starts from the occupancy a ward *would* have if it never turned anyone
away: every patient is admitted, stays their drawn length of stay and moves on along the
pathway. The occupancy is audited at fixed times (once a day in the paper) after a
warm-up, and the audits make its distribution. :mod:`wholesystem.analysis.delays` turns
that distribution into the probability that an arriving patient finds every bed full.

Two ways to the distribution, both from the same system file:

- :func:`audit_occupancy` simulates the people one by one in continuous time, as the
  paper's discrete-event model does (Poisson arrivals for each need, each person's stay
  drawn from the service's distribution, routes drawn from the pathway), and counts
  each ward's occupants at every audit time. No capacity is applied, so the runs of a
  batch are independent and drawn all at once.
- :func:`mean_occupancy` gives each ward's mean occupancy from the traffic equations
  (arrival rate into each service times its mean stay; Little's law). With Poisson
  arrivals and no limit, occupancy is Poisson with that mean whatever the stay
  distribution (the M/G/infinity queue; departures of an M/G/infinity queue are again
  Poisson, so this holds along the pathway too).

A *ward* is the set of services whose people share its beds: services name it with
``ward:`` (the stroke example's acute stroke unit holds stroke, TIA, neurological and
other patients, each a service with its own stays and routes); a service that names no
ward is a ward of its own. Contacts services hold nobody and are left out.

>>> import wholesystem
>>> from wholesystem.system.read import read_system
>>> spec = read_system(wholesystem.example_path("stroke"))
>>> {w.id: round(m, 3) for w, m in zip(wards_of(spec), mean_occupancy(spec).values())}
{'asu': 8.145, 'rehab': 9.718}
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from wholesystem.errors import ParameterError
from wholesystem.limits import Limits
from wholesystem.system.spec import Distribution, Duration, ServiceKind, SystemSpec

__all__ = ["Ward", "OccupancyAudit", "wards_of", "arrival_rates", "mean_occupancy",
           "audit_occupancy"]

_MAX_ROUNDS = 100_000
"""Most moves along a pathway one person may make within an audit (a loop of routes
whose every stay is zero would otherwise never end)."""


@dataclass(frozen=True, slots=True)
class Ward:
    """A set of services whose people share one ward's beds."""

    id: str
    """The ward named by its services' ``ward:``, or the one service's id."""
    services: tuple[str, ...]
    """Service ids, in file order."""


@dataclass(frozen=True, slots=True)
class OccupancyAudit:
    """Each ward's occupancy at every audit time of every run, with no bed limit."""

    wards: tuple[Ward, ...]
    """The wards audited."""
    counts: dict[str, NDArray[np.int64]] = field(repr=False)
    """Ward id -> occupants, shape (runs, audits)."""
    runs: int
    """Independent runs."""
    warm_up: float
    """Time before the first audit (the wards start empty), in the system's time unit."""
    every: float
    """Time between audits."""
    admissions: float
    """Factor applied to every arrival rate of the system file."""
    seed: int
    """Seed of the batch."""

    def distribution(self, ward: str) -> NDArray[np.float64]:
        """Share of audits at each occupancy 0, 1, 2, ... of ``ward``."""
        counts = np.bincount(self.counts[ward].ravel())
        return counts / counts.sum()


def wards_of(spec: SystemSpec) -> tuple[Ward, ...]:
    """The wards of a system: services grouped by ``ward:`` (contacts services left out).

    >>> import wholesystem
    >>> from wholesystem.system.read import read_system
    >>> [w.id for w in wards_of(read_system(wholesystem.example_path("delayed_discharge_system")))]
    ['hospital', 'home_care']
    """
    grouped: dict[str, list[str]] = {}
    for service in spec.services:
        if service.kind is not ServiceKind.CONTACTS:
            grouped.setdefault(service.ward or service.id, []).append(service.id)
    return tuple(Ward(w, tuple(ids)) for w, ids in grouped.items())


def arrival_rates(spec: SystemSpec, admissions: float = 1.0) -> dict[str, float]:
    """People arriving at each service per time unit in the long run, with no limit.

    External arrivals are the needs' rates (times the population for per-person rates,
    less any prevention at full effect); people routed on from a service arrive at the
    next at the rate they leave (traffic equations: rate = external + routing' x rate).
    Every arrival rate must be constant, since the occupancy sought is a steady state.
    """
    if not admissions > 0:
        raise ParameterError(f"admissions factor {admissions:g} is not positive")
    index = {s.id: i for i, s in enumerate(spec.services)}
    external = np.zeros(len(index))
    for cohort in spec.cohorts:
        for need in cohort.needs:
            external[index[need.service]] += _steady_rate(spec, cohort.id, need.id)
    routing = np.zeros((len(index), len(index)))
    for service in spec.services:
        for route in spec.routes_from(service.id):
            if route.to in index:
                routing[index[service.id], index[route.to]] += route.fraction
    try:
        rates = np.linalg.solve(np.eye(len(index)) - routing.T, external * admissions)
    except np.linalg.LinAlgError:
        raise ParameterError("the pathways send everyone round a loop for ever, so no "
                             "steady occupancy exists") from None
    return {s.id: float(rates[index[s.id]]) for s in spec.services}


def _steady_rate(spec: SystemSpec, cohort_id: str, need_id: str) -> float:
    cohort = next(c for c in spec.cohorts if c.id == cohort_id)
    need = next(n for n in cohort.needs if n.id == need_id)
    quantities = [need.arrivals]
    if need.per_person and cohort.population is not None:
        quantities.append(cohort.population)
    if any(not q.is_constant for q in quantities):
        raise ParameterError(f"arrivals of need '{need_id}' change over time; occupancy "
                             "without a bed limit is worked out for constant arrival rates",
                             need.arrivals.span)
    rate = float(np.prod([q.value for q in quantities]))
    return rate * (1.0 - spec.prevented_share(cohort_id, need_id, float("inf")))


def mean_occupancy(spec: SystemSpec, admissions: float = 1.0) -> dict[str, float]:
    """Each ward's mean occupancy with no bed limit: arrival rate x mean stay, summed.

    A lognormal stay with ``longest`` is counted at its written mean, although the
    redrawn stays average a little less.
    """
    rates = arrival_rates(spec, admissions)
    return {ward.id: sum(rates[s] * _mean_stay(spec, s) for s in ward.services)
            for ward in wards_of(spec)}


def _mean_stay(spec: SystemSpec, service_id: str) -> float:
    stay = spec.service(service_id).length_of_stay
    return stay.mean if stay is not None else 0.0


def audit_occupancy(spec: SystemSpec, *, runs: int = 150, warm_up: float = 3 * 365.0,
                    audits: int = 5 * 365, every: float = 1.0, seed: int = 0,
                    admissions: float = 1.0, limits: Limits | None = None
                    ) -> OccupancyAudit:
    """Simulate every ward with no bed limit and count its occupants at each audit.

    Runs start empty; ``audits`` counts are taken ``every`` time units from ``warm_up``
    on (the paper: 3 years' warm-up, then 5 years of daily audits, 150 runs). Times are
    in the system's time unit. One generator, from ``numpy.random.SeedSequence(seed)``,
    draws the whole batch.
    """
    limits = limits or Limits()
    limits.check("max_runs", runs, "the occupancy audit (runs)")
    if runs < 1 or audits < 1 or not every > 0 or not warm_up >= 0:
        raise ParameterError("an occupancy audit needs runs >= 1, audits >= 1, every > 0 "
                             "and warm_up >= 0")
    rates = arrival_rates(spec, admissions)
    end = warm_up + audits * every
    limits.check("max_people", sum(rates.values()) * end * runs,
                 "the occupancy audit (people expected: arrivals x time x runs)")
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    stays = _simulate_stays(spec, rates, runs, end, rng, admissions)
    times = warm_up + every * np.arange(audits, dtype=np.float64)
    wards = wards_of(spec)
    counts = {w.id: _count(stays, w, runs, end, times) for w in wards}
    return OccupancyAudit(wards, counts, runs, warm_up, every, admissions, seed)


_Batch = tuple[str, NDArray[np.int64], NDArray[np.float64]]
"""People arriving at a service: its id, their runs and arrival times."""

_Stays = dict[str, list[tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]]]
"""Service id -> (run, start, end) arrays of every stay simulated."""


def _simulate_stays(spec: SystemSpec, rates: dict[str, float], runs: int, end: float,
                    rng: np.random.Generator, admissions: float) -> _Stays:
    pending = list(_external_arrivals(spec, runs, end, rng, admissions))
    stays: _Stays = {s.id: [] for s in spec.services}
    for _ in range(_MAX_ROUNDS):
        if not pending:
            return stays
        service_id, run, start = pending.pop()
        service = spec.service(service_id)
        if service.kind is ServiceKind.CONTACTS or service.length_of_stay is None:
            finish = start.copy()
        else:
            finish = start + draw_stays(service.length_of_stay, start.size, rng)
            stays[service_id].append((run, start, finish))
        pending.extend(_route_on(spec, service_id, run, finish, end, rng))
    raise ParameterError("people move along the pathways without end (a loop of routes "
                         "whose stays are all zero?)")


def _external_arrivals(spec: SystemSpec, runs: int, end: float, rng: np.random.Generator,
                       admissions: float) -> Iterator[_Batch]:
    for cohort in spec.cohorts:
        for need in cohort.needs:
            rate = _steady_rate(spec, cohort.id, need.id) * admissions
            per_run = rng.poisson(rate * end, runs)
            run = np.repeat(np.arange(runs), per_run)
            yield need.service, run, rng.uniform(0.0, end, run.size)


def _route_on(spec: SystemSpec, service_id: str, run: NDArray[np.int64],
              finish: NDArray[np.float64], end: float, rng: np.random.Generator
              ) -> Iterator[_Batch]:
    routes = spec.routes_from(service_id)
    edges = np.cumsum([r.fraction for r in routes])
    choice = np.searchsorted(edges, rng.uniform(0.0, 1.0, finish.size), side="right")
    for k, route in enumerate(routes):
        if not any(s.id == route.to for s in spec.services):
            continue  # leave or unmet
        chosen = choice == k
        start = finish[chosen]
        if route.after is not None:
            start = start + draw_stays(route.after, start.size, rng)
        inside = start < end
        if inside.any():
            yield route.to, run[chosen][inside], start[inside]


def draw_stays(duration: Duration, size: int, rng: np.random.Generator
               ) -> NDArray[np.float64]:
    """``size`` stays drawn from ``duration``, in continuous time.

    A lognormal with ``longest`` draws again any stay of ``longest`` or more.
    """
    if duration.distribution is Distribution.EXPONENTIAL:
        return rng.exponential(duration.mean, size)
    if duration.distribution is Distribution.ERLANG:
        return rng.gamma(duration.order, duration.mean / duration.order, size)
    if duration.distribution is Distribution.FIXED:
        return np.full(size, duration.mean)
    drawn = rng.lognormal(duration.mu, duration.sigma, size)
    if duration.longest is not None:
        for _ in range(1000):
            again = drawn >= duration.longest
            if not again.any():
                break
            drawn[again] = rng.lognormal(duration.mu, duration.sigma, int(again.sum()))
    return drawn


def _count(stays: _Stays, ward: Ward, runs: int, end: float, times: NDArray[np.float64]
           ) -> NDArray[np.int64]:
    """Occupants of ``ward`` at each time of each run: stays with start <= t < finish."""
    parts = [p for s in ward.services for p in stays[s]]
    if not parts:
        return np.zeros((runs, times.size), dtype=np.int64)
    run = np.concatenate([p[0] for p in parts])
    # every run on one time line, each after the last, so one sorted search counts all;
    # finishes are cut at the run's end so no stay reaches into the next run
    offset = run * (end + 1.0)
    starts = np.sort(np.concatenate([p[1] for p in parts]) + offset)
    finishes = np.sort(np.minimum(np.concatenate([p[2] for p in parts]), end) + offset)
    at = (np.arange(runs)[:, None] * (end + 1.0) + times[None, :]).ravel()
    inside = (np.searchsorted(starts, at, side="right")
              - np.searchsorted(finishes, at, side="right"))
    return inside.reshape(runs, times.size).astype(np.int64)
