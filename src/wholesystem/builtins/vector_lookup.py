"""Vensim's VECTOR LOOKUP: the elements of a vector read as a lookup on an even grid.

Vensim's reference (VECTOR LOOKUP(vec, x, xmin, xmax, mode)): "The specified range for x
is broken up into n equal intervals where n is one less than the length of the vector
vec"; "if vec is a multidimensional array then the length used is the number of elements
in the last subscript"; ``mode`` chooses the lookup function it behaves as: 0 a normal
lookup, 1 LOOKUP AREA, 2 LOOKUP BACKWARD, 3 LOOKUP EXTRAPOLATE, 4 LOOKUP FORWARD, 5
LOOKUP INVERT, 6 LOOKUP SLOPE, 7 LOOKUP AREA with extrapolation, 8 LOOKUP INVERT with
extrapolation, 9 LOOKUP SLOPE with extrapolation; "for 1 and 7 the area returned is the
area from xmin". Re-exported by :mod:`wholesystem.builtins.kernels` as ``k.vector_lookup``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["vector_lookup"]

FloatArray = NDArray[np.float64]

_KNOT = 1e-9
"""How close (in grid steps) an x must be to a grid point to count as on it: x = xmin +
k * step is rarely exact in floats, and BACKWARD / FORWARD jump at the points."""


def vector_lookup(vec: ArrayLike, x: ArrayLike, xmin: ArrayLike, xmax: ArrayLike,
                  mode: ArrayLike) -> FloatArray:
    """VECTOR LOOKUP of ``vec`` (its last axis the y values at xmin ... xmax) at ``x``,
    behaving as the lookup function ``mode`` names (0 to 9; NaN for other modes)."""
    ys = np.asarray(vec, dtype=float)
    shape = np.broadcast_shapes(ys.shape[:-1], *(np.shape(a) for a in (x, xmin, xmax, mode)))
    ys = np.broadcast_to(ys, shape + ys.shape[-1:])
    x, low, high, mode = (np.broadcast_to(np.asarray(a, dtype=float), shape)
                          for a in (x, xmin, xmax, mode))
    n = ys.shape[-1]
    if n < 2:
        return np.where(np.isin(mode, (6, 9)), 0.0, np.where(np.isin(mode, (1, 7)), (
            x - low) * ys[..., 0], ys[..., 0])) if n else np.full(shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        step = (high - low) / (n - 1)
        s = (x - low) / step
    s = np.where(np.abs(s - np.rint(s)) < _KNOT, np.rint(s), s)
    results = {0: _interpolate(ys, np.clip(s, 0, n - 1)), 3: _interpolate(ys, s),
               2: _pick(ys, np.floor(s)), 4: _pick(ys, np.ceil(s)),
               6: _slope(ys, s, step, extrapolate=False),
               9: _slope(ys, s, step, extrapolate=True),
               1: _area(ys, s, step, extrapolate=False),
               7: _area(ys, s, step, extrapolate=True)}
    wanted = np.rint(mode)
    if np.any((wanted == 5) | (wanted == 8)):
        results[5] = _invert(ys, x, low, step, extrapolate=False)
        results[8] = _invert(ys, x, low, step, extrapolate=True)
    out = np.full(shape, np.nan)
    for code, value in results.items():
        out = np.where(wanted == code, value, out)
    return out


def _segment(n: int, s: FloatArray) -> NDArray[np.intp]:
    """Index of the grid interval holding position ``s`` (end intervals beyond)."""
    return np.clip(np.floor(np.nan_to_num(s)), 0, n - 2).astype(np.intp)


def _at(ys: FloatArray, index: NDArray[np.intp]) -> FloatArray:
    return np.take_along_axis(ys, index[..., None], axis=-1)[..., 0]


def _interpolate(ys: FloatArray, s: FloatArray) -> FloatArray:
    """y at grid position ``s`` on the straight line of its interval (extended beyond)."""
    i = _segment(ys.shape[-1], s)
    left, right = _at(ys, i), _at(ys, i + 1)
    return np.where(np.isnan(s), np.nan, left + (s - i) * (right - left))


def _pick(ys: FloatArray, position: FloatArray) -> FloatArray:
    """The y of grid point ``position``, held at the ends (BACKWARD / FORWARD)."""
    index = np.clip(np.nan_to_num(position), 0, ys.shape[-1] - 1).astype(np.intp)
    return np.where(np.isnan(position), np.nan, _at(ys, index))


def _slope(ys: FloatArray, s: FloatArray, step: FloatArray, extrapolate: bool
           ) -> FloatArray:
    """dy/dx of the interval holding ``s`` (the one to the right at a grid point); 0
    beyond the ends, where a lookup holds its end values, unless extrapolating."""
    n = ys.shape[-1]
    i = _segment(n, s)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = (_at(ys, i + 1) - _at(ys, i)) / step
    inside = (s >= 0) & (s <= n - 1)
    return slope if extrapolate else np.where(inside, slope, 0.0)


def _area(ys: FloatArray, s: FloatArray, step: FloatArray, extrapolate: bool
          ) -> FloatArray:
    """Area under the lookup from xmin to grid position ``s`` (negative below xmin):
    trapezoids over whole intervals plus the part interval; beyond the ends the end
    value is held, or the end interval's line extended when extrapolating."""
    n = ys.shape[-1]
    whole = np.concatenate((np.zeros(ys.shape[:-1] + (1,)),
                            np.cumsum((ys[..., :-1] + ys[..., 1:]) / 2, axis=-1)), axis=-1)
    inner = np.clip(s, 0, n - 1)
    i = _segment(n, inner)
    y_i, y_s = _at(ys, i), _interpolate(ys, inner)
    area = _at(whole, i) + (inner - i) * (y_i + y_s) / 2
    beyond = s - inner
    end_y = np.where(s > n - 1, ys[..., -1], ys[..., 0])
    edge_y = _interpolate(ys, s) if extrapolate else end_y
    area = area + beyond * (end_y + edge_y) / 2
    return area * step


def _invert(ys: FloatArray, y: FloatArray, low: FloatArray, step: FloatArray,
            extrapolate: bool) -> FloatArray:
    """The x at which the (monotonic) lookup reaches ``y``: clamped to [xmin, xmax], or
    on the end intervals' lines extended when extrapolating."""
    n = ys.shape[-1]
    flat_y, flat_target = ys.reshape(-1, n), y.reshape(-1)
    position = np.empty(flat_target.shape)
    grid = np.arange(n, dtype=float)
    for k, (values, target) in enumerate(zip(flat_y, flat_target, strict=True)):
        rising = values if values[-1] >= values[0] else values[::-1]
        places = grid if values[-1] >= values[0] else grid[::-1]
        spot = float(np.interp(target, rising, places))
        if extrapolate and (target < rising[0] or target > rising[-1]):
            a, b = (0, 1) if target < rising[0] else (n - 2, n - 1)
            lo, hi = rising[a], rising[b]
            spot = places[a] + (target - lo) / (hi - lo) * (places[b] - places[a]) if (
                hi != lo) else places[a]
        position[k] = spot
    return low + position.reshape(y.shape) * step
