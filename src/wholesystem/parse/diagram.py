"""Where a model file's own diagram puts each variable: XMILE ``<views>`` and the Vensim
sketch.

The readers skip presentation; the stock-and-flow view reads it back from the file's
text here, so the workbench can draw a model the way its author laid it out. Only
positions are read (never styles, pictures or anything executable); a file without a
diagram, or with one that cannot be read, gives no positions.
"""

from __future__ import annotations

import csv

from lxml import etree

from wholesystem.errors import WholesystemError
from wholesystem.ir.model import Project
from wholesystem.ir.names import canonical_name
from wholesystem.parse.xmile.reader import _parse_xml

__all__ = ["diagram_positions", "xmile_positions", "sketch_positions"]

_VARIABLE_TAGS = {"stock", "flow", "aux", "module"}
_SKETCH_MARKER = "\\\\\\---///"


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def xmile_positions(text: str, file: str = "<xmile>") -> dict[str, tuple[float, float]]:
    """Canonical name -> (x, y) of each stock, flow, auxiliary and module in the main
    model's first view (y grows downwards, as in the file)."""
    root = _parse_xml(text, file)
    positions: dict[str, tuple[float, float]] = {}
    for model in root:
        if etree.QName(model).localname != "model" or model.get("name") not in (None, ""):
            continue
        for view in model.iter("{*}view"):
            for element in view:
                if not isinstance(element.tag, str):
                    continue
                tag = etree.QName(element).localname
                name = element.get("name")
                x, y = _number(element.get("x")), _number(element.get("y"))
                if tag in _VARIABLE_TAGS and name and x is not None and y is not None:
                    positions.setdefault(canonical_name(name), (x, y))
            if positions:
                return positions
    return positions


def sketch_positions(text: str) -> dict[str, tuple[float, float]]:
    """Canonical name -> (x, y) of each variable the Vensim sketch draws (records of
    type 10: ``10,id,name,x,y,...``); the first view's position wins."""
    start = text.find(_SKETCH_MARKER)
    if start < 0:
        return {}
    positions: dict[str, tuple[float, float]] = {}
    for line in text[start:].splitlines():
        if not line.startswith("10,"):
            continue
        fields = next(csv.reader([line]), [])
        if len(fields) < 5:
            continue
        x, y = _number(fields[3]), _number(fields[4])
        if fields[2] and x is not None and y is not None:
            positions.setdefault(canonical_name(fields[2]), (x, y))
    return positions


def diagram_positions(project: Project) -> dict[str, tuple[float, float]]:
    """The positions the project's file gives its main model's variables (empty when
    the file has no diagram, or is not an XMILE or Vensim file)."""
    text = project.source.text
    try:
        if project.format == "mdl":
            return sketch_positions(text)
        if text.lstrip().startswith("<"):
            return xmile_positions(text, project.source.path)
    except (WholesystemError, etree.XMLSyntaxError, ValueError):
        return {}
    return {}
