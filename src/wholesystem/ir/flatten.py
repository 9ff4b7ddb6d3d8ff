"""Module instances flattened into one model whose names carry their module path.

A module ``hares`` placing submodel ``hares`` gives variables ``hares.births``... Each
module input wired with ``<connect>`` becomes an auxiliary equal to its source, so the
flat model is an ordinary stock-and-flow model the later stages handle without modules.
"""

from __future__ import annotations

from dataclasses import replace

from wholesystem.builtins.registry import CONSTANTS
from wholesystem.errors import ModelStructureError, UnknownNameError
from wholesystem.ir.expr import Call, Expr, Reference, transform
from wholesystem.ir.model import Model, Module, Project, Variable, VariableKind
from wholesystem.ir.names import qualify

__all__ = ["flatten"]

_MAX_DEPTH = 32


def flatten(project: Project) -> Project:
    """The project with one model and no modules; unchanged if it has no modules."""
    if not any(m.modules for m in project.models):
        return replace(project, models=(project.main,))
    known = _collect_names(project, project.main, "", 0)
    variables: list[Variable] = []
    _flatten_into(project, project.main, "", "", {}, known, variables, 0)
    flat = Model("", tuple(variables), (), project.main.span)
    return replace(project, models=(flat,))


def _global_names(project: Project) -> frozenset[str]:
    """Names that mean the same inside every module: builtin constants, dimensions and
    their elements."""
    names = set(CONSTANTS)
    for dimension in project.dimensions:
        names.add(dimension.name)
        names.update(dimension.canonical_elements)
    return frozenset(names)


def _collect_names(project: Project, model: Model, prefix: str, depth: int) -> set[str]:
    names = {qualify(prefix, v.name) for v in model.variables}
    for module in model.modules:
        sub = _submodel(project, module, depth)
        names |= _collect_names(project, sub, qualify(prefix, module.name), depth + 1)
    return names


def _submodel(project: Project, module: Module, depth: int) -> Model:
    if depth >= _MAX_DEPTH:
        raise ModelStructureError(f"modules nest deeper than {_MAX_DEPTH} levels "
                                  "(a module that contains itself?)", module.span)
    sub = project.model_named(module.model_name)
    if sub is None or sub is project.main:
        raise ModelStructureError(
            f"module '{module.display}' uses model '{module.model_name}', which the file "
            "does not define", module.span)
    return sub


def _flatten_into(project: Project, model: Model, prefix: str, display_prefix: str,
                  inputs: dict[str, str], known: set[str], out: list[Variable],
                  depth: int) -> None:
    for variable in model.variables:
        out.append(_flat_variable(variable, prefix, display_prefix, inputs, known,
                                  _global_names(project)))
    for module in model.modules:
        sub = _submodel(project, module, depth)
        inner = qualify(prefix, module.name)
        bindings = {c.to: _connection_source(c.source, prefix, known, c) for c in
                    module.connections}
        inner_names = {v.name for v in sub.variables}
        for connection in module.connections:
            if connection.to not in inner_names:
                raise UnknownNameError(connection.to, connection.span,
                                       hint=f"model '{sub.name}' has no variable "
                                            f"'{connection.to}'")
        _flatten_into(project, sub, inner, f"{display_prefix}{module.display}.", bindings,
                      known, out, depth + 1)


def _connection_source(source: str, prefix: str, known: set[str], connection: object) -> str:
    name = qualify(prefix, source.lstrip("."))
    if name not in known:
        raise UnknownNameError(source, getattr(connection, "span", None),
                               hint="a connection must name a variable of the enclosing "
                                    "model (.name) or of a sibling module (module.name)")
    return name


def _flat_variable(variable: Variable, prefix: str, display_prefix: str,
                   inputs: dict[str, str], known: set[str], globals_: frozenset[str]
                   ) -> Variable:
    name = qualify(prefix, variable.name)
    display = display_prefix + variable.display
    if variable.name in inputs:
        source = Reference(inputs[variable.name], inputs[variable.name], (), variable.span)
        return replace(variable, name=name, display=display, kind=VariableKind.AUX,
                       equation=source, elements=(), graphical_function=None, inflows=(),
                       outflows=(), rate=None, non_negative=False)
    if not prefix:
        return replace(variable, display=display)

    def requalify(expr: Expr | None) -> Expr | None:
        return None if expr is None else _requalify(expr, prefix, known, globals_)

    return replace(
        variable, name=name, display=display,
        equation=requalify(variable.equation), rate=requalify(variable.rate),
        conveyor=None if variable.conveyor is None else replace(
            variable.conveyor,
            transit=_requalify(variable.conveyor.transit, prefix, known, globals_)),
        elements=tuple(replace(e, equation=requalify(e.equation)) for e in variable.elements),
        inflows=tuple(qualify(prefix, f) for f in variable.inflows),
        outflows=tuple(qualify(prefix, f) for f in variable.outflows),
    )


def _requalify(expr: Expr, prefix: str, known: set[str], globals_: frozenset[str]) -> Expr:
    """Names inside a module instance made absolute. A name the module does not define stays
    as written only when it means something everywhere (TIME, a dimension or element);
    otherwise it is qualified anyway, so it is reported as undefined rather than silently
    read from the main model."""

    def rewrite(node: Expr) -> Expr | None:
        if isinstance(node, Reference):
            qualified = qualify(prefix, node.name)
            subs = tuple(_requalify(s, prefix, known, globals_) for s in node.subscripts)
            if qualified in known or node.name not in globals_:
                return replace(node, name=qualified, subscripts=subs)
            return replace(node, subscripts=subs)
        if isinstance(node, Call):
            table = qualify(prefix, node.function.lower())
            if table not in known:
                return None  # transform() rewrites the arguments, without recursion
            args = tuple(_requalify(a, prefix, known, globals_) for a in node.args)
            return replace(node, function=table, args=args)  # the module's f(x)
        return None

    return transform(expr, rewrite)
