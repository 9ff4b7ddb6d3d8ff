"""Reading money: the ``prices`` block, and each cost with its price year.

A cost is a number or ``{amount, price_year}`` (rate costs: ``{amount, per,
price_year}``). Its price year is its own, else the default given by its service or
intervention, else ``prices.costs_in``. When ``prices.year`` is set, every cost is
uprated to it by the deflator table; a cost with no price year, or a year outside the
table, is an error at the field that is wrong (see :mod:`wholesystem.system.prices`).
"""

from __future__ import annotations

from typing import Any

from wholesystem.system.prices import (
    CostPrice,
    Deflator,
    PriceBasis,
    index_from_changes,
    price_year_label,
)
from wholesystem.system.read.source import FieldPath, field_name
from wholesystem.system.read.values import ReadContext, YearDefault

__all__ = ["YearDefault", "read_prices", "read_cost", "read_year_default"]


def _year(value: Any, context: ReadContext, path: FieldPath) -> str | None:
    label = price_year_label(value)
    if label is None:
        context.error(path, f"'{value}' is not a price year",
                      hint="write a financial year as 2017/18, or a calendar year as 2023")
    return label


def read_year_default(value: dict[str, Any], context: ReadContext, path: FieldPath,
                      outer: YearDefault | None) -> YearDefault | None:
    """The ``price_year`` of a costs mapping (at ``path``), or the ``outer`` default."""
    if "price_year" not in value:
        return outer
    return YearDefault(_year(value["price_year"], context, (*path, "price_year")),
                       (*path, "price_year"))


def _deflator(value: dict[str, Any], context: ReadContext) -> Deflator | None:
    path: FieldPath = ("prices", "deflator")
    given = [k for k in ("index", "change") if k in value]
    if len(given) != 1:
        context.error(path, "a deflator table needs exactly one of 'index' (levels by "
                            "year) or 'change' (per cent change into each year)")
        return None
    rows = []
    for key, number in value[given[0]].items():
        label = _year(key, context, (*path, given[0], key))
        if label is None:
            return None
        rows.append((label, float(number)))
    if not rows:
        context.error((*path, given[0]), "the table has no years")
        return None
    if [y for y, _ in rows] != sorted(y for y, _ in rows) or len({y for y, _ in rows}) \
            != len(rows):
        context.error((*path, given[0]), "years must be in order, each once")
        return None
    index = index_from_changes(rows) if given[0] == "change" else tuple(rows)
    return Deflator(str(value["name"]), str(value["source"]), index, context.span(path))


def read_prices(document: dict[str, Any], context: ReadContext) -> PriceBasis | None:
    """The ``prices`` block (None when absent); sets ``context.prices``."""
    if "prices" not in document:
        return None
    value = document["prices"]
    deflator = _deflator(value["deflator"], context) if "deflator" in value else None
    year = _year(value["year"], context, ("prices", "year")) if "year" in value else None
    costs_in = (_year(value["costs_in"], context, ("prices", "costs_in"))
                if "costs_in" in value else None)
    if year is not None and "deflator" not in value:
        context.error(("prices", "year"), "a reporting price year needs a deflator table",
                      hint="add prices.deflator with its name, source and index or change")
    elif year is not None and deflator is not None and year not in deflator.years:
        context.error(("prices", "year"), f"{year} is outside the deflator table "
                                          f"({deflator.coverage()})")
    basis = PriceBasis(year, deflator, costs_in, value.get("discount"),
                       context.span(("prices",)))
    context.prices = basis
    if "costs_in" in value:
        context.default_year = YearDefault(costs_in, ("prices", "costs_in"))
    return basis


def read_cost(value: Any, context: ReadContext, path: FieldPath,
              default: YearDefault | None) -> float:
    """A cost's amount in the reporting year's prices (as written when none is set);
    records it in ``context.price_records``."""
    if value is None:
        return 0.0
    amount = float(value["amount"]) if isinstance(value, dict) else float(value)
    own = isinstance(value, dict) and "price_year" in value
    where = YearDefault(_year(value["price_year"], context, (*path, "price_year")),
                        (*path, "price_year")) if own else (default or context.default_year)
    year = where.year if where else None
    factor = _factor(year, where, context, path)
    context.price_records.append(CostPrice(field_name(path), amount, year, factor,
                                           context.span(path)))
    return amount * factor


def _factor(year: str | None, where: YearDefault | None, context: ReadContext,
            path: FieldPath) -> float:
    basis = context.prices
    if basis is None or basis.year is None or basis.deflator is None:
        return 1.0
    if where is None:
        context.error(path, f"this cost has no price year, and costs are reported in "
                            f"{basis.year} prices",
                      hint="write it as {amount: ..., price_year: 2017/18}, or give "
                           "costs.price_year or prices.costs_in")
        return 1.0
    if year is None:  # a price year that could not be read: already reported
        return 1.0
    if year not in basis.deflator.years:
        if where.path not in context.reported:
            context.reported.add(where.path)
            context.error(where.path, f"price year {year} is outside the deflator table "
                                      f"'{basis.deflator.name}' ({basis.deflator.coverage()})")
        return 1.0
    return basis.deflator.factor(year, basis.year)
