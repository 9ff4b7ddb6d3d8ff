"""``wholesystem convert MODEL --to xmile|mdl -o OUT``: write a model in another format."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from wholesystem.compiler.data import data_variables, feed_data_files, lower_external_data
from wholesystem.datafiles import write_text_atomically
from wholesystem.errors import WholesystemError
from wholesystem.export import EXPORTERS
from wholesystem.interfaces.cli.options import LimitOption, access_for
from wholesystem.ir.model import Project
from wholesystem.run.model import data_files_named_by
from wholesystem.system import read_project

__all__ = ["convert", "resolve_external_data", "ConvertError"]


class ConvertError(WholesystemError, ValueError):
    """The conversion was asked for something it cannot do (format, output path, data)."""


def convert(
    model: Annotated[Path, typer.Argument(help="Model file (.xmile, .stmx, .itmx, .mdl).")],
    to: Annotated[str, typer.Option(
        "--to", help=f"Format to write: {', '.join(EXPORTERS)}.")],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="File to write (default: standard output).")] = None,
    data: Annotated[list[Path] | None, typer.Option(
        "--data", help="Data file feeding a Vensim model's data variables (Vensim "
                       ".tab/.csv; default: the data sets the model's settings name). "
                       "Read when writing XMILE, whose file holds the values.")] = None,
    limit: LimitOption = None,
) -> None:
    """Write MODEL in another format; reading the result back gives the same results."""
    target = to.strip().lower()
    exporter = EXPORTERS.get(target)
    if exporter is None:
        raise ConvertError(f"--to: unknown format '{to}'; choose from {', '.join(EXPORTERS)}")
    if output is not None:
        _check_writable(output)
    for path in data or ():
        if not path.exists():
            raise FileNotFoundError(2, "no such data file", str(path))
    project = read_project(model, access_for(model, limit))
    if target == "xmile":
        project = resolve_external_data(project, data or ())
    text = exporter(project)
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        write_text_atomically(output, text)
    except OSError as error:
        raise ConvertError(f"cannot write {output}: {error.strerror or error}") from None


def resolve_external_data(project: Project, data: Sequence[str | Path] = ()) -> Project:
    """A Vensim project with the values its data functions read put in their place, for
    a format that cannot name files (XMILE has no strings).

    ``GET XLS``/``GET DIRECT`` constants become numbers, lookups graphical functions, and
    data (those calls and data variables fed from ``data``, or from the data sets the
    model's settings name) graphical functions of time whose points and type give
    Vensim's reading between points; exactly what a run of the model computes with.
    Other projects are returned as they are.

    Raises :class:`ConvertError` when the model has data variables but no data file
    holds them, and :class:`~wholesystem.datafiles.DataFileError` for a file that cannot
    be read.
    """
    if project.format != "mdl" or len(project.models) != 1:
        return project
    files = list(data) or data_files_named_by(project)
    unfed = data_variables(project)
    if unfed and not files:
        first = next(v for v in project.main.variables if v.name in unfed)
        raise ConvertError(
            f"data variable '{first.display}' takes its values from a data file, and the "
            "XMILE file must hold them", first.span,
            hint="pass the data file, a Vensim .tab or .csv, with --data")
    return lower_external_data(feed_data_files(project, files))


def _check_writable(output: Path) -> None:
    """Fail before reading the model when the output cannot be written."""
    if output.is_dir():
        raise ConvertError(f"cannot write {output}: it is a folder")
    if not output.parent.exists():
        raise ConvertError(f"cannot write {output}: folder {output.parent} does not exist")
