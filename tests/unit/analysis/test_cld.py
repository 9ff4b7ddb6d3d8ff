"""Hand-drawn causal loop diagrams: the format, its errors, and the comparison with a
model's derived links."""

from __future__ import annotations

from pathlib import Path

import pytest

import wholesystem
from wholesystem.analysis.causal import causal_structure
from wholesystem.analysis.cld import (
    cld_schema_json,
    compare_with_model,
    read_cld,
    read_cld_text,
)
from wholesystem.analysis.loops import find_loops
from wholesystem.errors import SystemFileError

DOCS = Path(__file__).parents[3] / "docs"

TEACUP_DRAWING = """\
cld: 1
name: Teacup, drawn
variables:
  temperature: {label: Tea temperature, model: Teacup Temperature}
  loss: {label: Heat loss, model: heat loss to room}
  room: {label: Room temperature, model: Room Temperature}
  mood: Drinker's mood
links:
  - {from: temperature, to: loss, polarity: "+"}
  - {from: loss, to: temperature, polarity: "+"}
  - {from: mood, to: temperature, polarity: "-"}
"""


def test_the_schema_in_docs_is_the_one_the_reader_uses() -> None:
    assert (DOCS / "cld.schema.json").read_text(encoding="utf-8") == cld_schema_json()


def test_the_workshop_example_reads_and_finds_its_loops() -> None:
    """The workshop map draws delayed -> starts -> delayed (+ then -: B), in_use ->
    starts -> in_use (- then +: B) and delayed -> occupancy -> fit -> delayed (+ - +: B):
    three balancing loops."""
    drawing = read_cld(DOCS / "cld" / "discharge_workshop.cld.yaml")
    loops = find_loops(drawing.graph())
    assert sorted(loop.polarity for loop in loops.loops) == ["B", "B", "B"]
    assert any(loop.delayed for loop in loops.loops)


def test_errors_name_field_line_and_column() -> None:
    """A link to an undeclared variable, a bad polarity and an unknown field are all
    reported at once, each at its line."""
    text = TEACUP_DRAWING.replace('polarity: "-"', 'polarity: "x"') + "colour: red\n"
    with pytest.raises(SystemFileError) as caught:
        read_cld_text(text, "t.cld.yaml")
    rendered = str(caught.value)
    assert "t.cld.yaml:11:" in rendered  # links[2].polarity
    assert "links[2].polarity" in rendered
    assert "t.cld.yaml:12:1" in rendered  # the unknown top-level field
    broken = TEACUP_DRAWING.replace("from: mood", "from: moood")
    with pytest.raises(SystemFileError, match="no variable 'moood'") as caught:
        read_cld_text(broken, "t.cld.yaml")
    assert caught.value.span is not None
    assert caught.value.span.line == 11
    with pytest.raises(SystemFileError, match="drawn twice"):
        read_cld_text(TEACUP_DRAWING + '  - {from: loss, to: temperature, polarity: "-"}\n',
                      "t.cld.yaml")
    with pytest.raises(SystemFileError, match="not valid YAML"):
        read_cld_text("cld: 1\nname: [\n", "t.cld.yaml")


def test_comparison_with_the_model_finds_each_kind_of_difference() -> None:
    """Teacup model: heat loss = (T - room) / c, so temperature -> loss is + (agrees),
    loss drains temperature, so loss -> temperature is - while drawn + (sign differs);
    room -> loss is + in the model but not drawn; 'mood' has no model variable."""
    drawing = read_cld_text(TEACUP_DRAWING, "t.cld.yaml")
    model = causal_structure(wholesystem.load(wholesystem.example_path("teacup")))
    result = compare_with_model(drawing, model)
    status = {(k.source, k.target): k.status for k in result.links}
    assert status[("temperature", "loss")] == "agrees"
    assert status[("loss", "temperature")] == "sign differs"
    assert status[("mood", "temperature")] == "unlinked"
    assert status[("room", "loss")] == "not drawn"
    assert result.unmatched == ("mood",)


def test_a_drawn_link_may_stand_for_a_model_path_through_undrawn_variables() -> None:
    """Drawing only the two stocks of the delayed-discharge model: treatment -> delayed
    passes through 'becoming fit to leave' (+ then +: +), which is not drawn."""
    text = """\
cld: 1
name: two stocks
variables:
  treatment: {label: Patients in Treatment}
  delayed: {label: Delayed in Hospital}
links:
  - {from: treatment, to: delayed, polarity: "+"}
"""
    model = causal_structure(wholesystem.load(wholesystem.example_path("delayed_discharge")))
    result = compare_with_model(read_cld_text(text, "two.cld.yaml"), model)
    first = result.links[0]
    assert first.status == "agrees"
    assert first.path == ("Patients in Treatment", "Becoming Fit to Leave",
                          "Delayed in Hospital")
