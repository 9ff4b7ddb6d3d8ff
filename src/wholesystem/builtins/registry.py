"""The registry of builtin functions and named constants.

Each :class:`Builtin` says how many arguments a function takes, how the compiler lowers
it (``template`` for element-wise functions, a kernel for the rest, or a rewrite into
stocks for stateful ones) and what it means, in one line that ends up in the docs.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["BuiltinKind", "Builtin", "BOTH", "MANY", "BUILTINS", "CONSTANTS", "DIALECTS",
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

    @property
    def arity(self) -> str:
        """How many arguments it takes, in words: ``2``, ``2 to 3``, ``1 or more``."""
        if self.min_args == self.max_args:
            return str(self.min_args)
        if self.max_args >= MANY:
            return f"{self.min_args} or more"
        return f"{self.min_args} to {self.max_args}"


MANY = 1_000_000
"""``max_args`` of a function taking any number of arguments."""


BOTH = ("xmile", "mdl")
"""Dialects of a function that means the same in XMILE and Vensim."""


def _e(name: str, n: tuple[int, int], signature: str, doc: str, template: str,
       aliases: tuple[str, ...] = (), dialects: tuple[str, ...] = ("xmile",)) -> Builtin:
    return Builtin(name, n[0], n[1], BuiltinKind.ELEMENTWISE, signature, doc, template,
                   dialects=dialects, aliases=aliases)


_FUNCTIONS: tuple[Builtin, ...] = (
    _e("ABS", (1, 1), "ABS(x)", "Absolute value.", "k.abs({0})", dialects=BOTH),
    _e("SQRT", (1, 1), "SQRT(x)", "Square root (NaN for negative x).", "k.sqrt({0})",
       dialects=BOTH),
    _e("EXP", (1, 1), "EXP(x)", "e to the power x.", "k.exp({0})", dialects=BOTH),
    _e("LN", (1, 1), "LN(x)", "Natural logarithm.", "k.ln({0})", dialects=BOTH),
    _e("LOG10", (1, 1), "LOG10(x)", "Base-10 logarithm.", "k.log10({0})"),
    _e("SIN", (1, 1), "SIN(x)", "Sine of x radians.", "k.sin({0})", dialects=BOTH),
    _e("COS", (1, 1), "COS(x)", "Cosine of x radians.", "k.cos({0})", dialects=BOTH),
    _e("TAN", (1, 1), "TAN(x)", "Tangent of x radians.", "k.tan({0})", dialects=BOTH),
    _e("ARCSIN", (1, 1), "ARCSIN(x)", "Inverse sine, in radians.", "k.arcsin({0})", dialects=BOTH),
    _e("ARCCOS", (1, 1), "ARCCOS(x)", "Inverse cosine, in radians.", "k.arccos({0})",
       dialects=BOTH),
    _e("ARCTAN", (1, 1), "ARCTAN(x)", "Inverse tangent, in radians.", "k.arctan({0})",
       dialects=BOTH),
    _e("INT", (1, 1), "INT(x)", "Largest integer not above x.", "k.floor({0})"),
    _e("ROUND", (1, 1), "ROUND(x)", "Nearest integer, halves away from zero.",
       "k.round_half_away({0})"),
    _e("MOD", (2, 2), "MOD(a, b)", "Remainder of a / b, with the sign of b.",
       "k.mod({0}, {1})"),
    _e("SAFEDIV", (2, 3), "SAFEDIV(a, b [, x])",
       "a / b, or x (default 0) where b is zero.", "k.safediv({0}, {1}, {2:0.0})"),
    _e("IF THEN ELSE", (3, 3), "IF THEN ELSE(c, a, b)",
       "a where c is non-zero, else b (function form).", "k.where({0}, {1}, {2})",
       aliases=("IF_THEN_ELSE",), dialects=BOTH),
    _e("INF", (0, 0), "INF()", "Positive infinity.", "k.inf"),
    Builtin("MIN", 1, 2, BuiltinKind.REDUCTION, "MIN(a, b) or MIN(array[*])",
            "Smaller of two values, or the smallest element of an array.", dialects=BOTH),
    Builtin("MAX", 1, 2, BuiltinKind.REDUCTION, "MAX(a, b) or MAX(array[*])",
            "Larger of two values, or the largest element of an array.", dialects=BOTH),
    Builtin("SUM", 1, 1, BuiltinKind.REDUCTION, "SUM(array[*])", "Sum of the elements.",
            dialects=BOTH),
    Builtin("MEAN", 1, MANY, BuiltinKind.REDUCTION, "MEAN(array[*]) or MEAN(a, b, ...)",
            "Arithmetic mean of the elements; with several arguments, the mean of all their "
            "values (an extension: the standard has only the one-argument form)."),
    Builtin("PROD", 1, 1, BuiltinKind.REDUCTION, "PROD(array[*])",
            "Product of the elements.", dialects=BOTH),
    Builtin("STDDEV", 1, 1, BuiltinKind.REDUCTION, "STDDEV(array[*])",
            "Population standard deviation of the elements."),
    Builtin("SIZE", 1, 1, BuiltinKind.REDUCTION, "SIZE(array[*])", "Number of elements."),
    Builtin("RANK", 2, 3, BuiltinKind.REDUCTION, "RANK(array[*], n [, tiebreak])",
            "Index (1-based) of the n-th smallest element; n < 0 counts from the largest; "
            "ties go by the elements of tiebreak, else by position."),
    Builtin("PULSE", 1, 3, BuiltinKind.TIME, "PULSE(volume [, first, interval])",
            "volume/DT during the DT starting at first, repeated every interval (> 0)."),
    Builtin("STEP", 2, 2, BuiltinKind.TIME, "STEP(height, start)",
            "0 before start, height from start on."),
    Builtin("RAMP", 2, 3, BuiltinKind.TIME, "RAMP(slope, start [, end])",
            "0 before start, then rising by slope per time unit until end.", dialects=BOTH),
    Builtin("DELAY", 2, 3, BuiltinKind.STATEFUL, "DELAY(input, delay [, initial])",
            "Pipeline (fixed) delay: input as it was delay time units ago; initial "
            "(default: input at the start) before that."),
    Builtin("HISTORY", 2, 2, BuiltinKind.STATEFUL, "HISTORY(x, time)",
            "x as it was at an earlier time (Stella), read from x's recorded steps "
            "(linear between them); x's initial value for times before the start."),
    Builtin("DELAY1", 2, 3, BuiltinKind.STATEFUL, "DELAY1(input, delay [, initial])",
            "First-order material delay (one stock).", dialects=BOTH),
    Builtin("DELAY3", 2, 3, BuiltinKind.STATEFUL, "DELAY3(input, delay [, initial])",
            "Third-order material delay (three stocks in cascade).", dialects=BOTH),
    Builtin("DELAYN", 3, 4, BuiltinKind.STATEFUL, "DELAYN(input, delay, n [, initial])",
            "n-th order material delay (n stocks; n fixed at the start)."),
    Builtin("SMTH1", 2, 3, BuiltinKind.STATEFUL, "SMTH1(input, time [, initial])",
            "First-order exponential smooth."),
    Builtin("SMTH3", 2, 3, BuiltinKind.STATEFUL, "SMTH3(input, time [, initial])",
            "Third-order exponential smooth."),
    Builtin("SMTHN", 3, 4, BuiltinKind.STATEFUL, "SMTHN(input, time, n [, initial])",
            "n-th order exponential smooth."),
    Builtin("TREND", 2, 3, BuiltinKind.STATEFUL, "TREND(input, time [, initial])",
            "Fractional rate of change of input, averaged over time."),
    Builtin("FORECAST", 3, 4, BuiltinKind.STATEFUL,
            "FORECAST(input, time, horizon [, initial])",
            "input extrapolated horizon time units ahead along its TREND.",
            aliases=("FORCST",)),
    Builtin("INIT", 1, 1, BuiltinKind.STATEFUL, "INIT(x)",
            "Value of x at the start of the simulation."),
    Builtin("PREVIOUS", 1, 2, BuiltinKind.STATEFUL, "PREVIOUS(x [, initial])",
            "Value of x one DT earlier; initial (default: x at the start) at the start."),
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
            "files, table[element](x))).", dialects=("xmile", "mdl")),
)

STATISTICAL_FUNCTIONS: dict[str, int] = {
    "EXPRND": 1, "LOGNORMAL": 2, "NORMAL": 2, "POISSON": 1, "RANDOM": 2,
    "WEIBULL": 2, "TRIANGULAR": 3, "LOGISTIC": 2, "BINOMIAL": 2, "BETA": 2,
}
"""XMILE's statistical functions (XMILE 1.0, 3.5.2) and Stella's further distributions
(WEIBULL onwards, appended so that earlier distribution codes keep their numbers): how
many distribution parameters each takes; an optional seed may follow them."""

_SEEDED = " New each DT; a seed (0 to 2^32 - 1) gives the same numbers in every run."

_STATISTICAL = (
    Builtin("EXPRND", 1, 2, BuiltinKind.STATEFUL, "EXPRND(mean [, seed])",
            "Exponential draw of the given mean." + _SEEDED),
    Builtin("LOGNORMAL", 2, 3, BuiltinKind.STATEFUL, "LOGNORMAL(mean, sd [, seed])",
            "Log-normal draw whose own mean and standard deviation are mean and sd (mean "
            "> 0)." + _SEEDED),
    Builtin("NORMAL", 2, 3, BuiltinKind.STATEFUL, "NORMAL(mean, sd [, seed])",
            "Normal draw of the given mean and standard deviation." + _SEEDED),
    Builtin("POISSON", 1, 2, BuiltinKind.STATEFUL, "POISSON(mean [, seed])",
            "Poisson draw (a whole number) of the given mean." + _SEEDED),
    Builtin("WEIBULL", 2, 3, BuiltinKind.STATEFUL, "WEIBULL(shape, scale [, seed])",
            "Weibull draw: scale * (-ln U)^(1/shape) (Stella)." + _SEEDED),
    Builtin("TRIANGULAR", 3, 4, BuiltinKind.STATEFUL,
            "TRIANGULAR(lower, mode, upper [, seed])",
            "Triangular draw between lower and upper peaking at mode (Stella)." + _SEEDED),
    Builtin("LOGISTIC", 2, 3, BuiltinKind.STATEFUL, "LOGISTIC(mean, scale [, seed])",
            "Logistic draw of the given mean and scale (Stella)." + _SEEDED),
    Builtin("BINOMIAL", 2, 3, BuiltinKind.STATEFUL, "BINOMIAL(n, p [, seed])",
            "Number of successes in n trials of probability p (Stella)." + _SEEDED),
    Builtin("BETA", 2, 3, BuiltinKind.STATEFUL, "BETA(a, b [, seed])",
            "Beta draw on [0, 1] with shape parameters a and b (Stella)." + _SEEDED),
    Builtin("RANDOM", 2, 3, BuiltinKind.STATEFUL, "RANDOM(min, max [, seed])",
            "Uniform draw between min and max (the name UNIFORM is not in the standard)."
            + _SEEDED, aliases=("UNIFORM",)),
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
