"""Resource limits: how big a model may be before it is refused with a clear error.

A model file is data from someone else, and a few characters can ask for a billion time
steps or a dimension of a billion elements. Each limit below has a default that no real
model we know of comes near, a name, and an option to raise it (``--limit NAME=VALUE`` on
the command line, ``Limits(NAME=VALUE)`` in Python). Readers and the check stage test
them before anything is allocated, so ``check`` reports every limit ``run`` would hit.

The limits ride on the :class:`~wholesystem.datafiles.FileAccess` policy a model is read
with (``FileAccess.for_cli(path, limits=Limits(max_steps=10**8))``), so a server sets
them once, beside the files a model may read.

>>> Limits().max_steps
10000000
>>> Limits.parse(["max_steps=2e7"]).max_steps
20000000
>>> Limits().check("max_elements_per_dimension", 10**9, "dimension 'big'")
Traceback (most recent call last):
...
wholesystem.errors.ResourceLimitError: error: dimension 'big' has 1,000,000,000 elements, \
over the limit of 1,000,000 (max_elements_per_dimension) (hint: raise it with --limit \
max_elements_per_dimension=N, or Limits(max_elements_per_dimension=N) in Python)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace

from wholesystem.diagnostics import SourceSpan
from wholesystem.errors import ParameterError, ResourceLimitError

__all__ = ["Limits", "ResourceLimitError", "LIMIT_UNITS"]

LIMIT_UNITS = {
    "max_document_bytes": "bytes",
    "max_nesting_depth": "levels of nesting",
    "max_yaml_nodes": "YAML values (aliases expanded)",
    "max_steps": "time steps",
    "max_saved_values": "saved values",
    "max_elements_per_dimension": "elements",
    "max_elements_total": "elements",
    "max_equation_chars": "characters",
    "max_lookup_points": "points",
    "max_delay_order": "stages",
    "max_people": "people",
    "max_runs": "runs",
    "max_years": "years",
    "max_report_periods": "ledger periods",
    "max_sweep_steps": "time steps over all its runs",
}
"""What each limit counts, for messages."""


@dataclass(frozen=True, slots=True)
class Limits:
    """The resource limits a model is read, checked and run under."""

    max_document_bytes: int = 64 * 1024 * 1024
    """Largest model or system file (64 MiB)."""
    max_nesting_depth: int = 64
    """Deepest nesting of YAML collections (XML keeps libxml2's own bound of 256)."""
    max_yaml_nodes: int = 1_000_000
    """Values in a system file, counting each alias as a copy (stops alias bombs)."""
    max_steps: int = 10_000_000
    """Time steps of one run: (stop - start) / dt."""
    max_saved_values: int = 500_000_000
    """Numbers a run keeps: saved times x values x runs (4 GB of float64; the largest
    published model we run, MEDEAS World, keeps 0.2 billion)."""
    max_elements_per_dimension: int = 1_000_000
    """Elements of one dimension (subscript range)."""
    max_elements_total: int = 10_000_000
    """Elements of one arrayed variable (the product of its dimensions' sizes)."""
    max_equation_chars: int = 1_000_000
    """Characters of one equation."""
    max_lookup_points: int = 1_000_000
    """Points of one lookup (graphical function) table."""
    max_delay_order: int = 1_000
    """Stages of one DELAY N, SMOOTH N (or DELAYN, SMTHN): each stage is a stock of its
    own (the highest order in the shared models is 8)."""
    max_people: int = 10_000_000
    """People simulated by ``journeys``."""
    max_runs: int = 1_000_000
    """Runs of one ensemble (Monte Carlo, ``journeys --runs``)."""
    max_years: int = 5_000
    """Years a system file's calendar may span (dates beyond year 9999 cannot exist)."""
    max_report_periods: int = 100_000
    """Periods of a system file's ledger, horizon / report_every (each is a row of the
    report: 100,000 is 270 years by the day)."""
    max_sweep_steps: int = 2_000_000
    """Time steps over every run of one capacity sweep or payback walk (points x steps
    of one run): ``compare``'s walk from today's capacity to a scenario's simulates up to
    401 points, so this is a 5,000-day horizon by the day, a few minutes of work."""

    def check(self, name: str, value: float, what: str,
              span: SourceSpan | None = None) -> None:
        """Raise :class:`ResourceLimitError` when ``value`` is over the limit ``name``;
        ``what`` names the thing measured (``"dimension 'region'"``)."""
        limit = getattr(self, name)
        if not value <= limit:  # NaN is over every limit
            raise ResourceLimitError(name, value, limit, what, LIMIT_UNITS.get(name, ""),
                                     span)

    def check_document(self, text: str, file: str) -> None:
        """Refuse a model or system file longer than :attr:`max_document_bytes`, before
        parsing it (characters are counted; each is at least one byte)."""
        self.check("max_document_bytes", len(text), f"the file {file}", SourceSpan(file))

    def over(self, name: str, value: float) -> bool:
        """Whether ``value`` is over the limit ``name``."""
        return not value <= getattr(self, name)

    @classmethod
    def parse(cls, assignments: Iterable[str], base: Limits | None = None) -> Limits:
        """``NAME=VALUE`` strings (``--limit`` options) applied to ``base``; an unknown
        name or a value that is not a positive whole number raises ParameterError."""
        known = {f.name for f in fields(cls)}
        changes: dict[str, int] = {}
        for item in assignments:
            name, sep, text = item.partition("=")
            name = name.strip()
            if not sep or name not in known:
                raise ParameterError(
                    f"--limit expects NAME=VALUE with NAME one of {', '.join(sorted(known))}; "
                    f"got '{item}'")
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if not (math.isfinite(value) and value >= 1 and value == int(value)):
                raise ParameterError(f"--limit {name}: '{text}' is not a positive whole "
                                     "number")
            changes[name] = int(value)
        return replace(base or cls(), **changes)
