"""Exports from the workbench: results and ledgers as CSV, models as XMILE and mdl."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from tests.interfaces.api.conftest import first_workspace, load_example

import wholesystem
from wholesystem.interfaces.store import Store, decode_results
from wholesystem.system.files import load
from wholesystem.system.ledger import build_ledger
from wholesystem.system.levers import simulate_levers
from wholesystem.system.model import load_system

HOSPITAL = wholesystem.example_path("hospital_discharge")
TEACUP = wholesystem.example_path("teacup")


def _csv(response) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    return pd.read_csv(io.StringIO(response.text))


def test_a_saved_runs_csv_holds_the_runs_numbers_exactly(local: TestClient,
                                                         store: Store) -> None:
    """Move a lever, save the run, download its CSV: every number equals the stored
    run's (decoded from the store) bit for bit, and the run the engine makes again."""
    workspace = first_workspace(local)
    model = load_example(local, workspace)
    lever = local.get(f"/api/workspaces/{workspace}/models/{model}/levers"
                      ).json()[0]["levers"][0]
    moved = {lever["name"]: lever["value"] + 5}
    saved = local.post(f"/api/workspaces/{workspace}/models/{model}/run",
                       json={"levers": moved, "save": True}).json()
    frame = _csv(local.get(f"/api/workspaces/{workspace}/runs/{saved['run_id']}/results.csv"))
    stored = store.run(workspace, saved["run_id"])
    assert stored is not None
    kept = decode_results(list(stored.columns), stored.results)
    assert list(frame.columns) == ["time", *kept.columns]
    np.testing.assert_array_equal(frame["time"].to_numpy(), kept.index.to_numpy())
    np.testing.assert_array_equal(frame.drop(columns="time").to_numpy(), kept.to_numpy())
    again = simulate_levers(load_system(HOSPITAL), moved).results
    np.testing.assert_array_equal(frame.drop(columns="time").to_numpy(), again.to_numpy())


def test_a_saved_scenarios_results_and_ledger_csv_equal_the_engines(
        local: TestClient) -> None:
    """The saved scenario's results.csv is the levers' run; its ledger tables are that
    run's ledger: one row per organisation plus the whole system, whose cost is the sum
    of the organisations' costs."""
    workspace = first_workspace(local)
    model = load_example(local, workspace)
    lever = local.get(f"/api/workspaces/{workspace}/models/{model}/levers"
                      ).json()[0]["levers"][0]
    moved = {lever["name"]: lever["value"] + 10}
    scenario = local.post(f"/api/workspaces/{workspace}/scenarios", json={
        "model_id": model, "name": "More places", "levers": moved}).json()["id"]
    run = simulate_levers(load_system(HOSPITAL), moved)
    frame = _csv(local.get(f"/api/workspaces/{workspace}/scenarios/{scenario}/results.csv"))
    np.testing.assert_array_equal(frame.drop(columns="time").to_numpy(),
                                  run.results.to_numpy())
    ledger = build_ledger(run)
    table = _csv(local.get(f"/api/workspaces/{workspace}/scenarios/{scenario}/ledger.csv"))
    by_id = table.set_index("id")["cost"]
    for line in ledger.organisations:
        assert by_id[line.id] == line.cost
    assert by_id["whole_system"] == ledger.whole_system
    assert by_id.drop("whole_system").sum() == pytest.approx(ledger.whole_system, rel=1e-12)
    services = _csv(local.get(f"/api/workspaces/{workspace}/scenarios/{scenario}/ledger.csv"
                              "?table=services"))
    assert list(services["id"]) == [s.id for s in ledger.services]
    assert list(services["served"]) == [s.served for s in ledger.services]
    periods = _csv(local.get(f"/api/workspaces/{workspace}/scenarios/{scenario}/ledger.csv"
                             "?table=periods"))
    assert list(periods["whole_system"]) == [p.whole_system for p in ledger.periods]


def test_a_bad_ledger_table_is_refused_naming_the_field(local: TestClient) -> None:
    workspace = first_workspace(local)
    model = load_example(local, workspace)
    response = local.get(f"/api/workspaces/{workspace}/models/{model}/ledger.csv?table=x")
    assert response.status_code == 422
    assert response.json()["field"] == "query.table"
    response = local.get(f"/api/workspaces/{workspace}/models/{model}/results.csv"
                         "?scenario=nowhere")
    assert response.status_code == 422
    assert "scenario" in response.json()["detail"]


def test_an_exported_system_reimports_as_xmile_with_the_same_results(
        local: TestClient, tmp_path: Path) -> None:
    """The scenario's stock-and-flow model written as XMILE, read back by the XMILE
    reader and run, gives the results.csv numbers (to rounding of the printed
    constants)."""
    workspace = first_workspace(local)
    model = load_example(local, workspace)
    base = f"/api/workspaces/{workspace}/models/{model}"
    scenario = load_system(HOSPITAL).scenarios[1]
    response = local.get(f"{base}/export.xmile?scenario={scenario}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    path = tmp_path / "exported.xmile"
    path.write_text(response.text)
    again = load(path)
    rerun = again.run()
    names = {o.display: o.name for o in again.compiled.outputs}
    rerun.columns = [names.get(c, c) for c in rerun.columns]
    frame = _csv(local.get(f"{base}/results.csv?scenario={scenario}")).set_index("time")
    shared = [c for c in frame.columns if c in rerun.columns]
    assert len(shared) == len(frame.columns)
    np.testing.assert_allclose(rerun[shared].to_numpy(), frame[shared].to_numpy(),
                               rtol=1e-9, atol=1e-9)


def test_an_uploaded_xmile_model_exports_to_mdl_and_back(local: TestClient,
                                                         tmp_path: Path) -> None:
    """Teacup uploaded as XMILE, downloaded as mdl, read by the Vensim reader: the same
    temperature path as the uploaded model's own run."""
    workspace = first_workspace(local)
    model = local.post(f"/api/workspaces/{workspace}/models",
                       files={"file": ("teacup.xmile", TEACUP.read_bytes())}).json()["id"]
    base = f"/api/workspaces/{workspace}/models/{model}"
    response = local.get(f"{base}/export.mdl")
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == 'attachment; filename="teacup.mdl"'
    path = tmp_path / "teacup.mdl"
    path.write_text(response.text)
    rerun = load(path).run()
    frame = _csv(local.get(f"{base}/results.csv")).set_index("time")
    np.testing.assert_allclose(rerun["Teacup Temperature"].to_numpy(),
                               frame["Teacup Temperature"].to_numpy(), rtol=1e-12)
    assert local.get(f"{base}/ledger.csv").status_code == 422  # not a system file
    assert local.get(f"{base}/results.csv?scenario=other").status_code == 422


def test_exports_of_another_workspace_are_not_found(local: TestClient) -> None:
    workspace = first_workspace(local)
    for path in ("models/1/export.xmile", "runs/1/results.csv", "scenarios/1/results.csv"):
        assert local.get(f"/api/workspaces/{workspace}/{path}").status_code == 404
    assert local.get(f"/api/workspaces/{workspace + 1}/runs/1/results.csv"
                     ).status_code in (403, 404)
