"""External data of Vensim models: GET XLS / GET DIRECT calls, data variables and --data.

Models are small XMILE files whose equations are then replaced by the calls the Vensim
reader makes (``Call("GET XLS DATA", (Text('data.xlsx'), ...))``), marked ``mdl``, with
the model file in ``tmp_path`` beside spreadsheets and text files written by the test.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName
from xmile_factory import aux, xmile

from wholesystem.compiler.data import data_variables, feed_data_files, lower_external_data
from wholesystem.datafiles import DataFileError, read_series_file, read_subscript_cells
from wholesystem.diagnostics import SourceSpan
from wholesystem.errors import ModelStructureError
from wholesystem.ir.expr import Call, Expr, Number, Reference, Text
from wholesystem.ir.model import ElementDefinition, Project
from wholesystem.parse import read_xmile_text
from wholesystem.run import Model

DIMS = ('<dim name="Place"><elem name="North"/><elem name="South"/><elem name="East"/></dim>'
        '<dim name="Age"><elem name="Young"/><elem name="Old"/></dim>')


def get(function: str, *args: str) -> Call:
    return Call(function, tuple(Text(a) for a in args), SourceSpan("m.mdl", 7, 3))


def project_of(tmp_path: Path, variables: str, calls: dict[str, Expr], *, stop: float = 4,
               dt: float = 1) -> Project:
    """An ``mdl`` project in ``tmp_path`` whose named variables have the given equations."""
    project = read_xmile_text(xmile(variables, dimensions=DIMS, stop=stop, dt=dt),
                              str(tmp_path / "m.mdl"))
    main = project.main
    variables_ = tuple(replace(v, equation=calls[v.name]) if v.name in calls else v
                       for v in main.variables)
    return replace(project, models=(replace(main, variables=variables_),), format="mdl")


def run(project: Project, **kwargs: object):
    return Model(project).run(**kwargs)  # type: ignore[arg-type]


def workbook(path: Path, rows: list[list[object]], sheet: str = "Sheet1",
             names: dict[str, str] | None = None,
             local_names: dict[str, str] | None = None) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for name, target in (names or {}).items():
        book.defined_names[name] = DefinedName(name, attr_text=target)
    for name, target in (local_names or {}).items():
        ws.defined_names[name] = DefinedName(name, attr_text=target)
    book.save(path)


# -- constants ---------------------------------------------------------------------------
def test_scalar_and_two_dimensional_constants(tmp_path: Path) -> None:
    workbook(tmp_path / "in.xlsx", [["", "a", "b"], ["x", 1, 2], ["y", 3, 4], ["z", 5, 6]])
    project = project_of(tmp_path, aux("c", "0") + aux("grid", "0", "Place Age"), {
        "c": get("GET XLS CONSTANTS", "in.xlsx", "Sheet1", "C4"),
        "grid": get("GET XLS CONSTANTS", "in.xlsx", "sheet1", "B2")})
    row = run(project).iloc[0]
    assert row["c"] == 6
    assert [row["grid[North,Young]"], row["grid[North,Old]"], row["grid[East,Old]"]] == [1, 2, 6]


def test_one_dimension_reads_across_or_down_with_a_star(tmp_path: Path) -> None:
    workbook(tmp_path / "in.xlsx", [[1, 2, 3], [4, 0, 0], [7, 0, 0]])
    project = project_of(tmp_path, aux("across", "0", "Place") + aux("down", "0", "Place"), {
        "across": get("GET DIRECT CONSTANTS", "in.xlsx", "Sheet1", "A1"),
        "down": get("GET DIRECT CONSTANTS", "in.xlsx", "Sheet1", "A1*")})
    row = run(project).iloc[0]
    assert [row[f"across[{p}]"] for p in ("North", "South", "East")] == [1, 2, 3]
    assert [row[f"down[{p}]"] for p in ("North", "South", "East")] == [1, 4, 7]


def test_named_ranges_global_and_sheet_local(tmp_path: Path) -> None:
    workbook(tmp_path / "in.xlsx", [[10, 20, 30], [5]], sheet="Data",
             names={"values": "Data!$A$1:$C$1"}, local_names={"single": "'Data'!$A$2"})
    project = project_of(tmp_path, aux("v", "0", "Place") + aux("s", "0"), {
        "v": get("GET XLS CONSTANTS", "in.xlsx", "Data", "values"),
        "s": get("GET XLS CONSTANTS", "in.xlsx", "Data", "single")})
    row = run(project).iloc[0]
    assert (row["v[South]"], row["s"]) == (20, 5)


def test_one_call_fills_the_elements_it_defines(tmp_path: Path) -> None:
    workbook(tmp_path / "in.xlsx", [[15, 50]])
    project = project_of(tmp_path, aux("c", "0", "Place"), {})
    variable = project.main.variables[0]
    call = get("GET DIRECT CONSTANTS", "in.xlsx", "Sheet1", "A1")
    elements = (ElementDefinition(("north",), Number(0.0)),
                ElementDefinition(("south",), call), ElementDefinition(("east",), call))
    variable = replace(variable, equation=None, elements=elements)
    project = replace(project, models=(replace(project.main, variables=(variable,)),))
    row = run(project).iloc[0]
    assert [row["c[North]"], row["c[South]"], row["c[East]"]] == [0, 15, 50]


def test_constants_from_csv_and_tab_files(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("name , value\nk , 2.5\n")
    (tmp_path / "in.tab").write_text("a\tb\n1\t7\n")
    (tmp_path / "in.txt").write_text("a;b\n1;8\n")
    project = project_of(tmp_path, aux("k", "0") + aux("t", "0") + aux("s", "0"), {
        "k": get("GET DIRECT CONSTANTS", "in.csv", ",", "B2"),
        "t": get("GET DIRECT CONSTANTS", "in.tab", "", "B2"),
        "s": get("GET DIRECT CONSTANTS", "in.txt", ";", "B2")})
    row = run(project).iloc[0]
    assert (row["k"], row["t"], row["s"]) == (2.5, 7, 8)


def test_a_constant_may_sit_inside_an_expression(tmp_path: Path) -> None:
    workbook(tmp_path / "in.xlsx", [[4]])
    from wholesystem.ir.expr import Binary

    project = project_of(tmp_path, aux("c", "0"), {
        "c": Binary("*", get("GET XLS CONSTANTS", "in.xlsx", "Sheet1", "A1"), Number(2.0))})
    assert run(project).iloc[0]["c"] == 8


# -- data series -------------------------------------------------------------------------
def test_data_down_a_column_interpolates_and_holds_the_ends(tmp_path: Path) -> None:
    workbook(tmp_path / "in.xlsx", [["time", "v"], [1, 10], [3, 30]])
    project = project_of(tmp_path, aux("d", "0"), {
        "d": get("GET XLS DATA", "in.xlsx", "Sheet1", "A", "B2")}, dt=0.5)
    assert list(run(project)["d"]) == [10, 10, 10, 15, 20, 25, 30, 30, 30]


def test_data_across_rows_one_row_per_element(tmp_path: Path) -> None:
    workbook(tmp_path / "in.xlsx", [["t", 0, 2, 4], ["n", 0, 2, 4], ["s", 10, 30, 50],
                                    ["e", 1, 1, 1]])
    project = project_of(tmp_path, aux("d", "0", "Place"), {
        "d": get("GET DIRECT DATA", "in.xlsx", "Sheet1", "1", "B2")})
    results = run(project)
    assert list(results["d[North]"]) == [0, 1, 2, 3, 4]
    assert list(results["d[South]"]) == [10, 20, 30, 40, 50]
    assert list(results["d[East]"]) == [1, 1, 1, 1, 1]


@pytest.mark.parametrize(("keyword", "expected"), [
    (":HOLD BACKWARD:", [5, 5, 5, 5, 7, 7, 7]),
    ("look forward", [5, 5, 7, 7, 7, 7, 7]),
    (":INTERPOLATE:", [5, 5, 5 + 2 / 3, 6 + 1 / 3, 7, 7, 7]),
])
def test_data_keywords(tmp_path: Path, keyword: str, expected: list[float]) -> None:
    (tmp_path / "in.csv").write_text("time,v\n0.5,5\n2,7\n")
    call = get("GET DIRECT DATA", "in.csv", ",", "A", "B2", keyword)
    project = project_of(tmp_path, aux("d", "0"), {"d": call}, stop=3, dt=0.5)
    assert list(run(project)["d"]) == pytest.approx(expected)


def test_raw_data_is_missing_away_from_its_points(tmp_path: Path) -> None:
    (tmp_path / "in.tab").write_text("time\tv\n1\t5\n2\t7\n")
    call = get("GET DIRECT DATA", "in.tab", "\t", "A", "B2", "raw")
    project = project_of(tmp_path, aux("d", "0"), {"d": call}, stop=3, dt=0.5)
    values = list(run(project)["d"])
    assert values[2] == 5
    assert values[4] == 7
    assert all(math.isnan(values[i]) for i in (0, 1, 3, 5, 6))


def test_missing_cells_are_skipped_element_by_element(tmp_path: Path) -> None:
    workbook(tmp_path / "in.xlsx", [[0, 1, "bad", 3, 4, None],
                                    [0, None, 99, 30, None, None],
                                    [5, 5, 5, None, 9, None]])
    project = project_of(tmp_path, aux("d", "0", "Age"), {
        "d": get("GET XLS DATA", "in.xlsx", "Sheet1", "1", "A2")})
    results = run(project)
    assert list(results["d[Young]"]) == [0, 10, 20, 30, 30]
    assert list(results["d[Old]"]) == pytest.approx([5, 5, 5 + 4 / 3, 5 + 8 / 3, 9])


def test_data_between_named_ranges(tmp_path: Path) -> None:
    workbook(tmp_path / "in.xlsx", [[0, 2], [1, 5]], names={
        "times": "Sheet1!$A$1:$B$1", "values": "Sheet1!$A$2:$B$2"})
    project = project_of(tmp_path, aux("d", "0"), {
        "d": get("GET XLS DATA", "in.xlsx", "Sheet1", "times", "values")}, stop=2)
    assert list(run(project)["d"]) == [1, 3, 5]


def test_lookups_become_graphical_functions(tmp_path: Path) -> None:
    workbook(tmp_path / "in.xlsx", [["x", 0, 10], ["y", 0, 100]])
    project = project_of(tmp_path, aux("lk", "0") + aux("out", "lk(TIME * 2)"), {
        "lk": get("GET XLS LOOKUPS", "in.xlsx", "Sheet1", "1", "B2")}, stop=6)
    assert list(run(project)["out"]) == [0, 20, 40, 60, 80, 100, 100]


def test_data_queries(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("time,v\n1,10\n3,30\n")
    query = Reference("d", "d")
    project = project_of(
        tmp_path, aux("d", "0") + aux("first", "0") + aux("last", "0") + aux("n", "0")
        + aux("between", "0"), {
            "d": get("GET DIRECT DATA", "in.csv", ",", "A", "B2"),
            "first": Call("GET DATA FIRST TIME", (query,)),
            "last": Call("GET DATA LAST TIME", (query,)),
            "n": Call("GET DATA TOTAL POINTS", (query,)),
            "between": Call("GET DATA BETWEEN TIMES",
                            (query, Reference("time", "Time"), Number(-1.0)))})
    results = run(project)
    assert (results["first"].iloc[0], results["last"].iloc[0], results["n"].iloc[0]) == (
        1, 3, 2)
    between = list(results["between"])
    assert math.isnan(between[0])
    assert between[1:4] == [10, 10, 30]
    assert math.isnan(between[4])


def test_models_without_external_data_are_untouched() -> None:
    project = read_xmile_text(xmile(aux("a", "1")), "m.xmile")
    assert lower_external_data(project) is project
    vensim = replace(project, format="mdl")
    assert lower_external_data(vensim) is vensim


# -- errors name the model position and the data file -----------------------------------
@pytest.mark.parametrize(("args", "message"), [
    (("nothere.xlsx", "Sheet1", "A1"), "nothere.xlsx: no such data file"),
    (("in.xlsx", "Other", "A1"), "in.xlsx: no sheet 'Other'"),
    (("in.xlsx", "Sheet1", "nosuchname"), "neither a cell"),
    (("in.xlsx", "Sheet1", "H9"), "no numbers at 'H9'"),
    (("?indirect", "Sheet1", "A1"), "indirect file references"),
])
def test_errors_name_the_call_and_the_file(tmp_path: Path, args: tuple[str, ...],
                                          message: str) -> None:
    workbook(tmp_path / "in.xlsx", [[1]])
    project = project_of(tmp_path, aux("c", "0"), {"c": get("GET XLS CONSTANTS", *args)})
    with pytest.raises(DataFileError) as err:
        Model(project)
    assert str(err.value).startswith("m.mdl:7:3: error: ")
    assert message in str(err.value)


def test_a_broken_workbook_is_a_data_file_error(tmp_path: Path) -> None:
    (tmp_path / "in.xlsx").write_text("not a zip file")
    project = project_of(tmp_path, aux("c", "0"), {
        "c": get("GET XLS CONSTANTS", "in.xlsx", "Sheet1", "A1")})
    with pytest.raises(DataFileError, match="cannot read the file"):
        Model(project)


def test_get_data_must_be_a_whole_equation(tmp_path: Path) -> None:
    from wholesystem.ir.expr import Binary

    project = project_of(tmp_path, aux("d", "0"), {
        "d": Binary("+", get("GET XLS DATA", "f.xlsx", "S", "A", "B2"), Number(1.0))})
    with pytest.raises(ModelStructureError, match="whole equation"):
        Model(project)


# -- subscripts from cells ---------------------------------------------------------------
def test_subscript_cells_across_then_down_with_prefix(tmp_path: Path) -> None:
    workbook(tmp_path / "in.xlsx", [["", "", ""], ["", 1, 2.5], ["", None, "x"]])
    model = tmp_path / "m.mdl"
    assert read_subscript_cells(model, "in.xlsx", "Sheet1", "B2", "C3", "D") == (
        "D1", "D2.5", "Dx")
    assert read_subscript_cells(model, "in.xlsx", "Sheet1", "B2", "") == ("1", "2.5", "x")
    assert read_subscript_cells(model, "in.xlsx", "Sheet1", "B2", "2") == ("1", "2.5")
    assert read_subscript_cells(model, "in.xlsx", "Sheet1", "B2", "B") == ("1",)
    with pytest.raises(DataFileError, match="no subscript elements"):
        read_subscript_cells(model, "in.xlsx", "Sheet1", "A1", "A1",
                             span=SourceSpan("m.mdl", 3, 1))


def test_xls_workbooks_are_read(shared: Path) -> None:
    folder = shared / "sd-test-models" / "tests" / "get_subscript_3d_arrays_xls"
    assert read_subscript_cells(folder / "m.mdl", "input.xls", "Sheet1", "B4", "B6",
                                "Entry") == ("Entry1", "Entry2", "Entry3")


# -- data variables fed from files (--data) -------------------------------------------
def data_project(tmp_path: Path, keyword: str = "interpolate") -> Project:
    return project_of(tmp_path, aux("level", "0") + aux("by place", "0", "Place"), {
        "level": Call("#DATA", (Text("level"), Text(keyword))),
        "by place": Call("#DATA", (Text("by place"),))}, stop=2, dt=0.5)


def test_data_variables_take_their_series_from_a_tab_file(tmp_path: Path) -> None:
    data = tmp_path / "data.tab"
    data.write_text("Time\tlevel\tby place[North]\tby place[South]\tby place[East]\tother\n"
                    "0\t1\t10\t20\t30\t0\n1\t3\t11\t\t31\t0\n2\t\t12\t22\t32\t0\n")
    project = data_project(tmp_path)
    assert data_variables(project) == ("level", "by place")
    results = Model(project).run(data=[data])
    assert list(results["level"]) == [1, 2, 3, 3, 3]
    assert list(results["by place[South]"]) == [20, 20.5, 21, 21.5, 22]


def test_series_files_may_run_across(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text("Time,0,2\nlevel,0,4\nby place[North],1,1\nby place[South],2,2\n"
                    "by place[East],3,3\n")
    table = read_series_file(data)
    assert list(table.times) == [0, 2]
    assert list(table.series["level"]) == [0, 4]
    fed = feed_data_files(data_project(tmp_path, ":HOLD BACKWARD:"), [data])
    assert list(Model(fed).run()["level"]) == [0, 0, 0, 0, 4]


def test_running_without_the_data_file_says_what_is_missing(tmp_path: Path) -> None:
    model = Model(data_project(tmp_path))
    with pytest.raises(DataFileError, match="no values for data variable 'level'"):
        model.run()
    other = tmp_path / "other.tab"
    other.write_text("Time\tx\n0\t1\n")
    with pytest.raises(DataFileError, match=r"other\.tab"):
        model.run(data=[other])


def test_run_many_feeds_data_too(tmp_path: Path) -> None:
    data = tmp_path / "data.tab"
    data.write_text("Time\tlevel\tby place[North]\tby place[South]\tby place[East]\n"
                    "0\t1\t1\t1\t1\n")
    project = project_of(tmp_path, aux("level", "0") + aux("k", "2")
                         + aux("out", "level * k"),
                         {"level": Call("#DATA", (Text("level"),))})
    results = Model(project).run_many({"k": [1.0, 3.0]}, data=[data])
    assert np.asarray(results.values)[0, :, -1].tolist() == [1, 3]


# -- through the Vensim reader ----------------------------------------------------------
MDL = """{UTF-8}
Region: GET DIRECT SUBSCRIPT('in.csv', ',', 'A2', 'A3', 'r') ~~|
size[Region] = GET DIRECT CONSTANTS('in.csv', ',', 'B2*') ~~|
held :HOLD BACKWARD: := GET DIRECT DATA('in.csv', ',', 'C', 'D2') ~~|
curve( GET DIRECT LOOKUPS('in.csv', ',', 'C', 'D2')) ~~|
read curve = curve(Time) ~~|
fed :LOOK FORWARD: ~~|
INITIAL TIME = 0 ~~|
FINAL TIME = 2 ~~|
TIME STEP = 0.5 ~~|
SAVEPER = TIME STEP ~~|
"""


def test_a_vensim_model_reads_its_files(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("name,size,time,value\nn,10,0,1\ns,20,2,5\n")
    (tmp_path / "data.tab").write_text("Time\tfed\n0\t3\n1\t4\n")
    (tmp_path / "m.mdl").write_text(MDL)
    import wholesystem

    results = wholesystem.load(tmp_path / "m.mdl").run(data=[tmp_path / "data.tab"])
    assert (results["size[rn]"].iloc[0], results["size[rs]"].iloc[0]) == (10, 20)
    assert list(results["held"]) == [1, 1, 1, 1, 5]
    assert list(results["read curve"]) == [1, 2, 3, 4, 5]
    assert list(results["fed"]) == [3, 4, 4, 4, 4]
