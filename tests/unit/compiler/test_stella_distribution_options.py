"""Stella's common optional arguments of its distribution builtins: seed, min, max, sample.

Stella's help (Statistical builtins, "Common Parameters", versions 1.7 to 3): "The builtins
generating random number all take 4 optional arguments (except RANDOM which only takes
<seed>)": <seed> ("If you specify a value for seed other than NAN, the same values will
occur every time the model is run"), <min> and <max> ("the minimum [maximum] acceptable
value for the generated random number. This is useful when you want to truncate a
distribution ... Leave empty or use NAN to specify no minimum") and <sample> ("using 1 will
keep the same during each unit time interval changing only at time 1, 2, 3 and so on
independent of DT").
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from xmile_factory import aux, model_of

from wholesystem.errors import ArityError, ModelStructureError

SAMPLES = '<dim name="S" size="400"/>'


def draws(equation: str, stop: int = 49, dt: float = 1) -> np.ndarray:
    """Every element of ``x[S] = equation`` at every time: (stop / dt + 1) x 400 values."""
    results = model_of(aux("x", equation, "S"), dimensions=SAMPLES, stop=stop,
                       dt=dt).run(seed=11)
    return results.filter(like="x[").to_numpy()


def _weibull_cdf(x: float, shape: float, scale: float) -> float:
    return 1 - math.exp(-((x / scale) ** shape))


def test_min_and_max_truncate_the_distribution() -> None:
    """WEIBULL(2, 1, NAN, 0.5, 1.2): no seed, truncated to [0.5, 1.2].

    Truncation keeps the distribution's shape inside the bounds, so the share of draws
    below 0.8 is (F(0.8) - F(0.5)) / (F(1.2) - F(0.5)) with F(x) = 1 - exp(-x^2):
    (0.472708 - 0.221199) / (0.763072 - 0.221199) = 0.46415.
    """
    values = draws("WEIBULL(2, 1, NAN, 0.5, 1.2)").reshape(-1)
    assert values.min() >= 0.5
    assert values.max() <= 1.2
    expected = ((_weibull_cdf(0.8, 2, 1) - _weibull_cdf(0.5, 2, 1))
                / (_weibull_cdf(1.2, 2, 1) - _weibull_cdf(0.5, 2, 1)))
    assert expected == pytest.approx(0.46415, abs=1e-5)
    share = float((values < 0.8).mean())
    assert abs(share - expected) < 5 * math.sqrt(expected * (1 - expected) / values.size)


def test_a_minimum_alone_gives_the_upper_part() -> None:
    """NORMAL(0, 1, NAN, 0): the standard normal kept above 0, a half-normal of mean
    sqrt(2 / pi) = 0.79788 and variance 1 - 2 / pi = 0.36338."""
    values = draws("NORMAL(0, 1, NAN, 0)").reshape(-1)
    assert values.min() >= 0
    mean, variance = math.sqrt(2 / math.pi), 1 - 2 / math.pi
    assert abs(values.mean() - mean) < 5 * math.sqrt(variance / values.size)


def test_a_sample_interval_holds_each_draw_until_the_next_multiple() -> None:
    """NORMAL(0, 1, 5, NAN, NAN, 1) with DT = 0.25 over 0..10: a draw is held for each unit
    interval and changes at TIME = 1, 2, 3 ...: 4 equal values per interval (10 of them)
    and the single value at TIME = 10, so 11 distinct values."""
    results = model_of(aux("x", "NORMAL(0, 1, 5, NAN, NAN, 1)"), stop=10, dt=0.25).run()
    x = results["x"].to_numpy()
    assert len(np.unique(x)) == 11
    for start in range(10):
        block = x[4 * start:4 * start + 4]
        assert np.all(block == block[0])
    assert x[4] != x[3]  # a new draw at TIME = 1


def _ensemble(equation: str, runs: int, stop: int = 5) -> np.ndarray:
    """``x = equation`` over ``runs`` runs of the vector backend: times x runs."""
    results = model_of(aux("k", "1") + aux("x", equation), stop=stop).run_many(
        {"k": [1.0] * runs}, seed=3)
    return results.values[:, :, list(results.columns).index("x")]


def test_a_nan_seed_is_no_seed() -> None:
    """NAN as the seed draws the run's own stream: two runs of an ensemble differ; a
    written seed gives both runs the same numbers."""
    unseeded, seeded = _ensemble("NORMAL(0, 1, NAN)", 2), _ensemble("NORMAL(0, 1, 8)", 2)
    assert not np.allclose(unseeded[:, 0], unseeded[:, 1])
    assert np.allclose(seeded[:, 0], seeded[:, 1])


def test_per_element_seeds_computed_from_the_dimension() -> None:
    """WEIBULL(3, 15.7, P * 332, 0, 30) as the wild model covid-sir-extinction writes it:
    element P of the array has seed P * 332, so its numbers are those of a scalar
    WEIBULL(3, 15.7, seed) with that seed, in every run and whatever the run's seed."""
    dims = '<dim name="P" size="3"/>'
    arrayed = model_of(aux("x", "WEIBULL(3, 15.7, P * 332, 0, 30)", "P"), dimensions=dims,
                       stop=6).run(seed=1)
    for element in (1, 2, 3):
        alone = model_of(aux("x", f"WEIBULL(3, 15.7, {element * 332}, 0, 30)"),
                         stop=6).run(seed=99)
        assert np.allclose(arrayed[f"x[{element}]"], alone["x"])
    values = arrayed.filter(like="x[").to_numpy()
    assert values.min() >= 0
    assert values.max() <= 30
    assert len(np.unique(values)) == values.size  # different seeds, different numbers


def test_optional_arguments_count_and_seeds_must_be_whole() -> None:
    """Two parameters and four optional arguments at most; a written seed must still be
    a whole number (XMILE 1.0, 3.5.2)."""
    with pytest.raises(ArityError, match=r"WEIBULL takes 2 to 6 argument") as err:
        model_of(aux("x", "WEIBULL(1, 2, 3, 4, 5, 6, 7)"), stop=1).run()
    assert "m.xmile:" in str(err.value)
    with pytest.raises(ArityError, match=r"RANDOM takes 2 to 3 argument"):
        model_of(aux("x", "RANDOM(0, 1, 2, 0.5)"), stop=1).run()
    with pytest.raises(ModelStructureError, match="seed of NORMAL"):
        model_of(aux("x", "NORMAL(0, 1, 2.5, 0, 1)"), stop=1).run()


def test_the_options_also_run_on_the_ensemble_backend() -> None:
    """The same truncation and sample interval on 3 runs of the vector backend: every run
    inside [0.5, 1.2], one draw per unit interval, and the runs differ."""
    values = _ensemble("WEIBULL(2, 1, NAN, 0.5, 1.2, 2)", 3, stop=20)
    assert values.min() >= 0.5
    assert values.max() <= 1.2
    assert len(np.unique(values[:, 0])) == 11  # held over [0, 2), [2, 4) ... [20]
    assert not np.allclose(values[:, 0], values[:, 1])
