"""XMILE equation text -> :mod:`wholesystem.ir.expr` trees.

The grammar lives in ``grammars/xmile_expr.lark``; one :class:`lark.Transformer` turns
the parse tree into IR nodes. Equations are parsed alone, so every span is rebased onto
the line and column where the equation sits in its model file.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import lark
from lark import Lark, Token, v_args
from lark.visitors import Transformer_NonRecursive

from wholesystem.diagnostics import SourceSpan, shown_character
from wholesystem.errors import ModelSyntaxError
from wholesystem.ir.expr import Binary, Call, Expr, IfThenElse, Number, Reference, Unary, Wildcard
from wholesystem.ir.names import canonical_name

__all__ = ["parse_xmile_expression", "EquationOrigin"]


class EquationOrigin:
    """Where an equation's text starts in its file, to rebase positions found in it."""

    __slots__ = ("file", "line", "column")

    def __init__(self, file: str, line: int = 1, column: int = 1):
        self.file = file
        self.line = line
        self.column = column

    def span(self, line: int, column: int, end_line: int | None = None,
             end_column: int | None = None) -> SourceSpan:
        """A span inside the equation text, rebased to the file."""
        local = SourceSpan(self.file, line, column, end_line, end_column)
        return local.shifted(self.line - 1, self.column - 1)


@lru_cache(maxsize=1)
def _xmile_parser() -> Lark:
    grammar = resources.files("wholesystem.parse").joinpath("grammars/xmile_expr.lark")
    return Lark(grammar.read_text(encoding="utf-8"), parser="lalr", propagate_positions=True,
                maybe_placeholders=False)


_WORD_OPERATORS = {"and": "and", "&&": "and", "or": "or", "||": "or", "mod": "mod",
                   "not": "not", "!": "not", "==": "="}


def _operator(token: Token) -> str:
    text = str(token).strip()
    return _WORD_OPERATORS.get(text.lower(), text)


@v_args(inline=True)
class _ToIR(Transformer_NonRecursive[Token, Expr]):
    """Builds IR nodes; every node's span is rebased through ``origin``.

    Non-recursive, so long sums (``a1 + a2 + ... + a2000``) do not hit Python's
    recursion limit.
    """

    def __init__(self, origin: EquationOrigin):
        super().__init__()
        self.origin = origin

    def _span(self, token: Token) -> SourceSpan:
        return self.origin.span(token.line or 1, token.column or 1, token.end_line,
                                token.end_column)

    def number(self, token: Token) -> Number:
        return Number(float(token), self._span(token))

    def binary(self, left: Expr, op: Token, right: Expr) -> Binary:
        return Binary(_operator(op), left, right, self._span(op))

    def unary(self, op: Token, operand: Expr) -> Expr:
        if isinstance(operand, Number) and _operator(op) == "-":
            return Number(-operand.value, self._span(op))
        return Unary(_operator(op), operand, self._span(op))

    def if_expr(self, if_token: Token, cond: Expr, _then: Token, then: Expr, _else: Token,
                otherwise: Expr) -> IfThenElse:
        return IfThenElse(cond, then, otherwise, self._span(if_token))

    def call(self, name: Token, *args: Expr) -> Call:
        function = " ".join(str(name).split()).upper()
        return Call(function, tuple(args), self._span(name))

    def reference(self, name: Token, *subscripts: Expr) -> Reference:
        text = str(name)
        return Reference(_canonical_dotted(text), text, tuple(subscripts), self._span(name))

    def wildcard(self, *dimension: Token) -> Wildcard:
        if not dimension:
            return Wildcard(None)
        return Wildcard(canonical_name(str(dimension[0])), self._span(dimension[0]))


def _canonical_dotted(text: str) -> str:
    """Canonical form of a possibly module-qualified name (``Hares . Area`` -> ``hares.area``)."""
    if text.startswith('"'):
        return canonical_name(text)
    return ".".join(canonical_name(part) for part in text.split("."))


def parse_xmile_expression(text: str, origin: EquationOrigin) -> Expr:
    """Parse one XMILE equation; raise :class:`ModelSyntaxError` at the offending position.

    >>> parse_xmile_expression("a + 2", EquationOrigin("m.xmile"))  # doctest: +ELLIPSIS
    Binary(op='+', left=Reference(name='a', ...), right=Number(value=2.0, ...), ...)
    """
    if not text.strip():
        raise ModelSyntaxError("empty equation", origin.span(1, 1))
    try:
        tree = _xmile_parser().parse(text)
    except lark.exceptions.UnexpectedInput as err:
        raise _syntax_error(text, err, origin) from None
    result: Expr = _ToIR(origin).transform(tree)
    return result


def _syntax_error(text: str, err: lark.exceptions.UnexpectedInput,
                  origin: EquationOrigin) -> ModelSyntaxError:
    # Lines as lark counts them: only "\n" ends a line (str.splitlines also splits at
    # \x0c, \x85, \u2028... and would put the caret on the wrong line).
    lines = text.split("\n")
    line = getattr(err, "line", 1) or 1
    column = getattr(err, "column", 1) or 1
    if line < 1 or line > len(lines):  # lark reports end of input as line -1
        line, column = len(lines), len(lines[-1]) + 1
    found, expected = _describe(err)
    message = f"cannot read equation: {found}"
    if expected:
        message += f"; expected {expected}"
    source_line = lines[line - 1].rstrip("\r").expandtabs(1)
    excerpt = f"  {source_line}\n  {' ' * (column - 1)}^" if source_line.strip() else None
    return ModelSyntaxError(message, origin.span(line, column), excerpt=excerpt,
                            hint=_known_mistake(lines[line - 1], column))


_KNOWN_MISTAKES = {
    "//": "'//' is not an operator of XMILE 1.0 (its arithmetic operators are + - * / ^ "
          "and MOD), of Stella or of Vensim: the equation is invalid as written; for a "
          "division write a single '/'",
}
"""Text that people write and the documents do not define, with what to say about it
(lark's practice: friendly messages for known mistakes from a table)."""


def _known_mistake(line: str, column: int) -> str | None:
    """The hint for a known mistake at or just before ``column`` (1-based), if any."""
    for text, hint in _KNOWN_MISTAKES.items():
        start = max(column - 1 - len(text), 0)
        if text in line[start:column - 1 + len(text)]:
            return hint
    return None


_FRIENDLY_TERMINALS = {
    "RPAR": "')'", "LPAR": "'('", "COMMA": "','", "RSQB": "']'", "LSQB": "'['",
    "NUMBER": "a number", "NAME": "a name", "QUOTED_NAME": "a quoted name",
    "ADD_OP": "an operator", "MUL_OP": "an operator", "REL_OP": "a comparison",
    "EQ_OP": "a comparison", "POW_OP": "'^'", "UNARY_OP": "a value", "IF": "IF",
    "THEN": "THEN", "ELSE": "ELSE", "AND": "AND", "OR": "OR", "STAR": "'*'",
    "COLON": "':'", "$END": "end of equation",
}


def _describe(err: lark.exceptions.UnexpectedInput) -> tuple[str, str]:
    if isinstance(err, lark.exceptions.UnexpectedToken):
        token = err.token
        found = "end of equation" if token.type == "$END" else f"unexpected '{token}'"
        names = sorted({_FRIENDLY_TERMINALS.get(t, t) for t in err.expected})
        return found, " or ".join(names[:6])
    if isinstance(err, lark.exceptions.UnexpectedCharacters):
        return f"unexpected character {shown_character(err.char)}", ""
    if isinstance(err, lark.exceptions.UnexpectedEOF):
        return "equation ends too early", ""
    return str(err).splitlines()[0], ""
