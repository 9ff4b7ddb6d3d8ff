"""A :class:`~wholesystem.system.spec.SystemSpec` lowered onto the engine's IR.

Per service: a stock of people waiting (where they wait: at home, in an acute bed), a
stock of people in service (places only), admissions limited by free places
(``MIN(waiting / DT + arrivals, (capacity - in service) / DT + discharges)``), and
discharges as fixed (pipeline) delays or Erlang cascades of the admissions, so lengths of
stay keep their distribution. Routes out of a service are flows into the next service's
queue, into a stock of people who will re-present after a delay (failure demand), or out
of the system. Costs accumulate in a stock per service and per organisation.

Every number of the file becomes a named constant of the lowered model, recorded in the
layout's parameter table (:class:`~wholesystem.system.layout.Parameter`) with its field,
position and evidence; equations refer to those constants, never to the literals, so a
run sets a unit cost, a capacity or a route fraction without lowering or compiling again.

Every person is in exactly one stock at every step: the flows out of each stock add up
to what leaves it, which is what :mod:`wholesystem.system.conservation` checks.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace

from wholesystem.diagnostics import UNKNOWN_SPAN, SourceSpan
from wholesystem.errors import ModelStructureError
from wholesystem.ir.expr import Binary, Call, Expr, Number, Reference
from wholesystem.ir.model import (
    GraphicalFunction,
    GraphicalFunctionKind,
    Model,
    Project,
    SimSpecs,
    Variable,
    VariableKind,
)
from wholesystem.ir.names import canonical_name
from wholesystem.system.layout import (
    InflowLayout,
    LaneLayout,
    Parameter,
    ServiceLayout,
    SystemLayout,
    evidence_at,
)
from wholesystem.system.scenarios import apply_scenario
from wholesystem.system.spec import (
    LEAVE,
    UNMET,
    Cohort,
    Distribution,
    Duration,
    Interpolation,
    PreventionChange,
    Quantity,
    Service,
    ServiceKind,
    SystemSpec,
)
from wholesystem.system.stays import cascade_order, pipeline_mixture
from wholesystem.system.visits import mean_visits_per_day

__all__ = ["lower_system", "system_project", "UNLIMITED", "Superset", "superset_of",
           "structure_of"]

UNLIMITED = 1e15
"""Capacity standing for "no limit" in generated equations."""


@dataclass(frozen=True)
class Superset:
    """What every scenario of a system needs lowered, so that their lowered projects have
    one structure and differ only in the values of their parameters: one compiled model
    then runs them all. Lowering a scenario against it adds what the scenario does not
    use, switched off (an intervention cost of 0, a prevention share of 0, no limit on a
    service it leaves unlimited, a length of stay not in force)."""

    interventions: tuple[str, ...] = ()
    """Interventions with a cost of their own (charged, 0 where not applied)."""
    preventions: tuple[PreventionChange, ...] = ()
    """Every prevention change of the file (share 0 where not in force)."""
    limited: frozenset[str] = frozenset()
    """Services given a constant capacity in some scenario and none in another."""
    stays: dict[str, tuple[Duration, ...]] = field(default_factory=dict)
    """Services whose length of stay takes more than one shape across scenarios: the
    stays, the baseline's first (each lowered, one switched on)."""


def superset_of(specs: Sequence[SystemSpec]) -> Superset:
    """The superset of the scenario specs ``specs`` (the baseline first)."""
    base = specs[0]
    interventions = tuple(i.id for i in base.interventions if i.cost is not None)
    preventions = tuple(dict.fromkeys(c for i in base.interventions for c in i.changes
                                      if isinstance(c, PreventionChange)))
    limited: set[str] = set()
    stays: dict[str, tuple[Duration, ...]] = {}
    step = base.time.step
    for service in base.services:
        versions = [next((s for s in spec.services if s.id == service.id), None)
                    for spec in specs]
        if any(v is None for v in versions):
            continue
        capacities = [v.capacity for v in versions if v is not None]
        if (any(c is None for c in capacities) and any(c is not None for c in capacities)
                and all(c is None or c.is_constant for c in capacities)):
            limited.add(service.id)
        shapes: dict[tuple[object, ...], Duration] = {}
        for version in versions:
            if version is not None and version.length_of_stay is not None:
                key = _stay_key(version.length_of_stay, step, version.remaining_stay)
                shapes.setdefault(key, version.length_of_stay)
        if len(shapes) > 1:
            stays[service.id] = tuple(shapes.values())
    return Superset(interventions, preventions, frozenset(limited), stays)


def _stay_key(stay: Duration, step: float, remaining: str) -> tuple[object, ...]:
    """What fixes the lowered structure of a stay: a cascade's order, or every number of a
    pipeline mixture (its delays and weights are worked out from them)."""
    if (stay.distribution in (Distribution.EXPONENTIAL, Distribution.ERLANG)
            and remaining == "residual" and cascade_order(stay, step) >= 1):
        return ("cascade", cascade_order(stay, step))
    return ("pipeline", stay.distribution, stay.mean, stay.order, stay.sigma, remaining)


def structure_of(project: Project, layout: SystemLayout) -> tuple[object, ...]:
    """The lowered project with the values of its live parameters and every position and
    description left out: two scenarios with equal structures run on one compiled model,
    given their own parameter values."""
    live = {p.name for p in layout.parameters if p.live}
    return tuple(_shape(v, v.name in live) for v in project.main.variables)


def _shape(value: object, blank: bool = False) -> object:
    if isinstance(value, Variable) and blank:
        value = replace(value, equation=None)
    if is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, *(
            _shape(getattr(value, f.name)) for f in fields(value)
            if f.name not in ("span", "doc")))
    if isinstance(value, tuple):
        return tuple(_shape(v) for v in value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def lower_system(spec: SystemSpec, superset: Superset | None = None
                 ) -> tuple[Project, SystemLayout]:
    """The project simulating ``spec``, and where its people and costs are; against a
    ``superset`` (see :class:`Superset`), with what other scenarios need switched off."""
    builder = _Builder(spec, superset)
    layout = builder.build()
    if builder.duplicate_prevention:
        # The superset holds each prevention once; a scenario applying one twice is
        # lowered on its own (and compiled on its own).
        builder = _Builder(spec)
        layout = builder.build()
    specs = SimSpecs(0.0, spec.time.horizon, spec.time.step, None, "euler",
                     f"{spec.time.unit}s", spec.time.span)
    model = Model("", tuple(builder.variables), (), spec.time.span)
    project = Project(spec.name, spec.source, specs, (model,), format="xmile")
    return project, layout


# -- expression helpers -------------------------------------------------------------------
def _num(value: float, span: SourceSpan) -> Number:
    return Number(float(value), span)


def _ref(name: str, span: SourceSpan) -> Reference:
    return Reference(canonical_name(name), name, (), span)


def _sum(terms: Sequence[Expr], span: SourceSpan) -> Expr:
    if not terms:
        return _num(0.0, span)
    total = terms[0]
    for term in terms[1:]:
        total = Binary("+", total, term, span)
    return total


def _mul(a: Expr, b: Expr, span: SourceSpan) -> Expr:
    return Binary("*", a, b, span)


def _div(a: Expr, b: Expr, span: SourceSpan) -> Expr:
    return Binary("/", a, b, span)


def _sub(a: Expr, b: Expr, span: SourceSpan) -> Expr:
    return Binary("-", a, b, span)


@dataclass
class _Queue:
    """What flows into one service's queue."""

    inflows: list[str] = field(default_factory=list)


class _Builder:
    """Collects the variables of one lowered system."""

    def __init__(self, spec: SystemSpec, superset: Superset | None = None):
        self.spec = spec
        self.superset = superset
        self.variables: list[Variable] = []
        self.names: dict[str, str] = {}
        self.lanes: tuple[str, ...] = spec.lanes
        """Cohorts kept apart (see SystemSpec.lanes); empty: everyone pooled."""
        self.queues = {(s.id, lane): _Queue() for s in spec.services
                       for lane in (self.lanes or (None,))}
        self.lane_layouts: list[LaneLayout] = []
        self.initial_shares = _initial_shares(spec) if self.lanes else {}
        """Per service, each cohort's share of its people at the start (worked out once)."""
        self.recorded: set[str] = set()
        """Canonical names of the parameters recorded so far: with lanes, the cohorts'
        copies of a service share its parameters (one capacity, one stay, one fraction
        of a route written for everyone)."""
        self.left: list[str] = []
        self.left_unmet: list[str] = []
        self.arrival_flows: list[str] = []
        self.back_flows: list[str] = []
        self.returning: list[str] = []
        self.dt = Reference("dt", "DT", (), spec.time.span)
        self.per = f"people/{spec.time.unit}"
        self.gbp_per = f"GBP/{spec.time.unit}"
        self.parameters: list[Parameter] = []
        self.prevention_names: dict[int, tuple[str, str, str | None]] = {}
        self.duplicate_prevention = False
        """True when a scenario applies one prevention twice (the superset has it once)."""
        self.fallback = spec.time.span
        """Where a number that is not written is placed (the service being lowered)."""
        self.inflows: list[InflowLayout] = []

    def enter(self, target: str, flow: str, kind: str, source: str,
              lane: str | None = None) -> None:
        """People of ``flow`` join the queue of service ``target`` (its cohort ``lane``'s
        queue, with lanes), coming from ``source`` (a service, or the cohort for
        arrivals): recorded so comparisons can trace them."""
        self.queues[(target, lane)].inflows.append(flow)
        self.inflows.append(InflowLayout(target, canonical_name(flow), kind, source))

    # -- variables --------------------------------------------------------------------
    def add(self, name: str, kind: VariableKind, equation: Expr | None, span: SourceSpan,
            units: str | None = None, doc: str = "", **extra: object) -> str:
        key = canonical_name(name)
        if key in self.names:
            raise ModelStructureError(
                f"two parts of the system both need the variable name '{name}' "
                f"(also used for {self.names[key]})", span,
                hint="rename one of the ids so their names differ")
        self.names[key] = doc or name
        self.variables.append(Variable(key, name, kind, equation, span, units=units,
                                       doc=doc, **extra))  # type: ignore[arg-type]
        return name

    def param(self, name: str, value: float, units: str, kind: str, field_name: str,
              span: SourceSpan, doc: str = "", origin: str = "", live: bool = True) -> str:
        """A number of the file as a named constant, recorded in the parameter table; a
        number that is not ``live`` (it shapes the structure) is recorded only."""
        if self.lanes and canonical_name(name) in self.recorded:
            return name  # a cohort's copy of the service: the parameter is shared
        self.recorded.add(canonical_name(name))
        evidence = evidence_at(self.spec.source.text, span) or origin
        if not span.line:
            # Not written in the file: the default, placed at the nearest thing written.
            span, evidence = self.fallback, "not written in the file (the default)"
        if live:
            self.add(name, VariableKind.AUX, _num(value, span), span, units, doc or name)
        self.parameters.append(Parameter(canonical_name(name), name, float(value), units,
                                         kind, field_name, span, evidence, live))
        return name

    def quantity(self, name: str, quantity: Quantity, units: str, doc: str, kind: str,
                 field_name: str) -> str:
        span = quantity.span
        if quantity.weekly or quantity.points:
            # The profile stays a table; a scale on it is the parameter a run can set.
            profile = self.profile(f"{name} profile", quantity, units, doc)
            scale = self.param(f"{name} scale", 1.0, "1", kind, f"{field_name} (scale)",
                               span, f"factor on the profile of {doc}", quantity.origin)
            return self.add(name, VariableKind.AUX, _mul(_ref(profile, span),
                                                         _ref(scale, span), span),
                            span, units, doc)
        if quantity.growth:
            start = self.param(f"{name} at start", quantity.value, units, kind, field_name,
                               span, f"{doc} at time 0")
            rate = self.param(f"{name} growth", quantity.growth, "1", "growth",
                              f"{field_name}.growth", span, f"growth of {doc} per time unit")
            growth = Binary("^", Binary("+", _num(1.0, span), _ref(rate, span), span),
                            _ref("time", span), span)
            return self.add(name, VariableKind.AUX, _mul(_ref(start, span), growth, span),
                            span, units, doc)
        return self.param(name, quantity.value, units, kind, field_name, span, doc)

    def profile(self, name: str, quantity: Quantity, units: str, doc: str) -> str:
        """A time series or weekly profile as a table read at the current time."""
        span = quantity.span
        if quantity.weekly:
            day = Call("INT", (_ref("time", span),), span)
            index = Binary("mod", Binary("+", day, _num(quantity.first_weekday, span), span),
                           _num(7, span), span)
            table = GraphicalFunction(tuple(float(i) for i in range(7)), quantity.weekly,
                                      GraphicalFunctionKind.DISCRETE, span)
            return self.add(name, VariableKind.AUX, index, span, units, doc,
                            graphical_function=table)
        kind = (GraphicalFunctionKind.DISCRETE
                if quantity.interpolation is Interpolation.STEP
                else GraphicalFunctionKind.CONTINUOUS)
        xs = tuple(t for t, _ in quantity.points)
        ys = tuple(v for _, v in quantity.points)
        return self.add(name, VariableKind.AUX, _ref("time", span), span, units, doc,
                        graphical_function=GraphicalFunction(xs, ys, kind, span))

    # -- the whole system -------------------------------------------------------------
    def build(self) -> SystemLayout:
        for cohort in self.spec.cohorts:
            self.lower_cohort(cohort)
        if self.lanes:
            layouts = tuple(self.lower_lanes(s, {lane: self.lower_routes(s, lane)
                                                 for lane in self.lanes})
                            for s in self.spec.services)
        else:
            routed = {s.id: self.lower_routes(s) for s in self.spec.services}
            layouts = tuple(self.lower_service(s, routed[s.id]) for s in self.spec.services)
        self.lower_sinks()
        organisation_costs, intervention_costs = self.lower_costs(layouts)
        return self.layout(layouts, organisation_costs, intervention_costs)

    def lower_cohort(self, cohort: Cohort) -> None:
        span = cohort.span
        population = None
        if cohort.population is not None:
            population = self.quantity(f"{cohort.id} population", cohort.population,
                                       "people", f"population of {cohort.name}",
                                       "population", f"cohorts.{cohort.id}.population")
        for need in cohort.needs:
            rate = self.quantity(f"{cohort.id} with {need.id} arrival rate", need.arrivals,
                                 self.per if not need.per_person else f"1/{self.spec.time.unit}",
                                 f"{need.name}: arrivals per time unit"
                                 + (" per person" if need.per_person else ""),
                                 "arrival rate", f"cohorts.{cohort.id}.needs.{need.id}."
                                 + ("rate" if need.per_person else "arrivals"))
            equation: Expr = _ref(rate, need.span)
            if need.per_person and population is not None:
                equation = _mul(equation, _ref(population, span), span)
            kept = self.prevention(cohort.id, need.id, need.span)
            if kept is not None:
                equation = _mul(equation, kept, need.span)
            flow = self.add(f"{cohort.id} with {need.id} arriving", VariableKind.FLOW,
                            equation, need.span, self.per,
                            f"{cohort.name} presenting with {need.name}",
                            non_negative=True)
            self.enter(need.service, flow, "arrival", cohort.id,
                       cohort.id if self.lanes else None)
            self.arrival_flows.append(flow)

    def prevention(self, cohort: str, need: str, span: SourceSpan) -> Expr | None:
        factors: list[Expr] = []
        changes = (self.superset.preventions if self.superset is not None
                   else self.spec.preventions)
        for index, change in enumerate(changes):
            if change.cohort != cohort or (change.needs and need not in change.needs):
                continue
            share, after, ramp = self.prevention_parameters(index, change)
            if ramp is not None:
                progress = _div(_sub(_ref("time", span), _ref(after, span), span),
                                _ref(ramp, span), span)
                effect: Expr = Call("MIN", (_num(1, span), Call(
                    "MAX", (_num(0, span), progress), span)), span)
            else:
                effect = Call("STEP", (_num(1, span), _ref(after, span)), span)
            factors.append(_sub(_num(1, span), _mul(_ref(share, span), effect,
                                                    span), span))
        if not factors:
            return None
        total = factors[0]
        for factor in factors[1:]:
            total = _mul(total, factor, span)
        return total

    def prevention_parameters(self, index: int, change: PreventionChange
                              ) -> tuple[str, str, str | None]:
        """The named share, start and ramp of a prevention change (made once)."""
        if index not in self.prevention_names:
            base, where = self.prevention_label(change)
            taken = sum(1 for n in self.prevention_names.values()
                        if n[0].startswith(f"{base} share prevented"))
            if taken:  # the same prevention applied twice
                base = f"{base} ({taken + 1})"
            span, unit = change.span, self.spec.time.unit
            # Against a superset, a prevention this scenario does not apply prevents 0.
            in_force = self.spec.preventions.count(change) if self.superset else 1
            if in_force > 1:
                self.duplicate_prevention = True
            share = self.param(f"{base} share prevented",
                               change.reduce_by if in_force else 0.0, "1",
                               "intervention effect", f"{where}.reduce_by", span)
            after = self.param(f"{base} starts after", change.after, unit,
                               "intervention effect", f"{where}.after", span)
            ramp = (self.param(f"{base} ramp", change.ramp, unit, "intervention effect",
                               f"{where}.ramp", span) if change.ramp > 0 else None)
            self.prevention_names[index] = (share, after, ramp)
        return self.prevention_names[index]

    def prevention_label(self, change: PreventionChange) -> tuple[str, str]:
        """A prevention's name (its intervention's id) and field in the file."""
        for intervention in self.spec.interventions:
            own = [c for c in intervention.changes if isinstance(c, PreventionChange)]
            if change in own:
                number = f" {own.index(change) + 1}" if len(own) > 1 else ""
                at = intervention.changes.index(change)
                return (f"{intervention.id} prevention{number}",
                        f"interventions.{intervention.id}.changes[{at}]")
        return f"prevention of {change.cohort}", f"prevention of {change.cohort}"

    def lower_routes(self, service: Service, lane: str | None = None
                     ) -> list[tuple[str, str]]:
        """Names of the route flows out of a service (out of its cohort ``lane``'s copy,
        with lanes), with their fraction parameters; the flows themselves are made with
        the service (they need its discharges or contacts)."""
        flows: list[tuple[str, str]] = []
        used: set[str] = set()
        pathway = self.spec.pathway_from(service.id, lane)
        own = pathway is not None and pathway.cohort is not None
        written = pathway is not None
        of = f" of {lane}" if lane else ""
        for index, route in enumerate(self.spec.routes_from(service.id, lane)):
            base = (f"{service.id} to {route.to}" if route.after is None
                    else f"{service.id} to {route.to} later")
            name, n = base, 2
            while name in used:
                name, n = f"{base} {n}", n + 1
            used.add(name)
            selector = f"from={service.id},cohort={lane}" if own else f"from={service.id}"
            where = f"pathways[{selector}].routes[{index}]"
            self.fallback = service.span  # no pathway written: everyone leaves
            # A route written for everyone has one fraction, shared by every cohort's copy.
            fraction = self.param(f"{name}{of if own else ''} fraction", route.fraction, "1",
                                  "route fraction", f"{where}.fraction",
                                  route.span if written else UNKNOWN_SPAN,
                                  f"share of the people leaving {service.name} who go to "
                                  f"{route.to}" + (f" ({lane})" if own else ""))
            flow = f"{name}{of}"
            flows.append((flow, fraction))
            if route.after is not None:
                self.lower_return(service, route.to, flow, route.after, route.span,
                                  name[len(base):], f"{where}.after", lane, own)
            elif route.to == LEAVE:
                self.left.append(flow)
            elif route.to == UNMET:
                self.left_unmet.append(flow)
            else:
                self.enter(route.to, flow, "route", service.id, lane)
        return flows

    def lower_return(self, service: Service, target: str, flow: str, delay: Duration,
                     span: SourceSpan, suffix: str, field_name: str,
                     lane: str | None = None, own: bool = False) -> None:
        of = f" of {lane}" if lane else ""
        stock = f"{service.id} returning to {target}{suffix}{of}"
        back = f"{service.id} back to {target}{suffix}{of}"
        self.add(stock, VariableKind.STOCK, _num(0, span), span, "people",
                 f"people who left {service.name} with their need unmet and will come "
                 f"back to {target}", inflows=(canonical_name(flow),),
                 outflows=(canonical_name(back),))
        # The delay of a route written for everyone is one parameter for every cohort.
        delay_name = f"{service.id} returning to {target}{suffix}{of if own else ''} delay"
        leaving = self.delayed(_ref(flow, span), delay, None, "residual", span,
                               delay_name, "delay", field_name)
        self.add(back, VariableKind.FLOW, leaving, span, self.per,
                 f"re-presentations to {target}")
        self.enter(target, back, "return", service.id, lane)
        self.back_flows.append(back)
        self.returning.append(stock)

    def delayed(self, flow: Expr, delay: Duration, initial_people: str | None,
                remaining: str, span: SourceSpan, name: str, kind: str,
                field_name: str) -> Expr:
        """``flow`` as it leaves after ``delay`` (its mean the parameter ``name``); the
        parameter ``initial_people`` (None: nobody) are in the delay at the start.

        An Erlang cascade takes its mean as a live parameter; a pipeline mixture's delays
        and weights are worked out from the distribution here, so its mean (and shape)
        are recorded as numbers that shape the structure.
        """
        step = self.spec.time.step
        shape = delay.distribution
        unit = self.spec.time.unit
        dspan = delay.span if delay.span.line else span
        if shape in (Distribution.EXPONENTIAL, Distribution.ERLANG) and remaining == "residual":
            order = cascade_order(delay, step)
            if order >= 1:
                mean = self.param(name, delay.mean, unit, kind, field_name, dspan)
                if shape is Distribution.ERLANG:
                    self.param(f"{name} order", order, "1", kind, f"{field_name}.order",
                               dspan, live=False)
                initial: Expr = (_num(0.0, span) if initial_people is None else
                                 _div(_ref(initial_people, span), _ref(mean, span), span))
                return Call("DELAYN", (flow, _ref(mean, span), _num(order, span),
                                       initial), span)
        self.param(name, delay.mean, unit, kind, field_name, dspan, live=False)
        if shape is Distribution.LOGNORMAL:
            self.param(f"{name} sigma", delay.sigma, "1", kind, f"{field_name}.sigma", dspan,
                       live=False)
        horizon_steps = math.ceil(self.spec.time.horizon / step - 1e-9)
        terms = []
        for term in pipeline_mixture(delay, step, horizon_steps, remaining):
            initial = (_num(0.0, span) if initial_people is None else
                       _mul(_ref(initial_people, span), _num(term.initial_rate, span), span))
            pipeline = Call("DELAY", (flow, _num(term.steps * step, span), initial), span)
            terms.append(_mul(_num(term.weight, span), pipeline, span))
        return _sum(terms, span)

    def lower_service(self, service: Service, routes: list[tuple[str, str]]
                      ) -> ServiceLayout:
        span, sid = service.span, service.id
        self.fallback = span
        waiting = f"{sid} waiting"
        arrivals = f"{sid} arrivals"
        inflows = self.queues[(sid, None)].inflows
        self.add(arrivals, VariableKind.AUX,
                 _sum([_ref(f, span) for f in inflows], span), span, self.per,
                 f"people arriving at {service.name}")
        capacity = self.lower_capacity(service)
        demand = Binary("+", _div(_ref(waiting, span), self.dt, span), _ref(arrivals, span),
                        span)
        in_service: str | None
        if service.kind is ServiceKind.VISITS:
            capacity = self.lower_visit_places(service, capacity)
        # What is commissioned (and charged): nothing when this scenario leaves it unlimited.
        commissioned = capacity if service.capacity is not None else None
        if service.kind in (ServiceKind.PLACES, ServiceKind.VISITS):
            served, outflows_of_waiting, in_service = self.lower_places(
                service, routes, demand, capacity)
        else:
            served, outflows_of_waiting, in_service = self.lower_contacts(
                service, routes, demand, capacity)
        diverted = self.lower_divert(service, demand, served)
        if diverted:
            outflows_of_waiting.append(diverted)
        where = f" (in {service.when_full.queue_in})" if service.when_full.queue_in else ""
        initial = self.param(f"{sid} initial waiting", service.initial_waiting, "people",
                             "initial people", f"services.{sid}.initial.waiting",
                             service.initial_span, f"people waiting for {service.name} at "
                                                   "the start")
        self.add(waiting, VariableKind.STOCK, _ref(initial, span), span,
                 "people", f"people waiting for {service.name}{where}",
                 inflows=tuple(canonical_name(f) for f in inflows),
                 outflows=tuple(canonical_name(f) for f in outflows_of_waiting))
        return self.lower_service_costs(service, waiting, in_service, served, commissioned)

    def lower_places(self, service: Service, routes: list[tuple[str, str]], demand: Expr,
                     capacity: str | None) -> tuple[str, list[str], str]:
        span, sid = service.span, service.id
        in_service, admissions = f"{sid} in service", f"{sid} admissions"
        discharges, free = f"{sid} discharges", f"{sid} free places"
        assert service.length_of_stay is not None
        initial = self.param(f"{sid} initial in service", service.initial_in_service,
                             "people", "initial people", f"services.{sid}.initial.in_service",
                             service.initial_span, f"people in {service.name} at the start")
        leaving = self.stay(service, _ref(admissions, span), initial)
        self.add(discharges, VariableKind.AUX, leaving, span, self.per,
                 f"people leaving {service.name}")
        room: Expr = (_num(UNLIMITED, span) if capacity is None else
                      self.room(capacity, in_service, discharges, span))
        self.add(free, VariableKind.AUX, room, span, self.per,
                 f"places of {service.name} free for admissions in this step")
        self.add(admissions, VariableKind.FLOW, Call("MIN", (demand, _ref(free, span)), span),
                 span, self.per, f"admissions to {service.name}", non_negative=True)
        for name, fraction in routes:
            self.add(name, VariableKind.FLOW, _mul(_ref(discharges, span),
                                                   _ref(fraction, span), span),
                     span, self.per, f"the share '{fraction}' of the people leaving "
                                     f"{service.name}")
        self.add(in_service, VariableKind.STOCK, _ref(initial, span), span,
                 "people", f"people in {service.name}",
                 inflows=(canonical_name(admissions),),
                 outflows=tuple(canonical_name(n) for n, _ in routes))
        return admissions, [admissions], in_service

    def lower_visit_places(self, service: Service, capacity: str | None) -> str | None:
        """Visits a person-day on average, and the visit capacity as place equivalents.

        People here move as fractions, so a day's visits are the people in service times
        the mean visits a person-day; admissions stop when those would exceed the day's
        visits (people are not held back for front-loaded schedules as in the journeys).
        """
        span, sid = service.span, service.id
        assert service.visits is not None
        assert service.length_of_stay is not None
        mean = mean_visits_per_day(service.visits, service.length_of_stay,
                                   self.spec.time.step)
        # Worked out from the visit schedule and the stay, so a scenario changing the stay
        # sets it as a parameter of the shared model.
        self.param(f"{sid} visits per person day", mean, "visits/person/day", "visits",
                   f"services.{sid}.visits", span, f"visits a person-day of {service.name}, "
                                                   "on average over stays")
        if capacity is None:
            return None
        return self.add(f"{sid} place equivalents", VariableKind.AUX, _div(
            _ref(capacity, span), _ref(f"{sid} visits per person day", span), span), span,
            "people", f"people {service.name} can visit with its visit capacity")

    def stay(self, service: Service, admissions: Expr, initial: str,
             lane: str | None = None) -> Expr:
        """People leaving a place after their stay; against a superset whose stays of this
        service take several shapes, each shape is lowered and switched on or off. A
        cohort ``lane`` with a stay of its own leaves after that one."""
        assert service.length_of_stay is not None
        span, sid = service.span, service.id
        own = self.spec.stay_of(service, lane) if lane else None
        if lane is not None and own is not None and own is not service.length_of_stay:
            return self.delayed(admissions, own, initial, service.remaining_stay, span,
                                f"{sid} length of stay of {lane}", "length of stay",
                                f"cohorts.{lane}.length_of_stay.{sid}")
        field_name = f"services.{sid}.length_of_stay"
        variants = (self.superset.stays.get(sid, ()) if self.superset is not None else ())
        if not variants:
            return self.delayed(admissions, service.length_of_stay, initial,
                                service.remaining_stay, span, f"{sid} length of stay",
                                "length of stay", field_name)
        step = self.spec.time.step
        mine = _stay_key(service.length_of_stay, step, service.remaining_stay)
        terms = []
        for number, variant in enumerate(variants):
            suffix = "" if number == 0 else f" (shape {number + 1})"
            chosen = _stay_key(variant, step, service.remaining_stay) == mine
            # The shape in force carries this scenario's own numbers (a cascade's mean).
            stay = service.length_of_stay if chosen else variant
            leaving = self.delayed(admissions, stay, initial, service.remaining_stay, span,
                                   f"{sid} length of stay{suffix}", "length of stay",
                                   field_name)
            switch = self.param(f"{sid} length of stay{suffix} in force",
                                1.0 if chosen else 0.0, "1", "scenario switch", field_name,
                                stay.span, f"1 when this shape of stay of {service.name} "
                                           "is the one in force")
            terms.append(_mul(_ref(switch, span), leaving, span))
        return _sum(terms, span)

    # -- cohorts kept apart (lanes) ------------------------------------------------------
    def lower_lanes(self, service: Service, routes: dict[str, list[tuple[str, str]]]
                    ) -> ServiceLayout:
        """A service whose people are kept apart by cohort: each cohort has its own queue
        and (places) its own people in service, leaving after its own stay by its own
        routes; the cohorts share the service's capacity in proportion to their demand
        (each gets the same share of what it asks for). The service's totals are the
        sums of the cohorts', so costs and the ledger read them as without lanes."""
        span, sid = service.span, service.id
        self.fallback = span
        capacity = self.lower_capacity(service)
        if service.kind is ServiceKind.VISITS:
            capacity = self.lower_visit_places(service, capacity)
        commissioned = capacity if service.capacity is not None else None
        waiting0 = self.param(f"{sid} initial waiting", service.initial_waiting, "people",
                              "initial people", f"services.{sid}.initial.waiting",
                              service.initial_span, f"people waiting for {service.name} at "
                                                    "the start")
        shares = self.initial_shares[sid]
        demands = {}
        for lane in self.lanes:
            inflows = self.queues[(sid, lane)].inflows
            arrivals = self.add(f"{sid} arrivals of {lane}", VariableKind.AUX,
                                _sum([_ref(f, span) for f in inflows], span), span, self.per,
                                f"people of {lane} arriving at {service.name}")
            demands[lane] = self.add(
                f"{sid} demand of {lane}", VariableKind.AUX,
                Binary("+", _div(_ref(f"{sid} waiting of {lane}", span), self.dt, span),
                       _ref(arrivals, span), span), span, self.per,
                f"people of {lane} asking for {service.name} in this step")
        total = self.add(f"{sid} demand", VariableKind.AUX,
                         _sum([_ref(d, span) for d in demands.values()], span), span,
                         self.per, f"people asking for {service.name} in this step")
        if service.kind is ServiceKind.CONTACTS:
            served, in_service = self.lower_lane_contacts(service, routes, demands, total,
                                                          capacity)
        else:
            served, in_service = self.lower_lane_places(service, routes, demands, total,
                                                        capacity, shares)
        where = f" (in {service.when_full.queue_in})" if service.when_full.queue_in else ""
        for lane in self.lanes:
            outflows = [served[lane]]
            diverted = self.lower_divert(service, _ref(demands[lane], span), served[lane],
                                         lane)
            if diverted:
                outflows.append(diverted)
            self.add(f"{sid} waiting of {lane}", VariableKind.STOCK,
                     _mul(_ref(waiting0, span), _num(shares[lane], span), span), span,
                     "people", f"people of {lane} waiting for {service.name}{where}",
                     inflows=tuple(canonical_name(f)
                                   for f in self.queues[(sid, lane)].inflows),
                     outflows=tuple(canonical_name(f) for f in outflows))
        waiting = self.total(f"{sid} waiting", [f"{sid} waiting of {c}" for c in self.lanes],
                             span, "people", f"people waiting for {service.name}{where}")
        served_total = self.total(f"{sid} {'contacts' if in_service is None else 'admissions'}",
                                  list(served.values()), span, self.per,
                                  f"people served by {service.name}")
        layout = self.lower_service_costs(service, waiting, in_service, served_total,
                                          commissioned)
        self.lower_lane_costs(service, served, in_service is not None)
        return layout

    def total(self, name: str, parts: list[str], span: SourceSpan, units: str,
              doc: str) -> str:
        """An auxiliary that adds up the cohorts' copies of one quantity."""
        return self.add(name, VariableKind.AUX, _sum([_ref(p, span) for p in parts], span),
                        span, units, doc)

    def room(self, capacity: str, in_service: str, discharges: str, span: SourceSpan
             ) -> Expr:
        """Places free for admissions in a step: the empty places, per DT, and those that
        the step's discharges free (never below 0)."""
        return Call("MAX", (_num(0, span), Binary("+", _div(_sub(
            _ref(capacity, span), _ref(in_service, span), span), self.dt, span),
            _ref(discharges, span), span)), span)

    def lower_capacity(self, service: Service) -> str | None:
        """The capacity parameter of a service (a limit never reached where a scenario
        of the superset leaves it unlimited); None when unlimited."""
        sid = service.id
        units = {ServiceKind.PLACES: "people", ServiceKind.CONTACTS: self.per,
                 ServiceKind.VISITS: f"visits/{self.spec.time.unit}"}[service.kind]
        if service.capacity is not None:
            return self.quantity(f"{sid} capacity", service.capacity, units,
                                 f"capacity of {service.name}", "capacity",
                                 f"services.{sid}.capacity")
        if self.superset is not None and sid in self.superset.limited:
            # Limited in another scenario, unlimited in this one: a limit never reached.
            return self.param(f"{sid} capacity", UNLIMITED, units, "capacity",
                              f"services.{sid}.capacity", UNKNOWN_SPAN,
                              f"capacity of {service.name} (none: unlimited)")
        return None

    def admitted_share(self, service: Service, room: Expr, total: str) -> str:
        """The share of what each cohort asks for that the service can take in this
        step: 1 while there is room for everyone (0 of nothing asked is nothing)."""
        span = service.span
        return self.add(f"{service.id} share admitted", VariableKind.AUX, Call("MIN", (
            _num(1.0, span), _div(room, Call("MAX", (_ref(total, span), _num(1e-12, span)),
                                             span), span)), span), span, "1",
            f"share of the people asking for {service.name} it takes in this step")

    def lower_lane_places(self, service: Service, routes: dict[str, list[tuple[str, str]]],
                          demands: dict[str, str], total: str, capacity: str | None,
                          shares: dict[str, float]) -> tuple[dict[str, str], str]:
        span, sid = service.span, service.id
        assert service.length_of_stay is not None
        initial = self.param(f"{sid} initial in service", service.initial_in_service,
                             "people", "initial people", f"services.{sid}.initial.in_service",
                             service.initial_span, f"people in {service.name} at the start")
        share = None
        if capacity is not None:
            room = self.room(capacity, f"{sid} in service", f"{sid} discharges", span)
            share = self.admitted_share(service, room, total)
        served, discharges = {}, []
        for lane in self.lanes:
            admissions = f"{sid} admissions of {lane}"
            start = self.add(f"{sid} initial in service of {lane}", VariableKind.AUX,
                             _mul(_ref(initial, span), _num(shares[lane], span), span), span,
                             "people", f"people of {lane} in {service.name} at the start")
            leaving = self.add(f"{sid} discharges of {lane}", VariableKind.AUX,
                               self.stay(service, _ref(admissions, span), start, lane), span,
                               self.per, f"people of {lane} leaving {service.name}")
            discharges.append(leaving)
            demand: Expr = _ref(demands[lane], span)
            self.add(admissions, VariableKind.FLOW, demand if share is None else _mul(
                demand, _ref(share, span), span), span, self.per,
                f"admissions of {lane} to {service.name}", non_negative=True)
            for name, fraction in routes[lane]:
                self.add(name, VariableKind.FLOW, _mul(_ref(leaving, span),
                                                       _ref(fraction, span), span),
                         span, self.per, f"the share '{fraction}' of the people of {lane} "
                                         f"leaving {service.name}")
            self.add(f"{sid} in service of {lane}", VariableKind.STOCK, _ref(start, span),
                     span, "people", f"people of {lane} in {service.name}",
                     inflows=(canonical_name(admissions),),
                     outflows=tuple(canonical_name(n) for n, _ in routes[lane]))
            served[lane] = admissions
        self.total(f"{sid} discharges", discharges, span, self.per,
                   f"people leaving {service.name}")
        in_service = self.total(f"{sid} in service",
                                [f"{sid} in service of {c}" for c in self.lanes], span,
                                "people", f"people in {service.name}")
        return served, in_service

    def lower_lane_contacts(self, service: Service,
                            routes: dict[str, list[tuple[str, str]]],
                            demands: dict[str, str], total: str, capacity: str | None
                            ) -> tuple[dict[str, str], None]:
        span, sid = service.span, service.id
        share = None if capacity is None else self.admitted_share(
            service, _ref(capacity, span), total)
        served = {}
        for lane in self.lanes:
            demand: Expr = _ref(demands[lane], span)
            contacts = self.add(f"{sid} contacts of {lane}", VariableKind.AUX,
                                demand if share is None else _mul(demand, _ref(share, span),
                                                                  span),
                                span, self.per, f"people of {lane} seen by {service.name}")
            for name, fraction in routes[lane]:
                self.add(name, VariableKind.FLOW, _mul(_ref(contacts, span),
                                                       _ref(fraction, span), span),
                         span, self.per, f"the share '{fraction}' of the people of {lane} "
                                         f"seen by {service.name}")
            served[lane] = contacts
        return served, None

    def lower_lane_costs(self, service: Service, served: dict[str, str],
                         holds: bool) -> None:
        """Each cohort's running cost of the service (capacity and fixed costs are the
        service's, not a cohort's) and of its people waiting, for the ledger by cohort."""
        span, sid, unit = service.span, service.id, self.spec.time.unit
        for lane in self.lanes:
            people = _ref(f"{sid} in service of {lane}", span)
            if service.kind is ServiceKind.VISITS:
                rate: Expr = _mul(_mul(people, _ref(f"{sid} visits per person day", span),
                                       span), _ref(f"{sid} cost per visit", span), span)
            elif holds:
                rate = _mul(people, _ref(f"{sid} cost per occupied {unit}", span), span)
            else:
                rate = _mul(_ref(served[lane], span), _ref(f"{sid} cost per contact", span),
                            span)
            waits = _mul(_ref(f"{sid} waiting of {lane}", span),
                         _ref(f"{sid} waiting cost per {unit}", span), span)
            stocks = []
            for what, flow in (("cost", rate), ("waiting cost", waits)):
                name = self.add(f"{sid} {what} rate of {lane}", VariableKind.FLOW, flow,
                                span, self.gbp_per, f"{what} of {lane} in {service.name}")
                stocks.append(self.add(
                    f"{sid} {what} of {lane}", VariableKind.STOCK, _num(0, span), span,
                    "GBP", f"cumulative {what} of {lane} in {service.name}",
                    inflows=(canonical_name(name),)))
            self.lane_layouts.append(LaneLayout(
                sid, lane, canonical_name(f"{sid} waiting of {lane}"),
                canonical_name(f"{sid} in service of {lane}") if holds else None,
                canonical_name(served[lane]), canonical_name(stocks[0]),
                canonical_name(stocks[1])))

    def lower_contacts(self, service: Service, routes: list[tuple[str, str]], demand: Expr,
                       capacity: str | None) -> tuple[str, list[str], None]:
        span, sid = service.span, service.id
        contacts = f"{sid} contacts"
        seen: Expr = demand if capacity is None else Call(
            "MIN", (demand, _ref(capacity, span)), span)
        self.add(contacts, VariableKind.AUX, seen, span, self.per,
                 f"people seen by {service.name}")
        for name, fraction in routes:
            self.add(name, VariableKind.FLOW, _mul(_ref(contacts, span),
                                                   _ref(fraction, span), span),
                     span, self.per, f"the share '{fraction}' of the people seen by "
                                     f"{service.name}")
        return contacts, [name for name, _ in routes], None

    def lower_divert(self, service: Service, demand: Expr, served: str,
                     lane: str | None = None) -> str | None:
        target = service.when_full.divert_to
        if target is None:
            return None
        span = service.span
        name = f"{service.id} diverted" + (f" of {lane}" if lane else "")
        self.add(name, VariableKind.FLOW, Call("MAX", (_num(0, span), _sub(
            demand, _ref(served, span), span)), span), span, self.per,
            f"people turned away by {service.name} when full")
        if target == UNMET:
            self.left_unmet.append(name)
        else:
            self.enter(target, name, "divert", service.id, lane)
        return name

    def lower_service_costs(self, service: Service, waiting: str, in_service: str | None,
                            served: str, capacity: str | None) -> ServiceLayout:
        span, sid, costs = service.span, service.id, service.costs
        unit, field_name = self.spec.time.unit, f"services.{sid}.costs"
        # Every unit cost is a parameter, zero ones too, so a sweep can vary any of them.
        if service.kind is ServiceKind.VISITS and in_service is not None:
            visits = self.add(f"{sid} visits", VariableKind.AUX, _mul(
                _ref(in_service, span), _ref(f"{sid} visits per person day", span), span),
                span, f"visits/{unit}", f"visits made by {service.name}")
            per_visit = self.param(f"{sid} cost per visit", costs.per_visit, "GBP/visit",
                                   "unit cost", f"{field_name}.per_visit", costs.visit_span,
                                   f"cost of a visit by {service.name}")
            owner: Expr = _mul(_ref(visits, span), _ref(per_visit, span), span)
        elif in_service is not None:
            occupied = self.param(f"{sid} cost per occupied {unit}", costs.per_occupied_day,
                                  f"GBP/person/{unit}", "unit cost",
                                  f"{field_name}.per_occupied_day", costs.occupied_span,
                                  f"cost of an occupied place of {service.name} per {unit}")
            owner = _mul(_ref(in_service, span), _ref(occupied, span), span)
        else:
            contact = self.param(f"{sid} cost per contact", costs.per_contact, "GBP/person",
                                 "unit cost", f"{field_name}.per_contact", costs.contact_span,
                                 f"cost of a contact with {service.name}")
            owner = _mul(_ref(served, span), _ref(contact, span), span)
        waiting_cost = self.param(f"{sid} waiting cost per {unit}", costs.per_delayed_day,
                                  f"GBP/person/{unit}", "unit cost",
                                  f"{field_name}.per_delayed_day", costs.delayed_span,
                                  f"cost of a person waiting for {service.name} per {unit}")
        capacity_cost = self.lower_capacity_costs(service, capacity)
        if capacity_cost is not None:
            owner = Binary("+", owner, _ref(capacity_cost[0], span), span)
        owner_rate = self.add(f"{sid} cost rate", VariableKind.FLOW, owner,
                              span, self.gbp_per, f"cost of {service.name} to its owner")
        delay_rate = self.add(f"{sid} waiting cost rate", VariableKind.FLOW, _mul(
            _ref(waiting, span), _ref(waiting_cost, span), span), span, self.gbp_per,
            f"cost of people waiting for {service.name}")
        owner_cost = self.add(f"{sid} cost", VariableKind.STOCK, _num(0, span), span, "GBP",
                              f"cumulative cost of {service.name}",
                              inflows=(canonical_name(owner_rate),))
        delay_cost = self.add(f"{sid} waiting cost", VariableKind.STOCK, _num(0, span), span,
                              "GBP", f"cumulative cost of waiting for {service.name}",
                              inflows=(canonical_name(delay_rate),))
        return ServiceLayout(sid, canonical_name(waiting),
                             canonical_name(in_service) if in_service else None,
                             canonical_name(served), canonical_name(owner_cost),
                             canonical_name(delay_cost), canonical_name(owner_rate),
                             canonical_name(delay_rate),
                             canonical_name(capacity) if capacity else None,
                             canonical_name(capacity_cost[1]) if capacity_cost else None)

    def lower_capacity_costs(self, service: Service, capacity: str | None
                             ) -> tuple[str, str] | None:
        """The rate and stock of what the commissioned capacity costs its owner, full or
        empty: places x cost per place, whole teams x cost per team, and fixed costs.
        Only costs the file gives become parameters (most services pay for use alone)."""
        span, sid, costs = service.span, service.id, service.costs
        unit, field_name = self.spec.time.unit, f"services.{sid}.costs"
        terms: list[Expr] = []
        if capacity is not None and costs.per_place:
            place = self.param(f"{sid} cost per place per {unit}", costs.per_place,
                               f"GBP/place/{unit}", "unit cost", f"{field_name}.per_place",
                               costs.place_span,
                               f"cost of a commissioned place of {service.name} per {unit}")
            terms.append(_mul(_ref(capacity, span), _ref(place, span), span))
        if capacity is not None and costs.staffing is not None:
            terms.append(self.lower_staffing(service, capacity))
        if costs.fixed:
            terms.append(_ref(self.param(
                f"{sid} fixed cost per {unit}", costs.fixed, f"GBP/{unit}", "unit cost",
                f"{field_name}.fixed", costs.fixed_span,
                f"fixed cost of {service.name} per {unit}"), span))
        if not terms:
            return None
        rate = self.add(f"{sid} capacity cost rate", VariableKind.FLOW, _sum(terms, span),
                        span, self.gbp_per,
                        f"cost of the commissioned capacity of {service.name}, used or not")
        stock = self.add(f"{sid} capacity cost", VariableKind.STOCK, _num(0, span), span,
                         "GBP", f"cumulative cost of the capacity of {service.name}",
                         inflows=(canonical_name(rate),))
        return rate, stock

    def lower_staffing(self, service: Service, capacity: str) -> Expr:
        """Whole teams x cost per team: ceil(capacity / team size), written with INT (a
        floor) and a small tolerance so an exact multiple does not buy one team more."""
        span, sid, costs = service.span, service.id, service.costs
        assert costs.staffing is not None
        unit, field_name = self.spec.time.unit, f"services.{sid}.costs.staffing"
        size = self.param(f"{sid} places per team", costs.staffing.places_per_team,
                          "places/team", "staffing", f"{field_name}.places_per_team",
                          costs.staffing_span, f"places one team of {service.name} staffs")
        per_team = self.param(f"{sid} cost per team per {unit}", costs.staffing.per_team,
                              f"GBP/team/{unit}", "unit cost", f"{field_name}.amount",
                              costs.staffing_span,
                              f"cost of one team of {service.name} per {unit}")
        ratio = _div(_ref(capacity, span), _ref(size, span), span)
        ceiling = Binary("+", Call("INT", (_sub(ratio, _num(1e-9, span), span),), span),
                         _num(1, span), span)
        teams = self.add(f"{sid} teams", VariableKind.AUX, Call(
            "MAX", (_num(0, span), ceiling), span), span, "teams",
            f"staffing teams commissioned for {service.name}")
        return _mul(_ref(teams, span), _ref(per_team, span), span)

    def lower_sinks(self) -> None:
        span = self.spec.time.span
        self.add("people left", VariableKind.STOCK, _num(0, span), span, "people",
                 "people who have left the system with their need met",
                 inflows=tuple(canonical_name(f) for f in self.left))
        self.add("people left unmet", VariableKind.STOCK, _num(0, span), span, "people",
                 "people who have left the system with their need unmet",
                 inflows=tuple(canonical_name(f) for f in self.left_unmet))
        self.add("arrivals counted", VariableKind.FLOW,
                 _sum([_ref(f, span) for f in self.arrival_flows], span), span, self.per,
                 "people arriving from outside the system (a count, not a move)")
        self.add("people arrived", VariableKind.STOCK, _num(0, span), span, "people",
                 "people who have arrived from outside the system",
                 inflows=(canonical_name("arrivals counted"),))
        self.add("re-presentations counted", VariableKind.FLOW,
                 _sum([_ref(f, span) for f in self.back_flows], span), span, self.per,
                 "people coming back with a need not met (a count, not a move)")
        self.add("repeat presentations", VariableKind.STOCK, _num(0, span), span, "people",
                 "re-presentations of people whose need was not met (failure demand)",
                 inflows=(canonical_name("re-presentations counted"),))
        self.add("people waiting", VariableKind.AUX, _sum(
            [_ref(f"{s.id} waiting", span) for s in self.spec.services], span), span,
            "people", "people waiting for any service")

    def lower_costs(self, layouts: tuple[ServiceLayout, ...]
                    ) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str, str], ...]]:
        spec = self.spec
        span = spec.time.span
        by_name = {v.name: v.display for v in self.variables}
        interventions = []
        payments: dict[str, list[Expr]] = {o.id: [] for o in spec.organisations}
        charged = spec.applied if self.superset is None else tuple(
            dict.fromkeys((*self.superset.interventions, *spec.applied)))
        for intervention_id in charged:
            intervention = spec.intervention(intervention_id)
            cost = intervention.cost
            if cost is None:
                continue
            applied = intervention_id in spec.applied
            if not applied:
                # Against a superset: charged in some other scenario, nothing in this one.
                cost = replace(cost, per_time=0.0, one_off=0.0)
            ispan = intervention.span
            cspan = cost.span if cost.span.line else ispan
            unit, where = self.spec.time.unit, f"interventions.{intervention_id}.cost"
            running = self.param(f"{intervention_id} running cost per {unit}", cost.per_time,
                                 self.gbp_per, "intervention cost", f"{where}.amount", cspan,
                                 f"running cost of {intervention.name} per {unit}")
            rate: Expr = _ref(running, ispan)
            if cost.one_off or self.superset is not None:
                one_off = self.param(f"{intervention_id} one-off cost", cost.one_off, "GBP",
                                     "intervention cost", f"{where}.one_off", cspan,
                                     f"one-off cost of {intervention.name}")
                rate = Binary("+", rate, Call("PULSE", (_ref(one_off, ispan),
                                                        _num(0, ispan)), ispan), ispan)
            rate_name = self.add(f"{intervention_id} cost rate", VariableKind.FLOW, rate, ispan,
                                 self.gbp_per, f"running cost of {intervention.name}")
            stock = self.add(f"{intervention_id} cost", VariableKind.STOCK, _num(0, ispan),
                             ispan, "GBP", f"cumulative cost of {intervention.name}",
                             inflows=(canonical_name(rate_name),))
            payments[cost.payer].append(_ref(rate_name, ispan))
            if applied:
                interventions.append((intervention_id, cost.payer, canonical_name(stock)))
        for layout in layouts:
            service = spec.service(layout.service)
            payments[service.owner].append(_ref(by_name[layout.owner_rate], span))
            payments[service.delay_payer].append(_ref(by_name[layout.delay_rate], span))
        organisations = []
        spending = []
        for organisation in spec.organisations:
            rate_name = self.add(f"spending by {organisation.id}", VariableKind.FLOW,
                                 _sum(payments[organisation.id], organisation.span),
                                 organisation.span, self.gbp_per,
                                 f"what {organisation.name} spends per time unit")
            stock = self.add(f"cost to {organisation.id}", VariableKind.STOCK,
                             _num(0, organisation.span), organisation.span, "GBP",
                             f"cumulative cost to {organisation.name}",
                             inflows=(canonical_name(rate_name),))
            organisations.append((organisation.id, canonical_name(stock)))
            spending.append(_ref(rate_name, organisation.span))
        self.add("whole system spending", VariableKind.FLOW, _sum(spending, span), span,
                 self.gbp_per, "what every organisation together spends per time unit")
        self.add("whole system cost", VariableKind.STOCK, _num(0, span), span, "GBP",
                 "cumulative cost to every organisation together",
                 inflows=(canonical_name("whole system spending"),))
        return tuple(organisations), tuple(interventions)

    def layout(self, services: tuple[ServiceLayout, ...],
               organisation_costs: tuple[tuple[str, str], ...],
               intervention_costs: tuple[tuple[str, str, str], ...]) -> SystemLayout:
        people = [s.waiting for s in services]
        people += [s.in_service for s in services if s.in_service]
        people += [canonical_name(r) for r in self.returning]
        initial = sum(s.initial_waiting + s.initial_in_service for s in self.spec.services)
        return SystemLayout(
            services=services, organisation_costs=organisation_costs,
            intervention_costs=intervention_costs, people_stocks=tuple(people),
            returning=tuple(canonical_name(r) for r in self.returning),
            arrival_flows=tuple(canonical_name(f) for f in self.arrival_flows),
            arrived=canonical_name("people arrived"), left=canonical_name("people left"),
            left_unmet=canonical_name("people left unmet"),
            repeat_presentations=canonical_name("repeat presentations"),
            whole_system_cost=canonical_name("whole system cost"), initial_people=initial,
            parameters=tuple(self.parameters), inflows=tuple(self.inflows),
            lanes=tuple(self.lane_layouts))


def _initial_shares(spec: SystemSpec) -> dict[str, dict[str, float]]:
    """How the people in each service at the start are shared among the cohorts kept
    apart: in proportion to the cohorts' arrivals at time 0, among the cohorts whose
    pathways reach the service (equally among them when none arrive; among all when
    none reaches it). The file says how many are there, not whose they are."""
    rates: dict[str, float] = {}
    for cohort in spec.cohorts:
        total = 0.0
        for need in cohort.needs:
            rate = need.arrivals.at(0.0)
            if need.per_person and cohort.population is not None:
                rate *= cohort.population.at(0.0)
            total += rate
        rates[cohort.id] = total
    reach = {c.id: _reached(spec, c) for c in spec.cohorts}
    shares: dict[str, dict[str, float]] = {}
    for service in spec.services:
        reaching = [c for c in spec.lanes if service.id in reach[c]] or list(spec.lanes)
        weight = sum(rates[c] for c in reaching)
        shares[service.id] = {c: (rates[c] / weight if weight > 0 else 1.0 / len(reaching))
                              if c in reaching else 0.0 for c in spec.lanes}
    return shares


def _reached(spec: SystemSpec, cohort: Cohort) -> set[str]:
    """Services a cohort's people can reach: where its needs present, and onward by its
    routes and by diversions of full services."""
    services = {s.id: s for s in spec.services}
    todo = [n.service for n in cohort.needs]
    seen: set[str] = set()
    while todo:
        current = todo.pop()
        if current in seen or current not in services:
            continue
        seen.add(current)
        todo += [r.to for r in spec.routes_from(current, cohort.id)]
        divert = services[current].when_full.divert_to
        if divert is not None:
            todo.append(divert)
    return seen


def system_project(spec: SystemSpec, scenario: str = "baseline"
                   ) -> tuple[Project, SystemLayout]:
    """The lowered project of ``spec`` under ``scenario``, and its layout."""
    return lower_system(apply_scenario(spec, scenario))
