"""``wholesystem rank SYSTEM``: interventions under uncertainty; a budget optimised."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wholesystem.analysis.interventions import (
    WHOLE,
    budget_dict,
    optimise_budget,
    rank_interventions,
    ranking_dict,
    system_table,
)
from wholesystem.analysis.plots import budget_front, ranking_chart
from wholesystem.interfaces.cli.analysis_options import (
    JsonOption,
    ParamOption,
    ParamsFileOption,
    PlotOption,
    SeedOption,
    collect_parameters,
    print_json,
    progress_bar,
)

__all__ = ["rank"]


def rank(
    system: Annotated[Path, typer.Argument(help="System file (.yaml).")],
    param: ParamOption = None,
    params: ParamsFileOption = None,
    runs: Annotated[int, typer.Option("--runs", help="Uncertain runs per intervention.")
                    ] = 200,
    intervention: Annotated[list[str] | None, typer.Option(
        "--intervention", "-i", help="Only these interventions or scenarios.")] = None,
    goal: Annotated[str, typer.Option(
        "--goal", help="Order by 'whole system cost', 'people waiting' or 'payback'.")
    ] = WHOLE,
    within: Annotated[float | None, typer.Option(
        "--within", help="Payback counts only within this time (default: the horizon).")
    ] = None,
    budget: Annotated[float | None, typer.Option(
        "--budget", help="Instead: spend this budget on extra places, optimised.")] = None,
    objective: Annotated[list[str] | None, typer.Option(
        "--objective", help="Budget goal(s): an output such as 'whole system cost', "
                            "'people waiting' or 'cost to ORG'; two give a front.")] = None,
    service: Annotated[list[str] | None, typer.Option(
        "--service", help="Budget: only these services.")] = None,
    generations: Annotated[int, typer.Option("--generations")] = 20,
    seed: SeedOption = 0,
    as_json: JsonOption = False,
    plot: PlotOption = None,
) -> None:
    """Rank the interventions of SYSTEM by whole-system cost, waiting and payback under
    uncertainty, with who pays and who benefits; or optimise a --budget."""
    parameters, correlation = collect_parameters(param, params, system)
    table = system_table(system, parameters or None, runs, seed, correlation)
    if budget is not None:
        goals = tuple(objective or (WHOLE,))
        with progress_bar("optimising") as bar:
            plan = optimise_budget(system, budget, goals, service,
                                   table if parameters else None, seed, generations,
                                   progress=bar)
        if plot is not None:
            budget_front(plan, plot)
        if as_json:
            print_json(budget_dict(plan))
            return
        typer.echo(f"Best use of {budget:,.0f} for {goals[0]}:")
        for name, places in plan.best.places.items():
            typer.echo(f"  {name}: {places:,.1f} extra places ({plan.best.spend[name]:,.0f})")
        for g in goals:
            typer.echo(f"  {g}: {plan.baseline[g]:,.0f} -> {plan.best.goals[g]:,.0f}")
        if plan.front:
            typer.echo(f"  {len(plan.front)} allocations on the front of {goals[0]} and "
                       f"{goals[1]}")
        return
    with progress_bar("interventions") as bar:
        ranking = rank_interventions(system, table, intervention, goal, within, seed,
                                     progress=bar)
    if plot is not None:
        ranking_chart(ranking, plot)
    if as_json:
        print_json(ranking_dict(ranking))
        return
    typer.echo(f"{ranking.system}: {len(ranking.interventions)} interventions, "
               f"{ranking.runs} runs each, best first for {ranking.goal}")
    for k, r in enumerate(ranking.interventions, start=1):
        typer.echo(f"{k}. {r.statement}")
