"""``wholesystem ledger SYSTEM``: cost and activity per organisation, service and period."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from wholesystem.interfaces.cli.options import LimitOption, access_for
from wholesystem.interfaces.cli.system_tables import table
from wholesystem.interfaces.render import ledger_present_values, money, number, present_value_note
from wholesystem.system.ledger import Ledger, build_ledger, check_periods, ledger_dict
from wholesystem.system.model import load_system
from wholesystem.system.spec import OUTCOMES, SystemSpec

__all__ = ["ledger", "render_ledger"]


def ledger(
    system: Annotated[Path, typer.Argument(help="System file (.yaml).")],
    scenario: Annotated[str | None, typer.Option(
        "--scenario", "-s", help="Scenario or intervention to apply (default: baseline).")
    ] = None,
    every: Annotated[float | None, typer.Option(
        "--every", min=0.001, help="Length of a period, in the system's time unit "
                                   "(default: the file's report_every, or about a month).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    limit: LimitOption = None,
) -> None:
    """Whole-system ledger of SYSTEM: who pays what, for which activity, and when."""
    loaded = load_system(system, access_for(system, limit))
    # The periods are checked before the run, which a refused ledger would waste.
    check_periods(_every(loaded.spec, every))
    run = loaded.simulate(scenario or "baseline")
    result = build_ledger(replace(run, spec=_every(run.spec, every)))
    if as_json:
        typer.echo(json.dumps(ledger_dict(result), indent=2))
    else:
        typer.echo(render_ledger(result))


def _every(spec: SystemSpec, every: float | None) -> SystemSpec:
    """``spec`` with ``--every`` as its ledger period, when given."""
    if every is None:
        return spec
    return replace(spec, time=replace(spec.time, report_every=every))


def render_ledger(ledger: Ledger) -> str:
    """The ledger as text tables."""
    c, unit = ledger.currency, ledger.unit
    names = {o.id: o.name for o in ledger.organisations}
    per = f"per {unit}"
    org_rows = [[o.name, money(o.cost, c), money(o.cost / ledger.horizon, c),
                 money(o.services_cost, c), money(o.waiting_cost, c),
                 money(o.interventions_cost, c)] for o in ledger.organisations]
    org_rows.append(["Whole system", money(ledger.whole_system, c),
                     money(ledger.whole_system / ledger.horizon, c), "", "", ""])
    org_header = ["organisation", "total", per, "own services", "people waiting",
                  "interventions"]
    present = ledger_present_values(ledger)
    if present is not None:
        org_header.append("present value")
        for row, value in zip(org_rows, present, strict=True):
            row.append(value)
    service_rows = [[s.name, names[s.owner], number(s.served), number(s.place_days),
                     number(s.mean_in_service, 1), number(s.days_waited),
                     number(s.waiting_at_end, 1), money(s.cost, c),
                     f"{money(s.waiting_cost, c)} ({names[s.delay_payer]})"]
                    for s in ledger.services]
    period_rows = [[p.label, *(money(p.costs[o.id], c) for o in ledger.organisations),
                    money(p.whole_system, c)] for p in ledger.periods]
    outcome_rows = [[OUTCOMES[name], number(value, 1)]
                    for name, value in ledger.outcomes.items()]
    people = ledger.people
    parts = [
        f"{ledger.system}",
        f"Scenario: {ledger.scenario}; {ledger.horizon:g} {unit}s from {ledger.start}",
        "",
        "Cost by organisation",
        table(org_header, org_rows),
        *_money_basis(ledger),
        "",
        "Services",
        table(["service", "owner", "admissions/contacts", f"place-{unit}s",
               "mean in service", f"{unit}s waited", "waiting at end", "cost to owner",
               "cost of waiting (payer)"], service_rows),
    ]
    if ledger.cohorts:
        parts += ["", "By cohort (running costs; capacity and fixed costs are the services')",
                  table(["cohort", *(o.name for o in ledger.organisations), "all",
                         "admissions/contacts", f"{unit}s waited", "waiting at end"],
                        [[k.name, *(money(k.costs[o.id], c) for o in ledger.organisations),
                          money(k.cost, c), number(k.served), number(k.days_waited),
                          number(k.waiting_at_end, 1)] for k in ledger.cohorts])]
    if ledger.interventions:
        parts += ["", "Interventions", table(
            ["intervention", "payer", "own cost"],
            [[i.name, names[i.payer], money(i.cost, c)] for i in ledger.interventions])]
    parts += [
        "",
        "Cost by period",
        table(["period", *(o.name for o in ledger.organisations), "Whole system"],
              period_rows),
        "",
        "Residents",
        table(["outcome", "value"], outcome_rows),
        "",
        (f"People: {number(people.at_start)} at the start + {number(people.arrived)} "
         f"arrived = {number(people.in_service)} in services + {number(people.waiting)} "
         f"waiting + {number(people.returning)} due to come back + {number(people.left)} "
         f"left + {number(people.left_unmet)} left unmet "
         f"(difference {people.residual:.2g})"),
    ]
    return "\n".join(parts)


def _money_basis(ledger: Ledger) -> list[str]:
    """How the costs are priced and discounted, when the system says."""
    if ledger.discount is not None:
        return [present_value_note(ledger.discount, ledger.price_year)]
    if ledger.price_year is not None:
        return [f"Every cost in {ledger.price_year} prices."]
    return []
