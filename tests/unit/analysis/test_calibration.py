"""Calibration recovers known constants from noisy synthetic data made by the model itself.

Each test runs the model with chosen "true" constants, adds Gaussian noise from a fixed
seed (and drops or aggregates observations), fits from a different starting point, and
checks that the estimates lie inside the reported 95% intervals and close to the truth.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import wholesystem
from wholesystem.analysis.calibration import (
    FitParameter,
    Observations,
    calibration_dict,
    fit_statistics,
    least_squares,
    mcmc,
    parse_fit,
    posterior_parameters,
    read_observations,
    residual_diagnostics,
)
from wholesystem.analysis.montecarlo import run_ensemble
from wholesystem.analysis.uncertainty import sample
from wholesystem.datafiles import DataFileError
from wholesystem.errors import ParameterError, UnknownNameError
from wholesystem.system.model import load_system


def _inside(fit, truth: dict[str, float], tolerance: float) -> None:
    for name, value in truth.items():
        low, high = fit.intervals[name]
        assert low <= value <= high, (name, value, fit.intervals[name])
        assert fit.parameters[name] == pytest.approx(value, rel=tolerance)


def test_teacup_xmile_recovers_two_constants_from_partial_noisy_points() -> None:
    """Teacup (XMILE): T' = (R - T)/tau. True tau = 8, R = 65; every 4th saved time is
    observed with noise sd 0.5 and two values missing; the fit starts from the model's
    own tau = 10, R = 70."""
    model = wholesystem.load(wholesystem.example_path("teacup"))
    truth = {"Characteristic Time": 8.0, "Room Temperature": 65.0}
    series = model.run(truth)["Teacup Temperature"]
    rng = np.random.default_rng(1)
    times = series.index.to_numpy()[::4]
    observed = series.to_numpy()[::4] + rng.normal(0, 0.5, len(times))
    observed[[3, 7]] = np.nan
    obs = Observations(times, {"Teacup Temperature": observed})
    fit = least_squares(model, obs, [FitParameter("Characteristic Time", 1, 30),
                                     FitParameter("Room Temperature", 40, 100)])
    _inside(fit, truth, 0.02)
    assert fit.fit.r2 is not None
    assert fit.fit.r2 > 0.99
    assert fit.fit.bias + fit.fit.variance + fit.fit.covariance == pytest.approx(1.0)
    # a good fit leaves unsystematic error: most of the MSE is the covariance part
    assert fit.fit.covariance > 0.8
    assert fit.series_fit["Teacup Temperature"].n == len(times) - 2


def test_teacup_mcmc_posterior_covers_truth_and_feeds_monte_carlo() -> None:
    """emcee around the least-squares fit: the 2.5-97.5% posterior quantiles hold the
    truth; the posterior draws run as a Monte Carlo table and as correlated empirical
    parameters."""
    model = wholesystem.load(wholesystem.example_path("teacup"))
    truth = {"Characteristic Time": 8.0, "Room Temperature": 65.0}
    series = model.run(truth)["Teacup Temperature"]
    rng = np.random.default_rng(2)
    times = series.index.to_numpy()[::4]
    obs = Observations(times, {"Teacup Temperature":
                               series.to_numpy()[::4] + rng.normal(0, 0.5, len(times))})
    fit = [FitParameter("Characteristic Time", 1, 30), FitParameter("Room Temperature", 40, 100)]
    result = mcmc(model, obs, fit, walkers=12, steps=200, seed=3)
    _inside(result, truth, 0.02)
    assert result.posterior is not None
    assert len(result.posterior) == 12 * 150
    assert 0.2 < result.sampler["acceptance"] < 0.9
    study = run_ensemble(model, result.posterior.iloc[:50], ["Teacup Temperature"])
    assert study.runs == 50
    parameters, correlation = posterior_parameters(result)
    table = sample(parameters, 64, seed=1, correlation=correlation)
    assert table["Characteristic Time"].between(*result.intervals["Characteristic Time"]
                                                 ).mean() > 0.8
    json.dumps(calibration_dict(result))


def test_delayed_discharge_xmile_recovers_from_weekly_means() -> None:
    """Delayed discharge (XMILE, dt 0.25, saved daily): true length of stay 6 days and
    5.5% needing a package. Beds occupied are reported as weekly means (the mean of the
    7 daily values before each week's end), noise sd 3 beds, the first 8 weeks missing;
    packages in use as points every 14 days, noise sd 5."""
    model = wholesystem.load(wholesystem.example_path("delayed_discharge"))
    truth = {"Length of Stay": 6.0, "Fraction Needing Package": 0.055}
    run = model.run(truth)
    rng = np.random.default_rng(4)
    days = run.index.to_numpy()
    weeks = np.arange(7.0, 365.0, 7.0)
    beds = np.array([run["Beds Occupied"].to_numpy()[(days >= w - 7) & (days < w)].mean()
                     for w in weeks]) + rng.normal(0, 3, len(weeks))
    beds[:8] = np.nan
    packages = np.full(len(weeks), np.nan)
    fortnights = np.arange(1, len(weeks), 2)
    packages[fortnights] = (np.interp(weeks[fortnights], days, run["Packages in Use"])
                            + rng.normal(0, 5, len(fortnights)))
    weekly = Observations(weeks, {"Beds Occupied": beds}, aggregate="mean", period=7)
    fit = least_squares(model, weekly, [FitParameter("Length of Stay", 2, 10),
                                        FitParameter("Fraction Needing Package", 0.01, 0.1)])
    _inside(fit, truth, 0.03)
    points = Observations(weeks, {"Packages in Use": packages, "Beds Occupied": beds})
    both = least_squares(model, points, [FitParameter("Length of Stay", 2, 10),
                                         FitParameter("Fraction Needing Package", 0.01, 0.1)])
    assert both.parameters["Fraction Needing Package"] == pytest.approx(0.055, rel=0.05)


def test_system_file_recovers_arrivals_and_capacity_from_monthly_totals(tmp_path: Path) -> None:
    """Delayed-discharge system file: true 24 referrals a day and 760 packages. Observed:
    people waiting for a package, summed over each 30-day month (person-days, noise sd
    50), and people in hospital at each month's end (noise sd 2), read from a CSV."""
    model = load_system(wholesystem.example_path("delayed_discharge_system")).model()[2]
    truth = {"residents with acute_care arrival rate": 24.0, "home_care capacity": 760.0}
    run = model.run(truth)
    rng = np.random.default_rng(5)
    days = run.index.to_numpy()
    months = np.arange(30.0, 361.0, 30.0)
    waiting = np.array([run["home_care waiting"].to_numpy()[(days >= m - 30) & (days < m)]
                        .sum() for m in months]) + rng.normal(0, 50, len(months))
    csv = tmp_path / "observed.csv"
    csv.write_text("time,home_care waiting\n"
                   + "".join(f"{m:g},{w:.3f}\n" for m, w in zip(months, waiting, strict=True)))
    monthly = read_observations(csv, aggregate="sum", period=30)
    hospital = Observations(months, {"hospital in service":
                                     np.interp(months, days, run["hospital in service"])
                                     + rng.normal(0, 2, len(months))})
    fit_cap = least_squares(model, monthly, [FitParameter("home_care capacity", 700, 800)],
                            )
    fit_rate = least_squares(model, hospital, [
        FitParameter("residents with acute_care arrival rate", 10, 40)])
    _inside(fit_rate, {"residents with acute_care arrival rate": 24.0}, 0.02)
    # the capacity is fitted with the arrival rate fixed at the model's 20 a day, where
    # 760 packages are never full: the fit must say it cannot match the waiting
    assert fit_cap.fit.r2 is None or fit_cap.fit.r2 < 0.5
    joint = Observations(months, {"home_care waiting": monthly.values["home_care waiting"]},
                         aggregate="sum", period=30)
    fit = least_squares(model, joint, [
        FitParameter("home_care capacity", 700, 800, start=740),
        FitParameter("residents with acute_care arrival rate", 23.0, 25.0, start=23.5)])
    _inside(fit, truth, 0.02)


def test_fit_statistics_by_hand() -> None:
    """s = (2, 4), a = (1, 3): error 1 each, MSE 1, all bias: U_M = (3 - 2)^2 / 1 = 1.
    MAPE = (1/1 + 1/3)/2 = 2/3; R^2 = 1 - 2/2 = 0; U = 1/(sqrt(10) + sqrt(5))."""
    stats = fit_statistics(np.array([2.0, 4.0]), np.array([1.0, 3.0]))
    assert stats.mape == pytest.approx(2 / 3)
    assert stats.r2 == pytest.approx(0.0)
    assert stats.bias == pytest.approx(1.0)
    assert stats.variance == pytest.approx(0.0)
    assert stats.covariance == pytest.approx(0.0)
    assert stats.theil_u == pytest.approx(1 / (np.sqrt(10) + np.sqrt(5)))


def test_residual_diagnostics_white_and_drifting() -> None:
    """White-noise residuals: lag-1 near 0, Durbin-Watson near 2, Ljung-Box not rejected.
    A residual that drifts (a random walk) fails all three."""
    rng = np.random.default_rng(0)
    white = residual_diagnostics(np.zeros(400), rng.normal(size=400))
    assert abs(white.lag1) < 0.15
    assert 1.7 < white.durbin_watson < 2.3
    assert white.ljung_box_p is not None
    assert white.ljung_box_p > 0.01
    walk = residual_diagnostics(np.zeros(400), np.cumsum(rng.normal(size=400)))
    assert walk.lag1 > 0.8
    assert walk.durbin_watson < 0.5
    assert walk.ljung_box_p is not None
    assert walk.ljung_box_p < 1e-6
    # its one-step-ahead errors (differences) are white again
    assert walk.one_step_lag1 is not None
    assert abs(walk.one_step_lag1) < 0.15


def test_bad_inputs_are_named(tmp_path: Path) -> None:
    model = wholesystem.load(wholesystem.example_path("teacup"))
    bad = tmp_path / "bad.csv"
    bad.write_text("time,Teacup Temperature\n0,180\n1,oops\n")
    with pytest.raises(DataFileError, match=r"bad.csv:3: 'Teacup Temperature' is not a number"):
        read_observations(bad)
    none = tmp_path / "none.csv"
    none.write_text("t,x\n0,1\n")
    with pytest.raises(DataFileError, match="no 'time' column"):
        read_observations(none)
    with pytest.raises(UnknownNameError):
        least_squares(model, Observations(np.array([1.0]), {"Coffee": np.array([1.0])}),
                      [FitParameter("Characteristic Time", 1, 30)])
    with pytest.raises(ParameterError, match="empty"):
        parse_fit("Characteristic Time=5:1")
    with pytest.raises(ParameterError, match="period"):
        Observations(np.array([1.0]), {"x": np.array([1.0])}, aggregate="sum")
