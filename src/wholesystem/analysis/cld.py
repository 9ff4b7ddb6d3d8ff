"""Causal loop diagrams drawn by hand (``.cld.yaml``), before any numbers exist.

A workshop's map: variables, links with ``+`` or ``-``, delays marked, and per link a
note, the evidence behind it and who owns it. :data:`CLD_SCHEMA` is the format's JSON
Schema (``docs/cld.schema.json`` is it written out; a test keeps them equal). Reading a
file checks it against the schema and then the references between its parts; every
problem names its field, line and column (:class:`~wholesystem.errors.SystemFileError`).

A drawn diagram becomes a :class:`~wholesystem.analysis.causal.CausalGraph` (links
``declared``), so its loops are found and drawn like a model's. Linked to a quantified
model (each variable's ``model:`` name), :func:`compare_with_model` lists the links drawn
but absent from the model, those whose sign differs, and the model's links between drawn
variables that the drawing lacks. A drawn link ``a -> b`` is present when the model has a
path from ``a`` to ``b`` whose intermediate variables are not on the drawing (a diagram
leaves out detail); its sign is the product of that path's link signs.

>>> text = '''
... cld: 1
... name: Teacup
... variables:
...   temperature: Tea temperature
...   loss: {label: Heat loss, model: heat loss to room}
... links:
...   - {from: temperature, to: loss, polarity: "+"}
...   - {from: loss, to: temperature, polarity: "-"}
... '''
>>> drawing = read_cld_text(text, "tea.cld.yaml")
>>> [(k.source, k.target, k.polarity) for k in drawing.graph().links]
[('temperature', 'loss', '+'), ('loss', 'temperature', '-')]
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wholesystem.analysis.causal import (
    CausalGraph,
    CausalLink,
    CausalVariable,
    structure_from_links,
)
from wholesystem.analysis.loops import canonical_name
from wholesystem.diagnostics import Diagnostic
from wholesystem.errors import ParameterError, SystemFileError
from wholesystem.system.read.schema import validate
from wholesystem.system.read.source import Positions, decode_yaml, load_yaml, problem

__all__ = ["CLD_SCHEMA", "DrawnVariable", "DrawnLink", "CausalLoopDiagram",
           "LinkComparison", "CldComparison", "read_cld", "read_cld_text", "is_cld_file",
           "compare_with_model", "cld_schema_json"]

_ID = {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$"}
_TEXT = {"type": "string"}
_VARIABLE = {
    "anyOf": [
        {"type": "string", "description": "The variable's label."},
        {"type": "object", "additionalProperties": False,
         "properties": {
             "label": {**_TEXT, "description": "Name shown on the diagram."},
             "kind": {"enum": ["stock", "flow", "aux"],
                      "description": "What the variable is, when known."},
             "model": {**_TEXT, "description": "Name of the variable in the quantified "
                                               "model this drawing is compared with."},
             "note": _TEXT, "owner": _TEXT},
         "required": ["label"]},
    ],
    "description": "A variable: its label, or a mapping with label and details.",
}
_LINK = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "from": {**_ID, "description": "Id of the cause."},
        "to": {**_ID, "description": "Id of the effect."},
        "polarity": {"enum": ["+", "-"], "description": "+ same direction, - opposite."},
        "delay": {"type": "boolean", "description": "True when the effect takes time."},
        "note": _TEXT,
        "evidence": {**_TEXT, "description": "What the link rests on (study, data, "
                                             "experience)."},
        "owner": {**_TEXT, "description": "Who vouches for the link."},
    },
    "required": ["from", "to", "polarity"],
}
CLD_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://wholesystem.dev/schema/cld.schema.json",
    "title": "wholesystem causal loop diagram",
    "description": "A causal loop diagram drawn by hand (.cld.yaml).",
    "type": "object", "additionalProperties": False,
    "properties": {
        "cld": {"const": 1, "description": "Format version: 1."},
        "name": {**_TEXT, "description": "Name of the diagram."},
        "description": _TEXT,
        "model": {**_TEXT, "description": "Path of the quantified model (relative to this "
                                          "file) the drawing is compared with."},
        "variables": {"type": "object", "propertyNames": _ID,
                      "additionalProperties": _VARIABLE,
                      "description": "Variables by id."},
        "links": {"type": "array", "items": _LINK, "description": "Causal links."},
    },
    "required": ["cld", "name", "variables", "links"],
}


def cld_schema_json() -> str:
    """The schema as the text of ``docs/cld.schema.json``."""
    return json.dumps(CLD_SCHEMA, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True, slots=True)
class DrawnVariable:
    """A variable of a hand-drawn diagram."""

    id: str
    """Id used by the links."""
    label: str
    """Name shown on the diagram."""
    kind: str = "aux"
    """``stock``, ``flow`` or ``aux``."""
    model: str | None = None
    """Name of the matching variable in the quantified model."""
    note: str = ""
    """Free text."""
    owner: str = ""
    """Who drew or owns it."""


@dataclass(frozen=True, slots=True)
class DrawnLink:
    """A link of a hand-drawn diagram."""

    source: str
    """Id of the cause."""
    target: str
    """Id of the effect."""
    polarity: str
    """``+`` or ``-``."""
    delay: bool = False
    """True when the effect takes time."""
    note: str = ""
    """Free text."""
    evidence: str = ""
    """What the link rests on."""
    owner: str = ""
    """Who vouches for it."""
    line: int = 0
    """Line of the file it is written on."""


@dataclass(frozen=True)
class CausalLoopDiagram:
    """A hand-drawn causal loop diagram."""

    name: str
    """Name of the diagram."""
    file: str
    """Where it was read from."""
    variables: tuple[DrawnVariable, ...]
    """Variables in file order."""
    links: tuple[DrawnLink, ...]
    """Links in file order."""
    model: str | None = None
    """Path of the quantified model it refers to (relative to ``file``), if any."""

    def graph(self) -> CausalGraph:
        """The diagram as a causal graph (loops, exports and comparison read it)."""
        variables = [CausalVariable(v.id, v.label, v.kind) for v in self.variables]
        links = [CausalLink(k.source, k.target, k.polarity, "declared", delay=k.delay,
                            note="; ".join(p for p in (k.note, k.evidence and
                                                       f"evidence: {k.evidence}",
                                                       k.owner and f"owner: {k.owner}")
                                           if p))
                 for k in self.links]
        return structure_from_links(self.name, variables, links)

    def model_path(self) -> Path | None:
        """The referred model's path, resolved against the diagram's folder."""
        return None if self.model is None else Path(self.file).parent / self.model


def is_cld_file(path: str | Path) -> bool:
    """True for a ``.cld.yaml`` / ``.cld.yml`` file."""
    return str(path).lower().endswith((".cld.yaml", ".cld.yml"))


def read_cld(path: str | Path) -> CausalLoopDiagram:
    """Read and check a ``.cld.yaml`` file."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, "no such causal loop diagram", str(path))
    return read_cld_text(decode_yaml(path.read_bytes(), str(path)), str(path))


def read_cld_text(text: str, file: str = "<cld>") -> CausalLoopDiagram:
    """Read and check a diagram's text; every problem raises together in one
    :class:`~wholesystem.errors.SystemFileError` naming field, line and column."""
    document, positions = load_yaml(text, file)
    if not isinstance(document, dict):
        _raise([problem(positions, (), "expected a mapping with cld, name, variables, "
                                       "links")], text)
    found = validate(document, CLD_SCHEMA)
    if found:
        _raise([problem(positions, p.path, p.message, p.at_key) for p in found], text)
    variables = tuple(_variable(k, v) for k, v in document["variables"].items())
    links = tuple(_link(item, positions, ("links", i))
                  for i, item in enumerate(document["links"]))
    problems = _references(variables, links, positions)
    if problems:
        _raise(problems, text)
    return CausalLoopDiagram(str(document["name"]), file, variables, links,
                             document.get("model"))


def _raise(diagnostics: Sequence[Diagnostic], text: str) -> None:
    raise SystemFileError(tuple(diagnostics), text,
                          tuple(d.variables[0] for d in diagnostics))


def _variable(key: str, value: Any) -> DrawnVariable:
    if isinstance(value, str):
        return DrawnVariable(key, value)
    return DrawnVariable(key, value["label"], value.get("kind", "aux"), value.get("model"),
                         value.get("note", ""), value.get("owner", ""))


def _link(item: Mapping[str, Any], positions: Positions, path: tuple[str | int, ...]
          ) -> DrawnLink:
    return DrawnLink(item["from"], item["to"], item["polarity"], bool(item.get("delay")),
                     item.get("note", ""), item.get("evidence", ""), item.get("owner", ""),
                     positions.span(path).line)


def _references(variables: Sequence[DrawnVariable], links: Sequence[DrawnLink],
                positions: Positions) -> list[Diagnostic]:
    ids = {v.id for v in variables}
    problems: list[Diagnostic] = []
    seen: dict[tuple[str, str], int] = {}
    for index, link in enumerate(links):
        for end, name in (("from", link.source), ("to", link.target)):
            if name not in ids:
                problems.append(problem(positions, ("links", index, end),
                                        f"no variable '{name}'",
                                        hint=f"declare it under variables, or use one of: "
                                             f"{', '.join(sorted(ids)[:8])}"))
        if link.source == link.target:
            problems.append(problem(positions, ("links", index, "to"),
                                    "a variable cannot cause itself directly",
                                    hint="draw the loop through the variables it passes"))
        key = (link.source, link.target)
        if key in seen:
            problems.append(problem(positions, ("links", index),
                                    f"the link {link.source} -> {link.target} is drawn "
                                    f"twice (first at links[{seen[key]}])"))
        seen.setdefault(key, index)
    return problems


@dataclass(frozen=True, slots=True)
class LinkComparison:
    """One link of the drawing or of the model, and how the two agree."""

    source: str
    """Drawn id of the cause."""
    target: str
    """Drawn id of the effect."""
    status: str
    """``agrees``, ``sign differs``, ``not in model`` (drawn, no such path in the model),
    ``not drawn`` (in the model between drawn variables) or ``unlinked`` (an end has no
    model variable)."""
    drawn: str | None
    """The drawn polarity, None for a model link not drawn."""
    model: str | None
    """The model path's polarity, None when there is no path."""
    path: tuple[str, ...] = ()
    """The model variables along the path (shown names)."""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {"from": self.source, "to": self.target, "status": self.status,
                "drawn": self.drawn, "model": self.model, "path": list(self.path)}


@dataclass(frozen=True)
class CldComparison:
    """A drawing set against a quantified model's derived causal structure."""

    diagram: str
    """Name of the drawing."""
    model: str
    """Name of the model."""
    links: tuple[LinkComparison, ...]
    """Drawn links first (file order), then model links not drawn."""
    unmatched: tuple[str, ...]
    """Drawn variable ids with no model variable."""

    def count(self, status: str) -> int:
        """How many links have ``status``."""
        return sum(1 for k in self.links if k.status == status)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {"diagram": self.diagram, "model": self.model,
                "links": [k.to_json() for k in self.links],
                "unmatched_variables": list(self.unmatched),
                "counts": {s: self.count(s) for s in ("agrees", "sign differs",
                                                      "not in model", "not drawn",
                                                      "unlinked")}}


def compare_with_model(diagram: CausalLoopDiagram, model: CausalGraph) -> CldComparison:
    """Compare a drawing with a model's causal graph (see the module docstring)."""
    mapped: dict[str, str] = {}
    unmatched: list[str] = []
    for variable in diagram.variables:
        try:
            mapped[variable.id] = canonical_name(model, variable.model or variable.label)
        except ParameterError:
            unmatched.append(variable.id)
    drawn_of = {v: k for k, v in mapped.items()}
    paths = {source: _paths_from(model, target_ids=set(drawn_of), start=node)
             for source, node in mapped.items()}
    results: list[LinkComparison] = []
    drawn_pairs = set()
    for link in diagram.links:
        drawn_pairs.add((link.source, link.target))
        if link.source not in mapped or link.target not in mapped:
            results.append(LinkComparison(link.source, link.target, "unlinked",
                                          link.polarity, None))
            continue
        found = paths[link.source].get(mapped[link.target])
        if found is None:
            results.append(LinkComparison(link.source, link.target, "not in model",
                                          link.polarity, None))
            continue
        sign, nodes = found
        status = "agrees" if sign == link.polarity else "sign differs"
        results.append(LinkComparison(link.source, link.target, status, link.polarity,
                                      sign, tuple(model.display(n) for n in nodes)))
    for source, reached in paths.items():
        for node, (sign, nodes) in reached.items():
            target = drawn_of[node]
            if target != source and (source, target) not in drawn_pairs:
                results.append(LinkComparison(source, target, "not drawn", None, sign,
                                              tuple(model.display(n) for n in nodes)))
    return CldComparison(diagram.name, model.name, tuple(results), tuple(unmatched))


def _paths_from(model: CausalGraph, target_ids: set[str], start: str
                ) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Shortest paths from ``start`` to each drawn model variable whose intermediate
    variables are not drawn: target -> (sign of the path, variables along it)."""
    outgoing: dict[str, list[CausalLink]] = {}
    for link in model.links:
        outgoing.setdefault(link.source, []).append(link)
    reached: dict[str, tuple[str, tuple[str, ...]]] = {}
    queue: deque[tuple[str, str, tuple[str, ...]]] = deque([(start, "+", (start,))])
    seen = {start}
    while queue:
        node, sign, nodes = queue.popleft()
        for link in outgoing.get(node, []):
            step = "?" if "?" in (sign, link.polarity) else (
                "+" if sign == link.polarity else "-")
            path = (*nodes, link.target)
            if link.target in target_ids:
                reached.setdefault(link.target, (step, path))
            elif link.target not in seen:
                seen.add(link.target)
                queue.append((link.target, step, path))
    return reached
