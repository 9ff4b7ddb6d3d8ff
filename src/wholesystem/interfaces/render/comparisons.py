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
from wholesystem.interfaces.render.numbers import money, signed_money
from wholesystem.system.causes import CostCause
from wholesystem.system.ledger import change_threshold
from wholesystem.system.shunts import Comparison, Shunt

__all__ = ["shunt_sentence", "traced_sentence", "cause_phrase", "cause_rows",
           "verdict_sentence", "verdict_words", "comparison_dict"]

_STREAMS = {"route": "sent on by", "return": "coming back from",
            "divert": "turned away by"}


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


def cause_phrase(cause: CostCause, currency: str = "£") -> str:
    """One cause of a change in cost, e.g. ``+£5,192,139 for people waiting for Home care
    (run by Adult social care)``, and where the change began when that was further up the
    pathway."""
    amount = signed_money(cause.amount, currency)
    runs = (f" (run by {cause.source_organisation_name})"
            if cause.crosses and cause.source_organisation_name else "")
    if cause.kind == "programme":
        return f"{amount} on its programme {cause.source_name}"
    if cause.kind == "own":
        return f"{amount} inside its own services (costs, stays, capacity, its own queues)"
    if cause.kind == "waiting":
        return f"{amount} for people waiting for {cause.source_name}{runs}{_began(cause)}"
    if cause.stream == "arrival":
        return f"{amount} in {cause.service_name} for people arriving ({cause.source_name})"
    return (f"{amount} in {cause.service_name} for people "
            f"{_STREAMS.get(cause.stream, 'from')} {cause.source_name}{runs}{_began(cause)}")


def _began(cause: CostCause) -> str:
    """Where the change began, when not at the service the cost comes from."""
    through = f" (through {', '.join(cause.via)})" if cause.via else ""
    if cause.origin_organisation == cause.source_organisation:
        return ""
    if not cause.origin_organisation:
        return f"; it began with more or fewer people arriving from outside{through}"
    if cause.origin_organisation == cause.organisation:
        return f"; it began in its own services{through}"
    return f"; it began with {cause.origin_organisation_name}{through}"


def traced_sentence(shunt: Shunt) -> str:
    """The pathways a shunt's cost follows, organisation by organisation."""
    c = shunt.currency
    by_org: dict[str, list[str]] = {}
    for cause in shunt.traced:
        by_org.setdefault(cause.organisation, []).append(cause_phrase(cause, c))
    parts = []
    for org_id, phrases in by_org.items():
        name = next((cause.organisation_name for cause in shunt.traced
                     if cause.organisation == org_id and cause.organisation_name), org_id)
        parts.append(f"{name}: {'; '.join(phrases)}")
    return "Traced: " + ". ".join(parts) + "."


def cause_rows(comparison: Comparison) -> list[list[str]]:
    """(organisation, cause) rows of every organisation's change in cost, in the order of
    the comparison's organisations."""
    names = {o.id: o.name for o in comparison.organisations}
    return [[names.get(c.organisation, c.organisation),
             cause_phrase(c, comparison.currency)] for c in comparison.causes]


def verdict_sentence(comparison: Comparison) -> str:
    """The comparison's verdict as a plain sentence."""
    threshold = change_threshold(comparison.whole_baseline)
    against = {"genuine saving": lambda change: change > threshold,
               "costs more": lambda change: change < -threshold}.get(comparison.verdict)
    untraced = against is not None and any(against(o.change)
                                           for o in comparison.organisations)
    return verdict_words(comparison.verdict, comparison.whole_change, comparison.moved,
                         comparison.currency, untraced=untraced)


def verdict_words(verdict: str, whole: float, moved: float, currency: str,
                  untraced: bool = False) -> str:
    """A verdict (see :class:`~wholesystem.system.shunts.Comparison`) as a sentence, from
    the whole system's change in cost and the cost moved between organisations.

    ``untraced``: with a ``genuine saving``, some organisation still pays more, and with
    ``costs more`` some organisation still saves, but no cost follows people between
    them (their own programmes, services or capacity: see
    :mod:`wholesystem.system.causes`)."""
    amount, shifted = money(abs(whole), currency), money(moved, currency)
    if verdict == "genuine saving" and untraced:
        return (f"A genuine whole-system saving of {amount}: where an organisation pays "
                "more, it pays for its own programmes or services, and no cost follows "
                "people onto it.")
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
    if verdict == "costs more" and untraced:
        return (f"The whole system pays {amount} more. Where an organisation saves, no "
                "cost follows people from it onto those who pay more: they pay for their "
                "own programmes, services or capacity.")
    if verdict == "costs more":
        return f"The whole system pays {amount} more; no organisation saves."
    return "No change in cost to any organisation."


def comparison_dict(comparison: Comparison) -> dict[str, Any]:
    """The comparison as plain data with its sentences (what ``--json`` prints and the
    API serves): ``summary`` is the verdict in words, each shunt has its ``text``, and a
    capacity payback its ``summary``."""
    data = asdict(comparison)
    data["summary"] = verdict_sentence(comparison)
    data["shunts"] = [{**asdict(s), "moved": s.moved, "text": shunt_sentence(s),
                       "traced_text": traced_sentence(s)} for s in comparison.shunts]
    data["causes"] = [{**asdict(c), "crosses": c.crosses,
                       "text": cause_phrase(c, comparison.currency)}
                      for c in comparison.causes]
    if comparison.capacity is not None:
        data["capacity"]["summary"] = payback_sentence(comparison.capacity)
    return data
