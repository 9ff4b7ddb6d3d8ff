"""Price years, deflators and discounting: money of one year, counted once.

Unit costs are published in the prices of a year (NHS National Cost Collection 2023/24,
PSSRU Unit Costs 2024/25...). Adding figures of different years mixes money of different
value, so a system file may name a reporting year and a deflator table, and every cost is
then uprated to that year when the file is read::

    prices:
      year: 2024/25              # report every cost in 2024/25 prices
      costs_in: 2017/18          # price year of a cost that names none of its own
      deflator:
        name: NHS cost inflation index (NHSCII), pay and prices
        source: PSSRU Unit Costs of Health and Social Care 2025 Manual
        change: {2015/16: 0.40, 2016/17: 2.09}   # per cent change into each year
      discount: 0.035            # a year (HM Treasury Green Book), or green_book

A cost's price year is its own (``{amount: 136, price_year: 2012/13}``), else its
service's (``costs.price_year``) or its intervention's (``cost.price_year``), else
``prices.costs_in``. A cost is uprated by ``index[year] / index[its price year]``.

Discounting follows the Green Book's discrete convention: money spent in year *n* of the
run (year 0 being the first 365 days) is worth ``D(n)`` today, with ``D(0) = 1`` and
``D(n) = D(n - 1) / (1 + r(n))``; ``r`` is constant, or the Green Book's declining
long-term schedule (3.5% to year 30, then 3%, 2.5%, 2%, 1.5% and 1% from year 301).

>>> table = Deflator("example", "", (("2020/21", 100.0), ("2021/22", 102.58)))
>>> round(table.factor("2020/21", "2021/22"), 4)
1.0258
>>> [round(discount_factor(n, 0.035), 4) for n in range(3)]
[1.0, 0.9662, 0.9335]
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from wholesystem.diagnostics import UNKNOWN_SPAN, SourceSpan

__all__ = ["GREEN_BOOK", "GREEN_BOOK_RATE", "Deflator", "PriceBasis", "CostPrice",
           "price_year_label", "index_from_changes", "discount_factor",
           "step_discount_factors", "mixed_price_years"]

GREEN_BOOK_RATE = 0.035
"""HM Treasury Green Book social time preference rate, years 0 to 30."""

GREEN_BOOK: tuple[tuple[int, float], ...] = (
    (30, 0.035), (75, 0.030), (125, 0.025), (200, 0.020), (300, 0.015))
"""The Green Book's declining long-term rates: (last year of the band, rate); 1% after."""

_FINANCIAL = re.compile(r"^(\d{4})\s*[/-]\s*(\d{2}|\d{4})$")


def price_year_label(value: object) -> str | None:
    """A price year as ``2017/18`` (financial) or ``2023`` (calendar); None when it is
    neither. ``2017-18`` and ``2017/2018`` are read as ``2017/18``.

    >>> price_year_label("2017-2018"), price_year_label(2023), price_year_label("17/18")
    ('2017/18', '2023', None)
    """
    text = str(value).strip()
    if re.fullmatch(r"\d{4}", text) and not isinstance(value, bool):
        return text
    match = _FINANCIAL.match(text)
    if match is None:
        return None
    first, second = int(match.group(1)), match.group(2)
    if int(second) % 100 != (first + 1) % 100:
        return None  # 2017/19 is not a financial year
    return f"{first}/{(first + 1) % 100:02d}"


def index_from_changes(changes: list[tuple[str, float]]) -> tuple[tuple[str, float], ...]:
    """Index levels (first year = 100) from per cent changes into each later year; the
    first year's own change, if given, is not used (it is the base).

    >>> index_from_changes([("2020/21", 2.49), ("2021/22", 2.58), ("2022/23", 7.32)])
    (('2020/21', 100.0), ('2021/22', 102.58), ('2022/23', 110.088856))
    """
    levels, level = [], 100.0
    for number, (year, change) in enumerate(changes):
        if number:
            level *= 1.0 + change / 100.0
        levels.append((year, round(level, 10)))
    return tuple(levels)


@dataclass(frozen=True, slots=True)
class Deflator:
    """A price index by year, e.g. HM Treasury GDP deflators or the NHS cost inflation
    index."""

    name: str
    """What the index is."""
    source: str
    """Where its numbers were published."""
    index: tuple[tuple[str, float], ...]
    """(price year, index level), in year order."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where the table is written."""

    @property
    def years(self) -> tuple[str, ...]:
        """The price years the table covers."""
        return tuple(year for year, _ in self.index)

    def level(self, year: str) -> float:
        """The index in ``year`` (KeyError outside the table)."""
        return dict(self.index)[year]

    def factor(self, from_year: str, to_year: str) -> float:
        """What one unit of money of ``from_year`` is worth in ``to_year`` prices."""
        return self.level(to_year) / self.level(from_year)

    def coverage(self) -> str:
        """``2014/15 to 2024/25``."""
        return f"{self.index[0][0]} to {self.index[-1][0]}" if self.index else "no years"


@dataclass(frozen=True, slots=True)
class PriceBasis:
    """The money basis of a system: its reporting price year, deflator and discounting."""

    year: str | None = None
    """Reporting price year every cost is uprated to (None: costs as written)."""
    deflator: Deflator | None = None
    """The index that uprates them."""
    costs_in: str | None = None
    """Price year of costs that name none of their own."""
    discount: float | str | None = None
    """Discount rate a year, ``"green_book"`` (declining schedule) or None (none)."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where ``prices`` is written."""


@dataclass(frozen=True, slots=True)
class CostPrice:
    """One cost as written and as reported."""

    field: str
    """Field of the system file, e.g. ``services.ward.costs.per_occupied_day``."""
    written: float
    """The amount written in the file (in its own units: per day, per week...)."""
    price_year: str | None
    """Its price year (None: none given)."""
    factor: float
    """Uprating factor applied (1 when not uprated)."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where the cost is written."""

    @property
    def reported(self) -> float:
        """The amount in the reporting year's prices."""
        return self.written * self.factor


def _rate_in_year(year: int, rate: float | str) -> float:
    if not isinstance(rate, str):
        return float(rate)
    return next((r for last, r in GREEN_BOOK if year <= last), 0.010)


def discount_factor(year: int, rate: float | str) -> float:
    """``D(year)``: what money spent in year ``year`` of the run (0 first) is worth now,
    at a constant ``rate`` a year or the Green Book schedule (``"green_book"``).

    >>> round(discount_factor(31, "green_book") * 1.035 ** 30 * 1.03, 12)
    1.0
    """
    factor = 1.0
    for n in range(1, max(0, year) + 1):
        factor /= 1.0 + _rate_in_year(n, rate)
    return factor


def step_discount_factors(times: NDArray[np.float64], days_per_unit: float,
                          rate: float | str) -> NDArray[np.float64]:
    """The discount factor of each time (in system units): by its year of the run."""
    years = np.floor(np.asarray(times, dtype=float) * days_per_unit / 365.0 + 1e-9)
    cache: dict[int, float] = {}
    out = np.empty(len(years))
    for i, year in enumerate(years.astype(int)):
        if year not in cache:
            cache[int(year)] = discount_factor(int(year), rate)
        out[i] = cache[int(year)]
    return out


def mixed_price_years(records: tuple[CostPrice, ...], basis: PriceBasis | None
                      ) -> tuple[str, ...]:
    """The distinct price years of costs when they are added unadjusted (no reporting
    year and more than one year), else ()."""
    if basis is not None and basis.year is not None:
        return ()
    years = sorted({r.price_year for r in records if r.price_year is not None})
    return tuple(years) if len(years) > 1 else ()


def is_finite_rate(value: float) -> bool:
    """A discount rate a year that can be used: finite and above -100%."""
    return math.isfinite(value) and value > -1.0
