"""Subranges, mappings, equivalences and per-element bindings (Vensim's array features),
exercised through the IR directly."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from xmile_factory import xmile

from wholesystem.ir.expr import Binary, Call, Number, Reference, Wildcard
from wholesystem.ir.model import Dimension, ElementDefinition, Variable, VariableKind
from wholesystem.parse import read_xmile_text
from wholesystem.run import Model

REGION = Dimension("region", "Region", ("North", "South", "East", "West"))
COAST = Dimension("coast", "Coast", ("South", "East"))
ZONE = Dimension("zone", "Zone", ("z1", "z2", "z3", "z4"),
                 maps_to=(("region", ("west", "east", "south", "north")),))
AREA = Dimension("area", "Area", ("North", "South", "East", "West"), alias_of="region")


def ref(name: str, *subs: str) -> Reference:
    return Reference(name, name, tuple(Reference(s, s) for s in subs))


def model_with(*variables: Variable) -> Model:
    base = read_xmile_text(xmile(""), "m.xmile")
    main = replace(base.main, variables=variables)
    return Model(replace(base, models=(main,), dimensions=(REGION, COAST, ZONE, AREA)))


POP = Variable("pop", "pop", VariableKind.AUX, None, dimensions=("region",), elements=tuple(
    ElementDefinition((e,), Number(float(i + 1))) for i, e in enumerate(
        ("north", "south", "east", "west"))))


def row(model: Model) -> dict[str, float]:
    return model.run().iloc[0].to_dict()


def test_subrange_reference_picks_its_elements() -> None:
    coastal = Variable("coastal", "coastal", VariableKind.AUX, ref("pop", "coast"),
                       dimensions=("coast",))
    values = row(model_with(POP, coastal))
    assert values["coastal[South]"] == 2
    assert values["coastal[East]"] == 3


def test_mapping_reorders_by_the_declared_correspondence() -> None:
    zoned = Variable("zoned", "zoned", VariableKind.AUX, ref("pop", "zone"),
                     dimensions=("zone",))
    values = row(model_with(POP, zoned))
    assert [values[f"zoned[z{i}]"] for i in range(1, 5)] == [4, 3, 2, 1]


def test_equivalent_dimension_reads_element_for_element() -> None:
    same = Variable("same", "same", VariableKind.AUX, ref("pop", "area"), dimensions=("area",))
    values = row(model_with(POP, same))
    assert values["same[West]"] == 4


def test_partial_definition_over_subranges_uses_bindings() -> None:
    definitions = tuple(
        ElementDefinition((e,), Binary("*", ref("pop", "coast"), Number(10.0)),
                          bindings=(("coast", e),)) for e in ("south", "east")
    ) + tuple(ElementDefinition((e,), Number(0.0)) for e in ("north", "west"))
    scaled = Variable("scaled", "scaled", VariableKind.AUX, None, dimensions=("region",),
                      elements=definitions)
    values = row(model_with(POP, scaled))
    assert [values[f"scaled[{e}]"] for e in ("North", "South", "East", "West")] == [
        0, 20, 30, 0]


def test_sum_over_a_subrange() -> None:
    total = Variable("total", "total", VariableKind.AUX,
                     Call("SUM", (Reference("pop", "pop", (Wildcard("coast"),)),)))
    assert row(model_with(POP, total))["total"] == 5


def test_unrelated_dimension_of_another_size_is_rejected() -> None:
    wrong = Variable("wrong", "wrong", VariableKind.AUX, ref("pop", "coast"),
                     dimensions=("coast",))
    bad_pop = replace(POP, dimensions=("zone",), elements=tuple(
        ElementDefinition((f"z{i}",), Number(1.0)) for i in range(1, 5)))
    with pytest.raises(Exception, match="cannot stand for"):
        model_with(bad_pop, wrong)


EQUIVALENT = """Dims: A, B ~~|
Copy <-> Dims ~~|
grid[Dims, Copy] = 1, 2; 3, 4; ~~|
diagonal[Dims] = grid[Dims, Dims] ~~|
single[Copy] = grid[A, Dims] ~~|
INITIAL TIME = 0 ~~|
FINAL TIME = 1 ~~|
TIME STEP = 1 ~~|
"""


def test_same_dimension_twice_reads_the_diagonal_and_equivalents_relabel() -> None:
    from wholesystem.parse.vensim import read_vensim_text

    values = Model(read_vensim_text(EQUIVALENT, "m.mdl")).run().iloc[0]
    assert (values["diagonal[A]"], values["diagonal[B]"]) == (1, 4)
    assert (values["single[A]"], values["single[B]"]) == (1, 2)


def test_a_subrange_used_as_a_value_numbers_its_elements_in_its_family() -> None:
    numbered = Variable("numbered", "numbered", VariableKind.AUX, ref("coast"),
                        dimensions=("coast",))
    values = row(model_with(numbered))
    assert (values["numbered[South]"], values["numbered[East]"]) == (2, 3)


def test_a_large_subrange_used_as_a_value_is_numbered_in_linear_time() -> None:
    # Numbering once searched the family's element tuple per element: 40,000 elements
    # took about 15 s; by position lookups it takes a fraction of one.
    family = Dimension("big", "Big", tuple(f"e{i}" for i in range(40_000)))
    part = Dimension("part", "Part", family.elements[::-2])
    numbered = Variable("numbered", "numbered", VariableKind.AUX, ref("part"),
                        dimensions=("part",))
    base = read_xmile_text(xmile(""), "m.xmile")
    main = replace(base.main, variables=(numbered,))
    began = time.perf_counter()
    model = Model(replace(base, models=(main,), dimensions=(family, part)))
    assert time.perf_counter() - began < 5
    assert model.run().iloc[0]["numbered[e39999]"] == 40_000
