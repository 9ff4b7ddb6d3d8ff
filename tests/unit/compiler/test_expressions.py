"""wholesystem.compiler.expressions: long and deeply nested equations."""

from __future__ import annotations

import pytest
from xmile_factory import aux, model_of

from wholesystem.errors import UnsupportedFeatureError

DIMS = ('<dim name="Place"><elem name="North"/><elem name="South"/></dim>'
        '<dim name="Age" size="3"/>')


def first_row(variables: str) -> dict[str, float]:
    return model_of(variables, dimensions=DIMS, stop=1).run().iloc[0].to_dict()


def test_a_run_of_terms_meets_arrays_by_dimension_like_nested_operations() -> None:
    row = first_row(aux("by place", "Place * 10", "Place") + aux("by age", "Age", "Age")
                    + aux("total", "1 + by_place - by_age * 2 + by_place", "Place Age")
                    + aux("flipped", "by_age - by_place + by_age", "Place Age"))
    assert row["total[South,3]"] == 1 + 20 - 3 * 2 + 20
    assert row["total[North,1]"] == 1 + 10 - 1 * 2 + 10
    assert row["flipped[South,3]"] == 3 - 20 + 3


def test_hundreds_of_terms_compile() -> None:
    # Each + once nested a pair of brackets; Python stops at 200.
    terms = " + ".join(["by_place"] * 1500) + " - " + " - ".join(["1"] * 499)
    row = first_row(aux("by place", "Place", "Place") + aux("long", terms, "Place"))
    assert row["long[South]"] == 2 * 1500 - 499


@pytest.mark.parametrize(("equation", "message"), [
    (" + ".join(["1"] * 2500), "2500 terms in a row"),
    ("IF 1 THEN " * 300 + "1" + " ELSE 0" * 300, "nested too deeply"),
    ("ABS(" * 3000 + "1" + ")" * 3000, "nested too deeply"),
    ("^".join(["1"] * 3000), "nested too deeply"),
])
def test_equations_python_cannot_compile_are_errors_at_their_line(equation: str,
                                                                   message: str) -> None:
    with pytest.raises(UnsupportedFeatureError, match=message) as caught:
        first_row(aux("deep", equation))
    assert str(caught.value).startswith("m.xmile:9:")
