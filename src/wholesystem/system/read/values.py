"""Reading the value types of a system file: quantities, durations and CSV series.

Each reader takes the validated plain value, its path and the document's positions, and
returns an IR value converted to the system's time unit, or adds a diagnostic and returns
None. Durations and rates may be written in another unit (``unit: month``, ``per: year``).
"""

from __future__ import annotations

import csv
import datetime as _dt
import itertools
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from wholesystem.datafiles import DataFileError, FileAccess
from wholesystem.diagnostics import Diagnostic, SourceSpan
from wholesystem.system.prices import CostPrice, PriceBasis
from wholesystem.system.read.source import FieldPath, Positions, problem
from wholesystem.system.spec import (
    TIME_UNITS,
    Distribution,
    Duration,
    Interpolation,
    Quantity,
)

__all__ = ["ReadContext", "YearDefault", "read_quantity", "read_duration", "unit_factor", "to_time"]

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class YearDefault:
    """A price year given for several costs, and where it is written."""

    year: str | None
    """The year (None: written but not readable, already reported)."""
    path: FieldPath
    """Where it is written."""


@dataclass
class ReadContext:
    """What reading one file needs: positions, time settings, and the problems found."""

    positions: Positions
    """Where everything is written."""
    folder: Path
    """Folder of the system file (CSV paths are relative to it)."""
    unit: str = "day"
    """The system's time unit."""
    start_date: _dt.date | None = None
    """Calendar date of time 0, when given."""
    problems: list[Diagnostic] = field(default_factory=list)
    """Errors found so far."""
    access: FileAccess = field(default_factory=FileAccess.unrestricted)
    """Which CSV files may be read (the reader passes the file's policy)."""
    prices: PriceBasis | None = None
    """The file's price basis (reporting year, deflator), once read."""
    default_year: YearDefault | None = None
    """``prices.costs_in``, when given."""
    price_records: list[CostPrice] = field(default_factory=list)
    """Every cost read so far, with its price year and uprating factor."""
    reported: set[FieldPath] = field(default_factory=set)
    """Price years already reported as outside the deflator table."""

    def error(self, path: FieldPath, message: str, at_key: bool = False,
              hint: str | None = None) -> None:
        """Record an error about the field at ``path``."""
        self.problems.append(problem(self.positions, path, message, at_key, hint))

    def span(self, path: FieldPath) -> SourceSpan:
        """Where ``path`` is written."""
        return self.positions.span(path)


def unit_factor(written: str | None, system_unit: str) -> float:
    """How many system time units one ``written`` unit is."""
    if written is None:
        return 1.0
    return TIME_UNITS[written] / TIME_UNITS[system_unit]


def to_time(value: Any, context: ReadContext, path: FieldPath) -> float | None:
    """A time written as a number (system units from the start) or an ISO date."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    try:
        date = value if isinstance(value, _dt.date) else _dt.date.fromisoformat(str(value))
    except ValueError:
        context.error(path, f"'{value}' is neither a number nor a date (YYYY-MM-DD)")
        return None
    if context.start_date is None:
        context.error(path, f"the date {date} needs a calendar start",
                      hint="set time.start to a date, e.g. 2023-01-01")
        return None
    days = (date - context.start_date).days
    return days / TIME_UNITS[context.unit]


def read_quantity(value: Any, context: ReadContext, path: FieldPath,
                  per: str | None = None) -> Quantity | None:
    """A constant, growth, series, CSV series or weekly profile; ``per`` is the unit a
    rate is written in (values are converted to per system time unit)."""
    rate = 1.0 / unit_factor(per, context.unit) if per else 1.0
    span = context.span(path)
    if not isinstance(value, dict):
        return Quantity(float(value) * rate, span=span)
    if "weekly" in value:
        return _read_weekly(value, context, path, rate)
    if "series" in value:
        return _read_series(value, context, path, rate)
    if "csv" in value:
        return _read_csv(value, context, path, rate)
    growth = float(value.get("growth", 0.0))
    if growth <= -1.0:
        context.error((*path, "growth"), "a growth rate must be more than -1")
        return None
    units_per_period = unit_factor(value.get("per"), context.unit)
    growth = (1.0 + growth) ** (1.0 / units_per_period) - 1.0 if growth else 0.0
    return Quantity(float(value["value"]) * rate, growth=growth, span=span)


def _read_weekly(value: dict[str, Any], context: ReadContext, path: FieldPath,
                 rate: float) -> Quantity | None:
    if context.unit != "day":
        context.error((*path, "weekly"), "a weekly profile needs a daily system",
                      hint="set time.unit to day")
        return None
    first = context.start_date.weekday() if context.start_date else 0
    values = tuple(float(value["weekly"][d]) * rate for d in _WEEKDAYS)
    return Quantity(sum(values) / 7, weekly=values, first_weekday=first,
                    span=context.span(path))


def _read_series(value: dict[str, Any], context: ReadContext, path: FieldPath,
                 rate: float) -> Quantity | None:
    points: list[tuple[float, float]] = []
    for index, (time, amount) in enumerate(value["series"]):
        when = to_time(time, context, (*path, "series", index, 0))
        if when is None:
            return None
        if not isinstance(amount, (int, float)) or isinstance(amount, bool) or amount < 0:
            context.error((*path, "series", index, 1), f"expected a number >= 0, got '{amount}'")
            return None
        points.append((when, float(amount) * rate))
    return _series(points, value.get("interpolate"), context, (*path, "series"), "")


def _series(points: list[tuple[float, float]], how: str | None, context: ReadContext,
            path: FieldPath, origin: str) -> Quantity | None:
    times = [t for t, _ in points]
    if any(b <= a for a, b in itertools.pairwise(times)):
        context.error(path, "times must increase from one point to the next")
        return None
    interpolation = Interpolation(how or "step")
    return Quantity(points[0][1], points=tuple(points), interpolation=interpolation,
                    origin=origin, span=context.span(path))


def _read_csv(value: dict[str, Any], context: ReadContext, path: FieldPath,
              rate: float) -> Quantity | None:
    where = (*path, "csv")
    try:
        file = context.access.open_path(str(value["csv"]), relative_to=context.folder,
                                        what="CSV file")
    except DataFileError as err:
        context.error(where, err.message, hint=err.hint)
        return None
    try:
        with file.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except (UnicodeDecodeError, csv.Error) as err:
        context.error(where, f"cannot read '{value['csv']}': {err}")
        return None
    time_column = str(value.get("time", "time"))
    column = str(value["column"])
    header = list(rows[0]) if rows else []
    for wanted, key in ((time_column, "time"), (column, "column")):
        if wanted not in header:
            context.error((*path, key), f"'{file.name}' has no column '{wanted}' "
                                        f"(columns: {', '.join(header) or 'none'})")
            return None
    scale = float(value.get("scale", 1.0)) * rate
    points: list[tuple[float, float]] = []
    for number, row in enumerate(rows, start=2):
        when = _csv_time(row[time_column], context)
        try:
            amount = float(row[column])
        except ValueError:
            amount = math.nan
        if when is None or not math.isfinite(amount):
            context.error(where, f"{file.name} line {number}: cannot read time "
                                 f"'{row[time_column]}' and value '{row[column]}'")
            return None
        points.append((when, amount * scale))
    if not points:
        context.error(where, f"'{file.name}' has no rows")
        return None
    return _series(points, value.get("interpolate"), context, where,
                   f"{value['csv']}:{column}")


def _csv_time(text: str, context: ReadContext) -> float | None:
    try:
        return float(text)
    except ValueError:
        pass
    try:
        date = _dt.date.fromisoformat(text.strip())
    except ValueError:
        return None
    if context.start_date is None:
        return None
    return (date - context.start_date).days / TIME_UNITS[context.unit]


def read_duration(value: Any, context: ReadContext, path: FieldPath) -> Duration | None:
    """A mean (exponential) or a mapping with mean, distribution and shape."""
    span = context.span(path)
    if not isinstance(value, dict):
        return Duration(float(value), span=span)
    factor = unit_factor(value.get("unit"), context.unit)
    mean = float(value["mean"]) * factor
    distribution = Distribution(value.get("distribution", "exponential"))
    duration = _read_shape(value, mean, factor, distribution, context, path)
    if duration is None or "longest" not in value:
        return duration
    longest = float(value["longest"]) * factor
    if distribution is not Distribution.LOGNORMAL:
        context.error((*path, "longest"), "'longest' applies to a lognormal distribution",
                      hint="exponential and Erlang stays run through stages that cannot "
                           "cut off long stays")
        return None
    return replace(duration, longest=longest)


def _read_shape(value: dict[str, Any], mean: float, factor: float,
                distribution: Distribution, context: ReadContext, path: FieldPath
                ) -> Duration | None:
    span = context.span(path)
    if distribution is Distribution.ERLANG:
        if "order" not in value:
            context.error(path, "an Erlang distribution needs 'order' (its number of stages)")
            return None
        return Duration(mean, distribution, order=int(value["order"]), span=span)
    if distribution is Distribution.LOGNORMAL:
        sigma = _lognormal_sigma(value, mean, factor, context, path)
        return None if sigma is None else Duration(mean, distribution, sigma=sigma, span=span)
    for shape in ("order", "sigma", "median", "sd"):
        if shape in value:
            context.error((*path, shape), f"'{shape}' does not apply to a "
                                          f"{distribution.value} distribution")
            return None
    return Duration(mean, distribution, span=span)


def _lognormal_sigma(value: dict[str, Any], mean: float, factor: float, context: ReadContext,
                     path: FieldPath) -> float | None:
    given = [k for k in ("sigma", "median", "sd") if k in value]
    if len(given) != 1:
        context.error(path, "a lognormal distribution needs exactly one of 'sigma', "
                            f"'median' or 'sd' (got {', '.join(given) or 'none'})")
        return None
    if "sigma" in value:
        return float(value["sigma"])
    if "median" in value:
        median = float(value["median"]) * factor
        if median >= mean:
            context.error((*path, "median"), f"the median ({median:g}) must be below the "
                                             f"mean ({mean:g}) for a lognormal")
            return None
        return math.sqrt(2.0 * (math.log(mean) - math.log(median)))
    sd = float(value["sd"]) * factor
    return math.sqrt(math.log(1.0 + (sd / mean) ** 2))
