"""Signing in through the attempt limits, for the web's and the phones' sign-in routes."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlmodel import Session

from api_core.errors import domain_error_response
from logistics.accounts import throttle
from logistics.exceptions import Unauthorized
from logistics.models import User


def client_address(request: Request) -> str | None:
    """The client's address (behind a proxy, as uvicorn's --forwarded-allow-ips sets it)."""
    return request.client.host if request.client else None


def throttled_sign_in(
    session: Session, request: Request, *, username: str, secret: str, device_id: str | None
) -> User | JSONResponse:
    """The user, or the 401 answer to return: a wrong secret is answered, not raised, so
    that the request's transaction commits the failure count (a raise rolls it back).
    A locked key raises ``TooManyRequests`` (429 with Retry-After): nothing to keep."""
    attempt = throttle.Attempt(username=username, device_id=device_id, address=client_address(request))
    try:
        return throttle.sign_in(session, attempt, secret=secret)
    except Unauthorized as refused:
        return domain_error_response(refused)
