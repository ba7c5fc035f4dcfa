"""One table from service-layer errors to HTTP statuses, and the handlers that render them.

Every error body is ``{"error": code, "detail": message}`` with a stable ``code``.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from servicelayer.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    LedgerUnavailable,
    NotFound,
    RateLimited,
    ServiceLayerError,
    Unauthorized,
)
from servicelayer.storage.db import DatabaseUnavailable

log = logging.getLogger("acenode.api")


class BatchTooLarge(ServiceLayerError):
    code = "batch_too_large"


class InvalidJson(ServiceLayerError):
    code = "invalid_json"


class UnsupportedMediaType(ServiceLayerError):
    code = "unsupported_media_type"


STATUS_BY_ERROR: dict[type[ServiceLayerError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    Conflict: 409,
    Unauthorized: 401,
    Forbidden: 403,
    LedgerUnavailable: 503,
    DatabaseUnavailable: 503,
    BatchTooLarge: 413,
    InvalidJson: 400,
    UnsupportedMediaType: 415,
    RateLimited: 429,
}


def status_of(exc: ServiceLayerError) -> int:
    """The HTTP status of a service-layer error."""
    return next((s for cls, s in STATUS_BY_ERROR.items() if isinstance(exc, cls)), 500)


class ErrorOut(BaseModel):
    error: str = Field(description="Stable machine-readable code", examples=["invalid_json"])
    detail: str = Field(description="What went wrong, for a human")


def error_response(
    status: int, code: str, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail}, status_code=status, headers=headers)


def allowed_methods(request: Request) -> str:
    """The methods some route serves at the request's path (a 405's ``Allow``); Starlette
    names only those of the first route that matched the path."""
    routes = request.app.router.routes
    methods = [
        method
        for method in _METHODS
        if any(r.matches({**request.scope, "method": method})[0] is Match.FULL for r in routes)
    ]
    return ", ".join(methods)


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the given error statuses."""
    texts = {
        400: "The body is not valid JSON",
        401: "Sign-in required or token invalid",
        403: "Signed in as another account than the one the request is about",
        404: "Not found",
        409: "Conflict with the current state",
        413: "The body or the batch is larger than the node accepts",
        415: "The body is not application/json",
        422: "The request does not have the expected shape",
        429: "Too many requests (see docs/api.md, Limits); retry after `Retry-After` seconds",
        503: "A dependency (database, ledger) is unavailable; retry later",
    }
    return {s: {"model": ErrorOut, "description": texts[s]} for s in statuses}


# What every authenticated write may answer besides its own success.
WRITE_ERRORS = documented(400, 401, 409, 422, 429, 503)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceLayerError)
    async def _service_error(_: Request, exc: ServiceLayerError) -> JSONResponse:
        status = status_of(exc)
        if status >= 500:
            log.warning("%s: %s", exc.code, exc.detail)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return error_response(status, exc.code, exc.detail, headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(400, "invalid_json", "the body is not valid JSON")
        return error_response(422, _code_of(errors), _describe(errors))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        status = exc.status_code
        code = _HTTP_CODES.get(status, f"http_{status}")
        detail = str(exc.detail)
        if detail == HTTPStatus(status).phrase:  # the framework's bare phrase: say more
            detail = _HTTP_DETAILS.get(status, detail)
        headers = dict(exc.headers or {})
        if status == 405:
            headers["Allow"] = allowed_methods(request)
            detail = f"{request.method} is not served here (Allow: {headers['Allow']})"
        return error_response(status, code, detail, headers)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_HTTP_CODES = {
    400: "invalid_body",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
}
_HTTP_DETAILS = {
    400: "the body could not be parsed",
    404: "no such path on this node (docs/api.md)",
    413: "the body is larger than this node accepts (see max_body_bytes)",
}


# Parameters whose bad values have their own code (docs/api.md), whatever was wrong.
_PARAMETER_CODES = {("query", "epoch"): "invalid_epoch", ("path", "account"): "invalid_account"}


def _code_of(errors: Any) -> str:
    for e in errors:
        code = _PARAMETER_CODES.get(tuple(e.get("loc", ())))
        if code is not None:
            return code
    return "invalid_request"


def _describe(errors: Any) -> str:
    parts = []
    for e in list(errors)[:5]:
        where = ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {e.get('msg', 'invalid')}")
    return "; ".join(parts)
