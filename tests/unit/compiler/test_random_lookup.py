"""Vensim RANDOM LOOKUP(look, m, x, h, r, s).

Vensim's reference (RANDOM Number Functions): "RANDOM LOOKUP(look,m,x,h,r,s) RANDOM number
using LOOKUP PDF": the Lookup serves as the probability density function of the number
drawn, which is stretched by r, shifted by h, then truncated to [m, x] ("m is the minimum
value that the function will return ... Truncation occurs after the output has been
stretched and shifted"); s is the stream, ignored here as for every RANDOM function.

The density between the table's points is linear (as a lookup reads it) and nothing lies
outside its x range. Every test below uses the triangle through (0, 0), (1, 1), (2, 0):
area 1, distribution function F(z) = z^2 / 2 up to 1 and 1 - (2 - z)^2 / 2 after, mean 1,
variance 1/6.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from xmile_factory import aux, xmile

from wholesystem.builtins import scalar_kernels, vensim_kernels
from wholesystem.errors import ArityError, ModelStructureError
from wholesystem.parse import read_xmile_text
from wholesystem.run import Model

TRIANGLE = '<gf name="tri"><xscale min="0" max="2"/><ypts>0,1,0</ypts></gf>'
SAMPLES = '<dim name="S" size="400"/>'


def mdl(variables: str, **kwargs: object) -> Model:
    project = read_xmile_text(xmile(variables, **kwargs), "m.xmile")  # type: ignore[arg-type]
    return Model(dataclasses.replace(project, format="mdl"))


def draws(arguments: str) -> np.ndarray:
    """``x[S] = RANDOM LOOKUP(tri, arguments)`` at 50 times x 400 elements."""
    model = mdl(TRIANGLE + aux("x", f"RANDOM_LOOKUP(tri, {arguments})", "S"),
                dimensions=SAMPLES, stop=49)
    return model.run(seed=5).filter(like="x[").to_numpy().reshape(-1)


def _close(values: np.ndarray, mean: float, variance: float) -> None:
    """The sample mean within five standard errors, the variance within 10%."""
    assert abs(values.mean() - mean) < 5 * math.sqrt(variance / values.size)
    assert values.var() == pytest.approx(variance, rel=0.1)


def test_the_table_is_the_density_of_the_draw() -> None:
    """No truncation, stretch 1, shift 0: mean 1, variance 1/6, all in [0, 2], and
    F(0.5) = 0.125 of the draws below 0.5."""
    values = draws("-10, 10, 0, 1, 0")
    assert values.min() >= 0
    assert values.max() <= 2
    _close(values, 1.0, 1 / 6)
    share = float((values < 0.5).mean())
    assert abs(share - 0.125) < 5 * math.sqrt(0.125 * 0.875 / values.size)


def test_stretch_then_shift() -> None:
    """h = 5, r = 2: 5 + 2 X has mean 7, variance 4/6 and lies in [5, 9]."""
    values = draws("-100, 100, 5, 2, 0")
    assert values.min() >= 5
    assert values.max() <= 9
    _close(values, 7.0, 4 / 6)


def test_truncation_keeps_the_shape_inside_the_bounds() -> None:
    """[m, x] = [0, 1]: X given X <= 1 has density 2z on [0, 1], so F(z) = z^2 (a
    quarter below 0.5) and mean 2/3, variance 1/2 - 4/9 = 1/18."""
    values = draws("0, 1, 0, 1, 0")
    assert values.max() <= 1
    _close(values, 2 / 3, 1 / 18)
    assert abs(float((values < 0.5).mean()) - 0.25) < 5 * math.sqrt(0.25 * 0.75 / values.size)


def test_a_negative_stretch_mirrors_the_table() -> None:
    """r = -1: -X lies in [-2, 0] with mean -1."""
    values = draws("-100, 100, 0, -1, 0")
    assert values.min() >= -2
    assert values.max() <= 0
    _close(values, -1.0, 1 / 6)


@pytest.mark.parametrize(("u", "expected"), [
    # F(z) = z^2 / 2 below 1: F(0.5) = 0.125; F(1) = 0.5; F(1.5) = 1 - 0.125
    (0.0, 0.0), (0.125, 0.5), (0.5, 1.0), (0.875, 1.5), (1.0, 2.0),
])
def test_both_kernels_invert_the_distribution_function(u: float, expected: float) -> None:
    xs, ys = [0.0, 1.0, 2.0], [0.0, 1.0, 0.0]
    assert scalar_kernels.random_lookup(u, -9, 9, 0, 1, xs, ys) == pytest.approx(expected)
    vector = vensim_kernels.random_lookup(np.array([u]), -9, 9, 0, 1, np.array(xs),
                                          np.array(ys))
    assert vector[0] == pytest.approx(expected)


def test_a_flat_table_is_uniform_and_a_table_without_area_is_nan() -> None:
    """ys 1, 1 on [0, 2]: F(z) = z / 2, so u = 0.3 gives 0.6; ys all 0: no density, NaN
    (negative ys count as 0)."""
    assert scalar_kernels.random_lookup(0.3, -9, 9, 0, 1, [0, 2], [1, 1]) == pytest.approx(0.6)
    assert math.isnan(scalar_kernels.random_lookup(0.3, -9, 9, 0, 1, [0, 2], [0, -1]))
    assert np.isnan(vensim_kernels.random_lookup(0.3, -9, 9, 0, 1, np.array([0.0, 2]),
                                                 np.array([0.0, -1])))[0]


def test_reproducible_and_the_same_on_both_backends() -> None:
    model = mdl(TRIANGLE + aux("k", "1") + aux("x", "RANDOM_LOOKUP(tri, 0, 2, 0, 1, 0) * k"),
                stop=20)
    single = model.run(seed=2)["x"].to_numpy()
    assert np.array_equal(single, model.run(seed=2)["x"].to_numpy())
    assert len(np.unique(single)) == 21  # a new draw each time step
    ensemble = model.run_many({"k": [1.0, 1.0]}, seed=2)
    assert np.allclose(ensemble.values[:, 0, list(ensemble.columns).index("x")], single)


def test_bad_calls_are_located_errors() -> None:
    with pytest.raises(ModelStructureError, match="graphical function") as err:
        mdl(aux("x", "RANDOM_LOOKUP(5, 0, 1, 0, 1, 0)"), stop=1).run()
    assert "m.xmile:" in str(err.value)
    with pytest.raises(ArityError, match="RANDOM LOOKUP takes 6 argument") as err:
        mdl(TRIANGLE + aux("x", "RANDOM_LOOKUP(tri, 0, 1)"), stop=1).run()
    assert "m.xmile:" in str(err.value)
