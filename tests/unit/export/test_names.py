"""wholesystem.export.names: names and numbers written so they read back the same."""

from __future__ import annotations

import math

import pytest

from wholesystem.export.names import (
    format_number,
    unique_name,
    vensim_name,
    xmile_attribute,
    xmile_name,
)
from wholesystem.ir.names import canonical_name
from wholesystem.parse.expr import EquationOrigin, parse_xmile_expression

NAMES = ["Teacup Temperature", "birth_rate", "Cost (USD)", "_private", "trailing_", "if",
         "2nd wave", "$price", 'say "hi"', "back\\slash", "Émigrés", "a.b"]


@pytest.mark.parametrize("name", NAMES)
def test_xmile_names_read_back_to_the_same_variable(name: str) -> None:
    written = xmile_name(name)
    parsed = parse_xmile_expression(written, EquationOrigin("n.xmile"))
    assert parsed.name == canonical_name(name)  # type: ignore[union-attr]


@pytest.mark.parametrize(("name", "written"), [
    ("Teacup Temperature", "Teacup_Temperature"), ("x1", "x1"), ("Cost (USD)", '"Cost (USD)"'),
    ("_private", '"_private"'), ("trailing_", '"trailing_"'), ("or", '"or"')])
def test_xmile_names_are_bare_when_the_standard_allows(name: str, written: str) -> None:
    assert xmile_name(name) == written


def test_attributes_keep_the_display_form() -> None:
    assert xmile_attribute("Teacup Temperature") == "Teacup Temperature"
    assert xmile_attribute('"quoted"') == "quoted"


@pytest.mark.parametrize(("name", "written"), [
    ("Teacup Temperature", "Teacup Temperature"), ("birth_rate", "birth_rate"),
    ("hares.births", '"hares.births"'),
    ("Cost (USD)", '"Cost (USD)"'), ("level's", "level's"), ("2nd", '"2nd"')])
def test_vensim_names(name: str, written: str) -> None:
    assert vensim_name(name) == written


def test_unique_names_count_up() -> None:
    taken = {"flow", "flow 2"}
    assert unique_name("Flow", taken) == "Flow 3"
    assert "flow 3" in taken


@pytest.mark.parametrize("value", [0.0, 2.0, -3.5, 0.1, 1 / 3, 1e-20, 6.02e23, -0.0])
def test_numbers_are_exact(value: float) -> None:
    assert float(format_number(value)) == value


def test_non_finite_numbers() -> None:
    assert [format_number(v) for v in (math.inf, -math.inf, math.nan)] == ["INF", "-INF", "NAN"]
