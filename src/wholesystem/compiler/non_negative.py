"""Non-negative stocks: their outflows are limited so that the stock never goes below zero.

Stella's help (Computational details, *Flow prioritization*) defines the rule: "whenever the
magnitude of the stock plus the total inflow over the next DT is insufficient to support the
explicitly-calculated outflow over the next DT, then the outflow is the entire magnitude of
the stock, plus the inflow", i.e. ``outflow volume = MIN(stock/DT + total inflow volume,
explicit outflow volume)``; with several outflows "the priority 1 outflow gets first crack
at the contents of the stock. What's left over in the stock (if anything), gets allocated to
the priority 2 outflow", and so on. XMILE 1.0 (3.7.1) likewise keeps a non-negative stock
from going negative by its outflows, not by clamping its value.

The limit is applied to the flow variable itself, right after its equation is computed, so
every reader (the downstream stock, auxiliaries, the results) sees the flow that actually
left: material is conserved exactly. Outflows take their priority from the order the stock
lists them. The inflows counted are those computed before the outflow; where an inflow
depends, through a feedback loop, on the outflow itself it cannot be known yet and is left
out, which errs towards keeping the stock non-negative.

This module is the one place that knows the rule; :mod:`wholesystem.compiler.codegen` asks
it which flows to limit, in which order, and with which statement.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wholesystem.ir.model import Variable, VariableKind

__all__ = ["LimitedOutflow", "limited_outflows", "floored_stocks", "order_for_limits",
           "limit_statement"]


@dataclass(frozen=True, slots=True)
class LimitedOutflow:
    """An outflow of a non-negative stock, and what it may take."""

    flow: str
    """Canonical name of the outflow."""
    stock: str
    """Canonical name of the stock it drains."""
    inflows: tuple[str, ...]
    """The stock's inflows (they add to what is available)."""
    before: tuple[str, ...]
    """The stock's outflows of higher priority (listed earlier): they take first."""
    after: tuple[str, ...]
    """The stock's outflows of lower priority (listed later)."""


def _limitable(stock: Variable, variables: dict[str, Variable]) -> bool:
    """A stock whose outflows can carry the limit: flows listed, each with the stock's
    dimensions (a flow broadcast over a stock's elements has no one value to limit)."""
    if stock.kind is not VariableKind.STOCK or not stock.non_negative:
        return False
    if stock.rate is not None or any(e.rate is not None for e in stock.elements):
        return False
    flows = [variables.get(f) for f in stock.inflows + stock.outflows]
    if any(f is None for f in flows):
        return False
    return all(variables[f].dimensions == stock.dimensions for f in stock.outflows)


def limited_outflows(variables: dict[str, Variable]) -> dict[str, LimitedOutflow]:
    """Every outflow of a non-negative stock whose outflows are limited, by flow name."""
    found: dict[str, LimitedOutflow] = {}
    drains: dict[str, int] = {}
    for variable in variables.values():
        for outflow in set(variable.outflows) if variable.kind is VariableKind.STOCK else ():
            drains[outflow] = drains.get(outflow, 0) + 1
    for stock in variables.values():
        if not _limitable(stock, variables):
            continue
        for index, outflow in enumerate(stock.outflows):
            if outflow in found or outflow in stock.inflows or drains[outflow] > 1:
                # a flow both in and out of one stock moves nothing; one draining several
                # stocks is not limited by any of them (the stocks are floored instead)
                continue
            found[outflow] = LimitedOutflow(outflow, stock.name, stock.inflows,
                                            stock.outflows[:index],
                                            stock.outflows[index + 1:])
    return found


def floored_stocks(variables: dict[str, Variable]) -> set[str]:
    """Every non-negative stock: the integrator also floors it at zero, for what limiting
    outflows cannot prevent (an inflow running backwards, a net rate as Vensim's INTEG, a
    flow draining several stocks); after limited outflows this changes at most rounding."""
    return {n for n, v in variables.items() if v.kind is VariableKind.STOCK
            and v.non_negative}


def order_for_limits(dependencies: dict[str, set[str]],
                     limits: dict[str, LimitedOutflow]) -> dict[str, set[str]]:
    """Dependencies with each limited outflow also reading its stock's inflows and its
    higher-priority outflows, wherever that makes no loop."""
    result = {name: set(reads) for name, reads in dependencies.items()}
    for limit in limits.values():
        if limit.flow not in result:
            continue
        for source in (*limit.inflows, *limit.before):
            if source in result and not _depends_on(source, limit.flow, result):
                result[limit.flow].add(source)
    return result


def _depends_on(name: str, target: str, dependencies: dict[str, set[str]]) -> bool:
    """True when ``name`` reads ``target``, directly or through others."""
    seen = {name}
    stack = [name]
    while stack:
        for source in dependencies.get(stack.pop(), ()):
            if source == target:
                return True
            if source not in seen:
                seen.add(source)
                stack.append(source)
    return False


def limit_statement(limit: LimitedOutflow, identifiers: dict[str, str],
                    known: Callable[[str], bool], aligned: Callable[[str], str]) -> str:
    """``v_out = k.limit_outflow(v_out, v_stock, dt, others)``: others is the inflows
    already known minus the other outflows already computed (and limited): normally those
    of higher priority, but any that a feedback loop put first have taken their share."""
    terms = [aligned(f) for f in limit.inflows if f in identifiers and known(f)]
    text = " + ".join(terms) if terms else "0.0"
    for outflow in (*limit.before, *limit.after):
        if outflow in identifiers and known(outflow):
            text += f" - {aligned(outflow)}"
    flow = identifiers[limit.flow]
    return f"{flow} = k.limit_outflow({flow}, {identifiers[limit.stock]}, dt, {text})"
