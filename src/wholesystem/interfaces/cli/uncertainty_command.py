"""``wholesystem uncertainty MODEL``: a Monte Carlo study with percentile bands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from wholesystem.analysis.montecarlo import Ensemble, ModelSource, run_ensemble
from wholesystem.analysis.plots import fan_chart
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
from wholesystem.interfaces.cli.sensitivity_command import numbered
from wholesystem.limits import Limits

__all__ = ["uncertainty", "ensemble_dict"]


def ensemble_dict(study: Ensemble) -> dict[str, Any]:
    """Bands over time and at the end, per output."""
    outputs = {}
    for label in study.labels:
        bands = study.bands(label)
        outputs[label] = {"times": bands.index.tolist(),
                          **{c: bands[c].tolist() for c in bands.columns},
                          "final": {c: float(bands[c].iloc[-1]) for c in bands.columns}}
    return {"runs": study.runs, "outputs": outputs,
            "store": str(study.store) if study.store is not None else None}


def uncertainty(
    model: Annotated[Path, typer.Argument(help="Model or system file.")],
    output: Annotated[list[str], typer.Option(
        "--output", "-o", help="Output variable to follow (repeatable).")],
    param: ParamOption = None,
    params: ParamsFileOption = None,
    runs: Annotated[int, typer.Option("--runs", help="Number of runs.")] = 1000,
    design: Annotated[str, typer.Option(
        "--design", help="lhs, sobol or random sampling.")] = "lhs",
    scenario: Annotated[str, typer.Option(
        "--scenario", help="Scenario of a system file.")] = "baseline",
    store: Annotated[Path | None, typer.Option(
        "--store", help="Stream runs to Parquet files in this folder.")] = None,
    chunk_size: Annotated[int, typer.Option("--chunk-size", help="Runs per chunk.")] = 1000,
    seed: SeedOption = 0,
    as_json: JsonOption = False,
    plot: PlotOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    limit: LimitOption = None,
) -> None:
    """Monte Carlo of MODEL over its uncertain parameters: percentile bands (5, 25, 50,
    75, 95) and the mean of each OUTPUT over time."""
    parameters, correlation = collect_parameters(param, params, model)
    if not parameters:
        raise ParameterError("name the uncertain parameters with --param or --params")
    table = sample(parameters, runs, design, seed, correlation)
    source = ModelSource(str(model), scenario, Limits.parse(limit or []))
    with cluster(workers, scheduler) as evaluator, progress_bar("runs") as bar:
        study = run_ensemble(source, table, output,
                             chunk_size=chunk_size, seed=seed, evaluator=evaluator,
                             store=store, progress=bar)
    if plot is not None:
        for k, label in enumerate(study.labels):
            fan_chart(study.bands(label), numbered(plot, k, len(study.labels)), label)
    if as_json:
        print_json(ensemble_dict(study))
        return
    typer.echo(f"{study.runs} runs" + (f", stored in {study.store}" if study.store else ""))
    for label in study.labels:
        end = study.bands(label).iloc[-1]
        typer.echo(f"  {label} at the end: median {end['p50']:,.4g}, 90% between "
                   f"{end['p5']:,.4g} and {end['p95']:,.4g} (mean {end['mean']:,.4g})")
