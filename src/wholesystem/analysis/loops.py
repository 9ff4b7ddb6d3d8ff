"""Feedback loops of a causal graph: elementary cycles, reinforcing or balancing.

Loops are enumerated shortest first (networkx ``simple_cycles`` with a length bound raised
one at a time), so a cut always keeps every loop up to some length; when ``max_loops``
cuts the enumeration the result says so (``complete`` is False) and how many were found.
A loop's polarity is the product of its links' signs: an even number of ``-`` links
reinforces (``R``), an odd number balances (``B``); a loop with a link of unknown sign is
``?``. Its id is stable: the polarity letter and a hash of its variables in order, rotated
to start at the smallest name, so it survives re-ordering of the model file.

>>> import wholesystem
>>> from wholesystem.analysis.causal import causal_structure
>>> found = find_loops(causal_structure(wholesystem.load(wholesystem.example_path("teacup"))))
>>> [(loop.polarity, loop.variables) for loop in found.loops]
[('B', ('heat loss to room', 'teacup temperature'))]
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
import pandas as pd

from wholesystem.analysis.causal import CausalGraph, CausalLink
from wholesystem.errors import ParameterError

__all__ = ["Loop", "LoopSet", "find_loops", "loop_id", "resolve_pins",
           "canonical_name", "count_loops", "with_total", "loop_labels"]


@dataclass(frozen=True, slots=True)
class Loop:
    """One feedback loop."""

    id: str
    """Stable id: polarity letter and a short hash of the variables in order."""
    name: str
    """Readable name from its (visible) variables."""
    polarity: str
    """``R`` (reinforcing), ``B`` (balancing) or ``?`` (a link of unknown sign)."""
    variables: tuple[str, ...]
    """Canonical variable names in causal order, starting at the smallest name."""
    links: tuple[CausalLink, ...]
    """The links around the loop, in order."""

    @property
    def delayed(self) -> bool:
        """True when a link of the loop passes through a smooth or delay."""
        return any(link.delay for link in self.links)


@dataclass(frozen=True)
class LoopSet:
    """The loops found in one causal graph, and whether the enumeration was complete."""

    loops: tuple[Loop, ...]
    """Loops, shortest first."""
    complete: bool
    """False when ``max_loops`` cut the enumeration."""
    found: int
    """How many loops the enumeration produced (pinned loops included)."""
    longest_complete: int
    """Every loop of up to this many variables is in ``loops``."""
    graph: CausalGraph
    """The causal graph they were found in."""
    total: int | None = None
    """How many elementary loops the graph has in all, when they were counted
    (:func:`count_loops`); None when not counted."""
    total_exact: bool = False
    """True when ``total`` is the exact count, False when counting stopped (then
    ``total`` is a lower bound)."""

    @property
    def left_out(self) -> int | None:
        """How many loops the enumeration left out (exact when ``total_exact``)."""
        return None if self.total is None else max(0, self.total - self.found)

    def frame(self) -> pd.DataFrame:
        """One row per loop: id, name, polarity, length, delayed."""
        return pd.DataFrame([{"id": loop.id, "name": loop.name, "polarity": loop.polarity,
                              "length": len(loop.variables), "delayed": loop.delayed}
                             for loop in self.loops],
                            columns=["id", "name", "polarity", "length", "delayed"])

    def to_json(self) -> dict[str, object]:
        """The ``wholesystem loops --json`` document."""
        display = self.graph.display
        return {
            "loops": [{"id": loop.id, "name": loop.name, "polarity": loop.polarity,
                       "variables": [display(v) for v in loop.variables],
                       "links": [{"from": display(k.source), "to": display(k.target),
                                  "polarity": k.polarity, "method": k.method,
                                  "delay": k.delay} for k in loop.links]}
                      for loop in self.loops],
            "complete": self.complete, "found": self.found,
            "longest_complete": self.longest_complete,
            "total": self.total, "total_exact": self.total_exact,
            "left_out": self.left_out,
        }


def loop_labels(loops: LoopSet) -> dict[str, str]:
    """Loop id -> short label (R1, R2, B1, ...) in the order the loops were found."""
    labels: dict[str, str] = {}
    counts: dict[str, int] = {}
    for loop in loops.loops:
        letter = loop.polarity if loop.polarity in "RB" else "U"
        counts[letter] = counts.get(letter, 0) + 1
        labels[loop.id] = f"{letter}{counts[letter]}"
    return labels


def loop_id(polarity: str, variables: Sequence[str]) -> str:
    """The stable id of a loop through ``variables`` (in causal order, any rotation)."""
    start = min(range(len(variables)), key=lambda i: variables[i])
    rotated = list(variables[start:]) + list(variables[:start])
    digest = hashlib.sha1("\u2192".join(rotated).encode()).hexdigest()[:8]
    return f"{polarity}{digest}"


def _name(graph: CausalGraph, variables: Sequence[str]) -> str:
    shown = [graph.display(v) for v in variables if not graph.variable(v).hidden] or [
        graph.display(v) for v in variables]
    if len(shown) > 4:
        shown = [*shown[:3], f"... (+{len(shown) - 3} more)"]
    return " -> ".join(shown)


def _loop(graph: CausalGraph, digraph: nx.DiGraph, cycle: Sequence[str]) -> Loop:
    start = min(range(len(cycle)), key=lambda i: cycle[i])
    ordered = tuple(cycle[start:]) + tuple(cycle[:start])
    links = tuple(digraph.edges[a, b]["link"]
                  for a, b in zip(ordered, ordered[1:] + ordered[:1], strict=True))
    signs = [link.polarity for link in links]
    polarity = "?" if "?" in signs else ("B" if signs.count("-") % 2 else "R")
    return Loop(loop_id(polarity, ordered), _name(graph, ordered), polarity, ordered, links)


def find_loops(graph: CausalGraph, max_loops: int = 10_000,
               pinned: Sequence[Sequence[str]] = ()) -> LoopSet:
    """Elementary feedback loops of ``graph``, shortest first, at most ``max_loops`` of
    them besides the ``pinned`` ones (each a sequence of canonical variable names in
    causal order), which are always included."""
    digraph = graph.digraph()
    digraph.remove_nodes_from([v.name for v in graph.variables if v.kind == "constant"])
    cycles: list[tuple[str, ...]] = []
    complete, longest = True, 0
    size = max((len(c) for c in nx.strongly_connected_components(digraph)), default=0)
    for bound in range(1, size + 1):
        fresh = [tuple(c) for c in nx.simple_cycles(digraph, length_bound=bound)
                 if len(c) == bound]
        if len(cycles) + len(fresh) > max_loops:
            cycles += fresh[:max_loops - len(cycles)]
            complete = False
            break
        cycles += fresh
        longest = bound
    loops = [_loop(graph, digraph, c) for c in cycles]
    for path in pinned:
        missing = [(a, b) for a, b in zip(path, [*path[1:], path[0]], strict=True)
                   if not digraph.has_edge(a, b)]
        if missing:
            raise ParameterError(f"pinned loop {' -> '.join(path)} is not a loop of the "
                                 f"model: no link {missing[0][0]} -> {missing[0][1]}")
        loop = _loop(graph, digraph, tuple(path))
        if all(other.id != loop.id for other in loops):
            loops.append(loop)
    return LoopSet(tuple(loops), complete, len(loops), longest, graph)



def count_loops(graph: CausalGraph, limit: int | None = None,
                seconds: float | None = None) -> tuple[int, bool]:
    """Count every elementary loop of ``graph`` (constants left out): (count, exact).
    Counting stops after ``limit`` loops or ``seconds`` of counting, and then says so
    (``exact`` False, the count a lower bound). World3-03 has about 2.6 million loops,
    counted in a minute or two."""
    digraph = graph.digraph()
    digraph.remove_nodes_from([v.name for v in graph.variables if v.kind == "constant"])
    started = time.perf_counter()
    count = 0
    for _ in nx.simple_cycles(digraph):
        count += 1
        if limit is not None and count >= limit:
            return count, False
        if seconds is not None and count % 4096 == 0 and \
                time.perf_counter() - started > seconds:
            return count, False
    return count, True


def with_total(loops: LoopSet, limit: int | None = None, seconds: float | None = None
               ) -> LoopSet:
    """``loops`` with the total number of loops of its graph counted (see
    :func:`count_loops`), so a cut enumeration says exactly how much it left out."""
    if loops.complete:
        return dataclasses.replace(loops, total=loops.found, total_exact=True)
    total, exact = count_loops(loops.graph, limit, seconds)
    return dataclasses.replace(loops, total=total, total_exact=exact)


def canonical_name(graph: CausalGraph, name: str) -> str:
    """The canonical name a person's spelling of a variable refers to."""
    wanted = name.strip()
    folded = " ".join(wanted.replace("_", " ").split()).casefold()
    for variable in graph.variables:
        if wanted in (variable.name, variable.display):
            return variable.name
    for variable in graph.variables:
        if folded in (" ".join(variable.name.replace("_", " ").split()).casefold(),
                      " ".join(variable.display.replace("_", " ").split()).casefold()):
            return variable.name
    raise ParameterError(f"pinned loop: no variable named {name!r}")


def resolve_pins(graph: CausalGraph, pins: Sequence[str], max_loops: int = 10_000,
                 search: int = 200_000) -> list[tuple[str, ...]]:
    """Turn pins (loop ids, or paths written ``a -> b -> c``) into variable paths for
    :func:`find_loops`. An id is looked for among the model's loops, shortest first,
    beyond ``max_loops`` up to ``search`` loops; one that is not found is an error."""
    paths: list[tuple[str, ...]] = []
    wanted: set[str] = set()
    for pin in pins:
        if "->" in pin or "\u2192" in pin:
            paths.append(tuple(canonical_name(graph, part)
                               for part in re.split(r"->|\u2192", pin) if part.strip()))
        else:
            wanted.add(pin.strip())
    if not wanted:
        return paths
    digraph = graph.digraph()
    digraph.remove_nodes_from([v.name for v in graph.variables if v.kind == "constant"])
    for count, cycle in enumerate(nx.simple_cycles(digraph)):
        if count >= max(search, max_loops):
            break
        loop = _loop(graph, digraph, tuple(cycle))
        if loop.id in wanted:
            paths.append(loop.variables)
            wanted.discard(loop.id)
            if not wanted:
                return paths
    raise ParameterError(f"pinned loop {sorted(wanted)[0]!r} is not among the first "
                         f"{max(search, max_loops)} loops of the model; pin it by its path "
                         "('a -> b -> c') instead")
