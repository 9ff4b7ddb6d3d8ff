"""A :class:`~wholesystem.ir.Project` written as an XMILE 1.0 document.

The document follows the OASIS standard: ``<header>`` with vendor, product and the
``<options>`` the model needs, ``<sim_specs>``, ``<model_units>``, ``<dimensions>``, then
the main model and its submodels with their variables, graphical functions, per-element
definitions and module connections. Reading it back gives the same project, so the same
results, up to spans and spelling.

Projects read from Vensim files are translated first (:mod:`wholesystem.export.vensim_to_xmile`):
stocks defined by ``INTEG(rate, init)`` get flows, builtins with an XMILE equivalent are
renamed, equations reading through subscript mappings are spelled out element by element.
When some builtin has none, the file keeps Vensim's functions (names with underscores)
and says so in its header with ``<ws:dialect>mdl</ws:dialect>`` (namespace
:data:`WHOLESYSTEM_NAMESPACE`); wholesystem's reader then reads its equations with
Vensim's meanings. Other XMILE tools ignore the element, but cannot run those functions
either.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from lxml import etree

from wholesystem.errors import UnsupportedFeatureError
from wholesystem.export.equations import EquationContext, xmile_equation
from wholesystem.export.names import format_number, xmile_attribute, xmile_name
from wholesystem.export.vensim_to_xmile import translate_vensim_project
from wholesystem.ir.model import (
    Dimension,
    ElementDefinition,
    GraphicalFunction,
    Model,
    Module,
    Project,
    SimSpecs,
    Variable,
    VariableKind,
)
from wholesystem.ir.names import canonical_name

__all__ = ["export_xmile", "XMILE_NAMESPACE", "ISEE_NAMESPACE", "WHOLESYSTEM_NAMESPACE"]

XMILE_NAMESPACE = "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"
"""The OASIS XMILE 1.0 namespace."""
ISEE_NAMESPACE = "http://iseesystems.com/XMILE"
"""isee systems' vendor namespace; ``isee:save_interval`` is the save step Stella reads."""
WHOLESYSTEM_NAMESPACE = "urn:wholesystem:xmile:1"
"""wholesystem's vendor namespace (``<ws:dialect>`` in the header). The XMILE reader
holds the same text; a test checks that the two agree."""

_METHODS = {"euler": "Euler", "rk4": "RK4", "rk2": "RK2", "rk45": "RK45", "gear": "Gear"}
_NSMAP = {None: XMILE_NAMESPACE, "isee": ISEE_NAMESPACE, "ws": WHOLESYSTEM_NAMESPACE}
_TAGS = {VariableKind.STOCK: "stock", VariableKind.FLOW: "flow", VariableKind.AUX: "aux"}


def export_xmile(project: Project) -> str:
    """The project as XMILE 1.0 text (UTF-8, with an XML declaration).

    Raises :class:`~wholesystem.errors.UnsupportedFeatureError`, naming the variable and
    its position, for what XMILE cannot hold: Vensim's data functions, whose file names
    are strings (``wholesystem convert`` reads the values in first), and whole arrays
    matched through a mapping that reorders elements.

    >>> import wholesystem
    >>> from wholesystem.parse import read_xmile_text
    >>> project = wholesystem.load(wholesystem.example_path("teacup")).project
    >>> again = read_xmile_text(export_xmile(project))
    >>> [v.name for v in again.main.variables] == [v.name for v in project.main.variables]
    True
    """
    translated, dialect = translate_vensim_project(project) if project.format == "mdl" \
        else (project, "xmile")
    root = etree.Element(f"{{{XMILE_NAMESPACE}}}xmile", nsmap=_NSMAP)
    root.set("version", "1.0")
    _Writer(translated, dialect).write(root)
    etree.cleanup_namespaces(root)
    etree.indent(root, space="  ")
    body = etree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'


def _version() -> str:
    try:
        return version("wholesystem")
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        return "0"


def _sub(parent: etree._Element, tag: str, text: str | None = None,
         **attributes: str) -> etree._Element:
    namespace = XMILE_NAMESPACE
    if ":" in tag:
        prefix, tag = tag.split(":", 1)
        namespace = _NSMAP[prefix]
    element = etree.SubElement(parent, f"{{{namespace}}}{tag}")
    for key, value in attributes.items():
        if ":" in key:
            prefix, key = key.split(":", 1)
            key = f"{{{_NSMAP[prefix]}}}{key}"
        element.set(key, value)
    if text is not None:
        element.text = text
    return element


class _Writer:
    """Writes one project; knows its dimensions to spell element names."""

    def __init__(self, project: Project, dialect: str):
        self.project = project
        self.dialect = dialect
        self.dimensions = {d.name: d for d in project.dimensions}

    def write(self, root: etree._Element) -> None:
        self.header(_sub(root, "header"))
        self.sim_specs(root, self.project.sim_specs)
        if self.project.units:
            units = _sub(root, "model_units")
            for name, aliases in self.project.units:
                unit = _sub(units, "unit", name=name)
                for alias in aliases:
                    _sub(unit, "alias", alias)
        if self.project.dimensions:
            dims = _sub(root, "dimensions")
            for dimension in self.project.dimensions:
                self.dimension(dims, dimension)
        for model in self.project.models:
            self.model(root, model)

    def header(self, header: etree._Element) -> None:
        most = max((len(v.dimensions) for m in self.project.models for v in m.variables),
                   default=0)
        if most or len(self.project.models) > 1:
            options = _sub(header, "options", namespace="std")
            if most:
                _sub(options, "uses_arrays", maximum_dimensions=str(most))
            if len(self.project.models) > 1:
                _sub(options, "uses_submodels")
        _sub(header, "name", self.project.name)
        _sub(header, "vendor", "wholesystem")
        _sub(header, "product", "wholesystem", version=_version(), lang="en")
        if self.dialect != "xmile":
            _sub(header, "ws:dialect", self.dialect)

    def sim_specs(self, root: etree._Element, specs: SimSpecs) -> None:
        attributes = {"method": _METHODS.get(specs.method, specs.method)}
        if specs.time_units:
            attributes["time_units"] = specs.time_units
        if specs.save_step is not None:
            attributes["isee:save_interval"] = format_number(specs.save_step)
        element = _sub(root, "sim_specs", **attributes)
        _sub(element, "start", format_number(specs.start))
        _sub(element, "stop", format_number(specs.stop))
        _sub(element, "dt", format_number(specs.dt))

    def dimension(self, parent: etree._Element, dimension: Dimension) -> None:
        # Mappings and equivalences are gone from the equations (spelled out element by
        # element, see .subscripts); the ranges themselves are plain XMILE dimensions.
        numbered = dimension.elements == tuple(str(i + 1) for i in range(len(dimension.elements)))
        if numbered:
            _sub(parent, "dim", name=xmile_attribute(dimension.display),
                 size=str(len(dimension.elements)))
            return
        dim = _sub(parent, "dim", name=xmile_attribute(dimension.display))
        for element in dimension.elements:
            _sub(dim, "elem", name=element)

    # -- models ------------------------------------------------------------------------
    def model(self, root: etree._Element, model: Model) -> None:
        attributes = {"name": self.model_display(model)} if model.name else {}
        variables = _sub(_sub(root, "model", **attributes), "variables")
        context = EquationContext.of(self.project, model, self.dimensions)
        for variable in model.variables:
            self.variable(variables, variable, context)
        for module in model.modules:
            self.module(variables, module)

    def model_display(self, model: Model) -> str:
        """A submodel's name as written: the display of a module named like it."""
        for other in self.project.models:
            for module in other.modules:
                if module.model_name == model.name and module.name == model.name:
                    return xmile_attribute(module.display)
        return xmile_attribute(model.name)

    def variable(self, parent: etree._Element, variable: Variable,
                 context: EquationContext) -> None:
        standalone_table = (variable.kind is VariableKind.AUX and variable.equation is None
                            and variable.graphical_function is not None
                            and not variable.elements)
        tag = "gf" if standalone_table else _TAGS[variable.kind]
        attributes = {"name": xmile_attribute(variable.display)}
        if variable.access:
            attributes["access"] = variable.access
        element = _sub(parent, tag, **attributes)
        if standalone_table:
            self.table_points(element, variable.graphical_function)  # type: ignore[arg-type]
        if variable.dimensions:
            dims = _sub(element, "dimensions")
            for name in variable.dimensions:
                _sub(dims, "dim", name=xmile_attribute(self.dimension_display(name)))
        if variable.doc:
            _sub(element, "doc", variable.doc)
        for definition in variable.elements:
            self.element_definition(element, variable, definition, context)
        if variable.equation is not None:
            _sub(element, "eqn", xmile_equation(variable.equation, variable, context))
        if variable.graphical_function is not None and not standalone_table:
            self.graphical_function(element, variable.graphical_function)
        for flow in variable.inflows:
            _sub(element, "inflow", xmile_name(context.display(flow)))
        for flow in variable.outflows:
            _sub(element, "outflow", xmile_name(context.display(flow)))
        if variable.rate is not None:  # pragma: no cover - translated into flows before
            raise UnsupportedFeatureError(
                f"stock '{variable.display}' has a net rate but no flows", variable.span)
        if variable.non_negative and variable.kind is not VariableKind.AUX:
            _sub(element, "non_negative")
        if variable.units:
            _sub(element, "units", variable.units)

    def dimension_display(self, name: str) -> str:
        dimension = self.dimensions.get(name)
        return dimension.display if dimension is not None else name

    def element_definition(self, parent: etree._Element, variable: Variable,
                           definition: ElementDefinition, context: EquationContext) -> None:
        names = []
        for position, subscript in enumerate(definition.subscripts):
            dimension = (self.dimensions.get(variable.dimensions[position])
                         if position < len(variable.dimensions) else None)
            names.append(_element_as_written(dimension, subscript))
        element = _sub(parent, "element", subscript=", ".join(names))
        if definition.equation is not None:
            equation = definition.equation
            if definition.bindings:
                equation = context.bind(equation, definition.bindings)
            _sub(element, "eqn", xmile_equation(equation, variable, context))
        if definition.graphical_function is not None:
            self.graphical_function(element, definition.graphical_function)

    def graphical_function(self, parent: etree._Element, table: GraphicalFunction) -> None:
        self.table_points(_sub(parent, "gf"), table)

    def table_points(self, element: etree._Element, table: GraphicalFunction) -> None:
        element.set("type", table.kind.value)
        low, high, count = table.xs[0], table.xs[-1], len(table.xs)
        even = count > 1 and all(
            low + (high - low) * i / (count - 1) == x for i, x in enumerate(table.xs))
        if even:
            _sub(element, "xscale", min=format_number(low), max=format_number(high))
        finite = [y for y in table.ys if y == y]
        if finite:
            _sub(element, "yscale", min=format_number(min(finite)),
                 max=format_number(max(finite)))
        if not even:
            _sub(element, "xpts", ",".join(format_number(x) for x in table.xs))
        _sub(element, "ypts", ",".join(format_number(y) for y in table.ys))

    def module(self, parent: etree._Element, module: Module) -> None:
        attributes = {"name": xmile_attribute(module.display)}
        if module.model_name != module.name:
            attributes["model_name"] = self.model_display(
                self.project.model_named(module.model_name) or Model(module.model_name, ()))
        element = _sub(parent, "module", **attributes)
        for connection in module.connections:
            _sub(element, "connect", to=_path(connection.to), **{"from": _path(connection.source)})


def _element_as_written(dimension: Dimension | None, subscript: str) -> str:
    if dimension is not None:
        for element in dimension.elements:
            if canonical_name(element) == subscript:
                return element
    return subscript


def _path(path: str) -> str:
    """A connection end (``.x``, ``module.x``) spelled part by part."""
    return ".".join(xmile_name(part) if part else "" for part in path.split("."))
