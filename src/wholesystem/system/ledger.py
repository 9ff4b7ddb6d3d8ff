"""The whole-system ledger: cost and activity per organisation, service and period.

Everything is read from one simulated scenario of the aggregate model. Costs come from
the cumulative cost stocks; activity (admissions, contacts, occupied place-days, days
waited) is the sum over time steps of the saved values times the step, which is exactly
what the stocks accumulate. :func:`build_ledger` reads one run; :func:`build_ledgers`
reads every run of an ensemble (:meth:`~wholesystem.system.model.SystemModel.simulate_many`)
and :func:`ledger_table` puts their costs side by side. Organisations and services are
found by id in the layout, never paired by position.

>>> import wholesystem
>>> from wholesystem.system.model import load_system
>>> from wholesystem.system.ledger import build_ledger
>>> ledger = build_ledger(load_system(wholesystem.example_path("delayed_discharge_system"))
...                       .simulate("baseline"))
>>> [(o.name, round(o.cost)) for o in ledger.organisations]
[('Acute trust', 14600000), ('Adult social care', 4567714)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol, TypeVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from wholesystem.datafiles import limits_for
from wholesystem.errors import ModelStructureError, ParameterError, UnknownNameError
from wholesystem.system.layout import ServiceLayout
from wholesystem.system.prices import step_discount_factors
from wholesystem.system.results import ScenarioRun
from wholesystem.system.spec import OUTCOMES, TIME_UNITS, SystemSpec

__all__ = ["ServiceLine", "OrganisationLine", "InterventionLine", "FlowLine", "CohortLine",
           "PeriodLine", "PeopleCount", "Ledger", "build_ledger", "build_ledgers", "ledger_table",
           "ledger_dict", "integrate", "same_ids", "check_periods", "change_threshold"]


@dataclass(frozen=True)
class ServiceLine:
    """One service over the whole run."""

    id: str
    name: str
    owner: str
    """Owner's organisation id."""
    delay_payer: str
    """Organisation id paying for people waiting."""
    kind: str
    """``places`` or ``contacts``."""
    cost: float
    """Cost to the owner."""
    waiting_cost: float
    """Cost of people waiting, to the delay payer."""
    served: float
    """Admissions (places) or contacts."""
    place_days: float
    """Occupied place-time (places), in time units."""
    days_waited: float
    """Person-time spent waiting, in time units."""
    mean_in_service: float
    """Average people in service."""
    mean_waiting: float
    """Average people waiting."""
    waiting_at_end: float
    """People waiting at the end."""
    capacity_cost: float = 0.0
    """Part of ``cost`` paid for commissioned capacity (places, teams, fixed costs), used
    or not."""
    mean_capacity: float = 0.0
    """Average places (contacts: per time unit) commissioned; 0 when unlimited."""
    idle_place_days: float = 0.0
    """Places: commissioned place-time left empty, in time units (0 when unlimited)."""


@dataclass(frozen=True)
class OrganisationLine:
    """One organisation over the whole run."""

    id: str
    name: str
    cost: float
    """Everything it pays: its services, waiting it pays for, interventions."""
    services_cost: float
    """Its own services."""
    waiting_cost: float
    """People waiting whose waiting it pays for."""
    interventions_cost: float
    """Interventions it funds."""
    served: float
    """Admissions and contacts in its services."""
    place_days: float
    """Occupied place-time in its services."""
    days_waited_paid: float
    """Waiting person-time it pays for."""
    capacity_cost: float = 0.0
    """Part of ``services_cost`` paid for commissioned capacity, used or not."""


@dataclass(frozen=True)
class InterventionLine:
    """An applied intervention's own cost."""

    id: str
    name: str
    payer: str
    cost: float


@dataclass(frozen=True)
class FlowLine:
    """People who joined a service's queue along one stream over the whole run."""

    target: str
    """Service id they joined."""
    source: str
    """Service id they came from (for an arrival, the cohort id)."""
    kind: str
    """``arrival``, ``route``, ``return`` or ``divert`` (see
    :class:`~wholesystem.system.layout.InflowLayout`)."""
    people: float
    """People over the run."""


@dataclass(frozen=True)
class CohortLine:
    """One cohort over the whole run, where the system keeps cohorts apart (their own
    routes or stays): what its people cost each organisation, and how they fared."""

    id: str
    name: str
    costs: dict[str, float]
    """Running cost of its people by organisation id (its services' running costs and
    its people's waiting; capacity and fixed costs are the services', not a cohort's)."""
    served: float
    """Its admissions and contacts."""
    days_waited: float
    """Person-time its people spent waiting, in time units."""
    waiting_at_end: float
    """Its people waiting at the end."""

    @property
    def cost(self) -> float:
        """Its running cost to every organisation together."""
        return sum(self.costs.values())


@dataclass(frozen=True)
class PeriodLine:
    """Costs in one period."""

    start: float
    end: float
    label: str
    """``2023-01-01 to 2023-01-31`` or ``day 0 to 30``."""
    costs: dict[str, float]
    """Cost per organisation id."""
    whole_system: float


@dataclass(frozen=True)
class PeopleCount:
    """Where everyone is at the end, and the conservation check."""

    at_start: float
    arrived: float
    in_service: float
    waiting: float
    returning: float
    left: float
    left_unmet: float
    residual: float
    """``at_start + arrived - (in_service + waiting + returning + left + left_unmet)``."""


@dataclass(frozen=True)
class Ledger:
    """Cost and activity of one scenario."""

    system: str
    scenario: str
    currency: str
    unit: str
    horizon: float
    start: str
    """When time 0 is, in words."""
    organisations: tuple[OrganisationLine, ...]
    services: tuple[ServiceLine, ...]
    interventions: tuple[InterventionLine, ...]
    periods: tuple[PeriodLine, ...]
    whole_system: float
    outcomes: dict[str, float]
    """Resident outcome measures, by name (see :data:`~wholesystem.system.spec.OUTCOMES`)."""
    people: PeopleCount
    discount: float | str | None = None
    """Discount rate a year (or ``"green_book"``) of the system's ``prices``; None: none."""
    present_value: dict[str, float] | None = None
    """Discounted cost per organisation id and ``whole_system`` (None without a
    discount), by year of the run (see :mod:`wholesystem.system.prices`)."""
    price_year: str | None = None
    """Price year of every cost (None: costs as written in the file)."""
    flows: tuple[FlowLine, ...] = ()
    """Every stream of people into a service, totalled over the run (what a comparison
    traces cost changes along)."""
    cohorts: tuple[CohortLine, ...] = ()
    """Per cohort, where the system keeps cohorts apart (else empty)."""

    def organisation(self, org_id: str) -> OrganisationLine:
        """An organisation's line by id."""
        return _by_id(self.organisations, org_id, "organisation")

    def service(self, service_id: str) -> ServiceLine:
        """A service's line by id."""
        return _by_id(self.services, service_id, "service")


def change_threshold(whole_system: float) -> float:
    """The smallest change in cost a comparison counts: a millionth of the whole-system
    cost, and at least 1 (smaller changes are rounding, not a saving or a shunt)."""
    return max(1.0, 1e-6 * abs(whole_system))


def integrate(series: pd.Series | NDArray[np.float64], step: float) -> float:
    """Sum over time steps of value x step (the last saved time is the end, not a step)."""
    values = np.ascontiguousarray(series, dtype=float)
    return float(values[:-1].sum() * step)


class _One:
    """One run's variables as plain arrays over time."""

    def __init__(self, run: ScenarioRun):
        if run.runs != 1:
            raise ParameterError(f"build_ledger reads one run and these results hold "
                                 f"{run.runs} runs; use build_ledgers for an ensemble")
        self.run = run
        self.times = run.times

    def __call__(self, name: str) -> NDArray[np.float64]:
        # Contiguous, so sums add in the same order whether the run stood alone or was
        # one of an ensemble: ledgers of an ensemble equal those of single runs exactly.
        return np.ascontiguousarray(self.run.series(name)[:, 0])

    def end(self, name: str) -> float:
        return float(self(name)[-1])


def build_ledger(run: ScenarioRun) -> Ledger:
    """The ledger of one simulated scenario (one run).

    Raises ParameterError when the ledger period is shorter than the step and
    ResourceLimitError when the horizon holds more periods than ``max_report_periods``
    (see :func:`check_periods`)."""
    check_periods(run.spec)
    spec, layout, values = run.spec, run.layout, _One(run)
    horizon = spec.time.horizon
    services = [_service_line(run, values, line) for line in layout.services]
    interventions = tuple(
        InterventionLine(i, _by_id(spec.interventions, i, "intervention").name, payer,
                         values.end(stock))
        for i, payer, stock in layout.intervention_costs)
    stocks = dict(layout.organisation_costs)
    same_ids([o.id for o in spec.organisations], list(stocks), "organisations",
              "the system", "its lowered layout")
    organisations = tuple(_organisation_line(o.id, o.name, services, interventions,
                                             values.end(stocks[o.id]))
                          for o in spec.organisations)
    return Ledger(
        system=spec.name, scenario=spec.scenario, currency=spec.currency,
        unit=spec.time.unit, horizon=horizon, start=spec.time.label(0.0),
        organisations=organisations, services=tuple(services), interventions=interventions,
        periods=_periods(run, values), whole_system=values.end(layout.whole_system_cost),
        outcomes=_outcomes(run, values, services), people=_people(run, values),
        discount=_discount(run), present_value=_present_value(run, values),
        price_year=spec.prices.year if spec.prices else None,
        flows=tuple(FlowLine(i.target, i.source, i.kind,
                             integrate(values(i.flow), spec.time.step))
                    for i in layout.inflows),
        cohorts=_cohorts(run, values))


def _cohorts(run: ScenarioRun, values: _One) -> tuple[CohortLine, ...]:
    spec, step = run.spec, run.spec.time.step
    lines = []
    for cohort in spec.cohorts:
        lanes = [lane for lane in run.layout.lanes if lane.cohort == cohort.id]
        if not lanes:
            continue
        costs = {o.id: 0.0 for o in spec.organisations}
        for lane in lanes:
            service = spec.service(lane.service)
            costs[service.owner] += values.end(lane.owner_cost)
            costs[service.delay_payer] += values.end(lane.delay_cost)
        lines.append(CohortLine(
            cohort.id, cohort.name, costs,
            sum(integrate(values(lane.served), step) for lane in lanes),
            sum(integrate(values(lane.waiting), step) for lane in lanes),
            sum(values.end(lane.waiting) for lane in lanes)))
    return tuple(lines)


def _discount(run: ScenarioRun) -> float | str | None:
    return run.spec.prices.discount if run.spec.prices else None


def _present_value(run: ScenarioRun, values: _One) -> dict[str, float] | None:
    """Each step's spending (the rise of the cumulative cost stocks) times the discount
    factor of the year it is spent in."""
    rate = _discount(run)
    if rate is None:
        return None
    factors = step_discount_factors(values.times[:-1], TIME_UNITS[run.spec.time.unit], rate)
    stocks = [*run.layout.organisation_costs, ("whole_system", run.layout.whole_system_cost)]
    return {org: float(np.diff(values(stock)) @ factors) for org, stock in stocks}


def check_periods(spec: SystemSpec) -> None:
    """Refuse a ledger whose periods are shorter than the step (they would report nothing
    the step does not) or more than the ``max_report_periods`` limit of the file's access
    policy: each period is a row built and printed, so a long horizon in short periods is
    a report of billions of rows. ``check`` calls this too, so it reports the same error.

    >>> from wholesystem.ir.model import SourceFile
    >>> from wholesystem.system.spec import SystemSpec, TimeSettings
    >>> check_periods(SystemSpec("s", SourceFile("s.yaml"), TimeSettings(1e12, 1e6), (), ()))
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    wholesystem.errors.ResourceLimitError: <unknown>: error: the ledger (1e+12 days in periods of \
1e+06) has 1,000,000 ledger periods, over the limit of 100,000 (max_report_periods) ...
    """
    time = spec.time
    if not time.period >= time.step:
        raise ParameterError(
            f"the ledger period ({time.period:g} {time.unit}s) is shorter than the step "
            f"({time.step:g})", time.span, hint="report at least one step at a time")
    limits_for(spec.source.access).check(
        "max_report_periods", time.period_count,
        f"the ledger ({time.horizon:g} {time.unit}s in periods of {time.period:g})",
        time.span)


def build_ledgers(run: ScenarioRun) -> tuple[Ledger, ...]:
    """The ledger of every run of an ensemble, in run order (one run gives one)."""
    return tuple(build_ledger(one) for one in run.each())


def ledger_table(ledgers: Sequence[Ledger]) -> pd.DataFrame:
    """Costs side by side: one row per ledger (run), one column per organisation id, then
    ``whole_system``; organisations are matched by id."""
    if not ledgers:
        return pd.DataFrame()
    ids = [o.id for o in ledgers[0].organisations]
    rows = []
    for number, ledger in enumerate(ledgers):
        same_ids(ids, [o.id for o in ledger.organisations], "organisations", "run 0",
                  f"run {number}")
        costs = {o.id: o.cost for o in ledger.organisations}
        rows.append({**{i: costs[i] for i in ids}, "whole_system": ledger.whole_system})
    return pd.DataFrame(rows, index=pd.RangeIndex(len(rows), name="run"))


class _Named(Protocol):
    @property
    def id(self) -> str: ...


_T = TypeVar("_T", bound=_Named)


def _by_id(items: Sequence[_T], wanted: str, what: str) -> _T:
    for item in items:
        if item.id == wanted:
            return item
    raise UnknownNameError(wanted, hint=f"no {what} of this system has that id")


def same_ids(first: Sequence[str], second: Sequence[str], what: str, one: str,
              other: str) -> None:
    """A clear error when two sides do not hold the same ids (never pair by position)."""
    missing, extra = set(first) - set(second), set(second) - set(first)
    if missing or extra:
        parts = ([f"only in {one}: {', '.join(sorted(missing))}"] if missing else []) + (
            [f"only in {other}: {', '.join(sorted(extra))}"] if extra else [])
        raise ModelStructureError(f"{what} do not match ({'; '.join(parts)})")


def _service_line(run: ScenarioRun, values: _One, line: ServiceLayout) -> ServiceLine:
    spec = run.spec
    step, horizon = spec.time.step, spec.time.horizon
    service = _by_id(spec.services, line.service, "service")
    place_days = integrate(values(line.in_service), step) if line.in_service else 0.0
    waited = integrate(values(line.waiting), step)
    commissioned = integrate(values(line.capacity), step) if line.capacity else 0.0
    idle = commissioned - place_days if line.capacity and line.in_service else 0.0
    return ServiceLine(
        service.id, service.name, service.owner, service.delay_payer,
        service.kind.value, values.end(line.owner_cost), values.end(line.delay_cost),
        integrate(values(line.served), step), place_days, waited, place_days / horizon,
        waited / horizon, values.end(line.waiting),
        capacity_cost=values.end(line.capacity_cost) if line.capacity_cost else 0.0,
        mean_capacity=commissioned / horizon, idle_place_days=max(0.0, idle))


def _organisation_line(org_id: str, name: str, services: list[ServiceLine],
                       interventions: tuple[InterventionLine, ...],
                       total: float) -> OrganisationLine:
    own = [s for s in services if s.owner == org_id]
    paid = [s for s in services if s.delay_payer == org_id]
    return OrganisationLine(
        org_id, name, total, sum(s.cost for s in own), sum(s.waiting_cost for s in paid),
        sum(i.cost for i in interventions if i.payer == org_id),
        sum(s.served for s in own), sum(s.place_days for s in own),
        sum(s.days_waited for s in paid), sum(s.capacity_cost for s in own))


def _nearest(times: NDArray[np.float64], wanted: NDArray[np.float64]) -> NDArray[np.intp]:
    """Index of the saved time nearest each wanted time (the earlier on a tie), by binary
    search: saved times are increasing, and a ledger asks twice per period."""
    right = np.minimum(np.searchsorted(times, wanted), len(times) - 1)
    left = np.maximum(right - 1, 0)
    earlier = (right > 0) & (wanted - times[left] <= times[right] - wanted)
    return np.where(earlier, left, right)


def _periods(run: ScenarioRun, frame: _One) -> tuple[PeriodLine, ...]:
    spec, layout = run.spec, run.layout
    time = spec.time
    count = int(time.period_count)  # bounded by check_periods
    starts = np.arange(count, dtype=float) * time.period
    ends = np.minimum(time.horizon, starts + time.period)
    first, last = _nearest(frame.times, starts), _nearest(frame.times, ends)

    def change(column: str) -> list[float]:
        values = frame(column)
        return (values[last] - values[first]).tolist()

    costs = {org: change(stock) for org, stock in layout.organisation_costs}
    whole = change(layout.whole_system_cost)
    return tuple(
        PeriodLine(float(start), float(end), f"{time.label(start)} to {time.label(end)}",
                   {org: values[k] for org, values in costs.items()}, whole[k])
        for k, (start, end) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)))


def _outcomes(run: ScenarioRun, values: _One, services: list[ServiceLine]
              ) -> dict[str, float]:
    layout, spec = run.layout, run.spec
    waited = sum(s.days_waited for s in services)
    measures = {
        "people_waiting": waited / spec.time.horizon,
        "people_waiting_at_end": sum(s.waiting_at_end for s in services),
        "days_waited": waited * TIME_UNITS[spec.time.unit],
        "needs_unmet": values.end(layout.left_unmet),
        "repeat_presentations": values.end(layout.repeat_presentations),
        "people_served": sum(s.served for s in services),
    }
    return {name: measures[name] for name in spec.outcomes if name in OUTCOMES}


def _people(run: ScenarioRun, values: _One) -> PeopleCount:
    layout = run.layout
    in_service = sum(values.end(s.in_service) for s in layout.services if s.in_service)
    waiting = sum(values.end(s.waiting) for s in layout.services)
    returning = sum(values.end(r) for r in layout.returning)
    arrived = values.end(layout.arrived)
    left, unmet = values.end(layout.left), values.end(layout.left_unmet)
    # Read at time 0, not from the file, so a run that sets people at the start through
    # parameters counts its own.
    at_start = sum(float(values(s)[0]) for s in layout.people_stocks)
    residual = at_start + arrived - (in_service + waiting + returning + left + unmet)
    return PeopleCount(at_start, arrived, in_service, waiting, returning, left,
                       unmet, residual)


def ledger_dict(ledger: Ledger) -> dict[str, Any]:
    """The ledger as plain data (what ``--json`` prints)."""
    return asdict(ledger)

