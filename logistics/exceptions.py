"""Typed domain errors.

Every failure the product reports carries a machine-readable ``code`` and a human
sentence (``detail``); the HTTP layer renders them all through one handler as
``{"error": code, "detail": detail}`` with ``status_code``. The domain never imports
the HTTP layer: the status code is plain data here.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error the product reports to a caller."""

    status_code: int = 400
    code: str = "bad_request"

    def __init__(self, detail: str, *, code: str | None = None, **context: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.context = context

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"


class InvalidInput(DomainError):
    """The input breaks a domain rule (check digit, phone, coordinates, window...)."""

    status_code = 422
    code = "invalid_input"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    """The request is well-formed but clashes with the current state."""

    status_code = 409
    code = "conflict"


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class TooManyRequests(DomainError):
    """Too many attempts: the caller may try again after ``retry_after_s`` seconds
    (sent as the ``Retry-After`` header)."""

    status_code = 429
    code = "too_many_requests"

    def __init__(self, detail: str, *, retry_after_s: int, code: str | None = None, **context: Any) -> None:
        super().__init__(detail, code=code, **context)
        self.retry_after_s = max(1, int(retry_after_s))


class ServiceUnavailable(DomainError):
    status_code = 503
    code = "service_unavailable"


class ConfigurationError(DomainError):
    """A setting is missing or unsafe for the environment the product runs in."""

    status_code = 500
    code = "configuration_error"
