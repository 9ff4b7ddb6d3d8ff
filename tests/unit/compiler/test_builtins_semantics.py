"""Numbers produced by the builtins, checked against their definitions (XMILE 1.0, 3.5)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from xmile_factory import aux, flow, model_of, stock


def run_column(variables: str, column: str, **kwargs: object) -> np.ndarray:
    return model_of(variables, **kwargs).run()[column].to_numpy()


def test_smth1_is_first_order_exponential_smooth() -> None:
    values = run_column(aux("x", "10") + aux("s", "SMTH1(x, 4, 2)"), "s", dt=0.25)
    # Euler: s(n+1) = s(n) + dt * (x - s(n)) / 4
    expected = [2.0]
    for _ in range(40):
        expected.append(expected[-1] + 0.25 * (10 - expected[-1]) / 4)
    assert np.allclose(values, expected)


def test_smth3_and_smthn3_agree() -> None:
    model = model_of(aux("x", "STEP(10, 2)") + aux("a", "SMTH3(x, 6)")
                     + aux("b", "SMTHN(x, 6, 3)"), dt=0.5)
    results = model.run()
    assert np.allclose(results["a"], results["b"])
    assert 5 < results["a"].iloc[-1] < 10


def test_delay1_conserves_material() -> None:
    values = run_column(aux("x", "PULSE(100, 1)") + aux("d", "DELAY1(x, 3)"), "d",
                        dt=0.125, stop=60)
    # everything that enters leaves eventually: the integral of the output is 100
    assert math.isclose(values.sum() * 0.125, 100, rel_tol=1e-3)


def test_delay3_starts_in_equilibrium_with_initial_value() -> None:
    values = run_column(aux("x", "5") + aux("d", "DELAY3(x, 9, 2)"), "d", dt=0.25)
    assert values[0] == pytest.approx(2.0)
    assert values[-1] > 2.0


def test_delayn_order_one_equals_delay1() -> None:
    results = model_of(aux("x", "STEP(1, 1) * TIME") + aux("a", "DELAY1(x, 2)")
                       + aux("b", "DELAYN(x, 2, 1)"), dt=0.25).run()
    assert np.allclose(results["a"], results["b"])


def test_pipeline_delay_shifts_input_by_delay_time() -> None:
    results = model_of(aux("x", "TIME * 2") + aux("d", "DELAY(x, 3)")
                       + aux("d0", "DELAY(x, 3, -1)"), dt=1, stop=10).run()
    assert list(results["d"][:4]) == [0, 0, 0, 0]  # x at the start is 0
    assert list(results["d0"][:3]) == [-1, -1, -1]
    assert results["d"].iloc[5] == pytest.approx(4.0)  # x(2) = 4


def test_init_and_previous() -> None:
    results = model_of(aux("x", "TIME * TIME") + aux("i", "INIT(x + 1)")
                       + aux("p", "PREVIOUS(x, 7)"), dt=1, stop=5).run()
    assert list(results["i"]) == [1.0] * 6
    assert list(results["p"]) == [7.0, 0.0, 1.0, 4.0, 9.0, 16.0]


def test_trend_of_exponential_growth_approaches_growth_rate() -> None:
    results = model_of(aux("x", "EXP(0.1 * TIME)") + aux("tr", "TREND(x, 2, 0.1)"),
                       dt=0.0625, stop=40).run()
    assert results["tr"].iloc[-1] == pytest.approx(0.1, rel=0.1)


def test_forecast_is_input_extrapolated_along_trend() -> None:
    results = model_of(aux("x", "10") + aux("f", "FORECAST(x, 5, 3)")).run()
    assert np.allclose(results["f"], 10)


def test_pulse_step_ramp() -> None:
    results = model_of(aux("p", "PULSE(4, 2, 3)") + aux("s", "STEP(5, 3)")
                       + aux("r", "RAMP(2, 4, 6)"), dt=0.5, stop=9).run()
    pulses = results.index[results["p"] != 0].tolist()
    assert pulses == [2.0, 5.0, 8.0]
    assert results["p"].max() == pytest.approx(8.0)  # volume / DT
    assert results.loc[2.5, "s"] == 0
    assert results.loc[3.0, "s"] == 5
    assert results.loc[5.0, "r"] == pytest.approx(2.0)
    assert results.loc[9.0, "r"] == pytest.approx(4.0)


@pytest.mark.parametrize(("kind", "at_half", "beyond"), [
    ("continuous", 5.0, 10.0), ("extrapolate", 5.0, 20.0), ("discrete", 0.0, 10.0)])
def test_graphical_function_kinds(kind: str, at_half: float, beyond: float) -> None:
    table = (f'<aux name="g"><eqn>TIME</eqn><gf type="{kind}"><xscale min="0" max="1"/>'
             '<ypts>0,10</ypts></gf></aux>')
    results = model_of(table, dt=0.5, stop=2).run()
    assert results.loc[0.5, "g"] == pytest.approx(at_half)
    assert results.loc[2.0, "g"] == pytest.approx(beyond)


def test_lookup_function_form_reads_a_table() -> None:
    table = '<gf name="tbl"><xpts>0,10</xpts><ypts>0,100</ypts></gf>'
    results = model_of(table + aux("y", "LOOKUP(tbl, TIME)") + aux("z", "tbl(TIME / 2)"),
                       stop=4).run()
    assert list(results["y"]) == [0, 10, 20, 30, 40]
    assert list(results["z"]) == [0, 5, 10, 15, 20]


def test_safediv_and_math() -> None:
    results = model_of(aux("a", "SAFEDIV(1, 0)") + aux("b", "SAFEDIV(1, 0, 9)")
                       + aux("c", "7 MOD 3") + aux("d", "INT(-1.5)") + aux("e", "2 ^ 3 ^ 2")
                       + aux("f", "-2 ^ 2") + aux("g", "IF 1 > 2 OR NOT 0 THEN 1 ELSE 2"),
                       stop=0).run()
    row = results.iloc[0]
    assert (row["a"], row["b"], row["c"], row["d"], row["e"], row["f"], row["g"]) == (
        0, 9, 1, -2, 512, -4, 1)


def test_division_by_zero_follows_ieee() -> None:
    results = model_of(aux("zero", "0") + aux("a", "1 / zero") + aux("b", "1 / 0"),
                       stop=0).run()
    assert math.isinf(results["a"].iloc[0])
    assert math.isinf(results["b"].iloc[0])


def test_rk4_matches_exponential_decay() -> None:
    model = model_of(stock("s", "1", outflows="out") + flow("out", "s * 0.5"),
                     dt=0.5, stop=4, method="RK4")
    final = model.run()["s"].iloc[-1]
    assert final == pytest.approx(math.exp(-2), rel=1e-4)
    euler = model.run(method="euler")["s"].iloc[-1]
    assert abs(euler - math.exp(-2)) > 10 * abs(final - math.exp(-2))


def test_non_negative_stock_and_uniflow() -> None:
    results = model_of(stock("s", "3", outflows="out", non_negative=True)
                       + flow("out", "2") + flow("back", "-1", non_negative=True)
                       + stock("t", "0", inflows="back"), stop=4).run()
    assert list(results["s"]) == [3, 1, 0, 0, 0]
    assert list(results["back"]) == [0] * 5
