"""The workbench API in local mode: uploads, levers, runs, compare, scenarios and the log."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient
from tests.interfaces.api.conftest import first_workspace, load_example

import wholesystem
from wholesystem.interfaces.render import shunt_sentence, verdict_sentence
from wholesystem.system.levers import compare_levers
from wholesystem.system.model import load_system
from wholesystem.system.shunts import compare

TEACUP = wholesystem.example_path("teacup")


def test_local_mode_has_one_user_and_a_workspace_without_login(local: TestClient) -> None:
    assert local.get("/api/me").json() == {"username": "local", "shared": False}
    assert [w["role"] for w in local.get("/api/workspaces").json()] == ["owner"]


def test_an_upload_is_kept_byte_for_byte_with_its_hash(local: TestClient) -> None:
    workspace = first_workspace(local)
    content = TEACUP.read_bytes()
    response = local.post(f"/api/workspaces/{workspace}/models",
                          files={"file": ("teacup.xmile", content)}, data={"name": "Tea"})
    assert response.status_code == 201, response.text
    model = response.json()
    assert (model["name"], model["kind"]) == ("Tea", "xmile")
    detail = local.get(f"/api/workspaces/{workspace}/models/{model['id']}").json()
    assert detail["versions"][0]["sha256"] == hashlib.sha256(content).hexdigest()
    assert detail["versions"][0]["size"] == len(content)
    assert "Teacup Temperature" in detail["variables"]
    stored = local.get(f"/api/workspaces/{workspace}/models/{model['id']}/file")
    assert stored.content == content
    second = local.post(f"/api/workspaces/{workspace}/models/{model['id']}/versions",
                        files={"file": ("teacup.xmile", content + b"\n")})
    assert second.status_code == 201
    assert second.json()["number"] == 2


def test_a_broken_file_is_refused_with_its_line_and_column(local: TestClient) -> None:
    workspace = first_workspace(local)
    bad = b"name: broken\ntime: {horizon: -3}\n"
    response = local.post(f"/api/workspaces/{workspace}/models",
                          files={"file": ("broken.yaml", bad)})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert "broken.yaml:" in body["detail"]
    assert "/uploads/" not in body["detail"]  # never where the server keeps files
    assert local.get(f"/api/workspaces/{workspace}/models").json() == []


@pytest.mark.parametrize(("filename", "status", "field"), [
    ("notes.txt", 422, "file"), ("../../etc/x.yaml", 422, None), (".hidden.yaml", 422, "file"),
])
def test_bad_upload_names_are_refused(local: TestClient, filename: str, status: int,
                                      field: str | None) -> None:
    workspace = first_workspace(local)
    response = local.post(f"/api/workspaces/{workspace}/models",
                          files={"file": (filename, b"name: x\n")})
    assert response.status_code == status
    if field:
        assert response.json()["field"] == field


def test_uploads_are_size_limited(store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from wholesystem.interfaces.api import create_app

    client = TestClient(create_app(store, tmp_path / "u", max_upload_bytes=100))
    workspace = first_workspace(client)
    response = client.post(f"/api/workspaces/{workspace}/models",
                           files={"file": ("big.yaml", b"#" * 101)})
    assert response.status_code == 413
    assert response.json()["field"] == "file"


def test_a_model_reads_no_file_beside_the_uploads_folder(local: TestClient) -> None:
    """A system file naming a CSV outside its upload folder is refused (uploads_only)."""
    workspace = first_workspace(local)
    original = wholesystem.example_path("delayed_discharge_system").read_text()
    assert "arrivals: 20}" in original
    text = original.replace("arrivals: 20}", "arrivals: {csv: ../../../../etc/passwd, "
                                             "column: x}}", 1)
    response = local.post(f"/api/workspaces/{workspace}/models",
                          files={"file": ("d.yaml", text.encode())})
    assert response.status_code == 422
    assert "passwd" in response.json()["detail"]
    assert local.get(f"/api/workspaces/{workspace}/models").json() == []


def test_moving_a_lever_gives_the_same_answer_as_the_system_layer(local: TestClient) -> None:
    """The API serves :func:`compare_levers` unchanged: same verdict, same costs."""
    workspace = first_workspace(local)
    model = load_example(local, workspace)
    url = f"/api/workspaces/{workspace}/models/{model}"
    groups = local.get(f"{url}/levers").json()
    assert next(g["name"] for g in groups) == "Community health services"
    lever = groups[0]["levers"][0]
    assert lever["affects"]
    assert lever["minimum"] <= lever["value"] <= lever["maximum"]
    levers = {"p2_b capacity": 130.0}
    result = local.post(f"{url}/run", json={"levers": levers}).json()
    expected = compare_levers(load_system(wholesystem.example_path("hospital_discharge")),
                              levers)
    assert result["comparison"]["verdict"] == expected.verdict
    assert result["comparison"]["whole_change"] == pytest.approx(expected.whole_change)
    assert result["changed"] == [{
        "name": "p2_b capacity", "label": "Capacity of P2 community rehabilitation beds, "
                                          "Bristol", "base": 102.0, "value": 130.0}]
    assert {s["name"] for s in result["series"]["cost"]} >= {"Acute trust"}
    assert result["run_id"] is None


def test_bad_levers_name_the_field(local: TestClient) -> None:
    workspace = first_workspace(local)
    url = f"/api/workspaces/{workspace}/models/{load_example(local, workspace)}/run"
    unknown = local.post(url, json={"levers": {"no such": 1}})
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "no such"
    outside = local.post(url, json={"levers": {"p2_b capacity": -5}})
    assert outside.status_code == 422
    assert "between" in outside.json()["detail"]
    typed = local.post(url, json={"levers": {"p2_b capacity": "lots"}})
    assert typed.status_code == 422
    assert typed.json()["field"] == "levers.p2_b capacity"
    scenario = local.post(url, json={"scenario": "nope"})
    assert scenario.status_code == 422
    assert scenario.json()["detail"].startswith("scenario:")


def test_compare_gives_the_cost_shunt_verdict_of_the_file(local: TestClient) -> None:
    workspace = first_workspace(local)
    model = load_example(local, workspace, "delayed_discharge_system")
    body = local.get(f"/api/workspaces/{workspace}/models/{model}/compare",
                     params={"scenario": "fewer_packages"}).json()
    expected = compare(load_system(wholesystem.example_path("delayed_discharge_system")),
                       "fewer_packages")
    assert body["verdict"] == expected.verdict == "cost moved"
    assert body["shunts"][0]["text"] == shunt_sentence(expected.shunts[0])
    assert body["summary"] == verdict_sentence(expected)


@pytest.mark.parametrize(("example", "scenario"), [("criminal_justice", "cut_probation"),
                                                 ("housing_homelessness", "cut_prevention")])
def test_the_systems_beyond_health_load_and_compare(local: TestClient, example: str,
                                                    scenario: str) -> None:
    workspace = first_workspace(local)
    model = load_example(local, workspace, example)
    body = local.get(f"/api/workspaces/{workspace}/models/{model}/compare",
                     params={"scenario": scenario}).json()
    expected = compare(load_system(wholesystem.example_path(example)), scenario)
    assert body["verdict"] == expected.verdict
    assert body["summary"] == verdict_sentence(expected)


def test_ledger_map_and_journeys(local: TestClient) -> None:
    workspace = first_workspace(local)
    model = load_example(local, workspace, "delayed_discharge_system")
    url = f"/api/workspaces/{workspace}/models/{model}"
    ledger = local.get(f"{url}/ledger").json()
    assert [o["name"] for o in ledger["organisations"]] == ["Acute trust", "Adult social care"]
    graph = local.get(f"{url}/map").json()
    assert {s["id"] for s in graph["services"]} == {"hospital", "home_care"}
    assert all(e["flow"] >= 0 for e in graph["edges"])
    assert len(graph["series"]["waiting"]) == 2
    report = local.get(f"{url}/journeys", params={"runs": 1}).json()
    assert report["scenarios"][0]["scenario"] == "baseline"
    typical = report["scenarios"][0]["typical"][0]
    assert typical["title"] == "A typical journey (cost near the median)"
    assert len(typical["lines"]) == len(typical["events"]) + 1  # the cost line
    assert typical["lines"][-1].startswith("cost: ")


def test_a_plain_model_has_no_system_pages(local: TestClient) -> None:
    workspace = first_workspace(local)
    model = local.post(f"/api/workspaces/{workspace}/models",
                       files={"file": ("teacup.xmile", TEACUP.read_bytes())}).json()["id"]
    response = local.get(f"/api/workspaces/{workspace}/models/{model}/levers")
    assert response.status_code == 422
    assert "system file" in response.json()["detail"]


def test_a_saved_scenario_lists_every_lever_that_differs_from_base(local: TestClient) -> None:
    workspace = first_workspace(local)
    model = load_example(local, workspace)
    levers = {"p2_b capacity": 130.0, "p3_b capacity": 72.0, "p1_ns capacity": 150.0}
    saved = local.post(f"/api/workspaces/{workspace}/scenarios", json={
        "model_id": model, "name": "More P2 beds", "levers": levers, "note": "workshop 1"})
    assert saved.status_code == 201, saved.text
    listed = local.get(f"/api/workspaces/{workspace}/scenarios").json()
    assert [(s["name"], s["note"]) for s in listed] == [("More P2 beds", "workshop 1")]
    compared = local.get(f"/api/workspaces/{workspace}/scenarios/{saved.json()['id']}"
                         "/compare").json()
    # p3_b is set to its base value (72), so it is not a change
    assert [(c["name"], c["base"], c["value"]) for c in compared["changed"]] == [
        ("p1_ns capacity", 177.5, 150.0), ("p2_b capacity", 102.0, 130.0)]
    assert compared["comparison"]["scenario"] == "baseline"


def test_experiment_log_entries_keep_their_scenario(local: TestClient) -> None:
    workspace = first_workspace(local)
    model = load_example(local, workspace)
    run = local.post(f"/api/workspaces/{workspace}/models/{model}/run",
                     json={"levers": {"p2_b capacity": 110}, "save": True}).json()
    assert run["run_id"] is not None
    entry = local.post(f"/api/workspaces/{workspace}/log", json={
        "question": "Do more P2 beds help?", "hypothesis": "fewer delayed days",
        "findings": "yes", "decision": "fund 8 beds", "run_id": run["run_id"]})
    assert entry.status_code == 201, entry.text
    log = local.get(f"/api/workspaces/{workspace}/log").json()
    assert [(e["question"], e["run_id"], e["author"]) for e in log] == [
        ("Do more P2 beds help?", run["run_id"], "local")]
    missing = local.post(f"/api/workspaces/{workspace}/log", json={"scenario_id": 999})
    assert missing.status_code == 422
    assert missing.json()["detail"].startswith("scenario_id")


def test_the_openapi_schema_documents_every_route(local: TestClient) -> None:
    schema = local.get("/openapi.json").json()
    paths = set(schema["paths"])
    for path in ("/api/workspaces/{workspace_id}/models",
                 "/api/workspaces/{workspace_id}/models/{model_id}/run",
                 "/api/workspaces/{workspace_id}/scenarios/{scenario_id}/compare",
                 "/api/workspaces/{workspace_id}/log", "/api/login"):
        assert path in paths


def test_the_pages_are_served_with_their_assets(local: TestClient) -> None:
    page = local.get("/")
    assert page.status_code == 200
    assert "wholesystem workbench" in page.text
    for asset in ("app.js", "app.css", "charts.js"):
        assert local.get(f"/static/{asset}").status_code == 200
    assert "http" not in page.text.replace("http://www.w3.org", "")  # no CDN


def test_serve_refuses_other_addresses_without_logins() -> None:
    from wholesystem.interfaces.cli import main

    assert main(["serve", "--host", "0.0.0.0", "--no-open"]) != 0


def test_a_saved_scenario_has_an_html_report_with_every_value_escaped(
        local: TestClient) -> None:
    workspace = first_workspace(local)
    model = load_example(local, workspace)
    saved = local.post(f"/api/workspaces/{workspace}/scenarios", json={
        "model_id": model, "name": "<script>alert(1)</script>", "levers": {
            "p2_b capacity": 130}, "note": "board paper"}).json()
    local.post(f"/api/workspaces/{workspace}/log", json={
        "question": "Q & A", "decision": "fund", "scenario_id": saved["id"]})
    page = local.get(f"/api/workspaces/{workspace}/scenarios/{saved['id']}/report.html")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<script>" not in page.text
    assert "&lt;script&gt;" in page.text
    assert "Capacity of P2 community rehabilitation beds, Bristol" in page.text
    assert "Q &amp; A" in page.text
    assert "Who pays" in page.text
