"""Load on loopback: 50 concurrent scenario runs (each saved) and 5 concurrent uploads
against a real server: no errors and nothing lost. Latency is reported by
``benchmarks/bench_workbench.py``, never asserted here."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from tests.interfaces.api.server import serving

import wholesystem
from wholesystem.interfaces.api import create_app
from wholesystem.interfaces.store import Store, sha256_hex

RUNS, UPLOADS = 50, 5


def test_concurrent_runs_and_uploads_lose_nothing(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'load.sqlite'}")
    content = wholesystem.example_path("delayed_discharge_system").read_bytes()
    with serving(create_app(store, tmp_path / "uploads")) as base:
        with httpx.Client(base_url=base, timeout=300) as client:
            workspace = client.get("/api/workspaces").json()[0]["id"]
            model = client.post(f"/api/workspaces/{workspace}/examples/"
                                "delayed_discharge_system").json()["id"]

        def run(index: int) -> int:
            with httpx.Client(base_url=base, timeout=300) as client:
                return client.post(f"/api/workspaces/{workspace}/models/{model}/run", json={
                    "levers": {"home_care capacity": 600 + index}, "save": True}).status_code

        def upload(index: int) -> int:
            with httpx.Client(base_url=base, timeout=300) as client:
                return client.post(f"/api/workspaces/{workspace}/models", files={
                    "file": (f"copy{index}.yaml", content)}).status_code

        with ThreadPoolExecutor(max_workers=RUNS + UPLOADS) as pool:
            runs = [pool.submit(run, i) for i in range(RUNS)]
            uploads = [pool.submit(upload, i) for i in range(UPLOADS)]
            statuses = [f.result() for f in runs], [f.result() for f in uploads]
    assert statuses == ([200] * RUNS, [201] * UPLOADS)
    saved = store.list_runs(workspace)
    assert sorted(r.levers["home_care capacity"] for r in saved) == [
        600.0 + i for i in range(RUNS)]
    assert all(r.results_sha256 == sha256_hex(r.results) for r in saved)
    copies = [m for m in store.list_models(workspace) if m.id != model]
    assert len(copies) == UPLOADS
    for copy in copies:
        (version,) = store.versions(workspace, copy.id)
        assert version.content == content
