"""The units parser (check/unit_syntax.py, grammars/units.lark), with property tests."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wholesystem.check.unit_syntax import DIMENSIONLESS, UnitNames, Units, parse_units, singular
from wholesystem.errors import ModelSyntaxError, WholesystemError


@pytest.mark.parametrize(("text", "expected"), [
    ("people/day", {"person": 1, "day": -1}),
    ("1/Month", {"month": -1}),
    ("dmnl", {}),
    ("", {}),
    ("1", {}),
    ("fraction", {}),
    ("Unitless", {}),
    ("£/(person*day)", {"£": 1, "person": -1, "day": -1}),
    ("persons", {"person": 1}),
    ("People", {"person": 1}),
    ("Day^-1", {"day": -1}),
    ("day^(-1)", {"day": -1}),
    ("widgets per week", {"widget": 1, "week": -1}),
    ("per day", {"day": -1}),
    ("1000 people/year", {"person": 1, "year": -1}),
    ("m^2/s^(1/2)", {"m": 2, "s": Fraction(-1, 2)}),
    ("kg·m/s**2", {"kg": 1, "m": 1, "s": -2}),
    ("people/day/day", {"person": 1, "day": -2}),
    ("hours worked/week", {"hour worked": 1, "week": -1}),
    ("$/patient", {"$": 1, "patient": -1}),
    ("person-days", {"person-day": 1}),
])
def test_units_strings(text, expected):
    assert parse_units(text) == Units.of(expected)


@pytest.mark.parametrize("text", ["people/", "(day", "^2", "day^week", "people per",
                                  "a / / b", "day^(1/0)", "day^1e400", "day^1e-999999999"])
def test_unreadable_units_raise_a_syntax_error_with_the_span(text):
    from wholesystem.diagnostics import SourceSpan

    with pytest.raises(ModelSyntaxError) as caught:
        parse_units(text, span=SourceSpan("m.xmile", 3, 4))
    assert str(caught.value).startswith("m.xmile:3:4: error: cannot read units")


def test_declared_aliases_are_the_same_unit():
    names = UnitNames.of([("Widget", ("wdg", "widgets")), ("Months", ("mo",))])
    assert parse_units("wdg/mo", names) == parse_units("widgets per month")


# -- properties ----------------------------------------------------------------------
_WORDS = ["person", "day", "widget", "£", "week", "bed", "hour worked", "m", "kg"]
_units = st.dictionaries(st.sampled_from(_WORDS),
                         st.integers(-3, 3).filter(bool) | st.sampled_from(
                             [Fraction(1, 2), Fraction(-3, 2)]), max_size=4).map(Units.of)


@given(_units)
def test_printing_then_parsing_gives_the_same_units(units):
    assert parse_units(str(units)) == units


@given(_units, _units)
def test_division_and_product_match_the_algebra(a, b):
    assert parse_units(f"({a})/({b})") == a / b
    assert parse_units(f"({a})*({b})") == a * b
    assert parse_units(f"({a}) per ({b})") == a / b
    assert a / a == DIMENSIONLESS


@given(st.sampled_from(["person", "day", "widget", "week", "bed", "box", "body", "class"]),
       st.sampled_from(["s", ""]), st.booleans())
def test_case_and_plural_do_not_matter(word, suffix, upper):
    plural = word + ("es" if suffix and word.endswith(("x", "ss")) else suffix)
    if word == "body" and suffix:
        plural = "bodies"
    text = plural.upper() if upper else plural
    assert parse_units(text) == parse_units(word)


@given(st.text(max_size=30))
def test_any_text_parses_or_raises_a_syntax_error(text):
    try:
        parse_units(text)
    except WholesystemError as err:
        assert isinstance(err, ModelSyntaxError)


@given(st.text(alphabet=st.characters(categories=["Ll", "Lu"]), min_size=1, max_size=12))
def test_singular_is_idempotent(word):
    assert singular(singular(word)) == singular(word)
