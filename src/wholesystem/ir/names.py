"""Variable names: how a name written in a model file is matched and displayed.

XMILE 1.0 (section 3.2.2) makes names case-insensitive, treats underscores and spaces
(and line breaks written inside names) as the same character, and allows any character
inside double quotes. Vensim's rules are the same for our purposes. A *canonical* name is
the key every stage uses for lookups; the *display* name is what users see in outputs.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["canonical_name", "display_name", "qualify", "python_identifier"]

_SPACE_RUN = re.compile(r"\s+")


@lru_cache(maxsize=1 << 16)
def display_name(name: str) -> str:
    """The name as a user reads it: quotes dropped, escaped line breaks made spaces.

    >>> display_name('"Room Temperature"')
    'Room Temperature'
    >>> display_name('size_of_one\\\\ntime_lynx_harvest')
    'size_of_one time_lynx_harvest'
    """
    text = name.strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1]
    text = text.replace("\\n", " ").replace('\\"', '"').replace("\\\\", "\\")
    return _SPACE_RUN.sub(" ", text).strip()


@lru_cache(maxsize=1 << 16)
def canonical_name(name: str) -> str:
    """The key two names share exactly when XMILE says they are the same variable.

    >>> canonical_name('"Heat Loss_to  Room"') == canonical_name('heat_loss_to_room')
    True
    """
    text = display_name(name).replace("_", " ")
    text = unicodedata.normalize("NFC", text)
    return _SPACE_RUN.sub(" ", text).strip().casefold()


def qualify(prefix: str, name: str) -> str:
    """A canonical name inside a module instance (``hares`` + ``births`` -> ``hares.births``)."""
    return f"{prefix}.{name}" if prefix else name


_NOT_IDENT = re.compile(r"[^0-9a-zA-Z_]")


def python_identifier(name: str) -> str:
    """A readable Python identifier for a canonical name (uniqueness is the caller's job)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ident = _NOT_IDENT.sub("_", ascii_name.replace(" ", "_")).strip("_") or "v"
    return ident if not ident[0].isdigit() else f"_{ident}"
