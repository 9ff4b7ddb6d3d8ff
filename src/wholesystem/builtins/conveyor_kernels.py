"""The state of a conveyor stock: slats of material moving towards the exit.

Follows isee's "Traditional Conveyor Computation": material that flows in during a DT is
one *slat*; it is placed transit time / DT slats from the end, using the transit time of
the DT in which it enters ("once it is placed, transit time has no effect on it"), moves
one slat per DT and comes off the end as the conveyor's outflow. The initial value of the
stock is spread evenly over the slats of the initial transit time.

Leakage (a ``<leak/>`` outflow whose equation is its leak fraction ``f``):

- *linear* (default): the fraction ``f`` (as it is when the slat enters) of what entered
  leaks out evenly over the slats of the leak zone, ``f / zone slats`` of the slat's
  original amount per DT, so ``1 - f`` of what enters reaches the exit (isee: "the
  fraction of inflowing material that makes it to the conveyor's outflow is exactly
  1 - leakage_fraction");
- *exponential*: each DT a slat in the zone loses ``f * DT`` of what it holds (``f`` per
  time unit, read every DT).

The leak zone is ``leak_start`` to ``leak_end`` (fractions of the length from the entry).
Several leakage flows leak side by side; a slat never loses more than it holds. A
transit time shorter than one DT is one DT.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["ConveyorState"]

FloatArray = NDArray[np.float64]


class ConveyorState:
    """One conveyor: ``read`` gives a flow's value for the DT (part 0 the outflow, part
    ``i`` the ``i``-th leakage); ``stage`` takes the total inflow at a full step and
    ``commit`` moves the belt and puts it on.

    Arrays: ``slats[j]`` holds what leaves ``j`` DTs from now (``j = 0``: this DT), with
    the element axes (and the run axis of an ensemble) behind.
    """

    __slots__ = ("start", "dt", "zones", "exponential", "scalar", "slats", "length",
                 "per_dt", "step", "leaks", "exit", "pending", "transit", "fractions")

    def __init__(self, start: float, dt: float, zones: tuple[tuple[float, float], ...],
                 exponential: bool, scalar: bool = False):
        self.start, self.dt, self.scalar = start, dt, scalar
        self.zones, self.exponential = zones, exponential
        self.slats: FloatArray | None = None
        self.length: FloatArray | None = None
        """Per slat: how many slats long the conveyor was when it entered."""
        self.per_dt: FloatArray | None = None
        """Per leak and slat: linear leakage per DT (f * entered / zone slats)."""
        self.step = -1
        self.leaks: FloatArray | None = None
        self.exit: FloatArray | None = None
        self.pending: FloatArray | None = None
        self.transit: FloatArray | None = None
        self.fractions: FloatArray | None = None

    def _slat_count(self, transit: ArrayLike) -> FloatArray:
        return np.maximum(np.rint(np.asarray(transit, dtype=float) / self.dt), 1.0)

    def _zone_bounds(self, length: FloatArray, zone: tuple[float, float]
                     ) -> tuple[FloatArray, FloatArray]:
        """First and one-past-last age (slats since entry) that leak: at least one slat,
        so a zone of no width (leak_start = leak_end) leaks at that one position."""
        first = np.minimum(np.ceil(zone[0] * length - 1e-9), length - 1.0)
        last = np.maximum(np.ceil(zone[1] * length - 1e-9), first + 1.0)
        return first, np.minimum(last, length)

    def _fill(self, contents: FloatArray, transit: FloatArray, fractions: FloatArray) -> None:
        """The initial value spread evenly over the initial transit's slats."""
        count = self._slat_count(transit)
        shape = np.broadcast_shapes(contents.shape, count.shape, fractions.shape[1:])
        count = np.broadcast_to(count, shape)
        size = int(count.max()) if count.size else 1
        j = np.arange(size, dtype=float).reshape((size,) + (1,) * len(shape))
        on = j < count
        self.slats = np.where(on, np.broadcast_to(contents, shape) / count, 0.0)
        self.length = np.where(on, count, 1.0)
        self.per_dt = np.zeros((len(self.zones), size, *shape))
        for i, zone in enumerate(self.zones):
            first, last = self._zone_bounds(count, zone)
            self.per_dt[i] = self.slats * np.broadcast_to(fractions[i], shape) / (last - first)

    def read(self, t: float, part: float, contents: ArrayLike, transit: ArrayLike,
             *fractions: ArrayLike) -> object:
        """Flow ``part`` during the DT starting at ``t`` (a float for the scalar backend)."""
        step = math.floor((t - self.start) / self.dt + 1e-9)
        fraction_array = np.array(np.broadcast_arrays(*fractions, 0.0)[:-1], dtype=float) \
            if fractions else np.zeros((0,))
        self.transit = np.asarray(transit, dtype=float)
        self.fractions = fraction_array
        if self.slats is None:
            self._fill(np.asarray(contents, dtype=float), self.transit, fraction_array)
        if step != self.step:
            self.step = step
            self._leak(fraction_array)
        assert self.exit is not None
        assert self.leaks is not None
        value = self.exit if int(part) == 0 else self.leaks[int(part) - 1]
        value = value / self.dt
        return float(np.reshape(value, -1)[0]) if self.scalar else value

    def _leak(self, fractions: FloatArray) -> None:
        """What each leak takes and what comes off the end during this DT."""
        assert self.slats is not None
        assert self.length is not None
        assert self.per_dt is not None
        size = self.slats.shape[0]
        j = np.arange(size, dtype=float).reshape((size,) + (1,) * (self.slats.ndim - 1))
        age = self.length - 1.0 - j
        left = self.slats.copy()
        taken = []
        for i, zone in enumerate(self.zones):
            first, last = self._zone_bounds(self.length, zone)
            inside = (age >= first) & (age < last) & (self.slats > 0)
            if self.exponential:
                rate = np.clip(np.asarray(fractions[i], dtype=float) * self.dt, 0.0, 1.0)
                amount = np.where(inside, self.slats * rate, 0.0)
            else:
                amount = np.where(inside, self.per_dt[i], 0.0)
            amount = np.clip(amount, 0.0, left)
            left = left - amount
            taken.append(amount)
        self.leaks = np.array([a.sum(axis=0) for a in taken]) if taken else np.zeros((0,))
        self.exit = left[0]
        self.slats = left

    def stage(self, inflow: ArrayLike) -> None:
        """The total inflow at the current full step, put on by :meth:`commit`."""
        self.pending = np.asarray(inflow, dtype=float)

    def commit(self) -> None:
        """Take off what left, move every slat one DT on, put the staged inflow on."""
        if self.pending is None or self.slats is None or self.transit is None:
            return
        assert self.length is not None
        assert self.per_dt is not None
        amount, self.pending = self.pending * self.dt, None
        count = self._slat_count(self.transit)
        shape = np.broadcast_shapes(self.slats.shape[1:], amount.shape, count.shape)
        size = max(self.slats.shape[0], int(count.max()) if count.size else 1)
        slats = np.zeros((size, *shape))
        length = np.ones((size, *shape))
        per_dt = np.zeros((len(self.zones), size, *shape))
        kept = self.slats.shape[0] - 1
        slats[:kept] = self.slats[1:]
        length[:kept] = self.length[1:]
        per_dt[:, :kept] = self.per_dt[:, 1:]
        # the new slat: count - 1 DTs from the end (it leaves count DTs after it entered)
        j = np.arange(size, dtype=float).reshape((size,) + (1,) * len(shape))
        here = j == np.broadcast_to(count, shape) - 1.0
        entering = np.broadcast_to(amount, shape)
        slats += np.where(here, entering, 0.0)
        length = np.where(here, np.broadcast_to(count, shape), length)
        if not self.exponential:
            for i, zone in enumerate(self.zones):
                first, last = self._zone_bounds(np.broadcast_to(count, shape), zone)
                fraction = self._last_fraction(i, shape)
                per_dt[i] += np.where(here, entering * fraction / (last - first), 0.0)
        self.slats, self.length, self.per_dt = slats, length, per_dt

    def _last_fraction(self, i: int, shape: tuple[int, ...]) -> FloatArray:
        """Leak fraction ``i`` as read in this step (a slat keeps the one it entered with)."""
        assert self.fractions is not None
        return np.broadcast_to(self.fractions[i], shape)
