"""Workbench latency: lever-to-chart time for the bundled systems, and a loopback load test.

    .venv/bin/python benchmarks/bench_workbench.py [--moves 30] [--runs 50] [--uploads 5]

Lever to chart: a real server on 127.0.0.1; each bundled system is loaded, then a lever
is moved ``--moves`` times (a new value each time, as a dragged slider sends them) and
each ``POST .../run`` (simulate, ledger, cost-shunt comparison, series for the charts) is
timed until its JSON is read. It prints the median and p95 in ms and the ratio
**200 ms target / p95** (above 1: inside the target).

Load test: ``--runs`` scenario runs (each saved, so each writes a run to the store) and
``--uploads`` uploads, all at once from as many threads; it counts errors, checks that
every run and upload is in the store afterwards ("lost" must be 0), and prints the
throughput and the p95 latency.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.interfaces.api.server import serving

import wholesystem
from wholesystem.interfaces.api import create_app
from wholesystem.interfaces.store import Store

SYSTEMS = ("hospital_discharge", "delayed_discharge_system", "older_people")
TARGET_MS = 200.0


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def lever_to_chart(client: httpx.Client, workspace: int, example: str,
                   moves: int) -> tuple[float, float] | None:
    model = client.post(f"/api/workspaces/{workspace}/examples/{example}").json()["id"]
    url = f"/api/workspaces/{workspace}/models/{model}"
    groups = client.get(f"{url}/levers").json()
    if not groups:
        return None
    lever = groups[0]["levers"][0]
    client.post(f"{url}/run", json={})  # the first run compiles the model: not a lever move
    times = []
    for step in range(moves):
        value = min(lever["maximum"], lever["value"] + 1 + step)
        start = time.perf_counter()
        response = client.post(f"{url}/run", json={"levers": {lever["name"]: value}})
        response.json()
        times.append(1000 * (time.perf_counter() - start))
        response.raise_for_status()
    return statistics.median(times), _p95(times)


def load_test(base: str, workspace: int, runs: int, uploads: int) -> dict[str, float]:
    with httpx.Client(base_url=base, timeout=300) as client:
        model = client.post(f"/api/workspaces/{workspace}/examples/hospital_discharge").json()
        client.post(f"/api/workspaces/{workspace}/models/{model['id']}/run", json={})
        runs_before = len(client.get(f"/api/workspaces/{workspace}/models").json())
    content = wholesystem.example_path("delayed_discharge_system").read_bytes()

    def one_run(index: int) -> tuple[float, int]:
        with httpx.Client(base_url=base, timeout=300) as client:
            start = time.perf_counter()
            response = client.post(
                f"/api/workspaces/{workspace}/models/{model['id']}/run",
                json={"levers": {"p2_b capacity": 90 + index}, "save": True})
            return 1000 * (time.perf_counter() - start), response.status_code

    def one_upload(index: int) -> tuple[float, int]:
        with httpx.Client(base_url=base, timeout=300) as client:
            start = time.perf_counter()
            response = client.post(f"/api/workspaces/{workspace}/models",
                                   files={"file": (f"upload{index}.yaml", content)})
            return 1000 * (time.perf_counter() - start), response.status_code

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=runs + uploads) as pool:
        jobs = [pool.submit(one_run, i) for i in range(runs)]
        jobs += [pool.submit(one_upload, i) for i in range(uploads)]
        results = [job.result() for job in jobs]
    elapsed = time.perf_counter() - start
    with httpx.Client(base_url=base, timeout=60) as client:
        models = len(client.get(f"/api/workspaces/{workspace}/models").json()) - runs_before
    errors = sum(1 for _, status in results if status >= 400)
    return {"requests": len(results), "errors": errors, "seconds": elapsed,
            "throughput": len(results) / elapsed, "p95_ms": _p95([t for t, _ in results]),
            "uploads_lost": uploads - models}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=30)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--uploads", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="wholesystem-bench-"))
    store = Store(f"sqlite:///{folder / 'bench.sqlite'}")
    with serving(create_app(store, folder / "uploads")) as base, \
            httpx.Client(base_url=base, timeout=300) as client:
        workspace = client.get("/api/workspaces").json()[0]["id"]
        print("lever to chart (POST .../run: simulate, ledger, comparison, series)")
        print(f"  {'system':28} {'median ms':>10} {'p95 ms':>8} {'200ms/p95':>10}")
        for example in SYSTEMS:
            timing = lever_to_chart(client, workspace, example, args.moves)
            if timing is None:
                print(f"  {example:28} (no levers)")
                continue
            median, p95 = timing
            print(f"  {example:28} {median:10.1f} {p95:8.1f} {TARGET_MS / p95:10.2f}")
        stats = load_test(base, workspace, args.runs, args.uploads)
        saved = len(store.list_runs(workspace))
    print(f"load test: {args.runs} concurrent scenario runs + {args.uploads} concurrent "
          f"uploads on loopback")
    print(f"  requests {stats['requests']:.0f}, errors {stats['errors']:.0f}, uploads lost "
          f"{stats['uploads_lost']:.0f}, runs saved {saved} (expected {args.runs})")
    print(f"  throughput {stats['throughput']:.1f} requests/s, p95 {stats['p95_ms']:.0f} ms, "
          f"wall {stats['seconds']:.1f} s")


if __name__ == "__main__":
    main()
