"""Resident journeys: individuals agree with the aggregate model, and are told plainly."""

from __future__ import annotations

import numpy as np
import pytest
from system_factory import dedent

import wholesystem
from wholesystem.system import apply_scenario, read_system_text
from wholesystem.system.journey_report import journeys, summarise
from wholesystem.system.journeys import (
    IN_SERVICE,
    LEFT,
    LEFT_UNMET,
    RETURNING,
    WAITING,
    simulate_journeys,
)
from wholesystem.system.model import SystemModel, load_system

# Capacity never binds, so the aggregate model is the expectation of the individual one.
OPEN = dedent("""
    name: Open system
    time: {horizon: 60}
    organisations:
      trust: Acute trust
      council: Adult social care
      gp: General practice
    services:
      surgery: {owner: gp, kind: contacts, costs: {per_contact: 40}}
      ward:
        owner: trust
        length_of_stay: {mean: 6, median: 4, distribution: lognormal}
        costs: {per_occupied_day: 400}
        initial: {in_service: 20}
      reablement:
        owner: council
        capacity: 1000
        length_of_stay: {mean: 12, distribution: erlang, order: 3}
        costs: {per_occupied_day: 120}
        initial: {in_service: 10, waiting: 3}
    cohorts:
      older:
        needs:
          unwell: {service: surgery, arrivals: 6}
          fall: {service: ward, arrivals: 2}
    pathways:
      - from: surgery
        routes:
          - {to: ward, fraction: 0.2}
          - {to: leave, fraction: 0.7}
          - {to: surgery, fraction: 0.1, after: {mean: 7, distribution: fixed}}
      - from: ward
        routes:
          - {to: reablement, fraction: 0.5}
          - {to: leave, fraction: 0.5}
    """)


def test_mean_occupancy_agrees_with_the_aggregate_model() -> None:
    spec = read_system_text(OPEN)
    aggregate = SystemModel(spec).simulate("baseline").results.iloc[1:]
    run = simulate_journeys(spec, 150, seed=2024)
    for index, name in ((1, "ward"), (2, "reablement")):
        per_run = run.occupancy[1:, :, index].mean(axis=0)
        error = per_run.std(ddof=1) / np.sqrt(run.runs)
        expected = aggregate[f"{name} in service"].mean()
        assert abs(per_run.mean() - expected) < 4 * error + 0.01 * expected, name
    contacts = run.served[:, :, 0].mean()
    assert contacts == pytest.approx(aggregate["surgery contacts"].iloc[:-1].mean(), rel=0.03)


def test_everyone_is_somewhere() -> None:
    run = simulate_journeys(read_system_text(OPEN), 5, seed=1)
    arrived = run.arrived_at < run.steps
    assert np.isin(run.final_state[arrived], [WAITING, IN_SERVICE, RETURNING, LEFT,
                                              LEFT_UNMET]).all()
    for r in range(run.runs):
        mine = run.run_of == r
        assert (mine & (run.final_state == IN_SERVICE)).sum() == run.occupancy[-1, r].sum()
        assert (mine & (run.final_state == WAITING)).sum() == run.waiting[-1, r].sum()


def test_seeds_make_runs_repeatable() -> None:
    spec = read_system_text(OPEN)
    a, b = simulate_journeys(spec, 3, seed=9), simulate_journeys(spec, 3, seed=9)
    c = simulate_journeys(spec, 3, seed=10)
    assert np.array_equal(a.occupancy, b.occupancy)
    assert not np.array_equal(a.occupancy, c.occupancy)


def test_person_summaries_and_timelines() -> None:
    spec = read_system_text(OPEN)
    summary = summarise(simulate_journeys(spec, 4, seed=3), cohort=0, limit=500)
    people = summary.people
    assert people is not None
    assert people.people == 500
    assert people.measures["repeat presentations"].max >= 1
    assert people.measures["services touched"].max >= 2
    assert 0 < people.shares["came back at least once"] < 0.5
    assert summary.typical
    first = summary.typical[0]
    assert first.pick == "typical"
    assert first.events[0].kind == "arrive"
    assert first.events[0].date is None  # no start date: times, not dates
    times = [e.time for e in first.events]
    assert times == sorted(times)
    assert sum(first.cost.values()) > 0
    bounced = [t for t in summary.typical if t.pick == "most bounced"]
    assert bounced
    assert {"return", "move", "discharge"} & {e.kind for e in bounced[0].events}


def test_runs_follow_the_number_of_people() -> None:
    system = load_system(wholesystem.example_path("delayed_discharge_system"))
    report = journeys(system, ["baseline"], people=10_000, seed=1, typical=0)
    assert report.runs == 2  # 7,300 referrals a run
    assert report.scenarios[0].people is not None
    assert report.scenarios[0].people.people == 10_000


def test_wolstenholme_journeys_match_littles_law() -> None:
    spec = apply_scenario(load_system(wholesystem.example_path(
        "delayed_discharge_system")).spec, "baseline")
    run = simulate_journeys(spec, 20, seed=5)
    assert run.occupancy[1:, :, 0].mean() == pytest.approx(100, rel=0.02)
    assert run.occupancy[1:, :, 1].mean() == pytest.approx(730, rel=0.02)
