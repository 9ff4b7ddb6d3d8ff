"""Every unit cost of every bundled example names its publication, table and price year,
or is marked as another tool's default or our assumption."""

from __future__ import annotations

from pathlib import Path

import pytest
from system_factory import dedent

import wholesystem
from wholesystem.system import read_system, read_system_text
from wholesystem.system.sources import cost_evidence_problem, unsourced_costs

SYSTEMS = sorted((Path(wholesystem.__file__).parent / "examples").glob("*/*.yaml"))


@pytest.mark.parametrize("path", SYSTEMS, ids=lambda p: p.parent.name)
def test_every_bundled_cost_says_where_it_comes_from(path: Path) -> None:
    problems = unsourced_costs(read_system(path))
    assert not problems, "\n".join(str(p) for p in problems)


WARD = dedent("""
    name: One ward
    time: {horizon: 2}
    organisations: {trust: Trust, council: Council}
    services:
      ward:
        owner: trust
        length_of_stay: 5
        costs:
          per_occupied_day: 400
    interventions:
      scheme:
        changes: [{change: capacity, services: ward, set: 4}]
        cost: {payer: council, amount: 10, per: day}
    """)


def test_a_cost_without_a_source_fails_the_check() -> None:
    [problem] = [p for p in unsourced_costs(read_system_text(WARD, "w.yaml"))
                 if p.field.startswith("services")]
    assert problem.field == "services.ward.costs.per_occupied_day"
    assert problem.position.startswith("w.yaml:9:")
    assert "no evidence" in problem.problem


def test_an_intervention_cost_is_checked_too() -> None:
    fields = {p.field for p in unsourced_costs(read_system_text(WARD, "w.yaml"))}
    assert "interventions.scheme.cost.amount" in fields


def test_a_sourced_cost_passes() -> None:
    text = WARD.replace("per_occupied_day: 400", "per_occupied_day: 400   # [source] NHS "
                        "National Cost Collection 2021/22; table EBD; price year 2021/22")
    text = text.replace("per: day}", "per: day}   # [assumption]")
    assert unsourced_costs(read_system_text(text, "w.yaml")) == []


@pytest.mark.parametrize(("evidence", "ok"), [
    ("[source] PSSRU Unit Costs 2023; table 7.1; price year 2022/23", True),
    ("[source] PSSRU Unit Costs 2023; price year 2022/23", False),   # no table
    ("[source] PSSRU Unit Costs 2023; table 7.1", False),            # no price year
    ("[source] King's Fund bed night", False),
    ("[default] Strategy Unit care home simulator", True),
    ("[default]", False),                                            # which tool?
    ("[assumption]", True),
    ("", False),
])
def test_evidence_forms(evidence: str, ok: bool) -> None:
    assert (cost_evidence_problem(evidence) is None) is ok
