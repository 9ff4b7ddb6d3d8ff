"""Probability of delay by beds: the formulas by hand, and the no-limit occupancy audit
against queueing theory on small inline systems."""

from __future__ import annotations

import math

import numpy as np
import pytest
from system_factory import dedent

from wholesystem.analysis.delays import (
    delay_probability,
    erlang_b,
    one_in,
    poisson_occupancy,
    shared_loss_delay,
    shared_tail_delay,
)
from wholesystem.errors import ParameterError, ResourceLimitError
from wholesystem.limits import Limits
from wholesystem.system.occupancy import (
    arrival_rates,
    audit_occupancy,
    mean_occupancy,
    wards_of,
)
from wholesystem.system.read import read_system_text

ONE_WARD = dedent("""
    name: One ward
    time: {horizon: 30, unit: day}
    organisations: {trust: Trust}
    services:
      ward: {owner: trust, length_of_stay: 4}
    cohorts:
      people: {name: People, needs: {ill: {service: ward, arrivals: 2}}}
""")


def test_erlang_b_by_hand() -> None:
    """B(c, a) = (a^c / c!) / sum_{k<=c} a^k / k!: B(1, a) = a / (1 + a), so B(1, 1) =
    1/2; B(2, 1) = (1/2) / (1 + 1 + 1/2) = 0.2; B(0, a) = 1 (no bed: everyone delayed)."""
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    assert erlang_b(2, 1.0) == pytest.approx(0.2)
    assert erlang_b(0, 3.0) == 1.0
    assert erlang_b(3, 2.0) == pytest.approx((8 / 6) / (1 + 2 + 2 + 8 / 6))


def test_erlang_b_stays_finite_for_large_wards() -> None:
    """The recursion never forms a^c or c!: 2,000 beds at load 1,900 is a number in (0, 1)."""
    assert 0.0 < erlang_b(2000, 1900.0) < 0.05


def test_delay_probability_is_the_cut_distribution_read_at_full() -> None:
    """Monks et al. 2016: p_n / sum_{k<=n} p_k. For p = (0.2, 0.3, 0.4, 0.1): n = 0 gives
    0.2 / 0.2 = 1; n = 1: 0.3 / 0.5 = 0.6; n = 2: 0.4 / 0.9; n = 3: 0.1 / 1 = 0.1; beyond
    the occupancies seen, 0."""
    p = np.array([0.2, 0.3, 0.4, 0.1])
    assert [delay_probability(p, n) for n in range(5)] == pytest.approx(
        [1.0, 0.6, 0.4 / 0.9, 0.1, 0.0])
    assert delay_probability(np.array([0.0, 0.0, 1.0]), 1) == 1.0
    with pytest.raises(ParameterError):
        delay_probability(p, -1)


def test_delay_probability_of_poisson_occupancy_is_erlang_b() -> None:
    """With Poisson(a) occupancy, p_c / sum_{k<=c} p_k = (a^c/c!) / sum a^k/k! (the e^-a
    cancels): Erlang B, for any c and a."""
    for load in (0.5, 3.0, 8.145, 20.0):
        pmf = poisson_occupancy(load, 200)
        for beds in (0, 1, 5, 10, 25):
            assert delay_probability(pmf, beds) == pytest.approx(erlang_b(beds, load))


def test_one_in() -> None:
    """n = 1 / p rounded: 1 / 0.128 = 7.8 -> 8; 1 / 0.02 = 50; no delay: none."""
    assert (one_in(0.128), one_in(0.02), one_in(0.0)) == (8, 50, None)


def test_shared_beds_by_hand() -> None:
    """Two units, each 0 or 1 patient with probability 1/2, independent, one shared bed
    and none dedicated. Tail (the paper's Additional file 1): a patient is delayed when
    N1 + N2 >= 1, probability 3/4. Loss system: feasible states (0,0), (1,0), (0,1), each
    1/4; one more of either does not fit in (1,0) and (0,1): (1/2) / (3/4) = 2/3."""
    p = np.array([0.5, 0.5])
    assert shared_tail_delay(p, p, (0, 0), 1) == pytest.approx((0.75, 0.75))
    assert shared_loss_delay(p, p, (0, 0), 1) == pytest.approx((2 / 3, 2 / 3))


def test_shared_loss_delay_reduces_to_each_extreme() -> None:
    """No shared beds: each unit's own cut distribution. No dedicated beds: independent
    Poisson(a) + Poisson(b) is Poisson(a + b), so Erlang B(c, a + b) for both."""
    a, b = poisson_occupancy(8.0, 80), poisson_occupancy(10.0, 80)
    own = shared_loss_delay(a, b, (10, 12), 0)
    assert own == pytest.approx((delay_probability(a, 10), delay_probability(b, 12)))
    pooled = shared_loss_delay(a, b, (0, 0), 22)
    assert pooled == pytest.approx((erlang_b(22, 18.0), erlang_b(22, 18.0)))


def test_mm_infinity_occupancy_is_poisson() -> None:
    """M/M/infinity: 2 arrivals a day, exponential stays of 4 days: occupancy Poisson(8).
    The audited distribution is within 0.02 of it in total variation, and the delay at 10
    beds within 0.01 of Erlang B(10, 8) = 0.1217."""
    spec = read_system_text(ONE_WARD)
    assert mean_occupancy(spec) == {"ward": pytest.approx(8.0)}
    audit = audit_occupancy(spec, runs=60, warm_up=60, audits=1000, every=1.0, seed=3)
    seen = audit.distribution("ward")
    theory = poisson_occupancy(8.0, seen.size - 1)
    assert 0.5 * np.abs(seen - theory).sum() < 0.02
    assert audit.counts["ward"].mean() == pytest.approx(8.0, abs=0.15)
    assert delay_probability(seen, 10) == pytest.approx(erlang_b(10, 8.0), abs=0.01)


ROUTED = dedent("""
    name: Routed
    time: {horizon: 30, unit: day}
    organisations: {trust: Trust}
    services:
      acute_a: {owner: trust, ward: acute, length_of_stay: {mean: 2, distribution: fixed}}
      acute_b: {owner: trust, ward: acute,
                length_of_stay: {mean: 3, sd: 4, distribution: lognormal}}
      rehab: {owner: trust, length_of_stay: {mean: 10, distribution: erlang, order: 3}}
      clinic: {owner: trust, kind: contacts}
    cohorts:
      people:
        name: People
        needs:
          a: {service: acute_a, arrivals: 1}
          b: {service: acute_b, arrivals: 0.5}
          c: {service: clinic, arrivals: 2}
    pathways:
      - from: acute_a
        routes: [{to: rehab, fraction: 0.5}, {to: leave, fraction: 0.5}]
      - from: acute_b
        routes: [{to: acute_a, fraction: 0.2}, {to: leave, fraction: 0.8}]
      - from: clinic
        routes: [{to: rehab, fraction: 0.1}, {to: leave, fraction: 0.9}]
""")


def test_traffic_equations_by_hand() -> None:
    """acute_b 0.5 a day; acute_a 1 + 0.2 x 0.5 = 1.1; rehab 0.5 x 1.1 + 0.1 x 2 = 0.75;
    the clinic (contacts) 2 and holds nobody. Acute ward: 1.1 x 2 + 0.5 x 3 = 3.7; rehab
    0.75 x 10 = 7.5. x1.1 admissions scales every rate."""
    spec = read_system_text(ROUTED)
    rates = arrival_rates(spec)
    assert rates == pytest.approx({"acute_a": 1.1, "acute_b": 0.5, "rehab": 0.75,
                                   "clinic": 2.0})
    assert [w.id for w in wards_of(spec)] == ["acute", "rehab"]
    assert mean_occupancy(spec) == pytest.approx({"acute": 3.7, "rehab": 7.5})
    assert mean_occupancy(spec, 1.1)["rehab"] == pytest.approx(8.25)


def test_routed_audit_matches_the_traffic_equations() -> None:
    """Fixed, lognormal and Erlang stays, a route back into the same ward and a contacts
    service on the way: the audited means are the hand-derived 3.7 and 7.5 (within 3%),
    and each ward's occupancy is Poisson (variance = mean, within 6%)."""
    spec = read_system_text(ROUTED)
    audit = audit_occupancy(spec, runs=40, warm_up=100, audits=800, seed=5)
    for ward, mean in (("acute", 3.7), ("rehab", 7.5)):
        counts = audit.counts[ward]
        assert counts.mean() == pytest.approx(mean, rel=0.03)
        assert counts.var() == pytest.approx(mean, rel=0.06)


def test_audit_is_reproducible_and_seeded() -> None:
    """The same seed gives the same counts; another seed other counts."""
    spec = read_system_text(ONE_WARD)
    first = audit_occupancy(spec, runs=3, warm_up=10, audits=20, seed=1).counts["ward"]
    again = audit_occupancy(spec, runs=3, warm_up=10, audits=20, seed=1).counts["ward"]
    other = audit_occupancy(spec, runs=3, warm_up=10, audits=20, seed=2).counts["ward"]
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_audit_refuses_what_it_cannot_do() -> None:
    """Changing arrivals have no steady state; a request for more people than max_people
    is refused before anything is drawn; no runs is an error."""
    growing = ONE_WARD.replace("arrivals: 2", "arrivals: {value: 2, growth: 0.01}")
    with pytest.raises(ParameterError, match="change over time"):
        mean_occupancy(read_system_text(growing))
    with pytest.raises(ResourceLimitError, match="max_people"):
        audit_occupancy(read_system_text(ONE_WARD), runs=10, audits=1000,
                        limits=Limits(max_people=1000))
    with pytest.raises(ParameterError):
        audit_occupancy(read_system_text(ONE_WARD), runs=0)
    assert math.isfinite(erlang_b(5, 0.0))


def test_ward_names_are_checked() -> None:
    """A ward named after a service outside it would merge the two silently; a contacts
    service holds nobody: both are errors at the ward field."""
    from wholesystem.errors import SystemFileError

    clash = ROUTED.replace("ward: acute, length_of_stay: {mean: 2,",
                           "ward: rehab, length_of_stay: {mean: 2,")
    with pytest.raises(SystemFileError, match="ward 'rehab' is also the id"):
        read_system_text(clash)
    contacts = ROUTED.replace("clinic: {owner: trust, kind: contacts}",
                              "clinic: {owner: trust, kind: contacts, ward: acute}")
    with pytest.raises(SystemFileError, match="holds nobody in a ward"):
        read_system_text(contacts)
