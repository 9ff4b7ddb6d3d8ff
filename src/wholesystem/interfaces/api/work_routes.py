"""Saved scenarios (compared beside the base case) and the experiment log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import HTMLResponse

from wholesystem.interfaces.api.access import Caller, Id, caller_of, require_role
from wholesystem.interfaces.api.budgets import comparison_with_budgets
from wholesystem.interfaces.api.model_routes import (
    WorkbenchDep,
    _known_scenario,
    resolve_version,
    system_of,
)
from wholesystem.interfaces.api.report import scenario_report
from wholesystem.interfaces.api.schemas import (
    ChangedLever,
    LogIn,
    LogOut,
    ScenarioCompare,
    ScenarioIn,
    ScenarioOut,
)
from wholesystem.interfaces.api.views import changed_levers
from wholesystem.system.levers import check_levers, compare_levers

__all__ = ["router"]

router = APIRouter(prefix="/api/workspaces/{workspace_id}", tags=["scenarios and log"])
CallerDep = Annotated[Caller, Depends(caller_of)]


@router.get("/scenarios", response_model=list[ScenarioOut])
def list_scenarios(workspace_id: Id, caller: CallerDep,
                   workbench: WorkbenchDep) -> list[ScenarioOut]:
    """The workspace's saved scenarios."""
    require_role(workbench.store, caller, workspace_id, "viewer")
    return [ScenarioOut.model_validate(s) for s in workbench.store.list_scenarios(workspace_id)]


@router.post("/scenarios", response_model=ScenarioOut, status_code=201)
def save_scenario(workspace_id: Id, body: ScenarioIn, caller: CallerDep,
                  workbench: WorkbenchDep) -> ScenarioOut:
    """Save lever values over a base scenario, with a note."""
    require_role(workbench.store, caller, workspace_id, "editor")
    version = resolve_version(workbench.store, workspace_id, body.model_id, body.version)
    system = system_of(workbench, version)
    _known_scenario(system, body.base)
    levers = check_levers(system, body.levers, body.base)
    saved = workbench.store.add_scenario(workspace_id, version.id, body.name, body.base,
                                         levers, body.note)
    return ScenarioOut.model_validate(saved)


@router.get("/scenarios/{scenario_id}/compare", response_model=ScenarioCompare)
def compare_saved(workspace_id: Id, scenario_id: Id, caller: CallerDep,
                  workbench: WorkbenchDep) -> ScenarioCompare:
    """A saved scenario beside the base case: every lever that differs, and who pays,
    who saves and who waits."""
    require_role(workbench.store, caller, workspace_id, "viewer")
    saved = workbench.store.scenario(workspace_id, scenario_id)
    if saved is None:
        raise HTTPException(404, f"no scenario {scenario_id} in workspace {workspace_id}")
    version = workbench.store.version(workspace_id, saved.version_id)
    assert version is not None  # a scenario's version is deleted with it
    system = system_of(workbench, version)
    comparison = compare_levers(system, saved.levers, saved.base)
    return ScenarioCompare(
        scenario=ScenarioOut.model_validate(saved),
        changed=[ChangedLever(**c) for c in changed_levers(system, saved.levers, saved.base)],
        comparison=comparison_with_budgets(workbench.store, workspace_id,
                                           workbench.store.model_of_version(version).id,
                                           comparison))


@router.get("/scenarios/{scenario_id}/report.html", response_class=HTMLResponse)
def scenario_report_page(workspace_id: Id, scenario_id: Id, caller: CallerDep,
                         workbench: WorkbenchDep) -> HTMLResponse:
    """The saved scenario as an HTML report for a board paper (print it to PDF)."""
    require_role(workbench.store, caller, workspace_id, "viewer")
    saved = workbench.store.scenario(workspace_id, scenario_id)
    if saved is None:
        raise HTTPException(404, f"no scenario {scenario_id} in workspace {workspace_id}")
    version = workbench.store.version(workspace_id, saved.version_id)
    assert version is not None
    system = system_of(workbench, version)
    log = [e for e in workbench.store.list_log(workspace_id) if e.scenario_id == saved.id]
    html = scenario_report(system.spec.name, saved,
                           compare_levers(system, saved.levers, saved.base),
                           changed_levers(system, saved.levers, saved.base), log)
    return HTMLResponse(html, headers={"Content-Security-Policy": "default-src 'none'; "
                                                                  "style-src 'unsafe-inline'"})


@router.get("/log", response_model=list[LogOut])
def list_log(workspace_id: Id, caller: CallerDep, workbench: WorkbenchDep) -> list[LogOut]:
    """The workspace's experiment log, oldest first."""
    require_role(workbench.store, caller, workspace_id, "viewer")
    return [LogOut.model_validate(e) for e in workbench.store.list_log(workspace_id)]


@router.post("/log", response_model=LogOut, status_code=201)
def add_log(workspace_id: Id, body: LogIn, caller: CallerDep,
            workbench: WorkbenchDep) -> LogOut:
    """Log an experiment: question, hypothesis, findings and decision."""
    store = workbench.store
    require_role(store, caller, workspace_id, "editor")
    if body.scenario_id is not None and store.scenario(workspace_id, body.scenario_id) is None:
        raise HTTPException(422, f"scenario_id: no scenario {body.scenario_id} here")
    if body.run_id is not None and store.run(workspace_id, body.run_id) is None:
        raise HTTPException(422, f"run_id: no run {body.run_id} here")
    entry = store.add_log_entry(workspace_id, author=caller.username,
                                question=body.question, hypothesis=body.hypothesis,
                                findings=body.findings, decision=body.decision,
                                run_id=body.run_id, scenario_id=body.scenario_id)
    return LogOut.model_validate(entry)
