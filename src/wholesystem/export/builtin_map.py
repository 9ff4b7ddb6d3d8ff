"""Builtins carried between XMILE and Vensim, each to an expression that computes the same.

Names alone rarely carry over: ``SMOOTH`` is ``SMTH1`` but Vensim's ``STEP`` switches half a
time step earlier than XMILE's, Vensim's ``INTEGER`` truncates where XMILE's ``INT`` floors,
and Vensim's ``TREND`` divides by the absolute average. Every rule below writes what the
source's function computes (as the compiler's kernels and lowering define it) in the target's
words, using the plain form (``STEP(h, 5)``) where the arguments make it exact and a longer
expression otherwise. A call with no such expression raises :class:`NoEquivalent`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from wholesystem.builtins import lookup_builtin
from wholesystem.diagnostics import SourceSpan
from wholesystem.errors import UnsupportedFeatureError
from wholesystem.ir.expr import (
    Binary,
    Call,
    Expr,
    IfThenElse,
    Number,
    Reference,
    Unary,
    Wildcard,
    children,
    transform,
)
from wholesystem.ir.model import (
    ElementDefinition,
    GraphicalFunctionKind,
    Model,
    Project,
    Variable,
    VariableKind,
)
from wholesystem.ir.names import canonical_name

__all__ = ["NoEquivalent", "Translation", "Rule", "translate_equations",
           "vensim_to_xmile_call", "xmile_to_vensim_call", "XMILE_CONSTANTS",
           "VENSIM_CONSTANTS"]


class NoEquivalent(Exception):
    """A call (or name) the target language has no way to write."""

    def __init__(self, node: Expr, what: str):
        super().__init__(what)
        self.node = node
        self.what = what


@dataclass
class Translation:
    """What rules need to know while translating one model, and what they add to it."""

    project: Project
    """The project being translated."""
    model: Model
    """The model whose equations are being translated."""
    target: str
    """``xmile`` or ``mdl``."""
    new_variables: list[Variable] = field(default_factory=list)
    """Variables the rules add (copies of tables read another way)."""
    copies: dict[tuple[str, GraphicalFunctionKind], str] = field(default_factory=dict)
    """Table copies made so far: (table, kind) -> copy's canonical name."""
    variables: dict[str, Variable] = field(default_factory=dict)
    """The model's variables and the new ones, by canonical name."""
    tables: dict[str, Variable] = field(default_factory=dict)
    """Those holding graphical functions."""

    def __post_init__(self) -> None:
        for variable in self.model.variables:
            self.add(variable, new=False)

    def add(self, variable: Variable, new: bool = True) -> None:
        """Make ``variable`` known (and, when ``new``, part of the translated model)."""
        self.variables[variable.name] = variable
        if variable.graphical_function is not None or any(
                e.graphical_function is not None for e in variable.elements):
            self.tables[variable.name] = variable
        if new:
            self.new_variables.append(variable)

    def constant(self, expr: Expr) -> float | None:
        """The value of a number or of a scalar constant named without subscripts."""
        if isinstance(expr, Number):
            return expr.value
        if isinstance(expr, Reference) and not expr.subscripts:
            variable = self.variables.get(expr.name)
            if (variable is not None and not variable.dimensions
                    and isinstance(variable.equation, Number)
                    and variable.graphical_function is None):
                return variable.equation.value
        return None

    def is_static(self, expr: Expr, seen: frozenset[str] = frozenset()) -> bool:
        """True when ``expr`` cannot change during a run: numbers, arithmetic and pure
        functions of them, and variables defined that way (arrays too)."""
        if isinstance(expr, Number):
            return True
        if isinstance(expr, Reference):
            if not all(self.is_static(s, seen) for s in expr.subscripts):
                return False
            variable = self.variables.get(expr.name)
            if variable is None:  # a dimension or element used as a subscript
                return (self.project.dimension_named(expr.name) is not None
                        or any(expr.name in d.canonical_elements
                               for d in self.project.dimensions))
            if (expr.name in seen or variable.kind is not VariableKind.AUX
                    or variable.graphical_function is not None):
                return False
            equations = [variable.equation, *(e.equation for e in variable.elements)]
            return all(e is None or self.is_static(e, seen | {expr.name}) for e in equations)
        if isinstance(expr, Binary | Unary | IfThenElse):
            return all(self.is_static(c, seen) for c in children(expr))
        if isinstance(expr, Call) and _function_key(expr.function) in _PURE:
            return all(self.is_static(a, seen) for a in expr.args)
        return False

    def on_grid(self, expr: Expr) -> bool:
        """True when ``expr`` is a constant time on the DT grid (both dialects' time
        functions agree there)."""
        value = self.constant(expr)
        specs = self.project.sim_specs
        if value is None or not math.isfinite(value):
            return False
        steps = (value - specs.start) / specs.dt
        return abs(steps - round(steps)) < 1e-9


Rule = Callable[[Call, tuple[Expr, ...], Translation], Expr]


def translate_equations(project: Project, rule: Rule, target: str,
                        strict: bool = False) -> Project | None:
    """``project`` with every call rewritten by ``rule``; None when some call has no
    equivalent, or (``strict``) an :class:`UnsupportedFeatureError` naming it."""
    models = []
    for model in project.models:
        translation = Translation(project, model, target)
        variables = []
        for variable in model.variables:
            try:
                variables.append(_translate_variable(variable, rule, translation))
            except NoEquivalent as missing:
                if not strict:
                    return None
                span = getattr(missing.node, "span", None) or variable.span
                raise UnsupportedFeatureError(
                    f"'{variable.display}': {missing.what} has no equivalent in "
                    f"{'Vensim' if target == 'mdl' else 'XMILE'}", span) from None
        models.append(replace(model, variables=tuple(variables + translation.new_variables)))
    return replace(project, models=tuple(models))


def _translate_variable(variable: Variable, rule: Rule, t: Translation) -> Variable:
    def convert(expr: Expr | None) -> Expr | None:
        return None if expr is None else translate_expression(expr, rule, t)

    elements = tuple(replace(e, equation=convert(e.equation)) for e in variable.elements)
    return replace(variable, equation=convert(variable.equation), rate=convert(variable.rate),
                   elements=elements)


def translate_expression(expr: Expr, rule: Rule, t: Translation) -> Expr:
    """``expr`` with calls (arguments first) and builtin names translated."""
    constants = XMILE_CONSTANTS if t.target == "mdl" else VENSIM_CONSTANTS

    def rewrite(node: Expr) -> Expr | None:
        if isinstance(node, Call):
            args = tuple(translate_expression(a, rule, t) for a in node.args)
            return rule(node, args, t)
        if (isinstance(node, Reference) and not node.subscripts
                and node.name in constants and node.name not in t.variables):
            return constants[node.name](node)
        return None

    return transform(expr, rewrite)


_PURE = frozenset({"ABS", "SQRT", "EXP", "LN", "LOG", "LOG10", "SIN", "COS", "TAN", "ARCSIN",
                   "ARCCOS", "ARCTAN", "INT", "INTEGER", "ROUND", "MOD", "MODULO", "MIN",
                   "MAX", "SAFEDIV", "XIDZ", "ZIDZ", "POWER", "QUANTUM", "IF THEN ELSE"})
"""Functions whose value depends only on their arguments."""


# -- building blocks ------------------------------------------------------------------
def _function_key(function: str) -> str:
    """A called name as the registry keys it: upper-case, ``_`` as a space."""
    return " ".join(function.replace("_", " ").split()).upper()


def _renamed(function: str, source: str, target: str) -> str | None:
    """The ``target`` name of a ``source`` builtin that carries over by renaming alone."""
    builtin = lookup_builtin(function, source)
    return builtin.renamed_in(target) if builtin is not None else None


def _b(op: str, left: Expr, right: Expr, span: SourceSpan) -> Binary:
    return Binary(op, left, right, span)


def _n(value: float, span: SourceSpan) -> Number:
    return Number(float(value), span)


def _c(function: str, span: SourceSpan, *args: Expr) -> Call:
    return Call(function, args, span)


def _if(condition: Expr, then: Expr, otherwise: Expr, span: SourceSpan) -> IfThenElse:
    return IfThenElse(condition, then, otherwise, span)


def _time(target: str, span: SourceSpan) -> Reference:
    return Reference("time", "Time" if target == "mdl" else "TIME", (), span)


def _dt(target: str, span: SourceSpan) -> Reference:
    return (Reference("time step", "TIME STEP", (), span) if target == "mdl"
            else Reference("dt", "DT", (), span))


def _named(name: str, text: str) -> Callable[[Reference], Expr]:
    return lambda ref: Reference(name, text, (), ref.span)


def _value(value: float) -> Callable[[Reference], Expr]:
    return lambda ref: Number(value, ref.span)


def _no_literal(ref: Reference) -> Expr:
    raise NoEquivalent(ref, f"'{ref.text}' (infinity)")


XMILE_CONSTANTS: dict[str, Callable[[Reference], Expr]] = {
    "time": _named("time", "Time"),
    "dt": _named("time step", "TIME STEP"),
    "starttime": _named("initial time", "INITIAL TIME"),
    "stoptime": _named("final time", "FINAL TIME"),
    "pi": _value(math.pi),
    "e": _value(math.e),
    "nan": _value(math.nan),  # printed :NA:
    "inf": _no_literal,
}
"""XMILE's named constants written in Vensim."""

VENSIM_CONSTANTS: dict[str, Callable[[Reference], Expr]] = {
    "time step": _named("dt", "DT"),
    "initial time": _named("starttime", "STARTTIME"),
    "final time": _named("stoptime", "STOPTIME"),
    "time": _named("time", "TIME"),
}
"""Vensim's control variables written in XMILE (when the model does not define them)."""


# -- Vensim -> XMILE ------------------------------------------------------------------
def vensim_to_xmile_call(call: Call, args: tuple[Expr, ...], t: Translation) -> Expr:
    """A Vensim call in XMILE words (arguments already translated)."""
    span = call.span
    function = _function_key(call.function)
    if canonical_name(call.function) in t.tables:
        return Call(call.function, args, span)
    simple = _renamed(function, "mdl", "xmile")
    if simple is not None:
        return Call(simple, args, span)
    special = _VENSIM_RULES.get(function)
    if special is None:
        raise NoEquivalent(call, function)
    return special(call, args, t)


def _v_integer(x: Expr, span: SourceSpan) -> Expr:
    # truncation toward zero: -INT(-x) below zero, INT(x) from zero up
    return _if(_b("<", x, _n(0, span), span),
               Unary("-", _c("INT", span, Unary("-", x, span)), span),
               _c("INT", span, x), span)


def _v_step(call: Call, a: tuple[Expr, ...], t: Translation) -> Expr:
    height, start = a
    if t.on_grid(start):
        return _c("STEP", call.span, height, start)
    half = _b("+", _time("xmile", call.span), _b("/", _dt("xmile", call.span),
                                                 _n(2, call.span), call.span), call.span)
    return _if(_b(">", half, start, call.span), height, _n(0, call.span), call.span)


def _v_pulse(call: Call, a: tuple[Expr, ...], t: Translation) -> Expr:
    start, width = a
    s = call.span
    dt = _dt("xmile", s)
    half = _b("+", _time("xmile", s), _b("/", dt, _n(2, s), s), s)
    width_value = t.constant(width)
    if width_value is not None:
        width = width if width_value > 0 else dt
    else:
        width = _if(_b(">", width, _n(0, s), s), width, dt, s)
    inside = _b("and", _b(">", half, start, s), _b("<", half, _b("+", start, width, s), s), s)
    return _if(inside, _n(1, s), _n(0, s), s)


def _v_pulse_train(call: Call, a: tuple[Expr, ...], t: Translation) -> Expr:
    start, width, between, end = a
    s = call.span
    dt = _dt("xmile", s)
    half = _b("+", _time("xmile", s), _b("/", dt, _n(2, s), s), s)
    wide = _c("MAX", s, width, dt)
    since = _b("-", half, start, s)
    between_value = t.constant(between)
    if between_value is not None and between_value > 0:
        phase: Expr = _b("mod", since, between, s)
    elif between_value is not None:
        phase = since
    else:
        phase = _if(_b(">", between, _n(0, s), s), _b("mod", since, between, s), since, s)
    on = _b("or", _b("<", phase, wide, s), _b("<=", between, wide, s), s)
    until = _b("<=", _time("xmile", s), _b("+", end, _b("*", dt, _n(1e-6, s), s), s), s)
    return _if(_b("and", _b("and", _b(">", half, start, s), until, s), on, s),
               _n(1, s), _n(0, s), s)


def _v_trend(call: Call, a: tuple[Expr, ...], t: Translation) -> Expr:
    input_, time, initial_trend = a
    s = call.span

    def average() -> Expr:
        start = _b("/", input_, _b("+", _n(1, s), _b("*", initial_trend, time, s), s), s)
        return _c("SMTH1", s, input_, time, start)

    return _c("SAFEDIV", s, _b("-", input_, average(), s),
              _b("*", time, _c("ABS", s, average()), s))


def _v_table_read(kind: GraphicalFunctionKind) -> Rule:
    def rule(call: Call, a: tuple[Expr, ...], t: Translation) -> Expr:
        table, x = a
        if not isinstance(table, Reference) or table.name not in t.tables:
            raise NoEquivalent(call, call.function)
        return _c("LOOKUP", call.span, table_copy(table, kind, t), x)
    return rule


def table_copy(table: Reference, kind: GraphicalFunctionKind, t: Translation) -> Reference:
    """``table`` itself when it reads as ``kind``, else a copy of it that does (XMILE keeps
    the reading rule with the table, Vensim with the call)."""
    variable = t.tables[table.name]
    kinds = {g.kind for g in (variable.graphical_function,
                              *(e.graphical_function for e in variable.elements)) if g}
    if kinds == {kind}:
        return table
    key = (variable.name, kind)
    if key not in t.copies:
        from wholesystem.export.names import unique_name

        taken = set(t.variables)
        display = unique_name(f"{variable.display} {kind.value}", taken)
        copy = replace(
            variable, name=canonical_name(display), display=display, equation=None,
            graphical_function=(replace(variable.graphical_function, kind=kind)
                                if variable.graphical_function else None),
            elements=tuple(_element_kind(e, kind) for e in variable.elements),
            doc=f"'{variable.display}' read as {kind.value} (made by conversion).")
        t.add(copy)
        t.copies[key] = copy.name
    name = t.copies[key]
    return Reference(name, t.variables[name].display, table.subscripts, table.span)


def _element_kind(element: ElementDefinition, kind: GraphicalFunctionKind
                  ) -> ElementDefinition:
    table = element.graphical_function
    return replace(element, equation=None,
                   graphical_function=replace(table, kind=kind) if table else None)


def _varying_delay(call: Call) -> Expr:
    # Vensim's DELAY N reads the previous step's delay time for its outflow; XMILE's DELAYN
    # reads the current one: they agree only while the delay time is constant.
    raise NoEquivalent(call, f"{call.function} with a delay time that varies")


def _v_elmcount(call: Call, a: tuple[Expr, ...], t: Translation) -> Expr:
    target = a[0] if a else None
    dimension = (t.project.dimension_named(target.name)
                 if isinstance(target, Reference) else None)
    if dimension is None:
        raise NoEquivalent(call, "ELMCOUNT of something that is not a dimension")
    return _n(len(dimension.elements), call.span)


def _v_quantum(call: Call, a: tuple[Expr, ...], t: Translation) -> Expr:
    value, q = a
    s = call.span
    quantised = _b("*", q, _v_integer(_b("/", value, q, s), s), s)
    step = t.constant(q)
    if step is not None:
        return quantised if step > 0 else value
    return _if(_b(">", q, _n(0, s), s), quantised, value, s)


def _v_delay_fixed(call: Call, a: tuple[Expr, ...], t: Translation) -> Expr:
    input_, delay, initial = a
    s = call.span
    value = t.constant(delay)
    specs = t.project.sim_specs
    if value is not None and value >= specs.dt:
        fixed: Expr = delay
    else:
        fixed = _c("INIT", s, _c("MAX", s, delay, _dt("xmile", s)))
    return _c("DELAY", s, input_, fixed, initial)


_VENSIM_RULES: dict[str, Rule] = {
    "INTEGER": lambda c, a, t: _v_integer(a[0], c.span),
    # XMILE's grammar reads MOD only as an operator
    "MODULO": lambda c, a, t: _b("mod", a[0], a[1], c.span),
    "POWER": lambda c, a, t: _b("^", a[0], a[1], c.span),
    "LOG": lambda c, a, t: _b("/", _c("LN", c.span, a[0]), _c("LN", c.span, a[1]), c.span),
    "GAME": lambda c, a, t: a[0],
    "IF THEN ELSE": lambda c, a, t: _if(a[0], a[1], a[2], c.span),
    "TIME BASE": lambda c, a, t: _b("+", a[0], _b("*", _time("xmile", c.span), a[1], c.span),
                                    c.span),
    "STEP": _v_step,
    "PULSE": _v_pulse,
    "PULSE TRAIN": _v_pulse_train,
    "TREND": _v_trend,
    "QUANTUM": _v_quantum,
    "SMOOTH N": lambda c, a, t: _c("SMTHN", c.span, a[0], a[1], a[3], a[2]),
    "DELAY N": lambda c, a, t: _c("DELAYN", c.span, a[0], a[1], a[3], a[2])
    if t.is_static(a[1]) else _varying_delay(c),
    "DELAY FIXED": _v_delay_fixed,
    "ELMCOUNT": _v_elmcount,
    "LOOKUP EXTRAPOLATE": _v_table_read(GraphicalFunctionKind.EXTRAPOLATE),
    "LOOKUP BACKWARD": _v_table_read(GraphicalFunctionKind.DISCRETE),
}


# -- XMILE -> Vensim ------------------------------------------------------------------
def xmile_to_vensim_call(call: Call, args: tuple[Expr, ...], t: Translation) -> Expr:
    """An XMILE call in Vensim words (arguments already translated)."""
    function = _function_key(call.function)
    tables = t.tables
    if canonical_name(call.function) in tables:
        table = tables[canonical_name(call.function)]
        return _x_table_read(call, Reference(table.name, table.display, (), call.span),
                             args, t)
    rule = _XMILE_RULES.get(function)
    if rule is None:
        simple = _renamed(function, "xmile", "mdl")
        if simple is None:
            raise NoEquivalent(call, function)
        return Call(simple, args, call.span)
    return rule(call, args, t)


def _x_optional(function: str, with_initial: str, initial_at: int) -> Rule:
    """``F(a, b)`` -> ``function(a, b)``; ``F(a, b, init)`` -> ``with_initial(a, b, init)``."""
    def rule(call: Call, a: tuple[Expr, ...], t: Translation) -> Expr:
        if len(a) > initial_at:
            return Call(with_initial, a, call.span)
        return Call(function, a, call.span)
    return rule


def _x_nth_order(function: str) -> Rule:
    """``SMTHN(in, t, n [, init])`` -> ``SMOOTH N(in, t, init or in, n)`` (and DELAY N)."""
    def rule(call: Call, a: tuple[Expr, ...], t: Translation) -> Expr:
        if function == "DELAY N" and not t.is_static(a[1]):
            _varying_delay(call)
        initial = a[3] if len(a) > 3 else a[0]
        return Call(function, (a[0], a[1], initial, a[2]), call.span)
    return rule


def _x_int(call: Call, a: tuple[Expr, ...], t: Translation) -> Expr:
    s, x = call.span, a[0]
    if isinstance(x, Number):
        return _n(math.floor(x.value) if math.isfinite(x.value) else x.value, s)
    whole = _c("INTEGER", s, x)
    # floor: the truncation, one less where truncation went up (negative fractions)
    return _if(_b(">", whole, x, s), _b("-", whole, _n(1, s), s), whole, s)


def _x_round(call: Call, a: tuple[Expr, ...], t: Translation) -> Expr:
    s, x = call.span, a[0]
    return _if(_b("<", x, _n(0, s), s),
               Unary("-", _c("INTEGER", s, _b("-", _n(0.5, s), x, s)), s),
               _c("INTEGER", s, _b("+", x, _n(0.5, s), s)), s)


def _x_safediv(call: Call, a: tuple[Expr, ...], t: Translation) -> Expr:
    return Call("XIDZ" if len(a) > 2 else "ZIDZ", a, call.span)


def _x_step(call: Call, a: tuple[Expr, ...], t: Translation) -> Expr:
    height, start = a
    s = call.span
    if t.on_grid(start):
        return _c("STEP", s, height, start)
    return _if(_b(">=", _time("mdl", s), _b("-", start, _n(1e-12, s), s), s), height,
               _n(0, s), s)


def _x_ramp(call: Call, a: tuple[Expr, ...], t: Translation) -> Expr:
    if len(a) == 3:
        return Call("RAMP", a, call.span)
    return Call("RAMP", (*a, Reference("final time", "FINAL TIME", (), call.span)), call.span)


def _x_pulse(call: Call, a: tuple[Expr, ...], t: Translation) -> Expr:
    s = call.span
    volume = a[0]
    first = a[1] if len(a) > 1 else Reference("initial time", "INITIAL TIME", (), s)
    interval: Expr = a[2] if len(a) > 2 else _n(0, s)
    dt = _dt("mdl", s)
    height = _b("/", volume, dt, s)
    every = t.constant(interval)
    if t.on_grid(first) and (every is not None and (every <= 0 or t.on_grid(
            _n(t.project.sim_specs.start + every, s)))):
        # width TIME STEP: what width 0 means to Vensim, written out for other readers
        if every <= 0:
            return _b("*", height, _c("PULSE", s, first, dt), s)
        end = _b("+", Reference("final time", "FINAL TIME", (), s), dt, s)
        return _b("*", height, _c("PULSE TRAIN", s, first, dt, interval, end), s)
    # the kernel's own test, tolerance included (builtins.kernels.pulse)
    tolerance = _b("*", dt, _n(1e-6, s), s)
    since = _b("-", _time("mdl", s), first, s)
    started = _b(">=", since, Unary("-", tolerance, s), s)
    within = _b("<", since, _b("-", dt, tolerance, s), s)
    phase = _b("<", _b("mod", _b("+", since, tolerance, s), interval, s),
               _b("-", dt, tolerance, s), s)
    once = _if(_b("and", started, within, s), height, _n(0, s), s)
    repeated = _if(_b("and", started, phase, s), height, _n(0, s), s)
    if every is not None:
        return repeated if every > 0 else once
    return _if(_b(">", interval, _n(0, s), s), repeated, once, s)


def _x_trend_expression(input_: Expr, time: Expr, initial_trend: Expr, s: SourceSpan
                        ) -> Expr:
    def average() -> Expr:
        start = _b("/", input_, _b("+", _n(1, s), _b("*", initial_trend, time, s), s), s)
        return _c("SMOOTHI", s, input_, time, start)

    return _c("ZIDZ", s, _b("-", input_, average(), s), _b("*", average(), time, s))


def _x_trend(call: Call, a: tuple[Expr, ...], t: Translation) -> Expr:
    initial = a[2] if len(a) > 2 else _n(0, call.span)
    return _x_trend_expression(a[0], a[1], initial, call.span)


def _x_forecast(call: Call, a: tuple[Expr, ...], t: Translation) -> Expr:
    s = call.span
    if len(a) < 4 or t.constant(a[3]) == 0:
        return _c("FORECAST", s, a[0], a[1], a[2])
    trend = _x_trend_expression(a[0], a[1], a[3], s)
    return _b("*", a[0], _b("+", _n(1, s), _b("*", trend, a[2], s), s), s)


def _x_delay(call: Call, a: tuple[Expr, ...], t: Translation) -> Expr:
    initial = a[2] if len(a) > 2 else _c("INITIAL", call.span, a[0])
    delay = t.constant(a[1])
    # a constant delay of at least DT is what DELAY FIXED holds, and more tools read it
    fixed = delay is not None and delay >= t.project.sim_specs.dt
    function = "DELAY FIXED" if fixed else "DELAY INFORMATION"
    return _c(function, call.span, a[0], a[1], initial)


def _x_previous(call: Call, a: tuple[Expr, ...], t: Translation) -> Expr:
    s = call.span
    initial = a[1] if len(a) > 1 else _c("INITIAL", s, a[0])
    return _c("DELAY FIXED", s, a[0], _dt("mdl", s), initial)


def _x_min_max(vensim_vector: str, vensim_pair: str) -> Rule:
    def rule(call: Call, a: tuple[Expr, ...], t: Translation) -> Expr:
        return Call(vensim_vector if len(a) == 1 else vensim_pair, a, call.span)
    return rule


def _x_size(call: Call, a: tuple[Expr, ...], t: Translation) -> Expr:
    return _n(_element_count(call, a[0], t), call.span)


def _x_mean(call: Call, a: tuple[Expr, ...], t: Translation) -> Expr:
    s = call.span
    if len(a) == 1:
        return _b("/", _c("SUM", s, a[0]), _n(_element_count(call, a[0], t), s), s)
    total = a[0]
    for item in a[1:]:
        total = _b("+", total, item, s)
    return _b("/", total, _n(len(a), s), s)


def _element_count(call: Call, array: Expr, t: Translation) -> int:
    """Elements summed over by the ``*`` (or ``dim!``) subscripts of ``array``."""
    if not isinstance(array, Reference):
        raise NoEquivalent(call, f"{call.function} of an expression")
    variable = t.variables.get(array.name)
    if variable is None:
        raise NoEquivalent(call, f"{call.function} of an unknown array")
    count = 1
    subscripts = array.subscripts or tuple(Wildcard(d) for d in variable.dimensions)
    for position, subscript in enumerate(subscripts):
        if isinstance(subscript, Wildcard) and position < len(variable.dimensions):
            dimension = t.project.dimension_named(subscript.dimension
                                                  or variable.dimensions[position])
            count *= len(dimension.elements) if dimension else 1
    return count


def _x_lookup(call: Call, a: tuple[Expr, ...], t: Translation) -> Expr:
    table, x = a
    if not isinstance(table, Reference) or table.name not in t.tables:
        raise NoEquivalent(call, "LOOKUP of something that is not a graphical function")
    return _x_table_read(call, table, (x,), t)


def _x_table_read(call: Call, table: Reference, args: tuple[Expr, ...], t: Translation
                  ) -> Expr:
    """A graphical function read at x, with the call that reads it the same way."""
    if len(args) != 1:
        raise NoEquivalent(call, f"graphical function '{table.text}' with {len(args)} inputs")
    variable = t.tables[table.name]
    kinds = {g.kind for g in (variable.graphical_function,
                              *(e.graphical_function for e in variable.elements)) if g}
    if len(kinds) != 1:
        raise NoEquivalent(call, f"'{variable.display}' mixing graphical function types")
    kind = kinds.pop()
    reader = {GraphicalFunctionKind.CONTINUOUS: None,
              GraphicalFunctionKind.EXTRAPOLATE: "LOOKUP EXTRAPOLATE",
              GraphicalFunctionKind.DISCRETE: "LOOKUP BACKWARD"}[kind]
    reference = Reference(table.name, variable.display, table.subscripts, table.span)
    if reader is not None:
        return Call(reader, (reference, args[0]), call.span)
    if table.subscripts:  # printed as Vensim's table[element](x)
        return Call("LOOKUP", (reference, args[0]), call.span)
    return Call(variable.display, args, call.span)


_XMILE_RULES: dict[str, Rule] = {
    "SMTH1": _x_optional("SMOOTH", "SMOOTHI", 2),
    "SMTH3": _x_optional("SMOOTH3", "SMOOTH3I", 2),
    "SMTHN": _x_nth_order("SMOOTH N"),
    "DELAY1": _x_optional("DELAY1", "DELAY1I", 2),
    "DELAY3": _x_optional("DELAY3", "DELAY3I", 2),
    "DELAYN": _x_nth_order("DELAY N"),
    "DELAY": _x_delay,
    "PREVIOUS": _x_previous,
    "TREND": _x_trend,
    "FORECAST": _x_forecast,
    "SAFEDIV": _x_safediv,
    "INT": _x_int,
    "ROUND": _x_round,
    "LOG10": lambda c, a, t: _c("LOG", c.span, a[0], _n(10, c.span)),
    "IF THEN ELSE": lambda c, a, t: _if(a[0], a[1], a[2], c.span),
    "STEP": _x_step,
    "RAMP": _x_ramp,
    "PULSE": _x_pulse,
    "MIN": _x_min_max("VMIN", "MIN"),
    "MAX": _x_min_max("VMAX", "MAX"),
    "SIZE": _x_size,
    "MEAN": _x_mean,
    "LOOKUP": _x_lookup,
}
