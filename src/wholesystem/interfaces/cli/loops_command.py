"""``wholesystem loops MODEL`` and ``wholesystem dominance MODEL``: feedback loops and
which of them drive the behaviour when."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from wholesystem.analysis.causal import causal_structure
from wholesystem.analysis.cld import is_cld_file, read_cld
from wholesystem.analysis.diagrams import FORMATS, render_diagram
from wholesystem.analysis.dominance import Dominance, loop_dominance
from wholesystem.analysis.loops import (
    LoopSet,
    find_loops,
    loop_labels,
    resolve_pins,
    with_total,
)
from wholesystem.datafiles import write_text_atomically
from wholesystem.errors import ParameterError
from wholesystem.interfaces.cli.options import LimitOption, access_for
from wholesystem.interfaces.cli.system_tables import table
from wholesystem.system import load

__all__ = ["loops", "dominance", "render_loops", "render_dominance"]


def _loop_set(model: Path, max_loops: int, pins: list[str], limit: list[str] | None
              ) -> LoopSet:
    if is_cld_file(model):
        graph = read_cld(model).graph()
    else:
        graph = causal_structure(load(model, access_for(model, limit)))
    return find_loops(graph, max_loops, resolve_pins(graph, pins, max_loops))


def loops(
    model: Annotated[Path, typer.Argument(
        help="Model file (.xmile, .stmx, .mdl), system file (.yaml) or hand-drawn causal "
             "loop diagram (.cld.yaml).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    max_loops: Annotated[int, typer.Option(
        "--max-loops", min=1, help="Stop enumerating after this many loops (shortest "
                                    "first); the output says when it stopped.")] = 10_000,
    pin: Annotated[list[str] | None, typer.Option(
        "--pin", help="Always include this loop: an id, or a path 'a -> b -> c' "
                      "(repeatable).")] = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help=f"Draw the loops as a diagram: {', '.join(FORMATS)}.")] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="File to write the diagram to (default: standard output).")
    ] = None,
    highlight: Annotated[list[str] | None, typer.Option(
        "--highlight", help="Loop id to draw in colour (repeatable).")] = None,
    count: Annotated[bool, typer.Option(
        "--count", help="When the enumeration is cut, count every loop of the model so "
                        "the output says exactly how many were left out (World3: about "
                        "two minutes).")] = False,
    limit: LimitOption = None,
    count_seconds: Annotated[float | None, typer.Option(
        "--count-seconds", help="Stop counting after this long (the count is then a "
                                "lower bound, and says so).")] = None,
) -> None:
    """List the feedback loops of MODEL: reinforcing (R) or balancing (B), with stable
    ids; or draw them with --format."""
    found = _loop_set(model, max_loops, pin or [], limit)
    if count:
        found = with_total(found, seconds=count_seconds)
    if fmt is not None:
        text = render_diagram(found.graph, found, fmt, highlight or ())
        if output is None:
            typer.echo(text, nl=False)
        else:
            write_text_atomically(output, text)
        return
    if output is not None:
        raise ParameterError("--output needs --format (dot, svg, mermaid or kumu)")
    if as_json:
        typer.echo(json.dumps(found.to_json(), indent=2))
    else:
        typer.echo(render_loops(found))


def render_loops(found: LoopSet) -> str:
    """The loops as a text table with the completeness statement."""
    labels = loop_labels(found)
    rows = [[labels[loop.id], loop.id, str(len(loop.variables)),
             "yes" if loop.delayed else "", loop.name] for loop in found.loops]
    kinds = {p: sum(1 for x in found.loops if x.polarity == p) for p in "RB?"}
    plural = "" if found.found == 1 else "s"
    lines = [f"{found.graph.name}: {found.found} feedback loop{plural} "
             f"({kinds['R']} reinforcing, {kinds['B']} balancing"
             + (f", {kinds['?']} of unknown polarity" if kinds["?"] else "") + ")"]
    if rows:
        lines += ["", table(["loop", "id", "length", "delayed", "variables"], rows)]
    lines.append("")
    if found.complete:
        lines.append("Every loop was found.")
        return "\n".join(lines)
    lines.append(f"Enumeration stopped at {found.found} loops: every loop of up to "
                 f"{found.longest_complete} variables is listed, longer ones may be missing "
                 "(raise --max-loops, or --pin a loop of interest).")
    if found.total is not None:
        lines.append(f"The model has {'' if found.total_exact else 'at least '}"
                     f"{found.total:,} loops in all: {found.left_out:,} left out"
                     + ("." if found.total_exact else " or more (counting was stopped)."))
    else:
        lines.append("Run with --count to count every loop and say how many were left out.")
    return "\n".join(lines)


def dominance(
    model: Annotated[Path, typer.Argument(
        help="Model file (.xmile, .stmx, .mdl) or system file (.yaml).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    pin: Annotated[list[str] | None, typer.Option(
        "--pin", help="Always score this loop: an id, or a path 'a -> b -> c' "
                      "(repeatable).")] = None,
    max_loops: Annotated[int, typer.Option(
        "--max-loops", min=1, help="Score at most this many loops (shortest first) "
                                    "besides pinned ones.")] = 2_000,
    merge_steps: Annotated[int, typer.Option(
        "--merge-steps", min=1, help="In the story, merge periods shorter than this many "
                                      "time steps into their neighbours.")] = 3,
    limit: LimitOption = None,
) -> None:
    """Which feedback loops drive MODEL's behaviour, period by period (Loops That
    Matter), with the share of the behaviour each dominant set explains."""
    result = loop_dominance(load(model, access_for(model, limit)), max_loops=max_loops,
                            pins=pin or [], merge_steps=merge_steps)
    if as_json:
        typer.echo(json.dumps(result.to_json(), indent=2))
    else:
        typer.echo(render_dominance(result))


def render_dominance(result: Dominance) -> str:
    """Story, then the merged periods as a table, then the loops' labels."""
    labels = loop_labels(result.loops)
    rows = [[f"{p.start:g}", f"{p.end:g}", " + ".join(labels[i] for i in p.dominant) or "-",
             p.polarity, f"{p.coverage:.0%}"] for p in result.story_periods if p.dominant]
    names = [[labels[x.id], x.id, x.name] for x in result.loops.loops
             if any(x.id in p.dominant for p in result.story_periods)]
    parts = [f"{result.loops.graph.name}: loop dominance ({len(result.periods)} exact "
             f"periods, {len(result.story_periods)} after merging short ones)", "",
             *result.story, ""]
    if rows:
        parts += [table([f"from ({result.time_units})", "to", "dominant", "polarity",
                         "explains"], rows), "", table(["loop", "id", "variables"], names)]
    return "\n".join(parts)
