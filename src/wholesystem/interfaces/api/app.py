"""The workbench application: the API under ``/api`` and the pages at ``/``."""

from __future__ import annotations

import secrets
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

import wholesystem
from wholesystem.interfaces.api import (
    access_routes,
    analysis_routes,
    budget_routes,
    export_routes,
    job_routes,
    model_routes,
    stockflow_routes,
    work_routes,
)
from wholesystem.interfaces.api.access import ensure_local_workspace
from wholesystem.interfaces.api.jobs import JobRunner
from wholesystem.interfaces.api.problems import install_problem_handlers
from wholesystem.interfaces.api.workbench import Workbench
from wholesystem.interfaces.store import Store

__all__ = ["create_app", "STATIC"]

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
"""The pages' files (plain HTML, CSS and JavaScript: no build step, nothing from a CDN)."""


def create_app(store: Store, uploads: Path, *, shared: bool = False,
               secret: str | None = None, secure_cookies: bool = True,
               max_upload_bytes: int = 16 * 1024 * 1024) -> FastAPI:
    """The workbench over ``store``; uploaded files are read from under ``uploads``.

    ``shared`` needs logins (see :mod:`~wholesystem.interfaces.api.access`); sessions are
    signed with ``secret`` (random per process when not given) and sent only over HTTPS
    when ``secure_cookies``.
    """
    app = FastAPI(title="wholesystem workbench", version=wholesystem.__version__,
                  description="Explore a public-service system together: upload models, "
                              "move levers, see who pays, who waits and who benefits, "
                              "save scenarios and log experiments.")
    app.state.workbench = Workbench(store, uploads, max_upload_bytes)
    app.state.shared = shared
    # Jobs a stopped server left unfinished lost their work with it: mark them failed.
    store.abandon_unfinished_jobs()
    app.state.jobs = JobRunner(store)
    if not shared:
        ensure_local_workspace(store)
    app.add_middleware(SessionMiddleware, secret_key=secret or secrets.token_urlsafe(32),
                       session_cookie="wholesystem_session", same_site="strict",
                       https_only=shared and secure_cookies)
    install_problem_handlers(app)
    for module in (access_routes, model_routes, work_routes, analysis_routes,
                   export_routes, budget_routes, job_routes, stockflow_routes):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    return app
