"""A model's stock-and-flow diagram: stocks, flows and auxiliaries with the links between
them, placed where the file's own diagram puts them (else laid out by networkx).

Flows link into the stocks they fill and out of the stocks they drain; every other link
is an information link from a variable an equation reads to the variable it defines. A
Vensim model's net rates are split into inflows and outflows first, as the XMILE export
does, so both formats draw alike.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import networkx as nx

from wholesystem.export.equations import EquationContext, xmile_equation
from wholesystem.export.vensim_to_xmile import translate_vensim_project
from wholesystem.ir.expr import references
from wholesystem.ir.model import Project, Variable, VariableKind
from wholesystem.parse.diagram import diagram_positions

__all__ = ["StockFlowNode", "StockFlowLink", "StockFlowDiagram", "stock_flow_diagram",
           "stock_flow_dict"]

_CONTROLS = frozenset({"initial time", "final time", "time step", "saveper"})
"""Vensim's simulation controls: settings, not part of the structure drawn."""
_LAYOUT_SIZE = (900.0, 560.0)


@dataclass(frozen=True, slots=True)
class StockFlowNode:
    """One variable as the diagram draws it."""

    name: str
    """Canonical name."""
    display: str
    """Name as written (the results' column)."""
    kind: str
    """``stock``, ``flow`` or ``aux``."""
    equation: str
    """Its equation (a stock's: its initial value), in XMILE spelling."""
    units: str
    doc: str
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class StockFlowLink:
    """An arrow of the diagram."""

    source: str
    target: str
    kind: str
    """``inflow`` (flow into stock), ``outflow`` (stock into flow) or ``info``."""


@dataclass(frozen=True, slots=True)
class StockFlowDiagram:
    """The main model's stock-and-flow structure."""

    model: str
    nodes: tuple[StockFlowNode, ...]
    links: tuple[StockFlowLink, ...]
    placed_by: str
    """``file`` (the file's own diagram) or ``layout`` (networkx, the file has none)."""


def _equation(variable: Variable, context: EquationContext) -> str:
    if variable.graphical_function is not None and variable.equation is None:
        return "graphical function"
    if variable.equation is not None:
        return xmile_equation(variable.equation, variable, context)
    parts = [f"[{', '.join(e.subscripts)}] {xmile_equation(e.equation, variable, context)}"
             for e in variable.elements if e.equation is not None]
    return "; ".join(parts)


def _links(variables: dict[str, Variable]) -> list[StockFlowLink]:
    links: list[StockFlowLink] = []
    for variable in variables.values():
        if variable.kind is VariableKind.STOCK:
            links += [StockFlowLink(f, variable.name, "inflow") for f in variable.inflows
                      if f in variables]
            links += [StockFlowLink(variable.name, f, "outflow") for f in variable.outflows
                      if f in variables]
            continue
        equations = [variable.equation] + [e.equation for e in variable.elements]
        read = {r.name for eq in equations if eq is not None for r in references(eq)}
        links += [StockFlowLink(source, variable.name, "info") for source in sorted(read)
                  if source in variables and source != variable.name]
    return links


def _layout(names: list[str], links: list[StockFlowLink]) -> dict[str, tuple[float, float]]:
    graph = nx.Graph()
    graph.add_nodes_from(names)
    graph.add_edges_from((link.source, link.target) for link in links)
    placed = nx.spring_layout(graph, seed=7) if len(names) > 1 else dict.fromkeys(names, (0.0, 0.0))
    width, height = _LAYOUT_SIZE
    return {n: (float((x + 1) / 2 * (width - 120) + 60), float((y + 1) / 2 * (height - 80)
                                                                + 40))
            for n, (x, y) in placed.items()}


def stock_flow_diagram(project: Project) -> StockFlowDiagram:
    """The project's main model as a stock-and-flow diagram."""
    positions = diagram_positions(project)
    translated = translate_vensim_project(project)[0] if project.format == "mdl" \
        else project
    model = translated.main
    context = EquationContext.of(translated, model,
                                 {d.name: d for d in translated.dimensions})
    variables = {v.name: v for v in model.variables if v.name not in _CONTROLS}
    links = _links(variables)
    placed_by = "file" if positions and any(n in positions for n in variables) else "layout"
    if placed_by == "layout":
        positions = _layout(list(variables), links)
    nodes = []
    fallback = _layout(list(variables), links) if placed_by == "file" and any(
        n not in positions for n in variables) else {}
    for name, variable in variables.items():
        x, y = positions.get(name) or fallback[name]
        nodes.append(StockFlowNode(
            name=name, display=variable.display, kind=variable.kind.value,
            equation=_equation(variable, context), units=variable.units or "",
            doc=variable.doc, x=x, y=y))
    return StockFlowDiagram(model=project.name, nodes=tuple(nodes), links=tuple(links),
                            placed_by=placed_by)


def stock_flow_dict(diagram: StockFlowDiagram) -> dict[str, Any]:
    """The diagram as plain data."""
    return asdict(diagram)
