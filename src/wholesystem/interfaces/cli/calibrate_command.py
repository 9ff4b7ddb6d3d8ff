"""``wholesystem calibrate MODEL --data OBS.csv --fit NAME=LO:HI``: fit to observations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wholesystem.analysis.calibration import (
    calibration_dict,
    least_squares,
    mcmc,
    parse_fit,
    read_observations,
)
from wholesystem.analysis.montecarlo import ModelSource
from wholesystem.analysis.plots import calibration_fit
from wholesystem.datafiles import atomic_output
from wholesystem.interfaces.cli.analysis_options import (
    JsonOption,
    PlotOption,
    SeedOption,
    print_json,
    progress_bar,
)
from wholesystem.interfaces.cli.options import LimitOption
from wholesystem.limits import Limits

__all__ = ["calibrate"]


def calibrate(
    model: Annotated[Path, typer.Argument(help="Model or system file.")],
    data: Annotated[Path, typer.Option(
        "--data", help="Observations: CSV with a 'time' column and one column per "
                       "observed variable; empty cells are missing.")],
    fit: Annotated[list[str], typer.Option(
        "--fit", help="Constant to fit, NAME=LO:HI or NAME=LO:START:HI (repeatable).")],
    scenario: Annotated[str, typer.Option(
        "--scenario", help="Scenario of a system file.")] = "baseline",
    aggregate: Annotated[str, typer.Option(
        "--aggregate", help="point, or sum / mean over the --period before each time.")
    ] = "point",
    period: Annotated[float, typer.Option(
        "--period", help="Length of an aggregated observation's period.")] = 0.0,
    bayes: Annotated[bool, typer.Option(
        "--mcmc", help="Also sample the posterior with emcee.")] = False,
    walkers: Annotated[int, typer.Option("--walkers")] = 16,
    steps: Annotated[int, typer.Option("--steps")] = 400,
    posterior: Annotated[Path | None, typer.Option(
        "--posterior", help="Write the posterior draws to this CSV (a Monte Carlo "
                            "table).")] = None,
    seed: SeedOption = 0,
    as_json: JsonOption = False,
    plot: PlotOption = None,
    limit: LimitOption = None,
) -> None:
    """Fit constants of MODEL to observed time series by least squares (intervals from
    the Jacobian) or MCMC; report MAPE, R², Theil's decomposition and residual checks."""
    observations = read_observations(data, aggregate=aggregate, period=period)
    source = ModelSource(str(model), scenario, Limits.parse(limit or []))
    parameters = [parse_fit(f) for f in fit]
    result = least_squares(source, observations, parameters, seed)
    if bayes:
        with progress_bar("MCMC") as bar:
            result = mcmc(source, observations, parameters, walkers, steps, seed=seed,
                          start=result, progress=bar)
        if posterior is not None and result.posterior is not None:
            with atomic_output(posterior, newline="") as handle:
                result.posterior.to_csv(handle, index=False)
    if plot is not None:
        calibration_fit(result, plot)
    if as_json:
        print_json(calibration_dict(result))
        return
    typer.echo(f"Calibration ({result.method}) to {data}")
    for name, value in result.parameters.items():
        low, high = result.intervals[name]
        typer.echo(f"  {name} = {value:.6g}  (95%: {low:.6g} to {high:.6g})")
    f = result.fit
    r2 = f"{f.r2:.4f}" if f.r2 is not None else "n/a"
    mape = f"{f.mape:.2%}" if f.mape is not None else "n/a"
    typer.echo(f"Fit: R² {r2}, MAPE {mape}, Theil U {f.theil_u:.4f} "
               f"(bias {f.bias:.2f}, variance {f.variance:.2f}, "
               f"covariance {f.covariance:.2f})")
    for name, d in result.diagnostics.items():
        p = f"{d.ljung_box_p:.3f}" if d.ljung_box_p is not None else "n/a"
        typer.echo(f"Residuals of {name}: mean {d.mean:.4g}, lag-1 autocorrelation "
                   f"{d.lag1:.2f}, Durbin-Watson {d.durbin_watson:.2f}, Ljung-Box p {p}")
