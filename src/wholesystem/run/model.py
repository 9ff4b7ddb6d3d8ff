"""The model users hold: read, compiled once, run many times.

>>> import wholesystem
>>> model = wholesystem.load(wholesystem.example_path("teacup"))
>>> float(model.run()["Teacup Temperature"].iloc[0])
180.0
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wholesystem.check.resources import resource_errors
from wholesystem.compiler import CompiledModel, compile_project
from wholesystem.compiler.data import data_variables, feed_data_files
from wholesystem.datafiles import FileAccess, access_for
from wholesystem.errors import (
    NonFiniteWarning,
    ParameterError,
    SimulationError,
    UnknownNameError,
)
from wholesystem.ir.expr import Number
from wholesystem.ir.model import Project, VariableKind
from wholesystem.ir.names import canonical_name
from wholesystem.parse import read_model
from wholesystem.run.numeric import first_non_finite, writes_non_finite
from wholesystem.run.results import EnsembleResults, select_outputs
from wholesystem.run.simulate import simulate

__all__ = ["Model", "load", "data_files_named_by"]


def load(path: str | Path, access: FileAccess | None = None) -> Model:
    """Read and compile an engine model file (XMILE or Vensim); :func:`wholesystem.load`
    also reads system files. ``access`` decides which data files the model may read
    (default: :meth:`FileAccess.for_cli`, the model's folder)."""
    return Model(read_model(path, access))


class Model:
    """A compiled model with its parameters; ``run`` and ``run_many`` simulate it."""

    def __init__(self, project: Project):
        self.project = project
        # What check reports as resource-limit errors stops here, before compiling
        # allocates anything.
        problems = resource_errors(project)
        if problems:
            raise problems[0]
        try:
            self.compiled = compile_project(project)
        except MemoryError:
            raise SimulationError("out of memory compiling the model",
                                  project.sim_specs.span) from None
        self._writes_non_finite = writes_non_finite(project)
        # Keyed by forced constants and data files; a model with data variables has no
        # variant until a run names its data files.
        self._variants: dict[tuple[frozenset[str], tuple[str, ...]], CompiledModel] = (
            {} if data_variables(project) else {(frozenset(), ()): self.compiled})

    # -- what the model holds ---------------------------------------------------------
    @property
    def name(self) -> str:
        """Model name from the file."""
        return self.project.name

    @property
    def source(self) -> str:
        """The generated NumPy source (what ``wholesystem compile --show`` prints)."""
        return self.compiled.source

    @property
    def constants(self) -> dict[str, float | None]:
        """Constants that ``params`` can set cheaply, with their values (None: arrayed)."""
        names = {o.name: o.display for o in self.compiled.outputs}
        return {names.get(n, n): v for n, v in self.compiled.generated.constants.items()}

    @property
    def columns(self) -> list[str]:
        """Column labels of a run's results."""
        from wholesystem.run.results import column_names

        return [c for o in self.compiled.outputs for c in column_names(o)]

    # -- running ----------------------------------------------------------------------
    def run(self, params: Mapping[str, Any] | None = None,
            return_columns: Sequence[str] | None = None,
            method: str | None = None,
            data: Sequence[str | Path] | None = None, seed: int = 0,
            strict: bool = False) -> pd.DataFrame:
        """Simulate once; a DataFrame indexed by time with one column per variable.

        ``params`` sets constants, stock initial values or (as constants) any other
        variable; values are numbers, or arrays for arrayed variables. ``data`` names the
        files (Vensim .tab or .csv) feeding the model's data variables. ``seed`` seeds the
        random-number functions (the same seed gives the same draws). Results holding NaN
        or infinity where the model writes neither give a
        :class:`~wholesystem.errors.NonFiniteWarning` naming the first variable and time;
        ``strict`` makes that a :class:`~wholesystem.errors.SimulationError`.
        """
        table = {name: [value] for name, value in (params or {}).items()}
        overrides = {k: np.asarray(v[0], dtype=float) for k, v in table.items()}
        compiled, resolved = self._prepare(overrides, data)
        raw = simulate(compiled, resolved, 1, method, seed=seed,
                       outputs=select_outputs(compiled.outputs, return_columns))
        values, labels = raw.cube()
        self._check_numbers(raw.times, values, labels, strict)
        frame = pd.DataFrame(values[:, 0, :], index=pd.Index(raw.times, name="time"),
                             columns=labels)
        return frame

    def run_many(self, param_table: pd.DataFrame | Mapping[str, Sequence[float]],
                 return_columns: Sequence[str] | None = None,
                 method: str | None = None,
                 data: Sequence[str | Path] | None = None, seed: int = 0,
                 strict: bool = False) -> EnsembleResults:
        """Simulate one run per row of ``param_table`` (columns name parameters), all at
        once, vectorised over runs; ``data``, ``seed`` and ``strict`` as for :meth:`run`
        (row ``i`` draws what a single run of the same seed draws as its run ``i``)."""
        table = pd.DataFrame(param_table)
        if table.empty:
            raise ParameterError("the parameter table has no rows")
        overrides = {str(c): table[c].to_numpy(dtype=float) for c in table.columns}
        compiled, resolved = self._prepare(overrides, data)
        raw = simulate(compiled, resolved, len(table), method, seed=seed,
                       outputs=select_outputs(compiled.outputs, return_columns))
        values, labels = raw.cube()
        self._check_numbers(raw.times, values, labels, strict)
        return EnsembleResults(raw.times, values, labels, table)

    def _check_numbers(self, times: np.ndarray, values: np.ndarray, labels: list[str],
                       strict: bool) -> None:
        """Warn (or, when ``strict``, raise) at the first NaN or infinite result."""
        if self._writes_non_finite:
            return
        found = first_non_finite(times, values, labels)
        if found is None:
            return
        name = canonical_name(found.column.partition("[")[0])
        variable = self.project.main.variable_map().get(name)
        span = variable.span if variable is not None else None
        if strict:
            raise SimulationError(found.message(), span, hint=found.hint)
        warnings.warn(NonFiniteWarning(found, span), stacklevel=3)

    def _prepare(self, overrides: Mapping[str, np.ndarray],
                 data: Sequence[str | Path] | None = None
                 ) -> tuple[CompiledModel, dict[str, np.ndarray]]:
        variables = self.compiled.lowered.project.main.variable_map()
        by_display = {canonical_name(v.display): v.name for v in variables.values()}
        resolved: dict[str, np.ndarray] = {}
        for name, value in overrides.items():
            key = canonical_name(name)
            key = key if key in variables else by_display.get(key, key)
            if key not in variables or key in self.compiled.lowered.hidden:
                raise UnknownNameError(name, hint="not a variable of the model; see "
                                                  "Model.constants")
            if not np.all(np.isfinite(value)):
                raise ParameterError(f"parameter '{name}' is not a finite number: {value}")
            resolved[key] = value
        forced = frozenset(k for k in resolved
                           if k not in self.compiled.generated.constants
                           and variables[k].kind is not VariableKind.STOCK)
        named_by_caller = bool(data)
        if not data and data_variables(self.project):
            data = data_files_named_by(self.project)
        files = tuple(str(f) for f in data or ())
        return self._variant(forced, files, named_by_caller), resolved

    def _variant(self, forced: frozenset[str], data: tuple[str, ...] = (),
                 named_by_caller: bool = False) -> CompiledModel:
        """The model compiled with ``forced`` variables turned into settable constants and
        its data variables fed from the ``data`` files."""
        key = (forced, data)
        if key not in self._variants:
            access = access_for(self.project.source.path, self.project.source.access)
            if named_by_caller:
                # Files the caller names are the caller's choice (as --data on the command
                # line); an uploads-only policy is never widened by a run (see allowing).
                access = access.allowing(data)
            project = feed_data_files(self.project, data, access)
            if forced:
                project = _with_constants(project, forced)
            self._variants[key] = compile_project(project)
        return self._variants[key]

    def __repr__(self) -> str:
        return f"<wholesystem.Model {self.name!r} from {self.project.source.path}>"


_READABLE_DATA = (".tab", ".csv", ".txt", ".dat")


def data_files_named_by(project: Project) -> list[Path]:
    """The data files a model names itself (Vensim's settings), beside the model file.

    Vensim's binary ``.vdf`` data sets cannot be read; a text export of the same name
    (``data.tab`` for ``data.vdf``) is used in their place when it exists.
    """
    folder = Path(project.source.path).parent
    access = access_for(project.source.path, project.source.access)
    found = []
    for name in project.data_files:
        path = folder / name
        if not access.allows(path):
            access.open_path(name, relative_to=folder)  # raises, naming the file
        if path.suffix.lower() == ".vdf":
            exports = [path.with_suffix(s) for s in _READABLE_DATA
                       if path.with_suffix(s).exists()]
            if not exports:
                continue
            path = exports[0]
        if path.exists():
            found.append(path)
    return found


def _with_constants(project: Project, names: frozenset[str]) -> Project:
    """The project with the named (flattened) variables replaced by a placeholder constant
    whose value every run supplies."""
    from wholesystem.ir.flatten import flatten

    flat = flatten(project)
    variables = tuple(
        replace(v, kind=VariableKind.AUX, equation=Number(math.nan, v.span), elements=(),
                graphical_function=None) if v.name in names else v
        for v in flat.main.variables)
    return replace(flat, models=(replace(flat.main, variables=variables),))
