"""Login, tokens, workspaces and their members."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request

from wholesystem.interfaces.api.access import (
    Caller,
    Id,
    caller_of,
    new_token,
    require_role,
    verify_password,
)
from wholesystem.interfaces.api.schemas import (
    Login,
    Me,
    MemberIn,
    MemberOut,
    TokenOut,
    WorkspaceIn,
    WorkspaceOut,
)
from wholesystem.interfaces.store import Store

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["access"])
CallerDep = Annotated[Caller, Depends(caller_of)]


def store_of(request: Request) -> Store:
    """The workbench's store."""
    return request.app.state.workbench.store


StoreDep = Annotated[Store, Depends(store_of)]


@router.post("/login", response_model=Me)
def login(body: Login, request: Request, store: StoreDep) -> Me:
    """Open a session (shared mode): the cookie it sets is signed and HTTP-only."""
    user = store.user_named(body.username)
    if not verify_password(user, body.password):
        raise HTTPException(401, "unknown user or wrong password")
    assert user is not None
    request.session.clear()
    request.session["user_id"] = user.id
    return Me(username=user.username, shared=request.app.state.shared)


@router.post("/logout", status_code=204)
def logout(request: Request) -> None:
    """End the session."""
    request.session.clear()


@router.get("/me", response_model=Me)
def me(caller: CallerDep, request: Request) -> Me:
    """Who the server takes you for."""
    return Me(username=caller.username, shared=request.app.state.shared)


@router.post("/tokens", response_model=TokenOut, status_code=201)
def create_token(caller: CallerDep, store: StoreDep) -> TokenOut:
    """A new API token for yourself (shown once)."""
    token, digest = new_token()
    store.add_token(caller.id, digest, "api")
    return TokenOut(token=token)


@router.get("/workspaces", response_model=list[WorkspaceOut])
def list_workspaces(caller: CallerDep, store: StoreDep) -> list[WorkspaceOut]:
    """Your workspaces and your role in each."""
    return [WorkspaceOut(id=w.id, name=w.name, role=role)
            for w, role in store.workspaces_of(caller.id)]


@router.post("/workspaces", response_model=WorkspaceOut, status_code=201)
def create_workspace(body: WorkspaceIn, caller: CallerDep, store: StoreDep) -> WorkspaceOut:
    """A new workspace; you own it."""
    workspace = store.create_workspace(body.name, caller.id)
    return WorkspaceOut(id=workspace.id, name=workspace.name, role="owner")


@router.get("/workspaces/{workspace_id}/members", response_model=list[MemberOut])
def list_members(workspace_id: Id, caller: CallerDep, store: StoreDep) -> list[MemberOut]:
    """Who belongs to the workspace."""
    require_role(store, caller, workspace_id, "viewer")
    return [MemberOut(username=u.username, role=r) for u, r in store.members(workspace_id)]


@router.put("/workspaces/{workspace_id}/members", response_model=MemberOut)
def set_member(workspace_id: Id, body: MemberIn, caller: CallerDep,
               store: StoreDep) -> MemberOut:
    """Add a user to the workspace or change their role (owners only)."""
    require_role(store, caller, workspace_id, "owner")
    user = store.user_named(body.username)
    if user is None:
        raise HTTPException(404, f"username: no user called '{body.username}'")
    store.set_member(workspace_id, user.id, body.role)
    return MemberOut(username=user.username, role=body.role)
