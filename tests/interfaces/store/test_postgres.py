"""The store and the API against a real PostgreSQL server.

The server is ``$WHOLESYSTEM_TEST_POSTGRES`` (a ``postgresql+psycopg://`` URL) when set;
otherwise a throwaway cluster is made with the installed ``initdb`` and ``pg_ctl`` (as
the ``postgres`` user when running as root) on a private Unix socket, and removed after.
``.ci/run`` installs Debian's postgresql package, so CI always runs these tests.
"""

from __future__ import annotations

import glob
import os
import pwd
import shlex
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import text

from wholesystem.interfaces.api import create_app
from wholesystem.interfaces.store import Store, decode_results, encode_results, sha256_hex
from wholesystem.interfaces.store.schema import Base

pytest.importorskip("psycopg")


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    debian = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return debian[-1] if debian else None


def _as_postgres_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root with no 'postgres' user to run the server as")
    runner = shutil.which("runuser") or shutil.which("su")
    if runner is None:
        pytest.skip("running as root with neither runuser nor su")
    return [runner, "-u", "postgres", "--"] if runner.endswith("runuser") else [
        runner, "postgres", "-c"]


def _run(prefix: list[str], argv: list[str]) -> None:
    # runuser takes the argv as it is; su -c takes one shell command line
    command = prefix + [shlex.join(argv)] if prefix[-1:] == ["-c"] else prefix + argv
    subprocess.run(command, check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    if os.environ.get("WHOLESYSTEM_TEST_POSTGRES"):
        yield os.environ["WHOLESYSTEM_TEST_POSTGRES"]
        return
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        pytest.skip("no PostgreSQL server binaries (apt-get install postgresql; .ci/run "
                    "installs them) and WHOLESYSTEM_TEST_POSTGRES is not set")
    prefix = _as_postgres_user()
    root = Path(tempfile.mkdtemp(prefix="wholesystem-pg-"))
    data, socket = root / "data", root / "socket"
    socket.mkdir()
    if prefix:
        shutil.chown(root, "postgres")
        shutil.chown(socket, "postgres")
        root.chmod(0o755)
    user = "postgres" if prefix else pwd.getpwuid(os.getuid()).pw_name
    _run(prefix, [initdb, "-D", str(data), "-U", user, "-A", "trust", "--no-sync"])
    # a private Unix socket and no TCP port: nothing else can reach it or clash with it
    _run(prefix, [pg_ctl, "-D", str(data), "-w", "-l", str(root / "log"), "-o",
                  f"-k {socket} -c listen_addresses= -p 54329 -F", "start"])
    try:
        yield f"postgresql+psycopg://{user}@/postgres?host={socket}&port=54329"
    finally:
        _run(prefix, [pg_ctl, "-D", str(data), "-m", "immediate", "stop"])
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def store(postgres_url: str) -> Iterator[Store]:
    store = Store(postgres_url)
    yield store
    with store.engine.begin() as connection:  # each test starts from empty tables
        names = ", ".join(t.name for t in Base.metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    store.close()


def test_postgres_is_migrated_to_exactly_the_declared_tables(store: Store) -> None:
    assert store.engine.dialect.name == "postgresql"
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_models_runs_and_scoping_on_postgres(store: Store) -> None:
    import pandas as pd

    ada, bob = store.ensure_user("ada"), store.ensure_user("bob")
    mine, theirs = store.create_workspace("a", ada.id), store.create_workspace("b", bob.id)
    content = bytes(range(256)) * 1000  # every byte value, kept exactly
    _model, version = store.add_model(mine.id, "m", "system", "m.yaml", content)
    assert store.version(mine.id, version.id).content == content  # type: ignore[union-attr]
    assert store.version(theirs.id, version.id) is None
    frame = pd.DataFrame({"a b": [1.0, float("nan")]}, index=pd.Index([0.0, 1.0], name="time"))
    columns, blob, digest = encode_results(frame)
    run = store.add_run(mine.id, version.id, base="baseline", levers={"x": 1.0},
                        columns=columns, results=blob, engine_version="t", summary={})
    again = store.run(mine.id, run.id)
    assert again is not None
    assert again.results_sha256 == digest == sha256_hex(again.results)
    pd.testing.assert_frame_equal(decode_results(again.columns, again.results), frame)
    assert store.run(theirs.id, run.id) is None
    assert store.list_models(theirs.id) == []


def test_concurrent_versions_get_distinct_numbers(store: Store) -> None:
    """Eight writers add versions of one model at once; the row lock on the model keeps
    the numbers 1..N with no gap and no duplicate."""
    owner = store.ensure_user("ada")
    workspace = store.create_workspace("w", owner.id)
    model, _ = store.add_model(workspace.id, "m", "xmile", "m.xmile", b"<xmile/>")

    def writer() -> None:
        for _ in range(5):
            store.add_version(workspace.id, model.id, "m.xmile", b"<xmile/>")

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = [v.number for v in store.versions(workspace.id, model.id)]
    assert numbers == list(range(1, 42))


def test_the_workbench_api_over_postgres(store: Store, tmp_path: Path) -> None:
    with TestClient(create_app(store, tmp_path / "uploads")) as client:
        workspace = client.get("/api/workspaces").json()[0]["id"]
        model = client.post(f"/api/workspaces/{workspace}/examples/hospital_discharge").json()
        saved = client.post(f"/api/workspaces/{workspace}/scenarios", json={
            "model_id": model["id"], "name": "more beds", "levers": {"p2_b capacity": 120},
            "note": "pg"})
        assert saved.status_code == 201, saved.text
        compared = client.get(f"/api/workspaces/{workspace}/scenarios/"
                              f"{saved.json()['id']}/compare").json()
        assert [c["name"] for c in compared["changed"]] == ["p2_b capacity"]
