"""``wholesystem boundary SYSTEM --inside ORG``: does the conclusion survive a narrower
system boundary?"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from wholesystem.interfaces.cli.options import LimitOption, access_for
from wholesystem.interfaces.cli.system_tables import table
from wholesystem.interfaces.render import signed, signed_money
from wholesystem.interfaces.render.boundary import boundary_dict, flip_sentences, gap_sentences
from wholesystem.system.boundary import CSH_QUESTIONS, BoundaryReport, boundary_critique
from wholesystem.system.model import load_system

__all__ = ["boundary", "render_boundary"]


def boundary(
    system: Annotated[Path, typer.Argument(help="System file (.yaml).")],
    inside: Annotated[list[str], typer.Option(
        "--inside", "-i", help="Organisation id inside the narrow boundary (repeatable).")],
    scenario: Annotated[list[str] | None, typer.Option(
        "--scenario", "-s", help="Scenario to judge (repeatable; default: every scenario "
                                 "and intervention in the file).")] = None,
    baseline: Annotated[str, typer.Option(
        "--baseline", "-b", help="Scenario to compare against.")] = "baseline",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    limit: LimitOption = None,
) -> None:
    """Judge each scenario of SYSTEM as if only the --inside organisations were the
    system (flows across the cut fixed at the baseline, costs outside not counted) and
    beside the whole system: where the conclusion flips, and who outside is affected."""
    model = load_system(system, access_for(system, limit))
    names = scenario or [s for s in model.scenarios if s != baseline]
    reports = [boundary_critique(model, inside, name, baseline) for name in names]
    if as_json:
        typer.echo(json.dumps([boundary_dict(r) for r in reports] if len(reports) != 1
                              else boundary_dict(reports[0]), indent=2))
        return
    typer.echo("\n\n".join(render_boundary(r) for r in reports))


def render_boundary(report: BoundaryReport) -> str:
    """One scenario's boundary report as text."""
    c = report.currency
    inside = ", ".join(name for _, name in report.inside)
    rows = [[name, signed_money(change, c)] for name, change in report.narrow_changes]
    rows.append(["inside, narrow boundary", signed_money(report.narrow_change, c)])
    rows.append(["inside, whole system responding",
                 signed_money(report.inside_whole_change, c)])
    rows.append(["whole system", signed_money(report.whole_change, c)])
    parts = [f"{report.system}",
             f"'{report.scenario}' against '{report.baseline}', inside the boundary of "
             f"{inside}", "", table(["cost change", ""], rows), "",
             f"Inside the boundary: {report.narrow_verdict}. Whole system: "
             f"{report.whole_verdict}."]
    parts += [f"Flip: {line}" for line in flip_sentences(report)] or [
        "The conclusion survives the narrower boundary."]
    if report.affected_organisations or report.affected_residents:
        parts += ["", "Affected outside the boundary"]
        parts += [f"  {name}: {signed_money(change, c)}"
                  for name, change in report.affected_organisations]
        parts += [f"  {who}: {signed(change)} person-time waited (paid by {payer})"
                  for who, change, payer in report.affected_residents]
    if report.cut_links:
        shown = [f"{a} -> {b}" for a, b in report.cut_links[:8]]
        more = len(report.cut_links) - len(shown)
        parts += ["", f"Fixed at the baseline (links across the cut): {'; '.join(shown)}"
                  + (f"; and {more} more" if more > 0 else "")]
    if report.cross_loops:
        parts += ["", "Feedback loops that exist only across the boundary:"]
        parts += [f"  {loop}" for loop in report.cross_loops[:10]]
    if report.answers:
        parts += ["", "Boundary questions (Critical Systems Heuristics)"]
        for answer in report.answers:
            question = CSH_QUESTIONS[answer.question][1]
            parts += [f"  {question}", f"    {answer.stakeholder}: is '{answer.is_}'; "
                                       f"ought '{answer.ought}'"
                                       + ("  [gap]" if answer.gap else "")]
        parts += [f"Gap the numbers bear on: {gap}" for gap in gap_sentences(report)]
    parts += [f"Note: {note}" for note in report.notes]
    return "\n".join(parts)
