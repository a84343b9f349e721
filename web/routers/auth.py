"""Signing in: tokens for a username and password (or PIN), refresh, revoke.

Tokens are opaque, stored hashed and bound to a device when the client names one
(``logistics.accounts.tokens``); revoking takes effect on the very next request.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import select

from api_core.deps import CurrentUser, SessionDep
from api_core.errors import error_responses
from api_core.sign_in import throttled_sign_in
from logistics import access, audit
from logistics.accounts import tokens
from logistics.exceptions import NotFound
from logistics.models import User
from web.schemas import RefreshRequest, RevokeRequest, RevokeResponse, TokenRequest, TokenResponse, UserPublic

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], responses=error_responses(401, 422))


def _token_response(pair: tokens.TokenPair, user: User) -> TokenResponse:
    return TokenResponse(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
        user=UserPublic.model_validate(user, from_attributes=True),
    )


@router.post("/token", response_model=TokenResponse, summary="Sign in (Đăng nhập)",
             description="Wrong passwords are limited per username (and device), per username and per client "
             "address: past the limit, 429 sign_in_locked with Retry-After.",
             responses=error_responses(429))
def sign_in(session: SessionDep, request: Request, body: TokenRequest) -> Any:
    user = throttled_sign_in(session, request, username=body.username, secret=body.password, device_id=body.device_id)
    if not isinstance(user, User):
        return user  # the refusal, answered so that the failure count commits
    pair = tokens.issue_pair(session, user=user, device_id=body.device_id)
    return _token_response(pair, user)


@router.post("/refresh", response_model=TokenResponse, summary="Trade a refresh token for a new pair")
def refresh(session: SessionDep, body: RefreshRequest) -> Any:
    pair = tokens.refresh(session, body.refresh_token, device_id=body.device_id)
    user, _ = tokens.authenticate(session, pair.access_token)
    return _token_response(pair, user)


@router.post(
    "/revoke",
    response_model=RevokeResponse,
    summary="Revoke a user's tokens, or one device's",
    description="Admins may revoke anyone's tokens, a dispatcher those of their post office's staff, "
    "anyone their own (sign out). Effective at once; audited.",
    responses=error_responses(403, 404),
)
def revoke(session: SessionDep, actor: CurrentUser, body: RevokeRequest) -> Any:
    target = session.exec(select(User).where(User.username == body.username)).first()
    if target is None:
        raise NotFound(f"No user {body.username!r}.", code="user_not_found")
    access.require_can_manage_user(actor, target)
    count = tokens.revoke_device(session, user_id=target.id, device_id=body.device_id)
    audit.record(
        session,
        actor_user_id=actor.id,
        action="auth.tokens_revoked",
        entity="user",
        entity_id=target.id,
        device_id=body.device_id,
        count=count,
    )
    return RevokeResponse(revoked=count)
