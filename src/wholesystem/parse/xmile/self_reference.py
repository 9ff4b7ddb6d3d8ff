"""XMILE's ``SELF``: the variable an equation defines, written without its name.

XMILE 1.0 (3.5.6) allows ``SELF`` only inside ``PREVIOUS`` and ``SIZE``:
``PREVIOUS(SELF, 0)`` is the variable's own value one DT earlier, ``SIZE(SELF[1, *])`` the
length of one of its rows. The reader replaces it by a reference to the variable, so later
stages see ordinary names: ``PREVIOUS(SELF, ...)`` reads the element being defined,
``SIZE(SELF)`` counts the whole array. A model with a variable named ``self`` keeps the name
as a plain reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from wholesystem.builtins.registry import SELF
from wholesystem.errors import ModelStructureError
from wholesystem.ir.expr import Call, Expr, Reference, Wildcard, transform, walk
from wholesystem.ir.model import Variable

__all__ = ["resolve_self"]

_ALLOWED_IN = frozenset({"PREVIOUS", "SIZE"})


def resolve_self(variables: Sequence[Variable]) -> list[Variable]:
    """The variables with every ``SELF`` replaced by a reference to its own variable;
    raises :class:`~wholesystem.errors.ModelStructureError` where SELF stands elsewhere."""
    if any(v.name == SELF[0] for v in variables):
        return list(variables)
    return [_resolve_variable(v) for v in variables]


def _resolve_variable(variable: Variable) -> Variable:
    equation = _resolve(variable.equation, variable, ())
    elements = tuple(replace(e, equation=_resolve(e.equation, variable, e.subscripts))
                     for e in variable.elements)
    if equation is variable.equation and all(
            new.equation is old.equation for new, old in zip(elements, variable.elements,
                                                             strict=True)):
        return variable
    return replace(variable, equation=equation, elements=elements)


def _resolve(expr: Expr | None, variable: Variable, element: tuple[str, ...]
             ) -> Expr | None:
    if expr is None or not _mentions_self(expr):
        return expr

    def outside(node: Expr) -> Expr | None:
        if isinstance(node, Call) and node.function in _ALLOWED_IN:
            return replace(node, args=tuple(_inside(a, variable, element, node.function)
                                             for a in node.args))
        if _is_self(node):
            raise ModelStructureError(
                "SELF is only valid inside PREVIOUS and SIZE", node.span,
                hint=f"write the variable's name, '{variable.display}', or "
                     "PREVIOUS(SELF, initial value)")
        return None

    return transform(expr, outside)


def _inside(arg: Expr, variable: Variable, element: tuple[str, ...], function: str
            ) -> Expr:
    def rewrite(node: Expr) -> Expr | None:
        if not _is_self(node):
            return None
        assert isinstance(node, Reference)
        subscripts = node.subscripts
        if not subscripts and element and function == "PREVIOUS":
            subscripts = tuple(Reference(e, e, (), node.span) for e in element)
        elif not subscripts and function == "SIZE":
            subscripts = tuple(Wildcard(None, node.span) for _ in variable.dimensions)
        return Reference(variable.name, variable.display, tuple(
            transform(s, rewrite) for s in subscripts), node.span)

    return transform(arg, rewrite)


def _is_self(node: Expr) -> bool:
    return isinstance(node, Reference) and node.name == SELF[0]


def _mentions_self(expr: Expr) -> bool:
    return any(_is_self(node) for node in walk(expr))
