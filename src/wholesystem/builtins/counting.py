"""Stella's counting builtins and the log-gamma function, for floats and for arrays.

Stella's help: "FACTORIAL(n) = n!"; "The COMBINATIONS builtin calculates the number of
r-element subsets (or r-combinations) of an n-element set ... n! / [r! * (n - r)!]";
PERMUTATIONS counts the ordered arrangements, n! / (n - r)!; GAMMALN is the natural
logarithm of the gamma function (Vensim's GAMMA LN the same). The scalar functions are
the definitions; the ``*_array`` versions apply them element by element for the NumPy
backend, so both backends give the same numbers.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["factorial", "combinations", "permutations", "gammaln", "factorial_array",
           "combinations_array", "permutations_array", "gammaln_array"]


def _whole(x: float) -> bool:
    return math.isfinite(x) and x == math.floor(x)


def factorial(n: float) -> float:
    """n! for a whole n >= 0 (inf once it exceeds the floats); Γ(n + 1), its continuous
    extension, for other n > -1; NaN for negative whole numbers, where Γ has poles."""
    if math.isnan(n) or (n < 0 and _whole(n)):
        return math.nan
    if n > 170:
        return math.inf
    return float(math.factorial(int(n))) if _whole(n) else math.gamma(n + 1)


def combinations(n: float, r: float) -> float:
    """The number of r-element subsets of an n-element set: n! / (r! (n - r)!); 0 when
    r > n or r < 0 (there are none); NaN unless n and r are whole numbers with n >= 0."""
    if not (_whole(n) and _whole(r)) or n < 0:
        return math.nan
    if r < 0 or r > n:
        return 0.0
    return _big(math.comb(int(n), int(r)))


def permutations(n: float, r: float) -> float:
    """The number of ordered arrangements of r of n items: n! / (n - r)!; 0 when r > n or
    r < 0; NaN unless n and r are whole numbers with n >= 0."""
    if not (_whole(n) and _whole(r)) or n < 0:
        return math.nan
    if r < 0 or r > n:
        return 0.0
    return _big(math.perm(int(n), int(r)))


def _big(count: int) -> float:
    try:
        return float(count)
    except OverflowError:
        return math.inf


def gammaln(x: float) -> float:
    """ln Γ(x) for x > 0 (Γ(1) = Γ(2) = 1, so 0 there); NaN for x <= 0."""
    return math.lgamma(x) if x > 0 and not math.isinf(x) else (
        math.inf if x == math.inf else math.nan)


_VECTORISED = {name: np.vectorize(function, otypes=[float]) for name, function in (
    ("factorial", factorial), ("combinations", combinations),
    ("permutations", permutations), ("gammaln", gammaln))}


def factorial_array(n: ArrayLike) -> NDArray[np.float64]:
    """:func:`factorial` element by element."""
    return np.asarray(_VECTORISED["factorial"](n), dtype=float)


def combinations_array(n: ArrayLike, r: ArrayLike) -> NDArray[np.float64]:
    """:func:`combinations` element by element."""
    return np.asarray(_VECTORISED["combinations"](n, r), dtype=float)


def permutations_array(n: ArrayLike, r: ArrayLike) -> NDArray[np.float64]:
    """:func:`permutations` element by element."""
    return np.asarray(_VECTORISED["permutations"](n, r), dtype=float)


def gammaln_array(x: ArrayLike) -> NDArray[np.float64]:
    """:func:`gammaln` element by element."""
    return np.asarray(_VECTORISED["gammaln"](x), dtype=float)
