"""Boundary critique as an operation: would the conclusion survive a narrower system?

:func:`boundary_critique` re-evaluates a scenario as if only the named organisations
were inside the system, then sets the narrow answer beside the whole-system one:

- every variable of the lowered system belongs to an organisation (a service's people,
  flows and own costs to its owner; the cost of people waiting to whoever pays for the
  waiting; an organisation's spending to itself; an intervention's cost to its payer) or
  to nobody (arrivals from outside, counts of people leaving, whole-system totals);
- an outside variable that an inside one reads, or a flow from outside into an inside
  stock, becomes a **fixed input taken from the baseline run**: a table of its baseline
  values over time. Feedback through the outside is thereby cut; what the inside does
  no longer reaches back to it;
- **costs outside are not counted**: the narrow change is the change in the inside
  organisations' costs alone.

The report says where conclusions flip (a saving inside that raises whole-system cost is
a cost shunt; an inside cost that saves the whole system), how far feedback through the
outside changes the inside's own numbers, the feedback loops that exist only across the
boundary, and who outside is affected, organisations and residents.

A system file may also record answers to the twelve boundary questions of Critical
Systems Heuristics (Ulrich 1983; Ulrich and Reynolds 2010), in the "is" and "ought" modes,
per stakeholder, under ``critique:``. :func:`read_critique` reads them; the report lists
them beside the results and flags each is/ought gap that the numbers bear on.

>>> import wholesystem
>>> system = wholesystem.load_system(wholesystem.example_path("hospital_discharge"))
>>> report = boundary_critique(system, ["bristol_council"], "fewer_care_home_beds")
>>> report.narrow_verdict, report.whole_verdict
('saves', 'costs more')
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pandas as pd

from wholesystem.errors import ParameterError
from wholesystem.ir.expr import Reference, references
from wholesystem.ir.model import (
    GraphicalFunction,
    GraphicalFunctionKind,
    Project,
    Variable,
    VariableKind,
)
from wholesystem.ir.names import canonical_name
from wholesystem.run import Model
from wholesystem.system.layout import SystemLayout
from wholesystem.system.ledger import Ledger, build_ledger, change_threshold, same_ids
from wholesystem.system.model import SystemModel
from wholesystem.system.read.schema import CSH_KEYS
from wholesystem.system.read.source import load_yaml
from wholesystem.system.results import ScenarioRun
from wholesystem.system.shunts import compare
from wholesystem.system.spec import SystemSpec

__all__ = ["CSH_QUESTIONS", "CritiqueAnswer", "Flip", "BoundaryReport",
           "boundary_critique", "variable_owners", "cut_project", "read_critique",
           "bears_on"]

CSH_QUESTIONS: dict[str, tuple[str, str]] = {
    "beneficiary": ("motivation", "Who is (ought to be) the client or beneficiary: whose "
                                  "interests are (should be) served?"),
    "purpose": ("motivation", "What is (ought to be) the purpose: what are (should be) the "
                              "consequences?"),
    "measure": ("motivation", "What is (ought to be) the measure of improvement or "
                              "success?"),
    "decision_maker": ("power", "Who is (ought to be) the decision-maker, in a position to "
                                "change the measure of improvement?"),
    "resources": ("power", "What resources and other conditions of success are (ought to "
                           "be) controlled by the decision-maker?"),
    "decision_environment": ("power", "What conditions of success are (ought to be) part "
                                      "of the decision environment, not controlled by the "
                                      "decision-maker?"),
    "expert": ("knowledge", "Who is (ought to be) considered a professional or further "
                            "expert?"),
    "expertise": ("knowledge", "What kind of expertise is (ought to be) consulted: what "
                               "counts as relevant knowledge?"),
    "guarantor": ("knowledge", "What or who is (ought to be) assumed to be the guarantor "
                               "of success?"),
    "witness": ("legitimacy", "Who is (ought to be) witness to the interests of those "
                              "affected but not involved?"),
    "emancipation": ("legitimacy", "What secures (ought to secure) the emancipation of "
                                   "those affected from the premises and promises of those "
                                   "involved?"),
    "worldview": ("legitimacy", "What worldview is (ought to be) determining: which visions "
                                "of improvement are considered and how are they "
                                "reconciled?"),
}
"""The twelve boundary questions of Critical Systems Heuristics, by key: (source of
influence, question in both modes)."""
assert tuple(CSH_QUESTIONS) == CSH_KEYS  # one list of keys: the schema's

# What the numbers say about each question, when an answer does not name it (the
# toolkit reading of the CSH literature in ../shared/domain: Q3 to the model's measures,
# Q1/Q10 to who is inside the boundary, Q5/Q6 to what the inside controls and what it
# takes as given).
_BEARS_ON = {"beneficiary": "affected", "witness": "affected", "measure": "cost",
             "decision_environment": "cut", "resources": "inside", "purpose": "cost"}


@dataclass(frozen=True, slots=True)
class CritiqueAnswer:
    """One stakeholder's answer to one boundary question."""

    question: str
    """Key of the question (see :data:`CSH_QUESTIONS`)."""
    stakeholder: str
    """Who answers (an organisation id or a group of residents, in words)."""
    is_: str
    """What is the case, in their view."""
    ought: str
    """What ought to be the case."""
    bears_on: tuple[str, ...] = ()
    """Which results the answer bears on: ``cost``, ``affected``, ``cut``, ``inside``, or
    an outcome name; empty: the question's default."""

    @property
    def gap(self) -> bool:
        """True when "is" and "ought" are both given and differ."""
        return bool(self.is_ and self.ought) and _norm(self.is_) != _norm(self.ought)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def bears_on(answer: CritiqueAnswer) -> tuple[str, ...]:
    """The results an answer bears on: its own ``bears_on``, else its question's default."""
    if answer.bears_on:
        return answer.bears_on
    return (_BEARS_ON[answer.question],) if answer.question in _BEARS_ON else ()


@dataclass(frozen=True, slots=True)
class Flip:
    """One way the conclusion changes when the boundary widens to the whole system."""

    kind: str
    """``shunt``: it saves inside but not for the whole system; ``saved outside``: it
    costs more inside but saves the whole system; ``differs``: the two verdicts differ
    otherwise; ``feedback``: feedback through the outside changes the inside's own cost."""
    amount: float
    """The inside's change for ``shunt`` and ``saved outside``; for ``feedback``, how far
    the inside's own cost moves when the whole system responds; 0 for ``differs``."""


@dataclass(frozen=True)
class BoundaryReport:
    """A scenario judged inside a narrow boundary and across the whole system."""

    system: str
    scenario: str
    baseline: str
    currency: str
    inside: tuple[tuple[str, str], ...]
    """(id, name) of the organisations inside the narrow boundary."""
    outside: tuple[tuple[str, str], ...]
    """(id, name) of the others."""
    narrow_changes: tuple[tuple[str, float], ...]
    """Inside organisation name -> change in its cost, inside the narrow boundary."""
    narrow_change: float
    """Change in the inside organisations' cost, narrow boundary."""
    narrow_verdict: str
    """``saves``, ``costs more`` or ``no change`` (inside the boundary)."""
    inside_whole_change: float
    """Change in the same organisations' cost when the whole system responds."""
    whole_change: float
    """Change in the whole system's cost."""
    whole_verdict: str
    """``saves``, ``costs more`` or ``no change`` (whole system)."""
    whole_comparison: str
    """The verdict of the whole-system comparison (``cost moved``, ``genuine saving``
    ...; see :class:`~wholesystem.system.shunts.Comparison`)."""
    whole_moved: float
    """Cost moved between organisations in the whole-system comparison."""
    flips: tuple[Flip, ...]
    """Where the conclusion changes with the boundary (empty: it survives)."""
    affected_organisations: tuple[tuple[str, float], ...]
    """Outside organisations whose cost changes: (name, change)."""
    affected_residents: tuple[tuple[str, float, str], ...]
    """Residents outside the boundary's care or paid for outside it whose waiting
    changes: (who, change in person-time waited, who pays for the waiting)."""
    cut_links: tuple[tuple[str, str], ...]
    """(outside variable, inside variable) links fixed at their baseline values."""
    cross_loops: tuple[str, ...]
    """Feedback loops (variables in causal order) through both sides: they exist only across the
    boundary and the narrow view cuts them."""
    answers: tuple[CritiqueAnswer, ...] = ()
    """Critical Systems Heuristics answers recorded in the system file."""
    gaps: tuple[CritiqueAnswer, ...] = ()
    """The answers with an is/ought gap that the numbers bear on (see :func:`bears_on`)."""
    notes: tuple[str, ...] = field(default=())
    """Anything a reader should know about how the narrow run was made."""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping (what ``wholesystem boundary --json`` prints)."""
        data = dataclasses.asdict(self)
        data["answers"] = [_answer_json(a) for a in self.answers]
        data["gaps"] = [_answer_json(a) for a in self.gaps]
        return data


def _answer_json(answer: CritiqueAnswer) -> dict[str, Any]:
    return {"question": answer.question, "stakeholder": answer.stakeholder,
            "is": answer.is_, "ought": answer.ought, "gap": answer.gap,
            "bears_on": list(bears_on(answer))}


def variable_owners(spec: SystemSpec, layout: SystemLayout, project: Project
                    ) -> dict[str, str | None]:
    """Canonical variable name -> id of the organisation it belongs to (None: nobody).

    The lowered system names a service's variables ``<service id> ...``; a service's
    waiting costs go to its delay payer, everything else of it to its owner."""
    owners: dict[str, str | None] = {}
    arrivals = set(layout.arrival_flows)
    services = {s.id: s for s in spec.services}
    by_service = {s.service: s for s in layout.services}
    interventions = {stock: payer for _, payer, stock in layout.intervention_costs}
    rates = {canonical_name(f"{iid} cost rate"): payer
             for iid, payer, _ in layout.intervention_costs}
    organisations = {o.id for o in spec.organisations}
    for variable in project.main.variables:
        name = variable.name
        owners[name] = None
        if name in arrivals:
            continue
        if name in interventions or name in rates:
            owners[name] = interventions.get(name) or rates.get(name)
            continue
        for org in organisations:
            if name in (canonical_name(f"spending by {org}"), canonical_name(f"cost to {org}")):
                owners[name] = org
        for sid, service in services.items():
            if not name.startswith(canonical_name(sid) + " "):
                continue
            service_layout = by_service[sid]
            owners[name] = (service.delay_payer
                            if name in (service_layout.delay_cost, service_layout.delay_rate)
                            else service.owner)
    return owners


def _inputs(variable: Variable) -> set[str]:
    found = set(variable.inflows) | set(variable.outflows)
    for expr in [variable.equation, variable.rate,
                 *(e.equation for e in variable.elements)]:
        if expr is not None:
            found |= {r.name for r in references(expr)}
    return found


def cut_project(project: Project, inside: set[str], outside: set[str],
                baseline: pd.DataFrame
                ) -> tuple[Project, tuple[tuple[str, str], ...], tuple[str, ...]]:
    """``project`` with every ``outside`` variable that an ``inside`` one reads (or that
    flows into an inside stock) replaced by its baseline values over time (``baseline``:
    time index, canonical-name columns). Variables in neither set belong to nobody
    (arrivals from outside the system, counts) and are left as they are.

    Returns the cut project, the (outside, inside) links cut, and notes for variables
    that could not be fixed (absent from the baseline run)."""
    variables = {v.name: v for v in project.main.variables}
    cut: list[tuple[str, str]] = []
    for variable in project.main.variables:
        if variable.name in inside:
            cut += [(source, variable.name) for source in sorted(_inputs(variable))
                    if source in variables and source in outside]
    fixed: dict[str, Variable] = {}
    notes: list[str] = []
    times = tuple(float(t) for t in baseline.index)
    for source in sorted({s for s, _ in cut}):
        if source not in baseline.columns:
            notes.append(f"'{variables[source].display}' is not in the baseline run; it "
                         "stays dynamic")
            continue
        original = variables[source]
        values = tuple(float(v) for v in baseline[source].to_numpy(dtype=float))
        table = GraphicalFunction(times, values, GraphicalFunctionKind.CONTINUOUS,
                                  original.span)
        kind = VariableKind.FLOW if original.kind is VariableKind.FLOW else VariableKind.AUX
        fixed[source] = dataclasses.replace(
            original, kind=kind, equation=Reference("time", "time", (), original.span),
            graphical_function=table, inflows=(), outflows=(), rate=None, elements=(),
            non_negative=False, doc=f"{original.doc} (fixed at its baseline values)")
    main = dataclasses.replace(project.main, variables=tuple(
        fixed.get(v.name, v) for v in project.main.variables))
    models = tuple(main if m is project.main else m for m in project.models)
    return dataclasses.replace(project, models=models), tuple(cut), tuple(notes)


def _run(spec: SystemSpec, layout: SystemLayout, project: Project) -> ScenarioRun:
    model = Model(project)
    frame = model.run()
    names = {o.display: o.name for o in model.compiled.outputs}
    frame.columns = [names.get(c, c) for c in frame.columns]
    return ScenarioRun.from_frame(spec, layout, frame)


def _verdict(change: float, threshold: float) -> str:
    if change < -threshold:
        return "saves"
    return "costs more" if change > threshold else "no change"


def boundary_critique(system: SystemModel, inside: Sequence[str], scenario: str,
                      baseline: str = "baseline") -> BoundaryReport:
    """Judge ``scenario`` inside the boundary of the ``inside`` organisations and across
    the whole system (see the module docstring)."""
    spec = system.spec
    known = {o.id: o.name for o in spec.organisations}
    unknown = [o for o in inside if o not in known]
    if unknown:
        raise ParameterError(f"--inside {unknown[0]}: no organisation with that id; the "
                             f"system has {', '.join(known)}")
    if not inside:
        raise ParameterError("name at least one organisation to put inside the boundary")
    base_run = system.simulate(baseline)
    scenario_spec, layout, model = system.model(scenario)
    owners = variable_owners(scenario_spec, layout, model.project)
    inside_vars = {v for v, o in owners.items() if o in inside}
    outside_vars = {v for v, o in owners.items() if o is not None and o not in inside}
    project, cut, notes = cut_project(model.project, inside_vars, outside_vars,
                                      base_run.results)
    narrow = build_ledger(_run(scenario_spec, layout, project))
    base = build_ledger(base_run)
    whole = compare(system, scenario, baseline)
    threshold = change_threshold(base.whole_system)
    narrow_changes = tuple((known[o], narrow.organisation(o).cost - base.organisation(o).cost)
                           for o in inside)
    narrow_change = sum(c for _, c in narrow_changes)
    inside_whole = sum(c.change for c in whole.organisations if c.id in inside)
    affected = tuple((c.name, c.change) for c in whole.organisations
                     if c.id not in inside and abs(c.change) > threshold)
    residents = _residents(base, build_ledger(system.simulate(scenario)), inside, known)
    report = BoundaryReport(
        system=spec.name, scenario=scenario, baseline=baseline, currency=base.currency,
        inside=tuple((o, known[o]) for o in inside),
        outside=tuple((o, n) for o, n in known.items() if o not in inside),
        narrow_changes=narrow_changes, narrow_change=narrow_change,
        narrow_verdict=_verdict(narrow_change, threshold),
        inside_whole_change=inside_whole, whole_change=whole.whole_change,
        whole_verdict=_verdict(whole.whole_change, threshold),
        whole_comparison=whole.verdict, whole_moved=whole.moved, flips=(),
        affected_organisations=affected,
        affected_residents=residents,
        cut_links=tuple((model.project.main.variable_map()[s].display,
                         model.project.main.variable_map()[t].display) for s, t in cut),
        cross_loops=_cross_loops(model, owners, inside), notes=notes)
    report = dataclasses.replace(report, flips=_flips(report, threshold))
    answers = read_critique(spec)
    gaps = tuple(a for a in answers if a.gap and bears_on(a))
    return dataclasses.replace(report, answers=answers, gaps=gaps)


def _residents(base: Ledger, other: Ledger, inside: Sequence[str],
               names: Mapping[str, str]) -> tuple[tuple[str, float, str], ...]:
    """Services owned outside, or whose waiting is paid for outside, whose waiting
    changes."""
    found = []
    same_ids([s.id for s in base.services], [s.id for s in other.services], "services",
             f"'{base.scenario}'", f"'{other.scenario}'")
    for before in base.services:
        after = other.service(before.id)
        change = after.days_waited - before.days_waited
        outside = before.owner not in inside or before.delay_payer not in inside
        if outside and abs(change) > 1e-6 * max(1.0, abs(before.days_waited)):
            found.append((f"people waiting for {before.name}", change,
                          names.get(before.delay_payer, before.delay_payer)))
    return tuple(found)


def _cross_loops(model: Model, owners: Mapping[str, str | None], inside: Sequence[str]
                 ) -> tuple[str, ...]:
    """Loops with variables owned inside and variables owned outside (up to 50, of at
    most 12 variables)."""
    # the causal analysis lives a layer up; the structure needed here is only the
    # stock-flow-equation graph, so loops are found on it directly
    graph = nx.DiGraph()
    variables = model.project.main.variable_map()
    for variable in variables.values():
        for source in _inputs(variable):
            if source in variables:
                graph.add_edge(source, variable.name)
    found: list[str] = []
    for cycle in nx.simple_cycles(graph, length_bound=12):
        sides = {owners.get(v) in inside for v in cycle if owners.get(v) is not None}
        if sides == {True, False}:
            found.append(" -> ".join(variables[v].display for v in cycle))
        if len(found) >= 50:
            break
    return tuple(found)


def _flips(report: BoundaryReport, threshold: float) -> tuple[Flip, ...]:
    flips: list[Flip] = []
    narrow, whole = report.narrow_verdict, report.whole_verdict
    if narrow == "saves" and whole != "saves":
        flips.append(Flip("shunt", report.narrow_change))
    elif narrow == "costs more" and whole == "saves":
        flips.append(Flip("saved outside", report.narrow_change))
    elif narrow != whole:
        flips.append(Flip("differs", 0.0))
    feedback = report.inside_whole_change - report.narrow_change
    if abs(feedback) > threshold:
        flips.append(Flip("feedback", feedback))
    return tuple(flips)


def read_critique(spec: SystemSpec) -> tuple[CritiqueAnswer, ...]:
    """The Critical Systems Heuristics answers under ``critique:`` in the system file
    (the schema has checked their shape when the file was read)."""
    text = spec.source.text if spec.source is not None else ""
    if "critique" not in text:
        return ()
    document, _ = load_yaml(text, spec.source.path)
    critique = document.get("critique") if isinstance(document, dict) else None
    if not isinstance(critique, dict):
        return ()
    answers = []
    for question, items in critique.items():
        for item in items:
            answers.append(CritiqueAnswer(question, str(item.get("stakeholder", "")),
                                          str(item.get("is", "")), str(item.get("ought", "")),
                                          tuple(item.get("bears_on", ()))))
    return tuple(answers)
