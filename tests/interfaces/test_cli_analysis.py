"""The analysis commands: sensitivity, uncertainty, discover, calibrate, forecast, rank.

Each is run small, with --json (its shape checked) and --plot (a PNG or SVG written).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import wholesystem
from wholesystem.interfaces.cli import main

TEACUP = str(wholesystem.example_path("teacup"))
DISCHARGE = str(wholesystem.example_path("delayed_discharge_system"))
OLDER = str(wholesystem.example_path("older_people"))
HOSPITAL = str(wholesystem.example_path("hospital_discharge"))
HISTORY = str(wholesystem.example_path("hospital_discharge").parent / "referrals_history.csv")


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_sensitivity_json_shape_and_plot(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Teacup at t = 30: T = R + (180 - R) e^(-30/tau); both inputs matter."""
    plot = tmp_path / "sobol.png"
    code, out, err = run_cli(["sensitivity", TEACUP, "--param", "Characteristic Time=5:15",
                              "--param", "Room Temperature=60:80", "--output",
                              "Teacup Temperature", "--method", "sobol", "--runs", "64",
                              "--json", "--plot", str(plot)], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["output"] == "Teacup Temperature"
    assert {i["parameter"] for i in data["indices"]} == {"Characteristic Time",
                                                        "Room Temperature"}
    assert {"S1", "ST"} <= set(data["indices"][0])
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_sensitivity_needs_parameters(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["sensitivity", TEACUP, "--output", "Teacup Temperature"], capsys)
    assert code == 1
    assert "--param" in err


def test_uncertainty_bands_and_fan_chart(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    plot = tmp_path / "fan.svg"
    code, out, err = run_cli(["uncertainty", DISCHARGE, "--param",
                              "home_care capacity=700:800", "--output", "people waiting",
                              "--runs", "50", "--json", "--plot", str(plot)], capsys)
    assert code == 0, err
    data = json.loads(out)
    band = data["outputs"]["people waiting"]["final"]
    assert band["p5"] <= band["p50"] <= band["p95"]
    assert data["runs"] == 50
    assert plot.read_text().lstrip().startswith("<?xml")


def test_discover_on_a_system(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plot = tmp_path / "prim.png"
    code, out, err = run_cli(["discover", OLDER, "--scenario", "cut_home_care",
                              "--param", "home_care capacity=400:650",
                              "--case", "cost to acute_trust change > 0", "--runs", "80",
                              "--json", "--plot", str(plot)], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert {"box", "statement", "trajectory", "cart"} <= set(data)
    assert data["box"]["limits"][0]["parameter"] == "home_care capacity"
    assert plot.exists()


def test_calibrate_json_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Observations made by the teacup with tau = 8 (noise-free): the fit finds 8."""
    model = wholesystem.load(wholesystem.example_path("teacup"))
    series = model.run({"Characteristic Time": 8.0})["Teacup Temperature"]
    data_file = tmp_path / "obs.csv"
    data_file.write_text("time,Teacup Temperature\n" + "".join(
        f"{t:g},{v:.6f}\n" for t, v in zip(series.index[::10], series.to_numpy()[::10],
                                            strict=True)))
    plot = tmp_path / "fit.png"
    code, out, err = run_cli(["calibrate", TEACUP, "--data", str(data_file), "--fit",
                              "Characteristic Time=1:30", "--json", "--plot", str(plot)],
                             capsys)
    assert code == 0, err
    result = json.loads(out)
    assert result["parameters"]["Characteristic Time"] == pytest.approx(8.0, rel=1e-3)
    low, high = result["intervals"]["Characteristic Time"]
    assert low <= 8.0 <= high
    assert {"mape", "r2", "theil"} <= set(result["fit"])
    assert {"bias", "variance", "covariance"} <= set(result["fit"]["theil"])
    assert plot.exists()


def test_calibrate_reports_a_bad_file(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "obs.csv"
    bad.write_text("time,Teacup Temperature\n0,hot\n")
    code, _, err = run_cli(["calibrate", TEACUP, "--data", str(bad), "--fit",
                            "Characteristic Time=1:30"], capsys)
    assert code == 1
    assert "obs.csv:2" in err


def test_forecast_with_backtest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plot = tmp_path / "forecast.png"
    code, out, err = run_cli(["forecast", HISTORY, "--column", "referrals", "--horizon",
                              "14", "--method", "seasonal_naive", "--json", "--plot",
                              str(plot)], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert len(data["forecast"]["mean"]) == 14
    assert data["forecast"]["times"][0] == 0.0  # the history ends at time -1
    assert plot.exists()


def test_forecast_drives_a_system(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["forecast", HISTORY, "--column", "p2_b", "--horizon", "182",
                              "--method", "seasonal_naive", "--system", HOSPITAL, "--need",
                              "ready_for_discharge.p2_b", "--output", "p2_b waiting",
                              "--paths", "3", "--json"], capsys)
    assert code == 0, err
    driven = json.loads(out)["system"]["outputs"]["p2_b waiting"]
    assert np.all(np.array(driven["p5"]) <= np.array(driven["p95"]))


def test_rank_and_budget(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plot = tmp_path / "rank.png"
    code, out, err = run_cli(["rank", DISCHARGE, "--json", "--plot", str(plot)], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert [r["id"] for r in data["interventions"]] == ["more_packages", "cut_packages"]
    assert plot.exists()
    code, out, err = run_cli(["rank", HOSPITAL, "--budget", "500000", "--service", "p2_b",
                              "--generations", "2", "--json"], capsys)
    assert code == 0, err
    plan = json.loads(out)
    assert sum(plan["best"]["spend"].values()) <= 500000 * (1 + 1e-9)


def test_every_analysis_command_has_a_tutorial_section_with_its_plot() -> None:
    """docs/tutorial-analysis.md: a section per command, each with an image that exists."""
    import re

    docs = Path(__file__).resolve().parents[2] / "docs"
    text = (docs / "tutorial-analysis.md").read_text()
    sections = re.split(r"^## ", text, flags=re.M)
    for command in ("uncertainty", "sensitivity", "discover", "calibrate", "forecast",
                    "rank"):
        section = next(s for s in sections if s.startswith(f"`{command}`"))
        images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", section)
        assert images, command
        for image in images:
            assert (docs / image).is_file(), image
