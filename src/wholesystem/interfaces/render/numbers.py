"""Numbers and money as people read them in reports, tables and pages."""

from __future__ import annotations

__all__ = ["money", "signed_money", "number", "signed"]


def money(amount: float, currency: str = "£") -> str:
    """Whole currency units with the minus sign in front.

    >>> money(1234.4), money(-56.7, "€"), money(-0.2)
    ('£1,234', '-€57', '£0')
    """
    sign = "-" if amount < -0.5 else ""
    return f"{sign}{currency}{abs(amount):,.0f}"


def signed_money(value: float, currency: str = "£") -> str:
    """A change in money, always signed unless it rounds to nothing.

    >>> signed_money(1234), signed_money(-56), signed_money(0.3)
    ('+£1,234', '-£56', '£0')
    """
    if abs(value) < 0.5:
        return f"{currency}0"
    return f"{'+' if value > 0 else '-'}{currency}{abs(value):,.0f}"


def number(value: float, digits: int = 0) -> str:
    """Thousands separated, never ``-0``.

    >>> number(12345), number(12345.64, 1), number(-0.2)
    ('12,345', '12,345.6', '0')
    """
    if abs(value) < 0.5 * 10 ** -digits:
        value = 0.0
    return f"{value:,.{digits}f}"


def signed(value: float, digits: int = 0) -> str:
    """A change, signed unless it rounds to zero.

    >>> signed(12), signed(-3), signed(0.2)
    ('+12', '-3', '0')
    """
    text = f"{value:+,.{digits}f}"
    return text.lstrip("+-") if float(text.replace(",", "")) == 0 else text
