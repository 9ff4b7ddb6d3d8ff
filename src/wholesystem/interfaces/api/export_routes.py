"""Exports: results and ledgers as CSV, models as XMILE or Vensim ``.mdl``.

The uploaded file itself is served by ``GET .../models/{id}/file``. Results come from
the engine (a file's scenario, a saved scenario's levers) or from the store (a saved run,
decoded exactly as it was kept); the model files come from the export package.
"""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response

from wholesystem.export import EXPORTERS
from wholesystem.interfaces.api.access import Caller, Id, caller_of, require_role
from wholesystem.interfaces.api.access_routes import StoreDep
from wholesystem.interfaces.api.budgets import thresholds
from wholesystem.interfaces.api.model_routes import (
    VersionQuery,
    WorkbenchDep,
    _known_scenario,
    resolve_version,
    system_of,
)
from wholesystem.interfaces.api.pdf_report import ReportContent, scenario_pdf
from wholesystem.interfaces.api.tables import (
    LedgerTable,
    csv_response,
    download_name,
    ledger_frame,
)
from wholesystem.interfaces.api.views import changed_levers, series
from wholesystem.interfaces.api.workbench import Workbench
from wholesystem.interfaces.store import decode_results
from wholesystem.interfaces.store.schema import ModelVersion, Scenario
from wholesystem.ir.model import Project
from wholesystem.run import Model
from wholesystem.system.budgets import budget_flags
from wholesystem.system.ledger import build_ledger
from wholesystem.system.levers import simulate_levers
from wholesystem.system.model import SystemModel
from wholesystem.system.shunts import compare_ledgers

__all__ = ["router", "saved_scenario"]

router = APIRouter(prefix="/api/workspaces/{workspace_id}", tags=["exports"])
CallerDep = Annotated[Caller, Depends(caller_of)]
ScenarioQuery = Annotated[str, Query(min_length=1, max_length=200,
                                     description="The file's scenario (system files)")]
TableQuery = Annotated[LedgerTable, Query(description="Which of the ledger's tables")]
_MEDIA = {"xmile": "application/xml", "mdl": "text/plain; charset=utf-8"}
_SUFFIX = {"xmile": "xmile", "mdl": "mdl"}


def saved_scenario(workbench: Workbench, workspace_id: int,
                   scenario_id: int) -> tuple[Scenario, ModelVersion, SystemModel]:
    """A saved scenario, its model version and system; 404 when it is not here."""
    saved = workbench.store.scenario(workspace_id, scenario_id)
    if saved is None:
        raise HTTPException(404, f"no scenario {scenario_id} in workspace {workspace_id}")
    version = workbench.store.version(workspace_id, saved.version_id)
    assert version is not None  # a scenario's version is deleted with it
    return saved, version, system_of(workbench, version)


def _version_of(workbench: Workbench, caller: Caller, workspace_id: int, model_id: int,
                version: int | None) -> ModelVersion:
    require_role(workbench.store, caller, workspace_id, "viewer")
    return resolve_version(workbench.store, workspace_id, model_id, version)


def _model_results(loaded: SystemModel | Model, scenario: str) -> pd.DataFrame:
    if isinstance(loaded, SystemModel):
        _known_scenario(loaded, scenario)
        return loaded.simulate(scenario).results
    if scenario != "baseline":
        raise HTTPException(422, f"scenario: a plain model has only its baseline, not "
                                 f"'{scenario}'")
    return loaded.run()


@router.get("/models/{model_id}/results.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
def model_results_csv(workspace_id: Id, model_id: Id, caller: CallerDep,
                      workbench: WorkbenchDep, scenario: ScenarioQuery = "baseline",
                      version: VersionQuery = None) -> Response:
    """Every variable of one of the file's scenarios over time, as CSV (``time`` first)."""
    found = _version_of(workbench, caller, workspace_id, model_id, version)
    frame = _model_results(workbench.loaded(found), scenario)
    return csv_response(frame, download_name(found.filename, scenario) + ".csv", index=True)


@router.get("/models/{model_id}/ledger.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
def model_ledger_csv(workspace_id: Id, model_id: Id, caller: CallerDep,
                     workbench: WorkbenchDep, scenario: ScenarioQuery = "baseline",
                     table: TableQuery = "organisations",
                     version: VersionQuery = None) -> Response:
    """One of the ledger's tables for one of the file's scenarios, as CSV."""
    found = _version_of(workbench, caller, workspace_id, model_id, version)
    system = system_of(workbench, found)
    _known_scenario(system, scenario)
    ledger = workbench.ledger(found, scenario)
    return csv_response(ledger_frame(ledger, table),
                        download_name(found.filename, scenario, "ledger", table) + ".csv")


def _project(loaded: SystemModel | Model, scenario: str) -> Project:
    if isinstance(loaded, SystemModel):
        _known_scenario(loaded, scenario)
        return loaded.model(scenario)[2].project
    if scenario != "baseline":
        raise HTTPException(422, f"scenario: a plain model has only its baseline, not "
                                 f"'{scenario}'")
    return loaded.project


def _export(workbench: Workbench, caller: Caller, workspace_id: int, model_id: int,
            version: int | None, scenario: str, target: str) -> Response:
    found = _version_of(workbench, caller, workspace_id, model_id, version)
    text = EXPORTERS[target](_project(workbench.loaded(found), scenario))
    stem = found.filename.rsplit(".", 1)[0]
    name = download_name(stem, scenario if scenario != "baseline" else "")
    return Response(text, media_type=_MEDIA[target], headers={
        "Content-Disposition": f'attachment; filename="{name}.{_SUFFIX[target]}"'})


@router.get("/models/{model_id}/export.xmile", response_class=Response,
            responses={200: {"content": {"application/xml": {}}}})
def export_xmile(workspace_id: Id, model_id: Id, caller: CallerDep, workbench: WorkbenchDep,
                 scenario: ScenarioQuery = "baseline",
                 version: VersionQuery = None) -> Response:
    """The model as XMILE 1.0 (a system file: the stock-and-flow model its scenario
    lowers to); reading it back gives the same results."""
    return _export(workbench, caller, workspace_id, model_id, version, scenario, "xmile")


@router.get("/models/{model_id}/export.mdl", response_class=Response,
            responses={200: {"content": {"text/plain": {}}}})
def export_mdl(workspace_id: Id, model_id: Id, caller: CallerDep, workbench: WorkbenchDep,
               scenario: ScenarioQuery = "baseline",
               version: VersionQuery = None) -> Response:
    """The model as a Vensim ``.mdl`` file (a system file: its scenario's stock-and-flow
    model)."""
    return _export(workbench, caller, workspace_id, model_id, version, scenario, "mdl")


@router.get("/scenarios/{scenario_id}/results.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
def scenario_results_csv(workspace_id: Id, scenario_id: Id, caller: CallerDep,
                         workbench: WorkbenchDep) -> Response:
    """A saved scenario's results (its levers over its base), every variable over time."""
    require_role(workbench.store, caller, workspace_id, "viewer")
    saved, _, system = saved_scenario(workbench, workspace_id, scenario_id)
    run = simulate_levers(system, saved.levers, saved.base)
    return csv_response(run.results, download_name(saved.name, "results") + ".csv",
                        index=True)


@router.get("/scenarios/{scenario_id}/ledger.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
def scenario_ledger_csv(workspace_id: Id, scenario_id: Id, caller: CallerDep,
                        workbench: WorkbenchDep,
                        table: TableQuery = "organisations") -> Response:
    """One of a saved scenario's ledger tables, as CSV."""
    require_role(workbench.store, caller, workspace_id, "viewer")
    saved, _, system = saved_scenario(workbench, workspace_id, scenario_id)
    ledger = build_ledger(simulate_levers(system, saved.levers, saved.base))
    return csv_response(ledger_frame(ledger, table),
                        download_name(saved.name, "ledger", table) + ".csv")


@router.get("/runs/{run_id}/results.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
def run_results_csv(workspace_id: Id, run_id: Id, caller: CallerDep,
                    store: StoreDep) -> Response:
    """A saved run's results exactly as the store keeps them."""
    require_role(store, caller, workspace_id, "viewer")
    run = store.run(workspace_id, run_id)
    if run is None:
        raise HTTPException(404, f"no run {run_id} in workspace {workspace_id}")
    return csv_response(decode_results(list(run.columns), run.results),
                        f"run-{run.id}.csv", index=True)


@router.get("/scenarios/{scenario_id}/report.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
def scenario_report_pdf(workspace_id: Id, scenario_id: Id, caller: CallerDep,
                        workbench: WorkbenchDep) -> Response:
    """The saved scenario as a PDF for a board paper: verdict, cost shunts, budget
    flags, levers moved, who pays and who waits per organisation, charts against the
    base case, and the experiment log about it."""
    require_role(workbench.store, caller, workspace_id, "viewer")
    saved, version, system = saved_scenario(workbench, workspace_id, scenario_id)
    try:
        import matplotlib  # noqa: F401  (the analysis extra draws the charts)
    except ImportError:
        raise HTTPException(501, "the PDF report needs matplotlib: pip install "
                                 "'wholesystem[analysis]'") from None
    base_run = system.simulate("baseline")
    run = simulate_levers(system, saved.levers, saved.base)
    comparison = compare_ledgers(build_ledger(base_run), build_ledger(run))
    model_id = workbench.store.model_of_version(version).id
    content = ReportContent(
        system_name=system.spec.name, scenario=saved, comparison=comparison,
        changed=changed_levers(system, saved.levers, saved.base),
        log=[e for e in workbench.store.list_log(workspace_id) if e.scenario_id == saved.id],
        base_series=series(base_run), series=series(run),
        budgets=budget_flags(comparison, thresholds(workbench.store, workspace_id,
                                                    model_id)))
    return Response(scenario_pdf(content), media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{download_name(saved.name)}.pdf"'})
