"""Causal loop diagrams as text for the tools people already use.

Graphviz DOT, SVG (laid out here, no Graphviz needed), Mermaid flowcharts and Kumu
blueprints (JSON). Every link carries its polarity; links into a smooth or delay are
marked ``||`` (the usual delay mark on a causal loop diagram); the loops of a
:class:`~wholesystem.analysis.loops.LoopSet` are named R1, B2... and those asked for in
``highlight`` (loop ids) are drawn in colour. Names are escaped for each format: model
text is data, never markup.

>>> import wholesystem
>>> from wholesystem.analysis.causal import causal_structure
>>> from wholesystem.analysis.loops import find_loops
>>> loops = find_loops(causal_structure(wholesystem.load(wholesystem.example_path("teacup"))))
>>> print(to_mermaid(loops.graph, loops).splitlines()[0])
flowchart LR
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from xml.sax.saxutils import escape

import networkx as nx
import numpy as np

from wholesystem.analysis.causal import CausalGraph, CausalLink
from wholesystem.analysis.loops import Loop, LoopSet, loop_labels
from wholesystem.errors import ParameterError

__all__ = ["FORMATS", "to_dot", "to_mermaid", "to_kumu", "to_svg", "render_diagram"]

FORMATS = ("dot", "svg", "mermaid", "kumu")
_COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2")


def _visible(graph: CausalGraph, loops: LoopSet | None) -> list[str]:
    """Nodes to draw: every non-constant variable on a loop, or every non-constant one."""
    on_loops = {v for loop in loops.loops for v in loop.variables} if loops else set()
    names = [v.name for v in graph.variables if v.kind != "constant"]
    if on_loops:
        names = [n for n in names if n in on_loops]
    return names


def _links(graph: CausalGraph, nodes: Sequence[str]) -> list[CausalLink]:
    wanted = set(nodes)
    return [k for k in graph.links if k.source in wanted and k.target in wanted]


def _highlighted(loops: LoopSet | None, highlight: Sequence[str]
                 ) -> dict[tuple[str, str], int]:
    """(source, target) -> colour index of the first highlighted loop through it."""
    if loops is None:
        return {}
    by_id = {loop.id: loop for loop in loops.loops}
    unknown = [h for h in highlight if h not in by_id]
    if unknown:
        raise ParameterError(f"no loop with id {unknown[0]!r} to highlight")
    edges: dict[tuple[str, str], int] = {}
    for index, loop_id in enumerate(highlight):
        for link in by_id[loop_id].links:
            edges.setdefault((link.source, link.target), index % len(_COLOURS))
    return edges


def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(graph: CausalGraph, loops: LoopSet | None = None,
           highlight: Sequence[str] = ()) -> str:
    """Graphviz DOT: stocks as boxes, hidden smooth/delay stages dashed, ``+``/``-`` on
    every link, ``||`` on delayed ones, loop labels as notes."""
    nodes = _visible(graph, loops)
    ids = {name: f"n{i}" for i, name in enumerate(nodes)}
    colours = _highlighted(loops, highlight)
    lines = [f"digraph {_dot_text(graph.name)} {{", "  rankdir=LR;",
             '  node [shape=plaintext, fontname="Helvetica"];',
             '  edge [fontname="Helvetica"];']
    for name in nodes:
        variable = graph.variable(name)
        style = (", shape=box" if variable.kind == "stock" else "") + (
            ", style=dashed, shape=box" if variable.hidden else "")
        lines.append(f"  {ids[name]} [label={_dot_text(graph.display(name))}{style}];")
    for link in _links(graph, nodes):
        label = link.polarity + (" ||" if link.delay else "")
        colour = colours.get((link.source, link.target))
        extra = f', color="{_COLOURS[colour]}", penwidth=2.5' if colour is not None else ""
        dashed = ", style=dashed" if link.polarity == "?" else ""
        lines.append(f"  {ids[link.source]} -> {ids[link.target]} "
                     f"[label={_dot_text(label)}{extra}{dashed}];")
    labels = loop_labels(loops) if loops is not None else {}
    for loop in loops.loops if loops is not None else ():
        name = " ".join(loop.name.split())  # a comment ends at a line break
        lines.append(f"  // {labels[loop.id]} ({loop.id}): {name}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    return "".join(f"#{ord(c)};" if c in '"<>#&|[](){}' else c for c in text)


def to_mermaid(graph: CausalGraph, loops: LoopSet | None = None,
               highlight: Sequence[str] = ()) -> str:
    """A Mermaid flowchart; delayed links are dotted, highlighted loops coloured."""
    nodes = _visible(graph, loops)
    ids = {name: f"n{i}" for i, name in enumerate(nodes)}
    colours = _highlighted(loops, highlight)
    lines = ["flowchart LR"]
    for name in nodes:
        variable = graph.variable(name)
        text = _mermaid_text(graph.display(name))
        lines.append(f'  {ids[name]}["{text}"]' if variable.kind == "stock"
                     else f'  {ids[name]}("{text}")')
    styles: list[str] = []
    for index, link in enumerate(_links(graph, nodes)):
        label = link.polarity.replace("-", "\u2212") + (" ||" if link.delay else "")
        arrow = "-.->" if link.delay else "-->"
        lines.append(f'  {ids[link.source]} {arrow}|"{label}"| {ids[link.target]}')
        colour = colours.get((link.source, link.target))
        if colour is not None:
            styles.append(f"  linkStyle {index} stroke:{_COLOURS[colour]},stroke-width:3px")
    for loop_id, label in (loop_labels(loops) if loops is not None else {}).items():
        lines.append(f"  %% {label}: {loop_id}")
    return "\n".join(lines + styles) + "\n"


def to_kumu(graph: CausalGraph, loops: LoopSet | None = None,
            highlight: Sequence[str] = ()) -> str:
    """A Kumu blueprint: elements, connections (type ``+``/``-``, delay tag) and loops
    (each listing its connections by id)."""
    nodes = _visible(graph, loops)
    colours = _highlighted(loops, highlight)
    elements = [{"label": graph.display(n), "type": graph.variable(n).kind,
                 "tags": ["hidden stage"] if graph.variable(n).hidden else []}
                for n in nodes]
    connections = []
    ids: dict[tuple[str, str], str] = {}
    for index, link in enumerate(_links(graph, nodes)):
        ids[(link.source, link.target)] = f"c{index}"
        tags = (["delay"] if link.delay else []) + (
            ["highlighted"] if (link.source, link.target) in colours else [])
        connections.append({
            "id": f"c{index}", "from": graph.display(link.source),
            "to": graph.display(link.target), "type": link.polarity, "tags": tags,
            "description": link.note or f"polarity found by {link.method}"})
    labels = loop_labels(loops) if loops is not None else {}
    loop_items = [{"label": f"{labels[loop.id]} {loop.name}", "type": loop.polarity,
                   "id": loop.id,
                   "connections": [ids[(k.source, k.target)] for k in loop.links
                                   if (k.source, k.target) in ids]}
                  for loop in (loops.loops if loops else ())]
    return json.dumps({"elements": elements, "connections": connections,
                       "loops": loop_items}, indent=2) + "\n"


def _layout(nodes: Sequence[str], links: Sequence[CausalLink]) -> dict[str, np.ndarray]:
    digraph = nx.DiGraph()
    digraph.add_nodes_from(nodes)
    digraph.add_edges_from((k.source, k.target) for k in links)
    if len(nodes) == 1:
        return {nodes[0]: np.zeros(2)}
    start = nx.circular_layout(digraph)
    positions = nx.spring_layout(digraph, pos=start, seed=1, iterations=200,
                                 k=2.0 / math.sqrt(len(nodes)))
    return {n: np.asarray(p, dtype=float) for n, p in positions.items()}


def to_svg(graph: CausalGraph, loops: LoopSet | None = None,
           highlight: Sequence[str] = ()) -> str:
    """An SVG drawing: a spring layout (seeded, so the same model draws the same way),
    curved arrows with their polarity by the arrowhead, ``||`` on delayed links, loop
    labels (R1, B1 ...) at the middle of each highlighted loop (or of every loop when none
    is highlighted and there are few)."""
    nodes = _visible(graph, loops)
    links = _links(graph, nodes)
    colours = _highlighted(loops, highlight)
    raw = _layout(nodes, links)
    width = max(480.0, 150.0 * math.sqrt(len(nodes)) * 1.6)
    scale, margin = width / 2.6, 90.0
    where = {n: (p[0] * scale + width / 2, p[1] * scale + width / 2) for n, p in raw.items()}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
             f'height="{width:.0f}" viewBox="{-margin:.0f} {-margin:.0f} '
             f'{width + 2 * margin:.0f} {width + 2 * margin:.0f}" font-family="Helvetica" '
             'font-size="13">',
             f"<title>{escape(graph.name)}</title>",
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
             'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
             '<path d="M 0 0 L 10 5 L 0 10 z" fill="context-stroke"/></marker></defs>']
    for link in links:
        parts.append(_svg_link(where[link.source], where[link.target], link,
                               colours.get((link.source, link.target))))
    for name in nodes:
        x, y = where[name]
        variable = graph.variable(name)
        text = escape(graph.display(name))
        box = 7.2 * len(graph.display(name)) + 12
        if variable.kind == "stock":
            dashes = ' stroke-dasharray="4 3"' if variable.hidden else ""
            parts.append(f'<rect x="{x - box / 2:.1f}" y="{y - 13:.1f}" width="{box:.1f}" '
                         f'height="26" fill="white" stroke="#333"{dashes}/>')
        else:
            parts.append(f'<rect x="{x - box / 2:.1f}" y="{y - 11:.1f}" width="{box:.1f}" '
                         'height="22" fill="white" stroke="none" opacity="0.85"/>')
        parts.append(f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle">{text}</text>')
    parts += _svg_loop_labels(loops, where, highlight)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _svg_link(a: tuple[float, float], b: tuple[float, float], link: CausalLink,
              colour: int | None) -> str:
    (x1, y1), (x2, y2) = a, b
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1.0
    # end short of the label boxes, and bend to the left so a pair of opposite links
    # (the two halves of a two-variable loop) stay apart
    ux, uy = dx / length, dy / length
    sx, sy = x1 + ux * 22, y1 + uy * 16
    ex, ey = x2 - ux * 26, y2 - uy * 18
    cx, cy = (sx + ex) / 2 - uy * length * 0.18, (sy + ey) / 2 + ux * length * 0.18
    stroke = _COLOURS[colour] if colour is not None else "#555"
    width = 2.6 if colour is not None else 1.2
    dash = ' stroke-dasharray="5 4"' if link.polarity == "?" else ""
    path = (f'<path d="M {sx:.1f} {sy:.1f} Q {cx:.1f} {cy:.1f} {ex:.1f} {ey:.1f}" '
            f'fill="none" stroke="{stroke}" stroke-width="{width}"{dash} '
            'marker-end="url(#arrow)"/>')
    # polarity beside the arrowhead, delay mark at the middle of the curve
    px, py = 0.15 * cx + 0.85 * ex - uy * 10, 0.15 * cy + 0.85 * ey + ux * 10
    sign = {"+": "+", "-": "\u2212"}.get(link.polarity, "?")
    label = (f'<text x="{px:.1f}" y="{py:.1f}" text-anchor="middle" font-weight="bold" '
             f'fill="{stroke}">{sign}</text>')
    if link.delay:
        mx, my = 0.25 * sx + 0.5 * cx + 0.25 * ex, 0.25 * sy + 0.5 * cy + 0.25 * ey
        label += (f'<text x="{mx:.1f}" y="{my + 4:.1f}" text-anchor="middle" '
                  f'fill="{stroke}">||</text>')
    return path + label


def _svg_loop_labels(loops: LoopSet | None, where: dict[str, tuple[float, float]],
                     highlight: Sequence[str]) -> list[str]:
    if loops is None:
        return []
    labels = loop_labels(loops)
    chosen: Sequence[Loop] = ([x for x in loops.loops if x.id in set(highlight)]
                              if highlight else
                              (loops.loops if len(loops.loops) <= 12 else ()))
    parts = []
    for loop in chosen:
        xs = [where[v][0] for v in loop.variables if v in where]
        ys = [where[v][1] for v in loop.variables if v in where]
        if xs:
            parts.append(f'<g><title>{escape(loop.name)}</title><circle cx="{np.mean(xs):.1f}" '
                         f'cy="{np.mean(ys):.1f}" r="15" fill="#fafafa" stroke="#999"/>'
                         f'<text x="{np.mean(xs):.1f}" y="{np.mean(ys) + 4:.1f}" '
                         f'text-anchor="middle" font-size="11">{labels[loop.id]}</text></g>')
    return parts


def render_diagram(graph: CausalGraph, loops: LoopSet | None, fmt: str,
                   highlight: Sequence[str] = ()) -> str:
    """The diagram in ``fmt`` (one of :data:`FORMATS`)."""
    writers = {"dot": to_dot, "svg": to_svg, "mermaid": to_mermaid, "kumu": to_kumu}
    if fmt not in writers:
        raise ParameterError(f"unknown diagram format {fmt!r}; expected one of "
                             f"{', '.join(FORMATS)}")
    return writers[fmt](graph, loops, highlight)
