"""The analyses' pages: feedback loops and their dominance, the causal-loop diagram,
boundary critique and the Critical Systems Heuristics answers kept per model."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from wholesystem.analysis.causal import causal_structure
from wholesystem.analysis.diagrams import render_diagram
from wholesystem.analysis.dominance import loop_dominance
from wholesystem.analysis.loops import find_loops
from wholesystem.interfaces.api.access import Caller, Id, caller_of, require_role
from wholesystem.interfaces.api.model_routes import (
    VersionQuery,
    WorkbenchDep,
    _known_scenario,
    resolve_version,
    viewed_system,
)
from wholesystem.interfaces.api.workbench import Workbench
from wholesystem.interfaces.render.boundary import boundary_dict
from wholesystem.run import Model
from wholesystem.system.boundary import CSH_QUESTIONS, boundary_critique
from wholesystem.system.model import SystemModel

__all__ = ["router", "MAX_LOOPS"]

router = APIRouter(prefix="/api/workspaces/{workspace_id}/models/{model_id}",
                   tags=["analyses"])
CallerDep = Annotated[Caller, Depends(caller_of)]
ScenarioQuery = Annotated[str, Query(min_length=1, max_length=200)]
MAX_LOOPS = 500
"""Loops searched on a request (the analysis says when the search was cut short)."""
# A diagram is shown as an image; this policy keeps anything in it from running.
_SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def _engine_model(workbench: Workbench, workspace_id: int, model_id: int,
                  version: int | None, scenario: str) -> Model:
    loaded = workbench.loaded(resolve_version(workbench.store, workspace_id, model_id,
                                              version))
    if isinstance(loaded, SystemModel):
        _known_scenario(loaded, scenario)
        return loaded.model(scenario)[2]
    return loaded


@router.get("/loops")
def loops(workspace_id: Id, model_id: Id, caller: CallerDep, workbench: WorkbenchDep,
          scenario: ScenarioQuery = "baseline", version: VersionQuery = None) -> dict[str, Any]:
    """Feedback loops and which of them dominate when (Loops That Matter), in words."""
    require_role(workbench.store, caller, workspace_id, "viewer")
    model = _engine_model(workbench, workspace_id, model_id, version, scenario)
    return loop_dominance(model, max_loops=MAX_LOOPS).to_json()


@router.get("/diagram.svg", response_class=Response,
            responses={200: {"content": {"image/svg+xml": {}}}})
def diagram(workspace_id: Id, model_id: Id, caller: CallerDep, workbench: WorkbenchDep,
            scenario: ScenarioQuery = "baseline", version: VersionQuery = None) -> Response:
    """The causal-loop diagram of the model, with link polarities, as SVG."""
    require_role(workbench.store, caller, workspace_id, "viewer")
    model = _engine_model(workbench, workspace_id, model_id, version, scenario)
    graph = causal_structure(model)
    svg = render_diagram(graph, find_loops(graph, max_loops=MAX_LOOPS), "svg")
    return Response(svg, media_type="image/svg+xml",
                    headers={"Content-Security-Policy": _SVG_POLICY})


@router.get("/boundary")
def boundary(workspace_id: Id, model_id: Id, caller: CallerDep, workbench: WorkbenchDep,
             scenario: ScenarioQuery,
             inside: Annotated[list[str], Query(min_length=1, max_length=50)],
             baseline: ScenarioQuery = "baseline",
             version: VersionQuery = None) -> dict[str, Any]:
    """Would the conclusion survive a narrower system? ``scenario`` judged inside the
    ``inside`` organisations and across the whole system, with the kept CSH answers."""
    system = viewed_system(workbench, caller, workspace_id, model_id, version, scenario,
                           baseline)
    report = boundary_dict(boundary_critique(system, inside, scenario, baseline))
    report["workspace_answers"] = _answers(workbench, workspace_id, model_id)
    return report


def _answers(workbench: Workbench, workspace_id: int, model_id: int) -> list[dict[str, str]]:
    kept = {a.question: a for a in workbench.store.csh_answers(workspace_id, model_id)}
    rows = []
    for key, (group, text) in CSH_QUESTIONS.items():
        answer = kept.get(key)
        rows.append({"question": key, "group": group, "text": text,
                     "is": answer.is_answer if answer else "",
                     "ought": answer.ought_answer if answer else ""})
    return rows


class CshIn(BaseModel):
    question: Literal[tuple(CSH_QUESTIONS)]  # type: ignore[valid-type]
    is_answer: str = Field(default="", max_length=20_000)
    ought_answer: str = Field(default="", max_length=20_000)


@router.get("/csh")
def csh_answers(workspace_id: Id, model_id: Id, caller: CallerDep,
                workbench: WorkbenchDep) -> list[dict[str, str]]:
    """The twelve boundary questions of Critical Systems Heuristics with this workspace's
    "is" and "ought" answers for the model."""
    require_role(workbench.store, caller, workspace_id, "viewer")
    resolve_version(workbench.store, workspace_id, model_id)
    return _answers(workbench, workspace_id, model_id)


@router.put("/csh")
def set_csh_answer(workspace_id: Id, model_id: Id, body: CshIn, caller: CallerDep,
                   workbench: WorkbenchDep) -> list[dict[str, str]]:
    """Answer (or re-answer) one boundary question for the model."""
    require_role(workbench.store, caller, workspace_id, "editor")
    resolve_version(workbench.store, workspace_id, model_id)
    workbench.store.set_csh_answer(workspace_id, model_id, body.question, body.is_answer,
                                   body.ought_answer)
    return _answers(workbench, workspace_id, model_id)
