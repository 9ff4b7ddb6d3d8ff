"""Scenarios are parameter sets over one compiled model: every bundled system runs all its
scenarios on the model compiled once for the baseline, each exactly as the scenario
lowered and compiled on its own."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from system_factory import MINIMAL

import wholesystem
from wholesystem.run import Model
from wholesystem.system import read_system_text
from wholesystem.system.ledger import build_ledger
from wholesystem.system.lower import lower_system
from wholesystem.system.model import SystemModel, load_system
from wholesystem.system.scenarios import apply_scenario

EXAMPLES = ["delayed_discharge_system", "hospital_discharge", "older_people"]


def _alone(system: SystemModel, scenario: str) -> dict[str, np.ndarray]:
    """The scenario lowered without the other scenarios and compiled on its own."""
    project, _ = lower_system(apply_scenario(system.spec, scenario))
    model = Model(project)
    frame = model.run()
    names = {o.display: o.name for o in model.compiled.outputs}
    return {names.get(c, c): frame[c].to_numpy() for c in frame.columns}


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_scenario_runs_on_one_compiled_model_unchanged(example: str) -> None:
    system = load_system(wholesystem.example_path(example))
    for scenario in system.scenarios:
        shared = system.simulate(scenario).results
        for name, values in _alone(system, scenario).items():
            np.testing.assert_array_equal(shared[name].to_numpy(), values,
                                          err_msg=f"{scenario}: {name}")
    assert system.compiled_models() == 1
    models = {id(system.model(s)[2].compiled) for s in system.scenarios}
    assert len(models) == 1


def test_a_scenario_is_its_parameter_set() -> None:
    system = load_system(wholesystem.example_path("delayed_discharge_system"))
    assert system.scenario_parameters("fewer_packages") == {"home_care capacity": 700.0}
    assert system.scenario_parameters("baseline") == {}
    # The scenario's model runs the scenario, also for callers of the engine model.
    engine = system.model("fewer_packages")[2]
    frame = engine.run_many({"hospital cost per occupied day": [400.0]}).run(0)
    np.testing.assert_array_equal(frame.to_numpy(),
                                  system.run("fewer_packages").to_numpy())
    assert engine.constants["home_care capacity"] == 700.0


def test_stays_of_another_shape_are_switched_not_recompiled() -> None:
    """hospital_discharge's 'shorter_stays' gives lognormal stays of other means: both
    shapes are lowered, and the switch picks the one in force."""
    system = load_system(wholesystem.example_path("hospital_discharge"))
    changed = system.scenario_parameters("shorter_stays")
    assert changed["p1_b length of stay in force"] == 0.0
    assert changed["p1_b length of stay (shape 2) in force"] == 1.0
    assert system.compiled_models() == 1


def test_intervention_costs_not_applied_are_charged_nothing() -> None:
    system = load_system(wholesystem.example_path("older_people"))
    base = build_ledger(system.simulate())
    assert base.interventions == ()
    assert system.simulate().results["falls prevention cost"].abs().max() == 0.0
    funded = build_ledger(system.simulate("falls_prevention"))
    assert [i.id for i in funded.interventions] == ["falls_prevention"]
    # 150,000 a year (150000/365 a day) over the two-year horizon (730 days), plus 30,000
    # at the start: 330,000.
    assert system.spec.time.horizon == 730
    assert funded.interventions[0].cost == pytest.approx(330_000, rel=1e-9)


def test_a_routing_change_gets_a_model_of_its_own(tmp_path: Path) -> None:
    text = MINIMAL + """\
interventions:
  reroute:
    changes:
      - change: routing
        from: ward
        routes:
          - {to: leave, fraction: 1.0}
scenarios:
  rerouted: [reroute]
"""
    system = SystemModel(read_system_text(text, str(tmp_path / "r.yaml")))
    shared = system.simulate("rerouted").results
    for name, values in _alone(system, "rerouted").items():
        np.testing.assert_array_equal(shared[name].to_numpy(), values)
    system.simulate()
    assert system.compiled_models() == 2
