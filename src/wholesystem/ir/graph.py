"""Dependency graphs: which variables are computed from which, within a step and at the start.

An edge ``u -> v`` means the value of ``v`` needs the value of ``u`` first. Within a time
step (the default) stocks are known before anything is computed, so reading a stock makes no
edge; the stateful builtins hold their input in hidden stocks, so only the arguments they
read afresh every step (:data:`STEP_ARGUMENTS`) make edges. At the start (``initial=True``)
a stock needs its initial value, and a stateful builtin its initial value or, when none is
given, its input: ``SMTH1(x, t)`` starts at ``x`` (:data:`START_ARGUMENTS`).

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

__all__ = ["STEP_ARGUMENTS", "START_ARGUMENTS", "dependency_graph", "reference_span", "reads",
           "is_table_only", "function_name"]

STEP_ARGUMENTS: Mapping[str, tuple[int, ...]] = {
    # XMILE
    "SMTH1": (), "SMTH3": (), "SMTHN": (),
    "DELAY1": (1,), "DELAY3": (1,), "DELAYN": (1,),
    "DELAY": (1, 2),
    "TREND": (0, 1),
    "FORECAST": (0, 1, 2),
    "PREVIOUS": (1,),
    "INIT": (),
    # Vensim
    "INTEG": (), "INITIAL": (), "REINITIAL": (), "ACTIVE INITIAL": (0,),
    "SMOOTH": (), "SMOOTHI": (), "SMOOTH3": (), "SMOOTH3I": (), "SMOOTH N": (),
    "DELAY1I": (1,), "DELAY3I": (1,), "DELAY N": (1,),
    "DELAY FIXED": (1, 2), "DELAY INFORMATION": (1, 2), "DELAY MATERIAL": (2, 3),
    "NPV": (0, 3),
    "SAMPLE IF TRUE": (0, 1),
}
"""Stateful builtin -> positions of the arguments it reads within a time step.

A smooth's output is its last hidden stock; a material delay's output is its last stock
divided by the stage time (so it reads the delay time); a pipeline delay reads its delay
time and its initial value; ``TREND`` and ``FORECAST`` compare the input with its smooth,
so they do read the input; ``PREVIOUS`` reads only its initial value; ``INIT`` nothing;
``SAMPLE IF TRUE`` its condition and input. This mirrors how the compiler lowers them
(``compiler/lower.py``). A stateful builtin missing here (the random draws) reads all of
its arguments."""

START_ARGUMENTS: Mapping[str, tuple[tuple[int, ...], int | None]] = {
    # XMILE
    "SMTH1": ((), 2), "SMTH3": ((), 2), "SMTHN": ((), 3),
    "DELAY1": ((1,), 2), "DELAY3": ((1,), 2), "DELAYN": ((1,), 3),
    "DELAY": ((1,), 2),
    "TREND": ((0, 1, 2), None),
    "FORECAST": ((0, 1, 2, 3), None),
    "PREVIOUS": ((), 1),
    "INIT": ((), None),
    # Vensim
    "INTEG": ((), 1), "INITIAL": ((), None), "REINITIAL": ((), None),
    "ACTIVE INITIAL": ((), 1),
    "SMOOTH": ((), None), "SMOOTHI": ((), 2), "SMOOTH3": ((), None), "SMOOTH3I": ((), 2),
    "SMOOTH N": ((), 2),
    "DELAY1I": ((1,), 2), "DELAY3I": ((1,), 2), "DELAY N": ((1,), 2),
    "DELAY FIXED": ((1,), 2), "DELAY INFORMATION": ((1,), 2), "DELAY MATERIAL": ((3,), 2),
    "NPV": ((0, 3), 2),
    "SAMPLE IF TRUE": ((0, 1), 2),
}
"""Stateful builtin -> (arguments read at the start, position of the initial value).

At the start a smooth, a delay or ``PREVIOUS`` is its initial value when one is given, else
its input (argument 0); a material delay's output also divides by its delay time."""


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
    everything = tuple(range(len(call.args)))
    if initial:
        always, given = START_ARGUMENTS.get(builtin.name, (everything, None))
        start = given if given is not None and given < len(call.args) else 0
        positions: tuple[int, ...] = (*always, start)
    else:
        positions = STEP_ARGUMENTS.get(builtin.name, everything)
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
