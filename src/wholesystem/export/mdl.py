"""A :class:`~wholesystem.ir.Project` written as a Vensim ``.mdl`` file.

Vensim has no modules, so the model is flattened first (``hares.births`` becomes the
quoted name ``"hares.births"``). Stocks become ``INTEG(inflows - outflows, initial)``;
XMILE's non-negative stocks and uniflows, which Vensim lacks, become
``INTEG(MAX(rate, -stock / TIME STEP), initial)`` and ``MAX(flow, 0)``, what the
integrator's floor computes. XMILE builtins are rewritten into Vensim's
(:mod:`wholesystem.export.builtin_map`); graphical functions become lookups, read by
``LOOKUP EXTRAPOLATE`` or ``LOOKUP BACKWARD`` where their type asks. The simulation
settings become the ``.Control`` group; Vensim files carry no integration method, so only
Euler models convert.

What cannot be written raises :class:`~wholesystem.errors.UnsupportedFeatureError` naming
the variable and the position of the call or name in the source file.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from wholesystem.errors import UnsupportedFeatureError
from wholesystem.export.builtin_map import translate_equations, xmile_to_vensim_call
from wholesystem.export.names import format_number, unique_name, vensim_name
from wholesystem.ir.expr import Call, Expr, Number, Reference, Text, Wildcard, transform
from wholesystem.ir.flatten import flatten
from wholesystem.ir.model import (
    Dimension,
    ElementDefinition,
    GraphicalFunction,
    GraphicalFunctionKind,
    Project,
    Variable,
    VariableKind,
)
from wholesystem.ir.names import canonical_name
from wholesystem.ir.printer import print_vensim

__all__ = ["export_mdl"]

_CONTROLS = ("final time", "initial time", "time step", "saveper")
_CONTROL_DISPLAYS = {"final time": "FINAL TIME", "initial time": "INITIAL TIME",
                     "time step": "TIME STEP", "saveper": "SAVEPER", "time": "Time"}
_DATA_FUNCTIONS = frozenset({"GET XLS DATA", "GET DIRECT DATA"})
_DATA_CALL = "#DATA"
"""How the Vensim reader writes a data variable without an equation (``#DATA(name)``)."""
_REDUCTIONS = frozenset({"SUM", "PROD", "VMIN", "VMAX"})
_SKETCH = (
    "\\\\\\---/// Sketch information - do not modify anything except names\n"
    "V300  Do not put anything below this section - it will be ignored\n"
    "*View 1\n"
    "$192-192-192,0,Times New Roman|12||0-0-0|0-0-0|0-0-255|-1--1--1|-1--1--1|96,96,100,0\n"
    "///---\\\\\\\n"
)


def export_mdl(project: Project) -> str:
    """The project as Vensim ``.mdl`` text.

    >>> import wholesystem
    >>> project = wholesystem.load(wholesystem.example_path("teacup")).project
    >>> print(export_mdl(project).splitlines()[1])
    Teacup Temperature= INTEG (
    """
    specs = project.sim_specs
    if specs.method != "euler":
        raise UnsupportedFeatureError(
            f"integration method '{specs.method}' cannot be written in a Vensim .mdl file "
            "(Vensim keeps it outside the equations)", specs.span,
            hint=f"convert, then run with --method {specs.method}")
    flat = flatten(project)
    if flat.format != "mdl":
        flat = translate_equations(flat, xmile_to_vensim_call, "mdl", strict=True)  # type: ignore[assignment]
    return _MdlWriter(flat).text()


@dataclass(frozen=True)
class _Entry:
    """One ``name = definition ~ units ~ doc |`` block."""

    left: str
    definition: str
    units: str = ""
    doc: str = ""

    def text(self) -> str:
        doc = "\n\t\t".join(_field(line) for line in self.doc.splitlines())
        return f"{self.left}{self.definition}\n\t~\t{_field(self.units)}\n\t~\t{doc}\n\t|\n"


def _field(text: str) -> str:
    """Units or documentation text, kept from ending its field early."""
    return text.replace("~", "-").replace("|", "/")


class _MdlWriter:
    """Writes one flat project whose equations are in Vensim's words."""

    def __init__(self, project: Project):
        self.project = project
        self.model = project.main
        self.variables = self.model.variable_map()
        self.dimensions = {d.name: d for d in project.dimensions}
        self.displays: dict[str, str] = {}
        for dimension in project.dimensions:
            self.displays[dimension.name] = dimension.display
            self.displays.update((canonical_name(e), e) for e in dimension.elements)
        self.displays.update(_CONTROL_DISPLAYS)
        self.displays.update((v.name, v.display) for v in self.model.variables)
        self.subscript_names = set(self.dimensions) | {
            canonical_name(e) for d in project.dimensions for e in d.elements}
        self.taken = set(self.displays)
        self.helpers: list[_Entry] = []

    def text(self) -> str:
        entries = [self.dimension(d) for d in self.project.dimensions]
        for variable in self.model.variables:
            if variable.name not in _CONTROLS:
                entries += self.variable(variable)
        entries += self.helpers
        body = "\n".join(e.text() for e in entries)
        return f"{{UTF-8}}\n{body}\n{self.controls()}\n{_SKETCH}{self.settings()}"

    def settings(self) -> str:
        """Vensim's settings block, for the data sets the model reads (``13:file``)."""
        if not self.project.data_files:
            return ""
        # Vensim's marker holds a DEL character after the L
        return ":L\x7f<%^E!@\n" + "".join(f"13:{f}\n" for f in self.project.data_files)

    # -- names and equations -------------------------------------------------------
    def name(self, canonical: str) -> str:
        return vensim_name(self.displays.get(canonical, canonical))

    def equation(self, expr: Expr, variable: Variable) -> str:
        rewritten = transform(expr, lambda node: self.respell(node, variable, False))
        try:
            return print_vensim(rewritten)
        except ValueError as error:
            raise UnsupportedFeatureError(f"'{variable.display}': {error}",
                                          getattr(expr, "span", variable.span)) from None

    def respell(self, node: Expr, variable: Variable, in_reduction: bool) -> Expr | None:
        if isinstance(node, Call):
            inner = node.function in _REDUCTIONS
            args = tuple(transform(a, lambda n: self.respell(n, variable, inner))
                         for a in node.args)
            return replace(node, args=args)
        if not isinstance(node, Reference):
            return None
        target = self.variables.get(node.name)
        dims = target.dimensions if target is not None else ()
        subscripts = tuple(self.subscript(s, dims, i, variable, in_reduction)
                           for i, s in enumerate(node.subscripts))
        return replace(node, text=self.name(node.name), subscripts=subscripts)

    def subscript(self, subscript: Expr, dims: tuple[str, ...], position: int,
                  variable: Variable, in_reduction: bool) -> Expr:
        dimension = self.dimensions.get(dims[position]) if position < len(dims) else None
        if isinstance(subscript, Wildcard):
            name = subscript.dimension or (dimension.name if dimension else None)
            if name is None:
                raise UnsupportedFeatureError(
                    f"'{variable.display}': a '*' subscript whose dimension is unknown",
                    subscript.span)
            if in_reduction:
                return Wildcard(self.name(name), subscript.span)
            return Reference(name, self.name(name), (), subscript.span)
        if isinstance(subscript, Number) and dimension is not None:
            index = int(subscript.value) - 1
            if subscript.value == index + 1 and 0 <= index < len(dimension.elements):
                element = dimension.elements[index]
                return Reference(canonical_name(element), vensim_name(element), (),
                                 subscript.span)
        if (isinstance(subscript, Reference) and not subscript.subscripts
                and subscript.name in self.subscript_names):
            return replace(subscript, text=self.name(subscript.name))
        raise UnsupportedFeatureError(
            f"'{variable.display}': a computed subscript cannot be written in Vensim",
            getattr(subscript, "span", variable.span))

    # -- entries -------------------------------------------------------------------
    def dimension(self, dimension: Dimension) -> _Entry:
        name = vensim_name(dimension.display)
        if dimension.alias_of is not None:
            return _Entry(f"{name} <-> {self.name(dimension.alias_of)}", "")
        elements = ", ".join(vensim_name(e) for e in dimension.elements)
        maps = [f"({self.name(target)}: {', '.join(self.name(e) for e in elements_)})"
                if elements_ else self.name(target) for target, elements_ in dimension.maps_to]
        mapping = f" -> {', '.join(maps)}" if maps else ""
        return _Entry(f"{name}:", f"\n\t{elements}{mapping}")

    def left(self, variable: Variable, subscripts: tuple[str, ...] | None = None) -> str:
        name = vensim_name(variable.display)
        if subscripts is not None:
            return f"{name}[{','.join(self.name(s) for s in subscripts)}]"
        if variable.dimensions:
            return f"{name}[{','.join(self.name(d) for d in variable.dimensions)}]"
        return name

    def variable(self, variable: Variable) -> list[_Entry]:
        units, doc = variable.units or "", variable.doc
        if variable.kind is VariableKind.STOCK:
            return self.stock(variable)
        if not variable.elements:
            if variable.equation is None and variable.graphical_function is None:
                raise UnsupportedFeatureError(f"'{variable.display}' has no equation",
                                              variable.span)
            definition = self.value(variable, variable.equation, variable.graphical_function)
            return [_Entry(self.left(variable), definition, units, doc)]
        entries = []
        for left, element in self.element_groups(variable):
            # elements holding only a table read it at the variable's equation
            equation = element.equation
            if equation is None and element.graphical_function is not None:
                equation = variable.equation
            if equation is None and element.graphical_function is None:
                raise UnsupportedFeatureError(
                    f"element [{', '.join(element.subscripts)}] of '{variable.display}' has "
                    "no equation", element.span)
            definition = self.value(variable, equation, element.graphical_function)
            entries.append(_Entry(self.left(variable, left), definition, units, doc))
        return entries

    def element_groups(self, variable: Variable
                       ) -> list[tuple[tuple[str, ...], ElementDefinition]]:
        """Element definitions as Vensim writes them: the elements a reader expanded from
        one subrange equation (same equation, same bound dimensions) back as that one
        equation, ``x[sub] = ...``; any other element alone, its bound dimensions replaced
        by the element they stand for."""
        groups: dict[object, list[ElementDefinition]] = {}
        for position, element in enumerate(variable.elements):
            key: object = (element.equation, element.rate, element.graphical_function,
                           tuple(d for d, _ in element.bindings)) if element.bindings \
                else position
            groups.setdefault(key, []).append(element)
        result = []
        for members in groups.values():
            left = self.subrange_left(variable, members)
            if left is not None:
                result.append((left, members[0]))
                continue
            for element in members:
                bound = dict(element.bindings)
                equation, rate = element.equation, element.rate
                result.append((element.subscripts, replace(
                    element, equation=_bind(equation, bound) if equation and bound else equation,
                    rate=_bind(rate, bound) if rate and bound else rate)))
        return result

    def subrange_left(self, variable: Variable, members: list[ElementDefinition]
                      ) -> tuple[str, ...] | None:
        """The left-hand subscripts (dimension or element per axis) whose elements are
        exactly ``members``, or None."""
        first = members[0]
        if not first.bindings:
            return None
        left: list[str] = []
        axes: list[tuple[str, ...]] = []
        for axis, element in enumerate(first.subscripts):
            bound = next((d for d, e in first.bindings if e == element
                          and all(dict(m.bindings).get(d) == m.subscripts[axis]
                                  for m in members)), None)
            dimension = self.dimensions.get(bound) if bound is not None else None
            if dimension is not None:
                left.append(dimension.name)
                axes.append(dimension.canonical_elements)
            elif all(m.subscripts[axis] == element for m in members):
                left.append(element)
                axes.append((element,))
            else:
                return None
        expected: list[tuple[str, ...]] = [()]
        for names in axes:
            expected = [(*e, n) for e in expected for n in names]
        if sorted(expected) != sorted(m.subscripts for m in members):
            return None
        return tuple(left)

    def value(self, variable: Variable, equation: Expr | None,
              table: GraphicalFunction | None) -> str:
        """The text after ``name[...]``: ``= equation``, a lookup's points, or a data
        variable's ``:KEYWORD: := GET ... DATA(...)``."""
        if table is None and isinstance(equation, Call) and (
                equation.function in _DATA_FUNCTIONS or equation.function == _DATA_CALL):
            return self.data(variable, equation)
        if table is None:
            text = self.equation(equation, variable)  # type: ignore[arg-type]
            if variable.kind is VariableKind.FLOW and variable.non_negative:
                text = f"MAX({text}, 0)"
            return f"=\n\t{text}"
        if equation is None:
            return f"(\n\t{_points(table)})"
        if variable.non_negative and variable.kind is VariableKind.FLOW:
            raise UnsupportedFeatureError(
                f"'{variable.display}': a non-negative flow read from a graphical function",
                variable.span)
        source = self.equation(equation, variable)
        if table.kind is GraphicalFunctionKind.CONTINUOUS:
            return f"=\n\tWITH LOOKUP({source}, ({_points(table)}))"
        helper = unique_name(f"{variable.display} table", self.taken)
        self.helpers.append(_Entry(vensim_name(helper), f"(\n\t{_points(table)})", "",
                                   f"Graphical function of '{variable.display}'."))
        reader = ("LOOKUP EXTRAPOLATE" if table.kind is GraphicalFunctionKind.EXTRAPOLATE
                  else "LOOKUP BACKWARD")
        return f"=\n\t{reader}({vensim_name(helper)}, {source})"

    def data(self, variable: Variable, call: Call) -> str:
        """A data variable as Vensim writes it: the reader keeps its keyword as a last
        string argument (``#DATA(name, 'interpolate')`` for one fed by ``--data``)."""
        args = call.args
        keyword = ""
        with_keyword = 2 if call.function == _DATA_CALL else 5
        if len(args) == with_keyword and isinstance(args[-1], Text):
            keyword = f":{args[-1].value.upper()}:"
            args = args[:-1]
        if call.function == _DATA_CALL:
            return keyword
        return f"{keyword}:=\n\t{self.equation(replace(call, args=args), variable)}"

    def stock(self, stock: Variable) -> list[_Entry]:
        if not stock.elements:
            rate = self.rate(stock, None)
            initial = self.equation(stock.equation or Number(0.0), stock)
            return [_Entry(self.left(stock), f"= INTEG (\n\t{rate},\n\t\t{initial})",
                           stock.units or "", stock.doc)]
        return [_Entry(self.left(stock, left),
                       f"= INTEG (\n\t{self.rate(stock, left, e.rate)},\n\t\t"
                       f"{self.equation(e.equation or Number(0.0), stock)})",
                       stock.units or "", stock.doc)
                for left, e in self.element_groups(stock)]

    def rate(self, stock: Variable, element: tuple[str, ...] | None,
             own: Expr | None = None) -> str:
        """The first argument of INTEG: the element's ``own`` rate, the stock's net rate, or
        its inflows less its outflows."""
        if own is not None:
            text = self.equation(own, stock)
        elif any(e.rate is not None for e in stock.elements):
            text = "0"  # an element of a stock integrating per element, without a rate
        elif stock.rate is not None:
            text = self.equation(self.at(stock.rate, stock, element), stock)
        else:
            ins = [self.flow(f, stock, element) for f in stock.inflows]
            outs = [self.flow(f, stock, element) for f in stock.outflows]
            text = " + ".join(ins) if ins else ("0" if not outs else "")
            for out in outs:
                text = f"{text} - {out}" if text else f"-{out}"
        if stock.non_negative:
            level = self.flow(stock.name, stock, element)
            text = f"MAX({text}, -{level} / TIME STEP)"
        return text

    def at(self, expr: Expr, stock: Variable, left: tuple[str, ...] | None) -> Expr:
        """``expr`` with the stock's dimensions bound to one definition's subscripts."""
        if left is None:
            return expr
        return _bind(expr, dict(zip(stock.dimensions, left, strict=True)))

    def flow(self, name: str, stock: Variable, element: tuple[str, ...] | None) -> str:
        """A flow (or the stock itself) as written inside the stock's INTEG."""
        flow = self.variables.get(name)
        if flow is None:
            raise UnsupportedFeatureError(f"stock '{stock.display}' names a flow '{name}' "
                                          "the model does not define", stock.span)
        if not flow.dimensions:
            return self.name(name)
        if flow.dimensions != stock.dimensions:
            raise UnsupportedFeatureError(
                f"stock '{stock.display}' and its flow '{flow.display}' have different "
                "dimensions", stock.span)
        subscripts = element if element is not None else flow.dimensions
        return f"{self.name(name)}[{','.join(self.name(s) for s in subscripts)}]"

    def controls(self) -> str:
        specs = self.project.sim_specs
        save = None if specs.save_step is None else specs.save_step
        settings = (("final time", specs.stop, "The final time for the simulation."),
                    ("initial time", specs.start, "The initial time for the simulation."),
                    ("saveper", save, "The frequency with which output is stored."),
                    ("time step", specs.dt, "The time step for the simulation."))
        entries = [self.control(name, value, doc) for name, value, doc in settings]
        header = ("********************************************************\n\t.Control\n"
                  "********************************************************~\n"
                  "\t\tSimulation Control Parameters\n\t|\n")
        return header + "\n" + "\n".join(e.text() for e in entries)

    def control(self, name: str, value: float | None, doc: str) -> _Entry:
        """One setting: from the simulation specs, or the model's own equation for it.

        A Vensim model's settings are equations (``FINAL TIME = IF THEN ELSE(...)``) and
        are kept; an XMILE model's variable of that name must agree with its specs, which
        are what it ran with.
        """
        variable = self.variables.get(name)
        left = f"{vensim_name(variable.display) if variable else _CONTROL_DISPLAYS[name]}  "
        units = self.project.sim_specs.time_units or ""
        if variable is not None and self.project.format == "mdl" and variable.equation:
            text = self.equation(variable.equation, variable)
            return _Entry(left, f"= \n\t{text}", variable.units or units, variable.doc or doc)
        if variable is not None and value is not None and (
                not isinstance(variable.equation, Number) or variable.equation.value != value):
            raise UnsupportedFeatureError(
                f"'{variable.display}' is a model variable whose value differs from the "
                f"simulation's ({format_number(value)}); Vensim reads it as the setting",
                variable.span)
        text = "TIME STEP" if value is None else format_number(value)
        return _Entry(left, f"= \n\t{text}", units, doc)


def _bind(expr: Expr, bound: dict[str, str]) -> Expr:
    """``expr`` with each bound dimension, used as a subscript, replaced by what it is
    bound to (an element, or a subrange of the dimension)."""
    def rewrite(node: Expr) -> Expr | None:
        if not isinstance(node, Reference) or not node.subscripts:
            return None
        subscripts = tuple(
            Reference(bound[s.name], bound[s.name], (), s.span)
            if isinstance(s, Reference) and not s.subscripts and s.name in bound
            else transform(s, rewrite) for s in node.subscripts)
        return replace(node, subscripts=subscripts)

    return transform(expr, rewrite)


def _points(table: GraphicalFunction) -> str:
    xs, ys = table.xs, table.ys
    finite = [y for y in ys if y == y] or [0.0]
    bounds = (f"[({format_number(min(xs))},{format_number(min(finite))})-"
              f"({format_number(max(xs))},{format_number(max(finite))})]")
    pairs = ",".join(f"({format_number(x)},{format_number(y)})" for x, y in zip(xs, ys,
                                                                                strict=True))
    return f"{bounds},{pairs}"
