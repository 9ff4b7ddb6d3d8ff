"""System files (YAML) -> :class:`~wholesystem.system.spec.SystemSpec`.

Reading goes source (YAML text with the position of every field) -> schema (the file's
shape) -> values (quantities, durations, distributions) -> structure (ids, routes and
cycles checked across the whole file) -> reader (the spec).

>>> import wholesystem
>>> from wholesystem.system.read import read_system
>>> spec = read_system(wholesystem.example_path("delayed_discharge_system"))
>>> [s.id for s in spec.services]
['hospital', 'home_care']
"""

from __future__ import annotations

from wholesystem.system.read.reader import read_system, read_system_text
from wholesystem.system.read.schema import SYSTEM_SCHEMA, schema_json

__all__ = ["read_system", "read_system_text", "SYSTEM_SCHEMA", "schema_json",
           "SYSTEM_SUFFIXES"]

SYSTEM_SUFFIXES = (".yaml", ".yml")
"""File suffixes read as system files."""
