"""What a simulated scenario keeps for the analyses: its spec, layout and results, with
the run axis.

A :class:`ScenarioRun` holds one run or an ensemble (many runs of the same compiled model
with different parameters) as one array ``(time, run, variable)``. The ledger, the
comparison, the conservation check read it through :meth:`ScenarioRun.series` and
:meth:`ScenarioRun.run`, so the same code serves one run and a thousand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from wholesystem.errors import ParameterError, UnknownNameError
from wholesystem.system.layout import SystemLayout
from wholesystem.system.spec import SystemSpec

__all__ = ["ScenarioRun"]


@dataclass(frozen=True)
class ScenarioRun:
    """One scenario of a system, simulated by the aggregate (stock-and-flow) model, once
    or as an ensemble."""

    spec: SystemSpec
    """The spec with the scenario applied."""
    layout: SystemLayout
    """Where its people and costs are."""
    times: NDArray[np.float64]
    """Saved times."""
    values: NDArray[np.float64]
    """Array ``(time, run, variable)``."""
    columns: tuple[str, ...]
    """Canonical variable names, in the order of the last axis of ``values``."""
    params: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The parameters set, one row per run (no columns when none were set)."""

    def __post_init__(self) -> None:
        if self.values.ndim != 3 or self.values.shape[0] != len(self.times) or (
                self.values.shape[2] != len(self.columns)):
            raise ValueError(f"values of shape {self.values.shape} do not match "
                             f"{len(self.times)} times and {len(self.columns)} variables")

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.columns)}

    @classmethod
    def from_frame(cls, spec: SystemSpec, layout: SystemLayout, frame: pd.DataFrame,
                   params: pd.DataFrame | None = None) -> ScenarioRun:
        """One run from a DataFrame indexed by time with canonical column names."""
        values = frame.to_numpy(dtype=float)[:, None, :]
        return cls(spec, layout, frame.index.to_numpy(dtype=float), values,
                   tuple(str(c) for c in frame.columns),
                   params if params is not None else pd.DataFrame(index=pd.RangeIndex(1)))

    @property
    def runs(self) -> int:
        """Number of runs (1 for a single run)."""
        return int(self.values.shape[1])

    def series(self, name: str) -> NDArray[np.float64]:
        """A variable over time and runs, ``(time, run)``, by canonical name."""
        if name not in self._positions:
            raise UnknownNameError(name, hint="not a variable of this system's results")
        return self.values[:, :, self._positions[name]]

    def final(self, name: str) -> NDArray[np.float64]:
        """A variable at the last saved time, one value per run."""
        return self.series(name)[-1]

    def run(self, index: int) -> ScenarioRun:
        """Run ``index`` of an ensemble on its own (a view, nothing copied)."""
        if not -self.runs <= index < self.runs:
            raise ParameterError(f"run {index} asked for; these results have {self.runs}")
        index %= self.runs
        params = self.params.iloc[index:index + 1]
        return ScenarioRun(self.spec, self.layout, self.times,
                           self.values[:, index:index + 1, :], self.columns, params)

    def each(self) -> Sequence[ScenarioRun]:
        """Every run on its own, in order."""
        return [self.run(i) for i in range(self.runs)]

    @property
    def results(self) -> pd.DataFrame:
        """One run's results: one row per saved time, one column per variable (canonical
        names); an ensemble names the run with :meth:`run` first."""
        if self.runs != 1:
            raise ParameterError(f"these results hold {self.runs} runs; pick one with "
                                 ".run(i), or read .series(name) for all of them")
        return pd.DataFrame(self.values[:, 0, :], index=pd.Index(self.times, name="time"),
                            columns=list(self.columns))

    def column(self, name: str) -> pd.Series:
        """A variable's values over time, by canonical name (one run)."""
        return self.results[name]
