"""Expression trees -> equation text, in XMILE or Vensim syntax.

:func:`print_xmile` writes the fewest parentheses that keep the tree's shape, so the text
parses back (``wholesystem.parse.expr.parse_xmile_expression``) to the same tree, spans
aside. Generated code quotes it above each line and messages quote it to users.

:func:`print_vensim` writes Vensim ``.mdl`` equation text. Vensim's manuals leave the
binding of unary minus against ``^`` and of ``:AND:``/``:OR:`` against comparisons open to
doubt, so it brackets everything except arithmetic nested in the usual way: the text means
the same whichever way a reader settles those questions.

Both print names as the tree holds them (``Reference.text``, ``Call.function``); making
those valid for the target language is the exporter's job (:mod:`wholesystem.export`).
"""

from __future__ import annotations

import math
import re

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
)

__all__ = ["print_xmile", "print_vensim"]

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
    and ``NAN``. String literals (Vensim's file and cell names), which XMILE lacks, print
    in single quotes for messages; they do not parse back.

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
        case Text(value=value):
            return f"'{value}'"
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
        return f"{left_text} {_WORD_OPERATORS.get(op, op)} {right_text}"
    # A left-nested run of one strength (a + b - c + ...) needs no brackets inside; it is
    # printed in a loop, not by recursion, so equations summing thousands of terms print.
    links = [(op, right)]
    while isinstance(left, Binary) and _BINARY_STRENGTH[left.op] == strength:
        links.append((left.op, left.right))
        left = left.left
    terms = [_operand(left, strength)]
    terms.extend(f"{_WORD_OPERATORS.get(o, o)} {_operand(r, strength + 1)}"
                 for o, r in reversed(links))
    return " ".join(terms)


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


# -- Vensim ------------------------------------------------------------------------------

_VENSIM_WORDS = {"and": ":AND:", "or": ":OR:", "not": ":NOT:"}
_ARITHMETIC = {"+": _SUM, "-": _SUM, "*": _PRODUCT, "/": _PRODUCT}


def print_vensim(expr: Expr) -> str:
    """Vensim ``.mdl`` text for an expression tree.

    ``IF THEN ELSE`` and ``MOD`` become Vensim's function forms, ``AND``/``OR``/``NOT``
    its ``:AND:``/``:OR:``/``:NOT:``, a ``Wildcard`` with a dimension ``Dim!``,
    ``LOOKUP(table[a], x)`` Vensim's ``table[a](x)`` and NaN ``:NA:``. Raises
    ``ValueError`` for what Vensim cannot write: non-finite numbers and ``*`` subscripts
    whose dimension is not named (resolve them first).

    >>> from wholesystem.ir.expr import Binary, IfThenElse, Number, Reference, Unary
    >>> a, b = Reference("a", "a"), Reference("b", "b")
    >>> print_vensim(IfThenElse(Binary("and", a, b), Unary("-", Binary("^", a, b)), Number(1)))
    'IF THEN ELSE(a :AND: b, -(a ^ b), 1)'
    """
    match expr:
        case Number(value=value):
            if math.isnan(value):
                return ":NA:"
            if math.isinf(value):
                raise ValueError(f"Vensim has no literal for {value}")
            return _number(value)
        case Text(value=value):
            return f"'{value}'"
        case Reference(text=text, name=name, subscripts=subscripts):
            written = text or name
            if not subscripts:
                return written
            return f"{written}[{', '.join(print_vensim(s) for s in subscripts)}]"
        case Wildcard(dimension=dimension):
            if dimension is None:
                raise ValueError("a '*' subscript needs its dimension named to print in "
                                 "Vensim (Dim!)")
            return f"{dimension}!"
        case Call(function="LOOKUP", args=(Reference() as table, x)):
            return f"{print_vensim(table)}({print_vensim(x)})"
        case Call(function=function, args=args):
            return f"{function}({', '.join(print_vensim(a) for a in args)})"
        case IfThenElse(condition=c, then=t, otherwise=o):
            return f"IF THEN ELSE({print_vensim(c)}, {print_vensim(t)}, {print_vensim(o)})"
        case Unary(op="+", operand=operand):
            return print_vensim(operand)
        case Unary(op=op, operand=operand):
            word = _VENSIM_WORDS.get(op, op)
            separator = " " if op == "not" else ""
            return f"{word}{separator}{_vensim_bracketed(operand)}"
        case Binary(op="mod", left=left, right=right):
            return f"MODULO({print_vensim(left)}, {print_vensim(right)})"
        case Binary(op=op, left=left, right=right):
            return _vensim_binary(op, left, right)
    raise TypeError(f"not an expression node: {expr!r}")


def _vensim_binary(op: str, left: Expr, right: Expr) -> str:
    word = _VENSIM_WORDS.get(op, op)
    if op in _ARITHMETIC:
        strength = _ARITHMETIC[op]
        left_text = _vensim_arithmetic_operand(left, strength)
        right_text = _vensim_arithmetic_operand(right, strength + 1)
    elif op in ("and", "or", "^"):
        left_text, right_text = _vensim_bracketed(left), _vensim_bracketed(right)
    else:  # comparisons: arithmetic binds tighter in every reading
        left_text = _vensim_arithmetic_operand(left, _SUM)
        right_text = _vensim_arithmetic_operand(right, _SUM)
    return f"{left_text} {word} {right_text}"


def _vensim_arithmetic_operand(expr: Expr, weakest: int) -> str:
    """Bare when ``expr`` is an atom or arithmetic binding at least as strongly."""
    if isinstance(expr, Binary) and _ARITHMETIC.get(expr.op, -1) >= weakest:
        return print_vensim(expr)
    return _vensim_bracketed(expr)


def _vensim_bracketed(expr: Expr) -> str:
    """``expr`` printed as an atom: bracketed unless it is one already."""
    text = print_vensim(expr)
    atomic = isinstance(expr, Reference | Call | IfThenElse | Wildcard | Text) or (
        isinstance(expr, Number) and math.copysign(1.0, expr.value) > 0)
    return text if atomic else f"({text})"
