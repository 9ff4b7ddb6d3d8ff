"""Background jobs through the API: each analysis's numbers are the analysis function's own
(called here directly with the same inputs), progress is reported, a cancelled or killed
job keeps no result, and bad requests get a 422 naming the field."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from tests.interfaces.api.conftest import first_workspace, load_example

import wholesystem
from wholesystem.analysis.calibration import (
    FitParameter,
    calibration_dict,
    least_squares,
    read_observations,
)
from wholesystem.analysis.dominance import loop_dominance
from wholesystem.analysis.forecasting import forecast, forecast_dict
from wholesystem.analysis.interventions import rank_interventions, ranking_dict
from wholesystem.analysis.montecarlo import run_ensemble
from wholesystem.analysis.sensitivity import analyse_model, sensitivity_dict
from wholesystem.analysis.uncertainty import Parameter, read_parameters, sample
from wholesystem.interfaces.api import create_app
from wholesystem.interfaces.store import Store
from wholesystem.system.model import load_system

FINAL = ("done", "failed", "cancelled")
TEACUP = wholesystem.example_path("teacup")


def wait(client: TestClient, workspace: int, job: int, seconds: float = 240) -> dict[str, Any]:
    """Poll a job until it has finished (bounded)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        state = client.get(f"/api/workspaces/{workspace}/jobs/{job}").json()
        if state["state"] in FINAL:
            return dict(state)
        time.sleep(0.2)
    raise AssertionError(f"job {job} did not finish in {seconds} s")


def start(client: TestClient, workspace: int, model: int, kind: str,
          body: dict[str, Any]) -> int:
    response = client.post(f"/api/workspaces/{workspace}/models/{model}/jobs/{kind}",
                           json=body)
    assert response.status_code == 202, response.text
    assert response.json()["state"] == "queued"
    return int(response.json()["id"])


def finished(client: TestClient, workspace: int, model: int, kind: str,
             body: dict[str, Any]) -> dict[str, Any]:
    job = start(client, workspace, model, kind, body)
    state = wait(client, workspace, job)
    assert state["state"] == "done", state
    assert state["done"] == state["total"] > 0
    result = client.get(f"/api/workspaces/{workspace}/jobs/{job}/result")
    assert result.status_code == 200, result.text
    return dict(result.json())


def upload_teacup(client: TestClient, workspace: int) -> int:
    response = client.post(f"/api/workspaces/{workspace}/models",
                           files={"file": ("teacup.xmile", TEACUP.read_bytes())})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_an_ensemble_gives_the_bands_run_ensemble_gives(local: TestClient) -> None:
    """The job's percentile bands are those of ``run_ensemble`` over the same table: the
    Latin hypercube draws of the arrival rate (``sample``, seed 3) with the lever held at
    its moved value in every run."""
    workspace = first_workspace(local)
    model = load_example(local, workspace, "delayed_discharge_system")
    rate = "residents with acute_care arrival rate"
    body = {"runs": 24, "seed": 3, "levers": {"home_care capacity": 1500},
            "parameters": [{"name": rate, "distribution": "triangular", "low": 8,
                            "mode": 10, "high": 13}]}
    result = finished(local, workspace, model, "ensemble", body)
    system = load_system(wholesystem.example_path("delayed_discharge_system"))
    table = sample([Parameter(rate, "triangular", {"low": 8, "mode": 10, "high": 13})],
                   24, "lhs", 3)
    table["home_care capacity"] = 1500.0
    _, layout, engine = system.model("baseline")
    columns = [c for _, c in layout.organisation_costs] + [s.waiting for s in layout.services]
    direct = run_ensemble(engine, table, columns, chunk_size=10, seed=3)
    assert result["runs"] == 24
    assert [o["column"] for o in result["outputs"]] == columns
    for output in result["outputs"]:
        final = direct.bands(output["column"]).iloc[-1]
        for band in ("p5", "p50", "p95", "mean"):
            assert output["final"][band] == pytest.approx(float(final[band]), rel=1e-12)
    series = result["series"]
    first = series["outputs"][0]
    bands = direct.bands(columns[0])
    every = max(1, len(direct.times) // 200)  # thinned as the scenario charts are
    assert len(series["time"]) == len(first["p50"]) == len(direct.times[::every])
    assert series["time"][0] == bands.index[0]
    assert first["p5"][-1] <= first["p50"][-1] <= first["p95"][-1]
    assert first["p50"][-1] == pytest.approx(
        float(bands["p50"].loc[series["time"][-1]]), rel=1e-6)
    # the band widens from nothing: every run starts from the same stocks
    assert first["p95"][0] - first["p5"][0] == pytest.approx(0, abs=1e-6)
    assert first["p95"][-1] > first["p5"][-1]


def test_sensitivity_is_analyse_model_over_the_same_design(local: TestClient) -> None:
    """Sobol indices of the teacup's temperature: the room temperature (what the tea
    cools towards) and the characteristic time are varied; the job equals
    ``analyse_model`` with the same parameters, samples and seed."""
    workspace = first_workspace(local)
    model = upload_teacup(local, workspace)
    parameters = [{"name": "Room Temperature", "low": 60, "high": 80},
                  {"name": "Characteristic Time", "low": 5, "high": 15}]
    result = finished(local, workspace, model, "sensitivity", {
        "parameters": parameters, "outputs": ["Teacup Temperature"], "samples": 16,
        "seed": 1, "periods": 3})
    direct = analyse_model(wholesystem.load(TEACUP),
                           [Parameter(p["name"], "uniform", {"low": p["low"],
                                                             "high": p["high"]})
                            for p in parameters],
                           ["Teacup Temperature"], "sobol", 16, 1, 3)
    expected = sensitivity_dict(direct[0])
    got = result["outputs"][0]
    assert got["runs"] == expected["runs"] == 16 * (2 + 2)
    assert got["statements"] == expected["statements"]
    for mine, theirs in zip(got["indices"], expected["indices"], strict=True):
        assert mine["parameter"] == theirs["parameter"]
        assert mine["ST"] == pytest.approx(theirs["ST"], rel=1e-9)


def test_calibration_finds_what_least_squares_finds(local: TestClient) -> None:
    """The teacup's observations were made with characteristic time 8 and room 65 (see
    the example's README); the job's fit is ``least_squares``'s and lands near both."""
    workspace = first_workspace(local)
    model = upload_teacup(local, workspace)
    observed = pd.read_csv(TEACUP.parent / "observed_temperature.csv")
    fit = [{"name": "Characteristic Time", "low": 1, "high": 30},
           {"name": "Room Temperature", "low": 40, "high": 100}]
    values = [None if np.isnan(v) else float(v) for v in observed["Teacup Temperature"]]
    result = finished(local, workspace, model, "calibration", {
        "observations": {"times": observed["time"].tolist(),
                         "values": {"Teacup Temperature": values}},
        "fit": fit})
    direct = calibration_dict(least_squares(
        wholesystem.load(TEACUP), read_observations(TEACUP.parent / "observed_temperature.csv"),
        [FitParameter(f["name"], f["low"], f["high"]) for f in fit]))
    for name in ("Characteristic Time", "Room Temperature"):
        assert result["parameters"][name] == pytest.approx(direct["parameters"][name],
                                                           rel=1e-6)
    assert result["parameters"]["Characteristic Time"] == pytest.approx(8, abs=0.3)
    assert result["parameters"]["Room Temperature"] == pytest.approx(65, abs=1.5)
    assert result["fit"]["r2"] == pytest.approx(direct["fit"]["r2"], rel=1e-9)


def test_ranking_is_rank_interventions_over_the_same_draws(local: TestClient) -> None:
    """older_people's own ``uncertainty:`` block, 8 draws (seed 2): the job's ranking is
    ``rank_interventions`` over ``sample`` of that block."""
    workspace = first_workspace(local)
    model = load_example(local, workspace, "older_people")
    result = finished(local, workspace, model, "rank", {"runs": 8, "seed": 2})
    path = wholesystem.example_path("older_people")
    parameters, correlation = read_parameters(path)
    table = sample(parameters, 8, seed=2, correlation=correlation)
    direct = ranking_dict(rank_interventions(path, table, seed=2))
    assert [r["id"] for r in result["interventions"]] == \
        [r["id"] for r in direct["interventions"]]
    for mine, theirs in zip(result["interventions"], direct["interventions"], strict=True):
        assert mine["expected_change"] == pytest.approx(theirs["expected_change"], rel=1e-9)
        assert mine["probability_saving"] == theirs["probability_saving"]
        assert mine["statement"] == theirs["statement"]


def test_loop_dominance_in_the_background(local: TestClient) -> None:
    workspace = first_workspace(local)
    model = upload_teacup(local, workspace)
    result = finished(local, workspace, model, "loops", {"max_loops": 50})
    direct = loop_dominance(wholesystem.load(TEACUP), max_loops=50).to_json()
    assert result["story"] == direct["story"]
    assert len(result["loops"]) == len(direct["loops"]) >= 1


def test_forecast_is_the_analysis_forecast(local: TestClient) -> None:
    """Eight weeks of a weekly pattern: the seasonal naive forecast repeats the last
    week, exactly as ``forecast`` says."""
    workspace = first_workspace(local)
    history = [float(10 + (k % 7) + (k // 7) % 2) for k in range(56)]
    response = local.post(f"/api/workspaces/{workspace}/forecast", json={
        "history": history, "horizon": 14, "method": "seasonal_naive", "backtest": True,
        "initial": 28})
    assert response.status_code == 200, response.text
    expected = forecast_dict(forecast(np.array(history), 14, "seasonal_naive"))
    assert response.json()["forecast"]["mean"] == expected["mean"]
    assert response.json()["forecast"]["mean"][:7] == history[-7:]
    assert "statement" in response.json()["backtest"]


def test_progress_is_streamed_as_server_sent_events(local: TestClient) -> None:
    workspace = first_workspace(local)
    model = upload_teacup(local, workspace)
    job = start(local, workspace, model, "ensemble", {
        "runs": 30, "outputs": ["Teacup Temperature"],
        "parameters": [{"name": "Room Temperature", "low": 60, "high": 80}]})
    with local.stream("GET", f"/api/workspaces/{workspace}/jobs/{job}/events") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        text = "".join(response.iter_text())
    events = [block for block in text.split("\n\n") if block]
    assert events[-1].startswith("event: end")
    assert '"done"' in events[-1]
    assert all(e.startswith("event: progress") for e in events[:-1])
    assert '"state":"done"' in events[-2]


def test_a_cancelled_job_keeps_no_result(local: TestClient, store: Store) -> None:
    """A long ensemble (2,000 hospital runs in chunks of 100) is cancelled once running:
    it stops at its next chunk, ends ``cancelled`` and has no result at all."""
    workspace = first_workspace(local)
    model = load_example(local, workspace)
    job = start(local, workspace, model, "ensemble", {
        "runs": 2000, "parameters": [{"name": "ready_for_discharge with p2_b arrival "
                                              "rate scale", "low": 0.8, "high": 1.2}]})
    end = time.monotonic() + 120
    while local.get(f"/api/workspaces/{workspace}/jobs/{job}").json()["state"] == "queued":
        assert time.monotonic() < end
        time.sleep(0.1)
    cancel = local.post(f"/api/workspaces/{workspace}/jobs/{job}/cancel")
    assert cancel.status_code == 200
    assert cancel.json()["state"] in ("cancelling", "cancelled")
    state = wait(local, workspace, job)
    assert state["state"] == "cancelled"
    assert state["done"] < state["total"] == 2000
    assert local.get(f"/api/workspaces/{workspace}/jobs/{job}/result").status_code == 409
    row = store.job(workspace, job)
    assert row is not None
    assert row.result is None
    assert row.result_data is None


def test_a_killed_server_leaves_no_half_result(tmp_path: Path) -> None:
    """A server process is killed (SIGKILL) while its job runs; the store holds the job
    as running with no result, and the next server marks it failed, still with none."""
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from fastapi.testclient import TestClient
        from wholesystem.interfaces.api import create_app
        from wholesystem.interfaces.store import Store
        client = TestClient(create_app(Store({url!r}), Path({str(tmp_path / 'up')!r})))
        ws = client.get("/api/workspaces").json()[0]["id"]
        model = client.post(f"/api/workspaces/{{ws}}/examples/hospital_discharge").json()["id"]
        job = client.post(f"/api/workspaces/{{ws}}/models/{{model}}/jobs/ensemble", json={{
            "runs": 3000, "parameters": [{{"name": "p2_b capacity", "low": 80,
                                           "high": 120}}]}}).json()["id"]
        while client.get(f"/api/workspaces/{{ws}}/jobs/{{job}}").json()["done"] == 0:
            time.sleep(0.1)
        print("running", flush=True)
        time.sleep(600)
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                               text=True, cwd=Path(__file__).parents[3])
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "running"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    store = Store(url)
    job = store.list_jobs(1)[0]
    assert job.state == "running"
    assert job.result is None
    assert job.result_data is None
    create_app(store, tmp_path / "up")
    job = store.list_jobs(1)[0]
    assert job.state == "failed"
    assert job.result is None
    assert job.result_data is None
    assert "server stopped" in job.message


@pytest.mark.parametrize(("kind", "body", "field"), [
    ("ensemble", {"runs": 1}, "runs"),
    ("ensemble", {"parameters": [{"name": "no such thing", "low": 0, "high": 1}]},
     "parameters.0.name"),
    ("ensemble", {"levers": {"p2_b capacity": -5},
                  "parameters": [{"name": "p3_b capacity", "low": 50, "high": 60}]},
     "levers"),
    ("ensemble", {"scenario": "nowhere"}, "scenario"),
    ("ensemble", {"outputs": ["nothing"],
                  "parameters": [{"name": "p3_b capacity", "low": 50, "high": 60}]},
     "outputs.0"),
    ("ensemble", {"parameters": [{"name": "p3_b capacity", "low": 60, "high": 50}]},
     "parameters.0"),
    ("ensemble", {}, "parameters"),
    ("sensitivity", {"samples": 10_000}, "samples"),
    ("rank", {"interventions": ["nothing"]}, "interventions.0"),
    ("calibration", {"observations": {"times": [0, 1], "values": {"x": [1, 2]}},
                     "fit": [{"name": "p2_b capacity", "low": 2, "high": 1}]}, "fit.0"),
    ("calibration", {"observations": {"times": [0, 1], "values": {"nothing": [1, 2]}},
                     "fit": [{"name": "p2_b capacity", "low": 1, "high": 200}]},
     "observations.values.nothing"),
])
def test_bad_requests_name_the_field(local: TestClient, kind: str, body: dict[str, Any],
                                     field: str) -> None:
    workspace = first_workspace(local)
    model = load_example(local, workspace)
    response = local.post(f"/api/workspaces/{workspace}/models/{model}/jobs/{kind}",
                          json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == field, response.json()
    assert local.get(f"/api/workspaces/{workspace}/jobs").json() == []


def test_unknown_jobs_are_404_and_unfinished_ones_have_no_result(local: TestClient) -> None:
    workspace = first_workspace(local)
    assert local.get(f"/api/workspaces/{workspace}/jobs/99").status_code == 404
    assert local.post(f"/api/workspaces/{workspace}/jobs/99/cancel").status_code == 404
    assert local.get(f"/api/workspaces/{workspace}/jobs/99/events").status_code == 404
