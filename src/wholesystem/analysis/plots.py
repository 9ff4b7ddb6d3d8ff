"""Plots of the analyses, written to PNG or SVG with matplotlib (no display needed).

Each function takes a finished result and a file name and writes one figure: fan charts
of Monte Carlo bands, Sobol bars and Morris tornadoes, the PRIM peeling trade-off, a
calibration fit, a forecast with its interval and backtest errors, and interventions
ranked with their 5-95% ranges (or a budget front).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wholesystem.analysis.calibration import Calibration
from wholesystem.analysis.discovery import Discovery
from wholesystem.analysis.forecasting import Backtest, Forecast
from wholesystem.analysis.interventions import BudgetPlan, Ranking
from wholesystem.analysis.sensitivity import Sensitivity
from wholesystem.datafiles import atomic_output
from wholesystem.errors import ParameterError
from wholesystem.system.capacity import CapacitySweep

__all__ = ["capacity_curve", "fan_chart", "sensitivity_bars", "prim_tradeoff",
           "calibration_fit", "forecast_chart", "ranking_chart", "budget_front", "SUFFIXES"]

SUFFIXES = (".png", ".svg")


def _grid(path: str | Path, rows: int = 1, width: float = 7.0, height: float = 4.2
          ) -> tuple[Any, list[Any]]:
    """A figure of ``rows`` panels (``height`` each), for a .png or .svg file."""
    if Path(path).suffix.lower() not in SUFFIXES:
        raise ParameterError(f"{path}: a plot is written as .png or .svg")
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(rows, 1, figsize=(width, height * rows), layout="constrained",
                             squeeze=False)
    return fig, list(axes[:, 0])


def _figure(path: str | Path, width: float = 7.0, height: float = 4.2) -> tuple[Any, Any]:
    fig, axes = _grid(path, 1, width, height)
    return fig, axes[0]


def _save(fig: Any, path: str | Path) -> Path:
    import matplotlib.pyplot as plt

    path = Path(path)
    # Through a temporary file and a rename: an interrupted save never leaves half a file.
    with atomic_output(path, binary=True) as handle:
        fig.savefig(handle, dpi=110, format=path.suffix.lstrip(".").lower() or "png",
                    metadata={"Date": None} if path.suffix == ".svg" else None)
    plt.close(fig)
    return path


def fan_chart(bands: pd.DataFrame, path: str | Path, title: str = "") -> Path:
    """Percentile bands over time (columns ``p5 p25 p50 p75 p95`` and ``mean``)."""
    fig, ax = _figure(path)
    t = bands.index.to_numpy()
    ax.fill_between(t, bands["p5"], bands["p95"], alpha=0.25, color="C0", label="5-95%")
    ax.fill_between(t, bands["p25"], bands["p75"], alpha=0.45, color="C0", label="25-75%")
    ax.plot(t, bands["p50"], color="C0", label="median")
    ax.plot(t, bands["mean"], color="C1", linestyle="--", label="mean")
    ax.set(xlabel="time", title=title)
    ax.legend(loc="best", fontsize="small")
    return _save(fig, path)


def sensitivity_bars(result: Sensitivity, path: str | Path) -> Path:
    """Sobol S1 and ST bars, or a Morris tornado of mu* (with sigma), largest on top."""
    indices = list(result.indices)[::-1]
    fig, ax = _figure(path, height=1.2 + 0.45 * len(indices))
    names = [i.parameter for i in indices]
    y = np.arange(len(indices))
    if result.method == "morris":
        ax.barh(y, [i.mu_star or 0 for i in indices], color="C0", label="mu*")
        ax.errorbar([i.mu_star or 0 for i in indices], y, xerr=[i.sigma or 0 for i in indices],
                    fmt="none", color="k", capsize=3, label="sigma")
        ax.set(xlabel=f"mean absolute effect on {result.output}")
    else:
        ax.barh(y + 0.2, [max(0.0, i.ST or 0) for i in indices], height=0.4, color="C0",
                label="total (ST)")
        ax.barh(y - 0.2, [max(0.0, i.S1 or 0) for i in indices], height=0.4, color="C1",
                label="first order (S1)")
        ax.set(xlabel=f"share of the variance of {result.output}", xlim=(0, 1.05))
    ax.set_yticks(y, names)
    ax.legend(loc="lower right", fontsize="small")
    ax.set_title(f"{result.method.capitalize()} sensitivity, {result.runs} runs")
    return _save(fig, path)


def prim_tradeoff(result: Discovery, path: str | Path) -> Path:
    """Coverage against density along the peeling trajectory, the chosen box ringed."""
    fig, ax = _figure(path, width=6)
    coverage = [b.coverage for b in result.trajectory]
    density = [b.density for b in result.trajectory]
    points = ax.scatter(coverage, density, c=[len(b.limits) for b in result.trajectory],
                        cmap="viridis", s=18)
    fig.colorbar(points, ax=ax, label="parameters restricted")
    ax.scatter([result.box.coverage], [result.box.density], s=160, facecolors="none",
               edgecolors="red", label="chosen box")
    ax.set(xlabel="coverage", ylabel="density", xlim=(0, 1.02), ylim=(0, 1.02),
           title="PRIM peeling trajectory")
    ax.legend(loc="lower left", fontsize="small")
    return _save(fig, path)


def calibration_fit(result: Calibration, path: str | Path) -> Path:
    """Observed points and the fitted model, one panel per observed series."""
    names = list(result.simulated.columns)
    fig, axes = _grid(path, len(names), height=2.8)
    for ax, name in zip(axes, names, strict=True):
        t = result.observations.times
        ax.plot(t, result.observations.values[name], "o", ms=3, color="k", label="observed")
        ax.plot(result.simulated.index, result.simulated[name], color="C0", label="fitted")
        fit = result.series_fit[name]
        r2 = f"{fit.r2:.3f}" if fit.r2 is not None else "n/a"
        ax.set(title=f"{name}: R² {r2}, Theil U {fit.theil_u:.3f}", xlabel="time")
        ax.legend(fontsize="small")
    return _save(fig, path)


def forecast_chart(history: pd.Series, result: Forecast, path: str | Path,
                   backtest: Backtest | None = None) -> Path:
    """History, forecast mean and interval; with a backtest, MASE per horizon too."""
    fig, axes = _grid(path, 2 if backtest is not None else 1, height=3.4)
    ax = axes[0]
    times = np.asarray(history.index, dtype=float) if pd.api.types.is_numeric_dtype(
        history.index) else np.arange(len(history), dtype=float)
    ax.plot(times, history.to_numpy(), color="k", lw=0.8, label="history")
    ax.fill_between(result.times, result.lower, result.upper, alpha=0.3, color="C0",
                    label=f"{result.level:.0%} interval")
    ax.plot(result.times, result.mean, color="C0", label=f"{result.method} forecast")
    ax.set(xlabel="time", title="Forecast")
    ax.legend(fontsize="small")
    if backtest is not None:
        horizon = np.arange(1, backtest.horizon + 1)
        for method, mase in backtest.mase.items():
            axes[1].plot(horizon, mase, marker=".", label=method)
        axes[1].axhline(1.0, color="grey", lw=0.6)
        axes[1].set(xlabel="steps ahead", ylabel="MASE",
                    title=f"Rolling-origin backtest ({backtest.origins} origins)")
        axes[1].legend(fontsize="small")
    return _save(fig, path)


def ranking_chart(result: Ranking, path: str | Path) -> Path:
    """Each intervention's expected whole-system cost change with its 5-95% range."""
    ranks = list(result.interventions)[::-1]
    fig, ax = _figure(path, height=1.2 + 0.55 * len(ranks))
    y = np.arange(len(ranks))
    means = np.array([r.expected_change for r in ranks])
    colours = ["C2" if m < 0 else "C3" for m in means]
    ax.barh(y, means, color=colours)
    ax.errorbar(means, y, xerr=[means - [r.p5 for r in ranks], [r.p95 for r in ranks] - means],
                fmt="none", color="k", capsize=3)
    ax.axvline(0, color="grey", lw=0.6)
    ax.set_yticks(y, [f"{r.name} (P saving {r.probability_saving:.0%})" for r in ranks])
    ax.set(xlabel="change in whole-system cost (negative: saving), 5-95%",
           title=f"Interventions, {result.runs} uncertain runs each")
    return _save(fig, path)


def budget_front(plan: BudgetPlan, path: str | Path,
                 goals: Sequence[str] | None = None) -> Path:
    """The allocations on the front of two goals (or the best against doing nothing)."""
    fig, ax = _figure(path, width=6)
    goals = list(goals or plan.goals)
    if len(goals) == 2 and plan.front:
        ax.plot([a.goals[goals[0]] for a in plan.front],
                [a.goals[goals[1]] for a in plan.front], "o-", color="C0", label="front")
        ax.plot([plan.baseline[goals[0]]], [plan.baseline[goals[1]]], "s", color="k",
                label="no extra places")
        ax.set(xlabel=goals[0], ylabel=goals[1])
    else:
        names = list(plan.best.places)
        ax.bar(names, [plan.best.spend[n] for n in names], color="C0")
        ax.set(ylabel="spend", xlabel="service")
    ax.set_title(f"Budget {plan.budget:,.0f}")
    if len(goals) == 2 and plan.front:
        ax.legend(fontsize="small")
    return _save(fig, path)


def capacity_curve(sweep: CapacitySweep, path: str | Path) -> Path:
    """The whole-system cost against the swept places, split into capacity and waiting
    costs, with the minimum marked."""
    fig, ax = _figure(path)
    places = np.array([p.added for p in sweep.points])
    ax.plot(places, [p.whole_system for p in sweep.points], color="k", label="whole system")
    ax.plot(places, [p.capacity_cost for p in sweep.points], color="C0", ls="--",
            label="capacity (places, teams, fixed)")
    ax.plot(places, [p.waiting_cost for p in sweep.points], color="C3", ls=":",
            label="people waiting")
    best = sweep.minimum
    ax.plot([best.added], [best.whole_system], "o", color="C2",
            label=f"minimum: {best.added:,.0f} places")
    ax.set(xlabel=f"places ({', '.join(sweep.services)})",
           ylabel=f"cost over the run ({sweep.currency})",
           title=f"{sweep.system}: cost against capacity")
    ax.legend(fontsize="small")
    return _save(fig, path)

