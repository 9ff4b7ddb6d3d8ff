"""``wholesystem serve``: the workbench in the browser; ``wholesystem user``: its logins."""

from __future__ import annotations

import getpass
import ipaddress
import os
import secrets
import webbrowser
from pathlib import Path
from typing import Annotated

import typer

from wholesystem.errors import ParameterError

__all__ = ["serve", "add_user"]

DbOption = Annotated[str | None, typer.Option(
    "--db", help="Database URL (default: a SQLite file in your data folder; "
                 "postgresql+psycopg://user@host/db for a shared deployment).")]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _secret(folder: Path) -> str:
    # Sessions survive a restart: the signing key is kept beside the database.
    if os.environ.get("WHOLESYSTEM_SECRET"):
        return os.environ["WHOLESYSTEM_SECRET"]
    path = folder / "session-secret"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    shared: Annotated[bool, typer.Option(
        "--shared", help="Shared mode: logins, workspaces and roles (create users with "
                         "'wholesystem user').")] = False,
    insecure_cookies: Annotated[bool, typer.Option(
        "--insecure-cookies", help="Shared mode over plain HTTP (testing only).")] = False,
    open_browser: Annotated[bool, typer.Option(
        "--open/--no-open", help="Open the workbench in your browser.")] = True,
) -> None:
    """Open the workbench: map, levers, who pays and who waits, saved scenarios and the
    experiment log, at the address it prints."""
    import uvicorn

    from wholesystem.interfaces.api import create_app
    from wholesystem.interfaces.store import data_folder, open_store

    if not shared and not _is_loopback(host):
        raise ParameterError(f"--host {host}: without logins the workbench only listens on "
                             "this machine (127.0.0.1); add --shared to serve others")
    folder = data_folder()
    store = open_store(db)
    app = create_app(store, folder / "uploads", shared=shared, secret=_secret(folder),
                     secure_cookies=not insecure_cookies)
    address = f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
    typer.echo(f"wholesystem workbench: open {address}  (database {store.engine.url!r}; "
               "Ctrl+C stops)")
    if open_browser:
        webbrowser.open(address)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def add_user(
    username: Annotated[str, typer.Argument(help="Login name.")],
    db: DbOption = None,
    workspace: Annotated[str | None, typer.Option(
        help="Also create a workspace of this name, owned by the user.")] = None,
) -> None:
    """Create a user (or set their password) for shared mode; the password is read from
    $WHOLESYSTEM_PASSWORD or asked for."""
    from wholesystem.interfaces.api.access import hash_password
    from wholesystem.interfaces.store import open_store

    password = os.environ.get("WHOLESYSTEM_PASSWORD") or getpass.getpass("password: ")
    if len(password) < 8:
        raise ParameterError("password: use at least 8 characters")
    store = open_store(db)
    user = store.ensure_user(username, hash_password(password))
    if workspace:
        store.create_workspace(workspace, user.id)
    typer.echo(f"user {username} ready" + (f", owner of '{workspace}'" if workspace else ""))
