"""Plain-text tables for the public-service commands (ledger, compare, journeys); the
numbers in them are formatted by :mod:`wholesystem.interfaces.render`."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["table"]


def table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: int = 2) -> str:
    """Columns aligned: the first to the left, the others to the right."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [str(c).ljust(w) if i == 0 else str(c).rjust(w)
                 for i, (c, w) in enumerate(zip(row, widths, strict=False))]
        lines.append(" " * indent + "  ".join(cells).rstrip())
    return "\n".join(lines)
