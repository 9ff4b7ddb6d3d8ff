"""The JSON Schema of system files, and a validator that says where each problem is.

:data:`SYSTEM_SCHEMA` is the single description of the format: the reader validates every
file against it before building a :class:`~wholesystem.system.spec.SystemSpec`, and
``docs/system.schema.json`` is this dictionary written out (a test keeps them equal), so
editors that understand JSON Schema can check and complete system files.

The validator implements the part of JSON Schema (draft 2020-12) the schema uses: types,
properties, required, additionalProperties, propertyNames, items, enum, const, minimum,
exclusiveMinimum, maximum, minItems, maxItems, pattern, anyOf and $ref.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from collections.abc import Iterator
from typing import Any

__all__ = ["SYSTEM_SCHEMA", "SchemaProblem", "validate", "schema_json"]

ID_PATTERN = "^[a-z][a-z0-9_]*$"

_NUMBER = {"type": "number"}
_NON_NEGATIVE = {"type": "number", "minimum": 0}
_POSITIVE = {"type": "number", "exclusiveMinimum": 0}
_FRACTION = {"type": "number", "minimum": 0, "maximum": 1}
_VISITS_A_DAY = {"type": "number", "maximum": 1440}
"""One a minute: the visit tables hold one entry per whole number of visits a day."""
_TEXT = {"type": "string"}
_ID = {"type": "string", "pattern": ID_PATTERN}
_UNIT = {"enum": ["day", "week", "month", "year"]}
_PRICE_YEAR = {"anyOf": [{"type": "string"}, {"type": "integer"}],
               "title": "a price year (2017/18, or a calendar year such as 2023)",
               "description": "Price year of the cost (financial year 2017/18 or a "
                              "calendar year)."}
_RATE = {"type": "object", "title": "a mapping with 'amount' and 'per'",
         "properties": {"amount": _NON_NEGATIVE, "per": _UNIT, "price_year": _PRICE_YEAR},
         "required": ["amount", "per"], "additionalProperties": False}
_COST = {"anyOf": [_NON_NEGATIVE, {
    "type": "object", "properties": {"amount": _NON_NEGATIVE, "price_year": _PRICE_YEAR},
    "required": ["amount"], "additionalProperties": False}],
    "title": "a number, or a mapping with 'amount' and 'price_year'"}
_PRICES = {
    "type": "object", "additionalProperties": False, "title": "price years",
    "description": "Reporting price year, deflator table and discounting "
                   "(see wholesystem.system.prices).",
    "properties": {
        "year": {**_PRICE_YEAR, "description": "Report every cost in this year's prices."},
        "costs_in": {**_PRICE_YEAR, "description": "Price year of costs that name none."},
        "deflator": {
            "type": "object", "additionalProperties": False,
            "title": "a deflator table with 'name', 'source' and 'index' or 'change'",
            "required": ["name", "source"],
            "properties": {
                "name": {"type": "string", "description": "What the index is."},
                "source": {"type": "string",
                           "description": "Publication and table of its numbers."},
                "index": {"type": "object", "additionalProperties": _POSITIVE,
                          "description": "Index level by price year."},
                "change": {"type": "object", "additionalProperties": _NUMBER,
                           "description": "Per cent change into each price year (the "
                                          "first year is the base)."},
            }},
        "discount": {"anyOf": [{"type": "number", "minimum": 0, "maximum": 1},
                               {"enum": ["green_book"]}],
                     "description": "Discount rate a year (HM Treasury Green Book: 0.035) "
                                    "or green_book (its declining long-term schedule)."},
    }}
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _object(properties: dict[str, Any], required: tuple[str, ...] = (), title: str = "",
            description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties,
                              "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    if title:
        schema["title"] = title
    if description:
        schema["description"] = description
    return schema


def _doc(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {**schema, "description": description}


def _map_of(ref: str, description: str) -> dict[str, Any]:
    return {"type": "object", "description": description,
            "propertyNames": {"pattern": ID_PATTERN},
            "additionalProperties": {"$ref": f"#/$defs/{ref}"}}


_QUANTITY = {
    "title": "a number or a time series",
    "description": "A value that may change over time.",
    "anyOf": [
        _doc(_NON_NEGATIVE, "A constant."),
        _object({
            "value": _doc(_NON_NEGATIVE, "Value at time 0."),
            "growth": _doc(_NUMBER, "Compound growth rate per 'per' (e.g. 0.012 a year)."),
            "per": _doc(_UNIT, "Time unit of the growth rate (default: the system's)."),
        }, ("value",), "a mapping with 'value' (and 'growth')"),
        _object({
            "series": _doc({"type": "array", "minItems": 1, "items": {
                "type": "array", "minItems": 2, "maxItems": 2,
                "items": {"anyOf": [_NUMBER, {"type": "string", "format": "date"}]}}},
                "[time, value] pairs; times in the system's unit or ISO dates."),
            "interpolate": _doc({"enum": ["step", "linear"]},
                                "Between points: hold each value (step, default) or "
                                "draw straight lines."),
        }, ("series",), "a mapping with 'series'"),
        _object({
            "csv": _doc(_TEXT, "CSV file, relative to the system file."),
            "column": _doc(_TEXT, "Column holding the values."),
            "time": _doc(_TEXT, "Column holding times or ISO dates (default: 'time')."),
            "scale": _doc(_NUMBER, "Factor applied to every value (default 1)."),
            "interpolate": {"enum": ["step", "linear"]},
        }, ("csv", "column"), "a mapping with 'csv' and 'column'"),
        _object({
            "weekly": _doc(_object(dict.fromkeys(_WEEKDAYS, _NON_NEGATIVE), _WEEKDAYS),
                           "One value per weekday (daily systems only)."),
        }, ("weekly",), "a mapping with 'weekly'"),
    ],
}

_DURATION = {
    "title": "a number or a mapping with 'mean'",
    "description": "A length of stay or a delay: a mean (exponential) or a distribution.",
    "anyOf": [
        _doc(_POSITIVE, "Mean, exponentially distributed."),
        _object({
            "mean": _doc(_POSITIVE, "Mean duration."),
            "distribution": _doc({"enum": ["exponential", "erlang", "lognormal", "fixed"]},
                                 "Shape (default exponential)."),
            "order": _doc({"type": "integer", "minimum": 1}, "Erlang order (stages)."),
            "sigma": _doc(_POSITIVE, "Lognormal: standard deviation of the log."),
            "median": _doc(_POSITIVE, "Lognormal: median (instead of sigma)."),
            "sd": _doc(_POSITIVE, "Lognormal: standard deviation (instead of sigma)."),
            "longest": _doc(_POSITIVE, "Lognormal: stays that round to this or longer are "
                                       "drawn again."),
            "unit": _doc(_UNIT, "Unit of mean, median, sd and longest (default: the "
                                "system's)."),
        }, ("mean",), "a mapping with 'mean'"),
    ],
}

_ROUTE = _object({
    "to": _doc(_ID, "Service id, 'leave' (need met) or 'unmet' (leaves with need unmet)."),
    "fraction": _doc(_FRACTION, "Share of people leaving the service who take this route."),
    "after": _doc({"$ref": "#/$defs/duration"},
                  "Failure demand: they come back to 'to' after this delay."),
    "why": _doc(_TEXT, "Reason, in words."),
}, ("to", "fraction"), "a route")

_SERVICES_REF = {"anyOf": [_ID, {"type": "array", "minItems": 1, "items": _ID}],
                 "description": "A service id, a list of them, or 'all'."}

_CHANGE = {
    "title": "a change",
    "description": "One change an intervention makes; 'change' says which kind.",
    "anyOf": [
        _object({
            "change": {"const": "capacity"},
            "services": _SERVICES_REF,
            "set": _doc({"$ref": "#/$defs/quantity"}, "New capacity."),
            "add": _doc(_NUMBER, "Places added (negative: removed)."),
            "multiply": _doc(_NON_NEGATIVE, "Factor on capacity."),
            "unlimited": _doc({"type": "boolean"}, "Remove the capacity limit."),
        }, ("change", "services"), "a capacity change"),
        _object({
            "change": {"const": "length_of_stay"},
            "services": _SERVICES_REF,
            "set": _doc({"$ref": "#/$defs/duration"}, "New length of stay."),
            "multiply": _doc(_POSITIVE, "Factor on the mean length of stay."),
        }, ("change", "services"), "a length-of-stay change"),
        _object({
            "change": {"const": "prevention"},
            "cohort": _ID,
            "needs": {"anyOf": [_ID, {"type": "array", "items": _ID}]},
            "reduce_by": _doc(_FRACTION, "Share of arrivals prevented at full effect."),
            "after": _doc(_NON_NEGATIVE, "Delay before the effect begins."),
            "ramp": _doc(_NON_NEGATIVE, "Time to reach full effect."),
        }, ("change", "cohort", "reduce_by"), "a prevention change"),
        _object({
            "change": {"const": "routing"},
            "from": _ID,
            "cohort": _doc(_ID, "The cohort whose routes it replaces (default: the routes "
                                "for everyone)."),
            "routes": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/route"}},
        }, ("change", "from", "routes"), "a routing change"),
    ],
}

CSH_KEYS = ("beneficiary", "purpose", "measure", "decision_maker", "resources",
            "decision_environment", "expert", "expertise", "guarantor", "witness",
            "emancipation", "worldview")
"""Keys of the twelve Critical Systems Heuristics boundary questions (Ulrich), in order."""

SYSTEM_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://wholesystem.invalid/system.schema.json",
    "title": "wholesystem system file",
    "description": "A public-service system: organisations, services, cohorts of residents, "
                   "pathways between services, interventions and scenarios.",
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "time", "organisations", "services"],
    "properties": {
        "name": _doc(_TEXT, "Title of the system."),
        "description": _doc(_TEXT, "What the system is, in words."),
        "currency": _doc(_TEXT, "Currency symbol for reports (default £)."),
        "sources": _doc({"type": "array", "items": _TEXT}, "Where the numbers come from."),
        "prices": _PRICES,
        "time": _object({
            "start": _doc({"anyOf": [_NUMBER, {"type": "string", "format": "date"}]},
                          "Start: an ISO date (2023-01-01) or a number (default 0)."),
            "horizon": _doc(_POSITIVE, "Length of the run, in 'unit'."),
            "step": _doc(_POSITIVE, "Time step, in 'unit' (default 1)."),
            "unit": _doc(_UNIT, "Time unit (default day)."),
            "report_every": _doc(_POSITIVE, "Ledger period length, in 'unit'."),
        }, ("horizon",), "time settings"),
        "organisations": _map_of("organisation", "Budget holders, by id."),
        "services": _map_of("service", "Services, by id."),
        "cohorts": _map_of("cohort", "Groups of residents, by id."),
        "pathways": _doc({"type": "array", "items": {"$ref": "#/$defs/pathway"}},
                         "Routes out of services."),
        "interventions": _map_of("intervention", "Named changes, by id."),
        "scenarios": _map_of("scenario", "Named combinations of interventions, by id."),
        "critique": _doc({
            "type": "object", "additionalProperties": False,
            "properties": {q: {"type": "array", "items": {"$ref": "#/$defs/answer"}}
                           for q in CSH_KEYS}},
            "Critical Systems Heuristics: answers to the twelve boundary questions, by "
            "question, each from one stakeholder in the 'is' and 'ought' modes."),
        "uncertainty": _doc({
            "type": "object", "additionalProperties": False,
            "properties": {
                "parameters": _doc({"type": "object", "additionalProperties": {
                    "type": "object", "required": ["distribution"]}},
                    "Uncertain parameters by name (a constant of the compiled system, "
                    "e.g. 'home_care capacity'): distribution, its fields, source, "
                    "owner, evidence."),
                "correlations": _doc({"type": "array", "items": {
                    "type": "array", "minItems": 3, "maxItems": 3}},
                    "Rank correlations: [name_a, name_b, rho]."),
            }},
            "Uncertain parameters for Monte Carlo, sensitivity, discovery and ranking "
            "(read by wholesystem.analysis.uncertainty; the run itself uses the file's "
            "own values)."),
        "outcomes": _doc({"type": "array", "items": {"enum": [
            "people_waiting", "people_waiting_at_end", "days_waited", "needs_unmet",
            "repeat_presentations", "people_served"]}},
            "Resident outcomes to report (default: all)."),
    },
    "$defs": {
        "answer": _object({
            "stakeholder": _doc(_TEXT, "Who answers: an organisation id or a group of "
                                       "residents."),
            "is": _doc(_TEXT, "What is the case, in their view."),
            "ought": _doc(_TEXT, "What ought to be the case."),
            "bears_on": _doc({"type": "array", "items": _TEXT},
                             "Results the answer bears on: cost, affected, cut, inside or "
                             "an outcome name (default: the question's own)."),
        }, ("stakeholder",), "a boundary-question answer"),
        "quantity": _QUANTITY,
        "duration": _DURATION,
        "route": _ROUTE,
        "change": _CHANGE,
        "organisation": {"anyOf": [
            _doc(_TEXT, "The organisation's name."),
            _object({"name": _TEXT, "kind": _doc(_TEXT, "e.g. NHS acute trust."),
                     "description": _TEXT}, ("name",), "an organisation"),
        ], "title": "a name or a mapping with 'name'"},
        "service": _object({
            "name": _TEXT,
            "description": _TEXT,
            "owner": _doc(_ID, "Organisation that runs and pays for the service."),
            "kind": _doc({"enum": ["places", "contacts", "visits"]},
                         "places (beds, packages, caseload; default), contacts "
                         "(attendances, one-off visits, calls) or visits (people at home "
                         "visited several times a day, capacity in visits a day)."),
            "capacity": _doc({"$ref": "#/$defs/quantity"},
                             "Places, contacts per time unit, or visits a day (default: "
                             "unlimited)."),
            "ward": _doc(_TEXT, "Ward (unit) whose beds this service's people occupy, "
                                "shared with the services naming the same ward; delay "
                                "tables count them together (default: its own)."),
            "length_of_stay": _doc({"$ref": "#/$defs/duration"},
                                   "Places and visits: how long people stay."),
            "visits": _doc(_object({
                "first": _doc({**_POSITIVE, **_VISITS_A_DAY},
                              "Visits a day at the start of a stay."),
                "last": _doc({**_POSITIVE, **_VISITS_A_DAY},
                             "Visits a day at the end of a stay."),
                "spread": _doc({**_NON_NEGATIVE, **_VISITS_A_DAY},
                               "Standard deviation of each person's first and last "
                               "(default 0)."),
            }, ("first", "last"), "a visit profile"),
                "Visits services: visits a day, in a straight line over each stay."),
            "costs": _object({
                "per_contact": _doc(_COST, "Per contact."),
                "per_occupied_day": _doc(_COST, "Per occupied place per day."),
                "per_occupied_week": _doc(_COST, "Per occupied place per week."),
                "per_visit": _doc(_COST, "Per home visit (a visits service, or a "
                                                 "places service with visits_per_day)."),
                "visits_per_day": _doc(_NON_NEGATIVE, "Visits per occupied place per day."),
                "per_delayed_day": _doc(_COST, "Per person waiting per day."),
                "per_place": _doc(_RATE, "Per commissioned place (contacts: per contact "
                                         "of capacity), used or not: a block contract."),
                "fixed": _doc(_RATE, "Paid whatever the capacity and use."),
                "staffing": _doc(_object({
                    "places_per_team": _doc(_POSITIVE, "Places one team provides."),
                    "amount": _doc(_NON_NEGATIVE, "Cost of one team per 'per'."),
                    "per": _UNIT,
                    "price_year": _PRICE_YEAR,
                }, ("places_per_team", "amount", "per"), "a staffing step"),
                    "Capacity bought in whole teams: a part-used team is paid in full."),
                "price_year": {**_PRICE_YEAR, "description": "Price year of this "
                               "service's costs that name none of their own."},
            }, (), "unit costs"),
            "when_full": {"anyOf": [
                _object({"queue_in": _doc(_TEXT, "Where people wait, e.g. 'acute bed'."),
                         "payer": _doc(_ID, "Organisation paying for waiting days.")},
                        (), "queue where they are"),
                _object({"divert_to": _doc(_ID, "Service they go to instead, or 'unmet'.")},
                        ("divert_to",), "go elsewhere"),
            ], "title": "a mapping with 'queue_in' or 'divert_to'"},
            "initial": _object({
                "in_service": _NON_NEGATIVE,
                "waiting": _NON_NEGATIVE,
                "remaining_stay": _doc({"enum": ["residual", "uniform"]},
                                       "Stays of people in service at the start: as in a "
                                       "steady state (residual, default) or a uniform share "
                                       "of a fresh stay."),
            }, (), "people at the start"),
        }, ("owner",), "a service"),
        "need": _object({
            "name": _TEXT,
            "service": _doc(_ID, "Service where people with this need present."),
            "arrivals": _doc({"$ref": "#/$defs/quantity"}, "People per 'per'."),
            "rate": _doc({"$ref": "#/$defs/quantity"},
                         "People per person of the population per 'per'."),
            "per": _doc(_UNIT, "Time unit of arrivals or rate (default: the system's)."),
        }, ("service",), "a need"),
        "cohort": _object({
            "name": _TEXT,
            "description": _TEXT,
            "population": _doc({"$ref": "#/$defs/quantity"}, "People in the cohort."),
            "needs": _map_of("need", "Needs, by id."),
            "length_of_stay": _doc({"type": "object", "additionalProperties": {
                "$ref": "#/$defs/duration"}}, "This cohort's own lengths of stay, by service "
                                              "id (others: the service's)."),
        }, ("needs",), "a cohort"),
        "pathway": _object({
            "from": _doc(_ID, "Service people leave."),
            "cohort": _doc(_ID, "The cohort these routes are for (default: everyone "
                                "without routes of their own)."),
            "routes": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/route"}},
            "description": _TEXT,
        }, ("from", "routes"), "a pathway"),
        "intervention": _object({
            "name": _TEXT,
            "description": _TEXT,
            "changes": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/change"}},
            "cost": _object({
                "payer": _ID,
                "amount": _doc(_NON_NEGATIVE, "Running cost per 'per'."),
                "per": _UNIT,
                "one_off": _doc(_NON_NEGATIVE, "Paid once, at the start."),
                "price_year": _PRICE_YEAR,
            }, ("payer",), "an intervention cost"),
        }, ("changes",), "an intervention"),
        "scenario": {"anyOf": [
            _doc({"type": "array", "items": _ID}, "Intervention ids."),
            _object({"name": _TEXT, "description": _TEXT,
                     "interventions": {"type": "array", "items": _ID}},
                    ("interventions",), "a scenario"),
        ], "title": "a list of interventions or a mapping with 'interventions'"},
    },
}
"""The system-file format as JSON Schema (written out as ``docs/system.schema.json``)."""


def schema_json() -> str:
    """The schema as the text of ``docs/system.schema.json``."""
    return json.dumps(SYSTEM_SCHEMA, indent=2, ensure_ascii=False) + "\n"


Path = tuple[str | int, ...]


class SchemaProblem:
    """One place where a document breaks the schema."""

    __slots__ = ("path", "message", "at_key")

    def __init__(self, path: Path, message: str, at_key: bool = False):
        self.path = path
        """Where: keys and list positions from the top of the document."""
        self.message = message
        """What is wrong."""
        self.at_key = at_key
        """True when the problem is the key itself (an unknown field)."""

    def __repr__(self) -> str:
        return f"SchemaProblem({self.path!r}, {self.message!r})"


def validate(document: Any, schema: dict[str, Any] = SYSTEM_SCHEMA) -> list[SchemaProblem]:
    """Every problem of ``document`` against ``schema``, in document order."""
    return list(_check(document, schema, (), schema))


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = root["$defs"][name]
    return schema


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value:g}" if math.isfinite(value) else f"'{value:g}'"
    if isinstance(value, (_dt.date, str)):
        return f"'{value}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _is_type(value: Any, kind: str) -> bool:
    if kind == "number":  # YAML's .inf, .nan and 1e400 are floats no field can use
        return (isinstance(value, (int, float)) and not isinstance(value, bool)
                and math.isfinite(value))
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer())
    if kind == "string":
        return isinstance(value, (str, _dt.date))
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    return False


_KIND_WORDS = {"number": "a number", "integer": "a whole number", "string": "text",
               "boolean": "true or false", "object": "a mapping", "array": "a list"}


def _describe(schema: dict[str, Any]) -> str:
    if "title" in schema:
        return str(schema["title"])
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    kind = schema.get("type")
    return _KIND_WORDS.get(kind, "something else") if isinstance(kind, str) else "a value"


def _check(value: Any, schema: dict[str, Any], path: Path,
           root: dict[str, Any]) -> Iterator[SchemaProblem]:
    schema = _resolve(schema, root)
    if "anyOf" in schema:
        yield from _check_any_of(value, schema, path, root)
        return
    kind = schema.get("type")
    if kind is not None and not _is_type(value, kind):
        yield SchemaProblem(path, f"expected {_describe(schema)}, got {_type_name(value)}"
                            + _number_as_text(value, kind))
        return
    if "const" in schema and value != schema["const"]:
        yield SchemaProblem(path, f"expected '{schema['const']}', got {_type_name(value)}")
    if "enum" in schema and value not in schema["enum"]:
        choices = ", ".join(str(v) for v in schema["enum"])
        yield SchemaProblem(path, f"expected one of {choices}; got {_type_name(value)}")
    if kind in ("number", "integer"):
        yield from _check_bounds(value, schema, path)
    elif kind == "string" and "pattern" in schema and isinstance(value, str):
        if not re.match(schema["pattern"], value):
            yield SchemaProblem(path, f"'{value}' is not a valid id (use lower-case letters, "
                                      "digits and _, starting with a letter)")
    elif kind == "object":
        yield from _check_object(value, schema, path, root)
    elif kind == "array":
        yield from _check_array(value, schema, path, root)


def _check_bounds(value: float, schema: dict[str, Any], path: Path) -> Iterator[SchemaProblem]:
    if "minimum" in schema and value < schema["minimum"]:
        yield SchemaProblem(path, f"must be at least {schema['minimum']:g}, got {value:g}")
    if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
        yield SchemaProblem(path, f"must be more than {schema['exclusiveMinimum']:g}, "
                                  f"got {value:g}")
    if "maximum" in schema and value > schema["maximum"]:
        yield SchemaProblem(path, f"must be at most {schema['maximum']:g}, got {value:g}")


def _check_object(value: dict[str, Any], schema: dict[str, Any], path: Path,
                  root: dict[str, Any]) -> Iterator[SchemaProblem]:
    properties = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in value:
            yield SchemaProblem(path, f"missing field '{name}'")
    names = schema.get("propertyNames")
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        key_path = (*path, str(key))
        if names is not None and not re.match(names["pattern"], str(key)):
            yield SchemaProblem(key_path, f"'{key}' is not a valid id (use lower-case letters, "
                                          "digits and _, starting with a letter)", True)
            continue
        if key in properties:
            yield from _check(item, properties[key], key_path, root)
        elif extra is False:
            known = ", ".join(properties) or "none"
            yield SchemaProblem(key_path, f"unknown field '{key}' (expected one of: {known})",
                                True)
        elif isinstance(extra, dict):
            yield from _check(item, extra, key_path, root)


def _check_array(value: list[Any], schema: dict[str, Any], path: Path,
                 root: dict[str, Any]) -> Iterator[SchemaProblem]:
    if "minItems" in schema and len(value) < schema["minItems"]:
        yield SchemaProblem(path, f"needs at least {schema['minItems']} item(s), "
                                  f"got {len(value)}")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        yield SchemaProblem(path, f"takes at most {schema['maxItems']} item(s), "
                                  f"got {len(value)}")
    if "items" in schema:
        for index, item in enumerate(value):
            yield from _check(item, schema["items"], (*path, index), root)


def _number_as_text(value: Any, kind: Any) -> str:
    """Why a number written like ``1e9`` is text: YAML 1.1 (PyYAML's) reads a float in
    exponent form only with a dot in the mantissa and a sign in the exponent (``1.0e+9``),
    so the file gets a string where it meant a number."""
    if kind not in ("number", "integer") or not isinstance(value, str):
        return ""
    try:
        number = float(value)
    except ValueError:
        return ""
    if kind == "integer" and number.is_integer() and abs(number) < 1e15:
        return f" (YAML reads '{value}' as text; write {int(number)})"
    mantissa, exponent = f"{number:.1e}".split("e")
    return (f" (YAML reads '{value}' as text; write {mantissa}e{exponent[0]}"
            f"{int(exponent[1:])}, with a dot and a signed exponent)")


def _check_any_of(value: Any, schema: dict[str, Any], path: Path,
                  root: dict[str, Any]) -> Iterator[SchemaProblem]:
    branches = [_resolve(b, root) for b in schema["anyOf"]]
    results = [list(_check(value, b, path, root)) for b in branches]
    if any(not problems for problems in results):
        return
    chosen = _closest_branch(value, branches)
    if chosen is not None:
        yield from results[chosen]
        return
    expected = schema.get("title") or " or ".join(_describe(b) for b in branches)
    yield SchemaProblem(path, f"expected {expected}; got {_type_name(value)}")


def _closest_branch(value: Any, branches: list[dict[str, Any]]) -> int | None:
    """The branch a value was most likely meant to match, or None if none is clear.

    A mapping matches the object branch whose ``const`` discriminator it carries, else
    the one whose required fields it has; other values the one branch of their type.
    """
    if isinstance(value, dict):
        objects = [i for i, b in enumerate(branches) if b.get("type") == "object"]
        for i in objects:
            for key, prop in branches[i].get("properties", {}).items():
                if "const" in prop and value.get(key) == prop["const"]:
                    return i
        having = [i for i in objects
                  if branches[i].get("required") and
                  all(r in value for r in branches[i]["required"])]
        if len(having) == 1:
            return having[0]
        sharing = [i for i in objects
                   if any(k in branches[i].get("properties", {}) for k in value)]
        return sharing[0] if len(sharing) == 1 else (objects[0] if len(objects) == 1 else None)
    typed = [i for i, b in enumerate(branches)
             if isinstance(b.get("type"), str) and _is_type(value, b["type"])]
    return typed[0] if len(typed) == 1 else None
