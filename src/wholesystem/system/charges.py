"""What each time step of a run costs, counted the way the ledger counts it.

The aggregate model accumulates costs with Euler steps: a step's cost is the rate at its
start times the step, so people are counted as they are at the *start* of each step, and
commissioned capacity as it is at the start of the step, full or empty. The journeys
simulation charges its people with the same functions, so a service's mean cost per time
unit times the horizon is its total, and totals add up to the organisations' costs, in
every report.

>>> import numpy as np
>>> from wholesystem.system.read import read_system_text
>>> spec = read_system_text('''
... name: One ward
... time: {horizon: 2}
... organisations: {trust: Trust}
... services:
...   ward:
...     owner: trust
...     capacity: 10
...     length_of_stay: 5
...     costs: {per_occupied_day: 100, per_place: {amount: 20, per: day}}
... ''')
>>> people = np.array([[[4.0]], [[6.0]]])          # (steps, runs, services)
>>> costs = step_costs(spec, people, np.zeros_like(people), np.zeros_like(people))
>>> costs.owner[:, 0, 0].tolist()                  # 4 x 100 + 10 x 20, 6 x 100 + 10 x 20
[600.0, 800.0]
>>> organisation_totals(spec, costs).tolist()
[[1400.0]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from wholesystem.system.spec import ServiceKind, SystemSpec

__all__ = ["StepCosts", "capacity_rates", "step_costs", "organisation_totals"]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class StepCosts:
    """Money spent in each step: (steps, runs, services) arrays."""

    owner: Array
    """Paid by each service's owner: occupied places, contacts, commissioned capacity."""
    capacity: Array
    """The part of ``owner`` paid for commissioned capacity and fixed costs."""
    waiting: Array
    """Paid by each service's delay payer for the people waiting."""

    @property
    def total(self) -> Array:
        """Everything each service costs in each step."""
        return self.owner + self.waiting


def capacity_rates(spec: SystemSpec, steps: int) -> Array:
    """Cost per time unit of each service's commissioned capacity (and fixed costs) at
    the start of each step: (steps, services)."""
    times = np.arange(steps) * spec.time.step
    rates = np.zeros((steps, len(spec.services)))
    for s, service in enumerate(spec.services):
        costs = service.costs
        if service.capacity is None:
            rates[:, s] = costs.fixed
            continue
        rates[:, s] = [costs.capacity_rate(service.capacity.at(t)) for t in times]
    return rates


def step_costs(spec: SystemSpec, in_service: Array, waiting: Array,
               served: Array, visits: Array | None = None) -> StepCosts:
    """What each step costs, from the people in service and waiting at its start and the
    admissions and contacts during it (all (steps, runs, services)); ``visits``: the
    visits made by visits services in each step, charged per visit."""
    step = spec.time.step
    services = spec.services
    occupied = np.array([s.costs.per_occupied_day for s in services])
    delayed = np.array([s.costs.per_delayed_day for s in services])
    contact = np.array([s.costs.per_contact if s.kind is ServiceKind.CONTACTS else 0.0
                        for s in services])
    capacity = np.broadcast_to(capacity_rates(spec, in_service.shape[0])[:, None, :] * step,
                               in_service.shape)
    owner = in_service * occupied * step + served * contact + capacity
    if visits is not None:
        owner = owner + visits * np.array([s.costs.per_visit if s.kind is ServiceKind.VISITS
                                           else 0.0 for s in services])
    return StepCosts(owner, np.array(capacity), waiting * delayed * step)


def organisation_totals(spec: SystemSpec, costs: StepCosts) -> Array:
    """Each organisation's cost over the run, with the applied interventions' own costs:
    (runs, organisations)."""
    organisations = {o.id: i for i, o in enumerate(spec.organisations)}
    steps, runs = costs.owner.shape[:2]
    totals = np.zeros((runs, len(organisations)))
    owner, waiting = costs.owner.sum(axis=0), costs.waiting.sum(axis=0)
    for s, service in enumerate(spec.services):
        totals[:, organisations[service.owner]] += owner[:, s]
        totals[:, organisations[service.delay_payer]] += waiting[:, s]
    for intervention_id in spec.applied:
        cost = spec.intervention(intervention_id).cost
        if cost is not None:
            totals[:, organisations[cost.payer]] += (cost.per_time * steps * spec.time.step
                                                     + cost.one_off)
    return totals
