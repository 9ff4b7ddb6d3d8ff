"""System files (YAML) -> :class:`~wholesystem.ir.system.SystemSpec` -> IR projects.

>>> import wholesystem
>>> from wholesystem.parse.system import read_system, system_project
>>> spec = read_system(wholesystem.example_path("delayed_discharge_system"))
>>> [s.id for s in spec.services]
['hospital', 'home_care']
>>> project, layout = system_project(spec, "fewer_packages")
>>> project.sim_specs.stop
365.0
"""

from __future__ import annotations

from pathlib import Path

from wholesystem.ir.model import Project
from wholesystem.ir.system import SystemLayout, SystemSpec
from wholesystem.parse.system.lower import lower_system
from wholesystem.parse.system.reader import read_system, read_system_text
from wholesystem.parse.system.scenarios import apply_scenario, scenario_names
from wholesystem.parse.system.schema import SYSTEM_SCHEMA, schema_json

__all__ = ["read_system", "read_system_text", "lower_system", "apply_scenario",
           "scenario_names", "system_project", "read_system_project", "SYSTEM_SCHEMA",
           "schema_json", "SYSTEM_SUFFIXES"]

SYSTEM_SUFFIXES = (".yaml", ".yml")
"""File suffixes read as system files."""


def system_project(spec: SystemSpec, scenario: str = "baseline"
                   ) -> tuple[Project, SystemLayout]:
    """The lowered project of ``spec`` under ``scenario``, and its layout."""
    return lower_system(apply_scenario(spec, scenario))


def read_system_project(path: str | Path, scenario: str = "baseline") -> Project:
    """Read a system file and lower it under ``scenario`` (what ``wholesystem run`` runs)."""
    return system_project(read_system(path), scenario)[0]
