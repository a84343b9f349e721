"""Creating users and checking their secrets."""

from __future__ import annotations

from sqlmodel import Session, select

from logistics.accounts.passwords import hash_secret, verify_secret
from logistics.exceptions import Conflict, InvalidInput, Unauthorized
from logistics.models import User
from logistics.models.enums import Role

# Which scope each role needs: a clerk without an agency could see every agency.
_REQUIRED_SCOPE = {
    Role.POSTMAN: "post_office_id",
    Role.DISPATCHER: "post_office_id",
    Role.COUNTER_CLERK: "counter_id",
    Role.AGENCY_CLERK: "agency_id",
}


def create_user(
    session: Session,
    *,
    username: str,
    full_name: str,
    role: Role,
    secret: str,
    post_office_id: int | None = None,
    agency_id: int | None = None,
    counter_id: int | None = None,
    province_code: str | None = None,
) -> User:
    if len(secret) < 4:
        raise InvalidInput("A PIN or password needs at least 4 characters.", code="weak_secret")
    scopes = {"post_office_id": post_office_id, "agency_id": agency_id, "counter_id": counter_id}
    needed = _REQUIRED_SCOPE.get(role)
    if needed and scopes[needed] is None:
        raise InvalidInput(f"A {role.value} must be attached to a {needed.removesuffix('_id').replace('_', ' ')}.", code="missing_scope")
    if session.exec(select(User.id).where(User.username == username)).first() is not None:
        raise Conflict(f"The username {username!r} is taken.", code="username_taken")
    user = User(
        username=username,
        full_name=full_name,
        role=role,
        secret_hash=hash_secret(secret),
        province_code=province_code,
        **scopes,
    )
    session.add(user)
    session.flush()
    return user


def check_credentials(session: Session, *, username: str, secret: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    # Same answer for an unknown user and a wrong secret: no username probing.
    if user is None or not verify_secret(user.secret_hash, secret):
        raise Unauthorized("Wrong username or PIN.", code="invalid_credentials")
    if not user.active:
        raise Unauthorized("This account is disabled.", code="account_disabled")
    return user
