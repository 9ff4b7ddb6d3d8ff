"""Options several commands share."""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["LimitOption", "StrictOption"]

LimitOption = Annotated[list[str] | None, typer.Option(
    "--limit", help="Raise (or lower) a resource limit: NAME=VALUE, e.g. max_steps=1e8 "
                    "(repeatable; names in wholesystem.limits.Limits).")]
StrictOption = Annotated[bool, typer.Option(
    "--strict", help="Treat NaN or infinite results as an error (exit code 1), not a "
                     "warning.")]
