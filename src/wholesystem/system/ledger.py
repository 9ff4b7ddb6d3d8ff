"""The whole-system ledger: cost and activity per organisation, service and period.

Everything is read from one simulated scenario of the aggregate model. Costs come from
the cumulative cost stocks; activity (admissions, contacts, occupied place-days, days
waited) is the sum over time steps of the saved values times the step, which is exactly
what the stocks accumulate.

>>> import wholesystem
>>> from wholesystem.system.model import load_system
>>> from wholesystem.system.ledger import build_ledger
>>> ledger = build_ledger(load_system(wholesystem.example_path("delayed_discharge_system"))
...                       .simulate("baseline"))
>>> [(o.name, round(o.cost)) for o in ledger.organisations]
[('Acute trust', 14600000), ('Adult social care', 4567714)]
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from wholesystem.system.layout import ServiceLayout
from wholesystem.system.results import ScenarioRun
from wholesystem.system.spec import OUTCOMES, TIME_UNITS

__all__ = ["ServiceLine", "OrganisationLine", "InterventionLine", "PeriodLine",
           "PeopleCount", "Ledger", "build_ledger", "ledger_dict", "integrate"]


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

    def organisation(self, org_id: str) -> OrganisationLine:
        """An organisation's line by id."""
        return next(o for o in self.organisations if o.id == org_id)

    def service(self, service_id: str) -> ServiceLine:
        """A service's line by id."""
        return next(s for s in self.services if s.id == service_id)


def integrate(series: pd.Series, step: float) -> float:
    """Sum over time steps of value x step (the last saved time is the end, not a step)."""
    values = series.to_numpy(dtype=float)
    return float(values[:-1].sum() * step)


def _end(series: pd.Series) -> float:
    return float(series.iloc[-1])


def build_ledger(run: ScenarioRun) -> Ledger:
    """The ledger of one simulated scenario."""
    spec, layout, frame = run.spec, run.layout, run.results
    horizon = spec.time.horizon
    services = [_service_line(run, line) for line in layout.services]
    interventions = tuple(
        InterventionLine(i, spec.intervention(i).name, payer, _end(frame[stock]))
        for i, payer, stock in layout.intervention_costs)
    organisations = tuple(_organisation_line(o.id, o.name, services, interventions,
                                             _end(frame[stock]))
                          for o, (_, stock) in zip(spec.organisations,
                                                   layout.organisation_costs, strict=False))
    return Ledger(
        system=spec.name, scenario=spec.scenario, currency=spec.currency,
        unit=spec.time.unit, horizon=horizon, start=spec.time.label(0.0),
        organisations=organisations, services=tuple(services), interventions=interventions,
        periods=_periods(run), whole_system=_end(frame[layout.whole_system_cost]),
        outcomes=_outcomes(run, services), people=_people(run))


def _service_line(run: ScenarioRun, line: ServiceLayout) -> ServiceLine:
    spec, frame = run.spec, run.results
    step, horizon = spec.time.step, spec.time.horizon
    service = spec.service(line.service)
    place_days = integrate(frame[line.in_service], step) if line.in_service else 0.0
    waited = integrate(frame[line.waiting], step)
    commissioned = integrate(frame[line.capacity], step) if line.capacity else 0.0
    idle = commissioned - place_days if line.capacity and line.in_service else 0.0
    return ServiceLine(
        service.id, service.name, service.owner, service.delay_payer,
        service.kind.value, _end(frame[line.owner_cost]), _end(frame[line.delay_cost]),
        integrate(frame[line.served], step), place_days, waited, place_days / horizon,
        waited / horizon, _end(frame[line.waiting]),
        capacity_cost=_end(frame[line.capacity_cost]) if line.capacity_cost else 0.0,
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


def _at(frame: pd.DataFrame, column: str, time: float) -> float:
    index = int(np.argmin(np.abs(frame.index.to_numpy(dtype=float) - time)))
    return float(frame[column].iloc[index])


def _periods(run: ScenarioRun) -> tuple[PeriodLine, ...]:
    spec, layout, frame = run.spec, run.layout, run.results
    horizon, length = spec.time.horizon, spec.time.period
    count = max(1, math.ceil(horizon / length - 1e-9))
    periods = []
    for k in range(count):
        start, end = k * length, min(horizon, (k + 1) * length)
        costs = {org: _at(frame, stock, end) - _at(frame, stock, start)
                 for org, stock in layout.organisation_costs}
        whole = (_at(frame, layout.whole_system_cost, end)
                 - _at(frame, layout.whole_system_cost, start))
        label = f"{spec.time.label(start)} to {spec.time.label(end)}"
        periods.append(PeriodLine(start, end, label, costs, whole))
    return tuple(periods)


def _outcomes(run: ScenarioRun, services: list[ServiceLine]) -> dict[str, float]:
    frame, layout, spec = run.results, run.layout, run.spec
    waited = sum(s.days_waited for s in services)
    values = {
        "people_waiting": waited / spec.time.horizon,
        "people_waiting_at_end": sum(s.waiting_at_end for s in services),
        "days_waited": waited * TIME_UNITS[spec.time.unit],
        "needs_unmet": _end(frame[layout.left_unmet]),
        "repeat_presentations": _end(frame[layout.repeat_presentations]),
        "people_served": sum(s.served for s in services),
    }
    return {name: values[name] for name in spec.outcomes if name in OUTCOMES}


def _people(run: ScenarioRun) -> PeopleCount:
    frame, layout = run.results, run.layout
    in_service = sum(_end(frame[s.in_service]) for s in layout.services if s.in_service)
    waiting = sum(_end(frame[s.waiting]) for s in layout.services)
    returning = sum(_end(frame[r]) for r in layout.returning)
    arrived = _end(frame[layout.arrived])
    left, unmet = _end(frame[layout.left]), _end(frame[layout.left_unmet])
    residual = layout.initial_people + arrived - (in_service + waiting + returning + left
                                                  + unmet)
    return PeopleCount(layout.initial_people, arrived, in_service, waiting, returning, left,
                       unmet, residual)


def ledger_dict(ledger: Ledger) -> dict[str, Any]:
    """The ledger as plain data (what ``--json`` prints)."""
    return asdict(ledger)

