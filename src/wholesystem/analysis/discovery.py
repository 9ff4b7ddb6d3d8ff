"""Scenario discovery: under which conditions do the runs of interest happen?

PRIM, the Patient Rule Induction Method of Friedman and Fisher (1999, "Bump hunting in
high-dimensional data", Statistics and Computing 9:123-143), finds a box of input values
(lower and upper limits on some parameters) inside which the runs of interest are dense:

- **peeling**: from the box holding every run, repeatedly cut away the fraction ``alpha``
  of the remaining runs from the low or the high end of one parameter, choosing the cut
  that leaves the highest share of runs of interest (the density), until fewer than
  ``min_mass`` of all runs remain; every box on the way is kept (the peeling trajectory);
- **pasting**: widen the chosen box again, one ``alpha`` step on one side at a time,
  while that raises its density.

A box is described by its **coverage** (the share of all runs of interest it holds),
**density** (the share of its runs that are of interest) and **mass** (its share of all
runs). Among the trajectory, the box chosen is the one of highest coverage whose density
reaches ``threshold`` (the best density where none does). As a check, a CART
classification tree (scikit-learn) is grown on the same runs; its leaves of interest are
reported with their rules and the same three numbers.

>>> import numpy as np, pandas as pd
>>> from wholesystem.analysis.discovery import prim
>>> rng = np.random.default_rng(0)
>>> x = pd.DataFrame({"a": rng.uniform(0, 1, 2000), "b": rng.uniform(0, 1, 2000)})
>>> result = prim(x, (x["a"] > 0.7).to_numpy())
>>> box = result.box
>>> [(limit.parameter, round(limit.low, 1)) for limit in box.limits], round(box.density, 2)
([('a', 0.7)], 1.0)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from wholesystem.analysis.montecarlo import Evaluator, ModelSource, run_ensemble
from wholesystem.errors import ParameterError
from wholesystem.run import Model

__all__ = ["Limit", "Box", "Discovery", "Leaf", "Condition", "prim", "cart", "discover",
           "parse_condition", "cases", "discovery_dict", "describe_box", "discover_model"]


@dataclass(frozen=True)
class Limit:
    """One parameter's range inside a box (``low``/``high`` are the cut values)."""

    parameter: str
    low: float
    high: float
    restricts_low: bool
    restricts_high: bool


@dataclass(frozen=True)
class Box:
    """A box of input values with its coverage, density and mass."""

    limits: tuple[Limit, ...]
    """Only the parameters the box restricts."""
    coverage: float
    density: float
    mass: float
    runs: int
    """Runs inside the box."""


@dataclass(frozen=True)
class Leaf:
    """A CART leaf whose runs are mostly of interest."""

    rules: tuple[str, ...]
    coverage: float
    density: float
    mass: float


@dataclass(frozen=True)
class Discovery:
    """What PRIM found (and what CART finds on the same runs)."""

    box: Box
    trajectory: tuple[Box, ...]
    """Every box from peeling, widest first."""
    cases: int
    """Runs of interest."""
    runs: int
    threshold: float
    question: str = ""
    cart: tuple[Leaf, ...] = ()

    @property
    def statement(self) -> str:
        """The chosen box in plain words."""
        return describe_box(self.box, self.question)


def _limits(full: tuple[NDArray[np.float64], NDArray[np.float64]],
            lows: NDArray[np.float64], highs: NDArray[np.float64],
            names: Sequence[str]) -> tuple[Limit, ...]:
    limits = []
    for j, name in enumerate(names):
        low_cut, high_cut = lows[j] > full[0][j], highs[j] < full[1][j]
        if low_cut or high_cut:
            limits.append(Limit(name, float(lows[j]), float(highs[j]), bool(low_cut),
                                bool(high_cut)))
    return tuple(limits)


def _box(x: NDArray[np.float64], y: NDArray[np.bool_], lows: NDArray[np.float64],
         highs: NDArray[np.float64], full: tuple[NDArray[np.float64], NDArray[np.float64]],
         names: Sequence[str]) -> Box:
    inside = np.all((x >= lows) & (x <= highs), axis=1)
    count = int(inside.sum())
    hits = int(y[inside].sum())
    return Box(_limits(full, lows, highs, names), hits / max(int(y.sum()), 1),
               hits / count if count else 0.0, count / len(y), count)


def _density(y: NDArray[np.bool_], keep: NDArray[np.bool_]) -> float:
    n = int(keep.sum())
    return float(y[keep].sum()) / n if n else -1.0


def _peel(x: NDArray[np.float64], y: NDArray[np.bool_], lows: NDArray[np.float64],
          highs: NDArray[np.float64], alpha: float
          ) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
    """The best single peel of the box, or None when no peel removes anything."""
    inside = np.all((x >= lows) & (x <= highs), axis=1)
    best: tuple[float, int, int, NDArray[np.bool_]] | None = None
    for j in range(x.shape[1]):
        values = x[inside, j]
        for side, q in ((0, alpha), (1, 1 - alpha)):
            cut = float(np.quantile(values, q))
            keep = inside & ((x[:, j] > cut) if side == 0 else (x[:, j] < cut))
            if keep.sum() == inside.sum() or not keep.any():
                continue
            # ties go to the peel that keeps more runs (a more patient step)
            score = (_density(y, keep), int(keep.sum()))
            if best is None or score > best[:2]:
                best = (*score, j, keep)
    if best is None:
        return None
    j, keep = best[2], best[3]
    lows, highs = lows.copy(), highs.copy()
    lows[j], highs[j] = float(x[keep, j].min()), float(x[keep, j].max())
    return lows, highs


def _paste(x: NDArray[np.float64], y: NDArray[np.bool_], lows: NDArray[np.float64],
           highs: NDArray[np.float64], alpha: float, full: tuple[NDArray[np.float64],
                                                                 NDArray[np.float64]]
           ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Widen the box while a widening by about ``alpha`` of its runs raises its density."""
    while True:
        inside = np.all((x >= lows) & (x <= highs), axis=1)
        current = _density(y, inside)
        step = max(1, round(alpha * inside.sum()))
        best: tuple[float, NDArray[np.float64], NDArray[np.float64]] | None = None
        for j in range(x.shape[1]):
            others = np.all(np.delete((x >= lows) & (x <= highs), j, axis=1), axis=1)
            below = np.sort(x[others & (x[:, j] < lows[j]), j])[::-1]
            above = np.sort(x[others & (x[:, j] > highs[j]), j])
            for side, candidates in ((0, below), (1, above)):
                if len(candidates) == 0:
                    continue
                edge = candidates[min(step, len(candidates)) - 1]
                new_lows, new_highs = lows.copy(), highs.copy()
                if side == 0:
                    new_lows[j] = edge
                else:
                    new_highs[j] = edge
                keep = np.all((x >= new_lows) & (x <= new_highs), axis=1)
                density = _density(y, keep)
                if density > current and (best is None or density > best[0]):
                    best = (density, new_lows, new_highs)
        if best is None:
            return lows, highs
        lows, highs = best[1], best[2]


def prim(inputs: pd.DataFrame, interest: NDArray[np.bool_] | Sequence[bool],
         alpha: float = 0.05, min_mass: float = 0.05, threshold: float = 0.8,
         question: str = "") -> Discovery:
    """PRIM on the runs' ``inputs`` (one column per parameter) and which are ``interest``."""
    x = inputs.to_numpy(dtype=float)
    y = np.asarray(interest, dtype=bool)
    if len(x) != len(y):
        raise ParameterError(f"{len(x)} runs of inputs but {len(y)} outcomes")
    if not 0 < alpha < 0.5 or not 0 < min_mass < 1:
        raise ParameterError("alpha must be in (0, 0.5) and min_mass in (0, 1)")
    if not y.any():
        raise ParameterError("no run is of interest: nothing to discover",
                             hint="loosen the condition or run more cases")
    names = [str(c) for c in inputs.columns]
    full = (x.min(axis=0), x.max(axis=0))
    lows, highs = full[0].copy(), full[1].copy()
    trajectory = [_box(x, y, lows, highs, full, names)]
    while trajectory[-1].mass > min_mass:
        peeled = _peel(x, y, lows, highs, alpha)
        if peeled is None:
            break
        lows, highs = peeled
        box = _box(x, y, lows, highs, full, names)
        if box.mass < min_mass:
            break
        trajectory.append(box)
    chosen = _choose(trajectory, threshold)
    index = trajectory.index(chosen)
    lows, highs = _bounds_of(trajectory[index], names, full)
    pasted = _box(x, y, *_paste(x, y, lows, highs, alpha, full), full, names)
    box = pasted if pasted.density >= chosen.density else chosen
    return Discovery(box, tuple(trajectory), int(y.sum()), len(y), threshold, question)


def _choose(trajectory: Sequence[Box], threshold: float) -> Box:
    dense = [b for b in trajectory if b.density >= threshold]
    if dense:
        return max(dense, key=lambda b: (b.coverage, b.density))
    return max(trajectory, key=lambda b: (b.density, b.coverage))


def _bounds_of(box: Box, names: Sequence[str],
               full: tuple[NDArray[np.float64], NDArray[np.float64]]
               ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    lows, highs = full[0].copy(), full[1].copy()
    for limit in box.limits:
        j = list(names).index(limit.parameter)
        lows[j], highs[j] = limit.low, limit.high
    return lows, highs


def cart(inputs: pd.DataFrame, interest: NDArray[np.bool_] | Sequence[bool],
         max_depth: int = 3, min_leaf: float = 0.05, seed: int = 0) -> tuple[Leaf, ...]:
    """Leaves of a CART tree whose runs are mostly of interest, densest first."""
    from sklearn.tree import DecisionTreeClassifier

    y = np.asarray(interest, dtype=bool)
    tree = DecisionTreeClassifier(max_depth=max_depth, random_state=seed,
                                  min_samples_leaf=max(1, int(min_leaf * len(y))))
    tree.fit(inputs.to_numpy(dtype=float), y)
    structure = tree.tree_
    names = [str(c) for c in inputs.columns]
    total_cases = max(int(y.sum()), 1)
    leaf_of = tree.apply(inputs.to_numpy(dtype=float))
    leaves: list[Leaf] = []

    def walk(node: int, rules: tuple[str, ...]) -> None:
        left, right = structure.children_left[node], structure.children_right[node]
        if left == right:  # a leaf
            members = leaf_of == node
            density = float(y[members].mean()) if members.any() else 0.0
            if density > 0.5:
                leaves.append(Leaf(rules, float(y[members].sum()) / total_cases, density,
                                   float(members.mean())))
            return
        name, cut = names[structure.feature[node]], float(structure.threshold[node])
        walk(left, (*rules, f"{name} <= {cut:.4g}"))
        walk(right, (*rules, f"{name} > {cut:.4g}"))

    walk(0, ())
    return tuple(sorted(leaves, key=lambda leaf: (-leaf.density, -leaf.coverage)))


def describe_box(box: Box, question: str = "") -> str:
    """A box in plain words."""
    if not box.limits:
        rules = "whatever the inputs"
    else:
        parts = []
        for limit in box.limits:
            if limit.restricts_low and limit.restricts_high:
                parts.append(f"{limit.parameter} is between {limit.low:.4g} and "
                             f"{limit.high:.4g}")
            elif limit.restricts_low:
                parts.append(f"{limit.parameter} is at least {limit.low:.4g}")
            else:
                parts.append(f"{limit.parameter} is at most {limit.high:.4g}")
        rules = "when " + " and ".join(parts)
    what = f"'{question}'" if question else "the condition"
    return (f"{rules[0].upper()}{rules[1:]}: {box.density:.0%} of the runs in this box "
            f"meet {what} (density); the box holds {box.coverage:.0%} of all runs that do "
            f"(coverage) and {box.mass:.0%} of all runs (mass)")


@dataclass(frozen=True)
class Condition:
    """``OUTPUT [change] OP VALUE [@ TIME]``: a test on one output of each run."""

    output: str
    op: str
    value: float
    change: bool = False
    """Compare the change from the baseline run rather than the value itself."""
    time: float | None = None
    """At this time (default: the end of the run)."""

    def holds(self, values: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Which runs meet it, given each run's value (or change)."""
        return {"<": np.less, "<=": np.less_equal, ">": np.greater,
                ">=": np.greater_equal}[self.op](values, self.value)

    def __str__(self) -> str:
        at = f" at time {self.time:g}" if self.time is not None else ""
        change = " change" if self.change else ""
        return f"{self.output}{change} {self.op} {self.value:g}{at}"


_CONDITION = re.compile(r"^\s*(?P<name>.+?)(?P<change>\s+change)?\s*(?:@\s*(?P<time>[-+.\deE]+)"
                        r"\s*)?(?P<op><=|>=|<|>)\s*(?P<value>[-+.\deE]+)\s*$")


def parse_condition(text: str) -> Condition:
    """``"cost to bristol_council change > 0"`` or ``"whole system cost @ 730 < 1e6"``."""
    match = _CONDITION.match(text)
    if match is None:
        raise ParameterError(f"'{text}': expected OUTPUT [change] [@ TIME] OP NUMBER",
                             hint="OP is one of < <= > >=")
    try:
        value = float(match["value"])
        time = float(match["time"]) if match["time"] else None
    except ValueError:
        raise ParameterError(f"'{text}': not a number") from None
    return Condition(match["name"].strip(), match["op"], value, bool(match["change"]), time)


def cases(conditions: Sequence[Condition], value_at: Any) -> NDArray[np.bool_]:
    """Runs meeting every condition; ``value_at(condition)`` gives one value per run."""
    if not conditions:
        raise ParameterError("name at least one condition")
    result: NDArray[np.bool_] | None = None
    for condition in conditions:
        holds = condition.holds(np.asarray(value_at(condition), dtype=float))
        result = holds if result is None else result & holds
    assert result is not None
    return result


def discover(inputs: pd.DataFrame, interest: NDArray[np.bool_], question: str = "",
             alpha: float = 0.05, min_mass: float = 0.05, threshold: float = 0.8,
             seed: int = 0) -> Discovery:
    """PRIM with the CART check attached."""
    found = prim(inputs, interest, alpha, min_mass, threshold, question)
    return replace(found, cart=cart(inputs, interest, seed=seed))


def discover_model(source: Model | ModelSource, table: pd.DataFrame,
                   conditions: Sequence[Condition], seed: int = 0, threshold: float = 0.8,
                   evaluator: Evaluator | None = None,
                   progress: Callable[[int, int], None] | None = None) -> Discovery:
    """Run ``table`` through a model and discover where ``conditions`` hold (on values:
    a ``change`` needs a baseline, see
    :func:`~wholesystem.analysis.interventions.discover_intervention`)."""
    if any(c.change for c in conditions):
        raise ParameterError("'change' conditions compare a scenario with a baseline",
                             hint="give a scenario of a system file")
    study = run_ensemble(source, table, list(dict.fromkeys(c.output for c in conditions)),
                         seed=seed, evaluator=evaluator, progress=progress)

    def value_at(condition: Condition) -> NDArray[np.float64]:
        k = -1 if condition.time is None else int(
            np.argmin(np.abs(study.times - condition.time)))
        return study.series(condition.output)[k]

    interest = cases(conditions, value_at)
    return discover(table.reset_index(drop=True), interest,
                    " and ".join(str(c) for c in conditions), threshold=threshold, seed=seed)


def discovery_dict(result: Discovery) -> dict[str, Any]:
    """What ``discover --json`` prints: ``{"box": {"limits", "coverage", "density",
    "mass"}, "statement", "trajectory": [...], "cart": [...], "cases", "runs"}``."""
    def box(b: Box) -> dict[str, Any]:
        return {"limits": [asdict(limit) for limit in b.limits], "coverage": b.coverage,
                "density": b.density, "mass": b.mass, "runs": b.runs}

    return {"question": result.question, "cases": result.cases, "runs": result.runs,
            "threshold": result.threshold, "box": box(result.box),
            "statement": result.statement,
            "trajectory": [{"coverage": b.coverage, "density": b.density, "mass": b.mass,
                            "restricted": len(b.limits)} for b in result.trajectory],
            "cart": [asdict(leaf) for leaf in result.cart]}
