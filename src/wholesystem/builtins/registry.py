"""The registry of builtin functions and named constants.

Each :class:`Builtin` says how many arguments a function takes, how the compiler lowers
it (``template`` for element-wise functions, a kernel for the rest, or a rewrite into
stocks for stateful ones) and what it means, in one line that ends up in the docs.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["BuiltinKind", "Builtin", "StateReads", "UnitsRule", "BOTH", "MANY", "BUILTINS",
           "CONSTANTS", "DIALECTS",
           "RANDOM_DRAWS", "SELF", "STATISTICAL_FUNCTIONS", "builtins_of", "lookup_builtin"]


class BuiltinKind(enum.Enum):
    """How the compiler treats a call."""

    ELEMENTWISE = "elementwise"
    """Applied element by element; arguments broadcast over dimensions."""
    REDUCTION = "reduction"
    """Folds an array (its ``*`` axes, or all axes) to fewer dimensions."""
    TIME = "time"
    """Depends on simulation time (PULSE, STEP, RAMP)."""
    STATEFUL = "stateful"
    """Keeps state between time steps; rewritten into hidden stocks or state objects."""
    LOOKUP = "lookup"
    """Reads a graphical function."""
    ARRAY = "array"
    """Sees whole arrays along their last axis (Vensim's VECTOR and ALLOCATE functions);
    arguments are aligned to the axes of the variable being defined."""


class UnitsRule(enum.Enum):
    """What the units check expects of a call (``wholesystem.check.units``)."""

    OWN = "own"
    """A rule of the checker's own, written for this function, or units left unknown."""
    INPUT = "input"
    """The result has the units of the first argument."""
    DIMENSIONLESS = "dimensionless"
    """The result is dimensionless (logarithms, exponentials, trigonometry)."""
    FREE = "free"
    """The result takes whatever units its context needs (a count, a switch, infinity)."""
    DELAYED = "delayed"
    """The input's units, and an initial value (at ``reads.initial``) must have them too:
    smooths, delays, ``PREVIOUS``, ``INIT``."""


@dataclass(frozen=True, slots=True)
class StateReads:
    """Which arguments a stateful builtin reads, as its lowering into stocks implies.

    The dependency graph (``wholesystem.ir.graph``) draws edges from these arguments only;
    the compiler and the units check find the initial value at ``initial``.
    """

    step: tuple[int, ...]
    """Arguments read afresh within a time step: a smooth's output is its last hidden
    stock, so it reads none; a material delay divides that stock by its delay time."""
    start: tuple[int, ...] = ()
    """Arguments read at the start besides the initial value (or, when none is given, the
    input, argument 0)."""
    initial: int | None = None
    """Position of the initial value, when the function has one."""


@dataclass(frozen=True, slots=True)
class Builtin:
    """One builtin function."""

    name: str
    """Upper-case name with single spaces."""
    min_args: int
    """Fewest arguments."""
    max_args: int
    """Most arguments."""
    kind: BuiltinKind
    """Lowering strategy."""
    signature: str
    """How it is called, for docs and arity errors."""
    doc: str
    """One-line meaning."""
    template: str | None = None
    """Element-wise template, ``{0}`` ... the arguments; ``k`` is the backend's kernels
    (:mod:`wholesystem.builtins.kernels` for arrays, ``scalar_kernels`` for floats)."""
    dialects: tuple[str, ...] = ("xmile",)
    """File formats in which the name is a builtin."""
    aliases: tuple[str, ...] = ()
    """Other names for the same function."""
    vector_only: bool = False
    """True when only the NumPy backend has a kernel (the function needs arrays)."""
    raw_args: tuple[int, ...] = ()
    """ARRAY kind: arguments passed whole, axes in their variable's order (not aligned)."""
    profile_args: tuple[int, ...] = ()
    """ARRAY kind: arguments whose last axis is their own (a priority profile), kept last."""
    reads: StateReads | None = None
    """STATEFUL kind: the arguments read in a step and at the start; None reads all of
    them at both (the random draws, ``HISTORY``)."""
    units: UnitsRule = UnitsRule.OWN
    """What the units check expects of the result."""
    renamed: tuple[tuple[str, str], ...] = ()
    """(dialect, name) pairs: the function of the other equation language that computes
    the same from the same arguments, so export need only rename the call; functions
    without one are translated by a rule of ``wholesystem.export.builtin_map``."""

    @property
    def arity(self) -> str:
        """How many arguments it takes, in words: ``2``, ``2 to 3``, ``1 or more``."""
        if self.min_args == self.max_args:
            return str(self.min_args)
        if self.max_args >= MANY:
            return f"{self.min_args} or more"
        return f"{self.min_args} to {self.max_args}"

    def renamed_in(self, dialect: str) -> str | None:
        """The name an exported call takes in ``dialect``, when a rename is exact."""
        return next((name for d, name in self.renamed if d == dialect), None)


MANY = 1_000_000
"""``max_args`` of a function taking any number of arguments."""


BOTH = ("xmile", "mdl")
"""Dialects of a function that means the same in XMILE and Vensim."""


def _e(name: str, n: tuple[int, int], signature: str, doc: str, template: str,
       aliases: tuple[str, ...] = (), dialects: tuple[str, ...] = ("xmile",),
       units: UnitsRule = UnitsRule.OWN, renamed: tuple[tuple[str, str], ...] = ()
       ) -> Builtin:
    return Builtin(name, n[0], n[1], BuiltinKind.ELEMENTWISE, signature, doc, template,
                   dialects=dialects, aliases=aliases, units=units, renamed=renamed)


def _same(name: str) -> tuple[tuple[str, str], ...]:
    """``renamed`` of a function spelt and computed alike in both languages."""
    return (("xmile", name), ("mdl", name))


_IN, _DIMLESS, _FREE, _DELAYED = (UnitsRule.INPUT, UnitsRule.DIMENSIONLESS, UnitsRule.FREE,
                                  UnitsRule.DELAYED)
_TO_XMILE = "xmile"


_FUNCTIONS: tuple[Builtin, ...] = (
    _e("ABS", (1, 1), "ABS(x)", "Absolute value.", "k.abs({0})", dialects=BOTH, units=_IN,
       renamed=_same("ABS")),
    _e("SQRT", (1, 1), "SQRT(x)", "Square root (NaN for negative x).", "k.sqrt({0})",
       dialects=BOTH, renamed=_same("SQRT")),
    _e("EXP", (1, 1), "EXP(x)", "e to the power x.", "k.exp({0})", dialects=BOTH, units=_DIMLESS,
       renamed=_same("EXP")),
    _e("LN", (1, 1), "LN(x)", "Natural logarithm.", "k.ln({0})", dialects=BOTH, units=_DIMLESS,
       renamed=_same("LN")),
    _e("LOG10", (1, 1), "LOG10(x)", "Base-10 logarithm.", "k.log10({0})", units=_DIMLESS),
    _e("SIN", (1, 1), "SIN(x)", "Sine of x radians.", "k.sin({0})", dialects=BOTH, units=_DIMLESS,
       renamed=_same("SIN")),
    _e("COS", (1, 1), "COS(x)", "Cosine of x radians.", "k.cos({0})", dialects=BOTH,
       units=_DIMLESS, renamed=_same("COS")),
    _e("TAN", (1, 1), "TAN(x)", "Tangent of x radians.", "k.tan({0})", dialects=BOTH,
       units=_DIMLESS, renamed=_same("TAN")),
    _e("ARCSIN", (1, 1), "ARCSIN(x)", "Inverse sine, in radians.", "k.arcsin({0})", dialects=BOTH,
       units=_DIMLESS, renamed=_same("ARCSIN")),
    _e("ARCCOS", (1, 1), "ARCCOS(x)", "Inverse cosine, in radians.", "k.arccos({0})",
       dialects=BOTH, units=_DIMLESS, renamed=_same("ARCCOS")),
    _e("ARCTAN", (1, 1), "ARCTAN(x)", "Inverse tangent, in radians.", "k.arctan({0})",
       dialects=BOTH, units=_DIMLESS, renamed=_same("ARCTAN")),
    _e("INT", (1, 1), "INT(x)", "Largest integer not above x.", "k.floor({0})", units=_IN),
    _e("ROUND", (1, 1), "ROUND(x)", "Nearest integer, halves away from zero.",
       "k.round_half_away({0})", units=_IN),
    _e("MOD", (2, 2), "MOD(a, b)", "Remainder of a / b, with the sign of b.",
       "k.mod({0}, {1})", renamed=(("mdl", "MODULO"),)),
    _e("SAFEDIV", (2, 3), "SAFEDIV(a, b [, x])",
       "a / b, or x (default 0) where b is zero.", "k.safediv({0}, {1}, {2:0.0})"),
    _e("IF THEN ELSE", (3, 3), "IF THEN ELSE(c, a, b)",
       "a where c is non-zero, else b (function form).", "k.where({0}, {1}, {2})",
       aliases=("IF_THEN_ELSE",), dialects=BOTH),
    _e("INF", (0, 0), "INF()", "Positive infinity.", "k.inf", units=_FREE),
    _e("FACTORIAL", (1, 1), "FACTORIAL(n)", "n! (Stella); Γ(n + 1) between whole numbers.",
       "k.factorial({0})"),
    _e("COMBINATIONS", (2, 2), "COMBINATIONS(n, r)",
       "The number of r-element subsets of n elements, n! / (r! (n - r)!) (Stella).",
       "k.combinations({0}, {1})"),
    _e("PERMUTATIONS", (2, 2), "PERMUTATIONS(n, r)",
       "The number of ordered arrangements of r of n elements, n! / (n - r)! (Stella).",
       "k.permutations({0}, {1})"),
    _e("FV", (3, 4), "FV(rate, nper, pmt [, pv])",
       "Future value of constant payments (Stella): pv (1 + rate)^nper + pmt ((1 + rate)^"
       "nper - 1) / rate + fv = 0 solved for fv; pv 0 when left out.",
       "k.fv({0}, {1}, {2}, {3:0.0})"),
    _e("PMT", (3, 4), "PMT(rate, nper, pv [, fv])",
       "Constant payment per period (Stella), from the same equation; fv 0 when left out.",
       "k.pmt({0}, {1}, {2}, {3:0.0})"),
    _e("PV", (3, 4), "PV(rate, nper, pmt [, fv])",
       "Present value of constant payments (Stella), from the same equation; fv 0 when "
       "left out.", "k.pv({0}, {1}, {2}, {3:0.0})"),
    _e("GAMMALN", (1, 1), "GAMMALN(x)", "Natural logarithm of the gamma function, x > 0 "
       "(Stella).", "k.gammaln({0})"),
    Builtin("MIN", 1, 2, BuiltinKind.REDUCTION, "MIN(a, b) or MIN(array[*])",
            "Smaller of two values, or the smallest element of an array.", dialects=BOTH,
            renamed=((_TO_XMILE, "MIN"),)),
    Builtin("MAX", 1, 2, BuiltinKind.REDUCTION, "MAX(a, b) or MAX(array[*])",
            "Larger of two values, or the largest element of an array.", dialects=BOTH,
            renamed=((_TO_XMILE, "MAX"),)),
    Builtin("SUM", 1, 1, BuiltinKind.REDUCTION, "SUM(array[*])", "Sum of the elements.",
            dialects=BOTH, units=_IN, renamed=_same("SUM")),
    Builtin("MEAN", 1, MANY, BuiltinKind.REDUCTION, "MEAN(array[*]) or MEAN(a, b, ...)",
            "Arithmetic mean of the elements; with several arguments, the mean of all their "
            "values (an extension: the standard has only the one-argument form).", units=_IN),
    Builtin("PROD", 1, 1, BuiltinKind.REDUCTION, "PROD(array[*])",
            "Product of the elements.", dialects=BOTH, renamed=_same("PROD")),
    Builtin("STDDEV", 1, 1, BuiltinKind.REDUCTION, "STDDEV(array[*])",
            "Population standard deviation of the elements.", units=_IN),
    Builtin("SIZE", 1, 1, BuiltinKind.REDUCTION, "SIZE(array[*])", "Number of elements.",
            units=_FREE),
    Builtin("RANK", 2, 3, BuiltinKind.REDUCTION, "RANK(array[*], n [, tiebreak])",
            "Index (1-based) of the n-th smallest element; n < 0 counts from the largest; "
            "ties go by the elements of tiebreak, else by position.", units=_FREE),
    Builtin("PULSE", 1, 3, BuiltinKind.TIME, "PULSE(volume [, first, interval])",
            "volume/DT during the DT starting at first, repeated every interval (> 0)."),
    Builtin("STEP", 2, 2, BuiltinKind.TIME, "STEP(height, start)",
            "0 before start, height from start on.", units=_IN),
    Builtin("RAMP", 2, 3, BuiltinKind.TIME, "RAMP(slope, start [, end])",
            "0 before start, then rising by slope per time unit until end.", dialects=BOTH,
            renamed=((_TO_XMILE, "RAMP"),)),
    Builtin("DELAY", 2, 3, BuiltinKind.STATEFUL, "DELAY(input, delay [, initial])",
            "Pipeline (fixed) delay: input as it was delay time units ago; initial "
            "(default: input at the start) before that.",
            reads=StateReads((1, 2), (1,), 2), units=_DELAYED),
    Builtin("HISTORY", 2, 2, BuiltinKind.STATEFUL, "HISTORY(x, time)",
            "x as it was at an earlier time (Stella), read from x's recorded steps "
            "(linear between them); x's initial value for times before the start."),
    Builtin("DELAY1", 2, 3, BuiltinKind.STATEFUL, "DELAY1(input, delay [, initial])",
            "First-order material delay (one stock).", dialects=BOTH,
            reads=StateReads((1,), (1,), 2), units=_DELAYED, renamed=((_TO_XMILE, "DELAY1"),)),
    Builtin("DELAY3", 2, 3, BuiltinKind.STATEFUL, "DELAY3(input, delay [, initial])",
            "Third-order material delay (three stocks in cascade).", dialects=BOTH,
            reads=StateReads((1,), (1,), 2), units=_DELAYED, renamed=((_TO_XMILE, "DELAY3"),)),
    Builtin("DELAYN", 3, 4, BuiltinKind.STATEFUL, "DELAYN(input, delay, n [, initial])",
            "n-th order material delay (n stocks; n fixed at the start).",
            reads=StateReads((1,), (1,), 3), units=_DELAYED),
    Builtin("SMTH1", 2, 3, BuiltinKind.STATEFUL, "SMTH1(input, time [, initial])",
            "First-order exponential smooth.", reads=StateReads((), (), 2),
            units=_DELAYED),
    Builtin("SMTH3", 2, 3, BuiltinKind.STATEFUL, "SMTH3(input, time [, initial])",
            "Third-order exponential smooth.", reads=StateReads((), (), 2),
            units=_DELAYED),
    Builtin("SMTHN", 3, 4, BuiltinKind.STATEFUL, "SMTHN(input, time, n [, initial])",
            "n-th order exponential smooth.", reads=StateReads((), (), 3),
            units=_DELAYED),
    Builtin("TREND", 2, 3, BuiltinKind.STATEFUL, "TREND(input, time [, initial])",
            "Fractional rate of change of input, averaged over time.", reads=StateReads((0, 1), (0,
                1, 2))),
    Builtin("FORECAST", 3, 4, BuiltinKind.STATEFUL,
            "FORECAST(input, time, horizon [, initial])",
            "input extrapolated horizon time units ahead along its TREND.",
            aliases=("FORCST",),
            reads=StateReads((0, 1, 2), (0, 1, 2, 3)), units=_IN),
    Builtin("INIT", 1, 1, BuiltinKind.STATEFUL, "INIT(x)",
            "Value of x at the start of the simulation.", reads=StateReads((), ()),
            units=_DELAYED, renamed=(("mdl", "INITIAL"),)),
    Builtin("PREVIOUS", 1, 2, BuiltinKind.STATEFUL, "PREVIOUS(x [, initial])",
            "Value of x one DT earlier; initial (default: x at the start) at the start.",
            reads=StateReads((1,), (), 1), units=_DELAYED),
    Builtin("LOOKUPINV", 2, 2, BuiltinKind.LOOKUP, "LOOKUPINV(table, y)",
            "The x at which a monotonic graphical function reaches y (Stella; clamped to "
            "the table's ends).", "k.lookup_invert({1}, {0}[0], {0}[1])"),
    Builtin("SINWAVE", 2, 2, BuiltinKind.TIME, "SINWAVE(amplitude, period)",
            "amplitude * SIN(2 * PI * TIME / period) (Stella).",
            "({0}) * k.sin(2 * k.pi * t / ({1}))"),
    Builtin("COSWAVE", 2, 2, BuiltinKind.TIME, "COSWAVE(amplitude, period)",
            "amplitude * COS(2 * PI * TIME / period) (Stella).",
            "({0}) * k.cos(2 * k.pi * t / ({1}))"),
    Builtin("LOOKUP", 2, 2, BuiltinKind.LOOKUP, "LOOKUP(table, x)",
            "Reads graphical function table at x (also written table(x); in Vensim "
            "files, table[element](x))).", dialects=("xmile", "mdl"), renamed=((_TO_XMILE,
                "LOOKUP"),)),
)

STATISTICAL_FUNCTIONS: dict[str, int] = {
    "EXPRND": 1, "LOGNORMAL": 2, "NORMAL": 2, "POISSON": 1, "RANDOM": 2,
    "WEIBULL": 2, "TRIANGULAR": 3, "LOGISTIC": 2, "BINOMIAL": 2, "BETA": 2,
}
"""XMILE's statistical functions (XMILE 1.0, 3.5.2) and Stella's further distributions
(WEIBULL onwards, appended so that earlier distribution codes keep their numbers): how
many distribution parameters each takes; an optional seed may follow them."""

_SEEDED = (" New each DT; a seed (0 to 2^32 - 1, or NAN for none) gives the same numbers in "
           "every run; min and max truncate the distribution (redrawn until inside; NAN for "
           "no bound); sample holds each draw for that many time units, changing at its "
           "multiples (Stella).")

_OPTIONS = "[, seed, min, max, sample]"
"""Stella's common optional arguments of its distribution builtins."""


def _s(name: str, params: tuple[str, ...], doc: str, aliases: tuple[str, ...] = (),
       units: UnitsRule = UnitsRule.OWN) -> Builtin:
    """A distribution builtin taking ``params`` then Stella's four optional arguments."""
    count = len(params)
    return Builtin(name, count, count + 4, BuiltinKind.STATEFUL,
                   f"{name}({', '.join(params)} {_OPTIONS})", doc + _SEEDED, aliases=aliases,
                   units=units)


_STATISTICAL = (
    _s("EXPRND", ("mean",), "Exponential draw of the given mean.", units=_IN),
    _s("LOGNORMAL", ("mean", "sd"), "Log-normal draw whose own mean and standard deviation "
       "are mean and sd (mean > 0)."),
    _s("NORMAL", ("mean", "sd"), "Normal draw of the given mean and standard deviation."),
    _s("POISSON", ("mean",), "Poisson draw (a whole number) of the given mean.",
       units=_IN),
    _s("WEIBULL", ("shape", "scale"), "Weibull draw: scale * (-ln U)^(1/shape) (Stella)."),
    _s("TRIANGULAR", ("lower", "mode", "upper"),
       "Triangular draw between lower and upper peaking at mode (Stella)."),
    _s("LOGISTIC", ("mean", "scale"), "Logistic draw of the given mean and scale (Stella)."),
    _s("BINOMIAL", ("n", "p"), "Number of successes in n trials of probability p (Stella)."),
    _s("BETA", ("a", "b"), "Beta draw on [0, 1] with shape parameters a and b (Stella)."),
    # Stella's help: RANDOM takes only the seed of the common optional arguments
    Builtin("RANDOM", 2, 3, BuiltinKind.STATEFUL, "RANDOM(min, max [, seed])",
            "Uniform draw between min and max (the name UNIFORM is not in the standard). "
            "New each DT; a seed (0 to 2^32 - 1, or NAN for none) gives the same numbers "
            "in every run.", aliases=("UNIFORM",)),
)

SELF: tuple[str, str] = (
    "self", "The variable whose equation this is; only inside PREVIOUS and SIZE, e.g. "
    "PREVIOUS(SELF, 0) (XMILE files).")
"""XMILE's ``SELF``: canonical name and meaning. Readers replace it by the variable's own
name, so later stages never see it."""

DIALECTS = ("xmile", "mdl")
"""Equation languages: XMILE (Stella, iThink) and Vensim's ``.mdl``."""


def _tables(functions: tuple[Builtin, ...]) -> dict[str, dict[str, Builtin]]:
    tables: dict[str, dict[str, Builtin]] = {d: {} for d in DIALECTS}
    for builtin in functions:
        for dialect in builtin.dialects:
            tables[dialect][builtin.name] = builtin
            for alias in builtin.aliases:
                tables[dialect][alias] = builtin
    return tables


from wholesystem.builtins.data_functions import DATA_FUNCTIONS  # noqa: E402 - needs Builtin
from wholesystem.builtins.vensim_functions import (  # noqa: E402 - needs Builtin
    RANDOM_DISTRIBUTIONS,
    VENSIM_FUNCTIONS,
)

_TABLES = _tables(_FUNCTIONS + _STATISTICAL + VENSIM_FUNCTIONS + DATA_FUNCTIONS)
BUILTINS: dict[str, Builtin] = _TABLES["xmile"]
"""XMILE builtins by upper-case name (aliases included)."""


CONSTANTS: dict[str, tuple[str, str]] = {
    "time": ("t", "Current simulation time."),
    "dt": ("dt", "Integration time step."),
    "starttime": ("start_time", "Initial time of the simulation."),
    "stoptime": ("stop_time", "Final time of the simulation."),
    "pi": ("k.pi", "3.14159..."),
    "inf": ("k.inf", "Positive infinity."),
    "nan": ("k.nan", "Not a number: a missing value (Vensim's :NA:), where no variable is "
                     "named nan."),
    "e": ("k.e", "Euler's number, 2.71828..., where no variable is named e."),
}
"""Names that mean something without a definition: canonical name -> (code, doc)."""

RANDOM_DRAWS: tuple[str, ...] = (*RANDOM_DISTRIBUTIONS, *STATISTICAL_FUNCTIONS)
"""Every random-number function of both languages; a call's position here is the
distribution code its random-draw state is read with."""


def builtins_of(dialect: str) -> dict[str, Builtin]:
    """Every builtin of one equation language, by name (aliases included)."""
    return _TABLES[dialect]


def lookup_builtin(name: str, dialect: str = "xmile") -> Builtin | None:
    """The builtin called ``name`` (any case, ``_`` or space) in ``dialect``, or None."""
    table = _TABLES.get(dialect, BUILTINS)
    key = " ".join(name.replace("_", " ").split()).upper()
    return table.get(key) or table.get(name.upper())
