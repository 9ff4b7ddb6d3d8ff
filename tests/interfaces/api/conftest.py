"""Workbench apps over a fresh store for each test: local mode and shared mode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from wholesystem.interfaces.api import create_app
from wholesystem.interfaces.api.access import hash_password
from wholesystem.interfaces.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'workbench.sqlite'}")


@pytest.fixture
def local(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(store, tmp_path / "uploads")) as client:
        yield client


@pytest.fixture
def shared_app(store: Store, tmp_path: Path):  # type: ignore[no-untyped-def]
    for name in ("ada", "bob"):
        user = store.ensure_user(name, hash_password(f"{name}-password"))
        store.create_workspace(f"{name}'s workspace", user.id)
    return create_app(store, tmp_path / "uploads", shared=True, secret="test-secret",
                      secure_cookies=False)


def login(client: TestClient, name: str) -> int:
    """Log ``name`` in; the id of their own workspace."""
    response = client.post("/api/login", json={"username": name, "password": f"{name}-password"})
    assert response.status_code == 200, response.text
    return int(client.get("/api/workspaces").json()[0]["id"])


def first_workspace(client: TestClient) -> int:
    return int(client.get("/api/workspaces").json()[0]["id"])


def load_example(client: TestClient, workspace: int,
                 example: str = "hospital_discharge") -> int:
    response = client.post(f"/api/workspaces/{workspace}/examples/{example}")
    assert response.status_code == 201, response.text
    return int(response.json()["id"])
