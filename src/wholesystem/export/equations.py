"""Equations made ready for an XMILE file: names spelled to read back, calls in XMILE form.

Names in a tree keep the text they were written with, which in a Vensim model may hold
spaces; :func:`xmile_equation` respells every reference, writes graphical functions
called by name so the XMILE grammar reads them (``table(x)``, or ``LOOKUP("odd name",
x)``), and the function form of ``IF THEN ELSE`` as the XMILE statement.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from wholesystem.errors import UnsupportedFeatureError
from wholesystem.export.names import xmile_name
from wholesystem.ir.expr import (
    Call,
    Expr,
    IfThenElse,
    Number,
    Reference,
    Text,
    transform,
    walk,
)
from wholesystem.ir.model import Dimension, Model, Project, Variable
from wholesystem.ir.names import canonical_name, display_name
from wholesystem.ir.printer import print_xmile

__all__ = ["EquationContext", "xmile_equation", "spell_reference", "table_variables"]


def table_variables(model: Model) -> dict[str, Variable]:
    """Variables of ``model`` holding a graphical function, by canonical name."""
    return {v.name: v for v in model.variables
            if v.graphical_function is not None
            or any(e.graphical_function is not None for e in v.elements)}


@dataclass(frozen=True)
class EquationContext:
    """What writing one model's equations needs to know about the project."""

    displays: dict[str, str] = field(default_factory=dict)
    """Display form of every name the model's equations may use, by canonical name."""
    tables: dict[str, Variable] = field(default_factory=dict)
    """Variables with graphical functions, which equations may call by name."""

    @classmethod
    def of(cls, project: Project, model: Model,
           dimensions: dict[str, Dimension]) -> EquationContext:
        """The context of ``model`` inside ``project``."""
        displays: dict[str, str] = {}
        for dimension in dimensions.values():
            displays[dimension.name] = dimension.display
            displays.update((canonical_name(e), e) for e in dimension.elements)
        displays.update((m.name, m.display) for m in model.modules)
        displays.update((v.name, v.display) for v in model.variables)
        return cls(displays, table_variables(model))

    def display(self, name: str) -> str:
        """The display form of a canonical name (the name itself when unknown)."""
        return self.displays.get(name, name)

    def bind(self, expr: Expr, bindings: tuple[tuple[str, str], ...]) -> Expr:
        """``expr`` with each bound dimension, used as a subscript, replaced by its element
        (``y[north]`` in the definition of element ``n1`` -> ``y[n1]``)."""
        bound = dict(bindings)

        def rewrite(node: Expr) -> Expr | None:
            if not isinstance(node, Reference) or not node.subscripts:
                return None
            subscripts = tuple(
                Reference(bound[s.name], self.display(bound[s.name]), (), s.span)
                if isinstance(s, Reference) and not s.subscripts and s.name in bound
                else transform(s, rewrite) for s in node.subscripts)
            return replace(node, subscripts=subscripts)

        return transform(expr, rewrite)


def spell_reference(ref: Reference, context: EquationContext) -> str:
    """How ``ref`` is written in XMILE: its own text when that reads back to it, else the
    display name; module-qualified names part by part."""
    parts = ref.name.split(".")
    written = display_name(ref.text) if ref.text else ""
    text_parts = written.split(".")
    if len(text_parts) != len(parts) or any(
            canonical_name(t) != p for t, p in zip(text_parts, parts, strict=True)):
        text_parts = [context.display(p) for p in parts]
    spelled = [xmile_name(t) for t in text_parts]
    if len(spelled) > 1 and any(s.startswith('"') for s in spelled):
        return xmile_name(".".join(text_parts))
    return ".".join(spelled)


def xmile_equation(expr: Expr, variable: Variable, context: EquationContext) -> str:
    """XMILE text of one equation of ``variable``.

    A missing value (NaN, Vensim's ``:NA:``) is written ``NAN``, the name wholesystem
    reads as one (like ``INF``). Raises :class:`UnsupportedFeatureError` at the literal
    for string arguments, which XMILE cannot write.
    """
    for node in walk(expr):
        if isinstance(node, Call) and node.function == "#DATA":
            raise UnsupportedFeatureError(
                f"'{variable.display}' is a Vensim data variable (its values come from a "
                "data file), which XMILE cannot name", node.span,
                hint="resolve the data first: wholesystem convert --data FILE writes the "
                     "values in")
        if isinstance(node, Text):
            raise UnsupportedFeatureError(
                f"'{variable.display}': the string '{node.value}' cannot be written in "
                "XMILE (it has no string literals)", node.span,
                hint="resolve the data first: wholesystem convert writes the values the "
                     "data function reads")
        if isinstance(node, Number) and math.isnan(node.value) and "nan" in context.displays:
            # written as the name NAN, which this model's own variable would take
            raise UnsupportedFeatureError(
                f"'{variable.display}': a missing value (Vensim's :NA:) is written NAN in "
                f"XMILE, but the model has a variable named '{context.display('nan')}'",
                node.span)
    return print_xmile(transform(expr, lambda node: _respell(node, context)))


def _respell(node: Expr, context: EquationContext) -> Expr | None:
    if isinstance(node, Reference):
        subscripts = tuple(transform(s, lambda n: _respell(n, context))
                           for s in node.subscripts)
        return replace(node, text=spell_reference(node, context), subscripts=subscripts)
    if not isinstance(node, Call):
        return None
    args = tuple(transform(a, lambda n: _respell(n, context)) for a in node.args)
    table = context.tables.get(canonical_name(node.function))
    if table is not None:
        spelled = xmile_name(table.display)
        if spelled.startswith('"'):
            return Call("LOOKUP", (Reference(table.name, spelled, (), node.span), *args),
                        node.span)
        return Call(spelled, args, node.span)
    if node.function in ("IF THEN ELSE", "IF_THEN_ELSE") and len(args) == 3:
        return IfThenElse(*args, span=node.span)
    return Call("_".join(node.function.split()), args, node.span)
