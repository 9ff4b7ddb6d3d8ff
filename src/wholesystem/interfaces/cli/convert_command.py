"""``wholesystem convert MODEL --to xmile|mdl -o OUT``: write a model in another format."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wholesystem.errors import WholesystemError
from wholesystem.export import EXPORTERS
from wholesystem.parse import read_model

__all__ = ["convert"]


class ConvertError(WholesystemError, ValueError):
    """The conversion was asked for something it cannot do (format, output path)."""


def convert(
    model: Annotated[Path, typer.Argument(help="Model file (.xmile, .stmx, .itmx, .mdl).")],
    to: Annotated[str, typer.Option(
        "--to", help=f"Format to write: {', '.join(EXPORTERS)}.")],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="File to write (default: standard output).")] = None,
) -> None:
    """Write MODEL in another format; reading the result back gives the same results."""
    exporter = EXPORTERS.get(to.strip().lower())
    if exporter is None:
        raise ConvertError(f"--to: unknown format '{to}'; choose from {', '.join(EXPORTERS)}")
    if output is not None:
        _check_writable(output)
    text = exporter(read_model(model))
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ConvertError(f"cannot write {output}: {error.strerror or error}") from None


def _check_writable(output: Path) -> None:
    """Fail before reading the model when the output cannot be written."""
    if output.is_dir():
        raise ConvertError(f"cannot write {output}: it is a folder")
    if not output.parent.exists():
        raise ConvertError(f"cannot write {output}: folder {output.parent} does not exist")
