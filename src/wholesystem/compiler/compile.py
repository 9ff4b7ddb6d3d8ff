"""The compiler's entry point: flatten, lower, generate, and load the generated module.

Generated code is compiled under a pseudo-filename registered in :mod:`linecache`, so
tracebacks and debuggers show the generated lines, and is cached by the hash of its text.
"""

from __future__ import annotations

import hashlib
import linecache
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from wholesystem.compiler.codegen import GeneratedModel, OutputVariable, generate_source
from wholesystem.compiler.lower import LoweredModel, StateKind, lower_project
from wholesystem.ir.flatten import flatten
from wholesystem.ir.model import Project, SimSpecs

__all__ = ["CompiledModel", "compile_project"]


@dataclass(frozen=True)
class CompiledModel:
    """A model ready to simulate: generated source plus what its outputs mean."""

    project: Project
    """The project it was compiled from (not flattened)."""
    lowered: LoweredModel
    """The flat, lowered model that was generated from."""
    generated: GeneratedModel
    """Source text and output layout."""
    build: Callable[[Any], tuple[tuple[Any, ...], Callable[..., Any]]]
    """The generated ``build(rt)`` function."""

    @property
    def source(self) -> str:
        """The generated Python source."""
        return self.generated.source

    @property
    def sim_specs(self) -> SimSpecs:
        """Time settings of the model."""
        return self.project.sim_specs

    @property
    def outputs(self) -> tuple[OutputVariable, ...]:
        """Variables reported in results, in order."""
        return self.generated.outputs

    @property
    def state_kinds(self) -> tuple[StateKind, ...]:
        """Discrete states the build function expects."""
        return self.generated.state_kinds


_MODULE_CACHE: dict[str, Callable[..., Any]] = {}
"""Compiled ``build`` functions by source hash: pure functions of their text."""


def compile_project(project: Project) -> CompiledModel:
    """Compile a project; raises a :class:`~wholesystem.errors.WholesystemError` subclass
    naming the file, line and column of anything that cannot be compiled."""
    lowered = lower_project(flatten(project))
    generated = generate_source(lowered)
    return CompiledModel(project, lowered, generated, _load(generated.source))


def _load(source: str) -> Callable[..., Any]:
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    cached = _MODULE_CACHE.get(digest)
    if cached is not None:
        return cached
    filename = f"<wholesystem-generated-{digest}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    module = ModuleType(f"wholesystem_generated_{digest}")
    exec(compile(source, filename, "exec"), module.__dict__)  # noqa: S102 - our own codegen
    build = module.__dict__["build"]
    _MODULE_CACHE[digest] = build
    return build
