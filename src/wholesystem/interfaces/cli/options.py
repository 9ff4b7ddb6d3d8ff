"""Options several commands share."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from wholesystem.datafiles import FileAccess
from wholesystem.limits import Limits

__all__ = ["LimitOption", "StrictOption", "access_for"]

LimitOption = Annotated[list[str] | None, typer.Option(
    "--limit", help="Raise (or lower) a resource limit: NAME=VALUE, e.g. max_steps=1e8 "
                    "(repeatable; names in wholesystem.limits.Limits).")]


def access_for(model: Path, limit: list[str] | None,
               allowed: Sequence[Path] = ()) -> FileAccess:
    """The command line's policy for ``model``: its folder and ``allowed``, under the
    default limits with ``--limit`` applied."""
    return FileAccess.for_cli(model, allowed, limits=Limits.parse(limit or []))


StrictOption = Annotated[bool, typer.Option(
    "--strict", help="Treat NaN or infinite results as an error (exit code 1), not a "
                     "warning.")]
