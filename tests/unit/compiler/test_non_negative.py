"""Non-negative stocks limit their outflows (Stella help, Flow prioritization; XMILE 1.0).

The rule quoted in :mod:`wholesystem.compiler.non_negative`: ``outflow volume =
MIN(stock/DT + total inflow volume, explicit outflow volume)``, outflows served in priority
order (the order the stock lists them). Expected values below are worked by hand from it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from xmile_factory import aux, flow, model_of, stock

PLACES = '<dim name="P"><elem name="a"/><elem name="b"/></dim>'


def test_drained_stock_passes_on_only_what_it_held() -> None:
    """s = 3 drains at 2 per step (dt 1) into t. Step 0: out = MIN(3/1 + 0, 2) = 2, so
    s = 1, t = 2. Step 1: out = MIN(1, 2) = 1, s = 0, t = 3. Then out = 0 and t stays 3:
    the downstream stock receives exactly what left (not 2 a step for ever)."""
    results = model_of(stock("s", "3", outflows="out", non_negative=True)
                       + flow("out", "2") + stock("t", "0", inflows="out"), stop=4).run()
    assert list(results["s"]) == [3, 1, 0, 0, 0]
    assert list(results["out"]) == [2, 1, 0, 0, 0]
    assert list(results["t"]) == [0, 2, 3, 3, 3]


def test_inflow_over_the_step_counts_towards_the_outflow() -> None:
    """Empty s with inflow 1 and outflow asking 5: out = MIN(0/1 + 1, 5) = 1 every step,
    so s stays at 0 and all of the inflow passes through."""
    results = model_of(stock("s", "0", inflows="fill", outflows="out", non_negative=True)
                       + flow("fill", "1") + flow("out", "5"), stop=3).run()
    assert list(results["s"]) == [0, 0, 0, 0]
    assert list(results["out"]) == [1, 1, 1, 1]


def test_outflows_served_in_the_order_the_stock_lists_them() -> None:
    """s = 5, dt 1, first outflow asks 4 and second asks 4. Step 0: first = MIN(5, 4) = 4,
    second = MIN(5 - 4, 4) = 1: the priority-1 outflow gets first crack, the priority-2
    one what is left. Step 1: s = 0, both 0."""
    results = model_of(stock("s", "5", outflows="first second", non_negative=True)
                       + flow("first", "4") + flow("second", "4"), stop=2).run()
    assert list(results["first"]) == [4, 0, 0]
    assert list(results["second"]) == [1, 0, 0]
    assert list(results["s"]) == [5, 0, 0]


def test_priority_holds_when_the_second_outflow_is_defined_first() -> None:
    """As above with the flows' definitions swapped in the file and the second outflow
    reading an auxiliary: priority follows the stock's list, not the file order."""
    results = model_of(flow("second", "ask") + aux("ask", "4")
                       + stock("s", "5", outflows="first second", non_negative=True)
                       + flow("first", "4"), stop=1).run()
    assert list(results["first"]) == [4, 0]
    assert list(results["second"]) == [1, 0]


def test_dt_fraction_limits_per_step_volume() -> None:
    """dt 0.5: s = 1 asked 4 per time unit. Step 0: out = MIN(1/0.5, 4) = 2 per time unit,
    a volume of 2 * 0.5 = 1, so s = 0 after one step."""
    results = model_of(stock("s", "1", outflows="out", non_negative=True)
                       + flow("out", "4") + stock("t", "0", inflows="out"),
                       stop=1, dt=0.5).run()
    assert list(results["s"]) == [1, 0, 0]
    assert list(results["t"]) == [0, 1, 1]


def test_negative_outflow_is_not_limited() -> None:
    """A biflow outflow of -1 fills s (it is not material leaving): s = 0, 1, 2."""
    results = model_of(stock("s", "0", outflows="out", non_negative=True)
                       + flow("out", "-1"), stop=2).run()
    assert list(results["s"]) == [0, 1, 2]


@pytest.mark.parametrize("method", ["Euler", "RK4"])
def test_chain_of_non_negative_stocks_conserves_material(method: str) -> None:
    """a -> b -> c -> d, each non-negative, each outflow asking a constant 3 per time unit
    with dt 0.25 and 10 units in a: whatever leaves one stock enters the next, so
    a + b + c + d stays 10 at every step (to rounding), and no stock goes below zero."""
    variables = (stock("a", "10", outflows="ab", non_negative=True) + flow("ab", "3")
                 + stock("b", "0", inflows="ab", outflows="bc", non_negative=True)
                 + flow("bc", "3")
                 + stock("c", "0", inflows="bc", outflows="cd", non_negative=True)
                 + flow("cd", "3") + stock("d", "0", inflows="cd"))
    results = model_of(variables, stop=12, dt=0.25, method=method).run()
    total = results[["a", "b", "c", "d"]].sum(axis=1).to_numpy()
    assert np.allclose(total, 10.0, rtol=0, atol=1e-12)
    assert (results[["a", "b", "c"]].to_numpy() >= -1e-12).all()
    assert results["d"].iloc[-1] == pytest.approx(10.0)


def test_euler_chain_values_by_hand() -> None:
    """a = 3 -> b -> out of the model, both outflows asking 2, dt 1. Step 0: ab = MIN(3, 2)
    = 2; bx = MIN(0 + 2, 2) = 2 (b's inflow counts). a = 1, b = 0. Step 1: ab = 1, bx =
    MIN(0 + 1, 2) = 1; a = 0, b = 0. Material leaving the model: 2 + 1 = 3, all of it."""
    results = model_of(stock("a", "3", outflows="ab", non_negative=True) + flow("ab", "2")
                       + stock("b", "0", inflows="ab", outflows="bx", non_negative=True)
                       + flow("bx", "2") + stock("gone", "0", inflows="bx"), stop=3).run()
    assert list(results["bx"]) == [2, 1, 0, 0]
    assert list(results["gone"]) == [0, 2, 3, 3]


def test_feedback_loop_of_non_negative_stocks_runs() -> None:
    """s -> i -> r -> s (a cycle of flows, each draining a non-negative stock): the
    outflows cannot all wait for their stock's inflows, yet the model runs, conserves its
    100 people and never goes negative."""
    variables = (stock("s", "90", inflows="back", outflows="sick", non_negative=True)
                 + stock("i", "10", inflows="sick", outflows="well", non_negative=True)
                 + stock("r", "0", inflows="well", outflows="back", non_negative=True)
                 + flow("sick", "40") + flow("well", "30") + flow("back", "r * 2"))
    for method in ("Euler", "RK4"):
        results = model_of(variables, stop=10, dt=0.5, method=method).run()
        total = results[["s", "i", "r"]].sum(axis=1).to_numpy()
        assert np.allclose(total, 100.0, atol=1e-9)
        assert (results[["s", "i", "r"]].to_numpy() >= -1e-9).all()


def test_arrayed_stocks_limit_element_by_element() -> None:
    """s[a] = 1 and s[b] = 5 drain 2 each (dt 1): out[a] = MIN(1, 2) = 1, out[b] = 2."""
    results = model_of(stock("s", "IF P = 1 THEN 1 ELSE 5", outflows="out", dims="P",
                             non_negative=True) + flow("out", "2", dims="P"),
                       dimensions=PLACES, stop=1).run()
    assert list(results["out[a]"]) == [1, 0]
    assert list(results["out[b]"]) == [2, 2]


def test_ensemble_runs_limit_each_run() -> None:
    """Two runs with initial s 1 and 5, outflow 2: run 0 takes 1, run 1 takes 2 (the vector
    backend limits per run, as the scalar backend does for one run)."""
    model = model_of(stock("s", "3", outflows="out", non_negative=True) + flow("out", "2"),
                     stop=1)
    ensemble = model.run_many(pd.DataFrame({"s": [1.0, 5.0]}))
    assert list(ensemble.run(0)["out"]) == [1, 0]
    assert list(ensemble.run(1)["out"]) == [2, 2]
    assert list(model.run(params={"s": 1})["out"]) == [1, 0]
