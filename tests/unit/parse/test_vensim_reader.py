"""wholesystem.parse.vensim: .mdl files -> Project (scanner, subscripts, variables, macros)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from wholesystem.errors import (
    ArityError,
    ModelStructureError,
    ModelSyntaxError,
    UnsupportedFeatureError,
)
from wholesystem.ir.expr import Binary, Call, Number, Reference, Text
from wholesystem.ir.model import Project, Variable, VariableKind
from wholesystem.parse import read_model
from wholesystem.parse.vensim import read_vensim, read_vensim_text

CONTROL = """
********************************************************
\t.Control
********************************************************~
\t\tSimulation Control Parameters
\t|

FINAL TIME  = 10
\t~\tMonth
\t~\tThe final time for the simulation.
\t|

INITIAL TIME  = 0
\t~\tMonth
\t~\tThe initial time for the simulation.
\t|

SAVEPER  =
        TIME STEP
\t~\tMonth [0,?]
\t~\tThe frequency with which output is stored.
\t|

TIME STEP  = 0.5
\t~\tMonth [0,?]
\t~\tThe time step for the simulation.
\t|

\\\\\\---/// Sketch information - do not modify anything except names
V300  Do not put anything below this section - it will be ignored
*View 1
10,1,x,186,298,26,11,8,3,0,0,0,0,0,0
///---\\\\\\
:L\x7f<%^E!@
"""


def mdl(body: str) -> str:
    return "{UTF-8}\n" + body + CONTROL


def read(body: str) -> Project:
    return read_vensim_text(mdl(body), "inline.mdl")


def variable(project: Project, name: str) -> Variable:
    return project.main.variable_map()[name]


def line_of(text: str, fragment: str) -> int:
    return text[:text.index(fragment)].count("\n") + 1


class TestFile:
    def test_control_variables_make_sim_specs_and_stay_variables(self) -> None:
        project = read("x = 1 ~~|")
        specs = project.sim_specs
        assert (specs.start, specs.stop, specs.dt, specs.save_step) == (0, 10, 0.5, 0.5)
        assert specs.time_units == "Month"
        names = [v.name for v in project.main.variables]
        assert names == ["x", "final time", "initial time", "saveper", "time step"]
        assert project.format == "mdl"

    def test_control_expressions(self) -> None:
        text = mdl("").replace("TIME STEP  = 0.5", "TIME STEP  = 1 / 4").replace(
            "FINAL TIME  = 10", "FINAL TIME  = IF THEN ELSE(Time < 1, 2 * horizon, 3)"
        ) + "horizon = 6 ~~|\n"
        specs = read_vensim_text(text.replace("\\\\\\---///", "horizon = 6 ~~|\n\\\\\\---///"),
                                 "c.mdl").sim_specs
        assert (specs.stop, specs.dt, specs.save_step) == (12, 0.25, 0.25)

    def test_control_expression_nested_too_deeply(self) -> None:
        nested = "MIN(1, " * 3000 + "0.5" + ")" * 3000
        text = mdl("").replace("TIME STEP  = 0.5", f"TIME STEP  = {nested}")
        with pytest.raises(ModelStructureError, match="TIME STEP is nested too deeply") as caught:
            read_vensim_text(text, "m.mdl")
        assert caught.value.span.line == line_of(text, "TIME STEP  =")

    def test_missing_final_time(self) -> None:
        with pytest.raises(ModelStructureError, match="FINAL TIME"):
            read_vensim_text("INITIAL TIME = 0 ~~|\nx = 1 ~~|", "m.mdl")

    def test_units_documentation_and_spans(self) -> None:
        text = mdl("a = 1\n\t~\tpeople/year [0,100,1]\n\t~\tFirst line \\\n\t\tcontinued.\n"
                   "\t\tSecond line.\n\t|\n\nb = a\n\t* 2 ~~|\n")
        project = read_vensim_text(text, "m.mdl")
        a, b = variable(project, "a"), variable(project, "b")
        assert a.units == "people/year"
        assert a.doc == "First line continued.\nSecond line."
        assert (b.span.file, b.span.line, b.span.column) == ("m.mdl", line_of(text, "b = a"),
                                                             1)
        assert isinstance(b.equation, Binary)
        assert b.equation.span.line == line_of(text, "\t* 2")
        assert b.equation.span.column == 2

    @pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
    def test_line_endings(self, newline: str) -> None:
        text = mdl("a = 1 ~~|\nb =\n  a + ~~|").replace("a + ~~|", "a + 1 ~~|")
        project = read_vensim_text(text.replace("\n", newline), "m.mdl")
        b = variable(project, "b")
        assert b.span.line == line_of(text, "b =")
        assert b.equation.span.line == b.span.line + 1  # type: ignore[union-attr]

    def test_encodings(self, tmp_path: Path) -> None:
        body = mdl('"Coût €" = 1 ~~|').removeprefix("{UTF-8}\n")
        for encoding, prefix in (("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"),
                                 ("cp1252", b"")):
            path = tmp_path / f"m-{encoding}-{len(prefix)}.mdl"
            path.write_bytes(prefix + body.encode(encoding))
            project = read_vensim(path)
            assert variable(project, "coût €").display == "Coût €"

    def test_latin1_fallback(self, tmp_path: Path) -> None:
        path = tmp_path / "m.mdl"
        path.write_bytes(mdl("x = 1 ~ \x81 ~ |").encode("latin-1"))
        assert variable(read_vensim(path), "x").units == "\x81"

    def test_read_model_dispatches_mdl(self, tmp_path: Path) -> None:
        path = tmp_path / "m.MDL"
        path.write_text(mdl("x = 2 ~~|"), encoding="utf-8")
        assert variable(read_model(path), "x").equation == Number(2, variable(
            read_model(path), "x").equation.span)  # type: ignore[union-attr]

    def test_sketch_is_not_read_and_comments_anywhere(self) -> None:
        project = read("{a comment} x {another} = {and | one ~ more} 1 ~~|")
        assert variable(project, "x").equation.value == 1  # type: ignore[union-attr]

    def test_strings_may_hold_field_separators(self) -> None:
        project = read("f = GET XLS DATA('a|b~c.xlsx', 's', 'A', 'B2') ~~|\n"
                       "modeler's choice = f ~~|")
        assert variable(project, "f").equation.args[0].value == "a|b~c.xlsx"  # type: ignore
        assert "modeler's choice" in project.main.variable_map()

    def test_long_equations(self) -> None:
        terms = " + ".join(["a"] * 5000)
        project = read(f"a = 1 ~~|\nx = {terms} + WITH LOOKUP(a, ((0,1),(1,2))) ~~|")
        assert isinstance(variable(project, "x").equation, Binary)

    def test_unbalanced_quotes_in_documentation(self) -> None:
        project = read('x = 1 ~ Minutes ~ The model "is only valid for tea. ~ |\ny = x ~~|')
        assert variable(project, "x").doc == 'The model "is only valid for tea.'
        assert "y" in project.main.variable_map()

    def test_help_link_string_constant_is_inlined(self) -> None:
        project = read("help link :is: 'https://example.org' ~ dmnl ~ |\n"
                       "f = GET DIRECT CONSTANTS(help link, 's', 'A1') ~~|")
        assert "help link" not in project.main.variable_map()
        call = variable(project, "f").equation
        assert isinstance(call, Call)
        assert call.args[0] == Text("https://example.org",
                                                               call.args[0].span)

    def test_reality_checks_are_skipped(self) -> None:
        project = read("c :THE CONDITION: x = 0 :IMPLIES: y = 0 ~~|\nx = 0 ~~|\ny = 0 ~~|")
        assert "c" not in project.main.variable_map()


class TestVariables:
    def test_stock(self) -> None:
        stock = variable(read("s = INTEG(1 - s, 2) ~ units ~ |"), "s")
        assert stock.kind is VariableKind.STOCK
        assert stock.equation.value == 2  # type: ignore[union-attr]
        assert isinstance(stock.rate, Binary)

    def test_lookup_and_with_lookup(self) -> None:
        project = read("tbl([(0,0)-(2,2)], (0,0),(2,2)) ~~|\n"
                       "y = WITH LOOKUP(Time, ((0,1),(10,2))) ~~|\n"
                       "z = tbl(Time) ~~|")
        tbl, y = variable(project, "tbl"), variable(project, "y")
        assert tbl.equation is None
        assert tbl.graphical_function.xs == (0, 2)
        assert isinstance(y.equation, Reference)
        assert y.graphical_function.ys == (1, 2)
        assert variable(project, "z").equation.function == "TBL"  # type: ignore[union-attr]

    def test_nested_with_lookup_becomes_a_hidden_table(self) -> None:
        project = read("y = 1 + WITH LOOKUP(Time, ((0,1),(10,2))) ~~|")
        call = variable(project, "y").equation.right  # type: ignore[union-attr]
        table = variable(project, call.function)
        assert table.graphical_function.ys == (1, 2)  # type: ignore[union-attr]
        assert call.args == (Reference("time", "Time", (), call.args[0].span),)

    def test_data_variables(self) -> None:
        project = read("d ~~|\ne[s] :RAW: ~~|\nf :LOOK FORWARD: := GET XLS DATA('f.xlsx', "
                       "'s', 'A', 'B2') ~~|\ng := GET XLS DATA('f.xlsx', 's', 'A', 'B2') ~~|\n"
                       "s: s1, s2 ~~|")
        d, e = variable(project, "d").equation, variable(project, "e").equation
        assert isinstance(d, Call)
        assert d.function == "#DATA"
        assert [a.value for a in d.args] == ["d"]  # type: ignore[union-attr]
        assert [a.value for a in e.args] == ["e", "raw"]  # type: ignore[union-attr]
        f = variable(project, "f").equation
        assert f.args[-1].value == "look forward"  # type: ignore[union-attr]
        assert len(variable(project, "g").equation.args) == 4  # type: ignore[union-attr]

    def test_a_function_of_is_refused_with_its_position(self) -> None:
        text = mdl("x = A FUNCTION OF(y) ~~|\ny = 1 ~~|")
        with pytest.raises(UnsupportedFeatureError, match="A FUNCTION OF") as caught:
            read_vensim_text(text, "m.mdl")
        assert caught.value.span.line == line_of(text, "x = A FUNCTION")

    def test_duplicate_definitions(self) -> None:
        with pytest.raises(ModelStructureError, match="defined twice"):
            read("x = 1 ~~|\nX = 2 ~~|")


class TestSubscripts:
    def test_ranges_numeric_ranges_and_ranges_of_ranges(self) -> None:
        project = read("d: (a1-a3), b ~~|\nsub: a2, a3 ~~|\nall: sub, b, (p08-p10) ~~|")
        dims = {d.name: d.elements for d in project.dimensions}
        assert dims == {"d": ("a1", "a2", "a3", "b"), "sub": ("a2", "a3"),
                        "all": ("a2", "a3", "b", "p08", "p09", "p10")}

    def test_mappings_and_equivalences(self) -> None:
        project = read("A: a1, a2 -> B, (C: c2, c1) ~~|\nB: b1, b2 ~~|\nC: c1, c2 ~~|\n"
                       "AA <-> A ~~|")
        found = {d.name: d for d in project.dimensions}
        assert found["a"].maps_to == (("b", ()), ("c", ("c2", "c1")))
        assert (found["aa"].alias_of, found["aa"].elements) == ("a", ("a1", "a2"))

    def test_bad_mapping(self) -> None:
        with pytest.raises(ModelStructureError, match="cannot map by position"):
            read("A: a1, a2 -> B ~~|\nB: b1 ~~|")

    def test_apply_to_all(self) -> None:
        x = variable(read("d: a, b ~~|\nx[d] = 1 + Time ~~|"), "x")
        assert x.dimensions == ("d",)
        assert x.elements == ()
        assert isinstance(x.equation, Binary)

    def test_constant_lists_fill_row_by_row(self) -> None:
        x = variable(read("r: r1, r2 ~~|\nc: c1, c2, c3 ~~|\nx[r, c] = 1, 2, 3; 4, 5, 6; ~~|"),
                     "x")
        assert x.dimensions == ("r", "c")
        values = {e.subscripts: e.equation.value for e in x.elements}  # type: ignore
        assert values[("r2", "c1")] == 4
        assert values[("r1", "c3")] == 3

    def test_wrong_number_of_constants(self) -> None:
        with pytest.raises(ModelStructureError, match="lists 3 values for 2 elements"):
            read("d: a, b ~~|\nx[d] = 1, 2, 3 ~~|")

    def test_subranges_merge_into_the_parent_range(self) -> None:
        x = variable(read("all: a, b, c ~~|\nup: a, b ~~|\nx[up] = y[up] ~~|\nx[c] = 3 ~~|\n"
                          "y[all] = 1 ~~|"), "x")
        assert x.dimensions == ("all",)
        by_element = {e.subscripts: e for e in x.elements}
        assert by_element[("a",)].bindings == (("up", "a"),)
        assert by_element[("c",)].bindings == ()
        assert isinstance(by_element[("b",)].equation, Reference)

    def test_except(self) -> None:
        x = variable(read("s: s1, s2 ~~|\np: p1, p2 ~~|\n"
                          "x[s, p] :EXCEPT: [s2, p2] = INTEG(1, 0) ~~|\n"
                          "x[s2, p2] = INTEG(2, 5) ~~|"), "x")
        assert x.kind is VariableKind.STOCK
        assert x.dimensions == ("s", "p")
        rates = {e.subscripts: e.rate.value for e in x.elements}  # type: ignore[union-attr]
        assert rates == {("s1", "p1"): 1, ("s1", "p2"): 1, ("s2", "p1"): 1, ("s2", "p2"): 2}
        initial = {e.subscripts: e.equation.value for e in x.elements}  # type: ignore
        assert initial[("s2", "p2")] == 5

    def test_same_range_on_two_axes_gets_an_equivalent(self) -> None:
        project = read("D: A, B ~~|\nv[A, D] = 1, 2 ~~|\nv[B, D] = 3, 4 ~~|")
        v = variable(project, "v")
        assert v.dimensions == ("d #2", "d")
        assert project.dimension_named("d #2").alias_of == "d"  # type: ignore[union-attr]

    def test_elements_in_two_ranges_pick_the_exact_one(self) -> None:
        project = read("d1: A, B, C ~~|\nd3: A, B ~~|\nv[d1, B] = 1 ~~|\nv[d1, A] = 2 ~~|")
        assert variable(project, "v").dimensions == ("d1", "d3")

    def test_subscripted_lookups(self) -> None:
        t = variable(read("d: a, b ~~|\nt[a]((0,1),(1,2)) ~~|\nt[b]((0,3),(1,4)) ~~|"), "t")
        tables = {e.subscripts: e.graphical_function.ys for e in t.elements}  # type: ignore
        assert tables == {("a",): (1, 2), ("b",): (3, 4)}
        assert all(e.equation is None for e in t.elements)

    def test_unknown_subscript_on_the_left(self) -> None:
        text = mdl("d: a, b ~~|\nx[d, q] = 1 ~~|")
        with pytest.raises(ModelStructureError, match="'q' is neither") as caught:
            read_vensim_text(text, "m.mdl")
        assert (caught.value.span.line, caught.value.span.column) == (line_of(text, "x[d"),
                                                                      6)

    def test_element_defined_twice(self) -> None:
        with pytest.raises(ModelStructureError, match=r"x\[b\] is defined twice"):
            read("d: a, b ~~|\nx[d] = 1 ~~|\nx[b] = 2 ~~|")

    def test_sum_marker_on_the_left_is_refused(self) -> None:
        with pytest.raises(ModelSyntaxError, match="left-hand side"):
            read("d: a, b ~~|\nx[d!] = 1 ~~|")

    def test_range_defined_by_itself(self) -> None:
        with pytest.raises(ModelStructureError, match="defined by each other"):
            read("a: b, x ~~|\nb: a, y ~~|")

    def test_subscripts_from_a_spreadsheet(self, tmp_path: Path) -> None:
        (tmp_path / "elements.csv").write_text("north\nsouth\n", encoding="utf-8")
        path = tmp_path / "m.mdl"
        path.write_text(mdl("r: GET DIRECT SUBSCRIPT('elements.csv', ',', 'A1', 'A2', 'in ') "
                            "~~|\nx[r] = 1 ~~|"), encoding="utf-8")
        (region,) = read_vensim(path).dimensions
        assert region.elements == ("in north", "in south")


class TestMacros:
    def test_macro_with_stock_and_two_calls(self) -> None:
        project = read(":MACRO: ACC(input, start)\nACC = INTEG(input, start) ~ input ~ |\n"
                       ":END OF MACRO:\na = ACC(1, 2) ~~|\nb = ACC(3, a) ~~|")
        names = project.main.variable_map()
        assert isinstance(names["a"].equation, Reference)
        first, second = names["a"].equation.name, names["b"].equation.name  # type: ignore
        assert first != second
        assert names[first].kind is VariableKind.STOCK
        assert names[second].equation.name == "#acc.2.start"  # type: ignore[union-attr]
        assert names["#acc.2.start"].equation.name == "a"  # type: ignore[union-attr]

    def test_extra_outputs_globals_and_nesting(self) -> None:
        project = read(":MACRO: INNER(x)\nINNER = x * TIME STEP$ ~~|\n:END OF MACRO:\n"
                       ":MACRO: OUTER(x : twice)\nOUTER = INNER(x) + y ~~|\ny = 1 ~~|\n"
                       "twice = 2 * x ~~|\n:END OF MACRO:\n"
                       "r = OUTER(3 : doubled) ~~|")
        names = project.main.variable_map()
        assert names["doubled"].equation.name == "#outer.1.twice"  # type: ignore[union-attr]
        outer = names["#outer.1.outer"].equation
        assert outer.left.name == "#inner.1.inner"  # type: ignore[union-attr]
        assert outer.right.name == "#outer.1.y"  # type: ignore[union-attr]
        inner = names["#inner.1.inner"].equation
        assert inner.right.name == "time step"  # type: ignore[union-attr]

    def test_macro_defined_after_use(self) -> None:
        project = read("a = M(2) ~~|\n:MACRO: M(v)\nM = v * 2 ~~|\n:END OF MACRO:")
        assert variable(project, "a").equation.name == "#m.1.m"  # type: ignore[union-attr]

    def test_recursion(self) -> None:
        with pytest.raises(ModelStructureError, match="macro calls itself: R -> R"):
            read(":MACRO: R(v)\nR = R(v) ~~|\n:END OF MACRO:\na = R(1) ~~|")

    def test_arity(self) -> None:
        with pytest.raises(ArityError, match="takes 1 input"):
            read(":MACRO: M(v)\nM = v ~~|\n:END OF MACRO:\na = M(1, 2) ~~|")

    def test_missing_output(self) -> None:
        with pytest.raises(ModelStructureError, match="does not define its output"):
            read(":MACRO: M(v : w)\nM = v ~~|\n:END OF MACRO:\na = M(1) ~~|")

    def test_unclosed_macro(self) -> None:
        with pytest.raises(ModelSyntaxError, match="never closed"):
            read_vensim_text(":MACRO: M(v)\nM = v ~~|\n", "m.mdl")

    def test_arrayed_call_site(self) -> None:
        project = read("d: a, b ~~|\n:MACRO: M(v)\nM = v * 2 ~~|\n:END OF MACRO:\n"
                       "x[d] = M(y[d]) ~~|\ny[d] = 1 ~~|")
        assert variable(project, "#m.1.m").dimensions == ("d",)
        assert variable(project, "#m.1.v").dimensions == ("d",)


class TestErrors:
    @pytest.mark.parametrize(("body", "message"), [
        ("x = (1 + 2 ~~|", "ends too early"),
        ("x = 1", "never ends"),
        ('"x = 1 ~~|', "quoted name is not closed"),
        ("x = {oops 1 ~~|", "never closed"),
        ("x[a, = 1 ~~|", "cannot read definition"),
        (":END OF MACRO:", ":END OF MACRO: without :MACRO:"),
    ])
    def test_malformed_text(self, body: str, message: str) -> None:
        with pytest.raises(ModelSyntaxError, match=message) as caught:
            read_vensim_text("{UTF-8}\n" + body, "bad.mdl")
        assert str(caught.value).startswith("bad.mdl:2:")

    def test_truncated_file_points_at_the_entry(self) -> None:
        text = mdl("x = 1 ~~|")
        cut = text[:text.index("TIME STEP  = 0.5") + 10]
        with pytest.raises(ModelSyntaxError, match="never ends") as caught:
            read_vensim_text(cut, "cut.mdl")
        assert caught.value.span.line == line_of(text, "TIME STEP  = 0.5")
        assert caught.value.excerpt is not None


def test_nan_for_na() -> None:
    x = variable(read("x = :NA: ~~|"), "x")
    assert math.isnan(x.equation.value)  # type: ignore[union-attr]
