"""Calibration: fit a model's constants to observed time series, with fit statistics.

Observations come from a CSV file: a ``time`` column in the model's time unit and one
column per observed model variable; empty cells are missing (partial data). Counts
reported per week or month are compared with the model's value summed (``aggregate=
"sum"``) or averaged (``"mean"``) over the ``period`` ending at each observation time.

Two fits share one residual function:

- :func:`least_squares` (scipy's trust-region reflective method within the bounds). The
  Jacobian is one vectorised :meth:`~wholesystem.run.Model.run_many` call of ``k + 1`` runs,
  not ``k`` separate simulations. Intervals are the usual linearised ones: covariance
  ``s^2 (J'J)^-1`` with ``s^2`` the residual variance, times Student's ``t`` (n - k).
- :func:`mcmc` (emcee's affine-invariant ensemble sampler; every walker of a step is one
  vectorised run) with flat priors within the bounds and a Gaussian likelihood whose
  standard deviation per series is the least-squares residual one. Its posterior draws are
  a parameter table that :func:`~wholesystem.analysis.montecarlo.run_ensemble` takes as it
  is, and :func:`posterior_parameters` turns them into empirical
  :class:`~wholesystem.analysis.uncertainty.Parameter` s (with their rank correlations)
  for sensitivity analysis.

Fit statistics follow Sterman (1984, "Appropriate summary statistics for evaluating the
historical fit of system dynamics models", Dynamica 10(2)): MAPE, R^2, and Theil's
inequality statistics splitting the mean squared error into bias ``U_M``, unequal variance
``U_S`` and unequal covariance ``U_C`` (they sum to one).

>>> import wholesystem, numpy as np
>>> from wholesystem.analysis.calibration import Observations, FitParameter, least_squares
>>> model = wholesystem.load(wholesystem.example_path("teacup"))
>>> truth = model.run({"Characteristic Time": 8.0})["Teacup Temperature"]
>>> observed = Observations(truth.index.to_numpy()[::8], {"Teacup Temperature":
...                         truth.to_numpy()[::8]})
>>> fit = least_squares(model, observed, [FitParameter("Characteristic Time", 1, 30)])
>>> round(fit.parameters["Characteristic Time"], 3)
8.0
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from wholesystem.analysis.montecarlo import ModelSource, resolve_model
from wholesystem.analysis.uncertainty import Parameter
from wholesystem.datafiles import DataFileError
from wholesystem.errors import ParameterError, UnknownNameError
from wholesystem.ir.names import canonical_name
from wholesystem.run import Model

__all__ = ["Observations", "FitParameter", "FitStatistics", "Diagnostics", "Calibration",
           "read_observations", "fit_statistics", "residual_diagnostics", "least_squares",
           "mcmc", "posterior_parameters", "calibration_dict", "parse_fit"]

AGGREGATES = ("point", "sum", "mean")


@dataclass(frozen=True)
class Observations:
    """Observed time series: ``values[name]`` holds one value (or NaN) per time."""

    times: NDArray[np.float64]
    values: Mapping[str, NDArray[np.float64]]
    aggregate: str = "point"
    """``point`` (the value at that time), ``sum`` or ``mean`` over the period before it."""
    period: float = 0.0
    """Length of the period each ``sum``/``mean`` observation covers (model time units)."""
    source: str = ""

    def __post_init__(self) -> None:
        if self.aggregate not in AGGREGATES:
            raise ParameterError(f"unknown aggregate '{self.aggregate}'",
                                 hint="point, sum or mean")
        if self.aggregate != "point" and self.period <= 0:
            raise ParameterError("an aggregated observation needs a period > 0")
        for name, series in self.values.items():
            if len(series) != len(self.times):
                raise ParameterError(f"observed '{name}' has {len(series)} values for "
                                     f"{len(self.times)} times")
        if not any(np.isfinite(v).any() for v in self.values.values()):
            raise ParameterError("there are no observed values")


def read_observations(path: str | Path, time_column: str = "time",
                      aggregate: str = "point", period: float = 0.0) -> Observations:
    """Observations from a CSV file (a time column, then one column per variable)."""
    path = Path(path)
    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError) as error:
        raise DataFileError(f"{path}: cannot read observations: {error}") from None
    columns = {canonical_name(str(c)): str(c) for c in frame.columns}
    if canonical_name(time_column) not in columns:
        raise DataFileError(f"{path}:1:1: no '{time_column}' column (columns: "
                            + ", ".join(map(str, frame.columns)) + ")")
    time_label = columns[canonical_name(time_column)]
    values: dict[str, NDArray[np.float64]] = {}
    for column in frame.columns:
        if column == time_label:
            continue
        numbers = pd.to_numeric(frame[column], errors="coerce")
        bad = frame[column].notna() & numbers.isna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
            raise DataFileError(f"{path}:{row}: '{column}' is not a number: "
                                f"'{frame[column].iloc[row - 2]}'")
        values[str(column)] = numbers.to_numpy(dtype=float)
    times = pd.to_numeric(frame[time_label], errors="coerce")
    if times.isna().any():
        row = int(np.flatnonzero(times.isna().to_numpy())[0]) + 2
        raise DataFileError(f"{path}:{row}: the time is not a number")
    if not values:
        raise DataFileError(f"{path}: no observed columns beside '{time_label}'")
    return Observations(times.to_numpy(dtype=float), values, aggregate, period, str(path))


@dataclass(frozen=True)
class FitParameter:
    """A constant to fit, with the range it may take."""

    name: str
    low: float
    high: float
    start: float | None = None
    """Starting value (default: the model's own value, else the middle of the range)."""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high)
                and self.low < self.high):
            raise ParameterError(f"{self.name}: the range {self.low}:{self.high} is empty")


def parse_fit(text: str) -> FitParameter:
    """``NAME=LO:HI`` or ``NAME=LO:START:HI`` as a :class:`FitParameter` (``--fit``)."""
    name, sep, bounds = text.rpartition("=")
    try:
        numbers = [float(x) for x in bounds.split(":")]
    except ValueError:
        numbers = []
    if not sep or not name.strip() or len(numbers) not in (2, 3):
        raise ParameterError(f"'{text}': expected NAME=LO:HI or NAME=LO:START:HI")
    start = numbers[1] if len(numbers) == 3 else None
    return FitParameter(name.strip(), numbers[0], numbers[-1], start)


@dataclass(frozen=True)
class FitStatistics:
    """How well simulated values match observed ones (Sterman 1984)."""

    n: int
    mape: float | None
    """Mean absolute percent error over non-zero observations (None: all zero)."""
    r2: float | None
    """1 - SS_residual / SS_total (None: observations constant)."""
    rmse: float
    theil_u: float
    """Theil's inequality coefficient, 0 (perfect) to 1."""
    bias: float
    """U_M: share of the mean squared error from unequal means."""
    variance: float
    """U_S: share from unequal standard deviations."""
    covariance: float
    """U_C: share from imperfect correlation (the unsystematic part)."""


def fit_statistics(simulated: NDArray[np.float64], observed: NDArray[np.float64]
                   ) -> FitStatistics:
    """Statistics over the finite pairs of ``simulated`` and ``observed``."""
    s, a = np.asarray(simulated, float), np.asarray(observed, float)
    keep = np.isfinite(s) & np.isfinite(a)
    s, a = s[keep], a[keep]
    if len(a) == 0:
        raise ParameterError("no observed values to compare with")
    error = s - a
    mse = float(np.mean(error ** 2))
    nonzero = a != 0
    mape = float(np.mean(np.abs(error[nonzero] / a[nonzero]))) if nonzero.any() else None
    total = float(np.sum((a - a.mean()) ** 2))
    r2 = 1 - float(np.sum(error ** 2)) / total if total > 0 else None
    denominator = math.sqrt(float(np.mean(s ** 2))) + math.sqrt(float(np.mean(a ** 2)))
    theil_u = math.sqrt(mse) / denominator if denominator > 0 else 0.0
    # MSE = (mean_s - mean_a)^2 + (sd_s - sd_a)^2 + 2 (1 - r) sd_s sd_a  (population sds)
    sd_s, sd_a = float(s.std()), float(a.std())
    r = float(np.corrcoef(s, a)[0, 1]) if sd_s > 0 and sd_a > 0 else 1.0
    if mse > 0:
        parts = ((float(s.mean() - a.mean())) ** 2 / mse, (sd_s - sd_a) ** 2 / mse,
                 2 * (1 - r) * sd_s * sd_a / mse)
    else:
        parts = (0.0, 0.0, 0.0)
    return FitStatistics(len(a), mape, r2, math.sqrt(mse), theil_u, *parts)


@dataclass(frozen=True)
class Diagnostics:
    """Residuals of one observed series, and its one-step-ahead errors."""

    mean: float
    sd: float
    lag1: float
    """Lag-1 autocorrelation of the residuals (0 for white noise)."""
    durbin_watson: float
    """About 2 for uncorrelated residuals, toward 0 for positively correlated ones."""
    ljung_box_p: float | None
    """p-value of the Ljung-Box test of no autocorrelation (None: too few points)."""
    one_step_sd: float | None
    """Sd of the one-step-ahead errors: each observation predicted from the previous
    one plus the model's change between them."""
    one_step_lag1: float | None


def _lag1(x: NDArray[np.float64]) -> float:
    if len(x) < 3 or np.std(x) == 0:
        return 0.0
    return float(np.corrcoef(x[:-1], x[1:])[0, 1])


def residual_diagnostics(simulated: NDArray[np.float64], observed: NDArray[np.float64]
                         ) -> Diagnostics:
    """Diagnostics of ``observed - simulated`` over the finite pairs, in time order."""
    from statsmodels.stats.diagnostic import acorr_ljungbox
    from statsmodels.stats.stattools import durbin_watson

    r = np.asarray(observed, float) - np.asarray(simulated, float)
    r = r[np.isfinite(r)]
    lags = min(10, len(r) // 5)
    p = (float(acorr_ljungbox(r, lags=[lags])["lb_pvalue"].iloc[0])
         if lags >= 1 and np.std(r) > 0 else None)
    # one step ahead: obs[k] - (obs[k-1] + sim[k] - sim[k-1]) = r[k] - r[k-1]
    steps = np.diff(r)
    return Diagnostics(float(r.mean()), float(r.std(ddof=1)) if len(r) > 1 else 0.0,
                       _lag1(r), float(durbin_watson(r)) if np.any(r) else 2.0, p,
                       float(steps.std(ddof=1)) if len(steps) > 1 else None,
                       _lag1(steps) if len(steps) > 2 else None)


@dataclass
class Calibration:
    """A finished fit."""

    method: str
    parameters: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    """95% intervals (least squares: linearised; MCMC: 2.5-97.5% posterior quantiles)."""
    fit: FitStatistics
    """Over every observed series, each scaled by its own standard deviation."""
    series_fit: dict[str, FitStatistics]
    diagnostics: dict[str, Diagnostics]
    simulated: pd.DataFrame
    """The best fit at the observation times (one column per observed series)."""
    observations: Observations
    covariance: NDArray[np.float64] | None = None
    posterior: pd.DataFrame | None = None
    """MCMC: posterior draws, one row per draw, one column per fitted parameter."""
    sampler: dict[str, Any] = field(default_factory=dict)
    """MCMC: walkers, steps, burn-in, acceptance fraction, autocorrelation times."""
    message: str = ""


class _Problem:
    """Residuals of many parameter vectors at once, through one vectorised run."""

    def __init__(self, model: Model, observations: Observations,
                 fit: Sequence[FitParameter], seed: int):
        self.model, self.obs, self.fit, self.seed = model, observations, list(fit), seed
        if not self.fit:
            raise ParameterError("name at least one parameter to fit")
        self.labels = self._resolve_outputs()
        scales = []
        for name in observations.values:
            values = np.asarray(observations.values[name], float)
            finite = values[np.isfinite(values)]
            spread = float(finite.std()) if len(finite) > 1 else 0.0
            scales.append(spread or float(np.abs(finite).mean()) or 1.0)
        self.scales = np.array(scales)
        self.observed = np.stack([np.asarray(v, float) for v in observations.values.values()])
        self.mask = np.isfinite(self.observed)

    def _resolve_outputs(self) -> list[str]:
        known = {canonical_name(str(c)): str(c) for c in self.model.run().columns}
        labels = []
        for name in self.obs.values:
            if canonical_name(name) not in known:
                raise UnknownNameError(name, hint="observed column is not a model variable")
            labels.append(known[canonical_name(name)])
        return labels

    def simulate(self, theta: NDArray[np.float64]) -> NDArray[np.float64]:
        """Simulated observations, shape (rows of theta, series, times)."""
        theta = np.atleast_2d(theta)
        table = pd.DataFrame(theta, columns=[p.name for p in self.fit])
        results = self.model.run_many(table, return_columns=self.labels, seed=self.seed)
        out = np.empty((len(theta), len(self.labels), len(self.obs.times)))
        for j, label in enumerate(self.labels):
            series = results.variable(label).to_numpy().T  # (runs, saved times)
            out[:, j, :] = _at_observations(series, results.times, self.obs)
        return out

    def residuals(self, simulated: NDArray[np.float64]) -> NDArray[np.float64]:
        """Scaled residuals of each row, flattened over the observed values."""
        scaled = (simulated - self.observed) / self.scales[:, None]
        return scaled[:, self.mask]

    def start(self) -> NDArray[np.float64]:
        constants = self.model.constants
        values = []
        for p in self.fit:
            guess = p.start if p.start is not None else constants.get(p.name)
            if guess is None or not p.low <= guess <= p.high:
                guess = (p.low + p.high) / 2
            values.append(float(guess))
        return np.array(values)


def _at_observations(series: NDArray[np.float64], times: NDArray[np.float64],
                     obs: Observations) -> NDArray[np.float64]:
    """Each run's values where observed: interpolated, or summed/averaged over periods."""
    if obs.aggregate == "point":
        return np.stack([np.interp(obs.times, times, row) for row in series])
    step = float(times[1] - times[0]) if len(times) > 1 else 1.0
    out = np.empty((series.shape[0], len(obs.times)))
    for k, end in enumerate(obs.times):
        # Euler: a value saved at t holds over [t, t + step), so the period (end - P, end]
        # is covered by the values saved in [end - P, end)
        inside = (times >= end - obs.period - 1e-9) & (times < end - 1e-9)
        if not inside.any():
            raise ParameterError(f"the observation at time {end:g} covers no simulated time")
        chunk = series[:, inside]
        out[:, k] = chunk.sum(axis=1) * step if obs.aggregate == "sum" else chunk.mean(axis=1)
    return out


def _problem(source: Model | ModelSource, observations: Observations,
             fit: Sequence[FitParameter], seed: int) -> _Problem:
    return _Problem(resolve_model(source), observations, fit, seed)


def least_squares(source: Model | ModelSource, observations: Observations,
                  fit: Sequence[FitParameter], seed: int = 0,
                  max_evaluations: int = 200) -> Calibration:
    """Fit ``fit`` to ``observations`` by bounded non-linear least squares."""
    from scipy import optimize, stats

    problem = _problem(source, observations, fit, seed)
    lows = np.array([p.low for p in problem.fit])
    highs = np.array([p.high for p in problem.fit])

    def fun(theta: NDArray[np.float64]) -> NDArray[np.float64]:
        return problem.residuals(problem.simulate(theta))[0]

    def jac(theta: NDArray[np.float64]) -> NDArray[np.float64]:
        steps = _steps(theta, lows, highs)
        rows = theta + np.diag(steps)
        batch = problem.residuals(problem.simulate(np.vstack([theta, rows])))
        return ((batch[1:] - batch[0]) / steps[:, None]).T

    answer = optimize.least_squares(fun, problem.start(), jac=jac, bounds=(lows, highs),
                                    method="trf", x_scale="jac", max_nfev=max_evaluations)
    theta = answer.x
    n, k = answer.fun.size, len(theta)
    dof = max(n - k, 1)
    s2 = float(answer.fun @ answer.fun) / dof
    j = jac(theta)
    covariance = s2 * np.linalg.pinv(j.T @ j)
    half = stats.t.ppf(0.975, dof) * np.sqrt(np.clip(np.diag(covariance), 0, None))
    intervals = {p.name: (float(theta[i] - half[i]), float(theta[i] + half[i]))
                 for i, p in enumerate(problem.fit)}
    return _finish(problem, "least_squares", theta, intervals, covariance,
                   message=str(answer.message))


def _steps(theta: NDArray[np.float64], lows: NDArray[np.float64],
           highs: NDArray[np.float64]) -> NDArray[np.float64]:
    """Forward-difference steps, turned backward where the upper bound is near."""
    steps = np.sqrt(np.finfo(float).eps) * np.maximum(np.abs(theta), 1e-3 * (highs - lows))
    return np.where(theta + steps > highs, -steps, steps)


def _finish(problem: _Problem, method: str, theta: NDArray[np.float64],
            intervals: dict[str, tuple[float, float]],
            covariance: NDArray[np.float64] | None, **extra: Any) -> Calibration:
    simulated = problem.simulate(theta)[0]
    names = list(problem.obs.values)
    frame = pd.DataFrame(simulated.T, index=pd.Index(problem.obs.times, name="time"),
                         columns=names)
    scaled_sim = (simulated / problem.scales[:, None])[problem.mask]
    scaled_obs = (problem.observed / problem.scales[:, None])[problem.mask]
    series_fit = {n: fit_statistics(simulated[j], problem.observed[j])
                  for j, n in enumerate(names)}
    diagnostics = {n: residual_diagnostics(simulated[j], problem.observed[j])
                   for j, n in enumerate(names)}
    return Calibration(method, {p.name: float(theta[i]) for i, p in enumerate(problem.fit)},
                       intervals, fit_statistics(scaled_sim, scaled_obs), series_fit,
                       diagnostics, frame, problem.obs, covariance, **extra)


def mcmc(source: Model | ModelSource, observations: Observations,
         fit: Sequence[FitParameter], walkers: int = 16, steps: int = 400,
         burn: int | None = None, seed: int = 0,
         start: Calibration | None = None,
         progress: Callable[[int, int], None] | None = None) -> Calibration:
    """Posterior of ``fit`` by emcee, started around a least-squares fit (``start``).

    Priors are flat within each range; the likelihood is Gaussian with each series' sd
    the least-squares residual sd. ``burn`` steps (default: a quarter) are dropped.
    """
    import emcee

    problem = _problem(source, observations, fit, seed)
    best = start or least_squares(source, observations, fit, seed)
    k = len(problem.fit)
    walkers = max(walkers, 2 * k + 2)
    if walkers % 2:
        walkers += 1
    lows = np.array([p.low for p in problem.fit])
    highs = np.array([p.high for p in problem.fit])
    theta0 = np.array([best.parameters[p.name] for p in problem.fit])
    sigma = _residual_sd(problem, theta0)

    def log_probability(thetas: NDArray[np.float64]) -> NDArray[np.float64]:
        inside = np.all((thetas >= lows) & (thetas <= highs), axis=1)
        out = np.full(len(thetas), -np.inf)
        if inside.any():
            scaled = problem.residuals(problem.simulate(thetas[inside]))
            out[inside] = -0.5 * np.sum((scaled / sigma) ** 2, axis=1)
        return out

    rng = np.random.default_rng(seed)
    spread = np.sqrt(np.clip(np.diag(best.covariance), 0, None)) if best.covariance is not None \
        else np.zeros(k)
    spread = np.where(spread > 0, spread, 1e-3 * (highs - lows))
    initial = np.clip(theta0 + 0.5 * spread * rng.standard_normal((walkers, k)),
                      lows + 1e-9 * (highs - lows), highs - 1e-9 * (highs - lows))
    sampler = emcee.EnsembleSampler(walkers, k, log_probability, vectorize=True)
    sampler.random_state = np.random.RandomState(seed).get_state()  # emcee's own draws
    for done, _ in enumerate(sampler.sample(initial, iterations=steps), start=1):
        if progress is not None and (done % 10 == 0 or done == steps):
            progress(done * walkers, steps * walkers)
    burn = steps // 4 if burn is None else burn
    chain = sampler.get_chain(discard=burn, flat=True)
    posterior = pd.DataFrame(chain, columns=[p.name for p in problem.fit])
    median = posterior.median().to_numpy()
    intervals = {c: (float(posterior[c].quantile(0.025)), float(posterior[c].quantile(0.975)))
                 for c in posterior.columns}
    tau = sampler.get_autocorr_time(discard=burn, tol=0, quiet=True)
    info = {"walkers": walkers, "steps": steps, "burn": burn,
            "acceptance": float(np.mean(sampler.acceptance_fraction)),
            "autocorrelation_time": {p.name: float(tau[i]) for i, p in enumerate(problem.fit)},
            "effective_draws": float(len(chain) / max(float(np.max(tau)), 1.0))}
    return _finish(problem, "mcmc", median, intervals, np.cov(chain.T).reshape(k, k),
                   posterior=posterior, sampler=info)


def _residual_sd(problem: _Problem, theta: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each observed value's residual sd (in scaled units), per series."""
    scaled = ((problem.simulate(theta)[0] - problem.observed) / problem.scales[:, None])
    sds = []
    for j in range(len(scaled)):
        values = scaled[j][problem.mask[j]]
        sds.append(max(float(np.sqrt(np.mean(values ** 2))), 1e-6))
    return np.repeat(np.array(sds), problem.mask.sum(axis=1))


def posterior_parameters(calibration: Calibration, owner: str = "",
                         ) -> tuple[list[Parameter], NDArray[np.float64]]:
    """The posterior as empirical parameters and their rank correlation matrix, ready for
    :func:`~wholesystem.analysis.uncertainty.sample` (which keeps the correlations)."""
    if calibration.posterior is None:
        raise ParameterError("only an MCMC calibration has a posterior")
    draws = calibration.posterior
    source = f"MCMC calibration to {calibration.observations.source or 'observations'}"
    parameters = [Parameter(str(c), "empirical", {"values": draws[c].tolist()},
                            source=source, owner=owner,
                            evidence=f"{len(draws)} posterior draws")
                  for c in draws.columns]
    ranks = draws.rank().to_numpy()
    correlation = np.atleast_2d(np.corrcoef(ranks.T))
    return parameters, correlation


def calibration_dict(calibration: Calibration) -> dict[str, Any]:
    """What ``calibrate --json`` prints: ``{"parameters", "intervals", "fit": {"mape",
    "r2", "theil": {...}}, "series", "diagnostics", ...}``."""
    def stats(f: FitStatistics) -> dict[str, Any]:
        return {"n": f.n, "mape": f.mape, "r2": f.r2, "rmse": f.rmse,
                "theil": {"u": f.theil_u, "bias": f.bias, "variance": f.variance,
                          "covariance": f.covariance}}

    data: dict[str, Any] = {
        "method": calibration.method,
        "parameters": calibration.parameters,
        "intervals": {k: [lo, hi] for k, (lo, hi) in calibration.intervals.items()},
        "fit": stats(calibration.fit),
        "series": {k: stats(v) for k, v in calibration.series_fit.items()},
        "diagnostics": {k: vars(v) for k, v in calibration.diagnostics.items()},
        "simulated": {"times": calibration.simulated.index.tolist(),
                      **{str(c): calibration.simulated[c].tolist()
                         for c in calibration.simulated.columns}},
    }
    if calibration.sampler:
        data["sampler"] = calibration.sampler
    if calibration.message:
        data["message"] = calibration.message
    return data
