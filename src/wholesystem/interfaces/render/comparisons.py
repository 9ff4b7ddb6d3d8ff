"""A scenario comparison in words: who pays, who saves, and what the verdict means.

The comparison itself (:class:`~wholesystem.system.shunts.Comparison`) is data; the CLI,
the API and the web pages all say it in the sentences written here, so a director reads
the same verdict wherever she looks.

>>> import wholesystem
>>> from wholesystem.system.model import load_system
>>> from wholesystem.system.shunts import compare
>>> system = load_system(wholesystem.example_path("delayed_discharge_system"))
>>> comparison = compare(system, "fewer_packages")
>>> print(shunt_sentence(comparison.shunts[0]))
Acute trust pays £5,192,139 more; Adult social care saves £179,638; whole system: £5,012,500 more.
>>> verdict_sentence(comparison).startswith("Cost shunting: £179,638 of cost moves")
True
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from wholesystem.interfaces.render.capacity import payback_sentence
from wholesystem.interfaces.render.numbers import money
from wholesystem.system.shunts import Comparison, Shunt

__all__ = ["shunt_sentence", "verdict_sentence", "verdict_words", "comparison_dict"]


def shunt_sentence(shunt: Shunt) -> str:
    """Each organisation that pays more or saves, then the whole system's change."""
    c = shunt.currency
    parts = [f"{name} pays {money(amount, c)} more" for name, amount in shunt.pays_more]
    parts += [f"{name} saves {money(amount, c)}" for name, amount in shunt.saves]
    whole = money(abs(shunt.whole_system), c)
    if shunt.whole_system > 0.5:
        net = f"{whole} more"
    elif shunt.whole_system < -0.5:
        net = f"saves {whole}"
    else:
        net = "no change"
    return "; ".join(parts) + f"; whole system: {net}."


def verdict_sentence(comparison: Comparison) -> str:
    """The comparison's verdict as a plain sentence."""
    return verdict_words(comparison.verdict, comparison.whole_change, comparison.moved,
                         comparison.currency)


def verdict_words(verdict: str, whole: float, moved: float, currency: str) -> str:
    """A verdict (see :class:`~wholesystem.system.shunts.Comparison`) as a sentence, from
    the whole system's change in cost and the cost moved between organisations."""
    amount, shifted = money(abs(whole), currency), money(moved, currency)
    if verdict == "genuine saving":
        return f"A genuine whole-system saving of {amount}: no organisation pays more."
    if verdict == "saving with cost moved":
        return (f"A genuine whole-system saving of {amount}, while {shifted} of cost moves "
                "between organisations: those who save should fund those who pay more.")
    if verdict == "cost moved" and whole > 0:
        return (f"Cost shunting: {shifted} of cost moves between organisations and the "
                f"whole system pays {amount} more. The saving is not real.")
    if verdict == "cost moved":
        return (f"Cost shunting: {shifted} of cost moves between organisations with no "
                "whole-system saving.")
    if verdict == "costs more":
        return f"The whole system pays {amount} more; no organisation saves."
    return "No change in cost to any organisation."


def comparison_dict(comparison: Comparison) -> dict[str, Any]:
    """The comparison as plain data with its sentences (what ``--json`` prints and the
    API serves): ``summary`` is the verdict in words, each shunt has its ``text``, and a
    capacity payback its ``summary``."""
    data = asdict(comparison)
    data["summary"] = verdict_sentence(comparison)
    data["shunts"] = [{**asdict(s), "moved": s.moved, "text": shunt_sentence(s)}
                      for s in comparison.shunts]
    if comparison.capacity is not None:
        data["capacity"]["summary"] = payback_sentence(comparison.capacity)
    return data
