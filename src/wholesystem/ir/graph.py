"""Dependency graphs: which variables are computed from which, within a step and at the start.

An edge ``u -> v`` means the value of ``v`` needs the value of ``u`` first. Within a time
step (the default) stocks are known before anything is computed, so reading a stock makes no
edge; the stateful builtins hold their input in hidden stocks, so only the arguments they
read afresh every step (the registry's ``Builtin.reads.step``) make edges. At the start
(``initial=True``) a stock needs its initial value, and a stateful builtin its initial value
or, when none is given, its input: ``SMTH1(x, t)`` starts at ``x`` (``reads.start`` and
``reads.initial``). A stateful builtin with no ``reads`` (the random draws) reads all of its
arguments.

A cycle in the step graph is an algebraic loop; one in the initial graph that is not also a
step cycle is a circular initial value.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import networkx as nx

from wholesystem.builtins import BuiltinKind, lookup_builtin
from wholesystem.diagnostics import SourceSpan
from wholesystem.ir.expr import Call, Expr, Reference, Wildcard, children
from wholesystem.ir.model import Dimension, Project, Variable, VariableKind
from wholesystem.ir.names import canonical_name

__all__ = ["dependency_graph", "reference_span", "reads",
           "is_table_only", "function_name"]

def function_name(function: str) -> str:
    """The canonical variable name a call's function name would refer to.

    >>> function_name("EFFECT_OF_DENSITY")
    'effect of density'
    >>> function_name("HARES.EFFECT")
    'hares.effect'
    """
    return ".".join(canonical_name(part) for part in function.split("."))


def is_table_only(variable: Variable) -> bool:
    """True for a graphical function with no input: a table only ever called by name."""
    return (variable.graphical_function is not None and variable.equation is None
            and not variable.elements)


def reads(expr: Expr, variables: Mapping[str, Variable], dimensions: Mapping[str, Dimension],
          *, initial: bool = False, dialect: str = "xmile") -> Iterator[Reference]:
    """References to ``variables`` whose values ``expr`` needs (in the step, or at the start).

    Element and dimension names in subscripts, the table argument of ``LOOKUP`` and the
    function name of a graphical-function call select rather than read, so they are skipped.
    """
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Reference):
            variable = variables.get(node.name)
            if variable is not None and not is_table_only(variable):
                yield node
            stack.extend(_read_subscripts(node, variable, variables, dimensions))
        elif isinstance(node, Call):
            stack.extend(reversed(_read_arguments(node, variables, initial, dialect)))
        elif not isinstance(node, Wildcard):
            stack.extend(reversed(children(node)))


def _read_subscripts(ref: Reference, variable: Variable | None,
                     variables: Mapping[str, Variable], dimensions: Mapping[str, Dimension]
                     ) -> list[Expr]:
    dims = variable.dimensions if variable is not None else ()
    found: list[Expr] = []
    for axis, subscript in enumerate(ref.subscripts):
        if isinstance(subscript, Reference) and not subscript.subscripts:
            if subscript.name in dimensions:
                continue
            dimension = dimensions.get(dims[axis]) if axis < len(dims) else None
            if dimension is not None and dimension.position(subscript.name) is not None:
                continue
        found.append(subscript)
    return found


def _read_arguments(call: Call, variables: Mapping[str, Variable], initial: bool,
                    dialect: str) -> tuple[Expr, ...]:
    if function_name(call.function) in variables:
        return call.args  # a graphical function applied to an input: only the input is read
    builtin = lookup_builtin(call.function, dialect)
    if builtin is None:
        return call.args
    if builtin.kind is BuiltinKind.LOOKUP:
        return call.args[1:]
    if builtin.name == "SIZE":
        return ()  # a shape, known before any value: SIZE(SELF) is no circularity
    if builtin.kind is not BuiltinKind.STATEFUL:
        return call.args
    reads = builtin.reads
    if reads is None:
        return call.args
    if initial:
        given = reads.initial
        start = given if given is not None and given < len(call.args) else 0
        positions: tuple[int, ...] = (*reads.start, start)
    else:
        positions = reads.step
    return tuple(call.args[i] for i in sorted(set(positions)) if i < len(call.args))


def _equations(variable: Variable) -> list[Expr]:
    """Value equations (a stock's initial value); a stock's net rate is read by
    integration after the step, so it orders nothing."""
    found = [variable.equation] if variable.equation is not None else []
    found += [e.equation for e in variable.elements if e.equation is not None]
    return found


def dependency_graph(flat: Project, *, initial: bool = False) -> nx.DiGraph:
    """The dependency graph of a flat project's main model (see the module docstring).

    Nodes are canonical variable names with ``kind`` (a :class:`VariableKind`) and
    ``display`` attributes; each edge has the ``span`` of the first reference that made it.

    >>> from wholesystem.parse import read_xmile_text
    >>> text = '''<xmile><sim_specs><start>0</start><stop>1</stop></sim_specs><model>
    ... <variables><aux name="a"><eqn>b * 2</eqn></aux><aux name="b"><eqn>a + 1</eqn></aux>
    ... </variables></model></xmile>'''
    >>> sorted(dependency_graph(read_xmile_text(text)).edges)
    [('a', 'b'), ('b', 'a')]
    """
    variables = flat.main.variable_map()
    dimensions = {d.name: d for d in flat.dimensions}
    graph = nx.DiGraph()
    for variable in flat.main.variables:
        graph.add_node(variable.name, kind=variable.kind, display=variable.display)
    for variable in flat.main.variables:
        if variable.kind is VariableKind.STOCK and not initial:
            continue  # integrated from last step's flows, not computed in this one
        for equation in _equations(variable):
            for ref in reads(equation, variables, dimensions, initial=initial,
                             dialect=flat.format):
                if not initial and variables[ref.name].kind is VariableKind.STOCK:
                    continue
                if not graph.has_edge(ref.name, variable.name):
                    graph.add_edge(ref.name, variable.name, span=ref.span)
    return graph


def reference_span(graph: nx.DiGraph, source: str, target: str) -> SourceSpan | None:
    """Where ``target``'s equation names ``source``, if the edge exists."""
    data = graph.get_edge_data(source, target)
    return None if data is None else data.get("span")
