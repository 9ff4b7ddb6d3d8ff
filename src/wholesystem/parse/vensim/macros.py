"""Vensim macros, expanded while reading: each call becomes ordinary hidden variables.

``:MACRO: NAME(input, ... : output, ...)`` ... ``:END OF MACRO:`` defines NAME; a call
``NAME(a, b : o1)`` is replaced by a reference to the call's copy of the macro's variable
NAME. Every call site ``k`` (counted per macro) gets its own copies of the macro's
variables, named ``#name.k.variable``, so stocks inside a macro keep separate state per
call. Each input becomes a hidden auxiliary ``#name.k.input`` holding the argument, so an
argument is computed once however often the body uses it. Names after the call's colon
become model variables equal to the macro's extra outputs. Inside a body, ``name$``
means the model's variable ``name``; other names that the macro does not define (``Time``)
keep their model meaning. Copies take the dimensions of the equation the call sits in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from wholesystem.diagnostics import SourceSpan
from wholesystem.errors import ArityError, ModelStructureError, UnsupportedFeatureError
from wholesystem.ir.expr import Call, Expr, Reference
from wholesystem.ir.model import Variable, VariableKind
from wholesystem.ir.names import canonical_name
from wholesystem.parse.vensim.entries import MACRO_OUTPUTS, MacroHeader
from wholesystem.parse.vensim.rewrite import rewrite

__all__ = ["Macro", "MacroExpander"]


@dataclass(frozen=True, slots=True)
class Macro:
    """A macro definition: its header and its variables."""

    header: MacroHeader
    """Name, inputs and extra outputs."""
    variables: tuple[Variable, ...]
    """The body's variables, the main output (named as the macro) among them."""

    @property
    def name(self) -> str:
        """Canonical macro name."""
        return self.header.name.name


def check_macro(macro: Macro) -> None:
    """Raise if the body does not define the macro's outputs."""
    defined = {v.name for v in macro.variables}
    for output in (macro.header.name, *macro.header.outputs):
        if output.name not in defined:
            raise ModelStructureError(
                f"macro '{macro.header.name.text}' does not define its output "
                f"'{output.text}'", output.span)
    for argument in macro.header.inputs:
        if argument.name in defined:
            raise ModelStructureError(
                f"macro '{macro.header.name.text}' defines its input '{argument.text}'",
                argument.span)


class MacroExpander:
    """Expands macro calls; collects the variables the expansions make."""

    def __init__(self, macros: dict[str, Macro]):
        self.macros = macros
        self.counters: dict[str, int] = {}
        self.hidden: list[Variable] = []
        """Copies of macro variables and inputs, in the order they were made."""
        self.outputs: list[Variable] = []
        """Model variables named after a call's colon."""

    def expand_variable(self, variable: Variable, stack: tuple[str, ...] = ()) -> Variable:
        """The variable with every macro call in its equations expanded."""
        dims = variable.dimensions
        return replace(
            variable,
            equation=self.expand(variable.equation, dims, stack, {}),
            rate=self.expand(variable.rate, dims, stack, {}),
            elements=tuple(
                replace(e, equation=self.expand(e.equation, (), stack, dict(e.bindings)),
                        rate=self.expand(e.rate, (), stack, dict(e.bindings)))
                for e in variable.elements))

    def expand(self, expr: Expr | None, dims: tuple[str, ...], stack: tuple[str, ...],
               bindings: dict[str, str]) -> Expr | None:
        if expr is None:
            return None

        def expand_call(node: Expr) -> Expr | None:
            if isinstance(node, Call) and canonical_name(node.function) in self.macros:
                args = tuple(self.expand_required(a, dims, stack, bindings)
                             for a in node.args)
                return self.instantiate(replace(node, args=args), dims, stack, bindings)
            return None

        return rewrite(expr, expand_call)

    def expand_required(self, expr: Expr, dims: tuple[str, ...], stack: tuple[str, ...],
                        bindings: dict[str, str]) -> Expr:
        expanded = self.expand(expr, dims, stack, bindings)
        assert expanded is not None
        return expanded

    def instantiate(self, call: Call, dims: tuple[str, ...], stack: tuple[str, ...],
                    bindings: dict[str, str]) -> Reference:
        macro = self.macros[canonical_name(call.function)]
        if macro.name in stack:
            loop = " -> ".join(self.macros[m].header.name.text for m in (*stack, macro.name))
            raise ModelStructureError(f"macro calls itself: {loop}", call.span)
        inputs, outputs = _split_arguments(call)
        header = macro.header
        if len(inputs) != len(header.inputs):
            raise ArityError(f"macro {header.name.text} takes {len(header.inputs)} input(s), "
                             f"got {len(inputs)}", call.span)
        if len(outputs) > len(header.outputs):
            raise ArityError(f"macro {header.name.text} has {len(header.outputs)} extra "
                             f"output(s), the call names {len(outputs)}", call.span)
        count = self.counters[macro.name] = self.counters.get(macro.name, 0) + 1
        prefix = f"#{macro.name}.{count}."
        shown = f"#{header.name.text}.{count}."
        local = {v.name for v in macro.variables} | {a.name for a in header.inputs}
        tables = {v.name for v in macro.variables
                  if v.graphical_function is not None or any(
                      e.graphical_function is not None for e in v.elements)}
        for argument, value in zip(header.inputs, inputs, strict=True):
            self.hidden.append(Variable(prefix + argument.name, shown + argument.text,
                                        VariableKind.AUX, _bind(value, bindings), call.span,
                                        dims))
        for variable in macro.variables:
            copy = _copy(variable, _Renaming(prefix, local, tables), shown, dims, call.span)
            self.hidden.append(self.expand_variable(copy, (*stack, macro.name)))
        for target, name in zip(header.outputs, outputs, strict=False):
            self.outputs.append(Variable(
                name.name, name.text, VariableKind.AUX,
                Reference(prefix + target.name, shown + target.text, (), name.span),
                name.span, dims))
        return Reference(prefix + macro.name, shown + header.name.text, (), call.span)


def _split_arguments(call: Call) -> tuple[tuple[Expr, ...], tuple[Reference, ...]]:
    args = call.args
    if args and isinstance(args[-1], Call) and args[-1].function == MACRO_OUTPUTS:
        names = tuple(a for a in args[-1].args if isinstance(a, Reference))
        return args[:-1], names
    return args, ()


def _bind(expr: Expr, bindings: dict[str, str]) -> Expr:
    """Ranges bound by a per-element definition replaced by their element in subscripts."""
    if not bindings:
        return expr

    def bind_subscripts(node: Expr) -> Expr | None:
        if isinstance(node, Reference) and node.subscripts:
            subscripts = tuple(
                Reference(bindings[s.name], bindings[s.name], (), s.span)
                if isinstance(s, Reference) and not s.subscripts and s.name in bindings
                else _bind(s, bindings) for s in node.subscripts)
            return replace(node, subscripts=subscripts)
        return None

    return rewrite(expr, bind_subscripts)


@dataclass(frozen=True, slots=True)
class _Renaming:
    """How the names of one macro body are rewritten for one call site."""

    prefix: str
    local: set[str]
    tables: set[str]

    def rename(self, expr: Expr | None) -> Expr | None:
        return None if expr is None else rewrite(expr, self.renamed)

    def renamed(self, node: Expr) -> Expr | None:
        if isinstance(node, Reference):
            subscripts = tuple(rewrite(s, self.renamed) for s in node.subscripts)
            if node.name.endswith("$"):
                name = node.name.rstrip("$").rstrip()
                return replace(node, name=name, text=node.text.rstrip("$").rstrip(),
                               subscripts=subscripts)
            if node.name in self.local:
                return replace(node, name=self.prefix + node.name, subscripts=subscripts)
            return replace(node, subscripts=subscripts)
        if isinstance(node, Call) and canonical_name(node.function) in self.tables:
            args = tuple(rewrite(a, self.renamed) for a in node.args)
            return replace(node, function=self.prefix + canonical_name(node.function),
                           args=args)
        return None


def _copy(variable: Variable, renaming: _Renaming, shown: str, dims: tuple[str, ...],
          span: SourceSpan) -> Variable:
    if variable.dimensions and dims:
        raise UnsupportedFeatureError(
            "a macro with subscripted variables called in a subscripted equation", span)
    rename = renaming.rename
    return replace(
        variable, name=renaming.prefix + variable.name, display=shown + variable.display,
        dimensions=variable.dimensions or dims,
        equation=rename(variable.equation), rate=rename(variable.rate),
        elements=tuple(replace(e, equation=rename(e.equation), rate=rename(e.rate))
                       for e in variable.elements))
