"""Reading a conformance case's reference output and comparing results the way the
shared scorer (``shared/tools/sdconform.py``) does: same name matching, time pairing and
tolerance (|got - expected| <= 1e-6 + 1e-3 |expected|)."""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

RTOL = 1e-3
ATOL = 1e-6
CONTROL = {"initial time", "final time", "time step", "saveper"}
NA_CELLS = {"", "#N/A", "N/A", "NA", "NULL", "NaN", "nan", "None", "n/a", "null", "-nan",
            "-NaN", "<NA>"}


def sd_key(name: str) -> str:
    """Name equivalence of the scorer: case, '_' vs space, whitespace and quotes."""
    def norm(part: str) -> str:
        part = part.strip().strip('"')
        return re.sub(r"\s+", " ", part.replace("_", " ")).strip().casefold()

    match = re.match(r"^(.*?)\[(.*)\]\s*$", name.strip())
    if match:
        elements = ",".join(norm(e) for e in match.group(2).split(","))
        return f"{norm(match.group(1))}[{elements}]"
    return norm(name)


def read_reference(path: Path) -> pd.DataFrame:
    """The reference table indexed by time, constants filled down."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    delimiter = "\t" if path.suffix == ".tab" else ","
    rows = list(csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n")),
                           delimiter=delimiter))
    header = rows[0]
    time_col = next(i for i, h in enumerate(header) if h.strip().strip('"').lower() == "time")
    data: dict[str, list[float]] = {h: [] for i, h in enumerate(header)
                                    if h.strip() and i != time_col}
    times = []
    for row in rows[1:]:
        if len(row) <= time_col:
            continue
        try:
            times.append(float(row[time_col]))
        except ValueError:
            continue
        for i, h in enumerate(header):
            if h in data:
                cell = row[i].strip() if i < len(row) else ""
                data[h].append(_number(cell))
    frame = pd.DataFrame(data, index=times)
    for column in frame.columns:
        values = frame[column]
        if values.iloc[1:].isna().all() and not math.isnan(values.iloc[0]):
            frame[column] = values.iloc[0]
    return frame


def _number(cell: str) -> float:
    if cell in NA_CELLS:
        return math.nan
    lowered = cell.lower()
    if lowered in ("true", "false"):
        return 1.0 if lowered == "true" else 0.0
    try:
        return float(cell)
    except ValueError:
        return math.nan


def compare(results: pd.DataFrame, reference: pd.DataFrame) -> list[str]:
    """Problems found comparing ``results`` (indexed by time) with ``reference``."""
    ours = {sd_key(str(c)): c for c in results.columns}
    problems: list[str] = []
    times = results.index.to_numpy(dtype=float)
    pairs = []
    for i, t in enumerate(reference.index):
        j = int(np.argmin(np.abs(times - t)))
        if abs(times[j] - t) <= 1e-9 + 5e-6 * max(1.0, abs(t)):
            pairs.append((i, j))
    if not pairs:
        return ["no reference time matches an output time"]
    ref_rows = [i for i, _ in pairs]
    our_rows = [j for _, j in pairs]
    for column in reference.columns:
        key = sd_key(str(column))
        if key not in ours:
            if key not in CONTROL:
                problems.append(f"missing column '{column}'")
            continue
        expected = reference[column].to_numpy(dtype=float)[ref_rows]
        got = results[ours[key]].to_numpy(dtype=float)[our_rows]
        both_nan = np.isnan(expected) & np.isnan(got)
        same_inf = np.isinf(expected) & (expected == got)
        close = np.abs(got - expected) <= ATOL + RTOL * np.abs(expected)
        bad = ~(both_nan | same_inf | close)
        if bad.any():
            k = int(np.argmax(bad))
            problems.append(f"'{column}' at t={reference.index[ref_rows[k]]}: expected "
                            f"{expected[k]:g}, got {got[k]:g}")
    return problems
