"""When does extra capacity pay for itself? Capacity sweeps and the false economy.

Wood et al. (2023, "The false economy of seeking to eliminate delayed transfers of care")
argue that when places are paid for whether full or empty, the whole system's cost
against capacity is a curve with a minimum: with too few places, delayed days in acute
beds cost more than places would; with too many, idle places cost more than the delays
they save. Eliminating every delay is then not the cheapest system.

:func:`sweep_capacity` simulates a system at a range of capacities (each a run of the
compiled model with the capacity parameters set, not a new model) and gives that curve;
:func:`capacity_payback` walks from a baseline's capacity to a scenario's and says where
extra capacity stops paying for itself, which :func:`~wholesystem.system.shunts.compare`
reports.

>>> import wholesystem
>>> from wholesystem.system.model import load_system
>>> system = load_system(wholesystem.example_path("hospital_discharge"))
>>> curve = sweep_capacity(system, ["p2_b"], [100, 130, 160, 400])
>>> [round(p.places["p2_b"]) for p in curve.points]
[100, 130, 160, 400]
>>> curve.minimum.places["p2_b"] < 400
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from wholesystem.datafiles import limits_for
from wholesystem.errors import ModelStructureError, UnknownNameError
from wholesystem.system.ledger import Ledger, build_ledgers, change_threshold
from wholesystem.system.model import SystemModel
from wholesystem.system.scenarios import apply_scenario
from wholesystem.system.spec import SystemSpec

__all__ = ["CapacityPoint", "CapacitySweep", "CapacityPayback", "sweep_capacity",
           "capacity_payback", "capacity_dict", "sweep_dict", "current_capacities",
           "check_sweep_size"]

_MAX_POINTS = 400
"""Most points a payback walk simulates (finer steps than one place are not needed)."""
_BATCH = 100
"""Points simulated together as one vectorised ensemble."""


@dataclass(frozen=True)
class CapacityPoint:
    """The whole system at one set of capacities."""

    places: dict[str, float]
    """Capacity of each swept service, by id."""
    whole_system: float
    """Cost to every organisation together over the run."""
    capacity_cost: float
    """Part of it paid for commissioned capacity (places, teams, fixed costs)."""
    waiting_cost: float
    """Part of it paid for people waiting (e.g. delayed days in acute beds)."""
    days_waited: float
    """Person-time spent waiting, in the system's time units."""
    idle_place_days: float
    """Commissioned place-time of the swept services left empty."""

    @property
    def added(self) -> float:
        """Places of the swept services together."""
        return sum(self.places.values())


@dataclass(frozen=True)
class CapacitySweep:
    """The whole-system cost curve against capacity."""

    system: str
    scenario: str
    """Scenario the capacities are set on."""
    currency: str
    services: tuple[str, ...]
    """Swept service ids."""
    points: tuple[CapacityPoint, ...]
    """In sweep order."""

    @property
    def minimum(self) -> CapacityPoint:
        """The cheapest point for the whole system (the first, on a tie)."""
        return min(self.points, key=lambda p: p.whole_system)


@dataclass(frozen=True)
class CapacityPayback:
    """Where, between a baseline's capacity and a scenario's, extra capacity stops
    paying for itself."""

    sweep: CapacitySweep
    """Points from the baseline's capacity (first) towards the scenario's."""
    scenario_cost: float
    """Whole-system cost at the scenario's own capacity."""
    best: CapacityPoint
    """The cheapest point found (the scenario's capacity when it is cheapest)."""
    verdict: str
    """``pays for itself``, ``stops paying`` or ``never pays`` (in words:
    ``wholesystem.interfaces.render.capacity.payback_sentence``)."""


def _capacity_parameters(system: SystemModel, scenario: str,
                         services: Sequence[str]) -> dict[str, str]:
    """Service id -> name of its constant capacity parameter in the scenario's model."""
    spec = apply_scenario(system.spec, scenario)
    names = {}
    known = {s.id: s for s in spec.services}
    for service_id in services:
        service = known.get(service_id)
        if service is None:
            raise UnknownNameError(service_id, hint="services of this system: "
                                                    + ", ".join(known))
        if service.capacity is None or not service.capacity.is_constant:
            raise ModelStructureError(
                f"services.{service_id}.capacity: '{service_id}' needs a constant "
                "capacity to be swept (it is unlimited or changes over time)",
                service.span, hint="sweep services whose capacity is one number")
        names[service_id] = system.parameter(f"{service_id} capacity", scenario).name
    return names


def _point(ledger: Ledger, places: Mapping[str, float]) -> CapacityPoint:
    swept = [s for s in ledger.services if s.id in places]
    return CapacityPoint(
        dict(places), ledger.whole_system, sum(s.capacity_cost for s in ledger.services),
        sum(s.waiting_cost for s in ledger.services),
        sum(s.days_waited for s in ledger.services),
        sum(s.idle_place_days for s in swept))


def check_sweep_size(spec: SystemSpec, points: int, what: str = "the capacity sweep"
                     ) -> None:
    """Refuse a sweep of ``points`` runs whose time steps together are over the
    ``max_sweep_steps`` limit of the file's access policy, before anything is simulated.

    >>> from wholesystem.ir.model import SourceFile
    >>> from wholesystem.system.spec import SystemSpec, TimeSettings
    >>> spec = SystemSpec("s", SourceFile("s.yaml"), TimeSettings(36500, 1), (), ())
    >>> check_sweep_size(spec, 401)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    wholesystem.errors.ResourceLimitError: <unknown>: error: the capacity sweep (401 \
runs of 36,500 steps) has 14,636,500 time steps over all its runs, over the limit of \
2,000,000 (max_sweep_steps) ...
    """
    time = spec.time
    per_run = max(1, math.ceil(time.horizon / time.step - 1e-9))
    limits_for(spec.source.access).check(
        "max_sweep_steps", points * per_run,
        f"{what} ({points:,} runs of {per_run:,} steps)", time.span)


def _evaluate(system: SystemModel, scenario: str, parameters: Mapping[str, str],
              grid: Sequence[Mapping[str, float]], what: str = "the capacity sweep"
              ) -> list[CapacityPoint]:
    """Every point of ``grid``, simulated as ensembles of runs of the one compiled model
    (each run's ledger equals that of a single run with the same capacities)."""
    check_sweep_size(system.spec, len(grid), what)
    points: list[CapacityPoint] = []
    for first in range(0, len(grid), _BATCH):
        batch = [{s: max(0.0, float(v)) for s, v in places.items()}
                 for places in grid[first:first + _BATCH]]
        table = {parameters[s]: [places[s] for places in batch] for s in parameters}
        ledgers = build_ledgers(system.simulate_many(table, scenario))
        points.extend(_point(ledger, places)
                      for ledger, places in zip(ledgers, batch, strict=True))
    return points


def sweep_capacity(system: SystemModel, services: Sequence[str],
                   capacities: Sequence[float | Mapping[str, float]],
                   scenario: str = "baseline") -> CapacitySweep:
    """The whole-system cost at each capacity of ``services`` under ``scenario``.

    Each entry of ``capacities`` is one point: a number (every swept service gets that
    capacity) or a mapping of service id to capacity.
    """
    parameters = _capacity_parameters(system, scenario, services)
    grid = [{s: float(entry[s]) for s in services} if isinstance(entry, Mapping)
            else dict.fromkeys(services, float(entry)) for entry in capacities]
    points = _evaluate(system, scenario, parameters, grid)
    return CapacitySweep(system.spec.name, scenario, system.spec.currency, tuple(services),
                         tuple(points))


def _changed_capacities(spec: SystemSpec, scenario: str, baseline: str
                        ) -> tuple[dict[str, float], dict[str, float]] | None:
    """Constant capacities of the services whose capacity the scenario changes, and which
    pay for capacity, at the baseline and in the scenario (None: nothing to walk)."""
    before = {s.id: s for s in apply_scenario(spec, baseline).services}
    after = {s.id: s for s in apply_scenario(spec, scenario).services}
    start, end = {}, {}
    for service_id, service in after.items():
        old = before[service_id]
        if not service.costs.has_capacity_costs or service.capacity is None \
                or old.capacity is None:
            continue
        if not (service.capacity.is_constant and old.capacity.is_constant):
            continue
        if abs(service.capacity.value - old.capacity.value) > 1e-9:
            start[service_id], end[service_id] = old.capacity.value, service.capacity.value
    return (start, end) if start else None


def capacity_payback(system: SystemModel, scenario: str, baseline: str = "baseline"
                     ) -> CapacityPayback | None:
    """Walk the capacities the scenario changes from the baseline's to the scenario's
    (all other changes of the scenario kept) and find the cheapest whole system.

    Steps are at most one place on any service (or 1/400 of the change, when it is
    larger), and every step is simulated (a full scan, so a later, lower dip of a
    staffing sawtooth is not missed); the last point is the scenario's own capacity.
    None when the scenario changes no capacity that costs money (then extra places are
    free, and always pay).
    """
    changed = _changed_capacities(system.spec, scenario, baseline)
    if changed is None:
        return None
    start, end = changed
    services = tuple(start)
    parameters = _capacity_parameters(system, scenario, services)
    widest = max(abs(end[s] - start[s]) for s in services)
    steps = max(1, min(_MAX_POINTS, round(widest)))
    grid = [{s: start[s] + k / steps * (end[s] - start[s]) for s in services}
            for k in range(steps + 1)]
    points = _evaluate(system, scenario, parameters, grid,
                       f"the walk from '{baseline}' capacity to '{scenario}' capacity")
    final = points[-1]
    sweep = CapacitySweep(system.spec.name, scenario, system.spec.currency, services,
                          tuple(points))
    best = min((*points, final), key=lambda p: p.whole_system)
    return CapacityPayback(sweep, final.whole_system, best, _payback_verdict(sweep, best,
                                                                              final))


def _payback_verdict(sweep: CapacitySweep, best: CapacityPoint, final: CapacityPoint
                     ) -> str:
    first = sweep.points[0]
    threshold = change_threshold(first.whole_system)
    if final.whole_system <= best.whole_system + threshold:
        return "pays for itself"  # cheapest at the scenario's own capacity
    if best is first or best.whole_system >= first.whole_system - threshold:
        return "never pays"  # the first places added already cost more than they save
    return "stops paying"


def capacity_dict(payback: CapacityPayback) -> dict[str, Any]:
    """The payback as plain data (what ``--json`` prints)."""
    data = asdict(payback)
    data["sweep"]["minimum"] = asdict(payback.sweep.minimum)
    return data


def sweep_dict(sweep: CapacitySweep) -> dict[str, Any]:
    """The sweep as plain data, with its minimum (what ``capacity --json`` prints)."""
    data = asdict(sweep)
    data["minimum"] = asdict(sweep.minimum)
    return data


def current_capacities(system: SystemModel, services: Sequence[str],
                       scenario: str = "baseline") -> dict[str, float]:
    """Each service's constant capacity under ``scenario`` (the errors of a sweep when
    it has none)."""
    _capacity_parameters(system, scenario, services)
    spec = apply_scenario(system.spec, scenario)
    return {s: spec.service(s).capacity.value for s in services  # type: ignore[union-attr]
            }

