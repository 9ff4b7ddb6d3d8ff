"""Where to intervene: interventions compared under uncertainty, and a budget optimised.

Every comparison runs the baseline and the intervention over the *same* table of
uncertain parameters (common random numbers), so the per-run difference is the effect of
the intervention alone. A parameter that the intervention itself sets (a capacity it
sets to a number, say) is left at the intervention's value in its runs; a capacity it
adds to or multiplies is moved from each run's own draw.

For each intervention of a system file :func:`rank_interventions` reports the
probability of a net whole-system saving, the expected change and its 5-95% range, the
change in person-time spent waiting, the payback time (the first time after which the
cumulative cost change stays at or below zero, the intervention's own cost included) and
who pays and who benefits on average.

:func:`optimise_budget` spends a fixed budget on extra places across the services with a
capacity, for a chosen goal, with scipy's differential evolution: every generation is one
vectorised run (candidates x parameter draws). A place costs its service's cost per
occupied time unit over the whole horizon. With two goals that conflict it returns the
non-dominated allocations seen (the Pareto front) as well.

>>> import wholesystem
>>> from wholesystem.analysis.interventions import rank_interventions
>>> ranking = rank_interventions(wholesystem.example_path("delayed_discharge_system"))
>>> [(r.id, round(r.expected_change)) for r in ranking.interventions]
[('more_packages', 0), ('cut_packages', 5012500)]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from wholesystem.analysis.discovery import Condition, Discovery, cases, discover
from wholesystem.analysis.montecarlo import Ensemble, Evaluator, ModelSource, run_ensemble
from wholesystem.analysis.uncertainty import Parameter, read_parameters, sample
from wholesystem.errors import ParameterError, UnknownNameError
from wholesystem.system.model import SystemModel, load_system
from wholesystem.system.spec import CapacityChange

__all__ = ["Paired", "InterventionRank", "Ranking", "Allocation", "BudgetPlan",
           "compare_paired", "rank_interventions", "optimise_budget", "payback_times",
           "ranking_dict", "budget_dict", "system_table", "discover_intervention", "GOALS"]

WHOLE = "whole system cost"
WAITING = "people waiting"
GOALS = ("whole system cost", "people waiting")
"""Built-in goals; any other output name (``cost to ORG``) works too."""

Progress = Callable[[int, int], None]


@dataclass
class Paired:
    """The same draws run without (``baseline``) and with (``scenario``) a change."""

    scenario: str
    baseline: str
    table: pd.DataFrame
    base: Ensemble
    other: Ensemble
    step: float
    """Saved-time step, for person-time integrals."""

    def change(self, output: str, time: float | None = None) -> NDArray[np.float64]:
        """Per-run change of ``output`` (at ``time``, default the end)."""
        k = -1 if time is None else int(np.argmin(np.abs(self.base.times - time)))
        return self.other.series(output)[k] - self.base.series(output)[k]

    def value(self, output: str, time: float | None = None) -> NDArray[np.float64]:
        """Per-run value of ``output`` with the change."""
        k = -1 if time is None else int(np.argmin(np.abs(self.other.times - time)))
        return self.other.series(output)[k]

    def person_time_change(self, output: str = WAITING) -> NDArray[np.float64]:
        """Per-run change of the time integral of a head count (person-time)."""
        difference = self.other.series(output) - self.base.series(output)
        return difference.sum(axis=0) * self.step


def system_table(path: str | Path, parameters: Sequence[Parameter] | None = None,
                 runs: int = 200, seed: int = 0,
                 correlation: NDArray[np.float64] | None = None) -> pd.DataFrame:
    """Draws of ``parameters`` (default: the system file's ``uncertainty:`` block; no
    block: one run of the file's own values)."""
    if parameters is None:
        try:
            parameters, correlation = read_parameters(path)
        except ParameterError:
            return pd.DataFrame(index=range(1))
    return sample(parameters, runs, seed=seed, correlation=correlation)


def _scenario_table(system: SystemModel, scenario: str, baseline: str,
                    table: pd.DataFrame) -> pd.DataFrame:
    """The draws as they stand in ``scenario``: a capacity the scenario adds to or
    multiplies is moved the same way; any other constant it sets differently from the
    baseline is left at the scenario's value (its column dropped)."""
    base = system.model(baseline)[2].constants
    other = system.model(scenario)[2].constants
    changes = _capacity_changes(system.spec, scenario)
    kept = {}
    for column in table.columns:
        name = str(column)
        if base.get(name) == other.get(name):
            kept[name] = table[column]
            continue
        service = name.removesuffix(" capacity")
        moves = [c for c in changes if service in c.services or "all" in c.services]
        if name.endswith(" capacity") and moves and all(c.set_to is None for c in moves):
            values = table[column].to_numpy(dtype=float)
            for change in moves:
                values = np.maximum(values + change.add, 0.0) * change.multiply
            kept[name] = pd.Series(values, index=table.index)
    return pd.DataFrame(kept, index=table.index)


def _capacity_changes(spec: Any, scenario: str) -> list[CapacityChange]:
    named = spec.scenario_named(scenario)
    ids = named.interventions if named is not None else (scenario,)
    return [change for i in ids if any(x.id == i for x in spec.interventions)
            for change in spec.intervention(i).changes
            if isinstance(change, CapacityChange)]


def compare_paired(path: str | Path, scenario: str, table: pd.DataFrame,
                   outputs: Sequence[str] = (), baseline: str = "baseline", seed: int = 0,
                   evaluator: Evaluator | None = None, chunk_size: int = 1000,
                   progress: Progress | None = None) -> Paired:
    """Run ``table`` through ``baseline`` and ``scenario`` of the system file ``path``."""
    system = load_system(path)
    for name in (scenario, baseline):
        if name not in system.scenarios:
            raise UnknownNameError(name, hint="scenarios: " + ", ".join(system.scenarios))
    spec = system.spec
    wanted = list(dict.fromkeys([WHOLE, WAITING, *(f"cost to {o.id}" for o in
                                                   spec.organisations), *outputs]))
    frames = []
    for name in (baseline, scenario):
        free = _scenario_table(system, name, baseline, table) if name != baseline else table
        frames.append(free if len(free.columns) else pd.DataFrame(index=table.index))
    ensembles = []
    for name, frame in zip((baseline, scenario), frames, strict=True):
        constants = system.model(name)[2].constants
        ensembles.append(run_ensemble(ModelSource(str(path), name),
                                      _nonempty(frame, constants),
                                      wanted, chunk_size=chunk_size, seed=seed,
                                      evaluator=evaluator, progress=progress))
    times = ensembles[0].times
    step = float(times[1] - times[0]) if len(times) > 1 else spec.time.step
    return Paired(scenario, baseline, table, ensembles[0], ensembles[1], step)


def _nonempty(frame: pd.DataFrame, constants: dict[str, Any]) -> pd.DataFrame:
    """The table as run_many takes it: with no uncertain columns left, each run sets one
    of the model's constants to its own value (so the runs are the file's own)."""
    if len(frame.columns):
        return frame.reset_index(drop=True)
    name, value = next((k, v) for k, v in constants.items() if v is not None)
    return pd.DataFrame({name: np.full(len(frame), float(value))})


def payback_times(cumulative_change: NDArray[np.float64], times: NDArray[np.float64]
                  ) -> NDArray[np.float64]:
    """Per run (columns), the first time after which the cumulative change stays <= 0;
    NaN where it is still positive at the end."""
    positive = cumulative_change > 0
    out = np.full(cumulative_change.shape[1], np.nan)
    never_positive = ~positive.any(axis=0)
    out[never_positive] = times[0]
    last = len(times) - 1 - np.argmax(positive[::-1], axis=0)
    recovered = ~positive[-1] & ~never_positive
    out[recovered] = times[np.minimum(last[recovered] + 1, len(times) - 1)]
    return out


@dataclass(frozen=True)
class InterventionRank:
    """One intervention (or scenario) against the baseline, over the uncertain runs."""

    id: str
    name: str
    runs: int
    probability_saving: float
    """Share of runs in which the whole system spends less."""
    expected_change: float
    """Mean change in whole-system cost (negative: a saving)."""
    p5: float
    p50: float
    p95: float
    waiting_change: float
    """Mean change in person-time spent waiting (negative: residents wait less)."""
    probability_less_waiting: float
    payback_median: float | None
    """Median payback time over the runs that pay back (None: none do)."""
    probability_payback: float
    """Share of runs that pay back within ``within`` (default: the horizon)."""
    pays: tuple[tuple[str, float], ...]
    """Organisations whose mean cost rises, and by how much."""
    benefits: tuple[tuple[str, float], ...]
    """Organisations whose mean cost falls (negative amounts)."""

    @property
    def statement(self) -> str:
        """The result in plain words."""
        pays = ", ".join(n for n, _ in self.pays) or "nobody"
        gains = ", ".join(n for n, _ in self.benefits) or "nobody"
        payback = (f"pays back by time {self.payback_median:,.0f} (median)"
                   if self.payback_median is not None else "does not pay back")
        return (f"{self.name}: whole-system cost {self.expected_change:+,.0f} on average "
                f"(5-95%: {self.p5:+,.0f} to {self.p95:+,.0f}), a net saving in "
                f"{self.probability_saving:.0%} of runs; {payback}; "
                f"waiting {self.waiting_change:+,.0f} person-time; more cost to {pays}, "
                f"less to {gains}")


@dataclass(frozen=True)
class Ranking:
    """Interventions best first for the goal."""

    system: str
    goal: str
    runs: int
    within: float
    interventions: tuple[InterventionRank, ...]


def _rank_one(paired: Paired, name: str, organisations: Sequence[tuple[str, str]],
              within: float) -> InterventionRank:
    whole = paired.change(WHOLE)
    cumulative = paired.other.series(WHOLE) - paired.base.series(WHOLE)
    threshold = max(1.0, 1e-9 * float(np.abs(paired.base.final(WHOLE)).mean()))
    payback = payback_times(cumulative, paired.base.times)
    payback[whole >= -threshold] = np.nan  # no saving at the end: nothing paid back
    paid_back = payback[np.isfinite(payback) & (payback <= within)]
    waiting = paired.person_time_change(WAITING)
    means = [(label, float(paired.change(f"cost to {org}").mean()))
             for org, label in organisations]
    p5, p50, p95 = (float(v) for v in np.percentile(whole, [5, 50, 95]))
    return InterventionRank(
        paired.scenario, name, len(whole), float(np.mean(whole < -threshold)),
        float(whole.mean()), p5, p50, p95, float(waiting.mean()), float(np.mean(waiting < 0)),
        float(np.median(paid_back)) if len(paid_back) else None,
        float(len(paid_back) / len(whole)),
        tuple((n, v) for n, v in means if v > threshold),
        tuple((n, v) for n, v in means if v < -threshold))


def rank_interventions(path: str | Path, table: pd.DataFrame | None = None,
                       interventions: Sequence[str] | None = None, goal: str = WHOLE,
                       within: float | None = None, seed: int = 0,
                       evaluator: Evaluator | None = None,
                       progress: Progress | None = None) -> Ranking:
    """Each intervention (default: every one in the file, alone) against the baseline.

    ``table`` holds the uncertain draws (see :func:`system_table`); ``goal`` orders the
    result: ``whole system cost`` (largest expected saving first), ``people waiting``
    (largest fall in waiting first) or ``payback`` (most likely to pay back first).
    """
    system = load_system(path)
    spec = system.spec
    table = system_table(path) if table is None else table
    ids = list(interventions) if interventions is not None else \
        [i.id for i in spec.interventions]
    if not ids:
        raise ParameterError(f"{path}: the system file has no interventions to rank")
    names = {i.id: i.name for i in spec.interventions} | {s.id: s.name for s in
                                                         spec.scenarios}
    organisations = [(o.id, o.name) for o in spec.organisations]
    horizon = within if within is not None else spec.time.horizon
    ranks = [_rank_one(compare_paired(path, i, table, seed=seed, evaluator=evaluator,
                                      progress=progress), names.get(i, i),
                       organisations, horizon) for i in ids]
    keys: dict[str, Callable[[InterventionRank], float]] = {
        WHOLE: lambda r: r.expected_change,
        WAITING: lambda r: r.waiting_change,
        "payback": lambda r: -r.probability_payback,
    }
    if goal not in keys:
        raise ParameterError(f"unknown goal '{goal}'", hint=", ".join(keys))
    return Ranking(spec.name, goal, len(table), horizon,
                   tuple(sorted(ranks, key=keys[goal])))


@dataclass(frozen=True)
class Allocation:
    """Extra places bought in each service, and the goals' expected values."""

    places: dict[str, float]
    spend: dict[str, float]
    goals: dict[str, float]
    """Mean over the parameter draws of each goal at the end of the run."""


@dataclass(frozen=True)
class BudgetPlan:
    """The best allocation for the first goal, and the front when there are two."""

    budget: float
    goals: tuple[str, ...]
    best: Allocation
    baseline: dict[str, float]
    """The goals with no extra places."""
    front: tuple[Allocation, ...]
    evaluations: int


def _place_costs(system: SystemModel, services: Sequence[str] | None
                 ) -> dict[str, float]:
    """Cost of one extra place for the whole horizon, per service with a capacity."""
    spec, _, model = system.model()
    constants = model.constants
    costs = {}
    for service in spec.services:
        if f"{service.id} capacity" not in constants or (services is not None \
                and service.id not in services):
            continue
        # an extra place is priced at what commissioning it costs (per place, full or
        # empty), else at the cost of using it
        per_time = (service.costs.per_place or service.costs.per_occupied_day
                    or service.costs.per_contact)
        if per_time > 0:
            costs[service.id] = per_time * spec.time.horizon
    if services is not None and set(services) - set(costs):
        raise UnknownNameError(", ".join(sorted(set(services) - set(costs))),
                               hint="services with a capacity and a unit cost: "
                                    + ", ".join(costs))
    if not costs:
        raise ParameterError("no service has both a capacity and a unit cost to buy")
    return costs


def optimise_budget(path: str | Path, budget: float, goals: Sequence[str] = (WHOLE,),
                    services: Sequence[str] | None = None, table: pd.DataFrame | None = None,
                    seed: int = 0, generations: int = 30, population: int = 8,
                    progress: Progress | None = None) -> BudgetPlan:
    """Spend up to ``budget`` on extra places to minimise the first of ``goals``
    (whole-system cost, people waiting over the run, or any ``cost to ORG``)."""
    from scipy import optimize

    if budget <= 0 or not math.isfinite(budget):
        raise ParameterError("the budget must be a positive number")
    if not goals or len(goals) > 2:
        raise ParameterError("name one goal, or two for a trade-off front")
    system = load_system(path)
    model = system.model()[2]
    costs = _place_costs(system, services)
    draws = (system_table(path, runs=16, seed=seed) if table is None else table
             ).reset_index(drop=True)
    capacity = {s: model.constants[f"{s} capacity"] for s in costs}
    ids = list(costs)
    seen: list[tuple[NDArray[np.float64], NDArray[np.float64]]] = []

    def places_of(shares: NDArray[np.float64]) -> NDArray[np.float64]:
        # shares in [0, 1] per service; together they spend at most the whole budget
        scale = np.maximum(shares.sum(axis=0), 1.0)
        money = budget * shares / scale
        return money / np.array([costs[s] for s in ids])[:, None]

    def evaluate(shares: NDArray[np.float64]) -> NDArray[np.float64]:
        shares = np.atleast_2d(shares.T).T if shares.ndim == 1 else shares
        places = places_of(shares)
        rows = []
        for k in range(places.shape[1]):
            frame = draws.copy()
            for j, s in enumerate(ids):
                base = frame[f"{s} capacity"] if f"{s} capacity" in frame else capacity[s]
                frame[f"{s} capacity"] = base + places[j, k]
            rows.append(frame)
        results = model.run_many(pd.concat(rows, ignore_index=True), return_columns=list(
            goals), seed=seed)
        values = np.stack([_goal_values(results, g) for g in goals])  # (goals, rows)
        means = values.reshape(len(goals), places.shape[1], len(draws)).mean(axis=2)
        for k in range(places.shape[1]):
            seen.append((places[:, k].copy(), means[:, k].copy()))
        if progress is not None:
            progress(len(seen), (generations + 1) * population * len(ids))
        return means[0]

    answer = optimize.differential_evolution(
        evaluate, [(0.0, 1.0)] * len(ids), vectorized=True, updating="deferred",
        seed=seed, maxiter=generations, popsize=population, polish=False, tol=1e-8)
    evaluate(np.zeros((len(ids), 1)))  # spending nothing: the goals as they are
    baseline = {g: float(v) for g, v in zip(goals, seen[-1][1], strict=True)}
    best = _allocation(ids, costs, places_of(answer.x[:, None])[:, 0], goals,
                       _lookup(seen, places_of(answer.x[:, None])[:, 0]))
    front = _front(seen, ids, costs, goals) if len(goals) == 2 else ()
    return BudgetPlan(budget, tuple(goals), best, baseline, front, len(seen))


def _goal_values(results: Any, goal: str) -> NDArray[np.float64]:
    series = results.variable(goal).to_numpy()  # (times, runs)
    if goal == WAITING:  # people waiting is a head count: the goal is person-time
        step = float(results.times[1] - results.times[0]) if len(results.times) > 1 else 1.0
        return np.asarray(series.sum(axis=0) * step, dtype=float)
    return np.asarray(series[-1], dtype=float)


def _lookup(seen: Sequence[tuple[NDArray[np.float64], NDArray[np.float64]]],
            places: NDArray[np.float64]) -> NDArray[np.float64]:
    distances = [float(np.abs(p - places).sum()) for p, _ in seen]
    return seen[int(np.argmin(distances))][1]


def _allocation(ids: Sequence[str], costs: dict[str, float], places: NDArray[np.float64],
                goals: Sequence[str], values: NDArray[np.float64]) -> Allocation:
    return Allocation({s: float(places[j]) for j, s in enumerate(ids)},
                      {s: float(places[j] * costs[s]) for j, s in enumerate(ids)},
                      {g: float(v) for g, v in zip(goals, values, strict=True)})


def _front(seen: Sequence[tuple[NDArray[np.float64], NDArray[np.float64]]],
           ids: Sequence[str], costs: dict[str, float], goals: Sequence[str]
           ) -> tuple[Allocation, ...]:
    """Allocations no other one beats on both goals, in order of the first goal."""
    values = np.array([v for _, v in seen])
    order = np.lexsort((values[:, 1], values[:, 0]))
    front, best_second = [], math.inf
    for k in order:
        if values[k, 1] < best_second:
            front.append(_allocation(ids, costs, seen[k][0], goals, values[k]))
            best_second = values[k, 1]
    return tuple(front)


def discover_intervention(path: str | Path, scenario: str, table: pd.DataFrame,
                          conditions: Sequence[Condition], baseline: str = "baseline",
                          seed: int = 0, threshold: float = 0.8,
                          evaluator: Evaluator | None = None,
                          progress: Progress | None = None) -> Discovery:
    """Under which draws of ``table`` do ``conditions`` hold for ``scenario`` against
    ``baseline``? (PRIM, with CART as a check.)"""
    if len(table.columns) == 0:
        raise ParameterError("scenario discovery needs uncertain parameters to vary")
    outputs = [c.output for c in conditions]
    paired = compare_paired(path, scenario, table, outputs, baseline, seed, evaluator,
                            progress=progress)

    def value_at(condition: Condition) -> NDArray[np.float64]:
        if condition.change:
            return paired.change(condition.output, condition.time)
        return paired.value(condition.output, condition.time)

    interest = cases(conditions, value_at)
    question = " and ".join(str(c) for c in conditions)
    return discover(table.reset_index(drop=True), interest, question,
                    threshold=threshold, seed=seed)


def ranking_dict(ranking: Ranking) -> dict[str, Any]:
    """What ``rank --json`` prints."""
    return {"system": ranking.system, "goal": ranking.goal, "runs": ranking.runs,
            "within": ranking.within,
            "interventions": [{**asdict(r), "pays": dict(r.pays),
                               "benefits": dict(r.benefits), "statement": r.statement}
                              for r in ranking.interventions]}


def budget_dict(plan: BudgetPlan) -> dict[str, Any]:
    """What ``rank --budget --json`` prints."""
    return {"budget": plan.budget, "goals": list(plan.goals), "best": asdict(plan.best),
            "baseline": plan.baseline, "front": [asdict(a) for a in plan.front],
            "evaluations": plan.evaluations}
