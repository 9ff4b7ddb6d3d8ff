"""The immutable intermediate representation shared by every pipeline stage."""

from wholesystem.ir.expr import (
    Binary,
    Call,
    Expr,
    IfThenElse,
    Number,
    Reference,
    Text,
    Unary,
    Wildcard,
    calls,
    references,
    walk,
)
from wholesystem.ir.model import (
    Connection,
    Dimension,
    ElementDefinition,
    GraphicalFunction,
    GraphicalFunctionKind,
    Model,
    Module,
    Project,
    SimSpecs,
    SourceFile,
    Variable,
    VariableKind,
)
from wholesystem.ir.names import canonical_name, display_name

__all__ = [
    "Binary", "Call", "Expr", "IfThenElse", "Number", "Reference", "Text", "Unary", "Wildcard",
    "calls", "references", "walk",
    "Connection", "Dimension", "ElementDefinition", "GraphicalFunction",
    "GraphicalFunctionKind", "Model", "Module", "Project", "SimSpecs", "SourceFile",
    "Variable", "VariableKind", "canonical_name", "display_name",
]
