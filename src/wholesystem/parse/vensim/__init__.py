"""Vensim ``.mdl`` files -> :class:`wholesystem.ir.Project`."""

from wholesystem.parse.vensim.reader import read_vensim, read_vensim_text

__all__ = ["read_vensim", "read_vensim_text"]
