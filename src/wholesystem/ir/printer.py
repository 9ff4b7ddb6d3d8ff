"""Expression trees -> XMILE equation text.

:func:`print_xmile` writes the fewest parentheses that keep the tree's shape, so the text
parses back (``wholesystem.parse.expr.parse_xmile_expression``) to the same tree, spans
aside. Generated code quotes it above each line and messages quote it to users.
"""

from __future__ import annotations

import math
import re

from wholesystem.ir.expr import Binary, Call, Expr, IfThenElse, Number, Reference, Unary, Wildcard

__all__ = ["print_xmile"]

# Binding strength, loosest first, as in grammars/xmile_expr.lark. IF THEN ELSE is an atom
# there, but its ELSE branch runs to the end of the text, so it is bracketed as an operand.
_IF, _OR, _AND, _EQUALITY, _RELATION, _SUM, _PRODUCT, _PREFIX, _POWER, _ATOM = range(10)
_BINARY_STRENGTH = {
    "or": _OR, "and": _AND, "=": _EQUALITY, "<>": _EQUALITY,
    "<": _RELATION, "<=": _RELATION, ">": _RELATION, ">=": _RELATION,
    "+": _SUM, "-": _SUM, "*": _PRODUCT, "/": _PRODUCT, "mod": _PRODUCT, "^": _POWER,
}
_WORD_OPERATORS = {"and": "AND", "or": "OR", "mod": "MOD", "not": "NOT"}
_KEYWORDS = frozenset({"if", "then", "else", "and", "or", "not", "mod"})
_BARE_NAME = re.compile(r"[^\W\d]\w*")


def print_xmile(expr: Expr) -> str:
    """XMILE text for an expression tree.

    Names are printed as written (``Reference.text``) when known, functions as stored.
    Non-finite numbers, which XMILE cannot write as literals, print as ``INF``, ``-INF``
    and ``NAN``.

    >>> from wholesystem.ir.expr import Binary, Number, Reference
    >>> print_xmile(Binary("*", Binary("+", Reference("a", "a"), Number(1.0)), Number(2.0)))
    '(a + 1) * 2'
    """
    return _print(expr)


def _strength(expr: Expr) -> int:
    match expr:
        case Binary(op=op):
            return _BINARY_STRENGTH[op]
        case Unary():
            return _PREFIX
        case Number(value=value) if math.copysign(1.0, value) < 0:
            return _PREFIX
        case IfThenElse():
            return _IF
    return _ATOM


def _print(expr: Expr) -> str:
    match expr:
        case Number(value=value):
            return _number(value)
        case Reference():
            return _reference(expr)
        case Wildcard(dimension=dimension):
            return "*" if dimension is None else f"*:{_name(dimension)}"
        case Call(function=function, args=args):
            return f"{function}({', '.join(_print(a) for a in args)})"
        case Unary(op=op, operand=operand):
            return _unary(op, operand)
        case Binary(op=op, left=left, right=right):
            return _binary(op, left, right)
        case IfThenElse(condition=c, then=t, otherwise=o):
            return f"IF {_print(c)} THEN {_print(t)} ELSE {_print(o)}"
    raise TypeError(f"not an expression node: {expr!r}")


def _unary(op: str, operand: Expr) -> str:
    text = _operand(operand, _PREFIX)
    if op == "not":
        return f"NOT {text}"
    # Keep signs apart ("- -a"): the text stays readable and never looks like "--".
    return f"{op} {text}" if text[0] in "+-" else f"{op}{text}"


def _binary(op: str, left: Expr, right: Expr) -> str:
    strength = _BINARY_STRENGTH[op]
    if strength == _POWER:
        # The base of ^ must be an atom; the exponent may be any prefix expression,
        # which makes ^ right-associative.
        left_text = _operand(left, _ATOM)
        right_text = _operand(right, _PREFIX)
    else:
        left_text = _operand(left, strength)
        right_text = _operand(right, strength + 1)
    return f"{left_text} {_WORD_OPERATORS.get(op, op)} {right_text}"


def _operand(expr: Expr, weakest: int) -> str:
    """``expr`` printed where the grammar needs a binding at least as strong as ``weakest``."""
    text = _print(expr)
    return f"({text})" if _strength(expr) < weakest else text


def _number(value: float) -> str:
    if math.isnan(value):
        return "NAN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _reference(ref: Reference) -> str:
    text = ref.text or _name(ref.name)
    if not ref.subscripts:
        return text
    return f"{text}[{', '.join(_print(s) for s in ref.subscripts)}]"


def _name(name: str) -> str:
    """A canonical name as text that reads back to it: bare when possible, else quoted."""
    parts = name.split(".")
    if all(_BARE_NAME.fullmatch(p) and p.lower() not in _KEYWORDS for p in parts):
        return name
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
