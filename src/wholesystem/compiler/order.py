"""Evaluation order: which variables depend on which, within a step and at the start.

Dependencies come from the names an equation reads. Stocks, constants and initial-only
values are known before a step starts, so they break dependency chains within a step;
at the start, a stock depends on its initial-value equation instead.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from wholesystem.builtins import BuiltinKind, lookup_builtin
from wholesystem.compiler.lower import PIPELINE_READ, PREVIOUS_READ, STATE_READ
from wholesystem.errors import CircularDefinitionError
from wholesystem.ir.expr import Call, Expr, Reference, children, walk
from wholesystem.ir.model import Dimension, Variable, VariableKind

__all__ = ["equations_of", "names_read", "index_names", "find_constants", "order_variables"]


def equations_of(variable: Variable) -> list[Expr]:
    """Every equation of a variable: main, per-element and (stock) net rate."""
    found = [variable.equation] if variable.equation is not None else []
    found += [e.equation for e in variable.elements if e.equation is not None]
    return found


def names_read(expr: Expr, known: set[str] | dict[str, Variable],
               indices: frozenset[str] = frozenset()) -> set[str]:
    """Variables an expression reads (a graphical function called by name counts too).

    A bare name used as a subscript that is a dimension or element name (``indices``) is
    an index, not a read, even where a variable has the same name.
    """
    names: set[str] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Reference):
            if node.name in known:
                names.add(node.name)
            stack.extend(s for s in node.subscripts
                         if not (isinstance(s, Reference) and not s.subscripts
                                 and s.name in indices))
            continue
        if isinstance(node, Call) and node.function.lower() in known:
            table = node.function.lower()
            variable = known.get(table) if isinstance(known, dict) else None
            if variable is None or _has_table(variable):
                names.add(table)  # a graphical function called by name, e.g. f(x)
        elif isinstance(node, Call) and node.function == "SIZE":
            continue  # compiled to a number: it reads no values
        stack.extend(children(node))
    return names


def index_names(dimensions: Iterable[Dimension]) -> frozenset[str]:
    """Dimension and element names: what a bare subscript may be besides a variable."""
    found: set[str] = set()
    for dimension in dimensions:
        found.add(dimension.name)
        found.update(dimension.canonical_elements)
    return frozenset(found)


def _has_table(variable: Variable) -> bool:
    return variable.graphical_function is not None or any(
        e.graphical_function is not None for e in variable.elements)


def _time_dependent(expr: Expr, dialect: str) -> bool:
    for node in walk(expr):
        if isinstance(node, Reference) and node.name in ("time",):
            return True
        if isinstance(node, Call):
            if node.function in (PIPELINE_READ, PREVIOUS_READ, STATE_READ):
                return True
            builtin = lookup_builtin(node.function, dialect)
            if builtin is not None and builtin.kind in (BuiltinKind.TIME, BuiltinKind.STATEFUL):
                return True
    return False


def find_constants(variables: dict[str, Variable], initial_only: Iterable[str],
                   dialect: str = "xmile", indices: frozenset[str] = frozenset(),
                   varying: Iterable[str] = ()) -> set[str]:
    """Auxiliaries whose value never changes: they read only numbers and other constants.

    These are computed once and are what ``run(params=...)`` may override cheaply.
    ``varying`` names variables that change whatever their equations say (the limited
    outflows of non-negative stocks).
    """
    fixed = set(initial_only) | set(varying)
    candidates = {name for name, v in variables.items()
                  if v.kind is not VariableKind.STOCK and name not in fixed
                  and not any(_time_dependent(e, dialect) for e in equations_of(v))}
    # A worklist over who reads whom, each equation read once: repeated passes over every
    # candidate took a pass per link of a chain (minutes for a chain of 10,000 names).
    waiting: dict[str, int] = {}
    readers: dict[str, list[str]] = {}
    for name in candidates:
        reads = set().union(*(names_read(e, variables, indices)
                              for e in equations_of(variables[name])))
        reads.discard(name)
        if reads <= candidates:  # no stock, nothing varying: it may be constant
            waiting[name] = len(reads)
            for source in reads:
                readers.setdefault(source, []).append(name)
    ready = [name for name, count in waiting.items() if count == 0]
    constants: set[str] = set()
    while ready:
        name = ready.pop()
        constants.add(name)
        for reader in readers.get(name, ()):
            waiting[reader] -= 1
            if waiting[reader] == 0:
                ready.append(reader)
    return constants


def order_variables(nodes: Iterable[str], dependencies: dict[str, set[str]],
                    variables: dict[str, Variable] | None = None) -> list[str]:
    """Topological order of ``nodes`` (ties kept in the given order); raise
    :class:`CircularDefinitionError` naming the loop (display names, first member's
    position) when there is none."""
    node_list = list(nodes)
    graph = nx.DiGraph()
    graph.add_nodes_from(node_list)
    for name in node_list:
        for source in dependencies.get(name, set()):
            if source == name:
                raise _loop_error((name,), variables)
            if source in graph:
                graph.add_edge(source, name)
    position = {name: i for i, name in enumerate(node_list)}
    try:
        return list(nx.lexicographical_topological_sort(graph, key=lambda n: position[n]))
    except nx.NetworkXUnfeasible:
        cycle = nx.find_cycle(graph)
        raise _loop_error(tuple(edge[0] for edge in cycle), variables) from None


def _loop_error(members: tuple[str, ...], variables: dict[str, Variable] | None
                ) -> CircularDefinitionError:
    if not variables:
        return CircularDefinitionError(members)
    first = min(members, key=lambda n: (variables[n].span.line, variables[n].span.column))
    start = members.index(first)
    ordered = members[start:] + members[:start]
    arrayed = any(variables[n].dimensions for n in members)
    return CircularDefinitionError(tuple(variables[n].display for n in ordered),
                                   variables[first].span,
                                   _ARRAYED_LOOP_HINT if arrayed else _LOOP_HINT)


_LOOP_HINT = "break the loop with a stock, a DELAY or SMTH1"
_ARRAYED_LOOP_HINT = (
    "break the loop with a stock, a DELAY or SMTH1; if no element reads itself along it "
    "(x[t2] from y[t2] from x[t1]), the loop is one of whole arrays only: wholesystem orders "
    "the elements of one variable one by one, but not yet elements of different variables")
