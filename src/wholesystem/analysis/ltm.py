"""Ceteris-paribus changes along a run: what Loops That Matter link scores are made of.

Schoenberg, Davidsen and Eberlein (2020, System Dynamics Review 36(2)) score a link
``x -> z`` at each time step by the change in ``z`` that ``x`` alone would have caused,
relative to the change ``z`` actually made:

- ``z`` computed from ``x`` (an auxiliary or flow): ``dz_x = f(x_t, others_{t-1}) -
  z_{t-1}`` and ``LS = |dz_x / dz| * sign(dz_x / dx)``;
- ``x`` a flow into or out of stock ``s`` (or read by its net rate): the same with the
  stock's net flow in place of ``z``: ``LS = |dnet_x / dnet|``, signed + for an inflow
  and - for an outflow.

A score is 0 where the effect did not change (``dz = 0``). The run behind it reports every
variable, hidden stages of smooths and delays included, at every time step; each equation
is then evaluated once per input with time as the array's run axis, which costs a few
NumPy calls per link for the whole run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from wholesystem.compiler import (
    CompiledModel,
    compile_with_internals,
    equation_sources,
    load_generated,
)
from wholesystem.run import Model
from wholesystem.run.simulate import simulate

__all__ = ["LinkChanges", "LinkProgram", "link_changes", "prepare_links", "observed_sign"]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class LinkChanges:
    """Per link, the change its source alone caused in its target, at every step."""

    compiled: CompiledModel
    """The model compiled to report every variable at every time step."""
    times: Array
    """Time at the end of each step (length T - 1 for T saved times)."""
    effects: dict[tuple[str, str], Array]
    """(source, target) -> change the source alone caused in the target (for a stock:
    in its net flow), summed over the target's elements."""
    totals: dict[str, Array]
    """Target -> its actual change over the step (a stock: of its net flow)."""
    causes: dict[str, Array]
    """Variable -> its change over the step, summed over its elements."""
    unscored: frozenset[tuple[str, str]]
    """Links whose effect could not be isolated (the target reads a pipeline delay or a
    previous value, state that cannot be re-evaluated), scored 0."""
    signs: dict[str, int]
    """Variables that kept one sign all along the run: +1 never negative, -1 never
    positive."""

    def observed_sign(self, source: str, target: str) -> tuple[int, float, bool] | None:
        """Sign of the link's effect per unit change of its source along the run: (majority
        sign, share of moving steps agreeing, whether both signs occur)."""
        effect = self.effects.get((source, target))
        cause = self.causes.get(source)
        if effect is None or cause is None:
            return None
        return observed_sign(effect * np.sign(cause))

    def score(self, source: str, target: str, polarity: int) -> Array:
        """The link score at each step (flows into stocks: ``polarity`` gives the sign)."""
        return self.scores([(source, target, polarity)])[0]

    def scores(self, links: Sequence[tuple[str, str, int]]) -> Array:
        """The scores of many links ``(source, target, polarity)`` at once, one row per
        link: the same arithmetic as :meth:`score`, on a table over links and steps."""
        zero = np.zeros_like(self.times)
        effect = np.array([self.effects.get((s, t), zero) if t in self.totals else zero
                           for s, t, _ in links], dtype=float).reshape(len(links), -1)
        total = np.array([self.totals.get(t, zero) for _, t, _ in links],
                         dtype=float).reshape(len(links), -1)
        cause = np.array([self.causes.get(s, zero) for s, _, _ in links],
                         dtype=float).reshape(len(links), -1)
        polarity = np.array([p for _, _, p in links], dtype=float).reshape(-1, 1)
        with np.errstate(all="ignore"):
            ratio = np.where(total != 0, np.abs(effect / np.where(total != 0, total, 1.0)),
                             0.0)
        signed = ratio * np.sign(effect) * np.sign(cause)
        return np.where(polarity != 0, ratio * polarity, signed)


def observed_sign(deltas: Array) -> tuple[int, float, bool] | None:
    """Majority sign of the non-zero entries, the share agreeing, and whether both signs
    occur; None when every entry is zero.

    >>> observed_sign(np.array([0.0, 2.0, 1.0, -1.0]))
    (1, 0.6666666666666666, True)
    """
    moving = deltas[np.isfinite(deltas) & (np.abs(deltas) > 1e-12)]
    if moving.size == 0:
        return None
    positive = int(np.count_nonzero(moving > 0))
    negative = moving.size - positive
    sign = 1 if positive >= negative else -1
    return sign, max(positive, negative) / moving.size, min(positive, negative) > 0


def link_changes(model: Model, params: Mapping[str, Any] | None = None,
                 program: LinkProgram | None = None) -> LinkChanges:
    """Run ``model`` once with every variable reported and compute each link's effect;
    ``program`` (from :func:`prepare_links`) saves compiling again for another run."""
    program = program if program is not None else prepare_links(model)
    compiled = program.compiled
    overrides = {k: np.asarray(v, dtype=float) for k, v in (params or {}).items()}
    raw = simulate(compiled, overrides, 1)
    values, _ = raw.cube()
    table = values[:, 0, :]
    series: dict[str, Array] = {}
    starts: list[int] = []
    column = 0
    for output in compiled.outputs:
        size = int(np.prod(output.shape)) if output.shape else 1
        block = table[:, column:column + size]
        series[output.name] = block.reshape((len(raw.times), *output.shape)) if output.shape \
            else block[:, 0]
        starts.append(column)
        column += size
    return _changes(program, raw.times, series, _signs(table, compiled.outputs, starts))


def _signs(table: Array, outputs: Sequence[Any], starts: Sequence[int]) -> dict[str, int]:
    """Variables that kept one sign all along the run (+1 never negative, -1 never
    positive, not always zero), from column-wise reductions of the run's table."""
    if table.size == 0:
        return {}
    ends = [*starts[1:], table.shape[1]]
    begin = np.minimum(np.asarray(starts, dtype=np.intp), table.shape[1] - 1)
    finite = np.logical_and.reduceat(np.isfinite(table).all(axis=0), begin)
    low = np.minimum.reduceat(table.min(axis=0), begin)
    high = np.maximum.reduceat(table.max(axis=0), begin)
    moving = np.logical_or.reduceat((table != 0).any(axis=0), begin)
    return {output.name: (1 if low[i] >= 0 else -1) for i, output in enumerate(outputs)
            if ends[i] > starts[i] and finite[i] and moving[i]
            and (low[i] >= 0 or high[i] <= 0)}


@dataclass(frozen=True)
class LinkProgram:
    """What scoring links needs that depends on the model only, not on a run: the model
    compiled to report every variable, and one generated function per equation. Made
    once per model (like compiling it), then reused by every scored run."""

    compiled: CompiledModel
    """The model compiled to report every variable at every time step."""
    identifiers: Mapping[str, str]
    """Canonical name -> Python identifier in the generated functions."""
    net_flows: frozenset[str]
    """Stocks (their functions give the net flow)."""
    functions: Mapping[str, tuple[Any, list[str], bool]]
    """Variable -> (function, inputs it reads, whether it reads discrete state)."""


def prepare_links(model: Model) -> LinkProgram:
    """Compile ``model`` for link scores (see :class:`LinkProgram`)."""
    return _program(compile_with_internals(model.project))


def _program(compiled: CompiledModel) -> LinkProgram:
    sources = equation_sources(compiled.lowered)
    functions = _functions(sources.tables, sources.identifiers, sources.values,
                           sources.net_flows, sources.reads)
    return LinkProgram(compiled, sources.identifiers, frozenset(sources.net_flows),
                       functions)


def _changes(program: LinkProgram, times: Array, series: dict[str, Array],
             signs: dict[str, int]) -> LinkChanges:
    compiled, functions = program.compiled, program.functions
    now = {n: v[1:] for n, v in series.items()}
    before = {n: v[:-1] for n, v in series.items()}
    steps = len(times) - 1
    clock = {"t": times[:-1], "dt": compiled.sim_specs.dt,
             "start_time": compiled.sim_specs.start, "stop_time": compiled.sim_specs.stop}
    causes = {n: _flat(now[n] - before[n], steps) for n in series}
    still = {n for n, change in causes.items() if not np.any(change)}
    effects: dict[tuple[str, str], Array] = {}
    totals: dict[str, Array] = {}
    unscored: set[tuple[str, str]] = set()
    with np.errstate(all="ignore"):
        for name, (function, inputs, opaque) in functions.items():
            if name not in series:
                continue
            args = {program.identifiers[i]: before[i] for i in inputs if i in before}
            stock = name in program.net_flows
            if opaque and stock:  # a net flow reading discrete state: left unscored
                totals[name] = np.zeros(steps)
                unscored.update((i, name) for i in inputs)
                continue
            base = _flat(function(**clock, **args), steps) if stock else _flat(before[name],
                                                                                steps)
            if stock:
                current = {program.identifiers[i]: now[i] for i in inputs if i in now}
                clock_now = {**clock, "t": times[1:]}
                totals[name] = _flat(function(**clock_now, **current), steps) - base
            else:
                totals[name] = causes[name]
            moving = [i for i in inputs if i in now and i not in still]
            for source in inputs:
                if source not in now:
                    continue
                if opaque:
                    effects[(source, name)] = (totals[name] if moving == [source]
                                               else np.zeros(steps))
                    if moving != [source]:
                        unscored.add((source, name))
                    continue
                changed = dict(args)
                changed[program.identifiers[source]] = now[source]
                effects[(source, name)] = _flat(function(**clock, **changed), steps) - base
    return LinkChanges(compiled, times[1:], effects, totals, causes, frozenset(unscored),
                       signs)


def _flat(value: Any, steps: int) -> Array:
    """A value with time as its first axis summed over its element axes."""
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return np.full(steps, float(array))
    if array.shape[0] != steps:
        array = np.broadcast_to(array, (steps, *array.shape[1:]))
    return array.reshape(steps, -1).sum(axis=1) if array.ndim > 1 else array


def _functions(tables: tuple[str, ...], identifiers: Mapping[str, str],
               values: Mapping[str, str], nets: Mapping[str, str],
               reads: Mapping[str, frozenset[str]]) -> dict[str, tuple[Any, list[str], bool]]:
    """One generated function per equation, taking the values it reads by keyword."""
    lines = ['"""Equations of a model, one function each, for link scores."""',
             "from wholesystem.builtins import kernels as k",
             "from math import inf, nan", *tables, ""]
    names: dict[str, tuple[str, list[str], bool]] = {}
    for index, (name, text) in enumerate([*values.items(), *nets.items()]):
        inputs = sorted(reads.get(name, frozenset()))
        arguments = "".join(f", {identifiers[i]}" for i in inputs)
        function = f"_equation{index}"
        lines += [f"def {function}(t, dt, start_time, stop_time{arguments}):",
                  f"    return {text}", ""]
        names[name] = (function, inputs, "_state" in text)
    namespace = load_generated("\n".join(lines) + "\n")
    return {name: (namespace[function], inputs, opaque)
            for name, (function, inputs, opaque) in names.items()}
