"""Plain-text tables for the public-service commands (ledger, compare, journeys)."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["table", "number", "signed", "signed_money"]


def number(value: float, digits: int = 0) -> str:
    """``12,345`` or ``12,345.6`` (never ``-0``)."""
    if abs(value) < 0.5 * 10 ** -digits:
        value = 0.0
    return f"{value:,.{digits}f}"


def signed(value: float, digits: int = 0) -> str:
    """``+12`` / ``-3`` / ``0``."""
    text = f"{value:+,.{digits}f}"
    return text.lstrip("+-") if float(text.replace(",", "")) == 0 else text


def signed_money(value: float, currency: str) -> str:
    """``+£1,234`` / ``-£56`` / ``£0``."""
    if abs(value) < 0.5:
        return f"{currency}0"
    return f"{'+' if value > 0 else '-'}{currency}{abs(value):,.0f}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: int = 2) -> str:
    """Columns aligned: the first to the left, the others to the right."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [str(c).ljust(w) if i == 0 else str(c).rjust(w)
                 for i, (c, w) in enumerate(zip(row, widths, strict=False))]
        lines.append(" " * indent + "  ".join(cells).rstrip())
    return "\n".join(lines)
