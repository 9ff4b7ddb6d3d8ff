"""wholesystem.run.simulate: time settings a run cannot use are SimulationErrors with a span."""

from __future__ import annotations

import dataclasses

import pytest
from xmile_factory import stock, xmile

from wholesystem.errors import SimulationError
from wholesystem.parse import read_xmile_text
from wholesystem.run import Model


def model_with(**specs: float | None) -> Model:
    project = read_xmile_text(xmile(stock("level", "1")), "m.xmile")
    return Model(dataclasses.replace(project, sim_specs=dataclasses.replace(
        project.sim_specs, **specs)))


@pytest.mark.parametrize(("specs", "message"), [
    ({"dt": 1e-300}, "more than 1,000,000,000"),
    ({"stop": 1e300}, "more than 1,000,000,000"),
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
