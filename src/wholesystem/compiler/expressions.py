"""Equation trees -> NumPy source text, with dimensions tracked at compile time.

Every value at run time is either a plain float (literals, ``t``) or an array whose first
axis is the run axis (size R, or 1 when every run shares it) followed by one axis per
dimension of the value. :class:`Code` records which dimensions those axes are, so
arrays meet by dimension name: operands are transposed and given size-1 axes at compile
time and NumPy broadcasting does the rest.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import accumulate

from wholesystem.builtins import CONSTANTS, Builtin, BuiltinKind, lookup_builtin
from wholesystem.compiler.lower import PIPELINE_READ, PREVIOUS_READ, STATE_READ
from wholesystem.diagnostics import SourceSpan
from wholesystem.errors import (
    ArityError,
    ModelStructureError,
    UnknownFunctionError,
    UnknownNameError,
    UnsupportedFeatureError,
)
from wholesystem.ir.expr import (
    Binary,
    Call,
    Expr,
    IfThenElse,
    Number,
    Reference,
    Unary,
    Wildcard,
    calls,
)
from wholesystem.ir.model import Dimension, Variable, mapping_between
from wholesystem.ir.names import canonical_name

__all__ = ["Code", "Scope", "compile_expression", "align"]


@dataclass(frozen=True, slots=True)
class Code:
    """Python source of a value, and the dimensions of its axes after the run axis."""

    text: str
    """Source text."""
    dims: tuple[str, ...] = ()
    """Dimension of each axis after the run axis."""
    scalar: bool = False
    """True for a plain float with no run axis (literals, time)."""
    stars: frozenset[str] = frozenset()
    """Dimensions selected with ``*``: what a reduction without other hints folds."""


@dataclass(frozen=True)
class Scope:
    """What names mean while compiling the equations of one model."""

    variables: dict[str, Variable]
    """All variables, by canonical name."""
    dimensions: dict[str, Dimension]
    """All dimensions, by canonical name."""
    identifiers: dict[str, str]
    """Python identifier of each variable's value."""
    tables: dict[tuple[str, tuple[str, ...] | None], str]
    """Python name of each graphical function: (variable, element or None) -> name."""
    states: dict[int, str] = field(default_factory=dict)
    """Python name of each discrete state object, by index."""
    host_dims: tuple[str, ...] = ()
    """Dimensions of the equation being compiled (apply-to-all context)."""
    element: dict[str, str] | None = None
    """Inside a per-element equation: dimension (or subrange) name -> canonical element."""
    backend: str = "vector"
    """``vector`` (NumPy arrays with a run axis) or ``scalar`` (plain floats, one run)."""
    dialect: str = "xmile"
    """Equation language of the model (``xmile`` or ``mdl``): which builtins exist."""
    fast: bool = False
    """Scalar backend only: write ``/`` as Python's operator, inside a ``try`` whose
    ``except`` reruns the step with IEEE-safe division."""
    recorded_dims: dict[int, tuple[str, ...]] = field(default_factory=dict)
    """Dimensions of what each previous-value state records, by index: a read of it has
    them (its initial value is spread over them)."""

    def within(self, host_dims: tuple[str, ...], element: dict[str, str] | None) -> Scope:
        """The same scope for another equation."""
        return Scope(self.variables, self.dimensions, self.identifiers, self.tables,
                     self.states, host_dims, element, self.backend, self.dialect, self.fast,
                     self.recorded_dims)


def align(code: Code, target: tuple[str, ...]) -> str:
    """Source of ``code`` with axes arranged as ``target`` (missing ones of size 1)."""
    if code.scalar or code.dims == target:
        return code.text
    present = [d for d in target if d in code.dims]
    text = code.text
    if present != list(code.dims):
        order = ", ".join(["0"] + [str(code.dims.index(d) + 1) for d in present])
        text = f"{text}.transpose(({order}))"
    index = ", ".join([":"] + [":" if d in code.dims else "None" for d in target])
    return f"{text}[{index}]"


def _union(*codes: Code) -> tuple[str, ...]:
    dims: list[str] = []
    for code in codes:
        dims.extend(d for d in code.dims if d not in dims)
    return tuple(dims)


def _stars(*codes: Code) -> frozenset[str]:
    return frozenset().union(*(c.stars for c in codes))


_INFIX = {"+": "+", "-": "-", "*": "*", "<": "<", "<=": "<=", ">": ">", ">=": ">=",
          "=": "==", "<>": "!="}


_MAX_CHAIN = 2000
"""Most terms in one run of ``+``/``-`` (or ``*``): Python's compiler recurses once per
operator and stops near 3,000."""
_MAX_NESTING = 180
"""Deepest bracket nesting of one equation's code: Python's tokenizer stops at 200, and
the line around the equation adds a few."""
_NOT_BRACKET = re.compile(r"[^()\[\]{}]+")
_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def compile_expression(expr: Expr, scope: Scope) -> Code:
    """Source text computing ``expr`` in ``scope``.

    An equation nested too deeply for Python (hundreds of levels of functions or
    IF THEN ELSE) raises :class:`~wholesystem.errors.UnsupportedFeatureError` at its span.
    """
    try:
        code = _compile(expr, scope)
    except RecursionError:
        raise _too_deep(expr) from None
    if _nesting(code.text) > _MAX_NESTING:
        raise _too_deep(expr)
    return code


def _too_deep(expr: Expr) -> UnsupportedFeatureError:
    return UnsupportedFeatureError(
        "this equation is nested too deeply to compile", expr.span,
        hint="split it into intermediate variables")


def _nesting(text: str) -> int:
    """Deepest bracket nesting of generated code, outside string literals (names)."""
    if text.count("(") + text.count("[") <= _MAX_NESTING:
        return 0
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(1 if b in "([{" else -1 for b in brackets), default=0)


def _float_literal(value: float) -> str:
    """Python source for a number; NaN and infinities (lowering writes them for omitted
    arguments) through the kernels, as repr gives names that are not defined."""
    if math.isnan(value):
        return "k.nan"
    if math.isinf(value):
        return "k.inf" if value > 0 else "(-k.inf)"
    return repr(value)


def _compile(expr: Expr, scope: Scope) -> Code:
    match expr:
        case Number(value=value):
            return Code(_float_literal(float(value)), scalar=True)
        case Reference():
            return _reference(expr, scope)
        case Binary():
            return _binary(expr, scope)
        case Unary(op=op, operand=operand):
            inner = _compile(operand, scope)
            text = f"k.logical_not({inner.text})" if op == "not" else f"({op}{inner.text})"
            return Code(text, inner.dims, inner.scalar, inner.stars)
        case IfThenElse(condition=c, then=a, otherwise=b):
            parts = [_compile(x, scope) for x in (c, a, b)]
            dims = _union(*parts)
            texts = [align(p, dims) for p in parts]
            scalar = all(p.scalar for p in parts)
            if scope.backend == "scalar":
                text = f"({texts[1]} if {texts[0]} else {texts[2]})"
            else:
                text = f"k.where({texts[0]}, {texts[1]}, {texts[2]})"
            return Code(text, dims, scalar, _stars(*parts))
        case Call():
            return _call(expr, scope)
        case Wildcard(span=span):
            raise ModelStructureError("'*' is only allowed as a subscript", span)
    raise ModelStructureError(f"cannot compile {type(expr).__name__}")  # pragma: no cover


_CHAINED = {"+": "sum", "-": "sum", "*": "product"}


def _binary(expr: Binary, scope: Scope) -> Code:
    if expr.op in _CHAINED:
        return _chain(expr, scope)
    left = _compile(expr.left, scope)
    right = _compile(expr.right, scope)
    dims = _union(left, right)
    a, b = align(left, dims), align(right, dims)
    scalar = left.scalar and right.scalar
    op = expr.op
    if op in _INFIX:
        text = f"({a} {_INFIX[op]} {b})"
    elif op == "/":
        plain = (not scalar and scope.backend == "vector") or scope.fast
        text = f"({a} / {b})" if plain else f"k.divide({a}, {b})"
    elif op == "^":
        plain = not scalar and scope.backend == "vector"
        text = f"({a} ** {b})" if plain else f"k.power({a}, {b})"
    elif op == "mod":
        text = f"k.mod({a}, {b})"
    elif op == "and":
        text = f"k.logical_and({a}, {b})"
    elif op == "or":
        text = f"k.logical_or({a}, {b})"
    else:  # pragma: no cover - the grammar produces no other operators
        raise ModelStructureError(f"unknown operator {op}", expr.span)
    return Code(text, dims, scalar, _stars(left, right))


def _chain(expr: Binary, scope: Scope) -> Code:
    """A left-nested run of ``+`` and ``-`` (or of ``*``) as one flat Python expression.

    ``a + b - c`` evaluates in the same order as ``((a + b) - c)``, so the results are the
    same, but it needs neither nested brackets nor recursion: equations summing hundreds
    of terms compile. Each operand is aligned to the dimensions of the whole run.
    """
    kind = _CHAINED[expr.op]
    links: list[tuple[str, Expr]] = []
    node: Expr = expr
    while isinstance(node, Binary) and _CHAINED.get(node.op) == kind:
        links.append((node.op, node.right))
        node = node.left
    if len(links) >= _MAX_CHAIN:
        raise UnsupportedFeatureError(
            f"this equation has {len(links) + 1} terms in a row; at most {_MAX_CHAIN} compile",
            node.span if node.span.line else expr.span,
            hint="split it into intermediate variables")
    links.reverse()
    parts = [_compile(node, scope), *(_compile(right, scope) for _, right in links)]
    dims = _union(*parts)
    terms = [align(parts[0], dims)]
    terms.extend(f"{_INFIX[op]} {align(code, dims)}" for (op, _), code in zip(
        links, parts[1:], strict=True))
    return Code(f"({' '.join(terms)})", dims, all(p.scalar for p in parts), _stars(*parts))


# -- names ---------------------------------------------------------------------------
def _reference(ref: Reference, scope: Scope) -> Code:
    variable = scope.variables.get(ref.name)
    if variable is not None:
        return _variable_reference(ref, variable, scope)
    if ref.subscripts:
        raise UnknownNameError(ref.text, ref.span)
    dimension = scope.dimensions.get(ref.name)
    if dimension is not None:
        numbers = _element_numbers(dimension, scope)
        if scope.element is not None and ref.name in scope.element:
            position = _position_in(dimension, scope.element[ref.name], scope)
            return Code(repr(numbers[position]), scalar=True)
        return Code(f"k.dimension_values({numbers!r})", (ref.name,))
    if ref.name in CONSTANTS:
        return Code(CONSTANTS[ref.name][0], scalar=True)
    number = _element_as_value(ref.name, scope)
    if number is not None:
        return Code(repr(number), scalar=True)
    raise UnknownNameError(ref.text, ref.span, hint=_did_you_mean(ref.name, scope))


def _element_as_value(name: str, scope: Scope) -> float | None:
    """An element name used as a value (Vensim: ``IF THEN ELSE(dim = B, ...)``): its
    number in its family, the first declared dimension that holds it."""
    for dimension in scope.dimensions.values():
        position = dimension.position(name)
        if position is not None and dimension.alias_of is None:
            return _element_numbers(dimension, scope)[position]
    return None


def _element_numbers(dimension: Dimension, scope: Scope) -> tuple[float, ...]:
    """What a dimension name means as a value: each element's 1-based position in its
    family, the first declared dimension holding all of its elements (itself, unless it
    is a subrange or a reordering of an earlier one, as Vensim numbers them)."""
    own = dimension.canonical_elements
    for family in scope.dimensions.values():
        if family.alias_of is not None:
            continue
        found = tuple(p for p in map(family.position, own) if p is not None)
        if len(found) == len(own):
            return tuple(float(p + 1) for p in found)
    return tuple(float(i + 1) for i in range(len(own)))  # pragma: no cover


def _did_you_mean(name: str, scope: Scope) -> str | None:
    import difflib

    close = difflib.get_close_matches(name, list(scope.variables), n=1, cutoff=0.75)
    return f"did you mean '{scope.variables[close[0]].display}'?" if close else None


def _variable_reference(ref: Reference, variable: Variable, scope: Scope) -> Code:
    ident = scope.identifiers.get(variable.name)
    if ident is None:
        raise ModelStructureError(
            f"'{variable.display}' is a graphical function without an input; "
            f"call it as {variable.display}(x) or LOOKUP({variable.display}, x)", ref.span)
    dims = variable.dimensions
    if not dims:
        if ref.subscripts:
            raise ModelStructureError(f"'{variable.display}' is not an array but is "
                                      "subscripted", ref.span)
        return Code(ident)
    subscripts = ref.subscripts or tuple(
        Reference(d, d, (), ref.span) for d in dims)
    if len(subscripts) != len(dims):
        raise ModelStructureError(
            f"'{variable.display}' has {len(dims)} dimension(s) but {len(subscripts)} "
            "subscript(s) are given", ref.span)
    index: list[str] = []
    kept: list[str] = []
    stars: set[str] = set()
    dynamic: list[tuple[int, Code]] = []
    picks: list[tuple[int, tuple[int, ...]]] = []
    for dim_name, subscript in zip(dims, subscripts, strict=True):
        selector = _select(dim_name, subscript, scope, bool(ref.subscripts))
        if isinstance(selector, int):
            index.append(str(selector))
        elif isinstance(selector, Code):
            index.append(":")
            dynamic.append((len(kept), selector))
            kept.append(dim_name)
        else:
            selector = _onto_host(selector, dim_name, scope)
            index.append(":")
            if selector.positions is not None:
                picks.append((len(kept), selector.positions))
            kept.append(selector.label)
            if selector.star:
                stars.add(selector.label)
    text = ident if all(i == ":" for i in index) else f"{ident}[:, {', '.join(index)}]"
    for axis, positions in picks:
        text = f"k.take_positions({text}, {axis + 1}, {positions!r})"
    text, kept = _diagonals(text, kept)
    code = Code(text, tuple(kept), False, frozenset(stars))
    for position, selector in reversed(dynamic):
        code = _take_dynamic(code, position, selector, ref)
    return code


def _diagonals(text: str, kept: list[str]) -> tuple[str, list[str]]:
    """Two axes selected by the same dimension (Vensim ``grid[d, d]``) read the diagonal."""
    while len(set(kept)) < len(kept):
        label = next(d for d in kept if kept.count(d) > 1)
        first = kept.index(label)
        second = kept.index(label, first + 1)
        text = f"k.diagonal({text}, {first + 1}, {second + 1})"
        kept = [d for i, d in enumerate(kept) if i not in (first, second)] + [label]
    return text, kept


def _take_dynamic(code: Code, position: int, selector: Code, ref: Reference) -> Code:
    remaining = code.dims[:position] + code.dims[position + 1:]
    index = align(selector, ()) if not selector.dims else None
    if index is None:
        return _take_per_element(code, position, selector, ref)
    return Code(f"k.take({code.text}, {position + 1}, {index})", remaining, False,
                code.stars - {code.dims[position]})


def _take_per_element(code: Code, position: int, selector: Code, ref: Reference) -> Code:
    """``a[expr]`` where ``expr`` varies over dimensions (``flow[stage - 1]`` in an
    apply-to-all equation over ``stage``): each element of the result reads the element
    its own position names; the result spans the other axes of ``a`` and those of
    ``expr``."""
    if selector.stars:
        raise UnsupportedFeatureError(
            f"'{ref.text}' is subscripted by an expression over a wildcard", ref.span)
    remaining = code.dims[:position] + code.dims[position + 1:]
    extra = tuple(d for d in selector.dims if d not in remaining)
    out = remaining + extra
    index = ", ".join([":"] * (len(remaining) + 1) + ["None"] * len(extra) + [":"])
    values = f"k.move_last({code.text}, {position + 1})[{index}]"
    return Code(f"k.take_along({values}, {align(selector, out)})", out, False,
                code.stars - {code.dims[position]})


@dataclass(frozen=True, slots=True)
class _Axis:
    """A subscript that keeps an axis: its dimension label, whether it was written ``*``
    (or Vensim's ``dim!``), and which positions of the variable's axis it takes (None: all,
    in order)."""

    label: str
    star: bool = False
    positions: tuple[int, ...] | None = None


def _select(dim_name: str, subscript: Expr, scope: Scope, explicit: bool
            ) -> int | _Axis | Code:
    """How one subscript selects along dimension ``dim_name``: a fixed position, a kept
    axis, or a position computed at run time."""
    dimension = scope.dimensions.get(dim_name)
    if dimension is None:
        raise UnknownNameError(dim_name, getattr(subscript, "span", None),
                               hint="this dimension is not declared")
    span = getattr(subscript, "span", None)
    if isinstance(subscript, Wildcard):
        label = subscript.dimension or dim_name
        return _Axis(label, True, _positions_along(dim_name, label, scope, span))
    if isinstance(subscript, Number):
        position = int(subscript.value) - 1
        if not 0 <= position < len(dimension.elements) or position + 1 != subscript.value:
            raise ModelStructureError(
                f"subscript {subscript.value:g} is outside dimension '{dimension.display}' "
                f"(1 to {len(dimension.elements)})", span)
        return position
    if isinstance(subscript, Reference) and not subscript.subscripts:
        name = subscript.name
        if name in scope.dimensions:
            return _select_by_dimension(dim_name, name, scope, explicit, span)
        element_position = dimension.position(name)
        if element_position is not None:
            return element_position
        if name not in scope.variables and name not in CONSTANTS:
            raise UnknownNameError(subscript.text, span, hint=(
                f"not an element of dimension '{dimension.display}' "
                f"({', '.join(dimension.elements)})"))
    return _compile(subscript, scope)


def _select_by_dimension(dim_name: str, name: str, scope: Scope, explicit: bool,
                         span: object) -> int | _Axis:
    """A dimension (or subrange) name used as a subscript of an axis over ``dim_name``."""
    if scope.element is not None:
        if name in scope.element:
            return _position_in(scope.dimensions[dim_name], scope.element[name], scope, name)
        source = scope.dimensions[name]
        for bound_dim, bound_element in scope.element.items():
            mapping = mapping_between(source, scope.dimensions[bound_dim])
            if mapping is not None:
                host = scope.dimensions[bound_dim]
                mapped = source.canonical_elements[mapping[host.position(bound_element) or 0]]
                return _position_in(scope.dimensions[dim_name], mapped, scope, name)
        if name == dim_name or scope.dimensions[name].alias_of == dim_name:
            bound = scope.element.get(dim_name)
            if bound is not None:
                return _position_in(scope.dimensions[dim_name], bound, scope)
    positions = _positions_along(dim_name, name, scope, span)
    if scope.element is None and not scope.host_dims and (explicit or not scope.host_dims):
        # A dimension name in a scalar equation (MIN(a[Dim])) means every element.
        return _Axis(name, True, positions)
    return _Axis(name, False, positions)


def _onto_host(axis: _Axis, dim_name: str, scope: Scope) -> _Axis:
    """An axis labelled with a dimension the equation's variable does not have, but that
    maps onto (or from) one it has (Vensim ``->``), relabelled as that one."""
    if axis.star or axis.label in scope.host_dims or not scope.host_dims:
        return axis
    source = scope.dimensions.get(axis.label)
    if source is None:
        return axis
    for host in scope.host_dims:
        if _equivalent(source, scope.dimensions[host]):
            return _Axis(host, False, axis.positions)
        mapping = mapping_between(source, scope.dimensions[host])
        if mapping is None:
            continue
        along = axis.positions if axis.positions is not None else tuple(
            range(len(source.elements)))
        return _Axis(host, False, tuple(along[i] for i in mapping))
    return axis


def _equivalent(a: Dimension, b: Dimension) -> bool:
    """Two names for one range (Vensim ``<->``): either is the other's alias, or both
    alias the same range."""
    return (a.alias_of == b.name or b.alias_of == a.name
            or (a.alias_of is not None and a.alias_of == b.alias_of))


def _positions_along(dim_name: str, label: str, scope: Scope, span: object
                     ) -> tuple[int, ...] | None:
    """Which positions of an axis over ``dim_name`` an axis labelled ``label`` takes, in
    ``label``'s order: None when they are the same dimension (or same-size and unrelated:
    matched by position, as XMILE and Vensim do); a subrange picks its elements; a mapped
    dimension picks the elements it maps to."""
    if label == dim_name:
        return None
    source = scope.dimensions.get(label)
    target = scope.dimensions[dim_name]
    if source is None:
        return None
    if source.alias_of == dim_name or target.alias_of == label:
        return None
    target_elements = target.canonical_elements
    for mapped_dim, mapped_elements in source.maps_to:
        if mapped_dim == dim_name and mapped_elements:
            return tuple(target_elements.index(e) for e in mapped_elements)
        if mapped_dim == dim_name:
            return None
    source_elements = source.canonical_elements
    if all(e in target_elements for e in source_elements):
        picked = tuple(target_elements.index(e) for e in source_elements)
        return None if picked == tuple(range(len(target_elements))) else picked
    for mapped_dim, mapped_elements in target.maps_to:
        if mapped_dim == label and mapped_elements:
            # the variable's dimension maps onto the label: invert the mapping
            return tuple(mapped_elements.index(e) for e in source_elements
                         if e in mapped_elements)
    if len(source_elements) != len(target_elements):
        raise ModelStructureError(
            f"dimension '{source.display}' ({len(source_elements)} elements) cannot stand "
            f"for '{target.display}' ({len(target_elements)} elements)",
            span if isinstance(span, SourceSpan) else None,
            hint="use a subrange of it, a mapping (->) or the same dimension")
    return None


def _position_in(dimension: Dimension, element: str, scope: Scope,
                 via: str | None = None) -> int:
    """Position of ``element`` in ``dimension``; an element of another (same-size or
    mapped) dimension ``via`` is matched by mapping or by position."""
    position = dimension.position(element)
    if position is not None:
        return position
    if via is not None and via in scope.dimensions:
        source = scope.dimensions[via]
        for mapped_dim, mapped_elements in source.maps_to:
            if mapped_dim == dimension.name and mapped_elements:
                return dimension.canonical_elements.index(
                    mapped_elements[source.canonical_elements.index(element)])
        source_position = source.position(element)
        if source_position is not None and source_position < len(dimension.elements):
            return source_position
    raise ModelStructureError(f"element '{element}' is not in dimension '{dimension.display}'")


# -- calls ---------------------------------------------------------------------------
def reject_unknown_functions(equations: Iterable[Expr], scope: Scope) -> None:
    """Raise :class:`UnknownFunctionError` for the first call of a function that is
    neither a builtin, a graphical function nor one of the compiler's own (``#...``).

    Run before ordering: an unknown function read as an ordinary expression may close an
    algebraic loop (an unknown integrator, say), and "unknown function" is the true error.
    """
    for equation in equations:
        for call in calls(equation):
            name = call.function
            if name.startswith("#") or lookup_builtin(name, scope.dialect) is not None:
                continue
            table = (scope.variables.get(canonical_name(name) if "." not in name else name)
                     or scope.variables.get(name.lower()))
            if table is None or not _has_table(table):
                raise UnknownFunctionError(
                    name, call.span, hint="see docs/functions.md for the supported functions")


def _call(call: Call, scope: Scope) -> Code:
    table_name = canonical_name(call.function) if "." not in call.function else call.function
    table_variable = scope.variables.get(table_name) or scope.variables.get(
        call.function.lower())
    if table_variable is not None and _has_table(table_variable):
        return _table_call(table_variable, call.args, call, scope)
    if call.function == PIPELINE_READ:
        state = scope.states[int(call.args[0].value)]  # type: ignore[union-attr]
        delay, initial = (_compile(a, scope) for a in call.args[1:])
        dims = _union(delay, initial)
        return Code(f"{state}.read(t, {align(delay, dims)}, {align(initial, dims)})", dims)
    if call.function == PREVIOUS_READ:
        index = int(call.args[0].value)  # type: ignore[union-attr]
        initial = _compile(call.args[1], scope)
        dims = _union(Code("", scope.recorded_dims.get(index, ())), initial)
        # before the first step is filed the read is the initial value: give it the
        # run axis and the axes of the values filed later
        start = (f"k.as_runs({initial.text}, {len(dims)})" if initial.scalar
                 and scope.backend == "vector" else align(initial, dims))
        return Code(f"{scope.states[index]}.read({start})", dims, False, initial.stars)
    if call.function == STATE_READ:
        state = scope.states[int(call.args[0].value)]  # type: ignore[union-attr]
        parts = [_compile(a, scope) for a in call.args[1:]]
        dims = _union(*parts)
        joined = "".join(", " + align(p, dims) for p in parts)
        return Code(f"{state}.read(t{joined})", dims)
    builtin = lookup_builtin(call.function, scope.dialect)
    if builtin is None:
        raise UnknownFunctionError(call.function, call.span,
                                   hint="see docs/functions.md for the supported functions")
    count = len(call.args)
    if not builtin.min_args <= count <= builtin.max_args:
        raise ArityError(f"{builtin.name} takes {builtin.arity} argument(s), got {count}; "
                         f"usage: {builtin.signature}", call.span)
    if builtin.kind is BuiltinKind.LOOKUP:
        target = call.args[0]
        if not isinstance(target, Reference) or target.name not in scope.variables:
            raise ModelStructureError(f"{builtin.name}'s first argument must name a "
                                      "graphical function", call.span)
        if builtin.template is not None:
            return _table_template_call(builtin.template, scope.variables[target.name],
                                        call, scope)
        return _table_call(scope.variables[target.name], call.args[1:], call, scope,
                           target.subscripts)
    if builtin.kind is BuiltinKind.ARRAY and builtin.template is not None:
        return _array_call(builtin, call, scope)
    if builtin.name == "GET TIME VALUE" and len(call.args) == 3:
        _refuse_calendar_measure(call)
    args = [_compile(a, scope) for a in call.args]
    if builtin.kind is BuiltinKind.REDUCTION:
        return _reduction(builtin.name, args, call, scope)
    if builtin.kind is BuiltinKind.TIME:
        dims = _union(*args)
        if builtin.template is not None:  # may use t, dt and start_time
            return Code(_fill_template(builtin.template, [align(a, dims) for a in args]),
                        dims, False)
        texts = [align(a, dims) for a in args]
        if builtin.name == "PULSE" and len(texts) == 1:
            texts.append("start_time")  # XMILE: first defaults to the start of the run
        joined = ", ".join(texts)
        prefix = "t, dt, " if builtin.name == "PULSE" else "t, "
        return Code(f"k.{builtin.name.lower()}({prefix}{joined})", dims, False)
    if builtin.kind is BuiltinKind.ELEMENTWISE and builtin.template is not None:
        dims = _union(*args)
        texts = [align(a, dims) for a in args]
        return Code(_fill_template(builtin.template, texts), dims,
                    all(a.scalar for a in args), _stars(*args))
    raise UnsupportedFeatureError(  # pragma: no cover - stateful calls are lowered before
        f"{builtin.name} cannot be used here", call.span)


def _refuse_calendar_measure(call: Call) -> None:
    """GET TIME VALUE's measures 1 to 10 (years, months, days... of a calendar date) need
    a calendar that a simulation has not got: a written measure other than 0 is refused
    here, rather than give NaN at run time."""
    measure = call.args[2]
    if isinstance(measure, Number) and measure.value != 0:
        raise UnsupportedFeatureError(
            f"GET TIME VALUE measure {measure.value:g} (a calendar or clock measure) is not "
            "supported; only measure 0, simulation time", measure.span)


def _fill_template(template: str, texts: list[str]) -> str:
    import re

    def substitute(match: re.Match[str]) -> str:
        position = int(match.group(1))
        default = match.group(2)
        if position < len(texts):
            return texts[position]
        return default if default is not None else "0.0"

    return re.sub(r"\{(\d+)(?::([^}]*))?\}", substitute, template)


def _reduction(name: str, args: list[Code], call: Call, scope: Scope) -> Code:
    if name in ("MIN", "MAX") and len(args) == 2:
        if scope.dialect == "xmile":  # MAX(A, 0): the largest of all of A's values and 0
            args = [_fold_beyond_host(name, a, scope) for a in args]
        dims = _union(*args)
        function = "k.minimum" if name == "MIN" else "k.maximum"
        return Code(f"{function}({align(args[0], dims)}, {align(args[1], dims)})", dims,
                    all(a.scalar for a in args))
    if name == "MEAN" and len(args) > 1:
        return _mean_of_all(args, scope, call)
    if name == "RANK":
        values = args[0]
        if len(values.dims) != 1:
            raise UnsupportedFeatureError("RANK needs a one-dimensional array", call.span)
        tiebreak = "".join(f", {align(a, values.dims)}" for a in args[2:])
        return Code(f"k.rank({values.text}, {align(args[1], ())}{tiebreak})", ())
    values = args[0]
    if values.scalar or not values.dims:
        text = "1.0" if name == "SIZE" else ("0.0" if name == "STDDEV" else values.text)
        return Code(text, (), values.scalar)
    folded = [d for d in values.dims if d in values.stars] or list(values.dims)
    if name == "SIZE" and (size := _size(folded, scope)) is not None:
        # known when compiling, so SIZE reads no values: SIZE(SELF) is no circularity
        return Code(repr(float(size)), (), True)
    axes = tuple(values.dims.index(d) + 1 for d in folded)
    kept = tuple(d for d in values.dims if d not in folded)
    return Code(f"k.reduce({name!r}, {values.text}, {axes!r})", kept, False,
                values.stars - set(folded))


def _size(dims: list[str], scope: Scope) -> int | None:
    """How many elements the axes labelled ``dims`` span, when every label is known."""
    size = 1
    for dim in dims:
        if dim not in scope.dimensions:
            return None
        size *= len(scope.dimensions[dim].elements)
    return size


def _beyond_host(code: Code, scope: Scope) -> list[str]:
    """Axes of an argument that the equation's variable does not have (or starred ones)."""
    return [d for d in code.dims if d in code.stars or d not in scope.host_dims]


def _fold_beyond_host(name: str, code: Code, scope: Scope) -> Code:
    """An argument of a several-argument array function with its axes beyond the
    variable's folded by ``name`` (XMILE 1.0, 3.7.1: "any mix of arrays and scalars")."""
    folded = _beyond_host(code, scope)
    if not folded:
        return code
    axes = tuple(code.dims.index(d) + 1 for d in folded)
    kept = tuple(d for d in code.dims if d not in folded)
    return Code(f"k.reduce({name!r}, {code.text}, {axes!r})", kept, False,
                code.stars - set(folded))


def _mean_of_all(args: list[Code], scope: Scope, call: Call) -> Code:
    """MEAN(a, b, ...): the mean of all the arguments' values (an array counts each of
    its elements beyond the variable's own axes)."""
    sums: list[Code] = []
    count = 0
    for arg in args:
        folded = _beyond_host(arg, scope)
        size = _size(folded, scope)
        if size is None:
            raise UnsupportedFeatureError("MEAN of an array whose size is unknown",
                                          call.span)
        sums.append(_fold_beyond_host("SUM", arg, scope))
        count += size
    dims = _union(*sums)
    total = " + ".join(align(s, dims) for s in sums)
    return Code(f"(({total}) / {float(count)!r})", dims, all(s.scalar for s in sums),
                _stars(*sums))


def _table_call(variable: Variable, args: tuple[Expr, ...], call: Call, scope: Scope,
                subscripts: tuple[Expr, ...] = ()) -> Code:
    """A graphical function read at one input: one table, or (for a variable with a table
    per element) one table per element of the axes the subscripts keep."""
    if len(args) != 1:
        raise ArityError(f"graphical function '{variable.display}' takes one input, got "
                         f"{len(args)}", call.span)
    x = _compile(args[0], scope)
    tables, kept, shape = _table_selection(variable, subscripts, scope, call)
    if isinstance(tables, str):
        return Code(f"{tables}_read({x.text})", x.dims, x.scalar, x.stars)
    dims = tuple(kept) + tuple(d for d in x.dims if d not in kept)
    grid = "(" + "".join(f"{t}, " for t in tables) + ")"
    return Code(f"k.lookup_grid({align(x, dims)}, {grid}, {shape!r})", dims, False, x.stars)


def _table_selection(variable: Variable, subscripts: tuple[Expr, ...], scope: Scope,
                     call: Call) -> tuple[str | list[str], list[str], tuple[int, ...]]:
    """Which table(s) a call reads: one table name, or a row-major list over the kept axes
    with their labels and shape."""
    per_element = any(e.graphical_function is not None for e in variable.elements)
    if not per_element or not variable.dimensions:
        table = scope.tables.get((variable.name, None))
        if table is None:
            element = _element_key(variable, scope)
            table = scope.tables.get((variable.name, element)) if element else None
        if table is None:
            raise ModelStructureError(f"'{variable.display}' has no graphical function",
                                      call.span)
        return table, [], ()
    written = subscripts or tuple(Reference(d, d, (), call.span) for d in variable.dimensions)
    if len(written) != len(variable.dimensions):
        raise ModelStructureError(
            f"'{variable.display}' has {len(variable.dimensions)} dimension(s) but "
            f"{len(written)} subscript(s) are given", call.span)
    choices: list[list[int]] = []
    kept: list[str] = []
    shape: list[int] = []
    for dim_name, subscript in zip(variable.dimensions, written, strict=True):
        selector = _select(dim_name, subscript, scope, bool(subscripts))
        size = len(scope.dimensions[dim_name].elements)
        if isinstance(selector, int):
            choices.append([selector])
        elif isinstance(selector, _Axis):
            choices.append(list(selector.positions) if selector.positions is not None
                           else list(range(size)))
            kept.append(selector.label)
            shape.append(len(choices[-1]))
        else:
            raise UnsupportedFeatureError("a computed subscript on a table", call.span)
    names = []
    for combination in _product(choices):
        key = tuple(scope.dimensions[d].canonical_elements[p]
                    for d, p in zip(variable.dimensions, combination, strict=True))
        table = scope.tables.get((variable.name, key)) or scope.tables.get((variable.name, None))
        if table is None:
            raise ModelStructureError(
                f"element [{', '.join(key)}] of '{variable.display}' has no graphical "
                "function", call.span)
        names.append(table)
    if not kept:
        return names[0], [], ()
    return names, kept, tuple(shape)


def _product(choices: list[list[int]]) -> list[tuple[int, ...]]:
    combos: list[tuple[int, ...]] = [()]
    for options in choices:
        combos = [c + (o,) for c in combos for o in options]
    return combos


def _table_template_call(template: str, variable: Variable, call: Call, scope: Scope
                         ) -> Code:
    """A lookup builtin with a template: ``{0}`` is the table, ``{1}``... the inputs."""
    parts = [_compile(a, scope) for a in call.args[1:]]
    dims = _union(*parts)
    element = _element_key(variable, scope)
    table = scope.tables.get((variable.name, element)) or scope.tables.get(
        (variable.name, None))
    if table is None:
        raise ModelStructureError(f"'{variable.display}' has no graphical function",
                                  call.span)
    texts = [table] + [align(p, dims) for p in parts]
    return Code(_fill_template(template, texts), dims, False, _stars(*parts))


def _array_call(builtin: Builtin, call: Call, scope: Scope) -> Code:
    """A function of whole arrays (Vensim VECTOR ..., ALLOCATE ...): arguments are laid
    out on the axes of the variable being defined (a same-size dimension of another name
    stands for one of its dimensions), a profile keeps its own last axis, and a raw
    argument is passed whole."""
    target = scope.host_dims
    texts = []
    for position, arg in enumerate(call.args):
        code = _compile(arg, scope)
        if position in builtin.raw_args or code.scalar or not code.dims:
            texts.append(code.text)
            continue
        own = code.dims[-1:] if position in builtin.profile_args else ()
        shared = code.dims[:len(code.dims) - len(own)]
        labels = _match_axes(shared, target, scope, call)
        texts.append(align(Code(code.text, labels + own), target + own))
    return Code(_fill_template(builtin.template or "", texts), target)


def _match_axes(dims: tuple[str, ...], target: tuple[str, ...], scope: Scope, call: Call
                ) -> tuple[str, ...]:
    labels: list[str] = []
    for dim in dims:
        if dim in target:
            labels.append(dim)
            continue
        size = len(scope.dimensions[dim].elements)
        match = next((t for t in target if t not in dims and t not in labels
                      and len(scope.dimensions[t].elements) == size), None)
        if match is None:
            raise ModelStructureError(
                f"{call.function}: dimension '{scope.dimensions[dim].display}' of an "
                "argument matches no dimension of the variable being defined", call.span)
        labels.append(match)
    return tuple(labels)


def _has_table(variable: Variable) -> bool:
    return variable.graphical_function is not None or any(
        e.graphical_function is not None for e in variable.elements)


def _element_key(variable: Variable, scope: Scope) -> tuple[str, ...] | None:
    if scope.element is None or not variable.dimensions:
        return None
    names = []
    for dim_name in variable.dimensions:
        element = scope.element.get(dim_name)
        if element is None:
            return None
        names.append(element)
    return tuple(names)
