"""Run-time kernels for the scalar backend: one run, plain Python floats.

A single run of a model without arrays is fastest as straight-line float arithmetic; the
generated code calls these through ``k.`` exactly as the NumPy backend calls
:mod:`wholesystem.builtins.kernels`, and they give the same numbers, including IEEE
infinities and NaN where Python's ``math`` would raise.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable

__all__ = [
    "abs", "exp", "sin", "cos", "tan", "arctan", "floor", "mod", "where", "minimum",
    "maximum", "logical_and", "logical_or", "logical_not", "pi", "inf", "e", "nan", "table",
    "floor_at_zero", "limit_outflow", "lookup", "reader", "pulse", "step", "ramp", "safediv",
    "sqrt", "ln", "log10",
    "arcsin", "arccos", "round_half_away", "divide", "power", "as_runs", "trunc", "quantum",
    "log_base", "pulse_width", "pulse_train", "step_half", "time_base", "get_time_value",
    "lookup_forward", "lookup_invert", "lookup_area", "random_lookup", "cosh", "sinh", "tanh",
    "factorial", "combinations", "permutations", "gammaln", "fv", "pmt", "pv",
]

pi = math.pi
inf = math.inf
e = math.e
nan = math.nan
import builtins as _builtins  # noqa: E402

from wholesystem.builtins.counting import (  # noqa: E402
    combinations,
    factorial,
    gammaln,
    permutations,
)
from wholesystem.builtins.financial import fv, pmt, pv  # noqa: E402

builtin_abs = _builtins.abs
abs = _builtins.abs
arctan = math.atan


def sin(x: float) -> float:
    """Sine; NaN for infinite input (as NumPy)."""
    return math.sin(x) if math.isfinite(x) else math.nan


def cos(x: float) -> float:
    """Cosine; NaN for infinite input (as NumPy)."""
    return math.cos(x) if math.isfinite(x) else math.nan


def floor(x: float) -> float:
    """Largest whole number not above ``x``, as a float; inf and NaN pass through."""
    return float(math.floor(x)) if math.isfinite(x) else x


def exp(x: float) -> float:
    """e ** x; inf on overflow."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def tan(x: float) -> float:
    """Tangent (inf and NaN propagate)."""
    return math.tan(x) if math.isfinite(x) else math.nan


def cosh(x: float) -> float:
    """Hyperbolic cosine; inf on overflow (as NumPy)."""
    try:
        return math.cosh(x)
    except OverflowError:
        return math.inf


def sinh(x: float) -> float:
    """Hyperbolic sine; signed inf on overflow (as NumPy)."""
    try:
        return math.sinh(x)
    except OverflowError:
        return math.copysign(math.inf, x)


tanh = math.tanh


def mod(a: float, b: float) -> float:
    """Remainder with the sign of ``b`` (as NumPy's mod); NaN for ``b = 0``."""
    try:
        return a % b
    except ZeroDivisionError:
        return math.nan


def where(condition: object, a: float, b: float) -> float:
    """``a`` if condition else ``b``."""
    return a if condition else b


def minimum(a: float, b: float) -> float:
    """The smaller value; NaN if either is NaN (as NumPy)."""
    return a if a <= b else (b if b < a else math.nan)


def maximum(a: float, b: float) -> float:
    """The larger value; NaN if either is NaN (as NumPy)."""
    return a if a >= b else (b if b > a else math.nan)


def logical_and(a: object, b: object) -> bool:
    """Both non-zero."""
    return bool(a) and bool(b)


def logical_or(a: object, b: object) -> bool:
    """Either non-zero."""
    return bool(a) or bool(b)


def logical_not(a: object) -> bool:
    """Zero."""
    return not a


def table(xs: list[float], ys: list[float], kind: str) -> tuple[list[float], list[float], str]:
    """A graphical function's points as this backend reads them."""
    return list(map(float, xs)), list(map(float, ys)), kind


def reader(points: tuple[list[float], list[float], str]) -> Callable[[float], float]:
    """A fast reader of one graphical function: slopes computed once, the same arithmetic
    as NumPy's ``interp`` (so both backends agree to the last bit)."""
    xs, ys, kind = points
    if kind != "continuous" or len(xs) < 2:
        return lambda x: lookup(x, xs, ys, kind)
    slopes = [(ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]) if xs[i + 1] != xs[i] else 0.0
              for i in range(len(xs) - 1)]
    x_first, x_last, y_first, y_last = xs[0], xs[-1], ys[0], ys[-1]

    def read(x: float) -> float:
        if x != x:
            return math.nan
        if x <= x_first:
            return y_first
        if x >= x_last:
            return y_last
        j = bisect_right(xs, x) - 1
        return slopes[j] * (x - xs[j]) + ys[j]

    return read


def floor_at_zero(value: float) -> float:
    """``max(value, 0)``; NaN stays NaN."""
    return value if not value < 0.0 else 0.0


def limit_outflow(outflow: float, stock: float, dt: float, others: float) -> float:
    """An outflow of a non-negative stock limited to what it holds (see
    :func:`wholesystem.builtins.kernels.limit_outflow`)."""
    if not outflow > 0.0:
        return outflow
    room = stock / dt + others
    if not room > 0.0:
        return 0.0 if room <= 0.0 else math.nan
    return outflow if outflow <= room else room


def lookup(x: float, xs: list[float], ys: list[float], kind: str) -> float:
    """A graphical function read at ``x`` (see :func:`kernels.lookup`)."""
    if x != x:  # NaN in, NaN out
        return math.nan
    last = len(xs) - 1
    if kind == "discrete":
        index = bisect_right(xs, x) - 1
        return ys[min(max(index, 0), last)]
    if x <= xs[0]:
        if kind == "extrapolate" and last > 0 and xs[1] != xs[0]:
            return ys[0] + (x - xs[0]) * (ys[1] - ys[0]) / (xs[1] - xs[0])
        return ys[0]
    if x >= xs[last]:
        if kind == "extrapolate" and last > 0 and xs[last] != xs[last - 1]:
            return ys[last] + (x - xs[last]) * (ys[last] - ys[last - 1]) / (
                xs[last] - xs[last - 1])
        return ys[last]
    index = bisect_right(xs, x)
    x0, x1 = xs[index - 1], xs[index]
    y0, y1 = ys[index - 1], ys[index]
    return y0 + (x - x0) * (y1 - y0) / (x1 - x0) if x1 != x0 else y1


def pulse(t: float, dt: float, volume: float, first: float, interval: float = 0.0) -> float:
    """XMILE PULSE (see :func:`kernels.pulse`)."""
    tolerance = dt * 1e-6
    since = t - first
    if since < -tolerance:
        return 0.0
    if interval > 0:
        hit = math.fmod(since + tolerance, interval) < dt - tolerance
    else:
        hit = since < dt - tolerance
    return volume / dt if hit else 0.0


def step(t: float, height: float, start: float) -> float:
    """``height`` from ``start`` on, 0 before."""
    return height if t >= start - 1e-12 else 0.0


def ramp(t: float, slope: float, start: float, end: float = math.inf) -> float:
    """0 before ``start``, then ``slope`` per time unit until ``end``."""
    return slope * max(min(t, end) - start, 0.0)


def safediv(a: float, b: float, fallback: float = 0.0) -> float:
    """``a / b``, or ``fallback`` where ``b`` is zero."""
    return fallback if b == 0 else a / b


def divide(a: float, b: float) -> float:
    """``a / b`` by IEEE rules: inf or NaN for a zero divisor."""
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or a != a:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


def power(a: float, b: float) -> float:
    """``a ** b`` by IEEE rules: NaN for a negative base and fractional exponent."""
    try:
        return math.pow(a, b)
    except OverflowError:
        return math.inf if a > 0 or (float(b).is_integer() and b % 2 == 0) else -math.inf
    except ValueError:
        if a == 0 and b < 0:
            return math.inf
        return math.nan


def sqrt(x: float) -> float:
    """Square root; NaN for negative input."""
    return math.sqrt(x) if x >= 0 else math.nan


def ln(x: float) -> float:
    """Natural logarithm; -inf at 0 and NaN below."""
    if x > 0:
        return math.log(x)
    return -math.inf if x == 0 else math.nan


def log10(x: float) -> float:
    """Base-10 logarithm; -inf at 0 and NaN below."""
    if x > 0:
        return math.log10(x)
    return -math.inf if x == 0 else math.nan


def arcsin(x: float) -> float:
    """Inverse sine; NaN outside [-1, 1]."""
    return math.asin(x) if -1 <= x <= 1 else math.nan


def arccos(x: float) -> float:
    """Inverse cosine; NaN outside [-1, 1]."""
    return math.acos(x) if -1 <= x <= 1 else math.nan


def round_half_away(x: float) -> float:
    """Round to the nearest integer, halves away from zero."""
    return math.copysign(math.floor(builtin_abs(x) + 0.5), x)


def as_runs(value: float, ndim: int) -> float:
    """A scalar stays a scalar in the scalar backend (``ndim`` is always 0 here)."""
    del ndim
    return float(value)


# -- Vensim ----------------------------------------------------------------------------
def trunc(x: float) -> float:
    """x truncated toward zero (Vensim INTEGER); inf and NaN pass through."""
    return float(math.trunc(x)) if math.isfinite(x) else x


def quantum(a: float, q: float) -> float:
    """``q * INTEGER(a / q)``; ``a`` itself when ``q <= 0``."""
    return q * trunc(a / q) if q > 0 else a


def log_base(x: float, base: float) -> float:
    """Logarithm of ``x`` in ``base`` (IEEE results at the edges, as NumPy)."""
    return divide(ln(x), ln(base))


def pulse_width(t: float, dt: float, start: float, width: float) -> float:
    """Vensim PULSE (see :func:`kernels.pulse_width`)."""
    plus = t + dt / 2
    return 1.0 if start < plus < start + (width if width > 0 else dt) else 0.0


def pulse_train(t: float, dt: float, start: float, width: float, between: float,
                end: float) -> float:
    """Vensim PULSE TRAIN (see :func:`kernels.pulse_train`)."""
    plus = t + dt / 2
    if not (plus > start and t <= end + dt * 1e-6):
        return 0.0
    width = max(width, dt)
    if between <= width:
        return 1.0
    return 1.0 if (plus - start) % between < width else 0.0


def step_half(t: float, dt: float, height: float, start: float) -> float:
    """Vensim STEP: ``height`` once ``Time + dt/2 > start``."""
    return height if t + dt / 2 > start else 0.0


def time_base(t: float, start: float, slope: float) -> float:
    """``start + Time * slope``."""
    return start + t * slope


def get_time_value(t: float, initial: float, relative_to: float, offset: float,
                   measure: float) -> float:
    """Model time relative to now (0) or the start (1) plus ``offset``; NaN otherwise."""
    if measure != 0 or relative_to not in (0, 1):
        return math.nan
    return (t if relative_to == 0 else initial) + offset


def lookup_forward(x: float, xs: list[float], ys: list[float]) -> float:
    """The y of the first point at or after ``x``."""
    from bisect import bisect_left

    return ys[min(bisect_left(xs, x), len(xs) - 1)]


def lookup_invert(y: float, xs: list[float], ys: list[float]) -> float:
    """The x at which a monotonic table reaches ``y``, clamped to its ends."""
    if ys[-1] < ys[0]:
        xs, ys = xs[::-1], ys[::-1]
    return lookup(y, ys, xs, "continuous")


def lookup_area(start: float, end: float, xs: list[float], ys: list[float]) -> float:
    """Area under the table from ``start`` to ``end``, end values held beyond it."""
    return _integral(end, xs, ys) - _integral(start, xs, ys)


def random_lookup(u: float, low: float, high: float, shift: float, stretch: float,
                  xs: list[float], ys: list[float]) -> float:
    """Vensim RANDOM LOOKUP for one run: as the array kernel of the same name (the table
    is the density of the number drawn, stretched, shifted, truncated to [low, high])."""
    density = [_builtins.max(y, 0.0) for y in ys]
    knots = [0.0]
    for i in range(len(xs) - 1):
        knots.append(knots[-1] + (xs[i + 1] - xs[i]) * (density[i] + density[i + 1]) / 2)
    if knots[-1] <= 0:
        return math.nan
    if stretch == 0:
        return _builtins.min(_builtins.max(shift, low), high)
    a, b = sorted(((low - shift) / stretch, (high - shift) / stretch))
    lower = lookup(a, xs, knots, "continuous") if not math.isnan(a) else 0.0
    upper = lookup(b, xs, knots, "continuous") if not math.isnan(b) else knots[-1]
    area = lower + u * (upper - lower)
    if len(xs) < 2:
        return _builtins.min(_builtins.max(shift + stretch * xs[0], low), high)
    i = _builtins.min(_builtins.max(bisect_right(knots, area) - 1, 0), len(xs) - 2)
    width = xs[i + 1] - xs[i]
    slope = (density[i + 1] - density[i]) / width if width > 0 else 0.0
    rest = _builtins.max(area - knots[i], 0.0)
    root = density[i] + math.sqrt(_builtins.max(density[i] ** 2 + 2 * slope * rest, 0.0))
    step = _builtins.min(2 * rest / root if root > 0 else 0.0, width)
    return _builtins.min(_builtins.max(shift + stretch * (xs[i] + step), low), high)


def _integral(x: float, xs: list[float], ys: list[float]) -> float:
    if x <= xs[0] or len(xs) < 2:
        return (x - xs[0]) * ys[0]
    total = 0.0
    for i in range(len(xs) - 1):
        if x <= xs[i + 1]:
            y = lookup(x, xs, ys, "continuous")
            return total + (x - xs[i]) * (ys[i] + y) / 2
        total += (xs[i + 1] - xs[i]) * (ys[i] + ys[i + 1]) / 2
    return total + (x - xs[-1]) * ys[-1]
