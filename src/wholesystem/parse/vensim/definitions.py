"""One ``.mdl`` definition field -> an :mod:`.entries` value holding IR expressions.

The grammar is ``grammars/vensim.lark`` (LALR); one :class:`lark.Transformer` builds the
entry and its expression trees. A field is parsed alone, so every position is rebased onto
the line and column where the field sits in the model file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import lark
from lark import Lark, Token, v_args
from lark.visitors import Transformer_NonRecursive

from wholesystem.diagnostics import SourceSpan, shown_character
from wholesystem.errors import ArityError, ModelSyntaxError, WholesystemError
from wholesystem.ir.expr import (
    Binary,
    Call,
    Expr,
    IfThenElse,
    Number,
    Reference,
    Text,
    Unary,
    Wildcard,
)
from wholesystem.ir.model import GraphicalFunction
from wholesystem.ir.names import canonical_name, display_name
from wholesystem.parse.expr import EquationOrigin
from wholesystem.parse.vensim.entries import (
    MACRO_OUTPUTS,
    WITH_LOOKUP,
    Definition,
    DefinitionKind,
    Entry,
    Equivalence,
    Ignored,
    LeftSide,
    MacroHeader,
    Mapping,
    Name,
    NumericRange,
    RangeDefinition,
    StringConstant,
)
from wholesystem.parse.vensim.scanner import Field, excerpt_at

_CONTINUATION = re.compile(r"\\[ \t]*\n[ \t]*")

__all__ = ["parse_definition", "parse_macro_header", "function_name", "clean_name"]


@lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = resources.files("wholesystem.parse").joinpath("grammars/vensim.lark")
    return Lark(grammar.read_text(encoding="utf-8"), parser="lalr", lexer="contextual",
                start=["start", "macro_header"], propagate_positions=True,
                maybe_placeholders=True)


def clean_name(text: str) -> str:
    """A name's text with backslash line continuations made blanks."""
    return _CONTINUATION.sub(" ", text)


def function_name(text: str) -> str:
    """How a called name is stored: upper-case, ``_`` as blanks, single spaces."""
    return " ".join(display_name(clean_name(text)).replace("_", " ").split()).upper()


@dataclass(frozen=True, slots=True)
class _Names:
    items: tuple[Name, ...]


@dataclass(frozen=True, slots=True)
class _ConstantList:
    values: tuple[Number, ...]


@dataclass(frozen=True, slots=True)
class _Arguments:
    values: tuple[Expr, ...]
    outputs: tuple[Name, ...]


@v_args(inline=True)
class _ToEntry(Transformer_NonRecursive[Token, Any]):
    """Builds entries and IR expressions; every span is rebased through ``origin``."""

    def __init__(self, origin: EquationOrigin):
        super().__init__()
        self.origin = origin
        self.inline_tables: list[GraphicalFunction] = []

    def _span(self, token: Token) -> SourceSpan:
        return self.origin.span(token.line or 1, token.column or 1, token.end_line,
                                token.end_column)

    def _name(self, token: Token) -> Name:
        text = display_name(clean_name(str(token)))
        return Name(canonical_name(clean_name(str(token))), text, self._span(token))

    # -- expressions -------------------------------------------------------------------
    def number(self, token: Token) -> Number:
        return Number(float(token), self._span(token))

    def not_available(self, token: Token) -> Number:
        return Number(math.nan, self._span(token))

    def text(self, token: Token) -> Text:
        return Text(str(token)[1:-1], self._span(token))

    def comp_op(self, token: Token) -> Token:
        return token

    add_op = mul_op = sign = separator = comp_op

    def binary(self, left: Expr, op: Token, right: Expr) -> Binary:
        symbol = str(op).strip(":").lower()
        return Binary(symbol, left, right, self._span(op))

    def unary(self, op: Token, operand: Expr) -> Expr:
        symbol = str(op).strip(":").lower()
        if symbol in "+-" and isinstance(operand, Number):
            value = -operand.value if symbol == "-" else operand.value
            return Number(value, self._span(op))
        return Unary(symbol, operand, self._span(op))

    def subscript(self, name: Token, bang: Token | None) -> Reference | Wildcard:
        ref = self._name(name)
        if bang is not None:
            return Wildcard(ref.name, ref.span)
        return Reference(ref.name, ref.text, (), ref.span)

    def subscript_list(self, *subscripts: Reference | Wildcard) -> tuple[Expr, ...]:
        return subscripts

    def reference(self, name: Token, subscripts: tuple[Expr, ...] | None) -> Reference:
        ref = self._name(name)
        return Reference(ref.name, ref.text, subscripts or (), ref.span)

    def arguments(self, *items: Any) -> _Arguments:
        outputs = items[-1] if items and isinstance(items[-1], _Names | type(None)) else None
        values = items[:-1] if items and isinstance(items[-1], _Names | type(None)) else items
        return _Arguments(tuple(values), outputs.items if outputs is not None else ())

    def call(self, name: Token, arguments: _Arguments | None) -> Expr:
        span = self._span(name)
        function = function_name(str(name))
        args = arguments.values if arguments is not None else ()
        if arguments is not None and arguments.outputs:
            outputs = tuple(Reference(n.name, n.text, (), n.span) for n in arguments.outputs)
            args = (*args, Call(MACRO_OUTPUTS, outputs, span))
        if function == "IF THEN ELSE" and len(args) == 3:
            return IfThenElse(args[0], args[1], args[2], span)
        return Call(function, args, span)

    def subscripted_lookup_call(self, name: Token, subscripts: tuple[Expr, ...],
                                argument: Expr) -> Call:
        table = self._name(name)
        reference = Reference(table.name, table.text, subscripts, table.span)
        return Call("LOOKUP", (reference, argument), table.span)

    def with_lookup(self, keyword: Token, argument: Expr, table: Any) -> Call:
        span = self._span(keyword)
        if not isinstance(table, GraphicalFunction):
            raise ModelSyntaxError("WITH LOOKUP needs its points written out", span)
        self.inline_tables.append(table)
        index = Number(float(len(self.inline_tables) - 1), span)
        return Call(WITH_LOOKUP, (argument, index), span)

    # -- lookups and constant lists ----------------------------------------------------
    def signed_number(self, sign: Token | None, number: Token) -> Number:
        value = float(number)
        token = sign if sign is not None else number
        return Number(-value if sign is not None and str(sign) == "-" else value,
                      self._span(token))

    def point(self, x: Number, y: Number) -> tuple[Number, Number]:
        return (x, y)

    def lookup_range(self, *_points: Any) -> None:
        return None

    def lookup_points(self, _range: None, *points: tuple[Number, Number]) -> GraphicalFunction:
        return _table([p[0] for p in points], [p[1] for p in points])

    def lookup_flat(self, *numbers: Number) -> GraphicalFunction:
        if len(numbers) % 2:
            raise ModelSyntaxError(
                f"lookup lists {len(numbers)} numbers: x values then as many y values "
                "are expected", numbers[0].span)
        half = len(numbers) // 2
        return _table(numbers[:half], numbers[half:])

    def lookup_call(self, call: Expr) -> Expr:
        return call

    def const_list(self, *items: Any) -> _ConstantList:
        return _ConstantList(tuple(i for i in items if isinstance(i, Number)))

    def tabbed_array(self, _keyword: Token, *numbers: Number) -> _ConstantList:
        return _ConstantList(numbers)

    # -- definitions ----------------------------------------------------------------------
    def except_list(self, _keyword: Token, *groups: tuple[Expr, ...]
                    ) -> tuple[tuple[Expr, ...], ...]:
        return groups

    def lhs(self, name: Token, subscripts: tuple[Expr, ...] | None,
            excepts: tuple[tuple[Expr, ...], ...] | None) -> LeftSide:
        marked = [s for group in (subscripts or (), *(excepts or ())) for s in group
                  if isinstance(s, Wildcard)]
        return LeftSide(self._name(name), _names(subscripts or ()),
                        tuple(_names(group) for group in excepts or ()),
                        tuple(Name(w.dimension or "", w.dimension or "", w.span)
                              for w in marked))

    def data_keyword(self, token: Token) -> str:
        return " ".join(str(token).strip(":").lower().split())

    def equation(self, lhs: LeftSide, rhs: Any) -> Definition:
        if isinstance(rhs, _ConstantList):
            return Definition(lhs, DefinitionKind.CONSTANTS, values=rhs.values)
        if isinstance(rhs, Call) and rhs.function == "INTEG":
            if len(rhs.args) != 2:
                raise ArityError(f"INTEG takes 2 arguments (rate, initial value), got "
                                 f"{len(rhs.args)}", rhs.span)
            return self._definition(lhs, DefinitionKind.STOCK, rhs.args[1], rate=rhs.args[0])
        if isinstance(rhs, Call) and rhs.function == WITH_LOOKUP:
            # The outermost WITH LOOKUP is transformed last: its table is the last one.
            table = self.inline_tables.pop()
            return self._definition(lhs, DefinitionKind.LOOKUP, rhs.args[0], table=table)
        return self._definition(lhs, DefinitionKind.EQUATION, rhs)

    def _definition(self, lhs: LeftSide, kind: DefinitionKind, equation: Expr | None,
                    **fields: Any) -> Definition:
        return Definition(lhs, kind, equation, inline_tables=tuple(self.inline_tables),
                          **fields)

    def data_equation(self, lhs: LeftSide, mode: str | None, equation: Expr) -> Definition:
        return self._definition(lhs, DefinitionKind.DATA, equation, data_mode=mode)

    def data_variable(self, lhs: LeftSide, mode: str | None) -> Definition:
        return Definition(lhs, DefinitionKind.DATA, None, data_mode=mode)

    def lookup_definition(self, lhs: LeftSide, body: Any) -> Definition:
        if isinstance(body, GraphicalFunction):
            return Definition(lhs, DefinitionKind.LOOKUP, None, table=body)
        return self._definition(lhs, DefinitionKind.EQUATION, body)

    def string_constant(self, lhs: LeftSide, _keyword: Token, value: Token) -> StringConstant:
        return StringConstant(lhs.name, self.text(value))

    def reality_check(self, lhs: LeftSide, keyword: Token, _rest: Token | None) -> Ignored:
        return Ignored(f"reality check {str(keyword).strip(':').lower()}", lhs.name.span)

    # -- subscript ranges ----------------------------------------------------------------
    def numeric_range(self, first: Token, last: Token) -> NumericRange:
        return NumericRange(self._name(first), self._name(last), self._span(first))

    def range_items(self, *items: Token | NumericRange) -> tuple[Name | NumericRange, ...]:
        return tuple(i if isinstance(i, NumericRange) else self._name(i) for i in items)

    def name_list(self, *names: Token) -> _Names:
        return _Names(tuple(self._name(n) for n in names))

    def mapping(self, target: Token, elements: _Names | None = None) -> Mapping:
        return Mapping(self._name(target), elements.items if elements is not None else ())

    def mappings(self, *mappings: Mapping) -> tuple[Mapping, ...]:
        return mappings

    def subscript_range(self, name: Token, items: tuple[Name | NumericRange, ...],
                        mappings: tuple[Mapping, ...] | None) -> RangeDefinition:
        return RangeDefinition(self._name(name), items, mappings or ())

    def subscript_range_call(self, name: Token, call: Expr,
                             mappings: tuple[Mapping, ...] | None) -> RangeDefinition:
        if not isinstance(call, Call):  # IF THEN ELSE(...) is no subscript source
            raise ModelSyntaxError("a subscript range lists elements or calls GET ... "
                                   "SUBSCRIPT", self._name(name).span)
        return RangeDefinition(self._name(name), (), mappings or (), call)

    def equivalence(self, name: Token, _arrow: Token, target: Token) -> Equivalence:
        return Equivalence(self._name(name), self._name(target))

    def macro_header(self, _keyword: Token, name: Token, inputs: _Names | None,
                     outputs: _Names | None) -> MacroHeader:
        return MacroHeader(self._name(name), inputs.items if inputs else (),
                           outputs.items if outputs else ())

    def start(self, entry: Entry) -> Entry:
        return entry


def _names(subscripts: Sequence[Expr]) -> tuple[Name, ...]:
    names = []
    for s in subscripts:
        if isinstance(s, Reference):
            names.append(Name(s.name, s.text, s.span))
        elif isinstance(s, Wildcard):
            names.append(Name(s.dimension or "", s.dimension or "", s.span))
    return tuple(names)


def _table(xs: Sequence[Number], ys: Sequence[Number]) -> GraphicalFunction:
    """Points sorted by x, as Vensim reads them (World3-03 has one table out of order)."""
    points = sorted(zip((x.value for x in xs), (y.value for y in ys), strict=True),
                    key=lambda p: p[0])
    return GraphicalFunction(tuple(p[0] for p in points), tuple(p[1] for p in points),
                             span=xs[0].span)


def parse_definition(field: Field, file: str, text: str) -> Entry:
    """Parse one entry's definition field; ``text`` (the whole file) feeds error excerpts."""
    return _parse(field, file, text, "start")


def parse_macro_header(field: Field, file: str, text: str) -> MacroHeader:
    """Parse ``:MACRO: NAME(inputs : outputs)``."""
    header = _parse(field, file, text, "macro_header")
    assert isinstance(header, MacroHeader)
    return header


def _parse(field: Field, file: str, text: str, start: str) -> Any:
    origin = EquationOrigin(file, field.line, field.column)
    try:
        tree = _parser().parse(field.text, start=start)
        return _ToEntry(origin).transform(tree)
    except lark.exceptions.UnexpectedInput as err:
        raise _syntax_error(field, err, origin, text) from None
    except lark.exceptions.VisitError as err:
        if isinstance(err.orig_exc, WholesystemError):
            raise err.orig_exc from None
        raise


_FRIENDLY = {
    "NUMBER": "a number", "NAME": "a name", "QUOTED_NAME": "a quoted name",
    "STRING": "a 'string'", "$END": "end of definition", "WITH_LOOKUP": "WITH LOOKUP",
    "REST": "a condition",
}


def _expected(terminal: str) -> str:
    """How a terminal reads in a message: its text when fixed, else a description."""
    if terminal in _FRIENDLY:
        return _FRIENDLY[terminal]
    try:
        pattern = _parser().get_terminal(terminal).pattern
    except KeyError:
        return terminal.lower()
    if pattern.type == "str":
        return f"'{pattern.value}'"
    return ":" + terminal.replace("_", " ") + ":"


def _syntax_error(field: Field, err: lark.exceptions.UnexpectedInput,
                  origin: EquationOrigin, text: str) -> ModelSyntaxError:
    lines = field.text.split("\n")
    line = getattr(err, "line", 1) or 1
    column = getattr(err, "column", 1) or 1
    at_end = isinstance(err, lark.exceptions.UnexpectedToken) and err.token.type == "$END"
    if at_end or line < 1 or line > len(lines):  # lark puts the end on the last token
        line, column = _last_character(lines)
    span = origin.span(line, column)
    if isinstance(err, lark.exceptions.UnexpectedToken) and err.token.type == "REST":
        # REST (the text of a reality check) matches anything: the token that does not
        # fit is its first character.
        message = ("cannot read definition: unexpected character "
                   f"{shown_character(str(err.token)[0])}")
    elif isinstance(err, lark.exceptions.UnexpectedToken):
        found = "the definition ends too early" if at_end else f"unexpected '{err.token}'"
        expected = sorted({_expected(t) for t in err.expected},
                          key=lambda e: (not e.startswith("a "), e))
        message = f"cannot read definition: {found}"
        if expected:
            message += f"; expected {' or '.join(expected[:8])}"
    elif isinstance(err, lark.exceptions.UnexpectedCharacters):
        message = f"cannot read definition: unexpected character {shown_character(err.char)}"
    else:  # pragma: no cover - the other UnexpectedInput kinds need other parsers
        message = f"cannot read definition: {str(err).splitlines()[0]}"
    return ModelSyntaxError(message, span, excerpt=excerpt_at(text, span.line, span.column))


def _last_character(lines: list[str]) -> tuple[int, int]:
    """Position just after the last non-blank character of the field."""
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].strip():
            return index + 1, len(lines[index].rstrip()) + 1
    return 1, 1
