"""Variables whose elements read each other, split into one hidden variable per element.

Vensim and XMILE let an arrayed variable define its elements one by one, and one element's
equation may read another element of the same variable (``x[a1] = 1``, ``x[a2] = x[a1] * 2``).
Ordered as one variable that is a loop; ordered element by element it is none.
:func:`split_elements` gives each element of such a variable a hidden scalar variable
(``#element.N``, shown as ``x[a2]``) holding the element's equation, with every read of a
known element of the variable pointed at that element's hidden variable, and rebuilds the
variable from them. The check stage's loop search and the compiler's ordering then see
element-level dependencies, and a genuine loop between elements is named element by element.

A read that may take several elements (``SUM(x[sub!])``) reads a hidden partial copy of the
variable holding only those elements (``#elements.N``, the rest NaN, never read), so it
depends on just them. Which elements a subscript takes follows the compiler's rules for
element equations (bound dimension names, subranges, mappings); where a subscript is computed
at run time, every element is taken, which can only make a loop appear, never a wrong number.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, replace

from wholesystem.ir.expr import Expr, Number, Reference, Wildcard, transform, walk
from wholesystem.ir.model import (
    Dimension,
    ElementDefinition,
    Project,
    Variable,
    VariableKind,
    mapping_between,
)

__all__ = ["ElementSplit", "split_elements", "reads_own_elements"]

Element = tuple[str, ...]
"""Canonical element names, one per dimension of a variable."""


@dataclass(frozen=True, slots=True)
class ElementSplit:
    """A project with its self-reading element-by-element variables split."""

    project: Project
    """The project, hidden element variables added after the variables they come from."""
    made: frozenset[str]
    """Names of the hidden variables made."""
    initial: frozenset[str]
    """Those holding a stock's initial values (needed only at the start)."""


def split_elements(project: Project, keep: frozenset[str] = frozenset()) -> ElementSplit:
    """Split every variable of the main model whose element equations read its own
    elements (see the module docstring); other variables, and those named in ``keep``,
    are kept as they are.

    A variable with graphical functions is kept whole (its elements' tables are also
    read by calls from elsewhere), so such a variable still reads as a loop.
    """
    variables = project.main.variable_map()
    dimensions = {d.name: d for d in project.dimensions}
    names = _Names(set(variables))
    kept: list[Variable] = []
    made: list[Variable] = []
    initial: set[str] = set()
    for variable in project.main.variables:
        if variable.name in keep or not _splittable(variable, dimensions):
            kept.append(variable)
            continue
        whole, parts = _split(variable, dimensions, names)
        kept.append(whole)
        made.extend(parts)
        if variable.kind is VariableKind.STOCK:
            initial.update(p.name for p in parts)
    if not made:
        return ElementSplit(project, frozenset(), frozenset())
    main = replace(project.main, variables=tuple(kept + made))
    return ElementSplit(replace(project, models=(main, *project.models[1:])),
                        frozenset(v.name for v in made), frozenset(initial))


def reads_own_elements(variable: Variable, dimensions: dict[str, Dimension]) -> bool:
    """True when an element equation of ``variable`` reads the variable itself."""
    indices = _index_names(dimensions)
    return any(True for element in variable.elements
               for _ in _own_reads(_equation(variable, element), variable.name, indices))


def _splittable(variable: Variable, dimensions: dict[str, Dimension]) -> bool:
    if not variable.elements or variable.graphical_function is not None:
        return False
    if any(e.graphical_function is not None for e in variable.elements):
        return False
    if any(len(e.subscripts) != len(variable.dimensions) for e in variable.elements):
        return False  # malformed: left for the compiler to report
    return reads_own_elements(variable, dimensions)


class _Names:
    """Fresh hidden names, none taken by the model."""

    def __init__(self, taken: set[str]):
        self.taken = taken
        self.counter = 0

    def fresh(self, tag: str) -> str:
        while True:
            self.counter += 1
            name = f"#{tag}.{self.counter}"
            if name not in self.taken:
                self.taken.add(name)
                return name


def _split(variable: Variable, dimensions: dict[str, Dimension], names: _Names
           ) -> tuple[Variable, list[Variable]]:
    """The variable rebuilt from hidden element variables, and those variables (the
    partial copies that reads of several elements need come after them)."""
    hidden = {e.subscripts: names.fresh("element") for e in variable.elements}
    shown = {e.subscripts: _display(variable, e, dimensions) for e in variable.elements}
    partials: dict[frozenset[Element], Variable] = {}
    parts: list[Variable] = []
    elements: list[ElementDefinition] = []
    for element in variable.elements:
        context = _context(variable, element, dimensions)
        reads = _ElementReads(variable, context, dimensions, (hidden, shown), partials, names)
        equation = _equation(variable, element)
        rewritten = None if equation is None else reads.rewrite(equation)
        name = hidden[element.subscripts]
        span = element.span
        display = shown[element.subscripts]
        # The hidden variable is a scalar whose one definition keeps the element's context
        # (its dimension names bound to the element), so the compiler reads it unchanged.
        definition = ElementDefinition((), rewritten, None, span, _bindings(context))
        kind = VariableKind.FLOW if variable.kind is VariableKind.FLOW else VariableKind.AUX
        parts.append(Variable(name, display, kind, None, span, (), (definition,),
                              non_negative=variable.non_negative and kind is VariableKind.FLOW,
                              units=variable.units))
        elements.append(replace(element, equation=Reference(name, display, (), span),
                                bindings=()))
    whole = replace(variable, equation=None, elements=tuple(elements))
    return whole, parts + list(partials.values())


def _equation(variable: Variable, element: ElementDefinition) -> Expr | None:
    """What an element is defined by: its own equation, else the variable's."""
    return element.equation if element.equation is not None else variable.equation


def _context(variable: Variable, element: ElementDefinition,
             dimensions: dict[str, Dimension]) -> dict[str, str]:
    """Dimension names bound to elements in one element's equation: the compiler's rule
    (its own dimensions, the names its definition was written with, their aliases)."""
    context = dict(zip(variable.dimensions, element.subscripts, strict=True))
    context.update(dict(element.bindings))
    for name, dimension in dimensions.items():
        if dimension.alias_of in context and name not in context:
            context[name] = context[dimension.alias_of]
    return context


def _bindings(context: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(context.items())


def _display(variable: Variable, element: ElementDefinition,
             dimensions: dict[str, Dimension]) -> str:
    """How messages name one element: ``x[a2]``, elements as written."""
    shown = []
    for dim_name, name in zip(variable.dimensions, element.subscripts, strict=True):
        dimension = dimensions.get(dim_name)
        position = None if dimension is None else dimension.position(name)
        shown.append(name if position is None or dimension is None
                     else dimension.elements[position])
    return f"{variable.display}[{', '.join(shown)}]"


def _index_names(dimensions: dict[str, Dimension]) -> frozenset[str]:
    found: set[str] = set()
    for dimension in dimensions.values():
        found.add(dimension.name)
        found.update(dimension.canonical_elements)
    return frozenset(found)


def _own_reads(expr: Expr | None, name: str, indices: frozenset[str]) -> Iterator[Reference]:
    """References to ``name`` that read it: a bare dimension or element name used as a
    subscript selects, even where a variable has the same name."""
    if expr is None:
        return
    selecting = {id(s) for node in walk(expr) if isinstance(node, Reference)
                 for s in node.subscripts
                 if isinstance(s, Reference) and not s.subscripts and s.name in indices}
    for node in walk(expr):
        if isinstance(node, Reference) and node.name == name and id(node) not in selecting:
            yield node


class _ElementReads:
    """Rewrites one element's equation: reads of its own variable point at the hidden
    element variables they take."""

    def __init__(self, variable: Variable, context: dict[str, str],
                 dimensions: dict[str, Dimension],
                 hidden: tuple[dict[Element, str], dict[Element, str]],
                 partials: dict[frozenset[Element], Variable], names: _Names):
        self.variable = variable
        self.context = context
        self.dimensions = dimensions
        self.hidden, self.shown = hidden
        self.partials = partials
        self.names = names
        self.indices = _index_names(dimensions)

    def rewrite(self, equation: Expr) -> Expr:
        reads = {id(r) for r in _own_reads(equation, self.variable.name, self.indices)}

        def visit(node: Expr) -> Expr | None:
            if id(node) in reads and isinstance(node, Reference):
                return self.replacement(node)
            return None

        return transform(equation, visit)

    def replacement(self, ref: Reference) -> Expr:
        dims = self.variable.dimensions
        subscripts = ref.subscripts or tuple(Reference(d, d, (), ref.span) for d in dims)
        if len(subscripts) != len(dims):
            return ref  # wrongly subscripted: the compiler says so
        axes = [self.taken(d, s) for d, s in zip(dims, subscripts, strict=True)]
        taken = frozenset(itertools.product(*axes))
        if len(taken) == 1 and all(len(a) == 1 for a in axes):
            (element,) = taken
            name = self.hidden.get(element)
            if name is None:
                return Number(math.nan, ref.span)  # Vensim: an undefined element is NaN
            return Reference(name, self.shown[element], (), ref.span)
        if set(self.hidden) <= taken:
            return ref  # every element: the whole variable, a loop through this element
        return replace(ref, name=self.partial(taken).name)

    def taken(self, dim_name: str, subscript: Expr) -> tuple[str, ...]:
        """The canonical elements of ``dim_name`` a subscript may select, in order."""
        dimension = self.dimensions.get(dim_name)
        if dimension is None:
            return ()
        every = dimension.canonical_elements
        if isinstance(subscript, Wildcard):
            return self.along(dimension, subscript.dimension or dim_name)
        if isinstance(subscript, Number):
            position = int(subscript.value) - 1
            exact = position + 1 == subscript.value and 0 <= position < len(every)
            return (every[position],) if exact else every
        if not isinstance(subscript, Reference) or subscript.subscripts:
            return every  # computed at run time: any element
        name = subscript.name
        if name in self.dimensions:
            return self.by_dimension(dimension, name)
        if dimension.position(name) is not None:
            return (name,)
        return every

    def by_dimension(self, dimension: Dimension, name: str) -> tuple[str, ...]:
        """A dimension name as a subscript: its bound element, the element a mapping
        takes it to, or (unbound) the elements it ranges over."""
        bound = self.context.get(name)
        if bound is None:
            bound = self.mapped(name)
        if bound is not None:
            return (bound,) if dimension.position(bound) is not None \
                else dimension.canonical_elements
        return self.along(dimension, name)

    def mapped(self, name: str) -> str | None:
        source = self.dimensions[name]
        for bound_dim, bound_element in self.context.items():
            host = self.dimensions.get(bound_dim)
            mapping = None if host is None else mapping_between(source, host)
            if host is not None and mapping is not None:
                return source.canonical_elements[mapping[host.position(bound_element) or 0]]
        return None

    def along(self, dimension: Dimension, label: str) -> tuple[str, ...]:
        """The elements an axis labelled ``label`` takes of ``dimension``: a subrange its
        own; anything else (itself, an alias, a mapped range) conservatively all."""
        source = self.dimensions.get(label)
        every = dimension.canonical_elements
        if source is None or label == dimension.name:
            return every
        if all(dimension.position(e) is not None for e in source.canonical_elements) \
                and not source.maps_to:
            return source.canonical_elements
        return every

    def partial(self, taken: frozenset[Element]) -> Variable:
        """The hidden copy of the variable that holds just the ``taken`` elements."""
        found = self.partials.get(taken)
        if found is not None:
            return found
        variable = self.variable
        axes = [self.dimensions[d].canonical_elements for d in variable.dimensions]
        definitions = []
        for element in itertools.product(*axes):
            name = self.hidden.get(element) if element in taken else None
            value: Expr = (Number(math.nan, variable.span) if name is None
                           else Reference(name, self.shown[element], (), variable.span))
            definitions.append(ElementDefinition(element, value, None, variable.span))
        made = Variable(self.names.fresh("elements"), variable.display, VariableKind.AUX,
                        None, variable.span, variable.dimensions, tuple(definitions),
                        units=variable.units)
        self.partials[taken] = made
        return made
