"""The phone's token and the item's assignment are read afresh on every request: no
cache lets a revoked token, a disabled account, a changed role or a reassigned route
through on the next request."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import func, select

from logistics.accounts import tokens
from logistics.models import ScanEvent
from logistics.models.enums import Role
from tests.mobile_api.conftest import sign_in


def _scan(client, headers, s10):
    event = {"client_event_id": str(uuid.uuid4()), "s10": s10, "code": "out_for_delivery",
             "device_time": "2026-11-20T08:05:00+07:00", "lat": 13.79, "lon": 109.17, "accuracy_m": 8.0}
    return client.post("/mobile/v1/scans", headers=headers, json={"events": [event]})


def _count(session):
    return session.exec(select(func.count()).select_from(ScanEvent)).one()


def test_revoked_token_fails_on_the_next_scan(client, session, sw):
    headers = sign_in(client, device_id="lost-phone")
    assert _scan(client, headers, sw.items[0].s10).json()["results"][0]["outcome"] == "applied"
    tokens.revoke_device(session, user_id=sw.postman_user.id, device_id="lost-phone")
    before = _count(session)
    response = _scan(client, headers, sw.items[1].s10)
    assert (response.status_code, response.json()["error"]) == (401, "invalid_token")
    assert _count(session) == before


def test_other_devices_keep_working_after_one_is_revoked(client, session, sw):
    lost, kept = sign_in(client, device_id="lost-phone"), sign_in(client, device_id="new-phone")
    tokens.revoke_device(session, user_id=sw.postman_user.id, device_id="lost-phone")
    assert _scan(client, lost, sw.items[0].s10).status_code == 401
    assert _scan(client, kept, sw.items[0].s10).json()["results"][0]["outcome"] == "applied"


@pytest.mark.parametrize(
    ("change", "answer"),
    [({"active": False}, (401, "account_disabled")), ({"role": Role.COUNTER_CLERK}, (403, "forbidden"))],
    ids=["account_disabled", "role_taken_away"],
)
def test_an_account_changed_fails_on_the_next_scan(client, session, sw, change, answer):
    headers = sign_in(client)
    assert _scan(client, headers, sw.items[0].s10).status_code == 200
    for name, value in change.items():
        setattr(sw.postman_user, name, value)
    session.add(sw.postman_user)
    session.flush()
    response = _scan(client, headers, sw.items[1].s10)
    assert (response.status_code, response.json()["error"]) == answer


def test_reassigned_route_rejects_the_next_scan(client, session, sw):
    headers = sign_in(client)
    assert _scan(client, headers, sw.items[0].s10).json()["results"][0]["outcome"] == "applied"
    sw.route.postman_id = sw.other_postman.id  # the dispatcher gives the route to another postman
    session.add(sw.route)
    session.flush()
    result = _scan(client, headers, sw.items[1].s10).json()["results"][0]
    assert (result["outcome"], result["reject_code"]) == ("rejected", "not_assigned")


def test_route_page_loads_the_user_behind_the_token(client, sw):
    """Routes that need the whole user row (the route, hand-overs) still get it."""
    headers = sign_in(client)
    assert client.get("/mobile/v1/route?date=2026-11-20", headers=headers).status_code == 200
