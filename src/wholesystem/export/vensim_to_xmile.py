"""A project read from a Vensim ``.mdl`` file, reshaped so XMILE can hold it.

The changes, each keeping every result the same:

- **Stocks get flows.** Vensim defines a stock by ``INTEG(rate, init)``; XMILE by its
  inflows and outflows. A rate that is a plain sum of other variables,
  ``in1 + in2 - out1 - out2`` (the way Vensim writes stock-and-flow diagrams), turns those
  variables into the stock's flows; any other rate becomes one new flow, ``<stock> net
  flow`` (arrayed, element by element, when the stock integrates a different rate per
  element).
- **Builtins get their XMILE names** where XMILE has one that computes the same thing
  (:mod:`wholesystem.export.builtin_map`): ``SMOOTH`` -> ``SMTH1``, ``XIDZ`` ->
  ``SAFEDIV``, ``IF THEN ELSE`` -> ``IF .. THEN .. ELSE``... When any call has none, the
  equations stay Vensim's and the file is marked as such (see :mod:`.xmile`).
- **Mappings and equivalences are spelled out.** Equations reading a range through a
  subscript mapping (``->``) or an equivalence (``<->``) that is still needed (a variable
  ranges over both) are written element by element with explicit elements
  (:mod:`wholesystem.export.subscripts`).
- **Partly defined arrays are completed.** Vensim lets a variable define some of its
  elements; the others read as missing values (NaN). XMILE needs every element, so those
  are written out as ``NAN``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

from wholesystem.export.builtin_map import translate_equations, vensim_to_xmile_call
from wholesystem.export.names import unique_name
from wholesystem.export.subscripts import write_out_mappings
from wholesystem.ir.expr import Binary, Expr, Number, Reference, Unary, Wildcard, transform
from wholesystem.ir.model import ElementDefinition, Model, Project, Variable, VariableKind
from wholesystem.ir.names import canonical_name

__all__ = ["translate_vensim_project", "rates_to_flows", "resolve_equivalences",
           "complete_partial_arrays"]


def translate_vensim_project(project: Project) -> tuple[Project, str]:
    """The project ready for XMILE and the dialect its equations are in (``xmile`` when
    every builtin was translated, else ``mdl``)."""
    project = resolve_equivalences(project)
    with_flows = replace(project, models=tuple(rates_to_flows(m) for m in project.models))
    with_flows = complete_partial_arrays(write_out_mappings(with_flows))
    translated = translate_equations(with_flows, vensim_to_xmile_call, "xmile")
    if translated is None:
        return with_flows, "mdl"
    return replace(translated, format="xmile"), "xmile"


def resolve_equivalences(project: Project) -> Project:
    """``project`` with each Vensim equivalence (``B <-> A``) replaced by the dimension it
    names, where no variable ranges over both (XMILE has no equivalences; for a variable
    ``x[A, B]`` both stay, and :func:`~wholesystem.export.subscripts.write_out_mappings`
    spells out the equations that read one as the other)."""
    aliases = {d.name: d.alias_of for d in project.dimensions if d.alias_of is not None}
    variables = [v for m in project.models for v in m.variables]
    for alias, target in list(aliases.items()):
        if any(alias in v.dimensions and target in v.dimensions for v in variables):
            del aliases[alias]
    if not aliases:
        return project

    def rename(name: str) -> str:
        return aliases.get(name, name)

    def rewrite(node: Expr) -> Expr | None:
        if isinstance(node, Wildcard) and node.dimension in aliases:
            return replace(node, dimension=rename(node.dimension))
        if isinstance(node, Reference) and node.subscripts:
            return replace(node, subscripts=tuple(
                Reference(rename(s.name), rename(s.name), (), s.span)
                if isinstance(s, Reference) and not s.subscripts and s.name in aliases
                else transform(s, rewrite) for s in node.subscripts))
        return None

    def convert(expr: Expr | None) -> Expr | None:
        return None if expr is None else transform(expr, rewrite)

    def variable(v: Variable) -> Variable:
        return replace(
            v, dimensions=tuple(rename(d) for d in v.dimensions),
            equation=convert(v.equation), rate=convert(v.rate),
            elements=tuple(replace(e, equation=convert(e.equation), rate=convert(e.rate),
                                   bindings=tuple((rename(d), x) for d, x in e.bindings))
                           for e in v.elements))

    dimensions = tuple(
        replace(d, maps_to=tuple((rename(t), m) for t, m in d.maps_to))
        for d in project.dimensions if d.name not in aliases)
    models = tuple(replace(m, variables=tuple(variable(v) for v in m.variables))
                   for m in project.models)
    return replace(project, dimensions=dimensions, models=models)


def complete_partial_arrays(project: Project) -> Project:
    """``project`` with the elements a Vensim variable leaves undefined given NaN, what
    they read as (tables, which only calls read, are left as they are)."""
    elements_of = {d.name: d.canonical_elements for d in project.dimensions}

    def complete(variable: Variable) -> Variable:
        if not variable.elements or all(e.equation is None for e in variable.elements):
            return variable
        if variable.equation is not None or any(
                d not in elements_of for d in variable.dimensions):
            return variable
        defined = {e.subscripts for e in variable.elements}
        missing = tuple(
            ElementDefinition(cell, Number(math.nan, variable.span), span=variable.span)
            for cell in itertools.product(*(elements_of[d] for d in variable.dimensions))
            if cell not in defined)
        return replace(variable, elements=variable.elements + missing) if missing \
            else variable

    return replace(project, models=tuple(
        replace(m, variables=tuple(complete(v) for v in m.variables))
        for m in project.models))


def rates_to_flows(model: Model) -> Model:
    """``model`` with every stock defined by a net rate given inflows and outflows."""
    if not any(v.rate is not None or any(e.rate is not None for e in v.elements)
               for v in model.variables):
        return model
    variables = {v.name: v for v in model.variables}
    taken = set(variables) | {m.name for m in model.modules}
    new_flows: list[Variable] = []
    for stock in [v for v in model.variables if any(e.rate is not None for e in v.elements)]:
        flow = _element_net_flow(stock, taken)
        new_flows.append(flow)
        variables[stock.name] = replace(
            stock, rate=None, inflows=(flow.name,),
            elements=tuple(replace(e, rate=None) for e in stock.elements))
    for stock in [v for v in model.variables if v.rate is not None]:
        split = _split_rate(stock, variables)
        if split is None:
            flow = _net_flow(stock, taken)
            new_flows.append(flow)
            variables[stock.name] = replace(stock, rate=None, inflows=(flow.name,))
            continue
        inflows, outflows = split
        for name in inflows + outflows:
            variables[name] = replace(variables[name], kind=VariableKind.FLOW)
        variables[stock.name] = replace(stock, rate=None, inflows=inflows, outflows=outflows)
    ordered = [variables[v.name] for v in model.variables]
    return replace(model, variables=tuple(ordered + new_flows))


def _net_flow(stock: Variable, taken: set[str]) -> Variable:
    display = unique_name(f"{stock.display} net flow", taken)
    return Variable(canonical_name(display), display, VariableKind.FLOW, stock.rate,
                    stock.span, stock.dimensions,
                    doc=f"Net rate of '{stock.display}' (its INTEG rate in the Vensim model).")


def _element_net_flow(stock: Variable, taken: set[str]) -> Variable:
    """One arrayed flow carrying each element's own rate (0 where an element has none)."""
    display = unique_name(f"{stock.display} net flow", taken)
    elements = tuple(ElementDefinition(e.subscripts, e.rate or Number(0.0, e.span), None,
                                       e.span, e.bindings) for e in stock.elements)
    return Variable(canonical_name(display), display, VariableKind.FLOW, None, stock.span,
                    stock.dimensions, elements,
                    doc=f"Net rates of '{stock.display}' (its INTEG rates in the Vensim model).")


def _split_rate(stock: Variable, variables: dict[str, Variable]
                ) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """Inflows and outflows when the rate reads ``in1 + ... - out1 - ...`` over plain
    references to auxiliaries or flows shaped like the stock; else None.

    The order matters: the compiler sums inflows, then subtracts outflows, so only a rate
    written in that order gives bit-identical results.
    """
    terms = _terms(stock.rate)  # type: ignore[arg-type]
    if terms is None:
        return None
    inflows: list[str] = []
    outflows: list[str] = []
    for sign, term in terms:
        name = _plain_reference(term, stock, variables)
        if name is None or name in inflows or name in outflows:
            return None
        if sign > 0:
            if outflows:
                return None
            inflows.append(name)
        else:
            outflows.append(name)
    return tuple(inflows), tuple(outflows)


def _terms(expr: Expr) -> list[tuple[int, Expr]] | None:
    """``a + b - c`` as [(+1, a), (+1, b), (-1, c)], left to right; None for other shapes."""
    if isinstance(expr, Binary) and expr.op in ("+", "-"):
        left = _terms(expr.left)
        if left is None or isinstance(expr.right, Binary | Unary):
            return None
        return [*left, (1 if expr.op == "+" else -1, expr.right)]
    if isinstance(expr, Unary) and expr.op == "-" and isinstance(expr.operand, Reference):
        return [(-1, expr.operand)]
    return [(1, expr)]


def _plain_reference(term: Expr, stock: Variable, variables: dict[str, Variable]
                     ) -> str | None:
    if not isinstance(term, Reference):
        return None
    target = variables.get(term.name)
    if target is None or target.kind is VariableKind.STOCK or target.non_negative:
        return None
    if target.dimensions != stock.dimensions:
        return None
    written = tuple((s.name if isinstance(s, Reference) and not s.subscripts else None)
                    for s in term.subscripts)
    if term.subscripts and written != stock.dimensions:
        return None
    return target.name
