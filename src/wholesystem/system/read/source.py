"""YAML text -> plain values, remembering where every key and value is written.

PyYAML's composer keeps a start mark on every node; :func:`load_yaml` walks the node tree
beside the constructed values and records, for each path of keys and list positions, the
:class:`~wholesystem.diagnostics.SourceSpan` of the value and of its key. Later stages name
a problem by its path and get back the line and column the user wrote it at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from wholesystem.diagnostics import Diagnostic, Severity, SourceSpan
from wholesystem.errors import SystemFileError
from wholesystem.limits import Limits

__all__ = ["FieldPath", "Positions", "decode_yaml", "load_yaml", "field_name", "problem"]

FieldPath = tuple[str | int, ...]


def field_name(path: FieldPath) -> str:
    """A path as people write it: ``services.p2_b.capacity``, ``pathways[0].routes[1]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(top level)"


@dataclass
class Positions:
    """Where each value (and each mapping key) of a document is written."""

    file: str
    """Path of the file as the user named it."""
    values: dict[FieldPath, SourceSpan] = field(default_factory=dict)
    """Span of the value at each path."""
    keys: dict[FieldPath, SourceSpan] = field(default_factory=dict)
    """Span of the key naming each mapping entry."""

    def span(self, path: FieldPath, at_key: bool = False) -> SourceSpan:
        """Where ``path`` is written; the nearest written ancestor when it is missing."""
        table = self.keys if at_key else self.values
        if path in table:
            return table[path]
        for cut in range(len(path) - 1, -1, -1):
            if path[:cut] in self.values:
                return self.values[path[:cut]]
        return SourceSpan(self.file, 1, 1)


def problem(positions: Positions, path: FieldPath, message: str, at_key: bool = False,
            hint: str | None = None) -> Diagnostic:
    """An error diagnostic about the field at ``path``."""
    return Diagnostic(Severity.ERROR, "system-file", f"{field_name(path)}: {message}",
                      positions.span(path, at_key), hint, (field_name(path),))


def decode_yaml(raw: bytes, file: str) -> str:
    """A system file's UTF-8 text; bytes that are not UTF-8 raise
    :class:`~wholesystem.errors.SystemFileError` at their line and column."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        text = raw[:err.start].decode("utf-8-sig")
        line, column = _line_column(text, len(text))
        raise _error(file, text, line, column, f"not UTF-8 text: byte 0x{raw[err.start]:02x} "
                                               f"cannot be read") from None


def load_yaml(text: str, file: str, limits: Limits | None = None
              ) -> tuple[Any, Positions]:
    """The document's values and their positions; malformed YAML raises
    :class:`~wholesystem.errors.SystemFileError` at the offending line and column.

    Only plain data is built (PyYAML's safe loader: no Python objects). A document over
    ``limits`` (its size, its nesting depth, or its values counted with every alias
    expanded, which stops "billion laughs" alias bombs) raises
    :class:`~wholesystem.errors.ResourceLimitError` before any value is built.
    """
    limits = limits or Limits()
    limits.check_document(text, file)
    try:
        loader = yaml.SafeLoader(text)  # refuses control characters here, before parsing
    except yaml.reader.ReaderError as err:
        line, column = _line_column(text, err.position)
        character = err.character if isinstance(err.character, str) else chr(err.character)
        raise _error(file, text, line, column, f"not valid YAML: {err.reason} "
                                               f"(character U+{ord(character):04X})") from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise _error(file, text, 1, 1, "the file is empty",
                         "start with 'name:', 'time:', 'organisations:' and 'services:'")
        _bound(node, limits, file)
        positions = Positions(file)
        duplicates: list[Diagnostic] = []
        _record(node, (), positions, duplicates)
        value = loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise _error(file, text, line, column,
                     f"not valid YAML: {err.problem or err.context}") from None
    except yaml.YAMLError as err:
        raise _error(file, text, 1, 1, f"not valid YAML: {err}") from None
    except RecursionError:
        raise _error(file, text, 1, 1, "the document is nested too deeply") from None
    finally:
        loader.dispose()
    if duplicates:
        raise SystemFileError(tuple(duplicates), text, tuple(d.variables[0] for d in duplicates))
    return value, positions


def _bound(root: yaml.Node, limits: Limits, file: str) -> None:
    """Refuse a node tree that is too deep or, with aliases expanded, too large.

    An alias is the node it names, shared; counting each use as a copy gives the size
    the document has to every consumer that walks it. Sizes are memoised per node, so
    the count itself stays linear in the written document; a node reached again while it
    is being counted is an alias of its own ancestor, which plain data cannot be.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: yaml.Node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if depth > limits.max_nesting_depth:
            limits.check("max_nesting_depth", depth, "the document", _span(file, node))
        if key in open_nodes:
            raise _error(file, "", node.start_mark.line + 1, node.start_mark.column + 1,
                         "not valid YAML: an alias refers to a value that contains it")
        open_nodes.add(key)
        total = 1
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        for child in children:
            total += size(child, depth + 1)
            if total > limits.max_yaml_nodes:
                limits.check("max_yaml_nodes", total, "the document", _span(file, child))
        open_nodes.discard(key)
        sizes[key] = total
        return total

    size(root, 1)


def _line_column(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def _error(file: str, text: str, line: int, column: int, message: str,
           hint: str | None = None) -> SystemFileError:
    diagnostic = Diagnostic(Severity.ERROR, "system-file", message,
                            SourceSpan(file, line, column), hint, ("(file)",))
    return SystemFileError((diagnostic,), text, ("(file)",))


def _span(file: str, node: yaml.Node) -> SourceSpan:
    start, end = node.start_mark, node.end_mark
    return SourceSpan(file, start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _record(node: yaml.Node, path: FieldPath, positions: Positions,
            duplicates: list[Diagnostic]) -> None:
    positions.values[path] = _span(positions.file, node)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = (*path, key)
            if key in seen:
                duplicates.append(Diagnostic(
                    Severity.ERROR, "system-file",
                    f"{field_name(child)}: '{key}' is written twice",
                    _span(positions.file, key_node), "keep one of them",
                    (field_name(child),)))
            seen.add(key)
            positions.keys[child] = _span(positions.file, key_node)
            _record(value_node, child, positions, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record(item, (*path, index), positions, duplicates)
