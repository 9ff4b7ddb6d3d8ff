"""The IR written back out as model files: XMILE 1.0 and Vensim ``.mdl``.

:func:`export_xmile` and :func:`export_mdl` take a :class:`~wholesystem.ir.Project` (from
either reader) and return the file's text. Reading that text back gives a model with the
same results; what the target format cannot express raises
:class:`~wholesystem.errors.UnsupportedFeatureError` naming the variable and its position.
"""

from wholesystem.export.mdl import export_mdl
from wholesystem.export.xmile import export_xmile

__all__ = ["export_xmile", "export_mdl", "EXPORTERS"]

EXPORTERS = {"xmile": export_xmile, "mdl": export_mdl}
"""Exporters by target format name (what ``wholesystem convert --to`` accepts)."""
