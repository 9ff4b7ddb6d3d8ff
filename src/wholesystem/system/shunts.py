"""Comparing a scenario with a baseline: who pays, who saves, and who waits.

Every organisation's change in cost is traced to its causes
(:mod:`wholesystem.system.causes`): its own programmes, people waiting on another's
account, people reaching its services along the pathway, and changes inside its own
services. A *cost shunt* is cost that follows people or responsibility across an
organisational boundary, from an organisation that saves onto one that pays more; an
organisation funding a programme, or two organisations whose costs move for unrelated
reasons, is not a shunt. The comparison separates the cost moved (the smaller of the cost
traced onto those who pay more and the savings of those it comes from) from the change in
the whole system's cost, so a "saving" that only moves cost is never reported as a saving.

>>> import wholesystem
>>> from wholesystem.system.model import load_system
>>> from wholesystem.system.shunts import compare
>>> system = load_system(wholesystem.example_path("delayed_discharge_system"))
>>> comparison = compare(system, "fewer_packages")
>>> shunt = comparison.shunts[0]
>>> [(name, round(amount)) for name, amount in shunt.pays_more]
[('Acute trust', 5192139)]
>>> comparison.verdict, round(comparison.moved), round(comparison.whole_change)
('cost moved', 179638, 5012500)

The comparison is data; :mod:`wholesystem.interfaces.render` says it in words.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from wholesystem.errors import ParameterError
from wholesystem.system.capacity import CapacityPayback, capacity_payback
from wholesystem.system.causes import CostCause, trace_causes
from wholesystem.system.ledger import (
    Ledger,
    build_ledger,
    build_ledgers,
    change_threshold,
    check_periods,
    same_ids,
)
from wholesystem.system.model import SystemModel
from wholesystem.system.results import ScenarioRun
from wholesystem.system.spec import OUTCOMES

__all__ = ["OrganisationChange", "OutcomeChange", "CohortChange", "Shunt", "Comparison",
           "compare",
           "compare_ledgers", "compare_runs"]


@dataclass(frozen=True)
class OrganisationChange:
    """One organisation, baseline against scenario."""

    id: str
    name: str
    baseline: float
    scenario: float
    change: float
    """scenario - baseline (negative: it saves)."""
    served_change: float
    """Change in admissions and contacts of its services."""
    place_days_change: float
    """Change in occupied place-time of its services."""
    days_waited_paid_change: float
    """Change in waiting person-time it pays for."""


@dataclass(frozen=True)
class OutcomeChange:
    """One resident outcome, baseline against scenario."""

    name: str
    label: str
    baseline: float
    scenario: float
    change: float


@dataclass(frozen=True)
class CohortChange:
    """One cohort, baseline against scenario (where the system keeps cohorts apart)."""

    id: str
    name: str
    costs: dict[str, float]
    """Change in its people's running cost by organisation id."""
    change: float
    """Change in its running cost to every organisation together."""
    days_waited_change: float
    served_change: float


@dataclass(frozen=True)
class Shunt:
    """Cost that follows people or responsibility from organisations that save onto
    organisations that pay more."""

    pays_more: tuple[tuple[str, float], ...]
    """(organisation name, its whole extra cost), largest first: those onto whom cost is
    traced."""
    saves: tuple[tuple[str, float], ...]
    """(organisation name, saving as a positive amount), largest first: those it is
    traced from."""
    whole_system: float
    """Change in the whole system's cost."""
    currency: str = "£"
    traced: tuple[CostCause, ...] = ()
    """The crossing causes between each pair of organisations the shunt is between,
    pathway by pathway, largest first (a pathway bringing fewer people is negative)."""

    @property
    def moved(self) -> float:
        """Cost moved between organisations: the smaller of the cost traced onto those who
        pay more and the savings of those it is traced from."""
        onto = sum(c.amount for c in self.traced) if self.traced else sum(
            a for _, a in self.pays_more)
        return min(onto, sum(a for _, a in self.saves))


@dataclass(frozen=True)
class Comparison:
    """A scenario against a baseline."""

    system: str
    baseline: str
    scenario: str
    currency: str
    horizon: float
    unit: str
    organisations: tuple[OrganisationChange, ...]
    whole_baseline: float
    whole_scenario: float
    whole_change: float
    outcomes: tuple[OutcomeChange, ...]
    shunts: tuple[Shunt, ...]
    moved: float
    """Cost moved between organisations (0 without a shunt)."""
    saving: float
    """Genuine whole-system saving (positive), 0 when the whole system does not save."""
    verdict: str
    """``genuine saving``, ``saving with cost moved``, ``cost moved``, ``costs more`` or
    ``no change`` (:func:`wholesystem.interfaces.render.verdict_sentence` says it in
    words)."""
    capacity: CapacityPayback | None = None
    """Where extra capacity stops paying for itself, when the scenario changes capacity
    that costs money (see :func:`~wholesystem.system.capacity.capacity_payback`)."""
    present_value_change: dict[str, float] | None = None
    """Change in discounted cost per organisation id and ``whole_system`` (None when the
    system sets no discount rate)."""
    discount: float | str | None = None
    """The discount rate a year (or ``"green_book"``) of those present values."""
    price_year: str | None = None
    """Price year of every cost (None: costs as written in the file)."""
    causes: tuple[CostCause, ...] = ()
    """Every organisation's change in cost split into its causes (they add up to its
    change; see :func:`~wholesystem.system.causes.trace_causes`)."""
    cohorts: tuple[CohortChange, ...] = ()
    """Per cohort, where the system keeps cohorts apart (else empty)."""


def compare(system: SystemModel, scenario: str, baseline: str = "baseline") -> Comparison:
    """Simulate both scenarios and compare them; when the scenario changes capacity that
    is paid for full or empty, also walk from the baseline's capacity to the scenario's
    and say where extra capacity stops paying for itself."""
    check_periods(system.spec)  # before the runs, which a refused ledger would waste
    comparison = compare_ledgers(build_ledger(system.simulate(baseline)),
                                 build_ledger(system.simulate(scenario)))
    payback = capacity_payback(system, scenario, baseline)
    return replace(comparison, capacity=payback) if payback is not None else comparison


def compare_runs(base: ScenarioRun, other: ScenarioRun) -> tuple[Comparison, ...]:
    """Compare run by run: ensembles of the same size pair their runs in order; a single
    baseline run is compared with every run of the other."""
    bases, others = build_ledgers(base), build_ledgers(other)
    if len(bases) == 1:
        bases = bases * len(others)
    if len(bases) != len(others):
        raise ParameterError(f"cannot compare {len(bases)} runs with {len(others)}: give "
                             "one baseline run or as many as the scenario has")
    return tuple(compare_ledgers(b, o) for b, o in zip(bases, others, strict=True))


def compare_ledgers(base: Ledger, other: Ledger) -> Comparison:
    """Compare two ledgers of the same system."""
    ids = [o.id for o in base.organisations]
    same_ids(ids, [o.id for o in other.organisations], "organisations",
             f"'{base.scenario}'", f"'{other.scenario}'")
    changes = tuple(_organisation_change(b, other.organisation(b.id))
                    for b in base.organisations)
    threshold = change_threshold(base.whole_system)
    whole = other.whole_system - base.whole_system
    causes = trace_causes(base, other)
    shunt = _shunt(changes, causes, whole, threshold, base.currency)
    moved = shunt.moved if shunt else 0.0
    saving = -whole if whole < -threshold else 0.0
    verdict = _verdict(shunt is not None, whole, threshold)
    outcomes = tuple(OutcomeChange(name, OUTCOMES[name], base.outcomes[name],
                                   other.outcomes[name],
                                   other.outcomes[name] - base.outcomes[name])
                     for name in base.outcomes)
    return Comparison(
        system=base.system, baseline=base.scenario, scenario=other.scenario,
        currency=base.currency, horizon=base.horizon, unit=base.unit,
        organisations=changes, whole_baseline=base.whole_system,
        whole_scenario=other.whole_system, whole_change=whole, outcomes=outcomes,
        shunts=(shunt,) if shunt else (), moved=moved, saving=saving, verdict=verdict,
        present_value_change=_present_value_change(base, other), discount=base.discount,
        price_year=base.price_year, causes=causes, cohorts=_cohort_changes(base, other))


def _cohort_changes(base: Ledger, other: Ledger) -> tuple[CohortChange, ...]:
    after = {k.id: k for k in other.cohorts}
    changes = []
    for before in base.cohorts:
        now = after.get(before.id)
        if now is None:
            continue
        costs = {org: now.costs[org] - amount for org, amount in before.costs.items()}
        changes.append(CohortChange(before.id, before.name, costs, now.cost - before.cost,
                                    now.days_waited - before.days_waited,
                                    now.served - before.served))
    return tuple(changes)


def _present_value_change(base: Ledger, other: Ledger) -> dict[str, float] | None:
    if base.present_value is None or other.present_value is None:
        return None
    return {key: other.present_value[key] - value for key, value in base.present_value.items()}


def _organisation_change(base: Any, other: Any) -> OrganisationChange:
    return OrganisationChange(
        base.id, base.name, base.cost, other.cost, other.cost - base.cost,
        other.served - base.served, other.place_days - base.place_days,
        other.days_waited_paid - base.days_waited_paid)


def _shunt(changes: tuple[OrganisationChange, ...], causes: tuple[CostCause, ...],
           whole: float, threshold: float, currency: str) -> Shunt | None:
    """The causes that began in an organisation that saves and put cost on one that pays
    more, where together (one pair of organisations, every pathway between them netted)
    they add to its cost; None when there are none."""
    rising = {c.id for c in changes if c.change > threshold}
    saving = {c.id for c in changes if c.change < -threshold}
    pairs: dict[tuple[str, str], list[CostCause]] = {}
    for cause in causes:
        if (cause.began_elsewhere and cause.organisation in rising
                and cause.origin_organisation in saving):
            pairs.setdefault((cause.organisation, cause.origin_organisation), []).append(cause)
    shunted = {pair: found for pair, found in pairs.items()
               if sum(c.amount for c in found) > threshold}
    if not shunted:
        return None
    traced = tuple(sorted((c for found in shunted.values() for c in found),
                          key=lambda c: -c.amount))
    onto = {onto for onto, _ in shunted}
    sources = {source for _, source in shunted}
    more = sorted(((c.name, c.change) for c in changes if c.id in onto),
                  key=lambda item: -item[1])
    less = sorted(((c.name, -c.change) for c in changes if c.id in sources),
                  key=lambda item: -item[1])
    return Shunt(tuple(more), tuple(less), whole, currency, traced)


def _verdict(shunted: bool, whole: float, threshold: float) -> str:
    if whole < -threshold:
        return "saving with cost moved" if shunted else "genuine saving"
    if shunted:
        return "cost moved"
    return "costs more" if whole > threshold else "no change"
