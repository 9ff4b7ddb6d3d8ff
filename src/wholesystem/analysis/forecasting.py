"""Demand forecasting: ETS and ARIMA against a seasonal naive baseline, backtested, and
fed to a system as a driver with its uncertainty.

Three methods, each giving a mean path and a prediction interval:

- ``seasonal_naive``: each future value is the value one season earlier (Hyndman and
  Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., section 5.2); its
  interval uses the residual sd times ``sqrt(k)``, ``k`` the number of whole seasons ahead
  (section 5.5);
- ``ets``: statsmodels' ETS(A,N,A) state-space model (additive error, no trend, additive
  season), with its analytic prediction intervals;
- ``arima``: statsmodels' SARIMAX(0,0,1)(0,1,1)[season] (seasonal differences with
  moving-average terms).

:func:`backtest` uses a rolling origin: fit on the first ``t`` values, forecast
``horizon`` ahead, move ``t`` on by ``step``; errors are averaged per horizon as MAPE and
MASE (Hyndman and Koehler 2006: absolute error over the in-sample mean absolute error of
the seasonal naive forecast, so MASE < 1 beats it in sample).

:func:`drive_system` puts a forecast into a system file's need as its arrivals (a time
series), once for the mean and once for each of ``paths`` simulated futures, and returns
the chosen outputs' percentile bands: the forecast's uncertainty carried through the
model. :func:`age_specific_demand` turns population projections by age (ONS subnational
projections have this shape) and per-person rates into a demand series for the same use.

>>> import numpy as np, pandas as pd
>>> from wholesystem.analysis.forecasting import forecast
>>> week = np.array([3.0, 5, 7, 9, 11, 13, 15])
>>> history = pd.Series(np.tile(week, 8))
>>> forecast(history, 7, "seasonal_naive", season=7).mean.tolist() == week.tolist()
True
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from wholesystem.datafiles import DataFileError
from wholesystem.errors import ParameterError, UnknownNameError

__all__ = ["METHODS", "Forecast", "Backtest", "read_history", "forecast", "backtest",
           "simulate_paths", "forecast_dict", "backtest_dict", "drive_system",
           "DrivenRun", "driven_dict", "age_specific_demand", "read_population"]

METHODS = ("seasonal_naive", "ets", "arima")


@dataclass(frozen=True)
class Forecast:
    """A forecast of ``horizon`` steps after the history."""

    method: str
    times: NDArray[np.float64]
    """Step numbers after the end of the history (1 = the next one), or the history's
    own time values continued."""
    mean: NDArray[np.float64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    level: float
    """Coverage of the interval (0.9: 5% to 95%)."""
    sigma: float
    """Sd of the one-step-ahead in-sample errors."""
    fitted: Any = field(default=None, repr=False, compare=False)
    """The fitted statsmodels results (ETS, ARIMA), used to simulate futures."""


def read_history(path: str | Path, column: str | None = None, time_column: str = "time"
                 ) -> pd.Series:
    """One observed series from a CSV file: a ``time`` column and the ``column`` of
    values (default: the first numeric column besides the time)."""
    path = Path(path)
    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError) as error:
        raise DataFileError(f"{path}: cannot read the history: {error}") from None
    if time_column not in frame.columns:
        raise DataFileError(f"{path}:1:1: no '{time_column}' column")
    others = [c for c in frame.columns if c != time_column]
    numeric = [c for c in others if pd.api.types.is_numeric_dtype(frame[c])]
    name = column or (numeric[0] if numeric else others[0] if others else None)
    if name is None or name not in frame.columns:
        raise DataFileError(f"{path}:1:1: no column '{column}' (columns: "
                            + ", ".join(others) + ")")
    values = pd.to_numeric(frame[name], errors="coerce")
    if values.isna().any():
        row = int(np.flatnonzero(values.isna().to_numpy())[0]) + 2
        raise DataFileError(f"{path}:{row}: '{name}' is missing or not a number")
    times = pd.to_numeric(frame[time_column], errors="coerce")
    index = pd.Index(times if not times.isna().any() else frame[time_column], name="time")
    return pd.Series(values.to_numpy(dtype=float), index=index, name=str(name))


def _check(history: pd.Series | NDArray[np.float64], season: int, horizon: int
           ) -> NDArray[np.float64]:
    y = np.asarray(history, dtype=float)
    if season < 1 or horizon < 1:
        raise ParameterError("the season and the horizon must be at least 1")
    if len(y) < 2 * season + 2:
        raise ParameterError(f"a history of {len(y)} values is too short for a season "
                             f"of {season}", hint=f"give at least {2 * season + 2} values")
    if not np.all(np.isfinite(y)):
        raise ParameterError("the history has missing or non-finite values")
    return y


def _future_times(history: pd.Series | NDArray[np.float64], horizon: int
                  ) -> NDArray[np.float64]:
    index = getattr(history, "index", None)
    if index is not None and len(index) > 1 and pd.api.types.is_numeric_dtype(index):
        step = float(index[-1] - index[-2])
        return np.asarray(float(index[-1]) + step * np.arange(1, horizon + 1),
                          dtype=np.float64)
    return np.arange(1, horizon + 1, dtype=float)


def _z(level: float) -> float:
    from scipy import stats

    if not 0 < level < 1:
        raise ParameterError("the interval level must be between 0 and 1")
    return float(stats.norm.ppf(0.5 + level / 2))


def forecast(history: pd.Series | NDArray[np.float64], horizon: int,
             method: str = "ets", season: int = 7, level: float = 0.9) -> Forecast:
    """Forecast ``horizon`` steps ahead with ``method`` (one of :data:`METHODS`)."""
    y = _check(history, season, horizon)
    z = _z(level)
    if method in ("ets", "arima") and season < 2:
        raise ParameterError(f"{method} needs a season of at least 2",
                             hint="use seasonal_naive for a season of 1 (the naive forecast)")
    fitted = None
    if method == "seasonal_naive":
        mean, sigma, sd = _seasonal_naive(y, horizon, season)
    elif method == "ets":
        mean, sigma, sd, fitted = _ets(y, horizon, season, level)
    elif method == "arima":
        mean, sigma, sd, fitted = _arima(y, horizon, season)
    else:
        raise ParameterError(f"unknown method '{method}'", hint=", ".join(METHODS))
    return Forecast(method, _future_times(history, horizon), mean, mean - z * sd,
                    mean + z * sd, level, sigma, fitted)


def _seasonal_naive(y: NDArray[np.float64], horizon: int, season: int
                    ) -> tuple[NDArray[np.float64], float, NDArray[np.float64]]:
    last = y[-season:]
    mean = np.array([last[h % season] for h in range(horizon)])
    errors = y[season:] - y[:-season]
    sigma = float(np.sqrt(np.mean(errors ** 2)))
    seasons_ahead = np.floor(np.arange(horizon) / season) + 1
    return mean, sigma, sigma * np.sqrt(seasons_ahead)


def _ets(y: NDArray[np.float64], horizon: int, season: int, level: float
         ) -> tuple[NDArray[np.float64], float, NDArray[np.float64], Any]:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; the fit is still usable
        fitted = ETSModel(pd.Series(y), error="add", trend=None, seasonal="add",
                          seasonal_periods=season).fit(disp=False)
        prediction = fitted.get_prediction(start=len(y), end=len(y) + horizon - 1)
        frame = prediction.summary_frame(alpha=1 - level)
    mean = frame["mean"].to_numpy(dtype=float)
    sd = (frame["pi_upper"].to_numpy(dtype=float) - mean) / _z(level)
    return mean, float(np.sqrt(fitted.mse)), sd, fitted


def _arima(y: NDArray[np.float64], horizon: int, season: int
           ) -> tuple[NDArray[np.float64], float, NDArray[np.float64], Any]:
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # seasonal differencing with a seasonal moving average: the seasonal naive
        # forecast with its noise smoothed away, plus short-run correlation
        fitted = SARIMAX(y, order=(0, 0, 1), seasonal_order=(0, 1, 1, season)
                         ).fit(disp=False)
        result = fitted.get_forecast(horizon)
    mean = np.asarray(result.predicted_mean, dtype=float)
    sd = np.sqrt(np.asarray(result.var_pred_mean, dtype=float))
    residuals = np.asarray(fitted.resid, dtype=float)[season + 1:]
    return mean, float(np.sqrt(np.mean(residuals ** 2))), sd, fitted


@dataclass(frozen=True)
class Backtest:
    """Rolling-origin errors per method and horizon."""

    horizon: int
    season: int
    origins: int
    mape: Mapping[str, NDArray[np.float64]]
    """Per method: MAPE at each horizon 1..h (fraction, not percent)."""
    mase: Mapping[str, NDArray[np.float64]]
    baseline: str = "seasonal_naive"

    def mean_mase(self, method: str) -> float:
        """MASE averaged over the horizons."""
        return float(np.mean(self.mase[method]))

    @property
    def best(self) -> str:
        """The method with the lowest mean MASE."""
        return min(self.mase, key=self.mean_mase)

    @property
    def statement(self) -> str:
        """Whether any method beats the seasonal naive baseline, in plain words."""
        base = self.mean_mase(self.baseline)
        others = [m for m in self.mase if m != self.baseline]
        if not others:
            return f"only the {self.baseline} baseline was tested"
        best = min(others, key=self.mean_mase)
        score = self.mean_mase(best)
        verdict = "beats" if score < base else "does not beat"
        return (f"{best} {verdict} the seasonal naive baseline over {self.origins} "
                f"rolling origins: mean MASE {score:.3f} against {base:.3f} "
                f"(horizons 1-{self.horizon})")


def backtest(history: pd.Series | NDArray[np.float64], horizon: int, season: int = 7,
             methods: Sequence[str] = METHODS, initial: int | None = None,
             step: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> Backtest:
    """Rolling-origin backtest of ``methods`` (the seasonal naive baseline is always
    included): first origin after ``initial`` values (default: half the history),
    then every ``step`` (default: ``season``)."""
    y = _check(history, season, horizon)
    methods = list(dict.fromkeys(["seasonal_naive", *methods]))
    initial = initial if initial is not None else len(y) // 2
    step = step or season
    origins = list(range(max(initial, 2 * season + 2), len(y) - horizon + 1, step))
    if not origins:
        raise ParameterError("the history is too short for one backtest origin",
                             hint="shorten the horizon or the initial window")
    errors = {m: np.zeros((len(origins), horizon)) for m in methods}
    scaled = {m: np.zeros((len(origins), horizon)) for m in methods}
    for k, origin in enumerate(origins):
        train, actual = y[:origin], y[origin:origin + horizon]
        scale = float(np.mean(np.abs(train[season:] - train[:-season]))) or 1.0
        for method in methods:
            predicted = forecast(train, horizon, method, season).mean
            with np.errstate(divide="ignore", invalid="ignore"):
                errors[method][k] = np.where(actual != 0,
                                             np.abs((actual - predicted) / actual), np.nan)
            scaled[method][k] = np.abs(actual - predicted) / scale
        if progress is not None:
            progress(k + 1, len(origins))
    return Backtest(horizon, season, len(origins),
                    {m: np.nanmean(errors[m], axis=0) for m in methods},
                    {m: scaled[m].mean(axis=0) for m in methods})


def simulate_paths(result: Forecast, paths: int, seed: int = 0) -> NDArray[np.float64]:
    """Future paths (shape (paths, horizon)), clipped at zero since demand cannot be
    negative. ETS and ARIMA futures are simulated from the fitted model, so a path that
    starts high stays high (errors carry through the level); the seasonal naive
    baseline draws each step independently within its interval."""
    horizon = len(result.mean)
    if result.fitted is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            drawn = result.fitted.simulate(horizon, anchor="end", repetitions=paths,
                                           rng=np.random.default_rng(seed))
        values = np.asarray(drawn, dtype=float).reshape(horizon, paths).T
        return np.maximum(values, 0.0)
    sd = (result.upper - result.mean) / _z(result.level)
    noise = np.random.default_rng(seed).standard_normal((paths, horizon))
    return np.maximum(result.mean + noise * sd, 0.0)


def forecast_dict(result: Forecast) -> dict[str, Any]:
    """What ``forecast --json`` prints for one forecast."""
    return {"method": result.method, "level": result.level, "sigma": result.sigma,
            "times": result.times.tolist(), "mean": result.mean.tolist(),
            "lower": result.lower.tolist(), "upper": result.upper.tolist()}


def backtest_dict(result: Backtest) -> dict[str, Any]:
    """The backtest as JSON: per method, MAPE and MASE per horizon and their means."""
    return {"horizon": result.horizon, "season": result.season, "origins": result.origins,
            "best": result.best, "statement": result.statement,
            "methods": {m: {"mape": result.mape[m].tolist(), "mase": result.mase[m].tolist(),
                            "mean_mase": result.mean_mase(m)} for m in result.mase}}


@dataclass(frozen=True)
class DrivenRun:
    """A system run with a forecast as one need's arrivals: mean path and bands."""

    need: str
    times: NDArray[np.float64]
    mean: Mapping[str, NDArray[np.float64]]
    """Each output with the mean forecast."""
    bands: Mapping[str, pd.DataFrame]
    """Each output's p5/p50/p95 over the simulated futures."""
    paths: int


def _with_arrivals(spec: Any, need_id: str, points: Sequence[tuple[float, float]]) -> Any:
    from wholesystem.system.spec import Interpolation, Quantity

    found = False
    cohorts = []
    for cohort in spec.cohorts:
        needs = []
        for need in cohort.needs:
            if need.id == need_id or f"{cohort.id}.{need.id}" == need_id:
                found = True
                need = replace(need, arrivals=Quantity(
                    value=points[0][1], points=tuple(points),
                    interpolation=Interpolation.STEP, origin="forecast"), per_person=False)
            needs.append(need)
        cohorts.append(replace(cohort, needs=tuple(needs)))
    if not found:
        names = [f"{c.id}.{n.id}" for c in spec.cohorts for n in c.needs]
        raise UnknownNameError(need_id, hint="needs of this system: " + ", ".join(names))
    return replace(spec, cohorts=tuple(cohorts))


def drive_system(path: str | Path, need: str, result: Forecast, outputs: Sequence[str],
                 start: float = 0.0, paths: int = 20, seed: int = 0,
                 history: Sequence[float] = (),
                 progress: Callable[[int, int], None] | None = None) -> DrivenRun:
    """Run the system file ``path`` with ``need``'s arrivals taken from ``result`` (one
    forecast step per model time unit from time ``start``; earlier times read the
    ``history``'s last values, else the first forecast value)."""
    from wholesystem.run import Model
    from wholesystem.system.lower import lower_system
    from wholesystem.system.model import load_system

    spec = load_system(path).spec
    if paths < 1:
        raise ParameterError("give at least one simulated future")
    needed = math.ceil(spec.time.horizon - start) + 1
    if len(result.mean) < needed:
        raise ParameterError(f"the forecast covers {len(result.mean)} steps but the system "
                             f"runs {needed} from time {start:g}",
                             hint=f"forecast a horizon of at least {needed}")
    futures = np.vstack([result.mean, simulate_paths(result, paths, seed)])
    collected: dict[str, list[NDArray[np.float64]]] = {o: [] for o in outputs}
    times: NDArray[np.float64] = np.zeros(0)
    for k, future in enumerate(futures):
        lead = [(start - len(history) + i, float(v)) for i, v in enumerate(history)]
        points = lead + [(start + i, float(v)) for i, v in enumerate(future)]
        project, _ = lower_system(_with_arrivals(spec, need, points))
        frame = Model(project).run(return_columns=list(outputs))
        times = frame.index.to_numpy(dtype=float)
        for o in outputs:
            collected[o].append(frame[_column(frame, o)].to_numpy(dtype=float))
        if progress is not None:
            progress(k + 1, len(futures))
    bands = {o: pd.DataFrame(np.percentile(np.array(v[1:]), [5, 50, 95], axis=0).T,
                             index=pd.Index(times, name="time"), columns=["p5", "p50", "p95"])
             for o, v in collected.items()}
    return DrivenRun(need, times, {o: v[0] for o, v in collected.items()}, bands, paths)


def _column(frame: pd.DataFrame, name: str) -> str:
    from wholesystem.ir.names import canonical_name

    for column in frame.columns:
        if canonical_name(str(column)) == canonical_name(name):
            return str(column)
    raise UnknownNameError(name, hint="not an output of the system")


def driven_dict(run: DrivenRun) -> dict[str, Any]:
    """The driven run as JSON."""
    return {"need": run.need, "paths": run.paths, "times": run.times.tolist(),
            "outputs": {o: {"mean": run.mean[o].tolist(),
                            **{c: run.bands[o][c].tolist() for c in run.bands[o].columns}}
                        for o in run.mean}}


def read_population(path: str | Path, area: str | None = None) -> pd.DataFrame:
    """Population by age band (rows) and year (columns) from a CSV in the ONS
    subnational projections' wide layout: ``AREA_NAME`` (optional), ``AGE_GROUP``, then
    one column per year; rows of one area and age band (several sexes) are summed."""
    path = Path(path)
    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError) as error:
        raise DataFileError(f"{path}: cannot read population: {error}") from None
    columns = {c.upper(): c for c in frame.columns}
    if "AGE_GROUP" not in columns:
        raise DataFileError(f"{path}:1:1: no AGE_GROUP column")
    if area is not None:
        if "AREA_NAME" not in columns:
            raise DataFileError(f"{path}:1:1: no AREA_NAME column to choose '{area}'")
        frame = frame[frame[columns["AREA_NAME"]] == area]
        if frame.empty:
            raise DataFileError(f"{path}: no rows for area '{area}'")
    years = [c for c in frame.columns if str(c).strip().isdigit()]
    if not years:
        raise DataFileError(f"{path}:1:1: no year columns (like 2024, 2025, ...)")
    table = frame.groupby(columns["AGE_GROUP"])[years].sum(numeric_only=False)
    table.columns = [int(str(y).strip()) for y in years]
    return table.apply(pd.to_numeric, errors="raise").astype(float)


def age_specific_demand(population: pd.DataFrame, rates: Mapping[str, float]
                        ) -> pd.Series:
    """Demand per year: the sum over age bands of people times each band's rate."""
    missing = [band for band in rates if band not in population.index]
    if missing:
        raise UnknownNameError(", ".join(missing), hint="age bands in the projections: "
                               + ", ".join(map(str, population.index)))
    for band, rate in rates.items():
        if not (math.isfinite(rate) and rate >= 0):
            raise ParameterError(f"rate for {band} must be a number >= 0, got {rate}")
    weights = pd.Series(rates, dtype=float)
    demand = population.loc[weights.index].mul(weights, axis=0).sum(axis=0)
    demand.index.name = "year"
    return demand
