"""External data of Vensim models, read while compiling: GET XLS / GET DIRECT calls and data
variables.

:func:`lower_external_data` runs first in :func:`~wholesystem.compiler.lower.lower_project`.
It opens the files that GET calls name (relative to the model file) and rewrites the calls
into IR the compiler already handles:

* ``GET ... CONSTANTS`` becomes numbers (an array, one number per element);
* ``GET ... LOOKUPS`` becomes graphical functions;
* ``GET ... DATA`` becomes graphical functions read at Time. Their kind and points give
  Vensim's rules between data points: :INTERPOLATE: (the default) is a continuous table;
  :HOLD BACKWARD:, :LOOK FORWARD: and :RAW: are step tables whose steps sit just before,
  just after or around each point. Before the first and after the last point the end
  values hold (:RAW: is NaN, Vensim's :NA:, away from the points).

Empty or non-numeric cells are skipped, element by element, as Vensim does. The data
keyword of a definition (``x :HOLD BACKWARD: := GET XLS DATA(...)``) reaches this module as
a fifth ``Text`` argument of the call. Data variables written without an equation (the
reader makes them ``#DATA(name [, keyword])`` calls) take their series from data files
(``--data``) through :func:`feed_data_files`; a model compiled without them holds NaN
there. The ``GET DATA ...`` queries about data variables are answered from the same
points.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from wholesystem.builtins.data_functions import (
    DATA_QUERIES,
    GET_CONSTANTS,
    GET_DATA,
    GET_LOOKUPS,
    GET_SUBSCRIPT,
)
from wholesystem.datafiles import (
    DataFileError,
    FileAccess,
    SeriesTable,
    Sheet,
    Workbooks,
    access_for,
    column_number,
    parse_cell,
    read_series_file,
)
from wholesystem.diagnostics import SourceSpan
from wholesystem.errors import ModelStructureError, UnsupportedFeatureError
from wholesystem.ir.expr import Call, Expr, Number, Reference, Text, transform, walk
from wholesystem.ir.model import (
    ElementDefinition,
    GraphicalFunction,
    GraphicalFunctionKind,
    Project,
    Variable,
    VariableKind,
)
from wholesystem.ir.names import canonical_name

__all__ = ["DATA_CALL", "KEYWORDS", "lower_external_data", "feed_data_files",
           "data_variables", "data_keyword"]

DATA_CALL = "#DATA"
"""The reader's call for a data variable without an equation: ``#DATA(name [, keyword])``."""
KEYWORDS = ("interpolate", "hold backward", "look forward", "raw")
"""Data keywords (how values are read between points), default first."""

_DEFINING = frozenset(GET_CONSTANTS + GET_DATA + GET_LOOKUPS + (DATA_CALL,))
_HANDLED = _DEFINING | frozenset(DATA_QUERIES + GET_SUBSCRIPT)

FloatArray = NDArray[np.float64]
Coords = tuple[tuple[str, ...], ...]
"""Canonical elements per dimension that one GET call fills, in axis order."""


def _function(call: Call) -> str:
    return " ".join(call.function.replace("_", " ").split()).upper()


def data_keyword(text: str, span: SourceSpan | None = None) -> str:
    """A data keyword in its canonical spelling: ``:HOLD BACKWARD:`` -> ``hold backward``."""
    key = " ".join(text.strip().strip(":").replace("_", " ").split()).lower()
    if key not in KEYWORDS:
        raise ModelStructureError(f"unknown data keyword '{text}'", span,
                                  hint="use :INTERPOLATE:, :HOLD BACKWARD:, :LOOK FORWARD: "
                                       "or :RAW:")
    return key


@dataclass(frozen=True, slots=True)
class _Points:
    """The points of one data series, missing values dropped (kept, as NaN, for :RAW:)."""

    xs: FloatArray
    ys: FloatArray
    keyword: str


def _definitions(variable: Variable) -> Iterable[Expr]:
    if variable.equation is not None:
        yield variable.equation
    if variable.rate is not None:
        yield variable.rate
    yield from (e.equation for e in variable.elements if e.equation is not None)


def _mentions(project: Project, functions: frozenset[str]) -> bool:
    return any(isinstance(node, Call) and _function(node) in functions
               for model in project.models for variable in model.variables
               for expr in _definitions(variable) for node in walk(expr))


def data_variables(project: Project) -> tuple[str, ...]:
    """Canonical names of the data variables that need values from a data file."""
    return tuple(v.name for model in project.models for v in model.variables
                 if any(isinstance(e, Call) and _function(e) == DATA_CALL
                        for e in _definitions(v)))


def lower_external_data(flat: Project) -> Project:
    """The flat project with every GET call and data query rewritten (module docstring);
    unchanged, at no cost, when it has none."""
    if flat.format != "mdl" or not _mentions(flat, _HANDLED):
        return flat
    return _DataLowering(flat).lower_model(0)


def feed_data_files(project: Project, files: Sequence[str | Path],
                    access: FileAccess | None = None) -> Project:
    """The project with its data variables' series read from ``files`` (Vensim .tab or
    .csv: names across the first row and times down the first column, or transposed).

    Raises :class:`~wholesystem.datafiles.DataFileError` when a file cannot be read or a
    data variable is in none of them, and :class:`~wholesystem.datafiles.FileAccessError`
    for a file ``access`` refuses (default: the project's own policy).
    """
    if not data_variables(project):
        return project
    policy = access if access is not None else access_for(project.source.path,
                                                          project.source.access)
    tables = tuple(read_series_file(f, policy) for f in files)
    lowering = _DataLowering(project, feeds=tables)
    for index in range(len(project.models)):
        lowering.project = lowering.lower_model(index)
    return lowering.project


class _DataLowering:
    """Rewrites the data definitions and queries of one project, opening each file once."""

    def __init__(self, project: Project, feeds: tuple[SeriesTable, ...] | None = None):
        self.project = project
        self.feeds = feeds
        self.books = Workbooks(Path(project.source.path).parent,
                               access_for(project.source.path, project.source.access))
        self.dimensions = {d.name: d for d in project.dimensions}
        dt = project.sim_specs.dt
        self.tolerance = dt * 1e-6 if math.isfinite(dt) and dt > 0 else 1e-9
        self.points: dict[tuple[str, tuple[str, ...] | None], _Points] = {}
        self.data_names: set[str] = set()
        self.hidden: list[Variable] = []

    def defines(self, expr: Expr | None) -> bool:
        if not isinstance(expr, Call):
            return False
        function = _function(expr)
        return function == DATA_CALL if self.feeds is not None else function in _DEFINING

    def lower_model(self, index: int) -> Project:
        model = self.project.models[index]
        variables = [self.define(v) for v in model.variables]
        variables = [self.rewrite_queries(v) for v in variables] + self.hidden
        self.hidden = []
        models = list(self.project.models)
        models[index] = replace(model, variables=tuple(variables))
        return replace(self.project, models=tuple(models))

    # -- definitions: a GET call (or #DATA) as a whole equation --------------------------
    def define(self, variable: Variable) -> Variable:
        if variable.elements:
            return self.define_elements(variable)
        if not self.defines(variable.equation):
            return variable
        call = variable.equation
        assert isinstance(call, Call)
        coords = tuple(self.elements_of(d, variable.span) for d in variable.dimensions)
        made = self.evaluate(call, coords, variable)
        if not variable.dimensions:
            element = made[0]
            return replace(variable, equation=element.equation,
                           graphical_function=element.graphical_function)
        return replace(variable, equation=None, elements=tuple(made))

    def define_elements(self, variable: Variable) -> Variable:
        groups: dict[Expr, list[ElementDefinition]] = {}
        for element in variable.elements:
            if self.defines(element.equation):
                groups.setdefault(element.equation, []).append(element)  # type: ignore[arg-type]
        if not groups:
            return variable
        made: dict[tuple[str, ...], ElementDefinition] = {}
        for call, members in groups.items():
            coords = self.box(members, variable)
            for definition in self.evaluate(call, coords, variable):  # type: ignore[arg-type]
                made[definition.subscripts] = definition
        elements = tuple(
            replace(made[e.subscripts], span=e.span, bindings=e.bindings)
            if e.subscripts in made else e for e in variable.elements)
        return replace(variable, elements=elements)

    def elements_of(self, dimension: str, span: SourceSpan) -> tuple[str, ...]:
        seen: set[str] = set()
        while dimension in self.dimensions and dimension not in seen:
            seen.add(dimension)
            found = self.dimensions[dimension]
            if found.elements or found.alias_of is None:
                return found.canonical_elements
            dimension = found.alias_of
        raise ModelStructureError(f"unknown dimension '{dimension}'", span)

    def box(self, members: list[ElementDefinition], variable: Variable) -> Coords:
        """The elements one GET call fills, per dimension, in the dimensions' order."""
        coords = []
        for axis, dimension in enumerate(variable.dimensions):
            used = {m.subscripts[axis] for m in members}
            order = self.elements_of(dimension, variable.span)
            coords.append(tuple(e for e in order if e in used))
        if math.prod(len(c) for c in coords) != len(members):
            raise UnsupportedFeatureError(
                f"the elements of '{variable.display}' that one GET call defines do not "
                "form a block of whole subscript ranges", members[0].span)
        return tuple(coords)

    def evaluate(self, call: Call, coords: Coords, variable: Variable
                 ) -> list[ElementDefinition]:
        function = _function(call)
        cells = list(itertools.product(*coords))
        if function in GET_CONSTANTS:
            values = self.read_constants(call, coords)
            return [ElementDefinition(e, Number(float(v), call.span), span=call.span)
                    for e, v in zip(cells, values, strict=True)]
        if function in GET_LOOKUPS:
            xs, block = self.read_series(call, len(cells))
            return [ElementDefinition(e, None, self.table(xs, block[:, j], "interpolate",
                                                          call.span), span=call.span)
                    for j, e in enumerate(cells)]
        keyword = self.keyword_of(call, function)
        if function == DATA_CALL:
            series = self.fed_series(call, variable, cells)
        else:
            xs, block = self.read_series(call, len(cells))
            series = [(xs, block[:, j]) for j in range(len(cells))]
        self.data_names.add(variable.name)
        made = []
        for element, (xs, ys) in zip(cells, series, strict=True):
            key = element if variable.dimensions else None
            points = _points(xs, ys, keyword)
            if points is None:  # a data variable nobody has given values yet
                made.append(ElementDefinition(element, Number(math.nan, call.span),
                                              span=call.span))
                continue
            self.points[(variable.name, key)] = points
            made.append(ElementDefinition(
                element, Reference("time", "Time", (), call.span),
                self.table(points.xs, points.ys, keyword, call.span, dropped=True),
                span=call.span))
        return made

    def keyword_of(self, call: Call, function: str) -> str:
        extra = call.args[1:] if function == DATA_CALL else call.args[4:]
        if extra and isinstance(extra[0], Text):
            return data_keyword(extra[0].value, call.span)
        return KEYWORDS[0]

    def texts(self, call: Call, count: int) -> list[str]:
        values = []
        for arg in call.args[:count]:
            if not isinstance(arg, Text):
                raise UnsupportedFeatureError(
                    f"{_function(call)} needs quoted literals ('file.xlsx'); string "
                    "variables are not supported", getattr(arg, "span", call.span))
            values.append(arg.value)
        if len(values) < count:
            raise ModelStructureError(f"{_function(call)} takes {count} arguments, got "
                                      f"{len(values)}", call.span)
        return values

    # -- reading cells -------------------------------------------------------------------
    def read_constants(self, call: Call, coords: Coords) -> FloatArray:
        file, sheet_name, cell = self.texts(call, 3)
        sheet = self.books.sheet(file, sheet_name, call.span)
        sizes = [len(c) for c in coords]
        wide = [s for s in sizes if s > 1]
        if len(wide) > 2:
            raise UnsupportedFeatureError(
                "a GET CONSTANTS call reads at most a two-dimensional table; define the "
                "variable in parts, one call per table", call.span)
        rows, cols = ([1] * (2 - len(wide)) + wide)
        transpose = cell.rstrip().endswith("*") and rows * cols > 1
        cell = cell.strip().rstrip("*").strip()
        if transpose:
            rows, cols = cols, rows
        start = parse_cell(cell)
        if start is not None:
            block = sheet.numbers((start[0], start[1], start[0] + rows - 1,
                                   start[1] + cols - 1))
        else:
            block = sheet.numbers(self.named(sheet, cell, call.span))
            if block.shape != (rows, cols):
                raise DataFileError(
                    f"range '{cell}' of {sheet.where} holds {block.shape[0]}x"
                    f"{block.shape[1]} cells where the subscripts need {rows}x{cols}",
                    call.span, data_file=file)
        if np.all(np.isnan(block)):
            raise DataFileError(f"no numbers at '{cell}' of {sheet.where}",
                                call.span, data_file=file)
        return (block.T if transpose else block).reshape(-1)

    def named(self, sheet: Sheet, name: str, span: SourceSpan) -> tuple[int, int, int, int]:
        bounds = sheet.named(name)
        if bounds is None:
            raise DataFileError(
                f"'{name}' is neither a cell (like B2) nor a named range of {sheet.where}",
                span, data_file=sheet.file)
        return bounds

    def read_series(self, call: Call, size: int) -> tuple[FloatArray, FloatArray]:
        """x values (times) and one column of values per element, sorted by x."""
        file, sheet_name, axis, cell = self.texts(call, 4)
        sheet = self.books.sheet(file, sheet_name, call.span)
        axis, cell = axis.strip(), cell.strip()
        start = parse_cell(cell)
        if axis.isdigit() or (start is not None and axis.isalpha()):
            if start is None:
                raise DataFileError(f"'{cell}' is not a cell (like B2)", call.span,
                                    data_file=file)
            xs, block = _series_at(sheet, axis, start, size)
        else:
            xs, block = self.named_series(sheet, axis, cell, size, call.span)
        keep = ~np.isnan(xs)
        xs, block = xs[keep], block[keep]
        if not len(xs):
            raise DataFileError(f"no numbers for the times (x values) at '{axis}' of "
                                f"{sheet.where}", call.span, data_file=file)
        order = np.argsort(xs, kind="stable")
        xs, block = xs[order], block[order]
        if np.any(np.diff(xs) == 0):
            raise DataFileError(f"the times (x values) at '{axis}' repeat a value",
                                call.span, data_file=file)
        return xs, block

    def named_series(self, sheet: Sheet, axis: str, cell: str, size: int,
                     span: SourceSpan) -> tuple[FloatArray, FloatArray]:
        x_block = sheet.numbers(self.named(sheet, axis, span))
        if min(x_block.shape) > 1:
            raise DataFileError(f"range '{axis}' is a table, not a row or column of times",
                                span, data_file=sheet.file)
        across = x_block.shape[0] == 1 and x_block.shape[1] > 1
        block = sheet.numbers(self.named(sheet, cell, span))
        if across:
            block = block.T
        xs = x_block.reshape(-1)
        if block.shape != (len(xs), size):
            raise DataFileError(
                f"range '{cell}' holds {block.shape[1]} series of {block.shape[0]} values "
                f"where {size} series of {len(xs)} (the length of '{axis}') are needed",
                span, data_file=sheet.file)
        return xs, block

    def fed_series(self, call: Call, variable: Variable, cells: list[tuple[str, ...]]
                   ) -> list[tuple[FloatArray, FloatArray]]:
        if self.feeds is None:
            return [(np.empty(0), np.empty(0)) for _ in cells]
        name = variable.name
        if call.args and isinstance(call.args[0], Text):
            name = canonical_name(call.args[0].value)
        for table in self.feeds:
            columns = _columns_by_key(table)
            found = [columns.get((name, element)) for element in cells]
            if any(f is not None for f in found):
                empty = np.full(len(table.times), math.nan)
                return [(table.times, f if f is not None else empty) for f in found]
        files = ", ".join(t.file for t in self.feeds) or "no data file"
        raise DataFileError(f"no values for data variable '{variable.display}' in {files}",
                            variable.span,
                            hint="pass a Vensim .tab or .csv file holding it with --data")

    def table(self, xs: FloatArray, ys: FloatArray, keyword: str, span: SourceSpan,
              dropped: bool = False) -> GraphicalFunction:
        if not dropped:
            points = _points(xs, ys, keyword)
            assert points is not None
            xs, ys = points.xs, points.ys
        tolerance = self.tolerance
        if len(xs) > 1:
            tolerance = min(tolerance, float(np.min(np.diff(xs))) / 8)
        return _graphical_function(xs, ys, keyword, tolerance, span, outside_nan=False)

    # -- queries and calls inside expressions -------------------------------------------
    def rewrite_queries(self, variable: Variable) -> Variable:
        def rewrite(node: Expr) -> Expr | None:
            if not isinstance(node, Call):
                return None
            function = _function(node)
            if function in DATA_QUERIES:
                return self.query(node, function)
            if self.feeds is not None:
                return None
            if function in GET_CONSTANTS:
                return Number(float(self.read_constants(node, ())[0]), node.span)
            if function in _DEFINING or function in GET_SUBSCRIPT:
                raise ModelStructureError(
                    f"{function} must be the whole equation of a variable"
                    + (" (a subscript range definition)" if function in GET_SUBSCRIPT else ""),
                    node.span)
            return None

        def lower(expr: Expr | None) -> Expr | None:
            return None if expr is None else transform(expr, rewrite)

        return replace(variable, equation=lower(variable.equation), rate=lower(variable.rate),
                       elements=tuple(replace(e, equation=lower(e.equation))
                                      for e in variable.elements))

    def query(self, call: Call, function: str) -> Expr:
        if not call.args or not isinstance(call.args[0], Reference):
            raise ModelStructureError(f"{function} needs a data variable as its first "
                                      "argument", call.span)
        if call.args[0].name not in self.data_names:
            if self.feeds is not None:
                return call  # not fed from a file: answered when the model is lowered
            raise ModelStructureError(f"'{call.args[0].text}' is not a data variable",
                                      call.span)
        points = self.points_of(call.args[0], call.span)
        if points is None:
            return Number(math.nan, call.span)  # a data variable given no values
        if function == "GET DATA FIRST TIME":
            return Number(float(points.xs[0]), call.span)
        if function == "GET DATA LAST TIME":
            return Number(float(points.xs[-1]), call.span)
        if function == "GET DATA TOTAL POINTS":
            return Number(float(len(points.xs)), call.span)
        keyword, outside_nan = points.keyword, False
        if function == "GET DATA BETWEEN TIMES":
            mode = call.args[2] if len(call.args) > 2 else None
            if not isinstance(mode, Number) or mode.value not in (-1.0, 0.0, 1.0):
                raise UnsupportedFeatureError(
                    "the mode of GET DATA BETWEEN TIMES must be written as -1, 0 or 1",
                    call.span)
            keyword = {0.0: "interpolate", 1.0: "look forward", -1.0: "hold backward"}[
                mode.value]
            outside_nan = True
        tolerance = self.tolerance
        if len(points.xs) > 1:
            tolerance = min(tolerance, float(np.min(np.diff(points.xs))) / 8)
        table = _graphical_function(points.xs, points.ys, keyword, tolerance, call.span,
                                    outside_nan)
        name = f"#data.{len(self.hidden) + 1}.{call.args[0].name}"
        self.hidden.append(Variable(name, name, VariableKind.AUX, None, call.span,
                                    graphical_function=table))
        return Call(name, (call.args[1],), call.span)

    def points_of(self, ref: Reference, span: SourceSpan) -> _Points | None:
        variable = next(v for m in self.project.models for v in m.variables
                        if v.name == ref.name)
        key: tuple[str, ...] | None = None
        if variable.dimensions:
            names = tuple(canonical_name(s.text) if isinstance(s, Reference) else "" for s in
                          ref.subscripts)
            dims = [self.elements_of(d, span) for d in variable.dimensions]
            if len(names) != len(dims) or any(n not in d for n, d in
                                               zip(names, dims, strict=True)):
                raise UnsupportedFeatureError(
                    "GET DATA functions need one element of each subscript range of an "
                    f"arrayed data variable, e.g. {ref.text}[{', '.join(d[0] for d in dims)}]",
                    span)
            key = names
        return self.points.get((variable.name, key))


def _series_at(sheet: Sheet, axis: str, start: tuple[int, int], size: int
               ) -> tuple[FloatArray, FloatArray]:
    first_row, first_col = start
    if axis.isdigit():  # times across a row; one row per element below or at the cell
        row = int(axis) - 1
        last_col = max(sheet.width - 1, first_col)
        xs = sheet.numbers((row, first_col, row, last_col))[0]
        block = sheet.numbers((first_row, first_col, first_row + size - 1, last_col)).T
    else:  # times down a column; one column per element
        column = column_number(axis)
        last_row = max(sheet.height - 1, first_row)
        xs = sheet.numbers((first_row, column, last_row, column))[:, 0]
        block = sheet.numbers((first_row, first_col, last_row, first_col + size - 1))
    end = len(xs)
    while end and math.isnan(xs[end - 1]):
        end -= 1
    return xs[:end], block[:end]


def _points(xs: FloatArray, ys: FloatArray, keyword: str) -> _Points | None:
    if not len(xs):
        return None
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    keep = ~np.isnan(xs) if keyword == "raw" else ~(np.isnan(xs) | np.isnan(ys))
    if not np.any(keep):  # no value at all: NaN throughout
        return _Points(xs[:1], np.array([math.nan]), keyword)
    return _Points(xs[keep], ys[keep], keyword)


def _graphical_function(xs: FloatArray, ys: FloatArray, keyword: str, tolerance: float,
                        span: SourceSpan, outside_nan: bool) -> GraphicalFunction:
    """A table read at Time that gives Vensim's value of a data series (module docstring).

    ``tolerance`` (far below the spacing of the points) absorbs the rounding of Time, so
    a step lands on the right side of a point."""
    x, y, nan = [float(v) for v in xs], [float(v) for v in ys], math.nan
    tol = tolerance
    discrete = GraphicalFunctionKind.DISCRETE
    if keyword == "interpolate":
        if outside_nan:
            x = [x[0] - 2 * tol, x[0] - tol, *x, x[-1] + tol, x[-1] + 2 * tol]
            y = [nan, y[0], *y, y[-1], nan]
        return GraphicalFunction(tuple(x), tuple(y), GraphicalFunctionKind.CONTINUOUS, span)
    if keyword == "raw":
        steps = [x[0] - 2 * tol] + [v for p in x for v in (p - tol, p + tol)]
        values = [nan] + [v for p in y for v in (p, nan)]
        return GraphicalFunction(tuple(steps), tuple(values), discrete, span)
    if keyword == "hold backward":
        steps = [x[0]] + [p - tol for p in x[1:]]
    else:  # look forward: each value from just after the point before it
        steps = [x[0]] + [p + tol for p in x[:-1]]
    if outside_nan:
        first = x[0] - tol
        steps = [x[0] - 2 * tol, first] + steps[1:] + [x[-1] + tol]
        y = [nan, *y, nan]
    return GraphicalFunction(tuple(steps), tuple(y), discrete, span)


def _columns_by_key(table: SeriesTable) -> dict[tuple[str, tuple[str, ...]], FloatArray]:
    columns: dict[tuple[str, tuple[str, ...]], FloatArray] = {}
    for name, values in table.series.items():
        base, _, rest = name.partition("[")
        elements = tuple(canonical_name(e) for e in rest.rstrip().rstrip("]").split(",")
                         ) if rest else ()
        columns[(canonical_name(base), elements)] = values
    return columns
