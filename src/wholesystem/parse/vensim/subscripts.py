"""Vensim subscript ranges -> :class:`~wholesystem.ir.model.Dimension` s, and the choice of a
variable's dimensions from its left-hand sides.

Every range is its own dimension, subranges included. A range may list elements, numeric
ranges ``(a1-a10)`` and other ranges (replaced by their elements), or read its elements
from a spreadsheet (``GET XLS/DIRECT SUBSCRIPT``). ``A <-> B`` makes A another name for B.

A variable defined piece by piece (``x[sub1] = ...``, ``x[sub2] = ...``, ``x[a] = ...``)
gets, per axis, the dimension that holds every element its definitions cover: the range
named on a left-hand side if that range is exactly the union, else the smallest declared
range containing the union, preferring ranges not already used by another axis, then
ranges that are not equivalences, then the one declared first. When the only fitting range
is used by another axis (``x[A, Dim] = ... ~~| x[B, Dim] = ...``), the axis gets a made-up
equivalent range named ``Dim #2``. (PySD picks the first
range in its dictionary that equals or contains the union; SDEverywhere maps a
subrange to the one parent range that contains it. Vensim itself requires all the
definitions of a variable to use ranges of one family.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from wholesystem.datafiles import FileAccess, limits_for, read_subscript_cells
from wholesystem.diagnostics import SourceSpan
from wholesystem.errors import ModelStructureError, UnsupportedFeatureError
from wholesystem.ir.expr import Text
from wholesystem.ir.model import Dimension
from wholesystem.ir.names import canonical_name
from wholesystem.limits import Limits
from wholesystem.parse.vensim.entries import (
    Equivalence,
    Mapping,
    Name,
    NumericRange,
    RangeDefinition,
)

__all__ = ["SubscriptRanges"]

_NUMBERED = re.compile(r"^(.*?)(\d+)$")
_SUBSCRIPT_FUNCTIONS = ("GET DIRECT SUBSCRIPT", "GET XLS SUBSCRIPT")


class SubscriptRanges:
    """The dimensions of one model file, resolved."""

    def __init__(self, ranges: Sequence[RangeDefinition], equivalences: Sequence[Equivalence],
                 model_path: str, access: FileAccess | None = None):
        self.model_path = model_path
        self.access = access
        self.definitions: dict[str, RangeDefinition | Equivalence] = {}
        everything: list[RangeDefinition | Equivalence] = [*ranges, *equivalences]
        for definition in everything:
            name = definition.name
            if name.name in self.definitions:
                first = self.definitions[name.name].name.span
                raise ModelStructureError(
                    f"subscript range '{name.text}' is defined twice (first at {first})",
                    name.span)
            self.definitions[name.name] = definition
        self.resolved: dict[str, tuple[str, ...]] = {}
        order = sorted(self.definitions.values(), key=lambda d: (d.name.span.line,
                                                                 d.name.span.column))
        for definition in order:
            self.elements_as_written(definition.name.name, ())
        self.dimensions: dict[str, Dimension] = {
            d.name.name: self.dimension(d) for d in order}

    # -- elements ----------------------------------------------------------------------
    def elements_as_written(self, name: str, chain: tuple[str, ...]) -> tuple[str, ...]:
        if name in self.resolved:
            return self.resolved[name]
        definition = self.definitions[name]
        if name in chain:
            path = " -> ".join((*chain, name))
            raise ModelStructureError(f"subscript ranges defined by each other: {path}",
                                      definition.name.span)
        if isinstance(definition, Equivalence):
            target = definition.target
            if target.name not in self.definitions:
                raise ModelStructureError(f"'{definition.name.text} <-> {target.text}': no "
                                          f"subscript range '{target.text}'", target.span)
            elements = self.elements_as_written(target.name, (*chain, name))
        elif definition.call is not None:
            elements = self.read_elements(definition)
        else:
            elements = self.listed_elements(definition, (*chain, name))
        self.resolved[name] = elements
        return elements

    def listed_elements(self, definition: RangeDefinition, chain: tuple[str, ...]
                        ) -> tuple[str, ...]:
        elements: list[str] = []
        seen: dict[str, SourceSpan] = {}
        for item in definition.items:
            if isinstance(item, NumericRange):
                found = numbered_elements(item, limits_for(self.access))
                span = item.span
            elif item.name in self.definitions and item.name != definition.name.name:
                found = self.elements_as_written(item.name, chain)
                span = item.span
            else:
                found = (item.text,)
                span = item.span
            for element in found:
                key = canonical_name(element)
                if key in seen:
                    raise ModelStructureError(
                        f"element '{element}' is listed twice in subscript range "
                        f"'{definition.name.text}'", span)
                seen[key] = span
                elements.append(element)
            limits_for(self.access).check("max_elements_per_dimension", len(elements),
                                          f"subscript range '{definition.name.text}'", span)
        return tuple(elements)

    def read_elements(self, definition: RangeDefinition) -> tuple[str, ...]:
        call = definition.call
        assert call is not None
        if call.function not in _SUBSCRIPT_FUNCTIONS:
            raise UnsupportedFeatureError(
                f"subscript range '{definition.name.text}' is defined by {call.function}, "
                "which wholesystem cannot read", call.span,
                hint="list the elements, or use GET DIRECT SUBSCRIPT / GET XLS SUBSCRIPT")
        texts = []
        for arg in call.args:
            if not isinstance(arg, Text):
                raise UnsupportedFeatureError(
                    f"{call.function} needs quoted literals ('file.xlsx')",
                    getattr(arg, "span", call.span))
            texts.append(arg.value)
        if len(texts) < 3:
            raise ModelStructureError(f"{call.function} takes 5 arguments ('file', 'tab', "
                                      "'first cell', 'last cell', 'prefix')", call.span)
        file, sheet, first, *rest = texts
        last = rest[0] if rest else ""
        prefix = rest[1] if len(rest) > 1 else ""
        return read_subscript_cells(self.model_path, file, sheet, first, last, prefix,
                                    span=call.span, access=self.access)

    # -- dimensions ----------------------------------------------------------------------
    def dimension(self, definition: RangeDefinition | Equivalence) -> Dimension:
        name = definition.name
        elements = self.resolved[name.name]
        if isinstance(definition, Equivalence):
            return Dimension(name.name, name.text, elements, name.span,
                             alias_of=definition.target.name)
        maps = tuple(self.mapping(definition, m) for m in definition.mappings)
        return Dimension(name.name, name.text, elements, name.span, maps_to=maps)

    def mapping(self, definition: RangeDefinition, mapping: Mapping
                ) -> tuple[str, tuple[str, ...]]:
        target = mapping.target
        if target.name not in self.definitions:
            raise ModelStructureError(
                f"subscript range '{definition.name.text}' maps to '{target.text}', which "
                "is not a subscript range", target.span)
        size = len(self.resolved[definition.name.name])
        if not mapping.elements:
            if len(self.resolved[target.name]) != size:
                raise ModelStructureError(
                    f"'{definition.name.text}' ({size} elements) cannot map by position to "
                    f"'{target.text}' ({len(self.resolved[target.name])} elements)",
                    target.span)
            return (target.name, ())
        if len(mapping.elements) != size:
            raise ModelStructureError(
                f"the mapping of '{definition.name.text}' to '{target.text}' lists "
                f"{len(mapping.elements)} elements for {size}", target.span)
        return (target.name, tuple(e.name for e in mapping.elements))

    # -- queries ----------------------------------------------------------------------
    def is_dimension(self, name: str) -> bool:
        """True when ``name`` (canonical) is a subscript range."""
        return name in self.dimensions

    def elements(self, name: str) -> tuple[str, ...]:
        """Canonical elements of a range, in order."""
        return self.dimensions[name].canonical_elements

    def items(self, name: Name) -> tuple[str, ...]:
        """What a left-hand-side subscript covers: a range's elements, or one element."""
        if name.name in self.dimensions:
            return self.elements(name.name)
        if any(name.name in d.canonical_elements for d in self.dimensions.values()):
            return (name.name,)
        raise ModelStructureError(
            f"'{name.text}' is neither a subscript range nor an element of one", name.span)

    def choose(self, covered: set[str], named: Sequence[str], chosen: set[str],
               taken: set[str], span: SourceSpan) -> str:
        """The dimension of one axis covering ``covered`` (see the module docstring):
        ``chosen`` by earlier axes, ``taken`` by other axes (chosen or named there)."""
        for dim in named:
            if set(self.elements(dim)) == covered and dim not in chosen:
                return dim
        candidates = [d for d in self.dimensions.values()
                      if covered <= set(d.canonical_elements)]
        if not candidates:
            listed = ", ".join(sorted(covered))
            raise ModelStructureError(f"no subscript range holds all of {listed}", span)
        position = {name: i for i, name in enumerate(self.dimensions)}
        best = min(candidates, key=lambda d: (d.name in taken, len(d.elements),
                                              d.alias_of is not None, position[d.name]))
        return self.copy_of(best.name) if best.name in taken else best.name

    def copy_of(self, name: str) -> str:
        """An equivalent range made for a second axis over the same range
        (``x[A, Dim] ... x[C, Dim]``: both axes range over Dim)."""
        original = self.dimensions[name]
        number = 2
        while f"{name} #{number}" in self.dimensions:
            number += 1
        copy = Dimension(f"{name} #{number}", f"{original.display} #{number}",
                         original.elements, original.span, alias_of=name)
        self.dimensions[copy.name] = copy
        return copy.name

def numbered_elements(item: NumericRange, limits: Limits | None = None) -> tuple[str, ...]:
    """``(a1-a10)`` -> a1 ... a10 (zero-padded when the first number is); a range longer
    than ``limits.max_elements_per_dimension`` is refused before it is built."""
    first = _NUMBERED.match(item.first.text)
    last = _NUMBERED.match(item.last.text)
    if first is None or last is None or canonical_name(first.group(1)) != \
            canonical_name(last.group(1)):
        raise ModelStructureError(
            f"numeric range ({item.first.text}-{item.last.text}) needs two names with the "
            "same prefix ending in numbers", item.span)
    low, high = int(first.group(2)), int(last.group(2))
    (limits or Limits()).check("max_elements_per_dimension", high - low + 1,
                               f"numeric range ({item.first.text}-{item.last.text})",
                               item.span)
    if high < low:
        raise ModelStructureError(f"numeric range ({item.first.text}-{item.last.text}) "
                                  "counts down", item.span)
    width = len(first.group(2)) if first.group(2).startswith("0") else 0
    return tuple(f"{first.group(1)}{n:0{width}d}" for n in range(low, high + 1))

