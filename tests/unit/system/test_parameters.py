"""The parameter table: every number of a system file is a named constant of one compiled
model, with its field, position and evidence; setting it on that model is the same as
writing the number in the file."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import wholesystem
from wholesystem.diagnostics import SourceSpan
from wholesystem.errors import ParameterError, UnknownNameError
from wholesystem.system.layout import evidence_at
from wholesystem.system.ledger import build_ledger
from wholesystem.system.model import SystemModel, load_system
from wholesystem.system.spec import ServiceKind


def test_hospital_discharge_exposes_every_unit_cost_as_a_parameter() -> None:
    system = load_system(wholesystem.example_path("hospital_discharge"))
    costs = {p.display: p for p in system.parameters() if p.kind == "unit cost"}
    model = system.model()[2]
    for service in system.spec.services:
        if service.kind is ServiceKind.VISITS:  # P1: charged per visit made
            visit = costs[f"{service.id} cost per visit"]
            assert visit.value == service.costs.per_visit == 125
            assert visit.field == f"services.{service.id}.costs.per_visit"
        else:
            occupied = costs[f"{service.id} cost per occupied day"]
            assert occupied.value == service.costs.per_occupied_day
            assert occupied.field == f"services.{service.id}.costs.per_occupied_day"
        assert costs[f"{service.id} waiting cost per day"].value == (
            service.costs.per_delayed_day)
    # Every live parameter is a constant the compiled model sets without recompiling.
    live = [p.display for p in system.parameters() if p.live]
    assert set(live) <= set(model.constants)
    assert all(p.span.line > 0 for p in system.parameters())


def test_a_unit_cost_set_on_the_compiled_model_scales_the_cost_by_hand() -> None:
    """Delayed discharge: 100 people stay in hospital all year (20 a day, 5 days each, the
    steady state), so the hospital costs 100 x 400 x 365 = 14,600,000 at £400 a day and
    100 x 500 x 365 = 18,250,000 at £500; nobody waits, so people are unchanged."""
    system = load_system(wholesystem.example_path("delayed_discharge_system"))
    base = build_ledger(system.simulate())
    dearer = build_ledger(system.simulate(params={"hospital cost per occupied day": 500}))
    assert base.service("hospital").cost == pytest.approx(14_600_000, rel=1e-12)
    assert dearer.service("hospital").cost == pytest.approx(18_250_000, rel=1e-12)
    assert dearer.people == base.people
    assert dearer.service("home_care").cost == base.service("home_care").cost


def test_setting_a_parameter_is_writing_the_number_in_the_file() -> None:
    """A run with parameters equals, number for number, the system re-read with those
    numbers written in it: a unit cost, a route fraction and a capacity."""
    system = load_system(wholesystem.example_path("delayed_discharge_system"))
    spec = system.spec
    hospital, home_care = spec.services
    pathway = spec.pathways[0]
    edited = replace(spec, services=(
        replace(hospital, costs=replace(hospital.costs, per_occupied_day=430.0)),
        replace(home_care, capacity=replace(home_care.capacity, value=710.0))),
        pathways=(replace(pathway, routes=(replace(pathway.routes[0], fraction=0.07),
                                           replace(pathway.routes[1], fraction=0.93))),))
    written = SystemModel(edited).simulate().results
    params = {"hospital cost per occupied day": 430.0, "home_care capacity": 710.0,
              "hospital to home_care fraction": 0.07, "hospital to leave fraction": 0.93}
    set_on_model = system.simulate(params=params).results
    assert list(written.columns) == list(set_on_model.columns)
    np.testing.assert_array_equal(written.to_numpy(), set_on_model.to_numpy())


def test_a_scenario_that_only_changes_numbers_is_a_parameter_set() -> None:
    """'fewer_packages' sets home care to 700 packages: the baseline model with the
    parameter 'home_care capacity' at 700 gives the same run."""
    system = load_system(wholesystem.example_path("delayed_discharge_system"))
    scenario = system.simulate("fewer_packages").results
    as_parameters = system.simulate(params={"home_care capacity": 700}).results
    np.testing.assert_array_equal(scenario.to_numpy(), as_parameters.to_numpy())


def test_numbers_that_shape_the_structure_are_recorded_but_refused() -> None:
    system = load_system(wholesystem.example_path("hospital_discharge"))
    stay = system.parameter("p1_b length of stay")
    assert not stay.live
    assert stay.value == 18.07
    with pytest.raises(ParameterError, match=r"services\.p1_b\.length_of_stay"):
        system.simulate(params={"p1_b length of stay": 12.0})
    with pytest.raises(UnknownNameError, match=r"no such thing"):
        system.simulate(params={"no such thing": 1.0})


def test_evidence_is_the_comment_written_beside_the_number() -> None:
    system = load_system(wholesystem.example_path("older_people"))
    bed = system.parameter("acute_ward cost per occupied day")
    assert bed.evidence == ("[source] The King's Fund, delayed discharge cost of an acute bed "
                            "night (a figure quoted in its text); table n/a, not from a "
                            "table; price year 2022/23")
    line = system.spec.source.text.splitlines()[bed.span.line - 1]
    assert "per_occupied_day: {amount: 395, price_year: 2022/23}" in line
    unwritten = system.parameter("acute_ward waiting cost per day")
    assert unwritten.value == 0.0
    assert "not written" in unwritten.evidence
    assert bed.as_dict()["position"] == str(bed.span)


def test_a_hash_inside_quotes_is_not_a_comment() -> None:
    text = 'a: "x # y"  # [source] survey\nb: 1\n'
    assert evidence_at(text, SourceSpan("f", 1, 4)) == "[source] survey"
    assert evidence_at('a: "x # y"\n', SourceSpan("f", 1, 4)) == ""
    assert evidence_at(text, SourceSpan("f", 9, 1)) == ""
