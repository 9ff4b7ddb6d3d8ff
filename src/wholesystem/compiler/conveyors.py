"""Conveyor stocks lowered to a conveyor state read by their outflows.

A conveyor (XMILE ``<conveyor>``) stays an ordinary stock that integrates its flows; what
changes is where its outflows come from. The flow-through outflow (its one outflow that
is not a leakage) and every ``<leak/>`` outflow become reads of one
:class:`~wholesystem.builtins.conveyor_kernels.ConveyorState`, which records the total
inflow at the end of each step. Because the stock is still integrated from the same flow
values, what the conveyor holds always equals the sum of its slats: material is conserved
exactly. A leakage flow's own equation is its leak fraction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wholesystem.errors import UnsupportedFeatureError
from wholesystem.ir.expr import Binary, Call, Expr, Number, Reference
from wholesystem.ir.model import Variable, VariableKind

if TYPE_CHECKING:
    from wholesystem.compiler.lower import _Lowerer

__all__ = ["lower_conveyors"]


def lower_conveyors(variables: list[Variable], lowerer: _Lowerer) -> list[Variable]:
    """``variables`` with every conveyor's outflows reading a new conveyor state."""
    by_name = {v.name: v for v in variables}
    rewritten: dict[str, Variable] = {}
    for stock in variables:
        if stock.kind is VariableKind.STOCK and stock.conveyor is not None:
            rewritten.update(_lower_one(stock, by_name, lowerer))
    return [rewritten.get(v.name, v) for v in variables]


def _lower_one(stock: Variable, by_name: dict[str, Variable], lowerer: _Lowerer
               ) -> dict[str, Variable]:
    from wholesystem.compiler.lower import STATE_READ, StateKind, StateSpec

    assert stock.conveyor is not None
    span = stock.span
    outflows = [by_name[f] for f in stock.outflows if f in by_name]
    leaks = [f for f in outflows if f.leak is not None]
    through = [f for f in outflows if f.leak is None]
    if len(through) > 1:
        raise UnsupportedFeatureError(
            f"conveyor '{stock.display}' has {len(through)} outflows that are not "
            "leakages; a conveyor has one flow-through outflow", span)
    for flow in leaks:
        if flow.elements or flow.equation is None:
            raise UnsupportedFeatureError(
                f"leakage '{flow.display}' of conveyor '{stock.display}' has an equation "
                "per element, which wholesystem does not support yet", flow.span)
    context = (stock.dimensions, None)
    transit = lowerer.lower_expr(stock.conveyor.transit, context)
    assert transit is not None
    inflows: Expr = Number(0.0, span)
    for name in stock.inflows:
        inflows = Binary("+", inflows, Reference(name, name, (), span), span)
    index = len(lowerer.states)
    zones = tuple((f.leak.start, f.leak.end) for f in leaks if f.leak is not None)
    lowerer.states.append(StateSpec(StateKind.CONVEYOR, index, inflows, stock.dimensions,
                                    None, span, options=(zones, stock.conveyor.exponential_leak)))
    fractions = tuple(f.equation for f in leaks if f.equation is not None)
    contents = Reference(stock.name, stock.name, (), span)

    def read(part: int) -> Call:
        return Call(STATE_READ, (Number(float(index), span), Number(float(part), span),
                                 contents, transit, *fractions), span)

    result = {flow.name: _replaced(flow, read(0)) for flow in through}
    result.update({flow.name: _replaced(flow, read(i + 1)) for i, flow in enumerate(leaks)})
    return result


def _replaced(flow: Variable, equation: Expr) -> Variable:
    from dataclasses import replace

    return replace(flow, equation=equation, elements=())
