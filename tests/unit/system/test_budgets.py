"""Budget thresholds against a comparison: the four states, by hand."""

from __future__ import annotations

from wholesystem.interfaces.render.budgets import budget_flags_dict, budget_sentence
from wholesystem.system.budgets import budget_flags
from wholesystem.system.shunts import Comparison, OrganisationChange


def _line(org: str, baseline: float, scenario: float) -> OrganisationChange:
    return OrganisationChange(id=org, name=org.title(), baseline=baseline, scenario=scenario,
                              change=scenario - baseline, served_change=0.0,
                              place_days_change=0.0, days_waited_paid_change=0.0)


def _comparison(*lines: OrganisationChange) -> Comparison:
    base = sum(x.baseline for x in lines)
    new = sum(x.scenario for x in lines)
    return Comparison(system="s", baseline="baseline", scenario="x", currency="£",
                      horizon=365.0, unit="day", organisations=lines, whole_baseline=base,
                      whole_scenario=new, whole_change=new - base, outcomes=(), shunts=(),
                      moved=0.0, saving=0.0, verdict="costs more")


def test_each_state_follows_from_the_two_costs_and_the_threshold() -> None:
    """Threshold 100 for everyone: 90 -> 120 crosses it (over by 20); 110 -> 130 stays
    over (by 30); 110 -> 95 comes back within (5 spare); 50 -> 60 stays within (40 spare).
    An organisation without a threshold is left out; a cost exactly at the threshold is
    within it (over means more than the budget)."""
    comparison = _comparison(_line("a", 90, 120), _line("b", 110, 130), _line("c", 110, 95),
                             _line("d", 50, 60), _line("e", 1, 1e9), _line("f", 90, 100))
    flags = budget_flags(comparison, dict.fromkeys("abcdf", 100.0))
    assert [(f.organisation, f.state, f.headroom) for f in flags] == [
        ("a", "crossed", -20.0), ("b", "over", -30.0), ("c", "back within", 5.0),
        ("d", "within", 40.0), ("f", "within", 0.0)]
    assert budget_sentence(flags[0]) == "A goes over its budget of £100 by £20"
    assert [f.over for f in flags] == [True, True, False, False, False]
    assert budget_flags_dict(flags)[0]["over"] is True


def test_thresholds_for_unknown_organisations_are_ignored() -> None:
    assert budget_flags(_comparison(_line("a", 1, 2)), {"zz": 1.0}) == ()
