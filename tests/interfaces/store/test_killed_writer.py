"""A writer killed mid-write leaves no half-written model or run behind.

A child process writes models (several megabytes each, with a run of results) in a loop
and reports each commit; the test kills it with SIGKILL at a random moment, several
times, then reopens the store and checks every row it finds is whole: the database passes
SQLite's integrity check, every model has its version, every stored file and every run's
results match their hashes, and no commit the writer reported is missing.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from wholesystem.interfaces.store import Store, decode_results, sha256_hex

WRITER = """
import os, sys
import numpy as np, pandas as pd
from wholesystem.interfaces.store import Store, encode_results
store = Store(sys.argv[1])
user = store.ensure_user("writer")
workspace = store.create_workspace("killed", user.id)
print("ready", flush=True)
rng = np.random.default_rng(int(sys.argv[2]))
while True:
    content = rng.bytes(4_000_000)
    model, version = store.add_model(workspace.id, "m", "xmile", "m.xmile", content)
    frame = pd.DataFrame(rng.normal(size=(2000, 50)), columns=[f"v{i}" for i in range(50)])
    names, blob, _ = encode_results(frame)
    store.add_run(workspace.id, version.id, base="baseline", levers={}, columns=names,
                  results=blob, engine_version="test", summary={})
    print("committed", model.id, flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_killed_writer_leaves_only_whole_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    chance = random.Random(9)
    reported: set[int] = set()
    for attempt in range(3):
        reported |= _write_until_killed(script, url, attempt, chance.uniform(0.3, 1.5))
    store = Store(url)
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    workspaces = [w for w, _ in store.workspaces_of(store.ensure_user("writer").id)]
    assert len(workspaces) == 3
    found = set()
    for workspace in workspaces:
        for model in store.list_models(workspace.id):
            found.add(model.id)
            versions = store.versions(workspace.id, model.id)
            assert len(versions) == 1
            assert sha256_hex(versions[0].content) == versions[0].sha256
            assert len(versions[0].content) == versions[0].size == 4_000_000
        for run in store.list_runs(workspace.id):
            assert sha256_hex(run.results) == run.results_sha256
            assert decode_results(run.columns, run.results).shape == (2000, 50)
    assert reported <= found
    assert reported, "the writer never committed: the test proved nothing"


def _write_until_killed(script: Path, url: str, seed: int, after: float) -> set[int]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen([sys.executable, str(script), url, str(seed)],
                             stdout=subprocess.PIPE, text=True, env=env)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    # wait for a first commit, then kill at a random moment in a later write
    first = child.stdout.readline().split()
    time.sleep(after)
    child.send_signal(signal.SIGKILL)
    rest, _ = child.communicate(timeout=60)
    lines = [first, *(line.split() for line in rest.splitlines())]
    return {int(parts[1]) for parts in lines if len(parts) == 2 and parts[0] == "committed"}
