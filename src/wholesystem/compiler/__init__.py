"""IR -> a compiled, vectorised NumPy model (:class:`CompiledModel`)."""

from wholesystem.compiler.codegen import EquationSources, equation_sources
from wholesystem.compiler.compile import (
           CompiledModel,
           compile_project,
           compile_with_internals,
           load_generated,
)

__all__ = ["CompiledModel", "compile_project", "compile_with_internals", "load_generated",
           "EquationSources", "equation_sources"]
