"""Run-time kernels of the builtins: vectorised NumPy over a leading run axis.

Generated code calls these as ``k.<name>``. Every kernel accepts Python floats or arrays
whose first axis is the run (scenario) axis and broadcasts like NumPy.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "lookup", "pulse", "step", "ramp", "safediv", "sqrt", "ln", "log10", "arcsin", "arccos",
    "round_half_away", "reduce", "rank", "dimension_positions", "dimension_values", "PipelineDelay",
    "PreviousValue", "assemble", "as_runs", "divide", "power", "take", "new_state",
    "MaterialDelay", "RandomDraws", "allocate_available", "allocate_by_priority",
    "get_time_value", "log_base", "lookup_area", "lookup_forward", "lookup_invert",
    "random_lookup",
    "pulse_train", "pulse_width", "quantum", "step_half", "time_base", "trunc",
    "vector_elm_map", "vector_rank", "vector_reorder", "vector_sort_order", "invert_matrix",
    "floor_at_zero", "limit_outflow", "move_last", "take_along", "vector_lookup",
    "factorial", "combinations", "permutations", "gammaln", "fv", "pmt", "pv",
]

FloatArray = NDArray[np.float64]


def lookup(x: ArrayLike, xs: FloatArray, ys: FloatArray, kind: str) -> FloatArray:
    """A graphical function read at ``x``: ``continuous`` clamps outside the points,
    ``extrapolate`` extends the end segments, ``discrete`` holds each y until the next x."""
    x = np.asarray(x, dtype=float)
    if kind == "discrete":
        index = np.clip(np.searchsorted(xs, x, side="right") - 1, 0, len(xs) - 1)
        return ys[index]
    y = np.interp(x, xs, ys)
    if kind == "extrapolate" and len(xs) > 1:
        low_slope = (ys[1] - ys[0]) / (xs[1] - xs[0]) if xs[1] != xs[0] else 0.0
        high_slope = (ys[-1] - ys[-2]) / (xs[-1] - xs[-2]) if xs[-1] != xs[-2] else 0.0
        y = np.where(x < xs[0], ys[0] + (x - xs[0]) * low_slope, y)
        y = np.where(x > xs[-1], ys[-1] + (x - xs[-1]) * high_slope, y)
    return y


def pulse(t: float, dt: float, volume: ArrayLike, first: ArrayLike,
          interval: ArrayLike = 0.0) -> FloatArray:
    """XMILE PULSE: ``volume / dt`` in the step starting at ``first`` and, when
    ``interval > 0``, every ``interval`` after it; 0 otherwise."""
    volume, first, interval = (np.asarray(v, dtype=float) for v in (volume, first, interval))
    since = t - first
    tolerance = dt * 1e-6
    repeating = interval > 0
    safe_interval = np.where(repeating, interval, 1.0)
    phase = np.mod(since + tolerance, safe_interval)
    hit = np.where(repeating, (since >= -tolerance) & (phase < dt - tolerance),
                   (since >= -tolerance) & (since < dt - tolerance))
    return np.atleast_1d(np.where(hit, volume / dt, 0.0))


def step(t: float, height: ArrayLike, start: ArrayLike) -> FloatArray:
    """``height`` from ``start`` on, 0 before."""
    return np.atleast_1d(np.where(t >= np.asarray(start) - 1e-12, height, 0.0))


def ramp(t: float, slope: ArrayLike, start: ArrayLike, end: ArrayLike = np.inf) -> FloatArray:
    """0 before ``start``, then ``slope`` per time unit until ``end``."""
    start = np.asarray(start, dtype=float)
    span = np.clip(np.minimum(t, end) - start, 0.0, None)
    return np.atleast_1d(np.asarray(slope) * span)


def safediv(a: ArrayLike, b: ArrayLike, fallback: ArrayLike = 0.0) -> FloatArray:
    """``a / b``, or ``fallback`` where ``b`` is zero."""
    b = np.asarray(b, dtype=float)
    zero = b == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(zero, fallback, np.asarray(a) / np.where(zero, 1.0, b))


def sqrt(x: ArrayLike) -> FloatArray:
    """Square root; NaN (not a warning) for negative input."""
    with np.errstate(invalid="ignore"):
        return np.sqrt(x)


def ln(x: ArrayLike) -> FloatArray:
    """Natural logarithm; -inf at 0 and NaN below, without warnings."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(x)


def log10(x: ArrayLike) -> FloatArray:
    """Base-10 logarithm; -inf at 0 and NaN below, without warnings."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log10(x)


def arcsin(x: ArrayLike) -> FloatArray:
    """Inverse sine; NaN outside [-1, 1]."""
    with np.errstate(invalid="ignore"):
        return np.arcsin(x)


def arccos(x: ArrayLike) -> FloatArray:
    """Inverse cosine; NaN outside [-1, 1]."""
    with np.errstate(invalid="ignore"):
        return np.arccos(x)


def round_half_away(x: ArrayLike) -> FloatArray:
    """Round to the nearest integer, halves away from zero (as spreadsheets do)."""
    x = np.asarray(x, dtype=float)
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


_REDUCERS: dict[str, Callable[..., FloatArray]] = {
    "SUM": np.sum, "PROD": np.prod, "MIN": np.min, "MAX": np.max, "MEAN": np.mean,
    "STDDEV": np.std, "VMIN": np.min, "VMAX": np.max,
}


def reduce(function: str, values: ArrayLike, axes: tuple[int, ...]) -> FloatArray:
    """Fold ``values`` over ``axes`` (never axis 0, the run axis)."""
    values = np.asarray(values, dtype=float)
    if function == "SIZE":
        size = int(np.prod([values.shape[a] for a in axes])) if axes else 1
        return np.full(values.shape[:1], float(size))
    return _REDUCERS[function](values, axis=axes)


def rank(values: ArrayLike, n: ArrayLike, tiebreak: ArrayLike | None = None) -> FloatArray:
    """1-based position of the ``n``-th smallest element along the last axis (``n < 0``:
    the ``|n|``-th largest); 0 where n is out of range. Ties are ordered by ``tiebreak``
    (an array like ``values``), else kept in their original order."""
    values = np.asarray(values, dtype=float)
    if tiebreak is None:
        order = np.argsort(values, axis=-1, kind="stable")
    else:
        secondary = np.asarray(tiebreak, dtype=float)
        shape = np.broadcast_shapes(values.shape, secondary.shape)
        order = np.lexsort((np.broadcast_to(secondary, shape), np.broadcast_to(values, shape)),
                           axis=-1)
    size = order.shape[-1]
    n_int = np.asarray(n, dtype=float).astype(int)
    position = np.where(n_int < 0, size + n_int, n_int - 1)
    valid = (position >= 0) & (position < size)
    index = np.clip(position, 0, size - 1)
    picked = np.take_along_axis(order, np.broadcast_to(index, order.shape[:-1])[..., None],
                                axis=-1)[..., 0]
    return np.where(valid, picked + 1.0, 0.0)


def dimension_values(numbers: tuple[float, ...]) -> FloatArray:
    """A dimension used as a value: each element's number, with a run axis of 1."""
    return np.array(numbers, dtype=float)[None, :]


def dimension_positions(size: int) -> FloatArray:
    """``[[1, 2, ..., size]]``: a dimension's element numbers with a run axis of 1."""
    return np.arange(1.0, size + 1.0)[None, :]


class PipelineDelay:
    """State of one ``DELAY(input, delay, initial)``: the input's history on the DT grid.

    ``read`` gives the input as it was ``delay`` time units before ``t`` (linear between
    recorded steps), or the initial value for times before the start. ``stage`` takes the
    input at each full step; ``commit`` files it once every reader of the step is done.
    The history is one preallocated array, so a read costs the same at every step.
    """

    __slots__ = ("start", "dt", "capacity", "buffer", "recorded", "pending")

    def __init__(self, start: float, dt: float, steps: int):
        self.start = start
        self.dt = dt
        self.capacity = steps + 2
        self.buffer: FloatArray | None = None
        self.recorded = 0
        self.pending: FloatArray | None = None

    def read(self, t: float, delay: ArrayLike, initial: ArrayLike) -> FloatArray:
        """The input as it was ``delay`` before ``t``; ``initial`` before the start.

        A delay shorter than DT reads the newest recorded step (the input is recorded
        only once a step is complete, so a delay never feeds back within a step).
        """
        lag = np.maximum(np.asarray(delay, dtype=float), 0.0)
        position = (t - lag - self.start) / self.dt
        if self.recorded == 0 or self.buffer is None:
            return np.asarray(initial, dtype=float) + 0.0 * position
        base = np.floor(position + 1e-9)
        fraction = np.clip(position - base, 0.0, 1.0)
        lower = self._at(base)
        if np.all(fraction < 1e-9):
            value = lower
        else:
            value = lower + (self._at(base + 1) - lower) * fraction
        return np.where(position < -1e-9, initial, value)

    def _at(self, index: FloatArray) -> FloatArray:
        """Recorded input at step ``index`` (the newest one for later steps)."""
        assert self.buffer is not None
        newest = self.recorded - 1
        if np.ndim(index) == 0:
            return self.buffer[int(min(max(float(index), 0.0), newest))]
        clipped = np.clip(index, 0, newest).astype(int)
        shape = np.broadcast_shapes(clipped.shape, self.buffer.shape[1:])
        history = np.broadcast_to(self.buffer[: self.recorded], (self.recorded, *shape))
        return np.take_along_axis(history, np.broadcast_to(clipped, shape)[None], axis=0)[0]

    def stage(self, value: ArrayLike) -> None:
        """The input at the current full step, to be filed by :meth:`commit`."""
        self.pending = np.asarray(value, dtype=float)

    def commit(self) -> None:
        """File the staged input as the newest recorded step."""
        if self.pending is None:
            return
        if self.buffer is None or self.buffer.shape[1:] != self.pending.shape:
            self._grow_to(self.pending.shape)
        assert self.buffer is not None
        self.buffer[self.recorded] = self.pending
        self.recorded += 1
        self.pending = None

    def _grow_to(self, shape: tuple[int, ...]) -> None:
        old = self.buffer
        new_shape = shape if old is None else np.broadcast_shapes(shape, old.shape[1:])
        self.buffer = np.zeros((self.capacity, *new_shape))
        if old is not None and self.recorded:
            self.buffer[: self.recorded] = old[: self.recorded]


class PreviousValue:
    """State of one ``PREVIOUS(x, initial)``: x at the last full step."""

    __slots__ = ("value", "pending")

    def __init__(self) -> None:
        self.value: FloatArray | None = None
        self.pending: FloatArray | None = None

    def read(self, initial: ArrayLike) -> FloatArray:
        """The previous value, or ``initial`` before the first step has been filed."""
        return np.asarray(initial if self.value is None else self.value, dtype=float)

    def stage(self, value: ArrayLike) -> None:
        """x at the current full step."""
        self.pending = np.asarray(value, dtype=float)

    def commit(self) -> None:
        """Make the staged value the one :meth:`read` returns."""
        if self.pending is not None:
            self.value = self.pending
            self.pending = None


def assemble(shape: tuple[int, ...], parts: list[tuple[tuple[int, ...], ArrayLike]],
             fill: float = np.nan) -> FloatArray:
    """An array of element ``shape`` filled element by element (per-element equations).

    The run axis takes the largest run count among the parts; elements no part gives
    (Vensim allows partial definitions) hold ``fill``.
    """
    runs = max((np.shape(v)[0] for _, v in parts if np.ndim(v) > 0), default=1)
    result = np.full((runs, *shape), fill)
    for index, value in parts:
        value = np.asarray(value, dtype=float)
        key: tuple[slice | int, ...] = (slice(None), *index)
        result[key] = value.reshape(value.shape[:1]) if value.ndim else value
    return result


def assemble_or_zero(shape: tuple[int, ...], parts: list[tuple[tuple[int, ...], ArrayLike]]
                     ) -> FloatArray:
    """Like :func:`assemble`, with 0 (not NaN) where no part is given: net flows."""
    return assemble(shape, parts, 0.0)


def as_runs(value: ArrayLike, ndim: int) -> FloatArray:
    """A scalar as an array with a run axis and ``ndim`` element axes, all of size 1."""
    return np.full((1,) * (ndim + 1), value, dtype=float)


def divide(a: ArrayLike, b: ArrayLike) -> FloatArray:
    """``a / b`` by IEEE rules (inf or NaN for a zero divisor), even for plain floats."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.divide(np.asarray(a, dtype=np.float64), b)


def power(a: ArrayLike, b: ArrayLike) -> FloatArray:
    """``a ** b`` by IEEE rules, even for plain floats."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.power(np.asarray(a, dtype=np.float64), b)


def take(values: ArrayLike, axis: int, position: ArrayLike) -> FloatArray:
    """Element at 1-based ``position`` along ``axis`` (a computed subscript), per run."""
    values = np.asarray(values, dtype=float)
    index = np.clip(np.asarray(position, dtype=float).astype(int) - 1, 0,
                    values.shape[axis] - 1)
    if index.ndim == 0:
        return np.take(values, int(index), axis=axis)
    index = index.reshape(index.shape[:1] + (1,) * (values.ndim - 1))
    index = np.broadcast_to(index, values.shape[:axis] + (1,) + values.shape[axis + 1:])
    return np.take_along_axis(values, index, axis=axis).squeeze(axis)


def move_last(values: ArrayLike, axis: int) -> FloatArray:
    """``values`` with ``axis`` moved to the end."""
    return np.moveaxis(np.asarray(values, dtype=float), axis, -1)


def take_along(values: ArrayLike, positions: ArrayLike) -> FloatArray:
    """Per element, the entry at 1-based ``positions`` along the last axis of ``values``
    (clamped to the axis, as :func:`take`); the other axes broadcast."""
    values = np.asarray(values, dtype=float)
    index = np.clip(np.asarray(positions, dtype=float).astype(int) - 1, 0,
                    values.shape[-1] - 1)
    shape = np.broadcast_shapes(values.shape[:-1], index.shape)
    full = np.broadcast_to(values, shape + values.shape[-1:])
    return np.take_along_axis(full, np.broadcast_to(index, shape)[..., None], axis=-1)[..., 0]


# Primitives the generated code calls through ``k.``; the scalar backend defines the same
# names for plain floats (:mod:`wholesystem.builtins.scalar_kernels`).
abs = np.abs
exp = np.exp
sin = np.sin
cos = np.cos
tan = np.tan
cosh = np.cosh
sinh = np.sinh
tanh = np.tanh
arctan = np.arctan
floor = np.floor
mod = np.mod
where = np.where
minimum = np.minimum
maximum = np.maximum
logical_and = np.logical_and
logical_or = np.logical_or
logical_not = np.logical_not
pi = np.pi
inf = np.inf
e = np.e
nan = np.nan


def table(xs: list[float], ys: list[float], kind: str) -> tuple[FloatArray, FloatArray, str]:
    """A graphical function's points as this backend reads them."""
    return np.array(xs, dtype=float), np.array(ys, dtype=float), kind


def reader(points: tuple[FloatArray, FloatArray, str]) -> Callable[[ArrayLike], FloatArray]:
    """A reader of one graphical function: ``reader(table)(x)`` is ``lookup(x, *table)``."""
    xs, ys, kind = points
    return lambda x: lookup(x, xs, ys, kind)


def full_shape(value: ArrayLike, shape: tuple[int, ...]) -> FloatArray:
    """``value`` spread over every element of ``shape`` (keeping its run axis)."""
    value = np.asarray(value, dtype=float)
    runs = value.shape[0] if value.ndim else 1
    if value.ndim == 0:
        value = value.reshape((1,) * (len(shape) + 1))
    return np.broadcast_to(value, (runs, *shape))


def diagonal(values: ArrayLike, first: int, second: int) -> FloatArray:
    """Elements where two equally long axes have the same index; that axis goes last."""
    return np.diagonal(np.asarray(values, dtype=float), axis1=first, axis2=second)


def take_positions(values: ArrayLike, axis: int, positions: tuple[int, ...]) -> FloatArray:
    """The elements at ``positions`` along ``axis`` (a subrange or mapped dimension)."""
    return np.take(values, positions, axis=axis)


def lookup_grid(x: ArrayLike, tables: tuple[tuple[FloatArray, FloatArray, str], ...],
                shape: tuple[int, ...]) -> FloatArray:
    """One table per element: ``x``'s axes after the run axis start with ``shape``, and
    element ``i`` (row-major over ``shape``) is read through ``tables[i]``."""
    x = np.asarray(x, dtype=float)
    if x.ndim < 1 + len(shape):
        x = x.reshape(x.shape + (1,) * (1 + len(shape) - x.ndim))
    target = (x.shape[0], *shape, *x.shape[1 + len(shape):])
    x = np.broadcast_to(x, target)
    result = np.empty(target)
    for flat, table in enumerate(tables):
        key: tuple[slice | np.intp, ...] = (slice(None), *np.unravel_index(flat, shape))
        result[key] = lookup(x[key], *table)
    return result


def floor_at_zero(value: ArrayLike) -> FloatArray:
    """``max(value, 0)`` element by element (non-negative stocks)."""
    return np.maximum(value, 0.0)


def limit_outflow(outflow: ArrayLike, stock: ArrayLike, dt: float, others: ArrayLike
                  ) -> FloatArray:
    """An outflow of a non-negative stock, limited to what the stock holds:
    ``MIN(outflow, stock/DT + others)`` where it is positive (``others``: the inflows less
    the outflows that took their share first); never below zero, and a negative outflow
    (a biflow running backwards) is not limited."""
    out = np.asarray(outflow, dtype=float)
    room = np.maximum(np.asarray(stock, dtype=float) / dt + np.asarray(others, dtype=float),
                      0.0)
    return np.where(out > 0.0, np.minimum(out, room), out)


# Vensim's kernels (time inputs, lookups, vectors, allocation, delays) and the random
# draws of both languages live in their own modules; generated code reaches them here.
from wholesystem.builtins.conveyor_kernels import ConveyorState  # noqa: E402
from wholesystem.builtins.counting import (  # noqa: E402
    combinations_array as combinations,
)
from wholesystem.builtins.counting import factorial_array as factorial  # noqa: E402
from wholesystem.builtins.counting import gammaln_array as gammaln  # noqa: E402
from wholesystem.builtins.counting import (  # noqa: E402
    permutations_array as permutations,
)
from wholesystem.builtins.financial import fv_array as fv  # noqa: E402
from wholesystem.builtins.financial import pmt_array as pmt  # noqa: E402
from wholesystem.builtins.financial import pv_array as pv  # noqa: E402
from wholesystem.builtins.random_kernels import RandomDraws  # noqa: E402
from wholesystem.builtins.vector_lookup import vector_lookup  # noqa: E402
from wholesystem.builtins.vensim_kernels import (  # noqa: E402
    MaterialDelay,
    allocate_available,
    allocate_by_priority,
    get_time_value,
    invert_matrix,
    log_base,
    lookup_area,
    lookup_forward,
    lookup_invert,
    pulse_train,
    pulse_width,
    quantum,
    random_lookup,
    step_half,
    time_base,
    trunc,
    vector_elm_map,
    vector_rank,
    vector_reorder,
    vector_sort_order,
)


class ScalarPipelineDelay:
    """:class:`PipelineDelay` for the scalar backend: plain floats in a list, same
    numbers, without NumPy's per-call cost."""

    __slots__ = ("start", "dt", "history", "pending")

    def __init__(self, start: float, dt: float):
        self.start = start
        self.dt = dt
        self.history: list[float] = []
        self.pending: float | None = None

    def read(self, t: float, delay: float, initial: float) -> float:
        """The input as it was ``delay`` before ``t``; ``initial`` before the start.

        The same numbers as :meth:`PipelineDelay.read`, written for speed: a length of
        stay's mixture reads hundreds of these a step. ``position + 1e-9`` is not
        negative past the first test, so ``int`` is its floor, and ``position - base``
        stays below 1.
        """
        if delay < 0.0:
            delay = 0.0
        position = (t - delay - self.start) / self.dt
        history = self.history
        if not history or position < -1e-9:
            return float(initial)
        newest = len(history) - 1
        base = int(position + 1e-9)
        fraction = position - base
        if base >= newest:
            if fraction < 1e-9:
                return history[newest]
            lower = history[newest]
            return lower + (lower - lower) * fraction
        lower = history[base]
        if fraction < 1e-9:
            return lower
        return lower + (history[base + 1] - lower) * fraction

    def stage(self, value: float) -> None:
        """The input at the current full step, to be filed by :meth:`commit`."""
        self.pending = float(value)

    def commit(self) -> None:
        """File the staged input as the newest recorded step."""
        if self.pending is not None:
            self.history.append(self.pending)
            self.pending = None


class ScalarPreviousValue:
    """:class:`PreviousValue` for the scalar backend (plain floats)."""

    __slots__ = ("value", "pending")

    def __init__(self) -> None:
        self.value: float | None = None
        self.pending: float | None = None

    def read(self, initial: float) -> float:
        """The previous value, or ``initial`` before the first step has been filed."""
        return float(initial) if self.value is None else self.value

    def stage(self, value: float) -> None:
        """x at the current full step."""
        self.pending = float(value)

    def commit(self) -> None:
        """Make the staged value the one :meth:`read` returns."""
        if self.pending is not None:
            self.value = self.pending
            self.pending = None


def new_state(kind: str, *, start: float, dt: float, steps: int, runs: int, seed: int,
              site: int, scalar: bool, fixed_seed: int | None = None,
              options: tuple[object, ...] = ()) -> object:
    """A fresh discrete state of ``kind`` (a :class:`~wholesystem.compiler.lower.StateKind`
    value) for one run (or one ensemble) starting at ``start``; ``site`` is its position
    in the model's state list (it seeds random streams), ``fixed_seed`` a random draw's
    seed written in the model, ``options`` a conveyor's leak zones and leak kind."""
    if kind == "pipeline":
        return ScalarPipelineDelay(start, dt) if scalar else PipelineDelay(start, dt, steps)
    if kind == "previous":
        return ScalarPreviousValue() if scalar else PreviousValue()
    if kind == "material":
        return MaterialDelay(start, dt, steps, scalar)
    if kind == "conveyor":
        zones, exponential = options
        return ConveyorState(start, dt, zones, bool(exponential), scalar)  # type: ignore[arg-type]
    if kind == "random":
        return RandomDraws(runs, seed, site, scalar, fixed_seed)
    raise ValueError(f"unknown state kind {kind!r}")
