"""Vensim subscript mappings and equivalences, which XMILE lacks, written out element by
element.

Vensim lets an equation over ``DimB`` read ``x[DimC]`` when ``DimC: c1, c2 -> DimB`` (a
mapping) or when one range is declared the other's equivalent (``B <-> A``); the engine
matches the elements through the mapping, or by position. XMILE 1.0 has neither: an
apply-to-all equation names the dimensions it ranges over. So every equation that leans
on a mapping or an equivalence is written element by element (``<element
subscript="...">``), each with the elements it reads spelled out: ``link level[da1, db2] =
Level 2[da1, dc2]``. The rules are the compiler's (``compiler.expressions``: a subscript
naming a bound dimension, an equivalent of one or a range mapped onto one takes its
element; an element of another range is matched through the mapping, else by position),
so the explicit equation computes what the Vensim one did.

Equations whose whole arrays meet inside Vensim's vector functions (``VECTOR SORT ORDER``,
``ALLOCATE ...``) cannot be split into elements; they are written as they are, and
wholesystem's reader matches their ranges by position as Vensim did. A mapping that is
not positional there, or under a ``*`` subscript, has no XMILE form: an error names it.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

from wholesystem.builtins import BuiltinKind, lookup_builtin
from wholesystem.errors import UnsupportedFeatureError
from wholesystem.ir.expr import Call, Expr, Reference, Wildcard, transform, walk
from wholesystem.ir.model import (
    Dimension,
    ElementDefinition,
    Model,
    Project,
    Variable,
    mapping_between,
)

__all__ = ["write_out_mappings", "linked_dimensions", "element_context"]


def linked_dimensions(project: Project) -> frozenset[str]:
    """Dimensions taking part in a mapping (either end) or an equivalence (either side)."""
    linked: set[str] = set()
    for dimension in project.dimensions:
        if dimension.maps_to:
            linked.add(dimension.name)
            linked.update(target for target, _ in dimension.maps_to)
        if dimension.alias_of is not None:
            linked.update((dimension.name, dimension.alias_of))
    return frozenset(linked)


def write_out_mappings(project: Project) -> Project:
    """``project`` with every equation that reads a range through a mapping or an
    equivalence written element by element, its subscripts spelled out (module
    docstring)."""
    linked = linked_dimensions(project)
    if not linked:
        return project
    writer = _MappingWriter(project, linked)
    return replace(project, models=tuple(writer.model(m) for m in project.models))


def element_context(subscripts: tuple[str, ...], dimensions: tuple[str, ...],
                    bindings: tuple[tuple[str, str], ...],
                    declared: dict[str, Dimension]) -> dict[str, str]:
    """What each dimension name means inside one element's equation: the variable's own
    dimensions, the ranges its definition was written with, and their equivalents, each
    bound to an element (as ``compiler.codegen`` binds them)."""
    context = dict(zip(dimensions, subscripts, strict=False))
    context.update(dict(bindings))
    for name, dimension in declared.items():
        if dimension.alias_of in context and name not in context:
            context[name] = context[dimension.alias_of]
    return context


class _MappingWriter:
    """Rewrites the equations of one project that lean on mappings or equivalences."""

    def __init__(self, project: Project, linked: frozenset[str]):
        self.dimensions = {d.name: d for d in project.dimensions}
        self.linked = linked
        self.variables: dict[str, Variable] = {}

    def model(self, model: Model) -> Model:
        self.variables = {v.name: v for v in model.variables}
        return replace(model, variables=tuple(self.variable(v) for v in model.variables))

    def variable(self, variable: Variable) -> Variable:
        if not variable.dimensions:
            for expr in _equations(variable):
                self.check_whole_arrays(expr, variable)
            return variable
        if variable.elements:
            return replace(variable, elements=tuple(
                self.element(variable, e) for e in variable.elements))
        equation = variable.equation
        if equation is None or not self.leans_on_links(equation, variable.dimensions):
            return variable
        if self.has_vector_call(equation):
            self.check_whole_arrays(equation, variable)
            return variable
        cells = itertools.product(*(self.dimensions[d].canonical_elements
                                    for d in variable.dimensions))
        elements = tuple(ElementDefinition(cell, self.bound(equation, variable, cell, ()),
                                           span=variable.span) for cell in cells)
        return replace(variable, equation=None, elements=elements)

    def element(self, variable: Variable, element: ElementDefinition) -> ElementDefinition:
        equation = element.equation
        if equation is None or not self.leans_on_links(equation, variable.dimensions):
            return element
        if self.has_vector_call(equation):
            self.check_whole_arrays(equation, variable)
            return element
        return replace(element, equation=self.bound(equation, variable, element.subscripts,
                                                    element.bindings))

    def bound(self, expr: Expr, variable: Variable, subscripts: tuple[str, ...],
              bindings: tuple[tuple[str, str], ...]) -> Expr:
        """``expr`` bound to one element, checking what stays whole (``*`` subscripts)."""
        bound = self.bind(expr, variable.dimensions, subscripts, bindings)
        self.check_whole_arrays(bound, variable)
        return bound

    # -- which equations need it ---------------------------------------------------------
    def leans_on_links(self, expr: Expr, own: tuple[str, ...]) -> bool:
        """True when some subscript of ``expr`` reads a range through a mapping or an
        equivalence: a linked range that is not the variable's own, or one standing for
        a different (linked) range of the variable read."""
        for node in walk(expr):
            if isinstance(node, Reference) and node.subscripts:
                for name, axis in self.named_subscripts(node):
                    if (name in self.linked or axis in self.linked) and not (
                            name in own and name == axis):
                        return True
        return False

    def named_subscripts(self, ref: Reference) -> list[tuple[str, str | None]]:
        """(dimension named, dimension of the axis it subscripts) for each subscript of
        ``ref`` that is a bare dimension name."""
        target = self.variables.get(ref.name)
        axes = target.dimensions if target is not None else ()
        found = []
        for position, subscript in enumerate(ref.subscripts):
            if (isinstance(subscript, Reference) and not subscript.subscripts
                    and subscript.name in self.dimensions):
                axis = axes[position] if position < len(axes) else None
                found.append((subscript.name, axis))
        return found

    def has_vector_call(self, expr: Expr) -> bool:
        return any(isinstance(node, Call) and _is_vector_function(node.function)
                   for node in walk(expr))

    def check_whole_arrays(self, expr: Expr, variable: Variable) -> None:
        """Raise where whole arrays are matched through a mapping that is not positional
        (the reader of the XMILE file can only match ranges by position)."""
        for node in walk(expr):
            if not isinstance(node, Reference) or not node.subscripts:
                continue
            target = self.variables.get(node.name)
            axes = target.dimensions if target is not None else ()
            for position, subscript in enumerate(node.subscripts):
                if position >= len(axes):
                    continue
                axis = axes[position]
                name = (subscript.dimension if isinstance(subscript, Wildcard)
                        else subscript.name if isinstance(subscript, Reference)
                        and not subscript.subscripts else None)
                if name is None or name not in self.dimensions:
                    continue
                hosts = ([axis] if name != axis else []) + (
                    list(variable.dimensions) if name not in variable.dimensions else [])
                for host in hosts:
                    if not self.positional(name, host):
                        raise UnsupportedFeatureError(
                            f"'{variable.display}' reads whole ranges through the mapping "
                            f"between '{self.dimensions[name].display}' and "
                            f"'{self.dimensions[host].display}', which does not pair "
                            "elements by position; XMILE has no mappings",
                            getattr(subscript, "span", None) or variable.span)

    def positional(self, name: str, host: str) -> bool:
        """True unless a mapping between the two ranges pairs elements out of order."""
        if name == host or host not in self.dimensions:
            return True
        mapping = mapping_between(self.dimensions[name], self.dimensions[host])
        return mapping is None or mapping == tuple(range(len(mapping)))

    # -- spelling the elements out ---------------------------------------------------------
    def bind(self, expr: Expr, own: tuple[str, ...], subscripts: tuple[str, ...],
             bindings: tuple[tuple[str, str], ...]) -> Expr:
        """``expr`` for one element: every subscript naming a range bound in that element
        (directly, as an equivalent, or through a mapping) replaced by the element of the
        axis it subscripts."""
        context = element_context(subscripts, own, bindings, self.dimensions)

        def rewrite(node: Expr) -> Expr | None:
            if not isinstance(node, Reference) or not node.subscripts:
                return None
            target = self.variables.get(node.name)
            axes = target.dimensions if target is not None else ()
            written = []
            for position, subscript in enumerate(node.subscripts):
                axis = axes[position] if position < len(axes) else None
                element = None
                if (isinstance(subscript, Reference) and not subscript.subscripts
                        and subscript.name in self.dimensions):
                    element = self.element_for(subscript.name, axis, context)
                if element is None:
                    written.append(transform(subscript, rewrite))
                    continue
                written.append(Reference(element, self.spelling(element, axis), (),
                                         subscript.span))
            return replace(node, subscripts=tuple(written))

        return transform(expr, rewrite)

    def element_for(self, name: str, axis: str | None, context: dict[str, str]
                    ) -> str | None:
        """The element a subscript naming range ``name`` stands for in ``context``, as an
        element of ``axis``; None when it stands for a whole range."""
        source = self.dimensions[name]
        element = context.get(name)
        if element is None:
            for bound, bound_element in context.items():
                host = self.dimensions.get(bound)
                mapping = mapping_between(source, host) if host is not None else None
                if host is not None and mapping is not None:
                    element = source.canonical_elements[
                        mapping[host.position(bound_element) or 0]]
                    break
        if element is None:
            return None
        if axis is None or axis not in self.dimensions:
            return element
        return _element_in(self.dimensions[axis], element, source)

    def spelling(self, element: str, axis: str | None) -> str:
        dimensions = [self.dimensions[axis]] if axis in self.dimensions else []
        for dimension in (*dimensions, *self.dimensions.values()):
            position = dimension.position(element)
            if position is not None:
                return dimension.elements[position]
        return element


def _equations(variable: Variable) -> list[Expr]:
    return [e for e in (variable.equation, *(d.equation for d in variable.elements))
            if e is not None]


def _is_vector_function(function: str) -> bool:
    builtin = lookup_builtin(function, "mdl")
    return builtin is not None and builtin.kind is BuiltinKind.ARRAY


def _element_in(axis: Dimension, element: str, via: Dimension) -> str:
    """``element`` (of range ``via``) as an element of ``axis``: itself when ``axis``
    holds it, else the one the mapping pairs it with, else the one at its position."""
    if axis.position(element) is not None:
        return element
    for target, elements in via.maps_to:
        if target == axis.name and elements:
            return elements[via.canonical_elements.index(element)]
    position = via.position(element)
    if position is not None and position < len(axis.elements):
        return axis.canonical_elements[position]
    return element
