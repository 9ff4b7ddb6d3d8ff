"""Diagram exports: each format is well formed, carries every link's polarity, and
escapes names."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from xmile_factory import aux, flow, model_of, stock

import wholesystem
from wholesystem.analysis.causal import causal_structure
from wholesystem.analysis.diagrams import render_diagram
from wholesystem.analysis.loops import find_loops
from wholesystem.errors import ParameterError


def _loops() -> object:
    return find_loops(causal_structure(wholesystem.load(
        wholesystem.example_path("delayed_discharge"))))


def test_every_format_carries_every_link_with_its_polarity() -> None:
    loops = _loops()
    graph = loops.graph  # type: ignore[attr-defined]
    on_loops = {v for loop in loops.loops for v in loop.variables}  # type: ignore[attr-defined]
    drawn = [k for k in graph.links if k.source in on_loops and k.target in on_loops]
    first = loops.loops[0].id  # type: ignore[attr-defined]
    dot = render_diagram(graph, loops, "dot", [first])  # type: ignore[arg-type]
    assert sum(line.startswith("  n") and " -> " in line
               for line in dot.splitlines()) == len(drawn)
    assert "penwidth" in dot
    mermaid = render_diagram(graph, loops, "mermaid", [first])  # type: ignore[arg-type]
    assert sum("-->" in line or "-.->" in line for line in mermaid.splitlines()) == len(drawn)
    assert "linkStyle" in mermaid
    kumu = json.loads(render_diagram(graph, loops, "kumu"))  # type: ignore[arg-type]
    assert len(kumu["connections"]) == len(drawn)
    assert {c["type"] for c in kumu["connections"]} <= {"+", "-"}
    assert len(kumu["loops"]) == 5
    svg = ET.fromstring(render_diagram(graph, loops, "svg", [first]))  # type: ignore[arg-type]
    paths = svg.findall("{http://www.w3.org/2000/svg}path")
    assert len(paths) == len(drawn)  # one curve per link (the arrowhead sits in defs)


def test_names_are_escaped_in_every_format() -> None:
    """A hostile display name stays text: no markup, no DOT statement, no Mermaid edge."""
    model = model_of(stock("S", "10", outflows="out")
                     + flow("out", "S / tau") + aux("tau", "2"), stop=2)
    graph = causal_structure(model)
    weird = '<b>"x"</b>; a -> b [label=|]'
    renamed = type(graph)(graph.name, tuple(
        type(v)(v.name, weird if v.name == "s" else v.display, v.kind)
        for v in graph.variables), graph.links)
    loops = find_loops(renamed)
    svg = render_diagram(renamed, loops, "svg")
    ET.fromstring(svg)
    assert "<b>" not in svg
    dot = render_diagram(renamed, loops, "dot")
    assert '\\"x\\"' in dot
    mermaid = render_diagram(renamed, loops, "mermaid")
    assert "<b>" not in mermaid
    assert "|]" not in mermaid
    with pytest.raises(ParameterError, match="unknown diagram format"):
        render_diagram(renamed, loops, "png")
    with pytest.raises(ParameterError, match="no loop with id"):
        render_diagram(renamed, loops, "dot", ["R123"])
