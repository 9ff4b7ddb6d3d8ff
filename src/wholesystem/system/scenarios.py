"""Scenarios: a named set of interventions applied to a spec, giving a new spec.

Applying never mutates; the result records which interventions were applied (their own
costs are then charged to their payers) and the prevention in force. A scenario name may
also be an intervention's id, which stands for the scenario of that intervention alone.
"""

from __future__ import annotations

from dataclasses import replace

from wholesystem.errors import UnknownNameError
from wholesystem.system.spec import (
    CapacityChange,
    Change,
    Pathway,
    PreventionChange,
    Quantity,
    RoutingChange,
    Service,
    StayChange,
    SystemSpec,
)

__all__ = ["apply_scenario", "apply_intervention", "scenario_names"]


def scenario_names(spec: SystemSpec) -> list[str]:
    """Every name ``apply_scenario`` accepts: ``baseline``, scenarios, interventions."""
    names = ["baseline", *(s.id for s in spec.scenarios if s.id != "baseline")]
    return names + [i.id for i in spec.interventions if i.id not in names]


def apply_scenario(spec: SystemSpec, name: str) -> SystemSpec:
    """The spec with scenario (or intervention) ``name`` applied."""
    scenario = spec.scenario_named(name)
    if scenario is not None:
        interventions = scenario.interventions
    elif any(i.id == name for i in spec.interventions):
        interventions = (name,)
    else:
        raise UnknownNameError(name, hint="scenarios of this system: "
                                          + ", ".join(scenario_names(spec)))
    for intervention_id in interventions:
        spec = apply_intervention(spec, intervention_id)
    return replace(spec, scenario=name)


def apply_intervention(spec: SystemSpec, intervention_id: str) -> SystemSpec:
    """The spec with one intervention's changes made and its cost recorded."""
    intervention = spec.intervention(intervention_id)
    for change in intervention.changes:
        spec = _apply_change(spec, change)
    return replace(spec, applied=(*spec.applied, intervention_id))


def _apply_change(spec: SystemSpec, change: Change) -> SystemSpec:
    if isinstance(change, PreventionChange):
        return replace(spec, preventions=(*spec.preventions, change))
    if isinstance(change, RoutingChange):
        others = tuple(p for p in spec.pathways
                       if (p.source, p.cohort) != (change.source, change.cohort))
        return replace(spec, pathways=(*others, Pathway(change.source, change.routes,
                                                        change.span, change.cohort)))
    targets = set(change.services)
    services = tuple(
        _change_service(s, change) if ("all" in targets or s.id in targets) else s
        for s in spec.services)
    return replace(spec, services=services)


def _change_service(service: Service, change: CapacityChange | StayChange) -> Service:
    if isinstance(change, StayChange):
        stay = change.set_to
        if stay is None and service.length_of_stay is not None:
            stay = replace(service.length_of_stay,
                           mean=service.length_of_stay.mean * change.multiply)
        return replace(service, length_of_stay=stay)
    if change.set_to is not None:
        return replace(service, capacity=change.set_to)
    if service.capacity is None:
        return service
    if change.add or change.multiply != 1.0:
        return replace(service, capacity=_shift(service.capacity, change.add)
                       .scaled(change.multiply))
    return replace(service, capacity=None)  # unlimited


def _shift(quantity: Quantity, amount: float) -> Quantity:
    if not amount:
        return quantity
    return replace(quantity, value=max(0.0, quantity.value + amount),
                   points=tuple((t, max(0.0, v + amount)) for t, v in quantity.points),
                   weekly=tuple(max(0.0, v + amount) for v in quantity.weekly))
