"""Why each organisation's cost changed: a scenario's changes in cost traced to causes.

Two ledgers of one system (a baseline and a scenario) give each organisation a change in
cost. :func:`trace_causes` splits every organisation's change into causes in the system,
which add up to the change exactly:

- ``programme``: what it spends on interventions it funds;
- ``waiting``: people waiting for a service another organisation runs, at its cost (people
  in its acute beds waiting for the council's home care): responsibility that crosses an
  organisational boundary;
- ``people``: more or fewer people reaching one of its services along a stream of the
  pathway (sent on by a service, coming back after an unmet need, turned away by a full
  service, or arriving from outside), priced at what the service's volume costs;
- ``own``: everything else inside its own services (unit costs, lengths of stay, the
  capacity it buys, its own queues).

A cause *crosses* a boundary when the people or the responsibility come from a service
another organisation runs. :mod:`wholesystem.system.shunts` reports a cost shunt only for
such causes, from an organisation that saves to one that pays more, so two unrelated
changes in two organisations, or one organisation funding a programme that saves another
money, are not called a shunt.

How people are priced: a service's change in running cost (capacity and fixed costs left
out, since they do not follow people) is split exactly into a change of volume (occupied
place-time, or contacts) at its mean cost per unit, and a change of cost per unit (its
own). The volume part is the people's in the share the streams explain of the change in
admissions, shared among the streams in proportion to each stream's change in people.
Where more people arrive than a full service admits, the extra people are not priced here
(they show as waiting); where a service admits more than its streams bring (a queue
drained by new capacity), or its stays change, the difference is the service's own.

>>> import wholesystem
>>> from wholesystem.system.ledger import build_ledger
>>> from wholesystem.system.model import load_system
>>> system = load_system(wholesystem.example_path("delayed_discharge_system"))
>>> base = build_ledger(system.simulate("baseline"))
>>> fewer = build_ledger(system.simulate("fewer_packages"))
>>> [(c.kind, c.service, c.source_organisation, round(c.amount))
...  for c in trace_causes(base, fewer) if c.organisation == "acute_trust"]
[('waiting', 'home_care', 'adult_social_care', 5192139)]
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from wholesystem.system.ledger import Ledger, ServiceLine, change_threshold

__all__ = ["CAUSE_KINDS", "CostCause", "trace_causes"]

CAUSE_KINDS = ("programme", "waiting", "people", "own")
"""The kinds of :class:`CostCause`, in the order reports list them."""

_TINY = 1e-9


@dataclass(frozen=True)
class CostCause:
    """One part of one organisation's change in cost, and what it comes from."""

    organisation: str
    """Id of the organisation whose cost changes."""
    kind: str
    """``programme``, ``waiting``, ``people`` or ``own`` (see the module)."""
    amount: float
    """Its part of the change (negative: a saving)."""
    service: str = ""
    """Service id the cost is incurred in ('' for a programme)."""
    service_name: str = ""
    source: str = ""
    """Where it comes from: the intervention id (programme), the service people wait for
    (waiting), the service or cohort id people come from (people); '' for ``own``."""
    source_name: str = ""
    stream: str = ""
    """For ``people``: ``arrival``, ``route``, ``return`` or ``divert``."""
    source_organisation: str = ""
    """Id of the organisation whose service the people or the responsibility come from
    ('' when from outside the system)."""
    source_organisation_name: str = ""
    organisation_name: str = ""
    """Name of the organisation whose cost changes."""
    origin_organisation: str = ""
    """Id of the organisation where this part of the change began, found by walking up
    the pathway from ``source`` (see :func:`trace_causes`); '' when it began outside the
    system (more or fewer people arriving). For a programme or an ``own`` change, the
    organisation itself."""
    origin_organisation_name: str = ""
    via: tuple[str, ...] = ()
    """Names of the services the walk passed through, nearest first, ending where the
    change began (empty when it began at ``source``'s own service or is not traced)."""

    @property
    def crosses(self) -> bool:
        """True when the cost follows people or responsibility from a service another
        organisation runs."""
        return self.source_organisation not in ("", self.organisation)

    @property
    def began_elsewhere(self) -> bool:
        """True when the change began in another organisation: cost that follows people
        or responsibility across a boundary from where it started."""
        return self.origin_organisation not in ("", self.organisation)


def trace_causes(base: Ledger, other: Ledger) -> tuple[CostCause, ...]:
    """Every organisation's change in cost from ``base`` to ``other``, split into causes
    (organisations in file order, each one's causes in :data:`CAUSE_KINDS` order). An
    organisation's causes add up to its change; causes below a millionth of the baseline's
    whole-system cost (and below 1) are left out, except that ``own`` carries the rest."""
    threshold = change_threshold(base.whole_system)
    walk = _Walk(base, other)
    causes: list[CostCause] = []
    for organisation in base.organisations:
        change = other.organisation(organisation.id).cost - organisation.cost
        traced = [replace(c, organisation_name=organisation.name)
                  for c in _traced(base, other, organisation.id, walk)
                  if abs(c.amount) > threshold]
        rest = change - sum(c.amount for c in traced)
        if abs(rest) > threshold or (not traced and abs(change) > threshold):
            traced.append(CostCause(organisation.id, "own", rest,
                                    organisation_name=organisation.name))
        causes += [piece for cause in traced for piece in walk.origins(cause, threshold)]
    return tuple(causes)


class _Walk:
    """Where a change in people or waiting at a service began, walking up the pathway.

    People waiting for a service, or turned away by it, change because more or fewer
    people reach it, or because it admits more or fewer: the first part is the share
    ``brought / (brought - admitted)`` of the change in its queue (0 to 1), the rest the
    service's own. People a service sends on change with its admissions, which its
    streams explain in the share ``brought / admitted``. The part explained by the streams
    is shared among them in proportion to their change in people and followed further up;
    a stream from outside ends the walk outside the system, and a service's own part ends
    it at the service's owner. The walk never passes a service twice, and stops at the
    organisation whose cost it explains (its own services are its own)."""

    def __init__(self, base: Ledger, other: Ledger):
        self.base = base
        self.names = {o.id: o.name for o in base.organisations}
        self.services = {s.id: s for s in base.services}
        self.admitted = {s.id: other.service(s.id).served - s.served for s in base.services}
        self.streams = {s.id: _stream_changes(base, other, s.id) for s in base.services}
        self.brought = {key: sum(value.values()) for key, value in self.streams.items()}

    def origins(self, cause: CostCause, threshold: float) -> list[CostCause]:
        """``cause`` split by where its parts began (one cause per origin, adding up to
        it; parts below ``threshold`` join the largest); programmes and ``own`` changes
        began with the organisation itself."""
        if cause.kind in ("programme", "own"):
            return [self._at(cause, cause.organisation, ())]
        if cause.kind == "people" and cause.stream == "arrival":
            return [self._at(cause, "", ())]
        mode = "sends" if cause.kind == "people" and cause.stream != "divert" else "queues"
        pieces = self._walk(cause.source, cause.amount, mode, cause.organisation, ())
        by_origin: dict[str, list[tuple[float, tuple[str, ...]]]] = {}
        for origin, amount, path in pieces:
            by_origin.setdefault(origin, []).append((amount, path))
        totals = {origin: sum(a for a, _ in parts) for origin, parts in by_origin.items()}
        largest = max(totals, key=lambda origin: abs(totals[origin]))
        small = [o for o in totals if o != largest and abs(totals[o]) <= threshold]
        totals[largest] += sum(totals.pop(o) for o in small)
        return [self._at(replace(cause, amount=total), origin,
                         max(by_origin[origin], key=lambda part: abs(part[0]))[1])
                for origin, total in totals.items()]

    def _at(self, cause: CostCause, origin: str, path: tuple[str, ...]) -> CostCause:
        via = tuple(self.services[s].name for s in path[1:])
        return replace(cause, origin_organisation=origin,
                       origin_organisation_name=self.names.get(origin, ""), via=via)

    def _walk(self, service: str, amount: float, mode: str, receiver: str,
              seen: tuple[str, ...]) -> list[tuple[str, float, tuple[str, ...]]]:
        owner = self.services[service].owner
        path = (*seen, service)
        if (owner == receiver and seen) or service in seen or len(path) > len(self.services):
            return [(owner, amount, path)]
        brought, admitted = self.brought[service], self.admitted[service]
        share = _share(brought, admitted if mode == "sends" else brought - admitted)
        pieces = [] if share == 1.0 else [(owner, amount * (1.0 - share), path)]
        if share:
            for (stream, source), people in self.streams[service].items():
                part = amount * share * people / brought
                if stream == "arrival":
                    pieces.append(("", part, path))
                else:
                    pieces += self._walk(source, part, "queues" if stream == "divert"
                                         else "sends", receiver, path)
        return pieces


def _share(brought: float, explained: float) -> float:
    """``brought / explained`` clipped to 0..1 (0 when either is nothing)."""
    if abs(brought) < _TINY or abs(explained) < _TINY:
        return 0.0
    return min(1.0, max(0.0, brought / explained))


def _traced(base: Ledger, other: Ledger, org_id: str, walk: _Walk) -> list[CostCause]:
    return [*_programmes(base, other, org_id), *_waiting(base, other, org_id),
            *_people(base, other, org_id, walk)]


def _programmes(base: Ledger, other: Ledger, org_id: str) -> list[CostCause]:
    # An intervention is in a ledger only where applied: the other side counts as 0.
    before = {i.id: i for i in base.interventions if i.payer == org_id}
    after = {i.id: i for i in other.interventions if i.payer == org_id}
    causes = []
    for key in dict.fromkeys([*before, *after]):
        line = after.get(key) or before[key]
        amount = (after[key].cost if key in after else 0.0) - (
            before[key].cost if key in before else 0.0)
        causes.append(CostCause(org_id, "programme", amount, source=key,
                                source_name=line.name, source_organisation=org_id,
                                source_organisation_name=_org_name(base, org_id)))
    return causes


def _waiting(base: Ledger, other: Ledger, org_id: str) -> list[CostCause]:
    """Waiting it pays for in services another organisation runs (its own waiting is a
    change inside its own services)."""
    return [CostCause(org_id, "waiting",
                      other.service(s.id).waiting_cost - s.waiting_cost, s.id, s.name,
                      s.id, s.name, source_organisation=s.owner,
                      source_organisation_name=_org_name(base, s.owner))
            for s in base.services if s.delay_payer == org_id and s.owner != org_id]


def _people(base: Ledger, other: Ledger, org_id: str, walk: _Walk) -> list[CostCause]:
    causes = []
    for service in base.services:
        if service.owner == org_id:
            causes += _people_into(other, service, walk)
    return causes


def _people_into(other: Ledger, service: ServiceLine, walk: _Walk) -> list[CostCause]:
    """The part of a service's change in cost that the change in people along each
    stream into it explains (the streams' changes are the walk's, worked out once)."""
    streams = walk.streams[service.id]
    brought, admitted = walk.brought[service.id], walk.admitted[service.id]
    if abs(brought) < _TINY or abs(admitted) < _TINY:
        return []
    # The share of the change in admissions the streams explain (0 to 1): the rest is a
    # queue the service drained or let grow (its own capacity).
    share = min(1.0, max(0.0, brought / admitted))
    by_people = _volume_part(service, other.service(service.id)) * share
    causes = []
    for (stream, source), people in streams.items():
        from_service = walk.services.get(source) if stream != "arrival" else None
        owner = from_service.owner if from_service is not None else ""
        causes.append(CostCause(
            service.owner, "people", by_people * people / brought, service.id,
            service.name, source, from_service.name if from_service else source, stream,
            owner, walk.names.get(owner, "")))
    return causes


def _volume_part(before: ServiceLine, after: ServiceLine) -> float:
    """The part of a service's change in running cost (capacity and fixed costs left
    out) that comes from its volume (occupied place-time; contacts where it holds no
    one), not its cost per unit: ``mean rate x change in volume`` of the exact split
    ``V1 - V0 = mean(r) (d1 - d0) + mean(d) (r1 - r0)`` of ``V = r d``. Occupied time,
    not admissions, is the volume of a places service, because people there at the
    start cost money without being admitted in the run."""
    held = max(before.place_days, after.place_days) > _TINY
    volumes = [line.place_days if held else line.served for line in (before, after)]
    rates = [(line.cost - line.capacity_cost) / volume if volume > _TINY else 0.0
             for line, volume in zip((before, after), volumes, strict=True)]
    rate = (sum(rates) / 2 if all(rates) else max(rates, key=abs))
    return rate * (volumes[1] - volumes[0])


def _stream_changes(base: Ledger, other: Ledger, service_id: str
                    ) -> dict[tuple[str, str], float]:
    """Change in people along each (stream kind, source) into a service."""
    changes: dict[tuple[str, str], float] = defaultdict(float)
    for sign, ledger in ((-1.0, base), (1.0, other)):
        for flow in ledger.flows:
            if flow.target == service_id:
                changes[(flow.kind, flow.source)] += sign * flow.people
    return dict(changes)


def _org_name(ledger: Ledger, org_id: str) -> str:
    return ledger.organisation(org_id).name
