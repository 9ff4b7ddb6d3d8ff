"""The public-service layer: system files, lowered onto the engine, run and accounted for.

One package, between :mod:`~wholesystem.analysis` and :mod:`~wholesystem.run`:

- :mod:`~wholesystem.system.spec`: the specification (organisations, services, cohorts,
  pathways, interventions, scenarios), frozen dataclasses in the words of the field;
- :mod:`~wholesystem.system.read`: YAML system files -> a spec, every problem at
  ``file:line:col`` and field;
- :mod:`~wholesystem.system.scenarios`: scenarios and interventions applied to a spec;
- :mod:`~wholesystem.system.stays`: lengths of stay as stage cascades;
- :mod:`~wholesystem.system.lower`: a spec -> an engine project, and
  :mod:`~wholesystem.system.layout`: where its people and costs are;
- :mod:`~wholesystem.system.model`: a system with its scenarios, compiled and run, and
  :mod:`~wholesystem.system.results`: what a run keeps for the analyses;
- :mod:`~wholesystem.system.ledger`, :mod:`~wholesystem.system.causes`,
  :mod:`~wholesystem.system.shunts`, :mod:`~wholesystem.system.conservation`,
  :mod:`~wholesystem.system.journeys` and :mod:`~wholesystem.system.journey_report`: cost
  and activity per organisation, each change in cost traced to its causes, scenario
  comparison and cost shunts, people conservation, residents simulated one by one;
- :mod:`~wholesystem.system.charges`: what each step costs, counted one way everywhere, and
  :mod:`~wholesystem.system.capacity`: capacity sweeps, and where extra capacity stops
  paying for itself;
- :mod:`~wholesystem.system.files`: any model file read by its type (what
  :func:`wholesystem.load` calls).

>>> import wholesystem
>>> from wholesystem.system import read_system, system_project
>>> spec = read_system(wholesystem.example_path("delayed_discharge_system"))
>>> [s.id for s in spec.services]
['hospital', 'home_care']
>>> project, layout = system_project(spec, "fewer_packages")
>>> project.sim_specs.stop
365.0
"""

from __future__ import annotations

from wholesystem.system.capacity import capacity_payback, sweep_capacity
from wholesystem.system.conservation import check_conservation
from wholesystem.system.files import check_path, load, read_project, read_system_project
from wholesystem.system.journey_report import journeys
from wholesystem.system.layout import ServiceLayout, SystemLayout
from wholesystem.system.ledger import build_ledger
from wholesystem.system.lower import lower_system, system_project
from wholesystem.system.model import SystemModel, load_system
from wholesystem.system.read import (
    SYSTEM_SCHEMA,
    SYSTEM_SUFFIXES,
    read_system,
    read_system_text,
    schema_json,
)
from wholesystem.system.results import ScenarioRun
from wholesystem.system.scenarios import apply_scenario, scenario_names
from wholesystem.system.shunts import compare
from wholesystem.system.spec import SystemSpec

__all__ = ["read_system", "read_system_text", "lower_system", "apply_scenario",
           "scenario_names", "system_project", "read_system_project", "SYSTEM_SCHEMA",
           "schema_json", "SYSTEM_SUFFIXES", "SystemSpec", "SystemLayout", "ServiceLayout",
           "SystemModel", "ScenarioRun", "load_system", "build_ledger", "compare",
           "check_conservation", "journeys", "load", "read_project", "check_path",
           "sweep_capacity", "capacity_payback"]
