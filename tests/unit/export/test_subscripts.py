"""wholesystem.export.subscripts: Vensim mappings and equivalences written element by
element, so the XMILE file computes what the Vensim model did."""

from __future__ import annotations

import math

import numpy as np
import pytest

from wholesystem.errors import UnsupportedFeatureError
from wholesystem.export import export_xmile
from wholesystem.export.subscripts import linked_dimensions, write_out_mappings
from wholesystem.parse import read_vensim_text
from wholesystem.parse.xmile import read_xmile_text
from wholesystem.run import Model

CONTROL = "INITIAL TIME = 0 ~~|\nFINAL TIME = 2 ~~|\nTIME STEP = 1 ~~|\nSAVEPER = 1 ~~|\n"


def vensim(equations: str) -> str:
    return "{UTF-8}\n" + equations + CONTROL


def round_trip(equations: str) -> str:
    """The XMILE text of a Vensim model, after checking it runs the same (NaN too)."""
    project = read_vensim_text(vensim(equations), "m.mdl")
    text = export_xmile(project)
    before = Model(project).run()
    after = Model(read_xmile_text(text, "m.xmile")).run()
    np.testing.assert_array_equal(before.to_numpy(), after[before.columns].to_numpy())
    return text


def test_a_range_mapped_onto_the_variables_is_read_element_by_element() -> None:
    text = round_trip(
        "DimB: b1, b2 ~~|\nDimC: c1, c2 -> DimB ~~|\n"
        "source[DimC] = 10, 20 ~~|\nread[DimB] = source[DimC] * 2 ~~|\n")
    assert '<element subscript="b2">' in text
    assert "<eqn>source[c2] * 2</eqn>" in text
    assert "->" not in text


def test_a_mapping_with_listed_elements_pairs_them_as_listed() -> None:
    text = round_trip(
        "DimB: b1, b2, b3 ~~|\nDimC: c1, c2, c3 -> (DimB: b3, b1, b2) ~~|\n"
        "source[DimC] = 1, 2, 3 ~~|\nread[DimB] = source[DimC] ~~|\n")
    assert '<element subscript="b3">' in text
    assert "<eqn>source[c1]</eqn>" in text.split('subscript="b3"')[1]


def test_equations_without_mapped_ranges_stay_apply_to_all() -> None:
    text = round_trip(
        "DimB: b1, b2 ~~|\nDimC: c1, c2 -> DimB ~~|\n"
        "plain[DimC] = 1, 2 ~~|\ntwice[DimC] = plain[DimC] * 2 ~~|\n")
    assert "<eqn>plain[DimC] * 2</eqn>" in text


def test_a_variable_over_a_range_and_its_equivalent_keeps_both() -> None:
    text = round_trip(
        "Dims: A, B ~~|\nCopy <-> Dims ~~|\n"
        "grid[Dims, Copy] = 1, 2; 3, 4; ~~|\nbase[Dims] = 10, 20 ~~|\n"
        "flip[Copy, Dims] = grid[Dims, Copy] + base[Copy] ~~|\n")
    assert '<dim name="Copy">' in text
    flip = text.split('name="flip"')[1]
    assert '<element subscript="A, B">\n          <eqn>grid[B, A] + base[A]</eqn>' in flip


def test_a_vector_function_over_positional_mappings_is_left_whole() -> None:
    project = read_vensim_text(vensim(
        "company: c1, c2 -> scompany ~~|\nscompany: s1, s2 -> company ~~|\n"
        "revenue[company] = 3, 1 ~~|\n"
        "order[scompany] = VECTOR SORT ORDER(revenue[company], 1) ~~|\n"), "m.mdl")
    rewritten = write_out_mappings(project)
    order = rewritten.main.variable_map()["order"]
    assert order.elements == ()
    assert order.equation is not None


def test_a_vector_function_over_a_reordering_mapping_cannot_be_written() -> None:
    project = read_vensim_text(vensim(
        "company: c1, c2 -> (scompany: s2, s1) ~~|\nscompany: s1, s2 ~~|\n"
        "revenue[company] = 3, 1 ~~|\n"
        "order[scompany] = VECTOR SORT ORDER(revenue[company], 1) ~~|\n"), "m.mdl")
    with pytest.raises(UnsupportedFeatureError, match=r"'order'.*does not pair elements"):
        export_xmile(project)


def test_linked_dimensions_name_both_ends() -> None:
    project = read_vensim_text(vensim(
        "DimB: b1, b2 ~~|\nDimC: c1, c2 -> DimB ~~|\nE: x, y ~~|\nF <-> E ~~|\n"
        "v = 1 ~~|\n"), "m.mdl")
    assert linked_dimensions(project) == {"dimb", "dimc", "e", "f"}


def test_missing_values_and_partly_defined_arrays_read_back_as_nan() -> None:
    text = round_trip("Dims: A, B, C ~~|\ngap = :NA: ~~|\n"
                      "part[A] = 1 ~~|\npart[C] = Time ~~|\n")
    assert "<eqn>NAN</eqn>" in text
    again = Model(read_xmile_text(text, "m.xmile")).run()
    assert math.isnan(again["gap"].iloc[0])
    assert math.isnan(again["part[B]"].iloc[0])


def test_a_star_over_a_reordering_mapping_cannot_be_written() -> None:
    project = read_vensim_text(vensim(
        "DimB: b1, b2 ~~|\nDimC: c1, c2 -> (DimB: b2, b1) ~~|\n"
        "x[DimB] = 1, 2 ~~|\ny[DimC] = 3, 4 ~~|\n"
        "v[DimB] = y[DimC] + SUM(x[DimC!]) ~~|\n"), "m.mdl")
    Model(project).run()
    with pytest.raises(UnsupportedFeatureError, match=r"'v' reads whole ranges"):
        export_xmile(project)
