"""The specification table: every builtin and construct of the three documents, and what we do.

One :class:`SpecRow` per function or construct of

- XMILE 1.0 (OASIS), the builtin functions of section 3.5 and the model constructs
  (stocks with their conveyor, queue and non-negative options, flows, graphical functions,
  arrays, macros, modules, integration methods);
- Stella / iThink's help, the builtins and constructs it documents beyond XMILE;
- Vensim's function reference (the alphabetical function list) and its naming rules.

Each row is either *supported*, naming the unit test that pins it (by default the row's own
case in ``tests/unit/builtins/test_specification.py``, whose docstring derives the expected
values from ``rule``), or *rejected*, saying why; a rejected function is reported by ``check``
as an unknown function at its line and column, and a rejected construct by the reader as
an unsupported feature. ``rule`` is the definition the implementation follows, in the
document's words as closely as a one-line summary allows.

``python -m wholesystem.builtins.specification > docs/specification.md`` writes the page; a
test checks that the committed page matches, that every registry builtin has a row, that
every supported row's test exists and that every rejected function really is rejected.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["SpecRow", "SPECIFICATION", "SOURCES", "specification_markdown"]

SUPPORTED = "supported"
REJECTED = "rejected"

SOURCES: dict[str, str] = {
    "xmile": "XMILE 1.0 (OASIS Standard, 2015)",
    "stella": "Stella / iThink help (isee systems), beyond XMILE",
    "vensim": "Vensim reference manual, function list and naming rules",
}
"""The three documents, by the key a row's ``source`` uses."""

SPEC_TEST_FILE = "tests/unit/builtins/test_specification.py"
"""Where the per-row cases live."""


@dataclass(frozen=True, slots=True)
class SpecRow:
    """One function or construct of one document."""

    source: str
    """Key of :data:`SOURCES`."""
    section: str
    """Section or group of the document."""
    name: str
    """The function's name (as the document spells it) or the construct."""
    status: str
    """``supported`` or ``rejected``."""
    rule: str
    """The definition followed (supported) or what the document defines (rejected)."""
    test: str = ""
    """Supported: pytest node id of the pinning test; empty means the row's own case."""
    reason: str = ""
    """Rejected: why, and what the user sees."""
    probe: str = ""
    """Rejected function: an equation that must be refused (default ``NAME(1)``); empty
    for constructs."""

    @property
    def key(self) -> str:
        """Identifier of the row's case in the specification tests."""
        return f"{self.source}-{self.name}"

    @property
    def test_id(self) -> str:
        """Node id of the pinning test."""
        return self.test or f"{SPEC_TEST_FILE}::test_row[{self.key}]"


_VB = "tests/unit/compiler/test_vensim_builtins.py::"
_BS = "tests/unit/compiler/test_builtins_semantics.py::"
_ST = "tests/unit/compiler/test_xmile_statistical.py::"
_NN = "tests/unit/compiler/test_non_negative.py::"
_DA = "tests/unit/compiler/test_data.py::"
_AR = "tests/unit/compiler/test_arrays.py::"
_CV = "tests/unit/compiler/test_conveyors.py::"
_UNKNOWN = "check reports 'unknown function' at its line:col."


def _s(source: str, section: str, name: str, rule: str, test: str = "") -> SpecRow:
    return SpecRow(source, section, name, SUPPORTED, rule, test)


def _r(source: str, section: str, name: str, rule: str, reason: str = "",
       probe: str = "") -> SpecRow:
    return SpecRow(source, section, name, REJECTED, rule, reason=reason or _UNKNOWN,
                   probe=probe or f"{name.replace(' ', '_')}(1)")


def _c(source: str, section: str, name: str, rule: str, reason: str) -> SpecRow:
    """A rejected construct: the reader refuses it with an unsupported-feature error."""
    return SpecRow(source, section, name, REJECTED, rule, reason=reason)


X, S, V = "xmile", "stella", "vensim"
_MATH, _STAT, _DELAY = "3.5.1 Mathematical", "3.5.2 Statistical", "3.5.3 Delay"
_TEST, _TIME, _MISC = "3.5.4 Test input", "3.5.5 Time", "3.5.6 Miscellaneous"
_ARRAY = "3.7.1.3 Array functions"

_XMILE: tuple[SpecRow, ...] = (
    _s(X, _MATH, "ABS", "ABS(x): absolute value of x."),
    _s(X, _MATH, "ARCCOS", "ARCCOS(x): inverse cosine, in radians; NaN outside [-1, 1]."),
    _s(X, _MATH, "ARCSIN", "ARCSIN(x): inverse sine, in radians; NaN outside [-1, 1]."),
    _s(X, _MATH, "ARCTAN", "ARCTAN(x): inverse tangent, in radians."),
    _s(X, _MATH, "COS", "COS(x): cosine of x radians."),
    _s(X, _MATH, "EXP", "EXP(x): e raised to the power x."),
    _s(X, _MATH, "INF", "INF: positive infinity (also written INF())."),
    _s(X, _MATH, "INT", "INT(x): the largest integer less than or equal to x (so INT(-2.5) "
                        "= -3: floor, not truncation)."),
    _s(X, _MATH, "LN", "LN(x): natural logarithm; NaN for x < 0."),
    _s(X, _MATH, "LOG10", "LOG10(x): base-10 logarithm."),
    _s(X, _MATH, "MAX", "MAX(a, b): the larger; MAX(array[*]) the largest element."),
    _s(X, _MATH, "MIN", "MIN(a, b): the smaller; MIN(array[*]) the smallest element."),
    _s(X, _MATH, "MOD", "MOD(a, b) (also the infix a MOD b): remainder of a / b with the "
                        "sign of b, so MOD(-7, 3) = 2."),
    _s(X, _MATH, "PI", "PI: 3.14159..."),
    _s(X, _MATH, "SIN", "SIN(x): sine of x radians."),
    _s(X, _MATH, "SQRT", "SQRT(x): square root; NaN for x < 0."),
    _s(X, _MATH, "TAN", "TAN(x): tangent of x radians."),
    _s(X, _STAT, "EXPRND", "EXPRND(mean [, seed]): exponential draw, a new one each DT.",
       _ST + "test_sample_moments_match_the_distribution"),
    _s(X, _STAT, "LOGNORMAL", "LOGNORMAL(mean, sd [, seed]): log-normal draw of that mean "
                              "and standard deviation.",
       _ST + "test_sample_moments_match_the_distribution"),
    _s(X, _STAT, "NORMAL", "NORMAL(mean, sd [, seed]): normal draw.",
       _ST + "test_sample_moments_match_the_distribution"),
    _s(X, _STAT, "POISSON", "POISSON(mean [, seed]): Poisson draw (whole numbers).",
       _ST + "test_supports_of_the_distributions"),
    _s(X, _STAT, "RANDOM", "RANDOM(min, max [, seed]): uniform draw; the same seed gives "
                           "the same numbers in every run.",
       _ST + "test_same_seed_same_numbers_other_seed_other_numbers"),
    _s(X, _DELAY, "DELAY", "DELAY(input, delay [, initial]): input as it was delay time "
                           "units ago (a pipeline); before any input has come through, "
                           "initial, by default the input's initial value."),
    _s(X, _DELAY, "DELAY1", "DELAY1(input, delay [, initial]): first-order material delay, "
                            "one stock starting at initial * delay (initial defaults to "
                            "the input), outflow stock / delay."),
    _s(X, _DELAY, "DELAY3", "DELAY3(input, delay [, initial]): three first-order stages of "
                            "delay / 3 each, in cascade."),
    _s(X, _DELAY, "DELAYN", "DELAYN(input, delay, n [, initial]): n stages of delay / n; n "
                            "fixed at the start (rounded to a whole number)."),
    _s(X, _DELAY, "FORCST", "FORCST(input, averaging time, horizon [, initial]) = input * "
                            "(1 + TREND(input, averaging time, initial) * horizon)."),
    _s(X, _DELAY, "SMTH1", "SMTH1(input, averaging time [, initial]): first-order "
                           "exponential smooth starting at initial (default the input)."),
    _s(X, _DELAY, "SMTH3", "SMTH3(input, averaging time [, initial]): three first-order "
                           "smooths of averaging time / 3 in cascade."),
    _s(X, _DELAY, "SMTHN", "SMTHN(input, averaging time, n [, initial]): n smooths in "
                           "cascade."),
    _s(X, _DELAY, "TREND", "TREND(input, averaging time [, initial]) = (input - average) / "
                           "(average * averaging time), average a SMTH1 of the input "
                           "starting at input / (1 + initial * averaging time); initial "
                           "defaults to 0."),
    _s(X, _TEST, "PULSE", "PULSE(volume [, first, interval]): volume / DT during the DT "
                          "starting at first (default STARTTIME), again every interval; "
                          "interval omitted or 0: one pulse."),
    _s(X, _TEST, "RAMP", "RAMP(slope [, start]): 0 until start, then slope * (TIME - "
                         "start); with end (Stella), constant after end."),
    _s(X, _TEST, "STEP", "STEP(height, start): 0 before start, height from start on."),
    _s(X, _TIME, "DT", "DT: the integration time step."),
    _s(X, _TIME, "STARTTIME", "STARTTIME: the initial time."),
    _s(X, _TIME, "STOPTIME", "STOPTIME: the final time."),
    _s(X, _TIME, "TIME", "TIME: the current time."),
    _s(X, _MISC, "IF THEN ELSE", "IF c THEN a ELSE b: a where c is true (non-zero), else b; "
                                 "also the function form IF_THEN_ELSE(c, a, b)."),
    _s(X, _MISC, "INIT", "INIT(x): the value of x at STARTTIME."),
    _s(X, _MISC, "PREVIOUS", "PREVIOUS(x [, initial]): x one DT ago; at STARTTIME initial, "
                             "by default x's own initial value."),
    _s(X, _MISC, "SELF", "SELF: the variable being defined, inside PREVIOUS or SIZE.",
       _ST + "test_previous_of_self_counts_steps"),
    _s(X, _MISC, "LOOKUP", "LOOKUP(gf, x), also gf(x): the graphical function read at x."),
    _s(X, _ARRAY, "SUM", "SUM(a[*]): sum of the elements."),
    _s(X, _ARRAY, "MEAN", "MEAN(a[*]): arithmetic mean of the elements."),
    _s(X, _ARRAY, "SIZE", "SIZE(a[*]): number of elements."),
    _s(X, _ARRAY, "STDDEV", "STDDEV(a[*]): standard deviation of the elements (population "
                            "form, divided by n)."),
    _s(X, _ARRAY, "RANK", "RANK(a[*], n [, tiebreak]): index (1-based) of the element of "
                          "rank n, ascending."),
    _s(X, "Stocks", "non-negative stock", "<non_negative/> on a stock: outflows are limited "
                                          "so the stock does not go below zero, higher "
                                          "priority (earlier listed) outflows first.",
       _NN + "test_drained_stock_passes_on_only_what_it_held"),
    _s(X, "Flows", "uniflow", "<non_negative/> on a flow: a negative rate is taken as 0.",
       _BS + "test_non_negative_stock_and_uniflow"),
    _s(X, "Stocks", "conveyor", "<conveyor> stock: <len> transit time, leakage outflows "
                                "(<leak/>) whose equation is the leak fraction (see the "
                                "Stella rows for the options).",
       _CV + "test_conveyor_delivers_after_its_transit_time"),
    _c(X, "Stocks", "queue", "<queue> stock: first-in first-out, outflows take whole "
                             "batches in order.",
       "the reader refuses the model: 'queues are not supported' at the stock."),
    _s(X, "Graphical functions", "continuous / extrapolate / discrete",
       "gf type: linear interpolation clamped at the ends; extended linearly; step-wise.",
       _BS + "test_graphical_function_kinds"),
    _s(X, "Arrays", "apply-to-all arrays", "One equation for every element of the "
                                           "dimensions.",
       _AR + "test_apply_to_all_and_reductions"),
    _s(X, "Arrays", "non-apply-to-all arrays", "<element subscript=...> equations, one "
                                               "per element.",
       "tests/unit/parse/test_xmile_reader.py::TestArrays::test_per_element"),
    _s(X, "Arrays", "dimensions in functions", "a[*] and a[dim] wildcards in array "
                                               "functions; a[*, j] partial reductions.",
       _AR + "test_two_dimensions_transpose_and_partial_sum"),
    _s(X, "Macros", "<macro>",
       'Macros "live outside of all other blocks, at the same level as the <model> tag" '
       '(4.8) and "the macro name is used as a function" (3.6.1): <parm> in calling order, '
       'a default="..." "can refer to any parameter already defined"; without <variables> '
       "the call is the <eqn> with each parameter bound to its argument; with them, "
       '"stocks that are defined within a macro MUST have their own instances for each '
       'use of that macro" (4.8.2), so each call site gets its own hidden copies. Wrong '
       "arity is an error at the call's line:col; recursion (optional in XMILE), a "
       "macro's own <sim_specs> and submodels in a macro are refused as unsupported.",
       "tests/unit/parse/test_xmile_macros.py::TestMacroWithVariables::"
       "test_each_call_keeps_its_own_stock"),
    _s(X, "Modules", "modules", "<module> with <connect to from>: a submodel whose inputs "
                                "come from its parent.",
       "tests/unit/parse/test_xmile_reader.py::TestModules::test_instances_and_connections"),
    _s(X, "Simulation specs", "Euler, RK4", "method attribute: Euler or RK4.",
       _BS + "test_rk4_matches_exponential_decay"),
    _c(X, "Simulation specs", "RK2, RK45, Gear", "Other integration methods named by "
                                                  "the standard.",
       "check reports 'unknown-method'; run refuses the method by name."),
)

_STELLA: tuple[SpecRow, ...] = (
    _s(S, "Builtins", "SAFEDIV", "SAFEDIV(a, b [, x]): a / b, or x (default 0) when b = 0."),
    _s(S, "Builtins", "ROUND", "ROUND(x): nearest integer, halves away from zero."),
    _s(S, "Builtins", "FORCST / FORECAST", "FORECAST is Stella's spelling of FORCST.",
       _ST + "test_forcst_is_forecast"),
    _s(S, "Builtins", "RANDOM / UNIFORM", "UNIFORM(min, max [, seed]) as RANDOM.",
       _ST + "test_supports_of_the_distributions"),
    _s(S, "Builtins", "MEAN of several arguments", "MEAN(a, b, ...): mean of all values.",
       _ST + "test_mean_of_several_arguments"),
    _s(S, "Builtins", "PROD", "PROD(a[*]): product of the elements."),
    _s(S, "Builtins", "WEIBULL", "WEIBULL(shape, scale [, seed, min, max, sample]): Weibull "
                                 "draw.",
       _ST + "test_sample_moments_match_the_distribution"),
    _s(S, "Builtins", "seed, min, max, sample (distribution options)",
       "'The builtins generating random number all take 4 optional arguments (except "
       "RANDOM which only takes <seed>)': a seed other than NAN gives 'the same values ... "
       "every time the model is run'; min and max are 'the minimum [maximum] acceptable "
       "value' (a truncated distribution; NAN for none); with sample 1 a draw stays 'the "
       "same during each unit time interval changing only at time 1, 2, 3'. A seed computed "
       "from the element (P * 332) seeds each element on its first draw.",
       "tests/unit/compiler/test_stella_distribution_options.py::"
       "test_min_and_max_truncate_the_distribution"),
    _s(S, "Builtins", "TRIANGULAR", "TRIANGULAR(lower, mode, upper [, seed]): triangular draw.",
       _ST + "test_sample_moments_match_the_distribution"),
    _s(S, "Builtins", "LOGISTIC", "LOGISTIC(mean, scale [, seed]): logistic draw.",
       _ST + "test_sample_moments_match_the_distribution"),
    _s(S, "Builtins", "BINOMIAL", "BINOMIAL(n, p [, seed]): binomial draw.",
       _ST + "test_sample_moments_match_the_distribution"),
    _s(S, "Builtins", "BETA", "BETA(a, b [, seed]): beta draw.",
       _ST + "test_sample_moments_match_the_distribution"),
    _s(S, "Builtins", "HISTORY", "HISTORY(x, time): x as it was at an earlier time; x's "
                                 "initial value before the start."),
    _s(S, "Builtins", "SINWAVE", "SINWAVE(amplitude, period) = amplitude * SIN(2 * PI * "
                                 "TIME / period)."),
    _s(S, "Builtins", "COSWAVE", "COSWAVE(amplitude, period) = amplitude * COS(2 * PI * "
                                 "TIME / period)."),
    _s(S, "Builtins", "LOOKUPINV", "LOOKUPINV(gf, y): the x at which the (monotonic) "
                                   "graphical function gf reaches y."),
    _s(S, "Conveyors", "transit time", "Material put on a conveyor in a DT comes off "
                                       "transit time later (slats of one DT; the transit "
                                       "time is sampled when material enters: 'once it is "
                                       "placed, transit time has no effect on it').",
       _CV + "test_transit_time_is_sampled_as_material_enters"),
    _s(S, "Conveyors", "initial contents", "A conveyor's initial value is spread evenly "
                                           "over its slats.",
       _CV + "test_initial_contents_are_spread_over_the_slats"),
    _s(S, "Conveyors", "leakage (linear)", "'The fraction of inflowing material that makes "
                                           "it to the conveyor's outflow is exactly 1 - "
                                           "leakage_fraction'; it leaks evenly over the "
                                           "slats of the leak zone.",
       _CV + "test_linear_leakage_removes_its_fraction_along_the_way"),
    _s(S, "Conveyors", "leakage (exponential)", "exponential_leak: each DT a slat loses "
                                                "fraction * DT of what it holds.",
       _CV + "test_exponential_leakage_takes_a_fraction_of_what_is_there"),
    _s(S, "Conveyors", "leak zones", "leak_start, leak_end: leakage only between these "
                                     "fractions of the length.",
       _CV + "test_a_leak_zone_leaks_only_there"),
    _c(S, "Conveyors", "capacity, inflow limit", "Nothing enters beyond capacity or above "
                                                 "the inflow limit; inflows cut in priority "
                                                 "order.",
       "the reader refuses the model, naming <capacity> or <in_limit> at the stock."),
    _c(S, "Conveyors", "arrest, sampling, discrete batches, spread inputs, FIFO with varying "
                       "transit time", "Stella's further conveyor options.",
       "the reader refuses the model, naming the option (or isee:spreadflow) where it "
       "is written."),
    _c(S, "Queues", "queue", "First-in first-out stock of batches.",
       "the reader refuses the model: 'queues are not supported' at the stock."),
    _c(S, "Ovens", "oven", "A batch stock that fills, cooks for a time, then empties.",
       "the reader refuses the model: 'ovens are not supported' at the stock."),
    _s(S, "Modules", "module-to-module connections", "A connection written on the source "
                                                     "module feeds the target module.",
       "tests/wild/test_wild_models.py::test_wild_model_runs_or_gets_a_located_diagnostic"),
    _s(S, "Builtins", "FACTORIAL", "FACTORIAL(n) = n!, e.g. FACTORIAL(5) = 5 * 4 * 3 * 2 * 1 "
                                   "= 120; Γ(n + 1) between whole numbers, NaN at negative "
                                   "whole numbers."),
    _s(S, "Builtins", "COMBINATIONS", "COMBINATIONS(n, r): 'the number of r-element subsets "
                                      "(or r-combinations) of an n-element set', n! / [r! * "
                                      "(n - r)!]; COMBINATIONS(5, 3) = 10; 0 when r > n."),
    _s(S, "Builtins", "PERMUTATIONS", "PERMUTATIONS(n, r): the ordered arrangements of r of "
                                      "n elements, n! / (n - r)!; 0 when r > n."),
    _s(S, "Builtins", "GAMMALN", "GAMMALN(x): natural logarithm of the gamma function, x > "
                                 "0 (NaN otherwise)."),
    *(_s(S, "Builtins", name, rule) for name, rule in (
        ("FV", "FV(rate, nper, pmt [, pv]): the help's 'pv * (1 + rate)^nper + (pmt / rate) * "
               "((1 + rate)^nper - 1) + fv = 0 (for rate <> 0); pv + pmt * nper + fv = 0 (for "
               "rate = 0)' solved for fv; 'cash paid out is represented by a negative "
               "number'; the first payment 'at the end of the first period'; pv 0 when "
               "left out."),
        ("PMT", "PMT(rate, nper, pv [, fv]): the same equation solved for pmt; the help's "
                "example, a 10,000 loan at 1% a month repaid in 36 payments, gives -332.14; "
                "fv 0 when left out."),
        ("PV", "PV(rate, nper, pmt [, fv]): the same equation solved for pv; fv 0 when left "
               "out."),
    )),
    *(_r(S, "Builtins", name, rule) for name, rule in (
        ("ARRAYIDX", "ARRAYIDX([dimension]): the index of the element being computed."),
        ("CGROWTH", "CGROWTH(percent): rate per DT compounding to percent per time unit."),
        ("COUNTER", "COUNTER(start, end): TIME counted from start, wrapping at end."),
        ("DERIVN", "DERIVN(x, n): n-th derivative of x with respect to TIME."),
        ("ENDVAL", "ENDVAL(x [, initial]): x's value at the end of the previous run."),
        ("GAMMA", "GAMMA(shape [, scale, seed]): gamma draw."),
        ("GEOMETRIC", "GEOMETRIC(p [, seed]): geometric draw."),
        ("INVNORM", "INVNORM(p [, mean, sd]): inverse normal distribution."),
        ("IRR", "IRR(stream [, initial]): internal rate of return."),
        ("MEDIAN", "MEDIAN(a[*]): median of the elements."),
        ("MONTECARLO", "MONTECARLO(probability [, seed]): 1 with probability per time unit."),
        ("NEGBINOMIAL", "NEGBINOMIAL(successes, p [, seed]): negative binomial draw."),
        ("NORMALCDF", "NORMALCDF(x [, mean, sd]): normal distribution function."),
        ("NPV", "NPV(stream, rate [, initial]): net present value."),
        ("PAUSE", "PAUSE(interval): pauses the run (interactive)."),
        ("PERCENTILE", "PERCENTILE(a[*], p): p-th percentile of the elements."),
        ("RUNCOUNT", "RUNCOUNT: number of the current run in a sensitivity set."),
        ("CTMEAN", "CTMEAN(flow): mean cycle time of material in a flow."),
        ("TRANSTIME", "TRANSTIME(conveyor): the conveyor's transit time."),
        ("QUEUE", "QUEUE(queue, position): the batch at a position in a queue."),
    )),
)
"""Stella rows. Rejected functions are named here so a modeller sees they are known and
not built, rather than a typo."""

_VM = "Functions"
_VENSIM: tuple[SpecRow, ...] = (
    _s(V, _VM, "ABS", "ABS(x): absolute value."),
    _s(V, _VM, "ACTIVE INITIAL", "ACTIVE INITIAL(active, initial): initial while the model "
                                 "initialises, active afterwards.",
       _VB + "test_active_initial_uses_its_initial_equation_while_initialising"),
    _s(V, _VM, "ALLOCATE AVAILABLE", "ALLOCATE AVAILABLE(request, pp, avail): priority "
                                     "profiles 0-4 (fixed, rectangular, triangular, "
                                     "normal, exponential).",
       _VB + "test_allocate_available_shares_by_priority_profile"),
    _r(V, _VM, "ALLOCATE AVAILABLE profile 5", "ptype 5: constant elasticity curve.",
       "the manual names a truncated constant elasticity curve without a definition we "
       "could read: a profile that writes ptype 5 is refused at the element "
       "(unsupported feature, file:line:col); a computed ptype 5 gives NaN, reported by "
       "the run's non-finite warning.",
       probe=""),
    _s(V, _VM, "ALLOCATE BY PRIORITY", "ALLOCATE BY PRIORITY(request, priority, size, "
                                       "width, supply).",
       _VB + "test_allocate_by_priority_serves_higher_priorities_first"),
    _s(V, _VM, "ARCCOS", "ARCCOS(x): inverse cosine, in radians."),
    _s(V, _VM, "ARCSIN", "ARCSIN(x): inverse sine, in radians."),
    _s(V, _VM, "ARCTAN", "ARCTAN(x): inverse tangent, in radians."),
    _s(V, _VM, "COS", "COS(x): cosine."),
    _s(V, _VM, "COSH", "COSH(x): hyperbolic cosine."),
    _s(V, _VM, "DELAY1", "DELAY1(input, delay): one stock starting at input * delay, "
                         "outflow stock / delay."),
    _s(V, _VM, "DELAY1I", "DELAY1I(input, delay, initial): as DELAY1, stock starting at "
                          "initial * delay."),
    _s(V, _VM, "DELAY3", "DELAY3(input, delay): three stages of delay / 3."),
    _s(V, _VM, "DELAY3I", "DELAY3I(input, delay, initial): each stage starts at initial * "
                          "delay / 3.",
       _VB + "test_delay3i_starts_every_stock_at_initial_times_a_third_of_the_delay"),
    _s(V, _VM, "DELAY FIXED", "DELAY FIXED(input, delay, initial): input delayed by the "
                              "delay time fixed at the start, at least one TIME STEP.",
       _VB + "test_delay_fixed_shifts_by_its_initial_delay_time"),
    _s(V, _VM, "DELAY INFORMATION", "DELAY INFORMATION(input, delay, initial): like "
                                    "DELAY3I, for information.",
       _VB + "test_delay_information_follows_a_changing_delay"),
    _s(V, _VM, "DELAY MATERIAL", "DELAY MATERIAL(input, delay, initial, ...): conserving "
                                 "delay.",
       _VB + "test_delay_material_conserves_what_enters"),
    _s(V, _VM, "DELAY N", "DELAY N(input, delay, initial, n): n stages, each starting at "
                          "initial * delay / n.",
       _VB + "test_delay_n_conserves_material_and_matches_delay1i"),
    _r(V, _VM, "DELAY BATCH", "DELAY BATCH: batches released together."),
    _r(V, _VM, "DELAY CONVEYOR", "DELAY CONVEYOR(input, delay, leak, ...): conveyor delay."),
    _r(V, _VM, "DELAY PROFILE", "DELAY PROFILE: delay with an output profile."),
    _r(V, _VM, "DEPRECIATE BY SCHEDULE", "DEPRECIATE BY SCHEDULE: depreciation schedule."),
    _r(V, _VM, "DEPRECIATE STRAIGHTLINE", "DEPRECIATE STRAIGHTLINE: straight-line "
                                          "depreciation."),
    _s(V, _VM, "ELMCOUNT", "ELMCOUNT(range): number of elements.",
       _VB + "test_reductions_and_elmcount"),
    _s(V, _VM, "EXP", "EXP(x): e to the power x."),
    _r(V, _VM, "FIND ZERO", "FIND ZERO: solves for a zero of an expression."),
    _s(V, _VM, "FORECAST", "FORECAST(input, average time, horizon).",
       _VB + "test_forecast_extrapolates_along_trend"),
    _s(V, _VM, "GAME", "GAME(x): x outside gaming."),
    _s(V, _VM, "GAMMA LN", "GAMMA LN(x): natural logarithm of the gamma function, x > 0."),
    _s(V, _VM, "GET DATA AT TIME", "GET DATA AT TIME(data, time).", _DA + "test_data_queries"),
    _s(V, _VM, "GET DATA BETWEEN TIMES", "GET DATA BETWEEN TIMES(data, time, mode).",
       _DA + "test_data_queries"),
    _s(V, _VM, "GET DATA FIRST TIME", "GET DATA FIRST TIME(data).", _DA + "test_data_queries"),
    _s(V, _VM, "GET DATA LAST TIME", "GET DATA LAST TIME(data).", _DA + "test_data_queries"),
    _s(V, _VM, "GET DATA TOTAL POINTS", "GET DATA TOTAL POINTS(data).",
       _DA + "test_data_queries"),
    _r(V, _VM, "GET DATA MAX", "GET DATA MAX(data, start, end)."),
    _r(V, _VM, "GET DATA MIN", "GET DATA MIN(data, start, end)."),
    _r(V, _VM, "GET DATA MEAN", "GET DATA MEAN(data, start, end)."),
    _s(V, _VM, "GET DIRECT CONSTANTS", "Constants from a sheet or text file.",
       _DA + "test_constants_from_csv_and_tab_files"),
    _s(V, _VM, "GET DIRECT DATA", "Time series from a sheet or text file.",
       _DA + "test_data_down_a_column_interpolates_and_holds_the_ends"),
    _s(V, _VM, "GET DIRECT LOOKUPS", "Lookups from a sheet or text file.",
       _DA + "test_lookups_become_graphical_functions"),
    _s(V, _VM, "GET DIRECT SUBSCRIPT", "Subscript elements from cells.",
       _DA + "test_subscript_cells_across_then_down_with_prefix"),
    _s(V, _VM, "GET XLS CONSTANTS", "Constants from an Excel workbook.",
       _DA + "test_xls_workbooks_are_read"),
    _s(V, _VM, "GET XLS DATA", "Data from an Excel workbook.", _DA + "test_xls_workbooks_are_read"),
    _s(V, _VM, "GET XLS LOOKUPS", "Lookups from an Excel workbook.",
       _DA + "test_xls_workbooks_are_read"),
    _s(V, _VM, "GET XLS SUBSCRIPT", "Subscripts from an Excel workbook.",
       _DA + "test_xls_workbooks_are_read"),
    _r(V, _VM, "GET VDF CONSTANTS", "GET VDF CONSTANTS: constants from a Vensim data file "
                                    "(a proprietary binary format)."),
    _r(V, _VM, "GET VDF DATA", "GET VDF DATA: data from a Vensim data file."),
    _r(V, _VM, "GET VDF LOOKUPS", "GET VDF LOOKUPS: lookups from a Vensim data file."),
    _r(V, _VM, "GET 123 CONSTANTS", "GET 123 ...: Lotus 1-2-3 files (obsolete)."),
    _s(V, _VM, "GET TIME VALUE", "GET TIME VALUE(relative, offset, measure): measure 0 is "
                                 "simulation time (relative 0: Time, 1: INITIAL TIME)."),
    _r(V, _VM, "GET TIME VALUE calendar measures", "measures 1-10: calendar and clock "
                                                   "(year, month, day ...).",
       "a written measure other than 0 is refused at its line:col (unsupported feature): "
       "a simulation has no calendar; a computed one gives NaN.", probe=""),
    _s(V, _VM, "IF THEN ELSE", "IF THEN ELSE(c, a, b)."),
    _s(V, _VM, "INITIAL", "INITIAL(x): x's value at the initial time.",
       _VB + "test_initial_and_reinitial_hold_the_start_value"),
    _s(V, _VM, "INTEG", "INTEG(rate, initial): a level.", _VB + "test_nested_integ_is_a_stock"),
    _s(V, _VM, "INTEGER", "INTEGER(x): x truncated toward zero (INTEGER(-2.5) = -2)."),
    _s(V, _VM, "INVERT MATRIX", "INVERT MATRIX(m, n): matrix inverse.",
),
    _s(V, _VM, "LN", "LN(x): natural logarithm."),
    _s(V, _VM, "LOG", "LOG(x, base)."),
    _s(V, "Lookups", "LOOKUP", "A lookup table is read by calling it, table(x): linear "
                               "between points, the end values held outside."),
    _s(V, _VM, "LOOKUP AREA", "LOOKUP AREA(table, x1, x2): area under the table.",
       _VB + "test_lookup_functions_match_the_manual"),
    _s(V, _VM, "LOOKUP BACKWARD", "LOOKUP BACKWARD(table, x): value at the point at or "
                                  "before x.", _VB + "test_lookup_functions_match_the_manual"),
    _s(V, _VM, "LOOKUP EXTRAPOLATE", "LOOKUP EXTRAPOLATE(table, x): extended linearly.",
       _VB + "test_lookup_functions_match_the_manual"),
    _s(V, _VM, "LOOKUP FORWARD", "LOOKUP FORWARD(table, x): value at the point at or after "
                                 "x.", _VB + "test_lookup_functions_match_the_manual"),
    _s(V, _VM, "LOOKUP INVERT", "LOOKUP INVERT(table, y): x where the table reaches y.",
       _VB + "test_lookup_functions_match_the_manual"),
    _s(V, _VM, "MAX", "MAX(a, b)."),
    _r(V, _VM, "MESSAGE", "MESSAGE: shows a message (interactive)."),
    _s(V, _VM, "MIN", "MIN(a, b)."),
    _s(V, _VM, "MODULO", "MODULO(a, b): remainder with the sign of b (MODULO(-7, 3) = 2)."),
    _s(V, _VM, "NPV", "NPV(stream, rate, initial, factor).",
       _VB + "test_npv_accumulates_the_discounted_stream"),
    _s(V, _VM, "NPVE", "NPVE(stream, discount rate, init val, factor): 'Net Present Value "
                       "with End of period valuation ... Equivalent to the equations: MYNPVE = "
                       "(NPV ACCUM + stream * TIME STEP * df) * factor; NPV ACCUM = INTEG("
                       "stream * df, init val); df = INTEG(-df * discount rate / (1 + discount "
                       "rate * TIME STEP), 1 / (1 + discount rate * TIME STEP))'."),
    _s(V, _VM, "POWER", "POWER(a, b): a to the power b."),
    _s(V, _VM, "PROD", "PROD(a[range!]): product of the elements."),
    _s(V, _VM, "PULSE", "PULSE(start, width): 1 from start for width (one TIME STEP when "
                        "width is 0), compared at Time + TIME STEP / 2."),
    _s(V, _VM, "PULSE TRAIN", "PULSE TRAIN(start, width, between, end).",
       _VB + "test_pulse_step_pulse_train_ramp_time_base"),
    _s(V, _VM, "QUANTUM", "QUANTUM(a, q): a truncated to a multiple of q; a when q <= 0.",
       _VB + "test_mathematical_functions"),
    _r(V, _VM, "QUEUE FIFO", "QUEUE FIFO and the other QUEUE functions: discrete queues."),
    _s(V, _VM, "RAMP", "RAMP(slope, start, end): 0 before start, slope * (Time - start) "
                       "until end, then constant."),
    *(_s(V, _VM, name, f"{name}: documented distribution, truncated to [min, max].",
         _VB + "test_random_draws_are_seeded_and_per_element")
      for name in ("RANDOM 0 1", "RANDOM BETA", "RANDOM BINOMIAL", "RANDOM EXPONENTIAL",
                   "RANDOM GAMMA", "RANDOM NEGATIVE BINOMIAL", "RANDOM NORMAL",
                   "RANDOM POISSON", "RANDOM TRIANGULAR", "RANDOM UNIFORM",
                   "RANDOM WEIBULL")),
    _s(V, _VM, "RANDOM LOOKUP", "RANDOM LOOKUP(look, m, x, h, r, s): 'RANDOM number using "
                                "LOOKUP PDF': the lookup (linear between its points) is "
                                "the density of the draw, which is stretched by r, shifted "
                                "by h and truncated to [m, x]; a table without area gives "
                                "NaN.",
       "tests/unit/compiler/test_random_lookup.py::test_the_table_is_the_density_of_the_draw"),
    _r(V, _VM, "RANDOM PINK NOISE", "RANDOM PINK NOISE: autocorrelated noise."),
    _s(V, _VM, "REINITIAL", "REINITIAL(x): as INITIAL.",
       _VB + "test_initial_and_reinitial_hold_the_start_value"),
    _s(V, _VM, "SAMPLE IF TRUE", "SAMPLE IF TRUE(c, x, initial): x while c, else held.",
       _VB + "test_sample_if_true_holds_its_last_sample"),
    _r(V, _VM, "SHIFT IF TRUE", "SHIFT IF TRUE: shifts array elements (conveyor-like)."),
    _r(V, _VM, "SIMULTANEOUS", "SIMULTANEOUS: solves simultaneous equations."),
    _s(V, _VM, "SIN", "SIN(x): sine."),
    _s(V, _VM, "SINH", "SINH(x): hyperbolic sine."),
    _s(V, _VM, "SMOOTH", "SMOOTH(input, time): first-order smooth starting at the input.",
       _VB + "test_smooth_and_smoothi"),
    _s(V, _VM, "SMOOTHI", "SMOOTHI(input, time, initial).", _VB + "test_smooth_and_smoothi"),
    _s(V, _VM, "SMOOTH3", "SMOOTH3(input, time): three smooths of time / 3.",
       _VB + "test_smooth3_is_three_smooths_over_a_third_of_the_time"),
    _s(V, _VM, "SMOOTH3I", "SMOOTH3I(input, time, initial).",
       _VB + "test_smooth3_is_three_smooths_over_a_third_of_the_time"),
    _s(V, _VM, "SMOOTH N", "SMOOTH N(input, time, initial, n).",
       _VB + "test_delay_n_conserves_material_and_matches_delay1i"),
    _s(V, _VM, "SQRT", "SQRT(x)."),
    _s(V, _VM, "STEP", "STEP(height, time): 0 until time, then height, compared at Time + "
                       "TIME STEP / 2."),
    _s(V, _VM, "SUM", "SUM(a[range!]): sum of the elements.", _VB + "test_reductions_and_elmcount"),
    _s(V, _VM, "TAN", "TAN(x)."),
    _s(V, _VM, "TANH", "TANH(x): hyperbolic tangent."),
    _s(V, _VM, "TIME BASE", "TIME BASE(start, slope) = start + Time * slope.",
       _VB + "test_pulse_step_pulse_train_ramp_time_base"),
    _s(V, _VM, "TREND", "TREND(input, average time, initial).",
       _VB + "test_trend_follows_vensim_equations"),
    _s(V, _VM, "VECTOR ELM MAP", "VECTOR ELM MAP(vector, offset).",
       _VB + "test_vector_elm_map_offsets_from_an_element"),
    _s(V, _VM, "VECTOR LOOKUP", "VECTOR LOOKUP(vec, x, xmin, xmax, mode): 'the specified "
                                "range for x is broken up into n equal intervals where n "
                                "is one less than the length of the vector vec' (its last "
                                "subscript); mode 0-9 behaves as a normal lookup, LOOKUP "
                                "AREA (from xmin), BACKWARD, EXTRAPOLATE, FORWARD, INVERT, "
                                "SLOPE, and AREA, INVERT, SLOPE with extrapolation.",
       "tests/unit/compiler/test_vector_lookup.py::"
       "test_each_mode_is_the_lookup_function_it_names"),
    _s(V, _VM, "VECTOR RANK", "VECTOR RANK(vector, direction).",
       _VB + "test_vector_rank_sort_order_and_reorder"),
    _s(V, _VM, "VECTOR REORDER", "VECTOR REORDER(vector, order).",
       _VB + "test_vector_rank_sort_order_and_reorder"),
    _s(V, _VM, "VECTOR SELECT", "VECTOR SELECT(selection, expression, missing, numerical "
                                "action, error action).", _VB + "test_vector_select_actions"),
    _s(V, _VM, "VECTOR SORT ORDER", "VECTOR SORT ORDER(vector, direction).",
       _VB + "test_vector_rank_sort_order_and_reorder"),
    _s(V, _VM, "VMAX", "VMAX(a[range!]).", _VB + "test_reductions_and_elmcount"),
    _s(V, _VM, "VMIN", "VMIN(a[range!]).", _VB + "test_reductions_and_elmcount"),
    _s(V, _VM, "WITH LOOKUP", "WITH LOOKUP(x, (table)): an embedded lookup read at x."),
    _s(V, _VM, "XIDZ", "XIDZ(a, b, x): a / b, or x when b = 0."),
    _s(V, _VM, "ZIDZ", "ZIDZ(a, b): a / b, or 0 when b = 0."),
    _s(V, "Names", "quoted names", "Names in double quotes may hold any character but a "
                                   "double quote (escaped with a backslash).",
       "tests/unit/parse/test_vensim_definitions.py::TestNamesAndCalls::test_quoted_names"),
    _s(V, "Names", "spaces and underscores", "Spaces, underscores and runs of them are the "
                                             "same in a name; case does not matter.",
       "tests/unit/parse/test_vensim_definitions.py::TestNamesAndCalls::"
       "test_names_with_spaces_underscores_and_case"),
)

SPECIFICATION: tuple[SpecRow, ...] = _XMILE + _STELLA + _VENSIM
"""Every row, in document order."""


def specification_markdown(wild_table: str = "") -> str:
    """The specification page; ``wild_table`` is docs/wild-models.md, appended."""
    supported = sum(row.status == SUPPORTED for row in SPECIFICATION)
    lines = ["# Specification", "",
             "Generated from `src/wholesystem/builtins/specification.py` by "
             "`python -m wholesystem.builtins.specification`; do not edit by hand.", "",
             "One row per builtin function and construct of the three documents below. A "
             "supported row names the unit test that pins it; its expected values are "
             "derived by hand from the rule in the test's docstring. A rejected row says "
             "what the modeller sees. Names are case-insensitive; `_` and space are the "
             "same character.", "",
             f"{len(SPECIFICATION)} rows: {supported} supported, "
             f"{len(SPECIFICATION) - supported} rejected.", ""]
    for source, title in SOURCES.items():
        lines += [f"## {title}", "", "| section | name | status | rule | test or reason |",
                  "| --- | --- | --- | --- | --- |"]
        for row in SPECIFICATION:
            if row.source != source:
                continue
            where = f"`{row.test_id}`" if row.status == SUPPORTED else row.reason
            lines.append(f"| {row.section} | {row.name} | {row.status} | {row.rule} "
                         f"| {where} |")
        lines.append("")
    if wild_table:
        body = wild_table.split("\n", 1)[1] if wild_table.startswith("# ") else wild_table
        lines += ["## Models from the wild", "", body.strip(), ""]
    return "\n".join(lines)


def _wild_table() -> str:
    page = Path(__file__).parents[3] / "docs" / "wild-models.md"
    return page.read_text(encoding="utf-8") if page.is_file() else ""


if __name__ == "__main__":  # pragma: no cover
    print(specification_markdown(_wild_table()), end="")
