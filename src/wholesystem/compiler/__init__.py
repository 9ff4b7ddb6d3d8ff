"""IR -> a compiled, vectorised NumPy model (:class:`CompiledModel`)."""

from wholesystem.compiler.compile import CompiledModel, compile_project

__all__ = ["CompiledModel", "compile_project"]
