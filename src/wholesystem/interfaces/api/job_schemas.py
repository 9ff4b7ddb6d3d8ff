"""Request and response bodies of the background jobs and the analyses they run.

Each request names what the analysis function takes (see :mod:`wholesystem.analysis`);
the bounds keep one request to a size a shared server can afford.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from wholesystem.interfaces.api.access import MAX_ID
from wholesystem.interfaces.api.workbench import UploadError

__all__ = ["FieldProblem", "UncertainIn", "EnsembleIn", "SensitivityIn", "RankIn",
           "FitIn", "ObservationsIn", "CalibrationIn", "LoopsIn", "ForecastIn", "JobOut",
           "MAX_RUNS"]

MAX_RUNS = 5000
"""Most simulation runs one request may ask for."""
Seed = Field(default=0, ge=0, le=2**31 - 1)
ScenarioName = Field(default="baseline", min_length=1, max_length=200)
Number = Field(allow_inf_nan=False)
_NAME = Field(min_length=1, max_length=300)


class FieldProblem(UploadError):
    """A request that is well formed but names something the model does not have; the
    422 problem names the ``field`` (served by the upload-error handler)."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field=field, status=422)


class UncertainIn(BaseModel):
    """One uncertain model constant and its distribution (as in a system file's
    ``uncertainty:`` block)."""

    name: str = _NAME
    distribution: Literal["uniform", "triangular", "normal", "lognormal", "beta", "pert",
                          "empirical"] = "uniform"
    low: float | None = Field(default=None, allow_inf_nan=False)
    high: float | None = Field(default=None, allow_inf_nan=False)
    mode: float | None = Field(default=None, allow_inf_nan=False)
    mean: float | None = Field(default=None, allow_inf_nan=False)
    sd: float | None = Field(default=None, allow_inf_nan=False)
    alpha: float | None = Field(default=None, allow_inf_nan=False)
    beta: float | None = Field(default=None, allow_inf_nan=False)
    values: list[float] | None = Field(default=None, min_length=1, max_length=10_000)
    source: str = Field(default="", max_length=2000)
    owner: str = Field(default="", max_length=200)
    evidence: str = Field(default="", max_length=2000)

    def fields(self) -> dict[str, Any]:
        """The distribution's own fields, as :class:`analysis.uncertainty.Parameter`
        takes them."""
        names = ("low", "high", "mode", "mean", "sd", "alpha", "beta", "values")
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}


class _Study(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scenario: str = ScenarioName
    parameters: list[UncertainIn] = Field(default_factory=list, max_length=50)
    """Empty: the system file's own ``uncertainty:`` block."""
    seed: int = Seed


class EnsembleIn(_Study):
    """A Monte Carlo ensemble: the scenario, with its levers, over uncertain draws."""

    levers: dict[str, float] = Field(default_factory=dict, max_length=200)
    runs: int = Field(default=200, ge=2, le=MAX_RUNS)
    outputs: list[str] = Field(default_factory=list, max_length=50)
    """Variables to keep (default for a system: cost per organisation and people
    waiting per service)."""
    method: Literal["lhs", "random", "sobol"] = "lhs"


class SensitivityIn(_Study):
    """Which assumptions matter: Sobol indices or Morris elementary effects."""

    outputs: list[str] = Field(default_factory=list, max_length=10)
    """Default for a system: the whole system's cost."""
    method: Literal["sobol", "morris"] = "sobol"
    samples: int = Field(default=64, ge=2, le=512)
    """Sobol: base samples N (N x (d + 2) runs); Morris: trajectories."""
    periods: int = Field(default=6, ge=0, le=24)


class RankIn(_Study):
    """Where to act: each intervention against the baseline over the same draws."""

    runs: int = Field(default=100, ge=1, le=2000)
    interventions: list[str] | None = Field(default=None, max_length=50)
    goal: Literal["whole system cost", "people waiting", "payback"] = "whole system cost"


class FitIn(BaseModel):
    """A constant to fit, and the range it may take."""

    name: str = _NAME
    low: float = Number
    high: float = Number
    start: float | None = Field(default=None, allow_inf_nan=False)

    @model_validator(mode="after")
    def _range(self) -> FitIn:
        if not self.low < self.high:
            raise ValueError("low must be below high")
        return self


class ObservationsIn(BaseModel):
    """Observed series: one value (or null: missing) per time for each variable."""

    times: list[float] = Field(min_length=2, max_length=100_000)
    values: dict[str, list[float | None]] = Field(min_length=1, max_length=50)
    aggregate: Literal["point", "sum", "mean"] = "point"
    period: float = Field(default=0.0, ge=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _lengths(self) -> ObservationsIn:
        for name, series in self.values.items():
            if len(series) != len(self.times):
                raise ValueError(f"'{name}' has {len(series)} values for "
                                 f"{len(self.times)} times")
        return self


class CalibrationIn(BaseModel):
    """Fit constants of the model to observations."""

    model_config = ConfigDict(extra="forbid")
    scenario: str = ScenarioName
    observations: ObservationsIn
    fit: list[FitIn] = Field(min_length=1, max_length=20)
    method: Literal["least_squares", "mcmc"] = "least_squares"
    steps: int = Field(default=200, ge=10, le=5000)
    """MCMC steps per walker."""
    walkers: int = Field(default=16, ge=2, le=200)
    max_evaluations: int = Field(default=200, ge=5, le=5000)
    seed: int = Seed


class LoopsIn(BaseModel):
    """Feedback loops and their dominance over time (Loops That Matter)."""

    model_config = ConfigDict(extra="forbid")
    scenario: str = ScenarioName
    max_loops: int = Field(default=500, ge=1, le=5000)


class ForecastIn(BaseModel):
    """A demand history to forecast, optionally backtested."""

    model_config = ConfigDict(extra="forbid")
    history: list[float] = Field(min_length=4, max_length=20_000)
    horizon: int = Field(default=28, ge=1, le=730)
    method: Literal["ets", "arima", "seasonal_naive"] = "ets"
    season: int = Field(default=7, ge=1, le=366)
    level: float = Field(default=0.9, gt=0, lt=1)
    backtest: bool = False
    initial: int | None = Field(default=None, ge=2, le=20_000)
    """Backtest: length of the first fitting window (default: two thirds)."""
    step: int = Field(default=7, ge=1, le=365)


class JobOut(BaseModel):
    """A background job: what it is doing and, when done, its result."""

    model_config = ConfigDict(from_attributes=True)
    id: int = Field(ge=1, le=MAX_ID)
    kind: str
    state: Literal["queued", "running", "cancelling", "done", "failed", "cancelled"]
    done: int
    total: int
    message: str
    version_id: int
    request: dict[str, Any]
    author: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
