"""Wrong passwords on the web sign-in are limited like PINs on phones."""

from __future__ import annotations

from sqlmodel import select

from logistics.models import AuditLog, SignInThrottle
from logistics.models.enums import Role
from tests.web.factories import PASSWORD


def _try(client, username, password):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def test_wrong_passwords_lock_the_account_on_this_browser(client, session, world):
    """Five failures, then 429 sign_in_locked with Retry-After, audited; the count is kept."""
    username = world.a.users[Role.DISPATCHER].username
    for k in range(5):
        refused = _try(client, username, "not it")
        assert (refused.status_code, refused.json()["error"]) == (401, "invalid_credentials")
        assert session.exec(select(SignInThrottle).where(SignInThrottle.scope == "device")).one().failures == k + 1
    locked = _try(client, username, PASSWORD)
    assert (locked.status_code, locked.json()["error"]) == (429, "sign_in_locked")
    assert int(locked.headers["Retry-After"]) >= 1
    assert session.exec(select(AuditLog).where(AuditLog.action == "auth.sign_in_locked")).all()


def test_unknown_usernames_count_too(client, world):
    """Probing unknown usernames is counted like wrong passwords (same 401, then 429)."""
    for _ in range(5):
        assert _try(client, "nobody", "guess").status_code == 401
    assert _try(client, "nobody", "guess").status_code == 429
