"""Limiting sign-in attempts: a PIN has 10,000 values, so wrong guesses must cost time.

Each attempt is counted under three keys: the username on that device (a phone, or
no device for the web), the username on any device (so changing the device id does
not buy new guesses) and the client address (one machine trying many usernames).
A key that reaches its number of failures within the window is locked; each further
failure after a lock doubles the lock, up to a ceiling. A locked key refuses every
attempt, right or wrong, with ``TooManyRequests`` (HTTP 429, code
``sign_in_locked``, ``Retry-After``). A successful sign-in clears the username's
keys (not the address's: one valid account must not reset a guesser's address).

The counters are rows of ``sign_in_throttle``, upserted, so every API process sees
the same counts (the embedded default has no Redis). Keys are stored hashed. Each
new lock is audited (``auth.sign_in_locked``) with counts and the scope, no address.

The failed attempt must be recorded even though the sign-in is refused: a route
answers the refusal without raising it (``api_core.errors.domain_error_response``),
so the request's transaction commits the count.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from logistics import audit
from logistics.accounts import users
from logistics.config import get_settings
from logistics.exceptions import TooManyRequests, Unauthorized
from logistics.models import SignInThrottle, User
from logistics.models.types import utcnow

DEVICE, USER, ADDRESS = "device", "user", "address"


@dataclass(frozen=True)
class SignInPolicy:
    """Defaults [guess]; each may be set as ``SIGN_IN_<NAME>`` (``logistics.config``)."""

    max_failures_per_device: int = 5
    max_failures_per_user: int = 20  # across devices: a postman's PIN typed on a new phone
    max_failures_per_address: int = 50  # an office behind one address signs many people in
    window_s: int = 15 * 60  # failures older than this (and no lock) are forgotten
    lockout_s: int = 60  # the first lock; doubled by every failure after it
    max_lockout_s: int = 3600

    @classmethod
    def from_settings(cls, settings: Any | None = None) -> SignInPolicy:
        overrides = (settings or get_settings()).overrides("sign_in_")
        return replace(cls(), **{f.name: overrides[f.name] for f in fields(cls) if f.name in overrides})

    def limit(self, scope: str) -> int:
        return {DEVICE: self.max_failures_per_device, USER: self.max_failures_per_user,
                ADDRESS: self.max_failures_per_address}[scope]

    def lock_for(self, failures: int, scope: str) -> timedelta | None:
        """How long a key with ``failures`` failures is locked (None: not locked)."""
        over = failures - self.limit(scope)
        if over < 0:
            return None
        return timedelta(seconds=min(self.max_lockout_s, self.lockout_s * 2 ** min(over, 30)))


@dataclass(frozen=True)
class Attempt:
    username: str
    device_id: str | None
    address: str | None

    def keys(self) -> dict[str, str]:
        """scope -> hashed key (the username compared case-insensitively)."""
        name = self.username.strip().casefold()
        raw = {DEVICE: f"{name}\x00{self.device_id or ''}", USER: name}
        if self.address:
            raw[ADDRESS] = self.address
        return {scope: hashlib.sha256(f"{scope}\x00{key}".encode()).hexdigest() for scope, key in raw.items()}


def ensure_allowed(session: Session, attempt: Attempt, *, now: datetime | None = None) -> None:
    """Raise ``TooManyRequests`` if any of the attempt's keys is locked."""
    now = now or utcnow()
    keys = attempt.keys()
    locks = session.exec(
        select(SignInThrottle.locked_until).where(
            SignInThrottle.key_sha256.in_(sorted(keys.values())), SignInThrottle.locked_until > now
        )
    ).all()
    if locks:
        wait = max(locks) - now
        raise TooManyRequests(
            "Too many wrong attempts; wait before trying again. / Nhập sai quá nhiều lần; vui lòng thử lại sau.",
            code="sign_in_locked", retry_after_s=int(wait.total_seconds()) + 1,
        )


def _upsert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def record_failure(session: Session, attempt: Attempt, *, user_id: int | None = None, now: datetime | None = None,
                   policy: SignInPolicy | None = None) -> None:
    """Count a failed attempt under each key; lock (and audit) the keys over their limit."""
    now = now or utcnow()
    policy = policy or SignInPolicy.from_settings()
    table = SignInThrottle.__table__
    stale = now - timedelta(seconds=policy.window_s)
    for scope, key in sorted(attempt.keys().items()):
        # Atomic across processes: a stale row (old failures, no lock in force) starts over.
        fresh = sa.and_(table.c.last_failure_at < stale,
                        sa.or_(table.c.locked_until.is_(None), table.c.locked_until <= now))
        insert = _upsert(session)(table).values(key_sha256=key, scope=scope, failures=1, first_failure_at=now,
                                                last_failure_at=now, locked_until=None)
        statement = insert.on_conflict_do_update(
            index_elements=[table.c.key_sha256],
            set_={
                "failures": sa.case((fresh, 1), else_=table.c.failures + 1),
                "first_failure_at": sa.case((fresh, now), else_=table.c.first_failure_at),
                "last_failure_at": now,
            },
        ).returning(table.c.failures, table.c.locked_until)
        failures, locked_until = session.execute(statement).one()
        lock = policy.lock_for(failures, scope)
        if lock is None:
            continue
        session.execute(sa.update(table).where(table.c.key_sha256 == key).values(locked_until=now + lock))
        audit.record(
            session, actor_user_id=None, action="auth.sign_in_locked", entity="user" if user_id else "sign_in",
            entity_id=user_id if user_id else key[:16], scope=scope, failures=failures,
            locked_for_s=int(lock.total_seconds()), device_id=attempt.device_id if scope == DEVICE else None,
        )


def record_success(session: Session, attempt: Attempt) -> None:
    """Forget the username's failures (the address keeps its count)."""
    keys = attempt.keys()
    session.execute(sa.delete(SignInThrottle).where(SignInThrottle.key_sha256.in_([keys[DEVICE], keys[USER]])))


def sign_in(session: Session, attempt: Attempt, *, secret: str, policy: SignInPolicy | None = None) -> User:
    """The user whose credentials these are, within the attempt limits.

    Raises ``TooManyRequests`` while a key is locked (before the secret is even
    checked) and ``Unauthorized`` for a wrong username or secret, after counting it:
    the caller must let the count commit (see the module's docstring).
    """
    now = utcnow()
    ensure_allowed(session, attempt, now=now)
    try:
        user = users.check_credentials(session, username=attempt.username, secret=secret)
    except Unauthorized:
        known = session.exec(select(User.id).where(User.username == attempt.username)).first()
        record_failure(session, attempt, user_id=known, now=now, policy=policy)
        raise
    record_success(session, attempt)
    return user
