"""Opening the workbench database: where it lives, its engine, and its migrations.

The default is a SQLite file in the user's data folder, in write-ahead-log mode so
readers never wait for a writer; ``postgresql+psycopg://user@host/db`` serves a shared
deployment. Every transaction starts with ``BEGIN IMMEDIATE`` on SQLite: a writer takes
the write lock up front, so two writers queue (within the busy timeout) instead of one
failing when it upgrades a read lock.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

__all__ = ["data_folder", "default_database_url", "create_store_engine", "migrate",
           "schema_revision", "head_revision"]

_MIGRATIONS = Path(__file__).parent / "migrations"
_BUSY_TIMEOUT_MS = 30_000


def data_folder() -> Path:
    """The user's data folder for wholesystem (created by the caller when needed)."""
    if sys.platform == "win32":
        root = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        root = Path.home() / "Library" / "Application Support"
    else:
        root = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return root / "wholesystem"


def default_database_url() -> str:
    """``$WHOLESYSTEM_DB`` if set, else a SQLite file in :func:`data_folder`."""
    configured = os.environ.get("WHOLESYSTEM_DB")
    if configured:
        return configured
    return f"sqlite:///{data_folder() / 'workbench.sqlite'}"


def create_store_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get their folder, WAL mode and foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False,
                                              "timeout": _BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling would BEGIN lazily (DEFERRED); we emit BEGIN
    # ourselves in _sqlite_begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable against a killed process in WAL
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def migrate(engine: Engine) -> None:
    """Bring the database's schema up to the newest migration (no-op when current)."""
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def schema_revision(engine: Engine) -> str | None:
    """The migration the database is at (None: never migrated)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest migration this release ships."""
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()
