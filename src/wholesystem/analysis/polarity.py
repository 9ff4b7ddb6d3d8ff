"""The sign of a causal link read from the equation: the sign of a partial derivative.

``structural_sign(expr, name, facts)`` is +1 when ``expr`` rises with ``name`` whatever the
other inputs are, -1 when it falls, 0 when it does not depend on ``name``, and None when the
expression alone cannot say (a product with a factor of unknown sign, a non-monotone
table, the input inside a condition). The caller then estimates the sign along a run.

>>> from wholesystem.parse.expr import EquationOrigin, parse_xmile_expression
>>> def parse(text): return parse_xmile_expression(text, EquationOrigin("example"))
>>> facts = SignFacts(values={"k": 1})
>>> structural_sign(parse("k * (a - b)"), "b", facts)
-1
>>> structural_sign(parse("a * c"), "a", facts) is None
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from wholesystem.ir.expr import Binary, Call, Expr, IfThenElse, Number, Reference, Unary
from wholesystem.ir.graph import function_name
from wholesystem.ir.model import GraphicalFunction

__all__ = ["SignFacts", "structural_sign", "value_sign", "table_sign"]

Sign = int | None

_INCREASING = frozenset({"EXP", "LN", "LOG10", "SQRT", "ARCTAN", "TANH", "INT", "INTEGER",
                         "MIN", "MAX", "SUM", "MEAN", "ROUND", "CEILING", "FLOOR", "EXPRND"})
"""Functions non-decreasing in every argument."""
_DIVISIONS = frozenset({"SAFEDIV", "ZIDZ", "XIDZ"})
"""Division that returns a fallback for a zero divisor: monotone like ``a / b`` elsewhere."""


@dataclass(frozen=True)
class SignFacts:
    """What is known about the sign of values before any run."""

    values: Mapping[str, int] = field(default_factory=dict)
    """Variables of known sign (+1 non-negative, -1 non-positive), by canonical name."""
    tables: Mapping[str, GraphicalFunction] = field(default_factory=dict)
    """Graphical functions by canonical variable name (called as ``f(x)`` or applied)."""
    numbers: Mapping[str, float] = field(default_factory=dict)
    """Constants with their values, by canonical name."""


def table_sign(table: GraphicalFunction) -> Sign:
    """+1 for a non-decreasing table, -1 for a non-increasing one, 0 for a flat one."""
    steps = [b - a for a, b in zip(table.ys, table.ys[1:], strict=False)]
    if all(s == 0 for s in steps):
        return 0
    if all(s >= 0 for s in steps):
        return 1
    if all(s <= 0 for s in steps):
        return -1
    return None


def _times(a: Sign, b: Sign) -> Sign:
    if a == 0 or b == 0:
        return 0
    return None if a is None or b is None else a * b


def _plus(a: Sign, b: Sign) -> Sign:
    if a == 0:
        return b
    if b == 0:
        return a
    return a if a == b else None


def value_sign(expr: Expr, facts: SignFacts) -> Sign:
    """The sign of the value itself, when the expression guarantees one (0 for zero)."""
    constant = _constant(expr, facts.numbers)
    if constant is not None:
        return 0 if constant == 0 else (1 if constant > 0 else -1)
    match expr:
        case Number(value=value):
            return 0 if value == 0 else (1 if value > 0 else -1)
        case Reference(name=name):
            return facts.values.get(name)
        case Unary(op="-", operand=operand):
            inner = value_sign(operand, facts)
            return None if inner is None else -inner
        case Binary(op="+", left=left, right=right):
            return _plus(value_sign(left, facts), value_sign(right, facts))
        case Binary(op="*" | "/", left=left, right=right):
            return _times(value_sign(left, facts), value_sign(right, facts))
        case Call(function="EXP"):
            return 1
        case Call(function="ABS" | "SQRT"):
            return 1
    return None


def _constant(expr: Expr, numbers: Mapping[str, float]) -> float | None:
    """The value of an expression of numbers and constants, or None."""
    match expr:
        case Number(value=value):
            return value
        case Reference(name=name, subscripts=()):
            return numbers.get(name)
        case Unary(op="-", operand=operand):
            inner = _constant(operand, numbers)
            return None if inner is None else -inner
        case Binary(op="+" | "-" | "*" | "/" as op, left=left, right=right):
            a, b = _constant(left, numbers), _constant(right, numbers)
            if a is None or b is None or (op == "/" and b == 0):
                return None
            return {"+": a + b, "-": a - b, "*": a * b}.get(op, a / b if b else 0.0)
    return None


def structural_sign(expr: Expr, name: str, facts: SignFacts) -> Sign:
    """Sign of d(expr)/d(name) that holds for any values of the other inputs, or None."""
    return _sign(expr, name, facts)


def _depends(expr: Expr, name: str) -> bool:
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Reference) and node.name == name:
            return True
        match node:
            case Reference(subscripts=s) | Call(args=s):
                stack.extend(s)
            case Binary(left=a, right=b):
                stack.extend((a, b))
            case Unary(operand=a):
                stack.append(a)
            case IfThenElse(condition=c, then=a, otherwise=b):
                stack.extend((c, a, b))
    return False


def _sign(expr: Expr, name: str, facts: SignFacts) -> Sign:
    if not _depends(expr, name):
        return 0
    match expr:
        case Reference(name=ref) if ref == name:
            return 1
        case Unary(op="-", operand=operand):
            inner = _sign(operand, name, facts)
            return None if inner is None else -inner
        case Unary(op="+", operand=operand):
            return _sign(operand, name, facts)
        case Binary():
            return _binary_sign(expr, name, facts)
        case IfThenElse(condition=c, then=a, otherwise=b):
            if _depends(c, name):
                return None  # the input switches branches: no single sign
            return _plus(_sign(a, name, facts), _sign(b, name, facts))
        case Call():
            return _call_sign(expr, name, facts)
    return None


def _binary_sign(expr: Binary, name: str, facts: SignFacts) -> Sign:
    a, b = expr.left, expr.right
    da, db = _sign(a, name, facts), _sign(b, name, facts)
    match expr.op:
        case "+":
            return _plus(da, db)
        case "-":
            return _plus(da, None if db is None else -db)
        case "*":
            return _plus(_times(da, value_sign(b, facts)), _times(db, value_sign(a, facts)))
        case "/":
            # d(a/b) = a'/b - a b'/b^2: the second term's sign is -(a * b')
            first = _times(da, value_sign(b, facts))
            second = _times(db, value_sign(a, facts))
            return _plus(first, None if second is None else -second)
        case "^":
            if db == 0 and isinstance(b, Number) and value_sign(a, facts) == 1:
                return _times(da, 0 if b.value == 0 else (1 if b.value > 0 else -1))
    return None


def _call_sign(call: Call, name: str, facts: SignFacts) -> Sign:
    function = call.function
    signs = [_sign(arg, name, facts) for arg in call.args]
    table = facts.tables.get(function_name(function))
    if table is not None and len(call.args) == 1:
        return _times(table_sign(table), signs[0])
    combine: dict[str, Callable[[], Sign]] = {
        "LOOKUP": lambda: _lookup_sign(call, name, facts),
    }
    if function in combine:
        return combine[function]()
    if function in _INCREASING:
        result: Sign = 0
        for sign in signs:
            result = _plus(result, sign)
        return result
    if function in _DIVISIONS and len(call.args) >= 2:
        if any(s != 0 for s in signs[2:]):
            return None
        return _binary_sign(Binary("/", call.args[0], call.args[1]), name, facts)
    return None


def _lookup_sign(call: Call, name: str, facts: SignFacts) -> Sign:
    if len(call.args) != 2 or not isinstance(call.args[0], Reference):
        return None
    table = facts.tables.get(call.args[0].name)
    if table is None:
        return None
    return _times(table_sign(table), _sign(call.args[1], name, facts))
