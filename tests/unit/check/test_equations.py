"""Names, calls and subscripts in equations (check/equations.py)."""

from __future__ import annotations

from wholesystem.diagnostics import Severity


def codes(diagnostics):
    return [(d.code, d.span.line, d.span.column) for d in diagnostics]


def test_a_clean_model_has_no_diagnostics(check_model):
    assert check_model(
        '<stock name="Population"><eqn>100</eqn><inflow>births</inflow></stock>',
        '<flow name="births"><eqn>Population * birth_rate + TIME * 0</eqn></flow>',
        '<aux name="birth rate"><eqn>0.1 * PI / PI</eqn></aux>',
    ) == ()


def test_undefined_names_are_all_reported_with_line_column_and_a_suggestion(check_model):
    found = check_model(
        '<aux name="birth rate"><eqn>0.1</eqn></aux>',
        '<aux name="a"><eqn>birth_rat * 2 + missing</eqn></aux>',
        '<aux name="b"><eqn>nothing_here</eqn></aux>',
    )
    assert codes(found) == [("undefined-name", 6, 20), ("undefined-name", 6, 36),
                            ("undefined-name", 7, 20)]
    assert all(d.severity is Severity.ERROR for d in found)
    assert found[0].message == "'birth_rat' is not defined"
    assert found[0].hint == "did you mean 'birth rate'?"


def test_builtin_constants_and_dimension_names_are_defined(check_model):
    assert check_model(
        '<aux name="a"><eqn>TIME + DT + STARTTIME + STOPTIME + PI + e</eqn></aux>',
        '<aux name="b"><dimensions><dim name="City"/></dimensions><eqn>City * 2</eqn></aux>',
        dims='<dim name="City"><elem name="Leeds"/><elem name="York"/></dim>',
    ) == ()


def test_an_element_name_outside_brackets_is_undefined_with_a_hint(check_model):
    found = check_model(
        '<aux name="a"><eqn>Leeds</eqn></aux>',
        dims='<dim name="City"><elem name="Leeds"/><elem name="York"/></dim>',
    )
    assert codes(found) == [("undefined-name", 5, 20)]
    assert "element of dimension 'City'" in (found[0].hint or "")


def test_unknown_functions_and_wrong_arity(check_model):
    found = check_model(
        '<aux name="a"><eqn>SMOOTHE(1, 2)</eqn></aux>',
        '<aux name="b"><eqn>MAX(1, 2, 3) + SMTH1(a)</eqn></aux>',
        '<aux name="c"><eqn>ABS(1)</eqn></aux>',
    )
    assert codes(found) == [("unknown-function", 5, 20), ("wrong-arity", 6, 20),
                            ("wrong-arity", 6, 35)]
    assert found[1].message == "MAX takes 1 to 2 argument(s), got 3"
    assert found[2].hint == "usage: SMTH1(input, time [, initial])"


def test_graphical_functions_are_called_with_one_input(check_model):
    table = ('<aux name="effect"><gf><xscale min="0" max="1"/><ypts>0,1</ypts></gf>'
             '</aux>')
    found = check_model(
        table,
        '<aux name="a"><eqn>effect(0.5) + LOOKUP(effect, 0.2)</eqn></aux>',
        '<aux name="b"><eqn>effect(0.5, 2)</eqn></aux>',
        '<aux name="c"><eqn>a(1)</eqn></aux>',
        '<aux name="d"><eqn>LOOKUP(a, 1)</eqn></aux>',
        '<aux name="e"><eqn>effect + 1</eqn></aux>',
    )
    assert codes(found) == [("wrong-arity", 7, 20), ("unknown-function", 8, 20),
                            ("lookup-not-table", 9, 27), ("table-used-as-value", 10, 20)]


def test_subscripts_must_be_elements_of_their_dimension(check_model):
    found = check_model(
        '<aux name="pop"><dimensions><dim name="City"/></dimensions><eqn>1</eqn></aux>',
        '<aux name="a"><eqn>pop[Leeds] + pop[Yrok] + pop[3] + pop[York, Leeds]</eqn></aux>',
        '<aux name="b"><eqn>a[Leeds] + SUM(pop[*]) + SUM(pop[*:Town])</eqn></aux>',
        dims='<dim name="City"><elem name="Leeds"/><elem name="York"/></dim>',
    )
    assert codes(found) == [
        ("bad-subscript", 6, 37), ("bad-subscript", 6, 49),
        ("subscript-count", 6, 54), ("subscript-count", 7, 20),
        ("undeclared-dimension", 7, 55)]
    assert found[0].hint == "did you mean 'York'?"
    assert found[1].message == "subscript 3 is outside dimension 'City' (1 to 2)"


def test_a_variable_used_as_a_subscript_is_checked_as_a_name(check_model):
    found = check_model(
        '<aux name="pop"><dimensions><dim name="City"/></dimensions><eqn>1</eqn></aux>',
        '<aux name="i"><eqn>1</eqn></aux>',
        '<aux name="a"><eqn>pop[i] + pop[j]</eqn></aux>',
        dims='<dim name="City"><elem name="Leeds"/><elem name="York"/></dim>',
    )
    assert codes(found) == [("bad-subscript", 7, 33)]


def test_names_in_a_submodel_are_its_own(check_model):
    found = check_model(
        '<module name="sub"><connect to="input" from=".source"/></module>',
        '<aux name="source"><eqn>1</eqn></aux>',
        '<aux name="reader"><eqn>sub.output + sub.nothing + other.x</eqn></aux>',
        extra='<model name="sub"><variables>\n'
              '<aux name="input" access="input"><eqn>{not connected}</eqn></aux>\n'
              '<aux name="output" access="output"><eqn>input * 2 + source</eqn></aux>\n'
              '</variables></model>',
    )
    assert codes(found) == [("undefined-name", 7, 38), ("undefined-name", 7, 52),
                            ("undefined-name", 11, 53)]
    assert found[1].hint == "there is no module 'other' in this model"
    assert "main model" in (found[2].hint or "")
