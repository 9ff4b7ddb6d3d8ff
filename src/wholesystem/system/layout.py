"""Where the people, the money and the numbers of a lowered system are.

:class:`SystemLayout` says which variables of the lowered project hold which people and
which costs; the ledger, comparisons, conservation check and journeys read results
through it. Its :attr:`SystemLayout.parameters` is the parameter table: every number of
the system file (capacities, lengths of stay, arrival rates, route fractions, unit costs,
intervention costs and effects, people at the start) as a named constant of the lowered
model, with where it is written and the evidence written beside it, so sensitivity,
Monte Carlo and scenarios set them without lowering or compiling again.
"""

from __future__ import annotations

from dataclasses import dataclass

from wholesystem.diagnostics import SourceSpan
from wholesystem.errors import UnknownNameError
from wholesystem.ir.names import canonical_name

__all__ = ["InflowLayout", "LaneLayout", "Parameter", "ServiceLayout", "SystemLayout",
           "evidence_at"]

def evidence_at(text: str, span: SourceSpan) -> str:
    """The comment written on the line of ``span`` (``[source] ...``, ``[assumption]``),
    or "" when there is none. As in YAML, a comment is a ``#`` at the start of the line or
    after white space; one inside quotes is not a comment."""
    lines = text.splitlines()
    if not 1 <= span.line <= len(lines):
        return ""
    line = lines[span.line - 1]
    for at, char in enumerate(line):
        if char != "#" or (at and not line[at - 1].isspace()):
            continue
        before = line[:at]
        if before.count('"') % 2 == 0 and before.count("'") % 2 == 0:
            return line[at + 1:].strip()
    return ""


@dataclass(frozen=True, slots=True)
class Parameter:
    """One number of a system file, as a named constant of the lowered model."""

    name: str
    """Canonical name of the constant in the lowered model (what ``params`` keys)."""
    display: str
    """Its name as reports show it, e.g. ``hospital cost per occupied day``."""
    value: float
    """Its value in the file (for a series or weekly profile: the scale, 1)."""
    units: str
    """Units, in the system's time unit."""
    kind: str
    """What it is: ``capacity``, ``length of stay``, ``arrival rate``, ``population``,
    ``growth``, ``route fraction``, ``delay``, ``unit cost``, ``intervention cost``,
    ``intervention effect`` or ``initial people``."""
    field: str
    """The field of the system file it comes from, e.g.
    ``services.hospital.costs.per_occupied_day``."""
    span: SourceSpan
    """Where it is written (file:line:col)."""
    evidence: str = ""
    """What the file says about where the number comes from: the comment on its line
    (``[source] ...``, ``[assumption]``) or the data file of a series."""
    live: bool = True
    """True when a run can set it on the compiled model; False when the number shapes the
    lowered structure (the mean of a lognormal or fixed stay sets its pipeline delays)."""

    def as_dict(self) -> dict[str, object]:
        """JSON-ready fields (the position as ``file:line:col``)."""
        return {"name": self.name, "display": self.display, "value": self.value,
                "units": self.units, "kind": self.kind, "field": self.field,
                "position": str(self.span), "evidence": self.evidence, "live": self.live}


@dataclass(frozen=True, slots=True)
class ServiceLayout:
    """Names of the lowered variables that describe one service."""

    service: str
    """Service id."""
    waiting: str
    """Stock: people waiting."""
    in_service: str | None
    """Stock: people in the service (places only)."""
    served: str
    """Flow: admissions (places) or contacts."""
    owner_cost: str
    """Stock: cumulative cost to the owner."""
    delay_cost: str
    """Stock: cumulative cost of waiting, to the delay payer."""
    owner_rate: str
    """Aux: owner cost per time unit."""
    delay_rate: str
    """Aux: waiting cost per time unit."""
    capacity: str | None = None
    """Aux: places, or contacts per time unit (None: unlimited)."""
    capacity_cost: str | None = None
    """Stock: cumulative cost of the commissioned capacity and fixed costs, to the owner
    (part of ``owner_cost``; None when the service has none)."""


@dataclass(frozen=True, slots=True)
class InflowLayout:
    """One stream of people into a service's queue, and where it comes from: what lets a
    comparison trace a change in a service's cost to the pathway that brought the people."""

    target: str
    """Service id the people join the queue of."""
    flow: str
    """Canonical name of the flow (people per time unit)."""
    kind: str
    """``arrival`` (from outside), ``route`` (sent on by a service), ``return`` (coming
    back after an unmet need) or ``divert`` (turned away by a full service)."""
    source: str
    """Service id they come from; for an arrival, the cohort id."""


@dataclass(frozen=True, slots=True)
class LaneLayout:
    """One cohort's copy of one service, where cohorts are kept apart (their own routes
    or stays): its people and its costs, for the ledger by cohort."""

    service: str
    cohort: str
    waiting: str
    """Stock: this cohort's people waiting."""
    in_service: str | None
    """Stock: this cohort's people in the service (places and visits)."""
    served: str
    """Flow or aux: this cohort's admissions or contacts."""
    owner_cost: str
    """Stock: this cohort's running cost of the service, to its owner (capacity and fixed
    costs left out: they are the service's)."""
    delay_cost: str
    """Stock: the cost of this cohort's people waiting, to the delay payer."""


@dataclass(frozen=True, slots=True)
class SystemLayout:
    """Where the people and the money of a system are in its lowered project."""

    services: tuple[ServiceLayout, ...]
    """One per service, in file order."""
    organisation_costs: tuple[tuple[str, str], ...]
    """(organisation id, cumulative cost stock)."""
    intervention_costs: tuple[tuple[str, str, str], ...]
    """(intervention id, payer, cumulative cost stock)."""
    people_stocks: tuple[str, ...]
    """Every stock holding people inside the system (waiting, in service, returning)."""
    returning: tuple[str, ...]
    """Stocks of people who will re-present later (failure demand)."""
    arrival_flows: tuple[str, ...]
    """Flows of people arriving from outside (one per cohort need)."""
    arrived: str
    """Stock: everyone who has arrived from outside."""
    left: str
    """Stock: everyone who has left with their need met."""
    left_unmet: str
    """Stock: everyone who has left with their need unmet."""
    repeat_presentations: str
    """Stock: cumulative re-presentations."""
    whole_system_cost: str
    """Stock: cumulative cost to every organisation together."""
    initial_people: float
    """People inside the system at time 0."""
    parameters: tuple[Parameter, ...] = ()
    """The parameter table: every number of the system file, in file order of lowering."""
    inflows: tuple[InflowLayout, ...] = ()
    """Every stream of people into a service, in lowering order."""
    lanes: tuple[LaneLayout, ...] = ()
    """Each cohort's copy of each service, where cohorts are kept apart (else empty)."""

    def parameter(self, name: str) -> Parameter:
        """A parameter by canonical or display name; a clear error when there is none."""
        key = canonical_name(name)
        for parameter in self.parameters:
            if parameter.name == key:
                return parameter
        raise UnknownNameError(name, hint="not a parameter of this system; see "
                                          "SystemModel.parameters")
