"""The words and figures of reports, from data built by hand (no model run needed)."""

from __future__ import annotations

import pytest

from wholesystem.interfaces.render import (
    comparison_dict,
    money,
    shunt_sentence,
    signed_money,
    verdict_sentence,
)
from wholesystem.interfaces.render.boundary import (
    boundary_dict,
    flip_sentences,
    gap_sentences,
    whole_sentence,
)
from wholesystem.interfaces.render.comparisons import verdict_words
from wholesystem.system.boundary import BoundaryReport, CritiqueAnswer, Flip
from wholesystem.system.shunts import Comparison, Shunt

# The hand-checked system of tests/unit/system/test_ledger_and_compare.py: more care
# places cost the council 4,500 - 2,050 = £2,450 and save the trust £14,700 of delayed
# days, so the whole system saves £12,250 while £2,450 moves between organisations.
SHUNT = Shunt(pays_more=(("Adult social care", 2450.0),), saves=(("Acute trust", 14700.0),),
              whole_system=-12250.0)


def _comparison(verdict: str, whole: float, moved: float) -> Comparison:
    shunts = (SHUNT,) if moved else ()
    return Comparison(system="Hand-checked", baseline="baseline", scenario="more_places",
                      currency="£", horizon=10, unit="day", organisations=(),
                      whole_baseline=16750.0, whole_scenario=16750.0 + whole,
                      whole_change=whole, outcomes=(), shunts=shunts, moved=moved,
                      saving=max(0.0, -whole), verdict=verdict)


def test_money_rounds_to_whole_units_and_puts_the_sign_in_front() -> None:
    assert money(12250.4) == "£12,250"
    assert money(-2450.6) == "-£2,451"
    assert money(-0.4) == "£0"
    assert signed_money(2450, "€") == "+€2,450"
    assert signed_money(-0.4) == "£0"


def test_shunt_sentence_names_each_side_and_the_whole_system() -> None:
    assert shunt_sentence(SHUNT) == ("Adult social care pays £2,450 more; Acute trust saves "
                                     "£14,700; whole system: saves £12,250.")


@pytest.mark.parametrize(("verdict", "whole", "moved", "sentence"), [
    ("genuine saving", -12250, 0,
     "A genuine whole-system saving of £12,250: no organisation pays more."),
    ("saving with cost moved", -12250, 2450,
     "A genuine whole-system saving of £12,250, while £2,450 of cost moves between "
     "organisations: those who save should fund those who pay more."),
    ("cost moved", 500, 2450,
     "Cost shunting: £2,450 of cost moves between organisations and the whole system pays "
     "£500 more. The saving is not real."),
    ("cost moved", 0, 2450,
     "Cost shunting: £2,450 of cost moves between organisations with no whole-system "
     "saving."),
    ("costs more", 500, 0, "The whole system pays £500 more; no organisation saves."),
    ("no change", 0, 0, "No change in cost to any organisation."),
])
def test_every_verdict_has_its_sentence(verdict: str, whole: float, moved: float,
                                        sentence: str) -> None:
    assert verdict_sentence(_comparison(verdict, whole, moved)) == sentence
    assert verdict_words(verdict, whole, moved, "£") == sentence


def test_comparison_dict_carries_the_sentences_beside_the_data() -> None:
    data = comparison_dict(_comparison("saving with cost moved", -12250, 2450))
    assert data["verdict"] == "saving with cost moved"
    assert data["summary"].startswith("A genuine whole-system saving of £12,250")
    assert data["shunts"][0]["moved"] == 2450
    assert data["shunts"][0]["text"] == shunt_sentence(SHUNT)


def _report(flips: tuple[Flip, ...], gaps: tuple[CritiqueAnswer, ...] = ()) -> BoundaryReport:
    # the council saves £1,000 inside its boundary; the acute trust outside pays £1,500
    # more, so the whole system pays £500 more; with the whole system responding the
    # council itself saves only £800 (feedback of +£200).
    return BoundaryReport(
        system="Hand-checked", scenario="fewer_beds", baseline="baseline", currency="£",
        inside=(("council", "Council"),), outside=(("trust", "Acute trust"),),
        narrow_changes=(("Council", -1000.0),), narrow_change=-1000.0,
        narrow_verdict="saves", inside_whole_change=-800.0, whole_change=500.0,
        whole_verdict="costs more", whole_comparison="cost moved", whole_moved=800.0,
        flips=flips, affected_organisations=(("Acute trust", 1500.0),),
        affected_residents=(), cut_links=(("a", "b"),), cross_loops=(), gaps=gaps)


def test_flip_sentences_from_the_flip_records() -> None:
    report = _report((Flip("shunt", -1000.0), Flip("feedback", 200.0)))
    assert flip_sentences(report) == (
        "Inside the boundary of Council the scenario saves £1,000, but the whole system "
        "pays £500 more: the saving is a cost shunt onto Acute trust (+£1,500).",
        "Feedback through organisations outside changes Council's own cost by £200 "
        "compared with the narrow view.")
    assert whole_sentence(report) == (
        "Cost shunting: £800 of cost moves between organisations and the whole system "
        "pays £500 more. The saving is not real.")


def test_gap_sentences_show_the_numbers_each_answer_bears_on() -> None:
    answer = CritiqueAnswer("measure", "Acute trust", "council budget", "whole-system cost")
    report = _report((), gaps=(answer,))
    assert gap_sentences(report) == (
        "measure (Acute trust): is 'council budget', ought 'whole-system cost'; the "
        "numbers: whole-system cost +£500, inside the boundary -£1,000.",)
    data = boundary_dict(report)
    assert data["gaps"] == list(gap_sentences(report))
    assert data["gap_records"][0]["bears_on"] == ["cost"]
    assert data["flips"] == []
