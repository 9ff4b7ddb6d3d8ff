"""The stock-and-flow structure: stocks and flows wired, everything valued, arrays declared.

Reports ``stock-flow-missing``, ``flow-not-attached``, ``missing-equation``,
``missing-initial-value``, ``undeclared-dimension``, ``bad-subscript`` and
``subscript-count`` for element definitions, ``unknown-method`` for the integration
method, and the module problems ``unknown-model``,
``bad-connection`` and ``recursive-module``.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Iterator

import networkx as nx

from wholesystem.check.codes import diagnose
from wholesystem.check.scope import ModelScope, ProjectScope, instances
from wholesystem.diagnostics import Diagnostic, SourceSpan
from wholesystem.ir.model import INTEGRATION_METHODS, ElementDefinition, Variable, VariableKind

__all__ = ["check_structure"]

_MAX_LISTED = 5
"""Most missing elements named in one message."""


def check_structure(project: ProjectScope) -> Iterator[Diagnostic]:
    """Every structural problem of every model, and of the modules placing them."""
    wired = _connected_inputs(project)
    for scope in project.models.values():
        yield from _check_stocks_and_flows(scope, wired.get(scope.model.name, set()))
        yield from _check_dimensions(scope)
        yield from _check_modules(scope)
    yield from _check_recursion(project)
    yield from _check_values(project)
    yield from _check_method(project)


def _check_method(project: ProjectScope) -> Iterator[Diagnostic]:
    """An integration method ``run`` would refuse."""
    specs = project.project.sim_specs
    if specs.method not in INTEGRATION_METHODS:
        yield diagnose("unknown-method", f"unknown integration method '{specs.method}'",
                       specs.span, hint=f"use one of: {', '.join(INTEGRATION_METHODS)}")


# -- stocks and flows ----------------------------------------------------------------
def _connected_inputs(project: ProjectScope) -> dict[str, set[str]]:
    """Variables of each model that some module placing it wires from outside."""
    wired: dict[str, set[str]] = {}
    for scope in project.models.values():
        for module in scope.model.modules:
            wired.setdefault(module.model_name, set()).update(c.to for c in module.connections)
    return wired


def _check_stocks_and_flows(scope: ModelScope, wired: set[str]) -> Iterator[Diagnostic]:
    """A flow wired into a module from outside is a value there, not a rate of a stock."""
    attached: set[str] = set(wired)
    flows = {n: v.display for n, v in scope.variables.items() if v.kind is VariableKind.FLOW}
    for stock in scope.model.variables:
        if stock.kind is not VariableKind.STOCK:
            continue
        for direction, names in (("inflow", stock.inflows), ("outflow", stock.outflows)):
            for name in names:
                found = scope.variables.get(name)
                if found is not None and found.kind is VariableKind.FLOW:
                    attached.add(name)
                    continue
                what = ("which does not exist" if found is None else
                        f"which is {_article(found.kind)}, not a flow")
                close = difflib.get_close_matches(name, list(flows), n=1, cutoff=0.7)
                yield diagnose(
                    "stock-flow-missing",
                    f"stock '{stock.display}' lists {direction} '{name}', {what}", stock.span,
                    hint=f"did you mean '{flows[close[0]]}'?" if close else
                    f"define a flow named '{name}' or remove it from the stock")
    for flow in scope.model.variables:
        if flow.kind is VariableKind.FLOW and flow.name not in attached:
            yield diagnose(
                "flow-not-attached", f"flow '{flow.display}' is no stock's inflow or outflow",
                flow.span, hint="attach it to a stock, or make it an auxiliary")


def _article(kind: VariableKind) -> str:
    return {VariableKind.STOCK: "a stock", VariableKind.AUX: "an auxiliary",
            VariableKind.FLOW: "a flow"}[kind]


# -- arrays --------------------------------------------------------------------------
def _check_dimensions(scope: ModelScope) -> Iterator[Diagnostic]:
    dimensions = scope.dimensions
    for variable in scope.model.variables:
        for dim_name in variable.dimensions:
            if dim_name not in dimensions:
                close = difflib.get_close_matches(dim_name, list(dimensions), n=1, cutoff=0.7)
                yield diagnose(
                    "undeclared-dimension",
                    f"'{variable.display}' is arrayed over dimension '{dim_name}', which is "
                    "not declared", variable.span,
                    hint=f"did you mean '{dimensions[close[0]].display}'?" if close else
                    "declare it in <dimensions>")
        for element in variable.elements:
            yield from _check_element(variable, element, scope)


def _check_element(variable: Variable, element: ElementDefinition, scope: ModelScope
                   ) -> Iterator[Diagnostic]:
    dims = variable.dimensions
    label = f"[{', '.join(element.subscripts)}]"
    if len(element.subscripts) != len(dims):
        yield diagnose("subscript-count",
                       f"element {label} of '{variable.display}' does not match its "
                       f"{len(dims)} dimension(s)", element.span)
        return
    for subscript, dim_name in zip(element.subscripts, dims, strict=True):
        dimension = scope.dimensions.get(dim_name)
        if dimension is not None and not scope.project.element_of(dim_name, subscript):
            yield diagnose(
                "bad-subscript",
                f"element {label} of '{variable.display}': '{subscript}' is not an element of "
                f"dimension '{dimension.display}'", element.span,
                hint=f"its elements are: {', '.join(dimension.elements)}")


# -- modules -------------------------------------------------------------------------
def _check_modules(scope: ModelScope) -> Iterator[Diagnostic]:
    for module in scope.model.modules:
        inner = scope.project.models.get(module.model_name)
        if inner is None or inner is scope.project.main:
            yield diagnose("unknown-model",
                           f"module '{module.display}' places model '{module.model_name}', "
                           "which the file does not define", module.span)
            continue
        for connection in module.connections:
            if connection.to not in inner.variables:
                yield diagnose(
                    "bad-connection",
                    f"module '{module.display}' connects to '{connection.to}', which model "
                    f"'{module.model_name}' does not define", connection.span)
            if scope.resolve(connection.source.lstrip(".")) is None:
                yield diagnose(
                    "bad-connection",
                    f"the connection into '{module.display}.{connection.to}' comes from "
                    f"'{connection.source}', which does not exist", connection.span,
                    hint="name a variable of this model (.name) or of a module beside "
                         "it (module.name)")


def _check_recursion(project: ProjectScope) -> Iterator[Diagnostic]:
    uses = nx.DiGraph()
    spans: dict[tuple[str, str], SourceSpan] = {}
    for name, scope in project.models.items():
        for module in scope.model.modules:
            if module.model_name in project.models:
                uses.add_edge(name, module.model_name)
                spans.setdefault((name, module.model_name), module.span)
    for component in nx.strongly_connected_components(uses):
        members = sorted(component)
        if len(members) == 1 and not uses.has_edge(members[0], members[0]):
            continue
        cycle = [u for u, _ in nx.find_cycle(uses.subgraph(members), members[0])]
        loop = " -> ".join([*cycle, cycle[0]])
        yield diagnose("recursive-module", f"modules place each other in a circle: {loop}",
                       spans[(cycle[0], cycle[1 % len(cycle)])],
                       hint="a model cannot contain itself, directly or through others")


# -- every variable has a value ------------------------------------------------------
def _check_values(project: ProjectScope) -> Iterator[Diagnostic]:
    """Missing equations, per placement: a module input wired by a connection needs none.

    A model placed several times reports each problem once, naming the placements.
    """
    missing: dict[tuple[str, str, tuple[str, ...] | None], tuple[Variable, list[str]]] = {}
    elements: dict[tuple[str, str], tuple[Variable, list[str]]] = {}
    for instance in instances(project):
        model_name = instance.scope.model.name
        for variable in instance.scope.model.variables:
            if variable.name in instance.connected:
                continue
            for key in _unvalued(variable):
                missing.setdefault((model_name, variable.name, key), (variable, []))[1].append(
                    instance.path)
            if variable.elements and not _covers(variable, project):
                elements.setdefault((model_name, variable.name), (variable, []))[1].append(
                    instance.path)
    for (_, _, key), (variable, paths) in missing.items():
        yield _missing(variable, key, paths)
    for variable, paths in elements.values():
        yield _uncovered(variable, project, paths)


def _unvalued(variable: Variable) -> Iterator[tuple[str, ...] | None]:
    """None when the variable has no value at all, else each element that has none."""
    if variable.elements:
        for element in variable.elements:
            if element.equation is None and variable.equation is None and (
                    variable.kind is VariableKind.STOCK or element.graphical_function is None):
                yield element.subscripts
        return
    if variable.equation is None and variable.rate is None and (
            variable.kind is VariableKind.STOCK or variable.graphical_function is None):
        yield None


def _missing(variable: Variable, element: tuple[str, ...] | None, paths: list[str]
             ) -> Diagnostic:
    stock = variable.kind is VariableKind.STOCK
    code = "missing-initial-value" if stock else "missing-equation"
    what = "no initial value" if stock else "no equation"
    name = variable.display + (f"[{', '.join(element)}]" if element is not None else "")
    span = variable.span
    if element is not None:
        span = next(e.span for e in variable.elements if e.subscripts == element)
    modules = [p for p in paths if p]
    if modules:
        placed = ", ".join(f"'{p}'" for p in modules[:_MAX_LISTED])
        hint = (f"give it {'an initial value' if stock else 'an equation'}, or connect it to "
                f"a variable outside module {placed}")
    else:
        hint = "give it an initial value" if stock else \
            "give it an equation (or a graphical function and its input)"
    return diagnose(code, f"'{name}' has {what}", span, hint=hint, variables=(variable.display,))


def _covers(variable: Variable, project: ProjectScope) -> bool:
    if any(d not in project.dimensions for d in variable.dimensions):
        return True  # reported as an undeclared dimension
    return len(_missing_elements(variable, project, 1)) == 0


def _missing_elements(variable: Variable, project: ProjectScope, limit: int
                      ) -> list[tuple[str, ...]]:
    defined = {e.subscripts for e in variable.elements}
    grid = itertools.product(*(project.dimensions[d].canonical_elements
                               for d in variable.dimensions))
    return list(itertools.islice((g for g in grid if g not in defined), limit))


def _uncovered(variable: Variable, project: ProjectScope, paths: list[str]) -> Diagnostic:
    absent = _missing_elements(variable, project, _MAX_LISTED + 1)
    shown = [dict(zip(project.dimensions[d].canonical_elements, project.dimensions[d].elements,
                      strict=True)) for d in variable.dimensions]
    listed = ", ".join(f"[{', '.join(s[e] for s, e in zip(shown, element, strict=True))}]"
                       for element in absent[:_MAX_LISTED])
    more = ", ..." if len(absent) > _MAX_LISTED else ""
    stock = variable.kind is VariableKind.STOCK
    return diagnose(
        "missing-initial-value" if stock else "missing-equation",
        f"'{variable.display}' leaves elements undefined: {listed}{more}", variable.span,
        hint="define every element, or give one equation for all of them",
        variables=(variable.display,))
