"""One cost figure everywhere: ledger, compare and journeys count costs the same way.

For every bundled system and every scenario:

- the ledger's parts add up: services (owner and waiting costs) plus interventions make
  each organisation's cost and the whole system's;
- charging the aggregate model's own people (in service and waiting at the start of each
  step, admissions and contacts in it) with the journeys' charging functions
  (:mod:`wholesystem.system.charges`) gives the ledger's organisation costs, to rounding:
  the two count the same days;
- ``compare`` reports the ledgers' figures;
- the journeys report's service means times the horizon add up to its organisation
  totals (the end-of-day/start-of-day gap of about 0.6% is gone).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import wholesystem
from wholesystem.ir.names import canonical_name
from wholesystem.system.charges import organisation_totals, step_costs
from wholesystem.system.journey_report import journeys
from wholesystem.system.ledger import Ledger, build_ledger
from wholesystem.system.model import SystemModel, load_system
from wholesystem.system.results import ScenarioRun
from wholesystem.system.shunts import compare_ledgers

SYSTEMS = sorted((Path(wholesystem.__file__).parent / "examples").glob("*/*.yaml"))


def scenarios_of(system: SystemModel) -> list[str]:
    return ["baseline", *(s.id for s in system.spec.scenarios if s.id != "baseline")]


def aggregate_charges(run: ScenarioRun) -> np.ndarray:
    """The aggregate run's people charged as journeys charges its people: (orgs,)."""
    frame, layout, step = run.results, run.layout, run.spec.time.step

    def column(name: str | None) -> np.ndarray:
        if name is None:
            return np.zeros(len(frame) - 1)
        return frame[name].to_numpy(dtype=float)[:-1]

    def stack(values: list[np.ndarray]) -> np.ndarray:
        return np.stack(values, axis=-1)[:, None, :]  # (steps, 1 run, services)

    in_service = stack([column(s.in_service) for s in layout.services])
    waiting = stack([column(s.waiting) for s in layout.services])
    served = stack([column(s.served) * step for s in layout.services])
    # visits services: the visits made in each step, charged per visit
    visits = stack([column(canonical_name(f"{s.service} visits")
                           if canonical_name(f"{s.service} visits") in frame else None) * step
                    for s in layout.services])
    return organisation_totals(run.spec, step_costs(run.spec, in_service, waiting,
                                                    served, visits))[0]


def check_ledger_adds_up(ledger: Ledger) -> None:
    for organisation in ledger.organisations:
        parts = (organisation.services_cost + organisation.waiting_cost
                 + organisation.interventions_cost)
        assert organisation.cost == pytest.approx(parts, rel=1e-9, abs=1e-6)
    assert ledger.whole_system == pytest.approx(
        sum(o.cost for o in ledger.organisations), rel=1e-9, abs=1e-6)
    assert ledger.whole_system == pytest.approx(
        sum(s.cost + s.waiting_cost for s in ledger.services)
        + sum(i.cost for i in ledger.interventions), rel=1e-9, abs=1e-6)


@pytest.mark.parametrize("path", SYSTEMS, ids=lambda p: p.parent.name)
def test_ledger_compare_and_journeys_give_one_cost_figure(path: Path) -> None:
    system = load_system(path)
    names = scenarios_of(system)
    ledgers = {}
    for name in names:
        run = system.simulate(name)
        ledger = ledgers[name] = build_ledger(run)
        check_ledger_adds_up(ledger)
        charged = aggregate_charges(run)
        for organisation, amount in zip(ledger.organisations, charged, strict=True):
            assert amount == pytest.approx(organisation.cost, rel=1e-9, abs=1e-6), (
                name, organisation.id)
    for name in names[1:]:
        comparison = compare_ledgers(ledgers["baseline"], ledgers[name])
        assert comparison.whole_baseline == ledgers["baseline"].whole_system
        assert comparison.whole_scenario == ledgers[name].whole_system
        for change, line in zip(comparison.organisations, ledgers[name].organisations,
                                strict=True):
            assert change.scenario == line.cost
    report = journeys(system, names, runs=2, seed=3)
    horizon = system.spec.time.horizon
    for scenario in report.scenarios:
        ledger = ledgers[scenario.scenario]
        own = sum(i.cost for i in ledger.interventions)  # deterministic in both
        services = sum(s.mean_cost for s in scenario.services) * horizon
        assert services + own == pytest.approx(scenario.whole_system_cost, rel=1e-9)
        assert sum(scenario.organisation_costs.values()) == pytest.approx(
            scenario.whole_system_cost, rel=1e-9)
