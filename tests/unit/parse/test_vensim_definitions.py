"""wholesystem.parse.vensim.definitions: one .mdl definition -> entries with IR expressions."""

from __future__ import annotations

import math
from dataclasses import fields, is_dataclass, replace
from typing import Any

import pytest

from wholesystem.diagnostics import UNKNOWN_SPAN
from wholesystem.errors import ArityError, ModelSyntaxError
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
from wholesystem.parse.vensim.definitions import function_name, parse_definition
from wholesystem.parse.vensim.entries import (
    MACRO_OUTPUTS,
    WITH_LOOKUP,
    Definition,
    DefinitionKind,
    Equivalence,
    Ignored,
    NumericRange,
    RangeDefinition,
    StringConstant,
)
from wholesystem.parse.vensim.scanner import Field


def entry(text: str, line: int = 1, column: int = 1) -> Any:
    return parse_definition(Field(text, line, column), "m.mdl", "\n" * (line - 1) + text)


def equation(text: str) -> Expr:
    """The right-hand side of ``x = text``, spans blanked."""
    parsed = entry(f"x = {text}")
    assert isinstance(parsed, Definition)
    assert parsed.equation is not None
    return bare(parsed.equation)


def bare(node: Any) -> Any:
    if isinstance(node, tuple):
        return tuple(bare(n) for n in node)
    if is_dataclass(node) and not isinstance(node, type):
        changes = {f.name: bare(getattr(node, f.name)) for f in fields(node) if f.name != "span"}
        return replace(node, **changes, span=UNKNOWN_SPAN)
    return node


def ref(name: str, text: str | None = None, *subscripts: Expr) -> Reference:
    return Reference(name, text if text is not None else name, tuple(subscripts))


def num(value: float) -> Number:
    return Number(value)


class TestOperators:
    def test_power_binds_tighter_than_unary_minus(self) -> None:
        # Vensim's own output: -Time^30 at Time 1.1 is -17.4494, so -(Time^30).
        assert equation("-a^2") == Unary("-", Binary("^", ref("a"), num(2)))

    def test_power_is_right_associative(self) -> None:
        # 30^1.2^1.2 is 68.92 in Vensim's output: 30^(1.2^1.2).
        assert equation("a^b^c") == Binary("^", ref("a"), Binary("^", ref("b"), ref("c")))

    def test_signed_exponent(self) -> None:
        assert equation("a^-b^-c") == Binary(
            "^", ref("a"), Unary("-", Binary("^", ref("b"), Unary("-", ref("c")))))

    def test_arithmetic_precedence(self) -> None:
        assert equation("a + b * c - d / e") == Binary(
            "-", Binary("+", ref("a"), Binary("*", ref("b"), ref("c"))),
            Binary("/", ref("d"), ref("e")))

    def test_logic_precedence(self) -> None:
        parsed = equation("a > 1 :AND: :NOT: b = 2 :OR: c <> 3")
        assert parsed == Binary(
            "or",
            Binary("and", Binary(">", ref("a"), num(1)),
                   Unary("not", Binary("=", ref("b"), num(2)))),
            Binary("<>", ref("c"), num(3)))

    @pytest.mark.parametrize("op", ["=", "<>", "<", "<=", ">", ">="])
    def test_comparisons(self, op: str) -> None:
        assert equation(f"a {op} b") == Binary(op, ref("a"), ref("b"))

    def test_negative_literal_is_folded(self) -> None:
        assert equation("-2") == num(-2)
        assert equation("+.5") == num(0.5)

    def test_numbers(self) -> None:
        assert equation("1e-3") == num(0.001)
        assert equation(".5E+2") == num(50)
        assert equation("5.") == num(5)

    def test_na_is_nan(self) -> None:
        value = equation(":NA:")
        assert isinstance(value, Number)
        assert math.isnan(value.value)


class TestNamesAndCalls:
    def test_names_with_spaces_underscores_and_case(self) -> None:
        assert equation("Heat_Loss  to ROOM") == ref("heat loss to room", "Heat_Loss to ROOM")

    def test_quoted_names(self) -> None:
        assert equation('"1995€/$" * "a \\"b\\""') == Binary(
            "*", ref("1995€/$"), ref('a "b"'))

    def test_words_starting_with_digits(self) -> None:
        assert equation("var 3dim") == ref("var 3dim")

    def test_multi_word_function(self) -> None:
        assert equation("DELAY  FIXED(a, 2, 0)") == Call(
            "DELAY FIXED", (ref("a"), num(2), num(0)))

    def test_function_names_normalised(self) -> None:
        assert function_name("smooth_n") == "SMOOTH N"
        assert function_name("Get  XLS\tData") == "GET XLS DATA"

    def test_if_then_else_is_a_node(self) -> None:
        assert equation("IF THEN ELSE(a, 1, 2)") == IfThenElse(ref("a"), num(1), num(2))
        assert equation("IF_THEN_ELSE(a, 1)") == Call("IF THEN ELSE", (ref("a"), num(1)))

    def test_strings(self) -> None:
        assert equation("GET XLS DATA('data.xlsx', 'தாள்', 'A', 'B2')") == Call(
            "GET XLS DATA", (Text("data.xlsx"), Text("தாள்"), Text("A"), Text("B2")))

    def test_subscripts_and_sum_marker(self) -> None:
        assert equation("SUM(x[dim!, b])") == Call(
            "SUM", (ref("x", "x", Wildcard("dim"), ref("b")),))

    def test_table_call(self) -> None:
        assert equation("my table(Time)") == Call("MY TABLE", (ref("time", "Time"),))

    def test_subscripted_table_call(self) -> None:
        assert equation("tbl[A, r](Time)") == Call(
            "LOOKUP", (ref("tbl", "tbl", ref("a", "A"), ref("r")), ref("time", "Time")))

    def test_macro_outputs_after_colon(self) -> None:
        assert equation("MAC(a : o1, o2)") == Call(
            "MAC", (ref("a"), Call(MACRO_OUTPUTS, (ref("o1"), ref("o2")))))

    def test_comments_and_continuations(self) -> None:
        assert equation("a {the a} +\\\n  b") == Binary("+", ref("a"), ref("b"))

    def test_name_continued_on_the_next_line(self) -> None:
        assert equation("long\\\n\t\tname[d\\\n\t]") == ref("long name", "long name",
                                                             ref("d"))


class TestDefinitions:
    def test_stock(self) -> None:
        parsed = entry("s = INTEG(in - out, 10)")
        assert parsed.kind is DefinitionKind.STOCK
        assert bare(parsed.rate) == Binary("-", ref("in"), ref("out"))
        assert bare(parsed.equation) == num(10)

    def test_integ_arity(self) -> None:
        with pytest.raises(ArityError, match="INTEG takes 2"):
            entry("s = INTEG(1)")

    def test_unchangeable_constant(self) -> None:
        assert bare(entry("c == 4").equation) == num(4)

    def test_constant_lists(self) -> None:
        parsed = entry("x[a, b] = 1, 2; -3, 4;")
        assert parsed.kind is DefinitionKind.CONSTANTS
        assert [v.value for v in parsed.values] == [1, 2, -3, 4]
        assert entry("x[a] = 5;").kind is DefinitionKind.CONSTANTS

    def test_tabbed_array(self) -> None:
        parsed = entry("x[a, b] = TABBED ARRAY(\n1\t2\t-3\n4\t5\t6)")
        assert parsed.kind is DefinitionKind.CONSTANTS
        assert [v.value for v in parsed.values] == [1, 2, -3, 4, 5, 6]

    def test_lookup_with_range(self) -> None:
        parsed = entry("tbl([(0,0)-(10,2),(1,1)], (0, 0), (5, -1.5), (10, 2))")
        assert parsed.kind is DefinitionKind.LOOKUP
        assert parsed.equation is None
        assert (parsed.table.xs, parsed.table.ys) == ((0, 5, 10), (0, -1.5, 2))

    def test_lookup_as_two_lists(self) -> None:
        table = entry("tbl(0, 1, 2, 10, 20, 30)").table
        assert (table.xs, table.ys) == ((0, 1, 2), (10, 20, 30))

    def test_lookup_points_are_sorted_by_x(self) -> None:
        table = entry("tbl((2,-3),(1,-7),(0,-1))").table
        assert (table.xs, table.ys) == ((0, 1, 2), (-1, -7, -3))

    def test_odd_flat_lookup(self) -> None:
        with pytest.raises(ModelSyntaxError, match="x values then as many y"):
            entry("tbl(0, 1, 2)")

    def test_lookup_from_a_call(self) -> None:
        parsed = entry("tbl[a](GET XLS LOOKUPS('f.xlsx', 's', '1', 'B2'))")
        assert parsed.kind is DefinitionKind.EQUATION
        assert isinstance(parsed.equation, Call)

    def test_with_lookup(self) -> None:
        parsed = entry("y = WITH LOOKUP(Time, ((0, 1), (1, 2)))")
        assert parsed.kind is DefinitionKind.LOOKUP
        assert bare(parsed.equation) == ref("time", "Time")
        assert parsed.table.ys == (1, 2)
        assert parsed.inline_tables == ()

    def test_nested_with_lookup(self) -> None:
        parsed = entry("y = 2 * WITH LOOKUP(Time, ((0, 1), (1, 2)))")
        assert parsed.kind is DefinitionKind.EQUATION
        assert bare(parsed.equation) == Binary(
            "*", num(2), Call(WITH_LOOKUP, (ref("time", "Time"), num(0))))
        assert len(parsed.inline_tables) == 1

    def test_data_forms(self) -> None:
        plain = entry("d")
        assert (plain.kind, plain.equation, plain.data_mode) == (DefinitionKind.DATA, None,
                                                                 None)
        keyword = entry("d[x] :HOLD  BACKWARD:")
        assert keyword.data_mode == "hold backward"
        assert bare(keyword.lhs.subscripts[0].name) == "x"
        derived = entry("d :INTERPOLATE::= GET DIRECT DATA('f.csv', ',', 'A', 'B2')")
        assert derived.kind is DefinitionKind.DATA
        assert derived.data_mode == "interpolate"

    def test_except(self) -> None:
        lhs = entry("x[a, b] :EXCEPT: [a1, b1], [a2, b2] = 1").lhs
        assert [s.name for s in lhs.subscripts] == ["a", "b"]
        assert [[s.name for s in group] for group in lhs.excepts] == [["a1", "b1"],
                                                                      ["a2", "b2"]]

    def test_string_constant(self) -> None:
        parsed = entry("help link :IS: 'https://example.org'")
        assert isinstance(parsed, StringConstant)
        assert parsed.value.value == "https://example.org"

    def test_reality_checks_are_ignored(self) -> None:
        assert isinstance(entry("c[s] :THE CONDITION: a[s] :IMPLIES: b[s] = 0"), Ignored)
        assert isinstance(entry("t :TEST INPUT: p = STEP(1, 0)"), Ignored)


class TestSubscriptRanges:
    def test_range_with_numeric_part_and_mappings(self) -> None:
        parsed = entry("Dim: a, (b1-b3), c -> Other, (Map: x, y, z, w, v)")
        assert isinstance(parsed, RangeDefinition)
        assert isinstance(parsed.items[1], NumericRange)
        assert [m.target.name for m in parsed.mappings] == ["other", "map"]
        assert [e.name for e in parsed.mappings[1].elements] == ["x", "y", "z", "w", "v"]

    def test_range_from_a_file(self) -> None:
        parsed = entry("Dim: GET DIRECT SUBSCRIPT('f.csv', ',', 'A1', 'A3', '')")
        assert parsed.call is not None
        assert parsed.call.function == "GET DIRECT SUBSCRIPT"

    def test_equivalence(self) -> None:
        parsed = entry("B <-> A")
        assert isinstance(parsed, Equivalence)
        assert (parsed.name.name, parsed.target.name) == ("b", "a")


class TestPositions:
    def test_spans_are_rebased_to_the_file(self) -> None:
        parsed = entry("x =\n\ta + bb", line=7, column=3)
        assert parsed.lhs.name.span.line == 7
        assert parsed.lhs.name.span.column == 3
        right = parsed.equation.right
        assert (right.span.line, right.span.column) == (8, 6)

    def test_error_position_and_excerpt(self) -> None:
        with pytest.raises(ModelSyntaxError) as caught:
            entry("x = (a +\n\t b", line=4, column=1)
        error = caught.value
        assert (error.span.line, error.span.column) == (5, 4)
        assert "ends too early" in error.message
        assert "')'" in error.message
        assert error.excerpt is not None
        assert error.excerpt.endswith("^")

    def test_unexpected_character(self) -> None:
        with pytest.raises(ModelSyntaxError, match="unexpected character '#'") as caught:
            entry("x = a # b", line=2, column=5)
        assert str(caught.value).startswith("m.mdl:2:11: error:")
