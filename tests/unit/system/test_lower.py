"""Systems lowered onto the engine: the stock-and-flow model they become, and how it runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from system_factory import MINIMAL, dedent

import wholesystem
from wholesystem.check import check_project
from wholesystem.diagnostics import Severity
from wholesystem.errors import UnknownNameError
from wholesystem.ir.model import VariableKind
from wholesystem.system import apply_scenario, read_system_text, system_project
from wholesystem.system.model import SystemModel, load_system


def run(text: str, scenario: str = "baseline") -> pd.DataFrame:
    return SystemModel(read_system_text(text)).simulate(scenario).results


def test_variables_follow_the_services() -> None:
    project, layout = system_project(read_system_text(MINIMAL, "m.yaml"))
    variables = project.main.variable_map()
    care = variables["care waiting"]
    assert care.kind is VariableKind.STOCK
    assert care.inflows == ("ward to care",)
    assert care.outflows == ("care admissions",)
    assert variables["care in service"].outflows == ("care to leave",)
    assert variables["ward to care"].span.file == "m.yaml"
    assert layout.organisation_costs == (("trust", "cost to trust"),
                                         ("council", "cost to council"))
    assert set(layout.people_stocks) == {"ward waiting", "care waiting", "ward in service",
                                         "care in service"}


def test_checks_find_no_problem_in_a_lowered_system() -> None:
    project, _ = system_project(read_system_text(MINIMAL, "m.yaml"))
    errors = [d for d in check_project(project) if d.severity is Severity.ERROR]
    assert errors == []


def test_wolstenholme_steady_state() -> None:
    results = load_system(wholesystem.example_path("delayed_discharge_system")).run()
    final = results.iloc[-1]
    assert final["hospital in service"] == pytest.approx(100, rel=1e-9)  # 20/day x 5 days
    assert final["home_care in service"] == pytest.approx(730, rel=1e-9)  # 1/day x 730 days
    assert results["home_care waiting"].max() == 0
    # beds £400 a day; packages £120 a week
    assert final["cost to acute_trust"] == pytest.approx(100 * 400 * 365)
    assert final["cost to adult_social_care"] == pytest.approx(730 * 120 / 7 * 365)


def test_wolstenholme_queue_grows_without_bound_with_fewer_packages() -> None:
    spec = apply_scenario(load_system(wholesystem.example_path(
        "delayed_discharge_system")).spec, "fewer_packages")
    project, _ = system_project(spec)
    from dataclasses import replace

    long = replace(project, sim_specs=replace(project.sim_specs, stop=3650.0))
    queue = wholesystem.Model(long).run()["home_care waiting"]
    yearly = queue.iloc[365::365].diff().dropna()
    assert (yearly > 14).all()
    assert (yearly < 16).all()
    assert queue.is_monotonic_increasing


def test_system_files_load_run_and_sweep_like_any_model() -> None:
    model = wholesystem.load(wholesystem.example_path("delayed_discharge_system"))
    assert model.run()["hospital in service"].iloc[-1] == pytest.approx(100)
    sweep = model.run_many(pd.DataFrame({"home_care capacity": [650.0, 700.0, 750.0]}))
    final = sweep.final()["home_care waiting"].to_numpy()
    assert final[0] > final[1] > final[2] == 0


def test_capacity_limits_admissions_and_people_queue() -> None:
    results = run(MINIMAL.replace("arrivals: 4", "arrivals: 8"))
    assert results["care in service"].max() <= 10 + 1e-9
    assert results["care waiting"].iloc[-1] > 0
    # the trust pays for delayed days: waiting x £400 each step
    waiting_cost = (results["care waiting"].iloc[:-1] * 400).sum()
    assert results["care waiting cost"].iloc[-1] == pytest.approx(waiting_cost)


def test_divert_sends_people_elsewhere_when_full() -> None:
    text = MINIMAL.replace("when_full: {queue_in: acute bed, payer: trust}",
                           "when_full: {divert_to: unmet}").replace("arrivals: 4", "arrivals: 8")
    results = run(text)
    assert results["care waiting"].abs().max() < 1e-9
    assert results["people left unmet"].iloc[-1] > 0


def test_contacts_with_capacity_build_a_backlog() -> None:
    text = dedent("""
        name: GP
        time: {horizon: 10}
        organisations: {gp: General practice}
        services:
          surgery:
            owner: gp
            kind: contacts
            capacity: 30
            costs: {per_contact: 42}
        cohorts:
          all:
            needs: {ill: {service: surgery, arrivals: 40}}
        """)
    results = run(text)
    assert results["surgery contacts"].iloc[:-1].tolist() == [30.0] * 10
    assert results["surgery waiting"].iloc[-1] == pytest.approx(100)
    assert results["cost to gp"].iloc[-1] == pytest.approx(300 * 42)


def test_failure_demand_comes_back_after_the_delay() -> None:
    text = dedent("""
        name: Repairs
        time: {horizon: 20}
        organisations: {housing: Housing}
        services:
          repairs: {owner: housing, kind: contacts, costs: {per_contact: 100}}
        cohorts:
          tenants:
            needs: {repair: {service: repairs, arrivals: 10}}
        pathways:
          - from: repairs
            routes:
              - {to: leave, fraction: 0.6}
              - {to: repairs, fraction: 0.4, after: {mean: 5, distribution: fixed}}
        """)
    results = run(text)
    contacts = results["repairs contacts"].to_numpy()
    assert contacts[:5].tolist() == [10.0] * 5
    assert contacts[5] == pytest.approx(14.0)  # 10 new + 40% of day 0's coming back
    assert results["repeat presentations"].iloc[-1] > 0


def test_prevention_reduces_arrivals_after_its_delay() -> None:
    text = MINIMAL + dedent("""
        interventions:
          falls_prevention:
            changes:
              - {change: prevention, cohort: older, reduce_by: 0.25, after: 10}
            cost: {payer: council, amount: 50, per: day, one_off: 1000}
        """)
    results = run(text, "falls_prevention")
    arrivals = results["older with illness arriving"].to_numpy()
    assert arrivals[9] == pytest.approx(4)
    assert arrivals[10] == pytest.approx(3)
    assert results["falls prevention cost"].iloc[-1] == pytest.approx(1000 + 50 * 30)


def test_time_varying_capacity_series() -> None:
    text = MINIMAL.replace("capacity: 10", "capacity: {series: [[0, 10], [10, 0]]}")
    results = run(text)
    assert results["care capacity"].loc[9.0] == 10
    assert results["care capacity"].loc[10.0] == 0
    admissions = results["care admissions"]
    assert (admissions.loc[10.0:] == 0).all()


def test_lognormal_stays_keep_their_mean() -> None:
    text = MINIMAL.replace("length_of_stay: 5",
                           "length_of_stay: {mean: 6, median: 4, distribution: lognormal}")
    text = text.replace("horizon: 30", "horizon: 400")
    results = run(text)
    occupancy = results["ward in service"].iloc[200:].mean()
    assert occupancy == pytest.approx(4 * 6, rel=0.02)  # Little's law


def test_unknown_scenario_lists_the_known_ones() -> None:
    spec = read_system_text(MINIMAL)
    with pytest.raises(UnknownNameError, match="scenarios of this system: baseline"):
        apply_scenario(spec, "nope")


def test_scenarios_change_a_copy() -> None:
    spec = load_system(wholesystem.example_path("hospital_discharge")).spec
    changed = apply_scenario(spec, "unconstrained")
    assert all(s.capacity is not None and s.capacity.value == 2000 for s in changed.services)
    assert spec.service("p2_b").capacity is not None
    assert spec.service("p2_b").capacity.value == 102
    assert changed.applied == ("unconstrained_capacity",)
    assert np.isclose(apply_scenario(spec, "shorter_stays").service("p2_b")
                      .length_of_stay.mean, 21)  # type: ignore[union-attr]


def test_system_files_convert_to_xmile_with_the_same_results(tmp_path: Path) -> None:
    from wholesystem.interfaces.cli import main

    source = wholesystem.example_path("delayed_discharge_system")
    target = tmp_path / "dd.xmile"
    assert main(["convert", str(source), "--to", "xmile", "--output", str(target)]) == 0
    converted = wholesystem.load(target).run()
    original = wholesystem.load(source).run()
    assert list(converted.columns) == list(original.columns)
    assert np.allclose(converted.to_numpy(), original.to_numpy())
