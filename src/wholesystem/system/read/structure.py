"""What a system file means, checked: references, fractions and loops.

The schema says each field has the right shape; these checks say the fields fit together:
every id used is defined, routes out of a service add up to 1 (so nobody is lost or made
up), and people never go round a loop of contacts or diversions within one time step.
"""

from __future__ import annotations

from collections.abc import Iterator

import networkx as nx

from wholesystem.diagnostics import Diagnostic
from wholesystem.system.read.source import FieldPath, Positions, problem
from wholesystem.system.spec import (
    LEAVE,
    UNMET,
    CapacityChange,
    PreventionChange,
    Route,
    RoutingChange,
    Service,
    ServiceKind,
    StayChange,
    SystemSpec,
)

__all__ = ["check_structure", "RESERVED_IDS", "instant_edges"]

RESERVED_IDS = frozenset({LEAVE, UNMET, "all"})
"""Words that may not be used as service ids."""


def check_structure(spec: SystemSpec, positions: Positions) -> list[Diagnostic]:
    """Every problem of meaning in ``spec`` (empty when it is sound)."""
    return [problem(positions, path, message, hint=hint)
            for path, message, hint in _problems(spec)]


_Problem = tuple[FieldPath, str, str | None]


def _problems(spec: SystemSpec) -> Iterator[_Problem]:
    yield from _check_services(spec)
    yield from _check_cohorts(spec)
    yield from _check_pathways(spec)
    yield from _check_interventions(spec)
    yield from _check_scenarios(spec)
    yield from _check_instant_loops(spec)


def _check_services(spec: SystemSpec) -> Iterator[_Problem]:
    organisations = {o.id for o in spec.organisations}
    services = {s.id for s in spec.services}
    known = ", ".join(sorted(organisations))
    for service in spec.services:
        path: FieldPath = ("services", service.id)
        if service.id in RESERVED_IDS:
            yield path, f"'{service.id}' is a reserved word", "choose another id"
        if service.owner not in organisations:
            yield (*path, "owner"), f"no organisation '{service.owner}'", f"known: {known}"
        payer = service.when_full.payer
        if payer is not None and payer not in organisations:
            yield (*path, "when_full", "payer"), f"no organisation '{payer}'", f"known: {known}"
        target = service.when_full.divert_to
        if target is not None and target != UNMET and target not in services:
            yield ((*path, "when_full", "divert_to"), f"no service '{target}'",
                   "name a service, or 'unmet' for people who go without")
        if target == service.id:
            yield (*path, "when_full", "divert_to"), "a service cannot divert to itself", None
        yield from _check_service_kind(service, path)
        if service.ward and service.ward in services and service.ward != service.id \
                and spec.service(service.ward).ward != service.ward:
            yield ((*path, "ward"), f"ward '{service.ward}' is also the id of a service "
                                    "outside it",
                   f"name the ward otherwise, or give service '{service.ward}' "
                   f"ward: {service.ward}")
        if service.ward and service.kind is ServiceKind.CONTACTS:
            yield (*path, "ward"), "a contacts service holds nobody in a ward", None
        if service.costs.has_capacity_costs and service.capacity is None:
            yield ((*path, "costs"), "costs per place or per team need a 'capacity' "
                                     "(an unlimited service has no places to pay for)",
                   "give the service a capacity, or charge per_occupied_day instead")
        if service.kind is ServiceKind.VISITS and (spec.time.unit != "day"
                                                   or spec.time.step != 1):
            yield (path, "a visits service books visits day by day",
                   "use time: {unit: day, step: 1}")


def _check_service_kind(service: Service, path: FieldPath) -> Iterator[_Problem]:
    if service.kind is not ServiceKind.VISITS and service.visits is not None:
        yield ((*path, "visits"), "only a visits service has a visit profile",
               "set kind: visits, or remove 'visits'")
    if service.kind is ServiceKind.VISITS:
        yield from _check_visits(service, path)
        return
    if service.kind is ServiceKind.PLACES:
        if service.length_of_stay is None:
            yield (path, "a places service needs 'length_of_stay'",
                   "or set kind: contacts for attendances, visits or calls")
        return
    if service.length_of_stay is not None:
        yield ((*path, "length_of_stay"), "a contacts service has no length of stay",
               "use kind: places for beds, packages or caseloads")
    if service.initial_in_service:
        yield (*path, "initial", "in_service"), "a contacts service holds nobody in service", None
    if service.costs.per_occupied_day:
        yield ((*path, "costs"), "a contacts service has no occupied days",
               "charge per_contact instead")


def _check_cohorts(spec: SystemSpec) -> Iterator[_Problem]:
    services = {s.id for s in spec.services}
    for cohort in spec.cohorts:
        for need in cohort.needs:
            if need.service not in services:
                yield (("cohorts", cohort.id, "needs", need.id, "service"),
                       f"no service '{need.service}'", None)
            weekly = need.arrivals.weekly or (cohort.population and cohort.population.weekly)
            if weekly and spec.time.unit != "day":
                yield ("cohorts", cohort.id, "needs", need.id), "weekly needs days", None


def _check_routes(spec: SystemSpec, routes: tuple[Route, ...],
                  path: FieldPath) -> Iterator[_Problem]:
    services = {s.id for s in spec.services}
    total = 0.0
    for index, route in enumerate(routes):
        where = (*path, index)
        total += route.fraction
        if route.to in (LEAVE, UNMET):
            if route.after is not None:
                yield (*where, "after"), f"people who {route.to} do not come back", None
        elif route.to not in services:
            yield ((*where, "to"), f"no service '{route.to}'",
                   "name a service, 'leave' (need met) or 'unmet'")
    if abs(total - 1.0) > 1e-6:
        yield (path, f"fractions add up to {total:g}, not 1",
               "add a route to 'leave' for the people who go home")


def _check_pathways(spec: SystemSpec) -> Iterator[_Problem]:
    services = {s.id for s in spec.services}
    cohorts = {c.id for c in spec.cohorts}
    seen_for: set[tuple[str, str | None]] = set()
    for index, pathway in enumerate(spec.pathways):
        path: FieldPath = ("pathways", index)
        if pathway.source not in services:
            yield (*path, "from"), f"no service '{pathway.source}'", None
        if pathway.cohort is not None and pathway.cohort not in cohorts:
            yield (*path, "cohort"), f"no cohort '{pathway.cohort}'", (
                f"known: {', '.join(sorted(cohorts)) or 'none'}")
        key = (pathway.source, pathway.cohort)
        if key in seen_for:
            whose = f" for cohort '{pathway.cohort}'" if pathway.cohort else ""
            yield (*path, "from"), f"a second pathway from '{pathway.source}'{whose}", (
                "put all routes out of a service (for one cohort) in one pathway")
        seen_for.add(key)
        yield from _check_routes(spec, pathway.routes, (*path, "routes"))
    for cohort in spec.cohorts:
        for service_id, _ in cohort.stays:
            where: FieldPath = ("cohorts", cohort.id, "length_of_stay", service_id)
            service = next((x for x in spec.services if x.id == service_id), None)
            if service is None:
                yield where, f"no service '{service_id}'", None
            elif service.kind is not ServiceKind.PLACES:
                yield where, (f"'{service_id}' is a {service.kind.value} service: a "
                              "cohort's own length of stay is for places services"), None


def _check_interventions(spec: SystemSpec) -> Iterator[_Problem]:
    services = {s.id for s in spec.services}
    organisations = {o.id for o in spec.organisations}
    cohorts = {c.id: c for c in spec.cohorts}
    for intervention in spec.interventions:
        path: FieldPath = ("interventions", intervention.id)
        if intervention.cost and intervention.cost.payer not in organisations:
            yield (*path, "cost", "payer"), f"no organisation '{intervention.cost.payer}'", None
        for index, change in enumerate(intervention.changes):
            where = (*path, "changes", index)
            if isinstance(change, (CapacityChange, StayChange)):
                for name in change.services:
                    if name != "all" and name not in services:
                        yield (*where, "services"), f"no service '{name}'", None
            if isinstance(change, CapacityChange):
                yield from _check_unlimited_places(spec, change, where)
            if isinstance(change, PreventionChange):
                cohort = cohorts.get(change.cohort)
                if cohort is None:
                    yield (*where, "cohort"), f"no cohort '{change.cohort}'", None
                    continue
                needs = {n.id for n in cohort.needs}
                for need in change.needs:
                    if need not in needs:
                        yield (*where, "needs"), f"cohort '{cohort.id}' has no need '{need}'", None
            elif isinstance(change, RoutingChange):
                if change.source not in services:
                    yield (*where, "from"), f"no service '{change.source}'", None
                if change.cohort is not None and change.cohort not in cohorts:
                    yield (*where, "cohort"), f"no cohort '{change.cohort}'", None
                yield from _check_routes(spec, change.routes, (*where, "routes"))


def _check_unlimited_places(spec: SystemSpec, change: CapacityChange,
                            where: FieldPath) -> Iterator[_Problem]:
    """Removing the limit of a service that pays per place would make its cost infinite."""
    if change.set_to is not None or change.add or change.multiply != 1.0:
        return
    for service in spec.services:
        if ("all" in change.services or service.id in change.services) \
                and service.costs.has_capacity_costs:
            yield (where, f"'{service.id}' pays per place or per team, so its capacity "
                          "cannot be unlimited",
                   "set a (large) capacity instead, whose places are then paid for")


def _check_scenarios(spec: SystemSpec) -> Iterator[_Problem]:
    interventions = {i.id for i in spec.interventions}
    for scenario in spec.scenarios:
        for name in scenario.interventions:
            if name not in interventions:
                yield (("scenarios", scenario.id), f"no intervention '{name}'",
                       f"known: {', '.join(sorted(interventions)) or 'none'}")


def instant_edges(spec: SystemSpec) -> list[tuple[str, str]]:
    """Moves that happen within one time step: routes out of contacts services (without a
    delay) and diversions of a full service."""
    kinds = {s.id: s.kind for s in spec.services}
    edges = []
    for service in spec.services:
        target = service.when_full.divert_to
        if target is not None and target != UNMET:
            edges.append((service.id, target))
        if kinds[service.id] is ServiceKind.CONTACTS:
            for cohort in (None, *spec.lanes):
                edges.extend((service.id, r.to) for r in spec.routes_from(service.id, cohort)
                             if r.to in kinds and r.after is None)
    return edges


def _check_instant_loops(spec: SystemSpec) -> Iterator[_Problem]:
    graph = nx.DiGraph(instant_edges(spec))
    for cycle in nx.simple_cycles(graph):
        loop = " -> ".join((*cycle, cycle[0]))
        yield (("services", cycle[0]), f"people could go round {loop} within one time step",
               "give one of these moves a delay ('after') or make one service places")
        return



def _check_visits(service: Service, path: FieldPath) -> Iterator[_Problem]:
    if service.length_of_stay is None:
        yield path, "a visits service needs 'length_of_stay'", None
    if service.visits is None:
        yield (path, "a visits service needs 'visits' (its visits a day over a stay)",
               "e.g. visits: {first: 4, last: 1}")
    if service.costs.per_occupied_day:
        yield ((*path, "costs"), "a visits service is charged per visit",
               "give costs: {per_visit: ...}")
