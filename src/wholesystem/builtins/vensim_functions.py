"""The builtins of Vensim's ``.mdl`` equation language that XMILE spells or means differently.

Functions that mean the same in both languages (ABS, EXP, IF THEN ELSE, DELAY1...) are
marked with both dialects in :mod:`wholesystem.builtins.registry`; this module holds the
rest, each built to Vensim's reference manual. Stateful ones are rewritten into hidden
stocks and state objects by :mod:`wholesystem.compiler.lower`, following the equations the
manual gives for them.
"""

from __future__ import annotations

from wholesystem.builtins.registry import Builtin, BuiltinKind, StateReads, UnitsRule

__all__ = ["VENSIM_FUNCTIONS", "RANDOM_DISTRIBUTIONS"]

_MDL = ("mdl",)

_IN, _DIMLESS, _FREE, _DELAYED = (UnitsRule.INPUT, UnitsRule.DIMENSIONLESS, UnitsRule.FREE,
                                  UnitsRule.DELAYED)


def _as(name: str) -> tuple[tuple[str, str], ...]:
    """``renamed``: the XMILE function computing the same from the same arguments."""
    return (("xmile", name),)

E, R, T, S, L, A = (BuiltinKind.ELEMENTWISE, BuiltinKind.REDUCTION, BuiltinKind.TIME,
                    BuiltinKind.STATEFUL, BuiltinKind.LOOKUP, BuiltinKind.ARRAY)


def _v(name: str, n: tuple[int, int], kind: BuiltinKind, signature: str, doc: str,
       template: str | None = None, **extra: object) -> Builtin:
    return Builtin(name, n[0], n[1], kind, signature, doc, template, dialects=_MDL,
                   **extra)  # type: ignore[arg-type]


RANDOM_DISTRIBUTIONS: dict[str, tuple[int, str]] = {
    "RANDOM 0 1": (0, "RANDOM 0 1()"),
    "RANDOM UNIFORM": (3, "RANDOM UNIFORM(min, max, stream)"),
    "RANDOM NORMAL": (5, "RANDOM NORMAL(min, max, mean, sd, stream)"),
    "RANDOM EXPONENTIAL": (5, "RANDOM EXPONENTIAL(min, max, shift, stretch, stream)"),
    "RANDOM POISSON": (6, "RANDOM POISSON(min, max, mean, shift, stretch, stream)"),
    "RANDOM GAMMA": (6, "RANDOM GAMMA(min, max, order, shift, stretch, stream)"),
    "RANDOM WEIBULL": (6, "RANDOM WEIBULL(min, max, shape, shift, stretch, stream)"),
    "RANDOM BETA": (7, "RANDOM BETA(min, max, alpha, beta, shift, stretch, stream)"),
    "RANDOM BINOMIAL": (7, "RANDOM BINOMIAL(min, max, p, n, shift, stretch, stream)"),
    "RANDOM NEGATIVE BINOMIAL": (
        7, "RANDOM NEGATIVE BINOMIAL(min, max, p, n, shift, stretch, stream)"),
    "RANDOM TRIANGULAR": (6, "RANDOM TRIANGULAR(min, max, start, peak, end, stream)"),
}
"""Vensim's random-number functions: argument count and signature. Draws are truncated to
[min, max] by redrawing; the stream argument is accepted and ignored (each call has its
own stream, seeded from the run's seed)."""

_RANDOM_DOCS = {
    "RANDOM 0 1": "Uniform draw on [0, 1] (obsolete; RANDOM UNIFORM(0, 1, 0)).",
    "RANDOM UNIFORM": "Uniform draw between min and max, a new one each time step.",
    "RANDOM NORMAL": "Normal draw with mean and sd, truncated to [min, max].",
    "RANDOM EXPONENTIAL": "Exponential draw of mean 1, times stretch plus shift, truncated.",
    "RANDOM POISSON": "Poisson draw of the given mean, times stretch plus shift, truncated.",
    "RANDOM GAMMA": "Gamma draw of the given order (scale 1), times stretch plus shift.",
    "RANDOM WEIBULL": "Weibull draw of the given shape scaled to mean 1, times stretch plus "
                      "shift.",
    "RANDOM BETA": "Beta(alpha, beta) draw, times stretch plus shift, truncated.",
    "RANDOM BINOMIAL": "Successes in n trials of probability p, times stretch plus shift.",
    "RANDOM NEGATIVE BINOMIAL": "Trials needed for n successes of probability p, times "
                                "stretch plus shift.",
    "RANDOM TRIANGULAR": "Triangular draw between start and end peaking at peak, truncated.",
}

_RANDOM = tuple(
    _v(name, (count, count), S, signature,
       _RANDOM_DOCS[name] + " Seeded per run; Vensim's own draws cannot be reproduced.")
    for name, (count, signature) in RANDOM_DISTRIBUTIONS.items())

_ELEMENTWISE = (
    _v("INTEGER", (1, 1), E, "INTEGER(x)", "x truncated toward zero.", "k.trunc({0})", units=_IN),
    _v("MODULO", (2, 2), E, "MODULO(a, b)", "Remainder of a / b, with the sign of b.",
       "k.mod({0}, {1})"),
    _v("QUANTUM", (2, 2), E, "QUANTUM(a, q)",
       "a truncated toward zero to a multiple of q; a itself when q <= 0.",
       "k.quantum({0}, {1})"),
    _v("COSH", (1, 1), E, "COSH(x)", "Hyperbolic cosine.", "k.cosh({0})"),
    _v("SINH", (1, 1), E, "SINH(x)", "Hyperbolic sine.", "k.sinh({0})"),
    _v("TANH", (1, 1), E, "TANH(x)", "Hyperbolic tangent.", "k.tanh({0})"),
    _v("GAMMA LN", (1, 1), E, "GAMMA LN(x)", "Natural logarithm of the gamma function "
       "(x > 0).", "k.gammaln({0})"),
    _v("POWER", (2, 2), E, "POWER(a, b)", "a to the power b.", "k.power({0}, {1})"),
    _v("LOG", (2, 2), E, "LOG(x, base)", "Logarithm of x in the given base.",
       "k.log_base({0}, {1})", units=_DIMLESS),
    _v("ZIDZ", (2, 2), E, "ZIDZ(a, b)", "a / b, or 0 where b is zero.",
       "k.safediv({0}, {1}, 0.0)", renamed=_as("SAFEDIV")),
    _v("XIDZ", (3, 3), E, "XIDZ(a, b, x)", "a / b, or x where b is zero.",
       "k.safediv({0}, {1}, {2})", renamed=_as("SAFEDIV")),
    _v("GAME", (1, 1), E, "GAME(x)", "x (gaming input: runs take the modelled value).",
       "{0}", units=_IN),
)

_TIME = (
    _v("PULSE", (2, 2), T, "PULSE(start, width)",
       "1 from start for width (one TIME STEP if width is 0), else 0; compared at "
       "Time + TIME STEP/2.", "k.pulse_width(t, dt, {0}, {1})"),
    _v("PULSE TRAIN", (4, 4), T, "PULSE TRAIN(start, width, between, end)",
       "PULSE(start, width) repeated every between until end.",
       "k.pulse_train(t, dt, {0}, {1}, {2}, {3})", units=_FREE),
    _v("STEP", (2, 2), T, "STEP(height, time)",
       "0 until time, then height (compared at Time + TIME STEP/2).",
       "k.step_half(t, dt, {0}, {1})", units=_IN),
    _v("TIME BASE", (2, 2), T, "TIME BASE(start, slope)", "start + Time * slope.",
       "k.time_base(t, {0}, {1})"),
    _v("GET TIME VALUE", (3, 3), T, "GET TIME VALUE(relative to, offset, measure)",
       "Time (relative to 0) or INITIAL TIME (1) plus offset; measure 0 only (a written "
       "calendar or clock measure is refused; a computed one gives NaN).",
       "k.get_time_value(t, start_time, {0}, {1}, {2})"),
)

_REDUCTIONS = (
    _v("VMIN", (1, 1), R, "VMIN(array[dim!])", "Smallest element.", units=_IN, renamed=_as("MIN")),
    _v("VMAX", (1, 1), R, "VMAX(array[dim!])", "Largest element.", units=_IN, renamed=_as("MAX")),
    _v("ELMCOUNT", (1, 1), R, "ELMCOUNT(dim)", "Number of elements of a dimension.", units=_FREE),
)

_STATEFUL = (
    _v("INTEG", (2, 2), S, "INTEG(rate, initial)",
       "A stock: initial at the start, then integrating rate.", reads=StateReads((), (), 1)),
    _v("ACTIVE INITIAL", (2, 2), S, "ACTIVE INITIAL(active, initial)",
       "initial while the model initialises, active from then on.", reads=StateReads((0,), (), 1),
           units=_DELAYED),
    _v("INITIAL", (1, 1), S, "INITIAL(x)", "x at the start of the simulation.",
       reads=StateReads((), ()), units=_DELAYED,
       renamed=_as("INIT")),
    _v("REINITIAL", (1, 1), S, "REINITIAL(x)",
       "x at the start of the simulation (no reinitialisation during a run).",
       reads=StateReads((), ()), units=_DELAYED, renamed=_as("INIT")),
    _v("SMOOTH", (2, 2), S, "SMOOTH(input, time)",
       "First-order exponential smooth starting at input.",
       reads=StateReads((), ()), units=_DELAYED, renamed=_as("SMTH1")),
    _v("SMOOTHI", (3, 3), S, "SMOOTHI(input, time, initial)",
       "First-order exponential smooth starting at initial.",
       reads=StateReads((), (), 2), units=_DELAYED, renamed=_as("SMTH1")),
    _v("SMOOTH3", (2, 2), S, "SMOOTH3(input, time)",
       "Three first-order smooths in cascade, each over time/3, starting at input.",
       reads=StateReads((), ()), units=_DELAYED, renamed=_as("SMTH3")),
    _v("SMOOTH3I", (3, 3), S, "SMOOTH3I(input, time, initial)",
       "SMOOTH3 starting at initial.",
       reads=StateReads((), (), 2), units=_DELAYED, renamed=_as("SMTH3")),
    _v("SMOOTH N", (4, 4), S, "SMOOTH N(input, time, initial, n)",
       "n first-order smooths in cascade, each over time/n (n fixed at the start).",
       reads=StateReads((), (), 2), units=_DELAYED),
    _v("DELAY1I", (3, 3), S, "DELAY1I(input, delay, initial)",
       "First-order material delay whose outflow starts at initial.",
       reads=StateReads((1,), (1,), 2), units=_DELAYED, renamed=_as("DELAY1")),
    _v("DELAY3I", (3, 3), S, "DELAY3I(input, delay, initial)",
       "Third-order material delay whose outflow starts at initial.",
       reads=StateReads((1,), (1,), 2), units=_DELAYED, renamed=_as("DELAY3")),
    _v("DELAY N", (4, 4), S, "DELAY N(input, delay, initial, n)",
       "n-th order material delay whose outflow starts at initial (n fixed at the start).",
       reads=StateReads((1,), (1,), 2), units=_DELAYED),
    _v("DELAY FIXED", (3, 3), S, "DELAY FIXED(input, delay, initial)",
       "input as it was delay ago (delay fixed at its initial value, at least one TIME "
       "STEP); initial before that.",
       reads=StateReads((1, 2), (1,), 2), units=_DELAYED),
    _v("DELAY INFORMATION", (3, 3), S, "DELAY INFORMATION(input, delay, initial)",
       "input as it was delay ago, delay read each step; initial before the start.",
       reads=StateReads((1, 2), (1,), 2), units=_DELAYED, renamed=_as("DELAY")),
    _v("DELAY MATERIAL", (4, 4), S, "DELAY MATERIAL(input, delay, initial, missing)",
       "Each step's input leaves delay later (delay read when it enters), conserving "
       "material; initial at first, missing when nothing is due.",
       reads=StateReads((2, 3), (3,), 2), units=_DELAYED),
    _v("TREND", (3, 3), S, "TREND(input, time, initial trend)",
       "ZIDZ(input - average, time * ABS(average)), average a SMOOTH of input started at "
       "input / (1 + initial trend * time).",
       reads=StateReads((0, 1), (0, 1, 2))),
    _v("FORECAST", (3, 3), S, "FORECAST(input, time, horizon)",
       "input * (1 + trend * horizon), trend = ZIDZ(input - average, time * average).",
       reads=StateReads((0, 1, 2), (0, 1, 2)), units=_IN, renamed=_as("FORECAST")),
    _v("NPV", (4, 4), S, "NPV(stream, rate, initial, factor)",
       "(accumulated discounted stream + stream * TIME STEP * discount) * factor; the "
       "discount starts at 1 and falls by rate / (1 + rate * TIME STEP).",
       reads=StateReads((0, 3), (0, 3), 2)),
    _v("NPVE", (4, 4), S, "NPVE(stream, rate, initial, factor)",
       "NPV with the stream valued at the end of each period: the discount starts at "
       "1 / (1 + rate * TIME STEP).", reads=StateReads((0, 3), (0, 1, 3), 2)),
    _v("SAMPLE IF TRUE", (3, 3), S, "SAMPLE IF TRUE(condition, input, initial)",
       "input where condition holds, otherwise the value it had one TIME STEP before "
       "(initial at the start).",
       reads=StateReads((0, 1), (0, 1), 2)),
) + _RANDOM

_LOOKUPS = (
    _v("WITH LOOKUP", (2, 2), L, "WITH LOOKUP(x, table)",
       "The inline table read at x (the reader makes it a graphical function)."),
    _v("LOOKUP EXTRAPOLATE", (2, 2), L, "LOOKUP EXTRAPOLATE(table, x)",
       "table at x, extending its end segments beyond its x range.",
       "k.lookup({1}, {0}[0], {0}[1], 'extrapolate')"),
    _v("LOOKUP FORWARD", (2, 2), L, "LOOKUP FORWARD(table, x)",
       "The y of the first point at or after x (no interpolation).",
       "k.lookup_forward({1}, {0}[0], {0}[1])"),
    _v("LOOKUP BACKWARD", (2, 2), L, "LOOKUP BACKWARD(table, x)",
       "The y of the last point at or before x (no interpolation).",
       "k.lookup({1}, {0}[0], {0}[1], 'discrete')"),
    _v("LOOKUP INVERT", (2, 2), L, "LOOKUP INVERT(table, y)",
       "The x at which a monotonic table reaches y (clamped to its ends).",
       "k.lookup_invert({1}, {0}[0], {0}[1])"),
    _v("RANDOM LOOKUP", (6, 6), L, "RANDOM LOOKUP(table, min, max, shift, stretch, stream)",
       "A draw whose probability density is the table (piecewise linear between its "
       "points), times stretch plus shift, truncated to [min, max]. Seeded per run; "
       "Vensim's own draws cannot be reproduced.",
       "k.random_lookup({5}, {1}, {2}, {3}, {4}, {0}[0], {0}[1])"),
    _v("LOOKUP AREA", (3, 3), L, "LOOKUP AREA(table, start, end)",
       "Area under the table from start to end (end values held beyond its x range).",
       "k.lookup_area({1}, {2}, {0}[0], {0}[1])"),
)

_ARRAYS = (
    _v("VECTOR SELECT", (5, 5), A,
       "VECTOR SELECT(selection[dim!], values[dim!], missing, action, error action)",
       "Combines values where selection is non-zero: action 0 weighted sum, 1 product of "
       "selection*values, 2/3 weighted min/max, 4 weighted mean, 5 product of "
       "selection^values, 6-10 unweighted sum, product, min, max, mean; missing when "
       "nothing is selected (action must be a constant; error action is ignored)."),
    _v("VECTOR ELM MAP", (2, 2), A, "VECTOR ELM MAP(vector[element], offset)",
       "The element offset positions (0-based, row-major) after vector[element]; NaN "
       "outside the array.", "k.vector_elm_map({0}, {1})", raw_args=(0,),
       vector_only=True),
    _v("VECTOR SORT ORDER", (2, 2), A, "VECTOR SORT ORDER(vector, direction)",
       "0-based positions of the elements in sorted order along the last dimension "
       "(ascending if direction > 0).", "k.vector_sort_order({0}, {1})", vector_only=True),
    _v("VECTOR RANK", (2, 2), A, "VECTOR RANK(vector, direction)",
       "1-based rank of each element along the last dimension (ascending if "
       "direction > 0; ties in order).", "k.vector_rank({0}, {1})", vector_only=True),
    _v("VECTOR REORDER", (2, 2), A, "VECTOR REORDER(vector, order)",
       "vector rearranged along its last dimension: element i is vector[order[i]] "
       "(0-based, as VECTOR SORT ORDER gives).", "k.vector_reorder({0}, {1})",
       vector_only=True),
    _v("VECTOR LOOKUP", (5, 5), A, "VECTOR LOOKUP(vec[first], x, xmin, xmax, mode)",
       "vec's last dimension read as a lookup on n - 1 equal intervals from xmin to xmax: "
       "mode 0 interpolate, 1 area from xmin, 2 backward, 3 extrapolate, 4 forward, 5 "
       "invert, 6 slope, 7 area, 8 invert, 9 slope with extrapolation.",
       "k.vector_lookup({0}, {1}, {2}, {3}, {4})", profile_args=(0,), vector_only=True),
    _v("INVERT MATRIX", (2, 2), A, "INVERT MATRIX(matrix, size)",
       "Inverse of the square matrix formed by the last two dimensions (NaN if singular).",
       "k.invert_matrix({0})", vector_only=True),
    _v("ALLOCATE AVAILABLE", (3, 3), A,
       "ALLOCATE AVAILABLE(request, profile[..., ptype], available)",
       "available shared among requests along the last dimension by priority profiles "
       "(ptype 1 rectangular, 2 triangular, 3 normal, 4 exponential; ppriority, pwidth): "
       "every requester gets its curve at one common priority level; fixed profiles "
       "(ptype 0) are served first, in proportion when short. Constant elasticity "
       "(ptype 5) is not supported: refused where written, NaN where computed.",
       "k.allocate_available({0}, {1}, {2})", profile_args=(1,), vector_only=True),
    _v("ALLOCATE BY PRIORITY", (5, 5), A,
       "ALLOCATE BY PRIORITY(request, priority, size, width, supply)",
       "supply shared along the last dimension, as ALLOCATE AVAILABLE with rectangular "
       "profiles of the given priorities and width.",
       "k.allocate_by_priority({0}, {1}, {3}, {4})", vector_only=True),
)

VENSIM_FUNCTIONS: tuple[Builtin, ...] = (
    _ELEMENTWISE + _TIME + _REDUCTIONS + _STATEFUL + _LOOKUPS + _ARRAYS)
"""Every Vensim-only builtin, in documentation order."""
