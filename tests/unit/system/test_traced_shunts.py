"""Cost shunts traced, not inferred: a change in an organisation's cost is a shunt only
where it follows people or responsibility across an organisational boundary from an
organisation that saves. Every expected amount is worked out by hand in the docstrings."""

from __future__ import annotations

import pytest
from system_factory import HAND, dedent

import wholesystem
from wholesystem.interfaces.render.comparisons import (
    cause_phrase,
    traced_sentence,
    verdict_sentence,
)
from wholesystem.system import read_system_text
from wholesystem.system.causes import CostCause
from wholesystem.system.model import SystemModel, load_system
from wholesystem.system.shunts import Comparison, compare


def _compare(text: str, scenario: str) -> Comparison:
    return compare(SystemModel(read_system_text(text)), scenario)


def _causes(comparison: Comparison, org: str) -> list[CostCause]:
    return [c for c in comparison.causes if c.organisation == org]


def _add_up(comparison: Comparison) -> None:
    """Every organisation's causes add up to its change exactly."""
    for change in comparison.organisations:
        total = sum(c.amount for c in _causes(comparison, change.id))
        assert total == pytest.approx(change.change, abs=1e-6), change.id


# Police and the trust on separate pathways: nobody goes from one to the other.
UNRELATED = dedent("""
    name: Two unrelated services
    time: {horizon: 10}
    organisations: {police: Police force, trust: Acute trust}
    services:
      custody:
        owner: police
        kind: contacts
        costs: {per_contact: 100}
      ward:
        owner: trust
        length_of_stay: {mean: 5, distribution: exponential}
        costs: {per_occupied_day: 300}
    cohorts:
      adults:
        needs: {arrest: {service: custody, arrivals: 10}}
      patients:
        needs: {illness: {service: ward, arrivals: 2}}
    interventions:
      fewer_arrests:
        changes: [{change: prevention, cohort: adults, reduce_by: 0.3}]
      longer_stays:
        changes: [{change: length_of_stay, services: ward, multiply: 1.5}]
    scenarios:
      both: {interventions: [fewer_arrests, longer_stays]}
    """)


def test_unrelated_simultaneous_changes_are_not_a_shunt() -> None:
    """Fewer arrests save the police 30% of 10 arrests a day x £100 x 10 days = £3,000,
    all of it from fewer people arriving; longer ward stays cost the trust more inside its
    own services. One saves while the other pays more, but no person and no
    responsibility crosses between them: no shunt, nothing moved."""
    comparison = _compare(UNRELATED, "both")
    changes = {o.id: o.change for o in comparison.organisations}
    assert changes["police"] == pytest.approx(-3000)
    assert changes["trust"] > 0
    assert comparison.shunts == ()
    assert comparison.moved == 0
    [police] = _causes(comparison, "police")
    assert (police.kind, police.stream, police.source, police.crosses) == (
        "people", "arrival", "adults", False)
    assert police.amount == pytest.approx(-3000)
    [trust] = _causes(comparison, "trust")
    assert trust.kind == "own"
    assert trust.amount == pytest.approx(changes["trust"])
    _add_up(comparison)
    if comparison.whole_change > 0:
        assert comparison.verdict == "costs more"
        assert "no cost follows people" in verdict_sentence(comparison)


# A council programme that prevents a fifth of A&E attendances at the trust.
FUNDED = dedent("""
    name: A funded programme
    time: {horizon: 10}
    organisations: {trust: Acute trust, council: Council}
    services:
      ed:
        owner: trust
        kind: contacts
        costs: {per_contact: 200}
    cohorts:
      residents:
        needs: {urgent: {service: ed, arrivals: 50}}
    interventions:
      prevention:
        changes: [{change: prevention, cohort: residents, reduce_by: 0.2}]
        cost: {payer: council, amount: 500, per: day}
    """)


def test_a_funded_programme_is_not_a_shunt() -> None:
    """The council pays £500 a day x 10 days = £5,000 for its programme; the trust sees
    20% of 50 = 10 fewer attendances a day, 100 over the run, at £200: it saves £20,000.
    The whole system saves £15,000. The council's extra cost is its own programme, not
    cost moved onto it: a genuine saving with no shunt."""
    comparison = _compare(FUNDED, "prevention")
    assert comparison.whole_change == pytest.approx(-15000)
    assert comparison.shunts == ()
    assert comparison.verdict == "genuine saving"
    [council] = _causes(comparison, "council")
    assert (council.kind, council.source, council.amount) == (
        "programme", "prevention", pytest.approx(5000))
    [trust] = _causes(comparison, "trust")
    assert (trust.kind, trust.stream) == ("people", "arrival")
    assert trust.amount == pytest.approx(-20000)
    assert verdict_sentence(comparison) == (
        "A genuine whole-system saving of £15,000: where an organisation pays more, it "
        "pays for its own programmes or services, and no cost follows people onto it.")


# A&E turns people away to the council's crisis service when full.
DIVERT = dedent("""
    name: Turned away
    time: {horizon: 10}
    organisations: {trust: Acute trust, council: Council}
    services:
      ed:
        owner: trust
        kind: contacts
        capacity: 10
        costs: {per_contact: 100}
        when_full: {divert_to: crisis}
      crisis:
        owner: council
        kind: contacts
        costs: {per_contact: 50}
    cohorts:
      residents:
        needs: {urgent: {service: ed, arrivals: 12}}
    interventions:
      cut_ed:
        changes: [{change: capacity, services: ed, set: 8}]
    """)


def test_a_shunt_along_a_pathway_is_traced_with_its_amount() -> None:
    """12 people a day; A&E sees 10 (baseline) or 8, the rest go to the council's crisis
    service: 2 or 4 a day. Over 10 days the trust saves 20 x £100 = £2,000 and the council
    pays 20 x £50 = £1,000 more, all of it for people turned away by A&E: a shunt of
    £1,000, with a whole-system saving of £1,000."""
    comparison = _compare(DIVERT, "cut_ed")
    [council] = _causes(comparison, "council")
    assert (council.kind, council.stream, council.source, council.source_organisation) == (
        "people", "divert", "ed", "trust")
    assert council.amount == pytest.approx(1000)
    assert council.crosses
    [shunt] = comparison.shunts
    assert shunt.traced == (council,)
    assert shunt.pays_more == (("Council", pytest.approx(1000)),)
    assert shunt.saves == (("Acute trust", pytest.approx(2000)),)
    assert comparison.moved == pytest.approx(1000)
    assert comparison.verdict == "saving with cost moved"
    assert traced_sentence(shunt) == (
        "Traced: Council: +£1,000 in crisis for people turned away by ed (run by Acute "
        "trust).")
    _add_up(comparison)


# The council's care places; people waiting for one wait in an acute bed, at the trust's
# cost: the hand-derived system of tests/unit/system/test_ledger_and_compare.py, with 3
# places instead of 20 in its intervention.
WAITING = HAND.replace("more_places", "fewer_places").replace("set: 20", "set: 3")


def test_a_shunt_through_waiting_is_traced_to_the_service_people_wait_for() -> None:
    """Two a day need a place that lasts beyond the run. With 5 places: 41 place-days
    (£2,050) and 49 days waited in acute beds (£14,700). With 3 places: occupied at the
    start of days 0..9: 0, 2, then 3 for 8 days = 26 place-days (£1,300); waiting 0, 0, 1,
    3, 5, ..., 15 = 64 days (£19,200). The council saves £750; the trust pays £4,500
    more, all of it for people waiting for the council's care: cost moved £750 (the
    smaller), whole system +£3,750."""
    comparison = _compare(WAITING, "fewer_places")
    changes = {o.id: o.change for o in comparison.organisations}
    assert changes == {"trust": pytest.approx(4500), "council": pytest.approx(-750)}
    [trust] = _causes(comparison, "trust")
    assert (trust.kind, trust.source, trust.source_organisation) == (
        "waiting", "care", "council")
    assert trust.amount == pytest.approx(4500)
    assert comparison.moved == pytest.approx(750)
    assert comparison.verdict == "cost moved"
    assert cause_phrase(trust) == (
        "+£4,500 for people waiting for care (run by Adult social care)")
    _add_up(comparison)


def test_buying_places_is_not_a_shunt_onto_the_buyer() -> None:
    """The reverse: the council buys 20 places (+£2,450) and the trust's waiting falls by
    £14,700. The council pays for capacity of its own; nothing follows people onto it."""
    comparison = _compare(HAND, "more_places")
    assert comparison.shunts == ()
    assert comparison.verdict == "genuine saving"
    [council] = _causes(comparison, "council")
    assert (council.kind, council.amount) == ("own", pytest.approx(2450))


@pytest.mark.parametrize("path", sorted(
    (p for p in wholesystem.example_path("older_people").parent.parent.glob("*/*.yaml")),
    key=str), ids=lambda p: p.parent.name)
def test_every_bundled_comparison_adds_up_and_shunts_only_across_boundaries(path) -> None:
    """For every bundled scenario: causes add up to each change, and every traced cause of
    a shunt began in an organisation that saves and lands on one that pays more."""
    system = load_system(path)
    for scenario in system.scenarios:
        if scenario == "baseline":
            continue
        comparison = compare(system, scenario)
        _add_up(comparison)
        changes = {o.id: o.change for o in comparison.organisations}
        for shunt in comparison.shunts:
            for cause in shunt.traced:
                assert cause.began_elsewhere
                assert changes[cause.organisation] > 0
                assert changes[cause.origin_organisation] < 0


def test_a_shunt_is_followed_up_the_pathway_to_where_it_began() -> None:
    """Probation cuts supervision and saves; the people it cannot supervise reoffend, are
    arrested (police), and wait on remand for the full Crown Court, in prison places. The
    courts neither save nor spend more, so the prison service's extra cost is traced
    through the court queue and the arrests back to probation: a shunt from probation onto
    the prison service and the police, the cost moved being probation's whole saving."""
    comparison = compare(load_system(wholesystem.example_path("criminal_justice")),
                         "cut_probation")
    changes = {o.id: o.change for o in comparison.organisations}
    [prisons] = _causes(comparison, "prisons")
    assert (prisons.kind, prisons.source_organisation, prisons.origin_organisation) == (
        "waiting", "hmcts", "probation")
    assert prisons.amount == pytest.approx(changes["prisons"])
    assert prisons.via[0] == "Arrest and charge"
    [shunt] = comparison.shunts
    assert {name for name, _ in shunt.pays_more} == {"HM Prison Service", "Police force"}
    assert shunt.saves == (("Probation Service", pytest.approx(-changes["probation"])),)
    assert comparison.moved == pytest.approx(-changes["probation"])
    assert "it began with Probation Service (through Arrest and charge" in cause_phrase(
        prisons)
    _add_up(comparison)


def test_a_queue_a_service_drains_with_its_own_capacity_is_its_own() -> None:
    """Walking up stops where the change began: people waiting fewer days because the
    council bought places began with the council, not with the people arriving."""
    comparison = _compare(HAND, "more_places")
    [trust] = _causes(comparison, "trust")
    assert (trust.kind, trust.origin_organisation, trust.via) == ("waiting", "council", ())
