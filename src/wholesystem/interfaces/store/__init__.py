"""The workbench store: workspaces, models and their versions, scenarios, runs, the
experiment log, boundary answers and evidence, in SQLite (default) or PostgreSQL.

- :mod:`~wholesystem.interfaces.store.schema`: the tables;
- :mod:`~wholesystem.interfaces.store.database`: engines, the default location, migrations;
- :mod:`~wholesystem.interfaces.store.store`: :class:`Store`, one transaction per write;
- :mod:`~wholesystem.interfaces.store.results`: run results as compressed columns.
"""

from wholesystem.interfaces.store.database import data_folder, default_database_url
from wholesystem.interfaces.store.results import decode_results, encode_results
from wholesystem.interfaces.store.schema import ROLES
from wholesystem.interfaces.store.store import Store, open_store, sha256_hex

__all__ = ["Store", "open_store", "sha256_hex", "ROLES", "data_folder",
           "default_database_url", "encode_results", "decode_results"]
