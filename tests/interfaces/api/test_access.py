"""Shared mode: logins, tokens, roles, and no user ever reaching another's workspace.

Every route under ``/api/workspaces/{workspace_id}`` in the OpenAPI schema is called by
a second user with the first user's ids and a valid body: each must answer 404, and the
first user's data must be unchanged afterwards.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.interfaces.api.conftest import load_example, login

import wholesystem

BODIES: dict[str, Any] = {
    "/run": {"levers": {"p2_b capacity": 110}, "save": True},
    "/scenarios": {"model_id": 0, "name": "stolen", "levers": {}},
    "/log": {"question": "sneaky"},
    "/members": {"username": "bob", "role": "owner"},
    "/csh": {"question": "purpose", "is_answer": "stolen"},
    "/budgets": {"organisation": "acute_trust", "amount": 1.0},
    "/jobs/ensemble": {"parameters": [{"name": "p2_b capacity", "low": 80, "high": 120}],
                       "runs": 2},
    "/jobs/sensitivity": {"parameters": [{"name": "p2_b capacity", "low": 80,
                                          "high": 120}], "samples": 2},
    "/jobs/rank": {"runs": 1},
    "/jobs/calibration": {"observations": {"times": [0, 1], "values": {"x": [1, 2]}},
                          "fit": [{"name": "p2_b capacity", "low": 1, "high": 200}]},
    "/jobs/loops": {},
    "/forecast": {"history": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]},
}


def _seed(client: TestClient) -> dict[str, int]:
    workspace = login(client, "ada")
    model = load_example(client, workspace)
    scenario = client.post(f"/api/workspaces/{workspace}/scenarios", json={
        "model_id": model, "name": "ada's", "levers": {"p2_b capacity": 120}}).json()["id"]
    client.post(f"/api/workspaces/{workspace}/log", json={"question": "ada's question"})
    run = client.post(f"/api/workspaces/{workspace}/models/{model}/run",
                      json={"levers": {}, "save": True}).json()["run_id"]
    client.put(f"/api/workspaces/{workspace}/models/{model}/budgets",
               json={"organisation": "acute_trust", "amount": 5e6})
    job = client.post(f"/api/workspaces/{workspace}/models/{model}/jobs/loops",
                      json={"max_loops": 5}).json()["id"]
    return {"workspace_id": workspace, "model_id": model, "scenario_id": scenario,
            "run_id": run, "job_id": job}


def _call(client: TestClient, method: str, path: str, ids: dict[str, int]):  # type: ignore[no-untyped-def]
    url = path.format(**ids, example="hospital_discharge", organisation="acute_trust")
    kwargs: dict[str, Any] = {}
    for suffix, body in BODIES.items():
        if path.endswith(suffix) and method in ("post", "put"):
            kwargs["json"] = {**body, "model_id": ids["model_id"]} if suffix == "/scenarios" \
                else body
    if path.endswith("/models") and method == "post":
        kwargs["files"] = {"file": ("teacup.xmile",
                                    wholesystem.example_path("teacup").read_bytes())}
    if path.endswith("/versions"):
        kwargs["files"] = {"file": ("x.yaml", wholesystem.example_path(
            "hospital_discharge").read_bytes())}
    if path.endswith("/compare") and "scenario_id" not in path:
        kwargs["params"] = {"scenario": "unconstrained"}
    if path.endswith("/boundary"):
        kwargs["params"] = {"scenario": "unconstrained", "inside": ["acute_trust"]}
    return client.request(method.upper(), url, **kwargs)


def _workspace_routes(client: TestClient) -> list[tuple[str, str]]:
    schema = client.get("/openapi.json").json()
    return [(method, path) for path, item in schema["paths"].items()
            if path.startswith("/api/workspaces/{workspace_id}") for method in item]


def test_nobody_reaches_another_users_workspace_on_any_route(shared_app) -> None:  # type: ignore[no-untyped-def]
    ada, bob = TestClient(shared_app), TestClient(shared_app)
    ids = _seed(ada)
    before = {p: ada.get(p.format(**ids)).json() for p in (
        "/api/workspaces/{workspace_id}/models", "/api/workspaces/{workspace_id}/scenarios",
        "/api/workspaces/{workspace_id}/log", "/api/workspaces/{workspace_id}/members",
        "/api/workspaces/{workspace_id}/models/{model_id}/budgets")}
    login(bob, "bob")
    routes = _workspace_routes(bob)
    assert len(routes) >= 15
    for method, path in routes:
        response = _call(bob, method, path, ids)
        assert response.status_code == 404, (method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    assert [w["name"] for w in bob.get("/api/workspaces").json()] == ["bob's workspace"]
    after = {p: ada.get(p.format(**ids)).json() for p in before}
    assert after == before


def test_every_api_route_needs_a_login(shared_app) -> None:  # type: ignore[no-untyped-def]
    ada = TestClient(shared_app)
    ids = _seed(ada)
    anonymous = TestClient(shared_app)
    for method, path in _workspace_routes(anonymous) + [("get", "/api/workspaces"),
                                                         ("get", "/api/me")]:
        response = _call(anonymous, method, path, ids)
        assert response.status_code == 401, (method, path)


def test_wrong_passwords_and_tokens_are_refused(shared_app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(shared_app)
    bad = client.post("/api/login", json={"username": "ada", "password": "guess"})
    assert bad.status_code == 401
    nobody = client.post("/api/login", json={"username": "eve", "password": "guess"})
    assert nobody.status_code == 401
    assert nobody.json()["detail"] == bad.json()["detail"]
    forged = client.get("/api/workspaces", headers={"Authorization": "Bearer ws_forged"})
    assert forged.status_code == 401


def test_api_tokens_act_as_their_user(shared_app) -> None:  # type: ignore[no-untyped-def]
    ada = TestClient(shared_app)
    login(ada, "ada")
    token = ada.post("/api/tokens").json()["token"]
    script = TestClient(shared_app)
    me = script.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["username"] == "ada"


def test_a_session_cookie_is_signed_and_http_only(shared_app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(shared_app)
    response = client.post("/api/login", json={"username": "ada", "password": "ada-password"})
    cookie = response.headers["set-cookie"]
    assert "httponly" in cookie.lower()
    assert "samesite=strict" in cookie.lower()
    tampered = TestClient(shared_app)
    tampered.cookies.set("wholesystem_session", "eyJ1c2VyX2lkIjogMX0=.forged.sig")
    assert tampered.get("/api/me").status_code == 401


def test_secure_cookies_by_default_in_shared_mode(store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from wholesystem.interfaces.api import create_app
    from wholesystem.interfaces.api.access import hash_password

    store.ensure_user("ada", hash_password("ada-password"))
    client = TestClient(create_app(store, tmp_path / "u", shared=True, secret="s"))
    response = client.post("/api/login", json={"username": "ada", "password": "ada-password"})
    assert "secure" in response.headers["set-cookie"].lower()


@pytest.mark.parametrize(("role", "can_write"), [("viewer", False), ("editor", True)])
def test_roles_decide_who_may_write(shared_app, role: str, can_write: bool) -> None:  # type: ignore[no-untyped-def]
    ada, bob = TestClient(shared_app), TestClient(shared_app)
    ids = _seed(ada)
    added = ada.put(f"/api/workspaces/{ids['workspace_id']}/members",
                    json={"username": "bob", "role": role})
    assert added.status_code == 200, added.text
    login(bob, "bob")
    url = f"/api/workspaces/{ids['workspace_id']}"
    assert bob.get(f"{url}/models").status_code == 200
    assert bob.get(f"{url}/scenarios/{ids['scenario_id']}/compare").status_code == 200
    log = bob.post(f"{url}/log", json={"question": "bob's"})
    assert log.status_code == (201 if can_write else 403)
    members = bob.put(f"{url}/members", json={"username": "bob", "role": "owner"})
    assert members.status_code == 403  # only owners manage members
