"""Expression rewriting without recursion, for equations thousands of terms long.

:func:`wholesystem.ir.expr.transform` recurses once per level of the tree, so a Vensim
sum of a few hundred terms (a left-leaning chain of ``+``) exceeds Python's recursion
limit. :func:`rewrite` has the same meaning with an explicit stack.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from wholesystem.ir.expr import (
    Binary,
    Call,
    Expr,
    IfThenElse,
    Reference,
    Unary,
    children,
    walk,
)

__all__ = ["rewrite", "contains"]


def rewrite(root: Expr, change: Callable[[Expr], Expr | None]) -> Expr:
    """A new tree: ``change`` is tried on each node top-down; None keeps the node and
    descends into its children, anything else replaces it (without descending)."""
    results: list[Expr] = []
    pending: list[tuple[Expr, bool]] = [(root, False)]
    while pending:
        node, children_done = pending.pop()
        if children_done:
            count = len(children(node))
            rebuilt = _rebuild(node, results[len(results) - count:])
            del results[len(results) - count:]
            results.append(rebuilt)
            continue
        replaced = change(node)
        if replaced is not None:
            results.append(replaced)
            continue
        kids = children(node)
        if not kids:
            results.append(node)
            continue
        pending.append((node, True))
        pending.extend((kid, False) for kid in reversed(kids))
    return results[0]


def _rebuild(node: Expr, kids: list[Expr]) -> Expr:
    match node:
        case Reference():
            return replace(node, subscripts=tuple(kids))
        case Call():
            return replace(node, args=tuple(kids))
        case Binary():
            return replace(node, left=kids[0], right=kids[1])
        case Unary():
            return replace(node, operand=kids[0])
        case IfThenElse():
            return replace(node, condition=kids[0], then=kids[1], otherwise=kids[2])
    return node  # pragma: no cover - leaves have no children


def contains(root: Expr | None, test: Callable[[Expr], bool]) -> bool:
    """True when some node of the tree passes ``test``."""
    return root is not None and any(test(node) for node in walk(root))
