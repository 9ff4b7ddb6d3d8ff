"""The analyses' routes serve the analysis functions unchanged: loops and dominance, the
causal-loop diagram, boundary critique and the CSH answers."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.interfaces.api.conftest import first_workspace, load_example

import wholesystem
from wholesystem.system.boundary import CSH_QUESTIONS, boundary_critique


def _model(local: TestClient) -> str:
    workspace = first_workspace(local)
    return f"/api/workspaces/{workspace}/models/{load_example(local, workspace)}"


def test_loops_and_dominance_in_words(local: TestClient) -> None:
    url = _model(local)
    body = local.get(f"{url}/loops").json()
    assert body["loops"]
    assert all(isinstance(line, str) for line in body["story"])
    assert {loop["polarity"] for loop in body["loops"]} <= {"R", "B", "?"}


def test_the_diagram_is_svg_that_cannot_run_anything(local: TestClient) -> None:
    response = local.get(f"{_model(local)}/diagram.svg")
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.text.lstrip().startswith(("<svg", "<?xml"))


def test_boundary_critique_is_the_systems_own(local: TestClient) -> None:
    url = _model(local)
    body = local.get(f"{url}/boundary", params={"scenario": "fewer_care_home_beds",
                                                "inside": ["bristol_council"]}).json()
    expected = boundary_critique(
        wholesystem.load_system(wholesystem.example_path("hospital_discharge")),
        ["bristol_council"], "fewer_care_home_beds")
    assert (body["narrow_verdict"], body["whole_verdict"]) == (
        expected.narrow_verdict, expected.whole_verdict)
    assert len(body["workspace_answers"]) == len(CSH_QUESTIONS)
    unknown = local.get(f"{url}/boundary", params={"scenario": "fewer_care_home_beds",
                                                   "inside": ["nobody"]})
    assert unknown.status_code == 422


def test_csh_answers_are_kept_per_model(local: TestClient) -> None:
    url = _model(local)
    saved = local.put(f"{url}/csh", json={"question": "beneficiary", "is_answer": "the trust",
                                          "ought_answer": "residents"})
    assert saved.status_code == 200, saved.text
    rows = {r["question"]: r for r in local.get(f"{url}/csh").json()}
    assert (rows["beneficiary"]["is"], rows["beneficiary"]["ought"]) == (
        "the trust", "residents")
    bad = local.put(f"{url}/csh", json={"question": "astrology"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "question"
