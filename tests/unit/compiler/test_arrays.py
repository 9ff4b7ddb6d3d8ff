"""Arrays: apply-to-all and per-element equations, subscripts, reductions."""

from __future__ import annotations

import numpy as np
import pytest
from xmile_factory import aux, flow, model_of, stock

from wholesystem.errors import ModelStructureError, UnknownNameError

DIMS = ('<dim name="Place"><elem name="North"/><elem name="South"/><elem name="East"/></dim>'
        '<dim name="Age" size="2"/>')


def run(variables: str, **kwargs: object):
    return model_of(variables, dimensions=DIMS, stop=kwargs.pop("stop", 2), **kwargs).run()


def test_apply_to_all_and_reductions() -> None:
    pop = ('<aux name="pop"><dimensions><dim name="Place"/></dimensions>'
           '<element subscript="North"><eqn>10</eqn></element>'
           '<element subscript="South"><eqn>20</eqn></element>'
           '<element subscript="East"><eqn>30</eqn></element></aux>')
    results = run(pop + aux("double", "pop * 2", "Place") + aux("total", "SUM(pop[*])")
                  + aux("mean", "MEAN(pop[*])") + aux("biggest", "MAX(pop[*])")
                  + aux("north", "pop[North]") + aux("second", "pop[2]")
                  + aux("share", "pop / SUM(pop[*])", "Place"))
    row = results.iloc[0]
    assert [row["double[North]"], row["double[South]"], row["double[East]"]] == [20, 40, 60]
    assert (row["total"], row["mean"], row["biggest"], row["north"], row["second"]) == (
        60, 20, 30, 10, 20)
    assert row["share[East]"] == pytest.approx(0.5)


def test_two_dimensions_transpose_and_partial_sum() -> None:
    grid = aux("grid", "Place * 10 + Age", "Place Age")
    flipped = aux("flipped", "grid", "Age Place")
    by_place = aux("by place", "SUM(grid[Place, *])", "Place")
    results = run(grid + flipped + by_place)
    row = results.iloc[0]
    assert row["grid[South,2]"] == 22
    assert row["flipped[2,South]"] == 22
    assert row["by place[East]"] == 31 + 32


def test_arrayed_stocks_integrate_per_element() -> None:
    results = run(stock("s", "Place", inflows="f", dims="Place") + flow("f", "Place * 2", "Place"),
                  stop=3)
    assert list(results["s[East]"]) == [3, 9, 15, 21]


def test_constant_list_fills_elements_in_order() -> None:
    results = run(aux("v", "4, 5, 6", "Place") + aux("m", "MIN(v[Place])"))
    assert results.iloc[0]["v[South]"] == 5
    assert results.iloc[0]["m"] == 4


def test_unknown_element_is_reported_with_position() -> None:
    with pytest.raises(UnknownNameError) as err:
        run(aux("v", "1", "Place") + aux("w", "v[West]"))
    assert "m.xmile:" in str(err.value)
    assert "West" in str(err.value)


def test_equation_with_extra_dimension_is_rejected() -> None:
    with pytest.raises(ModelStructureError, match="does not have"):
        run(aux("v", "Place", "Place") + aux("scalar", "v"))


def test_vectorised_runs_equal_separate_runs() -> None:
    model = model_of(stock("s", "1", inflows="f", dims="Place") + flow("f", "s * rate", "Place")
                     + aux("rate", "0.1"), dimensions=DIMS, stop=5)
    rates = [0.05, 0.1, 0.2]
    ensemble = model.run_many({"rate": rates})
    for index, rate in enumerate(rates):
        single = model.run(params={"rate": rate})
        assert np.allclose(ensemble.run(index).to_numpy(), single.to_numpy())


@pytest.mark.parametrize("inflow_dims", ["Place", "Place Age"])
def test_a_flow_with_dimensions_its_stock_lacks_is_a_structure_error(inflow_dims: str) -> None:
    with pytest.raises(ModelStructureError, match="stock 'level': its flow 'arrivals' varies over"):
        run(stock("level", "0", inflows="arrivals", dims="Age")
            + flow("arrivals", "1", inflow_dims))


def test_a_subscript_computed_per_element_reads_that_element() -> None:
    """a[d] = 10 * d is 10, 20, 30. b[d] = a[d - 1] (0 for the first) reads, for element
    i, element i - 1: 0, 10, 20; c[d] = a[4 - d] reads them backwards: 30, 20, 10. An
    ensemble of two runs gives each run the same."""
    from xmile_factory import aux, model_of

    dims = '<dim name="d"><elem name="e1"/><elem name="e2"/><elem name="e3"/></dim>'
    a = '<aux name="a"><dimensions><dim name="d"/></dimensions><eqn>10 * d * k</eqn></aux>'
    model = model_of(a + aux("k", "1") + aux("b", "IF d = 1 THEN 0 ELSE a[d - 1]", "d")
                     + aux("c", "a[4 - d]", "d"), dimensions=dims, stop=0)
    row = model.run().iloc[0]
    assert [row[f"b[e{i}]"] for i in (1, 2, 3)] == [0, 10, 20]
    assert [row[f"c[e{i}]"] for i in (1, 2, 3)] == [30, 20, 10]
    ensemble = model.run_many({"k": [1.0, 2.0]})
    column = list(ensemble.columns).index("b[e3]")
    assert ensemble.values[0, :, column].tolist() == [20, 40]
