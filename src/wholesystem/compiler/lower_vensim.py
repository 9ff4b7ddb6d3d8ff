"""Vensim's stateful and array builtins rewritten into hidden stocks, states and simpler calls.

Each rewrite follows the equations Vensim's reference manual gives for the function:
SMOOTH3 is three first-order smooths over a third of the time each, DELAY3I starts its
three stocks at ``initial * delay / 3``, NPV accumulates a discounted stream, SAMPLE IF
TRUE holds its previous value, and so on. ``lower_vensim_call`` returns None for names it
leaves to the shared lowering (DELAY1, DELAY3, FORECAST...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from wholesystem.builtins.vensim_functions import RANDOM_DISTRIBUTIONS
from wholesystem.diagnostics import SourceSpan
from wholesystem.errors import ModelStructureError, UnsupportedFeatureError
from wholesystem.ir.expr import (
    Binary,
    Call,
    Expr,
    IfThenElse,
    Number,
    Reference,
    Unary,
    Wildcard,
)
from wholesystem.ir.model import Variable, VariableKind

if TYPE_CHECKING:
    from wholesystem.compiler.lower import _Lowerer

__all__ = ["ACTIVE_INITIAL", "REWRITTEN", "lower_vensim_call"]

ACTIVE_INITIAL = "#ACTIVE INITIAL"
"""Internal marker ``#ACTIVE INITIAL(active, initial)``, split by the lowering into the
variable's equation (active) and its equation while initialising (initial)."""

REWRITTEN = frozenset({"ELMCOUNT", "VECTOR SELECT", "VECTOR ELM MAP", "ALLOCATE AVAILABLE",
                       "VECTOR LOOKUP", "RANDOM LOOKUP"})
"""Builtins that are not stateful but are still rewritten before code generation."""

Context = tuple[tuple[str, ...], tuple[str, ...] | None]
_Rule = Callable[["_Lowerer", tuple[Expr, ...], SourceSpan, Context], Expr]


def lower_vensim_call(lowerer: _Lowerer, function: str, args: tuple[Expr, ...],
                      span: SourceSpan, context: Context) -> Expr | None:
    """The rewrite of one Vensim call (arguments already lowered), or None."""
    if function in RANDOM_DISTRIBUTIONS:
        return _random(lowerer, function, args, span, context)
    rule = _RULES.get(function)
    return None if rule is None else rule(lowerer, args, span, context)


def _b(op: str, left: Expr, right: Expr, span: SourceSpan) -> Binary:
    return Binary(op, left, right, span)


def _time_step(span: SourceSpan) -> Reference:
    return Reference("dt", "TIME STEP", (), span)


# -- memory ---------------------------------------------------------------------------
def _integ(lw: _Lowerer, a: tuple[Expr, ...], span: SourceSpan, ctx: Context) -> Expr:
    return lw.stock("integ", a[1], lambda level: a[0], span, ctx[0])


def _initial(lw: _Lowerer, a: tuple[Expr, ...], span: SourceSpan, ctx: Context) -> Expr:
    return lw.aux("init", a[0], span, ctx[0], initial_only=True)


def _active_initial(lw: _Lowerer, a: tuple[Expr, ...], span: SourceSpan, ctx: Context
                    ) -> Expr:
    return Call(ACTIVE_INITIAL, (a[0], a[1]), span)


def _sample_if_true(lw: _Lowerer, a: tuple[Expr, ...], span: SourceSpan, ctx: Context
                    ) -> Expr:
    # value = IF condition THEN input ELSE the value one step before (initial at first)
    name = lw.hidden_name("sample")
    ref = Reference(name, name, (), span)
    # the held value has the host's axes from the start, whatever the initial value's
    initial = lw.aux("init", a[2], span, ctx[0], initial_only=True) if ctx[0] else a[2]
    before = lw.previous((ref, initial), span, ctx)
    lw.new_variables.append(Variable(name, name, VariableKind.AUX,
                                     IfThenElse(a[0], a[1], before, span), span, ctx[0]))
    return ref


# -- smooths and delays ---------------------------------------------------------------
def _smooth_rule(order: int | None, initial: int | None, order_at: int | None = None
                 ) -> _Rule:
    def rule(lw: _Lowerer, a: tuple[Expr, ...], span: SourceSpan, ctx: Context) -> Expr:
        n = order if order_at is None else lw.order(a[order_at], span)
        start = None if initial is None else a[initial]
        return lw.smooth(a[0], a[1], n or 1, start, span, ctx[0])
    return rule


def _delay_rule(order: int, initial: int) -> _Rule:
    def rule(lw: _Lowerer, a: tuple[Expr, ...], span: SourceSpan, ctx: Context) -> Expr:
        return lw.material_delay(a[0], a[1], order, a[initial], span, ctx[0])
    return rule


def _delay_n(lw: _Lowerer, a: tuple[Expr, ...], span: SourceSpan, ctx: Context) -> Expr:
    # Vensim's DELAY N is a discrete delay: its outflow (the last stage's) uses the delay
    # time of the previous time step (the current one at the start); stages inside use
    # the current one. The outflow is an auxiliary, so stocks read it as it was computed
    # during the step, before the step's values are filed as "previous".
    input_, delay, initial = a[0], a[1], a[2]
    order = lw.order(a[3], span)
    per = Number(float(order), span)
    stage = _b("/", delay, per, span)
    last = _b("/", lw.previous((delay, delay), span, ctx), per, span)
    inflow = input_
    outflow: list[Expr] = []
    for position in range(order):
        if position < order - 1:
            level = lw.stock("delay", _b("*", initial, stage, span),
                             _outflow_rate(inflow, stage, span), span, ctx[0])
            inflow = _b("/", level, stage, span)
            continue

        def rate(level: Reference, source: Expr = inflow) -> Expr:
            outflow.append(lw.aux("delay", _b("/", level, last, span), span, ctx[0]))
            return _b("-", source, outflow[0], span)

        lw.stock("delay", _b("*", initial, stage, span), rate, span, ctx[0])
    return outflow[0]


def _outflow_rate(inflow: Expr, time: Expr, span: SourceSpan) -> Callable[[Reference], Expr]:
    return lambda level: _b("-", inflow, _b("/", level, time, span), span)


def _delay_fixed(lw: _Lowerer, a: tuple[Expr, ...], span: SourceSpan, ctx: Context
                 ) -> Expr:
    # the delay time is read once, at the start, and is at least one time step
    fixed = lw.aux("delay", Call("MAX", (a[1], _time_step(span)), span), span, ctx[0],
                   initial_only=True)
    return lw.pipeline((a[0], fixed, a[2]), span, ctx)


def _delay_information(lw: _Lowerer, a: tuple[Expr, ...], span: SourceSpan, ctx: Context
                       ) -> Expr:
    return lw.pipeline(a, span, ctx)


def _delay_material(lw: _Lowerer, a: tuple[Expr, ...], span: SourceSpan, ctx: Context
                    ) -> Expr:
    from wholesystem.compiler.lower import STATE_READ, StateKind, StateSpec

    index = len(lw.states)
    lw.states.append(StateSpec(StateKind.MATERIAL, index, a[0], ctx[0], ctx[1], span))
    return Call(STATE_READ, (Number(float(index), span), a[1], a[2], a[3]), span)


def _trend(lw: _Lowerer, a: tuple[Expr, ...], span: SourceSpan, ctx: Context) -> Expr:
    input_, time, initial_trend = a
    start = _b("/", input_, _b("+", Number(1.0, span), _b("*", initial_trend, time, span),
                              span), span)
    average = lw.smooth(input_, time, 1, start, span, ctx[0])
    return lw.safediv(_b("-", input_, average, span),
                      _b("*", time, Call("ABS", (average,), span), span), span)


def _npv(lw: _Lowerer, a: tuple[Expr, ...], span: SourceSpan, ctx: Context) -> Expr:
    return _present_value(lw, a, span, ctx, end_of_period=False)


def _npve(lw: _Lowerer, a: tuple[Expr, ...], span: SourceSpan, ctx: Context) -> Expr:
    return _present_value(lw, a, span, ctx, end_of_period=True)


def _present_value(lw: _Lowerer, a: tuple[Expr, ...], span: SourceSpan, ctx: Context,
                   end_of_period: bool) -> Expr:
    """Vensim's NPV and NPVE, as their help pages write them: ``(NPV ACCUM + stream * TIME
    STEP * df) * factor``, ``NPV ACCUM = INTEG(stream * df, init val)``, ``df = INTEG(-df *
    discount rate / (1 + discount rate * TIME STEP), start)``; the discount ``df`` starts
    at 1 (NPV) or, valuing the stream at the end of each period as Excel does, at ``1 /
    (1 + discount rate * TIME STEP)`` (NPVE)."""
    stream, rate, initial, factor = a
    step = _time_step(span)
    start: Expr = Number(1.0, span)
    if end_of_period:
        start = _b("/", Number(1.0, span),
                   _b("+", Number(1.0, span), _b("*", rate, step, span), span), span)
    discount = lw.stock("npv", start, lambda df: _b(
        "/", Unary("-", _b("*", df, rate, span), span),
        _b("+", Number(1.0, span), _b("*", rate, step, span), span), span), span, ctx[0])
    accumulated = lw.stock("npv", initial, lambda level: _b("*", stream, discount, span),
                           span, ctx[0])
    current = _b("*", _b("*", stream, step, span), discount, span)
    return _b("*", _b("+", accumulated, current, span), factor, span)


# -- random numbers -------------------------------------------------------------------
def _random(lw: _Lowerer, function: str, a: tuple[Expr, ...], span: SourceSpan,
            ctx: Context) -> Expr:
    # the last argument is Vensim's stream number: each call has its own stream here
    return lw.random_draw(function, a[:-1], span, ctx)


def _random_lookup(lw: _Lowerer, a: tuple[Expr, ...], span: SourceSpan, ctx: Context
                   ) -> Expr:
    # the stream argument (ignored, as for every RANDOM function) becomes the uniform
    # draw of the call's own random state, which the table's inverse distribution maps
    uniform = lw.random_draw("RANDOM 0 1", (), span, ctx)
    return Call("RANDOM LOOKUP", (*a[:5], uniform), span)


# -- arrays ---------------------------------------------------------------------------
def _elmcount(lw: _Lowerer, a: tuple[Expr, ...], span: SourceSpan, ctx: Context) -> Expr:
    target = a[0]
    if not isinstance(target, Reference) or target.name not in lw.dimensions:
        raise ModelStructureError("ELMCOUNT needs the name of a dimension", span)
    return Number(float(len(lw.dimensions[target.name].elements)), span)


_SELECT_ACTIONS: dict[int, tuple[str, str, str]] = {
    # action: (reduction, what is combined, neutral value where nothing is selected)
    0: ("SUM", "weighted", "0"), 1: ("PROD", "weighted", "1"), 2: ("VMIN", "weighted", "inf"),
    3: ("VMAX", "weighted", "-inf"), 4: ("SUM", "weighted", "mean"),
    5: ("PROD", "power", "1"), 6: ("SUM", "plain", "0"), 7: ("PROD", "plain", "1"),
    8: ("VMIN", "plain", "inf"), 9: ("VMAX", "plain", "-inf"), 10: ("SUM", "plain", "mean"),
}


def _vector_select(lw: _Lowerer, a: tuple[Expr, ...], span: SourceSpan, ctx: Context
                   ) -> Expr:
    selection, values, missing, action = a[0], a[1], a[2], lw.constant(a[3])
    if action is None or int(action) not in _SELECT_ACTIONS:
        raise ModelStructureError("VECTOR SELECT's numerical action must be a constant "
                                  "from 0 to 10", span)
    reduction, combined, neutral = _SELECT_ACTIONS[int(action)]
    chosen = _b("<>", selection, Number(0.0, span), span)
    item = {"weighted": _b("*", selection, values, span),
            "power": _b("^", selection, values, span), "plain": values}[combined]
    if neutral in ("inf", "-inf"):
        fill: Expr = Reference("inf", "INF", (), span)
        fill = fill if neutral == "inf" else Unary("-", fill, span)
    else:
        fill = Number(0.0 if neutral in ("0", "mean") else 1.0, span)
    total: Expr = Call(reduction, (IfThenElse(chosen, item, fill, span),), span)
    count = Call("SUM", (IfThenElse(chosen, Number(1.0, span), Number(0.0, span), span),),
                 span)
    if neutral == "mean":
        total = lw.safediv(total, count, span)
    return IfThenElse(_b("=", count, Number(0.0, span), span), missing, total, span)


def _vector_elm_map(lw: _Lowerer, a: tuple[Expr, ...], span: SourceSpan, ctx: Context
                    ) -> Expr:
    vector, offset = a
    variable = lw.variables.get(vector.name) if isinstance(vector, Reference) else None
    if variable is None or not variable.dimensions or not isinstance(vector, Reference):
        raise ModelStructureError("VECTOR ELM MAP's first argument must be an element of "
                                  "an arrayed variable, e.g. x[first]", span)
    subscripts = vector.subscripts or tuple(
        Reference(d, d, (), span) for d in variable.dimensions)
    base: Expr = offset
    stride = 1
    for dim_name, subscript in reversed(tuple(zip(variable.dimensions, subscripts,
                                                  strict=True))):
        position = _position(lw, dim_name, subscript, span)
        base = _b("+", base, _b("*", position, Number(float(stride), span), span), span)
        stride *= len(lw.dimensions[dim_name].elements)
    whole = Reference(vector.name, vector.text, tuple(
        Wildcard(None, span) for _ in variable.dimensions), span)
    return Call("VECTOR ELM MAP", (whole, base), span)


def _position(lw: _Lowerer, dim_name: str, subscript: Expr, span: SourceSpan) -> Expr:
    """0-based position selected by one subscript (an expression for a dimension name)."""
    if isinstance(subscript, Number):
        return Number(subscript.value - 1, span)
    if isinstance(subscript, Reference) and not subscript.subscripts:
        if subscript.name in lw.dimensions:
            return _b("-", subscript, Number(1.0, span), span)
        position = lw.dimensions[dim_name].position(subscript.name)
        if position is not None:
            return Number(float(position), span)
    raise ModelStructureError("VECTOR ELM MAP's first argument takes element or dimension "
                              "names as subscripts", span)


def _whole_last_axis(lw: _Lowerer, expr: Expr, span: SourceSpan) -> Expr:
    """``x[..., first]`` as ``x[..., *]``: Vensim names a vector by its first element
    where a function reads the whole last subscript (a priority profile, a VECTOR
    LOOKUP's y values)."""
    variable = lw.variables.get(expr.name) if isinstance(expr, Reference) else None
    if (isinstance(expr, Reference) and variable is not None and expr.subscripts
            and len(expr.subscripts) == len(variable.dimensions)):
        last = expr.subscripts[-1]
        if isinstance(last, Reference) and last.name not in lw.dimensions:
            return Reference(expr.name, expr.text,
                             expr.subscripts[:-1] + (Wildcard(None, span),), expr.span)
    return expr


def _allocate_available(lw: _Lowerer, a: tuple[Expr, ...], span: SourceSpan, ctx: Context
                        ) -> Expr:
    # Vensim passes the profile as priority[..., ptype]: the function reads the whole
    # profile (ptype, ppriority, pwidth, pextra), so the last subscript becomes the axis
    profile = _whole_last_axis(lw, a[1], span)
    _refuse_constant_elasticity(lw, profile, span)
    return Call("ALLOCATE AVAILABLE", (a[0], profile, a[2]), span)


def _refuse_constant_elasticity(lw: _Lowerer, profile: Expr, span: SourceSpan) -> None:
    """Vensim's manual names a truncated constant elasticity profile (ptype 5) but the
    curve's definition could not be read from it, so a profile written with ptype 5 is
    refused here, where it is written; a computed ptype of 5 still gives NaN."""
    variable = lw.variables.get(profile.name) if isinstance(profile, Reference) else None
    if variable is None or not variable.dimensions:
        return
    ptype = lw.dimensions[variable.dimensions[-1]].canonical_elements[0]
    for element in variable.elements:
        value = lw.constant(element.equation) if element.equation is not None else None
        if element.subscripts[-1] == ptype and value is not None and int(value) % 10 == 5:
            raise UnsupportedFeatureError(
                f"ALLOCATE AVAILABLE: the priority profile '{variable.display}"
                f"[{', '.join(element.subscripts)}]' has ptype {value:g}, the constant "
                "elasticity curve, which wholesystem does not support (types 0 to 4 are)",
                element.span if element.span.line else span)


def _vector_lookup(lw: _Lowerer, a: tuple[Expr, ...], span: SourceSpan, ctx: Context
                   ) -> Expr:
    # "This function should always be called with the first element of vec": the y
    # values are the whole last subscript of vec
    vec = _whole_last_axis(lw, a[0], span)
    variable = lw.variables.get(vec.name) if isinstance(vec, Reference) else None
    if variable is None or not variable.dimensions:
        raise ModelStructureError("VECTOR LOOKUP's first argument must be the first "
                                  "element of an arrayed variable, e.g. y[first]", span)
    return Call("VECTOR LOOKUP", (vec, *a[1:]), span)


_RULES: dict[str, _Rule] = {
    "INTEG": _integ,
    "INITIAL": _initial,
    "REINITIAL": _initial,
    "ACTIVE INITIAL": _active_initial,
    "SAMPLE IF TRUE": _sample_if_true,
    "SMOOTH": _smooth_rule(1, None),
    "SMOOTHI": _smooth_rule(1, 2),
    "SMOOTH3": _smooth_rule(3, None),
    "SMOOTH3I": _smooth_rule(3, 2),
    "SMOOTH N": _smooth_rule(None, 2, order_at=3),
    "DELAY1I": _delay_rule(1, 2),
    "DELAY3I": _delay_rule(3, 2),
    "DELAY N": _delay_n,
    "DELAY FIXED": _delay_fixed,
    "DELAY INFORMATION": _delay_information,
    "DELAY MATERIAL": _delay_material,
    "TREND": _trend,
    "NPV": _npv,
    "NPVE": _npve,
    "ELMCOUNT": _elmcount,
    "VECTOR SELECT": _vector_select,
    "VECTOR ELM MAP": _vector_elm_map,
    "ALLOCATE AVAILABLE": _allocate_available,
    "VECTOR LOOKUP": _vector_lookup,
    "RANDOM LOOKUP": _random_lookup,
}
"""Rewrite of each Vensim builtin, by name."""
