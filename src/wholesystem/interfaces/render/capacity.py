"""Capacity payback in words: where extra places stop paying for themselves."""

from __future__ import annotations

from wholesystem.interfaces.render.numbers import money
from wholesystem.system.capacity import CapacityPayback

__all__ = ["payback_sentence"]


def payback_sentence(payback: CapacityPayback) -> str:
    """The payback verdict in plain words, with the places and the money it turns on.

    ``stops paying`` names the cheapest capacity and what it saves against the baseline's
    places and against the scenario's; ``never pays`` what the scenario's capacity costs
    the whole system beyond the baseline's.
    """
    sweep, best = payback.sweep, payback.best
    c, first = sweep.currency, sweep.points[0]
    if payback.verdict == "pays for itself":
        return ("The extra capacity pays for itself: the whole system is cheapest at the "
                "scenario's capacity, because the delays it removes cost more than its "
                "places.")
    if payback.verdict == "never pays":
        return ("None of the extra capacity pays for itself: the first places added already "
                "cost more than the delays they save, and the scenario's capacity costs the "
                f"whole system {money(payback.scenario_cost - first.whole_system, c)} more "
                "than the baseline's places.")
    added = best.added - first.added
    where = ", ".join(f"{s} {best.places[s]:,.0f}" for s in sweep.services)
    return (f"Extra capacity pays for itself up to about {added:,.0f} more places ({where}), "
            f"where the whole system costs least ({money(best.whole_system, c)}, "
            f"{money(first.whole_system - best.whole_system, c)} less than with the "
            "baseline's places); beyond that each extra place costs more than the delays it "
            "saves, and the scenario's capacity costs "
            f"{money(payback.scenario_cost - best.whole_system, c)} more than that minimum.")
