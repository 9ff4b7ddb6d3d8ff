"""``wholesystem discover FILE --case CONDITION``: under which conditions does it happen?"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wholesystem.analysis.discovery import discover_model, discovery_dict, parse_condition
from wholesystem.analysis.interventions import discover_intervention
from wholesystem.analysis.montecarlo import ModelSource
from wholesystem.analysis.plots import prim_tradeoff
from wholesystem.analysis.uncertainty import sample
from wholesystem.errors import ParameterError
from wholesystem.interfaces.cli.analysis_options import (
    JsonOption,
    ParamOption,
    ParamsFileOption,
    PlotOption,
    SchedulerOption,
    SeedOption,
    WorkersOption,
    cluster,
    collect_parameters,
    print_json,
    progress_bar,
)
from wholesystem.interfaces.cli.options import LimitOption
from wholesystem.limits import Limits

__all__ = ["discover_command"]


def discover_command(
    model: Annotated[Path, typer.Argument(help="System file (or model file).")],
    case: Annotated[list[str], typer.Option(
        "--case", "-c", help="Condition the runs of interest meet: 'OUTPUT [change] "
                             "[@ TIME] OP NUMBER', e.g. 'cost to council change > 0' "
                             "(repeatable; all must hold).")],
    param: ParamOption = None,
    params: ParamsFileOption = None,
    scenario: Annotated[str | None, typer.Option(
        "--scenario", "-s", help="Scenario of a system file ('change' compares it with "
                                 "--baseline).")] = None,
    baseline: Annotated[str, typer.Option("--baseline", "-b")] = "baseline",
    runs: Annotated[int, typer.Option("--runs", help="Number of runs.")] = 1000,
    threshold: Annotated[float, typer.Option(
        "--threshold", help="Density the chosen box must reach.")] = 0.8,
    seed: SeedOption = 0,
    as_json: JsonOption = False,
    plot: PlotOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    limit: LimitOption = None,
) -> None:
    """Scenario discovery with PRIM (and CART as a check): the box of uncertain inputs
    inside which the runs meeting every --case condition are concentrated."""
    conditions = [parse_condition(c) for c in case]
    parameters, correlation = collect_parameters(param, params, model)
    if not parameters:
        raise ParameterError("name the uncertain parameters with --param or --params")
    table = sample(parameters, runs, seed=seed, correlation=correlation)
    source = ModelSource(str(model), "baseline", Limits.parse(limit or []))
    with cluster(workers, scheduler) as evaluator, progress_bar("runs") as bar:
        if scenario is not None:
            found = discover_intervention(model, scenario, table, conditions, baseline,
                                          seed, threshold, evaluator, bar)
        else:
            found = discover_model(source, table, conditions, seed,
                                   threshold, evaluator, bar)
    if plot is not None:
        prim_tradeoff(found, plot)
    if as_json:
        print_json(discovery_dict(found))
        return
    typer.echo(f"{found.cases} of {found.runs} runs meet: {found.question}")
    typer.echo(found.statement)
    for leaf in found.cart[:3]:
        typer.echo(f"  CART: {' and '.join(leaf.rules) or 'all runs'} -> density "
                   f"{leaf.density:.0%}, coverage {leaf.coverage:.0%}")
