"""One error shape for every failure of the HTTP API.

Every refusal, whatever raised it, is rendered as::

    {"error": "<machine code>", "detail": "<one sentence>"}

with, for a refused request body or parameter, ``"fields": [{"loc", "code",
"message"}]``. Clients branch on ``error``; ``detail`` is for people. Domain errors
bring their own status and code (``logistics.exceptions``); a field that broke a
domain rule (``invalid_s10_check_digit``, ``invalid_phone``...) surfaces its code at the
top level, so a client does not have to dig in ``fields`` for the usual case.

Nothing here echoes the input back: a refused body may hold a name or a phone number,
and error responses end up in logs and bug reports.
"""

from __future__ import annotations

import logging
import traceback
import typing
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pydantic_core.core_schema import ErrorType
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from api_core.request_id import REQUEST_ID_HEADER, current_request_id
from logistics.exceptions import DomainError, TooManyRequests

log = logging.getLogger(__name__)

# Pydantic's own error types; any other type on a validation error was raised by a
# domain rule through ``logistics.fields`` and is the code clients want to see.
_PYDANTIC_TYPES = frozenset(typing.get_args(ErrorType))

_HTTP_CODES = {
    400: ("bad_request", "The request could not be read."),
    401: ("unauthorized", "Sign in first."),
    403: ("forbidden", "You may not do this."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not accept this HTTP method."),
    406: ("not_acceptable", "The server cannot answer in a format the request accepts."),
    409: ("conflict", "The request clashes with the current state."),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "The request body must be JSON."),
    422: ("validation_error", "The request is invalid."),
    429: ("too_many_requests", "Too many requests; wait a moment and try again."),
    500: ("internal_error", "Something went wrong on our side."),
    503: ("service_unavailable", "A service the API needs is down; try again shortly."),
}


class FieldError(BaseModel):
    loc: list[str | int]
    code: str
    message: str


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: str
    detail: str
    fields: list[FieldError] | None = None


def http_error_sentence(status: int) -> str:
    """What an error status means, in a sentence (OpenAPI descriptions)."""
    return _HTTP_CODES.get(status, ("", "Error"))[1]


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries documenting the error shape for ``statuses``."""
    return {status: {"model": ErrorBody, "description": http_error_sentence(status)} for status in statuses}


def error_response(
    status_code: int,
    code: str,
    detail: str,
    *,
    fields: Sequence[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"error": code, "detail": detail}
    if fields:
        body["fields"] = [f.model_dump() for f in fields]
    body.update(extra)
    return JSONResponse(body, status_code=status_code, headers=headers)


# ---------------------------------------------------------------- handlers


def _domain_error(request: Request | None, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = None
    if exc.status_code == 401:
        # RFC 6750: tell the client which scheme to use and why the token failed.
        challenge = 'Bearer realm="bcci-logistics"'
        if exc.code not in ("missing_token", "invalid_credentials"):
            challenge += ', error="invalid_token"'  # a token was sent and is no good
        headers = {"WWW-Authenticate": challenge}
    # What the domain names about the error (the field at fault, a current status) goes
    # along as plain members; anything else it carries stays on the server.
    extra = {k: v for k, v in exc.context.items()
             if isinstance(v, str | int | float | bool) and k not in ("error", "detail", "fields")}
    if isinstance(exc, TooManyRequests):
        headers = {"Retry-After": str(exc.retry_after_s)}
        extra["retry_after_s"] = exc.retry_after_s
    return error_response(exc.status_code, exc.code, exc.detail, headers=headers, **extra)


def domain_error_response(exc: DomainError) -> JSONResponse:
    """The answer to ``exc``, for a route that answers an error without raising it (so
    that the request's transaction still commits what it recorded)."""
    return _domain_error(None, exc)


def _path(loc: Sequence[str | int]) -> str:
    """``("body", "legs", 0, "s10")`` -> ``legs[0].s10``; other sources keep their prefix."""
    parts = list(loc[1:] if loc and loc[0] == "body" else loc)
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    fields = [
        FieldError(loc=[p for p in e.get("loc", ())], code=e.get("type", "invalid"), message=e.get("msg", ""))
        for e in errors
    ]
    domain = next((f for f in fields if f.code not in _PYDANTIC_TYPES), None)
    if domain is not None:
        return error_response(422, domain.code, f"{_path(domain.loc)}: {domain.message}", fields=fields)
    if any(f.code == "json_invalid" for f in fields):
        return error_response(422, "invalid_json", "The request body is not valid JSON.", fields=fields)
    first = fields[0] if fields else None
    detail = "The request is invalid."
    if first is not None:
        more = f" (and {len(fields) - 1} more problem{'s' if len(fields) > 2 else ''})" if len(fields) > 1 else ""
        detail = f"{_path(first.loc)}: {first.message}{more}."
    return error_response(422, "validation_error", detail, fields=fields)


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, sentence = _HTTP_CODES.get(exc.status_code, (f"http_{exc.status_code}", "The request failed."))
    # Starlette's own details are bare reason phrases ("Not Found"): say a sentence
    # instead; keep a detail someone wrote on purpose.
    try:
        phrase = HTTPStatus(exc.status_code).phrase
    except ValueError:
        phrase = ""
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail and exc.detail != phrase else sentence
    return error_response(exc.status_code, code, detail, headers=dict(exc.headers or {}) or None)


def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    # The class name only: a DBAPI message may quote statement parameters.
    log.warning("database unavailable (%s) [request %s]", type(exc).__name__, current_request_id())
    return error_response(503, "database_unavailable", "The database is not answering; try again shortly.")


def _integrity_conflict(request: Request, exc: Exception) -> JSONResponse:
    # Services check what they can first; this is two requests racing for one key.
    log.info("integrity conflict (%s) [request %s]", type(exc).__name__, current_request_id())
    return error_response(409, "conflict", "The request clashes with data saved at the same moment; reload and try again.")


def _data_error(request: Request, exc: Exception) -> JSONResponse:
    # The database refused a value of the request that validation let through: text with
    # a NUL or an unpaired surrogate, a number out of the column's range. The request's
    # transaction is rolled back; the value is not echoed.
    log.info("database refused a value (%s) [request %s]", type(exc.orig).__name__ if isinstance(exc, sa_exc.DBAPIError)
             else type(exc).__name__, current_request_id())
    return error_response(422, "invalid_value", "A value of the request cannot be stored: it is out of range "
                          "or holds characters text may not contain.")


def _dbapi_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, sa_exc.DBAPIError)
    if exc.connection_invalidated:
        return _database_unavailable(request, exc)
    return _unexpected(request, exc)


def _pending_rollback(request: Request, exc: Exception) -> JSONResponse:
    # Raised at commit when an earlier statement lost the connection and the error was
    # handled on the way (SQLAlchemy's code 8s2b): the database is gone, nothing committed.
    assert isinstance(exc, sa_exc.PendingRollbackError)
    if exc.code == "8s2b":
        return _database_unavailable(request, exc)
    return _unexpected(request, exc)


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    request_id = current_request_id() or request.scope.get("state", {}).get("request_id", "")
    # Frames, not the message: messages of database and validation errors can carry
    # the request's personal data; the frames are enough to find the bug.
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error(
        "unhandled %s in %s %s [request %s]\n%s",
        type(exc).__name__, request.method, request.url.path, request_id, frames,
        extra={"request_id": request_id or "-"},  # this handler runs after the id was unbound
    )
    # This handler runs outside the request-id middleware (Starlette's outermost
    # ServerErrorMiddleware), so it sets the header itself.
    headers = {REQUEST_ID_HEADER: request_id} if request_id else None
    return error_response(
        500,
        "internal_error",
        f"Something went wrong on our side; quote request {request_id or 'id unknown'} when reporting it.",
        headers=headers,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Route every failure of ``app`` through the one error shape, and document it."""
    from api_core.openapi_errors import document_errors  # it imports this module

    document_errors(app)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(sa_exc.OperationalError, _database_unavailable)
    app.add_exception_handler(sa_exc.InterfaceError, _database_unavailable)
    app.add_exception_handler(sa_exc.TimeoutError, _database_unavailable)  # pool exhausted
    app.add_exception_handler(sa_exc.IntegrityError, _integrity_conflict)
    app.add_exception_handler(sa_exc.DataError, _data_error)
    # SQLite's driver refuses an integer past 64 bits before the database sees it.
    app.add_exception_handler(OverflowError, _data_error)
    app.add_exception_handler(sa_exc.DBAPIError, _dbapi_error)
    app.add_exception_handler(sa_exc.PendingRollbackError, _pending_rollback)
    app.add_exception_handler(Exception, _unexpected)
