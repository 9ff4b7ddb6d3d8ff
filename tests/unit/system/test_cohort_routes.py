"""Cohorts with their own routes and lengths of stay: the aggregate model keeps their
people apart (stocks split by cohort), shares capacity among them, reports the ledger and
comparisons per cohort, and the journeys follow each person's cohort's routes. Expected
values are worked out by hand in the docstrings."""

from __future__ import annotations

import numpy as np
import pytest
from system_factory import dedent

from wholesystem.errors import WholesystemError
from wholesystem.system import read_system_text
from wholesystem.system.journeys import simulate_journeys
from wholesystem.system.ledger import build_ledger
from wholesystem.system.model import SystemModel
from wholesystem.system.shunts import compare

# Frail people stay 8 days on the ward and half go on to the council's care; fit people
# stay 4 days and all go home. The ward has 10 beds (more_beds: 20, more than ever used).
WARD = dedent("""
    name: Cohort routes
    time: {horizon: 20}
    organisations: {trust: Acute trust, council: Council}
    services:
      ward:
        owner: trust
        capacity: 10
        length_of_stay: {mean: 4, distribution: exponential}
        costs: {per_occupied_day: 300}
      care:
        owner: council
        length_of_stay: {mean: 10, distribution: exponential}
        costs: {per_occupied_day: 100}
    cohorts:
      frail:
        needs: {acute: {service: ward, arrivals: 1}}
        length_of_stay: {ward: {mean: 8, distribution: exponential}}
      fit:
        needs: {acute: {service: ward, arrivals: 2}}
    pathways:
      - from: ward
        routes: [{to: leave, fraction: 1}]
      - from: ward
        cohort: frail
        routes: [{to: care, fraction: 0.5}, {to: leave, fraction: 0.5}]
    interventions:
      more_beds:
        changes: [{change: capacity, services: ward, set: 20}]
    """)


def _by_hand(days: int = 20) -> dict[str, float]:
    """Euler with DT = 1 from empty: an exponential stay of mean L lets out stock / L a
    day. Frail on the ward f' = 1 - f / 8, fit g' = 2 - g / 4, care c' = 0.5 f / 8 - c / 10
    (only frail people reach care); costs are the people in service at the start of each
    day times the day's price (trust 300, council 100)."""
    f = g = c = 0.0
    out = {"trust_frail": 0.0, "trust_fit": 0.0, "council": 0.0, "to_care": 0.0}
    for _ in range(days):
        out["trust_frail"] += 300 * f
        out["trust_fit"] += 300 * g
        out["council"] += 100 * c
        to_care = 0.5 * f / 8
        out["to_care"] += to_care
        f, g, c = f + 1 - f / 8, g + 2 - g / 4, c + to_care - c / 10
    return out


def test_each_cohort_leaves_after_its_own_stay_by_its_own_routes() -> None:
    ledger = build_ledger(SystemModel(read_system_text(WARD)).simulate("more_beds"))
    hand = _by_hand()
    assert ledger.organisation("trust").cost == pytest.approx(
        hand["trust_frail"] + hand["trust_fit"], rel=1e-12)
    assert ledger.organisation("council").cost == pytest.approx(hand["council"], rel=1e-12)
    frail, fit = ledger.cohorts
    assert (frail.id, fit.id) == ("frail", "fit")
    assert frail.costs == {"trust": pytest.approx(hand["trust_frail"], rel=1e-12),
                           "council": pytest.approx(hand["council"], rel=1e-12)}
    assert fit.costs == {"trust": pytest.approx(hand["trust_fit"], rel=1e-12),
                         "council": 0.0}
    # 20 frail admissions to the ward and those sent on to care; 40 fit admissions
    assert frail.served == pytest.approx(20 + hand["to_care"], rel=1e-12)
    assert fit.served == pytest.approx(40, rel=1e-12)
    assert ledger.service("care").served == pytest.approx(hand["to_care"], rel=1e-12)
    assert ledger.people.residual == pytest.approx(0, abs=1e-9)


# A&E sees 6 a day; 2 frail and 6 fit arrive. The frail go on to the council's crisis
# team, the fit go home.
SHARED = dedent("""
    name: Shared capacity
    time: {horizon: 4}
    organisations: {trust: Acute trust, council: Council}
    services:
      ed:
        owner: trust
        kind: contacts
        capacity: 6
        costs: {per_contact: 100}
      crisis:
        owner: council
        kind: contacts
        costs: {per_contact: 50}
    cohorts:
      frail:
        needs: {urgent: {service: ed, arrivals: 2}}
      fit:
        needs: {urgent: {service: ed, arrivals: 6}}
    pathways:
      - from: ed
        cohort: frail
        routes: [{to: crisis, fraction: 1}]
    """)


def test_cohorts_share_a_full_service_in_proportion_to_their_demand() -> None:
    """Day 0: 2 + 6 = 8 ask, 6 are seen: each cohort gets 6 / 8 of its demand, 1.5 frail
    and 4.5 fit, and 0.5 and 1.5 wait. Day 1: 2.5 and 7.5 ask, 6 / 10 of each: 1.5 and
    4.5 again; the 1 : 3 mix holds every day, so over 4 days 6 frail and 18 fit are seen
    (trust 24 x £100 = £2,400), and the 6 frail go on to crisis (council 6 x £50 =
    £300). Waiting: 2 a day more than seen, 0.5 frail and 1.5 fit a day, 8 at the end."""
    ledger = build_ledger(SystemModel(read_system_text(SHARED)).simulate("baseline"))
    assert ledger.organisation("trust").cost == pytest.approx(2400)
    assert ledger.organisation("council").cost == pytest.approx(300)
    frail, fit = ledger.cohorts
    assert frail.served == pytest.approx(6 + 6)   # seen at A&E, then by crisis
    assert fit.served == pytest.approx(18)
    assert frail.waiting_at_end == pytest.approx(2)
    assert fit.waiting_at_end == pytest.approx(6)
    assert frail.costs == {"trust": pytest.approx(600), "council": pytest.approx(300)}


def test_compare_reports_each_cohort() -> None:
    """More beds: nobody waits, so each cohort's days waited fall to 0 and the costs rise
    by what the extra occupancy costs; the cohorts' changes add up to the running-cost
    change of each organisation (the ward has no capacity cost)."""
    comparison = compare(SystemModel(read_system_text(WARD)), "more_beds")
    frail, fit = comparison.cohorts
    base = build_ledger(SystemModel(read_system_text(WARD)).simulate("baseline"))
    assert frail.days_waited_change == pytest.approx(-base.cohorts[0].days_waited)
    assert fit.days_waited_change == pytest.approx(-base.cohorts[1].days_waited)
    changes = {o.id: o.change for o in comparison.organisations}
    for org in ("trust", "council"):
        assert frail.costs[org] + fit.costs[org] == pytest.approx(changes[org])


def test_people_at_the_start_are_shared_by_arrivals() -> None:
    """12 people on the ward at the start, frail arriving 1 a day and fit 2: a third are
    frail (4), two thirds fit (8); only frail people can reach care, so its 6 are frail."""
    text = WARD.replace("costs: {per_occupied_day: 300}",
                        "costs: {per_occupied_day: 300}\n    initial: {in_service: 12}")
    text = text.replace("costs: {per_occupied_day: 100}",
                        "costs: {per_occupied_day: 100}\n    initial: {in_service: 6}")
    results = SystemModel(read_system_text(text)).simulate("baseline").results
    assert results["ward in service of frail"].iloc[0] == pytest.approx(4)
    assert results["ward in service of fit"].iloc[0] == pytest.approx(8)
    assert results["care in service of frail"].iloc[0] == pytest.approx(6)
    assert results["care in service of fit"].iloc[0] == pytest.approx(0)


def test_journeys_follow_each_cohorts_routes_and_stays() -> None:
    """Nobody fit ever reaches care; frail people do (half of those leaving the ward);
    frail stays on the ward are about twice as long as fit ones (8 against 4 days)."""
    run = simulate_journeys(read_system_text(WARD), 40, seed=5)
    care = 1
    frail = run.cohort_of == 0
    fit = run.cohort_of == 1
    assert run.occupied[fit, care].sum() == 0
    assert run.occupied[frail, care].sum() > 0
    ward = 0
    done = run.final_state != 0
    mean_frail = run.occupied[frail & done, ward].mean()
    mean_fit = run.occupied[fit & done, ward].mean()
    assert mean_frail > 1.5 * mean_fit


@pytest.mark.parametrize(("change", "message"), [
    ("cohort: frail\n    routes: [{to: care, fraction: 0.5}, {to: leave, fraction: 0.5}]",
     None),
    ("cohort: nobody\n    routes: [{to: care, fraction: 0.5}, {to: leave, fraction: 0.5}]",
     "no cohort 'nobody'"),
])
def test_a_pathway_for_an_unknown_cohort_is_refused(change: str, message: str | None
                                                     ) -> None:
    text = WARD.replace(
        "cohort: frail\n    routes: [{to: care, fraction: 0.5}, {to: leave, fraction: 0.5}]",
        change)
    if message is None:
        read_system_text(text)
        return
    with pytest.raises(WholesystemError, match=message):
        read_system_text(text, "w.yaml")


def test_a_second_pathway_for_the_same_cohort_is_refused() -> None:
    text = WARD.replace("interventions:", "  - from: ward\n    cohort: frail\n"
                        "    routes: [{to: leave, fraction: 1}]\ninterventions:")
    with pytest.raises(WholesystemError, match="second pathway from 'ward' for cohort"):
        read_system_text(text, "w.yaml")


def test_a_cohort_stay_in_a_contacts_service_is_refused() -> None:
    text = SHARED.replace("needs: {urgent: {service: ed, arrivals: 2}}",
                          "needs: {urgent: {service: ed, arrivals: 2}}\n"
                          "    length_of_stay: {ed: {mean: 2}}")
    with pytest.raises(WholesystemError, match="cohort's own length of stay is for places"):
        read_system_text(text, "s.yaml")


def test_without_cohort_routes_nothing_is_split() -> None:
    """A file whose cohorts share every route and stay is lowered as before: no lanes."""
    text = WARD.split("    length_of_stay: {ward:")[0] + WARD.split("exponential}}\n", 1)[1]
    text = text.replace("  - from: ward\n    cohort: frail\n    routes: [{to: care, "
                        "fraction: 0.5}, {to: leave, fraction: 0.5}]\n", "")
    spec = read_system_text(text)
    assert spec.lanes == ()
    assert build_ledger(SystemModel(spec).simulate("baseline")).cohorts == ()
    assert np.isfinite(SystemModel(spec).simulate("baseline").results.values).all()


def test_an_intervention_can_change_one_cohorts_routes() -> None:
    """Sending every frail person leaving the ward to care instead of half: care is
    unlimited and linear in what it receives (c' = k f / 8 - c / 10), and the ward does not
    depend on where its people go next, so the council's cost exactly doubles and nothing
    changes for the fit cohort or the trust."""
    text = WARD.replace("interventions:", "interventions:\n  all_frail_to_care:\n    changes:"
                        "\n      - {change: routing, from: ward, cohort: frail, routes: "
                        "[{to: care, fraction: 1}]}")
    system = SystemModel(read_system_text(text))
    comparison = compare(system, "all_frail_to_care")
    changes = {o.id: o.change for o in comparison.organisations}
    assert changes["council"] == pytest.approx(comparison.organisations[1].baseline,
                                               rel=1e-12)
    assert changes["trust"] == pytest.approx(0, abs=1e-6)
    frail, fit = comparison.cohorts
    assert fit.change == pytest.approx(0, abs=1e-6)
    assert frail.costs["council"] == pytest.approx(changes["council"])


def test_a_routing_change_for_an_unknown_cohort_is_refused() -> None:
    text = WARD.replace("interventions:", "interventions:\n  odd:\n    changes:\n      - "
                        "{change: routing, from: ward, cohort: nobody, routes: [{to: leave, "
                        "fraction: 1}]}")
    with pytest.raises(WholesystemError, match="no cohort 'nobody'"):
        read_system_text(text, "w.yaml")
