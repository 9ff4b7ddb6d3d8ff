"""Elements defined from other elements of the same variable (issue 11): computed element
by element (``wholesystem.ir.elements``), a genuine loop between elements refused with
its place in the file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from xmile_factory import model_of, stock

from wholesystem.check import check_project
from wholesystem.errors import CircularDefinitionError
from wholesystem.ir.model import Project
from wholesystem.parse import read_vensim_text
from wholesystem.run import Model

SPECS = """INITIAL TIME = 0 ~~|
FINAL TIME = 2 ~~|
TIME STEP = 1 ~~|
SAVEPER = 1 ~~|
"""


def vensim_project(equations: str) -> Project:
    return read_vensim_text("{UTF-8}\n" + equations + SPECS, "m.mdl")


def vensim(equations: str) -> Model:
    return Model(vensim_project(equations))


def first_row(model: Model) -> dict[str, float]:
    return model.run().iloc[0].to_dict()


def test_second_element_reads_the_first() -> None:
    """``x[a1] = 1``, ``x[a2] = x[a1] * 2``: x[a2] = 1 * 2 = 2, and y = x[a2] + 1 = 3."""
    model = vensim("dim: a1, a2 ~~|\nx[a1] = 1 ~~|\nx[a2] = x[a1] * 2 ~~|\n"
                   "y = x[a2] + 1 ~~|\n")
    row = first_row(model)
    assert (row["x[a1]"], row["x[a2]"], row["y"]) == (1, 2, 3)
    assert check_project(model.project) == ()  # no algebraic loop reported either


def test_chain_of_four_elements_written_in_reverse_order() -> None:
    """Each element doubles the one before plus Time, defined last to first so file order
    is no help: at t = 0, x[a1] = 1, x[a2] = 2, x[a3] = 4, x[a4] = 8; at t = 2 (Time
    added at each link), x[a2] = 1*2 + 2 = 4, x[a3] = 4*2 + 2 = 10, x[a4] = 10*2 + 2 = 22."""
    model = vensim("dim: a1, a2, a3, a4 ~~|\nx[a4] = x[a3] * 2 + Time ~~|\n"
                   "x[a3] = x[a2] * 2 + Time ~~|\nx[a2] = x[a1] * 2 + Time ~~|\n"
                   "x[a1] = 1 ~~|\n")
    frame = model.run()
    assert [frame[f"x[a{i}]"].iloc[0] for i in range(1, 5)] == [1, 2, 4, 8]
    assert [frame[f"x[a{i}]"].iloc[2] for i in range(1, 5)] == [1, 4, 10, 22]


def test_stella_non_apply_to_all_aux() -> None:
    """XMILE elements each with their own <eqn>: North = 10, South = North + 5 = 15,
    East = South * North = 150."""
    pop = ('<aux name="pop"><dimensions><dim name="Place"/></dimensions>'
           '<element subscript="East"><eqn>pop[South] * pop[North]</eqn></element>'
           '<element subscript="North"><eqn>10</eqn></element>'
           '<element subscript="South"><eqn>pop[North] + 5</eqn></element></aux>')
    dims = '<dim name="Place"><elem name="North"/><elem name="South"/><elem name="East"/></dim>'
    row = model_of(pop, dimensions=dims, stop=2).run().iloc[0]
    assert [row["pop[North]"], row["pop[South]"], row["pop[East]"]] == [10, 15, 150]


def test_subrange_and_dimension_names_in_element_equations() -> None:
    """``x[later] = x[a1] + Time`` defines a2 and a3 from a1 (= 1); ``x[total] =
    SUM(x[parts!])`` sums a1..a3, which excludes total itself, so it is no loop:
    at t = 0 total = 1 + 1 + 1 = 3, at t = 1 total = 1 + 2 + 2 = 5."""
    model = vensim("dim: a1, a2, a3, total ~~|\nparts: a1, a2, a3 ~~|\nlater: a2, a3 ~~|\n"
                   "x[a1] = 1 ~~|\nx[later] = x[a1] + Time ~~|\n"
                   "x[total] = SUM(x[parts!]) ~~|\n")
    frame = model.run()
    assert list(frame["x[total]"]) == [3, 5, 7]
    assert list(frame["x[a3]"]) == [1, 2, 3]


def test_element_reads_another_through_a_mapping() -> None:
    """``early: a1, a2 -> late`` maps early[i] to late[i], so ``x[late] = x[early] * 2``
    reads x[a2] = x[a1] * 2 = 2 and x[a3] = x[a2] * 2 = 4 (a chain through the mapping)."""
    model = vensim("dim: a1, a2, a3 ~~|\nearly: a1, a2 -> late ~~|\nlate: a2, a3 ~~|\n"
                   "x[a1] = 1 ~~|\nx[late] = x[early] * 2 ~~|\n")
    row = first_row(model)
    assert [row["x[a1]"], row["x[a2]"], row["x[a3]"]] == [1, 2, 4]


def test_two_dimensions_each_row_reads_its_own_first_column() -> None:
    """``g[r, c1] = r * 10`` (r's number), ``g[r, c2] = g[r, c1] + 1``: the bound row
    name picks the same row, so g[r2, c2] = 20 + 1 = 21."""
    model = vensim("r: r1, r2 ~~|\nc: c1, c2 ~~|\ng[r, c1] = r * 10 ~~|\n"
                   "g[r, c2] = g[r, c1] + 1 ~~|\n")
    row = first_row(model)
    assert [row["g[r1,c2]"], row["g[r2,c1]"], row["g[r2,c2]"]] == [11, 20, 21]


def test_loop_between_elements_is_refused_with_its_place() -> None:
    """``x[a1] = x[a2]`` and ``x[a2] = x[a1] * 2`` need each other: a genuine loop,
    named element by element at x[a1]'s definition (line 3, column 1)."""
    project = vensim_project("dim: a1, a2 ~~|\nx[a1] = x[a2] ~~|\nx[a2] = x[a1] * 2 ~~|\n")
    with pytest.raises(CircularDefinitionError, match=r"m\.mdl:3:1: .*x\[a1\] -> x\[a2\]"):
        Model(project).run()
    (found,) = check_project(project)
    assert found.code == "algebraic-loop"
    assert "'x[a1]' -> 'x[a2]'" in found.message
    assert (found.span.line, found.span.column) == (3, 9)


def test_element_summing_all_elements_including_itself_is_a_loop() -> None:
    """``x[a2] = SUM(x[dim!])`` reads x[a2] itself: a loop, reported with its place."""
    project = vensim_project("dim: a1, a2 ~~|\nx[a1] = 1 ~~|\nx[a2] = SUM(x[dim!]) ~~|\n")
    with pytest.raises(CircularDefinitionError, match=r"m\.mdl:\d+:\d+: .*x\[a2\]"):
        Model(project).run()
    (found,) = check_project(project)
    assert found.code == "algebraic-loop"
    assert found.span.line == 4


FLOW_MODEL = (
    '<flow name="inflow"><dimensions><dim name="Place"/></dimensions>'
    '<element subscript="North"><eqn>rate</eqn></element>'
    '<element subscript="South"><eqn>inflow[North] * 2</eqn></element></flow>'
    '<aux name="rate"><eqn>1</eqn></aux>'
    + stock("tank", "5", inflows="inflow", dims="Place"))
FLOW_DIMS = '<dim name="Place"><elem name="North"/><elem name="South"/></dim>'


def test_flow_elements_reading_each_other_feed_a_stock() -> None:
    """inflow[North] = 1, inflow[South] = 2 * 1 = 2 each step; by Euler (dt = 1) from
    5: tank[North] = 5, 6, 7, 8 and tank[South] = 5, 7, 9, 11 at t = 0..3."""
    frame = model_of(FLOW_MODEL, dimensions=FLOW_DIMS, stop=3).run()
    assert list(frame["tank[North]"]) == [5, 6, 7, 8]
    assert list(frame["tank[South]"]) == [5, 7, 9, 11]
    assert list(frame["inflow[South]"]) == [2, 2, 2, 2]


def test_stock_initial_values_reading_each_other() -> None:
    """Stock elements whose initial values read each other: s[a1] starts at 3, s[a2] at
    s[a1] + 1 = 4; the inflow of 1 each step adds 1 per step to both (Euler, dt = 1)."""
    model = vensim("dim: a1, a2 ~~|\ns[a1] = INTEG(1, 3) ~~|\ns[a2] = INTEG(1, s[a1] + 1) ~~|\n")
    frame = model.run()
    assert list(frame["s[a1]"]) == [3, 4, 5]
    assert list(frame["s[a2]"]) == [4, 5, 6]


def test_ensemble_equals_single_runs() -> None:
    """Three runs of the flow model with rate = 1, 2, 3 in one vectorised ensemble give
    what three single runs give (tank[South] at t = 3: 5 + 3 * 2 * rate = 11, 17, 23)."""
    model = model_of(FLOW_MODEL, dimensions=FLOW_DIMS, stop=3)
    rates = [1.0, 2.0, 3.0]
    ensemble = model.run_many(pd.DataFrame({"rate": rates}))
    for index, rate in enumerate(rates):
        single = model.run(params={"rate": rate})
        together = ensemble.run(index)[single.columns]
        np.testing.assert_allclose(together.to_numpy(), single.to_numpy())
    assert [ensemble.run(i)["tank[South]"].iloc[-1] for i in range(3)] == [11, 17, 23]
