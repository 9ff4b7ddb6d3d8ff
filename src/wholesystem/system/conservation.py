"""People are conserved: everyone who arrives is in a service, in a queue, or has left.

Two checks, for any system file:

- :func:`flow_balance` (structure): every flow out of a stock of people goes into another
  stock of people or out through a sink, and every flow into one comes from another or
  from outside as an arrival. A leak would show here, whatever the numbers.
- :func:`conservation_residual` (numbers): at every saved time,
  ``people at the start + arrived - (in services + in queues + returning + left)``,
  which must be zero up to rounding. :func:`check_conservation` runs every scenario.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from wholesystem.errors import ParameterError
from wholesystem.ir.model import Project, VariableKind
from wholesystem.system.layout import SystemLayout
from wholesystem.system.model import SystemModel
from wholesystem.system.results import ScenarioRun

__all__ = ["flow_balance", "residuals", "conservation_residual", "ConservationResult",
           "check_conservation", "run_conservation"]


def flow_balance(project: Project, layout: SystemLayout) -> list[str]:
    """Problems with the flows of people (empty when none leaks)."""
    variables = project.main.variable_map()
    holders = {*layout.people_stocks, layout.left, layout.left_unmet}
    sources: dict[str, list[str]] = {}
    targets: dict[str, list[str]] = {}
    for name in holders:
        for flow in variables[name].outflows:
            sources.setdefault(flow, []).append(name)
        for flow in variables[name].inflows:
            targets.setdefault(flow, []).append(name)
    arrivals = set(layout.arrival_flows)
    problems = [f"flow '{f}' is not a flow" for f in arrivals
                if variables[f].kind is not VariableKind.FLOW]
    for flow, stocks in sources.items():
        if len(stocks) > 1:
            problems.append(f"flow '{flow}' drains {len(stocks)} stocks: {', '.join(stocks)}")
        if flow not in targets:
            problems.append(f"flow '{flow}' out of '{stocks[0]}' goes nowhere: people lost")
    for flow, stocks in targets.items():
        if len(stocks) > 1:
            problems.append(f"flow '{flow}' fills {len(stocks)} stocks: people counted twice")
        if flow not in sources and flow not in arrivals:
            problems.append(f"flow '{flow}' into '{stocks[0]}' comes from nowhere")
    return problems


def residuals(run: ScenarioRun) -> NDArray[np.float64]:
    """``start + arrived - (inside + left)`` at each saved time and run, ``(time, run)``
    (zero when conserved); the people at the start are read at time 0 of each run, so a
    run that sets them through parameters is checked against its own."""
    layout = run.layout
    inside = sum((run.series(s) for s in layout.people_stocks),
                 np.zeros((len(run.times), run.runs)))
    gone = run.series(layout.left) + run.series(layout.left_unmet)
    at_start = inside[0] + gone[0] - run.series(layout.arrived)[0]
    return np.asarray(at_start + run.series(layout.arrived) - inside - gone)


def conservation_residual(run: ScenarioRun) -> pd.Series:
    """:func:`residuals` of one run, indexed by time."""
    if run.runs != 1:
        raise ParameterError(f"conservation_residual reads one run and these results hold "
                             f"{run.runs} runs; use residuals for an ensemble")
    return pd.Series(residuals(run)[:, 0], index=pd.Index(run.times, name="time"))


@dataclass(frozen=True)
class ConservationResult:
    """Conservation of people in one scenario."""

    scenario: str
    """Scenario name."""
    max_residual: float
    """Largest |residual| over the run, in people."""
    tolerance: float
    """What counts as zero for this run."""
    problems: tuple[str, ...]
    """Structural leaks found by :func:`flow_balance`."""
    lowest: float
    """Smallest value of any stock of people (negative would mean people made up)."""

    @property
    def ok(self) -> bool:
        """True when nobody is lost or made up."""
        return (not self.problems and self.max_residual <= self.tolerance
                and self.lowest >= -self.tolerance)


def check_conservation(system: SystemModel, scenarios: list[str] | None = None,
                       relative: float = 1e-9) -> list[ConservationResult]:
    """Check every scenario (default: all) numerically and structurally."""
    results = []
    for name in scenarios or system.scenarios:
        run = system.simulate(name)
        project = system.model(name)[2].project
        results.append(run_conservation(run, flow_balance(project, run.layout), relative))
    return results


def run_conservation(run: ScenarioRun, problems: list[str] | tuple[str, ...] = (),
                     relative: float = 1e-9) -> ConservationResult:
    """Conservation of one run or an ensemble (the worst run counts)."""
    layout = run.layout
    residual = residuals(run)
    scale = max(1.0, layout.initial_people,
                float(np.abs(run.series(layout.arrived)).max()))
    lowest = min(float(run.series(s).min()) for s in layout.people_stocks)
    return ConservationResult(run.spec.scenario, float(np.abs(np.asarray(residual)).max()),
                              relative * scale * 100, tuple(problems), lowest)
