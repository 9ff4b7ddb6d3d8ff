"""Expression rewriting helpers for the Vensim reader (iterative, as the IR's own
:func:`~wholesystem.ir.expr.transform`, so equations thousands of terms long are fine)."""

from __future__ import annotations

from collections.abc import Callable

from wholesystem.ir.expr import Expr, transform, walk

__all__ = ["rewrite", "contains"]


rewrite = transform
"""Kept for the reader's modules: the IR's iterative :func:`~wholesystem.ir.expr.transform`."""


def contains(root: Expr | None, test: Callable[[Expr], bool]) -> bool:
    """True when some node of the tree passes ``test``."""
    return root is not None and any(test(node) for node in walk(root))
