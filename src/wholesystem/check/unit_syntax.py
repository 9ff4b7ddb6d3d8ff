"""Units strings -> dimensions: ``"people/day"`` is ``{person: 1, day: -1}``.

The grammar is ``grammars/units.lark``; one transformer turns its tree into :class:`Units`.
Unit names are matched as modellers mean them: case-insensitively, singular and plural alike
(``person``, ``persons``, ``people``), through the aliases a file declares in
``<model_units>``, and ``dmnl``, ``1``, ``fraction``, ``unitless``, ``dimensionless`` and
the empty string all mean "no dimension". Numbers scale a unit without changing its
dimension (``1000 people`` is ``person``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from importlib import resources

import lark
from lark import Lark, Token, v_args

from wholesystem.diagnostics import SourceSpan
from wholesystem.errors import ModelSyntaxError

__all__ = ["Units", "UnitNames", "DIMENSIONLESS", "parse_units", "singular"]


@dataclass(frozen=True, slots=True)
class Units:
    """A dimension: each base unit name with its (non-zero, possibly fractional) power."""

    powers: tuple[tuple[str, Fraction], ...] = ()
    """``(name, exponent)`` pairs sorted by name, no zero exponents."""

    @classmethod
    def of(cls, powers: Mapping[str, Fraction | int]) -> Units:
        """Units from a name -> exponent map (zero exponents dropped)."""
        return cls(tuple(sorted((n, Fraction(p)) for n, p in powers.items() if p != 0)))

    @property
    def is_dimensionless(self) -> bool:
        """True when no base unit is left."""
        return not self.powers

    def __mul__(self, other: Units) -> Units:
        combined = dict(self.powers)
        for name, power in other.powers:
            combined[name] = combined.get(name, Fraction(0)) + power
        return Units.of(combined)

    def __truediv__(self, other: Units) -> Units:
        return self * other ** -1

    def __pow__(self, exponent: Fraction | int) -> Units:
        return Units.of({n: p * exponent for n, p in self.powers})

    def __str__(self) -> str:
        """Readable form, e.g. ``person/day``, ``1/month``, ``degree^2``, ``dmnl``.

        >>> str(parse_units("people per day^2"))
        'person/day^2'
        """
        above = [_power_text(n, p) for n, p in self.powers if p > 0]
        below = [_power_text(n, -p) for n, p in self.powers if p < 0]
        top = "*".join(above) or ("1" if below else "dmnl")
        if not below:
            return top
        bottom = below[0] if len(below) == 1 else f"({'*'.join(below)})"
        return f"{top}/{bottom}"


def _power_text(name: str, power: Fraction) -> str:
    if power == 1:
        return name
    text = str(power) if power.denominator == 1 else f"({power})"
    return f"{name}^{text}"


DIMENSIONLESS = Units()
"""No dimension: ``dmnl``."""

_DIMENSIONLESS_NAMES = frozenset({"dmnl", "dimensionless", "unitless", "fraction", "1",
                                  "nondimensional", "none"})
_IRREGULAR = {"people": "person", "persons": "person", "children": "child", "men": "man",
              "women": "woman", "feet": "foot", "teeth": "tooth", "mice": "mouse",
              "geese": "goose", "data": "datum", "indices": "index", "series": "series",
              "species": "species", "staff": "staff", "news": "news"}


def singular(word: str) -> str:
    """The key a unit word is matched by: lower case, singular.

    >>> [singular(w) for w in ("People", "Persons", "Days", "boxes", "bodies", "process")]
    ['person', 'person', 'day', 'box', 'body', 'process']
    """
    word = word.casefold()
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zzes")):
        return word[:-2]
    if len(word) > 2 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass(frozen=True)
class UnitNames:
    """How unit names are matched in one project: its declared aliases."""

    aliases: Mapping[str, str] = field(default_factory=dict)
    """Matching key of an alias -> matching key of the unit it stands for."""

    @classmethod
    def of(cls, declared: Iterable[tuple[str, Iterable[str]]]) -> UnitNames:
        """From :attr:`wholesystem.ir.Project.units`: ``(name, (alias, ...))`` pairs."""
        aliases: dict[str, str] = {}
        for name, names in declared:
            target = _key(name)
            for alias in names:
                if alias.strip() and _key(alias) != target:
                    aliases[_key(alias)] = target
        return cls(aliases)

    def base(self, words: str) -> Units:
        """The units one (possibly multi-word) unit name stands for."""
        key = _key(words)
        key = self.aliases.get(key, key)
        return DIMENSIONLESS if key in _DIMENSIONLESS_NAMES else Units(((key, Fraction(1)),))


def _key(name: str) -> str:
    return " ".join(singular(w) for w in name.split())


@lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = resources.files("wholesystem.check").joinpath("grammars/units.lark")
    return Lark(grammar.read_text(encoding="utf-8"), parser="lalr")


@v_args(inline=True)
class _ToUnits(lark.Transformer[Token, Units]):
    def __init__(self, names: UnitNames):
        super().__init__()
        self.names = names

    def dimensionless(self) -> Units:
        return DIMENSIONLESS

    def name(self, *words: Token) -> Units:
        return self.names.base(" ".join(str(w) for w in words))

    def number(self, _value: Token) -> Units:
        return DIMENSIONLESS

    def scale(self, _factor: Token, units: Units) -> Units:
        return units

    def divide(self, left: Units, *rest: Units | Token) -> Units:
        right = rest[-1]  # "per" is kept as a token before the divisor; "/" is not
        assert isinstance(right, Units)
        return left / right

    def multiply(self, left: Units, right: Units) -> Units:
        return left * right

    def power(self, base: Units, exponent: Fraction) -> Units:
        return base ** exponent

    def reciprocal(self, _per: Token, units: Units) -> Units:
        return units ** -1

    def exponent(self, *tokens: Token) -> Fraction:
        negative = tokens[0].type == "SIGN" and str(tokens[0]) == "-"
        texts = [str(t) for t in tokens if t.type == "NUMBER"]
        # Checked before Fraction(text) builds 10**400 exactly (or 10**999999999, slowly).
        if not all(abs(Decimal(t).adjusted()) <= 300 for t in texts):
            raise ValueError(f"the exponent {'/'.join(texts)} is out of range")
        numbers = [Fraction(t) for t in texts]
        if len(numbers) == 2 and numbers[1] == 0:
            raise ValueError("the exponent divides by zero")
        value = numbers[0] / numbers[1] if len(numbers) == 2 else numbers[0]
        return -value if negative else value


def parse_units(text: str, names: UnitNames | None = None, span: SourceSpan | None = None
                ) -> Units:
    """The dimension a units string stands for; :class:`ModelSyntaxError` if unreadable.

    >>> str(parse_units("£/(person*day)"))
    '£/(day*person)'
    >>> parse_units("Day^-1") == parse_units("1/days") == parse_units("per day")
    True
    >>> parse_units("dmnl").is_dimensionless
    True
    """
    try:
        tree = _parser().parse(text)
    except lark.exceptions.UnexpectedInput as err:
        column = getattr(err, "column", 0) or 0
        raise ModelSyntaxError(f"cannot read units '{text}' (at character {max(column, 1)})",
                               span, hint="write units like people/day, 1/month or "
                                          "£/(person*day)") from None
    try:
        result: Units = _ToUnits(names or UnitNames()).transform(tree)
    except lark.exceptions.VisitError as err:
        raise ModelSyntaxError(f"cannot read units '{text}': {err.orig_exc}", span) from None
    return result
