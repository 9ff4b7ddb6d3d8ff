"""The wholesystem exception tree.

Every error raised on purpose derives from :class:`WholesystemError` and also from the
builtin exception people already catch (``ValueError``, ``LookupError``...). Errors
about a model carry the :class:`~wholesystem.diagnostics.SourceSpan` of the problem, so
``str(error)`` always starts with ``file:line:col``.
"""

from __future__ import annotations

from wholesystem.diagnostics import Diagnostic, SourceSpan, printable, render_diagnostics

__all__ = [
    "WholesystemError",
    "ModelSyntaxError",
    "ModelStructureError",
    "UnknownNameError",
    "UnknownFunctionError",
    "ArityError",
    "UnsupportedFeatureError",
    "UnitMismatchError",
    "CircularDefinitionError",
    "ModelCheckError",
    "ParameterError",
    "SimulationError",
    "SystemFileError",
    "ResourceLimitError",
    "NonFiniteWarning",
]


class WholesystemError(Exception):
    """Base of every error wholesystem raises on purpose."""

    def __init__(self, message: str, span: SourceSpan | None = None, *, hint: str | None = None):
        self.message = message
        self.span = span
        self.hint = hint
        super().__init__(self._compose())

    def _compose(self) -> str:
        where = f"{self.span}: " if self.span is not None else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}error: {self.message}{hint}"


class ModelSyntaxError(WholesystemError, ValueError):
    """A model file or equation could not be read (malformed XML, bad equation text)."""

    def __init__(
        self,
        message: str,
        span: SourceSpan | None = None,
        *,
        hint: str | None = None,
        excerpt: str | None = None,
    ):
        self.excerpt = excerpt
        super().__init__(message, span, hint=hint)

    def _compose(self) -> str:
        text = super()._compose()
        if not self.excerpt:
            return text
        shown = "\n".join(printable(line) for line in self.excerpt.split("\n"))
        return f"{text}\n{shown}"


class ModelStructureError(WholesystemError, ValueError):
    """The model reads but does not make sense (a flow with no stock, a bad dimension)."""


class UnknownNameError(WholesystemError, LookupError):
    """An equation or a request names a variable, dimension or element that does not exist."""

    def __init__(self, name: str, span: SourceSpan | None = None, *, hint: str | None = None):
        self.name = name
        super().__init__(f"unknown name '{name}'", span, hint=hint)


class UnknownFunctionError(WholesystemError, LookupError):
    """An equation calls a function wholesystem does not know."""

    def __init__(self, name: str, span: SourceSpan | None = None, *, hint: str | None = None):
        self.name = name
        super().__init__(f"unknown function '{name}'", span, hint=hint)


class ArityError(WholesystemError, ValueError):
    """A builtin function was called with the wrong number of arguments."""


class UnsupportedFeatureError(WholesystemError, NotImplementedError):
    """The file uses a feature of its format that wholesystem does not implement yet."""


class UnitMismatchError(WholesystemError, ValueError):
    """Units of an equation disagree with the declared units."""


class CircularDefinitionError(WholesystemError, ValueError):
    """Variables depend on each other within one time step (an algebraic loop)."""

    def __init__(self, variables: tuple[str, ...], span: SourceSpan | None = None,
                 hint: str = "break the loop with a stock, a DELAY or SMTH1"):
        self.variables = variables
        loop = " -> ".join((*variables, variables[0])) if variables else ""
        super().__init__(f"algebraic loop (circular definition): {loop}", span, hint=hint)


class ModelCheckError(WholesystemError, ValueError):
    """A model has error-level diagnostics; they are all in ``diagnostics``."""

    def __init__(self, diagnostics: tuple[Diagnostic, ...], source_text: str | None = None):
        self.diagnostics = diagnostics
        self.rendered = render_diagnostics(diagnostics, source_text)
        first = diagnostics[0].span if diagnostics else None
        super().__init__(f"{len(diagnostics)} problem(s) in the model", first)

    def _compose(self) -> str:
        return self.rendered


class ParameterError(WholesystemError, ValueError):
    """A parameter override names no constant, or its value is unusable (NaN, wrong shape)."""


class SimulationError(WholesystemError, RuntimeError):
    """The simulation could not be carried out (bad sim specs, numeric failure)."""


class SystemFileError(ModelSyntaxError):
    """A system file breaks the format; every problem names its field, line and column.

    ``diagnostics`` holds them all (message ``field: what is wrong``); ``field`` and
    ``span`` are those of the first.
    """

    def __init__(self, diagnostics: tuple[Diagnostic, ...], source_text: str | None = None,
                 fields: tuple[str, ...] = ()):
        self.diagnostics = diagnostics
        self.fields = fields
        self.field = fields[0] if fields else ""
        self.rendered = render_diagnostics(diagnostics, source_text)
        first = diagnostics[0] if diagnostics else None
        super().__init__(first.message if first else "invalid system file",
                         first.span if first else None)

    def _compose(self) -> str:
        return self.rendered


class ResourceLimitError(WholesystemError, ValueError):
    """A model asks for more than a resource limit allows (see :mod:`wholesystem.limits`).

    ``limit`` is the limit's name (``max_steps``), ``value`` what the model asks for and
    ``maximum`` the limit; the message names the option that raises it.
    """

    def __init__(self, limit: str, value: float, maximum: int, what: str, unit: str = "",
                 span: SourceSpan | None = None):
        self.limit = limit
        self.value = value
        self.maximum = maximum
        amount = f"{value:,.0f}" if value == value and abs(value) < 1e300 else str(value)
        unit_text = f" {unit}" if unit else ""
        super().__init__(
            f"{what} has {amount}{unit_text}, over the limit of {maximum:,} ({limit})",
            span, hint=f"raise it with --limit {limit}=N, or Limits({limit}=N) in Python")


class NonFiniteWarning(UserWarning):
    """A run's results hold NaN or infinity the model does not write itself.

    ``found`` (a :class:`~wholesystem.run.numeric.NonFinite`) names the first variable,
    time and run; ``span`` is where that variable is defined, when known. ``str()`` reads
    ``file:line:col: warning: 'x' is NaN from time 3: ...``.
    """

    def __init__(self, found: object, span: SourceSpan | None = None):
        self.found = found
        self.span = span
        where = f"{span}: " if span is not None else ""
        message = getattr(found, "message", lambda: str(found))()
        hint = getattr(found, "hint", "")
        super().__init__(f"{where}warning: {message}" + (f" (hint: {hint})" if hint else ""))
