"""Ledger and scenario comparison, checked against numbers worked out by hand."""

from __future__ import annotations

import pytest
from system_factory import HAND

import wholesystem
from wholesystem.system import read_system_text
from wholesystem.system.ledger import build_ledger
from wholesystem.system.model import SystemModel, load_system
from wholesystem.system.shunts import compare


def test_ledger_by_hand() -> None:
    ledger = build_ledger(SystemModel(read_system_text(HAND)).simulate("baseline"))
    assert ledger.organisation("council").cost == pytest.approx(2050)
    assert ledger.organisation("trust").cost == pytest.approx(14700)
    assert ledger.organisation("trust").waiting_cost == pytest.approx(14700)
    assert ledger.whole_system == pytest.approx(16750)
    care = ledger.service("care")
    assert care.place_days == pytest.approx(41)
    assert care.days_waited == pytest.approx(49)
    assert care.waiting_at_end == pytest.approx(15)
    assert care.served == pytest.approx(5)
    assert ledger.outcomes["people_waiting_at_end"] == pytest.approx(15)
    assert ledger.people.residual == pytest.approx(0, abs=1e-9)
    assert sum(p.whole_system for p in ledger.periods) == pytest.approx(16750)


def test_compare_by_hand_finds_the_real_saving_and_no_shunt() -> None:
    """The council buys places (+£2,450) and the trust stops paying for people waiting
    (-£14,700): the council pays for capacity of its own, nothing follows people onto
    it, so this is a genuine saving of £12,250, not a shunt (traced causes:
    tests/unit/system/test_traced_shunts.py)."""
    comparison = compare(SystemModel(read_system_text(HAND)), "more_places")
    changes = {o.id: o.change for o in comparison.organisations}
    assert changes["council"] == pytest.approx(4500 - 2050)
    assert changes["trust"] == pytest.approx(-14700)
    assert comparison.whole_change == pytest.approx(2450 - 14700)
    assert comparison.moved == 0
    assert comparison.saving == pytest.approx(12250)
    assert comparison.verdict == "genuine saving"
    assert comparison.shunts == ()
    causes = {(c.organisation, c.kind): c.amount for c in comparison.causes}
    assert causes == {("trust", "waiting"): pytest.approx(-14700),
                      ("council", "own"): pytest.approx(2450)}
    waited = {o.name: o.change for o in comparison.outcomes}
    assert waited["days_waited"] == pytest.approx(-49)


def test_cutting_packages_is_cost_moved_not_a_saving() -> None:
    system = load_system(wholesystem.example_path("delayed_discharge_system"))
    comparison = compare(system, "fewer_packages")
    assert comparison.verdict == "cost moved"
    assert comparison.saving == 0
    [shunt] = comparison.shunts
    assert shunt.pays_more[0][0] == "Acute trust"
    assert shunt.saves[0][0] == "Adult social care"
    assert comparison.whole_change > 0


def test_hospital_discharge_compare_traces_the_false_economy_and_the_net_change() -> None:
    system = load_system(wholesystem.example_path("hospital_discharge"))
    base, wide = system.simulate("baseline"), system.simulate("unconstrained")
    comparison = compare(system, "unconstrained")
    # The community and council services pay for the capacity they buy (their own), and
    # the acute trust's delay cost falls (waiting for their services): nothing follows
    # people from an organisation that saves onto one that pays more, so no shunt.
    assert comparison.shunts == ()
    kinds = {(c.organisation, c.kind) for c in comparison.causes}
    assert ("community_health", "own") in kinds
    trust = [c for c in comparison.causes if c.organisation == "acute_trust"]
    assert trust
    assert all(c.kind == "waiting" and c.amount < 0 for c in trust)
    # the net change, worked out independently: every service's occupied, commissioned
    # and delayed days at their unit costs, summed over the steps of the run
    spec = system.spec
    net = 0.0
    for run, sign in ((wide, 1), (base, -1)):
        frame = run.results.iloc[:-1]
        for service in spec.services:
            name = service.id.replace("_", " ")
            net += sign * (frame[f"{name} in service"].sum() * service.costs.per_occupied_day
                           + frame[f"{name} capacity"].sum() * service.costs.per_place
                           + frame[f"{name} waiting"].sum() * service.costs.per_delayed_day)
    assert comparison.whole_change == pytest.approx(net, rel=1e-9)
    assert sum(o.change for o in comparison.organisations) == pytest.approx(net, rel=1e-9)
    # 2,000 beds on every pathway, paid for full or empty, cost far more than the delays
    # they remove (Wood et al. 2023): the acute trust's saving is a false economy
    assert comparison.whole_change > 0
    assert comparison.verdict == "costs more"
    assert comparison.capacity is not None
    assert comparison.capacity.verdict == "stops paying"
    assert comparison.moved == 0
