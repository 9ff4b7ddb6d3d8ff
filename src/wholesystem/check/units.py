"""Units consistency: each equation's units inferred bottom-up and compared with what is declared.

A number has no units of its own and takes those its context needs, so ``2 * x`` and
``x + 1`` are never flagged. In a product a number may be a rate or a conversion factor, so
the product's units are unknown; only a literal ``1`` there is taken as dimensionless.
``+``, ``-``, comparisons and the branches of ``IF``, ``MIN`` and ``MAX`` need equal units;
``*``, ``/`` and ``^`` combine them. A stock's inflows and outflows need the stock's units
per time unit (``sim_specs time_units``). Anything whose units are unknown (not declared) is
skipped silently. Every finding is a warning (``unit-mismatch``; ``unit-syntax`` for a units
string that cannot be read).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction

from wholesystem.builtins import DIALECTS, UnitsRule, builtins_of, lookup_builtin
from wholesystem.check.codes import diagnose
from wholesystem.check.equations import has_table
from wholesystem.check.scope import ModelScope, ProjectScope
from wholesystem.check.unit_syntax import DIMENSIONLESS, UnitNames, Units, parse_units
from wholesystem.diagnostics import Diagnostic, SourceSpan
from wholesystem.errors import ModelSyntaxError
from wholesystem.ir.expr import (
    Binary,
    Call,
    Expr,
    IfThenElse,
    Number,
    Reference,
    Text,
    Unary,
    Wildcard,
    walk,
)
from wholesystem.ir.model import Variable, VariableKind

__all__ = ["check_units", "UnitInference", "FREE", "equation_start"]


class _Free:
    """The units of a bare number: whatever its context needs."""

    def __repr__(self) -> str:
        return "FREE"


FREE = _Free()
"""Inferred units of numbers (and expressions of numbers only)."""

Inferred = Units | _Free | None
"""Known units, :data:`FREE`, or None when unknown."""

_COMPARISONS = frozenset({"=", "<>", "<", "<=", ">", ">="})
def check_units(project: ProjectScope) -> Iterator[Diagnostic]:
    """Every units problem in every model of the project."""
    names = UnitNames.of(project.project.units)
    specs = project.project.sim_specs
    time = None
    if specs.time_units:
        try:
            time = parse_units(specs.time_units, names, specs.span)
        except ModelSyntaxError as err:
            yield diagnose("unit-syntax", f"time units: {err.message}", specs.span,
                           hint=err.hint)
    inferences = {name: UnitInference(scope, names, time)
                  for name, scope in project.models.items()}
    for inference in inferences.values():
        yield from inference.check_model()
        yield from _check_connections(inference, inferences)
        yield from inference.found


def _check_connections(outer: UnitInference, inferences: dict[str, UnitInference]
                       ) -> Iterator[Diagnostic]:
    """A module input wired from outside should have the units of what feeds it."""
    for module in outer.scope.model.modules:
        inner = inferences.get(module.model_name)
        if inner is None:
            continue
        for connection in module.connections:
            target = inner.scope.variables.get(connection.to)
            source = outer.scope.resolve(connection.source.lstrip("."))
            if target is None or source is None:
                continue  # reported by the structure checks
            wanted, given = inner.declared(target), outer.declared(source)
            if wanted is not None and given is not None and wanted != given:
                yield diagnose(
                    "unit-mismatch",
                    f"'{module.display}.{target.display}' is in {wanted} but is connected to "
                    f"'{source.display}', in {given}", connection.span,
                    hint="connect a variable with the same units, or convert it first",
                    variables=(target.display, source.display))


def equation_start(expr: Expr) -> SourceSpan | None:
    """Where an equation's text begins: the first position of any of its nodes."""
    spans = [n.span for n in walk(expr) if n.span.line > 0]
    return min(spans, key=lambda s: (s.line, s.column)) if spans else None


@dataclass
class UnitInference:
    """Units of the equations of one model (memoised), and the mismatches met on the way."""

    scope: ModelScope
    """The model."""
    names: UnitNames
    """How unit names match in this project."""
    time: Units | None
    """Units of time, when declared."""
    found: list[Diagnostic] = field(default_factory=list)
    """Warnings found inside equations (``a + b`` with different units...)."""
    _declared: dict[int, Units | None] = field(default_factory=dict)
    _inferred: dict[int, Inferred] = field(default_factory=dict)

    # -- declared units --------------------------------------------------------------
    def declared(self, variable: Variable) -> Units | None:
        """The variable's declared units, or None (an unreadable string is reported once)."""
        key = id(variable)
        if key not in self._declared:
            self._declared[key] = self._parse(variable)
        return self._declared[key]

    def _parse(self, variable: Variable) -> Units | None:
        if variable.units is None:
            return None
        try:
            return parse_units(variable.units, self.names, variable.span)
        except ModelSyntaxError as err:
            self.found.append(diagnose("unit-syntax", f"units of '{variable.display}': "
                                       f"{err.message}", variable.span, hint=err.hint))
            return None

    # -- checks ----------------------------------------------------------------------
    def check_model(self) -> Iterator[Diagnostic]:
        """Declared units against equations, and flows against their stocks."""
        for variable in self.scope.model.variables:
            yield from self._check_equations(variable)
            if variable.kind is VariableKind.STOCK:
                yield from self._check_flows(variable)

    def _check_equations(self, variable: Variable) -> Iterator[Diagnostic]:
        declared = self.declared(variable)
        equations = [variable.equation] + [e.equation for e in variable.elements]
        for equation in equations:
            if equation is None:
                continue
            inferred = self.infer(equation)
            if has_table(variable) and variable.kind is not VariableKind.STOCK:
                continue  # the equation is the table's input, not the variable's value
            if isinstance(inferred, Units) and declared is not None and inferred != declared:
                yield diagnose(
                    "unit-mismatch",
                    f"'{variable.display}' is declared in {declared} but its equation gives "
                    f"{inferred}", equation_start(equation) or variable.span,
                    hint="change the units or the equation", variables=(variable.display,))
        if variable.rate is not None:
            yield from self._check_rate(variable, variable.rate, declared)

    def _check_rate(self, stock: Variable, equation: Expr, declared: Units | None
                    ) -> Iterator[Diagnostic]:
        rate = self.infer(equation)
        if declared is None or self.time is None or not isinstance(rate, Units):
            return
        expected = declared / self.time
        if rate != expected:
            yield diagnose(
                "unit-mismatch", f"the net rate of stock '{stock.display}' gives {rate}, but "
                f"the stock needs {expected} (its units per time unit)",
                equation_start(equation) or stock.span,
                hint="change the units or the equation", variables=(stock.display,))

    def _check_flows(self, stock: Variable) -> Iterator[Diagnostic]:
        declared = self.declared(stock)
        if declared is None or self.time is None:
            return
        expected = declared / self.time
        for name in (*stock.inflows, *stock.outflows):
            flow = self.scope.variables.get(name)
            if flow is None or flow.kind is not VariableKind.FLOW:
                continue  # reported by the structure checks
            units = self.flow_units(flow)
            if units is not None and units != expected:
                yield diagnose(
                    "unit-mismatch",
                    f"flow '{flow.display}' has units {units}, but stock '{stock.display}' "
                    f"needs {expected} (its units per time unit)", flow.span,
                    hint=f"give '{flow.display}' units of {expected}",
                    variables=(flow.display, stock.display))

    def flow_units(self, flow: Variable) -> Units | None:
        """Declared units of a flow, else those its equation gives."""
        declared = self.declared(flow)
        if declared is not None:
            return declared
        if flow.equation is None or has_table(flow):
            return None
        inferred = self.infer(flow.equation)
        return inferred if isinstance(inferred, Units) else None

    # -- inference -------------------------------------------------------------------
    def infer(self, expr: Expr) -> Inferred:
        """The units an expression gives (memoised per tree, walked without recursion)."""
        key = id(expr)
        if key in self._inferred:
            return self._inferred[key]
        results: dict[int, Inferred] = {}
        stack: list[tuple[Expr, bool]] = [(expr, False)]
        while stack:
            node, ready = stack.pop()
            operands = self._operands(node)
            if not ready:
                stack.append((node, True))
                stack.extend((child, False) for child in operands)
            else:
                results[id(node)] = self._combine(node, [results[id(c)] for c in operands])
        self._inferred[key] = results[key]
        return results[key]

    def _operands(self, node: Expr) -> tuple[Expr, ...]:
        match node:
            case Binary(left=left, right=right):
                return (left, right)
            case Unary(operand=operand):
                return (operand,)
            case IfThenElse(condition=c, then=t, otherwise=o):
                return (c, t, o)
            case Call(args=args):
                if self._table(node) is None and node.function == "LOOKUP":
                    return args[1:]  # the table is named, not read
                return args
        return ()

    def _table(self, call: Call) -> Variable | None:
        variable = self.scope.resolve_function(call.function)
        return variable if variable is not None and has_table(variable) else None

    def _combine(self, node: Expr, values: list[Inferred]) -> Inferred:
        match node:
            case Number():
                return FREE
            case Wildcard() | Text():
                return None
            case Reference():
                return self._reference(node)
            case Unary(op=op):
                return FREE if op == "not" else values[0]
            case Binary():
                return self._binary(node, values)
            case IfThenElse():
                return self.same(values[1], values[2], node.span, "the branches of IF")
            case Call():
                return self._call(node, values)
        return None  # pragma: no cover - every node kind is matched above

    def _reference(self, ref: Reference) -> Inferred:
        variable = self.scope.resolve(ref.name)
        if variable is not None:
            return self.declared(variable)
        if self.scope.is_constant(ref.name):
            return self.time if ref.name in ("time", "dt", "starttime", "stoptime") else FREE
        return FREE if ref.name in self.scope.dimensions else None

    def _binary(self, node: Binary, values: list[Inferred]) -> Inferred:
        left, right = values
        op = node.op
        if op in ("+", "-"):
            return self.same(left, right, node.span, f"the two sides of '{op}'")
        if op in _COMPARISONS:
            self.same(left, right, node.span, f"the two sides of '{op}'")
            return FREE
        if op in ("and", "or"):
            return FREE
        if op in ("*", "/"):
            left, right = _unit_one(node.left, left), _unit_one(node.right, right)
            return _multiply(left, right if op == "*" else _reciprocal(right))
        if op == "mod":
            return self.same(left, right, node.span, "the two sides of MOD")
        return _power(left, right, node.right)

    def _call(self, call: Call, values: list[Inferred]) -> Inferred:
        table = self._table(call)
        if table is not None:
            return self.declared(table)
        builtin = lookup_builtin(call.function, self.scope.project.dialect)
        if builtin is None or not values:
            return FREE if builtin is not None else None
        rule = _CALL_RULES.get(builtin.name)
        return rule(self, call, values) if rule is not None else None

    def same(self, left: Inferred, right: Inferred, span: SourceSpan, what: str) -> Inferred:
        """The units two quantities share; a mismatch is recorded and gives None."""
        if left is FREE:
            return right
        if right is FREE:
            return left
        if left is None or right is None:
            return left if right is None else right
        if left != right:
            self.found.append(diagnose(
                "unit-mismatch", f"{what} have different units: {left} and {right}", span,
                hint="only quantities with the same units can be added, compared or chosen "
                     "between"))
            return None
        return left

    def per_time(self, value: Inferred) -> Inferred:
        return _multiply(value, _reciprocal(self.time))

    def times_time(self, value: Inferred) -> Inferred:
        return _multiply(value, self.time)


def _unit_one(node: Expr, value: Inferred) -> Inferred:
    """A literal 1 in a product or quotient is dimensionless (``1/delay`` is per time)."""
    return DIMENSIONLESS if isinstance(node, Number) and abs(node.value) == 1 else value


def _multiply(left: Inferred, right: Inferred) -> Inferred:
    """Product of units. A number may carry any units (``0.01`` people per day, ``7`` days
    per week), so a number times a dimensional value has unknown units, and a number times
    a dimensionless value is still just a number."""
    if left is None or right is None:
        return None
    if isinstance(left, _Free):
        return FREE if isinstance(right, _Free) or right.is_dimensionless else None
    if isinstance(right, _Free):
        return FREE if left.is_dimensionless else None
    return left * right


def _reciprocal(value: Inferred) -> Inferred:
    return value ** -1 if isinstance(value, Units) else value


def _power(base: Inferred, exponent: Inferred, exponent_node: Expr) -> Inferred:
    if base is None or isinstance(base, _Free):
        return base
    if isinstance(exponent_node, Number) and math.isfinite(exponent_node.value):
        return base ** Fraction(exponent_node.value).limit_denominator(1000)
    return DIMENSIONLESS if base.is_dimensionless else None


def _stateful(inference: UnitInference, call: Call, values: list[Inferred]) -> Inferred:
    builtin = lookup_builtin(call.function, inference.scope.project.dialect)
    reads = builtin.reads if builtin is not None else None
    position = reads.initial if reads is not None else None
    if position is None or position >= len(values):
        return values[0]
    return inference.same(values[0], values[position], call.span,
                           f"the input and initial value of {call.function}")


_Rule = Callable[["UnitInference", Call, list[Inferred]], Inferred]


def _min_max(inference: UnitInference, call: Call, values: list[Inferred]) -> Inferred:
    if len(values) < 2:
        return values[0]
    return inference.same(values[0], values[1], call.span,
                           f"the arguments of {call.function}")


def _if_then_else(inference: UnitInference, call: Call, values: list[Inferred]) -> Inferred:
    if len(values) < 3:
        return None
    return inference.same(values[1], values[2], call.span, "the branches of IF THEN ELSE")


def _safediv(inference: UnitInference, call: Call, values: list[Inferred]) -> Inferred:
    if len(values) < 2:
        return None
    quotient = _multiply(values[0], _reciprocal(values[1]))
    if len(values) > 2:
        return inference.same(quotient, values[2], call.span,
                              f"the quotient and fallback of {call.function}")
    return quotient


def _same_pair(first: int, second: int, what: str) -> _Rule:
    """Two arguments that need the same units, which the result has."""
    def rule(inference: UnitInference, call: Call, values: list[Inferred]) -> Inferred:
        if len(values) <= max(first, second):
            return None
        return inference.same(values[first], values[second], call.span,
                              f"the {what} of {call.function}")
    return rule


def _pulse(inference: UnitInference, call: Call, values: list[Inferred]) -> Inferred:
    if inference.scope.project.dialect == "mdl":
        return FREE  # Vensim's PULSE(start, width) is 1 or 0
    return inference.per_time(values[0])  # XMILE's PULSE(volume...) spreads volume over DT


def _lookup(inference: UnitInference, call: Call, values: list[Inferred]) -> Inferred:
    target = call.args[0] if call.args else None
    variable = inference.scope.resolve(target.name) if isinstance(target, Reference) else None
    return inference.declared(variable) if variable is not None else None


_REGISTRY_RULES: dict[UnitsRule, _Rule] = {
    UnitsRule.INPUT: lambda inf, call, values: values[0],
    UnitsRule.DIMENSIONLESS: lambda inf, call, values: DIMENSIONLESS,
    UnitsRule.FREE: lambda inf, call, values: FREE,
    UnitsRule.DELAYED: _stateful,
}
"""The rule of each registry :class:`UnitsRule` other than ``OWN``."""

_CALL_RULES: dict[str, _Rule] = {
    **{b.name: _REGISTRY_RULES[b.units] for d in DIALECTS for b in builtins_of(d).values()
       if b.units is not UnitsRule.OWN},
    "SQRT": lambda inf, call, values: _power(values[0], FREE, Number(0.5)),
    "POWER": lambda inf, call, values: _power(values[0], values[-1], call.args[-1]),
    "MOD": _same_pair(0, 1, "two arguments"),
    "MODULO": _same_pair(0, 1, "two arguments"),
    "QUANTUM": _same_pair(0, 1, "two arguments"),
    "SAMPLE IF TRUE": _same_pair(1, 2, "input and initial value"),
    "NORMAL": _same_pair(0, 1, "mean and standard deviation"),
    "LOGNORMAL": _same_pair(0, 1, "mean and standard deviation"),
    "RANDOM": _same_pair(0, 1, "minimum and maximum"),
    "INTEG": lambda inf, call, values: values[-1],
    "SAFEDIV": _safediv,
    "ZIDZ": _safediv,
    "XIDZ": _safediv,
    "IF THEN ELSE": _if_then_else,
    "MIN": _min_max,
    "MAX": _min_max,
    "PROD": lambda inf, call, values: None,
    "PULSE": _pulse,
    "RAMP": lambda inf, call, values: inf.times_time(values[0]),
    "TREND": lambda inf, call, values: _reciprocal(inf.time),
    "LOOKUP": _lookup,
}
"""Builtin name -> the units its result has, given its arguments' units."""
