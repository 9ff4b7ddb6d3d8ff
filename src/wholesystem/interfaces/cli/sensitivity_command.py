"""``wholesystem sensitivity MODEL``: which uncertain inputs explain an output, and when."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wholesystem.analysis.montecarlo import ModelSource
from wholesystem.analysis.plots import sensitivity_bars
from wholesystem.analysis.sensitivity import analyse_model, sensitivity_dict
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

__all__ = ["sensitivity", "numbered"]


def numbered(path: Path, k: int, count: int) -> Path:
    """``path`` itself for one plot, else ``stem-k.suffix``."""
    return path if count == 1 else path.with_name(f"{path.stem}-{k + 1}{path.suffix}")


def sensitivity(
    model: Annotated[Path, typer.Argument(help="Model or system file.")],
    output: Annotated[list[str], typer.Option(
        "--output", "-o", help="Output variable to explain (repeatable).")],
    param: ParamOption = None,
    params: ParamsFileOption = None,
    method: Annotated[str, typer.Option("--method", help="sobol or morris.")] = "sobol",
    runs: Annotated[int, typer.Option(
        "--runs", help="Base samples (Sobol: N x (d + 2) runs) or Morris trajectories.")
    ] = 256,
    scenario: Annotated[str, typer.Option(
        "--scenario", help="Scenario of a system file.")] = "baseline",
    periods: Annotated[int, typer.Option(
        "--periods", help="Also compute indices at this many times (0: only the end).")
    ] = 12,
    seed: SeedOption = 0,
    as_json: JsonOption = False,
    plot: PlotOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    limit: LimitOption = None,
) -> None:
    """Global sensitivity (Sobol first and total order, or Morris) of each OUTPUT of
    MODEL to the uncertain parameters, at the end of the run and over time."""
    parameters, _ = collect_parameters(param, params, model)
    if not parameters:
        raise ParameterError("name the uncertain parameters with --param or --params")
    source = ModelSource(str(model), scenario, Limits.parse(limit or []))
    with cluster(workers, scheduler) as evaluator, progress_bar("sensitivity") as bar:
        results = analyse_model(source, parameters, output,
                                method, runs, seed, periods, evaluator, progress=bar)
    if plot is not None:
        for k, result in enumerate(results):
            sensitivity_bars(result, numbered(plot, k, len(results)))
    if as_json:
        data = [sensitivity_dict(r) for r in results]
        print_json(data[0] if len(data) == 1 else data)
        return
    for result in results:
        typer.echo(f"{result.output} ({result.method}, {result.runs} runs)")
        for line in result.statements:
            typer.echo(f"  {line}")
