"""The workbench store: migrations, workspace scoping, versions, runs and the log."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from wholesystem.interfaces.store import Store, decode_results, encode_results, sha256_hex
from wholesystem.interfaces.store.database import head_revision, schema_revision
from wholesystem.interfaces.store.schema import Base


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'ws.sqlite'}")


def test_a_new_database_is_migrated_to_head_in_wal_mode(store: Store) -> None:
    assert schema_revision(store.engine) == head_revision() == "0003_jobs"
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_the_migrations_build_exactly_the_declared_tables(store: Store) -> None:
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_reopening_keeps_everything(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ws.sqlite'}"
    first = Store(url)
    user = first.ensure_user("ada")
    workspace = first.create_workspace("w", user.id)
    first.add_model(workspace.id, "m", "xmile", "m.xmile", b"abc")
    first.close()
    again = Store(url)
    assert [m.name for m in again.list_models(workspace.id)] == ["m"]
    assert again.role_of(user.id, workspace.id) == "owner"


def test_versions_are_numbered_and_kept_byte_for_byte(store: Store) -> None:
    user = store.ensure_user("ada")
    workspace = store.create_workspace("w", user.id)
    content = bytes(range(256)) * 10
    model, _first = store.add_model(workspace.id, "m", "system", "m.yaml", content)
    second = store.add_version(workspace.id, model.id, "m2.yaml", b"v2", note="second")
    assert second is not None
    versions = store.versions(workspace.id, model.id)
    assert [(v.number, v.filename) for v in versions] == [(1, "m.yaml"), (2, "m2.yaml")]
    assert versions[0].content == content
    assert versions[0].sha256 == sha256_hex(content)


def test_nothing_crosses_workspaces(store: Store) -> None:
    ada, bob = store.ensure_user("ada"), store.ensure_user("bob")
    mine = store.create_workspace("ada's", ada.id)
    theirs = store.create_workspace("bob's", bob.id)
    model, version = store.add_model(mine.id, "m", "xmile", "m.xmile", b"x")
    store.add_scenario(mine.id, version.id, "s", "baseline", {"a": 1.0})
    store.add_log_entry(mine.id, author="ada", question="q")
    assert store.list_models(theirs.id) == []
    assert store.model(theirs.id, model.id) is None
    assert store.version(theirs.id, version.id) is None
    assert store.add_version(theirs.id, model.id, "m.xmile", b"y") is None
    assert store.list_scenarios(theirs.id) == []
    assert store.list_log(theirs.id) == []
    assert store.role_of(bob.id, mine.id) is None
    assert [w.name for w, _ in store.workspaces_of(bob.id)] == ["bob's"]


def test_roles_are_checked(store: Store) -> None:
    ada = store.ensure_user("ada")
    workspace = store.create_workspace("w", ada.id)
    with pytest.raises(ValueError, match="role must be one of"):
        store.set_member(workspace.id, ada.id, "admin")
    store.set_member(workspace.id, store.ensure_user("cy").id, "viewer")
    assert [(u.username, r) for u, r in store.members(workspace.id)] == [
        ("ada", "owner"), ("cy", "viewer")]


def test_results_round_trip_in_columns() -> None:
    """Values, names (with spaces and punctuation) and times survive exactly."""
    frame = pd.DataFrame({"beds occupied": [1.0, 2.5, np.nan], "cost (£)": [0.0, 1e9, -3.0]},
                         index=pd.Index([0.0, 0.5, 1.0], name="time"))
    names, blob, digest = encode_results(frame)
    assert digest == sha256_hex(blob)
    back = decode_results(names, blob)
    pd.testing.assert_frame_equal(back, frame)


def test_runs_keep_results_and_csh_and_evidence_are_upserts(store: Store) -> None:
    ada = store.ensure_user("ada")
    workspace = store.create_workspace("w", ada.id)
    model, version = store.add_model(workspace.id, "m", "system", "m.yaml", b"x")
    names, blob, _ = encode_results(pd.DataFrame({"a": [1.0, 2.0]}))
    run = store.add_run(workspace.id, version.id, base="baseline", levers={"a": 2},
                        columns=names, results=blob, engine_version="0.1.0", summary={"k": 1},
                        seed=7)
    stored = store.run(workspace.id, run.id)
    assert stored is not None
    assert stored.results_sha256 == sha256_hex(blob)
    assert list(decode_results(stored.columns, stored.results)["a"]) == [1.0, 2.0]
    store.set_csh_answer(workspace.id, model.id, "beneficiary", "patients", "residents")
    store.set_csh_answer(workspace.id, model.id, "beneficiary", "patients", "everyone")
    assert [a.ought_answer for a in store.csh_answers(workspace.id, model.id)] == ["everyone"]
    store.set_evidence(workspace.id, model.id, "p2_b capacity", source="IPACS", owner="CHS")
    store.set_evidence(workspace.id, model.id, "p2_b capacity", source="audit", owner="CHS")
    assert [e.source for e in store.evidence(workspace.id, model.id)] == ["audit"]
