"""wholesystem.ir.printer: Vensim text (XMILE text is covered by the property tests)."""

from __future__ import annotations

import math

import pytest

from wholesystem.ir.expr import Binary, Call, IfThenElse, Number, Reference, Text, Unary, Wildcard
from wholesystem.ir.printer import print_vensim, print_xmile

A, B, C = (Reference(n, n) for n in "abc")


@pytest.mark.parametrize(("tree", "text"), [
    (Binary("-", A, Binary("-", B, C)), "a - (b - c)"),
    (Binary("*", Binary("+", A, B), C), "(a + b) * c"),
    (Binary("+", A, Binary("*", B, C)), "a + b * c"),
    (Unary("-", Binary("^", A, B)), "-(a ^ b)"),
    (Binary("^", Number(-2), A), "(-2) ^ a"),
    (Binary("^", A, Binary("^", B, C)), "a ^ (b ^ c)"),
    (Binary("and", Binary(">", A, Number(1)), Unary("not", B)), "(a > 1) :AND: (:NOT: b)"),
    (Binary("<", Binary("+", A, B), C), "a + b < c"),
    (Binary("mod", A, Number(3)), "MODULO(a, 3)"),
    (IfThenElse(A, B, C), "IF THEN ELSE(a, b, c)"),
    (Call("SUM", (Reference("x", "x", (Wildcard("region"),)),)), "SUM(x[region!])"),
    (Call("LOOKUP", (Reference("t", "t", (A,)), B)), "t[a](b)"),
    (Call("GET DIRECT CONSTANTS", (Text("in.xlsx"), Text("B2"))),
     "GET DIRECT CONSTANTS('in.xlsx', 'B2')"),
    (Number(math.nan), ":NA:"),
    (Unary("+", A), "a"),
])
def test_vensim_text(tree: object, text: str) -> None:
    assert print_vensim(tree) == text  # type: ignore[arg-type]


@pytest.mark.parametrize("tree", [Number(math.inf), Reference("x", "x", (Wildcard(),))])
def test_what_vensim_cannot_write(tree: object) -> None:
    with pytest.raises(ValueError, match=r"Vensim|dimension"):
        print_vensim(tree)  # type: ignore[arg-type]


def test_xmile_prints_strings_for_messages() -> None:
    assert print_xmile(Call("F", (Text("a.xlsx"),))) == "F('a.xlsx')"


def test_a_long_left_nested_sum_prints_flat_without_recursion() -> None:
    tree: object = A
    for index in range(5000):
        tree = Binary("-" if index % 2 else "+", tree, Binary("*", B, C))
    text = print_xmile(tree)  # type: ignore[arg-type]
    assert text.startswith("a + b * c - b * c + b * c")
    assert "(" not in text
