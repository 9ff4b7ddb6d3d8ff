"""Property tests of the XMILE readers: they fail only with wholesystem errors, and the
expression printer and parser agree.

(a) any text into the equation parser gives a tree or a ModelSyntaxError inside the text;
(b) any expression tree, printed, parses back to the same tree;
(c) damaged XMILE documents raise only WholesystemError subclasses;
(d) any expression tree printed as Vensim text parses back, with Vensim's reader, to itself.

Example counts come from the Hypothesis profile (tests/conftest.py); for a longer bug hunt:
``HYPOTHESIS_PROFILE=deep scripts/test tests/property``.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from wholesystem.diagnostics import UNKNOWN_SPAN
from wholesystem.errors import ModelSyntaxError, WholesystemError
from wholesystem.ir.expr import (
    BINARY_OPERATORS,
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
from wholesystem.ir.model import Project
from wholesystem.ir.names import canonical_name
from wholesystem.ir.printer import print_vensim, print_xmile
from wholesystem.parse.expr import EquationOrigin, parse_xmile_expression
from wholesystem.parse.vensim.definitions import parse_definition
from wholesystem.parse.vensim.scanner import Field
from wholesystem.parse.xmile import read_xmile_text


def bare(node: Any) -> Any:
    """The tree with every span blanked, to compare shapes."""
    if isinstance(node, tuple):
        return tuple(bare(n) for n in node)
    if is_dataclass(node) and not isinstance(node, type):
        changes = {f.name: bare(getattr(node, f.name)) for f in fields(node) if f.name != "span"}
        return replace(node, **changes, span=UNKNOWN_SPAN)
    return node


# -- (a) arbitrary text into the equation parser ---------------------------------------------

# Pieces of the equation language, so random text reaches deep parser states, not only the
# lexer's first character.
TOKENS = ["a", "b_c", '"q r"', "x.y", "1", "2.5e-3", ".5", "+", "-", "*", "/", "^", "(", ")",
          "[", "]", ",", ":", "*:Dim", "=", "<>", "<", "<=", ">=", "AND", "or", "NOT", "mod",
          "IF", "THEN", "else", "MIN(", "{c}", "{", "}", " ", "\n", "\t", '"', "\\", "$", "!",
          "&&", "||", "==", "\u2028", "\x0c", "é"]

equation_text = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
    st.lists(st.sampled_from(TOKENS), max_size=25).map("".join),
)


@given(text=equation_text, line=st.integers(1, 500), column=st.integers(1, 80))
@example(text="a\u2028b +", line=1, column=1)
@example(text="a +\n", line=3, column=7)
@example(text="(" * 50, line=1, column=1)
def test_parser_fails_only_with_a_syntax_error_inside_the_text(
        text: str, line: int, column: int) -> None:
    origin = EquationOrigin("fuzz.xmile", line, column)
    try:
        parse_xmile_expression(text, origin)
    except ModelSyntaxError as error:
        assert error.span is not None
        assert str(error).startswith(f"{error.span}: error: ")
        lines = text.split("\n")
        local_line = error.span.line - line + 1
        assert 1 <= local_line <= len(lines), (error.span, text)
        local_column = error.span.column - (column - 1 if local_line == 1 else 0)
        assert 1 <= local_column <= len(lines[local_line - 1]) + 1, (error.span, text)


# -- (b) printer and parser round trip ---------------------------------------------------------

KEYWORDS = {"if", "then", "else", "and", "or", "not", "mod"}
identifier = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,7}", fullmatch=True).filter(
    lambda name: name.lower() not in KEYWORDS)
quoted = st.text(st.sampled_from("abc XYZ_-+*/().,;:!?'é0123"), min_size=1, max_size=10).map(
    lambda name: f'"{name}"')


@st.composite
def reference_text(draw: st.DrawFn) -> tuple[str, str]:
    """(text as written, canonical name) of a variable reference."""
    kind = draw(st.sampled_from(["plain", "dotted", "quoted"]))
    if kind == "quoted":
        text = draw(quoted)
        return text, canonical_name(text)
    parts = draw(st.lists(identifier, min_size=2 if kind == "dotted" else 1, max_size=3))
    return ".".join(parts), ".".join(canonical_name(p) for p in parts)


numbers = st.floats(allow_nan=False, allow_infinity=False).map(Number)
wildcards = st.one_of(st.just(Wildcard()), identifier.map(lambda d: Wildcard(canonical_name(d))),
                      quoted.map(lambda d: Wildcard(canonical_name(d))))


def unary(op: str, operand: Expr) -> Expr:
    # The parser folds a minus sign into a literal; generate trees in that normal form.
    if op == "-" and isinstance(operand, Number):
        return Number(-operand.value)
    return Unary(op, operand)


@st.composite
def references(draw: st.DrawFn, children: st.SearchStrategy[Expr]) -> Reference:
    text, name = draw(reference_text())
    if "." in name:  # a module-qualified name is not subscripted
        return Reference(name, text)
    subscripts = draw(st.lists(st.one_of(children, wildcards), max_size=3))
    return Reference(name, text, tuple(subscripts))


def extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    function = identifier.map(str.upper)
    argument = st.one_of(children, wildcards)
    return st.one_of(
        st.builds(Binary, st.sampled_from(sorted(BINARY_OPERATORS)), children, children),
        st.builds(unary, st.sampled_from(["+", "-", "not"]), children),
        st.builds(IfThenElse, children, children, children),
        st.builds(lambda f, args: Call(f, tuple(args)), function,
                  st.lists(argument, max_size=3)),
        references(children),
    )


leaves = st.one_of(numbers, reference_text().map(lambda t: Reference(t[1], t[0])))
expressions = st.recursive(leaves, extend, max_leaves=25)


@given(tree=expressions)
def test_printed_tree_parses_back_to_itself(tree: Expr) -> None:
    text = print_xmile(tree)
    parsed = parse_xmile_expression(text, EquationOrigin("printed.xmile"))
    assert bare(parsed) == tree, text


@given(tree=expressions)
def test_printing_is_stable(tree: Expr) -> None:
    text = print_xmile(tree)
    assert print_xmile(parse_xmile_expression(text, EquationOrigin("p.xmile"))) == text


# -- (c) damaged XMILE documents ---------------------------------------------------------------

SEED_DOCUMENT = """<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
  <header><name>seed</name><isee:prefs show_module_prefix="true"/></header>
  <sim_specs method="Euler" time_units="Months" save_interval="1">
    <start>0</start><stop>12</stop><dt reciprocal="true">4</dt>
  </sim_specs>
  <dimensions>
    <dim name="City"><elem name="Boston"/><elem name="Chicago"/></dim>
    <dim name="Age" size="2"/>
  </dimensions>
  <model>
    <variables>
      <stock name="Population">
        <dimensions><dim name="City"/></dimensions>
        <eqn>100, 200</eqn>
        <inflow>births</inflow><non_negative/>
      </stock>
      <flow name="births">
        <dimensions><dim name="City"/></dimensions>
        <element subscript="Boston"><eqn>Population[Boston] * rate</eqn></element>
        <element subscript="Chicago"><eqn>IF TIME &gt; 3 THEN 1 ELSE 2</eqn></element>
      </flow>
      <aux name="rate"><eqn>effect</eqn>
        <gf type="extrapolate"><xscale min="0" max="10"/><ypts>0,0.5,1</ypts></gf>
      </aux>
      <gf name="table"><xpts>0,1,2</xpts><ypts>1,2,3</ypts></gf>
      <aux name="effect"><eqn>SUM(Population[*]) / MAX(1, "Total Area") {per area}</eqn></aux>
      <aux name="Total Area"><eqn>hares.area</eqn></aux>
      <module name="hares"><connect to="area" from=".Total_Area"/></module>
    </variables>
  </model>
  <model name="hares">
    <variables><aux name="area" access="input"><eqn>1</eqn></aux></variables>
  </model>
</xmile>
"""

GARBAGE = st.one_of(
    st.text(max_size=12),
    st.lists(st.sampled_from([*TOKENS, "<", ">", "&", "&lt;", "]]>", "<![CDATA[", "</eqn>",
                              "<eqn>", "&#0;", "&#x1F600;", "\x00", "\ud800"]),
             max_size=6).map("".join),
)


@st.composite
def damaged_documents(draw: st.DrawFn, seeds: list[str]) -> str:
    text = draw(st.sampled_from(seeds))
    mutation = draw(st.sampled_from(["truncate", "delete", "inject", "inject-anywhere"]))
    if mutation == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    if mutation == "delete":
        for _ in range(draw(st.integers(1, 8))):
            at = draw(st.integers(0, max(len(text) - 1, 0)))
            text = text[:at] + text[at + 1:]
        return text
    garbage = draw(GARBAGE)
    if mutation == "inject":
        starts = [i + len("<eqn>") for i in range(len(text)) if text.startswith("<eqn>", i)]
        if starts:
            at = draw(st.sampled_from(starts))
            return text[:at] + garbage + text[at:]
    at = draw(st.integers(0, len(text)))
    return text[:at] + garbage + text[at:]


@pytest.fixture(scope="module")
def seeds(shared_suite_files: list[Path]) -> list[str]:
    """The inline seed plus every sixth of the smaller half of the shared suite's files."""
    by_size = sorted(shared_suite_files, key=lambda p: p.stat().st_size)
    chosen = by_size[: len(by_size) // 2 : 6]
    return [SEED_DOCUMENT] + [p.read_bytes().decode("utf-8-sig", "replace") for p in chosen]


@given(data=st.data())
def test_damaged_documents_raise_only_wholesystem_errors(
        seeds: list[str], data: st.DataObject) -> None:
    text = data.draw(damaged_documents(seeds), label="document")
    try:
        project = read_xmile_text(text, "damaged.xmile")
    except WholesystemError as error:
        assert str(error)
    else:
        assert isinstance(project, Project)


# -- (d) Vensim printer and parser round trip --------------------------------------------------

vensim_word = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,5}", fullmatch=True)
vensim_text = st.lists(vensim_word, min_size=1, max_size=3).map(" ".join)
# Function names stay clear of the forms Vensim's grammar treats specially (INTEG, WITH
# LOOKUP, IF THEN ELSE, LOOKUP(table[...], x)...).
vensim_function = st.from_regex(r"F[A-Z0-9]{0,4}( [A-Z][A-Z0-9]{0,3})?", fullmatch=True)


def vensim_reference(text: str, subscripts: tuple[Expr, ...] = ()) -> Reference:
    return Reference(canonical_name(text), text, subscripts)


vensim_subscripts = st.lists(st.one_of(
    vensim_text.map(vensim_reference),
    vensim_text.map(lambda t: Wildcard(canonical_name(t)))), min_size=1, max_size=2)
vensim_leaves = st.one_of(
    numbers,
    vensim_text.map(vensim_reference),
    st.builds(lambda t, s: vensim_reference(t, tuple(s)), vensim_text, vensim_subscripts),
    st.text(st.characters(min_codepoint=32, max_codepoint=126, blacklist_characters="'"),
            max_size=8).map(Text),
)


def vensim_extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    operators = sorted(BINARY_OPERATORS - {"mod"})  # MOD prints as the MODULO function
    return st.one_of(
        st.builds(Binary, st.sampled_from(operators), children, children),
        st.builds(unary, st.sampled_from(["-", "not"]), children),
        st.builds(IfThenElse, children, children, children),
        st.builds(lambda f, args: Call(f, tuple(args)), vensim_function,
                  st.lists(children, max_size=3)),
    )


vensim_expressions = st.recursive(vensim_leaves, vensim_extend, max_leaves=25)


@given(tree=vensim_expressions)
def test_vensim_printed_tree_parses_back_to_itself(tree: Expr) -> None:
    text = print_vensim(tree)
    entry = parse_definition(Field(f"x = {text}", 1, 1), "printed.mdl", f"x = {text}")
    assert bare(entry.equation) == tree, text  # type: ignore[union-attr]
