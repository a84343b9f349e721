"""The phone's identity on every request: a bearer token issued to this device.

A token signed in without a device id (the web's) is refused here: a lost phone is
cut off by revoking its device's tokens (``POST /api/v1/auth/revoke`` with the
``device_id``, by an admin or the postman's dispatcher), effective on the next request.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from api_core.deps import SessionDep
from logistics.accounts import tokens
from logistics.exceptions import DomainError, Forbidden, Unauthorized
from logistics.models import User
from logistics.models.enums import Role

_bearer = HTTPBearer(auto_error=False, description="The access token from POST /mobile/v1/auth/sign-in.")

# Field staff who scan with a phone: postmen on their rounds, dispatchers and admins at the office.
SCANNING_ROLES = frozenset({Role.POSTMAN, Role.DISPATCHER, Role.ADMIN})


@dataclass(frozen=True)
class Phone:
    """The signed-in phone: ``actor`` (the user's id, role and places, read with the
    token) is what scans need; ``user``, the full row, is loaded when a route asks."""

    actor: tokens.Grant
    device_id: str
    session: Session

    @cached_property
    def user(self) -> User:
        user = self.session.get(User, self.actor.id)
        if user is None:  # deleted since the token was checked, in this same transaction
            raise Unauthorized("The token is unknown, expired or revoked; sign in again.", code="invalid_token")
        return user


async def phone_token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str:
    """The bearer token the request carries, not checked yet: for a route that checks
    it with :func:`phone_for` in the worker thread that does its work (a sync
    dependency costs a thread hop of its own), before it reads its body
    (``api_core.raw_body``): 401, 403, then 422, as with :func:`get_phone`."""
    if credentials is None or not credentials.credentials:
        raise Unauthorized("Send an access token: Authorization: Bearer <token>.", code="missing_token")
    return credentials.credentials


PhoneTokenDep = Annotated[str, Depends(phone_token)]


def get_phone(session: SessionDep, token: PhoneTokenDep) -> Phone:
    return phone_for(session, token)


def phone_for(session: Session, token: str) -> Phone:
    """The phone signed in with ``token``, or 401/403: a live token bound to a device,
    of a user who scans."""
    grant = tokens.grant(session, token)
    if grant.device_id is None:
        raise Unauthorized("This token is not bound to a device; sign in from the phone.", code="device_token_required")
    if grant.role not in SCANNING_ROLES:
        raise Forbidden("The mobile API is for postmen and post-office staff.", code="forbidden")
    return Phone(actor=grant, device_id=grant.device_id, session=session)


PhoneDep = Annotated[Phone, Depends(get_phone)]


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"


def body_limited_route(max_bytes: int) -> type[APIRoute]:
    """A route class refusing a body over ``max_bytes`` with 413 before it is parsed
    (a dependency would run after FastAPI had read and decoded the body)."""

    class BodyLimitedRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def limited(request: Request) -> Response:
                length = request.headers.get("content-length")
                if length is not None:
                    too_large = not length.isdigit() or int(length) > max_bytes
                else:  # chunked: count what actually comes (Starlette keeps it for the parser)
                    too_large = len(await request.body()) > max_bytes
                if too_large:
                    raise PayloadTooLarge(f"The request body may be at most {max_bytes // 1024} KiB.")
                return await handler(request)

            return limited

    return BodyLimitedRoute
