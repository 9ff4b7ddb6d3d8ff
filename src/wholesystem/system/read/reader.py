"""System files (YAML) -> :class:`~wholesystem.system.spec.SystemSpec`.

Reading is three passes, each reporting every problem it finds with the file, line,
column and field: YAML with positions (:mod:`.source`), the JSON Schema
(:mod:`.schema`), then the meaning (:mod:`.structure`: references between ids, fractions
adding up to 1, pathways without instant loops). Only a file that passes all three becomes
a spec.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

from wholesystem.datafiles import FileAccess, access_for, limits_for
from wholesystem.diagnostics import UNKNOWN_SPAN, SourceSpan
from wholesystem.errors import SystemFileError
from wholesystem.ir.model import SourceFile
from wholesystem.system.read.money import read_cost, read_prices, read_year_default
from wholesystem.system.read.schema import validate
from wholesystem.system.read.source import FieldPath, decode_yaml, load_yaml, problem
from wholesystem.system.read.structure import check_structure
from wholesystem.system.read.values import (
    ReadContext,
    read_duration,
    read_quantity,
    unit_factor,
)
from wholesystem.system.spec import (
    OUTCOMES,
    TIME_UNITS,
    CapacityChange,
    Change,
    Cohort,
    Intervention,
    InterventionCost,
    Need,
    Organisation,
    Pathway,
    PreventionChange,
    Route,
    RoutingChange,
    Scenario,
    Service,
    ServiceKind,
    StaffingStep,
    StayChange,
    SystemSpec,
    TimeSettings,
    UnitCosts,
    VisitProfile,
    WhenFull,
)

__all__ = ["read_system", "read_system_text"]


def read_system(path: str | Path, access: FileAccess | None = None) -> SystemSpec:
    """Read a system file; problems raise :class:`~wholesystem.errors.SystemFileError`.
    ``access`` decides which CSV files it may read (default: its own folder)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, "no such system file", str(path))
    return read_system_text(decode_yaml(path.read_bytes(), str(path)), str(path), access)


def read_system_text(text: str, file: str = "<system>",
                     access: FileAccess | None = None) -> SystemSpec:
    """Read a system file's text; ``file`` names it in messages and locates CSV files,
    which ``access`` must allow (default: the folder of ``file``)."""
    document, positions = load_yaml(text, file, limits_for(access))
    if not isinstance(document, dict):
        found = type(document).__name__
        diagnostic = problem(positions, (), f"expected a mapping of fields, got {found}",
                             hint="start with 'name:', 'time:', 'organisations:', 'services:'")
        raise SystemFileError((diagnostic,), text, ("(top level)",))
    schema_problems = validate(document)
    if schema_problems:
        diagnostics = tuple(problem(positions, p.path, p.message, p.at_key)
                            for p in schema_problems)
        raise SystemFileError(diagnostics, text, tuple(d.variables[0] for d in diagnostics))
    context = ReadContext(positions, Path(file).parent, access=access_for(file, access))
    spec = _build(document, context, SourceFile(file, text, access))
    if spec is not None and not context.problems:
        context.problems.extend(check_structure(spec, positions))
    if context.problems or spec is None:
        diagnostics = tuple(context.problems)
        raise SystemFileError(diagnostics, text, tuple(d.variables[0] for d in diagnostics))
    return spec


def _build(document: dict[str, Any], context: ReadContext,
           source: SourceFile) -> SystemSpec | None:
    time = _read_time(document["time"], context)
    prices = read_prices(document, context)
    organisations = tuple(_read_organisation(k, v, context)
                          for k, v in document["organisations"].items())
    services = tuple(s for k, v in document["services"].items()
                     if (s := _read_service(k, v, context)) is not None)
    cohorts = tuple(c for k, v in document.get("cohorts", {}).items()
                    if (c := _read_cohort(k, v, context)) is not None)
    pathways = tuple(p for i, v in enumerate(document.get("pathways", []))
                     if (p := _read_pathway(v, context, ("pathways", i))) is not None)
    interventions = tuple(i for k, v in document.get("interventions", {}).items()
                          if (i := _read_intervention(k, v, context)) is not None)
    scenarios = tuple(_read_scenario(k, v, context)
                      for k, v in document.get("scenarios", {}).items())
    if context.problems:
        return None
    outcomes = tuple(str(o) for o in document.get("outcomes", ())) or tuple(OUTCOMES)
    return SystemSpec(
        name=str(document["name"]), source=source, time=time,
        organisations=organisations, services=services, cohorts=cohorts,
        pathways=pathways, interventions=interventions, scenarios=scenarios,
        outcomes=outcomes, description=str(document.get("description", "")),
        currency=str(document.get("currency", "£")),
        sources=tuple(str(s) for s in document.get("sources", ())),
        prices=prices, price_records=tuple(context.price_records))


def _check_calendar(start_date: _dt.date | None, horizon: float, unit: str,
                    context: ReadContext) -> None:
    """A calendar run must end by the last date there is (31 December 9999); beyond it,
    date arithmetic cannot be done at all."""
    if start_date is None or unit not in TIME_UNITS:
        return
    days_left = (_dt.date.max - start_date).days
    if not horizon * TIME_UNITS[unit] <= days_left:
        context.error(("time", "horizon"),
                      f"the horizon ({horizon:g} {unit}s from {start_date}) runs past the "
                      f"last calendar date, {_dt.date.max}",
                      hint="shorten the horizon, or give time.start as 0 (no calendar)")


def _read_time(value: dict[str, Any], context: ReadContext) -> TimeSettings:
    unit = str(value.get("unit", "day"))
    start = value.get("start", 0)
    start_date: _dt.date | None = None
    if not isinstance(start, (int, float)) or isinstance(start, bool):
        try:
            start_date = start if isinstance(start, _dt.date) else _dt.date.fromisoformat(
                str(start))
        except ValueError:
            context.error(("time", "start"), f"'{start}' is not a date (YYYY-MM-DD)")
    elif start != 0:
        context.error(("time", "start"), "a numeric start must be 0 (times count from the "
                                         "start of the run)",
                      hint="give a calendar date instead, e.g. 2023-01-01")
    context.unit, context.start_date = unit, start_date
    horizon, step = float(value["horizon"]), float(value.get("step", 1.0))
    if step > horizon:
        context.error(("time", "step"), f"the step ({step:g}) is longer than the horizon "
                                        f"({horizon:g})")
    _check_calendar(start_date, horizon, unit, context)
    report = value.get("report_every")
    if report is not None and float(report) < step:
        context.error(("time", "report_every"),
                      f"the ledger period ({float(report):g}) is shorter than the step "
                      f"({step:g})", hint="report at least one step at a time")
    return TimeSettings(horizon, step, unit, start_date,
                        float(report) if report is not None else None,
                        context.span(("time",)))


def _read_organisation(key: str, value: Any, context: ReadContext) -> Organisation:
    span = context.span(("organisations", key))
    if isinstance(value, dict):
        return Organisation(key, str(value["name"]), str(value.get("kind", "")), span)
    return Organisation(key, str(value), "", span)


def _read_service(key: str, value: dict[str, Any], context: ReadContext) -> Service | None:
    path: FieldPath = ("services", key)
    kind = ServiceKind(value.get("kind", "places"))
    capacity = None
    if "capacity" in value:
        capacity = read_quantity(value["capacity"], context, (*path, "capacity"))
    stay = None
    if "length_of_stay" in value:
        stay = read_duration(value["length_of_stay"], context, (*path, "length_of_stay"))
    visits = None
    if "visits" in value:
        visits = _read_visits(value["visits"], context, (*path, "visits"))
    costs = _read_costs(value.get("costs", {}), context, kind, (*path, "costs"))
    full = value.get("when_full", {})
    when_full = WhenFull(full.get("divert_to"), str(full.get("queue_in", "")),
                         full.get("payer"))
    initial = value.get("initial", {})
    return Service(
        id=key, name=str(value.get("name", key)), owner=str(value["owner"]), kind=kind,
        capacity=capacity, length_of_stay=stay, visits=visits, costs=costs,
        when_full=when_full,
        initial_in_service=float(initial.get("in_service", 0.0)),
        initial_waiting=float(initial.get("waiting", 0.0)),
        remaining_stay=str(initial.get("remaining_stay", "residual")),
        ward=str(value.get("ward", "")),
        span=context.span(path),
        initial_span=context.span((*path, "initial")) if "initial" in value else UNKNOWN_SPAN)


def _read_visits(value: dict[str, Any], context: ReadContext, path: FieldPath
                 ) -> VisitProfile:
    return VisitProfile(float(value["first"]), float(value["last"]),
                        float(value.get("spread", 0.0)), context.span(path))


def _read_costs(value: dict[str, Any], context: ReadContext, kind: ServiceKind,
                path: FieldPath) -> UnitCosts:
    days = TIME_UNITS[context.unit]  # costs "per day" -> per system time unit
    default = read_year_default(value, context, path, None)

    def cost(key: str) -> float:  # in the reporting year's prices, per written unit
        return read_cost(value.get(key), context, (*path, key), default)

    occupied = cost("per_occupied_day") + cost("per_occupied_week") / 7.0
    per_visit = cost("per_visit")
    if kind is ServiceKind.VISITS:
        if "visits_per_day" in value:
            context.error((*path, "visits_per_day"), "a visits service takes its visits a "
                          "day from its 'visits' profile", hint="remove 'visits_per_day'")
    else:  # a caseload of places visited at a fixed rate: the visits are a place cost
        occupied += per_visit * float(value.get("visits_per_day", 0.0))
        per_visit = 0.0
    # An occupied-place cost may be written three ways; its position is the first given.
    occupied_keys = ("per_occupied_day", "per_occupied_week") + (
        ("per_visit",) if kind is not ServiceKind.VISITS else ())
    occupied_key = next((k for k in occupied_keys if k in value), "per_occupied_day")

    def where(key: str) -> SourceSpan:  # a cost not written has no position
        return context.span((*path, key)) if key in value else UNKNOWN_SPAN

    def per_time(key: str) -> float:  # an {amount, per} cost per system time unit
        given = value.get(key)
        amount = read_cost(given, context, (*path, key), default)
        return amount / unit_factor(str(given["per"]), context.unit) if given else 0.0

    staffing = None
    if "staffing" in value:
        staffing = StaffingStep(float(value["staffing"]["places_per_team"]),
                                per_time("staffing"))
    return UnitCosts(cost("per_contact"), occupied * days, cost("per_delayed_day") * days,
                     per_time("per_place"), per_time("fixed"), staffing,
                     where("per_contact"), where(occupied_key), where("per_delayed_day"),
                     where("per_place"), where("fixed"), where("staffing"),
                     per_visit=per_visit,
                     visit_span=where("per_visit") if kind is ServiceKind.VISITS
                     else UNKNOWN_SPAN)


def _read_cohort(key: str, value: dict[str, Any], context: ReadContext) -> Cohort | None:
    path: FieldPath = ("cohorts", key)
    population = None
    if "population" in value:
        population = read_quantity(value["population"], context, (*path, "population"))
    needs = []
    for need_id, need in value["needs"].items():
        need_path = (*path, "needs", need_id)
        given = [k for k in ("arrivals", "rate") if k in need]
        if len(given) != 1:
            context.error(need_path, "give exactly one of 'arrivals' (people per time unit) "
                                     "or 'rate' (per person of the population)")
            continue
        if given[0] == "rate" and population is None:
            context.error((*need_path, "rate"), "a rate per person needs the cohort's "
                                                "'population'")
            continue
        arrivals = read_quantity(need[given[0]], context, (*need_path, given[0]),
                                 per=need.get("per"))
        if arrivals is not None:
            needs.append(Need(need_id, str(need.get("name", need_id)), str(need["service"]),
                              arrivals, given[0] == "rate", context.span(need_path)))
    stays = []
    for service_id, stay in value.get("length_of_stay", {}).items():
        duration = read_duration(stay, context, (*path, "length_of_stay", service_id))
        if duration is not None:
            stays.append((str(service_id), duration))
    return Cohort(key, str(value.get("name", key)), tuple(needs), population,
                  context.span(path), tuple(stays))


def _read_routes(values: list[dict[str, Any]], context: ReadContext,
                 path: FieldPath) -> tuple[Route, ...]:
    routes = []
    for index, value in enumerate(values):
        route_path = (*path, index)
        after = None
        if "after" in value:
            after = read_duration(value["after"], context, (*route_path, "after"))
        routes.append(Route(str(value["to"]), float(value["fraction"]), after,
                            str(value.get("why", "")), context.span(route_path)))
    return tuple(routes)


def _read_pathway(value: dict[str, Any], context: ReadContext,
                  path: FieldPath) -> Pathway | None:
    routes = _read_routes(value["routes"], context, (*path, "routes"))
    cohort = str(value["cohort"]) if "cohort" in value else None
    return Pathway(str(value["from"]), routes, context.span(path), cohort)


def _services_of(value: Any) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(str(v) for v in value)


def _read_change(value: dict[str, Any], context: ReadContext,
                 path: FieldPath) -> Change | None:
    kind, span = value["change"], context.span(path)
    if kind == "capacity":
        given = [k for k in ("set", "add", "multiply", "unlimited") if k in value]
        if len(given) != 1:
            context.error(path, "a capacity change needs exactly one of 'set', 'add', "
                                f"'multiply' or 'unlimited' (got {', '.join(given) or 'none'})")
            return None
        set_to = read_quantity(value["set"], context, (*path, "set")) if "set" in value else None
        return CapacityChange(_services_of(value["services"]), set_to,
                              float(value.get("add", 0.0)), float(value.get("multiply", 1.0)),
                              span)
    if kind == "length_of_stay":
        if ("set" in value) == ("multiply" in value):
            context.error(path, "a length-of-stay change needs exactly one of 'set' or "
                                "'multiply'")
            return None
        stay = read_duration(value["set"], context, (*path, "set")) if "set" in value else None
        return StayChange(_services_of(value["services"]), stay,
                          float(value.get("multiply", 1.0)), span)
    if kind == "prevention":
        needs = value.get("needs", ())
        return PreventionChange(str(value["cohort"]), _services_of(needs) if needs else (),
                                float(value["reduce_by"]), float(value.get("after", 0.0)),
                                float(value.get("ramp", 0.0)), span)
    routes = _read_routes(value["routes"], context, (*path, "routes"))
    cohort = str(value["cohort"]) if "cohort" in value else None
    return RoutingChange(str(value["from"]), routes, span, cohort)


def _read_intervention(key: str, value: dict[str, Any],
                       context: ReadContext) -> Intervention | None:
    path: FieldPath = ("interventions", key)
    changes = tuple(c for i, v in enumerate(value["changes"])
                    if (c := _read_change(v, context, (*path, "changes", i))) is not None)
    cost = None
    if "cost" in value:
        raw, where = value["cost"], (*path, "cost")
        default = read_year_default(raw, context, where, None)
        running = read_cost(raw.get("amount"), context, (*where, "amount"), default)
        one_off = read_cost(raw.get("one_off"), context, (*where, "one_off"), default)
        cost = InterventionCost(str(raw["payer"]),
                                running / unit_factor(raw.get("per"), context.unit),
                                one_off, context.span(where))
    return Intervention(key, str(value.get("name", key)), changes, cost,
                        str(value.get("description", "")), context.span(path))


def _read_scenario(key: str, value: Any, context: ReadContext) -> Scenario:
    span = context.span(("scenarios", key))
    if isinstance(value, list):
        return Scenario(key, key.replace("_", " "), tuple(str(v) for v in value), "", span)
    return Scenario(key, str(value.get("name", key.replace("_", " "))),
                    tuple(str(v) for v in value["interventions"]),
                    str(value.get("description", "")), span)

