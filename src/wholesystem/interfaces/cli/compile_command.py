"""``wholesystem compile MODEL --show``: the generated NumPy source."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wholesystem.interfaces.cli.options import LimitOption, access_for
from wholesystem.system import load

__all__ = ["compile_model"]


def compile_model(
    model: Annotated[Path, typer.Argument(help="Model file.")],
    show: Annotated[bool, typer.Option("--show", help="Print the generated source.")] = False,
    limit: LimitOption = None,
) -> None:
    """Compile MODEL; with --show, print the Python/NumPy code that simulates it."""
    compiled = load(model, access_for(model, limit))
    if show:
        typer.echo(compiled.source)
    else:
        outputs = compiled.compiled.outputs
        typer.echo(f"{model}: compiled {len(outputs)} variables, "
                   f"{len(compiled.compiled.generated.stocks)} stocks")
