"""The definitions of one Vensim variable -> one :class:`~wholesystem.ir.model.Variable`.

A variable may be defined once (``x = ...``, ``x[dim] = ...``) or piece by piece over
elements and subranges (``x[sub1] = ...``, ``x[a] = ...``, ``x[dim] :EXCEPT: [a] = ...``).
Piecewise variables become one variable over the dimensions chosen by
:meth:`SubscriptRanges.choose`, with one :class:`ElementDefinition` per element
combination; its ``bindings`` say which element each range named on the left-hand side
stands for, so ``y[sub1]`` on the right means the same element as on the left.

Data variables (no equation, or ``:=``) carry their keyword (``:RAW:``...) as a last
text argument: ``#DATA('name', 'raw')`` for a variable without an equation, and
``GET XLS DATA(file, tab, time, cell, 'raw')`` for a ``:=`` GET call.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from wholesystem.datafiles import limits_for
from wholesystem.diagnostics import SourceSpan
from wholesystem.errors import ModelStructureError, ModelSyntaxError
from wholesystem.ir.expr import Call, Expr, Text
from wholesystem.ir.model import ElementDefinition, Variable, VariableKind
from wholesystem.parse.vensim.entries import Definition, DefinitionKind, LeftSide
from wholesystem.parse.vensim.subscripts import SubscriptRanges

__all__ = ["Documented", "DATA_CALL", "assemble_variable"]

DATA_CALL = "#DATA"
"""A data variable without an equation: ``#DATA('canonical name' [, 'keyword'])``."""



@dataclass(frozen=True, slots=True)
class Documented:
    """A definition with the units and documentation fields of its entry."""

    definition: Definition
    """What the entry defines."""
    units: str | None = None
    """Units as written, without the ``[min, max, step]`` range."""
    doc: str = ""
    """Documentation text."""


def assemble_variable(entries: Sequence[Documented], ranges: SubscriptRanges) -> Variable:
    """One variable from all of its definitions (in file order)."""
    definitions = [e.definition for e in entries]
    first = definitions[0]
    for definition in definitions:
        _check_left_side(definition.lhs)
    kind = _kind(definitions)
    common: dict[str, Any] = {
        "name": first.lhs.name.name, "display": first.lhs.name.text, "kind": kind,
        "span": first.lhs.name.span,
        "units": next((e.units for e in entries if e.units), None),
        "doc": next((e.doc for e in entries if e.doc), ""),
    }
    rank = len(first.lhs.subscripts)
    for definition in definitions[1:]:
        if len(definition.lhs.subscripts) != rank:
            raise ModelStructureError(
                f"'{first.lhs.name.text}' has {rank} subscript(s) at {first.lhs.name.span} "
                f"but {len(definition.lhs.subscripts)} here", definition.lhs.name.span)
    if rank == 0:
        return _scalar(definitions, common)
    dims = _dimensions(definitions, ranges)
    only = definitions[0]
    if len(definitions) == 1 and not only.lhs.excepts and \
            only.kind is not DefinitionKind.CONSTANTS and \
            tuple(s.name for s in only.lhs.subscripts) == dims:
        return Variable(**common, dimensions=dims, **_fields(only))
    elements = tuple(_elements(definitions, ranges))
    return Variable(**common, equation=None, dimensions=dims, elements=elements)


def _check_left_side(lhs: LeftSide) -> None:
    if lhs.marked:
        raise ModelSyntaxError("'!' marks a range to sum over on a right-hand side; it "
                               "cannot be used on the left-hand side", lhs.marked[0].span)
    for group in lhs.excepts:
        if len(group) != len(lhs.subscripts):
            span = group[0].span if group else lhs.name.span
            raise ModelStructureError(
                f":EXCEPT: lists {len(group)} subscript(s) for the {len(lhs.subscripts)} "
                f"of '{lhs.name.text}'", span)


def _kind(definitions: Sequence[Definition]) -> VariableKind:
    stocks = [d.kind is DefinitionKind.STOCK for d in definitions]
    if any(stocks) and not all(stocks):
        odd = definitions[stocks.index(False)] if stocks[0] else definitions[stocks.index(True)]
        raise ModelStructureError(
            f"'{odd.lhs.name.text}' is a level (INTEG) in some definitions but not in this "
            "one", odd.lhs.name.span)
    return VariableKind.STOCK if all(stocks) else VariableKind.AUX


def _scalar(definitions: Sequence[Definition], common: dict[str, Any]) -> Variable:
    definition = definitions[0]
    if len(definitions) > 1:
        again = definitions[1].lhs.name
        raise ModelStructureError(f"'{again.text}' is defined twice (first at "
                                  f"{definition.lhs.name.span})", again.span)
    if definition.kind is DefinitionKind.CONSTANTS:
        raise ModelStructureError(
            f"'{definition.lhs.name.text}' lists several values but has no subscripts",
            definition.values[0].span if definition.values else definition.lhs.name.span)
    if definition.lhs.excepts:
        raise ModelStructureError(":EXCEPT: needs subscripts", definition.lhs.name.span)
    return Variable(**common, **_fields(definition))


def _fields(definition: Definition) -> dict[str, Any]:
    """Equation, rate and table of a variable defined by one definition."""
    return {"equation": _value(definition), "rate": definition.rate,
            "graphical_function": definition.table}


def _value(definition: Definition) -> Expr | None:
    if definition.kind is not DefinitionKind.DATA:
        return definition.equation
    mode = (Text(definition.data_mode, definition.lhs.name.span),) \
        if definition.data_mode else ()
    equation = definition.equation
    if equation is None:
        name = Text(definition.lhs.name.name, definition.lhs.name.span)
        return Call(DATA_CALL, (name, *mode), definition.lhs.name.span)
    if mode and isinstance(equation, Call) and equation.function.startswith("GET "):
        return Call(equation.function, (*equation.args, *mode), equation.span)
    return equation


def _dimensions(definitions: Sequence[Definition], ranges: SubscriptRanges
                ) -> tuple[str, ...]:
    rank = len(definitions[0].lhs.subscripts)
    chosen: list[str] = []
    covered = [set[str]() for _ in range(rank)]
    named: list[list[str]] = [[] for _ in range(rank)]
    for definition in definitions:
        for axis, subscript in enumerate(definition.lhs.subscripts):
            covered[axis].update(ranges.items(subscript))
            if ranges.is_dimension(subscript.name) and subscript.name not in named[axis]:
                named[axis].append(subscript.name)
    for axis in range(rank):
        taken = {n for other in range(rank) if other != axis for n in named[other]}
        taken.update(chosen)
        span = definitions[0].lhs.subscripts[axis].span
        chosen.append(ranges.choose(covered[axis], named[axis], set(chosen), taken, span))
    return tuple(chosen)


def _elements(definitions: Sequence[Definition], ranges: SubscriptRanges
              ) -> Iterator[ElementDefinition]:
    seen: dict[tuple[str, ...], SourceSpan] = {}
    for definition in definitions:
        lhs = definition.lhs
        combos = _combinations(lhs.subscripts, ranges)
        excluded = {c for group in lhs.excepts for c in _combinations(group, ranges)}
        combos = [c for c in combos if c not in excluded]
        values = _constant_values(definition, len(combos))
        for index, combo in enumerate(combos):
            if combo in seen:
                raise ModelStructureError(
                    f"{lhs.name.text}[{', '.join(combo)}] is defined twice (first at "
                    f"{seen[combo]})", lhs.name.span)
            seen[combo] = lhs.name.span
            bindings = tuple((s.name, e) for s, e in zip(lhs.subscripts, combo, strict=True)
                             if ranges.is_dimension(s.name))
            equation = values[index] if values is not None else _value(definition)
            yield ElementDefinition(combo, equation, definition.table, lhs.name.span,
                                    bindings, definition.rate)


def _combinations(subscripts: Sequence[Any], ranges: SubscriptRanges
                  ) -> list[tuple[str, ...]]:
    axes = [ranges.items(s) for s in subscripts]
    limits_for(ranges.access).check("max_elements_total", math.prod(len(a) for a in axes),
                                    "the subscripted definition", subscripts[0].span)
    return list(itertools.product(*axes))


def _constant_values(definition: Definition, count: int) -> tuple[Expr, ...] | None:
    if definition.kind is not DefinitionKind.CONSTANTS:
        return None
    if len(definition.values) != count:
        raise ModelStructureError(
            f"'{definition.lhs.name.text}' lists {len(definition.values)} values for "
            f"{count} elements", definition.values[0].span)
    return definition.values
