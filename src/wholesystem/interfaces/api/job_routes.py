"""Background jobs over the API: start an analysis, follow its progress (polling or
server-sent events), cancel it, fetch its result; and the quick forecast.

Starting a job checks the request at once (a 422 names the field) and answers 202 with
the queued job; the work runs in the server's worker threads
(:class:`~wholesystem.interfaces.api.jobs.JobRunner`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from wholesystem.analysis.forecasting import backtest, backtest_dict, forecast, forecast_dict
from wholesystem.analysis.uncertainty import parameter_dict, read_parameters
from wholesystem.errors import ParameterError
from wholesystem.interfaces.api.access import Caller, Id, caller_of, require_role
from wholesystem.interfaces.api.job_schemas import (
    CalibrationIn,
    EnsembleIn,
    FieldProblem,
    ForecastIn,
    JobOut,
    LoopsIn,
    RankIn,
    SensitivityIn,
)
from wholesystem.interfaces.api.job_work import (
    Prepared,
    ensemble_series,
    prepare_calibration,
    prepare_ensemble,
    prepare_loops,
    prepare_rank,
    prepare_sensitivity,
)
from wholesystem.interfaces.api.jobs import JobRunner
from wholesystem.interfaces.api.model_routes import WorkbenchDep, resolve_version
from wholesystem.interfaces.api.workbench import Workbench
from wholesystem.run import Model
from wholesystem.system.model import SystemModel

__all__ = ["router", "MAX_UNFINISHED"]

router = APIRouter(prefix="/api/workspaces/{workspace_id}", tags=["jobs"])
CallerDep = Annotated[Caller, Depends(caller_of)]
MAX_UNFINISHED = 8
"""Jobs one workspace may have queued or running at once."""
_FINAL = ("done", "failed", "cancelled")


def runner_of(request: Request) -> JobRunner:
    """The app's job runner."""
    return request.app.state.jobs


RunnerDep = Annotated[JobRunner, Depends(runner_of)]


def _start(workbench: Workbench, runner: JobRunner, caller: Caller, workspace_id: int,
           model_id: int, kind: str, body: Any,
           prepare: Callable[[SystemModel | Model, Path], Prepared]) -> JobOut:
    require_role(workbench.store, caller, workspace_id, "editor")
    version = resolve_version(workbench.store, workspace_id, model_id)
    if workbench.store.count_unfinished_jobs(workspace_id) >= MAX_UNFINISHED:
        raise HTTPException(429, f"this workspace already has {MAX_UNFINISHED} jobs queued "
                                 "or running; wait for one to finish or cancel one")
    prepared = prepare(workbench.loaded(version), workbench.file_of(version))
    job = workbench.store.add_job(workspace_id, version.id, kind, body.model_dump(mode="json"),
                                  prepared.total, caller.username)
    runner.submit(job.id, prepared.work)
    return JobOut.model_validate(job)


_ACCEPTED: dict[int | str, dict[str, Any]] = {202: {"description": "The job, queued"}}


@router.post("/models/{model_id}/jobs/ensemble", response_model=JobOut, status_code=202,
             responses=_ACCEPTED)
def start_ensemble(workspace_id: Id, model_id: Id, body: EnsembleIn, caller: CallerDep,
                   workbench: WorkbenchDep, runner: RunnerDep) -> JobOut:
    """A Monte Carlo ensemble of a scenario (with levers moved) over uncertain
    parameters: percentile bands of each organisation's cost and each service's queue."""
    return _start(workbench, runner, caller, workspace_id, model_id, "ensemble", body,
                  lambda loaded, path: prepare_ensemble(loaded, path, body))


@router.post("/models/{model_id}/jobs/sensitivity", response_model=JobOut, status_code=202,
             responses=_ACCEPTED)
def start_sensitivity(workspace_id: Id, model_id: Id, body: SensitivityIn,
                      caller: CallerDep, workbench: WorkbenchDep,
                      runner: RunnerDep) -> JobOut:
    """Which assumptions matter, and when: Sobol indices or Morris effects."""
    return _start(workbench, runner, caller, workspace_id, model_id, "sensitivity", body,
                  lambda loaded, path: prepare_sensitivity(loaded, path, body))


@router.post("/models/{model_id}/jobs/rank", response_model=JobOut, status_code=202,
             responses=_ACCEPTED)
def start_rank(workspace_id: Id, model_id: Id, body: RankIn, caller: CallerDep,
               workbench: WorkbenchDep, runner: RunnerDep) -> JobOut:
    """Where to act: the system file's interventions ranked over the same uncertain
    draws, with who pays and who benefits."""
    return _start(workbench, runner, caller, workspace_id, model_id, "rank", body,
                  lambda loaded, path: prepare_rank(loaded, path, body))


@router.post("/models/{model_id}/jobs/calibration", response_model=JobOut, status_code=202,
             responses=_ACCEPTED)
def start_calibration(workspace_id: Id, model_id: Id, body: CalibrationIn,
                      caller: CallerDep, workbench: WorkbenchDep,
                      runner: RunnerDep) -> JobOut:
    """Fit constants of the model to observed series (least squares or MCMC)."""
    return _start(workbench, runner, caller, workspace_id, model_id, "calibration", body,
                  lambda loaded, _path: prepare_calibration(loaded, body))


@router.post("/models/{model_id}/jobs/loops", response_model=JobOut, status_code=202,
             responses=_ACCEPTED)
def start_loops(workspace_id: Id, model_id: Id, body: LoopsIn, caller: CallerDep,
                workbench: WorkbenchDep, runner: RunnerDep) -> JobOut:
    """Feedback loops and their dominance over time, in the background."""
    return _start(workbench, runner, caller, workspace_id, model_id, "loops", body,
                  lambda loaded, _path: prepare_loops(loaded, body))


@router.get("/models/{model_id}/uncertainty")
def model_uncertainty(workspace_id: Id, model_id: Id, caller: CallerDep,
                      workbench: WorkbenchDep) -> dict[str, Any]:
    """The system file's own uncertain parameters (its ``uncertainty:`` block), and the
    constants that may be made uncertain (name, value, kind)."""
    require_role(workbench.store, caller, workspace_id, "viewer")
    version = resolve_version(workbench.store, workspace_id, model_id)
    loaded = workbench.loaded(version)
    declared: list[dict[str, Any]] = []
    if isinstance(loaded, SystemModel):
        try:
            declared = [parameter_dict(p) for p in
                        read_parameters(workbench.file_of(version))[0]]
        except ParameterError:
            declared = []
        constants = [{"name": p.display, "value": p.value, "kind": p.kind, "units": p.units}
                     for p in loaded.parameters() if p.live]
    else:
        constants = [{"name": name, "value": value, "kind": "constant", "units": ""}
                     for name, value in loaded.constants.items() if value is not None]
    return {"declared": declared, "constants": constants}


@router.get("/jobs", response_model=list[JobOut])
def list_jobs(workspace_id: Id, caller: CallerDep, workbench: WorkbenchDep) -> list[JobOut]:
    """The workspace's jobs, oldest first."""
    require_role(workbench.store, caller, workspace_id, "viewer")
    return [JobOut.model_validate(j) for j in workbench.store.list_jobs(workspace_id)]


def _job(workbench: Workbench, caller: Caller, workspace_id: int, job_id: int,
         role: str = "viewer") -> Any:
    require_role(workbench.store, caller, workspace_id, role)
    job = workbench.store.job(workspace_id, job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id} in workspace {workspace_id}")
    return job


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job(workspace_id: Id, job_id: Id, caller: CallerDep,
            workbench: WorkbenchDep) -> JobOut:
    """A job's state and progress."""
    return JobOut.model_validate(_job(workbench, caller, workspace_id, job_id))


@router.get("/jobs/{job_id}/result")
def job_result(workspace_id: Id, job_id: Id, caller: CallerDep,
               workbench: WorkbenchDep) -> dict[str, Any]:
    """A finished job's result (the analysis's own JSON); an ensemble's also holds its
    percentile bands over time under ``series``. 409 until the job is done."""
    job = _job(workbench, caller, workspace_id, job_id)
    if job.state != "done" or job.result is None:
        raise HTTPException(409, f"job {job_id} is {job.state}: it has no result"
                                 + (f" ({job.message})" if job.message else ""))
    result = dict(job.result)
    if job.result_data is not None:
        result["series"] = ensemble_series(job.result, job.result_columns, job.result_data)
    return result


@router.post("/jobs/{job_id}/cancel", response_model=JobOut)
def cancel_job(workspace_id: Id, job_id: Id, caller: CallerDep, workbench: WorkbenchDep,
               runner: RunnerDep) -> JobOut:
    """Stop a job: a queued one at once, a running one at its next progress point. Its
    result is never kept; a finished job is left as it is."""
    _job(workbench, caller, workspace_id, job_id, "editor")
    job = workbench.store.request_cancel(workspace_id, job_id)
    runner.cancel(job_id)
    return JobOut.model_validate(job)


@router.get("/jobs/{job_id}/events", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
async def job_events(workspace_id: Id, job_id: Id, caller: CallerDep,
                     workbench: WorkbenchDep) -> StreamingResponse:
    """Server-sent events: the job's state and progress (``event: progress``) each time
    it changes, then one ``event: end`` when it has finished."""
    await run_in_threadpool(_job, workbench, caller, workspace_id, job_id)

    async def stream() -> AsyncIterator[str]:
        seen = None
        while True:
            job = await run_in_threadpool(workbench.store.job, workspace_id, job_id)
            if job is None:
                return
            data = JobOut.model_validate(job).model_dump_json()
            if data != seen:
                seen = data
                yield f"event: progress\ndata: {data}\n\n"
            if job.state in _FINAL:
                yield f"event: end\ndata: {json.dumps({'state': job.state})}\n\n"
                return
            await asyncio.sleep(0.3)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store"})


@router.post("/forecast")
def demand_forecast(workspace_id: Id, body: ForecastIn, caller: CallerDep,
                    workbench: WorkbenchDep) -> dict[str, Any]:
    """Forecast a demand history with an interval, and (``backtest``) check the method
    against the seasonal naive baseline over rolling origins."""
    require_role(workbench.store, caller, workspace_id, "viewer")
    history = np.asarray(body.history, dtype=float)
    if body.backtest and len(history) > 2000:
        raise FieldProblem("history", "a backtest takes at most 2,000 values")
    try:
        answer: dict[str, Any] = {"forecast": forecast_dict(forecast(
            history, body.horizon, body.method, body.season, body.level))}
        if body.backtest:
            answer["backtest"] = backtest_dict(backtest(
                history, body.horizon, body.season, [body.method], body.initial, body.step))
    except ParameterError as error:
        raise FieldProblem("history", str(error)) from None
    except (ValueError, np.linalg.LinAlgError) as error:
        # statsmodels refuses some histories (constant, degenerate) with its own errors
        raise FieldProblem("history", f"the {body.method} method cannot fit this "
                                      f"history: {error}") from None
    return answer
