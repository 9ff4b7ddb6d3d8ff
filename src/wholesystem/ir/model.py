"""The immutable model: what every reader produces and every later stage consumes.

A :class:`Project` is one model file: simulation specs, dimensions, and one or more
:class:`Model` s (the main model first, then submodels used by modules). Everything is a
frozen, slotted dataclass holding tuples, so a stage that changes a model returns a new one
(``dataclasses.replace``) and two models can live side by side in one process.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from wholesystem.datafiles import FileAccess
from wholesystem.diagnostics import UNKNOWN_SPAN, SourceSpan
from wholesystem.ir.expr import Expr
from wholesystem.ir.names import canonical_name

__all__ = [
    "VariableKind",
    "Conveyor",
    "Leak",
    "GraphicalFunctionKind",
    "GraphicalFunction",
    "ElementDefinition",
    "Variable",
    "Dimension",
    "mapping_between",
    "Connection",
    "Module",
    "Model",
    "SimSpecs",
    "SourceFile",
    "Project",
]


class VariableKind(enum.Enum):
    """What role a variable plays in the stock-and-flow structure."""

    STOCK = "stock"
    FLOW = "flow"
    AUX = "aux"


class GraphicalFunctionKind(enum.Enum):
    """How a graphical function (lookup) reads between and beyond its points (XMILE 3.1.4)."""

    CONTINUOUS = "continuous"
    """Linear interpolation; clamped to the end values outside the x range."""
    EXTRAPOLATE = "extrapolate"
    """Linear interpolation; extended along the end segments outside the x range."""
    DISCRETE = "discrete"
    """Step function: each y holds from its x up to the next x."""


@dataclass(frozen=True, slots=True)
class GraphicalFunction:
    """A lookup table: y as a function of x, given by points."""

    xs: tuple[float, ...]
    """Ascending x values."""
    ys: tuple[float, ...]
    """One y per x."""
    kind: GraphicalFunctionKind = GraphicalFunctionKind.CONTINUOUS
    """Interpolation and extrapolation rule."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where the table is written."""


@dataclass(frozen=True, slots=True)
class ElementDefinition:
    """The equation of one element of an arrayed variable defined element by element."""

    subscripts: tuple[str, ...]
    """Canonical element names, one per dimension of the variable."""
    equation: Expr | None
    """Value (stock: initial value); None when only a graphical function is given."""
    graphical_function: GraphicalFunction | None = None
    """This element's lookup table, if any."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where the element is defined."""
    bindings: tuple[tuple[str, str], ...] = ()
    """Dimension names the defining equation uses (often subranges, e.g. Vensim's
    ``x[north] = y[north] * 2`` expanded per element), each with the canonical element it
    stands for in this definition."""
    rate: Expr | None = None
    """Stock only: this element's net rate, when the elements of a stock integrate
    different expressions (Vensim ``x[a] = INTEG(ra, ia) ~~| x[b] = INTEG(rb, ib)``);
    ``equation`` then holds the element's initial value."""


@dataclass(frozen=True, slots=True)
class Conveyor:
    """A stock's conveyor options (XMILE 1.0 ``<conveyor>``, Stella's conveyor)."""

    transit: Expr
    """Transit time (``<len>``), sampled as material enters."""
    exponential_leak: bool = False
    """Leak fractions are per time unit of what is on the conveyor, not of what entered."""


@dataclass(frozen=True, slots=True)
class Leak:
    """A conveyor leakage flow (``<leak/>``): its equation is the leak fraction."""

    start: float = 0.0
    """Where along the conveyor (0 = entry, 1 = exit) the leak zone begins."""
    end: float = 1.0
    """Where it ends."""


@dataclass(frozen=True, slots=True)
class Variable:
    """A stock, flow or auxiliary (converter), possibly arrayed."""

    name: str
    """Canonical name."""
    display: str
    """Name as the user wrote it, for outputs and messages."""
    kind: VariableKind
    """Stock, flow or auxiliary."""
    equation: Expr | None
    """Aux and flow: the value. Stock: the initial value. None if only elements define it."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where the variable is defined."""
    dimensions: tuple[str, ...] = ()
    """Canonical dimension names when arrayed, in axis order."""
    elements: tuple[ElementDefinition, ...] = ()
    """Per-element equations of a non-apply-to-all array (empty for apply-to-all)."""
    graphical_function: GraphicalFunction | None = None
    """When set, the variable's value is this lookup applied to ``equation`` (its input)."""
    inflows: tuple[str, ...] = ()
    """Stock only: canonical names of the flows that fill it."""
    outflows: tuple[str, ...] = ()
    """Stock only: canonical names of the flows that drain it."""
    rate: Expr | None = None
    """Stock only: a net rate expression (Vensim ``INTEG(rate, init)``) instead of flows."""
    non_negative: bool = False
    """Stock: never drained below zero. Flow: a uniflow, never negative."""
    conveyor: Conveyor | None = None
    """Stock only: conveyor options, when the stock is a conveyor."""
    leak: Leak | None = None
    """Flow only: the flow is a conveyor's leakage (its equation the leak fraction)."""
    units: str | None = None
    """Units as written (e.g. ``people/day``), if given."""
    doc: str = ""
    """Documentation text."""
    access: str | None = None
    """``input`` or ``output`` for a submodel's ports, as XMILE marks them."""

    @property
    def is_arrayed(self) -> bool:
        """True when the variable has dimensions."""
        return bool(self.dimensions)


@dataclass(frozen=True, slots=True)
class Dimension:
    """A named, ordered set of elements that arrays range over."""

    name: str
    """Canonical name."""
    display: str
    """Name as written."""
    elements: tuple[str, ...]
    """Element names as written (numbered dimensions: ``"1"``, ``"2"``...)."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where the dimension is declared."""
    maps_to: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Vensim mappings (``-> Other``): target dimension and, per element of this one, the
    target's canonical element; an empty tuple maps by position."""
    alias_of: str | None = None
    """Vensim equivalence (``<->``): the canonical dimension this one is another name for."""

    canonical_elements: tuple[str, ...] = field(init=False, repr=False, compare=False)
    """Element names in canonical form, in order (derived from ``elements``)."""
    _positions: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Derived once: models with thousands of elements look elements up constantly.
        canonical = tuple(canonical_name(e) for e in self.elements)
        object.__setattr__(self, "canonical_elements", canonical)
        object.__setattr__(self, "_positions",
                           {e: i for i, e in reversed(list(enumerate(canonical)))})

    def position(self, element: str) -> int | None:
        """0-based position of an element given by canonical name, or None."""
        return self._positions.get(element)


def mapping_between(source: Dimension, host: Dimension) -> tuple[int, ...] | None:
    """For each element of ``host``, the position in ``source`` of the element that
    corresponds to it through a Vensim mapping in either direction; None if unmapped."""
    for target, elements in source.maps_to:
        if target == host.name:
            if not elements:
                return tuple(range(len(host.elements)))
            return tuple(elements.index(h) for h in host.canonical_elements)
    for target, elements in host.maps_to:
        if target == source.name:
            if not elements:
                return tuple(range(len(host.elements)))
            return tuple(source.canonical_elements.index(e) for e in elements)
    return None


@dataclass(frozen=True, slots=True)
class Connection:
    """Wiring of a module: a variable inside it takes its value from one outside."""

    to: str
    """Canonical name of the variable inside the module."""
    source: str
    """Canonical name in the enclosing model: ``.x`` (the parent's x) or ``module.x``."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where the connection is written."""


@dataclass(frozen=True, slots=True)
class Module:
    """An instance of a submodel placed inside a model."""

    name: str
    """Canonical instance name (prefix of its variables' output names)."""
    display: str
    """Instance name as written."""
    model_name: str
    """Canonical name of the :class:`Model` it instantiates."""
    connections: tuple[Connection, ...] = ()
    """Inputs wired from the enclosing model."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where the module is placed."""


@dataclass(frozen=True, slots=True)
class Model:
    """A set of variables and module instances: the main model or a submodel."""

    name: str
    """Canonical name; the main model's is ``""``."""
    variables: tuple[Variable, ...]
    """Variables in file order."""
    modules: tuple[Module, ...] = ()
    """Submodel instances."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where the model starts."""

    def variable_map(self) -> dict[str, Variable]:
        """Variables by canonical name."""
        return {v.name: v for v in self.variables}


INTEGRATION_METHODS = ("euler", "rk4")
"""The integration methods wholesystem runs. XMILE 1.0 (2.3) also names RK2, RK45 and
Gear, which it does not."""


@dataclass(frozen=True, slots=True)
class SimSpecs:
    """When and how to simulate."""

    start: float
    """Initial time."""
    stop: float
    """Final time."""
    dt: float
    """Integration time step."""
    save_step: float | None = None
    """Interval between saved outputs; None means every ``dt``."""
    method: str = "euler"
    """Integration method as written, lower case: one of :data:`INTEGRATION_METHODS` to
    run (checks report any other)."""
    time_units: str | None = None
    """Units of time (e.g. ``days``), if given."""
    span: SourceSpan = UNKNOWN_SPAN
    """Where the specs are written."""

    @property
    def save_period(self) -> float:
        """The save interval, defaulting to ``dt``."""
        return self.dt if self.save_step is None else self.save_step


@dataclass(frozen=True, slots=True)
class SourceFile:
    """The text a project was read from, kept for diagnostics with carets."""

    path: str
    """Path as the user gave it."""
    text: str = ""
    """Full text of the file."""
    access: FileAccess | None = None
    """Which files the model may read (spreadsheets, data series); None: the default
    policy, the model's own folder (:meth:`FileAccess.for_cli`)."""


@dataclass(frozen=True, slots=True)
class Project:
    """One model file: the unit that is checked, compiled and run."""

    name: str
    """Model name from the file header (or the file name)."""
    source: SourceFile
    """The file it came from."""
    sim_specs: SimSpecs
    """Time settings."""
    models: tuple[Model, ...]
    """Main model first, then submodels."""
    dimensions: tuple[Dimension, ...] = ()
    """Dimensions shared by every model of the file."""
    units: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())
    """Declared units with their aliases: ``(name, (alias, ...))``."""
    format: str = "xmile"
    """Which reader produced it: ``xmile`` or ``mdl`` (selects the builtins' meanings)."""
    data_files: tuple[str, ...] = ()
    """Data files the model file itself names for its data variables (Vensim records the
    simulation's data sets in its settings), relative to the model file."""

    @property
    def main(self) -> Model:
        """The model simulated at the top level."""
        return self.models[0]

    def model_named(self, name: str) -> Model | None:
        """A submodel by canonical name, or None."""
        return next((m for m in self.models if m.name == name), None)

    def dimension_named(self, name: str) -> Dimension | None:
        """A dimension by canonical name, or None."""
        return next((d for d in self.dimensions if d.name == name), None)
