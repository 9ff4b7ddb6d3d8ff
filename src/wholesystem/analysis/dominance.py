"""Loop dominance by Loops That Matter: loop scores, relative loop scores, dominant sets.

Schoenberg, Davidsen and Eberlein (2020, System Dynamics Review 36(2)) measure how much
of a model's behaviour each feedback loop explains at each time step:

- the **link score** of ``x -> z`` is the change in ``z`` that ``x`` alone caused over
  the step, relative to ``z``'s actual change, signed by the link's polarity
  (:meth:`~wholesystem.analysis.ltm.LinkChanges.score`);
- a **loop score** is the product of the link scores around the loop;
- a **relative loop score** divides a loop score by the sum of the absolute loop scores of
  every loop in the same **cycle partition** (strongly connected component), so the
  relative scores of a partition's loops have absolute values summing to 1.

At each step the **dominant set** of a partition is the smallest set of its loops, taken
in order of decreasing absolute relative score, that together explain at least half of
the behaviour; its **coverage** is the share they explain. Consecutive steps with the same
dominant set form a period. The periods are kept exactly (JSON); for the plain-words story
periods shorter than ``merge_steps`` steps are merged into their longer neighbour.

Coverage is a share *of the loops found*. When the enumeration was cut
(:attr:`~wholesystem.analysis.loops.LoopSet.complete` is False), longer loops are not
scored and the result says so in :attr:`Dominance.caveat` and in the story.

>>> import wholesystem
>>> result = loop_dominance(wholesystem.load(wholesystem.example_path("teacup")))
>>> [(p.polarity, round(p.coverage, 2)) for p in result.periods]
[('B', 1.0)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from wholesystem.analysis.causal import CausalGraph, causal_structure
from wholesystem.analysis.loops import Loop, LoopSet, find_loops, loop_labels, resolve_pins
from wholesystem.analysis.ltm import LinkChanges
from wholesystem.errors import ParameterError
from wholesystem.run import Model

__all__ = ["DominancePeriod", "Dominance", "ScorePlan", "loop_dominance", "dominance_of",
           "loop_scores", "plan_scores"]

Array = NDArray[np.float64]
_HALF = 0.5 - 1e-9  # a set explaining exactly half counts as dominant despite rounding


@dataclass(frozen=True, slots=True)
class DominancePeriod:
    """A stretch of time with one dominant loop set in one cycle partition."""

    start: float
    """Time at the start of the first step of the period."""
    end: float
    """Time at the end of its last step."""
    dominant: tuple[str, ...]
    """Ids of the dominant loops, strongest first (empty while nothing changes)."""
    coverage: float
    """Mean share of the partition's behaviour the dominant set explains, 0..1."""
    polarity: str
    """``R`` or ``B`` when every dominant loop has that polarity, ``mixed`` otherwise,
    ``none`` when no loop is active."""
    partition: int
    """Index of the cycle partition (see :attr:`Dominance.partitions`)."""
    steps: int
    """Number of time steps in the period."""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {"start": self.start, "end": self.end, "dominant": list(self.dominant),
                "coverage": round(self.coverage, 6), "polarity": self.polarity,
                "partition": self.partition, "steps": self.steps}


@dataclass(frozen=True)
class Dominance:
    """Loop scores over a run and the dominant loops period by period."""

    loops: LoopSet
    """The loops scored."""
    times: Array
    """Time at the end of each scored step."""
    dt: float
    """Length of one step."""
    time_units: str
    """Units of time for the story (``time`` when the model gives none)."""
    scores: dict[str, Array]
    """Loop id -> loop score at each step."""
    relative: dict[str, Array]
    """Loop id -> relative loop score at each step (within its partition)."""
    partitions: tuple[tuple[str, ...], ...]
    """Loop ids of each cycle partition."""
    partition_stocks: tuple[tuple[str, ...], ...]
    """Shown names of the stocks in each partition (what its loops move)."""
    periods: tuple[DominancePeriod, ...]
    """Exact periods, partition by partition, in time order."""
    story_periods: tuple[DominancePeriod, ...]
    """Periods with short ones merged into their neighbours."""
    story: tuple[str, ...]
    """One sentence per story period, and a caveat when the enumeration was cut."""
    caveat: str
    """Empty when every loop was scored; otherwise what the coverage leaves out."""

    def scores_frame(self, relative: bool = False) -> pd.DataFrame:
        """Loop (or relative loop) scores as a DataFrame: time index, one column per loop."""
        source = self.relative if relative else self.scores
        frame = pd.DataFrame({loop.id: source[loop.id] for loop in self.loops.loops},
                             index=pd.Index(self.times, name="time"))
        return frame

    def periods_frame(self) -> pd.DataFrame:
        """One row per exact period."""
        return pd.DataFrame([p.to_json() for p in self.periods],
                            columns=["start", "end", "dominant", "coverage", "polarity",
                                     "partition", "steps"])

    def to_json(self) -> dict[str, Any]:
        """The ``wholesystem dominance --json`` document."""
        loops = self.loops.to_json()
        return {
            "periods": [p.to_json() for p in self.periods],
            "story": list(self.story),
            "story_periods": [p.to_json() for p in self.story_periods],
            "loops": loops["loops"],
            "complete": loops["complete"], "found": loops["found"],
            "longest_complete": loops["longest_complete"],
            "caveat": self.caveat,
            "partitions": [{"loops": list(ids), "stocks": list(stocks)}
                           for ids, stocks in zip(self.partitions, self.partition_stocks,
                                                  strict=True)],
            "time_units": self.time_units,
        }


def loop_dominance(model: Model, *, max_loops: int = 2_000,
                   pins: Sequence[str] = (), merge_steps: int = 3,
                   params: dict[str, Any] | None = None) -> Dominance:
    """Score every loop of ``model`` along one run and find the dominant loops.

    Parameters
    ----------
    model
        A loaded model (any format, or a system file's lowered model).
    max_loops
        Enumeration bound (shortest loops first); the result says when it cut.
    pins
        Loops that must be scored whatever the bound: loop ids or paths written
        ``a -> b -> c`` in causal order (shown or canonical names).
    merge_steps
        Periods shorter than this many steps are merged into a neighbour in the story.
    params
        Constant overrides for the run.
    """
    graph = causal_structure(model, params=params)
    pinned = resolve_pins(graph, pins, max_loops)
    return dominance_of(find_loops(graph, max_loops, pinned), merge_steps)


@dataclass(frozen=True)
class ScorePlan:
    """What scoring a loop set needs that depends on its loops only, not on a run: each
    distinct link once, and each loop as the rows of its links. Made once per loop set
    (:func:`plan_scores`) and reused by every scored run."""

    links: tuple[tuple[str, str, int], ...]
    """(source, target, polarity given to the link score) per row; row 0 is no link."""
    groups: tuple[tuple[NDArray[np.intp], NDArray[np.intp]], ...]
    """Per loop length: the loops' positions and their rows (loops x links), in loop
    order."""


def plan_scores(loops: LoopSet) -> ScorePlan:
    """The :class:`ScorePlan` of ``loops``."""
    rows: dict[tuple[str, str], int] = {}
    links: list[tuple[str, str, int]] = [("", "", 0)]
    by_length: dict[int, tuple[list[int], list[list[int]]]] = {}
    for position, loop in enumerate(loops.loops):
        path = []
        for link in loop.links:
            key = (link.source, link.target)
            if key not in rows:
                sign = (1 if link.polarity == "+" else -1) if link.method == "flow" else 0
                rows[key] = len(links)
                links.append((link.source, link.target, sign))
            path.append(rows[key])
        path = path or [0]
        positions, paths = by_length.setdefault(len(path), ([], []))
        positions.append(position)
        paths.append(path)
    groups = tuple((np.array(positions, dtype=np.intp), np.array(paths, dtype=np.intp))
                   for positions, paths in by_length.values())
    return ScorePlan(tuple(links), groups)


def loop_scores(loops: LoopSet, changes: LinkChanges | None = None,
                plan: ScorePlan | None = None) -> dict[str, Array]:
    """The loop score of each loop at each step: the product of its link scores, from
    ``changes`` (default: the run the loops' graph carries); ``plan`` (from
    :func:`plan_scores`) saves planning again for another run.

    Each link's score is computed once, as a row of one table over the whole run; the
    loops of one length are then one reduction over their rows, which multiplies each
    loop's rows in the loop's own order, so a score equals the plain left-to-right
    product exactly. A product that is not finite (an infinite score times zero)
    counts as 0.
    """
    changes = changes if changes is not None else _changes(loops.graph)
    plan = plan if plan is not None else plan_scores(loops)
    steps = changes.times.size
    table = changes.scores(plan.links)
    table[0] = 1.0
    products = np.empty((len(loops.loops), steps))
    for positions, paths in plan.groups:
        # bounded chunks: a chunk gathers loops x length x steps values at once
        chunk = max(1, _GATHER // max(1, paths.shape[1] * steps))
        for first in range(0, len(positions), chunk):
            products[positions[first:first + chunk]] = np.multiply.reduce(
                table[paths[first:first + chunk]], axis=1)
    products[~np.isfinite(products)] = 0.0
    return {loop.id: products[index] for index, loop in enumerate(loops.loops)}


_GATHER = 2_000_000  # values gathered at once while multiplying link scores


def _changes(graph: CausalGraph) -> LinkChanges:
    if graph.changes is None:
        raise ParameterError("loop dominance needs a run: build the causal structure "
                             "with run=True")
    return graph.changes


def dominance_of(loops: LoopSet, merge_steps: int = 3) -> Dominance:
    """Dominant loops of an already enumerated loop set (its graph must carry a run)."""
    changes = _changes(loops.graph)
    specs = changes.compiled.sim_specs
    times = np.asarray(changes.times, dtype=float)
    scores = loop_scores(loops)
    partitions = _partitions(loops)
    relative: dict[str, Array] = {}
    for ids in partitions:
        total = np.sum([np.abs(scores[i]) for i in ids], axis=0) if ids else 0.0
        for i in ids:
            relative[i] = np.where(total > 0, scores[i] / np.where(total > 0, total, 1.0),
                                   0.0)
    by_id = {loop.id: loop for loop in loops.loops}
    step = float(specs.dt if changes.times.size < 2 else times[1] - times[0])
    periods: list[DominancePeriod] = []
    for index, ids in enumerate(partitions):
        periods += _periods(index, ids, relative, by_id, times, step)
    story_periods = [p for index, ids in enumerate(partitions)
                     for p in _merge([q for q in periods if q.partition == index], ids,
                                     relative, by_id, times, step, merge_steps)]
    stocks = tuple(_stocks(loops, ids) for ids in partitions)
    units = specs.time_units or "time"
    caveat = _caveat(loops)
    story = _story(story_periods, by_id, stocks, units, caveat, loop_labels(loops))
    return Dominance(loops, times, step, units, scores, relative, partitions, stocks,
                     tuple(periods), tuple(story_periods), tuple(story), caveat)


def _partitions(loops: LoopSet) -> tuple[tuple[str, ...], ...]:
    """Loop ids grouped by the strongly connected component their variables lie in."""
    digraph = nx.DiGraph()
    for loop in loops.loops:
        digraph.add_edges_from((k.source, k.target) for k in loop.links)
    component = {v: i for i, c in enumerate(nx.strongly_connected_components(digraph))
                 for v in c}
    groups: dict[int, list[str]] = {}
    for loop in loops.loops:
        groups.setdefault(component[loop.variables[0]], []).append(loop.id)
    return tuple(tuple(ids) for ids in groups.values())


def _dominant_at(ids: Sequence[str], relative: dict[str, Array], step: int
                 ) -> tuple[tuple[str, ...], float]:
    ranked = sorted(ids, key=lambda i: (-abs(float(relative[i][step])), i))
    chosen: list[str] = []
    share = 0.0
    for loop_id in ranked:
        value = abs(float(relative[loop_id][step]))
        if value == 0 or share >= _HALF:
            break
        chosen.append(loop_id)
        share += value
    return tuple(chosen), share


def _polarity(ids: Sequence[str], by_id: dict[str, Loop]) -> str:
    kinds = {by_id[i].polarity for i in ids}
    return "none" if not kinds else (kinds.pop() if len(kinds) == 1 else "mixed")


def _periods(index: int, ids: Sequence[str], relative: dict[str, Array],
             by_id: dict[str, Loop], times: Array, step: float) -> list[DominancePeriod]:
    periods: list[DominancePeriod] = []
    current: tuple[str, ...] | None = None
    first = 0  # first step of the current period
    shares: list[float] = []  # coverage per step
    for t in range(times.size + 1):
        dominant, share = (_dominant_at(ids, relative, t) if t < times.size
                           else ((), -1.0))
        if t == times.size or current is None or set(dominant) != set(current):
            if current is not None:
                periods.append(DominancePeriod(
                    float(times[first] - step), float(times[t - 1]), current,
                    float(np.mean(shares)), _polarity(current, by_id), index, t - first))
            current, first, shares = dominant, t, []
        shares.append(share)
    return periods


def _over(lo: float, hi: float, ids: Sequence[str], relative: dict[str, Array],
          by_id: dict[str, Loop], times: Array, step: float, partition: int, steps: int
          ) -> DominancePeriod:
    """The dominant set over a span of steps: loops taken by decreasing mean absolute
    relative score until together they explain at least half (their mean share)."""
    span = (times >= lo + step / 2) & (times <= hi + step / 2)
    means = {i: float(np.mean(np.abs(relative[i][span]))) if np.any(span) else 0.0
             for i in ids}
    chosen: list[str] = []
    share = 0.0
    for loop_id in sorted(ids, key=lambda i: (-means[i], i)):
        if means[loop_id] == 0 or share >= _HALF:
            break
        chosen.append(loop_id)
        share += means[loop_id]
    return DominancePeriod(lo, hi, tuple(chosen), share, _polarity(chosen, by_id),
                           partition, steps)


def _merge(periods: list[DominancePeriod], ids: Sequence[str],
           relative: dict[str, Array], by_id: dict[str, Loop], times: Array, step: float,
           merge_steps: int) -> list[DominancePeriod]:
    """Periods shorter than ``merge_steps`` steps absorbed by their longer neighbour;
    the dominant set of the joined span is chosen again from the loops' mean scores over
    it, so it too explains at least half."""
    merged = list(periods)
    while len(merged) > 1:
        short = min(range(len(merged)), key=lambda i: (merged[i].steps, i))
        if merged[short].steps >= merge_steps:
            break
        left = merged[short - 1] if short > 0 else None
        right = merged[short + 1] if short + 1 < len(merged) else None
        keep = left if right is None or (left is not None and left.steps >= right.steps) \
            else right
        assert keep is not None
        lo = min(keep.start, merged[short].start)
        hi = max(keep.end, merged[short].end)
        joined = _over(lo, hi, ids, relative, by_id, times, step, keep.partition,
                       keep.steps + merged[short].steps)
        first = min(short, merged.index(keep))
        merged[first:first + 2] = [joined]
    # neighbours that now share a dominant set become one period
    out: list[DominancePeriod] = []
    for period in merged:
        if out and set(out[-1].dominant) == set(period.dominant):
            prev = out.pop()
            period = _over(prev.start, period.end, ids, relative, by_id, times, step,
                           period.partition, prev.steps + period.steps)
        out.append(period)
    return out


def _stocks(loops: LoopSet, ids: Sequence[str]) -> tuple[str, ...]:
    graph = loops.graph
    wanted = set(ids)
    names: list[str] = []
    for loop in loops.loops:
        if loop.id in wanted:
            for v in loop.variables:
                variable = graph.variable(v)
                if variable.kind == "stock" and not variable.hidden and \
                        graph.display(v) not in names:
                    names.append(graph.display(v))
    return tuple(names)


def _caveat(loops: LoopSet) -> str:
    if loops.complete:
        return ""
    return (f"the loop enumeration was cut at {loops.found} loops: every loop of up to "
            f"{loops.longest_complete} variables is scored, longer ones are not, so shares "
            "are of the loops found")


_KIND = {"R": "reinforcing", "B": "balancing"}


def _named(loop: Loop, label: str) -> str:
    return f"the {_KIND.get(loop.polarity, 'unsigned')} loop {label} '{loop.name}'"


def _story(periods: Sequence[DominancePeriod], by_id: dict[str, Loop],
           stocks: Sequence[Sequence[str]], units: str, caveat: str,
           labels: Mapping[str, str]) -> list[str]:
    lines: list[str] = []
    previous: dict[int, DominancePeriod] = {}
    active = {p.partition for p in periods if p.dominant}
    still = sorted({p.partition for p in periods} - active)
    if still:
        names = [f"'{s}'" for i in still for s in stocks[i][:2]]
        shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6
                                         else "")
        lines.append(f"The feedback loops through {shown or 'some variables'} never change "
                     "anything during the run.")
    for period in periods:
        if period.partition not in active:
            continue
        moved = ", ".join(f"'{s}'" for s in stocks[period.partition][:3]) or "its variables"
        when = (f"from {units} {period.start:g} to {period.end:g}")
        if not period.dominant:
            lines.append(f"{when.capitalize()}, no feedback loop through {moved} is "
                         "active: nothing in it changes.")
            previous[period.partition] = period
            continue
        names = [_named(by_id[i], labels[i]) for i in period.dominant]
        subject = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        verb = "explains" if len(names) == 1 else "together explain"
        sentence = (f"{when.capitalize()}, {subject} {verb} {period.coverage:.0%} of the "
                    f"change in {moved}")
        before = previous.get(period.partition)
        if before is not None and before.dominant:
            gone = [i for i in before.dominant if i not in period.dominant]
            if gone:
                left = [labels[i] for i in gone]
                sentence += ("; " + ("loop " if len(left) == 1 else "loops ")
                             + ", ".join(left) + (" no longer controls it" if len(left) == 1
                                                  else " no longer control it"))
        lines.append(sentence + ".")
        previous[period.partition] = period
    if caveat:
        lines.append(f"Note: {caveat}.")
    return lines
