"""Wrong PINs from a phone are limited: 429 sign_in_locked with Retry-After, audited,
the count kept although each wrong attempt is refused; a right PIN clears it."""

from __future__ import annotations

from sqlmodel import select

from logistics.models import AuditLog
from tests.web.factories import PASSWORD

URL = "/mobile/v1/auth/sign-in"


def _try(client, pin, device_id="phone-1"):
    return client.post(URL, json={"username": "postman_a", "pin": pin, "device_id": device_id})


def test_fifth_wrong_pin_locks_the_phone(client, session, sw):
    """Five wrong PINs: each 401, then even the right PIN gets 429 with Retry-After."""
    for _ in range(5):
        assert _try(client, "0000").status_code == 401
    locked = _try(client, PASSWORD)
    assert (locked.status_code, locked.json()["error"]) == (429, "sign_in_locked")
    assert 1 <= int(locked.headers["Retry-After"]) <= 61 and locked.json()["retry_after_s"] >= 1
    audit = session.exec(select(AuditLog).where(AuditLog.action == "auth.sign_in_locked")).one()
    assert audit.entity_id == str(sw.postman_user.id) and audit.detail["scope"] == "device"
    # The postman's other phone is not locked.
    assert _try(client, PASSWORD, device_id="phone-2").status_code == 200


def test_right_pin_clears_the_count(client, sw):
    """Four wrong PINs, a right one, four wrong again: never locked."""
    for _ in range(4):
        assert _try(client, "0000").status_code == 401
    assert _try(client, PASSWORD).status_code == 200
    for _ in range(4):
        assert _try(client, "0000").status_code == 401
    assert _try(client, PASSWORD).status_code == 200
