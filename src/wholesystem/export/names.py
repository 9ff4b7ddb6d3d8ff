"""How a name is written in an exported file, so that it reads back to the same variable.

XMILE 1.0 (section 3.2.2.1) allows letters, digits, ``_`` and ``$`` in a bare identifier,
not starting with a digit, ``$`` or ``_`` and not ending with ``_``; anything else goes in
double quotes with ``\\"`` and ``\\\\`` escaped. Spaces are written as underscores
(equations) or kept (``name`` attributes, which hold the display form). Vensim allows
spaces inside bare names and quotes the rest.
"""

from __future__ import annotations

import math
import re

from wholesystem.ir.names import canonical_name, display_name

__all__ = ["xmile_name", "xmile_attribute", "vensim_name", "unique_name", "format_number"]

_XMILE_BARE = re.compile(r"[^\W\d_$][\w$]*", re.UNICODE)
_XMILE_WORDS = frozenset({"if", "then", "else", "and", "or", "not", "mod"})
_VENSIM_BARE = re.compile(r"[^\W\d][\w$' ]*", re.UNICODE)
_VENSIM_WORDS = frozenset({"if then else", "integ", "with lookup"})


def xmile_name(display: str) -> str:
    """A name as written in an XMILE equation: underscores for spaces, or quoted.

    >>> xmile_name("Teacup Temperature")
    'Teacup_Temperature'
    >>> xmile_name("Cost (USD)")
    '"Cost (USD)"'
    """
    text = display_name(display)
    spelled = "_".join(text.split())
    if (_XMILE_BARE.fullmatch(spelled) and not spelled.endswith("_")
            and spelled.lower() not in _XMILE_WORDS):
        return spelled
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def xmile_attribute(display: str) -> str:
    """A name as written in a ``name="..."`` attribute: the display form.

    Readers strip surrounding quotes and read ``\\n`` as a line break there, so a display
    name that would be mistaken for either is written in its equation form instead.
    """
    text = display_name(display)
    if text.startswith('"') or "\\" in text:
        return xmile_name(text)
    return text


def vensim_name(display: str) -> str:
    """A name as written in a Vensim ``.mdl`` file: as displayed, unusual names quoted.

    >>> vensim_name("Teacup Temperature")
    'Teacup Temperature'
    >>> vensim_name("hares.births")
    '"hares.births"'
    """
    text = " ".join(display_name(display).split())
    if _VENSIM_BARE.fullmatch(text) and text.casefold() not in _VENSIM_WORDS:
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def unique_name(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted 2``, ``wanted 3``... whichever is not taken (canonically);
    the result is added to ``taken``."""
    candidate, number = wanted, 1
    while canonical_name(candidate) in taken:
        number += 1
        candidate = f"{wanted} {number}"
    taken.add(canonical_name(candidate))
    return candidate


def format_number(value: float) -> str:
    """The shortest text that reads back to exactly ``value`` (``2``, ``0.1``, ``1e-05``).

    >>> format_number(2.0), format_number(0.1), format_number(float("inf"))
    ('2', '0.1', 'INF')
    """
    if math.isnan(value):
        return "NAN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text
