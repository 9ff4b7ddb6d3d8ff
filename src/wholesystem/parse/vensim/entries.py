"""What one ``.mdl`` definition says, before the model is assembled from all of them.

The grammar's transformer (:mod:`.definitions`) turns each entry's definition field into
one of these values; :mod:`.reader` then resolves subscripts, merges the definitions of
each variable and expands macros. Names are canonical beside the text as written.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from wholesystem.diagnostics import SourceSpan
from wholesystem.ir.expr import Call, Expr, Number, Text
from wholesystem.ir.model import GraphicalFunction

__all__ = [
    "Name",
    "LeftSide",
    "DefinitionKind",
    "Definition",
    "NumericRange",
    "Mapping",
    "RangeDefinition",
    "Equivalence",
    "StringConstant",
    "Ignored",
    "MacroHeader",
    "Entry",
    "WITH_LOOKUP",
    "MACRO_OUTPUTS",
]

WITH_LOOKUP = "#WITH LOOKUP"
"""Internal call ``#WITH LOOKUP(input, index)``: a WITH LOOKUP nested inside an equation,
``index`` pointing into :attr:`Definition.inline_tables`; the reader makes it a hidden table."""

MACRO_OUTPUTS = "#MACRO OUTPUTS"
"""Internal call holding the names after ``:`` in a macro call, its last argument."""


@dataclass(frozen=True, slots=True)
class Name:
    """A name as written (variable, dimension, element or macro argument)."""

    name: str
    """Canonical name."""
    text: str
    """Display form (quotes dropped, blanks collapsed)."""
    span: SourceSpan
    """Where it is written."""


@dataclass(frozen=True, slots=True)
class LeftSide:
    """``name[sub, ...] :EXCEPT: [sub, ...], ...``."""

    name: Name
    """The variable defined."""
    subscripts: tuple[Name, ...] = ()
    """Dimension or element names, one per axis."""
    excepts: tuple[tuple[Name, ...], ...] = ()
    """Element combinations left out (each as dimension or element names per axis)."""
    marked: tuple[Name, ...] = ()
    """Subscripts written with Vensim's ``!`` marker (not allowed on a left-hand side)."""


class DefinitionKind(enum.Enum):
    """The kinds of variable definitions."""

    EQUATION = "equation"
    """``x = expr`` (or ``==``): an auxiliary or constant."""
    STOCK = "stock"
    """``x = INTEG(rate, initial)``."""
    CONSTANTS = "constants"
    """``x[a, b] = 1, 2; 3, 4;``: one number per element, row by row."""
    LOOKUP = "lookup"
    """``x( (x1, y1), ... )``, or ``x = WITH LOOKUP(input, (...))`` with an input."""
    DATA = "data"
    """``x := expr`` or ``x`` alone (a data variable, optionally with a keyword)."""


@dataclass(frozen=True, slots=True)
class Definition:
    """One definition of a variable (an arrayed variable may have several)."""

    lhs: LeftSide
    """What it defines."""
    kind: DefinitionKind
    """Which kind of definition."""
    equation: Expr | None = None
    """Value; stock: initial value; WITH LOOKUP: the input; data: the ``:=`` equation."""
    rate: Expr | None = None
    """Stock only: the net rate."""
    table: GraphicalFunction | None = None
    """Lookup points, for lookups and WITH LOOKUP."""
    values: tuple[Number, ...] = ()
    """Constant list, flattened row by row."""
    data_mode: str | None = None
    """Data keyword, lower-case: ``interpolate``, ``raw``, ``hold backward``, ``look forward``."""
    inline_tables: tuple[GraphicalFunction, ...] = ()
    """Tables of WITH LOOKUP calls nested inside the equation (see :data:`WITH_LOOKUP`)."""


@dataclass(frozen=True, slots=True)
class NumericRange:
    """``(a1-a10)`` in a subscript range definition."""

    first: Name
    """First element, e.g. ``a1``."""
    last: Name
    """Last element, e.g. ``a10``."""
    span: SourceSpan
    """Where the range is written."""


@dataclass(frozen=True, slots=True)
class Mapping:
    """``-> Other`` (positional) or ``-> (Other: x, y, z)`` (element by element)."""

    target: Name
    """The dimension mapped to."""
    elements: tuple[Name, ...] = ()
    """Target elements (or subranges), one per element of the mapped dimension."""


@dataclass(frozen=True, slots=True)
class RangeDefinition:
    """``Dim: a, b, (c1-c3), Sub -> Other``, or ``Dim: GET DIRECT SUBSCRIPT(...)``."""

    name: Name
    """The dimension defined."""
    items: tuple[Name | NumericRange, ...] = ()
    """Elements, numeric ranges and other ranges (expanded to their elements)."""
    mappings: tuple[Mapping, ...] = ()
    """Mappings to other dimensions."""
    call: Call | None = None
    """A function giving the elements (GET DIRECT/XLS SUBSCRIPT)."""


@dataclass(frozen=True, slots=True)
class Equivalence:
    """``A <-> B``: A is another name for dimension B."""

    name: Name
    """The new name."""
    target: Name
    """The dimension it stands for."""


@dataclass(frozen=True, slots=True)
class StringConstant:
    """``name :IS: 'text'``: a string used where equations name it."""

    name: Name
    """The constant's name."""
    value: Text
    """Its text."""


@dataclass(frozen=True, slots=True)
class Ignored:
    """An entry with no part in a simulation (reality checks)."""

    what: str
    """What it is, for messages."""
    span: SourceSpan
    """Where it is."""


@dataclass(frozen=True, slots=True)
class MacroHeader:
    """``:MACRO: NAME(input, ... : output, ...)``."""

    name: Name
    """Macro name (also the name of its main output inside the body)."""
    inputs: tuple[Name, ...]
    """Input arguments, in order."""
    outputs: tuple[Name, ...]
    """Extra outputs, after the colon."""


Entry = Definition | RangeDefinition | Equivalence | StringConstant | Ignored | MacroHeader
