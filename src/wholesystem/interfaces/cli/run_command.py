"""``wholesystem run MODEL``: simulate and write results as CSV."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Annotated

import typer

from wholesystem.datafiles import FileAccess, atomic_output
from wholesystem.errors import NonFiniteWarning, ParameterError
from wholesystem.interfaces.cli.options import LimitOption, StrictOption
from wholesystem.limits import Limits
from wholesystem.system import load

__all__ = ["run", "parse_assignments"]


def parse_assignments(assignments: list[str]) -> dict[str, float]:
    """``NAME=VALUE`` strings -> a parameter dict; bad ones raise ParameterError."""
    params: dict[str, float] = {}
    for item in assignments:
        name, sep, value = item.rpartition("=")
        if not sep or not name.strip():
            raise ParameterError(f"--set expects NAME=VALUE, got '{item}'")
        try:
            params[name.strip()] = float(value)
        except ValueError:
            raise ParameterError(f"--set {name.strip()}: '{value}' is not a number") from None
    return params


def run(
    model: Annotated[Path, typer.Argument(help="Model file (.xmile, .stmx, .itmx).")],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="CSV file to write (default: standard output).")] = None,
    data: Annotated[list[Path] | None, typer.Option(
        "--data", help="Data file feeding data variables (Vensim .tab/.csv).")] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="Set a constant: NAME=VALUE (repeatable).")] = None,
    method: Annotated[str | None, typer.Option(
        "--method", help="Integration method: euler or rk4 (default: the model's).")] = None,
    columns: Annotated[list[str] | None, typer.Option(
        "--columns", help="Only these variables (repeatable; default: all).")] = None,
    allow: Annotated[list[Path] | None, typer.Option(
        "--allow", help="Let the model read this file or folder too (repeatable); by "
                        "default it reads only files in its own folder.")] = None,
    limit: LimitOption = None,
    strict: StrictOption = False,
) -> None:
    """Simulate MODEL and write one CSV row per saved time: Time, then every variable."""
    params = parse_assignments(set_ or [])
    if data:
        for path in data:
            if not path.exists():
                raise FileNotFoundError(2, "no such data file", str(path))
    access = FileAccess.for_cli(model, extra_allowed=[*(data or ()), *(allow or ())],
                                limits=Limits.parse(limit or []))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", NonFiniteWarning)
        results = load(model, access).run(params=params, method=method,
                                          return_columns=columns or None, data=data or None,
                                          strict=strict)
    for warning in caught:
        if issubclass(warning.category, NonFiniteWarning):
            print(str(warning.message), file=sys.stderr)  # the exit code stays 0
    frame = results.reset_index().rename(columns={"time": "Time"})
    if output is None:
        frame.to_csv(sys.stdout, index=False)
    else:
        with atomic_output(output, newline="") as handle:
            frame.to_csv(handle, index=False)
