"""Generate ``docs/functions.md`` from the builtin registry.

Run ``python -m wholesystem.builtins.docs > docs/functions.md``; a test checks that the
committed page matches, so the docs cannot drift from the code.
"""

from __future__ import annotations

from wholesystem.builtins.registry import CONSTANTS, DIALECTS, SELF, BuiltinKind, builtins_of

__all__ = ["functions_markdown"]

_KIND_TITLES = {
    BuiltinKind.ELEMENTWISE: "Mathematical and logical functions",
    BuiltinKind.REDUCTION: "Array functions",
    BuiltinKind.TIME: "Time-dependent inputs",
    BuiltinKind.STATEFUL: "Delays, smooths and memory",
    BuiltinKind.LOOKUP: "Graphical functions (lookups)",
    BuiltinKind.ARRAY: "Vector and allocation functions (whole arrays)",
}


def functions_markdown() -> str:
    """The supported-functions page, grouped by kind."""
    lines = ["# Supported functions", "",
             "Generated from `src/wholesystem/builtins/registry.py` by "
             "`python -m wholesystem.builtins.docs`; do not edit by hand.", "",
             "Names are case-insensitive; `_` and space are the same character. The "
             "formats column says in which equation language a name has this meaning: "
             "`xmile` (Stella, iThink) or `mdl` (Vensim); a name may mean different things "
             "in the two (PULSE, TREND). Functions marked *vector only* need arrays and "
             "run on the NumPy backend.", ""]
    unique = {id(b): b for d in DIALECTS for b in builtins_of(d).values()}.values()
    for kind, title in _KIND_TITLES.items():
        members = sorted((b for b in unique if b.kind is kind),
                         key=lambda b: (b.name, b.dialects))
        if not members:
            continue
        lines += [f"## {title}", "", "| function | formats | meaning |", "| --- | --- | --- |"]
        for builtin in members:
            aliases = f" (also {', '.join(builtin.aliases)})" if builtin.aliases else ""
            vector = " *Vector only.*" if builtin.vector_only else ""
            lines.append(f"| `{builtin.signature}`{aliases} | {', '.join(builtin.dialects)} "
                         f"| {builtin.doc}{vector} |")
        lines.append("")
    lines += ["## Operators", "",
              "`+ - * / ^` (power, right-associative), `MOD`, comparisons "
              "`= <> < <= > >=`, `AND`, `OR`, `NOT`, and `IF c THEN a ELSE b`. "
              "Comparisons and logic give 1 for true and 0 for false.", "",
              "## Names with a built-in meaning", "", "| name | meaning |", "| --- | --- |"]
    for name, (_, doc) in CONSTANTS.items():
        lines.append(f"| `{name.upper()}` | {doc} |")
    lines.append(f"| `{SELF[0].upper()}` | {SELF[1]} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(functions_markdown(), end="")
