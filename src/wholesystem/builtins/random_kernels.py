"""Random draws: the state behind XMILE's statistical functions and Vensim's RANDOM ... ones.

Each call site of a random-number function is one :class:`RandomDraws` state (the
compiler lowers the call into a read of it), so a call draws once per DT whatever reads
it, and its numbers depend only on the seeds, never on evaluation order or on the other
random calls of the model. Re-exported by :mod:`wholesystem.builtins.kernels`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from wholesystem.builtins.registry import RANDOM_DRAWS, STATISTICAL_FUNCTIONS
from wholesystem.builtins.vensim_functions import RANDOM_DISTRIBUTIONS

__all__ = ["RandomDraws"]

FloatArray = NDArray[np.float64]

_PARAMETERS: dict[str, int] = {
    **{name: max(count - 1, 0) for name, (count, _) in RANDOM_DISTRIBUTIONS.items()},
    **STATISTICAL_FUNCTIONS,
}
"""Distribution parameters each function reads (Vensim's stream argument is dropped by
the compiler: every call has a stream of its own)."""


class RandomDraws:
    """State of one random-number call: a new draw each DT, one stream per run.

    Run ``r`` of call site ``site`` draws from ``SeedSequence(seed, spawn_key=(r, site))``,
    so a run's numbers do not depend on how many runs share the ensemble, and one run of
    the scalar backend draws what run 0 of the vector backend draws. A seed written in the
    model (``fixed_seed``, XMILE's optional last argument) gives every run the stream of
    ``SeedSequence(fixed_seed)``: the same numbers in every run, whatever the run's seed.
    Neither Vensim's nor Stella's own generators are reproduced.
    """

    __slots__ = ("generators", "runs", "scalar", "due", "value", "held", "epoch", "seeded")

    def __init__(self, runs: int, seed: int, site: int, scalar: bool,
                 fixed_seed: int | None = None):
        self.generators = [np.random.default_rng(
            np.random.SeedSequence(seed, spawn_key=(run, site)) if fixed_seed is None
            else np.random.SeedSequence(fixed_seed)) for run in range(runs)]
        self.runs, self.scalar = runs, scalar
        self.due = True
        self.value: Any = None
        self.held: FloatArray | None = None
        """The last draw of a call with a sample interval, and the interval it belongs to."""
        self.epoch: FloatArray | None = None
        self.seeded: dict[int, np.random.Generator] | None = None
        """Generators of elements whose seed the model computes (Stella's per-element
        seeds), by flat position; made on the first draw from the seeds at that time."""

    def stage(self, value: ArrayLike) -> None:
        """Nothing to record: a draw depends on the step only."""

    def commit(self) -> None:
        """The step is complete: the next read draws anew."""
        self.due = True

    def read(self, t: float, distribution: float, *args: ArrayLike) -> Any:
        """A draw of distribution number ``distribution`` (a position in
        :data:`~wholesystem.builtins.registry.RANDOM_DRAWS`) from its parameters (for
        XMILE's and Stella's functions, then min, max, sample and a computed seed); further
        arguments only widen the shape (one draw per element). Every read within one DT
        (the initial values, Runge-Kutta's four stages) sees the same draw."""
        if not self.due:
            return self.value
        self.due = False
        name = RANDOM_DRAWS[int(distribution)]
        arrays = [np.asarray(a, dtype=float) for a in args]
        shape = np.broadcast_shapes((self.runs,), *(a.shape[:1] for a in arrays if a.ndim),
                                    *(a.shape for a in arrays))
        count = _PARAMETERS[name]
        params = [np.broadcast_to(a, shape) for a in arrays[:count]]
        if name in STATISTICAL_FUNCTIONS:
            low, high, sample, seeds = (np.broadcast_to(a, shape)
                                        for a in arrays[count:count + 4])
            drawn = self._stella(name, params, shape, low, high, seeds)
            drawn = self._hold(t, drawn, sample)
        else:
            drawn = np.empty(shape)
            for run, generator in enumerate(self.generators):
                drawn[run] = _draw_vensim(name, generator, [p[run] for p in params],
                                          shape[1:])
        self.value = float(drawn.reshape(-1)[0]) if self.scalar else drawn
        return self.value

    def _stella(self, name: str, params: list[FloatArray], shape: tuple[int, ...],
                low: FloatArray, high: FloatArray, seeds: FloatArray) -> FloatArray:
        """One draw per element, redrawn where outside [min, max] (Stella's help: min and
        max are "the minimum [and maximum] acceptable value for the generated random
        number", NAN for none); after 100 tries the draw is clipped to the bounds."""
        low = np.where(np.isnan(low), -np.inf, low)
        high = np.where(np.isnan(high), np.inf, high)
        if self.seeded is None:
            flat = seeds.reshape(-1)
            self.seeded = {int(i): np.random.default_rng(_seed_value(flat[i]))
                           for i in np.flatnonzero(np.isfinite(flat))}
        drawn = self._once(name, params, shape, np.ones(shape, dtype=bool))
        for _ in range(100):
            outside = (drawn < low) | (drawn > high)
            if not outside.any():
                return drawn
            drawn = np.where(outside, self._once(name, params, shape, outside), drawn)
        return np.clip(drawn, low, high)

    def _once(self, name: str, params: list[FloatArray], shape: tuple[int, ...],
              wanted: NDArray[np.bool_]) -> FloatArray:
        """A draw for every element: each run's stream, then the elements with seeds of
        their own from their own generators (only those ``wanted``, so an element's
        numbers depend on its seed alone)."""
        drawn = np.empty(shape)
        for run, generator in enumerate(self.generators):
            drawn[run] = _sample_xmile(name, generator, [p[run] for p in params], shape[1:])
        assert self.seeded is not None
        if self.seeded:
            flat, want = drawn.reshape(-1), wanted.reshape(-1)
            flat_params = [p.reshape(-1) for p in params]
            for i, generator in self.seeded.items():
                if want[i]:
                    flat[i] = _sample_xmile(name, generator, [p[i] for p in flat_params], ())
        return drawn

    def _hold(self, t: float, drawn: FloatArray, sample: FloatArray) -> FloatArray:
        """Stella's sample interval: a draw is kept until TIME reaches the next multiple
        of the interval ("using 1 will keep the same during each unit time interval
        changing only at time 1, 2, 3"); NaN or 0 means a new draw each DT."""
        every = np.where(np.isfinite(sample) & (sample > 0), sample, np.nan)
        if np.isnan(every).all():
            return drawn
        # the small margin keeps TIME = 3 (reached as 0.1 + 0.1 + ...) in interval 3
        epoch = np.floor(t / every + 1e-9)
        if self.held is not None and self.epoch is not None:
            drawn = np.where(epoch == self.epoch, self.held, drawn)
        self.held, self.epoch = drawn, epoch
        return drawn


def _seed_value(seed: float) -> int:
    """A computed seed as a stream seed: its whole part, as a non-negative number below
    2^32 (a seed written as a number must already be one; see the compiler)."""
    return int(abs(seed)) % 2**32


def _where_valid(valid: FloatArray, draw: FloatArray) -> FloatArray:
    return np.where(valid, draw, np.nan)


_STELLA_DRAWS = {
    # Stella's help: WEIBULL(shape, scale), TRIANGULAR(lower, mode, upper),
    # LOGISTIC(mean, scale), BINOMIAL(n, p), BETA(a, b); parameters out of range give NaN.
    "WEIBULL": lambda g, p, shape: _where_valid(
        (p[0] > 0) & (p[1] > 0), np.where(p[1] > 0, p[1], 1.0)
        * g.weibull(np.where(p[0] > 0, p[0], 1.0), shape)),
    "TRIANGULAR": lambda g, p, shape: _where_valid(
        (p[0] <= p[1]) & (p[1] <= p[2]) & (p[0] < p[2]),
        p[0] + (p[2] - p[0]) * _triangular_unit(g.random(shape), p)),
    "LOGISTIC": lambda g, p, shape: _where_valid(
        p[1] > 0, p[0] + np.where(p[1] > 0, p[1], 1.0) * g.logistic(0.0, 1.0, shape)),
    "BINOMIAL": lambda g, p, shape: _where_valid(
        (p[0] >= 0) & (p[1] >= 0) & (p[1] <= 1),
        g.binomial(np.maximum(np.rint(p[0]), 0).astype(np.int64),
                   np.clip(p[1], 0.0, 1.0), shape).astype(float)),
    "BETA": lambda g, p, shape: _where_valid(
        (p[0] > 0) & (p[1] > 0),
        g.beta(np.where(p[0] > 0, p[0], 1.0), np.where(p[1] > 0, p[1], 1.0), shape)),
}


def _triangular_unit(u: FloatArray, p: list[FloatArray]) -> FloatArray:
    """Inverse distribution function of the triangular on [0, 1] with its peak at
    c = (mode - lower) / (upper - lower)."""
    width = np.where(p[2] > p[0], p[2] - p[0], 1.0)
    c = np.clip((p[1] - p[0]) / width, 0.0, 1.0)
    return np.where(u < c, np.sqrt(u * c), 1.0 - np.sqrt((1.0 - u) * (1.0 - c)))


def _sample_xmile(name: str, g: np.random.Generator, p: list[FloatArray],
                  shape: tuple[int, ...]) -> FloatArray:
    """One draw per element of ``shape`` (XMILE 1.0, 3.5.2); NaN where a parameter is out
    of its distribution's range (a negative mean, a log-normal mean not above zero)."""
    if name == "RANDOM":
        return p[0] + (p[1] - p[0]) * g.random(shape)
    if name == "NORMAL":
        return p[0] + p[1] * g.standard_normal(shape)
    if name == "EXPRND":
        return np.where(p[0] >= 0, p[0] * g.standard_exponential(shape), np.nan)
    if name in _STELLA_DRAWS:
        return _STELLA_DRAWS[name](g, p, shape)
    if name == "POISSON":
        valid = p[0] >= 0
        counts = g.poisson(np.where(valid, p[0], 0.0), shape)
        return np.where(valid, counts.astype(float), np.nan)
    # LOGNORMAL: mean and sd are those of the numbers drawn, not of their logarithm
    valid = p[0] > 0
    mean = np.where(valid, p[0], 1.0)
    variance = np.log1p((p[1] / mean) ** 2)
    normal = g.standard_normal(shape)
    return np.where(valid, np.exp(np.log(mean) - variance / 2 + np.sqrt(variance) * normal),
                    np.nan)


def _draw_vensim(name: str, generator: np.random.Generator, params: list[FloatArray],
                 shape: tuple[int, ...]) -> FloatArray:
    """One draw per element of ``shape``, truncated to [min, max] by redrawing."""
    if name == "RANDOM 0 1":
        return generator.uniform(0.0, 1.0, shape)
    low, high = params[0], params[1]
    value = _sample_vensim(name, generator, params, shape)
    for _ in range(100):
        outside = (value < low) | (value > high)
        if not outside.any():
            return value
        value = np.where(outside, _sample_vensim(name, generator, params, shape), value)
    return np.clip(value, low, high)


def _sample_vensim(name: str, g: np.random.Generator, p: list[FloatArray],
                   shape: tuple[int, ...]) -> FloatArray:
    if name == "RANDOM UNIFORM":
        return g.uniform(p[0], p[1], shape)
    if name == "RANDOM NORMAL":
        return g.normal(p[2], np.abs(p[3]), shape)
    if name == "RANDOM TRIANGULAR":
        return g.triangular(p[2], np.clip(p[3], p[2], p[4]), p[4], shape)
    shift, stretch = p[-2], p[-1]
    if name == "RANDOM EXPONENTIAL":
        base = g.exponential(1.0, shape)
    elif name == "RANDOM POISSON":
        base = g.poisson(np.maximum(p[2], 0.0), shape).astype(float)
    elif name == "RANDOM GAMMA":
        base = g.gamma(np.maximum(p[2], 1.0), 1.0, shape)
    elif name == "RANDOM WEIBULL":
        form = np.maximum(p[2], 1e-9)
        mean = np.exp(np.vectorize(math.lgamma, otypes=[float])(1 + 1 / form))
        base = g.weibull(form, shape) / mean
    elif name == "RANDOM BETA":
        base = g.beta(p[2], p[3], shape)
    elif name == "RANDOM BINOMIAL":
        base = g.binomial(np.rint(p[3]).astype(int), np.clip(p[2], 0, 1), shape).astype(float)
    else:  # RANDOM NEGATIVE BINOMIAL: trials needed for n successes
        trials = np.rint(p[3])
        base = (g.negative_binomial(trials, np.clip(p[2], 1e-12, 1), shape) + trials
                ).astype(float)
    return base * stretch + shift
