"""The ``wholesystem`` command line: one module per subcommand, wired here.

Every command reports problems as ``file:line:col: error: message`` on stderr and exits
non-zero; no Python traceback reaches the user for bad input.
"""

from __future__ import annotations

import sys

import typer

from wholesystem.interfaces.cli import (
    boundary_command,
    calibrate_command,
    capacity_command,
    check_command,
    cld_command,
    compare_command,
    compile_command,
    convert_command,
    delays_command,
    discover_command,
    forecast_command,
    journeys_command,
    ledger_command,
    loops_command,
    rank_command,
    run_command,
    sensitivity_command,
    serve_command,
    uncertainty_command,
)
from wholesystem.interfaces.cli.errors import report_errors

__all__ = ["app", "main"]

app = typer.Typer(
    name="wholesystem",
    help="Whole-system modelling for public services: simulate, check and inspect models.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("run")(run_command.run)
app.command("check")(check_command.check)
app.command("compile")(compile_command.compile_model)
app.command("convert")(convert_command.convert)
app.command("ledger")(ledger_command.ledger)
app.command("compare")(compare_command.compare_scenarios)
app.command("capacity")(capacity_command.capacity_command)
app.command("delays")(delays_command.delays_command)
app.command("journeys")(journeys_command.journeys_command)
app.command("sensitivity")(sensitivity_command.sensitivity)
app.command("uncertainty")(uncertainty_command.uncertainty)
app.command("discover")(discover_command.discover_command)
app.command("calibrate")(calibrate_command.calibrate)
app.command("forecast")(forecast_command.forecast_command)
app.command("rank")(rank_command.rank)
app.command("serve")(serve_command.serve)
app.command("user")(serve_command.add_user)
app.command("loops")(loops_command.loops)
app.command("dominance")(loops_command.dominance)
app.command("cld")(cld_command.cld)
app.command("boundary")(boundary_command.boundary)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    with report_errors() as outcome:
        returned = app(args=argv if argv is not None else sys.argv[1:], standalone_mode=False)
        if isinstance(returned, int):
            outcome.code = returned  # typer returns a command's exit code in this mode
    return outcome.code if outcome.code is not None else 0
