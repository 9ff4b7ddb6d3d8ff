"""A lowered model -> the source of a Python module that simulates it with NumPy.

The module defines ``build(rt)``, which computes constants and initial values for a set of
runs (``rt`` supplies parameters, run count and state objects) and returns the initial
stocks with a ``rates(t, stocks, full)`` closure. ``rates`` computes every auxiliary and
flow in dependency order and returns the net flow of each stock and the value of each
output variable. Integration belongs to :mod:`wholesystem.run`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from wholesystem.compiler.expressions import (
    Code,
    Scope,
    align,
    compile_expression,
    reject_unknown_functions,
)
from wholesystem.compiler.lower import LoweredModel, StateKind
from wholesystem.compiler.non_negative import (
    LimitedOutflow,
    floored_stocks,
    limit_statement,
    limited_outflows,
    order_for_limits,
)
from wholesystem.compiler.order import (
    equations_of,
    find_constants,
    index_names,
    names_read,
    order_variables,
)
from wholesystem.diagnostics import SourceSpan
from wholesystem.errors import ModelStructureError, UnknownNameError, UnsupportedFeatureError
from wholesystem.ir.model import Dimension, GraphicalFunction, Variable, VariableKind
from wholesystem.ir.names import python_identifier
from wholesystem.ir.printer import print_xmile

__all__ = ["GeneratedModel", "OutputVariable", "EquationSources", "generate_source",
           "equation_sources", "comment_text"]


@dataclass(frozen=True, slots=True)
class OutputVariable:
    """A variable that appears in results."""

    name: str
    """Canonical name."""
    display: str
    """Name shown to users (module path included)."""
    shape: tuple[int, ...]
    """Element shape (empty for a scalar)."""
    element_names: tuple[tuple[str, ...], ...]
    """Element labels of each dimension, in axis order."""
    kind: VariableKind
    """Stock, flow or auxiliary."""
    constant: bool
    """True when the value never changes during a run."""


@dataclass(frozen=True, slots=True)
class GeneratedModel:
    """The generated module's text and what its results mean."""

    source: str
    """Python source defining ``build(rt)``."""
    outputs: tuple[OutputVariable, ...]
    """What ``rates`` returns as its second value, in order."""
    stocks: tuple[str, ...]
    """Canonical names of the stocks, in the order ``rates`` takes them."""
    non_negative: tuple[bool, ...]
    """For each stock: floored at zero by the integrator (a non-negative stock whose
    outflows cannot be limited, see :mod:`wholesystem.compiler.non_negative`)."""
    constants: dict[str, float | None]
    """Constants that ``run(params=...)`` can set, with their default (None if arrayed)."""
    state_kinds: tuple[StateKind, ...]
    """Kind of each discrete state ``build`` expects in ``rt.states``."""
    backend: str = "vector"
    """``vector`` or ``scalar``: which kernels the source calls."""


def generate_source(lowered: LoweredModel, backend: str = "vector",
                    include_hidden: bool = False) -> GeneratedModel:
    """Generate the simulation module for a lowered model.

    ``backend`` is ``vector`` (NumPy arrays with a leading run axis: any number of runs,
    arrays allowed) or ``scalar`` (plain floats: one run of a model without arrays).
    ``include_hidden`` also reports the variables lowering made (a smooth's stages...),
    for analyses that follow causes through them.
    """
    project = lowered.project
    variables = project.main.variable_map()
    dimensions = {d.name: d for d in project.dimensions}
    indices = index_names(project.dimensions)
    _check_dimensions(variables, dimensions)
    if backend == "scalar" and any(v.dimensions for v in variables.values()):
        raise ModelStructureError("the scalar backend cannot simulate arrays")
    identifiers = _identifiers(variables)
    tables, table_lines = _tables(variables)
    states = {spec.index: f"_state{spec.index}" for spec in lowered.states}
    scope = Scope(variables, dimensions, identifiers, tables, states, backend=backend,
                  dialect=project.format)
    reject_unknown_functions((e for v in variables.values() for e in equations_of(v)), scope)
    stage = _stage_lines(lowered, scope, dimensions, states)
    # ACTIVE INITIAL: a variable may have other equations while the model initialises
    at_start = {**variables, **lowered.initial_variables}
    limits = {n: limit for n, limit in limited_outflows(variables).items() if n in identifiers}
    # a limited outflow changes with its stock, whatever its own equation says
    constants = find_constants(variables, lowered.initial_only | set(lowered.initial_variables),
                               project.format, indices, varying=set(limits))
    valued = [n for n in variables if n in identifiers]

    init_order = order_variables(
        valued, {n: _reads(at_start[n], variables, indices) for n in valued}, variables)
    stepwise = [n for n in valued if variables[n].kind is not VariableKind.STOCK
                and n not in constants and n not in lowered.initial_only]
    step_order = order_variables(stepwise, order_for_limits(
        {n: _reads(variables[n], variables, indices) for n in stepwise}, limits), variables)
    stocks = [n for n in valued if variables[n].kind is VariableKind.STOCK]
    limit_lines = _limit_lines(limits, step_order, variables, scope)
    floored = floored_stocks(variables)
    outputs = _outputs(variables, identifiers, lowered, dimensions, constants,
                       include_hidden)
    parts = _Parts(
        init=_init_lines(init_order, at_start, constants, identifiers, scope, dimensions),
        step=_step_lines(step_order, variables, identifiers, scope, limit_lines),
        net=[f"net_{identifiers[n]} = {_net_flow(variables[n], variables, scope)}"
             for n in stocks],
        stage=stage,
        stocks=[identifiers[n] for n in stocks],
        floors=[n in floored for n in stocks],
        outputs=[identifiers[o.name] for o in outputs],
        states=[states[spec.index] for spec in lowered.states],
    )
    if backend == "scalar" and all(spec.kind in _PURE_STATES for spec in lowered.states):
        fast_scope = replace(scope, fast=True)
        parts.fast = _step_lines(step_order, variables, identifiers, fast_scope,
                                 limit_lines) + [
            f"net_{identifiers[n]} = {_net_flow(variables[n], variables, fast_scope)}"
            for n in stocks]
    kernels = "kernels" if backend == "vector" else "scalar_kernels"
    # Every string from the model reaches the source as a repr() literal or inside a
    # comment_text() comment, never as code: a hostile file name or variable name is data.
    header = [f'"""Generated by wholesystem ({backend} backend)."""',
              f"SOURCE_FILE = {str(project.source.path)!r}",
              f"from wholesystem.builtins import {kernels} as k",
              "from math import inf, nan  # how repr() writes missing and infinite numbers",
              ""] + table_lines
    source = "\n".join(header + ["", ""] + _build_function(parts) + ["", ""]
                       + _euler_function(parts)) + "\n"
    return GeneratedModel(
        source=source,
        outputs=outputs,
        stocks=tuple(stocks),
        non_negative=tuple(parts.floors),
        constants={n: _literal(variables[n]) for n in sorted(constants)
                   if n not in lowered.hidden},
        state_kinds=tuple(spec.kind for spec in lowered.states),
        backend=backend,
    )


@dataclass
class _Parts:
    """Blocks of generated statements, assembled into ``build`` and ``run_euler``."""

    init: list[str]
    step: list[str]
    net: list[str]
    stage: list[str]
    stocks: list[str]
    floors: list[bool]
    outputs: list[str]
    states: list[str]
    fast: list[str] | None = None
    """Scalar backend: step and net lines with Python's own division (see ``Scope.fast``)."""


_PURE_STATES = frozenset({StateKind.PIPELINE, StateKind.PREVIOUS})
"""States whose reads have no side effects, so a step may be computed twice."""


def _tuple(names: list[str]) -> str:
    return f"({''.join(n + ', ' for n in names)})"


def _prelude(parts: _Parts) -> list[str]:
    lines = ["t = rt.start", "dt = rt.dt", "start_time = rt.start", "stop_time = rt.stop"]
    lines += [f"{state} = rt.states[{i}]" for i, state in enumerate(parts.states)]
    return lines + ["# -- constants and initial values, in dependency order"] + parts.init


def _build_function(parts: _Parts) -> list[str]:
    """``build(rt)``: initial stocks and the ``rates`` closure (used by RK4)."""
    body = _prelude(parts) + ["", "def rates(t, stocks, full):"]
    inner = [f"{_tuple(parts.stocks)} = stocks"] if parts.stocks else []
    inner += parts.step + parts.net
    if parts.stage:
        inner += ["if full:"] + ["    " + line for line in parts.stage]
    inner.append(f"return {_tuple(['net_' + s for s in parts.stocks])}, "
                 f"{_tuple(parts.outputs)}")
    body += ["    " + line for line in inner]
    body += ["", f"return {_tuple(parts.stocks)}, rates"]
    return ["def build(rt):"] + ["    " + line for line in body]


def _euler_function(parts: _Parts) -> list[str]:
    """``run_euler(rt, n_steps, save_every)``: the whole Euler loop inline, for speed."""
    loop = ["t = start_time + step * dt"]
    # Net flows read states as they were during this step, so they come before the
    # states take this step's values.
    if parts.fast:
        # Python's own division is fastest; a step that divides by zero (or overflows)
        # is computed again with IEEE-safe kernels, which give inf and NaN instead.
        loop += ["try:"] + _indent(parts.fast) + ["except (ArithmeticError, ValueError):"]
        loop += _indent(parts.step + parts.net)
    else:
        loop += parts.step + parts.net
    loop += ["if step % save_every == 0:", f"    keep(select({_tuple(parts.outputs)}))",
             "if step == n_steps:", "    break"]
    if parts.stage:
        loop += parts.stage + [f"{state}.commit()" for state in parts.states]
    for stock, floor in zip(parts.stocks, parts.floors, strict=True):
        update = f"{stock} + dt * net_{stock}"
        loop.append(f"{stock} = k.floor_at_zero({update})" if floor else f"{stock} = {update}")
    body = _prelude(parts) + ["saved = []", "keep = saved.append", "select = rt.select",
                              "for step in range(n_steps + 1):"]
    body += _indent(loop) + ["return saved"]
    return ["def run_euler(rt, n_steps, save_every):"] + _indent(_bind_kernels(body))


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


_KERNEL_USE = re.compile(r"\bk\.([A-Za-z_]\w*)")


def _bind_kernels(body: list[str]) -> list[str]:
    """Kernels bound to local names once (``k_lookup = k.lookup``): the hot loop then
    skips a global and an attribute look-up per call."""
    names = sorted({m for line in body for m in _KERNEL_USE.findall(line)})
    bound = [_KERNEL_USE.sub(r"k_\1", line) for line in body]
    return [f"k_{name} = k.{name}" for name in names] + bound


def _comment(variable: Variable, initial: bool) -> str:
    """The original equation above its generated line, so readers can follow the code."""
    shown = variable.equation
    if len(variable.elements) == 1 and not variable.dimensions:
        # one element of a variable split element by element (wholesystem.ir.elements)
        shown = variable.elements[0].equation
    if variable.elements and shown is variable.equation:
        equation = f"{len(variable.elements)} element equations"
    elif shown is None:
        equation = "(no equation)"
    else:
        equation = " ".join(print_xmile(shown).split())
        if len(equation) > 200:
            equation = equation[:197] + "..."
    what = "initial value of " if initial and variable.kind is VariableKind.STOCK else ""
    return "# " + comment_text(f"{what}{variable.display} = {equation}   [{variable.span}]")


def comment_text(text: str) -> str:
    """``text`` made safe to follow ``#`` on one line of generated source.

    Names, equations and file names come from model files, which are data: a newline,
    carriage return, form feed, NUL or Unicode line separator in one must not end the
    comment and start a line of code. ``repr`` escapes every character that is not
    printable, so the result is a single line whatever the input.

    >>> comment_text('x = 1\\nimport os')
    'x = 1\\\\nimport os'
    """
    return repr(text)[1:-1]


def _init_lines(order: list[str], variables: dict[str, Variable], constants: set[str],
                identifiers: dict[str, str], scope: Scope, dimensions: dict[str, Dimension]
                ) -> list[str]:
    lines = []
    for name in order:
        variable = variables[name]
        value = _value_text(variable, scope, initial=True)
        if name in constants or variable.kind is VariableKind.STOCK:
            value = f"rt.param({name!r}, {value}, {_shape(variable, dimensions)!r})"
        lines += [_comment(variable, initial=True), f"{identifiers[name]} = {value}"]
    return lines


def _step_lines(order: list[str], variables: dict[str, Variable],
                identifiers: dict[str, str], scope: Scope,
                limits: dict[str, str] | None = None) -> list[str]:
    lines = []
    for name in order:
        variable = variables[name]
        lines += [_comment(variable, initial=False),
                  f"{identifiers[name]} = {_value_text(variable, scope, initial=False)}"]
        if limits and name in limits:
            lines.append(limits[name])
    return lines


def _limit_lines(limits: dict[str, LimitedOutflow], step_order: list[str],
                 variables: dict[str, Variable], scope: Scope) -> dict[str, str]:
    """The statement limiting each outflow of a non-negative stock, by flow name; a flow
    counts as known when it is computed earlier in the step or never changes."""
    position = {name: i for i, name in enumerate(step_order)}
    lines = {}
    for name, limit in limits.items():
        if name not in position:
            continue
        stock = variables[limit.stock]

        def known(flow: str, here: int = position[name]) -> bool:
            return position.get(flow, -1) < here

        def aligned(flow: str, stock: Variable = stock) -> str:
            return _aligned_ref(variables[flow], stock, scope.identifiers)

        lines[name] = limit_statement(limit, scope.identifiers, known, aligned)
    return lines


def _stage_lines(lowered: LoweredModel, scope: Scope, dimensions: dict[str, Dimension],
                 states: dict[int, str]) -> list[str]:
    """What each state files at the end of a step; notes in ``scope`` the dimensions of
    what each one records (in index order: a state may record a read of an earlier one)."""
    lines = []
    for spec in lowered.states:
        element = None if spec.element is None else _element_context(
            spec.element, spec.dimensions, (), dimensions, spec.span)
        recorded = compile_expression(spec.recorded, scope.within(spec.dimensions, element))
        scope.recorded_dims[spec.index] = recorded.dims
        lines.append(f"{states[spec.index]}.stage({recorded.text})")
    return lines


def _literal(variable: Variable) -> float | None:
    from wholesystem.ir.expr import Number

    return variable.equation.value if isinstance(variable.equation, Number) else None


def _check_dimensions(variables: dict[str, Variable], dimensions: dict[str, Dimension]) -> None:
    for variable in variables.values():
        for dim in variable.dimensions:
            if dim not in dimensions:
                raise UnknownNameError(dim, variable.span,
                                       hint=f"'{variable.display}' uses an undeclared dimension")


def _identifiers(variables: dict[str, Variable]) -> dict[str, str]:
    taken: set[str] = set()
    result: dict[str, str] = {}
    for name, variable in variables.items():
        if _is_table_only(variable) and variable.rate is None:
            continue  # a table only ever called, never a value of its own
        base = "v_" + python_identifier(name.replace(".", "__").replace("#", "h_"))
        ident, suffix = base, 1
        while ident in taken:
            suffix += 1
            ident = f"{base}_{suffix}"
        taken.add(ident)
        result[name] = ident
    return result


def _tables(variables: dict[str, Variable]
            ) -> tuple[dict[tuple[str, tuple[str, ...] | None], str], list[str]]:
    tables: dict[tuple[str, tuple[str, ...] | None], str] = {}
    lines: list[str] = []

    def add(key: tuple[str, tuple[str, ...] | None], gf: GraphicalFunction) -> None:
        name = f"_table{len(tables)}"
        tables[key] = name
        lines.append(f"{name} = k.table({list(gf.xs)!r}, {list(gf.ys)!r}, {gf.kind.value!r})")
        lines.append(f"{name}_read = k.reader({name})")

    for name, variable in variables.items():
        if variable.graphical_function is not None:
            add((name, None), variable.graphical_function)
        for element in variable.elements:
            if element.graphical_function is not None:
                add((name, element.subscripts), element.graphical_function)
    return tables, lines


def _reads(variable: Variable, variables: dict[str, Variable],
           indices: frozenset[str] = frozenset()) -> set[str]:
    found: set[str] = set()
    for expr in equations_of(variable):
        found |= names_read(expr, variables, indices)
    if variable.name in found and variable.elements:
        # Lowering splits such variables element by element (wholesystem.ir.elements),
        # except those with graphical functions or ACTIVE INITIAL equations.
        raise UnsupportedFeatureError(
            f"elements of '{variable.display}' are defined from other elements of the same "
            "variable, and it also has a graphical function or ACTIVE INITIAL equations, "
            "which wholesystem does not support together yet", variable.span,
            hint="define the elements through a second variable")
    # A graphical function called by name is a table, not a value: no ordering needed.
    return {n for n in found if not _is_table_only(variables[n])}


def _is_table_only(variable: Variable) -> bool:
    """A lookup table that is only ever called (``f(x)``), with no value of its own."""
    if variable.equation is not None:
        return False
    if variable.elements:
        return all(e.graphical_function is not None and e.equation is None
                   for e in variable.elements)
    return variable.graphical_function is not None


def _aligned_ref(flow: Variable, stock: Variable, identifiers: dict[str, str]) -> str:
    _check_stock_dimensions(stock, flow.dimensions, f"its flow '{flow.display}'")
    return align(Code(identifiers[flow.name], flow.dimensions), stock.dimensions)


def _check_stock_dimensions(stock: Variable, dims: tuple[str, ...], what: str) -> None:
    extra = set(dims) - set(stock.dimensions)
    if extra:
        raise ModelStructureError(
            f"stock '{stock.display}': {what} varies over dimension(s) "
            f"{', '.join(sorted(extra))} that the stock does not have", stock.span,
            hint="give the stock the same dimensions, or sum the flow, e.g. SUM(x[*])")


def _net_flow(stock: Variable, variables: dict[str, Variable], scope: Scope) -> str:
    if stock.rate is None and any(e.rate is not None for e in stock.elements):
        return _element_rates(stock, scope)
    if stock.rate is not None:
        code = compile_expression(stock.rate, scope.within(stock.dimensions, None))
        _check_stock_dimensions(stock, code.dims, "its rate")
        return align(code, stock.dimensions)
    for flow in stock.inflows + stock.outflows:
        if flow not in variables:
            raise UnknownNameError(flow, stock.span,
                                   hint=f"stock '{stock.display}' names a flow that "
                                        "does not exist")
    inflows = [_aligned_ref(variables[f], stock, scope.identifiers)
               for f in stock.inflows if f in scope.identifiers]
    outflows = [_aligned_ref(variables[f], stock, scope.identifiers)
                for f in stock.outflows if f in scope.identifiers]
    text = " + ".join(inflows) if inflows else "0.0"
    for outflow in outflows:
        text += f" - {outflow}"
    return text


def _element_rates(stock: Variable, scope: Scope) -> str:
    """Net flows of a stock whose elements integrate different rates (Vensim's per-element
    ``INTEG``); an element without a rate stays constant."""
    dims = stock.dimensions
    parts = []
    for element in stock.elements:
        if element.rate is None:
            continue
        context = _element_context(element.subscripts, dims, element.bindings,
                                   scope.dimensions, element.span)
        code = compile_expression(element.rate, scope.within((), context))
        if code.dims:
            raise ModelStructureError(
                f"the rate of element [{', '.join(element.subscripts)}] of "
                f"'{stock.display}' is an array, not one value", element.span)
        index = tuple(scope.dimensions[d].position(e) for d, e in
                      zip(dims, element.subscripts, strict=True))
        parts.append(f"({index!r}, {code.text})")
    return f"k.assemble_or_zero({_shape(stock, scope.dimensions)!r}, [{', '.join(parts)}])"


def _shape(variable: Variable, dimensions: dict[str, Dimension]) -> tuple[int, ...]:
    return tuple(len(dimensions[d].elements) for d in variable.dimensions)


def _element_positions(element: tuple[str, ...], dims: tuple[str, ...],
                       variables: dict[str, Variable], dimensions: dict[str, Dimension],
                       span: SourceSpan) -> dict[str, int]:
    positions = {}
    for dim_name, element_name in zip(dims, element, strict=True):
        position = dimensions[dim_name].position(element_name)
        if position is None:
            raise UnknownNameError(element_name, span, hint=(
                f"not an element of dimension '{dimensions[dim_name].display}'"))
        positions[dim_name] = position
    return positions


def _element_context(subscripts: tuple[str, ...], dims: tuple[str, ...],
                     bindings: tuple[tuple[str, str], ...], dimensions: dict[str, Dimension],
                     span: SourceSpan) -> dict[str, str]:
    """What each dimension name means inside one element's equation: its own dimensions
    and the names its definition was written with (subranges), each bound to an element."""
    _element_positions(subscripts, dims, {}, dimensions, span)  # validates the elements
    context = dict(zip(dims, subscripts, strict=True))
    context.update(dict(bindings))
    for name, dimension in dimensions.items():
        if dimension.alias_of in context and name not in context:
            context[name] = context[dimension.alias_of]
    return context


def _value_text(variable: Variable, scope: Scope, initial: bool) -> str:
    """Source computing a variable's value (a stock's initial value when ``initial``)."""
    text = _raw_value_text(variable, scope, initial)
    if variable.kind is VariableKind.FLOW and variable.non_negative:
        return f"k.maximum({text}, 0.0)"  # a uniflow never runs backwards
    return text


def _raw_value_text(variable: Variable, scope: Scope, initial: bool) -> str:
    dims = variable.dimensions
    if variable.kind is VariableKind.STOCK and not initial:  # pragma: no cover
        raise ModelStructureError("stock values come from integration", variable.span)
    if variable.elements:
        return _elements_text(variable, scope)
    if variable.equation is None:
        raise ModelStructureError(
            f"'{variable.display}' has no equation", variable.span,
            hint="give it an equation, or connect it if it is a module input")
    code = compile_expression(variable.equation, scope.within(dims, None))
    if variable.graphical_function is not None and variable.kind is not VariableKind.STOCK:
        table = scope.tables[(variable.name, None)]
        # A table read at a plain float (Time) is a plain float too: no run axis yet.
        code = Code(f"{table}_read({code.text})", code.dims, code.scalar)
    extra = set(code.dims) - set(dims)
    if extra:
        raise ModelStructureError(
            f"the equation of '{variable.display}' varies over dimension(s) "
            f"{', '.join(sorted(extra))} that the variable does not have", variable.span,
            hint="sum or select over them, e.g. SUM(x[*])")
    if not dims:
        return f"k.as_runs({code.text}, 0)" if code.scalar else code.text
    if code.scalar or code.dims != dims:
        # every arrayed value holds all of its elements, so any subscript can index it
        return f"k.full_shape({align(code, dims)}, {_shape(variable, scope.dimensions)!r})"
    return code.text


def _elements_text(variable: Variable, scope: Scope) -> str:
    dims = variable.dimensions
    if not dims and len(variable.elements) == 1:
        return _element_value_text(variable, scope)
    dimensions = scope.dimensions
    shape = tuple(len(dimensions[d].elements) for d in dims)
    parts = []
    defined = set()
    for element in variable.elements:
        if len(element.subscripts) != len(dims):
            raise ModelStructureError(
                f"element [{', '.join(element.subscripts)}] of '{variable.display}' does not "
                f"match its {len(dims)} dimension(s)", element.span)
        positions = _element_positions(element.subscripts, dims, scope.variables, dimensions,
                                       element.span)
        equation = element.equation if element.equation is not None else variable.equation
        if equation is None:
            raise ModelStructureError(
                f"element [{', '.join(element.subscripts)}] of '{variable.display}' has no "
                "equation", element.span)
        context = _element_context(element.subscripts, dims, element.bindings, dimensions,
                                   element.span)
        code = compile_expression(equation, scope.within((), context))
        table = scope.tables.get((variable.name, element.subscripts))
        if table is None and variable.graphical_function is not None:
            table = scope.tables[(variable.name, None)]
        text = align(code, ()) if code.dims == () else None
        if text is None:
            raise ModelStructureError(
                f"the equation of element [{', '.join(element.subscripts)}] of "
                f"'{variable.display}' is an array, not one value", element.span)
        if table is not None:
            text = f"{table}_read({text})"
        index = tuple(positions[d] for d in dims)
        defined.add(index)
        parts.append(f"({index!r}, {text})")
    if len(defined) != _count(shape) and scope.dialect != "mdl":
        # Vensim lets a variable define only some elements (the others read as NaN here);
        # in XMILE every element of an arrayed variable needs an equation.
        raise ModelStructureError(
            f"'{variable.display}' defines {len(defined)} of its {_count(shape)} elements",
            variable.span, hint="define every element, or use one equation for all")
    return f"k.assemble({shape!r}, [{', '.join(parts)}])"


def _element_value_text(variable: Variable, scope: Scope) -> str:
    """One element of a variable split element by element (:mod:`wholesystem.ir.elements`):
    a scalar whose definition keeps the element's dimension names bound."""
    (element,) = variable.elements
    if element.equation is None:
        raise ModelStructureError(f"'{variable.display}' has no equation", element.span)
    context = _element_context((), (), element.bindings, scope.dimensions, element.span)
    code = compile_expression(element.equation, scope.within((), context))
    if code.dims:
        raise ModelStructureError(
            f"the equation of '{variable.display}' is an array, not one value", element.span)
    return f"k.as_runs({code.text}, 0)" if code.scalar else code.text


def _count(shape: tuple[int, ...]) -> int:
    total = 1
    for size in shape:
        total *= size
    return total


def _outputs(variables: dict[str, Variable], identifiers: dict[str, str],
             lowered: LoweredModel, dimensions: dict[str, Dimension], constants: set[str],
             include_hidden: bool = False) -> tuple[OutputVariable, ...]:
    result = []
    for name, variable in variables.items():
        if name not in identifiers:
            continue
        if not include_hidden and (name in lowered.hidden or name.startswith("#")
                                   or ".#" in name):
            # "#..." names are made by readers (macro expansions), also inside a module
            # instance ("inner.#name.1.total"): not the user's variables
            continue
        dims = [dimensions[d] for d in variable.dimensions]
        result.append(OutputVariable(
            name, variable.display, tuple(len(d.elements) for d in dims),
            tuple(d.elements for d in dims), variable.kind, name in constants))
    return tuple(result)




@dataclass(frozen=True, slots=True)
class EquationSources:
    """Each equation of a lowered model as NumPy source, to be evaluated on its own.

    Loop-dominance analysis re-evaluates one equation with some inputs at this step and
    others at the last; these are the same texts the simulation module runs."""

    tables: tuple[str, ...]
    """Module-level lines defining the graphical functions the texts call."""
    identifiers: dict[str, str]
    """Python identifier of each variable's value."""
    values: dict[str, str]
    """Auxiliaries and flows: source of the value, by canonical name."""
    net_flows: dict[str, str]
    """Stocks: source of the net flow, by canonical name."""
    reads: dict[str, frozenset[str]]
    """Variables each text reads, by canonical name."""


def equation_sources(lowered: LoweredModel) -> EquationSources:
    """The source of every auxiliary's and flow's value and every stock's net flow,
    written for the vector backend."""
    project = lowered.project
    variables = project.main.variable_map()
    dimensions = {d.name: d for d in project.dimensions}
    indices = index_names(project.dimensions)
    identifiers = _identifiers(variables)
    tables, table_lines = _tables(variables)
    states = {spec.index: f"_state{spec.index}" for spec in lowered.states}
    scope = Scope(variables, dimensions, identifiers, tables, states, dialect=project.format)
    _stage_lines(lowered, scope, dimensions, states)  # notes what each state records
    values: dict[str, str] = {}
    nets: dict[str, str] = {}
    reads: dict[str, frozenset[str]] = {}
    for name, variable in variables.items():
        if name not in identifiers:
            continue
        if variable.kind is VariableKind.STOCK:
            nets[name] = _net_flow(variable, variables, scope)
            found: set[str] = set(variable.inflows + variable.outflows)
            rates = [variable.rate] + [e.rate for e in variable.elements]
            for rate in rates:
                if rate is not None:
                    found |= names_read(rate, variables, indices)
        else:
            values[name] = _value_text(variable, scope, initial=False)
            found = _reads(variable, variables, indices)
        reads[name] = frozenset(n for n in found if n in identifiers)
    return EquationSources(tuple(table_lines), identifiers, values, nets, reads)
