"""XMILE 1.0 (OASIS) and Stella/iThink files -> :class:`wholesystem.ir.Project`."""

from wholesystem.parse.xmile.reader import read_xmile, read_xmile_text

__all__ = ["read_xmile", "read_xmile_text"]
