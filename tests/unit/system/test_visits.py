"""Visits services: people at home visited several times a day, capacity in visits a day.

Expected values are worked out by hand from the definitions in
:mod:`wholesystem.system.visits` (a straight line of daily visits over each stay, rounded
half to even; a person starts on the first day from which their whole schedule fits).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from system_factory import dedent

from wholesystem.errors import SystemFileError
from wholesystem.system import read_system_text
from wholesystem.system.journey_report import service_costs
from wholesystem.system.journeys import simulate_journeys
from wholesystem.system.model import SystemModel
from wholesystem.system.spec import Distribution, Duration, ServiceKind, VisitProfile
from wholesystem.system.stays import cdf, step_probabilities
from wholesystem.system.visits import (
    daily_visit_chances,
    mean_visits_per_day,
    schedule,
    scheduled_visits,
)


def visits_system(capacity: str = "4", stay: str = "{mean: 2, distribution: fixed}",
                  profile: str = "{first: 2, last: 2}", waiting: int = 3,
                  arrivals: str = "0", extra: str = "") -> str:
    return dedent(f"""
        name: Home visits
        time: {{horizon: 6}}
        organisations:
          community: Community services
          trust: Acute trust
        services:
          home:
            owner: community
            kind: visits
            capacity: {capacity}
            length_of_stay: {stay}
            visits: {profile}
            costs: {{per_visit: 10, per_delayed_day: 100}}
            when_full: {{queue_in: acute bed, payer: trust}}
            initial: {{waiting: {waiting}}}
        {extra}
        cohorts:
          discharged:
            needs:
              home: {{service: home, arrivals: {arrivals}}}
        """)


def test_schedule_is_a_rounded_straight_line() -> None:
    """linspace(4, 1, 4) = 4, 3, 2, 1; linspace(4, 1, 3) = 4, 2.5, 1 and 2.5 rounds half
    to even, to 2; a one-day stay gets the first day's visits."""
    assert schedule(4, 1, 4).tolist() == [4, 3, 2, 1]
    assert schedule(4, 1, 3).tolist() == [4, 2, 1]
    assert schedule(4, 1, 1).tolist() == [4]


def test_schedule_ties_are_exact_halves() -> None:
    """1 to 4 over 19 days steps by 1/6: day 3 is 1.5 (to 2, even) and day 15 is 3.5 (to 4,
    even), exactly, whatever a float step of 1/6 would give; 1 to 2 over 3 days is 1, 1.5,
    2 and 1.5 goes to 2."""
    line = schedule(1, 4, 19).tolist()
    assert [line[2], line[3], line[4], line[15]] == [1, 2, 2, 4]
    assert schedule(1, 2, 3).tolist() == [1, 2, 2]
    assert schedule(3, 2, 3).tolist() == [3, 2, 2]  # 2.5 goes to 2, the even neighbour


def test_scheduled_visits_count_every_schedule_without_building_it() -> None:
    """The closed form agrees with adding up :func:`schedule` for every first and last
    visit from 0 to 8 and every stay up to 120 days (ties included)."""
    days = np.arange(0, 121)
    for first in range(9):
        for last in range(9):
            expected = [int(schedule(first, last, int(k)).sum()) for k in days]
            assert scheduled_visits(first, last, days).tolist() == expected


def test_daily_visit_chances_redraw_below_one_and_above_three_sd() -> None:
    """Normal(1, 0.5) rounded: 1 with P(0.5 < X < 1.5) = Phi(1) - Phi(-1) = 0.6827, 2 with
    Phi(3) - Phi(1) = 0.1573; 0 (below one) and 3 (above 1 + 3 x 0.5) are drawn again, so
    P(1) = 0.6827 / (0.6827 + 0.1573) = 0.8127."""
    values, p = daily_visit_chances(1, 0.5)
    assert values.tolist() == [1, 2]
    phi = lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))  # noqa: E731
    one, two = phi(1) - phi(-1), phi(3) - phi(1)
    assert p[0] == pytest.approx(one / (one + two))
    values, p = daily_visit_chances(4, 0)
    assert values.tolist() == [4]
    assert p.tolist() == [1.0]


def test_mean_visits_per_day_of_a_fixed_stay() -> None:
    """A 4-day stay visited 4, 3, 2, 1 times: 10 visits over 4 days = 2.5 a day; a 3-day
    stay 4, 2, 1: 7 / 3."""
    profile = VisitProfile(4, 1)
    assert mean_visits_per_day(profile, Duration(4, Distribution.FIXED)) == pytest.approx(2.5)
    assert mean_visits_per_day(profile, Duration(3, Distribution.FIXED)) == pytest.approx(7 / 3)


def test_longest_stays_are_drawn_again() -> None:
    """Stays rounding to 10 days or more, or to 0 days, are drawn again: k days (1..9) has
    chance F(k + 0.5) - F(k - 0.5) over F(9.5) - F(0.5), F the lognormal's CDF."""
    cut = Duration(8, Distribution.LOGNORMAL, sigma=0.8, longest=10)
    q = step_probabilities(cut, 1.0)
    edges = cdf(cut, np.arange(10) + 0.5)
    assert len(q) == 10
    assert q[0] == 0
    assert q[1:] == pytest.approx(np.diff(edges) / (edges[-1] - edges[0]))


def test_people_start_on_the_first_day_their_schedule_fits() -> None:
    """Capacity 4 visits a day, everyone needs 2 visits a day for 2 days. Of the 3 people
    waiting at the start, two start on day 0 (4 visits on days 0 and 1); the third fits
    only from day 2 (2 visits on days 2 and 3). So 1 person waits after days 0 and 1, and
    visits made are 4, 4, 2, 2, 0, 0 at 10 each. People waiting at 100 a day are counted
    at the start of each day as the ledger counts them (3, 1, 1, 0, 0, 0) or at its end
    as IPACS reports (1, 1, 0, 0, 0, 0)."""
    spec = read_system_text(visits_system(), "v.yaml")
    run = simulate_journeys(spec, runs=2, seed=3)
    assert run.visits_made[:, 0, 0].tolist() == [4, 4, 2, 2, 0, 0]
    assert run.waiting[1:, 0, 0].tolist() == [1, 1, 0, 0, 0, 0]
    assert run.occupancy[1:, 0, 0].tolist() == [2, 2, 1, 1, 0, 0]
    assert service_costs(run, "end")[:, 0, 0].tolist() == [140, 140, 20, 20, 0, 0]
    assert service_costs(run, "start")[:, 0, 0].tolist() == [340, 140, 120, 20, 0, 0]
    assert run.home_visits[:, 0].sum() == 2 * 12  # both runs


def test_a_schedule_that_never_fits_waits_to_the_end() -> None:
    """Three visits a day can never fit into a capacity of two: nobody starts."""
    spec = read_system_text(visits_system(capacity="2", profile="{first: 3, last: 3}"),
                            "v.yaml")
    run = simulate_journeys(spec, runs=1, seed=1)
    assert run.visits_made.sum() == 0
    assert run.waiting[-1, 0, 0] == 3


def test_aggregate_and_journeys_agree_on_visits_while_capacity_does_not_bind() -> None:
    """Unlimited visits: the aggregate model's visits (people in service x mean visits a
    person-day) agree with the visits the journeys book, within sampling error."""
    text = visits_system(capacity="1000", stay="{mean: 6, median: 4, distribution: lognormal,"
                                                " longest: 15}",
                         profile="{first: 4, last: 1, spread: 0.5}", waiting=0,
                         arrivals="5").replace("horizon: 6", "horizon: 120")
    spec = read_system_text(text, "v.yaml")
    run = simulate_journeys(spec, runs=40, seed=2)
    aggregate = SystemModel(spec).simulate("baseline").results
    visits = aggregate["home visits"].to_numpy()[60:120]
    journeys = run.visits_made[60:120].mean(axis=1)[:, 0]
    assert journeys.mean() == pytest.approx(visits.mean(), rel=0.04)


def test_a_visits_service_is_read_with_its_profile() -> None:
    spec = read_system_text(visits_system(), "v.yaml")
    home = spec.service("home")
    assert home.kind is ServiceKind.VISITS
    assert home.visits is not None
    assert (home.visits.first, home.visits.last, home.visits.spread) == (2, 2, 0)
    assert home.costs.per_visit == 10
    assert home.costs.per_occupied_day == 0


@pytest.mark.parametrize(("text", "field", "words"), [
    (visits_system().replace("    visits: {first: 2, last: 2}\n", ""), "services.home",
     "needs 'visits'"),
    (visits_system().replace("per_visit: 10,", "per_visit: 10, visits_per_day: 2,"),
     "services.home.costs.visits_per_day", "visits a day from its 'visits' profile"),
    (visits_system(stay="{mean: 2, longest: 5}"), "services.home.length_of_stay.longest",
     "applies to a lognormal"),
    (visits_system().replace("kind: visits\n", "kind: places\n"), "services.home.visits",
     "only a visits service"),
    (visits_system().replace("horizon: 6}", "horizon: 6, unit: week}"), "services.home",
     "books visits day by day"),
    (visits_system(profile="{first: 2}"), "services.home.visits", "last"),
    # The tables hold one entry per whole number of visits a day: 1e20 once raised
    # numpy's "Maximum allowed size exceeded" from journeys.
    (visits_system(profile="{first: 4, last: 99999999999999999999}"),
     "services.home.visits.last", "must be at most 1440, got 1e+20"),
    (visits_system(profile="{first: 4, last: 2, spread: 1000000000.0}"),
     "services.home.visits.spread", "must be at most 1440"),
])
def test_bad_visits_services_are_errors_naming_the_field(text: str, field: str,
                                                         words: str) -> None:
    with pytest.raises(SystemFileError) as caught:
        read_system_text(text, "v.yaml")
    message = str(caught.value)
    assert words in message, message
    assert f"error: {field}:" in message, message
    assert "v.yaml:" in message, message
