"""wholesystem.run.simulate: time settings a run cannot use are SimulationErrors with a span."""

from __future__ import annotations

import dataclasses

import pytest
from xmile_factory import stock, xmile

from wholesystem.errors import SimulationError
from wholesystem.parse import read_vensim_text, read_xmile_text
from wholesystem.run import Model


def model_with(**specs: float | None) -> Model:
    project = read_xmile_text(xmile(stock("level", "1")), "m.xmile")
    return Model(dataclasses.replace(project, sim_specs=dataclasses.replace(
        project.sim_specs, **specs)))


@pytest.mark.parametrize(("specs", "message"), [
    ({"stop": -2.5}, "not a positive number of time steps"),
    ({"stop": float("inf")}, "not a positive number of time steps"),
    ({"save_step": float("nan")}, "save interval"),
    ({"save_step": -1.0}, "save interval"),
])
def test_unusable_time_settings_name_the_sim_specs(specs: dict[str, float],
                                                    message: str) -> None:
    with pytest.raises(SimulationError, match=message) as caught:
        model_with(**specs).run()
    assert str(caught.value).startswith("m.xmile:4:1:")


def test_a_save_interval_longer_than_the_run_keeps_the_first_row() -> None:
    results = model_with(stop=3.0, save_step=10.0).run()
    assert results.index.tolist() == [0.0]


def test_an_unknown_method_in_the_model_names_the_sim_specs() -> None:
    with pytest.raises(SimulationError, match="unknown integration method 'gear'") as caught:
        model_with(method="gear").run()
    assert str(caught.value).startswith("m.xmile:4:1:")


ARRAYED = """{UTF-8}
place: (p1-p3) ~~|
start[place] = 1 ~~|
stock[place] :EXCEPT: [p2] = INTEG(1, start[place]) ~~|
stock[p2] = INTEG(2, start[p2]) ~~|
INITIAL TIME = 0 ~~|
FINAL TIME = 1 ~~|
TIME STEP = 1 ~~|
"""


@pytest.mark.parametrize(("value", "runs"), [(5.0, 1), ([5.0, 6.0], 2)])
def test_one_value_for_an_array_constant_reaches_elements_used_one_by_one(
        value: float | list[float], runs: int) -> None:
    model = Model(read_vensim_text(ARRAYED, "m.mdl"))
    if runs == 1:
        assert model.run(params={"start": value})["stock[p2]"].tolist() == [5.0, 7.0]
    else:
        ensemble = model.run_many({"start": value})
        assert ensemble.variable("stock[p3]").iloc[0].tolist() == [5.0, 6.0]
