"""Algebraic loops and circular initial values, found in the flat project's dependency graphs.

Each knot of variables that depend on each other (a strongly connected component) is
reported once, naming one loop through it in the order values flow, starting at the
variable defined first in the file. Where the knot holds more variables than that loop, the
others are listed too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import networkx as nx

from wholesystem.check.codes import diagnose
from wholesystem.diagnostics import Diagnostic, SourceSpan
from wholesystem.ir.graph import dependency_graph, reference_span
from wholesystem.ir.model import Project

__all__ = ["check_loops"]


def check_loops(flat: Project) -> Iterator[Diagnostic]:
    """``algebraic-loop`` for every knot within a step; ``initial-value-loop`` for every
    knot at the start that is not also one within a step."""
    order = {v.name: (v.span.line, v.span.column, i) for i, v in enumerate(flat.main.variables)}
    arrayed = {v.name for v in flat.main.variables if v.dimensions}
    step = dependency_graph(flat)
    for component in _knots(step):
        cycle = _shortest_cycle(step, component, order)
        yield _loop_diagnostic("algebraic-loop", step, cycle, component,
                               arrays=bool(arrayed & set(cycle)))
    start = dependency_graph(flat, initial=True)
    for component in _knots(start):
        initial_only = [(u, v) for u, v in start.subgraph(component).edges
                        if not step.has_edge(u, v)]
        if not initial_only:
            continue  # the same knot as a step loop, already reported
        cycle = _cycle_through(start, component, initial_only, order)
        yield _loop_diagnostic("initial-value-loop", start, cycle, component)


def _knots(graph: nx.DiGraph) -> list[set[str]]:
    return [c for c in nx.strongly_connected_components(graph)
            if len(c) > 1 or graph.has_edge(next(iter(c)), next(iter(c)))]


def _shortest_cycle(graph: nx.DiGraph, component: set[str],
                    order: dict[str, tuple[int, int, int]]) -> list[str]:
    """The shortest loop through the knot's first-defined variable, in flow order."""
    first = min(component, key=order.__getitem__)
    if graph.has_edge(first, first):
        return [first]
    sub = graph.subgraph(component)
    paths = nx.single_source_shortest_path(sub, first)
    closing = min((p for p in sub.predecessors(first)),
                  key=lambda p: (len(paths[p]), order[p]))
    return list(paths[closing])


def _cycle_through(graph: nx.DiGraph, component: set[str], edges: list[tuple[str, str]],
                   order: dict[str, tuple[int, int, int]]) -> list[str]:
    """A shortest loop using one of ``edges``, rotated to start at its first-defined name."""
    sub = graph.subgraph(component)
    best: list[str] | None = None
    for u, v in edges:
        cycle = [u] if u == v else [u, *nx.shortest_path(sub, v, u)[:-1]]
        if best is None or len(cycle) < len(best):
            best = cycle
    assert best is not None
    start = best.index(min(best, key=order.__getitem__))
    return best[start:] + best[:start]


def _loop_diagnostic(code: str, graph: nx.DiGraph, cycle: Sequence[str],
                     component: set[str], arrays: bool = False) -> Diagnostic:
    names = [graph.nodes[n]["display"] for n in cycle]
    loop = " -> ".join(f"'{n}'" for n in [*names, names[0]])
    others = sorted(graph.nodes[n]["display"] for n in component - set(cycle))
    also = f" (also caught up in it: {', '.join(others)})" if others else ""
    # Point at the name in the first variable's equation that closes the loop.
    span: SourceSpan | None = reference_span(graph, cycle[-1], cycle[0])
    if code == "algebraic-loop":
        message = f"algebraic loop: {loop} within one time step{also}"
        hint = "break the loop with a stock, or a DELAY/SMTH1 of one of these variables"
        if arrays:
            hint += ("; if no element reads itself along it (x[t2] from y[t2] from x[t1]), "
                     "the loop is one of whole arrays only: wholesystem orders the elements "
                     "of one variable one by one, but not yet elements of different variables")
    else:
        message = f"initial values depend on each other: {loop}{also}"
        hint = "give one of them an initial value that does not depend on the others"
    return diagnose(code, message, span, hint=hint, variables=names)
