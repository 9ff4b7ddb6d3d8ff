"""API fuzzing with schemathesis: requests generated from the OpenAPI schema, valid and
not, against a workbench holding the hospital-discharge example. No request may get a
5xx; every error must be a problem+json body."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from wholesystem.interfaces.api import create_app
from wholesystem.interfaces.store import Store

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

_folder = Path(tempfile.mkdtemp(prefix="wholesystem-fuzz-"))
app = create_app(Store(f"sqlite:///{_folder / 'fuzz.sqlite'}"), _folder / "uploads")
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module", autouse=True)
def _example() -> None:
    from fastapi.testclient import TestClient

    client = TestClient(app)
    workspace = client.get("/api/workspaces").json()[0]["id"]
    client.post(f"/api/workspaces/{workspace}/examples/delayed_discharge_system")


@schema.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_server_error(case) -> None:  # type: ignore[no-untyped-def]
    response = case.call(timeout=300)  # a loaded CI machine: slow is not an error
    case.validate_response(response, checks=[not_a_server_error])
    if response.status_code >= 400:
        content_type = response.headers["content-type"]
        content_type = content_type[0] if isinstance(content_type, list) else content_type
        assert content_type.startswith("application/problem+json"), (
            case.method, case.path, response.text)
