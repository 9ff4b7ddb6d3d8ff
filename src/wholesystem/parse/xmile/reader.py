"""Read XMILE files (``.xmile``, ``.stmx``, ``.itmx``) into the IR.

Handles XMILE 1.0 as Stella/iThink and converters write it, and the older STELLA 10 draft
that puts variables directly under ``<model>``. Namespaces are ignored (Stella mixes the
OASIS, the draft ``systemdynamics.org`` and its own ``isee`` namespaces); every element is
matched by its local name. Presentation (views, styles, isee preferences) is skipped.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import replace
from pathlib import Path

from lxml import etree

from wholesystem.builtins.registry import CONSTANTS
from wholesystem.datafiles import FileAccess, limits_for
from wholesystem.diagnostics import SourceSpan
from wholesystem.errors import ModelStructureError, ModelSyntaxError, UnsupportedFeatureError
from wholesystem.ir.expr import Expr, Number
from wholesystem.ir.model import (
    Connection,
    Conveyor,
    Dimension,
    ElementDefinition,
    GraphicalFunction,
    GraphicalFunctionKind,
    Leak,
    Model,
    Module,
    Project,
    SimSpecs,
    SourceFile,
    Variable,
    VariableKind,
)
from wholesystem.ir.names import canonical_name, display_name
from wholesystem.parse.expr import EquationOrigin, parse_xmile_expression
from wholesystem.parse.xmile.macros import (
    MacroDefinition,
    MacroExpander,
    MacroParameter,
    define_macro,
)
from wholesystem.parse.xmile.self_reference import resolve_self

__all__ = ["read_xmile", "read_xmile_text"]

_VARIABLE_TAGS = {"stock": VariableKind.STOCK, "flow": VariableKind.FLOW,
                  "aux": VariableKind.AUX, "gf": VariableKind.AUX}
_SKIPPED_TAGS = {"group", "views", "view", "interface", "display", "behavior", "misc",
                 "style", "connector", "alias"}
_UNSUPPORTED_STOCK_TYPES = ("queue",)
_UNSUPPORTED_CONVEYOR_OPTIONS = ("capacity", "in_limit", "arrest", "sample", "discrete",
                                 "batch_integrity", "one_at_a_time")
_COMMENT = re.compile(r"\{[^}]*\}")
_EQN_TAG = re.compile("<eqn", re.IGNORECASE)
_NUMBER = r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*"
_NUMBER_LIST = re.compile(rf"^{_NUMBER}([,;]{_NUMBER})+[;]?\s*$")


def read_xmile(path: str | Path, access: FileAccess | None = None) -> Project:
    """Read an XMILE model file.

    Raises :class:`~wholesystem.errors.ModelSyntaxError` (with file, line and column) for
    malformed XML or equations and :class:`~wholesystem.errors.ModelStructureError` for
    missing essentials (no ``<model>``, bad ``<sim_specs>``).
    """
    path = Path(path)
    raw = path.read_bytes()
    return read_xmile_text(_decode(raw, str(path)), str(path), access)


def _decode(raw: bytes, file: str) -> str:
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ModelSyntaxError("file is not text", SourceSpan(file, 1, 1))  # pragma: no cover


def read_xmile_text(text: str, file: str = "<string>",
                    access: FileAccess | None = None) -> Project:
    """Read XMILE from a string; ``file`` is used in error messages; ``access`` is kept
    with the project for anything that reads files later."""
    limits_for(access).check_document(text, file)
    root = _parse_xml(text, file)
    reader = _Reader(file, text, access)
    return reader.project(root)


# XMILE needs no DTD: none is loaded, no entity is expanded, nothing is fetched from the
# network, and libxml2 keeps its own bounds (depth 256, 10 MB per text node) since
# huge_tree stays off. A DOCTYPE with declarations is refused before parsing (see
# _refuse_dtd), so entity bombs never reach libxml2 at all.
_PARSER_OPTIONS = {"remove_comments": True, "remove_pis": True, "resolve_entities": False,
                   "no_network": True, "load_dtd": False, "dtd_validation": False,
                   "attribute_defaults": False, "huge_tree": False, "recover": False}
_DTD_DECLARATION = re.compile(r"<!DOCTYPE\s+[^\s>\[]+\s*(\[|SYSTEM\b|PUBLIC\b)|<!ENTITY\b",
                              re.IGNORECASE)


def _refuse_dtd(text: str, file: str) -> None:
    """Refuse a document type declaration that declares or fetches anything.

    Entity declarations are how XML external-entity attacks (reading a local file or a URL
    into the model) and entity-expansion bombs (billion laughs, quadratic blow-up) work;
    XMILE uses neither, so ``<!DOCTYPE xmile>`` alone passes and anything more is refused.
    """
    first_element = re.search(r"<[A-Za-z_]", text)
    prolog = text[:first_element.start()] if first_element else text
    found = _DTD_DECLARATION.search(prolog)
    if found is None:
        return
    line = text.count("\n", 0, found.start()) + 1
    column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
    raise ModelSyntaxError(
        "refused: the file declares a DTD or XML entities (XMILE uses neither; they are "
        "how external-entity and entity-expansion attacks work)",
        SourceSpan(file, line, column), hint="remove the <!DOCTYPE ...> declaration")


def _parse_xml(text: str, file: str) -> etree._Element:
    _refuse_dtd(text, file)
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    # lxml refuses str input that declares an encoding; hand it bytes instead.
    body = re.sub(r"^\s*<\?xml[^>]*\?>", lambda m: "\n" * m.group(0).count("\n"), text,
                  count=1)
    # Lone surrogates cannot come from a decoded file, but can from a caller's str: pass
    # them through so libxml2 rejects them as a syntax error with a position.
    data = _declare_missing_prefixes(body).encode("utf-8", errors="surrogatepass")
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        line, column = err.position if err.position else (1, 1)
        message = str(err.msg or err).split(", line")[0]
        lines = _split_lines(text)
        source = lines[line - 1].expandtabs(1) if 0 < line <= len(lines) else ""
        excerpt = f"  {source}\n  {' ' * max(column - 1, 0)}^" if source.strip() else None
        raise ModelSyntaxError(f"malformed XML: {message}", SourceSpan(file, line, column),
                               excerpt=excerpt) from None
    if _local(root) != "xmile":
        raise ModelStructureError(f"root element is <{_local(root)}>, expected <xmile>",
                                  SourceSpan(file, root.sourceline or 1, 1))
    return root


_KNOWN_PREFIXES = {"isee": "http://iseesystems.com/XMILE",
                   "simlab": "http://simlab.example/XMILE"}


def _declare_missing_prefixes(body: str) -> str:
    """Declare namespace prefixes that converters use without declaring (``isee:``).

    xmutil writes ``<isee:prefs>`` into files whose root declares no ``isee`` namespace;
    Stella reads them, so we do too. The declaration goes into the root tag, on its own
    line-neutral position, so line numbers in errors stay right.
    """
    used = set(re.findall(r"</?([A-Za-z_][\w.-]*):[A-Za-z_]", body))
    declared = set(re.findall(r"xmlns:([A-Za-z_][\w.-]*)\s*=", body))
    missing = sorted(used - declared - {"xml"})
    if not missing:
        return body
    root = re.search(r"<xmile\b", body, re.IGNORECASE)
    if root is None:
        return body
    declarations = "".join(
        f' xmlns:{p}="{_KNOWN_PREFIXES.get(p, "urn:wholesystem:undeclared:" + p)}"'
        for p in missing)
    return body[:root.end()] + declarations + body[root.end():]


def _split_lines(text: str) -> list[str]:
    """Lines as libxml2 and lark number them: only ``\\n`` ends a line.

    ``str.splitlines`` also breaks at ``\\x85``, ``\\u2028``... which may sit inside
    equations and documentation, and would shift every later line number.
    """
    return [line.removesuffix("\r") for line in text.split("\n")]


def _local(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if _local(c) == name]


def _child(element: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in element if _local(c) == name), None)


def _attr(element: etree._Element, name: str) -> str | None:
    """An attribute by local name, whatever its namespace."""
    for key, value in element.attrib.items():
        if str(key).rsplit("}", 1)[-1].lower() == name:
            return str(value)
    return None


class _Reader:
    """One file's reading context: the file name and text for spans."""

    def __init__(self, file: str, text: str, access: FileAccess | None = None):
        self.file = file
        self.text = text
        self.access = access
        self.lines = _split_lines(text)
        self.known_dimensions: dict[str, Dimension] = {}
        self.non_negative_defaults: dict[str, bool] = {"stock": False, "flow": False}
        self.macros = MacroExpander({})

    def span(self, element: etree._Element) -> SourceSpan:
        line = element.sourceline or 0
        column = 1
        if 0 < line <= len(self.lines):
            found = self.lines[line - 1].find("<")
            column = found + 1 if found >= 0 else 1
        return SourceSpan(self.file, line, column)

    # -- project ---------------------------------------------------------------------
    def project(self, root: etree._Element) -> Project:
        header = _child(root, "header")
        name_element = _child(header, "name") if header is not None else None
        name = (name_element.text or "").strip() if name_element is not None else ""
        sim_specs = self.sim_specs(_child(root, "sim_specs"), root)
        dims_element = _child(root, "dimensions")
        dimensions = self.dimensions(dims_element) if dims_element is not None else ()
        self.known_dimensions = {d.name: d for d in dimensions}
        self.non_negative_defaults = self.behavior(_child(root, "behavior"),
                                                   {"stock": False, "flow": False})
        self.macros = MacroExpander(self.macro_definitions(root))
        model_elements = _children(root, "model")
        if not model_elements:
            raise ModelStructureError("the file has no <model> element", self.span(root))
        models = [self.model(m) for m in model_elements]
        main_index = next((i for i, m in enumerate(model_elements) if not _attr(m, "name")), 0)
        models.insert(0, models.pop(main_index))
        models[0] = Model("", models[0].variables, models[0].modules, models[0].span)
        return Project(
            name=name or Path(self.file).stem,
            source=SourceFile(self.file, self.text, self.access),
            sim_specs=sim_specs,
            models=tuple(models),
            dimensions=dimensions,
            units=self.units(_child(root, "model_units")),
            format=_dialect(header),
        )

    def sim_specs(self, element: etree._Element | None, root: etree._Element) -> SimSpecs:
        if element is None:
            raise ModelStructureError("the file has no <sim_specs> element", self.span(root))
        start = self.required_number(element, "start")
        stop = self.required_number(element, "stop")
        dt_element = _child(element, "dt")
        dt = 1.0
        if dt_element is not None:
            dt = self.number(dt_element)
            if (_attr(dt_element, "reciprocal") or "").lower() == "true":
                dt = 1.0 / dt if dt != 0 else math.inf
        save = self.number_child(element, "savestep")
        if save is None:
            interval = _attr(element, "save_interval") or _attr(element, "savestep")
            save = self.number_text(interval, "save_interval", element) if interval else None
        method = (_attr(element, "method") or "euler").strip().lower()
        if not all(math.isfinite(v) for v in (start, stop, dt)) or dt <= 0 or stop < start:
            raise ModelStructureError(
                f"bad sim_specs: start {start}, stop {stop}, dt {dt}", self.span(element),
                hint="dt must be positive and stop not before start")
        if save is not None and not (math.isfinite(save) and save > 0):
            raise ModelStructureError(f"the save interval must be a positive number, not "
                                      f"{save:g}", self.span(element))
        return SimSpecs(start, stop, dt, save, method, _attr(element, "time_units"),
                        self.span(element))

    def required_number(self, element: etree._Element, name: str) -> float:
        value = self.number_child(element, name)
        if value is None:
            raise ModelStructureError(f"<{_local(element)}> lacks <{name}>", self.span(element))
        return value

    def number_child(self, element: etree._Element, name: str) -> float | None:
        child = _child(element, name)
        return None if child is None else self.number(child)

    def number(self, element: etree._Element) -> float:
        return self.number_text(element.text or "", f"<{_local(element)}>", element)

    def number_text(self, text: str, what: str, element: etree._Element) -> float:
        try:
            return float(text.strip())
        except ValueError:
            raise ModelSyntaxError(f"{what} should hold a number, not '{text.strip()}'",
                                   self.span(element)) from None

    def dimensions(self, element: etree._Element) -> tuple[Dimension, ...]:
        result = []
        for dim in _children(element, "dim"):
            name = _attr(dim, "name") or ""
            elems = tuple(_attr(e, "name") or "" for e in _children(dim, "elem"))
            if not elems:
                size = _attr(dim, "size")
                if size is None or not size.strip().isdecimal():
                    raise ModelStructureError(
                        f"dimension '{name}' has neither <elem> children nor a size",
                        self.span(dim))
                # A size of thousands of digits is over any limit (and over int()'s).
                count = int(size) if len(size.strip()) <= 18 else math.inf
                limits_for(self.access).check("max_elements_per_dimension", count,
                                              f"dimension '{name}'", self.span(dim))
                elems = tuple(str(i) for i in range(1, int(size) + 1))
            result.append(Dimension(canonical_name(name), display_name(name), elems,
                                    self.span(dim)))
        return tuple(result)

    def units(self, element: etree._Element | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
        if element is None:
            return ()
        declared = []
        for unit in _children(element, "unit"):
            aliases = tuple((a.text or "").strip() for a in _children(unit, "alias"))
            declared.append((_attr(unit, "name") or "", aliases))
        return tuple(declared)

    # -- models ----------------------------------------------------------------------
    def behavior(self, element: etree._Element | None, defaults: dict[str, bool]
                 ) -> dict[str, bool]:
        """Defaults from ``<behavior>``: ``<non_negative/>`` for all stocks and flows, or
        inside ``<stock>`` / ``<flow>`` for one kind (XMILE 1.0, 2.4)."""
        result = dict(defaults)
        if element is None:
            return result
        overall = _child(element, "non_negative")
        if overall is not None:
            result = {kind: _flag(overall) for kind in result}
        for kind in ("stock", "flow"):
            specific = _child(element, kind)
            flag = _child(specific, "non_negative") if specific is not None else None
            if flag is not None:
                result[kind] = _flag(flag)
        return result

    def model(self, element: etree._Element) -> Model:
        outer_defaults = self.non_negative_defaults
        self.non_negative_defaults = self.behavior(_child(element, "behavior"), outer_defaults)
        try:
            return self.model_body(element)
        finally:
            self.non_negative_defaults = outer_defaults

    def model_body(self, element: etree._Element) -> Model:
        container = _child(element, "variables")
        items = list(container) if container is not None else list(element)
        variables: list[Variable] = []
        modules: list[Module] = []
        spread: dict[str, SourceSpan] = {}
        for item in items:
            tag = _local(item)
            if tag in _VARIABLE_TAGS:
                variables.append(self.variable(item, _VARIABLE_TAGS[tag]))
                if _attr(item, "spreadflow") is not None:
                    spread[variables[-1].name] = variables[-1].span
            elif tag == "module":
                modules.append(self.module(item))
        self.reject_duplicates(variables, modules)
        _reject_spread_conveyor_inputs(variables, spread)
        name = canonical_name(_attr(element, "name") or "")
        expanded = self.macros.expand_variables(resolve_self(variables))
        return Model(name, tuple(expanded), tuple(_rewire(modules)), self.span(element))

    # -- macros (XMILE 1.0 section 4.8; expanded by .macros) ---------------------------
    def macro_definitions(self, root: etree._Element) -> dict[str, MacroDefinition]:
        """The file's ``<macro>`` elements (beside ``<model>``), by canonical name."""
        found: dict[str, MacroDefinition] = {}
        for element in _children(root, "macro"):
            macro = self.macro(element)
            if macro.name in found:
                raise ModelStructureError(f"macro '{macro.display}' is defined twice (first "
                                          f"at {found[macro.name].span})", macro.span)
            found[macro.name] = macro
        return found

    def macro(self, element: etree._Element) -> MacroDefinition:
        span = self.span(element)
        raw_name = (_attr(element, "name") or "").strip()
        if not raw_name:
            raise ModelStructureError("<macro> without a name", span)
        shown = display_name(raw_name)
        for unsupported, why in (("sim_specs", "its own <sim_specs> (a macro that runs to "
                                  "completion at each call)"),
                                 ("module", "a submodel (<module>)")):
            found = next((e for e in element.iter() if _local(e) == unsupported), None)
            if found is not None:
                raise UnsupportedFeatureError(
                    f"macro '{shown}' has {why}, which wholesystem does not support yet",
                    self.span(found))
        equation = self.equation(element)
        if equation is None:
            raise ModelStructureError(f"macro '{shown}' has no <eqn>", span,
                                      hint="XMILE 1.0 (section 4.8) requires one: the "
                                           "macro's value")
        container = _child(element, "variables")
        variables = [self.variable(item, _VARIABLE_TAGS[_local(item)])
                     for item in (container if container is not None else ())
                     if _local(item) in _VARIABLE_TAGS]
        self.reject_duplicates(variables, [])
        global_names = set(CONSTANTS)
        for dimension in self.known_dimensions.values():
            global_names |= {dimension.name, *dimension.canonical_elements}
        return define_macro(MacroDefinition(
            canonical_name(raw_name), shown,
            tuple(self.macro_parameter(p, shown) for p in _children(element, "parm")),
            equation, tuple(resolve_self(variables)), span), global_names)

    def macro_parameter(self, element: etree._Element, macro: str) -> MacroParameter:
        span = self.span(element)
        text = (element.text or "").strip()
        if not text:
            raise ModelStructureError(f"a <parm> of macro '{macro}' has no name", span)
        default_text = _attr(element, "default")
        default = None
        if default_text is not None:
            if not _COMMENT.sub("", default_text).strip():
                raise ModelStructureError(f"parameter '{display_name(text)}' of macro "
                                          f"'{macro}' has an empty default", span)
            default = parse_xmile_expression(default_text, self.attribute_origin(element,
                                                                                 "default"))
        return MacroParameter(canonical_name(text), display_name(text), default, span)

    def attribute_origin(self, element: etree._Element, name: str) -> EquationOrigin:
        """Where an attribute's value starts, for positions inside it."""
        line = element.sourceline or 1
        column = 1
        if 0 < line <= len(self.lines):
            found = re.search(rf"\b{name}\s*=\s*[\"']", self.lines[line - 1])
            column = found.end() + 1 if found else 1
        return EquationOrigin(self.file, line, column)

    def reject_duplicates(self, variables: list[Variable], modules: list[Module]) -> None:
        seen: dict[str, SourceSpan] = {}
        for name, span in [(v.name, v.span) for v in variables] + [(m.name, m.span)
                                                                    for m in modules]:
            if name in seen:
                raise ModelStructureError(
                    f"'{name}' is defined twice (first at {seen[name]})", span)
            seen[name] = span

    def module(self, element: etree._Element) -> Module:
        """A module instance; a connection's ``to`` is relative to this module unless it
        names a sibling module (see :func:`_rewire`)."""
        raw_name = _attr(element, "name") or ""
        model_name = _attr(element, "model_name") or raw_name
        connections = []
        for connect in _children(element, "connect") + _children(element, "connect2"):
            to = _attr(connect, "to") or ""
            source = _attr(connect, "from") or ""
            # Stella writes the inner end either bare ("area") or with the module's own
            # name in front ("hares.area"); both mean the module's variable.
            if canonical_name(to.split(".")[0]) == canonical_name(raw_name) and "." in to:
                to = to.split(".", 1)[1]
            connections.append(Connection(_canonical_path(to), _canonical_path(source),
                                          self.span(connect)))
        return Module(canonical_name(raw_name), display_name(raw_name),
                      canonical_name(model_name), tuple(connections), self.span(element))

    def variable(self, element: etree._Element, kind: VariableKind) -> Variable:
        raw_name = _attr(element, "name")
        span = self.span(element)
        if not raw_name:
            raise ModelStructureError(f"<{_local(element)}> without a name", span)
        for unsupported in _UNSUPPORTED_STOCK_TYPES:
            if _child(element, unsupported) is not None:
                raise UnsupportedFeatureError(
                    f"stock '{display_name(raw_name)}' is a {unsupported}, "
                    "which wholesystem does not support yet", span)
        gf_element = element if _local(element) == "gf" else _child(element, "gf")
        graphical = self.graphical_function(gf_element) if gf_element is not None else None
        dims_element = _child(element, "dimensions")
        dims = tuple(canonical_name(_attr(d, "name") or "")
                     for d in (_children(dims_element, "dim") if dims_element is not None
                               else []))
        elements = tuple(self.element(e) for e in _children(element, "element"))
        listed = None
        if dims and not elements:
            listed = self.constant_list(element, dims) or self.equation_list(element, dims)
        if listed is not None:
            elements, equation = listed, None
        else:
            equation = self.equation(element)
        if _local(element) == "gf":
            equation = None  # a standalone table is only ever called: LOOKUP(name, x)
        return Variable(
            name=canonical_name(raw_name),
            display=display_name(raw_name),
            kind=kind,
            equation=equation,
            span=span,
            dimensions=dims,
            elements=elements,
            graphical_function=graphical,
            inflows=tuple(canonical_name(f.text or "") for f in _children(element, "inflow")),
            outflows=tuple(canonical_name(f.text or "")
                           for f in _children(element, "outflow")),
            non_negative=self.non_negative(element, kind),
            conveyor=self.conveyor(element, raw_name) if kind is VariableKind.STOCK else None,
            leak=self.leak(element) if kind is VariableKind.FLOW else None,
            units=_text(_child(element, "units")),
            doc=_text(_child(element, "doc")) or "",
            access=_attr(element, "access"),
        )

    def constant_list(self, element: etree._Element, dims: tuple[str, ...]
                      ) -> tuple[ElementDefinition, ...] | None:
        """Element definitions from an arrayed constant written as a list: ``1, 2, 3``.

        Converters from Vensim write constant lists this way; values fill the array in
        row-major order (last dimension fastest), as Vensim's ``1, 2; 3, 4;`` does.
        """
        eqn = _child(element, "eqn")
        text = _COMMENT.sub("", (eqn.text or "") if eqn is not None else "")
        if not _NUMBER_LIST.match(text):
            return None
        values = [float(v) for v in re.split(r"[,;]", text) if v.strip()]
        grid = self.element_grid(dims, self.span(element))
        if len(values) != len(grid):
            raise ModelStructureError(
                f"'{_attr(element, 'name')}' lists {len(values)} values for "
                f"{len(grid)} elements", self.span(eqn if eqn is not None else element))
        origin = self.equation_origin(eqn) if eqn is not None else None
        span = origin.span(1, 1) if origin else self.span(element)
        return tuple(ElementDefinition(subs, Number(value, span), None, span)
                     for subs, value in zip(grid, values, strict=True))

    def element_grid(self, dims: tuple[str, ...], span: SourceSpan) -> list[tuple[str, ...]]:
        grids: list[tuple[str, ...]] = [()]
        size = 1
        for dim_name in dims:
            dimension = self.known_dimensions.get(dim_name)
            if dimension is None:
                raise ModelStructureError(f"unknown dimension '{dim_name}'", span)
            size *= len(dimension.elements)
            limits_for(self.access).check("max_elements_total", size,
                                          f"an array over {', '.join(dims)}", span)
            grids = [(*g, e) for g in grids for e in dimension.canonical_elements]
        return grids

    def conveyor(self, element: etree._Element, raw_name: str) -> Conveyor | None:
        """A stock's ``<conveyor>``: transit time and leak kind; options we do not build
        (capacity, inflow limit, arrest, sampling, discrete batches) are refused by name."""
        conveyor = _child(element, "conveyor")
        if conveyor is None:
            return None
        span = self.span(conveyor)
        for option in _UNSUPPORTED_CONVEYOR_OPTIONS:
            if _child(conveyor, option) is not None or _attr(conveyor, option) is not None:
                raise UnsupportedFeatureError(
                    f"conveyor '{display_name(raw_name)}' uses <{option}>, which wholesystem "
                    "does not support yet", span)
        length = _child(conveyor, "len")
        text = _COMMENT.sub("", (length.text or "") if length is not None else "").strip()
        if length is None or not text:
            raise ModelStructureError(
                f"conveyor '{display_name(raw_name)}' has no transit time (<len>)", span)
        transit = parse_xmile_expression(length.text or "", self.equation_origin(length))
        exponential = (_attr(conveyor, "exponential_leak") or "").lower() == "true"
        return Conveyor(transit, exponential)

    def leak(self, element: etree._Element) -> Leak | None:
        """A flow's ``<leak/>`` flag with its leak zone (``leak_start``, ``leak_end``)."""
        flag = _child(element, "leak")
        if flag is None or not _flag(flag):
            return None
        bounds = []
        for name, default in (("leak_start", 0.0), ("leak_end", 1.0)):
            text = _attr(element, name)
            try:
                value = default if text is None else float(text)
            except ValueError:
                raise ModelSyntaxError(f"{name} '{text}' is not a number",
                                       self.span(element)) from None
            if not 0.0 <= value <= 1.0:
                raise ModelStructureError(f"{name} {value:g} is outside 0 to 1",
                                          self.span(element))
            bounds.append(value)
        if bounds[0] > bounds[1]:
            raise ModelStructureError("the leak zone ends before it starts",
                                      self.span(element))
        return Leak(bounds[0], bounds[1])

    def non_negative(self, element: etree._Element, kind: VariableKind) -> bool:
        flag = _child(element, "non_negative")
        if flag is not None:
            return _flag(flag)
        return self.non_negative_defaults.get(kind.value, False)

    def equation_list(self, element: etree._Element, dims: tuple[str, ...]
                      ) -> tuple[ElementDefinition, ...] | None:
        """Element definitions from an arrayed variable with one ``<eqn>`` per element.

        Converters write arrays this way (no ``<element>`` wrappers); the equations fill
        the array in row-major order, as element lists do.
        """
        eqns = _children(element, "eqn")
        if len(eqns) < 2:
            return None
        grid = self.element_grid(dims, self.span(element))
        if len(eqns) != len(grid):
            raise ModelStructureError(
                f"'{_attr(element, 'name')}' has {len(eqns)} equations for {len(grid)} "
                "elements", self.span(element))
        return tuple(
            ElementDefinition(subs, self.parse_equation(e.text or "", e), None, self.span(e))
            for subs, e in zip(grid, eqns, strict=True))

    def element(self, element: etree._Element) -> ElementDefinition:
        subscript = _attr(element, "subscript") or ""
        gf_element = _child(element, "gf")
        return ElementDefinition(
            tuple(canonical_name(s) for s in subscript.split(",")),
            self.equation(element),
            self.graphical_function(gf_element) if gf_element is not None else None,
            self.span(element),
        )

    def equation(self, element: etree._Element) -> Expr | None:
        eqn = _child(element, "eqn")
        if eqn is None:
            return None
        text = eqn.text or ""
        if not _COMMENT.sub("", text).strip():
            return None  # e.g. "{Enter equation for use when not hooked up...}"
        return self.parse_equation(text, eqn)

    def parse_equation(self, text: str, eqn: etree._Element) -> Expr:
        """``text`` parsed, after checking its length (lark's time grows with it)."""
        origin = self.equation_origin(eqn)
        limits_for(self.access).check("max_equation_chars", len(text), "the equation",
                                      origin.span(1, 1))
        return parse_xmile_expression(text, origin)

    def equation_origin(self, eqn: etree._Element) -> EquationOrigin:
        line = eqn.sourceline or 1
        column = 1
        if 0 < line <= len(self.lines):
            source_line = self.lines[line - 1]
            # A search, not a lowered copy of the line: a file written on one line would
            # be lowered once per equation (minutes for 20,000 equations).
            tag = _EQN_TAG.search(source_line)
            found = source_line.find(">", tag.start() if tag else 0)
            column = found + 2 if found >= 0 else 1
        return EquationOrigin(self.file, line, column)

    def graphical_function(self, element: etree._Element) -> GraphicalFunction:
        span = self.span(element)
        kind_text = (_attr(element, "type") or "").lower()
        if (_attr(element, "discrete") or "").lower() == "true":
            kind_text = "discrete"
        try:
            kind = GraphicalFunctionKind(kind_text or "continuous")
        except ValueError:
            raise ModelSyntaxError(f"unknown graphical function type '{kind_text}'", span,
                                   hint="use continuous, extrapolate or discrete") from None
        ys = self.points(_child(element, "ypts"), span, "ypts")
        xpts = _child(element, "xpts")
        if xpts is not None:
            xs = self.points(xpts, span, "xpts")
        else:
            xscale = _child(element, "xscale")
            if xscale is None:
                raise ModelSyntaxError("graphical function has neither <xpts> nor <xscale>", span)
            low = self.number_text(_attr(xscale, "min") or "0", "<xscale> min", xscale)
            high = self.number_text(_attr(xscale, "max") or "0", "<xscale> max", xscale)
            count = len(ys)
            xs = tuple(low + (high - low) * i / (count - 1) for i in range(count)) \
                if count > 1 else (low,)
        if len(xs) != len(ys):
            raise ModelSyntaxError(
                f"graphical function has {len(xs)} x points but {len(ys)} y points", span)
        if any(math.isnan(x) for x in xs):  # NaN passes every comparison below
            raise ModelSyntaxError("graphical function x points include NaN", span,
                                   hint="write each x point as a number, e.g. 0,1,2")
        if any(b < a for a, b in itertools.pairwise(xs)):
            raise ModelSyntaxError("graphical function x points are not ascending", span)
        return GraphicalFunction(xs, ys, kind, span)

    def points(self, element: etree._Element | None, span: SourceSpan, what: str
               ) -> tuple[float, ...]:
        if element is None:
            raise ModelSyntaxError(f"graphical function lacks <{what}>", span)
        separator = _attr(element, "sep") or ","
        text = element.text or ""
        limits_for(self.access).check("max_lookup_points", text.count(separator) + 1,
                                      f"<{what}>", self.span(element))
        try:
            return tuple(float(p) for p in text.split(separator) if p.strip())
        except ValueError:
            raise ModelSyntaxError(f"<{what}> holds something that is not a number",
                                   self.span(element)) from None


WHOLESYSTEM_NAMESPACE = "urn:wholesystem:xmile:1"
"""wholesystem's vendor namespace; ``wholesystem.export.xmile`` writes the same text."""


def _dialect(header: etree._Element | None) -> str:
    """``mdl`` when the header says the equations are Vensim's (``<ws:dialect>mdl``), as
    ``wholesystem convert`` marks a Vensim model using functions XMILE lacks; else xmile."""
    if header is not None:
        for child in header:
            if child.tag == f"{{{WHOLESYSTEM_NAMESPACE}}}dialect" and (
                    (child.text or "").strip().lower() == "mdl"):
                return "mdl"
    return "xmile"


def _reject_spread_conveyor_inputs(variables: list[Variable], spread: dict[str, SourceSpan]
                                   ) -> None:
    """Stella can spread a conveyor's input over its length (``isee:spreadflow``); we put
    material only at the entry, so such a model is refused rather than run differently."""
    for stock in variables:
        if stock.conveyor is None:
            continue
        for inflow in stock.inflows:
            if inflow in spread:
                raise UnsupportedFeatureError(
                    f"flow '{inflow}' spreads its input over conveyor '{stock.display}' "
                    "(isee:spreadflow), which wholesystem does not support yet",
                    spread[inflow])


def _flag(element: etree._Element) -> bool:
    """``<non_negative/>`` or ``<non_negative>true</non_negative>`` -> True; ``false`` -> False."""
    return (element.text or "").strip().lower() not in ("false", "0", "no")


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    text = "".join(element.itertext()).strip()
    return text or None


def _rewire(modules: list[Module]) -> list[Module]:
    """Give each connection to the module it feeds.

    Stella writes a connection from one module's output to another module's input on the
    *source* module (``<connect to="EDUCATION.aging_1" from="POPULATION.aging_1"/>`` inside
    ``POPULATION``); the XMILE standard (3.7.2) places it on the module whose input it
    sets, with the inner end bare. A ``to`` that starts with a sibling's name therefore
    belongs to that sibling, with the sibling's name removed.
    """
    by_name = {m.name: m for m in modules}
    moved: dict[str, list[Connection]] = {m.name: [] for m in modules}
    for module in modules:
        for connection in module.connections:
            head, dot, rest = connection.to.partition(".")
            owner = head if dot and head in by_name and head != module.name else module.name
            target = replace(connection, to=rest) if owner != module.name else connection
            # Stella repeats each connection as <connect2>; keep one.
            if all((c.to, c.source) != (target.to, target.source) for c in moved[owner]):
                moved[owner].append(target)
    return [replace(m, connections=tuple(moved[m.name])) for m in modules]


def _canonical_path(path: str) -> str:
    """Canonical form of a connection end: ``.Area`` -> ``.area``, ``lynxes.Lynxes``."""
    return ".".join(canonical_name(part) if part else "" for part in path.split("."))
