"""Names, functions and subscripts in equations: each must mean something in its model.

Reports ``undefined-name``, ``unknown-function``, ``wrong-arity``, ``lookup-not-table``,
``table-used-as-value``, ``bad-subscript``, ``subscript-count`` and, for ``*:Dim``,
``undeclared-dimension``. Trees are walked with an explicit stack: converters write sums of
thousands of terms, deeper than Python's recursion limit.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass

from wholesystem.builtins import CONSTANTS, BuiltinKind, builtins_of, lookup_builtin
from wholesystem.check.codes import diagnose
from wholesystem.check.scope import ModelScope
from wholesystem.diagnostics import Diagnostic
from wholesystem.ir.expr import Call, Expr, Number, Reference, Wildcard, children
from wholesystem.ir.graph import is_table_only
from wholesystem.ir.model import Dimension, Variable

__all__ = ["check_equations", "equations_of", "has_table"]


@dataclass(frozen=True, slots=True)
class _Slot:
    """A subscript position of an arrayed variable: element names are allowed there."""

    dimension: str | None
    """Dimension of that axis, when known and declared."""


_TABLE = "table"
"""Role of LOOKUP's first argument: a graphical function named, not read."""

_Role = _Slot | str | None


def equations_of(variable: Variable) -> Iterator[Expr]:
    """Every equation of a variable: main, per-element and (Vensim stock) net rate."""
    if variable.equation is not None:
        yield variable.equation
    for element in variable.elements:
        if element.equation is not None:
            yield element.equation
    if variable.rate is not None:
        yield variable.rate


def has_table(variable: Variable) -> bool:
    """True when the variable (or one of its elements) has a graphical function."""
    return variable.graphical_function is not None or any(
        e.graphical_function is not None for e in variable.elements)


def check_equations(scope: ModelScope) -> Iterator[Diagnostic]:
    """Every problem with names, calls and subscripts in the model's equations."""
    for variable in scope.model.variables:
        for equation in equations_of(variable):
            yield from _check_expression(equation, scope)


def _check_expression(expr: Expr, scope: ModelScope) -> Iterator[Diagnostic]:
    stack: list[tuple[Expr, _Role]] = [(expr, None)]
    while stack:
        node, role = stack.pop()
        if isinstance(node, Reference):
            yield from _check_reference(node, role, scope, stack)
        elif isinstance(node, Call):
            yield from _check_call(node, scope, stack)
        elif isinstance(node, Wildcard):
            if node.dimension is not None and node.dimension not in scope.dimensions:
                yield diagnose("undeclared-dimension",
                               f"dimension '{node.dimension}' is not declared", node.span,
                               hint=_close_hint(node.dimension, {
                                   n: d.display for n, d in scope.dimensions.items()}))
        else:
            stack.extend((child, None) for child in reversed(children(node)))


def _check_reference(ref: Reference, role: _Role, scope: ModelScope,
                     stack: list[tuple[Expr, _Role]]) -> Iterator[Diagnostic]:
    if isinstance(role, _Slot) and not ref.subscripts:
        if ref.name in scope.dimensions or _element_anywhere(ref.name, role.dimension, scope):
            return
        if scope.resolve(ref.name) is None and not scope.is_constant(ref.name):
            yield _not_an_element(ref, role.dimension, scope)
            return
    variable = scope.resolve(ref.name)
    if variable is None:
        if not ref.subscripts and (scope.is_constant(ref.name) or ref.name in scope.dimensions):
            return
        yield _undefined(ref, scope)
        stack.extend((s, None) for s in reversed(ref.subscripts) if not isinstance(s, Wildcard))
        return
    if role != _TABLE and is_table_only(variable):
        yield diagnose(
            "table-used-as-value",
            f"'{variable.display}' is a graphical function without an input, used as a value",
            ref.span, hint=f"call it on an input: {ref.text}(x) or LOOKUP({ref.text}, x)")
    yield from _check_subscripts(ref, variable, scope, stack)


def _check_subscripts(ref: Reference, variable: Variable, scope: ModelScope,
                      stack: list[tuple[Expr, _Role]]) -> Iterator[Diagnostic]:
    dims = variable.dimensions
    subs = ref.subscripts
    if subs and not dims:
        yield diagnose("subscript-count",
                       f"'{variable.display}' is not an array but is subscripted", ref.span,
                       hint=f"write {ref.text} without [ ]")
    elif subs and len(subs) != len(dims):
        yield diagnose(
            "subscript-count",
            f"'{variable.display}' has {len(dims)} dimension(s) "
            f"({', '.join(_display(d, scope) for d in dims)}) but {len(subs)} subscript(s) "
            "are given", ref.span)
    for axis in range(len(subs) - 1, -1, -1):
        subscript = subs[axis]
        dim_name = dims[axis] if axis < len(dims) else None
        dimension = scope.dimensions.get(dim_name) if dim_name is not None else None
        if isinstance(subscript, Number):
            if dimension is not None and not _position_in(subscript.value, dimension):
                yield diagnose(
                    "bad-subscript",
                    f"subscript {subscript.value:g} is outside dimension "
                    f"'{dimension.display}' (1 to {len(dimension.elements)})", subscript.span)
        elif isinstance(subscript, Reference) and not subscript.subscripts:
            stack.append((subscript, _Slot(dim_name if dimension is not None else None)))
        else:
            stack.append((subscript, None))


def _display(dimension: str, scope: ModelScope) -> str:
    declared = scope.dimensions.get(dimension)
    return declared.display if declared is not None else dimension


def _position_in(value: float, dimension: Dimension) -> bool:
    return 1 <= value <= len(dimension.elements) and value == int(value)


def _check_call(call: Call, scope: ModelScope,
                stack: list[tuple[Expr, _Role]]) -> Iterator[Diagnostic]:
    table = scope.resolve_function(call.function)
    builtin = (lookup_builtin(call.function, scope.project.dialect)
               if not call.function.startswith("#") else None)
    args: list[tuple[Expr, _Role]] = [(a, None) for a in call.args]
    if table is not None and (has_table(table) or builtin is None):
        if not has_table(table):
            yield diagnose(
                "unknown-function",
                f"'{table.display}' is called like a function but has no graphical function",
                call.span, hint="only builtins and graphical functions can be called")
        elif len(call.args) != 1:
            yield diagnose("wrong-arity", f"graphical function '{table.display}' takes one "
                           f"input, got {len(call.args)}", call.span)
    elif builtin is not None:
        count = len(call.args)
        if not builtin.min_args <= count <= builtin.max_args:
            yield diagnose("wrong-arity",
                           f"{builtin.name} takes {builtin.arity} argument(s), got {count}",
                           call.span, hint=f"usage: {builtin.signature}")
        if builtin.kind is BuiltinKind.LOOKUP and call.args:
            yield from _check_lookup_table(call.args[0], scope)
            args[0] = (call.args[0], _TABLE)
    else:
        yield diagnose("unknown-function", f"unknown function '{call.function}'", call.span,
                       hint=_function_hint(call.function, scope))
    stack.extend(reversed(args))


def _check_lookup_table(target: Expr, scope: ModelScope) -> Iterator[Diagnostic]:
    variable = scope.resolve(target.name) if isinstance(target, Reference) else None
    if isinstance(target, Reference) and variable is None:
        return  # reported as an undefined name when the argument is walked
    if variable is None or not has_table(variable):
        what = f"'{variable.display}' has no graphical function" if variable else \
            "it is an expression"
        yield diagnose("lookup-not-table",
                       f"LOOKUP's first argument must name a graphical function; {what}",
                       getattr(target, "span", None))


def _element_anywhere(name: str, dimension: str | None, scope: ModelScope) -> bool:
    """An element of the slot's dimension; where that is unknown (a subscript too many, or
    an undeclared dimension, reported elsewhere), an element of any dimension."""
    if dimension is not None:
        return scope.project.element_of(dimension, name)
    return any(scope.project.element_of(d, name) for d in scope.dimensions)


def _not_an_element(ref: Reference, dimension: str | None, scope: ModelScope) -> Diagnostic:
    declared = scope.dimensions.get(dimension) if dimension is not None else None
    if declared is None:
        return _undefined(ref, scope)
    elements = dict(zip(declared.canonical_elements, declared.elements, strict=True))
    close = difflib.get_close_matches(ref.name, list(elements), n=1, cutoff=0.6)
    hint = (f"did you mean '{elements[close[0]]}'?" if close else
            f"its elements are: {', '.join(declared.elements)}")
    return diagnose("bad-subscript",
                    f"'{ref.text}' is not an element of dimension '{declared.display}'",
                    ref.span, hint=hint)


def _undefined(ref: Reference, scope: ModelScope) -> Diagnostic:
    return diagnose("undefined-name", f"'{ref.text}' is not defined", ref.span,
                    hint=_name_hint(ref, scope))


def _name_hint(ref: Reference, scope: ModelScope) -> str | None:
    name = ref.name
    owner = next((d for d in scope.dimensions.values()
                  if scope.project.element_of(d.name, name)), None)
    if owner is not None:
        return (f"'{ref.text}' is an element of dimension '{owner.display}'; element names "
                "mean something only as subscripts, inside [ ]")
    if "." in name:
        head = name.split(".", 1)[0]
        if head not in scope.modules:
            return f"there is no module '{head}' in this model"
        return f"module '{head}' has no variable '{name.split('.', 1)[1]}'"
    main = scope.project.main
    if scope is not main and name in main.variables:
        return (f"'{ref.text}' belongs to the main model; a module sees it only through a "
                "connection to one of its own inputs")
    candidates = {n: v.display for n, v in scope.variables.items()}
    candidates.update({n: n.upper() for n in CONSTANTS})
    return _close_hint(name, candidates)


def _function_hint(function: str, scope: ModelScope) -> str:
    tables = {n: v.display for n, v in scope.variables.items() if has_table(v)}
    names = {n: n for n in builtins_of(scope.project.dialect)}
    names |= {n.upper(): d for n, d in tables.items()}
    close = difflib.get_close_matches(function.upper(), list(names), n=1, cutoff=0.6)
    if close:
        return f"did you mean '{names[close[0]]}'?"
    return "see docs/functions.md for the supported functions"


def _close_hint(name: str, candidates: dict[str, str]) -> str | None:
    """``did you mean 'X'?`` for the closest of ``candidates`` (canonical -> display)."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.7)
    return f"did you mean '{candidates[close[0]]}'?" if close else None
