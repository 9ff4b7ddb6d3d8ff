"""A :class:`~wholesystem.system.spec.SystemSpec` lowered onto the engine's IR.

Per service: a stock of people waiting (where they wait: at home, in an acute bed), a
stock of people in service (places only), admissions limited by free places
(``MIN(waiting / DT + arrivals, (capacity - in service) / DT + discharges)``), and
discharges as fixed (pipeline) delays or Erlang cascades of the admissions, so lengths of
stay keep their distribution. Routes out of a service are flows into the next service's
queue, into a stock of people who will re-present after a delay (failure demand), or out
of the system. Costs accumulate in a stock per service and per organisation.

Every person is in exactly one stock at every step: the flows out of each stock add up
to what leaves it, which is what :mod:`wholesystem.system.conservation` checks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from wholesystem.diagnostics import SourceSpan
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
from wholesystem.system.layout import ServiceLayout, SystemLayout
from wholesystem.system.scenarios import apply_scenario
from wholesystem.system.spec import (
    LEAVE,
    UNMET,
    Cohort,
    Distribution,
    Duration,
    Interpolation,
    Quantity,
    Service,
    ServiceKind,
    SystemSpec,
)
from wholesystem.system.stays import cascade_order, pipeline_mixture

__all__ = ["lower_system", "system_project", "UNLIMITED"]

UNLIMITED = 1e15
"""Capacity standing for "no limit" in generated equations."""


def lower_system(spec: SystemSpec) -> tuple[Project, SystemLayout]:
    """The project simulating ``spec``, and where its people and costs are."""
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

    def __init__(self, spec: SystemSpec):
        self.spec = spec
        self.variables: list[Variable] = []
        self.names: dict[str, str] = {}
        self.queues = {s.id: _Queue() for s in spec.services}
        self.left: list[str] = []
        self.left_unmet: list[str] = []
        self.arrival_flows: list[str] = []
        self.back_flows: list[str] = []
        self.returning: list[str] = []
        self.dt = Reference("dt", "DT", (), spec.time.span)
        self.per = f"people/{spec.time.unit}"
        self.gbp_per = f"GBP/{spec.time.unit}"

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

    def quantity(self, name: str, quantity: Quantity, units: str, doc: str) -> str:
        span = quantity.span
        if quantity.weekly:
            day = Call("INT", (_ref("time", span),), span)
            index = Binary("mod", Binary("+", day, _num(quantity.first_weekday, span), span),
                           _num(7, span), span)
            table = GraphicalFunction(tuple(float(i) for i in range(7)), quantity.weekly,
                                      GraphicalFunctionKind.DISCRETE, span)
            return self.add(name, VariableKind.AUX, index, span, units, doc,
                            graphical_function=table)
        if quantity.points:
            kind = (GraphicalFunctionKind.DISCRETE
                    if quantity.interpolation is Interpolation.STEP
                    else GraphicalFunctionKind.CONTINUOUS)
            xs = tuple(t for t, _ in quantity.points)
            ys = tuple(v for _, v in quantity.points)
            return self.add(name, VariableKind.AUX, _ref("time", span), span, units, doc,
                            graphical_function=GraphicalFunction(xs, ys, kind, span))
        equation: Expr = _num(quantity.value, span)
        if quantity.growth:
            growth = Binary("^", _num(1.0 + quantity.growth, span), _ref("time", span), span)
            equation = _mul(equation, growth, span)
        return self.add(name, VariableKind.AUX, equation, span, units, doc)

    # -- the whole system -------------------------------------------------------------
    def build(self) -> SystemLayout:
        for cohort in self.spec.cohorts:
            self.lower_cohort(cohort)
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
                                       "people", f"population of {cohort.name}")
        for need in cohort.needs:
            rate = self.quantity(f"{cohort.id} with {need.id} arrival rate", need.arrivals,
                                 self.per if not need.per_person else f"1/{self.spec.time.unit}",
                                 f"{need.name}: arrivals per time unit"
                                 + (" per person" if need.per_person else ""))
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
            self.queues[need.service].inflows.append(flow)
            self.arrival_flows.append(flow)

    def prevention(self, cohort: str, need: str, span: SourceSpan) -> Expr | None:
        factors: list[Expr] = []
        for change in self.spec.preventions:
            if change.cohort != cohort or (change.needs and need not in change.needs):
                continue
            if change.ramp > 0:
                progress = _div(_sub(_ref("time", span), _num(change.after, span), span),
                                _num(change.ramp, span), span)
                effect: Expr = Call("MIN", (_num(1, span), Call(
                    "MAX", (_num(0, span), progress), span)), span)
            else:
                effect = Call("STEP", (_num(1, span), _num(change.after, span)), span)
            factors.append(_sub(_num(1, span), _mul(_num(change.reduce_by, span), effect,
                                                    span), span))
        if not factors:
            return None
        total = factors[0]
        for factor in factors[1:]:
            total = _mul(total, factor, span)
        return total

    def lower_routes(self, service: Service) -> list[tuple[str, float]]:
        """Names of the route flows out of a service, with their fractions; the flows
        themselves are made with the service (they need its discharges or contacts)."""
        flows: list[tuple[str, float]] = []
        used: set[str] = set()
        for route in self.spec.routes_from(service.id):
            base = (f"{service.id} to {route.to}" if route.after is None
                    else f"{service.id} to {route.to} later")
            name, n = base, 2
            while name in used:
                name, n = f"{base} {n}", n + 1
            used.add(name)
            flows.append((name, route.fraction))
            if route.after is not None:
                self.lower_return(service, route.to, name, route.after, route.span,
                                  name[len(base):])
            elif route.to == LEAVE:
                self.left.append(name)
            elif route.to == UNMET:
                self.left_unmet.append(name)
            else:
                self.queues[route.to].inflows.append(name)
        return flows

    def lower_return(self, service: Service, target: str, flow: str, delay: Duration,
                     span: SourceSpan, suffix: str = "") -> None:
        stock = f"{service.id} returning to {target}{suffix}"
        back = f"{service.id} back to {target}{suffix}"
        self.add(stock, VariableKind.STOCK, _num(0, span), span, "people",
                 f"people who left {service.name} with their need unmet and will come "
                 f"back to {target}", inflows=(canonical_name(flow),),
                 outflows=(canonical_name(back),))
        leaving = self.delayed(_ref(flow, span), delay, 0.0, "residual", span)
        self.add(back, VariableKind.FLOW, leaving, span, self.per,
                 f"re-presentations to {target}")
        self.queues[target].inflows.append(back)
        self.back_flows.append(back)
        self.returning.append(stock)

    def delayed(self, flow: Expr, delay: Duration, initial_people: float, remaining: str,
                span: SourceSpan) -> Expr:
        """``flow`` as it leaves after ``delay``; ``initial_people`` are in the delay at
        the start."""
        step = self.spec.time.step
        kind = delay.distribution
        if kind in (Distribution.EXPONENTIAL, Distribution.ERLANG) and remaining == "residual":
            order = cascade_order(delay, step)
            if order >= 1:
                initial = _num(initial_people / delay.mean, span)
                return Call("DELAYN", (flow, _num(delay.mean, span), _num(order, span),
                                       initial), span)
        horizon_steps = math.ceil(self.spec.time.horizon / step - 1e-9)
        terms = []
        for term in pipeline_mixture(delay, step, horizon_steps, remaining):
            initial = _num(initial_people * term.initial_rate, span)
            pipeline = Call("DELAY", (flow, _num(term.steps * step, span), initial), span)
            terms.append(_mul(_num(term.weight, span), pipeline, span))
        return _sum(terms, span)

    def lower_service(self, service: Service, routes: list[tuple[str, float]]
                      ) -> ServiceLayout:
        span, sid = service.span, service.id
        waiting = f"{sid} waiting"
        arrivals = f"{sid} arrivals"
        inflows = self.queues[sid].inflows
        self.add(arrivals, VariableKind.AUX,
                 _sum([_ref(f, span) for f in inflows], span), span, self.per,
                 f"people arriving at {service.name}")
        capacity = None
        if service.capacity is not None:
            capacity = self.quantity(f"{sid} capacity", service.capacity,
                                     "people" if service.kind is ServiceKind.PLACES
                                     else self.per, f"capacity of {service.name}")
        demand = Binary("+", _div(_ref(waiting, span), self.dt, span), _ref(arrivals, span),
                        span)
        in_service: str | None
        if service.kind is ServiceKind.PLACES:
            served, outflows_of_waiting, in_service = self.lower_places(
                service, routes, demand, capacity)
        else:
            served, outflows_of_waiting, in_service = self.lower_contacts(
                service, routes, demand, capacity)
        diverted = self.lower_divert(service, demand, served)
        if diverted:
            outflows_of_waiting.append(diverted)
        where = f" (in {service.when_full.queue_in})" if service.when_full.queue_in else ""
        self.add(waiting, VariableKind.STOCK, _num(service.initial_waiting, span), span,
                 "people", f"people waiting for {service.name}{where}",
                 inflows=tuple(canonical_name(f) for f in inflows),
                 outflows=tuple(canonical_name(f) for f in outflows_of_waiting))
        return self.lower_service_costs(service, waiting, in_service, served)

    def lower_places(self, service: Service, routes: list[tuple[str, float]], demand: Expr,
                     capacity: str | None) -> tuple[str, list[str], str]:
        span, sid = service.span, service.id
        in_service, admissions = f"{sid} in service", f"{sid} admissions"
        discharges, free = f"{sid} discharges", f"{sid} free places"
        assert service.length_of_stay is not None
        leaving = self.delayed(_ref(admissions, span), service.length_of_stay,
                               service.initial_in_service, service.remaining_stay, span)
        self.add(discharges, VariableKind.AUX, leaving, span, self.per,
                 f"people leaving {service.name}")
        room: Expr = _num(UNLIMITED, span)
        if capacity is not None:
            room = Call("MAX", (_num(0, span), Binary("+", _div(_sub(
                _ref(capacity, span), _ref(in_service, span), span), self.dt, span),
                _ref(discharges, span), span)), span)
        self.add(free, VariableKind.AUX, room, span, self.per,
                 f"places of {service.name} free for admissions in this step")
        self.add(admissions, VariableKind.FLOW, Call("MIN", (demand, _ref(free, span)), span),
                 span, self.per, f"admissions to {service.name}", non_negative=True)
        for name, fraction in routes:
            self.add(name, VariableKind.FLOW, _mul(_ref(discharges, span),
                                                   _num(fraction, span), span),
                     span, self.per, f"{fraction:g} of the people leaving {service.name}")
        self.add(in_service, VariableKind.STOCK, _num(service.initial_in_service, span), span,
                 "people", f"people in {service.name}",
                 inflows=(canonical_name(admissions),),
                 outflows=tuple(canonical_name(n) for n, _ in routes))
        return admissions, [admissions], in_service

    def lower_contacts(self, service: Service, routes: list[tuple[str, float]], demand: Expr,
                       capacity: str | None) -> tuple[str, list[str], None]:
        span, sid = service.span, service.id
        contacts = f"{sid} contacts"
        seen: Expr = demand if capacity is None else Call(
            "MIN", (demand, _ref(capacity, span)), span)
        self.add(contacts, VariableKind.AUX, seen, span, self.per,
                 f"people seen by {service.name}")
        for name, fraction in routes:
            self.add(name, VariableKind.FLOW, _mul(_ref(contacts, span),
                                                   _num(fraction, span), span),
                     span, self.per, f"{fraction:g} of the people seen by {service.name}")
        return contacts, [name for name, _ in routes], None

    def lower_divert(self, service: Service, demand: Expr, served: str) -> str | None:
        target = service.when_full.divert_to
        if target is None:
            return None
        span = service.span
        name = f"{service.id} diverted"
        self.add(name, VariableKind.FLOW, Call("MAX", (_num(0, span), _sub(
            demand, _ref(served, span), span)), span), span, self.per,
            f"people turned away by {service.name} when full")
        if target == UNMET:
            self.left_unmet.append(name)
        else:
            self.queues[target].inflows.append(name)
        return name

    def lower_service_costs(self, service: Service, waiting: str, in_service: str | None,
                            served: str) -> ServiceLayout:
        span, sid, costs = service.span, service.id, service.costs
        owner_terms: list[Expr] = []
        if in_service is not None and costs.per_occupied_day:
            owner_terms.append(_mul(_ref(in_service, span), _num(costs.per_occupied_day, span),
                                    span))
        if service.kind is ServiceKind.CONTACTS and costs.per_contact:
            owner_terms.append(_mul(_ref(served, span), _num(costs.per_contact, span), span))
        owner_rate = self.add(f"{sid} cost rate", VariableKind.FLOW, _sum(owner_terms, span),
                              span, self.gbp_per, f"cost of {service.name} to its owner")
        delay_rate = self.add(f"{sid} waiting cost rate", VariableKind.FLOW, _mul(
            _ref(waiting, span), _num(costs.per_delayed_day, span), span), span, self.gbp_per,
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
                             canonical_name(delay_rate))

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
        for intervention_id in spec.applied:
            intervention = spec.intervention(intervention_id)
            cost = intervention.cost
            if cost is None:
                continue
            ispan = intervention.span
            rate: Expr = _num(cost.per_time, ispan)
            if cost.one_off:
                rate = Binary("+", rate, Call("PULSE", (_num(cost.one_off, ispan),
                                                        _num(0, ispan)), ispan), ispan)
            rate_name = self.add(f"{intervention_id} cost rate", VariableKind.FLOW, rate, ispan,
                                 self.gbp_per, f"running cost of {intervention.name}")
            stock = self.add(f"{intervention_id} cost", VariableKind.STOCK, _num(0, ispan),
                             ispan, "GBP", f"cumulative cost of {intervention.name}",
                             inflows=(canonical_name(rate_name),))
            payments[cost.payer].append(_ref(rate_name, ispan))
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
            whole_system_cost=canonical_name("whole system cost"), initial_people=initial)


def system_project(spec: SystemSpec, scenario: str = "baseline"
                   ) -> tuple[Project, SystemLayout]:
    """The lowered project of ``spec`` under ``scenario``, and its layout."""
    return lower_system(apply_scenario(spec, scenario))
