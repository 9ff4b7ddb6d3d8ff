"""Demand forecasting: baselines by hand, the backtest on the bundled history, drivers."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import wholesystem
from wholesystem.analysis.forecasting import (
    Forecast,
    age_specific_demand,
    backtest,
    backtest_dict,
    drive_system,
    driven_dict,
    forecast,
    forecast_dict,
    read_history,
    read_population,
    simulate_paths,
)
from wholesystem.datafiles import DataFileError
from wholesystem.errors import ParameterError, UnknownNameError

WEEK = np.array([3.0, 5, 7, 9, 11, 13, 15])
HISTORY = wholesystem.example_path("hospital_discharge").parent / "referrals_history.csv"


def test_seasonal_naive_mean_and_interval_by_hand() -> None:
    """Eight periodic weeks, then the last week one higher on every day. The forecast
    repeats the last week; the seasonal differences are 0 except the last 7, which are
    1, so sigma = sqrt(7 / 49); a step in the second week ahead has sd sigma * sqrt(2)."""
    y = np.tile(WEEK, 8)
    y[-7:] += 1
    result = forecast(y, 14, "seasonal_naive", season=7, level=0.9)
    assert result.mean.tolist() == (np.tile(WEEK + 1, 2)).tolist()
    sigma = math.sqrt(7 / 49)
    z = 1.6448536269514722
    assert result.sigma == pytest.approx(sigma)
    assert result.upper[0] - result.mean[0] == pytest.approx(z * sigma)
    assert result.upper[7] - result.mean[7] == pytest.approx(z * sigma * math.sqrt(2))


def test_mase_and_mape_by_hand_on_a_trend() -> None:
    """y = t (season 7): the seasonal naive forecast h steps ahead is k = ceil(h/7) weeks
    behind, an error of 7k; its in-sample scale is 7, so MASE is 1 for h = 1..7 and 2 for
    h = 8..14. With the origin at t = 100 the first actual is 100: MAPE(1) = 7/100."""
    y = np.arange(114.0)
    result = backtest(y, 14, season=7, methods=(), initial=100)
    assert result.origins == 1
    assert result.mase["seasonal_naive"].tolist() == [1.0] * 7 + [2.0] * 7
    assert result.mape["seasonal_naive"][0] == pytest.approx(7 / 100)


def test_ets_beats_the_seasonal_naive_baseline_on_the_bundled_history() -> None:
    """The bundled history (Poisson draws around the IPACS day-of-week referral means):
    the seasonal naive forecast copies last week's noise, ETS averages it away, so ETS
    must have the lower mean MASE over the rolling origins."""
    history = read_history(HISTORY, "referrals")
    assert len(history) == 364
    result = backtest(history, 28, season=7, methods=("ets",), initial=252, step=28)
    assert result.origins == 4
    assert result.best == "ets"
    assert result.mean_mase("ets") < result.mean_mase("seasonal_naive")
    assert "ets beats the seasonal naive baseline" in result.statement
    json.dumps(backtest_dict(result))


def test_ets_recovers_a_weekly_profile_with_honest_intervals() -> None:
    """Twenty weeks of the profile plus N(0, 1) noise: the ETS mean is within 1 of the
    true profile, and its 90% interval is about +-1.645 wide (sd near 1)."""
    rng = np.random.default_rng(3)
    y = np.tile(WEEK, 20) + rng.normal(0, 1, 140)
    result = forecast(y, 7, "ets", season=7)
    assert np.max(np.abs(result.mean - WEEK)) < 1.0
    half = (result.upper - result.mean) / 1.6448536269514722
    assert np.all((half > 0.7) & (half < 1.5))
    paths = simulate_paths(result, 2000, seed=1)
    inside = (paths >= result.lower) & (paths <= result.upper)
    assert inside.mean() == pytest.approx(0.9, abs=0.02)
    json.dumps(forecast_dict(result))


def test_a_forecast_drives_a_system_with_its_uncertainty() -> None:
    """Referrals forecast at the file's own 20 a day (sd 3): the mean run equals the
    file's run (100 people in hospital: 20 a day x 5 days), and the bands over the
    simulated futures spread around it."""
    path = wholesystem.example_path("delayed_discharge_system")
    steps = 366
    mean = np.full(steps, 20.0)
    z = 1.6448536269514722
    result = Forecast("test", np.arange(steps, dtype=float), mean, mean - 3 * z,
                      mean + 3 * z, 0.9, 3.0)
    run = drive_system(path, "residents.acute_care", result, ["hospital in service"],
                       paths=6, seed=1)
    assert run.mean["hospital in service"][-1] == pytest.approx(100.0, rel=1e-6)
    band = run.bands["hospital in service"].iloc[-1]
    assert band["p5"] < band["p50"] < band["p95"]
    json.dumps(driven_dict(run))
    with pytest.raises(UnknownNameError):
        drive_system(path, "nobody.nothing", result, ["hospital in service"], paths=1)


def test_age_specific_demand_from_projections(tmp_path: Path) -> None:
    """Two areas, two age bands, two sexes, two years. For area A: 65-74 has 100 + 110
    people in 2024 and 105 + 115 in 2025; 75+ has 50 + 70 and 60 + 80. With rates 0.1
    and 0.3 a year: 2024 = 0.1 x 210 + 0.3 x 120 = 57; 2025 = 0.1 x 220 + 0.3 x 140 = 64."""
    csv = tmp_path / "snpp.csv"
    csv.write_text("AREA_NAME,SEX,AGE_GROUP,2024,2025\n"
                   "A,male,65-74,100,105\nA,female,65-74,110,115\n"
                   "A,male,75+,50,60\nA,female,75+,70,80\n"
                   "B,male,65-74,999,999\n")
    population = read_population(csv, area="A")
    demand = age_specific_demand(population, {"65-74": 0.1, "75+": 0.3})
    assert demand.to_dict() == pytest.approx({2024: 57.0, 2025: 64.0})
    with pytest.raises(UnknownNameError):
        age_specific_demand(population, {"0-4": 0.1})
    with pytest.raises(DataFileError, match="no rows for area"):
        read_population(csv, area="C")


def test_bad_histories_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "h.csv"
    bad.write_text("time,referrals\n0,10\n1,\n")
    with pytest.raises(DataFileError, match=r"h.csv:3: 'referrals' is missing"):
        read_history(bad)
    with pytest.raises(ParameterError, match="too short"):
        forecast(np.ones(5), 3, "ets", season=7)
    with pytest.raises(ParameterError, match="unknown method"):
        forecast(np.ones(30), 3, "magic", season=7)
    assert isinstance(read_history(HISTORY), pd.Series)
