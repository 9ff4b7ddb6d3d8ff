"""What the journeys simulation says: per service, per organisation and per person.

:func:`journeys` simulates one or more scenarios of a system and summarises them: mean
occupancy, queue and cost per time unit of every service (means over runs and over the
start of every step, counted as the ledger counts them, :mod:`~wholesystem.system.charges`);
each organisation's cost, commissioned capacity included;
for the residents of one cohort, distributions of services and organisations touched,
hand-offs, time waiting, repeat presentations and cost by organisation; and a few typical
journeys as timelines of events (:class:`Timeline`). The words people read are written by
``wholesystem.interfaces.render.journeys``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from wholesystem.datafiles import limits_for
from wholesystem.errors import UnknownNameError
from wholesystem.limits import Limits
from wholesystem.system.charges import StepCosts, organisation_totals, step_costs
from wholesystem.system.journeys import (
    IN_SERVICE,
    LEFT,
    LEFT_UNMET,
    RETURNING,
    WAITING,
    JourneyRun,
    simulate_journeys,
)
from wholesystem.system.model import SystemModel
from wholesystem.system.scenarios import apply_scenario
from wholesystem.system.spec import TIME_UNITS, ServiceKind, SystemSpec

__all__ = ["ServiceStats", "Spread", "PeopleSummary", "JourneyEvent", "Timeline",
           "ScenarioJourneys", "JourneysReport", "TIMELINE_PICKS", "journeys", "summarise",
           "service_costs"]


@dataclass(frozen=True)
class ServiceStats:
    """One service over the run, averaged over runs and over the start of every step (as
    the ledger counts them: ``mean_cost`` times the horizon is the service's cost)."""

    id: str
    name: str
    organisation: str
    """Name of the organisation running it."""
    mean_in_service: float
    mean_waiting: float
    waiting_at_end: float
    """Mean over runs of the people waiting at the last saved time."""
    mean_cost: float
    """Mean cost per time unit: in service x unit cost + waiting x delayed-day cost
    (+ contacts x cost per contact) + commissioned capacity x cost per place (+ teams and
    fixed costs)."""


@dataclass(frozen=True)
class Spread:
    """A distribution over people, in a few numbers."""

    mean: float
    p10: float
    median: float
    p90: float
    max: float


@dataclass(frozen=True)
class PeopleSummary:
    """The residents of one cohort, person by person, summarised."""

    cohort: str
    people: int
    """How many residents the summary covers."""
    measures: dict[str, Spread]
    """Per measure (services touched, hand-offs, days waiting, cost...)."""
    cost_by_organisation: dict[str, Spread]
    """Per organisation name: cost per person."""
    shares: dict[str, float]
    """Share of people who waited, were bounced back, left unmet, were still in the
    system at the end."""


@dataclass(frozen=True)
class JourneyEvent:
    """Something that happened to one person, as a timeline tells it."""

    time: float
    """When, in the system's time units from the start."""
    date: str | None
    """The ISO date of ``time`` when the system has a start date."""
    kind: str
    """What happened: one of ``journeys.EVENT_KINDS``, or at the end of the run
    ``still waiting``, ``still in service`` or ``due back``."""
    service: str = ""
    """Id of the service it concerns ("" for an end-of-run state)."""
    other: str = ""
    """Id of the service moved, sent on or due back to; "" for a divert that sends the
    person nowhere (the need goes unmet)."""
    waited_days: float = 0.0
    """Admissions and contacts: days waited since the person presented or moved."""
    queue_in: str = ""
    """Arrivals and moves: where the person waits when the service is full."""


TIMELINE_PICKS = ("typical", "most bounced", "longest wait")
"""Why a journey was chosen: cost nearest the median, most hand-offs and repeat
presentations, the longest total wait."""


@dataclass(frozen=True)
class Timeline:
    """One person's journey: the events in order and what it cost."""

    pick: str
    """Why it was chosen (one of :data:`TIMELINE_PICKS`)."""
    need: str
    """Name of the person's need."""
    events: tuple[JourneyEvent, ...]
    cost: dict[str, float]
    """Cost to each organisation (by name) of this person."""


@dataclass(frozen=True)
class ScenarioJourneys:
    """Journeys of one scenario."""

    scenario: str
    runs: int
    services: tuple[ServiceStats, ...]
    organisation_costs: dict[str, float]
    """Mean over runs of each organisation's cost over the horizon (by name)."""
    whole_system_cost: float
    people: PeopleSummary | None
    typical: tuple[Timeline, ...]


@dataclass(frozen=True)
class JourneysReport:
    """Journeys of a system under one or more scenarios."""

    system: str
    seed: int
    runs: int
    horizon: float
    unit: str
    currency: str
    scenarios: tuple[ScenarioJourneys, ...]


def _spread(values: NDArray[np.float64]) -> Spread:
    if not len(values):
        return Spread(0.0, 0.0, 0.0, 0.0, 0.0)
    p10, p50, p90 = np.percentile(values, [10, 50, 90])
    return Spread(float(values.mean()), float(p10), float(p50), float(p90),
                  float(values.max()))


def _run_costs(run: JourneyRun) -> StepCosts:
    """The run's costs, step by step, counted as the ledger counts them."""
    return step_costs(run.spec, run.occupancy[:-1], run.waiting[:-1], run.served,
                      _visits(run))


def _visits(run: JourneyRun) -> NDArray[np.float64] | None:
    return run.visits_made if run.visits_made.size else None


def service_costs(run: JourneyRun, counted_at: str = "start") -> NDArray[np.float64]:
    """Cost per time unit of each service in each step: (steps, runs, services).

    ``counted_at="start"`` counts the people there at the start of each step, as the
    ledger does, so the mean over steps times the horizon is the service's cost over the
    run. ``"end"`` counts them at the end of each step, as the IPACS model reports its
    daily costs (for comparing with published figures).
    """
    if counted_at not in ("start", "end"):
        raise ValueError("counted_at is 'start' or 'end'")
    rows = slice(None, -1) if counted_at == "start" else slice(1, None)
    costs = step_costs(run.spec, run.occupancy[rows], run.waiting[rows], run.served,
                       _visits(run))
    return costs.total / run.spec.time.step


def _organisation_costs(run: JourneyRun) -> NDArray[np.float64]:
    """Each organisation's cost over the horizon, per run: (runs, organisations)."""
    return organisation_totals(run.spec, _run_costs(run))


def _person_costs(run: JourneyRun, people: NDArray[np.int64]) -> NDArray[np.float64]:
    """Cost of each chosen person to each organisation: (people, organisations); the
    capacity commissioned for everyone (places paid for, full or empty) is not a cost of
    any one person."""
    spec, step = run.spec, run.spec.time.step
    organisations = {o.id: i for i, o in enumerate(spec.organisations)}
    costs = np.zeros((len(people), len(organisations)))
    for s, service in enumerate(spec.services):
        owner, payer = organisations[service.owner], organisations[service.delay_payer]
        costs[:, owner] += run.occupied[people, s] * service.costs.per_occupied_day * step
        costs[:, owner] += run.contacts[people, s] * service.costs.per_contact
        costs[:, payer] += run.waited[people, s] * service.costs.per_delayed_day * step
        if service.kind is ServiceKind.VISITS and run.home_visits.size:
            costs[:, owner] += run.home_visits[people, s] * service.costs.per_visit
    return costs


def _organisations_touched(run: JourneyRun, people: NDArray[np.int64]) -> NDArray[np.int64]:
    spec = run.spec
    organisations = {o.id: i for i, o in enumerate(spec.organisations)}
    touched = np.zeros((len(people), len(organisations)), dtype=bool)
    for s, service in enumerate(spec.services):
        touched[:, organisations[service.owner]] |= run.visits[people, s] > 0
        if service.costs.per_delayed_day > 0:
            touched[:, organisations[service.delay_payer]] |= run.waited[people, s] > 0
    return touched.sum(axis=1)


def cohort_people(run: JourneyRun, cohort: int, limit: int | None) -> NDArray[np.int64]:
    """Rows of the cohort's residents, run by run in order of arrival, at most ``limit``."""
    chosen = np.flatnonzero(run.cohort_of == cohort)
    order = np.lexsort((chosen, run.arrived_at[chosen], run.run_of[chosen]))
    chosen = chosen[order]
    return chosen if limit is None else chosen[:limit]


def _people_summary(run: JourneyRun, cohort: int, limit: int | None) -> PeopleSummary:
    spec = run.spec
    people = cohort_people(run, cohort, limit)
    days = spec.time.step * _days_per_unit(spec)
    costs = _person_costs(run, people)
    measures = {
        "services touched": (run.visits[people] > 0).sum(axis=1),
        "organisations touched": _organisations_touched(run, people),
        "hand-offs between services": run.handoffs[people],
        "hand-offs between organisations": run.organisation_handoffs[people],
        "days waiting": run.waited[people].sum(axis=1) * days,
        "repeat presentations": run.repeats[people],
        "cost": costs.sum(axis=1),
    }
    state = run.final_state[people]
    n = max(1, len(people))
    shares = {
        "waited at all": float((run.waited[people].sum(axis=1) > 0).sum() / n),
        "came back at least once": float((run.repeats[people] > 0).sum() / n),
        "left with need met": float((state == LEFT).sum() / n),
        "left with need unmet": float((state == LEFT_UNMET).sum() / n),
        "still waiting at the end": float((state == WAITING).sum() / n),
        "due to come back after the end": float((state == RETURNING).sum() / n),
    }
    return PeopleSummary(
        spec.cohorts[cohort].name, len(people),
        {k: _spread(np.asarray(v, dtype=float)) for k, v in measures.items()},
        {o.name: _spread(costs[:, i]) for i, o in enumerate(spec.organisations)}, shares)


def _days_per_unit(spec: SystemSpec) -> float:
    return TIME_UNITS[spec.time.unit]


def summarise(run: JourneyRun, cohort: int | None = None, limit: int | None = None,
              typical: int = 3) -> ScenarioJourneys:
    """The summaries of one scenario's journeys."""
    spec = run.spec
    costs = service_costs(run)
    owners = {o.id: o.name for o in spec.organisations}
    services = tuple(ServiceStats(
        s.id, s.name, owners[s.owner], float(run.occupancy[:-1, :, i].mean()),
        float(run.waiting[:-1, :, i].mean()), float(run.waiting[-1, :, i].mean()),
        float(costs[:, :, i].mean()))
        for i, s in enumerate(spec.services))
    organisation = _organisation_costs(run).mean(axis=0)
    summary = _people_summary(run, cohort, limit) if cohort is not None else None
    timelines = _typical(run, cohort, typical) if cohort is not None else ()
    return ScenarioJourneys(
        spec.scenario, run.runs, services,
        {o.name: float(organisation[i]) for i, o in enumerate(spec.organisations)},
        float(organisation.sum()), summary, timelines)


def expected_arrivals(spec: SystemSpec, cohort: int) -> float:
    """Expected arrivals of a cohort in one run."""
    step = spec.time.step
    steps = math.ceil(spec.time.horizon / step - 1e-9)
    total = 0.0
    chosen = spec.cohorts[cohort]
    for need in chosen.needs:
        for n in range(steps):
            t = n * step
            rate = need.arrivals.at(t)
            if need.per_person and chosen.population is not None:
                rate *= chosen.population.at(t)
            total += rate * step * (1.0 - spec.prevented_share(chosen.id, need.id, t))
    return total


def journeys(system: SystemModel, scenarios: list[str] | None = None,
             cohort: str | None = None, people: int | None = None, runs: int | None = None,
             seed: int = 0, typical: int = 3) -> JourneysReport:
    """Simulate residents' journeys under each scenario (default: all of them).

    ``runs`` independent runs are simulated; when it is not given, enough runs for about
    ``people`` residents of ``cohort`` (default 1,000). Person-level summaries cover the
    first ``people`` residents of the cohort (all of them when ``people`` is not given).
    """
    spec = system.spec
    names = scenarios or [s for s in system.scenarios
                          if s == "baseline" or any(x.id == s for x in spec.scenarios)]
    index = _cohort_index(spec, cohort)
    limits = limits_for(spec.source.access)
    _check_journey_steps(spec, limits)
    if people is not None:
        limits.check("max_people", people, "the journeys request (--people)")
    if runs is None:
        wanted = people or 1000
        expected = expected_arrivals(spec, index) if index is not None else 0.0
        runs = max(1, min(1000, math.ceil(wanted / expected))) if expected > 0 else 1
    limits.check("max_runs", runs, "the journeys request (--runs)")
    everyone = sum(expected_arrivals(spec, i) for i in range(len(spec.cohorts))) * runs
    limits.check("max_people", everyone,
                 f"the journeys simulation ({runs:,} run(s) of every cohort's expected "
                 "arrivals)", spec.time.span)
    results = []
    for name in names:
        scenario_spec = apply_scenario(spec, name)
        run = simulate_journeys(scenario_spec, runs, seed)
        results.append(summarise(run, index, people, typical))
    return JourneysReport(spec.name, seed, runs, spec.time.horizon, spec.time.unit,
                          spec.currency, tuple(results))


def _check_journey_steps(spec: SystemSpec, limits: Limits) -> None:
    """Steps are counted first: expected arrivals are summed step by step."""
    time = spec.time
    steps = time.horizon / time.step if time.step > 0 else math.inf
    limits.check("max_steps", steps,
                 f"the run ({time.horizon:g} {time.unit}s by {time.step:g})", time.span)


def _cohort_index(spec: SystemSpec, cohort: str | None) -> int | None:
    if cohort is None:
        return 0 if spec.cohorts else None
    for i, c in enumerate(spec.cohorts):
        if c.id == cohort:
            return i
    raise UnknownNameError(cohort, hint="cohorts of this system: "
                                        + ", ".join(c.id for c in spec.cohorts))


# -- typical journeys as timelines --------------------------------------------------------
def _typical(run: JourneyRun, cohort: int, count: int) -> tuple[Timeline, ...]:
    if count <= 0 or not run.events:
        return ()
    tracked = np.array(sorted({e.person for e in run.events
                               if run.cohort_of[e.person] == cohort}), dtype=np.int64)
    if not len(tracked):
        return ()
    costs = _person_costs(run, tracked).sum(axis=1)
    bounced = run.handoffs[tracked] + run.repeats[tracked]
    waited = run.waited[tracked].sum(axis=1)
    picks: list[tuple[str, int]] = []
    median = np.median(costs)
    picks.append(("typical", int(tracked[np.argmin(np.abs(costs - median))])))
    if bounced.max() > 1:
        picks.append(("most bounced", int(tracked[np.argmax(bounced)])))
    if waited.max() > 0:
        picks.append(("longest wait", int(tracked[np.argmax(waited)])))
    seen: set[int] = set()
    timelines = []
    for pick, person in picks[:count]:
        if person not in seen:
            seen.add(person)
            timelines.append(_timeline(run, pick, person))
    return tuple(timelines)


def _timeline(run: JourneyRun, pick: str, person: int) -> Timeline:
    spec = run.spec
    need = spec.cohorts[run.cohort_of[person]].needs[run.need_of[person]].name
    events = _events(run, person)
    cost = _person_costs(run, np.array([person]))[0]
    return Timeline(pick, need, tuple(events),
                    {o.name: float(cost[i]) for i, o in enumerate(spec.organisations)})


_END_STATES = {WAITING: "still waiting", IN_SERVICE: "still in service",
               RETURNING: "due back"}
"""Final states a timeline ends on, when the person is still in the system."""


def _events(run: JourneyRun, person: int) -> list[JourneyEvent]:
    spec = run.spec
    services = spec.services
    days = spec.time.step * _days_per_unit(spec)

    def at(step: int, kind: str, service: int = -1, other: int = -1, waited: float = 0.0,
           queue: bool = False) -> JourneyEvent:
        time = step * spec.time.step
        where = services[other if kind == "move" else service].when_full.queue_in if queue \
            else ""
        return JourneyEvent(time, spec.time.date(time), kind,
                            services[service].id if service >= 0 else "",
                            services[other].id if other >= 0 else "", waited, where or "")

    found, joined = [], 0
    for event in sorted((e for e in run.events if e.person == person), key=lambda e: e.step):
        if event.kind in ("arrive", "move", "divert", "return"):
            joined = event.step
        waited = (event.step - joined) * days if event.kind in ("admit", "contact") else 0.0
        other = event.other if event.kind in ("move", "divert", "discharge") else -1
        found.append(at(event.step, event.kind, event.service, other, waited,
                        queue=event.kind in ("arrive", "move")))
    end = _END_STATES.get(int(run.final_state[person]))
    if end is not None:
        found.append(at(run.steps, end))
    return found
