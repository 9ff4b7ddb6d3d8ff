"""Spreadsheets and delimited text files beside a model: the cells Vensim's GET functions read.

This module sits beneath every pipeline stage. The Vensim reader calls
:func:`read_subscript_cells` for ``GET XLS SUBSCRIPT`` while it reads subscript ranges;
the compiler reads constants, lookups and data series through a :class:`Workbooks`,
which opens each file once per compile; ``--data`` files are read by
:func:`read_series_file`. Cells are addressed as spreadsheets do (column letters from A,
rows from 1) whatever the file type, or by named range in Excel workbooks.

>>> parse_cell("B2"), parse_cell("$AA$10"), parse_cell("Time1")
((1, 1), (9, 26), None)
"""

from __future__ import annotations

import csv
import math
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.typing import NDArray

from wholesystem.diagnostics import SourceSpan
from wholesystem.errors import WholesystemError
from wholesystem.limits import Limits

__all__ = [
    "FileAccess",
    "FileAccessError",
    "DataFileError",
    "Sheet",
    "Workbooks",
    "SeriesTable",
    "parse_cell",
    "column_number",
    "cell_text",
    "read_subscript_cells",
    "read_series_file",
    "access_for",
    "limits_for",
    "atomic_output",
    "write_text_atomically",
]

Cell = float | str | None
"""A cell's value: a number, a text, or None when empty."""
Bounds = tuple[int, int, int, int]
"""A rectangle of cells: first row, first column, last row, last column (0-based,
inclusive)."""

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]+)$")
_RANGE = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]+)(?::\$?([A-Za-z]{1,3})\$?([0-9]+))?$")


class DataFileError(WholesystemError, ValueError):
    """A data file a model names cannot be read, or lacks the sheet, cells or range asked
    for. ``str()`` names the model's ``file:line:col`` and the data file."""

    def __init__(self, message: str, span: SourceSpan | None = None, *,
                 data_file: str | None = None, hint: str | None = None):
        self.data_file = data_file
        super().__init__(f"{data_file}: {message}" if data_file else message, span, hint=hint)


class FileAccessError(DataFileError, PermissionError):
    """A model names a file its :class:`FileAccess` policy does not let it read."""


_MODES = ("cli", "uploads", "unrestricted")


@dataclass(frozen=True)
class FileAccess:
    """Which files a model may read: its data spreadsheets, ``--data`` series and the CSV
    files a system file names.

    A model file is data from someone else; the files it names are checked here before
    they are opened. Paths are made absolute and every symlink and ``..`` resolved first,
    so a link inside an allowed folder that points outside it is refused, as is
    ``../../etc/passwd``. Build one with a constructor:

    - :meth:`for_cli`: the model's folder (and below) and the paths the user names on the
      command line (``--data``, ``--allow``). The default of the CLI and of the Python API.
    - :meth:`uploads_only`: only the files in one folder, the uploads of one model version
      (the web workbench's default).
    - :meth:`unrestricted`: any file, for a caller who vets paths itself.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> access = FileAccess.uploads_only(folder)
    >>> access.allows(folder / "data.csv"), access.allows(folder / ".." / "data.csv")
    (True, False)
    >>> access.allows("/etc/passwd")
    False
    """

    folders: tuple[Path, ...] = ()
    """Resolved folders whose files (at any depth) may be read."""
    files: tuple[Path, ...] = ()
    """Resolved single files that may be read."""
    mode: str = "cli"
    """``cli``, ``uploads`` or ``unrestricted``: chooses the wording of refusals."""
    max_bytes: int = 256 * 1024 * 1024
    """Largest file that may be read (a resource limit; 256 MiB by default)."""
    limits: Limits = field(default_factory=Limits)
    """The resource limits models read under this policy obey (:mod:`wholesystem.limits`)."""

    def __post_init__(self) -> None:
        if self.mode not in _MODES:
            raise ValueError(f"FileAccess mode must be one of {', '.join(_MODES)}")

    @classmethod
    def for_cli(cls, model_path: str | Path,
                extra_allowed: Iterable[str | Path] = (), *,
                max_bytes: int = 256 * 1024 * 1024,
                limits: Limits | None = None) -> FileAccess:
        """The model's folder and ``extra_allowed`` (files or folders the user named)."""
        extras = [_resolved(p) for p in extra_allowed]
        # The folder the model is named in (a linked model reads beside the link).
        home = _resolved(Path(os.path.abspath(os.fspath(model_path))).parent)
        folders = [home] + [p for p in extras if p.is_dir()]
        files = tuple(p for p in extras if not p.is_dir())
        return cls(tuple(folders), files, "cli", max_bytes, limits or Limits())

    @classmethod
    def uploads_only(cls, folder: str | Path, *,
                     max_bytes: int = 256 * 1024 * 1024,
                     limits: Limits | None = None) -> FileAccess:
        """Only files inside ``folder``: the files uploaded with one model version."""
        return cls((_resolved(Path(folder)),), (), "uploads", max_bytes, limits or Limits())

    @classmethod
    def unrestricted(cls, *, max_bytes: int = 256 * 1024 * 1024,
                     limits: Limits | None = None) -> FileAccess:
        """Any file the process can read (no sandbox)."""
        return cls((), (), "unrestricted", max_bytes, limits or Limits())

    def allowing(self, paths: Iterable[str | Path]) -> FileAccess:
        """This policy with ``paths`` (files the user named) allowed too; an uploads-only
        policy is returned unchanged, since a server never widens it for a request."""
        if self.mode != "cli":
            return self
        return replace(self, files=self.files + tuple(_resolved(p) for p in paths))

    def allows(self, path: str | Path) -> bool:
        """Whether ``path`` (after resolving links and ``..``) may be read."""
        if self.mode == "unrestricted":
            return True
        target = _resolved(path)
        return target in self.files or any(target.is_relative_to(f) for f in self.folders)

    def open_path(self, file: str | Path, span: SourceSpan | None = None, *,
                  relative_to: str | Path | None = None, what: str = "data file") -> Path:
        """The resolved path of ``file`` (relative to ``relative_to`` when not absolute),
        checked: it must be allowed, exist, be a regular file and not exceed
        :attr:`max_bytes`. Raises :class:`FileAccessError` (refused) or
        :class:`DataFileError` (missing, too big) naming ``span`` and the file."""
        named = str(file)
        joined = Path(file) if relative_to is None else Path(relative_to) / file
        if not self.allows(joined):
            raise FileAccessError(self._refusal(), span, data_file=named, hint=self._hint())
        path = _resolved(joined)
        if not path.is_file():
            where = f" (looked in {Path(relative_to)})" if relative_to is not None else ""
            raise DataFileError(f"no such {what}{where}", span, data_file=named)
        size = path.stat().st_size
        if size > self.max_bytes:
            raise DataFileError(
                f"the {what} is {size:,} bytes, over the limit of {self.max_bytes:,}", span,
                data_file=named, hint="raise the limit with FileAccess(max_bytes=...)")
        return path

    def _refusal(self) -> str:
        if self.mode == "uploads":
            return "refused: only files uploaded with this model version may be read"
        shown = ", ".join(str(f) for f in self.folders) or "none"
        return f"refused: outside the folders this model may read ({shown})"

    def _hint(self) -> str:
        if self.mode == "uploads":
            return "upload the file with the model and name it without a folder"
        return ("copy the file beside the model, or allow it: wholesystem ... --allow PATH, "
                "or FileAccess.for_cli(model, extra_allowed=[PATH]) in Python")


def _resolved(path: str | Path) -> Path:
    """``path`` absolute, with every symlink and ``..`` resolved (it need not exist)."""
    return Path(os.path.realpath(os.path.abspath(os.fspath(path))))


def access_for(model_path: str | Path, access: FileAccess | None) -> FileAccess:
    """``access``, or the default policy of a model read from ``model_path``."""
    return access if access is not None else FileAccess.for_cli(model_path)


def limits_for(access: FileAccess | None) -> Limits:
    """The resource limits of ``access`` (the defaults when None)."""
    return access.limits if access is not None else Limits()


@contextmanager
def atomic_output(path: str | Path, *, binary: bool = False, newline: str | None = None
                  ) -> Iterator[IO[Any]]:
    """A file handle whose content replaces ``path`` only when the block ends normally.

    The content goes to a temporary file beside ``path`` (same folder, so the same file
    system), is flushed to disk, then renamed over ``path`` with :func:`os.replace`, which
    is atomic: a reader, or a second process writing the same output, sees the old file
    or a complete new one, never a partial or interleaved one. An exception (or Ctrl-C)
    inside the block leaves ``path`` as it was and removes the temporary file.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                             dir=folder)
    try:
        # mkstemp makes the file private (0600); an output file gets the usual mode.
        os.fchmod(descriptor, _mode_for(target))
        handle: IO[Any] = (os.fdopen(descriptor, "wb") if binary else
                           os.fdopen(descriptor, "w", encoding="utf-8", newline=newline))
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise


def write_text_atomically(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through :func:`atomic_output`."""
    with atomic_output(path) as handle:
        handle.write(text)


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        mask = os.umask(0o022)  # read the umask (the only way) and put it back
        os.umask(mask)
        return 0o666 & ~mask


def column_number(letters: str) -> int:
    """0-based index of a column named by letters: ``A`` -> 0, ``AA`` -> 26."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


def parse_cell(reference: str) -> tuple[int, int] | None:
    """(row, column), 0-based, of a cell written ``B2`` or ``$B$2``; None if it is not one."""
    match = _CELL.match(reference.strip())
    if match is None or int(match.group(2)) == 0:
        return None
    return int(match.group(2)) - 1, column_number(match.group(1))


def cell_text(value: Cell) -> str | None:
    """A cell as a subscript element name: whole numbers without ``.0``; None if empty."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    text = value.strip()
    return text or None


def _number(value: Cell) -> float:
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return math.nan
    return math.nan


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook (or a whole text file): its cells and named ranges."""

    file: str
    """Path of the file, as the model names it."""
    name: str
    """Sheet name as the workbook spells it ('' for a text file)."""
    rows: tuple[tuple[Cell, ...], ...]
    """Cells, row by row (rows may differ in length)."""
    names: dict[str, Bounds] = field(default_factory=dict)
    """Named ranges on this sheet, by lower-case name (sheet-local names win)."""

    @property
    def width(self) -> int:
        """Number of columns up to the last used one."""
        return max((len(r) for r in self.rows), default=0)

    @property
    def height(self) -> int:
        """Number of rows up to the last used one."""
        return len(self.rows)

    @property
    def where(self) -> str:
        """How messages name it: ``sheet 'Data'``, or ``the file`` for a text file."""
        return f"sheet '{self.name}'" if self.name else "the file"

    def cell(self, row: int, column: int) -> Cell:
        """The value at (row, column), 0-based; None outside the used area."""
        if 0 <= row < len(self.rows) and 0 <= column < len(self.rows[row]):
            return self.rows[row][column]
        return None

    def numbers(self, bounds: Bounds) -> NDArray[np.float64]:
        """The rectangle as floats: NaN for empty or non-numeric cells."""
        first_row, first_col, last_row, last_col = bounds
        return np.array([[_number(self.cell(r, c)) for c in range(first_col, last_col + 1)]
                         for r in range(first_row, last_row + 1)], dtype=float).reshape(
            last_row - first_row + 1, last_col - first_col + 1)

    def named(self, name: str) -> Bounds | None:
        """The rectangle of a named range, or None."""
        return self.names.get(name.strip().lower())


class Workbooks:
    """Data files of one model, each opened once: the cache of one compile or one read.

    ``folder`` is where the model file lies; file names in GET calls are relative to it.
    ``access`` decides which files may be opened (default: files in ``folder``).
    """

    def __init__(self, folder: str | Path, access: FileAccess | None = None):
        self.folder = Path(folder)
        self.access = access if access is not None else FileAccess((_resolved(self.folder),))
        self._sheets: dict[tuple[str, str], Sheet] = {}
        self._books: dict[str, Any] = {}

    def path_of(self, file: str, span: SourceSpan | None) -> Path:
        """The file a GET call names, which must exist."""
        if file.startswith("?"):
            raise DataFileError(
                "indirect file references ('?name') are resolved in Vensim's settings, "
                "which a model file does not hold", span, data_file=file,
                hint="write the file name itself in the equation")
        return self.access.open_path(file, span, relative_to=self.folder)

    def sheet(self, file: str, sheet: str, span: SourceSpan | None) -> Sheet:
        """A sheet of an Excel workbook, or a text file split at ``sheet`` (a separator
        character) or at tabs (commas for .csv)."""
        key = (file, sheet)
        if key not in self._sheets:
            path = self.path_of(file, span)
            suffix = path.suffix.lower()
            try:
                if suffix == ".xls":
                    found = self._xls_sheet(path, file, sheet, span)
                elif suffix in EXCEL_SUFFIXES:
                    found = self._xlsx_sheet(path, file, sheet, span)
                else:
                    found = _text_sheet(path, file, _separator(sheet, suffix))
            except DataFileError:
                raise
            except Exception as err:
                raise DataFileError(f"cannot read the file ({type(err).__name__}: {err})",
                                    span, data_file=file) from None
            self._sheets[key] = found
        return self._sheets[key]

    def _book(self, path: Path, loader: Any) -> Any:
        key = str(path)
        if key not in self._books:
            self._books[key] = loader(path)
        return self._books[key]

    def _xlsx_sheet(self, path: Path, file: str, sheet: str, span: SourceSpan | None
                    ) -> Sheet:
        import openpyxl

        book = self._book(path, lambda p: openpyxl.load_workbook(p, data_only=True))
        title = _match_sheet(book.sheetnames, sheet, file, span)
        worksheet = book[title]
        rows = tuple(tuple(_excel_value(v) for v in row)
                     for row in worksheet.iter_rows(values_only=True))
        names: dict[str, Bounds] = {}
        for name, defined in book.defined_names.items():
            _add_destinations(names, name, defined.destinations, title)
        for name, defined in worksheet.defined_names.items():
            _add_destinations(names, name, defined.destinations, title)
        return Sheet(file, title, _trim(rows), names)

    def _xls_sheet(self, path: Path, file: str, sheet: str, span: SourceSpan | None) -> Sheet:
        import xlrd

        book = self._book(path, lambda p: xlrd.open_workbook(str(p)))
        title = _match_sheet(book.sheet_names(), sheet, file, span)
        index = book.sheet_names().index(title)
        worksheet = book.sheet_by_index(index)
        rows = tuple(tuple(_xls_value(worksheet.cell(r, c)) for c in range(worksheet.ncols))
                     for r in range(worksheet.nrows))
        names: dict[str, Bounds] = {}
        for name in sorted(book.name_obj_list, key=lambda n: n.scope != -1):
            if name.scope not in (-1, index):
                continue
            try:
                area_sheet, first_row, end_row, first_col, end_col = name.area2d()
            except Exception:
                continue
            if area_sheet.name == title:
                names[name.name.lower()] = (first_row, first_col, end_row - 1, end_col - 1)
        return Sheet(file, title, _trim(rows), names)


def _match_sheet(available: Sequence[str], wanted: str, file: str,
                 span: SourceSpan | None) -> str:
    if wanted in available:
        return wanted
    folded = {name.casefold(): name for name in available}
    if wanted.strip().casefold() in folded:
        return folded[wanted.strip().casefold()]
    raise DataFileError(f"no sheet '{wanted}'", span, data_file=file,
                        hint=f"its sheets are {', '.join(repr(s) for s in available)}")


def _add_destinations(names: dict[str, Bounds], name: str, destinations: Any,
                      title: str) -> None:
    for sheet, reference in destinations:
        bounds = parse_range(reference)
        if sheet.strip("'").casefold() == title.casefold() and bounds is not None:
            names[name.lower()] = bounds


def parse_range(reference: str) -> Bounds | None:
    """The rectangle of ``$B$4:$G$4`` or ``B4``, 0-based inclusive; None if malformed."""
    match = _RANGE.match(reference.strip())
    if match is None:
        return None
    first_col, first_row = column_number(match.group(1)), int(match.group(2)) - 1
    if match.group(3) is None:
        return first_row, first_col, first_row, first_col
    return first_row, first_col, int(match.group(4)) - 1, column_number(match.group(3))


def _excel_value(value: object) -> Cell:
    if value is None:
        return None
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    return text or None


def _xls_value(cell: Any) -> Cell:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE, xlrd.XL_CELL_BOOLEAN):
        return float(cell.value)
    if cell.ctype == xlrd.XL_CELL_TEXT:
        return cell.value.strip() or None
    return None


def _trim(rows: tuple[tuple[Cell, ...], ...]) -> tuple[tuple[Cell, ...], ...]:
    """Rows without trailing empty cells, and no trailing empty rows."""
    trimmed = []
    for row in rows:
        end = len(row)
        while end and row[end - 1] is None:
            end -= 1
        trimmed.append(row[:end])
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return tuple(trimmed)


def _separator(sheet: str, suffix: str) -> str:
    if len(sheet) == 1 and not sheet.isalnum():
        return sheet
    if sheet in ("\\t", "tab"):
        return "\t"
    return "," if suffix == ".csv" else "\t"


def _text_sheet(path: Path, file: str, separator: str) -> Sheet:
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        rows = [tuple(_text_value(v) for v in row)
                for row in csv.reader(handle, delimiter=separator)]
    return Sheet(file, "", _trim(tuple(rows)))


def _text_value(text: str) -> Cell:
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return text


def _subscript_bounds(sheet: Sheet, first: str, last: str, span: SourceSpan | None
                      ) -> Bounds:
    start = parse_cell(first)
    if start is None:
        named = sheet.named(first)
        if named is None:
            raise DataFileError(f"'{first}' is neither a cell nor a named range of "
                                f"{sheet.where}", span, data_file=sheet.file)
        return named
    last = last.strip()
    end_row, end_col = sheet.height - 1, sheet.width - 1
    end = parse_cell(last) if last else None
    if end is not None:
        end_row, end_col = end
    elif last.isdigit():
        end_row = int(last) - 1
    elif last.isalpha():
        end_col = column_number(last)
    elif last:
        raise DataFileError(f"'{last}' is not a cell, row number or column letter", span,
                            data_file=sheet.file)
    return start[0], start[1], end_row, end_col


def read_subscript_cells(model_path: str | Path, file: str, sheet: str, first: str,
                         last: str = "", prefix: str = "", *,
                         span: SourceSpan | None = None,
                         access: FileAccess | None = None) -> tuple[str, ...]:
    """Elements of a subscript range defined by ``GET XLS SUBSCRIPT`` / ``GET DIRECT
    SUBSCRIPT``: the non-empty cells from ``first`` to ``last`` (a cell, a row number, a
    column letter, or empty for the edge of the sheet), across then down, each preceded
    by ``prefix``. ``first`` may be a named range (``last`` is then ignored).

    ``model_path`` is the model file; ``file`` is relative to its folder. Problems raise
    :class:`DataFileError` carrying ``span`` (the call's position in the model);
    ``access`` decides which files may be read (default: the model's folder).
    """
    books = Workbooks(Path(model_path).parent, access_for(model_path, access))
    found = books.sheet(file, sheet, span)
    first_row, first_col, last_row, last_col = _subscript_bounds(found, first, last, span)
    elements = []
    for row in range(first_row, last_row + 1):
        for column in range(first_col, last_col + 1):
            text = cell_text(found.cell(row, column))
            if text is not None:
                elements.append(prefix + text)
    if not elements:
        raise DataFileError(f"no subscript elements in cells {first}:{last or 'end'} of "
                            f"{found.where}", span, data_file=file)
    return tuple(elements)


@dataclass(frozen=True)
class SeriesTable:
    """A time-series file (Vensim .tab or .csv output): one series per column name."""

    file: str
    """Path of the file."""
    times: NDArray[np.float64]
    """Times of the rows, ascending as written."""
    series: dict[str, NDArray[np.float64]]
    """Values per column name as written (``stock[A,B]``), NaN where a cell is empty."""


def read_series_file(path: str | Path, access: FileAccess | None = None) -> SeriesTable:
    """Read a data file for data variables: names in the first row and times down the
    first column, or (transposed) names down the first column and times across the first
    row. Tab-separated unless the name ends in ``.csv``. ``access`` (default: any file)
    decides whether the file may be read."""
    policy = access if access is not None else FileAccess.unrestricted()
    opened = policy.open_path(path)
    path = Path(path)
    sheet = _text_sheet(opened, str(path), "," if path.suffix.lower() == ".csv" else "\t")
    rows = sheet.rows
    if not rows or (len(rows) < 2 and len(rows[0]) < 2):
        raise DataFileError("the data file holds no series", data_file=str(path))
    header = rows[0]
    across = len(header) > 1 and all(isinstance(v, float) for v in header[1:])
    grid = [list(r) + [None] * (max(len(x) for x in rows) - len(r)) for r in rows]
    if across:  # times run across the first row: turn the table so they run down
        grid = [list(column) for column in zip(*grid, strict=True)]
    names = grid[0][1:]
    times = np.array([_number(r[0]) for r in grid[1:]], dtype=float)
    keep = ~np.isnan(times)
    series: dict[str, NDArray[np.float64]] = {}
    for index, name in enumerate(names, start=1):
        if name is None:
            continue
        values = np.array([_number(r[index]) for r in grid[1:]], dtype=float)
        series[str(name).strip().strip('"')] = values[keep]
    return SeriesTable(str(path), times[keep], series)
