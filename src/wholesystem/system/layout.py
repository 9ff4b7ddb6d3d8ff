"""Where the people and the money of a lowered system are.

:class:`SystemLayout` says which variables of the lowered project hold which people and
which costs; the ledger, comparisons, conservation check and journeys read results
through it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ServiceLayout", "SystemLayout"]


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
