"""Levers: the numbers of a system that people move in a workshop, and what each affects.

A lever is a constant of the scenario's compiled model that the file gives a meaning to:
today a service's capacity (places or contacts). Each lever says which organisation owns
it, which organisations' costs it changes (the owner's service cost and the cost of
people waiting, which may fall on another organisation) and who waits, so nobody has to
guess what a slider does. Moving levers re-runs the already compiled model with new
constants; nothing is recompiled.

>>> import wholesystem
>>> from wholesystem.system.model import load_system
>>> from wholesystem.system.levers import compare_levers, system_levers
>>> system = load_system(wholesystem.example_path("delayed_discharge_system"))
>>> [(lever.name, lever.value, lever.organisation_name) for lever in system_levers(system)]
[('home_care capacity', 750.0, 'Adult social care')]
>>> comparison = compare_levers(system, {"home_care capacity": 700})
>>> comparison.verdict
'cost moved'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from wholesystem.errors import ParameterError, UnknownNameError
from wholesystem.system.ledger import build_ledger
from wholesystem.system.model import SystemModel
from wholesystem.system.results import ScenarioRun
from wholesystem.system.shunts import Comparison, compare_ledgers
from wholesystem.system.spec import ServiceKind

__all__ = ["Lever", "system_levers", "check_levers", "simulate_levers", "compare_levers",
           "levers_changed"]


@dataclass(frozen=True)
class Lever:
    """One number a user may move, with its range and what it affects."""

    name: str
    """The model constant it sets (what ``values`` are keyed by)."""
    label: str
    """What people call it."""
    service: str
    """Service id."""
    organisation: str
    """Id of the organisation that owns it (the group it is shown in)."""
    organisation_name: str
    value: float
    """Its value in the scenario."""
    minimum: float
    maximum: float
    step: float
    unit: str
    affects: tuple[str, ...]
    """What moving it changes, in plain words."""
    field: str = ""
    """Where the file sets it (``services.p2_b.capacity``)."""
    evidence: str = ""
    """What the file says about where its value comes from."""


def system_levers(system: SystemModel, scenario: str = "baseline") -> tuple[Lever, ...]:
    """The scenario's levers, grouped by organisation (file order within a group)."""
    spec, layout, model = system.model(scenario)
    constants = model.constants
    table = {p.display: p for p in layout.parameters}
    levers = []
    for service in spec.services:
        name = f"{service.id} capacity"
        value = constants.get(name)
        if value is None:  # no capacity, or one that changes over time
            continue
        owner = spec.organisation(service.owner)
        payer = spec.organisation(service.delay_payer)
        unit = "places" if service.kind is ServiceKind.PLACES else f"contacts/{spec.time.unit}"
        affects = [f"{owner.name}: cost of {service.name}",
                   f"{payer.name}: cost of people waiting for it",
                   f"residents: how long they wait for {service.name}"]
        parameter = table.get(name)
        levers.append(Lever(name, f"Capacity of {service.name}", service.id, owner.id,
                            owner.name, float(value), 0.0, _ceiling(value), 1.0, unit,
                            tuple(affects), parameter.field if parameter else "",
                            parameter.evidence if parameter else ""))
    order = {o.id: i for i, o in enumerate(spec.organisations)}
    return tuple(sorted(levers, key=lambda lever: order[lever.organisation]))


def _ceiling(value: float) -> float:
    # Room to try three times today's capacity, and at least 20 more (small services).
    return float(max(math.ceil(3 * value), math.ceil(value) + 20))


def check_levers(system: SystemModel, values: Mapping[str, float],
                 scenario: str = "baseline") -> dict[str, float]:
    """``values`` checked against the scenario's levers (name known, number in range)."""
    levers = {lever.name: lever for lever in system_levers(system, scenario)}
    checked = {}
    for name, value in values.items():
        lever = levers.get(name)
        if lever is None:
            raise UnknownNameError(name, hint="not a lever of this system; levers: "
                                              + ", ".join(levers) if levers else
                                              "this system has no levers")
        number = float(value)
        if not math.isfinite(number) or not lever.minimum <= number <= lever.maximum:
            raise ParameterError(f"lever '{name}' must be between {lever.minimum:g} and "
                                 f"{lever.maximum:g}, not {value}")
        checked[name] = number
    return checked


def simulate_levers(system: SystemModel, values: Mapping[str, float],
                    scenario: str = "baseline") -> ScenarioRun:
    """The scenario simulated with its levers set to ``values`` (the rest as they are)."""
    return system.simulate(scenario, check_levers(system, values, scenario))


def compare_levers(system: SystemModel, values: Mapping[str, float],
                   scenario: str = "baseline", baseline: str = "baseline") -> Comparison:
    """``scenario`` with its levers moved, against ``baseline`` as the file has it."""
    return compare_ledgers(build_ledger(system.simulate(baseline)),
                           build_ledger(simulate_levers(system, values, scenario)))


def levers_changed(system: SystemModel, values: Mapping[str, float],
                   scenario: str = "baseline",
                   baseline: str = "baseline") -> list[tuple[Lever, float, float]]:
    """Every lever whose value differs from the baseline: (lever, baseline value, value)."""
    base = {lever.name: lever.value for lever in system_levers(system, baseline)}
    changed = []
    for lever in system_levers(system, scenario):
        value = float(values.get(lever.name, lever.value))
        before = base.get(lever.name, math.nan)
        if value != before:
            changed.append((lever, before, value))
    return changed
