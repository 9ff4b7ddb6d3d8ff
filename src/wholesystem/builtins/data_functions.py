"""Vensim's external-data functions: the GET XLS / GET DIRECT family and data queries.

The files these functions name are read when a model is compiled (constants, lookups and
data series, :mod:`wholesystem.compiler.data`) or read (subscript ranges,
:func:`wholesystem.datafiles.read_subscript_cells`), so no kernel runs them: each call is
rewritten into numbers, graphical functions and time-indexed tables before code is
generated. The entries here give their names, arities and meanings to the registry.
"""

from __future__ import annotations

from wholesystem.builtins.registry import Builtin, BuiltinKind

__all__ = ["DATA_FUNCTIONS", "GET_CONSTANTS", "GET_DATA", "GET_LOOKUPS", "GET_SUBSCRIPT",
           "DATA_QUERIES"]

GET_CONSTANTS = ("GET XLS CONSTANTS", "GET DIRECT CONSTANTS")
"""Functions reading constants."""
GET_DATA = ("GET XLS DATA", "GET DIRECT DATA")
"""Functions reading time series for data variables."""
GET_LOOKUPS = ("GET XLS LOOKUPS", "GET DIRECT LOOKUPS")
"""Functions reading graphical functions (lookups)."""
GET_SUBSCRIPT = ("GET XLS SUBSCRIPT", "GET DIRECT SUBSCRIPT")
"""Functions reading the elements of a subscript range."""
DATA_QUERIES = ("GET DATA AT TIME", "GET DATA BETWEEN TIMES", "GET DATA FIRST TIME",
                "GET DATA LAST TIME", "GET DATA TOTAL POINTS")
"""Functions asking about the points of a data variable."""

_XLS = "Reads an Excel workbook (.xlsx, .xls) named relative to the model file."
_DIRECT = ("Reads an Excel workbook or a delimited text file named relative to the model "
           "file; for a text file 'sheet' is the separator (default tab, comma for .csv).")
_SERIES = ("'x row or column' is a row number ('1': values run across) or a column letter "
           "('A': values run down), or a named range; one row or column per element from "
           "'first cell' on (a cell or named range). Empty or non-numeric cells are skipped.")


def _mdl(name: str, n: tuple[int, int], kind: BuiltinKind, signature: str, doc: str
         ) -> Builtin:
    return Builtin(name, n[0], n[1], kind, signature, doc, dialects=("mdl",))


def _family(stem: str, n: tuple[int, int], kind: BuiltinKind, arguments: str, doc: str
            ) -> tuple[Builtin, Builtin]:
    return (
        _mdl(f"GET XLS {stem}", n, kind, f"GET XLS {stem}({arguments})", f"{doc} {_XLS}"),
        _mdl(f"GET DIRECT {stem}", n, kind, f"GET DIRECT {stem}({arguments})",
             f"{doc} {_DIRECT}"),
    )


DATA_FUNCTIONS: tuple[Builtin, ...] = (
    *_family("DATA", (4, 5), BuiltinKind.TIME,
             "'file', 'sheet', 'time row or column', 'first cell'",
             "Time series of a data variable (written after :=). Between points the value "
             "is interpolated (default, :INTERPOLATE:), held from the earlier point "
             "(:HOLD BACKWARD:), taken from the next point (:LOOK FORWARD:) or missing, NaN "
             "(:RAW:); before the first and after the last point the end values hold. "
             + _SERIES),
    *_family("CONSTANTS", (3, 3), BuiltinKind.ELEMENTWISE, "'file', 'sheet', 'first cell'",
             "A constant, or an array of constants read across along the last subscript "
             "range with more than one element and down along the one before; a cell "
             "ending in * reads transposed; a named range must have the array's shape."),
    *_family("LOOKUPS", (4, 4), BuiltinKind.ELEMENTWISE,
             "'file', 'sheet', 'x row or column', 'first cell'",
             "Graphical function (lookup) with x values in a row or column of the sheet and "
             "one row or column of y values per element; read like a lookup table, "
             "clamped at the ends. " + _SERIES),
    *_family("SUBSCRIPT", (3, 5), BuiltinKind.ELEMENTWISE,
             "'file', 'sheet', 'first cell', 'last cell', 'prefix'",
             "In a subscript range definition: the elements are the cells from 'first cell' "
             "to 'last cell' (a cell, a row number, a column letter, or empty for the edge "
             "of the sheet), read across then down, empty cells skipped, each preceded by "
             "'prefix'."),
    _mdl("GET DATA AT TIME", (2, 2), BuiltinKind.TIME, "GET DATA AT TIME(data, time)",
         "Value of a data variable at another time, read with its own data keyword."),
    _mdl("GET DATA BETWEEN TIMES", (3, 3), BuiltinKind.TIME,
         "GET DATA BETWEEN TIMES(data, time, mode)",
         "Value of a data variable at time: mode 0 interpolates, 1 takes the next point "
         "(:LOOK FORWARD:), -1 the earlier one (:HOLD BACKWARD:); NaN (Vensim's :NA:) "
         "before the first or after the last point."),
    _mdl("GET DATA FIRST TIME", (1, 1), BuiltinKind.ELEMENTWISE, "GET DATA FIRST TIME(data)",
         "Time of the first point of a data variable."),
    _mdl("GET DATA LAST TIME", (1, 1), BuiltinKind.ELEMENTWISE, "GET DATA LAST TIME(data)",
         "Time of the last point of a data variable."),
    _mdl("GET DATA TOTAL POINTS", (1, 1), BuiltinKind.ELEMENTWISE,
         "GET DATA TOTAL POINTS(data)", "Number of points of a data variable."),
)
"""Registry entries of the external-data functions (Vensim only)."""
