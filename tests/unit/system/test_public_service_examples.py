"""The bundled systems beyond health (criminal justice; housing and homelessness) tell the
story their READMEs tell, and every number of the READMEs' scenario and journeys tables
is what the code gives now.

Each README holds two generated tables between markers: who pays and who waits in each
scenario against the baseline (from :func:`wholesystem.system.shunts.compare`), and
residents' journeys (from :func:`wholesystem.system.journey_report.journeys`, 10,000
people, seed 1). When a change to the engine moves a number, the failing test prints
the table to paste.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import wholesystem
from wholesystem.interfaces.render import number, signed
from wholesystem.system.conservation import check_conservation
from wholesystem.system.journey_report import JourneysReport, journeys
from wholesystem.system.model import SystemModel, load_system
from wholesystem.system.shunts import Comparison, compare

EXAMPLES = ("criminal_justice", "housing_homelessness")
_TESTED_BY = "tested by tests/unit/system/test_public_service_examples.py -->"
SCENARIO_START = f"<!-- scenario table: {_TESTED_BY}"
JOURNEY_START = f"<!-- journeys table: {_TESTED_BY}"
TABLE_END = "<!-- end of table -->"
COHORT = {"criminal_justice": "charged", "housing_homelessness": "households"}


def _millions(value: float) -> str:
    sign = "+" if value > 0.005e6 else "-" if value < -0.005e6 else ""
    return f"{sign}£{abs(value) / 1e6:.2f}m"


def scenario_table(system: SystemModel) -> str:
    """Markdown: each scenario's change in cost per organisation and in residents' outcomes."""
    comparisons = [compare(system, s.id) for s in system.spec.scenarios]
    names = [o.name for o in system.spec.organisations]
    head = ["scenario", *names, "whole system", "days waited", "repeat presentations"]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for c in comparisons:
        lines.append("| " + " | ".join([f"`{c.scenario}`", *_money_cells(c),
                                        signed(_outcome(c, "days_waited")),
                                        signed(_outcome(c, "repeat_presentations"))]) + " |")
    return "\n".join(lines)


def _money_cells(comparison: Comparison) -> list[str]:
    return [*(_millions(o.change) for o in comparison.organisations),
            _millions(comparison.whole_change)]


def _outcome(comparison: Comparison, name: str) -> float:
    return next(o.change for o in comparison.outcomes if o.name == name)


def journeys_report(system: SystemModel, example: str) -> JourneysReport:
    """Every scenario's journeys: 10,000 residents of the example's cohort, seed 1."""
    return journeys(system, None, COHORT[example], people=10000, seed=1, typical=0)


def journey_table(report: JourneysReport) -> str:
    """Markdown: per-person means of waiting, repeats and hand-offs in each scenario."""
    measures = ("days waiting", "repeat presentations", "hand-offs between organisations")
    head = ["scenario", *(f"{m} (mean)" for m in measures), "came back at least once"]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for scenario in report.scenarios:
        people = scenario.people
        assert people is not None
        cells = [number(people.measures[m].mean, 1 if m == "days waiting" else 2)
                 for m in measures]
        share = f"{people.shares['came back at least once']:.0%}"
        lines.append("| " + " | ".join([f"`{scenario.scenario}`", *cells, share]) + " |")
    return "\n".join(lines)


def _shown(readme: str, start: str) -> str:
    assert start in readme, f"the README has no table marked {start}"
    return readme.split(start)[1].split(TABLE_END)[0].strip()


def _readme(example: str) -> str:
    path = Path(wholesystem.example_path(example))
    return (path.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("example", EXAMPLES)
def test_readme_scenario_table_is_what_compare_gives(example: str) -> None:
    expected = scenario_table(load_system(wholesystem.example_path(example)))
    assert _shown(_readme(example), SCENARIO_START) == expected, expected


@pytest.mark.parametrize("example", EXAMPLES)
def test_readme_journeys_table_is_what_journeys_give(example: str) -> None:
    system = load_system(wholesystem.example_path(example))
    expected = journey_table(journeys_report(system, example))
    assert _shown(_readme(example), JOURNEY_START) == expected, expected


@pytest.mark.parametrize("example", EXAMPLES)
def test_people_are_conserved_in_every_scenario(example: str) -> None:
    system = load_system(wholesystem.example_path(example))
    for result in check_conservation(system, list(system.scenarios)):
        assert result.ok, result


def _changes(comparison: Comparison) -> dict[str, float]:
    return {o.id: o.change for o in comparison.organisations}


def test_cutting_probation_moves_cost_to_prisons_and_police() -> None:
    """The Crown Court hears cases as fast as its capacity allows, so the extra reoffenders
    of an unsupervised release wait; those remanded wait in prison, at the prison
    service's cost. Probation's saving is far smaller than what the others pay."""
    comparison = compare(load_system(wholesystem.example_path("criminal_justice")),
                         "cut_probation")
    change = _changes(comparison)
    assert change["probation"] < 0
    assert change["prisons"] > 0
    assert change["police"] > 0
    assert change["hmcts"] == pytest.approx(0, abs=1.0)  # the court is already full
    assert comparison.whole_change > -change["probation"]
    assert comparison.shunts
    assert comparison.verdict == "cost moved"
    assert _outcome(comparison, "repeat_presentations") > 0
    assert _outcome(comparison, "days_waited") > 0


def test_the_reoffending_programme_saves_across_the_system() -> None:
    """Probation pays for the programme; prisons and the police save more than it costs."""
    comparison = compare(load_system(wholesystem.example_path("criminal_justice")),
                         "reoffending_programme")
    change = _changes(comparison)
    assert change["probation"] > 0
    assert change["prisons"] < 0
    assert change["police"] < 0
    assert comparison.whole_change < 0
    assert _outcome(comparison, "repeat_presentations") < 0


def test_the_court_waits_follow_the_published_caseload() -> None:
    """The baseline starts from the published open caseload divided by 43 forces (1,571
    cases, 361 of them remanded) and the bail court disposes of fewer cases than it
    receives, as the Crown Court did in 2023: its queue grows."""
    run = load_system(wholesystem.example_path("criminal_justice")).simulate()
    bailed = run.series("court bailed waiting")[:, 0]
    remanded = run.series("court remanded waiting")[:, 0]
    assert bailed[0] + remanded[0] == pytest.approx(1571)
    assert bailed[-1] > bailed[0]


def test_prevention_saves_for_everyone_and_cutting_it_costs_everyone() -> None:
    system = load_system(wholesystem.example_path("housing_homelessness"))
    saving = compare(system, "enhanced_prevention")
    assert all(c < 0 for c in _changes(saving).values())
    assert saving.verdict == "genuine saving"
    cut = compare(system, "cut_prevention")
    assert all(c > 0 for c in _changes(cut).values())
    assert cut.verdict == "costs more"
    assert _outcome(cut, "days_waited") > 0
    assert _outcome(cut, "repeat_presentations") > 0


def test_a_spell_on_the_street_costs_what_pleace_and_culhane_found() -> None:
    """Each 90-day spell of sleeping rough charges the NHS £1,075 + £525 + £330 = £1,930
    and the criminal justice system £2,998 (Pleace and Culhane 2016, per person over 90
    days): the two contacts services count one contact per spell."""
    system = load_system(wholesystem.example_path("housing_homelessness"))
    spec = system.spec
    assert spec.service("nhs_care").costs.per_contact == 1930
    assert spec.service("criminal_justice_contact").costs.per_contact == 2998
    assert spec.service("rough_sleeping").length_of_stay.mean == 90  # type: ignore[union-attr]
