"""The specification table (docs/specification.md) and one hand-derived case per row.

Each case in :data:`CASES` is the pinning test of one supported row of
:data:`wholesystem.builtins.specification.SPECIFICATION` that names no other test. Its
``why`` derives the expected values by hand from the row's rule (the document's
definition), step by step with DT = 1 unless it says otherwise; none is copied from an
engine's output. The drift tests below keep the page, the registry, the named tests and the
rejected rows in step with the code.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from xmile_factory import aux, xmile

from wholesystem.builtins.registry import builtins_of
from wholesystem.builtins.specification import (
    REJECTED,
    SPECIFICATION,
    SUPPORTED,
    SpecRow,
    _wild_table,
    specification_markdown,
)
from wholesystem.errors import UnknownFunctionError, WholesystemError
from wholesystem.parse import read_vensim_text, read_xmile_text
from wholesystem.run import Model

ROOT = Path(__file__).parents[3]
PI = math.pi
INF = math.inf


@dataclass(frozen=True)
class Case:
    """Equations, each with its expected values at every saved time."""

    checks: tuple[tuple[str, list[float]], ...]
    why: str
    dialect: str = "xmile"
    extra: str = ""
    """More XMILE variables (graphical functions, arrays) or Vensim equations."""
    specs: dict[str, float] = field(default_factory=dict)
    """start, stop, dt (XMILE) or initial, final, step (Vensim); default 0, 3, 1."""
    dimensions: str = ""


GF = '<gf name="g"><xscale min="0" max="2"/><ypts>0,10,40</ypts></gf>'
"""A graphical function through (0, 0), (1, 10), (2, 40)."""
ARRAY_DIM = ('<dim name="d"><elem name="d1"/><elem name="d2"/><elem name="d3"/>'
             '<elem name="d4"/></dim>')
ARRAY = ('<aux name="a"><dimensions><dim name="d"/></dimensions>'
         '<element subscript="d1"><eqn>3</eqn></element>'
         '<element subscript="d2"><eqn>1</eqn></element>'
         '<element subscript="d3"><eqn>4</eqn></element>'
         '<element subscript="d4"><eqn>2</eqn></element></aux>')
"""a[d] = 3, 1, 4, 2: sum 10, mean 2.5, product 24, population variance 5 / 4."""


def c(why: str, *checks: tuple[str, list[float]], **kw: object) -> Case:
    return Case(tuple(checks), why, **kw)  # type: ignore[arg-type]


def const(value: float, n: int = 4) -> list[float]:
    return [value] * n


FIRST_ORDER_10_OVER_2 = [0.0, 5.0, 7.5, 8.75]
"""A first-order stock fed 10 a step with time constant 2, from 0: out = S / 2;
S: 0 -> 0 + 10 - 0 = 10 (out 5) -> 10 + 10 - 5 = 15 (out 7.5) -> 15 + 10 - 7.5 = 17.5."""
THIRD_ORDER_10_OVER_3 = [0.0, 0.0, 0.0, 10.0]
"""Three stages of 1 (3 / 3) fed 10 from empty: stage 1 fills at t=1, stage 2 at t=2,
stage 3 at t=3; the output is stage 3 / 1."""

CASES: dict[str, Case] = {
    # -- XMILE 3.5.1 mathematical ----------------------------------------------------
    "xmile-ABS": c("|-2.5| = 2.5; |3| = 3.", ("ABS(-2.5)", const(2.5)), ("ABS(3)", const(3))),
    "xmile-ARCCOS": c("cos(pi/3) = 0.5; outside [-1, 1] there is no angle: NaN.",
                      ("ARCCOS(0.5)", const(PI / 3)), ("ARCCOS(2)", const(math.nan))),
    "xmile-ARCSIN": c("sin(pi/6) = 0.5.", ("ARCSIN(0.5)", const(PI / 6))),
    "xmile-ARCTAN": c("tan(pi/4) = 1.", ("ARCTAN(1)", const(PI / 4))),
    "xmile-COS": c("cos 0 = 1; cos pi = -1.", ("COS(0)", const(1)), ("COS(PI)", const(-1))),
    "xmile-EXP": c("e^0 = 1; e^1 = e.", ("EXP(0)", const(1)), ("EXP(1)", const(math.e))),
    "xmile-INF": c("INF is +infinity, with or without parentheses; -INF its negative.",
                   ("INF", const(INF)), ("INF()", const(INF)), ("-INF", const(-INF))),
    "xmile-INT": c("Largest integer <= x: INT(2.7) = 2, INT(-2.5) = -3 (not -2), "
                   "INT(-3) = -3.",
                   ("INT(2.7)", const(2)), ("INT(-2.5)", const(-3)), ("INT(-3)", const(-3))),
    "xmile-LN": c("ln 1 = 0; ln e = 1; ln of a negative number is NaN.",
                  ("LN(1)", const(0)), ("LN(EXP(1))", const(1)), ("LN(-1)", const(math.nan))),
    "xmile-LOG10": c("10^3 = 1000.", ("LOG10(1000)", const(3)), ("LOG10(0.01)", const(-2))),
    "xmile-MAX": c("max(2, 5) = 5; the largest of a = 3, 1, 4, 2 is 4.",
                   ("MAX(2, 5)", const(5)), ("MAX(a[*])", const(4)),
                   extra=ARRAY, dimensions=ARRAY_DIM),
    "xmile-MIN": c("min(2, 5) = 2; the smallest of a = 3, 1, 4, 2 is 1.",
                   ("MIN(2, 5)", const(2)), ("MIN(a[*])", const(1)),
                   extra=ARRAY, dimensions=ARRAY_DIM),
    "xmile-MOD": c("Remainder with the sign of the divisor: -7 = 3 * (-3) + 2, so 2; "
                   "7 = -3 * (-3) - 2, so -2; infix 7 MOD 3 = 1.",
                   ("MOD(-7, 3)", const(2)), ("MOD(7, -3)", const(-2)),
                   ("7 MOD 3", const(1))),
    "xmile-PI": c("pi = 3.14159...", ("PI", const(PI))),
    "xmile-SIN": c("sin(pi/2) = 1; sin 0 = 0.", ("SIN(PI / 2)", const(1)), ("SIN(0)", const(0))),
    "xmile-SQRT": c("2.5^2 = 6.25; no real root of -1: NaN.",
                    ("SQRT(6.25)", const(2.5)), ("SQRT(-1)", const(math.nan))),
    "xmile-TAN": c("tan(pi/4) = 1.", ("TAN(PI / 4)", const(1))),
    # -- Stella counting builtins ---------------------------------------------------
    "stella-FACTORIAL": c("5! = 5 * 4 * 3 * 2 * 1 = 120 (the help's example); 0! = 1 (the "
                          "empty product); between whole numbers Γ(n + 1): 0.5! = Γ(1.5) = "
                          "sqrt(pi) / 2; -1 is a pole of Γ(n + 1): NaN.",
                          ("FACTORIAL(5)", const(120)), ("FACTORIAL(0)", const(1)),
                          ("FACTORIAL(0.5)", const(math.sqrt(PI) / 2)),
                          ("FACTORIAL(-1)", const(math.nan))),
    "stella-COMBINATIONS": c("The help's example: COMBINATIONS(5, 3) = 120 / (6 * 2) = 10; "
                             "one empty subset, C(4, 0) = 1; no 3-subsets of a 2-set, 0.",
                             ("COMBINATIONS(5, 3)", const(10)),
                             ("COMBINATIONS(4, 0)", const(1)),
                             ("COMBINATIONS(2, 3)", const(0))),
    "stella-PERMUTATIONS": c("n! / (n - r)!: 5! / 2! = 60 ordered triples of 5; r = n gives "
                             "n! (4! = 24); none when r > n.",
                             ("PERMUTATIONS(5, 3)", const(60)),
                             ("PERMUTATIONS(4, 4)", const(24)),
                             ("PERMUTATIONS(2, 3)", const(0))),
    # -- Stella financial builtins: pv (1 + r)^n + pmt ((1 + r)^n - 1) / r + fv = 0 ----
    "stella-FV": c("Paying 100 at the end of each of 2 years at 10%: the first payment grows "
                   "one year (110), the second none (100), so 210 received back: FV(0.1, 2, "
                   "-100) = -(0 + -100 * (1.21 - 1) / 0.1) = 210. At rate 0, pv + pmt * nper "
                   "+ fv = 0: FV(0, 3, -10, -5) = -(-5 - 30) = 35.",
                   ("FV(0.1, 2, -100)", const(210)), ("FV(0, 3, -10, -5)", const(35))),
    "stella-PMT": c("The help's example: 10,000 at 1% a month over 36 months, fv = 0: pmt = "
                    "-10000 * 1.01^36 * 0.01 / (1.01^36 - 1) = -332.143... (the help prints "
                    "-332.14). At rate 0: PMT(0, 4, 100) = -(100 + 0) / 4 = -25.",
                    ("PMT(0.01, 36, 10000)",
                     const(-10000 * 1.01 ** 36 * 0.01 / (1.01 ** 36 - 1))),
                    ("PMT(0, 4, 100)", const(-25))),
    "stella-PV": c("Receiving 100 at the end of each of 2 years at 10% is worth 100 / 1.1 + "
                   "100 / 1.21 = 173.55... today, paid out: PV(0.1, 2, 100) = -(100 * 0.21 / "
                   "0.1) / 1.21 = -210 / 1.21. At rate 0: PV(0, 4, -25) = -(0 - 100) = 100; "
                   "with fv 50, PV(0, 4, -25, 50) = -(50 - 100) = 50.",
                   ("PV(0.1, 2, 100)", const(-210 / 1.21)), ("PV(0, 4, -25)", const(100)),
                   ("PV(0, 4, -25, 50)", const(50))),
    "stella-GAMMALN": c("Γ(4) = 3! = 6, so ln 6; Γ(1) = 1, so 0; no value at x <= 0: NaN.",
                        ("GAMMALN(4)", const(math.log(6))), ("GAMMALN(1)", const(0)),
                        ("GAMMALN(-2)", const(math.nan))),
    # -- XMILE 3.5.3 delays ----------------------------------------------------------
    "xmile-DELAY": c("Input TIME delayed 2: at t the value of t - 2; before t = 2 the "
                     "initial value, given (-1) or by default the input at the start "
                     "(TIME + 5 at 0 = 5).",
                     ("DELAY(TIME, 2, -1)", [-1, -1, 0, 1]),
                     ("DELAY(TIME + 5, 2)", [5, 5, 5, 6])),
    "xmile-DELAY1": c("One stock S = initial * delay, out = S / delay, inflow 10. With "
                      "initial 0: S = 0, 10 (out 5), 15 (out 7.5), 17.5 (out 8.75). "
                      "Without initial it starts at the input: S = 20, out 10 = in, "
                      "steady.",
                      ("DELAY1(10, 2, 0)", FIRST_ORDER_10_OVER_2),
                      ("DELAY1(10, 2)", const(10))),
    "xmile-DELAY3": c("Three stages of 3 / 3 = 1 from 0, fed 10: the output (stage 3 / 1) "
                      "is 0 until stage 3 first fills at t = 3.",
                      ("DELAY3(10, 3, 0)", THIRD_ORDER_10_OVER_3)),
    "xmile-DELAYN": c("n = 1 is DELAY1: 0, 5, 7.5, 8.75; n = 3 is DELAY3.",
                      ("DELAYN(10, 2, 1, 0)", FIRST_ORDER_10_OVER_2),
                      ("DELAYN(10, 3, 3, 0)", THIRD_ORDER_10_OVER_3)),
    "xmile-SMTH1": c("S' = (input - S) / 2 from 0 with input 10: 0, 5, 7.5, 8.75; from "
                     "the input by default: steady at 10.",
                     ("SMTH1(10, 2, 0)", FIRST_ORDER_10_OVER_2), ("SMTH1(10, 2)", const(10))),
    "xmile-SMTH3": c("Three smooths of 1 in cascade, from 0: the last moves at t = 3.",
                     ("SMTH3(10, 3, 0)", THIRD_ORDER_10_OVER_3)),
    "xmile-SMTHN": c("n = 1 is SMTH1.", ("SMTHN(10, 2, 1, 0)", FIRST_ORDER_10_OVER_2)),
    "xmile-TREND": c("input = TIME + 1, averaging time 2, initial 0: average starts at "
                     "1 / (1 + 0) = 1 -> trend 0; t=1: avg 1 + (1 - 1)/2 = 1, "
                     "(2 - 1)/(1 * 2) = 0.5; t=2: avg 1 + (2 - 1)/2 = 1.5, (3 - 1.5)/(1.5 "
                     "* 2) = 0.5; t=3: avg 1.5 + (3 - 1.5)/2 = 2.25, (4 - 2.25)/(2.25 * 2) "
                     "= 7/18.",
                     ("TREND(TIME + 1, 2)", [0, 0.5, 0.5, 7 / 18])),
    "xmile-FORCST": c("input * (1 + TREND * horizon) with the TREND above and horizon 1: "
                      "1 * 1, 2 * 1.5, 3 * 1.5, 4 * (1 + 7/18).",
                      ("FORCST(TIME + 1, 2, 1)", [1, 3, 4.5, 4 * (1 + 7 / 18)])),
    # -- XMILE 3.5.4 test inputs -----------------------------------------------------
    "xmile-PULSE": c("PULSE(4, 1, 2): volume / DT = 4 at t = 1 and every 2 after (t = 3); "
                     "PULSE(4): first defaults to STARTTIME, no interval: one pulse of 4 / 1 "
                     "at t = 0; PULSE(4, 2): one pulse at t = 2.",
                     ("PULSE(4, 1, 2)", [0, 4, 0, 4, 0]), ("PULSE(4)", [4, 0, 0, 0, 0]),
                     ("PULSE(4, 2)", [0, 0, 4, 0, 0]),
                     specs={"stop": 4}),
    "xmile-RAMP": c("slope 2 from t = 1: 2 * (t - 1) = 0, 2, 4 at t = 1, 2, 3; held at 4 "
                    "after end 3.", ("RAMP(2, 1, 3)", [0, 0, 2, 4, 4]),
                    ("RAMP(2, 1)", [0, 0, 2, 4, 6]), specs={"stop": 4}),
    "xmile-STEP": c("0 before t = 2, 5 from t = 2 on.", ("STEP(5, 2)", [0, 0, 5, 5])),
    # -- XMILE 3.5.5 time --------------------------------------------------------------
    "xmile-DT": c("The time step, 0.5.", ("DT", const(0.5, 3)), specs={"stop": 1, "dt": 0.5}),
    "xmile-STARTTIME": c("start 1.", ("STARTTIME", [1, 1]), specs={"start": 1, "stop": 2}),
    "xmile-STOPTIME": c("stop 2.", ("STOPTIME", [2, 2]), specs={"start": 1, "stop": 2}),
    "xmile-TIME": c("The clock: 1, 1.5, 2.", ("TIME", [1, 1.5, 2]),
                    specs={"start": 1, "stop": 2, "dt": 0.5}),
    # -- XMILE 3.5.6 miscellaneous ---------------------------------------------------------
    "xmile-IF THEN ELSE": c("TIME > 1 is false at 0 and 1: 20, 20, then 10.",
                            ("IF TIME &gt; 1 THEN 10 ELSE 20", [20, 20, 10, 10]),
                            ("IF_THEN_ELSE(TIME &gt; 1, 10, 20)", [20, 20, 10, 10])),
    "xmile-INIT": c("TIME at STARTTIME 2, held.", ("INIT(TIME)", [2, 2, 2]),
                    specs={"start": 2, "stop": 4}),
    "xmile-PREVIOUS": c("TIME one DT ago: initial 7 at the start, then 0, 1, 2; by default "
                        "the start value of TIME + 5 = 5, then 5, 6, 7.",
                        ("PREVIOUS(TIME, 7)", [7, 0, 1, 2]),
                        ("PREVIOUS(TIME + 5)", [5, 5, 6, 7])),
    "xmile-LOOKUP": c("Between (1, 10) and (2, 40) at 1.5: 25; clamped to 0 below 0; g(x) "
                      "is the same call.", ("LOOKUP(g, 1.5)", const(25)),
                      ("LOOKUP(g, -1)", const(0)), ("g(0.5)", const(5)), extra=GF),
    # -- XMILE array functions ---------------------------------------------------------
    "xmile-SUM": c("3 + 1 + 4 + 2.", ("SUM(a[*])", const(10)), extra=ARRAY,
                   dimensions=ARRAY_DIM),
    "xmile-MEAN": c("10 / 4.", ("MEAN(a[*])", const(2.5)), extra=ARRAY, dimensions=ARRAY_DIM),
    "stella-PROD": c("3 * 1 * 4 * 2.", ("PROD(a[*])", const(24)), extra=ARRAY,
                    dimensions=ARRAY_DIM),
    "xmile-SIZE": c("4 elements.", ("SIZE(a[*])", const(4)), extra=ARRAY, dimensions=ARRAY_DIM),
    "xmile-STDDEV": c("Deviations from 2.5: 0.5, -1.5, 1.5, -0.5; squares sum to 5; "
                      "sqrt(5 / 4).", ("STDDEV(a[*])", const(math.sqrt(1.25))),
                      extra=ARRAY, dimensions=ARRAY_DIM),
    "xmile-RANK": c("Ascending 1 (d2), 2 (d4), 3 (d1), 4 (d3): rank 1 is element 2, rank 4 "
                    "element 3.", ("RANK(a[*], 1)", const(2)), ("RANK(a[*], 4)", const(3)),
                    extra=ARRAY, dimensions=ARRAY_DIM),
    # -- Stella ----------------------------------------------------------------------------
    "stella-SAFEDIV": c("6 / 3 = 2; b = 0 gives x = 9, or 0 without x.",
                        ("SAFEDIV(6, 3)", const(2)), ("SAFEDIV(1, 0, 9)", const(9)),
                        ("SAFEDIV(1, 0)", const(0))),
    "stella-ROUND": c("Halves away from zero: 2.5 -> 3, -2.5 -> -3; 1.4 -> 1.",
                      ("ROUND(2.5)", const(3)), ("ROUND(-2.5)", const(-3)),
                      ("ROUND(1.4)", const(1))),
    "stella-HISTORY": c("x = 10 * TIME recorded each step: at t = 3, x at time 1 is 10; "
                        "x at 1.5 is between 10 and 20, 15; a time before the start gives "
                        "x's initial value, 0.",
                        ("IF TIME = 3 THEN HISTORY(x, 1) ELSE -1", [-1, -1, -1, 10]),
                        ("IF TIME = 3 THEN HISTORY(x, 1.5) ELSE -1", [-1, -1, -1, 15]),
                        ("IF TIME = 3 THEN HISTORY(x, -5) ELSE -1", [-1, -1, -1, 0]),
                        extra='<aux name="x"><eqn>10 * TIME</eqn></aux>'),
    "stella-SINWAVE": c("3 sin(2 pi t / 4): 0, 3, 0, -3.", ("SINWAVE(3, 4)", [0, 3, 0, -3])),
    "stella-COSWAVE": c("2 cos(2 pi t / 4): 2, 0, -2, 0.", ("COSWAVE(2, 4)", [2, 0, -2, 0])),
    "stella-LOOKUPINV": c("g rises through 10 at 1 and 40 at 2, so 25 is reached at 1.5; "
                          "above the top it clamps to x = 2.",
                          ("LOOKUPINV(g, 25)", const(1.5)), ("LOOKUPINV(g, 50)", const(2)),
                          extra=GF),
    # -- Vensim ----------------------------------------------------------------------------
    "vensim-ABS": c("|-2| = 2.", ("ABS(-2)", const(2)), dialect="mdl"),
    "vensim-NPVE": c("Rate 0.1, TIME STEP 1: df starts at 1 / 1.1 and each step is multiplied "
                     "by 1 - 0.1 / 1.1 = 1 / 1.1, so df = 1.1^-(t + 1); the accumulator adds "
                     "100 * df each step, and the value adds the current 100 * df: 100 / 1.1, "
                     "then + 100 / 1.21, + 100 / 1.331, + 100 / 1.4641, Excel's NPV of 100 "
                     "paid at the end of each period.",
                     ("NPVE(100, 0.1, 0, 1)",
                      [sum(100 / 1.1 ** (k + 1) for k in range(n + 1)) for n in range(4)]),
                     dialect="mdl"),
    "vensim-ARCCOS": c("cos(pi/3) = 0.5.", ("ARCCOS(0.5)", const(PI / 3)), dialect="mdl"),
    "vensim-ARCSIN": c("sin(pi/6) = 0.5.", ("ARCSIN(0.5)", const(PI / 6)), dialect="mdl"),
    "vensim-ARCTAN": c("tan(pi/4) = 1.", ("ARCTAN(1)", const(PI / 4)), dialect="mdl"),
    "vensim-COS": c("cos 0 = 1.", ("COS(0)", const(1)), dialect="mdl"),
    "vensim-COSH": c("(e^x + e^-x) / 2 at x = ln 2: (2 + 0.5) / 2.",
                     ("COSH(LN(2))", const(1.25)), dialect="mdl"),
    "vensim-SINH": c("(e^x - e^-x) / 2 at x = ln 2: (2 - 0.5) / 2.",
                     ("SINH(LN(2))", const(0.75)), dialect="mdl"),
    "vensim-TANH": c("sinh / cosh at ln 2: 0.75 / 1.25.", ("TANH(LN(2))", const(0.6)),
                     dialect="mdl"),
    "vensim-DELAY1": c("Input STEP(10, 1) (0 at t=0, 10 from t=1); stock starts at input * "
                       "delay = 0; out = S / 2: S = 0, 0 + 0 = 0, 0 + 10 = 10 (out 5), "
                       "10 + 10 - 5 = 15 (out 7.5).",
                       ("DELAY1(STEP(10, 1), 2)", [0, 0, 5, 7.5]), dialect="mdl"),
    "vensim-DELAY1I": c("Stock starts at initial * delay = 4 * 2 = 8 (out 4); 8 + 10 - 4 = "
                        "14 (7); 14 + 10 - 7 = 17 (8.5); 17 + 10 - 8.5 = 18.5 (9.25).",
                        ("DELAY1I(10, 2, 4)", [4, 7, 8.5, 9.25]), dialect="mdl"),
    "vensim-DELAY3": c("Input STEP(9, 1); stages of 1 start at input * 1 = 0; the input "
                       "reaches stage 1 at t=2, stage 2 at t=3, the output (stage 3) at "
                       "t=4.", ("DELAY3(STEP(9, 1), 3)", [0, 0, 0, 0, 9]), dialect="mdl",
                       specs={"final": 4}),
    "vensim-EXP": c("e^1.", ("EXP(1)", const(math.e)), dialect="mdl"),
    "vensim-GAME": c("Outside gaming GAME(x) is x.", ("GAME(4)", const(4)), dialect="mdl"),
    "vensim-GET TIME VALUE": c("measure 0: relative to 0 is Time + offset (2, 3, 4, 5); "
                               "relative to 1 is INITIAL TIME + offset = 2.",
                               ("GET TIME VALUE(0, 2, 0)", [2, 3, 4, 5]),
                               ("GET TIME VALUE(1, 2, 0)", const(2)), dialect="mdl"),
    "vensim-IF THEN ELSE": c("Time >= 2 false at 0, 1.", ("IF THEN ELSE(Time >= 2, 1, 0)",
                                                          [0, 0, 1, 1]), dialect="mdl"),
    "vensim-INTEGER": c("Truncation toward zero: -2.5 -> -2, 2.7 -> 2.",
                        ("INTEGER(-2.5)", const(-2)), ("INTEGER(2.7)", const(2)),
                        dialect="mdl"),
    "vensim-GAMMA LN": c("Γ(1) = Γ(2) = 1, so ln 0; Γ(5) = 4! = 24; Γ(0.5) = sqrt(pi).",
                         ("GAMMA LN(1)", const(0)), ("GAMMA LN(5)", const(math.log(24))),
                         ("GAMMA LN(0.5)", const(0.5 * math.log(PI))), dialect="mdl"),
    "vensim-INVERT MATRIX": c("diag(2, 4) inverts to diag(0.5, 0.25); the off-diagonal 0s "
                              "stay 0.", ("inv[r1, r2] + 10 * inv[r1, r1]", const(5)),
                              ("inv[r2, r2]", const(0.25)), dialect="mdl",
                              extra="r: r1, r2 ~~|\nc: r1, r2 ~~|\nm[r, c] = 2, 0; 0, 4; ~~|"
                                    "\ninv[r, c] = INVERT MATRIX(m[r, c], 2) ~~|"),
    "vensim-LOOKUP": c("tab through (0, 0), (2, 10): at 1.5 three quarters of the way, 7.5; "
                       "held at 10 beyond x = 2.", ("tab(1.5)", const(7.5)),
                       ("tab(5)", const(10)), dialect="mdl", extra="tab((0, 0), (2, 10)) ~~|"),
    "vensim-LN": c("ln 1 = 0.", ("LN(1)", const(0)), dialect="mdl"),
    "vensim-LOG": c("2^3 = 8; 10^2 = 100.", ("LOG(8, 2)", const(3)), ("LOG(100, 10)", const(2)),
                    dialect="mdl"),
    "vensim-MAX": c("max(3, 5).", ("MAX(3, 5)", const(5)), dialect="mdl"),
    "vensim-MIN": c("min(3, 5).", ("MIN(3, 5)", const(3)), dialect="mdl"),
    "vensim-MODULO": c("Sign of the divisor: -7 = 3 * (-3) + 2.", ("MODULO(-7, 3)", const(2)),
                       ("MODULO(7, 3)", const(1)), dialect="mdl"),
    "vensim-POWER": c("2^10 = 1024; 2^-1 = 0.5.", ("POWER(2, 10)", const(1024)),
                      ("POWER(2, -1)", const(0.5)), dialect="mdl"),
    "vensim-PROD": c("1 * 2 * 3 * 4.", ("PROD(a[d!])", const(24)), dialect="mdl",
                     extra="d: d1, d2, d3, d4 ~~|\na[d] = 1, 2, 3, 4 ~~|"),
    "vensim-PULSE": c("1 while start <= Time < start + width (compared at Time + 0.5): "
                      "t = 1, 2.", ("PULSE(1, 2)", [0, 1, 1, 0]), dialect="mdl"),
    "vensim-RAMP": c("0 until 1, then 2 * (Time - 1) until 3, then held at 4.",
                     ("RAMP(2, 1, 3)", [0, 0, 2, 4, 4]), dialect="mdl", specs={"final": 4}),
    "vensim-SIN": c("sin 0 = 0.", ("SIN(0)", const(0)), dialect="mdl"),
    "vensim-SQRT": c("1.5^2 = 2.25.", ("SQRT(2.25)", const(1.5)), dialect="mdl"),
    "vensim-STEP": c("0 until Time 2, then 5.", ("STEP(5, 2)", [0, 0, 5, 5]), dialect="mdl"),
    "vensim-TAN": c("tan(arctan 2) = 2.", ("TAN(ARCTAN(2))", const(2)), dialect="mdl"),
    "vensim-WITH LOOKUP": c("(0, 0)-(2, 10) read at Time: 0, 5, 10, then clamped at 10.",
                            ("WITH LOOKUP(Time, ([(0, 0) - (10, 10)], (0, 0), (2, 10)))",
                             [0, 5, 10, 10]), dialect="mdl"),
    "vensim-XIDZ": c("3 / 0 gives x = 7; 3 / 2 = 1.5.", ("XIDZ(3, 0, 7)", const(7)),
                     ("XIDZ(3, 2, 7)", const(1.5)), dialect="mdl"),
    "vensim-ZIDZ": c("3 / 0 gives 0; 3 / 2 = 1.5.", ("ZIDZ(3, 0)", const(0)),
                     ("ZIDZ(3, 2)", const(1.5)), dialect="mdl"),
}


def _xmile_model(case: Case) -> Model:
    specs = {"start": 0.0, "stop": 3.0, "dt": 1.0, **case.specs}
    variables = case.extra + "".join(aux(f"v{i}", eqn) for i, (eqn, _) in enumerate(case.checks))
    return Model(read_xmile_text(xmile(variables, dimensions=case.dimensions, **specs),
                                 "m.xmile"))


def _vensim_text(equations: str, specs: dict[str, float]) -> str:
    final = specs.get("final", 3.0)
    step = specs.get("step", 1.0)
    return (f"{equations}\nINITIAL TIME = {specs.get('initial', 0.0)} ~~|\n"
            f"FINAL TIME = {final} ~~|\nTIME STEP = {step} ~~|\nSAVEPER = TIME STEP ~~|\n")


def _vensim_model(case: Case) -> Model:
    equations = "\n".join([case.extra] + [f"v{i} = {eqn} ~~|"
                                          for i, (eqn, _) in enumerate(case.checks)])
    return Model(read_vensim_text(_vensim_text(equations, case.specs), "m.mdl"))


def _default_rows() -> list[SpecRow]:
    return [row for row in SPECIFICATION if row.status == SUPPORTED and not row.test]


@pytest.mark.parametrize("row", _default_rows(), ids=lambda row: row.key)
def test_row(row: SpecRow) -> None:
    """Each case's ``why`` derives its values from the row's rule; see :data:`CASES`."""
    case = CASES[row.key]
    model = _vensim_model(case) if case.dialect == "mdl" else _xmile_model(case)
    results = model.run()
    for i, (equation, expected) in enumerate(case.checks):
        assert list(results[f"v{i}"]) == pytest.approx(expected, nan_ok=True, abs=1e-12), (
            f"{row.key}: {equation}")


# -- drift between the table, the page and the code ---------------------------------------
def test_page_matches_the_table() -> None:
    page = (ROOT / "docs" / "specification.md").read_text(encoding="utf-8")
    assert page == specification_markdown(_wild_table()), (
        "docs/specification.md is stale: run python -m wholesystem.builtins.specification "
        "> docs/specification.md")


def test_every_case_belongs_to_a_row_and_every_row_has_its_test() -> None:
    assert set(CASES) == {row.key for row in _default_rows()}
    keys = [row.key for row in SPECIFICATION]
    assert len(keys) == len(set(keys)), "duplicate rows"


def _names(rows: list[SpecRow]) -> set[str]:
    return {part.strip().upper() for row in rows for part in row.name.split("/")}


@pytest.mark.parametrize(("dialect", "sources"), [("xmile", ("xmile", "stella")),
                                                  ("mdl", ("vensim",))])
def test_every_registry_builtin_has_a_supported_row(dialect: str, sources: tuple[str, ...]
                                                    ) -> None:
    named = _names([r for r in SPECIFICATION if r.source in sources and r.status == SUPPORTED])
    missing = {b.name for b in builtins_of(dialect).values()
               if b.name not in named and not named & set(b.aliases)}
    assert not missing


def _test_exists(node: str) -> bool:
    path, *names = node.split("::")
    names[-1] = names[-1].split("[")[0]
    file = ROOT / path
    if not file.is_file():
        return False
    scope: list[ast.stmt] = ast.parse(file.read_text(encoding="utf-8")).body
    for name in names:
        found = [n for n in scope if isinstance(n, (ast.FunctionDef, ast.ClassDef))
                 and n.name == name]
        if not found:
            return False
        scope = found[0].body
    return True


@pytest.mark.parametrize("row", [r for r in SPECIFICATION if r.status == SUPPORTED and r.test],
                         ids=lambda row: row.key)
def test_named_tests_exist(row: SpecRow) -> None:
    assert _test_exists(row.test_id), row.test_id


@pytest.mark.parametrize("row", [r for r in SPECIFICATION if r.status == REJECTED and r.probe],
                         ids=lambda row: row.key)
def test_rejected_functions_are_reported_at_their_position(row: SpecRow) -> None:
    """A rejected function is not silently something else: the model is refused with an
    unknown-function error naming file:line:col."""
    if row.source == "vensim":
        text = _vensim_text(f"v = {row.probe.replace('_', ' ')} ~~|", {})
        project = read_vensim_text(text, "m.mdl")
    else:
        project = read_xmile_text(xmile(aux("v", row.probe)), "m.xmile")
    with pytest.raises(UnknownFunctionError, match=r"m\.\w+:\d+:\d+"):
        Model(project)


def test_rejected_rows_say_why() -> None:
    for row in SPECIFICATION:
        assert (row.reason != "") == (row.status == REJECTED), row.key
        assert row.rule, row.key


def test_rejected_queue_is_a_clear_error() -> None:
    project_text = xmile('<stock name="q"><eqn>0</eqn><queue/></stock>')
    with pytest.raises(WholesystemError, match="queue"):
        Model(read_xmile_text(project_text, "m.xmile"))


def test_a_vensim_case_uses_real_vensim_text() -> None:
    """Sanity: the Vensim helper builds a model from .mdl text (format mdl)."""
    model = _vensim_model(replace(CASES["vensim-ABS"]))
    assert model.project.format == "mdl"


def test_a_calendar_measure_of_get_time_value_is_refused_at_its_position() -> None:
    """Vensim's measures 1 to 10 read a calendar date; a simulation has none, so a written
    measure other than 0 is an unsupported feature at its line and column."""
    from wholesystem.errors import UnsupportedFeatureError

    project = read_vensim_text(_vensim_text("v = GET TIME VALUE(0, 0, 3) ~~|", {}), "m.mdl")
    with pytest.raises(UnsupportedFeatureError, match=r"m\.mdl:1:\d+: .*measure 3"):
        Model(project)
