"""The PDF report of a saved scenario: it parses, and holds the comparison's numbers,
the levers moved, the budget flags and the experiment log."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from tests.interfaces.api.conftest import first_workspace, load_example

import wholesystem
from wholesystem.interfaces.render import money, verdict_sentence
from wholesystem.system.levers import compare_levers
from wholesystem.system.model import load_system

pypdf = pytest.importorskip("pypdf")
pytest.importorskip("matplotlib")
HOSPITAL = wholesystem.example_path("hospital_discharge")


def test_the_pdf_report_holds_the_comparison_and_the_log(local: TestClient) -> None:
    """Every organisation's base-case and scenario cost (as the engine's comparison has
    them, in whole pounds), the verdict sentence, the lever moved with both values, a
    budget flag and the log entry's four parts are in the PDF's text; the charts page
    names every organisation in its legend."""
    workspace = first_workspace(local)
    model = load_example(local, workspace)
    base = f"/api/workspaces/{workspace}/models/{model}"
    lever = local.get(f"{base}/levers").json()[0]["levers"][0]
    moved = {lever["name"]: lever["value"] + 20}
    scenario = local.post(f"/api/workspaces/{workspace}/scenarios", json={
        "model_id": model, "name": "More visits", "levers": moved,
        "note": "from the March workshop"}).json()["id"]
    local.put(f"{base}/budgets", json={"organisation": "acute_trust", "amount": 1e6})
    local.post(f"/api/workspaces/{workspace}/log", json={
        "question": "Do more visits pay?", "hypothesis": "Fewer delayed days",
        "findings": "The acute trust saves", "decision": "Pilot in Bristol",
        "scenario_id": scenario})
    response = local.get(f"/api/workspaces/{workspace}/scenarios/{scenario}/report.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 3
    assert reader.metadata.title.startswith("More visits: ")
    text = "\n".join(page.extract_text() for page in reader.pages)
    comparison = compare_levers(load_system(HOSPITAL), moved)
    assert verdict_sentence(comparison) in text.replace("\n", " ")
    for line in comparison.organisations:
        assert f"{line.name} {money(line.baseline)} {money(line.scenario)}" in text
    assert f"Whole system {money(comparison.whole_baseline)}" in text
    assert f"{lever['value']:g} {lever['value'] + 20:g}" in text
    assert "Over budget: Acute trust stays over its budget of £1,000,000" in text
    for part in ("Question: Do more visits pay?", "Hypothesis: Fewer delayed days",
                 "Findings: The acute trust saves", "Decision: Pilot in Bristol",
                 "Note: from the March workshop", "Cumulative cost by organisation"):
        assert part in text


def test_a_report_of_a_scenario_elsewhere_is_not_found(local: TestClient) -> None:
    workspace = first_workspace(local)
    response = local.get(f"/api/workspaces/{workspace}/scenarios/99/report.pdf")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
