"""XMILE's statistical functions, SELF and the several-argument array functions (XMILE 1.0,
3.5): seeded draws once per DT, distributions checked by their moments, arities by the
standard's table."""

from __future__ import annotations

import math

import numpy as np
import pytest
from xmile_factory import aux, flow, model_of, stock

from wholesystem.builtins import lookup_builtin
from wholesystem.errors import ArityError, ModelStructureError
from wholesystem.run import Model

SAMPLES = '<dim name="S" size="400"/>'
"""One dimension of many elements: one run draws a sample per time step."""
PLACES = '<dim name="P"><elem name="a"/><elem name="b"/><elem name="c"/></dim>'


def draws(equation: str, stop: int = 49) -> np.ndarray:
    """Every element of ``x[S] = equation`` at every time: stop + 1 steps x 400."""
    results = model_of(aux("x", equation, "S"), dimensions=SAMPLES, stop=stop).run(seed=7)
    return results.filter(like="x[").to_numpy().reshape(-1)


# -- the distributions ----------------------------------------------------------------
@pytest.mark.parametrize(("equation", "mean", "variance"), [
    ("NORMAL(10, 2)", 10.0, 4.0),
    ("RANDOM(1, 3)", 2.0, 4 / 12),
    ("UNIFORM(-1, 1)", 0.0, 4 / 12),
    ("EXPRND(2)", 2.0, 4.0),
    ("POISSON(3)", 3.0, 3.0),
    ("LOGNORMAL(10, 1)", 10.0, 1.0),
    # Stella's further distributions; moments from their definitions:
    # Weibull k = 2, scale 1: mean G(1.5) = sqrt(pi)/2, variance G(2) - G(1.5)^2 = 1 - pi/4
    ("WEIBULL(2, 1)", math.sqrt(math.pi) / 2, 1 - math.pi / 4),
    # triangular (0, 1, 4): mean (0 + 1 + 4)/3, variance (0 + 1 + 16 - 0 - 0 - 4)/18
    ("TRIANGULAR(0, 1, 4)", 5 / 3, 13 / 18),
    # logistic (2, 0.5): mean 2, variance s^2 pi^2 / 3
    ("LOGISTIC(2, 0.5)", 2.0, 0.25 * math.pi ** 2 / 3),
    # binomial (10, 0.3): mean np = 3, variance np(1 - p) = 2.1
    ("BINOMIAL(10, 0.3)", 3.0, 2.1),
    # beta (2, 3): mean a/(a+b) = 0.4, variance ab/((a+b)^2 (a+b+1)) = 6/150
    ("BETA(2, 3)", 0.4, 0.04),
])
def test_sample_moments_match_the_distribution(equation: str, mean: float,
                                               variance: float) -> None:
    values = draws(equation)
    n = values.size
    assert n == 20_000
    # five standard errors of the mean, and of the variance (for a normal-like spread)
    assert abs(values.mean() - mean) < 5 * math.sqrt(variance / n)
    assert values.var() == pytest.approx(variance, rel=10 * math.sqrt(2 / n) + 0.02)


def test_supports_of_the_distributions() -> None:
    uniform = draws("RANDOM(1, 3)")
    assert uniform.min() >= 1
    assert uniform.max() < 3
    assert draws("EXPRND(2)").min() >= 0
    assert draws("LOGNORMAL(10, 1)").min() > 0
    counts = draws("POISSON(3)")
    assert np.array_equal(counts, np.round(counts))
    assert draws("NORMAL(5, 0)").tolist() == [5.0] * 20_000


@pytest.mark.parametrize("equation", ["EXPRND(-1)", "POISSON(-2)", "LOGNORMAL(0, 1)"])
def test_parameters_outside_the_distribution_give_nan(equation: str) -> None:
    assert np.isnan(model_of(aux("x", equation), stop=2).run()["x"]).all()


# -- seeds, streams and time steps ----------------------------------------------------
def random_model() -> Model:
    return model_of(aux("k", "1") + aux("n", "NORMAL(0, 1) * k") + aux("u", "RANDOM(0, 1)")
                    + aux("f", "RANDOM(0, 1, 99) * k"), stop=20)


def test_same_seed_same_numbers_other_seed_other_numbers() -> None:
    model = random_model()
    first = model.run(seed=1)
    assert first.equals(model.run(seed=1))
    other = model.run(seed=2)
    assert not np.allclose(first["n"], other["n"])
    assert not np.allclose(first["u"], other["u"])
    assert first["n"].nunique() == 21  # a new draw at every DT
    assert not np.allclose(first["n"], first["u"])  # every call has its own stream


def test_a_run_does_not_depend_on_the_size_of_the_ensemble() -> None:
    model = random_model()
    single = model.run(seed=3)
    assert model.compiled.scalar is not None  # one run: the float backend
    small = model.run_many({"k": [1.0] * 3}, seed=3)
    large = model.run_many({"k": [1.0] * 8}, seed=3)
    n = list(small.columns).index("n")
    assert np.allclose(small.values[:, 0, n], single["n"])
    assert np.allclose(small.values[:, 2, n], large.values[:, 2, n])
    assert not np.allclose(large.values[:, 1, n], large.values[:, 2, n])


def test_a_seed_argument_fixes_the_numbers_in_every_run() -> None:
    model = random_model()
    fixed = model.run(seed=1)["f"]
    assert np.allclose(fixed, model.run(seed=2)["f"])
    ensemble = model.run_many({"k": [1.0] * 4}, seed=5)
    f = list(ensemble.columns).index("f")
    assert np.allclose(ensemble.values[:, :, f], fixed.to_numpy()[:, None])
    twins = model_of(aux("a", "NORMAL(0, 1, 12)") + aux("b", "NORMAL(0, 1, 12)")
                     + aux("c", "NORMAL(0, 1, 13)"), stop=5).run()
    assert np.allclose(twins["a"], twins["b"])  # the same seed, the same numbers
    assert not np.allclose(twins["a"], twins["c"])


def test_arrays_draw_one_number_per_element_even_with_a_seed() -> None:
    results = model_of(aux("x", "NORMAL(0, 1)", "P") + aux("y", "RANDOM(0, 1, 4)", "P"),
                       dimensions=PLACES, stop=3).run()
    for name in ("x", "y"):
        row = results.iloc[0][[f"{name}[a]", f"{name}[b]", f"{name}[c]"]]
        assert row.nunique() == 3
    again = model_of(aux("y", "RANDOM(0, 1, 4)", "P"), dimensions=PLACES, stop=3).run(seed=9)
    assert np.allclose(again["y[b]"], results["y[b]"])


def test_one_draw_per_dt_even_within_runge_kutta_stages() -> None:
    # the inflow is drawn once per DT, so RK4 integrates it exactly as Euler does
    variables = stock("s", "0", "inflow") + flow("inflow", "NORMAL(1, 1)")
    euler = model_of(variables, dt=0.25, stop=5).run(seed=4)
    rk4 = model_of(variables, dt=0.25, stop=5, method="RK4").run(seed=4)
    assert np.allclose(euler["inflow"], rk4["inflow"])
    assert np.allclose(euler["s"], rk4["s"])
    assert euler["inflow"].nunique() == 21


def test_seed_must_be_a_whole_number_known_at_the_start() -> None:
    # a computed seed is Stella's per-element seed, read on the first draw (TIME = 0)
    computed = model_of(aux("x", "RANDOM(0, 1, TIME)"), stop=3).run(seed=1)
    assert np.allclose(computed["x"], model_of(aux("x", "RANDOM(0, 1, 0)"), stop=3).run()["x"])
    with pytest.raises(ModelStructureError, match="seed of NORMAL"):
        model_of(aux("x", "NORMAL(0, 1, 1.5)"), stop=1).run()
    with pytest.raises(ModelStructureError, match="seed of EXPRND"):
        model_of(aux("x", "EXPRND(1, -3)"), stop=1).run()
    seeded = model_of(aux("s", "2 + 3") + aux("x", "EXPRND(1, s)"), stop=1).run(seed=1)
    assert np.allclose(seeded["x"], model_of(aux("x", "EXPRND(1, 5)"), stop=1).run()["x"])


@pytest.mark.parametrize(("equation", "message"), [
    ("NORMAL(1)", "NORMAL takes 2 to 6 argument"),
    ("LOGNORMAL(1, 2, 3, 4, 5, 6, 7)", "LOGNORMAL takes 2 to 6 argument"),
    ("EXPRND()", "EXPRND takes 1 to 5 argument"),
    ("POISSON(1, 2, 3, 4, 5, 6)", "POISSON takes 1 to 5 argument"),
    ("RANDOM(1)", "RANDOM takes 2 to 3 argument"),
    ("MEAN()", "MEAN takes 1 or more argument"),
])
def test_arity_errors_name_the_usage(equation: str, message: str) -> None:
    with pytest.raises(ArityError, match=message) as err:
        model_of(aux("x", equation), stop=1).run()
    assert "m.xmile:" in str(err.value)
    assert "usage:" in str(err.value)


# -- the standard's list, with its arities --------------------------------------------
STANDARD_ARITIES = {
    # 3.5.1 mathematical
    "ABS": (1, 1), "ARCCOS": (1, 1), "ARCSIN": (1, 1), "ARCTAN": (1, 1), "COS": (1, 1),
    "EXP": (1, 1), "INT": (1, 1), "LN": (1, 1), "LOG10": (1, 1), "MAX": (1, 2),
    "MIN": (1, 2), "SIN": (1, 1), "SQRT": (1, 1), "TAN": (1, 1),
    # 3.5.2 statistical
    "EXPRND": (1, 2), "LOGNORMAL": (2, 3), "NORMAL": (2, 3), "POISSON": (1, 2),
    "RANDOM": (2, 3),
    # 3.5.3 delays
    "DELAY": (2, 3), "DELAY1": (2, 3), "DELAY3": (2, 3), "DELAYN": (3, 4),
    "FORCST": (3, 4), "SMTH1": (2, 3), "SMTH3": (2, 3), "SMTHN": (3, 4), "TREND": (2, 3),
    # 3.5.4 test inputs
    "PULSE": (2, 3), "RAMP": (2, 2), "STEP": (2, 2),
    # 3.5.6 miscellaneous
    "INIT": (1, 1), "PREVIOUS": (2, 2),
    # 3.7.1.3 array functions
    "MEAN": (1, 1), "RANK": (2, 3), "SIZE": (1, 1), "STDDEV": (1, 1), "SUM": (1, 1),
}
"""XMILE 1.0, 3.5 and 3.7.1: every builtin function with its fewest and most arguments."""


@pytest.mark.parametrize(("name", "arity"), STANDARD_ARITIES.items())
def test_every_standard_function_is_registered_with_its_arity(
        name: str, arity: tuple[int, int]) -> None:
    builtin = lookup_builtin(name, "xmile")
    assert builtin is not None
    # the standard's calls are accepted (some functions accept more, as Stella does)
    assert builtin.min_args <= arity[0]
    assert builtin.max_args >= arity[1]


def test_names_without_parentheses_are_known() -> None:
    results = model_of(aux("x", "PI + INF - INF * 0 + TIME + DT + STARTTIME + STOPTIME"),
                       stop=1).run()
    assert math.isnan(results["x"].iloc[0])  # INF - INF * 0 is NaN: the names all resolve
    row = model_of(aux("x", "PI + TIME + DT + STARTTIME + STOPTIME"), stop=1).run().iloc[1]
    assert row["x"] == pytest.approx(math.pi + 1 + 1 + 0 + 1)


def test_forcst_is_forecast() -> None:
    results = model_of(aux("x", "10 + TIME") + aux("a", "FORCST(x, 2, 3)")
                       + aux("b", "FORECAST(x, 2, 3)"), stop=5).run()
    assert np.allclose(results["a"], results["b"])


# -- SELF -----------------------------------------------------------------------------
def test_previous_of_self_counts_steps() -> None:
    results = model_of(aux("count", "PREVIOUS(SELF, 0) + 1"), stop=4).run()
    assert results["count"].tolist() == [1, 2, 3, 4, 5]


def test_self_in_arrays_and_elements() -> None:
    counted = ('<aux name="c"><dimensions><dim name="P"/></dimensions>'
               '<element subscript="a"><eqn>PREVIOUS(SELF, 0) + 1</eqn></element>'
               '<element subscript="b"><eqn>PREVIOUS(SELF, 10) * 2</eqn></element>'
               '<element subscript="c"><eqn>SIZE(SELF)</eqn></element></aux>')
    results = model_of(counted + aux("s", "SIZE(SELF) + PREVIOUS(SELF, 0)", "P"),
                       dimensions=PLACES, stop=2).run()
    assert results["c[a]"].tolist() == [1, 2, 3]
    assert results["c[b]"].tolist() == [20, 40, 80]
    assert results["c[c]"].tolist() == [3, 3, 3]
    assert results["s[b]"].tolist() == [3, 6, 9]


def test_self_elsewhere_is_an_error() -> None:
    with pytest.raises(ModelStructureError, match="SELF is only valid inside PREVIOUS and "
                                                  "SIZE") as err:
        model_of(aux("x", "SELF + 1"), stop=1)
    assert "m.xmile:" in str(err.value)


def test_a_variable_named_self_is_an_ordinary_name() -> None:
    results = model_of(aux("self", "4") + aux("x", "self * 2"), stop=0).run()
    assert results["x"].iloc[0] == 8


# -- array functions of several arguments --------------------------------------------
def test_mean_of_several_arguments() -> None:
    values = ("<aux name=\"A\"><dimensions><dim name=\"P\"/></dimensions>"
              "<eqn>3, -5, 1</eqn></aux>")
    row = model_of(values + aux("m", "MEAN(1, 2, 6)") + aux("mixed", "MEAN(A, 4)")
                   + aux("each", "MEAN(A, 2 * A, 0)", "P") + aux("one", "MEAN(A)"),
                   dimensions=PLACES, stop=0).run().iloc[0]
    assert row["m"] == 3
    assert row["mixed"] == pytest.approx((3 - 5 + 1 + 4) / 4)
    assert row["one"] == pytest.approx(-1 / 3)
    assert [row[f"each[{e}]"] for e in "abc"] == [3, -5, 1]


def test_max_and_min_of_an_array_and_a_scalar() -> None:
    values = "<aux name=\"A\"><dimensions><dim name=\"P\"/></dimensions><eqn>3, -5, 1</eqn></aux>"
    row = model_of(values + aux("mx", "MAX(A, 0)") + aux("mn", "MIN(A[*], 0)")
                   + aux("floor", "MAX(A, 0)", "P"), dimensions=PLACES, stop=0).run().iloc[0]
    assert row["mx"] == 3
    assert row["mn"] == -5
    assert [row[f"floor[{e}]"] for e in "abc"] == [3, 0, 1]  # element by element


def test_rank_breaks_ties_with_a_second_array() -> None:
    values = ('<aux name="A"><dimensions><dim name="P"/></dimensions><eqn>2, 1, 1</eqn></aux>'
              '<aux name="B"><dimensions><dim name="P"/></dimensions><eqn>0, 5, 3</eqn></aux>')
    row = model_of(values + aux("plain", "RANK(A, 1)") + aux("tied", "RANK(A, 1, B)")
                   + aux("last", "RANK(A, SIZE(A), B)"), dimensions=PLACES, stop=0
                   ).run().iloc[0]
    assert row["plain"] == 2  # ties keep their order
    assert row["tied"] == 3  # B[c] < B[b]
    assert row["last"] == 1
