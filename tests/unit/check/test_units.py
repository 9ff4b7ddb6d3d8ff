"""Units inference and consistency warnings (check/units.py)."""

from __future__ import annotations

import pytest

from wholesystem.check.scope import ProjectScope
from wholesystem.check.unit_syntax import UnitNames, parse_units
from wholesystem.check.units import FREE, UnitInference
from wholesystem.diagnostics import Severity
from wholesystem.parse.expr import EquationOrigin, parse_xmile_expression

DECLARED = [
    '<aux name="people"><eqn>1</eqn><units>people</units></aux>',
    '<aux name="days"><eqn>1</eqn><units>day</units></aux>',
    '<aux name="rate"><eqn>1</eqn><units>1/day</units></aux>',
    '<aux name="fraction"><eqn>1</eqn><units>dmnl</units></aux>',
    '<aux name="cost"><eqn>1</eqn><units>£/(person*day)</units></aux>',
    '<aux name="undeclared"><eqn>1</eqn></aux>',
    '<aux name="effect"><gf><xscale min="0" max="1"/><ypts>0,1</ypts></gf>'
    '<units>persons</units></aux>',
]


@pytest.fixture
def infer(read_model_text):
    project = read_model_text(*DECLARED)
    inference = UnitInference(ProjectScope.of(project).main, UnitNames(),
                              parse_units("days"))

    def run(text: str) -> str | None:
        result = inference.infer(parse_xmile_expression(text, EquationOrigin("m.xmile")))
        return "FREE" if result is FREE else (None if result is None else str(result))

    run.inference = inference  # type: ignore[attr-defined]
    return run


@pytest.mark.parametrize(("equation", "units"), [
    ("2", "FREE"),
    ("people", "person"),
    ("2 * people", None),
    ("people * 0.01", None),
    ("7 * people / days", None),
    ("people * 1", "person"),
    ("people + 1", "person"),
    ("people / days", "person/day"),
    ("people * rate", "person/day"),
    ("1 / days", "1/day"),
    ("people * cost", "£/day"),
    ("days ^ 2", "day^2"),
    ("SQRT(days * days)", "day"),
    ("100 * fraction", "FREE"),
    ("fraction * fraction", "dmnl"),
    ("EXP(fraction)", "dmnl"),
    ("people * EXP(-rate * days)", "person"),
    ("IF people > 3 THEN people ELSE 0", "person"),
    ("MIN(people, 4)", "person"),
    ("MAX(people * rate, 0)", "person/day"),
    ("SMTH1(people, 5)", "person"),
    ("DELAY1(people * rate, days)", "person/day"),
    ("TREND(people, 3)", "1/day"),
    ("TIME", "day"),
    ("DT * rate", "dmnl"),
    ("effect(0.5)", "person"),
    ("LOOKUP(effect, fraction)", "person"),
    ("undeclared", None),
    ("undeclared * people", None),
    ("undeclared + people", "person"),
    ("PULSE(people, 3)", "person/day"),
    ("SAFEDIV(people, days)", "person/day"),
    ("days ^ 1e400", None),
    ("days ^ -1e400", None),
])
def test_inferred_units(infer, equation, units):
    assert infer(equation) == units


@pytest.mark.parametrize(("equation", "units"), [
    ("people + days", None), ("IF 1 THEN people ELSE days", None),
    ("MAX(people, days)", None), ("SMTH1(people, 3, days)", None), ("people > days", "FREE")])
def test_mismatched_operands_are_a_warning(infer, equation, units):
    assert infer(equation) == units
    [found] = infer.inference.found
    assert found.code == "unit-mismatch"
    assert found.severity is Severity.WARNING
    assert "person" in found.message
    assert "day" in found.message


def test_declared_units_are_compared_with_the_equation(check_model):
    found = check_model(
        '<aux name="people"><eqn>10</eqn><units>people</units></aux>',
        '<aux name="time to act"><eqn>4</eqn><units>Days</units></aux>',
        '<aux name="rate"><eqn>people / time_to_act</eqn><units>persons per day</units></aux>',
        '<aux name="wrong"><eqn>people * time_to_act</eqn><units>people/day</units></aux>',
        '<aux name="sum"><eqn>people + time_to_act</eqn><units>people</units></aux>',
        '<aux name="fine"><eqn>2 * people + 1</eqn><units>people</units></aux>',
        '<aux name="quiet"><eqn>people * unknown_thing</eqn><units>day</units></aux>',
        '<aux name="unknown thing"><eqn>1</eqn></aux>',
    )
    assert [(d.code, d.span.line, d.span.column) for d in found] == [
        ("unit-mismatch", 8, 24), ("unit-mismatch", 9, 29)]
    assert found[0].message == ("'wrong' is declared in person/day but its equation gives "
                                "day*person")
    assert found[1].message == "the two sides of '+' have different units: person and day"
    assert all(d.severity is Severity.WARNING for d in found)


def test_flows_need_their_stocks_units_per_time_unit(check_model):
    found = check_model(
        '<stock name="patients"><eqn>0</eqn><inflow>admissions</inflow>'
        '<outflow>discharges</outflow><outflow>deaths</outflow>'
        '<units>people</units></stock>',
        '<flow name="admissions"><eqn>5</eqn><units>people/week</units></flow>',
        '<flow name="discharges"><eqn>patients / stay</eqn></flow>',
        '<flow name="deaths"><eqn>patients * 0.01</eqn><units>Person/Day</units></flow>',
        '<aux name="stay"><eqn>5</eqn><units>days</units></aux>',
        time_units="Days",
    )
    assert [(d.code, d.span.line) for d in found] == [("unit-mismatch", 6)]
    assert found[0].message == ("flow 'admissions' has units person/week, but stock "
                                "'patients' needs person/day (its units per time unit)")


def test_declared_aliases_and_unreadable_units(check_model):
    found = check_model(
        '<stock name="s"><eqn>0</eqn><inflow>f</inflow><units>widgets</units></stock>',
        '<flow name="f"><eqn>1</eqn><units>wdg/mo</units></flow>',
        '<aux name="odd"><eqn>1</eqn><units>people//day</units></aux>',
        units='<unit name="widget"><alias>wdg</alias></unit>'
              '<unit name="Month"><alias>mo</alias></unit>',
        time_units="Months",
    )
    assert [(d.code, d.span.line) for d in found] == [("unit-syntax", 7)]


def test_models_without_units_are_not_checked(check_model):
    assert check_model(
        '<stock name="s"><eqn>0</eqn><inflow>f</inflow></stock>',
        '<flow name="f"><eqn>s * 2 + TIME</eqn></flow>',
        time_units="",
    ) == ()


def test_a_net_rate_needs_the_stock_units_per_time_unit(read_model_text):
    from dataclasses import replace

    from wholesystem.check import check_project
    from wholesystem.ir.expr import Reference

    project = read_model_text(
        '<stock name="s"><eqn>0</eqn><units>people</units></stock>',
        '<aux name="r"><eqn>1</eqn><units>people/week</units></aux>')
    stock, rate = project.main.variables
    vensim_like = replace(stock, rate=Reference("r", "r", (), rate.span))
    main = replace(project.main, variables=(vensim_like, rate))
    found = check_project(replace(project, models=(main,)))
    assert [d.message for d in found] == [
        "the net rate of stock 's' gives person/week, but the stock needs person/day "
        "(its units per time unit)"]


def test_a_module_input_should_have_the_units_of_what_feeds_it(check_model):
    found = check_model(
        '<module name="ward"><connect to="arrivals" from=".demand"/></module>',
        '<aux name="demand"><eqn>3</eqn><units>people/week</units></aux>',
        extra='<model name="ward"><variables>\n'
              '<flow name="arrivals" access="input"><eqn>{wired}</eqn>'
              '<units>people/day</units></flow>\n'
              '</variables></model>',
    )
    assert [(d.code, d.span.line) for d in found] == [("unit-mismatch", 5)]
    assert found[0].message == ("'ward.arrivals' is in person/day but is connected to "
                                "'demand', in person/week")


def test_unreadable_time_units_are_reported(check_model):
    found = check_model('<aux name="a"><eqn>1</eqn></aux>', time_units="days/")
    assert [(d.code, d.span.line) for d in found] == [("unit-syntax", 2)]


@pytest.mark.parametrize(("equation", "units"), [
    ("ZIDZ(people, days)", "person/day"),
    ("XIDZ(people, days, rate)", None),
    ("PULSE(3, 1) * people", None),
    ("PULSE(3, 1) * fraction", "FREE"),
    ("SMOOTH(people, days)", "person"),
    ("SAMPLE_IF_TRUE(1, people, 0)", "person"),
    ("POWER(days, 2)", "day^2"),
])
def test_vensim_builtins_in_mdl_projects(read_model_text, equation, units):
    from dataclasses import replace

    project = replace(read_model_text(*DECLARED), format="mdl")
    inference = UnitInference(ProjectScope.of(project).main, UnitNames(), parse_units("days"))
    result = inference.infer(parse_xmile_expression(equation, EquationOrigin("m.xmile")))
    assert ("FREE" if result is FREE else (None if result is None else str(result))) == units
