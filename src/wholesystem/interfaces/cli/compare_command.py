"""``wholesystem compare SYSTEM --scenario NAME``: who pays, who saves, who waits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from wholesystem.interfaces.cli.options import LimitOption, access_for
from wholesystem.interfaces.cli.system_tables import table
from wholesystem.interfaces.render import (
    comparison_dict,
    comparison_present_value_rows,
    money,
    number,
    present_value_note,
    shunt_sentence,
    signed,
    signed_money,
    verdict_sentence,
)
from wholesystem.interfaces.render.capacity import payback_sentence
from wholesystem.interfaces.render.comparisons import cause_rows, traced_sentence
from wholesystem.system.model import load_system
from wholesystem.system.shunts import Comparison, compare

__all__ = ["compare_scenarios", "render_comparison"]


def compare_scenarios(
    system: Annotated[Path, typer.Argument(help="System file (.yaml).")],
    scenario: Annotated[str, typer.Option(
        "--scenario", "-s", help="Scenario (or intervention) to compare.")],
    baseline: Annotated[str, typer.Option(
        "--baseline", "-b", help="Scenario to compare against.")] = "baseline",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    limit: LimitOption = None,
) -> None:
    """Compare a scenario of SYSTEM with a baseline: cost per organisation, the whole
    system, resident outcomes, and every cost shunt in plain words."""
    result = compare(load_system(system, access_for(system, limit)), scenario, baseline)
    if as_json:
        typer.echo(json.dumps(comparison_dict(result), indent=2))
    else:
        typer.echo(render_comparison(result))


def render_comparison(comparison: Comparison) -> str:
    """The comparison as text."""
    c = comparison.currency
    unit = comparison.unit
    cost_rows = [[o.name, money(o.baseline, c), money(o.scenario, c),
                  signed_money(o.change, c)] for o in comparison.organisations]
    cost_rows.append(["Whole system", money(comparison.whole_baseline, c),
                      money(comparison.whole_scenario, c),
                      signed_money(comparison.whole_change, c)])
    activity_rows = [[o.name, signed(o.served_change), signed(o.place_days_change),
                      signed(o.days_waited_paid_change)] for o in comparison.organisations]
    outcome_rows = [[o.label, number(o.baseline, 1), number(o.scenario, 1),
                     signed(o.change, 1)] for o in comparison.outcomes]
    parts = [
        f"{comparison.system}",
        f"'{comparison.scenario}' against '{comparison.baseline}', over "
        f"{comparison.horizon:g} {unit}s",
        "",
        "Who pays",
        table(["organisation", comparison.baseline, comparison.scenario, "change"],
              cost_rows),
        "",
        *_present_value_part(comparison),
        *_causes_part(comparison),
        *_cohorts_part(comparison),
        "Activity (change)",
        table(["organisation", "admissions/contacts", f"place-{unit}s",
               f"{unit}s of waiting paid for"], activity_rows),
        "",
        "Who waits (residents)",
        table(["outcome", comparison.baseline, comparison.scenario, "change"],
              outcome_rows),
        "",
    ]
    for shunt in comparison.shunts:
        parts += [f"Cost shunt: {shunt_sentence(shunt)}", traced_sentence(shunt)]
    parts.append(f"Verdict: {verdict_sentence(comparison)}")
    if comparison.capacity is not None:
        parts.append(f"Capacity: {payback_sentence(comparison.capacity)}")
    return "\n".join(parts)


def _cohorts_part(comparison: Comparison) -> list[str]:
    """Each cohort's change, where the system keeps cohorts apart."""
    if not comparison.cohorts:
        return []
    c, unit = comparison.currency, comparison.unit
    return ["By cohort (change in running costs)",
            table(["cohort", *(o.name for o in comparison.organisations), "all",
                   "admissions/contacts", f"{unit}s waited"],
                  [[k.name, *(signed_money(k.costs[o.id], c)
                              for o in comparison.organisations),
                    signed_money(k.change, c), signed(k.served_change),
                    signed(k.days_waited_change)] for k in comparison.cohorts]), ""]


def _causes_part(comparison: Comparison) -> list[str]:
    """Why each organisation's cost changed (see wholesystem.system.causes)."""
    rows = cause_rows(comparison)
    if not rows:
        return []
    width = max(len(name) for name, _ in rows)
    return ["Why each organisation's cost changed",
            *(f"  {name.ljust(width)}  {cause}" for name, cause in rows), ""]


def _present_value_part(comparison: Comparison) -> list[str]:
    """The discounted change per organisation, when the system sets a discount rate."""
    rows = comparison_present_value_rows(comparison)
    if rows is None or comparison.discount is None:
        return []
    return ["Present value of the change",
            table(["organisation", "change", "present value"], rows),
            present_value_note(comparison.discount, comparison.price_year), ""]
