"""Stateful builtins rewritten into hidden stocks, initial values and state objects.

After flattening, every ``SMTH1``, ``DELAY3``, ``TREND``... becomes ordinary stocks and
auxiliaries (named ``#smth1.3`` and so on, never shown in outputs), exactly the structure
the XMILE standard defines them by. ``INIT(x)`` becomes an initial-only auxiliary;
``DELAY`` (the pipeline delay) and ``PREVIOUS`` become state objects read during a step
and updated once the step is complete.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from wholesystem.builtins import Builtin, BuiltinKind, lookup_builtin
from wholesystem.builtins.registry import RANDOM_DRAWS, STATISTICAL_FUNCTIONS
from wholesystem.compiler.data import lower_external_data
from wholesystem.datafiles import limits_for
from wholesystem.diagnostics import SourceSpan
from wholesystem.errors import ArityError, ModelStructureError
from wholesystem.ir.elements import split_elements
from wholesystem.ir.expr import (
    Binary,
    Call,
    Expr,
    Number,
    Reference,
    Text,
    Unary,
    Wildcard,
    children,
    transform,
    walk,
)
from wholesystem.ir.model import ElementDefinition, Project, Variable, VariableKind

__all__ = ["StateKind", "StateSpec", "LoweredModel", "lower_project", "PIPELINE_READ",
           "PREVIOUS_READ", "STATE_READ"]

PIPELINE_READ = "#PIPELINE"
"""Internal function: ``#PIPELINE(delay, initial)`` reads pipeline state ``state_index``."""
PREVIOUS_READ = "#PREVIOUS"
"""Internal function: ``#PREVIOUS(initial)`` reads previous-value state ``state_index``."""
STATE_READ = "#STATE"
"""Internal function: ``#STATE(state_index, args...)`` is ``state.read(t, args...)``."""


class StateKind(enum.Enum):
    """Discrete state updated once per full time step."""

    PIPELINE = "pipeline"
    PREVIOUS = "previous"
    MATERIAL = "material"
    RANDOM = "random"
    CONVEYOR = "conveyor"


@dataclass(frozen=True, slots=True)
class StateSpec:
    """One discrete state: what to record at the end of each full step."""

    kind: StateKind
    """Pipeline delay or previous value."""
    index: int
    """Position in the run's state list (referenced by the reading call)."""
    recorded: Expr
    """Expression recorded at the end of each full step (the delayed input / x)."""
    dimensions: tuple[str, ...]
    """Dimensions of the host variable's equation (for array context)."""
    element: tuple[str, ...] | None
    """Element of the host when it sits in a per-element equation."""
    span: SourceSpan
    """Where the call is written."""
    seed: int | None = None
    """Random draws only: the seed written in the model (XMILE's optional last argument),
    which fixes the numbers in every run; None draws from the run's own stream."""
    options: tuple[object, ...] = ()
    """Conveyors only: ``(leak zones, exponential)``."""


@dataclass(frozen=True, slots=True)
class LoweredModel:
    """A flat project whose equations hold no stateful builtin calls."""

    project: Project
    """Flat project, hidden variables appended to the main model."""
    hidden: frozenset[str]
    """Names of variables made by lowering (not shown in outputs)."""
    initial_only: frozenset[str]
    """Variables computed once, at the start (INIT and defaults of DELAY/PREVIOUS)."""
    states: tuple[StateSpec, ...] = field(default=())
    """Pipeline delays and previous values, by index."""
    initial_variables: dict[str, Variable] = field(default_factory=dict)
    """Variables whose value while the model initialises comes from other equations
    (Vensim's ACTIVE INITIAL), as they are at that time, by name."""


class _Lowerer:
    """Collects the hidden variables and states made while rewriting one project."""

    def __init__(self, constants: dict[str, float], dialect: str, flat: Project):
        self.constants = constants
        self.start, self.dt = flat.sim_specs.start, flat.sim_specs.dt
        self.dialect = dialect
        self.limits = limits_for(flat.source.access)
        self.variables = flat.main.variable_map()
        self.dimensions = {d.name: d for d in flat.dimensions}
        self.new_variables: list[Variable] = []
        self.initial_only: set[str] = set()
        self.initial_variables: dict[str, Variable] = {}
        self.states: list[StateSpec] = []
        self.pipelines: dict[tuple[object, ...], int] = {}
        self.counter = 0

    def hidden_name(self, function: str) -> str:
        self.counter += 1
        return f"#{function.lower()}.{self.counter}"

    def lower_variable(self, variable: Variable) -> Variable:
        context = (variable.dimensions, None)
        equation = self.lower_expr(variable.equation, context)
        rate = self.lower_expr(variable.rate, context)
        elements = tuple(self.lower_element(variable, e) for e in variable.elements)
        lowered = replace(variable, equation=equation, rate=rate, elements=elements)
        if not any(_has_call(e, ACTIVE_INITIAL) for e in _equations(lowered)):
            return lowered
        self.initial_variables[variable.name] = _choose(lowered, 1)
        return _choose(lowered, 0)

    def lower_element(self, variable: Variable, element: ElementDefinition
                      ) -> ElementDefinition:
        equation = self.lower_bound(element.equation, variable, element)
        rate = self.lower_bound(element.rate, variable, element)
        return replace(element, equation=equation, rate=rate)

    def lower_bound(self, expr: Expr | None, variable: Variable, element: ElementDefinition
                    ) -> Expr | None:
        """One of an element's expressions lowered; once its dimension names are bound to
        the element, it needs no element context (hidden variables and states are
        scalars)."""
        bound = self.bind(expr, variable, element)
        context = ((), None if bound is not expr else element.subscripts)
        return self.lower_expr(bound, context)

    def bind(self, expr: Expr | None, variable: Variable, element: ElementDefinition
             ) -> Expr | None:
        """An element's equation with the dimension names it stands for replaced by its
        elements where they subscript something, when it calls stateful builtins (their
        hidden variables are scalars, outside the element's context)."""
        if expr is None or not any(
                isinstance(n, Call) and (b := lookup_builtin(n.function, self.dialect))
                is not None and b.kind is BuiltinKind.STATEFUL for n in walk(expr)):
            return expr
        bound = dict(zip(variable.dimensions, element.subscripts, strict=False))
        bound.update(dict(element.bindings))

        def rewrite(node: Expr) -> Expr | None:
            if isinstance(node, Reference) and node.subscripts:
                subscripts = tuple(
                    Reference(bound[s.name], bound[s.name], (), s.span)
                    if isinstance(s, Reference) and not s.subscripts and s.name in bound
                    else transform(s, rewrite) for s in node.subscripts)
                return replace(node, subscripts=subscripts)
            return None

        return transform(expr, rewrite)

    def lower_expr(self, expr: Expr | None,
                   context: tuple[tuple[str, ...], tuple[str, ...] | None]) -> Expr | None:
        if expr is None:
            return None

        def rewrite(node: Expr) -> Expr | None:
            if isinstance(node, Call):
                builtin = lookup_builtin(node.function, self.dialect)
                if builtin is not None and (builtin.kind is BuiltinKind.STATEFUL
                                            or builtin.name in REWRITTEN):
                    _check_arity(node, builtin)
                    args = tuple(self.lower_expr(a, context) for a in node.args)
                    return self.lower_call(builtin.name, args, node.span, context)  # type: ignore[arg-type]
            return None

        return transform(expr, rewrite)

    # -- helpers making hidden variables --------------------------------------------
    def aux(self, tag: str, equation: Expr, span: SourceSpan, dims: tuple[str, ...],
            initial_only: bool = False) -> Reference:
        name = self.hidden_name(tag)
        self.new_variables.append(Variable(name, name, VariableKind.AUX, equation, span, dims))
        if initial_only:
            self.initial_only.add(name)
        return Reference(name, name, (), span)

    def stock(self, tag: str, initial: Expr, rate_of: Callable[[Reference], Expr], span: SourceSpan,
              dims: tuple[str, ...]) -> Reference:
        name = self.hidden_name(tag)
        ref = Reference(name, name, (), span)
        self.new_variables.append(Variable(name, name, VariableKind.STOCK, initial, span,
                                           dims, rate=rate_of(ref)))
        return ref

    def lower_call(self, function: str, args: tuple[Expr, ...], span: SourceSpan,
                   context: tuple[tuple[str, ...], tuple[str, ...] | None]) -> Expr:
        dims = context[0]
        if self.dialect == "mdl":
            lowered = lower_vensim_call(self, function, args, span, context)
            if lowered is not None:
                return lowered
        if function == "INIT":
            return self.aux("init", args[0], span, dims, initial_only=True)
        if function in ("SMTH1", "SMTH3", "SMTHN"):
            order = {"SMTH1": 1, "SMTH3": 3}.get(function) or self.order(args[2], span)
            initial = self.written_initial(function, args)
            return self.smooth(args[0], args[1], order, initial, span, dims)
        if function in ("DELAY1", "DELAY3", "DELAYN"):
            order = {"DELAY1": 1, "DELAY3": 3}.get(function) or self.order(args[2], span)
            initial = self.written_initial(function, args)
            return self.material_delay(args[0], args[1], order, initial, span, dims)
        if function == "TREND":
            initial = args[2] if len(args) > 2 else Number(0.0, span)
            return self.trend(args[0], args[1], initial, span, dims)
        if function == "FORECAST":
            initial = args[3] if len(args) > 3 else Number(0.0, span)
            trend = self.trend(args[0], args[1], initial, span, dims)
            growth = Binary("+", Number(1.0, span), Binary("*", trend, args[2], span), span)
            return Binary("*", args[0], growth, span)
        if function == "DELAY":
            return self.pipeline(args, span, context)
        if function == "HISTORY":
            # x at an earlier time is x delayed by TIME - that time: the pipeline state
            ago = Binary("-", Reference("time", "TIME", (), span), args[1], span)
            return self.pipeline((args[0], ago), span, context)
        if function == "PREVIOUS":
            return self.previous(args, span, context)
        if function in STATISTICAL_FUNCTIONS:
            return self.statistical_draw(function, args, span, context)
        raise ModelStructureError(f"cannot lower {function}", span)  # pragma: no cover

    def written_initial(self, function: str, args: tuple[Expr, ...]) -> Expr | None:
        """The initial value a call writes, at its registry position (``reads.initial``)."""
        builtin = lookup_builtin(function, self.dialect)
        at = builtin.reads.initial if builtin is not None and builtin.reads else None
        return args[at] if at is not None and at < len(args) else None

    def order(self, expr: Expr, span: SourceSpan, what: str = "the order of a smooth or "
              "delay") -> int:
        value = self.constant(expr)
        if value is None or not 1 <= value < math.inf or value != int(value):
            raise ModelStructureError(
                f"{what} must be a whole number >= 1 known at the start", span,
                hint="write a number, or a constant holding one")
        # Each stage is a stock: a few characters could ask for a billion of them.
        self.limits.check("max_delay_order", value, what, span)
        return int(value)

    def seed(self, expr: Expr, function: str, span: SourceSpan) -> int:
        """The seed argument of a random draw: a whole number in [0, 2^32) known at the
        start (XMILE 1.0, 3.5.2)."""
        value = self.constant(expr)
        if value is None or not 0 <= value < 2**32 or value != int(value):
            raise ModelStructureError(
                f"the seed of {function} must be a whole number from 0 to 2^32 - 1 known at "
                "the start", span, hint="write a number, or a constant holding one")
        return int(value)

    def constant(self, expr: Expr, seen: frozenset[str] = frozenset()) -> float | None:
        """The value of ``expr`` at the start, when numbers, unsubscripted variables and
        arithmetic give it (STEP too, as Vensim reads it at INITIAL TIME); else None."""
        if isinstance(expr, Number):
            return expr.value
        if isinstance(expr, Reference) and not expr.subscripts:
            if expr.name in self.constants:
                return self.constants[expr.name]
            variable = self.variables.get(expr.name)
            if (variable is None or expr.name in seen or variable.dimensions
                    or variable.kind is not VariableKind.AUX or variable.equation is None):
                return None
            return self.constant(variable.equation, seen | {expr.name})
        if isinstance(expr, Unary) and expr.op in "+-":
            inner = self.constant(expr.operand, seen)
            return None if inner is None else (-inner if expr.op == "-" else inner)
        if isinstance(expr, Binary) and expr.op in _ARITHMETIC:
            left, right = self.constant(expr.left, seen), self.constant(expr.right, seen)
            if left is None or right is None or (expr.op == "/" and right == 0):
                return None
            return _ARITHMETIC[expr.op](left, right)
        if isinstance(expr, Call) and expr.function == "STEP" and len(expr.args) == 2:
            height, start = (self.constant(a, seen) for a in expr.args)
            if height is None or start is None:
                return None
            return height if self.start + self.dt / 2 > start else 0.0
        return None

    def safediv(self, a: Expr, b: Expr, span: SourceSpan) -> Expr:
        """``a / b``, or 0 where b is zero, in this dialect's words."""
        return Call("SAFEDIV" if self.dialect == "xmile" else "ZIDZ", (a, b), span)

    def smooth(self, input_: Expr, time: Expr, order: int, initial: Expr | None,
               span: SourceSpan, dims: tuple[str, ...]) -> Expr:
        stage_time = time if order == 1 else Binary("/", time, Number(float(order), span), span)
        upstream = input_
        start = initial if initial is not None else input_
        for _ in range(order):
            source = upstream
            upstream = self.stock("smooth", start, _smooth_rate(source, stage_time, span),
                                  span, dims)
        return upstream

    def material_delay(self, input_: Expr, delay: Expr, order: int, initial: Expr | None,
                       span: SourceSpan, dims: tuple[str, ...]) -> Expr:
        stage_time = delay if order == 1 else Binary("/", delay, Number(float(order), span),
                                                     span)
        per_stage = Binary("*", initial if initial is not None else input_, stage_time, span)
        inflow = input_
        for _ in range(order):
            source = inflow
            level = self.stock("delay", per_stage, _delay_rate(source, stage_time, span),
                               span, dims)
            inflow = Binary("/", level, stage_time, span)
        return inflow

    def trend(self, input_: Expr, time: Expr, initial_trend: Expr, span: SourceSpan,
              dims: tuple[str, ...]) -> Expr:
        start = Binary("/", input_, Binary("+", Number(1.0, span),
                                           Binary("*", initial_trend, time, span), span), span)
        average = self.smooth(input_, time, 1, start, span, dims)
        change = Binary("-", input_, average, span)
        return self.safediv(change, Binary("*", average, time, span), span)

    def pipeline(self, args: tuple[Expr, ...], span: SourceSpan,
                 context: tuple[tuple[str, ...], tuple[str, ...] | None]) -> Expr:
        input_, delay = args[0], args[1]
        initial = args[2] if len(args) > 2 else self.aux("init", input_, span, context[0],
                                                         initial_only=True)
        # Delays of the same input (a length-of-stay mixture reads one admissions flow at
        # dozens of lags) record the same history: they share one state, so each step
        # files that input once. Reads still take their own delay and initial value.
        key = (_structure(input_), context[0], context[1])
        index = self.pipelines.get(key, len(self.states))
        if index == len(self.states):
            self.pipelines[key] = index
            self.states.append(StateSpec(StateKind.PIPELINE, index, input_, context[0],
                                         context[1], span))
        return Call(PIPELINE_READ, (Number(float(index), span), delay, initial), span)

    def statistical_draw(self, function: str, args: tuple[Expr, ...], span: SourceSpan,
                         context: tuple[tuple[str, ...], tuple[str, ...] | None]) -> Expr:
        """An XMILE/Stella distribution call: its parameters, then Stella's optional seed,
        min, max and sample (each NaN where not written). A seed known at the start seeds
        the state itself; NAN means none; a seed computed from elements (one per element,
        ``Individual * 332``) is passed to the state, which reads it on its first draw."""
        count = STATISTICAL_FUNCTIONS[function]
        nan = Number(math.nan, span)
        extra = list(args[count:]) + [nan] * (4 - len(args[count:]))
        fixed = None
        value = self.constant(extra[0])
        if value is not None and not math.isnan(value):
            fixed = self.seed(extra[0], function, span)
        if value is not None:
            extra[0] = nan
        options = (extra[1], extra[2], extra[3], extra[0])
        return self.random_draw(function, args[:count] + options, span, context, fixed)

    def random_draw(self, function: str, params: tuple[Expr, ...], span: SourceSpan,
                    context: tuple[tuple[str, ...], tuple[str, ...] | None],
                    seed: int | None = None) -> Expr:
        """A random-number call (either language) as a read of a new random-draw state:
        ``#STATE(index, distribution code, params..., host dimensions...)``; the host's
        dimensions only widen the draw, one number per element."""
        index = len(self.states)
        self.states.append(StateSpec(StateKind.RANDOM, index, Number(0.0, span), context[0],
                                     context[1], span, seed))
        code = Number(float(RANDOM_DRAWS.index(function)), span)
        shape = tuple(Reference(d, d, (), span) for d in context[0])
        return Call(STATE_READ, (Number(float(index), span), code, *params, *shape), span)

    def previous(self, args: tuple[Expr, ...], span: SourceSpan,
                 context: tuple[tuple[str, ...], tuple[str, ...] | None]) -> Expr:
        initial = args[1] if len(args) > 1 else self.aux("init", args[0], span, context[0],
                                                         initial_only=True)
        index = len(self.states)
        self.states.append(StateSpec(StateKind.PREVIOUS, index, args[0], context[0],
                                     context[1], span))
        return Call(PREVIOUS_READ, (Number(float(index), span), initial), span)


def _structure(expr: Expr) -> tuple[object, ...]:
    """The expression without its spans: each node's kind, label and number of children,
    parents first (this order with the counts determines the tree)."""
    return tuple((type(node).__name__, _label(node), len(children(node)))
                 for node in walk(expr))


def _label(node: Expr) -> str | None:
    match node:
        case Number(value=value):
            return repr(value)
        case Text(value=text):
            return text
        case Reference(name=name):
            return name
        case Wildcard(dimension=dimension):
            return dimension
        case Call(function=function):
            return function
        case Binary(op=op) | Unary(op=op):
            return op
    return None


_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}


def _smooth_rate(source: Expr, stage_time: Expr, span: SourceSpan
                 ) -> Callable[[Reference], Expr]:
    """Net rate of one smoothing stock: the gap to its source over the stage time."""
    return lambda level: Binary("/", Binary("-", source, level, span), stage_time, span)


def _delay_rate(source: Expr, stage_time: Expr, span: SourceSpan
                ) -> Callable[[Reference], Expr]:
    """Net rate of one delay stock: its inflow less its outflow (level / stage time)."""
    return lambda level: Binary("-", source, Binary("/", level, stage_time, span), span)


def _check_arity(call: Call, builtin: Builtin) -> None:
    count = len(call.args)
    if not builtin.min_args <= count <= builtin.max_args:
        name = builtin.signature.split("(")[0]
        raise ArityError(f"{name} takes {builtin.arity} argument(s), got {count}; usage: "
                         f"{builtin.signature}", call.span)


def _equations(variable: Variable) -> list[Expr]:
    found = [variable.equation] if variable.equation is not None else []
    return found + [e.equation for e in variable.elements if e.equation is not None]


def _has_call(expr: Expr, function: str) -> bool:
    return any(isinstance(node, Call) and node.function == function for node in walk(expr))


def _choose(variable: Variable, which: int) -> Variable:
    """The variable with every ACTIVE INITIAL replaced by its active (0) or initial (1)
    part."""
    def pick(expr: Expr | None) -> Expr | None:
        if expr is None:
            return None
        return transform(expr, lambda node: pick(node.args[which])
                         if isinstance(node, Call) and node.function == ACTIVE_INITIAL
                         else None)

    return replace(variable, equation=pick(variable.equation), elements=tuple(
        replace(e, equation=pick(e.equation)) for e in variable.elements))


def lower_project(flat: Project) -> LoweredModel:
    """Rewrite the stateful calls of a flat project (see the module docstring)."""
    flat = lower_external_data(flat)  # GET XLS / GET DIRECT calls and data variables
    constants = {v.name: v.equation.value for v in flat.main.variables
                 if isinstance(v.equation, Number) and not v.dimensions}
    lowerer = _Lowerer(constants, flat.format, flat)
    variables = [lowerer.lower_variable(v) for v in flat.main.variables]
    # Hidden variables can hold further stateful calls only through their arguments,
    # which were lowered before the hidden variable was made.
    variables = lower_conveyors(variables, lowerer)
    main = replace(flat.main, variables=tuple(variables + lowerer.new_variables))
    # Last, once no stateful call is left in them: elements that read other elements of
    # their own variable are ordered element by element. An ACTIVE INITIAL variable is
    # kept whole, as its equations while initialising are kept apart from the variable.
    split = split_elements(replace(flat, models=(main,)),
                           keep=frozenset(lowerer.initial_variables))
    return LoweredModel(
        project=split.project,
        hidden=frozenset(v.name for v in lowerer.new_variables) | split.made,
        initial_only=frozenset(lowerer.initial_only) | split.initial,
        states=tuple(lowerer.states),
        initial_variables=lowerer.initial_variables,
    )


from wholesystem.compiler.conveyors import lower_conveyors  # noqa: E402 - uses the names above
from wholesystem.compiler.lower_vensim import (  # noqa: E402 - uses the names above
    ACTIVE_INITIAL,
    REWRITTEN,
    lower_vensim_call,
)
