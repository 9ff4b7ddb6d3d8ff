"""Simulation results as pandas objects.

:class:`Results` is one run (a DataFrame indexed by time, one column per variable or
array element); :class:`EnsembleResults` holds many runs in one array and hands out
per-variable or per-run tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from wholesystem.compiler.codegen import OutputVariable
from wholesystem.errors import UnknownNameError
from wholesystem.ir.names import canonical_name

__all__ = ["RawResults", "Results", "EnsembleResults", "column_names"]


def column_names(output: OutputVariable) -> list[str]:
    """Column labels of a variable: ``name`` or ``name[elem1,elem2]`` per element."""
    if not output.shape:
        return [output.display]
    labels: list[str] = [""]
    for elements in output.element_names:
        labels = [f"{prefix},{e}" if prefix else e for prefix in labels for e in elements]
    return [f"{output.display}[{label}]" for label in labels]


@dataclass
class RawResults:
    """What the integrator saved: per save time, the tuple ``rates`` returned."""

    times: NDArray[np.float64]
    saved: list[tuple[Any, ...]]
    outputs: tuple[OutputVariable, ...]
    runs: int
    scalar: bool = False

    def cube(self, selected: Sequence[int] | None = None
             ) -> tuple[NDArray[np.float64], list[str]]:
        """Values as an array ``(time, run, column)`` and the column labels."""
        indices = list(range(len(self.outputs)) if selected is None else selected)
        if self.scalar:
            table = np.asarray(self.saved, dtype=float).reshape(len(self.times), -1)
            labels_all = [column_names(self.outputs[j])[0] for j in indices]
            return table[:, None, indices], labels_all
        blocks = []
        labels: list[str] = []
        n_times = len(self.times)
        for j in indices:
            output = self.outputs[j]
            size = int(np.prod(output.shape)) if output.shape else 1
            target = (n_times, self.runs, *output.shape)
            series = [step[j] for step in self.saved]
            try:
                stacked = np.asarray(series, dtype=float)
                block = np.broadcast_to(stacked.reshape(
                    stacked.shape[:1] + _pad(stacked.shape[1:], len(target) - 1)), target)
            except ValueError:
                block = np.stack([np.broadcast_to(np.asarray(v, dtype=float), target[1:])
                                  for v in series])
            blocks.append(block.reshape(n_times, self.runs, size))
            labels.extend(column_names(output))
        if not blocks:
            return np.zeros((n_times, self.runs, 0)), labels
        return np.concatenate(blocks, axis=2), labels


def _pad(shape: tuple[int, ...], ndim: int) -> tuple[int, ...]:
    """A value's shape made ``ndim`` long, so scalars broadcast against (runs, *shape)."""
    if len(shape) == ndim:
        return shape
    if not shape:
        return (1,) * ndim
    return shape + (1,) * (ndim - len(shape))


def select_outputs(outputs: tuple[OutputVariable, ...], columns: Sequence[str] | None
                   ) -> list[int] | None:
    """Indices of the outputs named in ``columns`` (display or canonical names)."""
    if columns is None:
        return None
    by_name = {canonical_name(o.display): i for i, o in enumerate(outputs)}
    by_name.update({o.name: i for i, o in enumerate(outputs)})
    chosen = []
    for column in columns:
        key = canonical_name(column.split("[")[0])
        if key not in by_name:
            raise UnknownNameError(column, hint="not a variable of the model")
        if by_name[key] not in chosen:
            chosen.append(by_name[key])
    return chosen


class Results(pd.DataFrame):
    """One run: a DataFrame indexed by time (kept a plain DataFrame for users)."""


class EnsembleResults:
    """Many runs of one model: values ``(time, run, column)`` with pandas views."""

    def __init__(self, times: NDArray[np.float64], values: NDArray[np.float64],
                 columns: list[str], parameters: pd.DataFrame):
        self.times = times
        """Saved times."""
        self.values = values
        """Array of shape (time, run, column)."""
        self.columns = columns
        """Column labels, as in a single run's DataFrame."""
        self.parameters = parameters
        """The parameter table, one row per run."""

    @property
    def runs(self) -> int:
        """Number of runs."""
        return self.values.shape[1]

    def run(self, index: int) -> pd.DataFrame:
        """One run as a DataFrame indexed by time."""
        return pd.DataFrame(self.values[:, index, :], index=pd.Index(self.times, name="time"),
                            columns=self.columns)

    def variable(self, name: str) -> pd.DataFrame:
        """One column across runs: rows are times, columns are runs."""
        key = canonical_name(name)
        matches = [i for i, c in enumerate(self.columns) if canonical_name(c) == key]
        if not matches:
            raise UnknownNameError(name, hint="not a column of these results")
        return pd.DataFrame(self.values[:, :, matches[0]],
                            index=pd.Index(self.times, name="time"),
                            columns=pd.Index(self.parameters.index, name="run"))

    def final(self) -> pd.DataFrame:
        """Values at the last saved time: one row per run, one column per variable."""
        return pd.DataFrame(self.values[-1], index=self.parameters.index, columns=self.columns)

    def to_frame(self) -> pd.DataFrame:
        """Long table with a (run, time) index: easy to group, plot and save."""
        runs, times = self.values.shape[1], self.values.shape[0]
        index = pd.MultiIndex.from_product([self.parameters.index, self.times],
                                           names=["run", "time"])
        data = self.values.transpose(1, 0, 2).reshape(runs * times, -1)
        return pd.DataFrame(data, index=index, columns=self.columns)

    def __repr__(self) -> str:
        return (f"<EnsembleResults: {self.runs} runs x {len(self.times)} times x "
                f"{len(self.columns)} columns>")
