"""``wholesystem forecast HISTORY.csv``: forecast demand, backtest, drive a system."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from wholesystem.analysis.forecasting import (
    backtest,
    backtest_dict,
    drive_system,
    driven_dict,
    forecast,
    forecast_dict,
    read_history,
)
from wholesystem.analysis.plots import fan_chart, forecast_chart
from wholesystem.errors import ParameterError
from wholesystem.interfaces.cli.analysis_options import (
    JsonOption,
    PlotOption,
    SeedOption,
    print_json,
    progress_bar,
)

__all__ = ["forecast_command"]


def forecast_command(
    history: Annotated[Path, typer.Argument(help="CSV with a 'time' column and values.")],
    column: Annotated[str | None, typer.Option(
        "--column", help="Column to forecast (default: the first numeric one).")] = None,
    horizon: Annotated[int, typer.Option("--horizon", help="Steps ahead.")] = 28,
    season: Annotated[int, typer.Option("--season", help="Season length in steps.")] = 7,
    method: Annotated[str, typer.Option(
        "--method", help="ets, arima or seasonal_naive.")] = "ets",
    level: Annotated[float, typer.Option("--level", help="Interval coverage.")] = 0.9,
    run_backtest: Annotated[bool, typer.Option(
        "--backtest", help="Rolling-origin backtest against the seasonal naive baseline.")
    ] = False,
    initial: Annotated[int | None, typer.Option(
        "--initial", help="Backtest: values before the first origin.")] = None,
    step: Annotated[int | None, typer.Option(
        "--step", help="Backtest: steps between origins.")] = None,
    system: Annotated[Path | None, typer.Option(
        "--system", help="Drive this system file's need with the forecast.")] = None,
    need: Annotated[str | None, typer.Option(
        "--need", help="The need to drive, COHORT.NEED.")] = None,
    output: Annotated[list[str] | None, typer.Option(
        "--output", "-o", help="System output to report (repeatable).")] = None,
    paths: Annotated[int, typer.Option("--paths", help="Simulated futures.")] = 20,
    seed: SeedOption = 0,
    as_json: JsonOption = False,
    plot: PlotOption = None,
) -> None:
    """Forecast the HISTORY with prediction intervals; optionally backtest the methods
    and feed the forecast into a system as one need's arrivals."""
    series = read_history(history, column)
    result = forecast(series, horizon, method, season, level)
    data: dict[str, Any] = {"forecast": forecast_dict(result)}
    tested = None
    if run_backtest:
        methods = ("ets", "arima") if method == "seasonal_naive" else (method,)
        with progress_bar("backtest") as bar:
            tested = backtest(series, horizon, season, methods, initial, step, bar)
        data["backtest"] = backtest_dict(tested)
    driven = None
    if system is not None:
        if need is None or not output:
            raise ParameterError("--system needs --need COHORT.NEED and --output")
        with progress_bar("futures") as bar:
            driven = drive_system(system, need, result, output, paths=paths, seed=seed,
                                  progress=bar)
        data["system"] = driven_dict(driven)
    if plot is not None:
        forecast_chart(series, result, plot, tested)
        if driven is not None:
            first = output[0] if output else ""
            bands = driven.bands[first].assign(p25=driven.bands[first]["p50"],
                                               p75=driven.bands[first]["p50"],
                                               mean=driven.mean[first])
            fan_chart(bands, plot.with_name(f"{plot.stem}-system{plot.suffix}"), first)
    if as_json:
        print_json(data)
        return
    typer.echo(f"{method} forecast of {series.name}, {horizon} steps: mean "
               f"{result.mean.mean():,.4g} a step, {level:.0%} interval at the last step "
               f"{result.lower[-1]:,.4g} to {result.upper[-1]:,.4g}")
    if tested is not None:
        typer.echo(tested.statement)
    if driven is not None:
        for name in driven.mean:
            end = driven.bands[name].iloc[-1]
            typer.echo(f"{name} at the end: {driven.mean[name][-1]:,.4g} with the mean "
                       f"forecast; 5-95% over {driven.paths} futures {end['p5']:,.4g} to "
                       f"{end['p95']:,.4g}")
