"""The public-service commands: ledger, compare, journeys, and system files through run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import wholesystem
from wholesystem.interfaces.cli import main

DISCHARGE = str(wholesystem.example_path("delayed_discharge_system"))
HOSPITAL = str(wholesystem.example_path("hospital_discharge"))


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_ledger_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["ledger", DISCHARGE], capsys)
    assert code == 0, err
    assert "Cost by organisation" in out
    assert "Whole system" in out
    assert "£14,600,000" in out  # 100 beds x £400 x 365 days
    assert "Cost by period" in out
    assert "difference 0" in out


def test_ledger_json_with_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["ledger", DISCHARGE, "--scenario", "fewer_packages", "--json",
                              "--every", "91.25"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["scenario"] == "fewer_packages"
    assert {o["id"] for o in data["organisations"]} == {"acute_trust", "adult_social_care"}
    assert data["outcomes"]["people_waiting_at_end"] > 40
    assert [p["label"] for p in data["periods"]][-1] == "day 273.75 to day 365"


def test_compare_prints_who_pays_and_who_waits(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["compare", HOSPITAL, "--scenario", "unconstrained"], capsys)
    assert code == 0, err
    assert "Who pays" in out
    assert "Who waits" in out
    # 2,000 beds paid for full or empty: the community services pay for capacity of their
    # own and the acute trust's delays fall; nothing follows people, so no shunt
    assert "Why each organisation's cost changed" in out
    assert "Cost shunt:" not in out
    assert "for people waiting for P2 community rehabilitation" in out
    assert "The whole system pays £" in out
    assert "Capacity: Extra capacity pays for itself up to about" in out


def test_compare_json_and_baseline(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["compare", DISCHARGE, "--scenario", "fewer_packages",
                              "--baseline", "more_packages", "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["baseline"] == "more_packages"
    assert data["verdict"] == "cost moved"
    assert data["shunts"][0]["text"].startswith("Acute trust pays £")
    assert data["shunts"][0]["traced_text"].startswith(
        "Traced: Acute trust: +£")
    [traced] = data["shunts"][0]["traced"]
    assert (traced["kind"], traced["source_organisation"]) == ("waiting",
                                                               "adult_social_care")
    assert {c["organisation"] for c in data["causes"]} == {"acute_trust",
                                                           "adult_social_care"}


def test_journeys_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["journeys", DISCHARGE, "--cohort", "residents", "--people",
                              "500", "--seed", "3", "--scenario", "fewer_packages"], capsys)
    assert code == 0, err
    assert "Per service and scenario" in out
    assert "Home-care packages" in out
    assert "per person" in out
    assert "A typical journey" in out
    code, out, err = run_cli(["journeys", DISCHARGE, "--people", "100", "--seed", "3",
                              "--runs", "2", "--json", "--scenario", "baseline"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["runs"] == 2
    assert data["scenarios"][0]["people"]["people"] == 100


def test_unknown_scenario_and_cohort_are_plain_errors(capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    code, _, err = run_cli(["compare", DISCHARGE, "--scenario", "nope"], capsys)
    assert code == 1
    assert "unknown name 'nope'" in err
    assert "Traceback" not in err
    code, _, err = run_cli(["journeys", DISCHARGE, "--cohort", "nobody"], capsys)
    assert code == 1
    assert "unknown name 'nobody'" in err


def test_malformed_system_file_names_line_column_and_field(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = Path(DISCHARGE).read_text().replace("capacity: 750", "capacity: plenty")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "plenty" in t)
    for command in (["ledger", str(bad)], ["run", str(bad)], ["check", str(bad)]):
        code, out, err = run_cli(command, capsys)
        assert code == 1, command
        assert f"bad.yaml:{line}:15: error: services.home_care.capacity" in err + out
        assert "Traceback" not in err


def test_run_and_check_accept_system_files(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["run", DISCHARGE, "--columns", "hospital in service"], capsys)
    assert code == 0, err
    assert out.splitlines()[0] == "Time,hospital in service"
    code, out, err = run_cli(["check", DISCHARGE], capsys)
    assert code == 0
    assert "no problems found" in out
