"""Boundary critique: the narrow view, the cut, and the boundary questions."""

from __future__ import annotations

import json

import pytest

import wholesystem
from wholesystem.errors import ParameterError, SystemFileError
from wholesystem.interfaces.cli import main
from wholesystem.system.boundary import boundary_critique
from wholesystem.system.read import read_system_text

HOSPITAL = wholesystem.example_path("hospital_discharge")


def test_a_council_saving_is_a_cost_shunt_onto_the_acute_trust() -> None:
    """Bristol cuts P3 care-home beds from 72 to 60. Inside the council's boundary only
    its placements count (£164 per occupied bed-day), so fewer beds save. The patients
    who cannot be placed wait in acute beds at £346 a day, paid by the acute trust
    outside the boundary: the acute trust's change is exactly 346 x the change in
    person-days waited for P3 Bristol, the council's is 164 x the change in occupied
    bed-days, and the whole system pays the difference."""
    system = wholesystem.load_system(HOSPITAL)
    report = boundary_critique(system, ["bristol_council"], "fewer_care_home_beds")
    assert report.narrow_verdict == "saves"
    assert report.whole_verdict == "costs more"
    assert report.flips[0].kind == "shunt"
    assert report.flips[0].amount == pytest.approx(report.narrow_change)
    (acute, acute_change), = report.affected_organisations
    assert acute == "Acute trust"
    (who, waited, payer), = report.affected_residents
    assert "P3 care-home beds, Bristol" in who
    assert payer == "Acute trust"
    assert acute_change == pytest.approx(346 * waited, rel=1e-9)
    assert report.whole_change == pytest.approx(report.narrow_change + acute_change,
                                                rel=1e-9)
    assert report.gaps  # the file's CSH answers have is/ought gaps the numbers bear on
    assert all(answer.gap for answer in report.gaps)
    json.dumps(report.to_json())


def test_the_baseline_seen_through_any_boundary_is_the_baseline() -> None:
    """Fixing outside variables at their baseline values changes nothing in the
    baseline itself: the narrow change of the baseline is zero for any boundary."""
    system = wholesystem.load_system(wholesystem.example_path("older_people"))
    for organisation in system.spec.organisations:
        report = boundary_critique(system, [organisation.id], "baseline")
        assert report.narrow_change == pytest.approx(0, abs=1e-6)
        assert not report.flips


def test_flows_across_the_cut_are_fixed_and_feedback_through_outside_is_cut() -> None:
    """Delayed-discharge system, fewer care packages. Inside the acute trust only, the
    home-care queue (adult social care's) is fixed at its baseline, so the acute trust's
    cost of people waiting for packages does not change: narrow 'no change'. With the
    whole system responding the queue grows and the acute trust pays for it; the
    difference is reported as feedback through the outside."""
    system = wholesystem.load_system(wholesystem.example_path("delayed_discharge_system"))
    report = boundary_critique(system, ["acute_trust"], "fewer_packages")
    assert ("home_care waiting", "home_care waiting cost rate") in report.cut_links
    assert report.narrow_verdict == "no change"
    assert report.inside_whole_change > 0
    (feedback,) = [f for f in report.flips if f.kind == "feedback"]
    assert feedback.amount == pytest.approx(report.inside_whole_change - report.narrow_change)
    social = boundary_critique(system, ["adult_social_care"], "fewer_packages")
    assert ("hospital to home_care", "home_care waiting") in social.cut_links
    assert social.narrow_verdict == "saves"
    assert social.whole_verdict == "costs more"


def test_unknown_organisation_is_refused() -> None:
    system = wholesystem.load_system(HOSPITAL)
    with pytest.raises(ParameterError, match="no organisation with that id"):
        boundary_critique(system, ["nhs_england"], "fewer_care_home_beds")


def test_boundary_questions_are_checked_by_the_schema() -> None:
    """An answer to a question that is not one of the twelve is refused at its line."""
    text = HOSPITAL.read_text(encoding="utf-8").replace("  witness:\n", "  witnesses:\n")
    with pytest.raises(SystemFileError, match=r"critique\.witnesses: unknown field") as err:
        read_system_text(text, "h.yaml")
    assert err.value.span is not None
    assert err.value.span.line > 1


def test_boundary_command_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["boundary", str(HOSPITAL), "--inside", "bristol_council", "--scenario",
                 "fewer_care_home_beds", "--json"])
    out = capsys.readouterr().out
    assert code == 0
    document = json.loads(out)
    assert document["narrow_verdict"] == "saves"
    assert document["whole_verdict"] == "costs more"
    assert document["affected_organisations"][0][0] == "Acute trust"
