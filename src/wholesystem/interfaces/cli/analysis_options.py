"""What the analysis commands share: uncertain parameters, a progress bar, a cluster,
JSON output and plots."""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from numpy.typing import NDArray

from wholesystem.analysis.montecarlo import Evaluator
from wholesystem.analysis.uncertainty import Parameter, parse_range, read_parameters
from wholesystem.errors import ParameterError

__all__ = ["ParamOption", "ParamsFileOption", "JsonOption", "PlotOption", "WorkersOption",
           "SchedulerOption", "SeedOption", "collect_parameters", "progress_bar",
           "cluster", "print_json", "plain"]

ParamOption = Annotated[list[str] | None, typer.Option(
    "--param", "-p", help="Uncertain constant NAME=LO:HI (uniform) or NAME=LO:MODE:HI "
                          "(triangular); repeatable.")]
ParamsFileOption = Annotated[Path | None, typer.Option(
    "--params", help="Uncertain parameters from a YAML or CSV table (or a system file's "
                     "'uncertainty:' block).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
PlotOption = Annotated[Path | None, typer.Option(
    "--plot", help="Write a plot to this .png or .svg file.")]
WorkersOption = Annotated[int | None, typer.Option(
    "--workers", help="Run on a local Dask cluster of N worker processes.")]
SchedulerOption = Annotated[str | None, typer.Option(
    "--scheduler", help="Run on the Dask cluster at this address (tcp://host:8786).")]
SeedOption = Annotated[int, typer.Option("--seed", help="Random seed.")]


def collect_parameters(params: list[str] | None, params_file: Path | None,
                       fallback: Path | None = None
                       ) -> tuple[list[Parameter], NDArray[np.float64] | None]:
    """``--param`` ranges plus a ``--params`` file (or, with neither, ``fallback``'s
    ``uncertainty:`` block when it is a system file that has one)."""
    parameters = [parse_range(p) for p in params or []]
    correlation = None
    if params_file is not None:
        from_file, correlation = read_parameters(params_file)
        if parameters and correlation is not None:
            raise ParameterError("--params with correlations cannot be mixed with --param")
        parameters = from_file + parameters
    elif not parameters and fallback is not None and fallback.suffix in (".yaml", ".yml"):
        with contextlib.suppress(ParameterError):
            parameters, correlation = read_parameters(fallback)
    names = [p.name for p in parameters]
    if len(set(names)) != len(names):
        raise ParameterError("a parameter is given twice: " + ", ".join(names))
    return parameters, correlation


@contextlib.contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on standard error (silent when it is not a terminal)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                  transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@contextlib.contextmanager
def cluster(workers: int | None, scheduler: str | None) -> Iterator[Evaluator | None]:
    """A Dask evaluator when asked for, else None (run here)."""
    if workers is None and scheduler is None:
        yield None
        return
    from wholesystem.analysis.distributed import dask_cluster

    with dask_cluster(scheduler=scheduler, workers=workers) as evaluator:
        yield evaluator


def plain(value: Any) -> Any:
    """``value`` with NaN and infinities as null, numpy scalars as numbers (strict JSON)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def print_json(data: Any) -> None:
    """Strict JSON on standard output."""
    typer.echo(json.dumps(plain(data), indent=2, allow_nan=False))
