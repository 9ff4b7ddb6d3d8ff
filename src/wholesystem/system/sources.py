"""Every unit cost says where it comes from: publication, table and price year.

A cost in a system file carries its evidence as the comment on its line (the parameter
table reads it, :mod:`wholesystem.system.layout`), in one of three forms:

- ``# [source] <publication>; table <table>; price year <year>``: a published figure,
  e.g. ``# [source] PSSRU Unit Costs of Health and Social Care 2023; table 1.1; price
  year 2022/23``;
- ``# [default] <tool>``: the default of another tool or model, not a source;
- ``# [assumption] <why>``: our own figure (the why may be left out).

:func:`unsourced_costs` lists every cost of a system (in any scenario, interventions'
own costs too) that says none of these, or a ``[source]`` without its table or price year.

>>> from wholesystem.system.read import read_system_text
>>> spec = read_system_text('''
... name: One ward
... time: {horizon: 2}
... organisations: {trust: Trust}
... services:
...   ward:
...     owner: trust
...     length_of_stay: 5
...     costs:
...       per_occupied_day: 400     # [source] NHS National Cost Collection; price year 2021/22
...       per_delayed_day: 400      # [assumption] as an occupied day
... ''')
>>> [p.problem for p in unsourced_costs(spec)]
["a [source] needs '; table ...' and '; price year ...'"]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wholesystem.system.layout import Parameter
from wholesystem.system.lower import system_project
from wholesystem.system.scenarios import scenario_names
from wholesystem.system.spec import SystemSpec

__all__ = ["COST_KINDS", "UnsourcedCost", "cost_evidence_problem", "unsourced_costs"]

COST_KINDS = ("unit cost", "intervention cost")
"""Parameter kinds that are money."""

_SOURCE = re.compile(r"^\[source\]\s*(?P<publication>[^;]+?)\s*;\s*table\s+(?P<table>[^;]+?)"
                     r"\s*;\s*price year\s+(?P<year>\d{4}(?:/\d{2,4})?)\b", re.IGNORECASE)
_MARKED = re.compile(r"^(\[default\]\s*\S.*|\[assumption\].*)$", re.IGNORECASE)
_NOT_WRITTEN = "not written in the file"


@dataclass(frozen=True)
class UnsourcedCost:
    """A cost whose evidence does not say what it is."""

    field: str
    """Field of the system file, e.g. ``services.ward.costs.per_occupied_day``."""
    position: str
    """``file:line:col``."""
    evidence: str
    """The comment found (empty when none)."""
    problem: str
    """What is missing, in words."""

    def __str__(self) -> str:
        return f"{self.position}: {self.field}: {self.problem}"


def cost_evidence_problem(evidence: str) -> str | None:
    """What is wrong with a cost's evidence, or None when it says what it is."""
    text = evidence.strip()
    if text.lower().startswith("[source]"):
        if _SOURCE.match(text):
            return None
        return "a [source] needs '; table ...' and '; price year ...'"
    if _MARKED.match(text):
        return None
    return ("no evidence: write '# [source] <publication>; table <table>; price year "
            "<year>', '# [default] <tool>' or '# [assumption] <why>' on its line")


def _cost_parameters(spec: SystemSpec) -> list[Parameter]:
    """Every money parameter written in the file, over every scenario, once each."""
    seen: dict[str, Parameter] = {}
    for name in scenario_names(spec):
        _, layout = system_project(spec, name)
        for parameter in layout.parameters:
            if parameter.kind in COST_KINDS and parameter.field not in seen \
                    and not parameter.evidence.startswith(_NOT_WRITTEN):
                seen[parameter.field] = parameter
    return list(seen.values())


def unsourced_costs(spec: SystemSpec) -> list[UnsourcedCost]:
    """Every cost of ``spec`` without a source, table and price year (or a default or
    assumption mark), in file order."""
    problems = []
    for parameter in _cost_parameters(spec):
        problem = cost_evidence_problem(parameter.evidence)
        if problem is not None:
            problems.append(UnsourcedCost(parameter.field, str(parameter.span),
                                          parameter.evidence, problem))
    return sorted(problems, key=lambda p: (p.position.rsplit(":", 2)[0],
                                           int(p.position.rsplit(":", 2)[1] or 0)))
