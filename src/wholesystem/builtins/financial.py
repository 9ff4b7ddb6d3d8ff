"""Stella's financial builtins FV, PMT and PV, for floats and for arrays.

Stella's help ("Financial builtins"): "Present value (pv), future value (fv), periodic
payment (pmt), number of periods (nper), and interest rate per period (rate) are standard
financial parameters in cash flow problems involving constant payments ... cash received
is represented by a positive number, cash paid out is represented by a negative number
... the first payment is assumed to occur at the end of the first period. The software
uses the following equations to solve for one financial argument in terms of the others:
pv * (1 + rate)^nper + (pmt / rate) * ((1 + rate)^nper - 1) + fv = 0 (for rate <> 0);
pv + pmt * nper + fv = 0 (for rate = 0)." Each function below solves that equation for
its own unknown. The help writes all four arguments; the last (pv of FV, fv of PMT and
PV) may be left out here and is then 0, the loan or annuity with nothing left over.
Division by zero follows IEEE rules (an infinite or NaN result, never an error), e.g.
PMT with nper = 0.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["fv", "pmt", "pv", "fv_array", "pmt_array", "pv_array"]

FloatArray = NDArray[np.float64]


def _growth_and_annuity(rate: FloatArray, nper: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(1 + rate)^nper, and the annuity factor ((1 + rate)^nper - 1) / rate (nper where
    rate is 0, its limit, as the help's second equation has it)."""
    growth = np.power(1.0 + rate, nper)
    flat = rate == 0
    annuity = np.where(flat, nper, (growth - 1.0) / np.where(flat, 1.0, rate))
    return growth, annuity


def fv_array(rate: ArrayLike, nper: ArrayLike, payment: ArrayLike,
             present: ArrayLike = 0.0) -> FloatArray:
    """Future value: fv = -(pv (1 + rate)^nper + pmt ((1 + rate)^nper - 1) / rate)."""
    with np.errstate(all="ignore"):
        growth, annuity = _growth_and_annuity(np.asarray(rate, float), np.asarray(nper, float))
        return np.asarray(-(np.asarray(present, float) * growth
                            + np.asarray(payment, float) * annuity), dtype=float)


def pmt_array(rate: ArrayLike, nper: ArrayLike, present: ArrayLike,
              future: ArrayLike = 0.0) -> FloatArray:
    """Periodic payment: pmt = -(fv + pv (1 + rate)^nper) / annuity factor."""
    with np.errstate(all="ignore"):
        growth, annuity = _growth_and_annuity(np.asarray(rate, float), np.asarray(nper, float))
        return np.asarray(-(np.asarray(future, float) + np.asarray(present, float) * growth)
                          / annuity, dtype=float)


def pv_array(rate: ArrayLike, nper: ArrayLike, payment: ArrayLike,
             future: ArrayLike = 0.0) -> FloatArray:
    """Present value: pv = -(fv + pmt * annuity factor) / (1 + rate)^nper."""
    with np.errstate(all="ignore"):
        growth, annuity = _growth_and_annuity(np.asarray(rate, float), np.asarray(nper, float))
        return np.asarray(-(np.asarray(future, float) + np.asarray(payment, float) * annuity)
                          / growth, dtype=float)


def fv(rate: float, nper: float, payment: float, present: float = 0.0) -> float:
    """:func:`fv_array` for floats."""
    return float(fv_array(rate, nper, payment, present))


def pmt(rate: float, nper: float, present: float, future: float = 0.0) -> float:
    """:func:`pmt_array` for floats."""
    return float(pmt_array(rate, nper, present, future))


def pv(rate: float, nper: float, payment: float, future: float = 0.0) -> float:
    """:func:`pv_array` for floats."""
    return float(pv_array(rate, nper, payment, future))
