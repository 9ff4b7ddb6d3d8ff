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
    assert saving.verdict == "saving with cost moved"
    assert saving.saving > 0
    pooled = compare(system, "falls_prevention_pooled")
    assert pooled.verdict == "genuine saving"
    assert not pooled.shunts
    assert pooled.whole_change == pytest.approx(saving.whole_change)
