"""Source spans and diagnostics: where something is in a model file, and what is wrong there.

Every IR node carries a :class:`SourceSpan`; every user-facing problem is a
:class:`Diagnostic` that renders as ``file:line:col: severity: message``, followed by
the offending source line with a caret when the text is available.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = ["SourceSpan", "Severity", "Diagnostic", "render_diagnostics", "UNKNOWN_SPAN",
           "shown_character", "printable"]


def printable(line: str) -> str:
    """``line`` with each unprintable character (a NUL, a line separator; tabs are kept)
    shown as U+FFFD, one for one, so a caret under it still points at the right column.

    >>> printable("a\\x00b")
    'a\ufffdb'
    """
    return "".join(c if c.isprintable() or c == "\t" else "\ufffd" for c in line)


def shown_character(char: str) -> str:
    """A character as a message shows it: quoted when printable, else its code point, so
    a NUL or a line separator in a file is named, not printed into the terminal.

    >>> shown_character("x"), shown_character("\\x00"), shown_character("\\u2028")
    ("'x'", 'U+0000', 'U+2028')
    """
    return f"'{char}'" if char.isprintable() else f"U+{ord(char):04X}"


@dataclass(frozen=True, slots=True)
class SourceSpan:
    """A position in a source file (lines and columns are 1-based)."""

    file: str
    """Path of the model file as the user named it."""
    line: int = 0
    """Line of the first character, 0 when unknown."""
    column: int = 0
    """Column of the first character, 0 when unknown."""
    end_line: int | None = None
    """Line of the last character, when known."""
    end_column: int | None = None
    """Column just after the last character, when known."""

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{max(self.column, 1)}"

    def shifted(self, line_offset: int, column_offset: int) -> SourceSpan:
        """This span rebased: a fragment parsed alone moved to where it sits in its file.

        ``column_offset`` only applies to the fragment's first line, since later
        lines start at column 1 of the file as well.
        """
        column = self.column + (column_offset if self.line == 1 else 0)
        end_column = self.end_column
        if end_column is not None and self.end_line == 1:
            end_column += column_offset
        end_line = None if self.end_line is None else self.end_line + line_offset
        return SourceSpan(self.file, self.line + line_offset, column, end_line, end_column)


UNKNOWN_SPAN = SourceSpan("<unknown>")


class Severity(enum.Enum):
    """How bad a diagnostic is: errors stop a run, warnings do not."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a model, with where it is and how to fix it."""

    severity: Severity
    """Error, warning or note."""
    code: str
    """Short stable identifier, e.g. ``undefined-name``, for filtering and docs."""
    message: str
    """What is wrong, naming the variable."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where it is."""
    hint: str | None = None
    """How to fix it, when we can tell."""
    variables: tuple[str, ...] = field(default=())
    """Variables involved (e.g. the members of an algebraic loop)."""

    def render(self, source_text: str | None = None) -> str:
        """``file:line:col: severity: message``, then the line with a caret and the hint."""
        lines = [f"{self.span}: {self.severity.value}: {self.message}"]
        excerpt = _excerpt(source_text, self.span)
        if excerpt:
            lines.append(excerpt)
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


def _excerpt(source_text: str | None, span: SourceSpan) -> str:
    if not source_text or span.line <= 0:
        return ""
    # Lines are counted at "\n" only, as the readers (lark, libxml2) count them.
    all_lines = source_text.split("\n")
    if span.line > len(all_lines):
        return ""
    text = printable(all_lines[span.line - 1].rstrip("\r").expandtabs(1))
    caret = " " * (max(span.column, 1) - 1) + "^"
    return f"  {text}\n  {caret}"


def render_diagnostics(
    diagnostics: list[Diagnostic] | tuple[Diagnostic, ...], source_text: str | None = None
) -> str:
    """All diagnostics rendered one after another, errors first."""
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}
    ranked = sorted(diagnostics, key=lambda d: (order[d.severity], d.span.line, d.span.column))
    return "\n".join(d.render(source_text) for d in ranked)
