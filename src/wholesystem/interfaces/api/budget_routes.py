"""Budget thresholds per organisation: set by a workspace's editors (who set each is
kept), and the scenarios that push an organisation over its threshold."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path
from fastapi.responses import Response
from pydantic import BaseModel, Field, field_validator

from wholesystem.interfaces.api.access import Caller, Id, caller_of, require_role
from wholesystem.interfaces.api.budgets import comparison_with_budgets, thresholds
from wholesystem.interfaces.api.model_routes import WorkbenchDep, resolve_version, system_of
from wholesystem.interfaces.api.workbench import Workbench
from wholesystem.system.levers import compare_levers
from wholesystem.system.model import SystemModel
from wholesystem.system.shunts import compare_ledgers

__all__ = ["router", "BudgetIn", "BudgetOut"]

router = APIRouter(prefix="/api/workspaces/{workspace_id}/models/{model_id}",
                   tags=["budgets"])
CallerDep = Annotated[Caller, Depends(caller_of)]


class BudgetIn(BaseModel):
    organisation: str = Field(min_length=1, max_length=200,
                              description="The organisation's id in the system file")
    amount: float = Field(ge=0, le=1e15, description="Its budget over the system's "
                                                     "horizon, in the file's currency")
    note: str = Field(default="", max_length=20_000)

    @field_validator("amount")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite amount")
        return value


class BudgetOut(BaseModel):
    organisation: str
    name: str
    amount: float | None
    """None: no budget set for this organisation."""
    set_by: str
    note: str
    updated_at: datetime | None


def _system(workbench: Workbench, workspace_id: int, model_id: int) -> SystemModel:
    return system_of(workbench, resolve_version(workbench.store, workspace_id, model_id))


def _listed(workbench: Workbench, workspace_id: int, model_id: int,
            system: SystemModel) -> list[BudgetOut]:
    kept = {b.organisation: b for b in workbench.store.budgets(workspace_id, model_id)}
    rows = []
    for organisation in system.spec.organisations:
        budget = kept.get(organisation.id)
        rows.append(BudgetOut(
            organisation=organisation.id, name=organisation.name,
            amount=budget.amount if budget else None, set_by=budget.set_by if budget else "",
            note=budget.note if budget else "",
            updated_at=budget.updated_at if budget else None))
    return rows


@router.get("/budgets", response_model=list[BudgetOut])
def list_budgets(workspace_id: Id, model_id: Id, caller: CallerDep,
                 workbench: WorkbenchDep) -> list[BudgetOut]:
    """Every organisation of the model with its budget threshold (none when not set) and
    who set it."""
    require_role(workbench.store, caller, workspace_id, "viewer")
    system = _system(workbench, workspace_id, model_id)
    return _listed(workbench, workspace_id, model_id, system)


@router.put("/budgets", response_model=list[BudgetOut])
def set_budget(workspace_id: Id, model_id: Id, body: BudgetIn, caller: CallerDep,
               workbench: WorkbenchDep) -> list[BudgetOut]:
    """Set (or replace) one organisation's budget threshold."""
    require_role(workbench.store, caller, workspace_id, "editor")
    system = _system(workbench, workspace_id, model_id)
    known = [o.id for o in system.spec.organisations]
    if body.organisation not in known:
        raise HTTPException(422, f"organisation: no organisation '{body.organisation}'; "
                                 "organisations: " + ", ".join(known))
    workbench.store.set_budget(workspace_id, model_id, body.organisation,
                               amount=body.amount, set_by=caller.username, note=body.note)
    return _listed(workbench, workspace_id, model_id, system)


@router.delete("/budgets/{organisation}", status_code=204, response_class=Response)
def remove_budget(workspace_id: Id, model_id: Id, caller: CallerDep,
                  workbench: WorkbenchDep,
                  organisation: Annotated[str, Path(min_length=1, max_length=200)]
                  ) -> Response:
    """Remove an organisation's budget threshold."""
    require_role(workbench.store, caller, workspace_id, "editor")
    resolve_version(workbench.store, workspace_id, model_id)
    if not workbench.store.remove_budget(workspace_id, model_id, organisation):
        raise HTTPException(404, f"organisation: no budget set for '{organisation}'")
    return Response(status_code=204)


@router.get("/budget-flags")
def budget_flags(workspace_id: Id, model_id: Id, caller: CallerDep,
                 workbench: WorkbenchDep) -> list[dict[str, Any]]:
    """Every scenario of the file and every saved scenario of this model, each with its
    organisations' costs against their thresholds (``crossed``: pushed over)."""
    require_role(workbench.store, caller, workspace_id, "viewer")
    store = workbench.store
    version = resolve_version(store, workspace_id, model_id)
    system = system_of(workbench, version)
    if not thresholds(store, workspace_id, model_id):
        return []
    base = workbench.ledger(version, "baseline")
    rows = []
    for name in system.scenarios:
        if name == "baseline":
            continue
        comparison = compare_ledgers(base, workbench.ledger(version, name))
        rows.append({"kind": "file", "scenario": name, "id": None,
                     "budgets": comparison_with_budgets(store, workspace_id, model_id,
                                                        comparison)["budgets"]})
    ours = {v.id for v in store.versions(workspace_id, model_id)}
    for saved in store.list_scenarios(workspace_id):
        if saved.version_id not in ours:
            continue
        saved_system = system_of(workbench, store.version(workspace_id, saved.version_id)
                                 or version)
        comparison = compare_levers(saved_system, saved.levers, saved.base)
        rows.append({"kind": "saved", "scenario": saved.name, "id": saved.id,
                     "budgets": comparison_with_budgets(store, workspace_id, model_id,
                                                        comparison)["budgets"]})
    return rows
