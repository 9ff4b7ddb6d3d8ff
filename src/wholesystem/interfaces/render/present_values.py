"""Discounted money in words: what a present value is discounted at, and its figures.

A system whose ``prices`` set a ``discount`` gives present values beside its cash totals
(:attr:`~wholesystem.system.ledger.Ledger.present_value`,
:attr:`~wholesystem.system.shunts.Comparison.present_value_change`). The text reports
print them here, so the command line and the workbench name the rate the same way.

>>> discount_words(0.035), discount_words("green_book")
('3.5% a year', "the Green Book's declining rates (3.5% a year to year 30)")
>>> present_value_note(0.1, "2024/25")
'Present values: money spent in year n of the run (the first year is year 0) counts \
1/(1 + r)^n, at 10% a year, in 2024/25 prices.'
"""

from __future__ import annotations

from wholesystem.interfaces.render.numbers import money, signed_money
from wholesystem.system.ledger import Ledger
from wholesystem.system.shunts import Comparison

__all__ = ["discount_words", "present_value_note", "ledger_present_values",
           "comparison_present_value_rows"]


def discount_words(discount: float | str) -> str:
    """A discount rate a year (or ``"green_book"``, the declining schedule) in words."""
    if isinstance(discount, str):
        return "the Green Book's declining rates (3.5% a year to year 30)"
    return f"{discount * 100:g}% a year"


def present_value_note(discount: float | str, price_year: str | None) -> str:
    """One sentence saying how the present values were discounted (and in which prices)."""
    prices = f", in {price_year} prices" if price_year else ""
    return ("Present values: money spent in year n of the run (the first year is year 0) "
            f"counts 1/(1 + r)^n, at {discount_words(discount)}{prices}.")


def ledger_present_values(ledger: Ledger) -> list[str] | None:
    """Each organisation's discounted cost then the whole system's, formatted, in the
    ledger's organisation order; None when the system sets no discount rate."""
    if ledger.present_value is None:
        return None
    c = ledger.currency
    return [*(money(ledger.present_value[o.id], c) for o in ledger.organisations),
            money(ledger.present_value["whole_system"], c)]


def comparison_present_value_rows(comparison: Comparison) -> list[list[str]] | None:
    """Rows of organisation, change in cash and change in present value, then the whole
    system; None when the system sets no discount rate."""
    change = comparison.present_value_change
    if change is None:
        return None
    c = comparison.currency
    rows = [[o.name, signed_money(o.change, c), signed_money(change[o.id], c)]
            for o in comparison.organisations]
    rows.append(["Whole system", signed_money(comparison.whole_change, c),
                 signed_money(change["whole_system"], c)])
    return rows
