"""Public-service systems ready to run: a spec, its scenarios, and their compiled models.

>>> import wholesystem
>>> from wholesystem.system.model import load_system
>>> system = load_system(wholesystem.example_path("delayed_discharge_system"))
>>> system.scenarios
['baseline', 'fewer_packages', 'more_packages', 'cut_packages']
>>> round(float(system.run("baseline")["hospital in service"].iloc[-1]), 6)
100.0
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from wholesystem.datafiles import FileAccess
from wholesystem.run import Model
from wholesystem.system.layout import SystemLayout
from wholesystem.system.lower import lower_system
from wholesystem.system.read import read_system
from wholesystem.system.results import ScenarioRun
from wholesystem.system.scenarios import apply_scenario, scenario_names
from wholesystem.system.spec import SystemSpec

__all__ = ["SystemModel", "load_system"]


def load_system(path: str | Path, access: FileAccess | None = None) -> SystemModel:
    """Read a system file (YAML); ``access`` decides which CSV files it may read
    (default: its own folder)."""
    return SystemModel(read_system(path, access))


class SystemModel:
    """A system with its scenarios; each scenario is compiled once, on first use."""

    def __init__(self, spec: SystemSpec):
        self.spec = spec
        self._models: dict[str, tuple[SystemSpec, SystemLayout, Model]] = {}

    @property
    def scenarios(self) -> list[str]:
        """Names ``run`` accepts: baseline, the scenarios, then single interventions."""
        return scenario_names(self.spec)

    def model(self, scenario: str = "baseline") -> tuple[SystemSpec, SystemLayout, Model]:
        """The scenario's spec, layout and compiled model."""
        if scenario not in self._models:
            spec = apply_scenario(self.spec, scenario)
            project, layout = lower_system(spec)
            self._models[scenario] = (spec, layout, Model(project))
        return self._models[scenario]

    def run(self, scenario: str = "baseline") -> pd.DataFrame:
        """Simulate a scenario; columns are the variables' display names."""
        return self.model(scenario)[2].run()

    def simulate(self, scenario: str = "baseline") -> ScenarioRun:
        """Simulate a scenario, keeping what the analyses need."""
        spec, layout, model = self.model(scenario)
        frame = model.run()
        names = {o.display: o.name for o in model.compiled.outputs}
        frame.columns = [names.get(c, c) for c in frame.columns]
        return ScenarioRun(spec, layout, frame)
