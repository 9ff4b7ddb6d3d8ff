"""The hospital-discharge example reproduces the published IPACS results (50 runs, 181
days from 2023-01-01), through the journeys simulation."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
import pytest

import wholesystem
from wholesystem.system import apply_scenario
from wholesystem.system.journey_report import service_costs
from wholesystem.system.journeys import simulate_journeys
from wholesystem.system.model import load_system

sys.path.insert(0, str(Path(__file__).parent))
from ipacs_bed_scratch import read_node, simulate

EXAMPLE = wholesystem.example_path("hospital_discharge")


@pytest.fixture(scope="module")
def runs() -> dict[str, object]:
    spec = load_system(EXAMPLE).spec
    return {name: simulate_journeys(apply_scenario(spec, name), 50, seed=1)
            for name in ("baseline", "unconstrained")}


def published() -> dict[str, dict[str, str]]:
    with (EXAMPLE.parent / "published_p2_bristol.csv").open() as handle:
        return {row["scenario"]: row for row in csv.DictReader(handle)}


def test_settings_are_the_published_ones(runs: dict) -> None:
    run = runs["baseline"]
    assert run.runs == 50
    assert run.steps == 181
    assert run.spec.time.label(0) == "2023-01-01"
    assert run.spec.time.label(181) == "2023-07-01"


def test_daily_cost_identity(runs: dict) -> None:
    """Day d costs P1's people in service x £125 x 2.5 visits and P2's 102 commissioned
    beds x £150, full or empty, + people waiting x £346; people counted at the start of
    the day as the ledger counts them (``counted_at="end"``: at its end, as the IPACS model
    reports its daily costs)."""
    run = runs["baseline"]
    p1_b, p2_b = 0, 3
    for counted_at, rows in (("start", slice(None, -1)), ("end", slice(1, None))):
        costs = service_costs(run, counted_at)
        # P1 is charged per visit made in the day, as the IPACS visit model charges
        assert np.allclose(costs[:, :, p1_b], run.visits_made[:, :, p1_b] * 125
                           + run.waiting[rows, :, p1_b] * 346)
        assert np.allclose(costs[:, :, p2_b], 102 * 150 + run.waiting[rows, :, p2_b] * 346)


def ipacs_daily_costs(run: object) -> np.ndarray:
    """The IPACS model's own costing: people in service (end of day) x community £/day +
    people waiting x £346, per service, averaged over days and runs."""
    community = np.array([125 * 2.5] * 3 + [150] * 3 + [164] * 3)  # file order: P1, P2, P3
    return (run.occupancy[1:] * community + run.waiting[1:] * 346).mean(axis=(0, 1))


def test_baseline_costs_more_than_unconstrained_at_every_node_as_ipacs_counts(
        runs: dict) -> None:
    """The published result, with IPACS's per-occupied-day costing."""
    base, wide = ipacs_daily_costs(runs["baseline"]), ipacs_daily_costs(runs["unconstrained"])
    assert (base > wide).all(), list(zip(base, wide, strict=False))


def test_with_beds_paid_full_or_empty_unconstrained_beds_cost_more(runs: dict) -> None:
    """2,000 paid-for beds (£150 or £164 a day each) cost more than any queue they remove."""
    base = service_costs(runs["baseline"]).mean(axis=(0, 1))
    wide = service_costs(runs["unconstrained"]).mean(axis=(0, 1))
    assert (wide[3:] > base[3:]).all(), list(zip(base, wide, strict=False))


def test_p2_bristol_baseline_within_ten_percent_of_published(runs: dict) -> None:
    run, expected = runs["baseline"], published()["baseline"]
    p2_b = 3
    assert run.occupancy[1:, :, p2_b].mean() == pytest.approx(
        float(expected["mean_in_service"]), rel=0.02)
    assert run.waiting[1:, :, p2_b].mean() == pytest.approx(
        float(expected["mean_waiting"]), rel=0.10)
    assert run.waiting[-1, :, p2_b].mean() == pytest.approx(
        float(expected["waiting_on_last_day"]), rel=0.10)
    assert service_costs(run, "end")[:, :, p2_b].mean() == pytest.approx(
        float(expected["mean_cost_per_day"]), rel=0.10)


def test_unconstrained_p2_bristol_has_no_queue_and_more_beds(runs: dict) -> None:
    run = runs["unconstrained"]
    p2_b = 3
    assert run.waiting[1:, :, p2_b].mean() < 1
    assert run.occupancy[1:, :, p2_b].mean() > 102  # more beds used than baseline capacity


def published_nodes() -> dict[str, dict[str, str]]:
    with (EXAMPLE.parent / "published_baseline_nodes.csv").open() as handle:
        return {row["service"]: row for row in csv.DictReader(handle)}


# P1 occupancy as IPACS reports it: visit slots used / 2.5 (its caseload equivalents).
# Nodes whose published cost we do not reproduce within 10% (see the example's README):
# their tolerances are the measured gap, so a change that widens it fails. P3 North
# Somerset's gap is a defect of the published code (test_ipacs_published_defects.py, and
# test_p3_north_somerset_matches_the_published_code_with_its_defects_off below); P1
# Bristol's is not explained.
UNEXPLAINED = {"p3_ns": 0.26, "p1_b": 0.13}


@pytest.mark.parametrize("node", ["p1_b", "p1_ns", "p1_sg", "p2_b", "p2_ns", "p2_sg",
                                  "p3_b", "p3_ns", "p3_sg"])
def test_every_node_at_baseline_beside_the_published_means(runs: dict, node: str) -> None:
    """Mean occupancy (P1: visits made / 2.5) within 10% of the published 181-day mean at
    every node, and mean daily cost (counted at the end of each day, as IPACS reports)
    within 10%, except the nodes in ``UNEXPLAINED``, held to their measured gap."""
    run, expected = runs["baseline"], published_nodes()[node]
    index = [s.id for s in run.spec.services].index(node)
    if node.startswith("p1"):
        occupied = run.visits_made[:, :, index].mean() / 2.5
    else:
        occupied = run.occupancy[1:, :, index].mean()
    assert occupied == pytest.approx(float(expected["mean_in_service"]), rel=0.10)
    cost = service_costs(run, "end")[:, :, index].mean()
    tolerance = UNEXPLAINED.get(node, 0.10)
    assert cost == pytest.approx(float(expected["mean_cost_per_day"]), rel=tolerance)
    if node in UNEXPLAINED:  # ours is below: fewer people waiting than published
        assert cost < float(expected["mean_cost_per_day"])


def test_p3_north_somerset_matches_the_published_code_with_its_defects_off(
        runs: dict, shared: Path) -> None:
    """The scratch of the published bed code with its two defects switched off (the day-1
    queue as people; beds only for people who have arrived) gives P3 North Somerset's
    mean cost within 10% of ours; with them on it gives the published figure (the
    defects test), 23% above ours."""
    node = read_node(shared / "domain" / "ipacs" / "params", "P3_NS")
    occupied, waiting = simulate(node, 50, seed=1, fixed=True)
    scratch_cost = (occupied.mean(axis=0) * 164 + waiting.mean(axis=0) * 346).mean()
    run = runs["baseline"]
    index = [s.id for s in run.spec.services].index("p3_ns")
    ours = service_costs(run, "end")[:, :, index].mean()
    assert ours == pytest.approx(scratch_cost, rel=0.10)
    assert run.waiting[1:, :, index].mean() == pytest.approx(waiting.mean(), rel=0.10)
