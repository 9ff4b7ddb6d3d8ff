"""Results that keep the run axis: one compiled system run as an ensemble, read by the
ledger, the comparison and the conservation check exactly as single runs are."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import wholesystem
from wholesystem.errors import ModelStructureError, ParameterError, UnknownNameError
from wholesystem.system.conservation import run_conservation
from wholesystem.system.ledger import build_ledger, build_ledgers, ledger_table
from wholesystem.system.model import SystemModel, load_system
from wholesystem.system.shunts import compare_ledgers, compare_runs


def _short_hospital_discharge(days: float = 90.0) -> SystemModel:
    """The hospital-discharge system over a shorter horizon, so 1,000 single runs stay
    quick; the structure (nine pathways, weekly arrivals, lognormal stays) is the same."""
    spec = load_system(wholesystem.example_path("hospital_discharge")).spec
    return SystemModel(replace(spec, time=replace(spec.time, horizon=days)))


def test_a_1000_run_unit_cost_sweep_ledger_equals_1000_single_runs() -> None:
    system = _short_hospital_discharge()
    # P1 Bristol is a visits service paid per visit (P2 and P3 beds are paid per place)
    cost = "p1_b cost per visit"
    values = np.linspace(50.0, 500.0, 1000)
    ensemble = system.simulate_many({cost: values})
    assert ensemble.runs == 1000
    ledgers = build_ledgers(ensemble)
    for value, ledger in zip(values, ledgers, strict=True):
        single = build_ledger(system.simulate(params={cost: float(value)}))
        assert ledger == single  # exactly, field for field
    # The cost of the swept service is proportional to its unit cost: the visits made do
    # not depend on what a visit costs.
    costs = np.array([ledger.service("p1_b").cost for ledger in ledgers])
    np.testing.assert_allclose(costs, values * (costs[0] / values[0]), rtol=1e-12)
    assert costs[0] > 0
    table = ledger_table(ledgers)
    assert list(table.columns) == [*(o.id for o in system.spec.organisations),
                                   "whole_system"]
    assert table.shape == (1000, len(system.spec.organisations) + 1)


def test_an_ensemble_over_capacity_and_routes_equals_single_runs() -> None:
    """Parameters that change the flows (a capacity, two route fractions that still add up
    to 1) give, run by run, what single runs give."""
    system = load_system(wholesystem.example_path("delayed_discharge_system"))
    capacity = np.array([650.0, 700.0, 750.0, 800.0])
    share = np.array([0.04, 0.05, 0.06, 0.07])
    table = {"home_care capacity": capacity, "hospital to home_care fraction": share,
             "hospital to leave fraction": 1.0 - share}
    ensemble = system.simulate_many(table)
    for index in range(4):
        single = system.simulate(params={k: float(v[index]) for k, v in table.items()})
        np.testing.assert_array_equal(ensemble.run(index).results.to_numpy(),
                                      single.results.to_numpy())
        assert build_ledger(ensemble.run(index)) == build_ledger(single)
    checked = run_conservation(ensemble)
    assert checked.ok, checked


def test_compare_runs_pairs_runs_and_broadcasts_one_baseline() -> None:
    system = load_system(wholesystem.example_path("delayed_discharge_system"))
    base = system.simulate()
    ensemble = system.simulate_many({"home_care capacity": [700.0, 750.0, 800.0]})
    comparisons = compare_runs(base, ensemble)
    assert [c.verdict for c in comparisons][1] == "no change"
    fewer = compare_ledgers(build_ledger(base), build_ledger(system.simulate("fewer_packages")))
    assert comparisons[0].whole_change == fewer.whole_change
    with pytest.raises(ParameterError, match="cannot compare 2 runs with 3"):
        compare_runs(system.simulate_many({"home_care capacity": [1.0, 2.0]}), ensemble)


def test_organisations_are_matched_by_id_never_by_position() -> None:
    system = load_system(wholesystem.example_path("delayed_discharge_system"))
    ledger = build_ledger(system.simulate())
    swapped = replace(ledger, organisations=ledger.organisations[::-1])
    same = compare_ledgers(ledger, swapped)
    assert all(c.change == 0.0 for c in same.organisations)
    renamed = replace(ledger, organisations=(
        replace(ledger.organisations[0], id="police"), ledger.organisations[1]))
    with pytest.raises(ModelStructureError, match="only in 'baseline': acute_trust"):
        compare_ledgers(ledger, renamed)
    with pytest.raises(UnknownNameError):
        ledger.service("no_such_service")


def test_an_ensemble_is_read_run_by_run() -> None:
    system = load_system(wholesystem.example_path("delayed_discharge_system"))
    ensemble = system.simulate_many({"hospital cost per occupied day": [400.0, 500.0]})
    assert ensemble.series("hospital cost").shape == (len(ensemble.times), 2)
    assert list(ensemble.params.iloc[:, 0]) == [400.0, 500.0]
    with pytest.raises(ParameterError, match="hold 2 runs"):
        build_ledger(ensemble)
    with pytest.raises(ParameterError, match="hold 2 runs"):
        _ = ensemble.results
    with pytest.raises(UnknownNameError):
        ensemble.series("no such variable")
    with pytest.raises(ParameterError, match="no rows"):
        system.simulate_many({"hospital cost per occupied day": []})
