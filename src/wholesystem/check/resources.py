"""Resource limits a project would hit when run: time steps, saved values, array sizes.

The readers bound what they build themselves (file size, dimension sizes, equation length,
lookup points); this module bounds what compiling and running would allocate, from the
IR alone. ``check`` reports these as ``resource-limit`` errors and :class:`Model` raises
the first before compiling, so ``check`` names every limit ``run`` would hit, with the
same message.

>>> from wholesystem.parse import read_xmile_text
>>> project = read_xmile_text('''<xmile><sim_specs><start>0</start><stop>1e9</stop>
... <dt>0.001</dt></sim_specs><model><variables><aux name="a"><eqn>1</eqn></aux>
... </variables></model></xmile>''', "m.xmile")
>>> print(resource_errors(project)[0])  # doctest: +ELLIPSIS
m.xmile:1:1: error: the run (0 to 1e+09 by 0.001) has 1,000,000,000,000 time steps, ...
"""

from __future__ import annotations

import math

from wholesystem.datafiles import limits_for
from wholesystem.errors import ResourceLimitError
from wholesystem.ir.model import Project, SimSpecs, Variable
from wholesystem.limits import Limits

__all__ = ["resource_errors", "run_steps"]


def run_steps(specs: SimSpecs) -> float:
    """Time steps of one run, ``(stop - start) / dt`` (NaN when the specs are unusable;
    the simulator reports those in its own words)."""
    if not (math.isfinite(specs.dt) and specs.dt > 0):
        return math.nan
    return (specs.stop - specs.start) / specs.dt


def resource_errors(project: Project, runs: int = 1) -> list[ResourceLimitError]:
    """Every resource limit that running ``project`` ``runs`` times at once would exceed."""
    limits = limits_for(project.source.access)
    found: list[ResourceLimitError] = []
    sizes = {d.name: len(d.elements) for d in project.dimensions}
    values_per_time = 0
    for model in project.models:
        for variable in model.variables:
            count = _elements(variable, sizes)
            values_per_time += count
            _collect(found, limits, "max_elements_total", count,
                     f"variable '{variable.display}'", variable)
    specs = project.sim_specs
    steps = run_steps(specs)
    if math.isfinite(steps):
        _collect(found, limits, "max_steps", steps,
                 f"the run ({specs.start:g} to {specs.stop:g} by {specs.dt:g})", specs)
        saved = _saved_times(specs, steps) * values_per_time * runs
        if not limits.over("max_steps", steps):
            _collect(found, limits, "max_saved_values", saved,
                     f"the results ({runs:,} run(s) x {values_per_time:,} values per saved "
                     "time)", specs)
    _collect(found, limits, "max_runs", runs, "the ensemble", None)
    return found


def _elements(variable: Variable, sizes: dict[str, int]) -> int:
    return math.prod(sizes.get(d, 1) for d in variable.dimensions)


def _saved_times(specs: SimSpecs, steps: float) -> float:
    save = specs.save_period
    every = max(1.0, round(save / specs.dt)) if math.isfinite(save) and save > 0 else 1.0
    return math.floor(max(steps, 0.0) / every) + 1


def _collect(found: list[ResourceLimitError], limits: Limits, name: str, value: float,
             what: str, where: Variable | SimSpecs | None) -> None:
    try:
        limits.check(name, value, what, where.span if where is not None else None)
    except ResourceLimitError as err:
        found.append(err)

