"""Numbers that do not lie: finding NaN and infinity in results.

A division by zero or a function outside its domain (``LN`` of a negative number, ``SQRT``
of one, ``0/0``) gives NaN or an infinity, which then spreads through every variable that
uses it. A run says so: :func:`first_non_finite` finds the first such value (earliest time,
then the first column at that time) and :meth:`~wholesystem.run.Model.run` warns with a
:class:`~wholesystem.errors.NonFiniteWarning` naming the variable and the time, or raises
when ``strict``. A model that writes NaN or infinity itself (``NAN``, ``INF``, ``:NA:``
where it means "missing") is not warned about.

>>> import numpy as np
>>> times = np.array([0.0, 1.0, 2.0])
>>> values = np.array([[[1.0, 2.0]], [[1.0, np.inf]], [[np.nan, np.inf]]])
>>> found = first_non_finite(times, values, ["a", "b"])
>>> found.column, found.time, found.kind
('b', 1.0, 'infinite')
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from wholesystem.diagnostics import SourceSpan
from wholesystem.ir.expr import Call, Number, Reference, walk
from wholesystem.ir.model import Project

__all__ = ["NonFinite", "first_non_finite", "writes_non_finite"]

_EXPLICIT_NAMES = frozenset({"nan", "inf", "na"})


@dataclass(frozen=True, slots=True)
class NonFinite:
    """The first value of a run that is not a finite number."""

    column: str
    """Column label (the variable, with its element for arrays)."""
    time: float
    """Time of the first such value."""
    run: int
    """Run index (0 for a single run)."""
    kind: str
    """``NaN`` or ``infinite``."""
    span: SourceSpan | None = None
    """Where the variable is defined, when known."""

    def message(self) -> str:
        """The warning's words."""
        run = f" in run {self.run}" if self.run else ""
        return (f"'{self.column}' is {self.kind} from time {self.time:g}{run}: the first "
                "value of the run that is not a finite number")

    hint = ("a division by zero or a function outside its domain (LN or SQRT of a negative "
            "number, 0/0) gives these; guard it with SAFEDIV, MAX or IF THEN ELSE")


def first_non_finite(times: NDArray[np.float64], values: NDArray[np.float64],
                     labels: list[str]) -> NonFinite | None:
    """The earliest non-finite value of ``values`` (time, run, column), or None."""
    bad = ~np.isfinite(values)
    if not bad.any():
        return None
    t, run, column = (int(i) for i in np.argwhere(bad)[0])  # row-major: earliest time first
    value = float(values[t, run, column])
    return NonFinite(labels[column], float(times[t]), run,
                     "NaN" if math.isnan(value) else "infinite")


def writes_non_finite(project: Project) -> bool:
    """Whether the model itself writes NaN or infinity (``NAN``, ``INF``, a non-finite
    number), so that non-finite results are what it means, not a numeric failure."""
    defined = {v.name for m in project.models for v in m.variables}
    for model in project.models:
        for variable in model.variables:
            expressions = [variable.equation, variable.rate,
                           *(e.equation for e in variable.elements)]
            for expression in expressions:
                if expression is not None and _explicit(expression, defined):
                    return True
    return False


def _explicit(expression: object, defined: set[str]) -> bool:
    for node in walk(expression):  # type: ignore[arg-type]
        if isinstance(node, Number) and not math.isfinite(node.value):
            return True
        if isinstance(node, Reference) and node.name in _EXPLICIT_NAMES \
                and node.name not in defined:
            return True
        if isinstance(node, Call) and node.function in _EXPLICIT_NAMES:
            return True
    return False
