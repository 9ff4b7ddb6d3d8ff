"""NumPy kernels of Vensim's builtins: time inputs, lookups, vectors, allocation, delays.

Re-exported by :mod:`wholesystem.builtins.kernels`, so generated code reaches them as
``k.<name>``. Like every vector kernel they take floats or arrays whose first axis is
the run axis. Array functions (VECTOR ..., ALLOCATE ...) work along the last axis, with
their arguments already aligned to the axes of the variable being defined.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "trunc", "quantum", "log_base", "pulse_width", "pulse_train", "step_half", "time_base",
    "get_time_value", "lookup_forward", "lookup_invert", "lookup_area", "random_lookup",
    "vector_elm_map",
    "vector_sort_order", "vector_rank", "vector_reorder", "invert_matrix", "allocate_available",
    "allocate_by_priority", "MaterialDelay",
]

FloatArray = NDArray[np.float64]


# -- element-wise ---------------------------------------------------------------------
def trunc(x: ArrayLike) -> FloatArray:
    """x truncated toward zero (Vensim INTEGER)."""
    return np.trunc(np.asarray(x, dtype=float))


def quantum(a: ArrayLike, q: ArrayLike) -> FloatArray:
    """``q * INTEGER(a / q)``; ``a`` itself where ``q <= 0``."""
    a, q = np.asarray(a, dtype=float), np.asarray(q, dtype=float)
    positive = q > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(positive, np.where(positive, q, 1.0) * np.trunc(
            a / np.where(positive, q, 1.0)), a)


def log_base(x: ArrayLike, base: ArrayLike) -> FloatArray:
    """Logarithm of ``x`` in ``base``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(x) / np.log(base)


# -- time inputs ----------------------------------------------------------------------
def _runs(value: ArrayLike) -> FloatArray:
    """``value`` with at least a run axis: time inputs of constant arguments are still
    values of every run, so they can be laid out on a variable's axes."""
    return np.atleast_1d(np.asarray(value, dtype=float))


def pulse_width(t: float, dt: float, start: ArrayLike, width: ArrayLike) -> FloatArray:
    """Vensim PULSE: 1 while ``start < Time + dt/2 < start + width`` (width 0: one dt)."""
    start, width = np.asarray(start, dtype=float), np.asarray(width, dtype=float)
    width = np.where(width > 0, width, dt)
    plus = t + dt / 2
    return _runs(np.where((plus > start) & (plus < start + width), 1.0, 0.0))


def pulse_train(t: float, dt: float, start: ArrayLike, width: ArrayLike,
                between: ArrayLike, end: ArrayLike) -> FloatArray:
    """PULSE(start, width) repeated every ``between`` until ``end``; 1 throughout when
    ``between`` is shorter than ``width``."""
    start, width, between, end = (np.asarray(v, dtype=float)
                                  for v in (start, width, between, end))
    width = np.maximum(width, dt)
    plus = t + dt / 2
    safe = np.where(between > 0, between, np.inf)
    phase = np.mod(plus - start, safe)
    on = (phase < width) | (between <= width)
    return _runs(np.where((plus > start) & (t <= end + dt * 1e-6) & on, 1.0, 0.0))


def step_half(t: float, dt: float, height: ArrayLike, start: ArrayLike) -> FloatArray:
    """Vensim STEP: ``height`` once ``Time + dt/2 > start``, 0 before."""
    return _runs(np.where(t + dt / 2 > np.asarray(start, dtype=float), height, 0.0))


def time_base(t: float, start: ArrayLike, slope: ArrayLike) -> FloatArray:
    """``start + Time * slope``."""
    return _runs(np.asarray(start, dtype=float) + t * np.asarray(slope, dtype=float))


def get_time_value(t: float, initial: float, relative_to: ArrayLike, offset: ArrayLike,
                   measure: ArrayLike) -> FloatArray:
    """Time (``relative_to`` 0) or the initial time (1) plus ``offset``, in model time
    units (``measure`` 0); NaN for calendar and clock measures, which depend on dates
    and the computer's clock."""
    relative_to, measure = np.asarray(relative_to), np.asarray(measure)
    base = np.where(relative_to == 0, t, np.where(relative_to == 1, initial, np.nan))
    return _runs(np.where(measure == 0, base + np.asarray(offset, dtype=float), np.nan))


# -- lookups --------------------------------------------------------------------------
def lookup_forward(x: ArrayLike, xs: FloatArray, ys: FloatArray) -> FloatArray:
    """The y of the first point at or after ``x`` (the last point beyond the table)."""
    index = np.clip(np.searchsorted(xs, np.asarray(x, dtype=float), side="left"), 0,
                    len(xs) - 1)
    return _runs(ys[index])


def lookup_invert(y: ArrayLike, xs: FloatArray, ys: FloatArray) -> FloatArray:
    """The x at which a monotonic table reaches ``y``, clamped to the table's ends."""
    if ys[-1] < ys[0]:
        xs, ys = xs[::-1], ys[::-1]
    return _runs(np.interp(np.asarray(y, dtype=float), ys, xs))


def lookup_area(start: ArrayLike, end: ArrayLike, xs: FloatArray, ys: FloatArray
                ) -> FloatArray:
    """Area under the table from ``start`` to ``end``, end values held beyond it."""
    return _runs(_integral(np.asarray(end, dtype=float), xs, ys) - _integral(
        np.asarray(start, dtype=float), xs, ys))


def _integral(x: FloatArray, xs: FloatArray, ys: FloatArray) -> FloatArray:
    """Area under the table from its first x to ``x`` (negative before it)."""
    if len(xs) < 2:
        return (x - xs[0]) * ys[0]
    knots = np.concatenate(([0.0], np.cumsum(np.diff(xs) * (ys[:-1] + ys[1:]) / 2)))
    index = np.clip(np.searchsorted(xs, x, side="right") - 1, 0, len(xs) - 2)
    inner = knots[index] + (x - xs[index]) * (ys[index] + np.interp(x, xs, ys)) / 2
    return np.where(x < xs[0], (x - xs[0]) * ys[0],
                    np.where(x > xs[-1], knots[-1] + (x - xs[-1]) * ys[-1], inner))


def random_lookup(u: ArrayLike, low: ArrayLike, high: ArrayLike, shift: ArrayLike,
                  stretch: ArrayLike, xs: FloatArray, ys: FloatArray) -> FloatArray:
    """Vensim RANDOM LOOKUP: the table is the probability density of the number drawn
    (piecewise linear between its points, nothing outside them; negative y counts as 0),
    which is stretched, shifted, then truncated to [low, high]. ``u`` is a uniform draw on
    [0, 1); inverting the distribution function over the part that maps inside [low, high]
    is the same truncation as redrawing until inside."""
    u, low, high = (np.asarray(v, dtype=float) for v in (u, low, high))
    shift, stretch = np.asarray(shift, dtype=float), np.asarray(stretch, dtype=float)
    density = np.maximum(np.asarray(ys, dtype=float), 0.0)
    knots = _density_knots(xs, density)
    if knots[-1] <= 0:
        return _runs(np.full(np.broadcast_shapes(u.shape, low.shape, high.shape,
                                                 shift.shape, stretch.shape), np.nan))
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = (low - shift) / stretch, (high - shift) / stretch
    a, b = np.minimum(a, b), np.maximum(a, b)
    lower = np.interp(np.nan_to_num(a, nan=-np.inf), xs, knots)
    upper = np.interp(np.nan_to_num(b, nan=np.inf), xs, knots)
    drawn = shift + stretch * _density_quantile(lower + u * (upper - lower), xs, density,
                                                knots)
    # no mass between the bounds (or a stretch of 0): the draw clipped to them
    return _runs(np.clip(drawn, low, high))


def _density_knots(xs: FloatArray, density: FloatArray) -> FloatArray:
    """The area under a piecewise-linear density up to each of its points."""
    return np.concatenate(([0.0], np.cumsum(np.diff(xs) * (density[:-1] + density[1:]) / 2)))


def _density_quantile(area: FloatArray, xs: FloatArray, density: FloatArray,
                      knots: FloatArray) -> FloatArray:
    """The x up to which the density's area is ``area``: in the segment holding it, the
    area from x_i is y_i d + s d^2 / 2 (slope s), so d = 2 A / (y_i + sqrt(y_i^2 + 2 s A)),
    the root that stays finite when s = 0."""
    if len(xs) < 2:
        return np.full_like(area, xs[0])
    index = np.clip(np.searchsorted(knots, area, side="right") - 1, 0, len(xs) - 2)
    width = xs[index + 1] - xs[index]
    y0 = density[index]
    slope = np.where(width > 0, (density[index + 1] - y0) / np.where(width > 0, width, 1),
                     0.0)
    rest = np.maximum(area - knots[index], 0.0)
    root = y0 + np.sqrt(np.maximum(y0 * y0 + 2 * slope * rest, 0.0))
    step = np.where(root > 0, 2 * rest / np.where(root > 0, root, 1.0), 0.0)
    return xs[index] + np.minimum(step, width)


# -- vectors --------------------------------------------------------------------------
def _trailing(value: ArrayLike, ndim: int) -> FloatArray:
    """``value`` with size-1 axes appended up to ``ndim`` axes (run axis first)."""
    value = np.asarray(value, dtype=float)
    if value.ndim in (0, ndim):
        return value
    return value.reshape(value.shape + (1,) * (ndim - value.ndim))


def vector_elm_map(values: ArrayLike, index: ArrayLike) -> FloatArray:
    """Element ``index`` (0-based, row-major over all axes but the run axis) of each
    run's ``values``; NaN outside the array."""
    values = np.asarray(values, dtype=float)
    flat = values.reshape(values.shape[0], -1)
    position = np.asarray(index, dtype=float)
    if position.ndim == 0:
        position = position.reshape(1)
    runs = max(flat.shape[0], position.shape[0])
    position = np.broadcast_to(position, (runs,) + position.shape[1:])
    flat = np.broadcast_to(flat, (runs, flat.shape[1]))
    valid = np.isfinite(position) & (position > -0.5) & (position < flat.shape[1] - 0.5)
    whole = np.clip(np.rint(np.where(valid, position, 0.0)), 0, flat.shape[1] - 1)
    picked = np.take_along_axis(flat, whole.astype(int).reshape(runs, -1), axis=1)
    return np.where(valid, picked.reshape(position.shape), np.nan)


def vector_sort_order(vector: ArrayLike, direction: ArrayLike) -> FloatArray:
    """0-based positions of the elements in sorted order along the last axis: ascending
    where ``direction > 0``, descending elsewhere (ties keep their order)."""
    vector = np.asarray(vector, dtype=float)
    direction = _trailing(direction, vector.ndim)
    ascending = np.argsort(vector, axis=-1, kind="stable")
    descending = np.argsort(-vector, axis=-1, kind="stable")
    return np.where(direction > 0, ascending, descending).astype(float)


def vector_rank(vector: ArrayLike, direction: ArrayLike) -> FloatArray:
    """1-based rank of each element along the last axis (ascending if direction > 0)."""
    order = vector_sort_order(vector, direction).astype(int)
    return np.argsort(order, axis=-1, kind="stable").astype(float) + 1.0


def vector_reorder(vector: ArrayLike, order: ArrayLike) -> FloatArray:
    """``vector`` rearranged along its last axis: element i is ``vector[order[i]]``."""
    vector, order = np.asarray(vector, dtype=float), np.asarray(order, dtype=float)
    shape = np.broadcast_shapes(vector.shape, order.shape)
    index = np.clip(np.rint(order), 0, vector.shape[-1] - 1).astype(int)
    return np.take_along_axis(np.broadcast_to(vector, shape),
                              np.broadcast_to(index, shape), axis=-1)


def invert_matrix(matrix: ArrayLike) -> FloatArray:
    """Inverse of each square matrix formed by the last two axes; NaN where singular."""
    matrix = np.asarray(matrix, dtype=float)
    result = np.full(matrix.shape, np.nan)
    stacked = matrix.reshape((-1,) + matrix.shape[-2:])
    for index, square in enumerate(stacked):
        try:
            result.reshape(stacked.shape)[index] = np.linalg.inv(square)
        except np.linalg.LinAlgError:
            continue
    return result


# -- allocation -----------------------------------------------------------------------
# Vensim evaluates the normal profile with Abramowitz & Stegun's formula 26.2.16 (error
# below 1e-5), not with an exact erfc: the tails it gives differ from the exact ones by
# up to a few percent, and the SDXorg allocate_available reference follows this formula
# to its six printed digits where erfc misses by 1.4%.
_NORMAL_P = 0.33267
_NORMAL_A = (0.4361836, -0.1201676, 0.9372980)
_ROOT_TWO_PI = math.sqrt(2 * math.pi)


def _normal_share(z: FloatArray) -> FloatArray:
    """Normal cumulative distribution at ``z``, as Vensim computes it (A&S 26.2.16)."""
    t = 1.0 / (1.0 + _NORMAL_P * np.abs(z))
    a1, a2, a3 = _NORMAL_A
    with np.errstate(under="ignore"):
        tail = np.exp(-0.5 * z * z) / _ROOT_TWO_PI * t * (a1 + t * (a2 + t * a3))
    return np.where(z < 0, tail, 1.0 - tail)


def _share(kind: FloatArray, z: FloatArray) -> FloatArray:
    """Fraction of its request a requester gets when the priority level lies ``z``
    widths below its priority: the integral of its profile's shape (Vensim's ptype 1
    rectangular, 2 triangular, 3 normal with the width as standard deviation, 4
    exponential, symmetric about the priority). Other types are NaN: fixed quantities
    (0) are served apart, and Vensim's manual names a constant elasticity type (5)
    without defining its curve."""
    lifted = np.clip(z + 0.5, 0.0, 1.0)
    triangular = np.where(lifted < 0.5, 2 * lifted ** 2, 1 - 2 * (1 - lifted) ** 2)
    with np.errstate(over="ignore"):
        exponential = np.where(z > 0, 1 - 0.5 * np.exp(-np.abs(z)), 0.5 * np.exp(
            -np.abs(z)))
    kind = np.mod(kind, 10)
    return np.select([kind == 1, kind == 2, kind == 3, kind == 4],
                     [lifted, triangular, _normal_share(z), exponential], np.nan)


def _share_at_one_level(request: FloatArray, kind: FloatArray, centre: FloatArray,
                        width: FloatArray, available: FloatArray) -> FloatArray:
    """What each requester gets at the one priority level where the shares add up to
    ``available`` (bisection to the precision of the floats)."""
    low = np.min(centre - 40 * width, axis=-1) - 1.0
    high = np.max(centre + 40 * width, axis=-1) + 1.0
    for _ in range(100):
        level = (low + high) / 2
        given = np.sum(request * _share(kind, (centre - level[..., None]) / width), axis=-1)
        too_much = given > available
        low = np.where(too_much, level, low)
        high = np.where(too_much, high, level)
    return request * _share(kind, (centre - high[..., None]) / width)


def allocate_available(request: ArrayLike, profile: ArrayLike, available: ArrayLike
                       ) -> FloatArray:
    """Vensim ALLOCATE AVAILABLE: ``available`` shared among the requests along the last
    axis. When enough is available every request is met exactly. Otherwise requesters
    with a fixed-quantity profile (ptype 0) are served first, in proportion to their
    requests when they alone exceed what is available (as Vensim does when all are
    fixed), and the others share the rest at one priority level: each receives
    ``request * share((priority - level) / width)``."""
    request = np.asarray(request, dtype=float)
    profile = np.asarray(profile, dtype=float)
    available = np.asarray(available, dtype=float)
    if available.ndim == request.ndim:
        available = available[..., 0]
    elif available.ndim:
        available = available.reshape(available.shape + (1,) * (
            request.ndim - 1 - available.ndim))
    shape = np.broadcast_shapes(request.shape, profile.shape[:-1], available.shape + (1,))
    request = np.broadcast_to(request, shape)
    profile = np.broadcast_to(profile, shape + profile.shape[-1:])
    available = np.broadcast_to(available, shape[:-1])
    kind, centre = profile[..., 0], profile[..., 1]
    width = np.where(profile[..., 2] > 0, profile[..., 2], 1e-12)
    fixed = np.mod(kind, 10) == 0
    fixed_total = np.sum(np.where(fixed, request, 0.0), axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        fixed_part = np.clip(available / fixed_total, 0.0, 1.0)
    rest = np.maximum(available - fixed_total, 0.0)
    shares = np.where(fixed, request * fixed_part[..., None], _share_at_one_level(
        np.where(fixed, 0.0, request), np.where(fixed, 1.0, kind), centre, width, rest))
    shares = np.where((rest <= 0)[..., None] & ~fixed, 0.0, shares)
    enough = (np.sum(request, axis=-1) <= available)[..., None]
    return np.where(enough, request, np.where((available <= 0)[..., None], 0.0, shares))


def allocate_by_priority(request: ArrayLike, priority: ArrayLike, width: ArrayLike,
                         supply: ArrayLike) -> FloatArray:
    """Vensim ALLOCATE BY PRIORITY: ALLOCATE AVAILABLE with rectangular profiles of the
    given priorities and width."""
    request = np.asarray(request, dtype=float)
    priority = np.asarray(priority, dtype=float)
    width = np.asarray(width, dtype=float)
    if width.ndim == request.ndim:
        width = width[..., 0]
    width = _trailing(width, max(request.ndim - 1, 0))
    shape = np.broadcast_shapes(request.shape, priority.shape)
    profile = np.stack(np.broadcast_arrays(
        np.ones(shape), np.broadcast_to(priority, shape),
        np.broadcast_to(width[..., None] if width.ndim else width, shape),
        np.zeros(shape)), axis=-1)
    return allocate_available(request, profile, supply)


# -- states ---------------------------------------------------------------------------
class MaterialDelay:
    """State of one ``DELAY MATERIAL(input, delay, initial, missing)``.

    The input of each full step leaves ``delay`` later, the delay read when it entered
    (at least one step). What leaves at a step is the sum of what is due then;
    ``initial`` until the first delay has passed, ``missing`` when nothing is due.
    ``read`` notes the delay of the step; ``stage`` schedules the step's input.
    """

    __slots__ = ("start", "dt", "length", "due", "count", "delay", "first", "pending",
                 "step", "scalar")

    def __init__(self, start: float, dt: float, steps: int, scalar: bool = False):
        self.start, self.dt, self.length, self.scalar = start, dt, steps + 2, scalar
        self.due: FloatArray | None = None
        self.count: FloatArray | None = None
        self.delay: FloatArray | None = None
        self.first: FloatArray | None = None
        self.pending: tuple[int, FloatArray, FloatArray] | None = None
        self.step = 0

    def _steps(self, delay: ArrayLike) -> FloatArray:
        return np.maximum(np.rint(np.asarray(delay, dtype=float) / self.dt), 1.0)

    def read(self, t: float, delay: ArrayLike, initial: ArrayLike, missing: ArrayLike
             ) -> Any:
        """What leaves at time ``t`` (a float for the scalar backend)."""
        value = self._leaving(t, delay, initial, missing)
        return float(value.reshape(-1)[0]) if self.scalar else value

    def _leaving(self, t: float, delay: ArrayLike, initial: ArrayLike, missing: ArrayLike
                 ) -> FloatArray:
        self.step = math.floor((t - self.start) / self.dt + 1e-9)
        self.delay = self._steps(delay)
        if self.first is None:
            self.first = self.delay
        before = self.step < self.first
        if self.due is None or self.count is None or not 0 <= self.step < self.length:
            return _runs(np.where(before, initial, missing) + 0.0 * self.delay)
        arrived = self.due[self.step]
        return _runs(np.where(before, initial, np.where(self.count[self.step] > 0, arrived,
                                                        missing)))

    def stage(self, value: ArrayLike) -> None:
        """The input at the current full step, to be scheduled by :meth:`commit`."""
        assert self.delay is not None, "read before stage"
        self.pending = (self.step, np.asarray(value, dtype=float), self.delay)

    def commit(self) -> None:
        """Schedule the staged input ``delay`` steps later."""
        if self.pending is None:
            return
        step, value, delay = self.pending
        self.pending = None
        shape = np.broadcast_shapes(value.shape, delay.shape)
        if self.due is None or self.count is None or self.due.shape[1:] != shape:
            self._grow_to(shape)
        assert self.due is not None
        assert self.count is not None
        when = (step + np.broadcast_to(delay, shape)).astype(int).reshape(-1)
        cells = np.arange(when.size)
        keep = when < self.length
        amounts = np.broadcast_to(value, shape).reshape(-1)
        np.add.at(self.due.reshape(self.length, -1), (when[keep], cells[keep]), amounts[keep])
        np.add.at(self.count.reshape(self.length, -1), (when[keep], cells[keep]), 1.0)

    def _grow_to(self, shape: tuple[int, ...]) -> None:
        old_due, old_count = self.due, self.count
        if old_due is not None:
            shape = np.broadcast_shapes(shape, old_due.shape[1:])
        self.due = np.zeros((self.length, *shape))
        self.count = np.zeros((self.length, *shape))
        if old_due is not None and old_count is not None:
            self.due += old_due
            self.count += old_count
