"""Model files (XMILE, Vensim) -> the immutable IR (:mod:`wholesystem.ir`).

System files (YAML) are read a layer up, by :mod:`wholesystem.system`.
"""

from __future__ import annotations

from pathlib import Path

from wholesystem.datafiles import FileAccess
from wholesystem.diagnostics import SourceSpan
from wholesystem.errors import ModelSyntaxError, UnsupportedFeatureError
from wholesystem.ir.model import Project
from wholesystem.parse.vensim import read_vensim, read_vensim_text
from wholesystem.parse.xmile import read_xmile, read_xmile_text

__all__ = ["read_model", "read_xmile", "read_xmile_text", "read_vensim", "read_vensim_text",
           "XMILE_SUFFIXES", "VENSIM_SUFFIXES"]

XMILE_SUFFIXES = (".xmile", ".stmx", ".itmx", ".xml", ".stm", ".itm")
VENSIM_SUFFIXES = (".mdl",)


def read_model(path: str | Path, access: FileAccess | None = None) -> Project:
    """Read an XMILE or Vensim model file, choosing the reader by its suffix; ``access``
    decides which data files the model may read (default: its own folder)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, "no such model file", str(path))
    if path.is_dir():
        raise ModelSyntaxError("is a folder, not a model file", SourceSpan(str(path)))
    suffix = path.suffix.lower()
    if suffix in XMILE_SUFFIXES:
        return read_xmile(path, access)
    if suffix in VENSIM_SUFFIXES:
        return read_vensim(path, access)
    raise UnsupportedFeatureError(
        f"unknown model file type '{suffix or path.name}'", SourceSpan(str(path)),
        hint="wholesystem reads "
             + ", ".join(XMILE_SUFFIXES + VENSIM_SUFFIXES))
