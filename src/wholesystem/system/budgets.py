"""Budget thresholds per organisation: which scenarios push an organisation over its
budget.

A threshold is an amount of money over the comparison's horizon (the same total the
ledger and the cost-shunt table show for the organisation). A scenario *crosses* it when
the organisation's cost goes over the threshold although the base case was within it; it
*stays over* when both are over.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from wholesystem.system.shunts import Comparison

__all__ = ["BudgetFlag", "budget_flags"]


@dataclass(frozen=True, slots=True)
class BudgetFlag:
    """One organisation's cost in a scenario against its budget threshold."""

    organisation: str
    """The organisation's id."""
    name: str
    """Its name."""
    threshold: float
    """Its budget over the horizon."""
    baseline: float
    """Its cost in the base case."""
    scenario: float
    """Its cost in the scenario."""
    state: str
    """``crossed`` (over only in the scenario), ``over`` (over in both), ``back within``
    (over only in the base case) or ``within``."""
    headroom: float
    """Threshold minus the scenario's cost (negative: how far over)."""
    currency: str
    """Currency symbol of the comparison (:func:`wholesystem.interfaces.render.budget_sentence`
    says the flag in words)."""

    @property
    def over(self) -> bool:
        """The scenario's cost is over the threshold."""
        return self.scenario > self.threshold


def _state(baseline: float, scenario: float, threshold: float) -> str:
    before, after = baseline > threshold, scenario > threshold
    if after:
        return "over" if before else "crossed"
    return "back within" if before else "within"


def budget_flags(comparison: Comparison,
                 thresholds: Mapping[str, float]) -> tuple[BudgetFlag, ...]:
    """Each organisation with a threshold, in the comparison's order; thresholds for
    organisations the comparison does not have are left out."""
    flags = []
    for line in comparison.organisations:
        if line.id not in thresholds:
            continue
        threshold = float(thresholds[line.id])
        state = _state(line.baseline, line.scenario, threshold)
        flags.append(BudgetFlag(
            organisation=line.id, name=line.name, threshold=threshold,
            baseline=line.baseline, scenario=line.scenario, state=state,
            headroom=threshold - line.scenario, currency=comparison.currency))
    return tuple(flags)
