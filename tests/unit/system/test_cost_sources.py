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


@pytest.mark.parametrize("path", SYSTEMS, ids=lambda p: p.parent.name)
def test_readme_cost_table_matches_the_system_file(path: Path) -> None:
    """The README's table of costs is what cost_table generates from the YAML now."""
    from wholesystem.system.sources import COST_TABLE_END, COST_TABLE_START, cost_table

    readme = (path.parent / "README.md").read_text(encoding="utf-8")
    assert COST_TABLE_START in readme, "the README has no generated cost table"
    shown = readme.split(COST_TABLE_START)[1].split(COST_TABLE_END)[0].strip()
    assert shown == cost_table(read_system(path))


@pytest.mark.parametrize("path", SYSTEMS, ids=lambda p: p.parent.name)
def test_a_sources_price_year_is_the_costs_price_year(path: Path) -> None:
    """Where a cost has a structured price year, its [source] comment names the same."""
    import re

    from wholesystem.system.layout import evidence_at

    spec = read_system(path)
    for record in spec.price_records:
        said = re.search(r"price year (\d{4}/\d{2})", evidence_at(spec.source.text,
                                                                 record.span))
        if said and record.price_year:
            assert said.group(1) == record.price_year, record.field


def test_cost_table_shows_each_cost_in_the_reporting_year() -> None:
    """Index 100 in 2020/21 and 110 in 2021/22, reporting year 2021/22: a £400 bed-day of
    2020/21 is £400 x 110/100 = £440.00 there; a cost already in 2021/22 stays £50.00."""
    from wholesystem.system.sources import cost_table

    text = """
name: One ward
time: {horizon: 2}
prices:
  year: 2021/22
  deflator: {name: test index, source: made up, index: {2020/21: 100, 2021/22: 110}}
organisations: {trust: Trust}
services:
  ward:
    owner: trust
    length_of_stay: 5
    costs:
      per_occupied_day: {amount: 400, price_year: 2020/21}   # [assumption]
      per_delayed_day: {amount: 50, price_year: 2021/22}     # [assumption]
"""
    rows = cost_table(read_system_text(text, "w.yaml")).splitlines()
    assert rows[0] == "| cost | amount | price year | in 2021/22 prices | evidence |"
    assert rows[2] == ("| `services.ward.costs.per_occupied_day` | £400.00 | 2020/21 | "
                       "£440.00 | [assumption] |")
    assert rows[3] == ("| `services.ward.costs.per_delayed_day` | £50.00 | 2021/22 | "
                       "£50.00 | [assumption] |")


def test_older_people_reports_every_cost_in_2024_25_prices() -> None:
    """older_people names 2024/25 and a GDP deflator table (YBGB quarterly means), so no
    price years are mixed. By hand from its table: the NCC 2023/24 A&E attendance
    £272.97 x 112.375/107.975 = £284.09; the GMCA 2013/14 home-care week
    £192.83 x 112.375/82.175 = £263.70; the ASC-FR 2023-24 care-home week (residential
    care, clients 65+) £916 x 112.375/107.975 = £916 x 1.040750 = £953.33; the King's
    Fund 2022/23 bed night £395 x 112.375/102.0 = £435.18."""
    import wholesystem
    from wholesystem.system.prices import mixed_price_years

    spec = read_system(wholesystem.example_path("older_people"))
    assert spec.prices is not None
    assert spec.prices.year == "2024/25"
    assert mixed_price_years(spec.price_records, spec.prices) == ()
    reported = {r.field: r.reported for r in spec.price_records}
    assert reported["services.emergency_department.costs.per_contact"] == \
        pytest.approx(272.97 * 112.375 / 107.975)
    assert round(reported["services.emergency_department.costs.per_contact"], 2) == 284.09
    assert round(reported["services.home_care.costs.per_occupied_week"], 2) == 263.70
    assert reported["services.care_home.costs.per_occupied_week"] == \
        pytest.approx(916 * 112.375 / 107.975)
    assert round(reported["services.care_home.costs.per_occupied_week"], 2) == 953.33
    assert round(reported["services.acute_ward.costs.per_occupied_day"], 2) == 435.18


def test_a_system_without_costs_says_so() -> None:
    """A headings-only table would read as costs lost; a cost-free file says it has none."""
    from wholesystem.system.sources import NO_COSTS, cost_table

    text = "name: Free\ntime: {horizon: 2}\norganisations: {trust: Trust}\n" \
           "services:\n  ward: {owner: trust, length_of_stay: 5}\n"
    assert cost_table(read_system_text(text, "free.yaml")) == NO_COSTS
