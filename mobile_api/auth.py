"""Signing a phone in with username and PIN; tokens bound to the phone's device id."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from api_core.deps import SessionDep
from api_core.errors import error_responses
from api_core.sign_in import throttled_sign_in
from logistics.accounts import tokens
from logistics.exceptions import Forbidden
from logistics.models import User
from mobile_api.deps import SCANNING_ROLES, PhoneDep
from mobile_api.schemas import PhoneUser, RefreshRequest, SignInRequest, SignOutResponse, TokenResponse

router = APIRouter(prefix="/auth", tags=["mobile: auth"], responses=error_responses(401, 422))


def _answer(pair: tokens.TokenPair, user: User, device_id: str) -> TokenResponse:
    return TokenResponse(
        access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in,
        device_id=device_id, user=PhoneUser.model_validate(user, from_attributes=True),
    )


@router.post("/sign-in", response_model=TokenResponse, summary="Sign a phone in (username + PIN)",
             description="Wrong PINs are limited per username and device, per username and per client "
             "address: past the limit, 429 sign_in_locked with Retry-After, growing with every further failure.",
             responses=error_responses(403, 429))
def sign_in(session: SessionDep, request: Request, body: SignInRequest) -> Any:
    user = throttled_sign_in(session, request, username=body.username, secret=body.pin, device_id=body.device_id)
    if not isinstance(user, User):
        return user  # the refusal, answered so that the failure count commits
    if user.role not in SCANNING_ROLES:
        raise Forbidden("The mobile API is for postmen and post-office staff.", code="forbidden")
    return _answer(tokens.issue_pair(session, user=user, device_id=body.device_id), user, body.device_id)


@router.post("/refresh", response_model=TokenResponse, summary="Trade the refresh token for a new pair (same phone)")
def refresh(session: SessionDep, body: RefreshRequest) -> Any:
    pair = tokens.refresh(session, body.refresh_token, device_id=body.device_id)
    user, token = tokens.authenticate(session, pair.access_token)
    return _answer(pair, user, token.device_id or body.device_id)


@router.post("/sign-out", response_model=SignOutResponse, summary="Revoke this phone's tokens",
             description="A lost phone is revoked by an admin or dispatcher with POST /api/v1/auth/revoke "
             "(username and device_id).")
def sign_out(session: SessionDep, phone: PhoneDep) -> Any:
    return SignOutResponse(revoked=tokens.revoke_device(session, user_id=phone.user.id, device_id=phone.device_id))
