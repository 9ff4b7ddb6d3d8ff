"""Alembic environment: migrations run on the connection the store hands over.

The store calls :func:`alembic.command.upgrade` with ``config.attributes["connection"]``
set, so migrations share the store's engine (and its SQLite pragmas) and never read an
``alembic.ini`` or a URL of their own.
"""

from __future__ import annotations

from alembic import context

from wholesystem.interfaces.store.schema import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
