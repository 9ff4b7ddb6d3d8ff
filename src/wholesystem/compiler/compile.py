"""The compiler's entry point: flatten, lower, generate, and load the generated module.

Two backends are generated from one lowered model: ``vector`` (NumPy, any number of
runs, arrays) always, and ``scalar`` (plain floats, fastest for one run) when the model
has no arrays. Generated code is compiled under a pseudo-filename registered in
:mod:`linecache`, so tracebacks and debuggers show the generated lines, and compiled
modules are shared by the hash of their text.
"""

from __future__ import annotations

import hashlib
import linecache
from collections.abc import Callable
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Any

from wholesystem.compiler.codegen import GeneratedModel, OutputVariable, generate_source
from wholesystem.compiler.lower import LoweredModel, StateKind, lower_project
from wholesystem.ir.flatten import flatten
from wholesystem.ir.model import Project, SimSpecs

__all__ = ["CompiledModel", "Backend", "compile_project", "compile_with_internals",
           "load_generated"]


@dataclass(frozen=True)
class Backend:
    """One generated module: its text, what it returns, and its entry points."""

    generated: GeneratedModel
    """Source text and output layout."""
    build: Callable[[Any], tuple[tuple[Any, ...], Callable[..., Any]]]
    """``build(rt)`` -> (initial stocks, ``rates(t, stocks, full)``)."""
    run_euler: Callable[[Any, int, int], list[tuple[Any, ...]]]
    """``run_euler(rt, n_steps, save_every)`` -> outputs at each save time."""


@dataclass(frozen=True)
class CompiledModel:
    """A model ready to simulate."""

    project: Project
    """The project it was compiled from (not flattened)."""
    lowered: LoweredModel
    """The flat, lowered model the code was generated from."""
    vector: Backend
    """NumPy backend: many runs at once, arrays."""
    scalar: Backend | None
    """Float backend for single runs, when the model has no arrays."""

    @property
    def generated(self) -> GeneratedModel:
        """The vector backend's generated module (outputs, constants, stocks)."""
        return self.vector.generated

    @property
    def source(self) -> str:
        """Generated Python source: the scalar backend when there is one."""
        return (self.scalar or self.vector).generated.source

    @property
    def sim_specs(self) -> SimSpecs:
        """Time settings of the model."""
        return self.project.sim_specs

    @property
    def outputs(self) -> tuple[OutputVariable, ...]:
        """Variables reported in results, in order."""
        return self.vector.generated.outputs

    @property
    def state_kinds(self) -> tuple[StateKind, ...]:
        """Discrete states the build functions expect."""
        return self.vector.generated.state_kinds

    @property
    def state_options(self) -> tuple[tuple[object, ...], ...]:
        """For each discrete state: its options (a conveyor's leak zones and kind)."""
        return tuple(spec.options for spec in self.lowered.states)

    @property
    def state_seeds(self) -> tuple[int | None, ...]:
        """For each discrete state: the seed written in the model (a random draw's), or
        None."""
        return tuple(spec.seed for spec in self.lowered.states)


_MODULE_CACHE: dict[str, dict[str, Any]] = {}
"""Compiled generated modules by source hash: pure functions of their text, so sharing
them between models is safe (a memo, not state)."""


def compile_project(project: Project) -> CompiledModel:
    """Compile a project; raises a :class:`~wholesystem.errors.WholesystemError` subclass
    naming the file, line and column of anything that cannot be compiled."""
    lowered = lower_project(flatten(project))
    vector = _backend(generate_source(lowered, "vector"))
    has_arrays = any(v.dimensions for v in lowered.project.main.variables)
    scalar = None if has_arrays else _backend(generate_source(lowered, "scalar"))
    return CompiledModel(project, lowered, vector, scalar)


def compile_with_internals(project: Project) -> CompiledModel:
    """Compile a project so that a run reports every variable at every time step,
    including those lowering made (the stages of smooths and delays)."""
    project = replace(project, sim_specs=replace(project.sim_specs, save_step=None))
    lowered = lower_project(flatten(project))
    vector = _backend(generate_source(lowered, "vector", include_hidden=True))
    has_arrays = any(v.dimensions for v in lowered.project.main.variables)
    scalar = None if has_arrays else _backend(
        generate_source(lowered, "scalar", include_hidden=True))
    return CompiledModel(project, lowered, vector, scalar)


def _backend(generated: GeneratedModel) -> Backend:
    namespace = _load(generated.source)
    return Backend(generated, namespace["build"], namespace["run_euler"])


def load_generated(source: str) -> dict[str, Any]:
    """The namespace of a generated module, compiled under a pseudo-filename that
    tracebacks and debuggers can show."""
    return _load(source)


def _load(source: str) -> dict[str, Any]:
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    cached = _MODULE_CACHE.get(digest)
    if cached is not None:
        return cached
    filename = f"<wholesystem-generated-{digest}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    module = ModuleType(f"wholesystem_generated_{digest}")
    exec(compile(source, filename, "exec"), module.__dict__)
    _MODULE_CACHE[digest] = module.__dict__
    return module.__dict__
