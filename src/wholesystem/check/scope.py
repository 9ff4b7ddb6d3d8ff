"""What a name means inside one model: its variables, its modules' variables, dimensions.

Checks run on each model of a project as written (not flattened), so a name in a submodel
is looked up among that submodel's variables, as XMILE scopes them: ``births`` inside model
``hares`` is ``hares``'s own, and ``lynxes.lynxes`` is the variable ``lynxes`` of the
module instance ``lynxes`` placed beside it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from wholesystem.builtins import CONSTANTS
from wholesystem.ir.graph import function_name
from wholesystem.ir.model import Dimension, Model, Module, Project, Variable

__all__ = ["ModelScope", "ProjectScope", "Instance", "instances"]


@dataclass(frozen=True)
class ModelScope:
    """The names one model can use."""

    model: Model
    """The model."""
    variables: Mapping[str, Variable]
    """Its variables by canonical name."""
    modules: Mapping[str, Module]
    """Its module instances by canonical name."""
    project: ProjectScope = field(repr=False, compare=False)
    """The scopes of the other models, for module-qualified names."""

    def resolve(self, name: str) -> Variable | None:
        """The variable a (possibly module-qualified) canonical name refers to, or None."""
        found = self.variables.get(name)
        if found is not None or "." not in name:
            return found
        head, rest = name.split(".", 1)
        module = self.modules.get(head)
        inner = self.project.models.get(module.model_name) if module is not None else None
        if inner is None:
            return None
        return inner.resolve(rest)

    def resolve_function(self, function: str) -> Variable | None:
        """The variable a call's function name refers to (a graphical function), or None."""
        return self.resolve(function_name(function))

    def is_constant(self, name: str) -> bool:
        """True for builtin constants (``time``, ``dt``, ``pi``...) a variable does not shadow."""
        return name in CONSTANTS and name not in self.variables

    @property
    def dimensions(self) -> Mapping[str, Dimension]:
        """Dimensions of the file, by canonical name."""
        return self.project.dimensions


@dataclass(frozen=True)
class ProjectScope:
    """Scopes of every model of a project."""

    project: Project
    """The project."""
    models: dict[str, ModelScope]
    """Scope of each model by canonical model name (the main model's is ``""``)."""
    dimensions: Mapping[str, Dimension]
    """Dimensions by canonical name."""
    elements: Mapping[str, frozenset[str]]
    """Canonical element names of each dimension."""

    @classmethod
    def of(cls, project: Project) -> ProjectScope:
        """Scopes for every model of ``project``."""
        scope = cls(project, {}, {d.name: d for d in project.dimensions},
                    {d.name: frozenset(d.canonical_elements) for d in project.dimensions})
        for model in project.models:
            scope.models.setdefault(model.name, ModelScope(
                model, model.variable_map(), {m.name: m for m in model.modules}, scope))
        return scope

    @property
    def main(self) -> ModelScope:
        """The main model's scope."""
        return self.models[self.project.main.name]

    @property
    def dialect(self) -> str:
        """Equation language of the file (``xmile`` or ``mdl``): which builtins exist."""
        return self.project.format

    def element_of(self, dimension: str, name: str) -> bool:
        """True when ``name`` (canonical) is an element of the dimension named ``dimension``
        (or of the dimension it is another name for)."""
        if name in self.elements.get(dimension, frozenset()):
            return True
        declared = self.dimensions.get(dimension)
        target = declared.alias_of if declared is not None else None
        return target is not None and name in self.elements.get(target, frozenset())


@dataclass(frozen=True)
class Instance:
    """One placement of a model in the simulated tree of modules."""

    scope: ModelScope
    """The model placed."""
    path: str
    """Module path (``""`` for the main model, ``hares``, ``a.b``...)."""
    connected: frozenset[str]
    """Variables of the model whose values come from outside through connections."""


def instances(project: ProjectScope, max_depth: int = 32) -> Iterator[Instance]:
    """Every model placement reachable from the main model (bad modules are skipped; the
    structure checks report them)."""
    stack = [(project.main, "", frozenset[str](), 0)]
    while stack:
        scope, path, connected, depth = stack.pop()
        yield Instance(scope, path, connected)
        if depth >= max_depth:
            continue
        for module in reversed(scope.model.modules):
            inner = project.models.get(module.model_name)
            if inner is None or inner is project.main:
                continue
            inputs = frozenset(c.to for c in module.connections)
            stack.append((inner, f"{path}.{module.name}" if path else module.name, inputs,
                          depth + 1))

