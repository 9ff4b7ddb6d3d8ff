"""Equation expressions: the immutable tree every reader produces and the compiler consumes.

Each node is a frozen, slotted dataclass with a ``span`` saying where its text is in the
model file. Names are stored canonical (see :mod:`wholesystem.ir.names`) beside the text
as written, and function names upper-case with single spaces (``DELAY N``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from wholesystem.diagnostics import UNKNOWN_SPAN, SourceSpan

__all__ = [
    "Expr",
    "Number",
    "Text",
    "Reference",
    "Wildcard",
    "Call",
    "Binary",
    "Unary",
    "IfThenElse",
    "BINARY_OPERATORS",
    "UNARY_OPERATORS",
    "walk",
    "references",
    "calls",
    "children",
    "transform",
]

BINARY_OPERATORS = frozenset(
    {"+", "-", "*", "/", "^", "mod", "=", "<>", "<", "<=", ">", ">=", "and", "or"}
)
UNARY_OPERATORS = frozenset({"+", "-", "not"})


@dataclass(frozen=True, slots=True)
class Number:
    """A numeric literal."""

    value: float
    """The number (always a float; XMILE has no integers)."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where the literal is written."""


@dataclass(frozen=True, slots=True)
class Text:
    """A string literal: file names, sheet names and cells of Vensim's GET functions."""

    value: str
    """The text without its quotes."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where the literal is written."""


@dataclass(frozen=True, slots=True)
class Wildcard:
    """``*`` (or ``*:Dim``) as a subscript: every element of that dimension."""

    dimension: str | None = None
    """Canonical dimension name when written ``*:Dim``; otherwise taken from position."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where the star is written."""


@dataclass(frozen=True, slots=True)
class Reference:
    """A name used in an equation, possibly subscripted: ``stock``, ``a[Boston, *]``."""

    name: str
    """Canonical name (module-qualified names keep their dots: ``hares.area``)."""
    text: str
    """The name as written, for messages."""
    subscripts: tuple[Expr, ...] = ()
    """Subscript expressions: element or dimension names (as References), numbers, Wildcards."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where the name is written."""


@dataclass(frozen=True, slots=True)
class Call:
    """A builtin function call (or a graphical function applied to an input)."""

    function: str
    """Upper-case function name with single spaces, e.g. ``SMTH1``, ``IF THEN ELSE``."""
    args: tuple[Expr, ...]
    """Arguments in order."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where the function name is written."""


@dataclass(frozen=True, slots=True)
class Binary:
    """An infix operation; ``op`` is one of :data:`BINARY_OPERATORS`."""

    op: str
    """Operator, lower-case for the word operators (``and``, ``or``, ``mod``)."""
    left: Expr
    """Left operand."""
    right: Expr
    """Right operand."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where the operator is written."""


@dataclass(frozen=True, slots=True)
class Unary:
    """A prefix operation; ``op`` is one of :data:`UNARY_OPERATORS`."""

    op: str
    """``+``, ``-`` or ``not``."""
    operand: Expr
    """The operand."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where the operator is written."""


@dataclass(frozen=True, slots=True)
class IfThenElse:
    """``IF condition THEN a ELSE b`` (XMILE) or ``IF THEN ELSE(c, a, b)`` (Vensim)."""

    condition: Expr
    """Taken as true when non-zero."""
    then: Expr
    """Value where the condition holds."""
    otherwise: Expr
    """Value elsewhere."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where the IF is written."""


Expr = Number | Text | Reference | Wildcard | Call | Binary | Unary | IfThenElse


def children(node: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of a node, in source order."""
    match node:
        case Reference(subscripts=subs):
            return subs
        case Call(args=args):
            return args
        case Binary(left=left, right=right):
            return (left, right)
        case Unary(operand=operand):
            return (operand,)
        case IfThenElse(condition=c, then=t, otherwise=o):
            return (c, t, o)
    return ()


def walk(node: Expr) -> Iterator[Expr]:
    """Every node of the tree, parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def references(node: Expr) -> Iterator[Reference]:
    """Every name referenced, including names used as subscripts."""
    return (n for n in walk(node) if isinstance(n, Reference))


def calls(node: Expr) -> Iterator[Call]:
    """Every function call in the tree."""
    return (n for n in walk(node) if isinstance(n, Call))


def transform(root: Expr, rewrite: Callable[[Expr], Expr | None]) -> Expr:
    """A new tree: ``rewrite`` is tried on each node top-down; None keeps the node and
    descends into its children, anything else replaces the node (without descending).

    Iterative, with an explicit stack: equations thousands of terms long (a Vensim sum is a
    left-leaning chain of ``+``) would exceed Python's recursion limit otherwise.
    """
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
        replaced = rewrite(node)
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
