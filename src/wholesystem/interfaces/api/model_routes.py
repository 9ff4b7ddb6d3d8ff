"""Models: upload and version them, inspect them, move their levers, compare, journeys."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import Response

import wholesystem
from wholesystem.interfaces.api.access import MAX_ID, Caller, Id, caller_of, require_role
from wholesystem.interfaces.api.access_routes import StoreDep
from wholesystem.interfaces.api.budgets import comparison_with_budgets
from wholesystem.interfaces.api.schemas import (
    ChangedLever,
    ModelDetail,
    ModelOut,
    RunIn,
    RunOut,
    VersionOut,
)
from wholesystem.interfaces.api.views import changed_levers, lever_groups, series, system_map
from wholesystem.interfaces.api.workbench import UploadError, Workbench, model_name
from wholesystem.interfaces.render import verdict_sentence
from wholesystem.interfaces.render.journeys import journeys_dict
from wholesystem.interfaces.store import Store, encode_results
from wholesystem.interfaces.store.schema import ModelVersion, StoredModel
from wholesystem.run import Model
from wholesystem.system.journey_report import journeys
from wholesystem.system.ledger import build_ledger, ledger_dict
from wholesystem.system.levers import compare_levers, simulate_levers, system_levers
from wholesystem.system.model import SystemModel
from wholesystem.system.shunts import compare_ledgers

__all__ = ["router", "EXAMPLES", "resolve_version", "system_of", "viewed_system"]

router = APIRouter(prefix="/api/workspaces/{workspace_id}", tags=["models"])
CallerDep = Annotated[Caller, Depends(caller_of)]
VersionQuery = Annotated[int | None, Query(ge=1, le=MAX_ID,
                                           description="Version number (default: latest)")]
EXAMPLES = ("hospital_discharge", "delayed_discharge_system", "older_people",
            "criminal_justice", "housing_homelessness")
"""Bundled systems the workbench offers to load."""


def workbench_of(request: Request) -> Workbench:
    """The app's workbench."""
    return request.app.state.workbench


WorkbenchDep = Annotated[Workbench, Depends(workbench_of)]


def _model_out(model: StoredModel) -> ModelOut:
    return ModelOut.model_validate(model)


def resolve_version(store: Store, workspace_id: Id, model_id: Id,
                    number: int | None = None) -> ModelVersion:
    """The model's version ``number`` (default: its latest); 404 if there is none."""
    versions = store.versions(workspace_id, model_id)
    if not versions:
        raise HTTPException(404, f"no model {model_id} in workspace {workspace_id}")
    if number is None:
        return versions[-1]
    for version in versions:
        if version.number == number:
            return version
    raise HTTPException(404, f"version: model {model_id} has no version {number}")


def system_of(workbench: Workbench, version: ModelVersion) -> SystemModel:
    """The version's system; 422 when it is an XMILE or Vensim model instead."""
    loaded = workbench.loaded(version)
    if not isinstance(loaded, SystemModel):
        raise HTTPException(422, "this needs a system file (.yaml): organisations, "
                                 "services and costs; the model is a plain stock-and-flow "
                                 "model")
    return loaded


async def _read_upload(workbench: Workbench, file: UploadFile) -> bytes:
    content = await file.read(workbench.max_upload_bytes + 1)
    if len(content) > workbench.max_upload_bytes:
        raise UploadError(f"the file is over the limit of {workbench.max_upload_bytes:,} "
                          "bytes", status=413)
    return content


@router.get("/models", response_model=list[ModelOut])
def list_models(workspace_id: Id, caller: CallerDep, store: StoreDep) -> list[ModelOut]:
    """The workspace's models."""
    require_role(store, caller, workspace_id, "viewer")
    return [_model_out(m) for m in store.list_models(workspace_id)]


@router.post("/models", response_model=ModelOut, status_code=201)
async def upload_model(workspace_id: Id, caller: CallerDep, workbench: WorkbenchDep,
                       file: Annotated[UploadFile, File(description="XMILE, Vensim or "
                                                        "system file")],
                       name: Annotated[str, Form(max_length=200)] = "",
                       note: Annotated[str, Form(max_length=20_000)] = "") -> ModelOut:
    """Upload a model: kept byte for byte with its SHA-256, after it parses."""
    require_role(workbench.store, caller, workspace_id, "editor")
    content = await _read_upload(workbench, file)
    filename, kind, loaded = workbench.check_upload(file.filename or "", content)
    model, _ = workbench.store.add_model(workspace_id, name.strip() or model_name(loaded),
                                         kind, filename, content, note)
    return _model_out(model)


@router.post("/models/{model_id}/versions", response_model=VersionOut, status_code=201)
async def upload_version(workspace_id: Id, model_id: Id, caller: CallerDep,
                         workbench: WorkbenchDep, file: Annotated[UploadFile, File()],
                         note: Annotated[str, Form(max_length=20_000)] = "") -> VersionOut:
    """Upload a new version of a model (same kind of file)."""
    require_role(workbench.store, caller, workspace_id, "editor")
    model = workbench.store.model(workspace_id, model_id)
    if model is None:
        raise HTTPException(404, f"no model {model_id} in workspace {workspace_id}")
    content = await _read_upload(workbench, file)
    filename, kind, _ = workbench.check_upload(file.filename or "", content)
    if kind != model.kind:
        raise UploadError(f"the model is a {model.kind} model; this file is {kind}")
    version = workbench.store.add_version(workspace_id, model_id, filename, content, note)
    return VersionOut.model_validate(version)


@router.post("/examples/{example}", response_model=ModelOut, status_code=201)
def load_example(workspace_id: Id, example: str, caller: CallerDep,
                 workbench: WorkbenchDep) -> ModelOut:
    """Copy one of the bundled example systems into the workspace."""
    require_role(workbench.store, caller, workspace_id, "editor")
    if example not in EXAMPLES:
        raise HTTPException(404, f"example: no example '{example}'; examples: "
                                 + ", ".join(EXAMPLES))
    content = wholesystem.example_path(example).read_bytes()
    filename, kind, loaded = workbench.check_upload(
        wholesystem.example_path(example).name, content)
    model, _ = workbench.store.add_model(workspace_id, model_name(loaded), kind, filename,
                                         content, "bundled example")
    return _model_out(model)


@router.get("/models/{model_id}", response_model=ModelDetail)
def model_detail(workspace_id: Id, model_id: Id, caller: CallerDep,
                 workbench: WorkbenchDep) -> ModelDetail:
    """A model, its versions, scenarios and variables."""
    require_role(workbench.store, caller, workspace_id, "viewer")
    version = resolve_version(workbench.store, workspace_id, model_id)
    model = workbench.store.model_of_version(version)
    loaded = workbench.loaded(version)
    engine: Model = loaded.model()[2] if isinstance(loaded, SystemModel) else loaded
    return ModelDetail(
        id=model.id, name=model.name, kind=model.kind, created_at=model.created_at,
        versions=[VersionOut.model_validate(v)
                  for v in workbench.store.versions(workspace_id, model_id)],
        scenarios=loaded.scenarios if isinstance(loaded, SystemModel) else [],
        variables=[o.display for o in engine.compiled.outputs])


@router.get("/models/{model_id}/file")
def model_file(workspace_id: Id, model_id: Id, caller: CallerDep, store: StoreDep,
               version: VersionQuery = None) -> Response:
    """The uploaded file, byte for byte (export of the original)."""
    require_role(store, caller, workspace_id, "viewer")
    found = resolve_version(store, workspace_id, model_id, version)
    return Response(found.content, media_type="application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="{found.filename}"',
        "X-Content-SHA256": found.sha256})


@router.get("/models/{model_id}/levers")
def levers(workspace_id: Id, model_id: Id, caller: CallerDep, workbench: WorkbenchDep,
           scenario: Annotated[str, Query(min_length=1, max_length=200)] = "baseline",
           version: VersionQuery = None) -> list[dict[str, Any]]:
    """The scenario's levers grouped by organisation, each with what it affects and its
    evidence."""
    system = viewed_system(workbench, caller, workspace_id, model_id, version, scenario)
    evidence = {e.parameter: {"source": e.source, "owner": e.owner, "note": e.note}
                for e in workbench.store.evidence(workspace_id, model_id)}
    return lever_groups(system_levers(system, scenario), evidence)


def viewed_system(workbench: Workbench, caller: Caller, workspace_id: int, model_id: int,
                  version: int | None, *scenarios: str) -> SystemModel:
    """The system a viewer asks about, with each of ``scenarios`` known to it."""
    require_role(workbench.store, caller, workspace_id, "viewer")
    system = system_of(workbench, resolve_version(workbench.store, workspace_id, model_id,
                                                  version))
    for scenario in scenarios:
        _known_scenario(system, scenario)
    return system


def _known_scenario(system: SystemModel, scenario: str) -> None:
    if scenario not in system.scenarios:
        raise HTTPException(422, f"scenario: no scenario '{scenario}'; scenarios: "
                                 + ", ".join(system.scenarios))


@router.get("/models/{model_id}/map")
def model_map(workspace_id: Id, model_id: Id, caller: CallerDep, workbench: WorkbenchDep,
              scenario: Annotated[str, Query(min_length=1, max_length=200)] = "baseline",
              version: VersionQuery = None) -> dict[str, Any]:
    """The system map: organisations, services, pathways sized by flow, queues over time."""
    system = viewed_system(workbench, caller, workspace_id, model_id, version, scenario)
    run = system.simulate(scenario)
    return system_map(system, build_ledger(run), run)


@router.get("/models/{model_id}/ledger")
def ledger(workspace_id: Id, model_id: Id, caller: CallerDep, workbench: WorkbenchDep,
           scenario: Annotated[str, Query(min_length=1, max_length=200)] = "baseline",
           version: VersionQuery = None) -> dict[str, Any]:
    """Cost and activity per organisation, service and period."""
    system = viewed_system(workbench, caller, workspace_id, model_id, version, scenario)
    return ledger_dict(build_ledger(system.simulate(scenario)))


@router.post("/models/{model_id}/run", response_model=RunOut)
def run_levers(workspace_id: Id, model_id: Id, body: RunIn, caller: CallerDep,
               workbench: WorkbenchDep) -> RunOut:
    """Run a scenario with levers moved: who pays, who saves and who waits against the
    baseline, and the series for the charts; ``save`` keeps the run."""
    require_role(workbench.store, caller, workspace_id, "editor" if body.save else "viewer")
    version = resolve_version(workbench.store, workspace_id, model_id, body.version)
    system = system_of(workbench, version)
    _known_scenario(system, body.scenario)
    run = simulate_levers(system, body.levers, body.scenario)
    comparison = compare_ledgers(workbench.ledger(version, "baseline"), build_ledger(run))
    run_id = None
    if body.save:
        columns, blob, _ = encode_results(run.results)
        run_id = workbench.store.add_run(
            workspace_id, version.id, base=body.scenario, levers=dict(body.levers),
            columns=columns, results=blob, engine_version=wholesystem.__version__,
            summary={"verdict": comparison.verdict, "summary": verdict_sentence(comparison),
                     "whole_change": comparison.whole_change}).id
    return RunOut(run_id=run_id, series=series(run),
                  comparison=comparison_with_budgets(workbench.store, workspace_id, model_id,
                                                     comparison),
                  changed=[ChangedLever(**c) for c in
                           changed_levers(system, body.levers, body.scenario)])


@router.get("/models/{model_id}/compare")
def compare_scenarios(workspace_id: Id, model_id: Id, caller: CallerDep,
                      workbench: WorkbenchDep,
                      scenario: Annotated[str, Query(min_length=1, max_length=200)],
                      baseline: Annotated[str, Query(min_length=1, max_length=200)] =
                      "baseline",
                      version: VersionQuery = None) -> dict[str, Any]:
    """Compare two of the file's scenarios: the cost-shunt verdict."""
    system = viewed_system(workbench, caller, workspace_id, model_id, version, scenario,
                           baseline)
    return comparison_with_budgets(workbench.store, workspace_id, model_id,
                                   compare_levers(system, {}, scenario, baseline))


@router.get("/models/{model_id}/journeys")
def model_journeys(workspace_id: Id, model_id: Id, caller: CallerDep,
                   workbench: WorkbenchDep,
                   scenario: Annotated[str, Query(min_length=1, max_length=200)] = "baseline",
                   runs: Annotated[int, Query(ge=1, le=20)] = 5,
                   seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
                   version: VersionQuery = None) -> dict[str, Any]:
    """Residents simulated one by one: flows between services and typical journeys."""
    system = viewed_system(workbench, caller, workspace_id, model_id, version, scenario)
    return journeys_dict(journeys(system, [scenario], runs=runs, seed=seed))
