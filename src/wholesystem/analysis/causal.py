"""The causal structure of a model: variables and signed causal links, from its equations.

A link ``x -> z`` means a change in ``x`` changes ``z`` within the model: ``z``'s equation
reads ``x`` (an information link), or ``x`` is a flow that fills or drains stock ``z`` (a
flow link), or ``x`` is read by a stock's net rate. Links are found in the flat, lowered
model, so they pass through module boundaries and into the hidden stocks of smooths and
delays (``SMTH1(x, t)`` holds a stock that ``x`` fills); those hidden variables carry the
name of the variable they sit in. Arrays are aggregated: one node per variable.

Polarity is the sign of the partial derivative. It is read from the expression where that
is possible whatever the values (:mod:`~wholesystem.analysis.polarity`); otherwise it is
estimated along a run from the change each input alone causes (the same ceteris-paribus
changes Loops That Matter scores), with the share of steps that agree as its confidence
and a note where the sign changes during the run.

>>> import wholesystem
>>> structure = causal_structure(wholesystem.load(wholesystem.example_path("teacup")))
>>> [(k.source, k.target, k.polarity) for k in structure.links
...  if "teacup" in k.source + k.target]  # doctest: +NORMALIZE_WHITESPACE
[('heat loss to room', 'teacup temperature', '-'),
 ('teacup temperature', 'heat loss to room', '+')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd

from wholesystem.analysis.ltm import LinkChanges, link_changes
from wholesystem.analysis.polarity import SignFacts, structural_sign, table_sign
from wholesystem.compiler import CompiledModel
from wholesystem.ir.expr import Expr
from wholesystem.ir.graph import reads
from wholesystem.ir.model import Dimension, GraphicalFunction, Variable, VariableKind
from wholesystem.run import Model
from wholesystem.system.files import is_system_file

__all__ = ["CausalVariable", "CausalLink", "CausalGraph", "causal_structure",
           "structure_from_links", "field_words"]


@dataclass(frozen=True, slots=True)
class CausalVariable:
    """One node of the causal graph."""

    name: str
    """Canonical name (the engine's, module path included)."""
    display: str
    """Name shown to people: as written, or the field's words for a system file."""
    kind: str
    """``stock``, ``flow``, ``aux`` or ``constant``."""
    hidden: bool = False
    """True for a stage of a smooth or delay, held inside the variable ``within``."""
    within: str | None = None
    """For a hidden stage: the canonical name of the variable whose equation made it."""


@dataclass(frozen=True, slots=True)
class CausalLink:
    """A signed causal link ``source -> target``."""

    source: str
    """Canonical name of the cause."""
    target: str
    """Canonical name of the effect."""
    polarity: str
    """``+`` (same direction), ``-`` (opposite direction) or ``?`` (unknown)."""
    method: str
    """How the polarity was found: ``flow`` (a flow filling or draining a stock),
    ``structural`` (read from the equation), ``numerical`` (estimated along a run),
    ``declared`` (drawn by hand) or ``unknown``."""
    confidence: float = 1.0
    """1 when read from the structure; along a run, the share of steps agreeing with it."""
    sign_changes: bool = False
    """True when, along the run, the link's effect had both signs."""
    kind: str = "info"
    """``flow`` (material moving into or out of a stock) or ``info`` (an equation reads it)."""
    delay: bool = False
    """True when the link enters a smooth or delay (its effect is spread over time)."""
    note: str = ""
    """Anything a reader should know about how the sign was found."""


@dataclass(frozen=True)
class CausalGraph:
    """Variables and links of one model (or of a diagram drawn by hand)."""

    name: str
    """Model name."""
    variables: tuple[CausalVariable, ...]
    """Every variable, in model order."""
    links: tuple[CausalLink, ...]
    """Every causal link."""
    changes: LinkChanges | None = None
    """The ceteris-paribus changes along the run the polarities were checked against,
    when there was a run (Loops That Matter scores are computed from them)."""

    def variable(self, name: str) -> CausalVariable:
        """A variable by canonical name."""
        return self._variables()[name]

    def _variables(self) -> dict[str, CausalVariable]:
        return {v.name: v for v in self.variables}

    def display(self, name: str) -> str:
        """The shown name of a variable; a hidden stage is named after its host."""
        variable = self._variables().get(name)
        return name if variable is None else variable.display

    def digraph(self) -> nx.DiGraph:
        """The links as a networkx graph; each edge carries its :class:`CausalLink`."""
        graph = nx.DiGraph()
        for variable in self.variables:
            graph.add_node(variable.name, variable=variable)
        for link in self.links:
            graph.add_edge(link.source, link.target, link=link)
        return graph

    def links_frame(self) -> pd.DataFrame:
        """One row per link: source, target (shown names), polarity, method, confidence..."""
        rows = [{"source": self.display(k.source), "target": self.display(k.target),
                 "polarity": k.polarity, "method": k.method, "confidence": k.confidence,
                 "sign_changes": k.sign_changes, "kind": k.kind, "delay": k.delay,
                 "note": k.note} for k in self.links]
        return pd.DataFrame(rows, columns=["source", "target", "polarity", "method",
                                           "confidence", "sign_changes", "kind", "delay",
                                           "note"])


def structure_from_links(name: str, variables: Iterable[CausalVariable],
                         links: Iterable[CausalLink]) -> CausalGraph:
    """A causal graph from variables and links given directly (a hand-drawn diagram)."""
    return CausalGraph(name, tuple(variables), tuple(links))


def causal_structure(model: Model, *, run: bool = True,
                     displays: Mapping[str, str] | None = None,
                     params: Mapping[str, Any] | None = None) -> CausalGraph:
    """The causal graph of a loaded model.

    ``run`` simulates the model once (every variable, every time step) to estimate the
    polarity of links whose sign the equations leave open; without it those links are
    ``?``. ``displays`` renames variables (canonical name -> shown name); by default a
    system file's variables are shown in the field's words (:func:`field_words`);
    ``params`` are passed to the run.
    """
    changes = link_changes(model, params) if run else None
    compiled = changes.compiled if changes is not None else model.compiled
    words = field_words(model) if displays is None else displays
    return _build(model.name, compiled, changes, words)


def field_words(model: Model) -> dict[str, str]:
    """For a model lowered from a system file, each variable's name in the field's
    words (the description the system layer gave it: "people waiting for P3 care-home
    beds, Bristol"); empty for an engine model, whose names are already its author's."""
    if not is_system_file(model.project.source.path):
        return {}
    return {v.name: v.doc[0].upper() + v.doc[1:] for v in model.project.main.variables
            if v.doc}


def _build(name: str, compiled: CompiledModel, changes: LinkChanges | None,
           displays: Mapping[str, str]) -> CausalGraph:
    lowered = compiled.lowered
    variables = lowered.project.main.variable_map()
    constants = set(compiled.generated.constants) | set(lowered.initial_only)
    dimensions = {d.name: d for d in lowered.project.dimensions}
    hosts = _hosts(variables, lowered.hidden, dimensions, lowered.project.format)
    nodes = tuple(_node(v, constants, hosts, variables, displays) for v in variables.values()
                  if not (v.graphical_function is not None and v.equation is None
                          and not v.elements))
    facts = _facts(variables, compiled)
    known = {n.name for n in nodes}
    links: list[CausalLink] = []
    for variable in variables.values():
        if variable.name not in known:
            continue
        for source, expr, kind in _inputs(variable, variables, dimensions, lowered.project.format):
            if source not in known or (source == variable.name and kind != "flow"):
                continue
            links.append(_link(source, variable, expr, kind, facts, changes,
                               source in lowered.hidden or variable.name in lowered.hidden))
    return CausalGraph(name, nodes, tuple(_unique(links)), changes)


def _unique(links: list[CausalLink]) -> list[CausalLink]:
    seen: dict[tuple[str, str], CausalLink] = {}
    for link in links:
        seen.setdefault((link.source, link.target), link)
    return list(seen.values())


_HIDDEN_TAG = re.compile(r"#([a-z0-9 ]+?)\.?(\d*)$")


def _hosts(variables: Mapping[str, Variable], hidden: frozenset[str],
           dimensions: Mapping[str, Dimension], dialect: str) -> dict[str, str]:
    """For each hidden variable, the visible variable whose equation (at some remove)
    reads it: the smooth or delay it is a stage of."""
    readers: dict[str, list[str]] = {}
    for variable in variables.values():
        for source, _, _ in _inputs(variable, variables, dimensions, dialect):
            readers.setdefault(source, []).append(variable.name)
    hosts: dict[str, str] = {}
    for name in hidden:
        frontier, seen = [name], {name}
        while frontier:
            current = frontier.pop(0)
            visible = [r for r in readers.get(current, []) if r not in hidden]
            if visible:
                hosts[name] = visible[0]
                break
            for reader in readers.get(current, []):
                if reader not in seen:
                    seen.add(reader)
                    frontier.append(reader)
    return hosts


def _node(variable: Variable, constants: set[str], hosts: Mapping[str, str],
          variables: Mapping[str, Variable], displays: Mapping[str, str]) -> CausalVariable:
    kind = "constant" if variable.name in constants else variable.kind.value
    host = hosts.get(variable.name)
    if host is None:
        display = displays.get(variable.name, variable.display)
        return CausalVariable(variable.name, display, kind, variable.name.startswith("#"))
    match = _HIDDEN_TAG.search(variable.name)
    tag = match.group(1).upper() if match else "stage"
    what = "stage" if variable.kind is VariableKind.STOCK else "part"
    host_display = displays.get(host, variables[host].display)
    return CausalVariable(variable.name, f"{host_display} ({tag} {what})", kind, True, host)


def _facts(variables: Mapping[str, Variable], compiled: CompiledModel) -> SignFacts:
    signs: dict[str, int] = {}
    numbers: dict[str, float] = {}
    for name, variable in variables.items():
        if variable.non_negative:
            signs[name] = 1
    for name, value in compiled.generated.constants.items():
        if value is not None and value == value:
            signs[name] = 0 if value == 0 else (1 if value > 0 else -1)
            numbers[name] = value
    tables: dict[str, GraphicalFunction] = {
        name: v.graphical_function for name, v in variables.items()
        if v.graphical_function is not None}
    return SignFacts(signs, tables, numbers)


def _inputs(variable: Variable, variables: Mapping[str, Variable],
            dimensions: Mapping[str, Dimension], dialect: str
            ) -> list[tuple[str, Expr | None, str]]:
    """(source, expression read from, kind) for each input of ``variable``; the
    expression is None for a flow filling or draining a stock."""
    found: list[tuple[str, Expr | None, str]] = []
    if variable.kind is VariableKind.STOCK:
        found += [(f, None, "flow") for f in variable.inflows + variable.outflows]
        rates = [variable.rate] + [e.rate for e in variable.elements]
        for rate in rates:
            if rate is not None:
                found += [(r.name, rate, "rate") for r in reads(
                    rate, variables, dimensions, dialect=dialect)]
        return found
    equations = [variable.equation] + [e.equation for e in variable.elements]
    for equation in equations:
        if equation is not None:
            found += [(r.name, equation, "info") for r in reads(
                equation, variables, dimensions, dialect=dialect)]
    return found


def _link(source: str, target: Variable, expr: Expr | None, kind: str, facts: SignFacts,
          changes: LinkChanges | None, delayed: bool) -> CausalLink:
    if expr is None:
        sign = 1 if source in target.inflows else -1
        return CausalLink(source, target.name, "+" if sign > 0 else "-", "flow", kind="flow",
                          delay=delayed)
    structural = structural_sign(expr, source, facts)
    if structural is not None and kind == "info" and target.graphical_function is not None:
        table = table_sign(target.graphical_function)
        structural = None if table is None else structural * table
    if target.elements:
        structural = None  # element equations differ: no one expression to read
    link_kind = "flow" if kind == "rate" else "info"
    numeric = None if changes is None else changes.observed_sign(source, target.name)
    if structural is not None and structural != 0:
        return CausalLink(source, target.name, "+" if structural > 0 else "-", "structural",
                          kind=link_kind, delay=delayed)
    if changes is not None and not target.elements:
        observed = SignFacts({**changes.signs, **facts.values}, facts.tables, facts.numbers)
        given = structural_sign(expr, source, observed)
        if given is not None and given != 0 and target.graphical_function is not None:
            table = table_sign(target.graphical_function)
            given = None if table is None else given * table
        if given is not None and given != 0:
            return CausalLink(source, target.name, "+" if given > 0 else "-", "numerical",
                              kind=link_kind, delay=delayed,
                              note="read from the equation, given the signs its inputs "
                                   "kept along the run")
    if numeric is not None:
        sign, agreement, both = numeric
        note = (f"sign estimated along the run; it changes sign ({agreement:.0%} of steps "
                "agree)" if both else "sign estimated along the run")
        return CausalLink(source, target.name, "+" if sign > 0 else "-", "numerical",
                          round(agreement, 4), both, link_kind, delayed, note)
    return CausalLink(source, target.name, "?", "unknown", 0.0, kind=link_kind,
                      delay=delayed, note="the equation does not fix the sign and the run "
                      "never moved this input")

