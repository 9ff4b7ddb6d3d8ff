"""Vensim's builtins, checked against the equations of Vensim's reference manual.

Models are written in XMILE text and marked as Vensim (``format="mdl"``), with multi-word
names spelled with underscores (``DELAY_FIXED``); the registry treats ``_`` as a space.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from xmile_factory import aux, xmile

from wholesystem.errors import ArityError, ModelStructureError, UnsupportedFeatureError
from wholesystem.parse import read_xmile_text
from wholesystem.run import Model

COMPANIES = ('<dim name="company"><elem name="c1"/><elem name="c2"/><elem name="c3"/></dim>'
             '<dim name="scompany"><elem name="s1"/><elem name="s2"/><elem name="s3"/></dim>'
             '<dim name="pprofile"><elem name="ptype"/><elem name="ppriority"/>'
             '<elem name="pwidth"/><elem name="pextra"/></dim>')


def mdl(variables: str, **kwargs: object) -> Model:
    project = read_xmile_text(xmile(variables, **kwargs), "m.xmile")  # type: ignore[arg-type]
    return Model(dataclasses.replace(project, format="mdl"))


def column(variables: str, name: str, **kwargs: object) -> list[float]:
    return [float(v) for v in mdl(variables, **kwargs).run()[name]]


def array(name: str, dims: str, values: dict[str, float]) -> str:
    dim_xml = "".join(f'<dim name="{d}"/>' for d in dims.split())
    elements = "".join(f'<element subscript="{s}"><eqn>{v}</eqn></element>'
                       for s, v in values.items())
    return f'<aux name="{name}"><dimensions>{dim_xml}</dimensions>{elements}</aux>'


REVENUE = array("rev", "company", {"c1": 5000, "c2": 3000, "c3": 8000})


# -- memory and initial values --------------------------------------------------------
def test_initial_and_reinitial_hold_the_start_value() -> None:
    results = mdl(aux("x", "TIME * 2") + aux("i", "INITIAL(x + 3)")
                  + aux("r", "REINITIAL(x)"), stop=3).run()
    assert list(results["i"]) == [3.0] * 4
    assert list(results["r"]) == [0.0] * 4


def test_active_initial_uses_its_initial_equation_while_initialising() -> None:
    # b's initial value needs a, whose active equation needs b: only the initial
    # equation breaks the loop at the start
    results = mdl(aux("a", "ACTIVE_INITIAL(b * 2, 5)")
                  + '<stock name="b"><eqn>a + 1</eqn><inflow>f</inflow></stock>'
                  + '<flow name="f"><eqn>1</eqn></flow>', stop=2).run()
    assert list(results["b"]) == [6.0, 7.0, 8.0]
    assert list(results["a"]) == [12.0, 14.0, 16.0]


def test_sample_if_true_holds_its_last_sample() -> None:
    values = column(aux("x", "TIME * 10")
                    + aux("s", "SAMPLE_IF_TRUE(MODULO(TIME, 3) = 1, x, -5)"), "s", stop=7)
    assert values == [-5, 10, 10, 10, 40, 40, 40, 70]


def test_nested_integ_is_a_stock() -> None:
    assert column(aux("s", "INTEG(2, 1) + 0"), "s", stop=3) == [1, 3, 5, 7]


# -- smooths --------------------------------------------------------------------------
def test_smooth_and_smoothi() -> None:
    results = mdl(aux("x", "STEP(10, 1)") + aux("s", "SMOOTH(x, 4)")
                  + aux("si", "SMOOTHI(x, 4, 2)"), stop=4).run()
    expected, expected_i = [0.0], [2.0]
    for t in range(4):
        x = 10.0 if t + 0.5 > 1 else 0.0
        expected.append(expected[-1] + (x - expected[-1]) / 4)
        expected_i.append(expected_i[-1] + (x - expected_i[-1]) / 4)
    assert np.allclose(results["s"], expected)
    assert np.allclose(results["si"], expected_i)


def test_smooth3_is_three_smooths_over_a_third_of_the_time() -> None:
    results = mdl(aux("x", "STEP(9, 1)") + aux("a", "SMOOTH3(x, 6)")
                  + aux("b", "SMOOTH(SMOOTH(SMOOTH(x, 2), 2), 2)")
                  + aux("c", "SMOOTH_N(x, 6, x, 3)") + aux("d", "SMOOTH3I(x, 6, 4)"),
                  dt=0.5, stop=10).run()
    assert np.allclose(results["a"], results["b"])
    assert np.allclose(results["a"], results["c"])
    assert results["d"].iloc[0] == 4.0


# -- delays ---------------------------------------------------------------------------
def test_delay3i_starts_every_stock_at_initial_times_a_third_of_the_delay() -> None:
    values = column(aux("x", "0") + aux("d", "DELAY3I(x, 6, 3)"), "d", stop=2, dt=0.5)
    # three stocks of 3 * 6/3 each and no input: the outflow (last stock / 2) stays at 3
    # until the emptying of the first stock reaches the last one
    levels = [6.0, 6.0, 6.0]
    expected = []
    for _ in range(5):
        expected.append(levels[2] / 2)
        flows = [0.0] + [level / 2 for level in levels]
        levels = [level + 0.5 * (flows[i] - flows[i + 1]) for i, level in enumerate(levels)]
    assert values[0] == 3.0
    assert np.allclose(values, expected)


def test_delay_n_conserves_material_and_matches_delay1i() -> None:
    results = mdl(aux("x", "PULSE(1, 1) * 100") + aux("a", "DELAY_N(x, 3, 0, 1)")
                  + aux("b", "DELAY1I(x, 3, 0)") + aux("c", "DELAY_N(x, 3, 0, 4)"),
                  dt=0.25, stop=60).run()
    assert np.allclose(results["a"], results["b"])
    assert results["c"].sum() * 0.25 == pytest.approx(100, rel=1e-3)


def test_delay_fixed_shifts_by_its_initial_delay_time() -> None:
    values = column(aux("x", "TIME") + aux("t", "3 + TIME")
                    + aux("d", "DELAY_FIXED(x, t, -1)"), "d", stop=7)
    assert values == [-1, -1, -1, 0, 1, 2, 3, 4]


def test_delay_fixed_is_at_least_one_time_step() -> None:
    values = column(aux("x", "TIME") + aux("d", "DELAY_FIXED(x, 0, -1)"), "d", stop=3)
    assert values == [-1, 0, 1, 2]


def test_delay_material_conserves_what_enters() -> None:
    results = mdl(aux("x", "1") + aux("t", "IF_THEN_ELSE(TIME &lt; 3, 3, 1)")
                  + aux("d", "DELAY_MATERIAL(x, t, 7, -9)"), stop=8).run()
    values = list(results["d"])
    # inputs of steps 0, 1, 2 leave 3 steps later; from step 3 on they leave after 1, so
    # steps 3 and 4 both receive two units and nothing is missing afterwards
    assert values[:3] == [7, 7, 7]
    assert values[3:6] == [1, 2, 2]
    assert values[6:] == [1, 1, 1]


def test_delay_information_follows_a_changing_delay() -> None:
    values = column(aux("x", "TIME") + aux("t", "IF_THEN_ELSE(TIME &lt; 4, 2, 1)")
                    + aux("d", "DELAY_INFORMATION(x, t, 0)"), "d", stop=6)
    assert values == [0, 0, 0, 1, 3, 4, 5]


# -- trend, forecast, npv -------------------------------------------------------------
def test_trend_follows_vensim_equations() -> None:
    values = column(aux("x", "-(TIME + 1)") + aux("tr", "TREND(x, 2, 0.5)"), "tr", stop=3)
    average, expected = -1 / (1 + 0.5 * 2), []
    for t in range(4):
        x = -(t + 1.0)
        expected.append((x - average) / (2 * abs(average)))
        average += (x - average) / 2
    assert np.allclose(values, expected)


def test_forecast_extrapolates_along_trend() -> None:
    values = column(aux("x", "TIME + 1") + aux("f", "FORECAST(x, 2, 4)"), "f", stop=3)
    average, expected = 1.0, []
    for t in range(4):
        x = t + 1.0
        expected.append(x * (1 + (x - average) / (2 * average) * 4))
        average += (x - average) / 2
    assert np.allclose(values, expected)


def test_npv_accumulates_the_discounted_stream() -> None:
    values = column(aux("npv", "NPV(10, 0.1, 5, 2)"), "npv", stop=3)
    accumulated, discount, expected = 5.0, 1.0, []
    for _ in range(4):
        expected.append((accumulated + 10 * 1 * discount) * 2)
        accumulated += 10 * discount
        discount -= discount * 0.1 / (1 + 0.1)
    assert np.allclose(values, expected)


# -- time inputs ----------------------------------------------------------------------
def test_pulse_step_pulse_train_ramp_time_base() -> None:
    results = mdl(aux("p", "PULSE(2, 3)") + aux("p0", "PULSE(2, 0)")
                  + aux("s", "STEP(4, 2.5)") + aux("pt", "PULSE_TRAIN(1, 1, 3, 7)")
                  + aux("r", "RAMP(2, 1, 3)") + aux("tb", "TIME_BASE(1970, 0.5)")
                  + aux("g", "GET_TIME_VALUE(0, 2, 0)"), stop=8).run()
    assert list(results["p"]) == [0, 0, 1, 1, 1, 0, 0, 0, 0]
    assert list(results["p0"]) == [0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert list(results["s"]) == [0, 0, 0, 4, 4, 4, 4, 4, 4]
    assert list(results["pt"]) == [0, 1, 0, 0, 1, 0, 0, 1, 0]
    assert list(results["r"]) == [0, 0, 2, 4, 4, 4, 4, 4, 4]
    assert list(results["tb"]) == [1970 + 0.5 * t for t in range(9)]
    assert list(results["g"]) == [t + 2.0 for t in range(9)]


# -- mathematics ----------------------------------------------------------------------
@pytest.mark.parametrize(("equation", "expected"), [
    ("INTEGER(-2.5)", -2.0), ("INTEGER(5.4)", 5.0), ("MODULO(7, 3)", 1.0),
    ("QUANTUM(-1.9, 1)", -1.0), ("QUANTUM(423, 63)", 378.0), ("QUANTUM(5, 0)", 5.0),
    ("POWER(2, 10)", 1024.0), ("LOG(8, 2)", 3.0), ("ZIDZ(1, 0)", 0.0), ("ZIDZ(3, 2)", 1.5),
    ("XIDZ(1, 0, 9)", 9.0), ("GAME(4)", 4.0), ("MIN(3, 2)", 2.0), ("ABS(-3)", 3.0),
    ("IF_THEN_ELSE(1 > 2, 3, 4)", 4.0), ("EXP(0)", 1.0), ("SQRT(9)", 3.0),
])
def test_mathematical_functions(equation: str, expected: float) -> None:
    assert column(aux("v", equation), "v", stop=0) == [expected]


# -- lookups --------------------------------------------------------------------------
LOOK = ('<gf name="look"><xscale min="0" max="2"/><ypts>1,1,2</ypts></gf>')


@pytest.mark.parametrize(("equation", "expected"), [
    ("LOOKUP_FORWARD(look, -1)", 1.0), ("LOOKUP_FORWARD(look, 1.5)", 2.0),
    ("LOOKUP_FORWARD(look, 2.5)", 2.0), ("LOOKUP_BACKWARD(look, 1.5)", 1.0),
    ("LOOKUP_BACKWARD(look, 2.5)", 2.0), ("LOOKUP_AREA(look, 0, 1)", 1.0),
    ("LOOKUP_AREA(look, 2, 4)", 4.0), ("LOOKUP_AREA(look, 0.5, 2.5)", 3.0),
    ("LOOKUP_EXTRAPOLATE(look, 3)", 3.0), ("LOOKUP_INVERT(look, 1.5)", 1.5),
])
def test_lookup_functions_match_the_manual(equation: str, expected: float) -> None:
    assert column(LOOK + aux("v", equation), "v", stop=0) == [pytest.approx(expected)]


# -- random numbers -------------------------------------------------------------------
def test_random_draws_are_seeded_and_per_element() -> None:
    model = mdl(aux("u", "RANDOM_UNIFORM(2, 3, 0)") + aux("n", "RANDOM_NORMAL(-1, 1, 0, 5, 0)")
                + aux("e", "RANDOM_UNIFORM(0, 1, 0)", "company"),
                dimensions=COMPANIES, stop=50)
    first, second = model.run(), model.run()
    assert first.equals(second)
    assert first["u"].between(2, 3).all()
    assert first["u"].nunique() > 40
    assert first["n"].between(-1, 1).all()
    assert first["e[c1]"].iloc[0] != first["e[c2]"].iloc[0]


def test_random_run_does_not_depend_on_ensemble_size() -> None:
    model = mdl(aux("k", "1") + aux("u", "RANDOM_UNIFORM(0, 1, 0) * k"), stop=5)
    single = model.run()["u"].to_numpy()
    ensemble = model.run_many({"k": [1.0, 1.0, 1.0]})
    assert np.allclose(ensemble.values[:, 0, list(ensemble.columns).index("u")], single)


# -- arrays ---------------------------------------------------------------------------
def run_arrays(variables: str) -> dict[str, float]:
    row = mdl(REVENUE + variables, dimensions=COMPANIES, stop=0).run().iloc[0]
    return {str(k): float(v) for k, v in row.items()}


def test_vector_rank_sort_order_and_reorder() -> None:
    row = run_arrays(aux("rank", "VECTOR_RANK(rev[company], 1)", "company")
                     + aux("so", "VECTOR_SORT_ORDER(rev[company], 0)", "scompany")
                     + aux("sorted", "VECTOR_REORDER(rev[company], so[scompany])", "scompany"))
    assert [row[f"rank[c{i}]"] for i in (1, 2, 3)] == [2, 1, 3]  # the manual's example
    assert [row[f"so[s{i}]"] for i in (1, 2, 3)] == [2, 0, 1]
    assert [row[f"sorted[s{i}]"] for i in (1, 2, 3)] == [8000, 5000, 3000]


def test_vector_elm_map_offsets_from_an_element() -> None:
    row = run_arrays(aux("second", "VECTOR_ELM_MAP(rev[c1], 1)")
                     + aux("next", "VECTOR_ELM_MAP(rev[company], 1)", "company"))
    assert row["second"] == 3000
    assert (row["next[c1]"], row["next[c2]"]) == (3000, 8000)
    assert math.isnan(row["next[c3]"])


def test_vector_select_actions() -> None:
    row = run_arrays(array("pick", "company", {"c1": 1, "c2": 0, "c3": 2})
                     + array("none", "company", {"c1": 0, "c2": 0, "c3": 0})
                     + aux("wsum", "VECTOR_SELECT(pick[*], rev[*], -1, 0, 0)")
                     + aux("vmax", "VECTOR_SELECT(pick[*], rev[*], -1, 9, 0)")
                     + aux("mean", "VECTOR_SELECT(pick[*], rev[*], -1, 10, 0)")
                     + aux("missing", "VECTOR_SELECT(none[*], rev[*], -1, 0, 0)"))
    assert row["wsum"] == 5000 + 2 * 8000
    assert row["vmax"] == 8000
    assert row["mean"] == 6500
    assert row["missing"] == -1


def test_reductions_and_elmcount() -> None:
    row = run_arrays(aux("lo", "VMIN(rev[*])") + aux("hi", "VMAX(rev[*])")
                     + aux("n", "ELMCOUNT(company)") + aux("total", "SUM(rev[*])")
                     + aux("product", "PROD(rev[*]) / 1e9"))
    assert (row["lo"], row["hi"], row["n"], row["total"]) == (3000, 8000, 3, 16000)
    assert row["product"] == pytest.approx(120)


def test_allocate_available_shares_by_priority_profile() -> None:
    profiles = {f"{c},{p}": v for c, values in
                zip(("c1", "c2", "c3"), ((1, 5, 2, 0), (1, 7, 4, 0), (1, 3, 4, 0)), strict=True)
                for p, v in zip(("ptype", "ppriority", "pwidth", "pextra"), values, strict=True)}
    row = run_arrays(array("prio", "company pprofile", profiles)
                     + aux("some", "ALLOCATE_AVAILABLE(rev[company], prio[company, ptype], "
                                   "8000)", "company")
                     + aux("plenty", "ALLOCATE_AVAILABLE(rev[company], prio[company, ptype], "
                                     "1e6)", "company"))
    some = [row[f"some[c{i}]"] for i in (1, 2, 3)]
    assert sum(some) == pytest.approx(8000)
    # rectangular profiles: the highest priority is served in full, the others share
    # the rest at one priority level L: 5000 * ((5 - L) / 2 + 1/2) + 8000 * ((3 - L) / 4
    # + 1/2) = 5000, so L = 4 + 4/9
    level = 4 + 4 / 9
    assert some == pytest.approx([5000 * ((5 - level) / 2 + 0.5), 3000,
                                  8000 * ((3 - level) / 4 + 0.5)])
    assert [row[f"plenty[c{i}]"] for i in (1, 2, 3)] == [5000, 3000, 8000]


def test_allocate_available_refuses_a_written_constant_elasticity_profile() -> None:
    """Vensim's manual lists ptype 5, a truncated constant elasticity curve, without a
    definition we could read: a profile that writes ptype 5 is refused where it is
    written, naming the element, instead of giving NaN."""
    profiles = {"c1,ptype": 5, "c1,ppriority": 5, "c1,pwidth": 2, "c1,pextra": -1,
                "c2,ptype": 1, "c2,ppriority": 7, "c2,pwidth": 4, "c2,pextra": 0,
                "c3,ptype": 1, "c3,ppriority": 3, "c3,pwidth": 4, "c3,pextra": 0}
    with pytest.raises(UnsupportedFeatureError, match=r"m\.xmile:\d+:\d+: .*c1, ptype.*ptype 5"):
        run_arrays(array("prio", "company pprofile", profiles)
                   + aux("some", "ALLOCATE_AVAILABLE(rev[company], prio[company, ptype], "
                                 "8000)", "company"))


def test_allocate_by_priority_serves_higher_priorities_first() -> None:
    row = run_arrays(array("prio", "company", {"c1": 2, "c2": 1, "c3": 3})
                     + aux("got", "ALLOCATE_BY_PRIORITY(rev[company], prio[company], "
                                  "ELMCOUNT(company), 1, 9000)", "company"))
    assert [row[f"got[c{i}]"] for i in (1, 2, 3)] == pytest.approx([1000, 0, 8000])


# -- errors ---------------------------------------------------------------------------
def test_arity_errors_name_the_function_and_position() -> None:
    with pytest.raises(ArityError, match=r"m\.xmile:\d+:\d+: .*DELAY FIXED.*3"):
        mdl(aux("x", "1") + aux("d", "DELAY_FIXED(x, 3)"))
    with pytest.raises(ArityError, match="PULSE TRAIN"):
        mdl(aux("p", "PULSE_TRAIN(1, 2)"))


def test_orders_must_be_known_at_the_start() -> None:
    with pytest.raises(ModelStructureError, match="whole number"):
        mdl(aux("x", "TIME") + aux("d", "DELAY_N(x, 3, 0, x)"))


@pytest.mark.parametrize("order", ["1e400", "1e400 - 1e400"])
def test_orders_that_are_not_finite_are_errors(order: str) -> None:
    with pytest.raises(ModelStructureError, match="whole number"):
        mdl(aux("d", f"DELAY_N(TIME, 3, 0, {order})"))


def test_xmile_names_are_not_vensim_builtins() -> None:
    with pytest.raises(Exception, match="SMTH1"):
        mdl(aux("x", "1") + aux("s", "SMTH1(x, 2)"))


def test_stateful_calls_in_per_element_equations_see_their_element() -> None:
    results = mdl(REVENUE + '<aux name="s"><dimensions><dim name="company"/></dimensions>'
                  '<element subscript="c1"><eqn>SMOOTHI(rev[company], 2, 0)</eqn></element>'
                  '<element subscript="c2"><eqn>DELAY_FIXED(rev[company], 1, 0)</eqn>'
                  '</element><element subscript="c3"><eqn>INITIAL(rev[company])</eqn>'
                  '</element></aux>', dimensions=COMPANIES, stop=1).run()
    assert list(results["s[c1]"]) == [0, 2500]
    assert list(results["s[c2]"]) == [0, 3000]
    assert list(results["s[c3]"]) == [8000, 8000]


def test_seed_changes_the_draws() -> None:
    model = mdl(aux("u", "RANDOM_UNIFORM(0, 1, 0)"), stop=3)
    assert model.run(seed=1).equals(model.run(seed=1))
    assert not model.run(seed=1).equals(model.run(seed=2))
