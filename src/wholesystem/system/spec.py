"""Public-service systems: organisations, services, cohorts, pathways and interventions.

A :class:`SystemSpec` is what the system-file reader (:mod:`wholesystem.system.read`)
produces from a YAML file, in the words of the field. It is lowered onto an ordinary
:class:`~wholesystem.ir.model.Project` (stocks of people waiting and in service, flows
limited by capacity, cost accumulators), so every later stage works on it unchanged.
Like the rest of the IR, every object is a frozen, slotted dataclass; a scenario is
applied by building a new spec (:func:`wholesystem.system.scenarios.apply_scenario`).

Where the lowered variables are is :mod:`wholesystem.system.layout`.
"""

from __future__ import annotations

import datetime as _dt
import enum
import itertools
import math
from dataclasses import dataclass, field

from wholesystem.diagnostics import UNKNOWN_SPAN, SourceSpan
from wholesystem.ir.model import SourceFile
from wholesystem.system.prices import CostPrice, PriceBasis

__all__ = [
    "TIME_UNITS",
    "LEAVE",
    "UNMET",
    "Interpolation",
    "Quantity",
    "TimeSettings",
    "Organisation",
    "Distribution",
    "Duration",
    "StaffingStep",
    "UnitCosts",
    "VisitProfile",
    "WhenFull",
    "ServiceKind",
    "Service",
    "Need",
    "Cohort",
    "Route",
    "Pathway",
    "CapacityChange",
    "StayChange",
    "PreventionChange",
    "RoutingChange",
    "Change",
    "InterventionCost",
    "Intervention",
    "Scenario",
    "OUTCOMES",
    "SystemSpec",
]

TIME_UNITS: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 365.0 / 12, "year": 365.0}
"""Length of each time unit in days (a year is 365 days, a month a twelfth of it)."""

LEAVE = "leave"
"""Route target: the person leaves the system with their need met."""
UNMET = "unmet"
"""Route target: the person leaves the system with their need not met."""


class Interpolation(enum.Enum):
    """How a time series reads between its points."""

    STEP = "step"
    """Each value holds until the next point."""
    LINEAR = "linear"
    """Straight lines between points; the end values hold outside them."""


@dataclass(frozen=True, slots=True)
class Quantity:
    """A value that may change over time: a constant, a series, a weekly profile or growth.

    Times are in the system's time unit, counted from the start of the run.
    """

    value: float = 0.0
    """Constant value, or the starting value of a growing quantity."""
    points: tuple[tuple[float, float], ...] = ()
    """(time, value) pairs of a time series, in time order (empty: not a series)."""
    interpolation: Interpolation = Interpolation.STEP
    """How a series reads between its points."""
    weekly: tuple[float, ...] = ()
    """Seven values, Monday first, repeating every week (empty: not weekly)."""
    first_weekday: int = 0
    """Weekday of time 0 for a weekly profile (0 = Monday)."""
    growth: float = 0.0
    """Compound growth per time unit of a constant (0: no growth)."""
    origin: str = ""
    """Where a series came from (a CSV file and column), for reports."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where the quantity is written."""

    @property
    def is_constant(self) -> bool:
        """True when the value never changes."""
        return not self.points and not self.weekly and self.growth == 0.0

    def at(self, time: float) -> float:
        """The value at ``time`` (used by the journeys simulation and reports)."""
        if self.weekly:
            return self.weekly[(self.first_weekday + int(time // 1)) % 7]
        if self.points:
            return _read_points(self.points, self.interpolation, time)
        return self.value * (1.0 + self.growth) ** time if self.growth else self.value

    def scaled(self, factor: float) -> Quantity:
        """This quantity multiplied by ``factor`` at every time."""
        from dataclasses import replace

        return replace(self, value=self.value * factor,
                       points=tuple((t, v * factor) for t, v in self.points),
                       weekly=tuple(v * factor for v in self.weekly))


def _read_points(points: tuple[tuple[float, float], ...], how: Interpolation,
                 time: float) -> float:
    if time <= points[0][0]:
        return points[0][1]
    for (t0, v0), (t1, v1) in itertools.pairwise(points):
        if t0 <= time < t1:
            if how is Interpolation.STEP or t1 == t0:
                return v0
            return v0 + (v1 - v0) * (time - t0) / (t1 - t0)
    return points[-1][1]


@dataclass(frozen=True, slots=True)
class TimeSettings:
    """How long to simulate, in what steps and units."""

    horizon: float
    """Length of the run, in time units."""
    step: float = 1.0
    """Time step, in time units."""
    unit: str = "day"
    """``day``, ``week``, ``month`` or ``year``."""
    start_date: _dt.date | None = None
    """Calendar date of time 0, when given."""
    report_every: float | None = None
    """Length of a ledger period in time units (None: a sensible default for the unit)."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where the settings are written."""

    @property
    def period(self) -> float:
        """Ledger period length: ``report_every`` or about a month (a year for years)."""
        if self.report_every:
            return self.report_every
        default = {"day": 30.0, "week": 4.0, "month": 3.0, "year": 1.0}[self.unit]
        # never finer than the step: a period shorter than one step reports nothing new,
        # and would make the period count unbounded by the step limit
        return min(max(default, self.step), self.horizon)

    @property
    def period_count(self) -> float:
        """Ledger periods in the horizon (the last may be short); a float, since a hostile
        file may ask for more than any list could hold."""
        ratio = self.horizon / self.period
        return max(1.0, float(math.ceil(ratio - 1e-9))) if math.isfinite(ratio) else ratio

    def date(self, time: float) -> str | None:
        """The ISO date of a time, when the start date is known and the calendar reaches it."""
        if self.start_date is not None and self.unit in ("day", "week"):
            days = time * TIME_UNITS[self.unit]
            try:
                return (self.start_date + _dt.timedelta(days=days)).isoformat()
            except (OverflowError, ValueError):
                pass  # past the calendar's last date: say it as a time instead
        return None

    def label(self, time: float) -> str:
        """A time as people read it: a date when the start date is known."""
        return self.date(time) or f"{self.unit} {time:g}"


@dataclass(frozen=True, slots=True)
class Organisation:
    """A budget holder: an NHS trust, a council department, the police..."""

    id: str
    """Identifier used in the file."""
    name: str
    """Name for reports."""
    kind: str = ""
    """Free text, e.g. ``NHS acute trust``."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where it is defined."""


class Distribution(enum.Enum):
    """Shape of a length of stay or a delay."""

    EXPONENTIAL = "exponential"
    ERLANG = "erlang"
    LOGNORMAL = "lognormal"
    FIXED = "fixed"


@dataclass(frozen=True, slots=True)
class Duration:
    """A length of stay, service time or delay: a mean and a distribution."""

    mean: float
    """Mean, in the system's time unit."""
    distribution: Distribution = Distribution.EXPONENTIAL
    """Shape of the distribution."""
    order: int = 1
    """Erlang order (number of stages)."""
    sigma: float = 0.0
    """Lognormal: standard deviation of log(duration)."""
    longest: float | None = None
    """Stays that round to this or longer, or to zero steps, are drawn again (None: no
    limit, and stays under a step last one step), as a model that redraws implausible
    stays does; the mean then falls below ``mean``."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where it is written."""

    @property
    def mu(self) -> float:
        """Lognormal: mean of log(duration)."""
        return math.log(self.mean) - self.sigma ** 2 / 2


@dataclass(frozen=True, slots=True)
class StaffingStep:
    """Capacity bought in whole teams: each team staffs a number of places."""

    places_per_team: float
    """Places (or contacts per time unit) one team provides."""
    per_team: float
    """Cost of one team per time unit, whether its places are used or not."""

    def teams(self, capacity: float) -> int:
        """Teams needed for ``capacity`` (whole teams; a part-used team is paid in full)."""
        return math.ceil(capacity / self.places_per_team - 1e-9) if capacity > 0 else 0


@dataclass(frozen=True, slots=True)
class UnitCosts:
    """What a service costs, in currency units.

    Use costs (per occupied place, per contact) are paid only for what is used; capacity
    costs (per commissioned place, staffing teams, fixed costs) are paid for what is
    commissioned, full or empty, as a block contract or a staffed ward is.
    """

    per_contact: float = 0.0
    """Per contact (attendance, visit, call) of a contacts service."""
    per_occupied_day: float = 0.0
    """Per occupied place per time unit (already including any per-visit cost)."""
    per_delayed_day: float = 0.0
    """Per person waiting per time unit (e.g. an acute bed held by a delayed patient)."""
    per_place: float = 0.0
    """Per commissioned place (contacts: per contact of capacity) per time unit, used or
    not (a block contract)."""
    fixed: float = 0.0
    """Per time unit whatever the capacity and use (a building, a management team)."""
    staffing: StaffingStep | None = None
    """Capacity bought in whole teams, if it is."""
    contact_span: SourceSpan = UNKNOWN_SPAN
    """Where the cost per contact is written."""
    occupied_span: SourceSpan = UNKNOWN_SPAN
    """Where the cost per occupied place is written."""
    delayed_span: SourceSpan = UNKNOWN_SPAN
    """Where the cost per person waiting is written."""
    place_span: SourceSpan = UNKNOWN_SPAN
    """Where the cost per place is written."""
    fixed_span: SourceSpan = UNKNOWN_SPAN
    """Where the fixed cost is written."""
    staffing_span: SourceSpan = UNKNOWN_SPAN
    """Where the staffing step is written."""
    per_visit: float = 0.0
    """Per visit made by a visits service."""
    visit_span: SourceSpan = UNKNOWN_SPAN
    """Where the cost per visit is written."""

    @property
    def has_capacity_costs(self) -> bool:
        """True when commissioned capacity itself costs money (places or teams)."""
        return bool(self.per_place) or self.staffing is not None

    def capacity_rate(self, capacity: float) -> float:
        """Cost per time unit of ``capacity`` commissioned places, with the fixed cost."""
        teams = self.staffing.teams(capacity) * self.staffing.per_team if self.staffing else 0.0
        return self.per_place * capacity + teams + self.fixed


@dataclass(frozen=True, slots=True)
class VisitProfile:
    """How many visits a day a person of a visits service needs over their stay.

    Visits fall (or rise) in a straight line from ``first`` on the first day of the stay
    to ``last`` on its last day, rounded to whole visits each day. With ``spread``, each
    person's first and last are drawn from normal distributions with that standard
    deviation, rounded to whole visits and drawn again when below one or more than three
    standard deviations above the mean (as the IPACS visit model does).
    """

    first: float
    """Visits a day at the start of a stay."""
    last: float
    """Visits a day at the end of a stay."""
    spread: float = 0.0
    """Standard deviation of each person's ``first`` and ``last`` (0: everyone alike)."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where it is written."""


@dataclass(frozen=True, slots=True)
class WhenFull:
    """What happens to people who arrive when a service is full."""

    divert_to: str | None = None
    """Service they go to instead, or ``unmet``; None: they queue."""
    queue_in: str = ""
    """Where they wait, in words (e.g. ``acute bed``)."""
    payer: str | None = None
    """Organisation paying for waiting days (None: the service's owner)."""


class ServiceKind(enum.Enum):
    """Places (beds, packages, caseload) hold people; contacts see and pass them on."""

    PLACES = "places"
    CONTACTS = "contacts"
    VISITS = "visits"
    """People stay (at home) and are visited; capacity is visits per day, and a person
    starts only on a day from which their whole visit schedule fits."""


@dataclass(frozen=True, slots=True)
class Service:
    """A service owned by one organisation."""

    id: str
    """Identifier used in the file."""
    name: str
    """Name for reports."""
    owner: str
    """Organisation id."""
    kind: ServiceKind = ServiceKind.PLACES
    """Places or contacts."""
    capacity: Quantity | None = None
    """Places, contacts per time unit, or visits a day; None: unlimited."""
    length_of_stay: Duration | None = None
    """Places and visits: how long people stay."""
    visits: VisitProfile | None = None
    """Visits services: visits a day over each person's stay."""
    costs: UnitCosts = field(default_factory=UnitCosts)
    """Unit costs."""
    when_full: WhenFull = field(default_factory=WhenFull)
    """Queue or divert."""
    initial_in_service: float = 0.0
    """People in the service at time 0."""
    initial_waiting: float = 0.0
    """People waiting for it at time 0."""
    remaining_stay: str = "residual"
    """Stays of people in service at time 0: ``residual`` (as in a steady state) or
    ``uniform`` (a uniform fraction of a fresh stay)."""
    ward: str = ""
    """Ward (unit) whose beds this service's people occupy, shared with the other services
    naming the same ward, e.g. the stroke, TIA and neurological patients of one acute
    stroke unit ('': the service is a ward of its own); occupancy and delay tables count a
    ward's services together."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where it is defined."""
    initial_span: SourceSpan = UNKNOWN_SPAN
    """Where its people at time 0 are written (the service when they are not)."""

    @property
    def delay_payer(self) -> str:
        """Organisation that pays for people waiting."""
        return self.when_full.payer or self.owner


@dataclass(frozen=True, slots=True)
class Need:
    """One need of a cohort: how often it arises and which service people go to first."""

    id: str
    """Identifier used in the file."""
    name: str
    """Name for reports."""
    service: str
    """Service id where people present."""
    arrivals: Quantity
    """People per time unit; per person of the population when ``per_person``."""
    per_person: bool = False
    """True when ``arrivals`` is a rate per person of the cohort's population."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where it is defined."""


@dataclass(frozen=True, slots=True)
class Cohort:
    """A group of residents with needs."""

    id: str
    """Identifier used in the file."""
    name: str
    """Name for reports."""
    needs: tuple[Need, ...]
    """Their needs."""
    population: Quantity | None = None
    """People in the cohort (drives per-person arrival rates)."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where it is defined."""
    stays: tuple[tuple[str, Duration], ...] = ()
    """(service id, length of stay) where this cohort's stays differ from the service's."""

    def stay_in(self, service_id: str) -> Duration | None:
        """This cohort's own length of stay in a service, if it has one."""
        return next((d for s, d in self.stays if s == service_id), None)


@dataclass(frozen=True, slots=True)
class Route:
    """Where a share of the people leaving a service go next."""

    to: str
    """Service id, ``leave`` or ``unmet``."""
    fraction: float
    """Share of the people leaving, 0 to 1."""
    after: Duration | None = None
    """Re-presentation (failure demand): they come back to ``to`` after this delay."""
    why: str = ""
    """Reason, in words, for reports."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where it is written."""

    @property
    def is_return(self) -> bool:
        """True for a re-presentation after a delay."""
        return self.after is not None


@dataclass(frozen=True, slots=True)
class Pathway:
    """Routes out of one service."""

    source: str
    """Service id people leave."""
    routes: tuple[Route, ...]
    """Where they go; fractions add up to 1."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where it is defined."""
    cohort: str | None = None
    """The cohort these routes are for (None: everyone without routes of their own)."""


@dataclass(frozen=True, slots=True)
class CapacityChange:
    """Set, add to or multiply the capacity of services."""

    services: tuple[str, ...]
    """Service ids."""
    set_to: Quantity | None = None
    """New capacity (None: unlimited when neither add nor multiply is given)."""
    add: float = 0.0
    """Places (or contacts per time unit) added."""
    multiply: float = 1.0
    """Factor applied after ``add``."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where it is written."""


@dataclass(frozen=True, slots=True)
class StayChange:
    """Change the length of stay of services."""

    services: tuple[str, ...]
    """Service ids."""
    set_to: Duration | None = None
    """New length of stay."""
    multiply: float = 1.0
    """Factor on the mean (shape kept)."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where it is written."""


@dataclass(frozen=True, slots=True)
class PreventionChange:
    """Prevention: fewer arrivals of a cohort's needs, starting after a delay."""

    cohort: str
    """Cohort id."""
    needs: tuple[str, ...]
    """Need ids (empty: every need of the cohort)."""
    reduce_by: float
    """Share of arrivals prevented at full effect, 0 to 1."""
    after: float = 0.0
    """Time from the start until the effect begins."""
    ramp: float = 0.0
    """Time the effect takes to build up to full (0: at once)."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where it is written."""

    def effect(self, time: float) -> float:
        """Share of the full effect reached at ``time`` (0 to 1)."""
        if time < self.after - 1e-9:
            return 0.0
        if self.ramp <= 0:
            return 1.0
        return min(1.0, (time - self.after) / self.ramp)


@dataclass(frozen=True, slots=True)
class RoutingChange:
    """Replace the routes out of a service."""

    source: str
    """Service id."""
    routes: tuple[Route, ...]
    """New routes; fractions add up to 1."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where it is written."""
    cohort: str | None = None
    """The cohort whose routes it replaces (None: the routes for everyone)."""


Change = CapacityChange | StayChange | PreventionChange | RoutingChange


@dataclass(frozen=True, slots=True)
class InterventionCost:
    """What an intervention itself costs, and who pays."""

    payer: str
    """Organisation id."""
    per_time: float = 0.0
    """Running cost per time unit of the system."""
    one_off: float = 0.0
    """Paid once, at the start."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where the cost is written."""


@dataclass(frozen=True, slots=True)
class Intervention:
    """A named set of changes with its own cost."""

    id: str
    """Identifier used in the file."""
    name: str
    """Name for reports."""
    changes: tuple[Change, ...]
    """What it changes."""
    cost: InterventionCost | None = None
    """Its own cost, if any."""
    description: str = ""
    """What it is, in words."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where it is defined."""


@dataclass(frozen=True, slots=True)
class Scenario:
    """A named combination of interventions."""

    id: str
    """Identifier used in the file."""
    name: str
    """Name for reports."""
    interventions: tuple[str, ...]
    """Intervention ids, applied in order."""
    description: str = ""
    """What it tests, in words."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where it is defined."""


OUTCOMES: dict[str, str] = {
    "people_waiting": "people waiting, on average",
    "people_waiting_at_end": "people waiting at the end",
    "days_waited": "days waited (all people together)",
    "needs_unmet": "people who left with their need unmet",
    "repeat_presentations": "repeat presentations (failure demand)",
    "people_served": "admissions and contacts",
}
"""Resident outcome measures a system file may ask for, with their report wording."""


@dataclass(frozen=True, slots=True)
class SystemSpec:
    """A whole public-service system, as the system file describes it."""

    name: str
    """Title of the system."""
    source: SourceFile
    """The file it came from."""
    time: TimeSettings
    """Horizon, step and units."""
    organisations: tuple[Organisation, ...]
    """Budget holders."""
    services: tuple[Service, ...]
    """Services, each owned by one organisation."""
    cohorts: tuple[Cohort, ...] = ()
    """Residents and their needs."""
    pathways: tuple[Pathway, ...] = ()
    """Routes between services."""
    interventions: tuple[Intervention, ...] = ()
    """Named changes."""
    scenarios: tuple[Scenario, ...] = ()
    """Named combinations of interventions (``baseline`` is always there)."""
    outcomes: tuple[str, ...] = tuple(OUTCOMES)
    """Resident outcome measures to report."""
    description: str = ""
    """What the system is, in words."""
    currency: str = "£"
    """Currency symbol for reports."""
    sources: tuple[str, ...] = ()
    """Where the numbers come from."""
    applied: tuple[str, ...] = ()
    """Interventions already applied to this spec (their costs are charged)."""
    preventions: tuple[PreventionChange, ...] = ()
    """Prevention in force (from applied interventions): arrivals reduced over time."""
    scenario: str = "baseline"
    """Name of the scenario this spec stands for."""
    prices: PriceBasis | None = None
    """Reporting price year, deflator and discounting (None: costs as written)."""
    price_records: tuple[CostPrice, ...] = ()
    """Every cost as written, with its price year and uprating factor."""

    def prevented_share(self, cohort: str, need: str, time: float) -> float:
        """Share of a need's arrivals prevented at ``time`` (0 when no prevention)."""
        kept = 1.0
        for change in self.preventions:
            if change.cohort == cohort and (not change.needs or need in change.needs):
                kept *= 1.0 - change.reduce_by * change.effect(time)
        return 1.0 - kept

    def organisation(self, org_id: str) -> Organisation:
        """An organisation by id."""
        return next(o for o in self.organisations if o.id == org_id)

    def service(self, service_id: str) -> Service:
        """A service by id."""
        return next(s for s in self.services if s.id == service_id)

    def pathway_from(self, service_id: str, cohort: str | None = None) -> Pathway | None:
        """The routes out of a service, if any are written: ``cohort``'s own pathway
        where it has one, else the pathway for everyone."""
        if cohort is not None:
            own = next((p for p in self.pathways
                        if p.source == service_id and p.cohort == cohort), None)
            if own is not None:
                return own
        return next((p for p in self.pathways
                     if p.source == service_id and p.cohort is None), None)

    def routes_from(self, service_id: str, cohort: str | None = None) -> tuple[Route, ...]:
        """Where people leaving a service go (people of ``cohort``, when given): its
        pathway, or everyone leaves."""
        pathway = self.pathway_from(service_id, cohort)
        return pathway.routes if pathway else (Route(LEAVE, 1.0),)

    @property
    def lanes(self) -> tuple[str, ...]:
        """Cohort ids whose people the aggregate model keeps apart, because some cohort
        has routes or lengths of stay of its own, or an intervention gives it routes of
        its own (so the baseline and every scenario are split alike; empty: everyone is
        pooled)."""
        own = (any(p.cohort is not None for p in self.pathways)
               or any(c.stays for c in self.cohorts)
               or any(isinstance(change, RoutingChange) and change.cohort is not None
                      for i in self.interventions for change in i.changes))
        return tuple(c.id for c in self.cohorts) if own else ()

    def stay_of(self, service: Service, cohort: str | None) -> Duration | None:
        """The length of stay of ``cohort``'s people in ``service`` (its own, else the
        service's)."""
        if cohort is not None:
            found = next((c for c in self.cohorts if c.id == cohort), None)
            own = found.stay_in(service.id) if found is not None else None
            if own is not None:
                return own
        return service.length_of_stay

    def intervention(self, intervention_id: str) -> Intervention:
        """An intervention by id."""
        return next(i for i in self.interventions if i.id == intervention_id)

    def scenario_named(self, name: str) -> Scenario | None:
        """A scenario by id; ``baseline`` exists even when not written."""
        found = next((s for s in self.scenarios if s.id == name), None)
        if found is None and name == "baseline":
            return Scenario("baseline", "Baseline", ())
        return found
