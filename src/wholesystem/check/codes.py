"""The table of diagnostic codes: one stable identifier, severity and meaning each.

Every diagnostic the check stage makes goes through :func:`diagnose`, so a code always has
the same severity and the table below is the whole list (it also feeds the docs).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from wholesystem.diagnostics import UNKNOWN_SPAN, Diagnostic, Severity, SourceSpan

__all__ = ["CheckCode", "CODES", "diagnose", "sort_diagnostics"]


@dataclass(frozen=True, slots=True)
class CheckCode:
    """One kind of problem the checks report."""

    code: str
    """Stable identifier, e.g. ``undefined-name``."""
    severity: Severity
    """Errors stop a run; warnings do not."""
    doc: str
    """One-line meaning, for the docs."""


_E, _W = Severity.ERROR, Severity.WARNING

CODES: dict[str, CheckCode] = {c.code: c for c in (
    CheckCode("read-error", _E, "The file could not be read (malformed XML or equation)."),
    CheckCode("unsupported-feature", _E, "The file uses a feature wholesystem lacks."),
    CheckCode("undefined-name", _E, "An equation names no variable, dimension or constant."),
    CheckCode("unknown-function", _E, "A call names no builtin function or graphical function."),
    CheckCode("wrong-arity", _E, "A function is called with the wrong number of arguments."),
    CheckCode("lookup-not-table", _E, "LOOKUP's first argument is not a graphical function."),
    CheckCode("table-used-as-value", _E,
              "A graphical function without an input is used as a value."),
    CheckCode("algebraic-loop", _E, "Variables depend on each other within one time step."),
    CheckCode("initial-value-loop", _E, "Initial values depend on each other."),
    CheckCode("flow-not-attached", _W, "A flow is no stock's inflow or outflow."),
    CheckCode("stock-flow-missing", _E, "A stock lists an inflow or outflow that is no flow."),
    CheckCode("missing-equation", _E, "An auxiliary or flow (or an element) has no equation."),
    CheckCode("missing-initial-value", _E, "A stock has no initial value."),
    CheckCode("undeclared-dimension", _E, "A variable or subscript names an undeclared dimension."),
    CheckCode("bad-subscript", _E, "A subscript is not an element of its dimension."),
    CheckCode("subscript-count", _E,
              "A variable is given more or fewer subscripts than it has dimensions."),
    CheckCode("unknown-model", _E, "A module instantiates a model the file does not define."),
    CheckCode("recursive-module", _E, "A module contains itself."),
    CheckCode("bad-connection", _E, "A module connection names a variable that does not exist."),
    CheckCode("module-error", _E, "Modules cannot be flattened into one model."),
    CheckCode("unknown-method", _E, "The integration method is not one wholesystem runs."),
    CheckCode("resource-limit", _E,
              "Running the model would exceed a resource limit (steps, array or result size)."),
    CheckCode("mixed-price-years", _W,
              "A system adds costs of different price years without a reporting year."),
    CheckCode("unit-mismatch", _W, "Units of an equation or a flow disagree."),
    CheckCode("unit-syntax", _W, "A units string could not be read."),
)}
"""Every code the checks use, by code."""


def diagnose(code: str, message: str, span: SourceSpan | None = None, *,
             hint: str | None = None, variables: Iterable[str] = ()) -> Diagnostic:
    """A diagnostic with the severity its code has in :data:`CODES`.

    >>> diagnose("undefined-name", "'x' is not defined").severity.value
    'error'
    """
    return Diagnostic(CODES[code].severity, code, message, span or UNKNOWN_SPAN, hint,
                      tuple(variables))


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    """Duplicates dropped (a submodel placed twice reports once), in file order."""
    unique = dict.fromkeys(diagnostics)
    return tuple(sorted(unique, key=lambda d: (d.span.file, d.span.line, d.span.column,
                                               d.severity is not Severity.ERROR, d.code)))
