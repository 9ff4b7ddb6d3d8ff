"""The stock-and-flow view's API: the diagram of an uploaded model and one variable's
series."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.interfaces.api.conftest import first_workspace

import wholesystem
from wholesystem.parse.diagram import sketch_positions

SHARED = Path(os.environ.get("WHOLESYSTEM_SHARED", "../shared"))
TEACUP_MDL = SHARED / "sd-test-models" / "samples" / "teacup" / "teacup.mdl"


def _upload(client: TestClient, workspace: int, path: Path) -> int:
    response = client.post(f"/api/workspaces/{workspace}/models",
                           files={"file": (path.name, path.read_bytes())})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_the_diagram_and_a_variables_series(local: TestClient) -> None:
    """Teacup: the flow drains the stock and reads the stock and both auxiliaries; the
    stock's series starts at its initial value 180 and falls towards room temperature."""
    workspace = first_workspace(local)
    model = _upload(local, workspace, wholesystem.example_path("teacup"))
    base = f"/api/workspaces/{workspace}/models/{model}"
    diagram = local.get(f"{base}/stock-flow").json()
    kinds = {n["display"]: n["kind"] for n in diagram["nodes"]}
    assert kinds == {"Teacup Temperature": "stock", "Heat Loss to Room": "flow",
                     "Room Temperature": "aux", "Characteristic Time": "aux"}
    assert diagram["placed_by"] == "layout"
    links = {(x["source"], x["target"], x["kind"]) for x in diagram["links"]}
    assert ("teacup temperature", "heat loss to room", "outflow") in links
    assert sum(1 for x in links if x[2] == "info") == 3
    series = local.get(f"{base}/series", params={"variable": "Teacup Temperature"}).json()
    values = series["series"][0]["values"]
    assert values[0] == 180
    assert 70 < values[-1] < 180
    bad = local.get(f"{base}/series", params={"variable": "nothing"})
    assert bad.status_code == 422
    assert bad.json()["detail"].startswith("variable:")


def test_a_vensim_sketch_gives_the_positions() -> None:
    """teacup.mdl's sketch puts Teacup Temperature at (307, 235) (its record
    ``10,1,Teacup Temperature,307,235,...``)."""
    if not TEACUP_MDL.exists():
        pytest.skip(f"{TEACUP_MDL} not found (set WHOLESYSTEM_SHARED)")
    positions = sketch_positions(TEACUP_MDL.read_text())
    assert positions["teacup temperature"] == (307.0, 235.0)
    assert positions["characteristic time"] == (408.0, 174.0)
    assert sketch_positions("no sketch here") == {}
