"""wholesystem.parse.expr: XMILE equation text -> IR expression trees."""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from typing import Any

import pytest

from wholesystem.diagnostics import UNKNOWN_SPAN
from wholesystem.errors import ModelSyntaxError, WholesystemError
from wholesystem.ir.expr import (
    Binary,
    Call,
    Expr,
    IfThenElse,
    Number,
    Reference,
    Unary,
    Wildcard,
    walk,
)
from wholesystem.parse.expr import EquationOrigin, parse_xmile_expression

ORIGIN = EquationOrigin("model.xmile", 10, 5)


def parse(text: str) -> Expr:
    return parse_xmile_expression(text, ORIGIN)


def bare(node: Any) -> Any:
    """The tree with every span blanked, to compare shapes."""
    if isinstance(node, tuple):
        return tuple(bare(n) for n in node)
    if is_dataclass(node) and not isinstance(node, type):
        changes = {f.name: bare(getattr(node, f.name)) for f in fields(node) if f.name != "span"}
        return replace(node, **changes, span=UNKNOWN_SPAN)
    return node


def ref(text: str, *subscripts: Expr) -> Reference:
    """A reference as the parser builds it from simple (unquoted, undotted) text."""
    return Reference(text.lower().replace("_", " "), text, tuple(subscripts))


def num(value: float) -> Number:
    return Number(value)


def shape(text: str) -> Expr:
    return bare(parse(text))


a, b, c, d = ref("a"), ref("b"), ref("c"), ref("d")


class TestPrecedence:
    @pytest.mark.parametrize(("text", "expected"), [
        ("a + b * c", Binary("+", a, Binary("*", b, c))),
        ("a * b + c", Binary("+", Binary("*", a, b), c)),
        ("(a + b) * c", Binary("*", Binary("+", a, b), c)),
        ("a - b - c", Binary("-", Binary("-", a, b), c)),
        ("a / b * c", Binary("*", Binary("/", a, b), c)),
        ("a * b MOD c", Binary("mod", Binary("*", a, b), c)),
        ("a ^ b ^ c", Binary("^", a, Binary("^", b, c))),
        ("-a ^ 2", Unary("-", Binary("^", a, num(2)))),
        ("a ^ -b", Binary("^", a, Unary("-", b))),
        ("a < b + c", Binary("<", a, Binary("+", b, c))),
        ("a = b < c", Binary("=", a, Binary("<", b, c))),
        ("a OR b AND c", Binary("or", a, Binary("and", b, c))),
        ("a AND b OR c", Binary("or", Binary("and", a, b), c)),
        ("a AND b = c", Binary("and", a, Binary("=", b, c))),
        ("NOT a AND b", Binary("and", Unary("not", a), b)),
        ("NOT (a AND b)", Unary("not", Binary("and", a, b))),
        ("- - a", Unary("-", Unary("-", a))),
        ("+a", Unary("+", a)),
    ])
    def test_binding(self, text: str, expected: Expr) -> None:
        assert shape(text) == expected

    def test_parentheses_leave_no_node(self) -> None:
        assert shape("((a))") == a


class TestIfThenElse:
    def test_keywords_any_case(self) -> None:
        expected = IfThenElse(Binary(">", a, num(1)), b, c)
        assert shape("IF a > 1 THEN b ELSE c") == expected
        assert shape("if a > 1 then b else c") == expected
        assert shape("If a>1 Then b Else c") == expected

    def test_else_branch_runs_to_the_end(self) -> None:
        assert shape("IF a THEN b ELSE c + 1") == IfThenElse(a, b, Binary("+", c, num(1)))

    def test_nested_and_inside_an_expression(self) -> None:
        inner = IfThenElse(b, c, d)
        assert shape("1 + (IF a THEN IF b THEN c ELSE d ELSE 0)") == Binary(
            "+", num(1), IfThenElse(a, inner, num(0)))

    def test_missing_else_is_an_error(self) -> None:
        with pytest.raises(ModelSyntaxError, match="end of equation"):
            parse("IF a THEN b")


class TestCalls:
    def test_name_upper_cased(self) -> None:
        assert shape("min(a, b)") == Call("MIN", (a, b))
        assert shape("Smth1(a, 5, 0)") == Call("SMTH1", (a, num(5), num(0)))

    def test_no_arguments(self) -> None:
        assert shape("TIME()") == Call("TIME", ())

    def test_nested(self) -> None:
        assert shape("MAX(MIN(a, 1), ABS(b))") == Call(
            "MAX", (Call("MIN", (a, num(1))), Call("ABS", (b,))))

    def test_wildcard_argument(self) -> None:
        assert shape("SUM(a[*])") == Call("SUM", (ref("a", Wildcard()),))

    def test_unclosed_call_is_an_error(self) -> None:
        with pytest.raises(ModelSyntaxError):
            parse("MIN(a, b")


class TestSubscripts:
    def test_elements_and_numbers(self) -> None:
        assert shape("a[Boston, 1]") == ref("a", ref("Boston"), num(1))

    def test_expression_subscript(self) -> None:
        assert shape("a[i + 1]") == ref("a", Binary("+", ref("i"), num(1)))

    def test_wildcards(self) -> None:
        assert shape("a[*, *:Dim]") == ref("a", Wildcard(None), Wildcard("dim"))

    def test_wildcard_with_quoted_dimension(self) -> None:
        assert shape('a[*:"Age Group"]') == ref("a", Wildcard("age group"))

    def test_wildcard_needs_a_dimension_after_colon(self) -> None:
        with pytest.raises(ModelSyntaxError, match="expected a name"):
            parse("a[*:]")


class TestNames:
    def test_quoted_name(self) -> None:
        node = parse('"Room Temperature" - x')
        assert isinstance(node, Binary)
        assert node.left == Reference("room temperature", '"Room Temperature"',
                                      span=node.left.span)

    def test_quoted_name_with_escaped_quote_and_operators(self) -> None:
        node = parse(r'"a \"b\" + c"')
        assert isinstance(node, Reference)
        assert node.name == 'a "b" + c'

    def test_underscores_and_case_match_spaces(self) -> None:
        left, right = parse("Room_Temperature"), parse('"room temperature"')
        assert isinstance(left, Reference)
        assert isinstance(right, Reference)
        assert left.name == right.name == "room temperature"
        assert left.text == "Room_Temperature"

    def test_module_qualified(self) -> None:
        node = parse("Hares . Area + lynxes.hare_density")
        assert isinstance(node, Binary)
        assert isinstance(node.left, Reference)
        assert isinstance(node.right, Reference)
        assert (node.left.name, node.right.name) == ("hares.area", "lynxes.hare density")

    def test_names_starting_with_keywords(self) -> None:
        names = [n.name for n in walk(parse("iffy + ore * notable - modulus / android"))
                 if isinstance(n, Reference)]
        assert names == ["iffy", "ore", "notable", "modulus", "android"]

    def test_unicode_letters(self) -> None:
        node = parse("température")
        assert isinstance(node, Reference)
        assert node.name == "température"


class TestComments:
    @pytest.mark.parametrize("text", [
        "a {inflow} + b",
        "{leading} a + b",
        "a + b {trailing}",
        "a +{multi\nline\ncomment} b",
    ])
    def test_ignored(self, text: str) -> None:
        assert shape(text) == Binary("+", a, b)


class TestNumbers:
    @pytest.mark.parametrize(("text", "value"), [
        ("1", 1.0), ("1.5", 1.5), (".5", 0.5), ("1.", 1.0), ("1e3", 1000.0),
        ("1E-3", 0.001), ("2.5e+2", 250.0), ("6.02E23", 6.02e23), ("-3", -3.0),
        ("- 3", -3.0), ("1e999", float("inf")),
    ])
    def test_literal(self, text: str, value: float) -> None:
        assert shape(text) == Number(value)

    def test_negative_literal_in_an_operation(self) -> None:
        assert shape("a * -2") == Binary("*", a, num(-2))


class TestOperators:
    @pytest.mark.parametrize(("text", "op"), [
        ("a AND b", "and"), ("a and b", "and"), ("a And b", "and"), ("a && b", "and"),
        ("a OR b", "or"), ("a or b", "or"), ("a || b", "or"),
        ("a MOD b", "mod"), ("a mod b", "mod"), ("a Mod b", "mod"),
        ("a <> b", "<>"), ("a <= b", "<="), ("a >= b", ">="), ("a < b", "<"),
        ("a > b", ">"), ("a = b", "="), ("a == b", "="),
    ])
    def test_binary(self, text: str, op: str) -> None:
        assert shape(text) == Binary(op, a, b)

    @pytest.mark.parametrize("text", ["NOT a", "not a", "Not a", "!a"])
    def test_not(self, text: str) -> None:
        assert shape(text) == Unary("not", a)


class TestSpans:
    def test_rebased_onto_the_file(self) -> None:
        node = parse("a + b")
        assert isinstance(node, Binary)
        assert (node.left.span.file, node.left.span.line, node.left.span.column) == (
            "model.xmile", 10, 5)
        assert (node.span.line, node.span.column) == (10, 7)
        assert (node.right.span.line, node.right.span.column) == (10, 9)

    def test_later_lines_are_not_shifted_by_the_origin_column(self) -> None:
        node = parse("a +\n  b")
        assert isinstance(node, Binary)
        assert (node.right.span.line, node.right.span.column) == (11, 3)


class TestErrors:
    def test_points_at_the_offending_token(self) -> None:
        with pytest.raises(ModelSyntaxError) as caught:
            parse("a + * b")
        error = caught.value
        assert error.span is not None
        assert (error.span.file, error.span.line, error.span.column) == ("model.xmile", 10, 9)
        assert str(error).startswith("model.xmile:10:9: error: cannot read equation:")
        assert "unexpected '*'" in error.message
        assert "expected" in error.message

    def test_a_double_slash_is_named_as_not_an_operator(self) -> None:
        """XMILE 1.0's arithmetic operators are + - * / ^ and MOD; Stella and Vensim add
        none spelled '//', so 'a // b' (written in a published Stella model) is invalid
        and the error says so at the second '/'."""
        with pytest.raises(ModelSyntaxError) as caught:
            parse("a * b//c")
        error = caught.value
        assert error.span is not None
        assert error.span.column == 11  # origin column 5 + 6
        assert error.hint is not None
        assert "'//' is not an operator" in error.hint

    def test_excerpt_has_a_caret_under_the_problem(self) -> None:
        with pytest.raises(ModelSyntaxError) as caught:
            parse("a + * b")
        assert caught.value.excerpt == "  a + * b\n      ^"
        assert str(caught.value).endswith("  a + * b\n      ^")

    def test_error_on_a_later_line(self) -> None:
        with pytest.raises(ModelSyntaxError) as caught:
            parse("a +\n\n  b $ c")
        span = caught.value.span
        assert span is not None
        assert (span.line, span.column) == (12, 5)
        assert caught.value.excerpt == "    b $ c\n      ^"

    def test_caret_lines_up_under_tabs(self) -> None:
        with pytest.raises(ModelSyntaxError) as caught:
            parse("\ta $ b")
        assert caught.value.excerpt == "   a $ b\n     ^"

    def test_unexpected_character(self) -> None:
        with pytest.raises(ModelSyntaxError, match=r"unexpected character '\$'"):
            parse("a $ b")

    def test_end_of_equation(self) -> None:
        with pytest.raises(ModelSyntaxError, match="end of equation") as caught:
            parse("(a + b")
        assert caught.value.span is not None
        assert caught.value.span.line == 10

    @pytest.mark.parametrize("text", ["", "   ", "\n\t"])
    def test_empty_equation(self, text: str) -> None:
        with pytest.raises(ModelSyntaxError, match="empty equation"):
            parse(text)

    def test_is_a_value_error_and_a_wholesystem_error(self) -> None:
        with pytest.raises(ValueError, match="cannot read equation") as caught:
            parse("1 2")
        assert isinstance(caught.value, WholesystemError)

    def test_line_separators_other_than_newline_do_not_shift_lines(self) -> None:
        with pytest.raises(ModelSyntaxError) as caught:
            parse("a\u2028b +")
        span = caught.value.span
        assert span is not None
        assert span.line == 10


def test_long_sums_do_not_exhaust_the_stack() -> None:
    terms = 3000
    node = parse(" + ".join(f"x{i}" for i in range(terms)))
    assert sum(isinstance(n, Reference) for n in walk(node)) == terms


def test_long_prefix_chains_do_not_exhaust_the_stack() -> None:
    node = parse("-" * 3000 + "a")
    assert sum(isinstance(n, Unary) for n in walk(node)) == 3000
