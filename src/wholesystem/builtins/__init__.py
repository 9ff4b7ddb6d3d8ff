"""The builtin functions: one registry (names, arities, semantics, docs) and their kernels.

This package sits beneath every pipeline stage: readers check names and arities against
the registry, the compiler lowers calls through it, and ``docs/functions.md`` is
generated from it, so code and documentation cannot drift.
"""

from wholesystem.builtins.registry import (
    BUILTINS,
    CONSTANTS,
    DIALECTS,
    Builtin,
    BuiltinKind,
    StateReads,
    UnitsRule,
    builtins_of,
    lookup_builtin,
)

__all__ = ["BUILTINS", "CONSTANTS", "DIALECTS", "Builtin", "BuiltinKind", "StateReads",
           "UnitsRule", "builtins_of", "lookup_builtin"]
