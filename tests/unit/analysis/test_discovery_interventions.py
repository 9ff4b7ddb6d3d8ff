"""Scenario discovery (PRIM, CART check) and interventions ranked under uncertainty."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import wholesystem
from wholesystem.analysis.discovery import (
    cart,
    discovery_dict,
    parse_condition,
    prim,
)
from wholesystem.analysis.interventions import (
    budget_dict,
    compare_paired,
    discover_intervention,
    optimise_budget,
    payback_times,
    rank_interventions,
    ranking_dict,
    system_table,
)
from wholesystem.analysis.uncertainty import Parameter
from wholesystem.errors import ParameterError
from wholesystem.system.model import load_system
from wholesystem.system.shunts import compare


def _box_runs() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(0)
    x = pd.DataFrame({"a": rng.uniform(0, 1, 3000), "b": rng.uniform(0, 1, 3000),
                      "c": rng.uniform(0, 1, 3000)})
    return x, ((x["a"] > 0.7) & (x["b"] < 0.4)).to_numpy()


def test_prim_finds_the_box_that_makes_the_cases() -> None:
    """Cases are a > 0.7 and b < 0.4 (mass 0.3 x 0.4 = 0.12 of uniform draws); c is
    noise. The chosen box must restrict a from below near 0.7 and b from above near 0.4,
    leave c alone, and be almost pure (density ~1) while holding nearly every case."""
    x, y = _box_runs()
    found = prim(x, y)
    limits = {limit.parameter: limit for limit in found.box.limits}
    assert set(limits) == {"a", "b"}
    assert limits["a"].restricts_low
    assert not limits["a"].restricts_high
    assert limits["a"].low == pytest.approx(0.7, abs=0.03)
    assert limits["b"].high == pytest.approx(0.4, abs=0.03)
    assert found.box.density > 0.95
    assert found.box.coverage > 0.9
    assert found.box.mass == pytest.approx(0.12, abs=0.02)
    masses = [b.mass for b in found.trajectory]
    assert masses == sorted(masses, reverse=True)
    assert "a is at least" in found.statement


def test_box_numbers_by_hand() -> None:
    """Ten runs x = 0..9, cases at x = 7, 8, 9 and at x = 2. Peeling 10% at a time
    from below keeps the density rising until the box is x >= 7: density 3/3,
    coverage 3/4, mass 3/10."""
    x = pd.DataFrame({"x": np.arange(10.0)})
    y = np.isin(np.arange(10), [2, 7, 8, 9])
    found = prim(x, y, alpha=0.1, min_mass=0.3, threshold=1.0)
    assert found.box.limits[0].low == 7
    assert (found.box.density, found.box.coverage, found.box.mass) == (1.0, 0.75, 0.3)
    assert found.trajectory[0].density == pytest.approx(0.4)


def test_cart_agrees_with_prim() -> None:
    x, y = _box_runs()
    leaves = cart(x, y)
    assert leaves[0].density > 0.95
    rules = " ".join(leaves[0].rules)
    assert "a >" in rules
    assert "b <=" in rules


def test_conditions_parse_and_fail_clearly() -> None:
    condition = parse_condition("cost to bristol_council change @ 730 > 0")
    assert (condition.output, condition.change, condition.time, condition.op,
            condition.value) == ("cost to bristol_council", True, 730.0, ">", 0.0)
    plain = parse_condition("whole system cost <= -1e6")
    assert (plain.change, plain.time, plain.value) == (False, None, -1e6)
    with pytest.raises(ParameterError, match="expected OUTPUT"):
        parse_condition("cost is high")
    with pytest.raises(ParameterError, match="no run is of interest"):
        prim(pd.DataFrame({"a": [1.0, 2.0]}), [False, False])


def test_payback_by_hand() -> None:
    """Cumulative cost change of three runs over times 0..3:
    run 0 (5, 2, -1, -3): positive until time 1, so it pays back at time 2;
    run 1 (1, 2, 3, 4): never pays back (NaN); run 2 (-1, -2, -3, -4): at once (0)."""
    change = np.array([[5, 1, -1], [2, 2, -2], [-1, 3, -3], [-3, 4, -4]], dtype=float)
    times = np.arange(4.0)
    assert payback_times(change, times).tolist()[0] == 2.0
    assert np.isnan(payback_times(change, times)[1])
    assert payback_times(change, times)[2] == 0.0


def test_one_run_ranking_matches_the_ledger_comparison() -> None:
    """With no uncertain parameters the ranking is one run per intervention; its
    whole-system change must equal the ledger comparison's (an independent path)."""
    path = wholesystem.example_path("delayed_discharge_system")
    ranking = rank_interventions(path)
    system = load_system(path)
    for rank in ranking.interventions:
        expected = compare(system, rank.id).whole_change
        assert rank.expected_change == pytest.approx(expected, rel=1e-9, abs=1e-6)
    assert ranking.interventions[-1].id == "cut_packages"
    assert [n for n, _ in ranking.interventions[-1].pays] == ["Acute trust"]
    json.dumps(ranking_dict(ranking))


OLDER = [Parameter("older_people with urgent_care arrival rate", "uniform",
                   {"low": 0.0007, "high": 0.0014}),
         Parameter("home_care capacity", "uniform", {"low": 400, "high": 650})]


def test_ranking_under_uncertainty_says_who_pays() -> None:
    """Falls prevention funded by public health and from the pooled budget change the
    whole system alike; only the payer differs."""
    path = wholesystem.example_path("older_people")
    table = system_table(path, OLDER, runs=40, seed=2)
    ranking = rank_interventions(path, table)
    by_id = {r.id: r for r in ranking.interventions}
    public, pooled = by_id["falls_prevention"], by_id["falls_prevention_pooled"]
    assert public.expected_change == pytest.approx(pooled.expected_change)
    assert "Public health" in dict(public.pays)
    assert "Public health" not in dict(pooled.pays)
    for r in ranking.interventions:
        assert r.p5 <= r.p50 <= r.p95
        assert 0 <= r.probability_saving <= 1
    assert ranking.interventions[-1].id == "cut_home_care"


def test_a_multiplied_capacity_moves_with_each_draw() -> None:
    """Cutting home care by 15% when every run has 5,000-6,000 packages (never full):
    0.85 x 5,000 = 4,250 is never full either, so the acute trust's cost cannot change.
    Dropping the draw instead would leave the file's 442 packages and a large change."""
    path = wholesystem.example_path("older_people")
    table = pd.DataFrame({"home_care capacity": [5000.0, 6000.0]})
    paired = compare_paired(path, "cut_home_care", table)
    assert np.allclose(paired.change("cost to acute_trust"), 0.0, atol=1e-6)


def test_discovery_on_a_system_comparison() -> None:
    """When does cutting home care save the council while the acute trust pays more?
    Only when the (reduced) packages fill up: the box must cap home-care capacity."""
    path = wholesystem.example_path("older_people")
    table = system_table(path, OLDER, runs=200, seed=1)
    found = discover_intervention(path, "cut_home_care", table, [
        parse_condition("cost to adult_social_care change < 0"),
        parse_condition("cost to acute_trust change > 0")])
    limits = {limit.parameter: limit for limit in found.box.limits}
    assert limits["home_care capacity"].restricts_high
    assert found.box.density >= 0.8
    json.dumps(discovery_dict(found))


def test_budget_spent_within_limits_with_a_front() -> None:
    """A 1m budget for extra P2/P3 places in Bristol: the best allocation spends at most
    the budget and does no worse than spending nothing; whole-system cost and the
    council's own cost conflict (care-home places cost the council, save the acute
    trust), so the front holds more than one allocation, none beaten on both goals."""
    path = wholesystem.example_path("hospital_discharge")
    plan = optimise_budget(path, 1e6, goals=("whole system cost", "cost to bristol_council"),
                           services=["p2_b", "p3_b"], generations=4, population=5)
    assert sum(plan.best.spend.values()) <= 1e6 * (1 + 1e-9)
    assert plan.best.goals["whole system cost"] <= plan.baseline["whole system cost"]
    assert len(plan.front) >= 2
    points = [(a.goals["whole system cost"], a.goals["cost to bristol_council"])
              for a in plan.front]
    for p in points:
        assert not any(q[0] < p[0] and q[1] < p[1] for q in points)
    json.dumps(budget_dict(plan))
