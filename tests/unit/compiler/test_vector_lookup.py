"""Vensim's VECTOR LOOKUP, built to its reference page.

"The specified range for x is broken up into n equal intervals where n is one less than
the length of the vector vec": with vec = 2, 1, 3, 5, 4 and x from 0 to 1 the points are
(0, 2), (0.25, 1), (0.5, 3), (0.75, 5), (1, 4). Each mode behaves as the lookup function
the page names; every expected value below is worked out by hand from those points.
"""

from __future__ import annotations

import pytest

from wholesystem.errors import WholesystemError
from wholesystem.parse import read_vensim_text
from wholesystem.run import Model

HEADER = "i: i1, i2, i3, i4, i5 ~~|\nvec[i] = 2, 1, 3, 5, 4 ~~|\n"
SPECS = ("INITIAL TIME = 0 ~~|\nFINAL TIME = 1 ~~|\nTIME STEP = 0.25 ~~|\n"
         "SAVEPER = TIME STEP ~~|\n")


def run(equations: str) -> dict[str, list[float]]:
    model = Model(read_vensim_text(HEADER + equations + SPECS, "m.mdl"))
    results = model.run()
    return {name: list(results[name]) for name in results.columns if name != "Time"}


def at(mode: int, x: float) -> float:
    return run(f"v = VECTOR LOOKUP(vec[i1], {x}, 0, 1, {mode}) ~~|\n")["v"][0]


@pytest.mark.parametrize(("mode", "x", "expected"), [
    # mode 0, a normal lookup: x = 0.3 is a fifth of the way from (0.25, 1) to (0.5, 3):
    # 1 + 0.2 * 2 = 1.4; beyond the ends the end values 2 and 4 are held
    (0, 0.3, 1.4), (0, -0.25, 2.0), (0, 1.25, 4.0),
    # mode 2, LOOKUP BACKWARD: the y of the last point at or before x
    (2, 0.3, 1.0), (2, 0.5, 3.0), (2, 1.25, 4.0),
    # mode 3, LOOKUP EXTRAPOLATE: the end segments extended: below, slope (1 - 2) / 0.25
    # = -4, so 2 + (-0.25) * (-4) = 3; above, slope -4 again: 4 + 0.25 * (-4) = 3
    (3, -0.25, 3.0), (3, 1.25, 3.0), (3, 0.3, 1.4),
    # mode 4, LOOKUP FORWARD: the y of the first point at or after x
    (4, 0.3, 3.0), (4, 0.5, 3.0), (4, -1.0, 2.0),
    # mode 6, LOOKUP SLOPE: (3 - 1) / 0.25 = 8 inside the second interval; 0 beyond the
    # ends where the lookup is flat; mode 9 extends the end slopes (-4)
    (6, 0.3, 8.0), (6, 1.25, 0.0), (9, 1.25, -4.0), (9, -0.5, -4.0),
    # mode 1, area from xmin: to 0.3, the trapezoid (2 + 1) / 2 * 0.25 = 0.375 plus
    # (1 + 1.4) / 2 * 0.05 = 0.06; to 1 all four trapezoids 0.375 + 0.5 + 1 + 1.125 = 3;
    # to 1.25 the end value 4 held: 3 + 0.25 * 4 = 4; below xmin the area is negative
    (1, 0.3, 0.435), (1, 1.0, 3.0), (1, 1.25, 4.0), (1, -0.25, -0.5),
    # mode 7, area with extrapolation: to 1.25 the extended line reaches 3, so the last
    # piece is (4 + 3) / 2 * 0.25 = 0.875: 3.875; below, (2 + 3) / 2 * (-0.25) = -0.625
    (7, 1.25, 3.875), (7, -0.25, -0.625),
])
def test_each_mode_is_the_lookup_function_it_names(mode: int, x: float, expected: float
                                                   ) -> None:
    assert at(mode, x) == pytest.approx(expected)


def test_invert_reads_x_from_y_per_element() -> None:
    """Mode 5 (LOOKUP INVERT) on rising rows: row r1 = 0, 1, 2, 3, 4 over x 0..1 is y = 4x,
    so y = 1 is at x = 0.25 and y = 9 is past the end, clamped to xmax = 1; row r2 = 10,
    20, ..., 50 is y = 10 + 40x, so y = 30 is at 0.5 and y = 1 below the start, clamped
    to xmin = 0. Mode 8 extends the end segments: y = 9 on row r1 is x = 9 / 4 = 2.25,
    y = 1 on row r2 is (1 - 10) / 40 = -0.225."""
    text = ("r: r1, r2 ~~|\ntab[r, i] = 0, 1, 2, 3, 4; 10, 20, 30, 40, 50 ~~|\n"
            "want[r] = 1, 30 ~~|\nfar[r] = 9, 1 ~~|\n"
            "x[r] = VECTOR LOOKUP(tab[r, i1], want[r], 0, 1, 5) ~~|\n"
            "clamped[r] = VECTOR LOOKUP(tab[r, i1], far[r], 0, 1, 5) ~~|\n"
            "beyond[r] = VECTOR LOOKUP(tab[r, i1], far[r], 0, 1, 8) ~~|\n")
    values = run(text)
    assert (values["x[r1]"][0], values["x[r2]"][0]) == pytest.approx((0.25, 0.5))
    assert (values["clamped[r1]"][0], values["clamped[r2]"][0]) == pytest.approx((1, 0))
    assert (values["beyond[r1]"][0], values["beyond[r2]"][0]) == pytest.approx(
        (2.25, -0.225))


def test_the_vector_and_the_mode_may_vary_over_time() -> None:
    """vec may be time varying and x any expression: x = Time on the points above gives
    2, 1, 3, 5, 4 at Time 0, 0.25, ..., 1; vec doubled from Time 0.25 on (STEP(1, 0.2)
    is 1 once Time + TIME STEP / 2 passes 0.2) doubles every later value."""
    values = run("v = VECTOR LOOKUP(vec[i1], Time, 0, 1, 0) ~~|\n"
                 "double[i] = vec[i] * (1 + STEP(1, 0.2)) ~~|\n"
                 "w = VECTOR LOOKUP(double[i1], Time, 0, 1, 0) ~~|\n")
    assert values["v"] == pytest.approx([2, 1, 3, 5, 4])
    assert values["w"][1:] == pytest.approx([2, 6, 10, 8])


def test_a_scalar_first_argument_is_a_located_error() -> None:
    with pytest.raises(WholesystemError, match=r"m\.mdl:\d+:\d+.*VECTOR LOOKUP's first argument"):
        run("s = 3 ~~|\nv = VECTOR LOOKUP(s, Time, 0, 1, 0) ~~|\n")
