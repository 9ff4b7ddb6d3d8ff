"""Integrate a compiled model over time for one or many runs at once.

All runs advance together: every value carries a leading run axis, so a 1,000-run sweep
costs about as many NumPy calls as one run. Euler and classic fourth-order Runge-Kutta
are supported; discrete states (pipeline delays, previous values) advance once per full
step in both.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from wholesystem.builtins.kernels import new_state
from wholesystem.check.resources import resource_errors
from wholesystem.compiler import CompiledModel
from wholesystem.diagnostics import SourceSpan
from wholesystem.errors import ParameterError, SimulationError
from wholesystem.ir.model import INTEGRATION_METHODS
from wholesystem.run.results import RawResults

__all__ = ["Runtime", "simulate", "METHODS"]

METHODS = INTEGRATION_METHODS
MAX_STEPS = 10**9
"""More time steps than this is taken for a mistyped time step, not a simulation to run."""


@dataclass
class Runtime:
    """What the generated ``build`` function reads: time settings, runs and overrides."""

    start: float
    stop: float
    dt: float
    runs: int
    overrides: Mapping[str, NDArray[np.float64]]
    states: list[Any] = field(default_factory=list)
    select: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None = None
    """Picks the values kept at each save time (None: all)."""

    def param(self, name: str, default: Any, shape: tuple[int, ...]) -> Any:
        """The value of constant (or stock initial value) ``name``: an override if given.

        An override may be one number, one value per run (length ``runs``), one value per
        element (shape ``shape``) or both (``(runs, *shape)``).
        """
        if name not in self.overrides:
            return default
        value = self.overrides[name]
        target = (self.runs, *shape)
        # Full element axes, not broadcastable ones: generated code indexes single elements.
        if value.ndim == 0:
            return np.full((1, *shape), float(value))
        if value.shape == target:
            return value
        if value.shape == (self.runs,):
            return np.broadcast_to(value.reshape((self.runs,) + (1,) * len(shape)),
                                   target).copy()
        if value.shape == shape:
            return value[None, ...]
        raise ParameterError(
            f"parameter '{name}' has shape {value.shape}; expected one value, {self.runs} "
            f"(one per run), {shape} (one per element) or {target}")


class ScalarRuntime(Runtime):
    """The runtime of the scalar backend: parameters are plain floats."""

    def param(self, name: str, default: Any, shape: tuple[int, ...]) -> Any:
        if name not in self.overrides:
            return default
        value = self.overrides[name]
        if value.size != 1:
            raise ParameterError(f"parameter '{name}' needs one value, got shape {value.shape}")
        return float(value.reshape(()))


def _steps(span: float, step: float, what: str, where: SourceSpan | None = None) -> int:
    count = span / step
    if not math.isfinite(count) or count < -1e-6:
        raise SimulationError(f"{what} is {span:g}, which is not a positive number of time "
                              f"steps of {step:g}", where)
    if count > MAX_STEPS:
        raise SimulationError(
            f"{what} ({span:g}) takes {count:.3g} time steps of {step:g}, more than "
            f"{MAX_STEPS:,}", where, hint="check the time step and the simulation length")
    rounded = round(count)
    if abs(count - rounded) > 1e-6 * max(1.0, count):
        return math.floor(count + 1e-9)
    return int(rounded)


def simulate(compiled: CompiledModel, overrides: Mapping[str, Any] | None = None,
             runs: int = 1, method: str | None = None, seed: int = 0,
             outputs: Sequence[int] | None = None) -> RawResults:
    """Simulate ``runs`` runs of ``compiled``; ``overrides`` map canonical names to values.

    One run of a model without arrays uses the scalar backend (plain floats); everything
    else the vector backend, all runs advancing together. ``seed`` seeds the random-number
    functions: run ``r`` draws from its own child of ``SeedSequence(seed)``, so its numbers
    do not depend on the size of the ensemble (a call with a seed of its own, as XMILE
    allows, draws the same numbers in every run). ``outputs`` (indices into
    ``compiled.outputs``) keeps only those variables' values, which saves memory in large
    ensembles.
    """
    specs = compiled.sim_specs
    where = specs.span if method is None else None  # the model's own method has a place
    method = (method or specs.method or "euler").lower()
    if method not in METHODS:
        raise SimulationError(f"unknown integration method '{method}'", where,
                              hint=f"use one of: {', '.join(METHODS)}")
    dt = specs.dt
    if not (math.isfinite(dt) and dt > 0):
        raise SimulationError(f"time step must be a positive number, not {dt}", specs.span)
    problems = resource_errors(compiled.project, runs)
    if problems:
        raise problems[0]
    n_steps = _steps(specs.stop - specs.start, dt, "the simulation length", specs.span)
    save = specs.save_period
    if not (math.isfinite(save) and save > 0):
        raise SimulationError(f"the save interval must be a positive number, not {save}",
                              specs.span)
    save_every = max(1, round(save / dt))
    values = {k: np.asarray(v, dtype=float) for k, v in (overrides or {}).items()}
    scalar = runs == 1 and compiled.scalar is not None
    backend = compiled.scalar if scalar and compiled.scalar else compiled.vector
    runtime = (ScalarRuntime if scalar else Runtime)(specs.start, specs.stop, dt, runs, values)
    runtime.select = _selector(outputs)
    runtime.states = [new_state(kind.value, start=specs.start, dt=dt, steps=n_steps,
                                runs=runs, seed=seed, site=site, scalar=scalar,
                                fixed_seed=fixed, options=options)
                      for site, (kind, fixed, options) in enumerate(zip(
                          compiled.state_kinds, compiled.state_seeds,
                          compiled.state_options, strict=True))]
    try:
        with np.errstate(all="ignore"):
            if method == "euler":
                saved = backend.run_euler(runtime, n_steps, save_every)
            else:
                saved = _integrate_rk4(backend, runtime, n_steps, save_every, dt)
    except MemoryError:
        raise SimulationError(
            f"out of memory simulating {runs:,} run(s) of {n_steps:,} steps", specs.span,
            hint="run fewer runs at once, keep fewer outputs (return_columns), or lower "
                 "the resource limits (wholesystem.limits) so such runs are refused "
                 "early") from None
    times = specs.start + dt * save_every * np.arange(len(saved), dtype=np.float64)
    kept = compiled.outputs if outputs is None else tuple(compiled.outputs[i] for i in outputs)
    return RawResults(times, saved, kept, runs, scalar)


def _selector(outputs: Sequence[int] | None) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """What the generated loop keeps of all values at each save time."""
    if outputs is None:
        return _everything
    chosen = tuple(outputs)
    return lambda values: tuple(values[i] for i in chosen)


def _everything(values: tuple[Any, ...]) -> tuple[Any, ...]:
    return values


def _integrate_rk4(backend: Any, runtime: Runtime, n_steps: int, save_every: int,
                   dt: float) -> list[tuple[Any, ...]]:
    stocks, rates = backend.build(runtime)
    floors = backend.generated.non_negative
    saved: list[tuple[Any, ...]] = []
    for index in range(n_steps + 1):
        t = runtime.start + index * dt
        last = index == n_steps
        stocks, values = _rk4_step(rates, t, dt, stocks, runtime.states, last)
        if index % save_every == 0:
            saved.append(runtime.select(values) if runtime.select else values)
        if any(floors) and not last:
            # A non-negative stock with a net rate and no outflows to limit (see
            # wholesystem.compiler.non_negative) is floored at zero.
            stocks = tuple(np.maximum(s, 0.0) if floor else s
                           for s, floor in zip(stocks, floors, strict=True))
    return saved


def _commit(states: list[Any]) -> None:
    for state in states:
        state.commit()


def _rk4_step(rates: Any, t: float, dt: float, stocks: tuple[Any, ...], states: list[Any],
              last: bool) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    k1, values = rates(t, stocks, True)
    if last:
        return stocks, values
    half = dt / 2
    k2, _ = rates(t + half, tuple(s + half * d for s, d in zip(stocks, k1, strict=True)), False)
    k3, _ = rates(t + half, tuple(s + half * d for s, d in zip(stocks, k2, strict=True)), False)
    k4, _ = rates(t + dt, tuple(s + dt * d for s, d in zip(stocks, k3, strict=True)), False)
    _commit(states)
    sixth = dt / 6
    return tuple(s + sixth * (a + 2 * b + 2 * c + d)
                 for s, a, b, c, d in zip(stocks, k1, k2, k3, k4, strict=True)), values
