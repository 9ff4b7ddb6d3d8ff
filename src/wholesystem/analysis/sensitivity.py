"""Global sensitivity: which uncertain inputs explain an output's variance, and when.

Designs are drawn on the unit hypercube by SALib (Saltelli's extension of Sobol sequences
for Sobol indices; Morris trajectories) and pushed through each parameter's quantile
function, so any :class:`~wholesystem.analysis.uncertainty.Parameter` distribution works:
Sobol indices belong to the input variables, not to how they are encoded, so analysing the
unit-cube coordinates gives the indices of the parameters themselves. Indices are computed
at the end of the run and, optionally, at each of up to ``periods`` saved times (SALib has
no time-varying indices of its own).

>>> import numpy as np
>>> from wholesystem.analysis.uncertainty import Parameter
>>> from wholesystem.analysis.sensitivity import sobol
>>> a = Parameter("a", "uniform", {"low": 0, "high": 1})
>>> b = Parameter("b", "uniform", {"low": 0, "high": 1})
>>> result = sobol(lambda t: (3 * t["a"] + t["b"]).to_numpy(), [a, b], samples=512)
>>> [round(i.S1, 1) for i in result.indices]       # 9/10 and 1/10 of the variance
[0.9, 0.1]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from wholesystem.analysis.montecarlo import Evaluator, ModelSource, run_ensemble
from wholesystem.analysis.uncertainty import Parameter
from wholesystem.errors import ParameterError
from wholesystem.run import Model

__all__ = ["Index", "Sensitivity", "sobol", "morris", "analyse_model", "design",
           "sensitivity_dict", "describe", "analyse"]

Evaluate = Callable[[pd.DataFrame], NDArray[np.float64]]
"""Parameter table -> outputs, shape (runs,) or (runs, times)."""


@dataclass(frozen=True)
class Index:
    """One parameter's share of an output's variance (Sobol) or its effect (Morris)."""

    parameter: str
    S1: float | None = None
    """First-order Sobol index: the share explained by this input alone."""
    ST: float | None = None
    """Total-order Sobol index: alone and through its interactions."""
    S1_conf: float | None = None
    """Half-width of the 95% bootstrap interval of S1."""
    ST_conf: float | None = None
    mu_star: float | None = None
    """Morris: mean absolute elementary effect (per unit-quantile step of the input)."""
    sigma: float | None = None
    """Morris: spread of the elementary effects (non-linearity or interaction)."""


@dataclass(frozen=True)
class Sensitivity:
    """Indices of one output."""

    output: str
    method: str
    runs: int
    indices: tuple[Index, ...]
    """At the end of the run, largest first."""
    over_time: pd.DataFrame | None = None
    """Rows: times; columns: parameters; values: ST (Sobol) or mu* (Morris)."""

    @property
    def statements(self) -> list[str]:
        """The ranking in plain words."""
        return [describe(i, self.output, self.method) for i in self.indices]


def describe(index: Index, output: str, method: str) -> str:
    """One index in plain words."""
    if method == "morris":
        return (f"{index.parameter}: mean effect {index.mu_star:,.4g} on {output} "
                f"(spread {index.sigma:,.4g})")
    # estimates can stray just outside 0..1 with few samples; shares are shown within it
    s1 = min(1.0, max(0.0, index.S1 or 0.0))
    st = min(1.0, max(0.0, index.ST or 0.0))
    if st < 0.01:
        return f"{index.parameter} has almost no effect on {output}"
    return (f"{index.parameter} explains {s1:.0%} of the variance of {output} on its own, "
            f"{st:.0%} with its interactions")


def design(parameters: Sequence[Parameter], samples: int, method: str = "sobol",
           seed: int = 0) -> tuple[dict[str, Any], NDArray[np.float64], pd.DataFrame]:
    """SALib problem, unit-cube design and parameter table for ``method``.

    Sobol: ``samples * (d + 2)`` runs (no second-order terms); Morris: ``samples``
    trajectories of ``d + 1`` runs each.
    """
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    if not parameters:
        raise ParameterError("no parameters to vary")
    if samples < 2:
        raise ParameterError("at least 2 base samples are needed")
    problem = {"num_vars": len(parameters), "names": [p.name for p in parameters],
               "bounds": [[0.0, 1.0]] * len(parameters)}
    if method == "sobol":
        base = 2 ** max(1, math.ceil(math.log2(samples)))
        unit = sobol_sample.sample(problem, base, calc_second_order=False, seed=seed)
    elif method == "morris":
        unit = morris_sample.sample(problem, samples, num_levels=4, seed=seed)
    else:
        raise ParameterError(f"unknown method '{method}'", hint="sobol or morris")
    table = pd.DataFrame({p.name: p.quantile(unit[:, j]) for j, p in enumerate(parameters)})
    return problem, unit, table


def _indices(problem: dict[str, Any], unit: NDArray[np.float64], y: NDArray[np.float64],
             method: str, seed: int) -> list[Index]:
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    names = problem["names"]
    if np.ptp(y) == 0:  # a constant output: nothing to explain, and SALib would divide by 0
        return [Index(n, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0) for n in names]
    if method == "sobol":
        s = sobol_analyze.analyze(problem, y, calc_second_order=False, num_resamples=100,
                                  seed=seed)
        return [Index(n, float(s["S1"][j]), float(s["ST"][j]), float(s["S1_conf"][j]),
                      float(s["ST_conf"][j])) for j, n in enumerate(names)]
    m = morris_analyze.analyze(problem, unit, y, num_levels=4, num_resamples=100, seed=seed)
    return [Index(n, mu_star=float(m["mu_star"][j]), sigma=float(m["sigma"][j]))
            for j, n in enumerate(names)]


def _rank(indices: list[Index], method: str) -> tuple[Index, ...]:
    key = (lambda i: i.mu_star or 0.0) if method == "morris" else (lambda i: i.ST or 0.0)
    return tuple(sorted(indices, key=key, reverse=True))


def analyse(problem: dict[str, Any], unit: NDArray[np.float64], y: NDArray[np.float64],
            output: str, method: str = "sobol", times: NDArray[np.float64] | None = None,
            periods: int = 0, seed: int = 0) -> Sensitivity:
    """Indices of ``y`` (shape (runs,) or (runs, times); the last time is "the end")."""
    y = np.asarray(y, dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    if not np.all(np.isfinite(y)):
        raise ParameterError(f"{output}: some runs gave non-finite values")
    end = _indices(problem, unit, y[:, -1], method, seed)
    over_time = None
    if periods and y.shape[1] > 1:
        picks = np.unique(np.linspace(0, y.shape[1] - 1, min(periods, y.shape[1])).astype(int))
        field = "mu_star" if method == "morris" else "ST"
        rows = [[getattr(i, field) for i in _indices(problem, unit, y[:, k], method, seed)]
                for k in picks]
        index = times[picks] if times is not None else picks
        over_time = pd.DataFrame(rows, index=pd.Index(index, name="time"),
                                 columns=problem["names"])
    return Sensitivity(output, method, len(y), _rank(end, method), over_time)


def sobol(evaluate: Evaluate, parameters: Sequence[Parameter], samples: int = 1024,
          seed: int = 0, output: str = "output") -> Sensitivity:
    """Sobol indices of any function of a parameter table (see :data:`Evaluate`)."""
    problem, unit, table = design(parameters, samples, "sobol", seed)
    return analyse(problem, unit, evaluate(table), output, "sobol", seed=seed)


def morris(evaluate: Evaluate, parameters: Sequence[Parameter], trajectories: int = 20,
           seed: int = 0, output: str = "output") -> Sensitivity:
    """Morris elementary effects of any function of a parameter table."""
    problem, unit, table = design(parameters, trajectories, "morris", seed)
    return analyse(problem, unit, evaluate(table), output, "morris", seed=seed)


def analyse_model(source: Model | ModelSource, parameters: Sequence[Parameter],
                  outputs: Sequence[str], method: str = "sobol", samples: int = 256,
                  seed: int = 0, periods: int = 12, evaluator: Evaluator | None = None,
                  chunk_size: int = 2000,
                  progress: Callable[[int, int], None] | None = None) -> list[Sensitivity]:
    """Indices of each of a model's ``outputs``, at the end and over ``periods`` times.

    The design is one Monte Carlo study (:func:`~wholesystem.analysis.montecarlo.
    run_ensemble`), so it runs locally or on a cluster with the same numbers.
    """
    problem, unit, table = design(parameters, samples, method, seed)
    study = run_ensemble(source, table, outputs, chunk_size=chunk_size, seed=seed,
                         evaluator=evaluator, progress=progress)
    return [analyse(problem, unit, study.series(o).T, o, method, study.times, periods, seed)
            for o in outputs]


def sensitivity_dict(result: Sensitivity) -> dict[str, Any]:
    """What ``--json`` prints: ``{"output", "method", "runs", "indices": [...],
    "statements": [...], "over_time": {"times": [...], PARAMETER: [...]}}``."""
    indices = [{k: v for k, v in asdict(i).items() if v is not None} for i in result.indices]
    data: dict[str, Any] = {"output": result.output, "method": result.method,
                            "runs": result.runs, "indices": indices,
                            "statements": result.statements}
    if result.over_time is not None:
        data["over_time"] = {"times": [float(t) for t in result.over_time.index],
                             **{str(c): [float(v) for v in result.over_time[c]]
                                for c in result.over_time.columns}}
    return data
