"""Budget thresholds beside a comparison: each organisation's cost against the budget its
workspace set for the model (the flags themselves come from
:mod:`wholesystem.system.budgets`)."""

from __future__ import annotations

from typing import Any

from wholesystem.interfaces.render import comparison_dict
from wholesystem.interfaces.render.budgets import budget_flags_dict
from wholesystem.interfaces.store import Store
from wholesystem.system.budgets import budget_flags
from wholesystem.system.shunts import Comparison

__all__ = ["thresholds", "comparison_with_budgets"]


def thresholds(store: Store, workspace_id: int, model_id: int) -> dict[str, float]:
    """The model's budget thresholds by organisation id."""
    return {b.organisation: b.amount for b in store.budgets(workspace_id, model_id)}


def comparison_with_budgets(store: Store, workspace_id: int, model_id: int,
                            comparison: Comparison) -> dict[str, Any]:
    """The comparison as plain data with ``budgets``: a flag per organisation that has a
    threshold (``state`` is ``crossed`` when the scenario pushes it over)."""
    flags = budget_flags(comparison, thresholds(store, workspace_id, model_id))
    return {**comparison_dict(comparison), "budgets": budget_flags_dict(flags)}
