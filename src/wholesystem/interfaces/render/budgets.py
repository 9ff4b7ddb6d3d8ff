"""Budget flags in words: which organisation a scenario pushes over its budget."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from wholesystem.interfaces.render.numbers import money
from wholesystem.system.budgets import BudgetFlag

__all__ = ["budget_sentence", "budget_flags_dict"]


def budget_sentence(flag: BudgetFlag) -> str:
    """The flag as a sentence (no full stop, so it can be prefixed or listed)."""
    budget = money(flag.threshold, flag.currency)
    gap = money(abs(flag.headroom), flag.currency)
    return {
        "crossed": f"{flag.name} goes over its budget of {budget} by {gap}",
        "over": f"{flag.name} stays over its budget of {budget}, by {gap}",
        "back within": f"{flag.name} comes back within its budget of {budget} ({gap} spare)",
        "within": f"{flag.name} stays within its budget of {budget} ({gap} spare)",
    }[flag.state]


def budget_flags_dict(flags: Sequence[BudgetFlag]) -> list[dict[str, Any]]:
    """The flags as plain data, with ``over`` spelled out and the ``statement`` in words."""
    return [{**asdict(f), "over": f.over, "statement": budget_sentence(f)} for f in flags]
