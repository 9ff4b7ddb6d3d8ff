"""XMILE macros (``<macro>``), expanded while reading: the compiler only sees ordinary
variables and builtin calls.

What the standard says (XMILE 1.0, OASIS Standard 2015), and what this module does with it:

- Section 4.8: "Macros live outside of all other blocks, at the same level as the <model>
  tag". A macro has a required ``name="..."`` and a required ``<eqn>`` ("w/valid XMILE
  expression"); "There must be one <parm> property for each macro parameter and they must
  appear in the expected calling order". The reader takes ``<macro>`` elements beside
  ``<model>`` and gives them to :func:`define_macro`.
- Section 4.8: "Parameters can optionally have default values so they do not always have
  to be specified when the macro is called. These are specified with the default="..."
  attribute on the <parm> tag, using a valid XMILE expression that can refer to any
  parameter already defined. Every parameter after the first parameter that has a default
  value specified ... must also have a default value specified". A call may leave out
  trailing defaulted parameters; a default is the expression with the earlier parameters
  bound to what the call passed; a required parameter after a defaulted one is refused.
- Section 3.6.1: "In equations, the macro name is used as a function". A call
  ``NAME(arg, ...)`` whose name is a macro is the macro (a macro may take the name of a
  builtin: the standard says macros "can also be used to translate built-in functions
  across vendor packages", so the file's own definition wins). Too few or too many
  arguments is an :class:`~wholesystem.errors.ArityError` at the call's line:col.
- A macro without ``<variables>`` is an expression: the call is replaced by the macro's
  equation with each parameter bound to the call's argument expression, as IR nodes (never
  as text). An argument holding a stateful or random builtin that the equation uses more
  than once is first given a hidden auxiliary, so it is evaluated once, as a function's
  argument is.
- ``<variables>`` "as defined for <model>" makes a macro with a body. Section 4.8.2: "any
  stocks that are defined within a macro MUST have their own instances for each use of that
  macro and these instances MUST persist across the length of the simulation". Each call
  site ``k`` therefore gets its own copies of the macro's variables, named
  ``#name.k.variable``, and each parameter becomes a hidden auxiliary ``#name.k.parm``
  holding the call's argument; the call is replaced by the macro's ``<eqn>`` (usually the
  name of the variable to return) over those copies. The copies take the dimensions of the
  equation the call sits in. Names inside a macro are its own: a name that is neither a
  parameter, a variable of the macro, nor one that means the same everywhere (TIME, DT,
  a dimension or element) is refused.
- Section 4.8 on ``<sim_specs>``: "This must only appear in conjunction with a <variables>
  tag ... (default: same DT and integration method as model that invokes the macro)";
  without it a macro's stocks step with the model, which is what the copies do. Section
  3.6.1 says macros with variables "are, in fact, independent models that run to
  completion each time they are invoked"; read with 4.8.2's persisting stocks, that is the
  case of a macro with its own ``<sim_specs>`` (4.8.3's iterative FACT runs from its start
  to a stop given by a parameter). Such a macro, and "Macros MAY include submodels", are
  refused as unsupported by the reader.
- Section 4.8: "OPTIONALLY, they can also be recursive ... the recursive_macros option
  must be set to true". Recursion (direct or through other macros) cannot be expanded into
  a finite model; it is refused with the chain of calls, as an unsupported option.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from wholesystem.builtins.registry import BuiltinKind, lookup_builtin
from wholesystem.diagnostics import SourceSpan
from wholesystem.errors import ArityError, ModelStructureError, UnsupportedFeatureError
from wholesystem.ir.expr import Call, Expr, Reference, calls, references, transform
from wholesystem.ir.model import Variable, VariableKind
from wholesystem.ir.names import canonical_name

__all__ = ["MacroParameter", "MacroDefinition", "define_macro", "MacroExpander"]

_MAX_CALL_SITES = 100_000
"""Expansions per file: macros calling macros several times each grow exponentially."""


@dataclass(frozen=True, slots=True)
class MacroParameter:
    """One ``<parm>``: a formal parameter, in calling order."""

    name: str
    """Canonical name, local to the macro."""
    display: str
    """Name as written."""
    default: Expr | None = None
    """The ``default="..."`` expression (may use earlier parameters), if any."""
    span: SourceSpan | None = None
    """Where the ``<parm>`` is written."""


@dataclass(frozen=True, slots=True)
class MacroDefinition:
    """One ``<macro>``: parameters, result equation and, for a macro with state, a body."""

    name: str
    """Canonical name: what a call's function name must match."""
    display: str
    """Name as written."""
    parameters: tuple[MacroParameter, ...]
    """Formal parameters in calling order."""
    equation: Expr
    """The ``<eqn>``: the macro's value, over its parameters and variables."""
    variables: tuple[Variable, ...] = ()
    """The ``<variables>`` body (empty for an expression macro)."""
    span: SourceSpan | None = None
    """Where the ``<macro>`` is written."""

    @property
    def required(self) -> int:
        """How many arguments a call must pass (those before the first default)."""
        return next((i for i, p in enumerate(self.parameters) if p.default is not None),
                    len(self.parameters))

    def arity_text(self) -> str:
        low, high = self.required, len(self.parameters)
        count = f"{low}" if low == high else f"{low} to {high}"
        return f"{count} argument{'s' if high != 1 else ''}"


def define_macro(macro: MacroDefinition, global_names: Iterable[str]) -> MacroDefinition:
    """``macro``, after checking it against section 4.8's rules; raises
    :class:`~wholesystem.errors.ModelStructureError` at the offending element or name."""
    seen: dict[str, MacroParameter] = {}
    defaulted = None
    for parameter in macro.parameters:
        if parameter.name in seen:
            raise ModelStructureError(f"macro '{macro.display}' has two parameters named "
                                      f"'{parameter.display}'", parameter.span)
        if parameter.default is not None:
            _check_names(macro, parameter.default, set(seen) | set(global_names),
                         "a default may only use earlier parameters")
            defaulted = defaulted or parameter
        elif defaulted is not None:
            raise ModelStructureError(
                f"macro '{macro.display}': parameter '{parameter.display}' has no default, "
                f"but '{defaulted.display}' before it has one", parameter.span,
                hint="every parameter after the first with a default needs one too "
                     "(XMILE 1.0, section 4.8)")
        seen[parameter.name] = parameter
    local = {v.name for v in macro.variables}
    for variable in macro.variables:
        if variable.name in seen:
            raise ModelStructureError(f"macro '{macro.display}' defines a variable named "
                                      f"as its parameter '{variable.display}'", variable.span)
        for flow in (*variable.inflows, *variable.outflows):
            if flow not in local:
                raise ModelStructureError(f"stock '{variable.display}' of macro "
                                          f"'{macro.display}' names flow '{flow}', which "
                                          "the macro does not define", variable.span)
    known = local | set(seen) | set(global_names)
    for expr in (macro.equation, *_equations(macro.variables)):
        _check_names(macro, expr, known, "names inside a macro are its own")
    return macro


def _check_names(macro: MacroDefinition, expr: Expr, known: set[str], hint: str) -> None:
    for reference in references(expr):
        if reference.name not in known:
            raise ModelStructureError(
                f"macro '{macro.display}' uses '{reference.text}', which is neither one of "
                "its parameters nor one of its variables", reference.span,
                hint=f"{hint}; pass the value in as a parameter")


def _equations(variables: Iterable[Variable]) -> Iterable[Expr]:
    for variable in variables:
        yield from (e for e in (variable.equation, variable.rate) if e is not None)
        yield from (e.equation for e in variable.elements if e.equation is not None)
        if variable.conveyor is not None:
            yield variable.conveyor.transit


@dataclass(slots=True)
class MacroExpander:
    """Expands the macro calls of one file; numbers call sites across all its models."""

    macros: Mapping[str, MacroDefinition]
    """The file's macros by canonical name."""
    counters: dict[str, int] = field(default_factory=dict)
    """Call sites instantiated so far, per macro."""

    def expand_variables(self, variables: Sequence[Variable]) -> list[Variable]:
        """The variables with every macro call expanded, then the hidden variables the
        expansions made (copies of macro bodies, parameters given their own auxiliary)."""
        if not self.macros:
            return list(variables)
        site = _CallSite(self, {v.name for v in variables})
        expanded = [site.variable(v) for v in variables]
        return expanded + site.hidden


@dataclass(slots=True)
class _CallSite:
    """Expansion inside one model: where hidden variables go and which names are taken."""

    expander: MacroExpander
    taken: set[str]
    hidden: list[Variable] = field(default_factory=list)

    def variable(self, variable: Variable) -> Variable:
        dims = variable.dimensions

        def expand(expr: Expr | None, dims: tuple[str, ...]) -> Expr | None:
            return None if expr is None else self.expand(expr, dims, ())

        conveyor = variable.conveyor
        return replace(
            variable, equation=expand(variable.equation, dims),
            rate=expand(variable.rate, dims),
            # one element's equation is its own call site, of that element alone
            elements=tuple(replace(e, equation=expand(e.equation, ()))
                           for e in variable.elements),
            conveyor=None if conveyor is None else replace(
                conveyor, transit=self.expand(conveyor.transit, dims, ())))

    def expand(self, expr: Expr, dims: tuple[str, ...], stack: tuple[str, ...]) -> Expr:
        macros = self.expander.macros

        def expand_call(node: Expr) -> Expr | None:
            if not isinstance(node, Call) or canonical_name(node.function) not in macros:
                return None
            macro = macros[canonical_name(node.function)]
            if macro.name in stack:
                chain = " -> ".join(macros[m].display for m in (*stack, macro.name))
                raise UnsupportedFeatureError(
                    f"macro '{macro.display}' calls itself ({chain}); recursive macros are "
                    "an option of XMILE 1.0 that wholesystem does not support", node.span,
                    hint="write the repetition as a stock, or unroll it")
            if not macro.required <= len(node.args) <= len(macro.parameters):
                raise ArityError(f"macro {macro.display} takes {macro.arity_text()}, got "
                                 f"{len(node.args)}", node.span)
            args = tuple(self.expand(a, dims, stack) for a in node.args)
            if macro.variables:
                return self.instantiate(macro, args, node, dims, stack)
            return self.substitute(macro, args, node, dims, stack)

        return transform(expr, expand_call)

    def bind(self, macro: MacroDefinition, args: tuple[Expr, ...], stack: tuple[str, ...],
             dims: tuple[str, ...], hold: Callable[[MacroParameter, Expr], Expr]
             ) -> dict[str, Expr]:
        """Each parameter's value: the call's argument, else its default over the earlier
        parameters; ``hold(parameter, value)`` may give the value a variable of its own."""
        bindings: dict[str, Expr] = {}
        for i, parameter in enumerate(macro.parameters):
            if i < len(args):
                value = args[i]
            else:
                assert parameter.default is not None
                value = self.expand(_bound(parameter.default, bindings), dims,
                                    (*stack, macro.name))
            bindings[parameter.name] = hold(parameter, value)
        return bindings

    def substitute(self, macro: MacroDefinition, args: tuple[Expr, ...], call: Call,
                   dims: tuple[str, ...], stack: tuple[str, ...]) -> Expr:
        """An expression macro's equation, its parameters bound to the call's arguments."""
        instance: list[_Instance] = []

        def hold(parameter: MacroParameter, value: Expr) -> Expr:
            uses = sum(1 for r in references(macro.equation) if r.name == parameter.name)
            if uses < 2 or not _holds_state(value):
                return value
            if not instance:
                instance.append(self.new_instance(macro))
            return self.add_hidden(instance[0], parameter, value, call, dims)

        bindings = self.bind(macro, args, stack, dims, hold)
        return self.expand(_bound(macro.equation, bindings), dims, (*stack, macro.name))

    def instantiate(self, macro: MacroDefinition, args: tuple[Expr, ...], call: Call,
                    dims: tuple[str, ...], stack: tuple[str, ...]) -> Expr:
        """A macro with variables: this call site's own copies; the call becomes the
        macro's equation over them."""
        instance = self.new_instance(macro)

        def hold(parameter: MacroParameter, value: Expr) -> Expr:
            return self.add_hidden(instance, parameter, value, call, dims)

        bindings = self.bind(macro, args, stack, dims, hold)
        renaming = _Renaming(instance, macro, bindings)
        inner = (*stack, macro.name)
        for variable in macro.variables:
            if variable.dimensions and dims:
                raise UnsupportedFeatureError(
                    f"macro '{macro.display}' has arrayed variables and is called in an "
                    "arrayed equation", call.span)
            copy = renaming.copy(variable, dims)
            self.taken.add(copy.name)
            expanded = replace(
                copy, equation=self.expand_optional(copy.equation, copy.dimensions, inner),
                elements=tuple(replace(e, equation=self.expand_optional(e.equation, (),
                                                                        inner))
                               for e in copy.elements),
                conveyor=None if copy.conveyor is None else replace(
                    copy.conveyor,
                    transit=self.expand(copy.conveyor.transit, copy.dimensions, inner)))
            self.hidden.append(expanded)
        return self.expand(renaming.rename(macro.equation), dims, inner)

    def expand_optional(self, expr: Expr | None, dims: tuple[str, ...],
                        stack: tuple[str, ...]) -> Expr | None:
        return None if expr is None else self.expand(expr, dims, stack)

    def new_instance(self, macro: MacroDefinition) -> _Instance:
        counters = self.expander.counters
        if sum(counters.values()) >= _MAX_CALL_SITES:
            raise ModelStructureError(f"macros expand to more than {_MAX_CALL_SITES:,} call "
                                      "sites (macros calling macros many times each?)",
                                      macro.span)
        while True:
            count = counters[macro.name] = counters.get(macro.name, 0) + 1
            prefix = f"#{macro.name}.{count}."
            if not any(name.startswith(prefix) for name in self.taken):
                return _Instance(prefix, f"#{macro.display}.{count}.")

    def add_hidden(self, instance: _Instance, parameter: MacroParameter, value: Expr,
                   call: Call, dims: tuple[str, ...]) -> Reference:
        name = instance.prefix + parameter.name
        display = instance.shown + parameter.display
        self.taken.add(name)
        self.hidden.append(Variable(name, display, VariableKind.AUX, value, call.span, dims))
        return Reference(name, display, (), call.span)


def _holds_state(expr: Expr) -> bool:
    """True when evaluating ``expr`` twice could differ from once: a stateful or random
    builtin (each call keeps its own state or draws its own numbers)."""
    for call in calls(expr):
        builtin = lookup_builtin(call.function)
        if builtin is not None and builtin.kind is BuiltinKind.STATEFUL:
            return True
    return False


def _bound(expr: Expr, bindings: Mapping[str, Expr]) -> Expr:
    """``expr`` with each parameter replaced by its value (a subscripted parameter takes
    its subscripts over to the argument, which must then be a plain name)."""

    def bound(node: Expr) -> Expr | None:
        if not isinstance(node, Reference) or node.name not in bindings:
            return None
        value = bindings[node.name]
        if not node.subscripts:
            return value
        if isinstance(value, Reference) and not value.subscripts:
            return replace(value, subscripts=tuple(_bound(s, bindings)
                                                   for s in node.subscripts))
        raise ModelStructureError(
            f"parameter '{node.text}' is subscripted in the macro, but the call passes an "
            "expression, not a variable", node.span)

    return transform(expr, bound)


@dataclass(frozen=True, slots=True)
class _Instance:
    """One call site's names: ``#name.k.`` (canonical) and as shown."""

    prefix: str
    shown: str


@dataclass(frozen=True, slots=True)
class _Renaming:
    """How one macro body's names are rewritten for one call site."""

    instance: _Instance
    macro: MacroDefinition
    bindings: Mapping[str, Expr]

    @property
    def prefix(self) -> str:
        return self.instance.prefix

    @property
    def local(self) -> set[str]:
        return {v.name for v in self.macro.variables}

    def rename(self, expr: Expr) -> Expr:
        local = self.local
        tables = {v.name for v in self.macro.variables if v.graphical_function is not None
                  or any(e.graphical_function is not None for e in v.elements)}

        def renamed(node: Expr) -> Expr | None:
            if isinstance(node, Reference) and node.name in local:
                return replace(node, name=self.prefix + node.name,
                               subscripts=tuple(self.rename(s) for s in node.subscripts))
            if isinstance(node, Call) and canonical_name(node.function) in tables:
                return replace(node, function=self.prefix + canonical_name(node.function),
                               args=tuple(self.rename(a) for a in node.args))
            return None

        return _bound(transform(expr, renamed), self.bindings)

    def copy(self, variable: Variable, dims: tuple[str, ...]) -> Variable:
        def rename(expr: Expr | None) -> Expr | None:
            return None if expr is None else self.rename(expr)

        conveyor = variable.conveyor
        return replace(
            variable, name=self.prefix + variable.name,
            display=self.instance.shown + variable.display,
            dimensions=variable.dimensions or dims,
            equation=rename(variable.equation), rate=rename(variable.rate),
            elements=tuple(replace(e, equation=rename(e.equation), rate=rename(e.rate))
                           for e in variable.elements),
            inflows=tuple(self.prefix + f for f in variable.inflows),
            outflows=tuple(self.prefix + f for f in variable.outflows),
            conveyor=None if conveyor is None else replace(
                conveyor, transit=self.rename(conveyor.transit)))
