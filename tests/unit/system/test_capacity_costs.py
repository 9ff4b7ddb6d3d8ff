"""Capacity costs money: places paid for full or empty, staffing teams, fixed costs.

Every expected value is worked out by hand on a ten-day system (see HAND's comment).
"""

from __future__ import annotations

import numpy as np
import pytest
from system_factory import CAPACITY_HAND

from wholesystem.errors import SystemFileError
from wholesystem.interfaces.render.capacity import payback_sentence
from wholesystem.system import read_system_text
from wholesystem.system.journey_report import journeys
from wholesystem.system.ledger import build_ledger
from wholesystem.system.model import SystemModel
from wholesystem.system.shunts import compare
from wholesystem.system.spec import StaffingStep

# Two a day need a care place; places last longer than the run, so nobody leaves.
# Baseline: 5 places. Occupied at the start of days 0..9: 0, 2, 4, then 5 for 7 days = 41
# place-days (41 x £50 = £2,050); the 5 places cost 5 x £20 x 10 days = £1,000 whether
# full or not, 50 - 41 = 9 of the 50 commissioned place-days are empty. Waiting at the
# start of days 0..9: 0, 0, 0, 1, 3, 5, 7, 9, 11, 13 = 49 days in an acute bed (trust:
# 49 x £300 = £14,700). More places (20): occupied 0, 2, ..., 18 = 90 place-days
# (£4,500), the 20 places cost 20 x £20 x 10 = £4,000, nobody waits.
HAND = CAPACITY_HAND + ("  unlimited_places:\n"
                        "    changes: [{change: capacity, services: care, unlimited: true}]\n")


def hand(**replacements: str) -> str:
    text = HAND
    for old, new in replacements.items():
        text = text.replace(old, new)
    return text


def without_unlimited(text: str) -> str:
    return text.split("  unlimited_places:")[0]


def test_cost_per_place_converts_to_the_time_unit() -> None:
    spec = read_system_text(without_unlimited(HAND))
    assert spec.service("care").costs.per_place == pytest.approx(20.0)  # £140 a week


def test_places_are_paid_for_full_or_empty() -> None:
    ledger = build_ledger(SystemModel(read_system_text(without_unlimited(HAND)))
                          .simulate("baseline"))
    care = ledger.service("care")
    assert care.capacity_cost == pytest.approx(1000)
    assert care.cost == pytest.approx(2050 + 1000)
    assert care.mean_capacity == pytest.approx(5)
    assert care.idle_place_days == pytest.approx(9)
    council = ledger.organisation("council")
    assert council.cost == pytest.approx(3050)
    assert council.capacity_cost == pytest.approx(1000)
    assert ledger.whole_system == pytest.approx(3050 + 14700)


def test_an_intervention_adding_places_adds_their_cost() -> None:
    """Council: 4,500 + 4,000 = 8,500 against 3,050 (+5,450); trust saves 14,700; the
    whole system saves 9,250 (without place costs it saved 12,250)."""
    comparison = compare(SystemModel(read_system_text(without_unlimited(HAND))),
                         "more_places")
    changes = {o.id: o.change for o in comparison.organisations}
    assert changes["council"] == pytest.approx(8500 - 3050)
    assert changes["trust"] == pytest.approx(-14700)
    assert comparison.whole_change == pytest.approx(5450 - 14700)


def test_staffing_is_bought_in_whole_teams() -> None:
    """Teams of 4 places at £70 a day: 5 places need 2 teams (£140 a day, £1,400 over
    10 days); 20 places need exactly 5 teams (£3,500), not 6."""
    text = without_unlimited(hand(**{
        "per_place: {amount: 140, per: week}":
            "staffing: {places_per_team: 4, amount: 70, per: day}"}))
    system = SystemModel(read_system_text(text))
    assert system.spec.service("care").costs.staffing == StaffingStep(4, 70)
    base = build_ledger(system.simulate("baseline")).service("care")
    more = build_ledger(system.simulate("more_places")).service("care")
    assert base.capacity_cost == pytest.approx(1400)
    assert more.capacity_cost == pytest.approx(3500)
    assert StaffingStep(4, 70).teams(0) == 0
    assert StaffingStep(4, 70).teams(4.5) == 2


def test_fixed_costs_are_paid_whatever_the_use() -> None:
    """£3,650 a year is £10 a day: £100 over the 10 days, on top of the place costs."""
    text = without_unlimited(hand(**{
        "per_place: {amount: 140, per: week}":
            "per_place: {amount: 140, per: week}\n      fixed: {amount: 3650, per: year}"}))
    care = build_ledger(SystemModel(read_system_text(text)).simulate("baseline")
                        ).service("care")
    assert care.capacity_cost == pytest.approx(1000 + 100)


def test_journeys_charge_the_same_capacity_cost_in_every_run() -> None:
    """The 5 places cost £1,000 in every run; the people's own costs vary."""
    system = SystemModel(read_system_text(without_unlimited(HAND)))
    report = journeys(system, ["baseline"], runs=3, seed=2)
    [scenario] = report.scenarios
    care = scenario.services[0]
    assert care.mean_cost * 10 == pytest.approx(scenario.whole_system_cost)
    from wholesystem.system.charges import capacity_rates
    assert np.allclose(capacity_rates(system.spec, 10), 100.0)


def test_place_costs_need_a_capacity() -> None:
    text = without_unlimited(HAND).replace("    capacity: 5\n", "")
    with pytest.raises(SystemFileError) as caught:
        read_system_text(text, "sys.yaml")
    assert caught.value.field == "services.care.costs"
    assert "need a 'capacity'" in str(caught.value)


def test_unlimited_capacity_cannot_be_paid_per_place() -> None:
    with pytest.raises(SystemFileError) as caught:
        read_system_text(HAND, "sys.yaml")
    assert caught.value.field == "interventions.unlimited_places.changes[0]"
    assert "cannot be unlimited" in str(caught.value)


def test_a_cost_per_place_needs_its_period() -> None:
    text = without_unlimited(hand(**{"{amount: 140, per: week}": "{amount: 140}"}))
    with pytest.raises(SystemFileError) as caught:
        read_system_text(text, "sys.yaml")
    assert caught.value.field == "services.care.costs.per_place"
    assert "missing field 'per'" in str(caught.value)


def test_capacity_costs_are_parameters_a_run_can_set() -> None:
    """At £30 a place a day the 5 places cost 5 x 30 x 10 = £1,500 (was £1,000)."""
    system = SystemModel(read_system_text(without_unlimited(HAND)))
    parameter = system.parameter("care cost per place per day")
    assert parameter.value == pytest.approx(20)
    assert parameter.field == "services.care.costs.per_place"
    run = system.simulate("baseline", params={"care cost per place per day": 30})
    assert build_ledger(run).service("care").capacity_cost == pytest.approx(1500)


# The false economy by hand, on HAND (fluid model, nobody leaves in the 10 days): with c
# places, the start of day k (0..9) has min(2k, c) people in care and max(0, 2k - c)
# waiting, so the whole system pays
#   W(c) = sum_k [50 min(2k, c) + 300 max(0, 2k - c)] + 20 c x 10.
# Its slope is 200 - 250 n(c), with n(c) the days k with 2k > c: falling while some day
# has a queue (c < 18), rising after. W(5) = 17,750, W(10) = 3,500 + 6,000 + 2,000 =
# 11,500, W(18) = 4,500 + 0 + 3,600 = 8,100 (the minimum), W(20) = 4,500 + 4,000 = 8,500.


def test_sweep_gives_the_whole_system_curve_and_its_minimum() -> None:
    from wholesystem.system.capacity import sweep_capacity
    system = SystemModel(read_system_text(without_unlimited(HAND)))
    curve = sweep_capacity(system, ["care"], [5, 10, 18, 20])
    assert [p.whole_system for p in curve.points] == pytest.approx([17750, 11500, 8100,
                                                                    8500])
    assert curve.minimum.places == {"care": 18}
    assert curve.points[1].waiting_cost == pytest.approx(6000)
    assert curve.points[1].capacity_cost == pytest.approx(2000)
    assert curve.points[3].idle_place_days == pytest.approx(200 - 90)


def test_compare_says_where_extra_places_stop_paying_for_themselves() -> None:
    """The walk from 5 to 20 places goes one place a step: cheapest at 18 places, £9,650
    less than today; 20 places cost £400 more than that."""
    comparison = compare(SystemModel(read_system_text(without_unlimited(HAND))),
                         "more_places")
    payback = comparison.capacity
    assert payback is not None
    assert [p.places["care"] for p in payback.sweep.points] == list(range(5, 21))
    assert payback.best.places == {"care": 18}
    assert payback.verdict == "stops paying"
    assert payback_sentence(payback) == (
        "Extra capacity pays for itself up to about 13 more places (care 18), where the "
        "whole system costs least (£8,100, £9,650 less than with the baseline's places); "
        "beyond that each extra place costs more than the delays it saves, and the "
        "scenario's capacity costs £400 more than that minimum.")


def test_without_place_costs_compare_has_no_capacity_verdict() -> None:
    text = without_unlimited(hand(**{"      per_place: {amount: 140, per: week}\n": ""}))
    assert compare(SystemModel(read_system_text(text)), "more_places").capacity is None


def test_a_few_extra_places_that_pay_all_the_way() -> None:
    """Up to 18 places every place pays (slope -50 or steeper): from 5 to 16 places the
    scenario's capacity is the cheapest."""
    text = without_unlimited(HAND).replace("set: 20", "set: 16")
    payback = compare(SystemModel(read_system_text(text)), "more_places").capacity
    assert payback is not None
    assert payback.verdict == "pays for itself"


def test_the_payback_walk_scans_every_step_to_the_scenarios_capacity() -> None:
    """5 to 40 places, one place a step: every step is simulated (a full scan, so a later
    dip could not be missed), although the cost rises for 22 steps after 18 places. From
    18 places nobody waits: 90 occupied place-days (£4,500) plus c x £20 x 10 days, so 40
    places cost £4,500 + £8,000 = £12,500."""
    text = without_unlimited(HAND).replace("set: 20", "set: 40")
    payback = compare(SystemModel(read_system_text(text)), "more_places").capacity
    assert payback is not None
    assert [p.places["care"] for p in payback.sweep.points] == list(range(5, 41))
    assert payback.best.places == {"care": 18}
    assert payback.scenario_cost == pytest.approx(12500)
    assert [p.whole_system for p in payback.sweep.points[13:]] == pytest.approx(
        [4500 + 200 * c for c in range(18, 41)])
