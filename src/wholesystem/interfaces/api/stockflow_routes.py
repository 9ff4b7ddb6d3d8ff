"""The stock-and-flow view of a model: its diagram, and one variable's equation, units
and time series when it is clicked (:mod:`wholesystem.analysis.stockflow` builds the
diagram)."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from wholesystem.analysis.stockflow import stock_flow_diagram, stock_flow_dict
from wholesystem.interfaces.api.access import Caller, Id, caller_of, require_role
from wholesystem.interfaces.api.model_routes import (
    VersionQuery,
    WorkbenchDep,
    _known_scenario,
    resolve_version,
)
from wholesystem.interfaces.api.views import MAX_POINTS
from wholesystem.run import Model
from wholesystem.system.model import SystemModel

__all__ = ["router"]

router = APIRouter(prefix="/api/workspaces/{workspace_id}/models/{model_id}",
                   tags=["stock and flow"])
CallerDep = Annotated[Caller, Depends(caller_of)]


def _engine(loaded: SystemModel | Model, scenario: str) -> Model:
    if isinstance(loaded, SystemModel):
        _known_scenario(loaded, scenario)
        return loaded.model(scenario)[2]
    if scenario != "baseline":
        raise HTTPException(422, f"scenario: a plain model has only its baseline, not "
                                 f"'{scenario}'")
    return loaded


@router.get("/stock-flow")
def stock_flow(workspace_id: Id, model_id: Id, caller: CallerDep, workbench: WorkbenchDep,
               scenario: Annotated[str, Query(min_length=1, max_length=200)] = "baseline",
               version: VersionQuery = None) -> dict[str, Any]:
    """Stocks, flows and auxiliaries with their links, placed as the file's diagram has
    them (``placed_by: file``) or laid out (``layout``); each with equation and units."""
    require_role(workbench.store, caller, workspace_id, "viewer")
    found = resolve_version(workbench.store, workspace_id, model_id, version)
    engine = _engine(workbench.loaded(found), scenario)
    return stock_flow_dict(stock_flow_diagram(engine.project))


@router.get("/series")
def variable_series(workspace_id: Id, model_id: Id, caller: CallerDep,
                    workbench: WorkbenchDep,
                    variable: Annotated[str, Query(max_length=300,
                                                   description="Name as written")] = "",
                    scenario: Annotated[str, Query(min_length=1, max_length=200)] =
                    "baseline",
                    version: VersionQuery = None) -> dict[str, Any]:
    """One variable over time (each element of an array variable), thinned to at most
    a few hundred points."""
    require_role(workbench.store, caller, workspace_id, "viewer")
    found = resolve_version(workbench.store, workspace_id, model_id, version)
    if not variable:
        raise HTTPException(422, "variable: give the name of one of the model's variables")
    frame = _engine(workbench.loaded(found), scenario).run()
    columns = [c for c in frame.columns if c == variable or str(c).startswith(variable + "[")]
    if not columns:
        raise HTTPException(422, f"variable: the model has no variable '{variable}' in its "
                                 "results")
    every = max(1, len(frame) // MAX_POINTS)
    return {"variable": variable, "time": [float(t) for t in frame.index[::every]],
            "series": [{"name": c, "values": [_finite(v) for v in frame[c].to_numpy()[::every]]}
                       for c in columns]}


def _finite(value: float) -> float | None:
    # JSON has no NaN or infinity: a gap in the chart instead
    return float(value) if math.isfinite(value) else None
