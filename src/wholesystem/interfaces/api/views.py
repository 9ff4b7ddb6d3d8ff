"""What the pages draw, read from the analyses' results: no modelling happens here.

The series and the map only pick columns out of a simulated scenario by the names its
layout gives, and thin them to at most a few hundred points for the browser.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wholesystem.system.ledger import Ledger
from wholesystem.system.levers import Lever, levers_changed
from wholesystem.system.model import SystemModel
from wholesystem.system.results import ScenarioRun

__all__ = ["series", "system_map", "changed_levers", "lever_groups", "MAX_POINTS"]

MAX_POINTS = 200


def _thin(values: list[float], every: int) -> list[float]:
    return [round(float(v), 4) for v in values[::every]]


def series(run: ScenarioRun) -> dict[str, Any]:
    """Cumulative cost per organisation and people waiting per service, over time."""
    frame = run.results
    every = max(1, len(frame) // MAX_POINTS)
    names = {o.id: o.name for o in run.spec.organisations}
    services = {s.id: s.name for s in run.spec.services}
    return {
        "time": _thin(list(frame.index), every),
        "unit": run.spec.time.unit,
        "cost": [{"id": org, "name": names[org], "values": _thin(list(frame[col]), every)}
                 for org, col in run.layout.organisation_costs],
        "waiting": [{"id": s.service, "name": services[s.service],
                     "values": _thin(list(frame[s.waiting]), every)}
                    for s in run.layout.services],
    }


def system_map(system: SystemModel, ledger: Ledger, run: ScenarioRun) -> dict[str, Any]:
    """Organisations as groups, services as nodes (with their queues), pathways and
    arrivals as edges sized by the flow along them over the run."""
    spec = system.spec
    lines = {line.id: line for line in ledger.services}
    nodes = [{"id": s.id, "name": s.name, "organisation": s.owner, "kind": s.kind.value,
              "capacity": s.capacity.value if s.capacity and s.capacity.is_constant
              else None, "served": lines[s.id].served,
              "mean_waiting": lines[s.id].mean_waiting,
              "waiting_at_end": lines[s.id].waiting_at_end,
              "mean_in_service": lines[s.id].mean_in_service} for s in spec.services]
    edges = []
    for cohort in spec.cohorts:
        for need in cohort.needs:
            edges.append({"from": f"cohort:{cohort.id}", "to": need.service,
                          "flow": lines[need.service].served, "label": need.name})
    for pathway in spec.pathways:
        served = lines[pathway.source].served if pathway.source in lines else 0.0
        for route in pathway.routes:
            edges.append({"from": pathway.source, "to": route.to,
                          "flow": served * route.fraction, "label": route.why})
    return {
        "name": spec.name, "description": spec.description,
        "organisations": [{"id": o.id, "name": o.name, "kind": o.kind}
                          for o in spec.organisations],
        "cohorts": [{"id": f"cohort:{c.id}", "name": c.name} for c in spec.cohorts],
        "services": nodes, "edges": edges, "series": series(run),
    }


def changed_levers(system: SystemModel, values: Mapping[str, float],
                   scenario: str) -> list[dict[str, Any]]:
    """Every lever differing from the baseline, as the pages list them."""
    return [{"name": lever.name, "label": lever.label, "base": before, "value": value}
            for lever, before, value in levers_changed(system, values, scenario)]


def lever_groups(levers: tuple[Lever, ...],
                 evidence: Mapping[str, dict[str, str]]) -> list[dict[str, Any]]:
    """Levers grouped by the organisation that owns them."""
    groups: dict[str, dict[str, Any]] = {}
    for lever in levers:
        group = groups.setdefault(lever.organisation, {
            "organisation": lever.organisation, "name": lever.organisation_name,
            "levers": []})
        group["levers"].append({
            "name": lever.name, "label": lever.label, "service": lever.service,
            "value": lever.value, "minimum": lever.minimum, "maximum": lever.maximum,
            "step": lever.step, "unit": lever.unit, "affects": list(lever.affects),
            "field": lever.field,
            "evidence": evidence.get(lever.name) or (
                {"source": lever.evidence, "owner": "the model file", "note": ""}
                if lever.evidence else None)})
    return list(groups.values())
