"""Who is asking, and what they may do in a workspace.

Local mode (the default, bound to 127.0.0.1) has one user, ``local``, and no login.
Shared mode needs a login: a password (argon2-hashed) that opens a session kept in a
signed, HTTP-only cookie, or an API token sent as ``Authorization: Bearer ...`` (only
its SHA-256 is stored). A workspace that the user is not a member of answers 404, as if
it did not exist, so nobody learns another workspace's ids.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import HTTPException, Path, Request

from wholesystem.interfaces.store import Store, sha256_hex
from wholesystem.interfaces.store.schema import User

__all__ = ["MAX_ID", "Id", "LOCAL_USER", "RANK", "Caller", "hash_password", "verify_password",
           "new_token", "caller_of", "require_role", "ensure_local_workspace"]

LOCAL_USER = "local"
RANK = {"viewer": 0, "editor": 1, "owner": 2}
"""Roles in order: each may do everything the ones before it may."""

MAX_ID = 2**31 - 1
"""Largest id any database row has (a 32-bit integer column)."""
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
"""A row id in a URL."""

_hasher = PasswordHasher()


@dataclass(frozen=True)
class Caller:
    """The user behind a request."""

    id: int
    username: str


def hash_password(password: str) -> str:
    """An argon2 hash of ``password``."""
    return _hasher.hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """Whether ``password`` is ``user``'s (False for no user or no password)."""
    if user is None or not user.password_hash:
        _hasher.hash(password)  # the same work either way: no timing hint of who exists
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> tuple[str, str]:
    """``(token, its sha256)``: the token is shown once, only the hash is kept."""
    token = "ws_" + secrets.token_urlsafe(32)
    return token, sha256_hex(token.encode())


def caller_of(request: Request) -> Caller:
    """The request's user; 401 in shared mode without a valid session or token."""
    store: Store = request.app.state.workbench.store
    if not request.app.state.shared:
        user = store.ensure_user(LOCAL_USER)
        return Caller(user.id, user.username)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        found = store.user_for_token(sha256_hex(header[7:].strip().encode()))
        if found is not None:
            return Caller(found.id, found.username)
        raise HTTPException(401, "the API token is not valid")
    user_id = request.session.get("user_id")
    found = store.user(int(user_id)) if isinstance(user_id, int) else None
    if found is None:
        raise HTTPException(401, "log in first (POST /api/login) or send an API token")
    return Caller(found.id, found.username)


def require_role(store: Store, caller: Caller, workspace_id: int, role: str) -> str:
    """The caller's role in the workspace, at least ``role`` (404 not a member, 403 too
    low a role)."""
    held = store.role_of(caller.id, workspace_id)
    if held is None:
        raise HTTPException(404, f"no workspace {workspace_id}")
    if RANK[held] < RANK[role]:
        raise HTTPException(403, f"this needs the {role} role in the workspace; "
                                 f"you are a {held}")
    return held


def ensure_local_workspace(store: Store) -> None:
    """Local mode: the local user has a workspace to start in."""
    user = store.ensure_user(LOCAL_USER)
    if not store.workspaces_of(user.id):
        store.create_workspace("My workspace", user.id)
