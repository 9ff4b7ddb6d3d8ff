"""A Vensim ``.mdl`` file -> its entries, each split into fields with their positions.

A model file is a sequence of entries ``definition ~ units ~ documentation ~ flags |``,
group headers (``****`` lines around ``.name``, then ``~ comment |``) and the macro markers
``:MACRO: NAME(args)`` and ``:END OF MACRO:``, which end at their closing parenthesis and
keyword rather than at a ``|``. Everything from the sketch marker ``\\\\\\---///`` on is
layout and is not read. The scanner only finds boundaries: inside a definition it steps
over quoted names, 'string literals' and ``{comments}`` (any may hold ``~`` or ``|``);
units and documentation are free text, where quotes need not balance.
"""

from __future__ import annotations

import bisect
import enum
import re
from dataclasses import dataclass

from wholesystem.diagnostics import SourceSpan
from wholesystem.errors import ModelSyntaxError

__all__ = ["EntryKind", "Field", "RawEntry", "decode_mdl", "scan_entries", "excerpt_at"]

_SKETCH = re.compile(r"^[ \t]*\\\\\\?---///", re.MULTILINE)
_MACRO_START = re.compile(r":MACRO:", re.IGNORECASE)
_MACRO_END = re.compile(r":END[ \t]+OF[ \t]+MACRO:", re.IGNORECASE)
_FIELD_END = re.compile(r"[~|]")
_DEFINITION_SPECIAL = re.compile(r"[~|\"{']")


class EntryKind(enum.Enum):
    """What a stretch of the file is."""

    DEFINITION = "definition"
    GROUP = "group"
    MACRO_START = "macro_start"
    MACRO_END = "macro_end"


@dataclass(frozen=True, slots=True)
class Field:
    """One field of an entry: its text exactly as in the file, and where it starts."""

    text: str
    """The field's characters (line endings normalised to ``\\n``)."""
    line: int
    """File line of the first character (1-based)."""
    column: int
    """File column of the first character (1-based)."""


@dataclass(frozen=True, slots=True)
class RawEntry:
    """An entry cut out of the file, not yet parsed."""

    kind: EntryKind
    """Definition, group header or macro marker."""
    fields: tuple[Field, ...]
    """Definition, units, documentation, flags (only the definition for macro markers)."""
    span: SourceSpan
    """Where the entry starts."""


def decode_mdl(raw: bytes, file: str) -> str:
    """The file's text, with every line ending made ``\\n``.

    Vensim writes ``{UTF-8}`` at the top of Unicode files; older files are in the Windows
    code page. A UTF-8 byte-order mark is dropped.
    """
    text = None
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:  # pragma: no cover - latin-1 decodes every byte
        raise ModelSyntaxError("file is not text", SourceSpan(file, 1, 1))
    return normalise_newlines(text)


def normalise_newlines(text: str) -> str:
    """``\\r\\n`` and lone ``\\r`` made ``\\n``: columns stay the same, lines are counted once."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


class _Cursor:
    """Offsets of a text turned into (line, column) pairs."""

    def __init__(self, text: str, file: str):
        self.text = text
        self.file = file
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1

    def span(self, offset: int) -> SourceSpan:
        line, column = self.position(offset)
        return SourceSpan(self.file, line, column)

    def field(self, start: int, end: int) -> Field:
        line, column = self.position(start)
        return Field(self.text[start:end], line, column)

    def error(self, message: str, offset: int, hint: str | None = None) -> ModelSyntaxError:
        span = self.span(offset)
        return ModelSyntaxError(message, span, hint=hint,
                                excerpt=excerpt_at(self.text, span.line, span.column))


def excerpt_at(text: str, line: int, column: int) -> str | None:
    """The file's line ``line`` with a caret under ``column``, or None for a blank line."""
    lines = text.split("\n")
    if not 0 < line <= len(lines) or not lines[line - 1].strip():
        return None
    source = lines[line - 1].expandtabs(1)
    return f"  {source}\n  {' ' * (max(column, 1) - 1)}^"


_SETTINGS_MARKER = re.compile(r"^:L.<%\^E!@\s*$", re.MULTILINE)
_DATA_SETTING = re.compile(r"^13:(.+?)\s*$", re.MULTILINE)


def settings_data_files(text: str) -> tuple[str, ...]:
    """Data sets the model's settings block (after ``:L<%^E!@``) names for simulation:
    Vensim writes each as a line ``13:file``."""
    marker = _SETTINGS_MARKER.search(text)
    if marker is None:
        return ()
    return tuple(m.group(1) for m in _DATA_SETTING.finditer(text, marker.end()))


def model_section(text: str) -> str:
    """The text before the sketch marker (all of it when there is no sketch)."""
    found = _SKETCH.search(text)
    return text if found is None else text[:found.start()]


def scan_entries(text: str, file: str) -> list[RawEntry]:
    """Cut the model section of ``text`` (already newline-normalised) into entries."""
    section = model_section(text)
    cursor = _Cursor(text, file)
    entries: list[RawEntry] = []
    position = 0
    while True:
        position = _skip_blank(section, position, cursor)
        if position >= len(section):
            return entries
        if section[position] == "|":  # an empty entry
            position += 1
            continue
        entry, position = _scan_one(section, position, cursor)
        entries.append(entry)


def _skip_blank(text: str, position: int, cursor: _Cursor) -> int:
    """Past whitespace, backslash continuations and {comments} such as ``{UTF-8}``."""
    while position < len(text):
        char = text[position]
        if char.isspace() or (char == "\\" and text[position + 1:position + 2] in ("\n", "")):
            position += 1
        elif char == "{":
            position = _comment_end(text, position, cursor)
        else:
            break
    return position


def _comment_end(text: str, start: int, cursor: _Cursor) -> int:
    end = text.find("}", start + 1)
    if end < 0:
        raise cursor.error("comment '{' is never closed with '}'", start)
    return end + 1


def _scan_one(text: str, start: int, cursor: _Cursor) -> tuple[RawEntry, int]:
    span = cursor.span(start)
    if _MACRO_START.match(text, start):
        end = _macro_header_end(text, start, cursor)
        return RawEntry(EntryKind.MACRO_START, (cursor.field(start, end),), span), end
    marker = _MACRO_END.match(text, start)
    if marker:
        return RawEntry(EntryKind.MACRO_END, (cursor.field(start, marker.end()),),
                        span), marker.end()
    if text[start] == "*":
        return _scan_group(text, start, cursor)
    fields: list[Field] = []
    position = _definition_end(text, start, cursor)
    fields.append(cursor.field(start, position))
    while position < len(text) and text[position] == "~":
        field_start = position + 1
        position = _free_text_end(text, field_start)
        fields.append(cursor.field(field_start, position))
    if position >= len(text):
        raise cursor.error("this definition never ends: '|' expected after it", start,
                           hint="every entry ends with '~ units ~ comment |'")
    return RawEntry(EntryKind.DEFINITION, tuple(fields), span), position + 1


def _free_text_end(text: str, position: int) -> int:
    """End of a units or documentation field: the next ``~`` or ``|``."""
    found = _FIELD_END.search(text, position)
    return found.start() if found else len(text)


def _definition_end(text: str, position: int, cursor: _Cursor) -> int:
    """End of a definition field: the next ``~`` or ``|`` outside quotes, 'strings' and
    comments."""
    while position < len(text):
        special = _DEFINITION_SPECIAL.search(text, position)
        if special is None:
            return len(text)
        position = special.start()
        char = text[position]
        if char in "~|":
            return position
        if char == '"':
            position = _quoted_end(text, position, cursor)
        elif char == "{":
            position = _comment_end(text, position, cursor)
        elif char == "'" and _starts_string(text, position):
            closing = text.find("'", position + 1)
            newline = text.find("\n", position + 1)
            ends_on_line = closing >= 0 and (newline < 0 or closing < newline)
            position = closing + 1 if ends_on_line else position + 1
        else:
            position += 1
    return position


def _starts_string(text: str, position: int) -> bool:
    """A ``'`` opens a string literal where a value starts (names may hold apostrophes
    but never start with one)."""
    index = position - 1
    while index >= 0 and text[index].isspace():
        index -= 1
    return index >= 0 and text[index] in "(,=:"


def _quoted_end(text: str, start: int, cursor: _Cursor) -> int:
    position = start + 1
    while position < len(text):
        char = text[position]
        if char == "\\":
            position += 2
        elif char == '"':
            return position + 1
        elif char == "\n":
            break
        else:
            position += 1
    raise cursor.error('quoted name is not closed with \'"\' on its line', start)


def _macro_header_end(text: str, start: int, cursor: _Cursor) -> int:
    """``:MACRO: NAME(in, ... : out, ...)`` ends at the parenthesis closing its arguments."""
    opening = text.find("(", start)
    bar = text.find("|", start)
    if opening < 0 or (0 <= bar < opening):
        raise cursor.error("macro header lacks its '(arguments)'", start,
                           hint="write ':MACRO: NAME(input, ... : output, ...)'")
    closing = text.find(")", opening)
    if closing < 0:
        raise cursor.error("macro header: '(' is never closed with ')'", opening)
    return closing + 1


def _scan_group(text: str, start: int, cursor: _Cursor) -> tuple[RawEntry, int]:
    """``****`` / ``.name`` / ``****~ comment |``: the title, then the comment."""
    tilde = _free_text_end(text, start)
    fields = [cursor.field(start, tilde)]
    position = tilde
    while position < len(text) and text[position] == "~":
        field_start = position + 1
        position = _free_text_end(text, field_start)
        fields.append(cursor.field(field_start, position))
    if position >= len(text):
        raise cursor.error("this group header never ends: '|' expected after it", start)
    return RawEntry(EntryKind.GROUP, tuple(fields), cursor.span(start)), position + 1
