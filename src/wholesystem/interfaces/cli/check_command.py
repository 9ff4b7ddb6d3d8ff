"""``wholesystem check MODEL``: every problem as ``file:line:col: severity: message``.

Diagnostics go to standard output in file order, each with the offending line and a caret,
then one summary line. The exit status is 1 when any diagnostic is an error, else 0.
``--json`` prints a JSON list of the diagnostics instead.

A model the checks pass is also compiled, so that ``check`` passing means ``run`` can start:
a problem only the compiler sees (an unsupported use of arrays, say) is reported as a
``compile-error``.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from wholesystem.check import CheckReport
from wholesystem.compiler import compile_project
from wholesystem.datafiles import FileAccess
from wholesystem.diagnostics import Diagnostic, Severity, SourceSpan
from wholesystem.errors import WholesystemError
from wholesystem.interfaces.cli.options import LimitOption
from wholesystem.limits import Limits
from wholesystem.system import check_path

__all__ = ["check", "diagnostic_record", "summary"]


def check(
    model: Annotated[Path, typer.Argument(help="Model file.")],
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print the diagnostics as a JSON list.")] = False,
    allow: Annotated[list[Path] | None, typer.Option(
        "--allow", help="Let the model read this file or folder too (repeatable); by "
                        "default it reads only files in its own folder.")] = None,
    limit: LimitOption = None,
) -> None:
    """Check MODEL and print every problem found; exit 1 if any is an error."""
    if not model.exists():
        raise FileNotFoundError(2, "no such model file", str(model))
    access = FileAccess.for_cli(model, allow or (), limits=Limits.parse(limit or []))
    report = _with_compile_errors(check_path(model, access))
    if as_json:
        typer.echo(json.dumps([diagnostic_record(d) for d in report.diagnostics], indent=2))
    else:
        for diagnostic in report.diagnostics:
            typer.echo(diagnostic.render(report.source_text))
        typer.echo(summary(report))
    if report.errors:
        # SystemExit, not typer.Exit: main() runs click with standalone_mode=False, where
        # click turns Exit into a return value that main() does not pass on.
        raise SystemExit(1)


def _with_compile_errors(report: CheckReport) -> CheckReport:
    if report.project is None or report.errors:
        return report
    try:
        compile_project(report.project)
    except WholesystemError as err:
        found = Diagnostic(Severity.ERROR, "compile-error", err.message,
                           err.span or SourceSpan(report.path), err.hint)
        return dataclasses.replace(report, diagnostics=(*report.diagnostics, found))
    return report


def summary(report: CheckReport) -> str:
    """``m.xmile: 2 errors, 1 warning`` or ``m.xmile: no problems found``."""
    if not report.diagnostics:
        return f"{report.path}: no problems found"
    errors, warnings = len(report.errors), len(report.warnings)
    parts = [f"{errors} error{'s' * (errors != 1)}", f"{warnings} warning{'s' * (warnings != 1)}"]
    return f"{report.path}: {', '.join(parts)}"


def diagnostic_record(diagnostic: Diagnostic) -> dict[str, Any]:
    """A diagnostic as plain JSON data."""
    span = diagnostic.span
    return {
        "severity": diagnostic.severity.value,
        "code": diagnostic.code,
        "message": diagnostic.message,
        "file": span.file,
        "line": span.line or None,
        "column": span.column or None,
        "end_line": span.end_line,
        "end_column": span.end_column,
        "hint": diagnostic.hint,
        "variables": list(diagnostic.variables),
    }
