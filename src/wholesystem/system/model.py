"""Public-service systems ready to run: a spec, its scenarios, and their compiled models.

Every number of the system file is a named parameter of the compiled model (see
:attr:`SystemModel.parameters`), so a run can set a unit cost, a capacity or a route
fraction without lowering or compiling again.

>>> import wholesystem
>>> from wholesystem.system.model import load_system
>>> system = load_system(wholesystem.example_path("delayed_discharge_system"))
>>> system.scenarios
['baseline', 'fewer_packages', 'more_packages', 'cut_packages']
>>> round(float(system.run("baseline")["hospital in service"].iloc[-1]), 6)
100.0
>>> system.parameter("hospital cost per occupied day").value
400.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from wholesystem.datafiles import FileAccess
from wholesystem.errors import ParameterError
from wholesystem.ir.model import Project
from wholesystem.ir.names import canonical_name
from wholesystem.run import EnsembleResults, Model
from wholesystem.system.layout import Parameter, SystemLayout
from wholesystem.system.lower import Superset, lower_system, structure_of, superset_of
from wholesystem.system.read import read_system
from wholesystem.system.results import ScenarioRun
from wholesystem.system.scenarios import apply_scenario, scenario_names
from wholesystem.system.spec import SystemSpec

__all__ = ["SystemModel", "ScenarioModel", "load_system"]


def load_system(path: str | Path, access: FileAccess | None = None) -> SystemModel:
    """Read a system file (YAML); ``access`` decides which CSV files it may read
    (default: its own folder)."""
    return SystemModel(read_system(path, access))


class ScenarioModel(Model):
    """A compiled model shared by scenarios, running one of them: its parameter values
    are the defaults of every run (a run's own ``params`` set on top)."""

    def __init__(self, shared: Model, defaults: Mapping[str, float],
                 project: Project | None = None):
        # Shares the compiled model and its variants: nothing is compiled again. The
        # project is the scenario's own (its numbers written in), for readers of its
        # equations; its structure is the shared one's, so any variant compiled from
        # either serves both (every run sets the live parameters).
        self.__dict__.update(shared.__dict__)
        self.project = project or shared.project
        self.shared = shared
        """The compiled model the scenarios share."""
        self.defaults = dict(defaults)
        """This scenario's parameter values, by canonical name."""

    @property
    def constants(self) -> dict[str, float | None]:
        """Constants with this scenario's values."""
        names = {o.name: o.display for o in self.compiled.outputs}
        values = dict(super().constants)
        for name, value in self.defaults.items():
            values[names.get(name, name)] = value
        return values

    def run(self, params: Mapping[str, Any] | None = None, *args: Any,
            **kwargs: Any) -> pd.DataFrame:
        """As :meth:`Model.run`, from this scenario's values."""
        return super().run(self._with_defaults(params), *args, **kwargs)

    def run_many(self, param_table: pd.DataFrame | Mapping[str, Sequence[float]],
                 *args: Any, **kwargs: Any) -> EnsembleResults:
        """As :meth:`Model.run_many`, from this scenario's values."""
        table = pd.DataFrame(param_table).copy()
        given = {canonical_name(str(c)) for c in table.columns}
        for name, value in self.defaults.items():
            if name not in given and len(table):
                table[name] = value
        return super().run_many(table, *args, **kwargs)

    def _with_defaults(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        given = {canonical_name(str(k)): v for k, v in (params or {}).items()}
        return {**self.defaults, **given}


class SystemModel:
    """A system with its scenarios, compiled once: every scenario whose lowered structure
    is the baseline's (they differ only in numbers: capacities, costs, stays of the same
    shape, interventions switched on or off) runs on the one compiled model with its own
    parameter values; a scenario of another structure (a routing change) gets its own."""

    def __init__(self, spec: SystemSpec):
        self.spec = spec
        self._models: dict[str, tuple[SystemSpec, SystemLayout, Model]] = {}
        self._compiled: dict[tuple[object, ...], Model] = {}
        self._superset: Superset | None = None

    @property
    def scenarios(self) -> list[str]:
        """Names ``run`` accepts: baseline, the scenarios, then single interventions."""
        return scenario_names(self.spec)

    def model(self, scenario: str = "baseline") -> tuple[SystemSpec, SystemLayout, Model]:
        """The scenario's spec, layout and model (a :class:`ScenarioModel` over the shared
        compiled model: its runs are the scenario's)."""
        if scenario not in self._models:
            spec = apply_scenario(self.spec, scenario)
            project, layout = lower_system(spec, self.superset)
            shape = structure_of(project, layout)
            if shape not in self._compiled:
                self._compiled[shape] = Model(project)
            defaults = {p.name: p.value for p in layout.parameters if p.live}
            self._models[scenario] = (spec, layout, ScenarioModel(
                self._compiled[shape], defaults, project))
        return self._models[scenario]

    @property
    def superset(self) -> Superset:
        """What every scenario needs lowered (see :class:`~wholesystem.system.lower.Superset`)."""
        if self._superset is None:
            specs = [apply_scenario(self.spec, name) for name in self.scenarios]
            self._superset = superset_of(specs)
        return self._superset

    def scenario_parameters(self, scenario: str) -> dict[str, float]:
        """The parameter set that makes the shared compiled model run ``scenario``: every
        live parameter whose value differs from the baseline's, by display name."""
        base = {p.name: p.value for p in self.parameters() if p.live}
        return {p.display: p.value for p in self.parameters(scenario)
                if p.live and base.get(p.name) != p.value}

    def compiled_models(self) -> int:
        """How many compiled models the scenarios used so far need (1 when they all share
        the baseline's)."""
        return len(self._compiled)

    # -- the parameter table ----------------------------------------------------------
    def parameters(self, scenario: str = "baseline") -> tuple[Parameter, ...]:
        """Every number of the system file under ``scenario``: name, value, units, kind,
        field, position and evidence."""
        return self.model(scenario)[1].parameters

    def parameter(self, name: str, scenario: str = "baseline") -> Parameter:
        """One parameter by name (canonical or as displayed)."""
        return self.model(scenario)[1].parameter(name)

    def parameter_values(self, params: Mapping[str, float] | None,
                         scenario: str = "baseline") -> dict[str, float]:
        """``params`` checked against the parameter table and keyed by canonical name;
        a name that is not a parameter, or a number that shapes the structure, is a
        :class:`~wholesystem.errors.ParameterError` naming it."""
        layout = self.model(scenario)[1]
        checked: dict[str, float] = {}
        for name, value in (params or {}).items():
            parameter = layout.parameter(name)
            if not parameter.live:
                raise ParameterError(
                    f"'{parameter.display}' ({parameter.field}, {parameter.span}) shapes the "
                    "lowered structure and cannot be set on the compiled model; change it "
                    "in the system file or through a scenario")
            checked[parameter.name] = value
        return checked

    # -- running ----------------------------------------------------------------------
    def run(self, scenario: str = "baseline",
            params: Mapping[str, float] | None = None) -> pd.DataFrame:
        """Simulate a scenario; columns are the variables' display names. ``params``
        sets parameters of the table (see :meth:`parameters`) for this run."""
        values = self.parameter_values(params, scenario)
        return self.model(scenario)[2].run(values or None)

    def simulate(self, scenario: str = "baseline",
                 params: Mapping[str, float] | None = None) -> ScenarioRun:
        """Simulate a scenario, keeping what the analyses need; ``params`` as for
        :meth:`run`."""
        values = self.parameter_values(params, scenario)
        spec, layout, model = self.model(scenario)
        frame = model.run(values or None)
        names = {o.display: o.name for o in model.compiled.outputs}
        frame.columns = [names.get(c, c) for c in frame.columns]
        table = pd.DataFrame({k: [v] for k, v in values.items()}, index=pd.RangeIndex(1))
        return ScenarioRun.from_frame(spec, layout, frame, table)

    def simulate_many(self, param_table: pd.DataFrame | Mapping[str, Sequence[float]],
                      scenario: str = "baseline") -> ScenarioRun:
        """One run per row of ``param_table`` (columns name parameters of the table), all
        on the one compiled model at once, vectorised over runs; run ``i`` is what
        :meth:`simulate` gives for row ``i``."""
        table = pd.DataFrame(param_table)
        if table.empty:
            raise ParameterError("the parameter table has no rows")
        keys = self.parameter_values({str(c): 0.0 for c in table.columns}, scenario)
        table.columns = list(keys)
        spec, layout, model = self.model(scenario)
        ensemble = model.run_many(table)
        names = {o.display: o.name for o in model.compiled.outputs}
        columns = tuple(names.get(c, c) for c in ensemble.columns)
        return ScenarioRun(spec, layout, ensemble.times, ensemble.values, columns,
                           table.reset_index(drop=True))
