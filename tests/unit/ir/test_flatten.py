"""Modules flattened into dotted names: wiring, nesting, tables and scoping."""

from __future__ import annotations

import pytest

from wholesystem.errors import UnknownNameError, UnsupportedFeatureError
from wholesystem.parse import read_xmile_text
from wholesystem.run import Model

HEADER = """<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<header/><sim_specs><start>0</start><stop>2</stop><dt>1</dt></sim_specs>"""


def model(body: str) -> Model:
    return Model(read_xmile_text(HEADER + body + "</xmile>", "m.xmile"))


NESTED = """
<model><variables>
  <aux name="demand"><eqn>10</eqn></aux>
  <module name="trust"><connect to="referrals" from=".demand"/></module>
</variables></model>
<model name="trust"><variables>
  <aux name="referrals"><eqn>{input}</eqn></aux>
  <module name="ward"><connect to="ward.arrivals" from=".referrals"/></module>
  <aux name="beds"><eqn>ward.occupied</eqn></aux>
</variables></model>
<model name="ward"><variables>
  <aux name="arrivals"><eqn>0</eqn></aux>
  <stock name="occupied"><eqn>0</eqn><inflow>admit</inflow></stock>
  <flow name="admit"><eqn>scale(arrivals)</eqn></flow>
  <aux name="scale"><eqn>arrivals</eqn><gf><xpts>0,100</xpts><ypts>0,50</ypts></gf></aux>
</variables></model>
"""


def test_nested_modules_are_wired_through_each_level() -> None:
    results = model(NESTED).run()
    assert list(results["trust.ward.occupied"]) == [0, 5, 10]
    assert list(results["trust.beds"]) == [0, 5, 10]
    assert results["trust.ward.arrivals"].iloc[0] == 10


def test_a_module_does_not_see_the_main_models_variables() -> None:
    body = NESTED.replace("<eqn>scale(arrivals)</eqn>", "<eqn>demand</eqn>")
    with pytest.raises(UnknownNameError, match=r"unknown name .demand."):
        model(body).run()


def test_connection_to_a_missing_variable_is_reported() -> None:
    body = NESTED.replace('to="ward.arrivals"', 'to="ward.nothing"')
    with pytest.raises(UnknownNameError, match="nothing"):
        model(body)


def test_nested_calls_inside_a_module_flatten_without_recursion() -> None:
    # Requalifying names once recursed per call: 1,000 nested MIN() overflowed the stack
    # before the compiler could report the equation as too deep.
    deep = "MIN(1, " * 1000 + "arrivals" + ")" * 1000
    body = NESTED.replace("<eqn>scale(arrivals)</eqn>", f"<eqn>{deep}</eqn>")
    with pytest.raises(UnsupportedFeatureError, match="nested too deeply"):
        model(body)


def test_a_modules_graphical_function_called_inside_other_calls_is_requalified() -> None:
    body = NESTED.replace("<eqn>scale(arrivals)</eqn>", "<eqn>MAX(0, scale(arrivals))</eqn>")
    assert list(model(body).run()["trust.ward.occupied"]) == [0, 5, 10]
