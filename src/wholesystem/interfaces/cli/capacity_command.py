"""``wholesystem capacity SYSTEM --service ID --places 50:400:10``: the cost curve.

The whole system's cost at each capacity of the services named (places paid for full or
empty against people waiting), and where it is cheapest; see
:mod:`wholesystem.system.capacity`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from wholesystem.analysis.plots import capacity_curve
from wholesystem.errors import ParameterError
from wholesystem.interfaces.cli.analysis_options import JsonOption, PlotOption, print_json
from wholesystem.interfaces.cli.options import LimitOption, access_for
from wholesystem.interfaces.cli.system_tables import table
from wholesystem.interfaces.render import money, number
from wholesystem.system.capacity import (
    CapacitySweep,
    current_capacities,
    sweep_capacity,
    sweep_dict,
)
from wholesystem.system.model import load_system

__all__ = ["capacity_command", "parse_places", "render_sweep"]


def parse_places(text: str) -> list[float]:
    """``60,80,100`` or ``START:STOP:STEP`` (STOP included) as numbers.

    >>> parse_places("1:2:0.5"), parse_places("60, 80")
    ([1.0, 1.5, 2.0], [60.0, 80.0])
    """
    try:
        if ":" in text:
            start, stop, step = (float(part) for part in text.split(":"))
            if step <= 0 or stop < start:
                raise ValueError
            count = int(np.floor((stop - start) / step + 1e-9)) + 1
            if count > 10_000:
                raise ParameterError(f"--places '{text}' gives {count} points (10,000 at "
                                     "most)")
            return [round(start + k * step, 10) for k in range(count)]
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ParameterError(f"--places '{text}' is neither numbers separated by commas "
                             "nor START:STOP:STEP with STEP > 0",
                             hint="e.g. --places 50:400:10 or --places 60,80,100") from None
    if not values or min(values) < 0:
        raise ParameterError(f"--places '{text}' needs capacities of 0 or more")
    return values


def capacity_command(
    system: Annotated[Path, typer.Argument(help="System file (.yaml).")],
    service: Annotated[list[str], typer.Option(
        "--service", help="Service to sweep (repeat for several, swept together).")],
    places: Annotated[str, typer.Option(
        "--places", help="Capacities: 60,80,100 or START:STOP:STEP.")],
    times: Annotated[bool, typer.Option(
        "--times", help="Read --places as multiples of each service's capacity today.")
    ] = False,
    scenario: Annotated[str, typer.Option(
        "--scenario", "-s", help="Scenario the capacities are set on.")] = "baseline",
    as_json: JsonOption = False,
    plot: PlotOption = None,
    limit: LimitOption = None,
) -> None:
    """Sweep the capacity of services of SYSTEM and print the whole-system cost at each,
    split into capacity and waiting costs, with the cheapest capacity (the false economy
    of unlimited capacity: Wood et al. 2023)."""
    model = load_system(system, access_for(system, limit))
    values = parse_places(places)
    if times:
        today = current_capacities(model, service, scenario)
        grid: list[float | dict[str, float]] = [{s: f * today[s] for s in service}
                                                for f in values]
    else:
        grid = list(values)
    sweep = sweep_capacity(model, service, grid, scenario)
    if plot is not None:
        capacity_curve(sweep, plot)
    if as_json:
        print_json(sweep_dict(sweep))
        return
    typer.echo(render_sweep(sweep))


def render_sweep(sweep: CapacitySweep) -> str:
    """The sweep as a table with its minimum in words."""
    c = sweep.currency
    rows = [[", ".join(f"{p.places[s]:,.1f}" for s in sweep.services),
             money(p.whole_system, c), money(p.capacity_cost, c), money(p.waiting_cost, c),
             number(p.days_waited, 0), number(p.idle_place_days, 0)]
            for p in sweep.points]
    best = sweep.minimum
    where = ", ".join(f"{s} {best.places[s]:,.1f}" for s in sweep.services)
    return "\n".join([
        f"{sweep.system}: '{sweep.scenario}', capacity of {', '.join(sweep.services)}",
        table(["places", "whole system", "capacity", "waiting", "time waited",
               "idle place-time"], rows),
        f"Cheapest for the whole system: {where} ({money(best.whole_system, c)})."])
