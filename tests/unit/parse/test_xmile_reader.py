"""wholesystem.parse.xmile.reader: XMILE documents -> Project."""

from __future__ import annotations

from pathlib import Path

import pytest

from wholesystem.errors import (
    ModelStructureError,
    ModelSyntaxError,
    UnsupportedFeatureError,
    WholesystemError,
)
from wholesystem.ir.expr import Binary, Number, Reference
from wholesystem.ir.model import GraphicalFunctionKind, Project, Variable, VariableKind
from wholesystem.parse.xmile import read_xmile, read_xmile_text

SPECS = "<sim_specs><start>0</start><stop>10</stop><dt>0.5</dt></sim_specs>"
OASIS = "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"


def document(variables: str = "", *, specs: str = SPECS, extra: str = "",
             models: str = "") -> str:
    """A whole XMILE file around a main model's variables."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<xmile version="1.0" xmlns="{OASIS}">\n'
        "<header><name>inline</name></header>\n"
        f"{specs}\n{extra}\n"
        f"<model><variables>\n{variables}\n</variables></model>\n"
        f"{models}\n"
        "</xmile>\n"
    )


def read(variables: str = "", **parts: str) -> Project:
    return read_xmile_text(document(variables, **parts), "inline.xmile")


def only(project: Project) -> Variable:
    (variable,) = project.main.variables
    return variable


class TestSimSpecs:
    def test_plain(self) -> None:
        specs = read().sim_specs
        assert (specs.start, specs.stop, specs.dt, specs.save_step) == (0, 10, 0.5, None)
        assert specs.save_period == 0.5
        assert specs.method == "euler"

    def test_reciprocal_dt(self) -> None:
        specs = read(specs='<sim_specs method="RK4" time_units="Months"><start>1</start>'
                           '<stop>2</stop><dt reciprocal="true">4</dt></sim_specs>').sim_specs
        assert specs.dt == 0.25
        assert specs.method == "rk4"
        assert specs.time_units == "Months"

    def test_save_step_element(self) -> None:
        specs = read(specs="<sim_specs><start>0</start><stop>10</stop><dt>0.25</dt>"
                           "<savestep>2</savestep></sim_specs>").sim_specs
        assert specs.save_step == 2
        assert specs.save_period == 2

    def test_save_interval_attribute(self) -> None:
        specs = read(specs='<sim_specs save_interval="0.5"><start>0</start><stop>1</stop>'
                           "</sim_specs>").sim_specs
        assert (specs.dt, specs.save_step) == (1.0, 0.5)

    def test_missing(self) -> None:
        with pytest.raises(ModelStructureError, match="no <sim_specs>"):
            read(specs="")

    def test_missing_stop(self) -> None:
        with pytest.raises(ModelStructureError, match="lacks <stop>"):
            read(specs="<sim_specs><start>0</start></sim_specs>")

    @pytest.mark.parametrize("specs", [
        "<sim_specs><start>0</start><stop>10</stop><dt>0</dt></sim_specs>",
        "<sim_specs><start>5</start><stop>1</stop></sim_specs>",
        '<sim_specs><start>0</start><stop>1</stop><dt reciprocal="true">0</dt></sim_specs>',
        "<sim_specs><start>0</start><stop>nan</stop></sim_specs>",
    ])
    def test_unusable(self, specs: str) -> None:
        with pytest.raises(ModelStructureError, match="bad sim_specs"):
            read(specs=specs)

    @pytest.mark.parametrize("save", ["<savestep>nan</savestep>", "<savestep>-2</savestep>",
                                      "<savestep>0</savestep>", "<savestep>1e400</savestep>"])
    def test_unusable_save_step(self, save: str) -> None:
        with pytest.raises(ModelStructureError, match="save interval") as caught:
            read(specs=f"<sim_specs><start>0</start><stop>1</stop>{save}</sim_specs>")
        assert str(caught.value).startswith("inline.xmile:4:1:")

    @pytest.mark.parametrize("specs", [
        "<sim_specs><start>zero</start><stop>10</stop></sim_specs>",
        '<sim_specs save_interval="often"><start>0</start><stop>10</stop></sim_specs>',
    ])
    def test_not_a_number(self, specs: str) -> None:
        with pytest.raises(ModelSyntaxError, match="should hold a number"):
            read(specs=specs)


DIMS = """<dimensions>
  <dim name="City"><elem name="Boston"/><elem name="Chicago"/></dim>
  <dim name="Age Group" size="3"/>
</dimensions>"""


class TestDimensions:
    def test_by_element_and_by_size(self) -> None:
        project = read(extra=DIMS)
        city, age = project.dimensions
        assert (city.name, city.display, city.elements) == ("city", "City",
                                                            ("Boston", "Chicago"))
        assert (age.name, age.elements) == ("age group", ("1", "2", "3"))
        assert project.dimension_named("age group") is age
        assert city.position("chicago") == 1

    def test_neither_elements_nor_size(self) -> None:
        with pytest.raises(ModelStructureError, match="neither <elem> children nor a size"):
            read(extra='<dimensions><dim name="D" size="two"/></dimensions>')


class TestArrays:
    def test_apply_to_all(self) -> None:
        variable = only(read('<aux name="pop"><dimensions><dim name="City"/></dimensions>'
                             "<eqn>100</eqn></aux>", extra=DIMS))
        assert variable.dimensions == ("city",)
        assert variable.is_arrayed
        assert variable.elements == ()
        assert isinstance(variable.equation, Number)
        assert variable.equation.value == 100

    def test_per_element(self) -> None:
        variable = only(read(
            '<aux name="pop"><dimensions><dim name="City"/><dim name="Age Group"/></dimensions>'
            '<element subscript="Boston, 1"><eqn>1</eqn></element>'
            '<element subscript="Chicago,2"><eqn>x * 2</eqn></element></aux>', extra=DIMS))
        assert variable.equation is None
        first, second = variable.elements
        assert first.subscripts == ("boston", "1")
        assert second.subscripts == ("chicago", "2")
        assert isinstance(second.equation, Binary)

    def test_constant_list_fills_row_major(self) -> None:
        variable = only(read(
            '<aux name="m"><dimensions><dim name="City"/><dim name="Age Group"/></dimensions>'
            "<eqn>1, 2, 3; 4, 5, 6;</eqn></aux>", extra=DIMS))
        assert variable.equation is None
        table = {e.subscripts: e.equation for e in variable.elements}
        assert table[("boston", "3")] == Number(3.0, table[("boston", "3")].span)
        values = [e.equation.value for e in variable.elements if isinstance(e.equation, Number)]
        assert values == [1, 2, 3, 4, 5, 6]

    def test_constant_list_with_wrong_length(self) -> None:
        with pytest.raises(ModelStructureError, match="lists 3 values for 2 elements"):
            read('<aux name="m"><dimensions><dim name="City"/></dimensions>'
                 "<eqn>1, 2, 3</eqn></aux>", extra=DIMS)

    def test_constant_list_over_unknown_dimension(self) -> None:
        with pytest.raises(ModelStructureError, match="unknown dimension 'planet'"):
            read('<aux name="m"><dimensions><dim name="Planet"/></dimensions>'
                 "<eqn>1, 2</eqn></aux>", extra=DIMS)


class TestGraphicalFunctions:
    def test_with_xpts(self) -> None:
        variable = only(read('<aux name="effect"><eqn>x</eqn><gf>'
                             "<xpts>0,1,2</xpts><ypts>0,0.5,1</ypts></gf></aux>"))
        gf = variable.graphical_function
        assert gf is not None
        assert (gf.xs, gf.ys, gf.kind) == ((0, 1, 2), (0, 0.5, 1),
                                           GraphicalFunctionKind.CONTINUOUS)
        assert isinstance(variable.equation, Reference)

    def test_with_xscale_and_separator(self) -> None:
        gf = only(read('<aux name="e"><eqn>x</eqn><gf><xscale min="0" max="10"/>'
                       '<ypts sep=";">1;2;3</ypts></gf></aux>')).graphical_function
        assert gf is not None
        assert gf.xs == (0, 5, 10)

    @pytest.mark.parametrize(("attributes", "kind"), [
        ('type="continuous"', GraphicalFunctionKind.CONTINUOUS),
        ('type="extrapolate"', GraphicalFunctionKind.EXTRAPOLATE),
        ('type="discrete"', GraphicalFunctionKind.DISCRETE),
        ('discrete="true"', GraphicalFunctionKind.DISCRETE),
        ('discrete="false"', GraphicalFunctionKind.CONTINUOUS),
    ])
    def test_kinds(self, attributes: str, kind: GraphicalFunctionKind) -> None:
        gf = only(read(f'<aux name="e"><eqn>x</eqn><gf {attributes}><xpts>0,1</xpts>'
                       "<ypts>0,1</ypts></gf></aux>")).graphical_function
        assert gf is not None
        assert gf.kind is kind

    def test_standalone_table_has_no_equation(self) -> None:
        variable = only(read('<gf name="table"><xpts>0,1</xpts><ypts>3,4</ypts></gf>'))
        assert variable.kind is VariableKind.AUX
        assert variable.equation is None
        assert variable.graphical_function is not None

    def test_per_element_tables(self) -> None:
        variable = only(read(
            '<aux name="e"><dimensions><dim name="City"/></dimensions>'
            '<element subscript="Boston"><eqn>x</eqn><gf><xpts>0,1</xpts><ypts>1,2</ypts></gf>'
            '</element><element subscript="Chicago"><eqn>x</eqn><gf><xpts>0,1</xpts>'
            "<ypts>3,4</ypts></gf></element></aux>", extra=DIMS))
        tables = [e.graphical_function for e in variable.elements]
        assert [t.ys for t in tables if t is not None] == [(1, 2), (3, 4)]

    def test_count_mismatch(self) -> None:
        with pytest.raises(ModelSyntaxError, match="3 x points but 2 y points"):
            read('<aux name="e"><eqn>x</eqn><gf><xpts>0,1,2</xpts><ypts>0,1</ypts></gf></aux>')

    def test_x_not_ascending(self) -> None:
        with pytest.raises(ModelSyntaxError, match="not ascending"):
            read('<aux name="e"><eqn>x</eqn><gf><xpts>1,0</xpts><ypts>0,1</ypts></gf></aux>')

    @pytest.mark.parametrize("table", ["<xpts>0,nan,2</xpts><ypts>0,1,2</ypts>",
                                       '<xscale min="-inf" max="inf"/><ypts>0,1,2</ypts>'])
    def test_x_points_that_are_nan(self, table: str) -> None:
        """NaN compares false both ways, so it once passed the ascending test and made
        the table's every value NaN."""
        text = document(f'<aux name="e">\n<eqn>TIME</eqn><gf>{table}</gf></aux>')
        with pytest.raises(ModelSyntaxError, match="x points include NaN") as caught:
            read_xmile_text(text, "nan.xmile")
        span = caught.value.span
        assert span is not None
        line = text.split("\n").index(f"<eqn>TIME</eqn><gf>{table}</gf></aux>") + 1
        assert str(caught.value).startswith(f"nan.xmile:{line}:1: error:")

    def test_unknown_type(self) -> None:
        with pytest.raises(ModelSyntaxError, match="unknown graphical function type 'wavy'"):
            read('<aux name="e"><gf type="wavy"><xpts>0</xpts><ypts>0</ypts></gf></aux>')

    @pytest.mark.parametrize("table", [
        "<ypts>0,1</ypts>",
        "<xpts>0,1</xpts>",
        "<xpts>0,a</xpts><ypts>0,1</ypts>",
        '<xscale min="low" max="1"/><ypts>0,1</ypts>',
    ])
    def test_incomplete_or_unreadable(self, table: str) -> None:
        with pytest.raises(ModelSyntaxError, match=r"graphical function|xpts|xscale"):
            read(f'<aux name="e"><eqn>x</eqn><gf>{table}</gf></aux>')


class TestVariables:
    def test_stock_and_flows(self) -> None:
        project = read(
            '<stock name="Population"><eqn>100</eqn><inflow>births</inflow>'
            "<outflow>Deaths</outflow><non_negative/><units>people</units>"
            "<doc>Everyone.</doc></stock>"
            '<flow name="births"><eqn>Population * 0.1</eqn><non_negative/></flow>'
            '<flow name="Deaths"><eqn>Population / life_expectancy</eqn></flow>'
            '<aux name="life_expectancy"><eqn>70</eqn></aux>')
        variables = project.main.variable_map()
        stock = variables["population"]
        assert stock.kind is VariableKind.STOCK
        assert (stock.inflows, stock.outflows) == (("births",), ("deaths",))
        assert stock.non_negative
        assert stock.units == "people"
        assert stock.doc == "Everyone."
        assert variables["births"].non_negative
        assert not variables["deaths"].non_negative
        assert variables["life expectancy"].display == "life_expectancy"

    def test_comment_only_equation_is_none(self) -> None:
        variable = only(read('<aux name="input"><eqn>{Enter equation for use when not '
                             "hooked up to other models}</eqn></aux>"))
        assert variable.equation is None

    def test_escaped_xml_in_equation(self) -> None:
        variable = only(read('<aux name="x"><eqn>a &lt; b</eqn></aux>'))
        assert isinstance(variable.equation, Binary)
        assert variable.equation.op == "<"

    def test_duplicate_names(self) -> None:
        with pytest.raises(ModelStructureError, match="'room temp' is defined twice"):
            read('<aux name="Room_Temp"><eqn>1</eqn></aux>'
                 '<aux name="room temp"><eqn>2</eqn></aux>')

    def test_variable_without_name(self) -> None:
        with pytest.raises(ModelStructureError, match="without a name"):
            read("<aux><eqn>1</eqn></aux>")

    @pytest.mark.parametrize("kind", ["queue"])
    def test_queue_is_unsupported(self, kind: str) -> None:
        with pytest.raises(UnsupportedFeatureError, match=f"is a {kind}") as caught:
            read(f'<stock name="pipeline"><eqn>0</eqn><{kind}><len>3</len></{kind}></stock>')
        assert isinstance(caught.value, NotImplementedError)


MODULES = """
<model name="Hares">
  <variables>
    <aux name="area" access="input"><eqn>1</eqn></aux>
    <stock name="hares"><eqn>area * 10</eqn></stock>
  </variables>
</model>"""


class TestModules:
    def test_instances_and_connections(self) -> None:
        project = read(
            '<module name="Hares"><connect to="area" from=".Land_Area"/>'
            '<connect to="lynxes" from="Lynxes.Lynxes"/></module>'
            '<aux name="land area"><eqn>1000</eqn></aux>', models=MODULES)
        (module,) = project.main.modules
        assert (module.name, module.display, module.model_name) == ("hares", "Hares", "hares")
        assert [(c.to, c.source) for c in module.connections] == [
            ("area", ".land area"), ("lynxes", "lynxes.lynxes")]
        submodel = project.model_named("hares")
        assert submodel is not None
        assert submodel.variable_map()["area"].access == "input"

    def test_main_model_comes_first_whatever_the_file_order(self) -> None:
        text = (f'<xmile xmlns="{OASIS}">{SPECS}{MODULES}'
                '<model><variables><module name="hares"/></variables></model></xmile>')
        project = read_xmile_text(text, "m.xmile")
        assert [m.name for m in project.models] == ["", "hares"]
        assert project.main.modules[0].model_name == "hares"

    def test_module_and_variable_share_a_name(self) -> None:
        with pytest.raises(ModelStructureError, match="defined twice"):
            read('<module name="hares"/><aux name="Hares"><eqn>1</eqn></aux>')


class TestDialects:
    def test_stella_10_draft_variables_directly_under_model(self) -> None:
        text = ('<xmile xmlns="http://www.systemdynamics.org/XMILE" version="1.0">'
                f'{SPECS}<model><aux name="a"><eqn>1</eqn></aux>'
                '<stock name="s"><eqn>a</eqn></stock></model></xmile>')
        project = read_xmile_text(text, "draft.stmx")
        assert [v.name for v in project.main.variables] == ["a", "s"]

    def test_undeclared_isee_prefix(self) -> None:
        project = read('<aux name="a"><eqn>1</eqn></aux>',
                       extra='<isee:prefs show_module_prefix="true"/><isee:x><isee:y/></isee:x>')
        assert only(project).name == "a"

    def test_namespaces_are_ignored(self) -> None:
        text = (f'<x:xmile xmlns:x="{OASIS}">{SPECS.replace("<", "<x:").replace("<x:/", "</x:")}'
                '<x:model><x:variables><x:aux name="a"><x:eqn>2</x:eqn></x:aux></x:variables>'
                "</x:model></x:xmile>")
        assert only(read_xmile_text(text)).name == "a"

    def test_presentation_is_skipped(self) -> None:
        project = read('<aux name="a"><eqn>1</eqn></aux>'
                       '<group name="sector"><entity name="a"/></group>')
        assert [v.name for v in project.main.variables] == ["a"]


class TestDocument:
    def test_project_fields(self) -> None:
        text = document('<aux name="a"><eqn>1</eqn></aux>',
                        extra='<model_units><unit name="people"><alias>person</alias></unit>'
                              "</model_units>")
        project = read_xmile_text(text, "dir/inline.xmile")
        assert project.name == "inline"
        assert project.format == "xmile"
        assert project.units == (("people", ("person",)),)
        assert project.source.path == "dir/inline.xmile"
        assert project.source.text == text

    def test_name_defaults_to_file_stem(self) -> None:
        text = f'<xmile xmlns="{OASIS}">{SPECS}<model/></xmile>'
        assert read_xmile_text(text, "some/where/teacup.stmx").name == "teacup"

    def test_no_model(self) -> None:
        with pytest.raises(ModelStructureError, match="no <model>"):
            read_xmile_text(f'<xmile xmlns="{OASIS}">{SPECS}</xmile>')

    def test_root_must_be_xmile(self) -> None:
        with pytest.raises(ModelStructureError, match="root element is <html>"):
            read_xmile_text("<html><body/></html>")


class TestSyntaxErrors:
    def test_malformed_xml_has_line_column_and_caret(self) -> None:
        text = document('<aux name="a"><eqn>1</eqn></aux>\n<aux name="b"><eqn>2</eqn></oops>')
        with pytest.raises(ModelSyntaxError, match="malformed XML") as caught:
            read_xmile_text(text, "broken.xmile")
        error = caught.value
        lines = text.split("\n")
        bad_line = next(i for i, line in enumerate(lines, 1) if "</oops>" in line)
        assert error.span is not None
        assert (error.span.file, error.span.line) == ("broken.xmile", bad_line)
        assert error.span.column > 1
        assert str(error).startswith(f"broken.xmile:{bad_line}:")
        assert error.excerpt is not None
        assert error.excerpt.rstrip().endswith("^")

    def test_truncated_document(self) -> None:
        with pytest.raises(ModelSyntaxError, match="malformed XML"):
            read_xmile_text(document()[:60])

    def test_equation_error_points_into_the_file(self) -> None:
        text = document('<aux name="a">\n  <eqn>b + * c</eqn>\n</aux>')
        with pytest.raises(ModelSyntaxError, match="unexpected '\\*'") as caught:
            read_xmile_text(text, "eq.xmile")
        lines = text.split("\n")
        line = next(i for i, s in enumerate(lines, 1) if "b + * c" in s)
        span = caught.value.span
        assert span is not None
        assert (span.file, span.line, span.column) == ("eq.xmile", line,
                                                       lines[line - 1].index("*") + 1)

    def test_equation_error_in_a_file_on_one_line_points_into_it(self) -> None:
        """The column is found by searching the line for the tag (a file written on one
        line was once lowered once per equation: minutes for 20,000 equations)."""
        text = document('<aux name="b"><eqn>b + * c</eqn></aux>'
                        + '<aux name="a"><eqn>1</eqn></aux>' * 3).replace("\n", " ")
        with pytest.raises(ModelSyntaxError, match="unexpected '\\*'") as caught:
            read_xmile_text(text, "one.xmile")
        span = caught.value.span
        assert span is not None
        assert (span.file, span.line, span.column) == ("one.xmile", 1, text.index("*") + 1)

    def test_lone_surrogate_is_a_syntax_error(self) -> None:
        with pytest.raises(ModelSyntaxError):
            read('<aux name="a"><eqn>1 \ud800</eqn></aux>')


class TestFiles:
    def test_read_from_path_with_bom(self, tmp_path: Path) -> None:
        path = tmp_path / "bom.xmile"
        path.write_bytes(b"\xef\xbb\xbf" + document('<aux name="a"><eqn>1</eqn></aux>').encode())
        project = read_xmile(path)
        assert project.source.path == str(path)
        assert only(project).name == "a"

    def test_read_cp1252_file(self, tmp_path: Path) -> None:
        path = tmp_path / "legacy.stmx"
        text = document('<aux name="cost £"><eqn>1</eqn></aux>')
        path.write_bytes(text.replace('encoding="utf-8"', 'encoding="windows-1252"')
                         .encode("cp1252"))
        assert only(read_xmile(path)).name == "cost £"


@pytest.mark.conformance
def test_reads_shared_suite_model(shared_model_file: Path) -> None:
    """Every suite XMILE file not listed as broken reads without error."""
    try:
        project = read_xmile(shared_model_file)
    except WholesystemError as error:
        pytest.fail(f"{error}")
    assert project.models
    assert any(m.variables or m.modules for m in project.models)
