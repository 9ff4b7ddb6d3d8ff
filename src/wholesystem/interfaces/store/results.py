"""Run results in a compact columnar form: one compressed NumPy archive per run.

Each column is a float64 array stored under a positional key (``c0``, ``c1``...); the
names travel beside the archive, so any variable name survives. Archives are read with
``allow_pickle=False``: nothing stored is ever executed.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["encode_results", "decode_results"]


def encode_results(frame: pd.DataFrame) -> tuple[list[str], bytes, str]:
    """``(column names, archive bytes, sha256 of the bytes)``; the index is ``time``."""
    arrays = {"time": np.asarray(frame.index, dtype=np.float64)}
    names = [str(c) for c in frame.columns]
    for position, name in enumerate(frame.columns):
        arrays[f"c{position}"] = pd.to_numeric(frame[name], errors="coerce").to_numpy(
            dtype=np.float64)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    blob = buffer.getvalue()
    return names, blob, hashlib.sha256(blob).hexdigest()


def decode_results(names: list[str], blob: bytes) -> pd.DataFrame:
    """The frame :func:`encode_results` stored."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as archive:
        columns: Mapping[str, np.ndarray] = {
            name: archive[f"c{position}"] for position, name in enumerate(names)}
        frame = pd.DataFrame(columns, index=pd.Index(archive["time"], name="time"))
    return frame
