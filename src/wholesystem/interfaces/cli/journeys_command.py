"""``wholesystem journeys SYSTEM``: residents simulated one by one through the system."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from wholesystem.datafiles import FileAccess
from wholesystem.interfaces.cli.options import LimitOption
from wholesystem.interfaces.cli.system_tables import table
from wholesystem.interfaces.render import money, number
from wholesystem.interfaces.render.journeys import journeys_dict, scenario_timelines
from wholesystem.limits import Limits
from wholesystem.system.journey_report import (
    JourneysReport,
    ScenarioJourneys,
    journeys,
)
from wholesystem.system.model import load_system

__all__ = ["journeys_command", "render_journeys"]


def journeys_command(
    system: Annotated[Path, typer.Argument(help="System file (.yaml).")],
    cohort: Annotated[str | None, typer.Option(
        "--cohort", "-c", help="Cohort whose residents are summarised (default: the first)."
    )] = None,
    people: Annotated[int | None, typer.Option(
        "--people", "-n", min=1,
        help="Residents of the cohort to summarise; sets the runs when --runs is not given "
             "(default 1,000).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    runs: Annotated[int | None, typer.Option(
        "--runs", "-r", min=1, help="Independent runs of the whole system.")] = None,
    scenario: Annotated[list[str] | None, typer.Option(
        "--scenario", "-s", help="Scenario to simulate (repeatable; default: all).")] = None,
    typical: Annotated[int, typer.Option(
        "--typical", help="Typical journeys to tell per scenario.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    limit: LimitOption = None,
) -> None:
    """Simulate residents one by one through SYSTEM's services and pathways: per service
    and scenario mean occupancy, queue and daily cost; per person, services and
    organisations touched, hand-offs, waiting, repeat presentations and cost."""
    access = FileAccess.for_cli(system, limits=Limits.parse(limit or []))
    report = journeys(load_system(system, access), scenario or None, cohort, people, runs, seed,
                      typical)
    if as_json:
        typer.echo(json.dumps(journeys_dict(report), indent=2))
    else:
        typer.echo(render_journeys(report))


def render_journeys(report: JourneysReport) -> str:
    """The journeys report as text."""
    c, unit = report.currency, report.unit
    rows = [[s.name, scenario.scenario, number(s.mean_in_service, 1),
             number(s.mean_waiting, 1), number(s.waiting_at_end, 1), money(s.mean_cost, c)]
            for scenario in report.scenarios for s in scenario.services]
    parts = [
        f"{report.system}",
        f"Journeys: {report.runs} run(s) of {report.horizon:g} {unit}s, seed {report.seed}",
        "",
        f"Per service and scenario (means over runs and {unit}s)",
        table(["service", "scenario", "in service", "waiting", "waiting at end",
               f"cost per {unit}"], rows),
        "",
        "Cost over the run, per organisation (mean of runs)",
        table(["organisation", *(s.scenario for s in report.scenarios)],
              [[name, *(money(s.organisation_costs[name], c) for s in report.scenarios)]
               for name in report.scenarios[0].organisation_costs]
              + [["Whole system", *(money(s.whole_system_cost, c)
                                    for s in report.scenarios)]]),
    ]
    for scenario in report.scenarios:
        parts += _people_parts(scenario, c, unit)
    return "\n".join(parts)


def _people_parts(scenario: ScenarioJourneys, currency: str, unit: str) -> list[str]:
    summary = scenario.people
    if summary is None:
        return []
    measure_rows = [[name, *(money(v, currency) if name == "cost" else number(v, 1)
                             for v in (s.mean, s.p10, s.median, s.p90, s.max))]
                    for name, s in summary.measures.items()]
    measure_rows += [[f"cost to {name}", money(s.mean, currency), money(s.p10, currency),
                      money(s.median, currency), money(s.p90, currency),
                      money(s.max, currency)]
                     for name, s in summary.cost_by_organisation.items()]
    parts = [
        "",
        f"Residents of '{summary.cohort}' under '{scenario.scenario}' "
        f"({number(summary.people)} people)",
        table(["per person", "mean", "10%", "median", "90%", "max"], measure_rows),
        "  " + "; ".join(f"{name}: {share:.0%}" for name, share in summary.shares.items()),
    ]
    for title, lines in scenario_timelines(scenario, unit, currency):
        parts += ["", f"  {title}:", *(f"    {line}" for line in lines)]
    return parts
