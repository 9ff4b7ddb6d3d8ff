"""Read Vensim ``.mdl`` files into the IR.

The stages, each in its own module: :mod:`.scanner` cuts the file into entries and fields;
:mod:`.definitions` parses each definition with the grammar; :mod:`.subscripts` resolves
subscript ranges; :mod:`.variables` merges the definitions of each variable; :mod:`.macros`
expands macro calls. What this module adds: the control variables (INITIAL TIME,
FINAL TIME, TIME STEP, SAVEPER) evaluated into :class:`SimSpecs` while staying ordinary
variables; string constants (``:IS:``) written into the equations that name them; WITH
LOOKUP calls nested inside equations made hidden tables; and clear errors for what
wholesystem does not read (``A FUNCTION OF`` placeholders).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from wholesystem.datafiles import FileAccess, limits_for
from wholesystem.diagnostics import SourceSpan
from wholesystem.errors import ModelStructureError, ModelSyntaxError, UnsupportedFeatureError
from wholesystem.ir.expr import (
    Binary,
    Call,
    Expr,
    IfThenElse,
    Number,
    Reference,
    Unary,
)
from wholesystem.ir.model import Model, Project, SimSpecs, SourceFile, Variable, VariableKind
from wholesystem.limits import Limits
from wholesystem.parse.vensim.definitions import parse_definition, parse_macro_header
from wholesystem.parse.vensim.entries import (
    MACRO_OUTPUTS,
    WITH_LOOKUP,
    Definition,
    Equivalence,
    Ignored,
    MacroHeader,
    RangeDefinition,
    StringConstant,
)
from wholesystem.parse.vensim.macros import Macro, MacroExpander, check_macro
from wholesystem.parse.vensim.rewrite import rewrite
from wholesystem.parse.vensim.scanner import (
    EntryKind,
    RawEntry,
    decode_mdl,
    excerpt_at,
    normalise_newlines,
    scan_entries,
    settings_data_files,
)
from wholesystem.parse.vensim.subscripts import SubscriptRanges
from wholesystem.parse.vensim.variables import Documented, assemble_variable

__all__ = ["read_vensim", "read_vensim_text"]

_CONTROLS = ("initial time", "final time", "time step", "saveper")
_CONTINUED = re.compile(r"\\[ \t]*\n[ \t]*")


def read_vensim(path: str | Path, access: FileAccess | None = None) -> Project:
    """Read a Vensim model file.

    Raises :class:`~wholesystem.errors.ModelSyntaxError` for text that cannot be read and
    :class:`~wholesystem.errors.ModelStructureError` for definitions that do not fit
    together, each naming the file, line and column:

    >>> read_vensim_text("x = (1 + ~~|", "bad.mdl")
    Traceback (most recent call last):
    ...
    wholesystem.errors.ModelSyntaxError: bad.mdl:1:9: error: cannot read definition: ...
    """
    path = Path(path)
    return read_vensim_text(decode_mdl(path.read_bytes(), str(path)), str(path), access)


def read_vensim_text(text: str, file: str = "<string>",
                     access: FileAccess | None = None) -> Project:
    """Read a Vensim model from a string; ``file`` names it in messages and locates the
    spreadsheets ``GET ... SUBSCRIPT`` reads; ``access`` decides which files any GET call
    may read (default: the model's folder, see :class:`~wholesystem.datafiles.FileAccess`).

    >>> project = read_vensim_text(
    ...     "level = INTEG(1, 0) ~ people ~ |\\nINITIAL TIME = 0 ~~|\\nFINAL TIME = 5 ~~|")
    >>> level = project.main.variables[0]
    >>> level.kind.value, level.units, project.sim_specs.stop
    ('stock', 'people', 5.0)
    """
    limits_for(access).check_document(text, file)
    text = normalise_newlines(text)
    collected = _Collected(file, text, limits=limits_for(access))
    for entry in scan_entries(text, file):
        collected.add(entry)
    collected.finish()
    ranges = SubscriptRanges(collected.ranges, collected.equivalences, file, access)
    variables = _assemble(collected.definitions, ranges)
    macros = {name: _macro(header, body, ranges)
              for name, (header, body) in collected.macros.items()}
    variables = _expand_macros(variables, macros)
    strings = {s.name.name: s for s in collected.strings}
    variables = [_finish(v, strings) for v in variables]
    return Project(
        name=Path(file).stem,
        source=SourceFile(file, text, access),
        sim_specs=_sim_specs(variables, SourceSpan(file, 1, 1)),
        models=(Model("", tuple(variables), (), SourceSpan(file, 1, 1)),),
        dimensions=tuple(ranges.dimensions.values()),
        format="mdl",
        data_files=settings_data_files(text),
    )


@dataclass
class _Collected:
    """Entries sorted by kind while the file is read, in file order."""

    file: str
    text: str
    definitions: list[Documented] = field(default_factory=list)
    ranges: list[RangeDefinition] = field(default_factory=list)
    equivalences: list[Equivalence] = field(default_factory=list)
    strings: list[StringConstant] = field(default_factory=list)
    macros: dict[str, tuple[MacroHeader, list[Documented]]] = field(default_factory=dict)
    open_macro: MacroHeader | None = None
    limits: Limits = field(default_factory=Limits)

    def add(self, entry: RawEntry) -> None:
        if entry.kind is EntryKind.GROUP:
            return
        if entry.kind is EntryKind.MACRO_START:
            self.start_macro(entry)
            return
        if entry.kind is EntryKind.MACRO_END:
            if self.open_macro is None:
                raise self.error(":END OF MACRO: without :MACRO:", entry.span)
            self.open_macro = None
            return
        definition = entry.fields[0]
        # Bounded before lark sees it: parsing time grows with the length.
        self.limits.check("max_equation_chars", len(definition.text), "the definition",
                          SourceSpan(self.file, definition.line, definition.column))
        parsed = parse_definition(definition, self.file, self.text)
        if isinstance(parsed, Definition):
            documented = Documented(parsed, _units(entry), _doc(entry))
            target = (self.macros[self.open_macro.name.name][1] if self.open_macro
                      else self.definitions)
            target.append(documented)
        elif self.open_macro is not None and not isinstance(parsed, Ignored):
            raise self.error("a macro may only hold variable definitions", entry.span)
        elif isinstance(parsed, RangeDefinition):
            self.ranges.append(parsed)
        elif isinstance(parsed, Equivalence):
            self.equivalences.append(parsed)
        elif isinstance(parsed, StringConstant):
            self.strings.append(parsed)

    def start_macro(self, entry: RawEntry) -> None:
        if self.open_macro is not None:
            raise self.error(f"macro '{self.open_macro.name.text}' is not closed with "
                             ":END OF MACRO: before this one", entry.span)
        header = parse_macro_header(entry.fields[0], self.file, self.text)
        if header.name.name in self.macros:
            first = self.macros[header.name.name][0].name.span
            raise ModelStructureError(f"macro '{header.name.text}' is defined twice (first "
                                      f"at {first})", header.name.span)
        self.macros[header.name.name] = (header, [])
        self.open_macro = header

    def finish(self) -> None:
        if self.open_macro is not None:
            raise self.error(f"macro '{self.open_macro.name.text}' is never closed with "
                             ":END OF MACRO:", self.open_macro.name.span)

    def error(self, message: str, span: SourceSpan) -> ModelSyntaxError:
        return ModelSyntaxError(message, span,
                                excerpt=excerpt_at(self.text, span.line, span.column))


def _units(entry: RawEntry) -> str | None:
    """The units field without its ``[min, max, step]`` range."""
    if len(entry.fields) < 2:
        return None
    units = _CONTINUED.sub(" ", entry.fields[1].text).split("[", 1)[0]
    units = " ".join(units.split())
    return units or None


def _doc(entry: RawEntry) -> str:
    if len(entry.fields) < 3:
        return ""
    text = _CONTINUED.sub("", entry.fields[2].text)
    return "\n".join(line.strip() for line in text.strip().split("\n"))


def _assemble(definitions: Iterable[Documented], ranges: SubscriptRanges) -> list[Variable]:
    """One variable per name, in the order names first appear, hidden tables after."""
    groups: dict[str, list[Documented]] = {}
    for documented in definitions:
        groups.setdefault(documented.definition.lhs.name.name, []).append(documented)
    variables = [assemble_variable(group, ranges) for group in groups.values()]
    tables: list[Variable] = []
    for group in groups.values():
        for documented in group:
            tables.extend(_inline_tables(documented.definition))
    if tables:
        variables = [_name_inline_tables(v, groups[v.name]) for v in variables]
    return variables + tables


def _inline_table_name(definition: Definition, index: int) -> str:
    lhs = definition.lhs.name
    return f"#{lhs.name}.lookup.{lhs.span.line}.{lhs.span.column}.{index}"


def _inline_tables(definition: Definition) -> list[Variable]:
    return [Variable(_inline_table_name(definition, i), _inline_table_name(definition, i),
                     VariableKind.AUX, None, table.span, graphical_function=table)
            for i, table in enumerate(definition.inline_tables)]


def _name_inline_tables(variable: Variable, group: list[Documented]) -> Variable:
    """``#WITH LOOKUP(x, i)`` nested in an equation -> a call of the hidden table."""
    spans = {d.definition.lhs.name.span: d.definition for d in group}

    def rewrite_at(span: SourceSpan) -> Callable[[Expr], Expr | None]:
        definition = spans.get(span, group[0].definition)

        def to_table_call(node: Expr) -> Expr | None:
            if isinstance(node, Call) and node.function == WITH_LOOKUP:
                index = int(node.args[1].value)  # type: ignore[union-attr]
                inner = rewrite(node.args[0], to_table_call)
                return Call(_inline_table_name(definition, index), (inner,), node.span)
            return None

        return to_table_call

    return _map_expressions(variable, rewrite_at)


def _map_expressions(variable: Variable,
                     rewrite_at: Callable[[SourceSpan], Callable[[Expr], Expr | None]]
                     ) -> Variable:
    """Rewrite every equation of a variable; the rewrite may depend on where the
    definition holding the equation starts."""

    def apply(expr: Expr | None, span: SourceSpan) -> Expr | None:
        return None if expr is None else rewrite(expr, rewrite_at(span))

    return replace(
        variable,
        equation=apply(variable.equation, variable.span),
        rate=apply(variable.rate, variable.span),
        elements=tuple(replace(e, equation=apply(e.equation, e.span),
                               rate=apply(e.rate, e.span)) for e in variable.elements))


# -- macros ---------------------------------------------------------------------------
def _macro(header: MacroHeader, body: list[Documented], ranges: SubscriptRanges) -> Macro:
    macro = Macro(header, tuple(_assemble(body, ranges)))
    check_macro(macro)
    return macro


def _expand_macros(variables: list[Variable], macros: dict[str, Macro]) -> list[Variable]:
    if not macros:
        return variables
    expander = MacroExpander(macros)
    expanded = [expander.expand_variable(v) for v in variables]
    known = {v.name: v.span for v in expanded}
    for output in expander.outputs:
        if output.name in known:
            raise ModelStructureError(
                f"'{output.display}' is named as a macro output but also defined at "
                f"{known[output.name]}", output.span)
        known[output.name] = output.span
    return expanded + expander.outputs + expander.hidden


# -- string constants, placeholders, leftovers ------------------------------------------
def _finish(variable: Variable, strings: dict[str, StringConstant]) -> Variable:
    def rewrite_at(_span: SourceSpan) -> Callable[[Expr], Expr | None]:
        return lambda node: _finish_node(node, strings)

    return _map_expressions(variable, rewrite_at)


def _finish_node(node: Expr, strings: dict[str, StringConstant]) -> Expr | None:
    if isinstance(node, Reference) and not node.subscripts and node.name in strings:
        return replace(strings[node.name].value, span=node.span)
    if isinstance(node, Call):
        if node.function == "A FUNCTION OF":
            raise UnsupportedFeatureError(
                "'A FUNCTION OF' is Vensim's placeholder for an equation not written yet",
                node.span, hint="write the equation in Vensim, then save the model again")
        outputs = [a for a in node.args if isinstance(a, Call) and a.function == MACRO_OUTPUTS]
        if outputs:
            raise ModelStructureError(f"{node.function} names outputs after ':' but is not a "
                                      "macro defined in this file", node.span)
    return None


# -- simulation control ---------------------------------------------------------------
def _sim_specs(variables: list[Variable], span: SourceSpan) -> SimSpecs:
    """The control variables' values at the start.

    They may depend on Time (``TIME STEP = IF THEN ELSE(Time < 4, 1, 0.5)``): INITIAL TIME
    is evaluated at Time 0, the others at INITIAL TIME. The variables stay in the model, so
    their outputs show how they change.
    """
    by_name = {v.name: v for v in variables}
    found = {name: by_name.get(name) for name in _CONTROLS}
    for name in ("initial time", "final time"):
        if found[name] is None:
            raise ModelStructureError(f"the model does not define {name.upper()}", span,
                                      hint="Vensim models set INITIAL TIME, FINAL TIME, "
                                           "TIME STEP and SAVEPER")
    initial = found["initial time"]
    assert initial is not None
    start = _Constants(by_name, 0.0).value(initial)
    constants = _Constants(by_name, start)
    values = {name: (constants.value(v) if v is not None else None)
              for name, v in found.items()}
    stop = values["final time"]
    dt = values["time step"] if values["time step"] is not None else 1.0
    assert stop is not None
    assert dt is not None
    where = found["time step"] or initial
    if not all(math.isfinite(v) for v in (start, stop, dt)) or dt <= 0 or stop < start:
        raise ModelStructureError(
            f"bad time settings: INITIAL TIME {start:g}, FINAL TIME {stop:g}, TIME STEP "
            f"{dt:g}", where.span, hint="TIME STEP must be positive and FINAL TIME not "
                                        "before INITIAL TIME")
    save = values["saveper"]
    if save is not None and (not math.isfinite(save) or save <= 0):
        raise ModelStructureError(f"SAVEPER must be positive, not {save:g}",
                                  found["saveper"].span)  # type: ignore[union-attr]
    units = next((v.units for v in (found["time step"], initial, found["final time"])
                  if v is not None and v.units), None)
    return SimSpecs(start, stop, dt, save, "euler", units, where.span)


class _Constants:
    """Values of constant expressions: numbers, constants, Time, arithmetic, comparisons,
    IF THEN ELSE, MIN, MAX and ABS."""

    def __init__(self, by_name: dict[str, Variable], time: float):
        self.by_name = by_name
        self.time = time
        self.chain: list[str] = []

    def value(self, variable: Variable) -> float:
        if variable.name in self.chain or variable.kind is VariableKind.STOCK or \
                variable.dimensions or variable.equation is None:
            raise ModelStructureError(f"{variable.display} must be a constant",
                                      variable.span)
        outermost = not self.chain
        self.chain.append(variable.name)
        try:
            return self.evaluate(variable.equation, variable)
        except RecursionError:
            if not outermost:
                raise
            raise ModelStructureError(f"{variable.display} is nested too deeply to evaluate",
                                      variable.span) from None
        finally:
            self.chain.pop()

    def evaluate(self, expr: Expr, owner: Variable) -> float:
        match expr:
            case Number(value=value):
                return value
            case Reference(name=name, subscripts=()) if name in self.by_name:
                return self.value(self.by_name[name])
            case Reference(name="time", subscripts=()):
                return self.time
            case Unary(op=op, operand=operand):
                return _unary(op, self.evaluate(operand, owner))
            case Binary(op=op, left=left, right=right):
                return _binary(op, self.evaluate(left, owner), self.evaluate(right, owner))
            case IfThenElse(condition=c, then=a, otherwise=b):
                return self.evaluate(a if self.evaluate(c, owner) else b, owner)
            case Call(function="MIN" | "MAX" | "ABS" as function, args=args) if args:
                values = [self.evaluate(a, owner) for a in args]
                return {"MIN": min, "MAX": max}.get(function, lambda v: abs(v[0]))(values)
        raise ModelStructureError(f"{owner.display} must be a constant expression",
                                  getattr(expr, "span", owner.span))


def _unary(op: str, value: float) -> float:
    return {"-": -value, "+": value}.get(op, float(not value))


def _binary(op: str, a: float, b: float) -> float:
    comparisons = {"=": a == b, "<>": a != b, "<": a < b, "<=": a <= b, ">": a > b,
                   ">=": a >= b, "and": bool(a) and bool(b), "or": bool(a) or bool(b)}
    if op in comparisons:
        return float(comparisons[op])
    try:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            return a / b
        result = a ** b
        return result if isinstance(result, float) else math.nan
    except (ZeroDivisionError, OverflowError):
        return math.nan
