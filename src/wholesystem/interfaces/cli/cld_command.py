"""``wholesystem cld FILE.cld.yaml``: check a hand-drawn causal loop diagram, list its
loops, and compare it with the quantified model it names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from wholesystem.analysis.causal import causal_structure
from wholesystem.analysis.cld import CldComparison, compare_with_model, read_cld
from wholesystem.analysis.loops import find_loops
from wholesystem.interfaces.cli.loops_command import render_loops
from wholesystem.interfaces.cli.options import LimitOption, access_for
from wholesystem.interfaces.cli.system_tables import table
from wholesystem.system import load

__all__ = ["cld", "render_cld_comparison"]


def cld(
    diagram: Annotated[Path, typer.Argument(help="Causal loop diagram (.cld.yaml).")],
    model: Annotated[Path | None, typer.Option(
        "--model", "-m", help="Quantified model to compare with (default: the diagram's "
                              "'model:' field).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    limit: LimitOption = None,
) -> None:
    """Check DIAGRAM (every problem with its line and column), list its loops, and
    compare its links with a model's: drawn but absent, signs that differ, not drawn."""
    drawing = read_cld(diagram)
    loops = find_loops(drawing.graph())
    target = model or drawing.model_path()
    comparison = None
    if target is not None:
        graph = causal_structure(load(target, access_for(target, limit)))
        comparison = compare_with_model(drawing, graph)
    if as_json:
        document: dict[str, Any] = {"diagram": drawing.name, "loops": loops.to_json(),
                                    "comparison": comparison.to_json() if comparison
                                    else None}
        typer.echo(json.dumps(document, indent=2))
        return
    typer.echo(f"{diagram}: no problems found")
    typer.echo(render_loops(loops))
    if comparison is not None:
        typer.echo("")
        typer.echo(render_cld_comparison(comparison))


def render_cld_comparison(comparison: CldComparison) -> str:
    """The comparison as a table with a one-line count."""
    rows = [[f"{k.source} -> {k.target}", k.drawn or "", k.model or "", k.status,
             " -> ".join(k.path)] for k in comparison.links]
    counts = ", ".join(f"{comparison.count(s)} {s}" for s in
                       ("agrees", "sign differs", "not in model", "not drawn", "unlinked")
                       if comparison.count(s))
    lines = [f"'{comparison.diagram}' against the model '{comparison.model}': {counts}", "",
             table(["link", "drawn", "model", "status", "model path"], rows)]
    if comparison.unmatched:
        lines += ["", "Drawn variables with no model variable: "
                  + ", ".join(comparison.unmatched)]
    return "\n".join(lines)
