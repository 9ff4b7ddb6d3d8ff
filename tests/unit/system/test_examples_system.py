"""The bundled system examples run from the command line and the Python API, conserve
people in every scenario, and tell the story their READMEs promise."""

from __future__ import annotations

from pathlib import Path

import pytest

import wholesystem
from wholesystem.interfaces.cli import main
from wholesystem.system.conservation import check_conservation
from wholesystem.system.model import load_system
from wholesystem.system.shunts import compare

SYSTEMS = sorted((Path(wholesystem.__file__).parent / "examples").glob("*/*.yaml"))


@pytest.mark.parametrize("path", SYSTEMS, ids=lambda p: p.parent.name)
def test_system_example_runs_everywhere(path: Path, capsys: pytest.CaptureFixture[str]
                                        ) -> None:
    assert (path.parent / "README.md").exists()
    results = wholesystem.load(path).run()
    assert not results.empty
    assert results.notna().all().all()
    system = load_system(path)
    for result in check_conservation(system, ["baseline",
                                              *(s.id for s in system.spec.scenarios)]):
        assert result.ok, result
    scenario = system.scenarios[-1]
    assert main(["compare", str(path), "--scenario", scenario]) == 0
    assert main(["ledger", str(path)]) == 0
    assert main(["journeys", str(path), "--people", "200", "--seed", "1",
                 "--scenario", "baseline"]) == 0
    assert "Who pays" in capsys.readouterr().out


def test_older_people_shows_a_shunt_and_a_genuine_saving_side_by_side() -> None:
    system = load_system(wholesystem.example_path("older_people"))
    shunt = compare(system, "cut_home_care")
    assert shunt.verdict == "cost moved"
    assert shunt.whole_change > 0
    assert shunt.shunts[0].saves[0][0] == "Adult social care"
    saving = compare(system, "falls_prevention")
    # Public health funds a programme; the others save: a funded programme, not a shunt.
    assert saving.verdict == "genuine saving"
    assert saving.saving > 0
    assert not saving.shunts
    assert {c.kind for c in saving.causes if c.organisation == "public_health"} == {
        "programme"}
    pooled = compare(system, "falls_prevention_pooled")
    assert pooled.verdict == "genuine saving"
    assert not pooled.shunts
    assert pooled.whole_change == pytest.approx(saving.whole_change)


def test_older_people_readme_amounts_are_what_compare_gives() -> None:
    """The verdict table of the older_people README quotes compare's amounts rounded to
    £0.1m (£0.01m for the programme's £330,000 = 150,000 x 2 years + 30,000 one-off)."""
    system = load_system(wholesystem.example_path("older_people"))
    readme = (wholesystem.example_path("older_people").parent / "README.md").read_text(
        encoding="utf-8")

    def m(amount: float, places: int = 1) -> str:
        return f"£{abs(amount) / 1e6:.{places}f}m"

    shunt = compare(system, "cut_home_care")
    by_name = {c.name: c.change for c in shunt.organisations}
    assert f"social care saves about {m(by_name['Adult social care'])}" in readme
    assert f"acute trust pays about {m(by_name['Acute trust'])} more" in readme
    assert f"whole system pays about {m(shunt.whole_change)} more" in readme
    saving = compare(system, "falls_prevention")
    assert f"saving** of about {m(saving.whole_change)}" in readme
    paid = {c.name: c.change for c in saving.organisations}["Public health"]
    assert paid == pytest.approx(330_000)
    assert f"public health pays {m(paid, 2)}" in readme
    assert f"the same {m(saving.whole_change)} saving" in readme
