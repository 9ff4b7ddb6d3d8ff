"""Stocks, flows, values, arrays and modules (check/structure.py)."""

from __future__ import annotations

from wholesystem.diagnostics import Severity


def codes(diagnostics):
    return [(d.code, d.span.line) for d in diagnostics]


def test_stock_flow_wiring(check_model):
    found = check_model(
        '<stock name="s"><eqn>1</eqn><inflow>in</inflow><outflow>gone</outflow>'
        '<outflow>a</outflow></stock>',
        '<flow name="in"><eqn>1</eqn></flow>',
        '<flow name="loose"><eqn>1</eqn></flow>',
        '<aux name="a"><eqn>1</eqn></aux>',
    )
    assert codes(found) == [("stock-flow-missing", 5), ("stock-flow-missing", 5),
                            ("flow-not-attached", 7)]
    missing, not_flow, loose = found
    assert missing.message == "stock 's' lists outflow 'gone', which does not exist"
    assert not_flow.message == "stock 's' lists outflow 'a', which is an auxiliary, not a flow"
    assert loose.severity is Severity.WARNING
    assert missing.severity is Severity.ERROR


def test_missing_equations_and_initial_values(check_model):
    found = check_model(
        '<stock name="s"><eqn>{no value yet}</eqn></stock>',
        '<aux name="a"/>',
        '<flow name="f"><eqn></eqn></flow>',
        '<aux name="table only"><gf><xscale min="0" max="1"/><ypts>0,1</ypts></gf></aux>',
    )
    assert codes(found) == [("missing-initial-value", 5), ("missing-equation", 6),
                            ("missing-equation", 7), ("flow-not-attached", 7)]
    assert found[0].message == "'s' has no initial value"


def test_a_connected_module_input_needs_no_equation_but_an_unconnected_one_does(check_model):
    sub = ('<model name="sub"><variables>\n'
           '<stock name="level" access="input"><eqn>{connect me}</eqn></stock>\n'
           '<aux name="rate" access="input"><eqn>{connect me}</eqn></aux>\n'
           '<aux name="out" access="output"><eqn>level * rate</eqn></aux>\n'
           '</variables></model>')
    found = check_model(
        '<module name="wired" model_name="sub"><connect to="level" from=".x"/>'
        '<connect to="rate" from=".x"/></module>',
        '<module name="loose" model_name="sub"><connect to="rate" from=".x"/></module>',
        '<aux name="x"><eqn>1</eqn></aux>',
        extra=sub,
    )
    assert codes(found) == [("missing-initial-value", 10)]
    assert "'loose'" in (found[0].hint or "")


def test_module_problems(check_model):
    found = check_model(
        '<module name="m" model_name="nowhere"/>',
        '<module name="n" model_name="sub"><connect to="absent" from=".x"/>'
        '<connect to="y" from=".absent"/></module>',
        '<aux name="x"><eqn>1</eqn></aux>',
        extra='<model name="sub"><variables>\n<aux name="y"><eqn>1</eqn></aux>\n'
              '</variables></model>',
    )
    assert codes(found) == [("unknown-model", 5), ("bad-connection", 6),
                            ("bad-connection", 6)]


def test_a_module_that_contains_itself(check_model):
    found = check_model(
        '<module name="m" model_name="a"/>',
        extra='<model name="a"><variables>\n<module name="inner" model_name="b"/>\n'
              '</variables></model>\n<model name="b"><variables>\n'
              '<module name="back" model_name="a"/>\n</variables></model>',
    )
    assert [d.code for d in found] == ["recursive-module"]
    assert "a -> b -> a" in found[0].message


def test_dimensions_must_be_declared_and_elements_belong_to_them(check_model):
    found = check_model(
        '<aux name="a"><dimensions><dim name="Town"/></dimensions><eqn>1</eqn></aux>',
        '<aux name="b"><dimensions><dim name="City"/></dimensions>',
        '<element subscript="Leeds"><eqn>1</eqn></element>',
        '<element subscript="Hull"><eqn>2</eqn></element>',
        '<element subscript="Leeds, York"><eqn>2</eqn></element></aux>',
        dims='<dim name="City"><elem name="Leeds"/><elem name="York"/></dim>',
    )
    assert codes(found) == [("undeclared-dimension", 5), ("missing-equation", 6),
                            ("bad-subscript", 8), ("subscript-count", 9)]
    assert found[1].message == "'b' leaves elements undefined: [York]"


def test_unknown_integration_method_is_reported_by_check() -> None:
    """XMILE 1.0 (2.3) names Euler, RK2, RK4, RK45 and Gear; wholesystem runs Euler and
    RK4, so ``check`` reports any other where ``run`` would stop, at the sim_specs."""
    from wholesystem.check import check_project
    from wholesystem.parse import read_xmile_text

    text = ('<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">\n'
            '<sim_specs method="RK45"><start>0</start><stop>1</stop></sim_specs>\n'
            '<model><variables><aux name="a"><eqn>1</eqn></aux></variables></model></xmile>')
    found = check_project(read_xmile_text(text, "m.xmile"))
    assert [(d.code, d.span.line, d.message) for d in found] == [
        ("unknown-method", 2, "unknown integration method 'rk45'")]
