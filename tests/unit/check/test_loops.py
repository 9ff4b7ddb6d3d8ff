"""Algebraic loops and circular initial values (check/loops.py, ir/graph.py)."""

from __future__ import annotations

import pytest

from wholesystem.ir.flatten import flatten
from wholesystem.ir.graph import dependency_graph


def loops(diagnostics):
    return [(d.code, d.span.line, d.span.column, d.variables) for d in diagnostics
            if d.code.endswith("loop")]


def test_a_loop_of_auxiliaries_is_named_in_flow_order_from_its_first_variable(check_model):
    found = check_model(
        '<aux name="a"><eqn>b * 2</eqn></aux>',
        '<aux name="b"><eqn>c + 1</eqn></aux>',
        '<aux name="c"><eqn>a</eqn></aux>',
        '<aux name="d"><eqn>a + 1</eqn></aux>',
    )
    assert loops(found) == [("algebraic-loop", 5, 20, ("a", "c", "b"))]
    assert found[0].message == "algebraic loop: 'a' -> 'c' -> 'b' -> 'a' within one time step"


def test_each_loop_is_reported_and_a_self_reference_is_a_loop(check_model):
    found = check_model(
        '<aux name="x"><eqn>x + 1</eqn></aux>',
        '<flow name="f"><eqn>g</eqn></flow>',
        '<flow name="g"><eqn>f</eqn></flow>',
        '<stock name="s"><eqn>0</eqn><inflow>f</inflow><outflow>g</outflow></stock>',
    )
    assert loops(found) == [("algebraic-loop", 5, 20, ("x",)),
                            ("algebraic-loop", 6, 21, ("f", "g"))]


def test_stocks_break_loops(check_model):
    assert check_model(
        '<stock name="s"><eqn>10</eqn><outflow>f</outflow></stock>',
        '<flow name="f"><eqn>s * k</eqn></flow>',
        '<aux name="k"><eqn>s / 100</eqn></aux>',
    ) == ()


@pytest.mark.parametrize("equation", [
    "SMTH1(y, 3, 0)", "SMTH3(y, 3, 0)", "SMTHN(y, 3, 2, 0)", "DELAY1(y, 3, 0)",
    "DELAY3(y, 3, 0)", "DELAYN(y, 3, 2, 0)", "DELAY(y, 3, 0)", "PREVIOUS(y, 0)",
])
def test_stateful_builtins_break_the_loop_through_their_input(check_model, equation):
    assert loops(check_model(
        f'<aux name="x"><eqn>{equation}</eqn></aux>',
        '<aux name="y"><eqn>x * 2</eqn></aux>',
    )) == []


@pytest.mark.parametrize("equation", ["TREND(y, 3)", "FORECAST(y, 3, 1)", "DELAY1(1, y)",
                                      "DELAY(1, 2, y)", "PREVIOUS(1, y)", "MAX(y, 1)"])
def test_what_is_read_afresh_each_step_still_makes_a_loop(check_model, equation):
    found = check_model(
        f'<aux name="x"><eqn>{equation}</eqn></aux>',
        '<aux name="y"><eqn>x * 2</eqn></aux>',
    )
    assert [d[0] for d in loops(found)] == ["algebraic-loop"]


@pytest.mark.parametrize("equation", ["SMTH1(y, 3)", "DELAY(y, 3)", "PREVIOUS(y)", "INIT(y)"])
def test_a_builtin_starting_at_its_own_output_is_a_circular_initial_value(check_model,
                                                                          equation):
    found = check_model(
        f'<aux name="x"><eqn>{equation}</eqn></aux>',
        '<aux name="y"><eqn>x * 2</eqn></aux>',
    )
    # Reported at the name in x's equation that closes the loop: the input y.
    assert loops(found) == [("initial-value-loop", 5, 20 + equation.index("y"), ("x", "y"))]


def test_a_stock_whose_initial_value_needs_itself(check_model):
    found = check_model(
        '<stock name="s"><eqn>a</eqn></stock>',
        '<aux name="a"><eqn>s * 2</eqn></aux>',
    )
    assert loops(found) == [("initial-value-loop", 5, 22, ("s", "a"))]
    assert found[0].message == "initial values depend on each other: 's' -> 'a' -> 's'"


def test_a_loop_through_a_module_names_the_module_variables(check_model):
    found = check_model(
        '<module name="sub"><connect to="input" from=".a"/></module>',
        '<aux name="a"><eqn>sub.output</eqn></aux>',
        extra='<model name="sub"><variables>\n'
              '<aux name="input" access="input"><eqn>{connect me}</eqn></aux>\n'
              '<aux name="output" access="output"><eqn>input * 2</eqn></aux>\n'
              '</variables></model>',
    )
    assert loops(found) == [("algebraic-loop", 6, 20, ("a", "sub.input", "sub.output"))]


def test_dependency_graph_skips_subscripts_tables_and_stock_reads(read_model_text):
    project = read_model_text(
        '<aux name="pop"><dimensions><dim name="City"/></dimensions><eqn>s</eqn></aux>',
        '<stock name="s"><eqn>t(1)</eqn></stock>',
        '<aux name="t"><gf><xscale min="0" max="1"/><ypts>0,1</ypts></gf></aux>',
        '<aux name="leeds"><eqn>1</eqn></aux>',
        '<aux name="x"><eqn>pop[Leeds] + LOOKUP(t, 1) + t(2) + pop[i]</eqn></aux>',
        '<aux name="i"><eqn>1</eqn></aux>',
        dims='<dim name="City"><elem name="Leeds"/><elem name="York"/></dim>',
    )
    step = dependency_graph(flatten(project))
    assert sorted(step.edges) == [("i", "x"), ("pop", "x")]
    start = dependency_graph(flatten(project), initial=True)
    assert sorted(start.edges) == [("i", "x"), ("pop", "x"), ("s", "pop")]


@pytest.mark.parametrize(("equation", "expected"), [
    ("SMOOTH(y, 3)", ["initial-value-loop"]),
    ("SMOOTHI(y, 3, 0)", []),
    ("DELAY_FIXED(y, 3, 0)", []),
    ("SAMPLE_IF_TRUE(1, y, 0)", ["algebraic-loop"]),
    ("ACTIVE_INITIAL(y, 0)", ["algebraic-loop"]),
])
def test_vensim_stateful_builtins(read_model_text, equation, expected):
    from dataclasses import replace

    from wholesystem.check import check_project

    project = read_model_text(f'<aux name="x"><eqn>{equation}</eqn></aux>',
                              '<aux name="y"><eqn>x * 2</eqn></aux>')
    assert [d.code for d in check_project(replace(project, format="mdl"))] == expected
    assert "unknown-function" in [d.code for d in check_project(project)]
