"""Every error the API returns is an RFC 9457 problem (``application/problem+json``)
that names the field, or the model file's line and column."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from wholesystem.errors import SystemFileError, UnknownNameError, WholesystemError
from wholesystem.interfaces.api.workbench import UploadError

__all__ = ["problem", "install_problem_handlers"]

_TITLES = {400: "Bad request", 401: "Login needed", 403: "Not allowed", 404: "Not found",
           405: "Method not allowed", 409: "Conflict", 413: "Too large",
           422: "Invalid input", 500: "Server error"}


def problem(status: int, detail: str, field: str | None = None,
            errors: list[dict[str, Any]] | None = None) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {"type": "about:blank", "title": _TITLES.get(status, "Error"),
                            "status": status, "detail": detail}
    if field is not None:
        body["field"] = field
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _validation(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [{"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"),
               "message": str(e.get("msg", ""))} for e in error.errors()]
    first = errors[0] if errors else {"field": "", "message": "invalid request"}
    return problem(422, f"{first['field']}: {first['message']}", first["field"], errors)


def _http(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    response = problem(error.status_code, str(error.detail))
    response.headers.update(error.headers or {})  # e.g. Allow on a 405
    return response


def _model_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, WholesystemError)
    field = None
    if isinstance(error, SystemFileError):
        field = error.field or None
    elif isinstance(error, UnknownNameError):
        field = error.name
    location = str(error.span) if error.span is not None else None
    errors = [{"field": field, "location": location}] if location else None
    return problem(422, str(error), field, errors)


def _upload(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, UploadError)
    return problem(error.status, str(error), error.field)


def install_problem_handlers(app: FastAPI) -> None:
    """Route each kind of error to its problem response."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(WholesystemError, _model_error)
    app.add_exception_handler(UploadError, _upload)
